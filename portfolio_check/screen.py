"""Screening: a resolved security's list entries -> statuses on a date for an investor. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from portfolio_check.model import Actions, Finding, Investor, Status, Verdict
from portfolio_check.reference import Reference
from portfolio_check.resolve import Resolution
from portfolio_check.rules import ALLOWED, MatchStrength, RelatedPolicy, apply_regime

_CLEAR_ACTIONS = Actions(buy=ALLOWED, sell=ALLOWED)
_UNRESOLVED_ACTIONS = Actions(buy="identify the security first", sell="identify the security first")
_REVIEW_ACTIONS = Actions.hold_until_reviewed()


def _settled_ambiguity(
    resolution: Resolution, reference: Reference, as_of: dt.date, investor: Investor
) -> bool:
    """Whether a name that fits several entries exactly gets the same status from each."""
    matches = resolution.matches
    if len(matches) < 2 or any(m.exact_among < 2 for m in matches):
        return False
    statuses = {
        apply_regime(
            reference.lists[m.list_id].regime,
            reference.entry(m.list_id, m.entry_id),
            as_of,
            investor,
            MatchStrength.DEFINITE,
            by_name=True,
        ).status
        for m in matches
    }
    return len(statuses) == 1 and None not in statuses


def screen(
    resolution: Resolution,
    reference: Reference,
    as_of: dt.date,
    investor: Investor,
    *,
    related_policy: str = RelatedPolicy.LAW,
) -> Verdict:
    """Apply each matched entry's regime; the worst status wins; say why in every case."""
    findings: list[Finding] = []
    actions_by_finding: list[Actions] = []
    outcome_text: list[str] = []
    not_yet: list[str] = []
    not_yet_issuer: tuple[str, str] | None = None
    settled = _settled_ambiguity(resolution, reference, as_of, investor)
    for match in resolution.matches:
        ref_list = reference.lists[match.list_id]
        entry = reference.entry(match.list_id, match.entry_id)
        outcome = apply_regime(
            ref_list.regime,
            entry,
            as_of,
            investor,
            MatchStrength.DEFINITE if settled else match.strength,
            ownership_pct=match.ownership_pct,
            related_policy=related_policy,
            by_name=match.by_name,
        )
        if outcome.status is None:
            not_yet.append(
                f"{entry.name} ({match.list_id} entry {entry.entry_id}), matched on "
                f"{match.matched_on}: {match.detail}; {outcome.explanation}"
            )
            if match.strength == MatchStrength.DEFINITE:
                not_yet_issuer = (f"{match.list_id}:{entry.entry_id}", entry.name)
            continue
        if settled:
            outcome = replace(
                outcome,
                explanation=outcome.explanation
                + f"; the name fits {len(resolution.matches)} entries, each with this status "
                "on this date",
            )
        findings.append(
            Finding(
                list_id=match.list_id,
                entry_id=match.entry_id,
                entry_name=entry.name,
                matched_on=match.matched_on,
                score=round(match.score, 4),
                status=outcome.status,
                rule=outcome.rule,
                listing_date=entry.listing_date,
                effective_date=entry.effective_date,
                divestment_date=entry.divestment_date,
                explanation=f"{match.detail}. {outcome.explanation}",
                exposure=match.exposure,
                path=match.path,
            )
        )
        actions_by_finding.append(outcome.actions)
        outcome_text.append(outcome.explanation)
    identity = resolution.identity
    if findings:
        worst = min(range(len(findings)), key=lambda i: findings[i].status.severity)
        top = findings[worst]
        entry = reference.entry(top.list_id, top.entry_id)
        definite = top.status is not Status.REVIEW or all(
            m.strength == MatchStrength.DEFINITE for m in resolution.matches
        )
        others = [
            f"{f.entry_name} ({f.list_id.upper()} entry {f.entry_id}, {f.status.value})"
            for i, f in enumerate(findings)
            if i != worst
        ]
        return Verdict(
            status=top.status,
            reason=f"{top.entry_name} ({top.list_id.upper()} entry {top.entry_id}), matched on "
            f"{top.matched_on}: {outcome_text[worst]}"
            + (f"; also matched: {'; '.join(others)}" if others else ""),
            identity=identity,
            issuer_id=f"{top.list_id}:{top.entry_id}" if definite else None,
            issuer_name=entry.name if definite else None,
            findings=tuple(sorted(findings, key=lambda f: f.status.severity)),
            actions=actions_by_finding[worst],
        )
    notes = "; ".join(resolution.notes)
    unusable = "; ".join(resolution.unusable)
    if resolution.review:
        return Verdict(
            status=Status.REVIEW,
            reason=resolution.review + (f" (could not use: {unusable})" if unusable else ""),
            identity=identity,
            actions=_REVIEW_ACTIONS,
        )
    if not resolution.screened:
        # CLEAR is earned: nothing that identifies the security was screened.
        return Verdict(
            status=Status.UNRESOLVED,
            reason=(
                f"nothing that identifies the security could be screened (could not use: "
                f"{unusable})"
                if unusable
                else "no valid identifier and no name to identify the security"
            )
            + (f" ({notes})" if notes else ""),
            identity=identity,
            actions=_UNRESOLVED_ACTIONS,
        )
    if not_yet:
        reason = "; ".join(not_yet)
    else:
        reason = f"checked {resolution.checked} against {reference.lists_checked}: no match"
    if unusable:
        reason += f"; could not use: {unusable}"
    if notes:
        reason += f" ({notes})"
    return Verdict(
        status=Status.CLEAR,
        reason=reason,
        identity=identity,
        issuer_id=not_yet_issuer[0] if not_yet_issuer else None,
        issuer_name=not_yet_issuer[1] if not_yet_issuer else None,
        actions=_CLEAR_ACTIONS,
    )
