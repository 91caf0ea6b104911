"""Fund look-through: a fund is covered if it holds covered securities (OFAC FAQs 860-861).

FAQ 861: an ETF, index fund or mutual fund that holds securities of a listed entity is covered
"regardless of such securities' share" — there is no de minimis. So a position in a fund takes
the worst status of the fund's constituents, screened with the same engine on the same date
for the same investor, with the constituents named and their weight in the fund. Look-through
data older than a set age can only make REVIEW; a fund with no look-through data whose name
says it invests in China or emerging markets is REVIEW, never CLEAR.

Pure: the constituents come in already screened; reading fund files is the caller's business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from portfolio_check.identifiers import classify_identifier, normalize_isin
from portfolio_check.model import Actions, Finding, SecurityIdentity, Status, Verdict
from portfolio_check.names import normalize_name

# Look-through data older than this (days before the as-of date) cannot clear or prohibit on
# its own: funds trade their books daily, and a quarter-old list is the most a check should
# trust. Issuers publish holdings daily (ETFs) to quarterly (mutual funds).
DEFAULT_MAX_AGE_DAYS = 92
# How many funds deep a look-through goes (a fund of funds of funds).
MAX_DEPTH = 3

_FUND_WORDS = re.compile(
    r"\b(ETF|ETFS|FUND|FUNDS|UCITS|SICAV|OEIC|UNIT TRUST|INDEX TRUST|ISHARES|SPDR|VANGUARD|"
    r"XTRACKERS|KRANESHARES|INVESCO QQQ|LYXOR|AMUNDI ETF|TRACKER)\b"
)
_CHINA_EM_WORDS = re.compile(
    r"\b(CHINA|CHINESE|GREATER CHINA|HONG KONG|EMERGING|EM|EMERGING MARKETS|A[- ]SHARES?|CSI|"
    r"HANG SENG|HSCEI|ASIA EX JAPAN|ASIA PACIFIC EX JAPAN|BRIC|BRICS)\b"
)


def looks_like_fund(name: str | None) -> bool:
    """Whether a holding's name says it is a fund (ETF, index fund, mutual fund)."""
    return bool(name and _FUND_WORDS.search(name.upper()))


def china_or_emerging(name: str | None) -> bool:
    """Whether a fund's name says it invests in China or emerging markets."""
    return bool(name and _CHINA_EM_WORDS.search(name.upper()))


def identity_keys(identity: SecurityIdentity) -> set[str]:
    """Keys a holding can be tied to a fund by: ticker code, ISIN, normalised name."""
    keys = set()
    if identity.local_code:
        keys.add(f"ticker:{identity.local_code}")
    if identity.isin:
        keys.add(f"isin:{identity.isin}")
    if identity.name and (key := normalize_name(identity.name)):
        keys.add(f"name:{key}")
    return keys


def fund_keys(given: Iterable[str], title: str | None, file_name: str) -> set[str]:
    """Keys a fund file answers to: identifiers given with it, its title, its file name.

    The file name counts only for tokens that look like an exchange ticker in capitals
    (``ishares_EEM_2022-07.csv`` -> EEM): issuers name their downloads that way.
    """
    keys: set[str] = set()
    for raw in given:
        text = raw.strip()
        if not text:
            continue
        if isin := normalize_isin(text):
            keys.add(f"isin:{isin}")
        elif (ticker := classify_identifier(text).ticker) is not None:
            keys.add(f"ticker:{ticker.code}")
        elif re.fullmatch(r"[A-Z0-9.]{1,8}", text.upper()) and " " not in text:
            keys.add(f"ticker:{text.upper()}")
        else:
            keys.add(f"name:{normalize_name(text)}")
    if title and (key := normalize_name(title)):
        keys.add(f"name:{key}")
    for token in re.split(r"[_\-. ]+", file_name.rsplit(".", 1)[0]):
        if re.fullmatch(r"[A-Z]{2,5}", token):
            keys.add(f"ticker:{token}")
    return keys


_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def holdings_date_from(texts: Iterable[str], file_name: str) -> dt.date | None:
    """The date a fund's holdings are as of: from its title block, else its file name."""
    for text in texts:
        if "AS OF" not in text.upper():
            continue
        found = re.search(r"([A-Z][a-z]{2})[a-z]*\.? (\d{1,2}),? (\d{4})", text)
        if found and found.group(1).upper() in _MONTHS:
            month = _MONTHS.index(found.group(1).upper()) + 1
            return dt.date(int(found.group(3)), month, int(found.group(2)))
        iso = re.search(r"(\d{4})-(\d{2})-(\d{2})", text)
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    iso = re.search(r"(\d{4})-(\d{2})(?:-(\d{2}))?", file_name)
    if iso:
        # A month alone ("2022-07") dates the file no more precisely than its last day.
        year, month = int(iso.group(1)), int(iso.group(2))
        if iso.group(3):
            return dt.date(year, month, int(iso.group(3)))
        next_month = dt.date(year + month // 12, month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)
    return None


@dataclass(frozen=True)
class Constituent:
    """One screened holding of a fund."""

    label: str
    market_value: float | None
    verdict: Verdict


@dataclass(frozen=True)
class LookThrough:
    """A fund's screened holdings: the evidence for a position in that fund."""

    file: str
    name: str
    holdings_date: dt.date | None
    constituents: Sequence[Constituent]

    @property
    def total_value(self) -> float:
        return sum(c.market_value or 0.0 for c in self.constituents if (c.market_value or 0) > 0)


def fund_verdict(
    look: LookThrough,
    holding: SecurityIdentity,
    as_of: dt.date,
    *,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Verdict:
    """The status of a position in a fund, from its constituents' verdicts."""
    total = look.total_value
    dated = look.holdings_date.isoformat() if look.holdings_date else "an unknown date"
    fund_label = f"fund {look.name} (look-through {look.file}, as of {dated})"
    holding_label = holding.name or holding.ticker or holding.isin or "holding"
    findings: list[Finding] = []
    worst: Verdict | None = None
    flagged = 0
    for constituent in look.constituents:
        verdict = constituent.verdict
        if verdict.status in (Status.CLEAR, Status.UNRESOLVED) or not verdict.findings:
            continue
        flagged += 1
        weight = (constituent.market_value or 0.0) / total if total > 0 else None
        share = f"{weight:.4%} of the fund" if weight is not None else "weight unknown"
        if worst is None or verdict.status.severity < worst.status.severity:
            worst = verdict
        top = verdict.findings[0]
        findings.append(
            top.model_copy(
                update={
                    "exposure": "fund",
                    "weight": weight,
                    "path": (
                        holding_label,
                        fund_label,
                        constituent.label,
                        *(
                            top.path[-1:]
                            or (f"{top.entry_name} ({top.list_id} entry {top.entry_id})",)
                        ),
                    ),
                    "explanation": f"{fund_label} holds {constituent.label} ({share}); no de "
                    f"minimis (FAQ 861): {top.explanation}",
                }
            )
        )
    screened = f"{len(look.constituents)} constituents screened"
    age = (as_of - look.holdings_date).days if look.holdings_date else None
    stale = age is None or age > max_age_days
    if worst is None:
        if stale:
            return Verdict(
                status=Status.REVIEW,
                reason=f"{fund_label}: {screened}, none on an active list, but the look-through "
                f"data is {'undated' if age is None else f'{age} days old'} (limit "
                f"{max_age_days} days)",
                identity=holding.model_copy(update={"instrument": "fund"}),
                actions=Actions.hold_until_reviewed(),
            )
        return Verdict(
            status=Status.CLEAR,
            reason=f"{fund_label}: {screened}, none on an active list",
            identity=holding.model_copy(update={"instrument": "fund"}),
            actions=Actions(buy="allowed", sell="allowed"),
        )
    findings.sort(key=lambda f: (f.status.severity, -(f.weight or 0.0)))
    status = worst.status
    actions = worst.actions
    staleness = ""
    if stale and status.severity < Status.REVIEW.severity:
        status = Status.REVIEW
        actions = Actions.hold_until_reviewed()
        staleness = (
            f"; the look-through data is {'undated' if age is None else f'{age} days old'} "
            f"(limit {max_age_days} days), so it can only ask for review"
        )
    names = "; ".join(
        f"{f.path[2]} {f.status.value}" + (f" ({f.weight:.4%})" if f.weight is not None else "")
        for f in findings[:5]
    )
    more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
    return Verdict(
        status=status,
        reason=f"{fund_label}: {screened}, {flagged} flagged: {names}{more}{staleness}",
        identity=holding.model_copy(update={"instrument": "fund"}),
        issuer_id=None,
        issuer_name=None,
        findings=tuple(findings),
        actions=actions,
    )


def unlooked_fund_verdict(direct: Verdict) -> Verdict | None:
    """A China or EM fund with no look-through data is REVIEW, not CLEAR."""
    name = direct.identity.name
    if (
        direct.status is not Status.CLEAR
        or not looks_like_fund(name)
        or not china_or_emerging(name)
    ):
        return None
    return Verdict(
        status=Status.REVIEW,
        reason=f"{name} is a fund whose name says it invests in China or emerging markets; no "
        "look-through data was given (--fund-holdings), and a fund holding covered securities "
        f"is covered whatever their share (FAQ 861). {direct.reason}",
        identity=direct.identity.model_copy(update={"instrument": "fund"}),
        actions=Actions.hold_until_reviewed(),
    )


def combine(direct: Verdict, through: Verdict) -> Verdict:
    """A holding's direct verdict and its look-through verdict: the worse decides."""
    if through.status.severity < direct.status.severity or direct.status is Status.CLEAR:
        first, second = through, direct
    else:
        first, second = direct, through
    return first.model_copy(
        update={
            "findings": (*first.findings, *second.findings),
            "reason": first.reason
            if second.status is Status.CLEAR or not second.findings
            else f"{first.reason}; also: {second.reason}",
        }
    )
