"""Regimes: how a matched list entry becomes a status on a date, for an investor.

Pure functions, no I/O. Each regime is a small function registered by name in ``REGIMES``, so
adding a list type is adding an entry (nomenklatura's "an algorithm is data").

NS-CMIC (EO 13959 as amended by EO 14032; 31 CFR Part 586), per entry and per as-of date:

* before ``listing_date``: not listed — no effect;
* ``listing_date`` <= as-of < ``effective_date``: PENDING — listed, purchases not yet barred;
* ``effective_date`` <= as-of < ``divestment_date``: PROHIBITED — purchases and sales barred,
  except purchases and sales made solely to divest, until the divestment date;
* ``divestment_date`` <= as-of: PROHIBITED — any purchase or sale barred absent a licence;
  holding stays lawful (OFAC FAQ 1046: US persons "are not required to divest").

The ban binds US persons only: for a non-US person a listed entry is WATCH. OFAC publishes the
effective date as listing + 60 days and the divestment date as listing + 365 days; on each date
itself the later stage already applies (the prohibitions take effect at 12:01 a.m. that day).

A regime name may stand for several orders over time (``regimes.PERIODS``): ``ns-cmic`` is EO
13959 as amended by EO 13974 from 2020-11-12 to 2021-06-02, then EO 14032; ``regime_outcome``
picks the order in force on the as-of date. The regimes of the UN, Commerce and SSI lists are
in :mod:`portfolio_check.regimes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from portfolio_check.model import Actions, Investor, ListEffect, ListEntry, Side, Status
from portfolio_check.regimes import (
    ALLOWED,
    CLOSE_MATCH_NOTE,
    EO13959,
    EO13959_ORDER,
    PROHIBITED_ACTION,
    BanTexts,
    Designation,
    RuleOutcome,
    _off_list,
    ban_phase,
    eo13959,
    export_controls,
    is_dated,
    outside_periods,
    period_in_force,
    ssi,
    un_freeze,
)
from portfolio_check.relations import AFFILIATES_SUFFIX, base_policy

__all__ = ["ALLOWED", "PROHIBITED_ACTION", "RuleOutcome"]


class MatchStrength:
    """How a holding was tied to a list entry; decides how far a match can carry a status.

    ``DEFINITE``: an identifier or a curated link, or an exact normalised name or strong alias.
    ``CANDIDATE``: a weak alias, a fuzzy name, an ambiguous name: a person must decide (REVIEW).
    ``RELATED``: the issuer is not the entry but related to it (subsidiary, financing vehicle):
    FAQ 857, the ban reaches only entities on the list; REVIEW unless the firm's policy is
    stricter than the law.
    """

    DEFINITE = "definite"
    CANDIDATE = "candidate"
    RELATED = "related"


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else "?"


def ns_cmic(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """The NS-CMIC purchase/sale ban with its three dates (see the module docstring)."""
    listing, effective, divest = entry.listing_date, entry.effective_date, entry.divestment_date
    rule = "EO 14032 / 31 CFR 586 (NS-CMIC)"
    dates = (
        f"listed {_fmt(listing)}, purchases and sales barred from {_fmt(effective)}, "
        f"sales to divest allowed until {_fmt(divest)}"
    )
    if listing is None or effective is None or divest is None:
        return RuleOutcome(
            Status.REVIEW,
            Actions(buy="ask compliance", sell="ask compliance"),
            rule,
            f"NS-CMIC entry {entry.entry_id} has incomplete dates ({dates}); review by hand",
        )
    if entry.listed_until and as_of >= entry.listed_until:
        return RuleOutcome(
            None,
            Actions(buy=ALLOWED, sell=ALLOWED),
            rule,
            f"removed from NS-CMIC on {entry.listed_until} ({dates})",
        )
    return ban_phase(
        as_of,
        investor,
        rule,
        listed=listing,
        barred=effective,
        divest_until=divest,
        divest_last_day=False,  # on the divestment date itself the later stage applies
        texts=BanTexts(
            not_yet=f"not yet on NS-CMIC on {as_of.isoformat()} ({dates})",
            watch=f"on NS-CMIC ({dates}); the ban binds US persons only and this investor is "
            "not one",
            pending=f"on NS-CMIC since {listing}; purchases become prohibited on {effective} "
            f"({dates})",
            divest=f"NS-CMIC ban in force since {effective}; purchases barred; sales only to "
            f"divest, until the window closes on {divest} ({dates})",
            closed=f"NS-CMIC ban in force since {effective}; the divestment window closed on "
            f"{divest}: no purchase or sale without an OFAC licence; holding remains lawful "
            f"(FAQ 1046) ({dates})",
        ),
    )


def _since(entry: ListEntry) -> str:
    """When OFAC published the entry on the list (its enhanced XML's datePublished)."""
    return f" since {entry.listed_from} (OFAC's publication date)" if entry.listed_from else ""


def _undated(entry: ListEntry) -> str:
    if entry.listed_from is not None:
        return ""
    return (
        "; OFAC's legacy files give no designation date, so the list as of the snapshot is "
        "applied to any as-of date"
    )


def sdn_blocking(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """SDN: blocking. US persons may not deal at all; property is frozen and reported."""
    rule = "OFAC SDN blocking (31 CFR Part 501 and the program's regulations)"
    if (why := _off_list(entry, as_of)) is not None:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, why)
    programs = ", ".join(entry.programs) or "?"
    if investor is Investor.NON_US_PERSON:
        return RuleOutcome(
            Status.REVIEW,
            Actions(
                buy="review: secondary sanctions risk", sell="review: secondary sanctions risk"
            ),
            rule,
            f"on the SDN list (programs {programs}); blocking binds US persons, but dealings "
            "with a US nexus or under secondary sanctions can reach a non-US investor",
        )
    return RuleOutcome(
        Status.BLOCKED,
        Actions(buy=PROHIBITED_ACTION, sell="prohibited: blocked property, freeze and report"),
        rule,
        f"on the SDN list{_since(entry)} (programs {programs}): all dealings prohibited, "
        "property blocked, "
        "report to OFAC within 10 business days" + _undated(entry),
    )


def watch(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """A list with no investment effect (DoD 1260H, Entity List): WATCH while on it."""
    rule = "watch list: no investment prohibition"
    if (why := _off_list(entry, as_of)) is not None:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, why)
    since = f" since {entry.listed_from}" if entry.listed_from else ""
    return RuleOutcome(
        Status.WATCH,
        Actions(buy=ALLOWED, sell=ALLOWED),
        rule,
        f"on the list{since}: a designation with no investment ban; many fund policies exclude "
        "these names",
    )


def firm(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """A firm's own list: prohibited or watch, as the firm decided, for every investor."""
    rule = "firm restricted list"
    if (why := _off_list(entry, as_of)) is not None:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, why)
    note = f" ({entry.remarks})" if entry.remarks else ""
    if entry.effect is ListEffect.PROHIBITED:
        return RuleOutcome(
            Status.PROHIBITED,
            Actions(buy=PROHIBITED_ACTION, sell="as the firm's policy says"),
            rule,
            f"on the firm's restricted list as prohibited{note}",
        )
    return RuleOutcome(
        Status.WATCH,
        Actions(buy=ALLOWED, sell=ALLOWED),
        rule,
        f"on the firm's watch list{note}",
    )


Regime = Callable[[ListEntry, dt.date, Investor], RuleOutcome]

REGIMES: dict[str, Regime] = {
    "ns-cmic": ns_cmic,
    "sdn-blocking": sdn_blocking,
    "watch": watch,
    "firm": firm,
    "un-freeze": un_freeze,
    "export-controls": export_controls,
    "ssi": ssi,
}


def regime_outcome(
    regime: str,
    entry: ListEntry,
    as_of: dt.date,
    investor: Investor,
    designation: Designation | None = None,
) -> RuleOutcome:
    """The outcome under the order in force on ``as_of`` for a regime slot (``regimes.PERIODS``).

    ``designation``: the entity's EO 13959 record, used while that order is in force.
    """
    if not is_dated(regime):
        return REGIMES[regime](entry, as_of, investor)
    period = period_in_force(regime, as_of)
    if period is None:
        return outside_periods(regime, as_of)
    if period.regime == EO13959:
        return eo13959(designation, entry, as_of, investor)
    return REGIMES[period.regime](entry, as_of, investor)


class RelatedPolicy:
    """How to treat a holding of an entity related to a listed one (not itself listed).

    ``LAW``: as the law does (FAQ 857: the ban reaches only entities on the list; no 50 percent
    rule): at most REVIEW. ``AS_LISTED``: a firm policy stricter than the law treats it as the
    listed entity; the finding says that the policy, not the law, made the flag.
    """

    LAW = "law"
    AS_LISTED = "as-listed"
    # ``+affiliates`` also screens relations of an optional kind (``relations.OPTIONAL_KINDS``)
    ALL = (LAW, AS_LISTED, LAW + AFFILIATES_SUFFIX, AS_LISTED + AFFILIATES_SUFFIX)


# OFAC's 50 percent rule: an entity owned 50% or more by blocked persons is itself blocked.
SDN_OWNERSHIP_THRESHOLD = 50.0

# Regimes whose entries a name alone cannot tie to an issuer. The SDN list holds thousands of
# entities from every country, many with short, common names ("CARVANA COMPANY" in Iran,
# "ORION LIMITED LIABILITY COMPANY" in Russia): a listed company that shares the name is a
# candidate for a person to confirm (country, identifiers), not a blocked security. NS-CMIC's
# 68 entries are distinctive enough that an exact name or strong alias identifies them.
NAME_ALONE_IS_CANDIDATE = frozenset({"sdn-blocking"})


def apply_regime(
    regime: str,
    entry: ListEntry,
    as_of: dt.date,
    investor: Investor,
    strength: str,
    *,
    ownership_pct: float | None = None,
    related_policy: str = RelatedPolicy.LAW,
    by_name: bool = False,
    designation: Designation | None = None,
) -> RuleOutcome:
    """Apply a list's regime; candidate matches are capped at REVIEW, relations per the law."""
    outcome = regime_outcome(regime, entry, as_of, investor, designation)
    if outcome.status is None or outcome.status.severity >= Status.REVIEW.severity:
        return outcome
    if by_name and regime in NAME_ALONE_IS_CANDIDATE:
        return RuleOutcome(
            Status.REVIEW,
            Actions.hold_until_reviewed(),
            outcome.rule,
            "the name alone ties the holding to this entry, and on this list a name is not "
            "enough: confirm the issuer (country, identifiers) before treating it as "
            f"{outcome.status.value} — {outcome.explanation}",
        )
    if strength == MatchStrength.CANDIDATE:
        return RuleOutcome(
            Status.REVIEW,
            Actions.hold_until_reviewed(),
            outcome.rule,
            f"possible match only; if confirmed: {outcome.status.value} — {outcome.explanation}"
            + (f"; {CLOSE_MATCH_NOTE}" if outcome.rule == EO13959_ORDER else ""),
        )
    if strength == MatchStrength.RELATED:
        if regime == "sdn-blocking" and (ownership_pct or 0) >= SDN_OWNERSHIP_THRESHOLD:
            return RuleOutcome(
                outcome.status,
                outcome.actions,
                outcome.rule + "; OFAC 50 percent rule",
                f"owned {ownership_pct:g}% by a blocked person: blocked too under OFAC's 50 "
                f"percent rule — {outcome.explanation}",
            )
        if base_policy(related_policy) == RelatedPolicy.AS_LISTED:
            return RuleOutcome(
                outcome.status,
                outcome.actions,
                outcome.rule + "; firm policy on related entities",
                "firm policy, not the law, makes this flag: related entities are treated as "
                f"listed (FAQ 857 would not) — {outcome.explanation}",
            )
        return RuleOutcome(
            Status.REVIEW,
            Actions(
                buy="allowed by law; check firm policy", sell="allowed by law; check firm policy"
            ),
            outcome.rule + "; FAQ 857",
            f"related to an entity that is listed ({outcome.status.value}: "
            f"{outcome.explanation}); not itself listed: FAQ 857, the ban reaches a subsidiary "
            "only if it is itself on the list and OFAC's 50 percent rule does not apply",
        )
    return outcome


def side_allowed(actions: Actions, side: Side) -> bool:
    """Whether the given side of a trade is allowed outright by the actions."""
    text = actions.buy if side is Side.BUY else actions.sell
    return text == ALLOWED or text.startswith("allowed before")
