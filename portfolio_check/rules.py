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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from portfolio_check.model import Actions, Investor, ListEntry, Side, Status

ALLOWED = "allowed"
PROHIBITED_ACTION = "prohibited"


class MatchStrength:
    """How a holding was tied to a list entry; decides how far a match can carry a status.

    ``DEFINITE``: an identifier or a curated link, or an exact normalised name or strong alias.
    ``CANDIDATE``: a weak alias, a fuzzy name, a related entity: a person must decide (REVIEW).
    """

    DEFINITE = "definite"
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class RuleOutcome:
    """A regime's answer for one entry: None status means the entry has no effect on that date."""

    status: Status | None
    actions: Actions
    rule: str
    explanation: str


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
    if as_of < listing:
        return RuleOutcome(
            None,
            Actions(buy=ALLOWED, sell=ALLOWED),
            rule,
            f"not yet on NS-CMIC on {as_of.isoformat()} ({dates})",
        )
    if investor is Investor.NON_US_PERSON:
        return RuleOutcome(
            Status.WATCH,
            Actions(buy=ALLOWED, sell=ALLOWED),
            rule,
            f"on NS-CMIC ({dates}); the ban binds US persons only and this investor is not one",
        )
    if as_of < effective:
        return RuleOutcome(
            Status.PENDING,
            Actions(buy=f"allowed before {effective}; stop buying", sell=ALLOWED),
            rule,
            f"on NS-CMIC since {listing}; purchases become prohibited on {effective} ({dates})",
        )
    if as_of < divest:
        return RuleOutcome(
            Status.PROHIBITED,
            Actions(buy=PROHIBITED_ACTION, sell=f"only to divest, until {divest}"),
            rule,
            f"NS-CMIC ban in force since {effective}; purchases barred; sales only to divest, "
            f"until the window closes on {divest} ({dates})",
        )
    return RuleOutcome(
        Status.PROHIBITED,
        Actions(buy=PROHIBITED_ACTION, sell=PROHIBITED_ACTION),
        rule,
        f"NS-CMIC ban in force since {effective}; the divestment window closed on {divest}: no "
        f"purchase or sale without an OFAC licence; holding remains lawful (FAQ 1046) ({dates})",
    )


Regime = Callable[[ListEntry, dt.date, Investor], RuleOutcome]

REGIMES: dict[str, Regime] = {"ns-cmic": ns_cmic}


def apply_regime(
    regime: str, entry: ListEntry, as_of: dt.date, investor: Investor, strength: str
) -> RuleOutcome:
    """Apply a list's regime; a candidate-strength match is capped at REVIEW."""
    outcome = REGIMES[regime](entry, as_of, investor)
    if (
        strength == MatchStrength.CANDIDATE
        and outcome.status is not None
        and outcome.status.severity < Status.REVIEW.severity
    ):
        return RuleOutcome(
            Status.REVIEW,
            Actions(buy="hold until reviewed", sell="hold until reviewed"),
            outcome.rule,
            f"possible match only; if confirmed: {outcome.status.value} — {outcome.explanation}",
        )
    return outcome


def side_allowed(actions: Actions, side: Side) -> bool:
    """Whether the given side of a trade is allowed outright by the actions."""
    text = actions.buy if side is Side.BUY else actions.sell
    return text == ALLOWED or text.startswith("allowed before")
