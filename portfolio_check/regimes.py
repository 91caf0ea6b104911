"""Regimes by date, and the rules of the lists added beside NS-CMIC. Pure, no I/O.

A list's regime is a *name* (``ns-cmic``, ``sdn-blocking``, ...). Some names stand for a
succession of legal orders, each in force for a period: ``PERIODS`` says which order applies on
an as-of date. The NS-CMIC slot is the clearest case:

* before 2020-11-12 no order barred investment in Chinese military companies;
* 2020-11-12 to 2021-06-02: EO 13959 as amended by EO 13974 (the NS-CCMC regime), with its own
  dates per group of designations and a possession ban after the divestment deadline;
* from 2021-06-03: EO 14032 (NS-CMIC), which replaced it.

The EO 13959 facts per entity are curated (``reference/curated/eo13959.csv``, each row
sourced): :class:`Designation`. This module also holds the rules of the UN Security Council
list, the Commerce export-control lists and OFAC's SSI list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from portfolio_check.model import Action, Actions, Investor, ListEntry, Status

ALLOWED = Action.ALLOWED
PROHIBITED_ACTION = Action.PROHIBITED

EO13959 = "eo13959"
NS_CMIC = "ns-cmic"
EO13959_ORDER = "EO 13959 as amended by EO 13974 (NS-CCMC)"
EO13959_START = dt.date(2020, 11, 12)
EO14032_START = dt.date(2021, 6, 3)
# The EO 13959 designations that are not NS-CMIC entries form a list of their own; it is
# applied whenever NS-CMIC is, since it fills the same slot on earlier dates.
NS_CCMC_LIST = "ns-ccmc"
COMPANION_LISTS: dict[str, tuple[str, ...]] = {NS_CMIC: (NS_CCMC_LIST,)}
COMPANION_REGIMES: dict[str, str] = {NS_CCMC_LIST: EO13959}


@dataclass(frozen=True)
class RuleOutcome:
    """A regime's answer for one entry: None status means the entry has no effect on that date."""

    status: Status | None
    actions: Actions
    rule: str
    explanation: str


@dataclass(frozen=True)
class Period:
    """One legal order in force for a regime slot from ``start`` until the day before ``end``."""

    regime: str
    order: str
    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


PERIODS: dict[str, tuple[Period, ...]] = {
    NS_CMIC: (
        Period(EO13959, EO13959_ORDER, EO13959_START, EO14032_START),
        Period(NS_CMIC, "EO 14032 / 31 CFR 586 (NS-CMIC)", EO14032_START),
    ),
    EO13959: (Period(EO13959, EO13959_ORDER, EO13959_START, EO14032_START),),
}


def period_in_force(regime: str, as_of: dt.date) -> Period | None:
    """The order in force for a dated regime on ``as_of`` (None: none, or not a dated regime)."""
    return next((p for p in PERIODS.get(regime, ()) if p.covers(as_of)), None)


def lists_on(list_ids: Sequence[str], as_of: dt.date | None) -> tuple[str, ...]:
    """The lists to apply on ``as_of``: the chosen ones, and each one's companions on the days
    their order was in force (NS-CMIC brings NS-CCMC from 2020-11-12 to 2021-06-02). Outside
    those days a companion's entries must tie a security to nothing; with no date, none."""
    found: list[str] = []
    for list_id in list_ids:
        found.append(list_id)
        for companion in COMPANION_LISTS.get(list_id, ()):
            if as_of is not None and period_in_force(COMPANION_REGIMES[companion], as_of):
                found.append(companion)
    return tuple(dict.fromkeys(found))


def is_dated(regime: str) -> bool:
    return regime in PERIODS


def outside_periods(regime: str, as_of: dt.date) -> RuleOutcome:
    """No order of the slot is in force on ``as_of``: say which ones exist and when."""
    periods = PERIODS[regime]
    spans = "; ".join(
        f"{p.order} from {p.start}" + (f" to {p.end - dt.timedelta(days=1)}" if p.end else "")
        for p in periods
    )
    if as_of < periods[0].start:
        why = f"no regime in force on {as_of}: the first order, {periods[0].order}, took effect"
        why += f" on {periods[0].start} ({spans})"
    else:
        last = periods[-1]
        why = (
            f"{last.order} no longer in force on {as_of}: it ended on "
            f"{last.end - dt.timedelta(days=1) if last.end else '?'}, replaced by EO 14032 "
            f"(NS-CMIC), on which this entity is not listed ({spans})"
        )
    return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), periods[0].order, why)


# --------------------------------------------------------------------------------------------
# EO 13959 (November 2020 - June 2021)
# --------------------------------------------------------------------------------------------

# OFAC General Licenses 1, 1A and 1B authorised dealings in entities whose names closely match
# a CCMC's name (old FAQ 858), until these dates; never for an entity itself on NS-CCMC.
CLOSE_MATCH_LICENCES = (
    ("GL 1", dt.date(2021, 1, 28)),
    ("GL 1A", dt.date(2021, 5, 27)),
    ("GL 1B", dt.date(2021, 6, 11)),
)
CLOSE_MATCH_NOTE = (
    "under EO 13959 (old OFAC FAQ 858) an entity whose name closely matches a designated "
    "company's name was covered too; OFAC General Licenses 1, 1A and 1B authorised dealings in "
    "such entities until 2021-01-28, 2021-05-27 and 2021-06-11 (not in entities themselves on "
    "the NS-CCMC list)"
)


@dataclass(frozen=True)
class BanTexts:
    """What an investment ban's outcome says in each phase (each order words its own)."""

    not_yet: str
    watch: str
    pending: str
    divest: str
    closed: str


def ban_phase(
    as_of: dt.date,
    investor: Investor,
    rule: str,
    *,
    listed: dt.date,
    barred: dt.date,
    divest_until: dt.date,
    divest_last_day: bool,
    texts: BanTexts,
) -> RuleOutcome:
    """The phase of a purchase ban with a divestment window on ``as_of``.

    Before ``listed``: no effect. A non-US person: WATCH (the bans bind US persons only).
    Before ``barred``: PENDING, stop buying. Until ``divest_until`` (the day itself too when
    ``divest_last_day``): PROHIBITED, sales only to divest. After it: PROHIBITED outright.
    EO 14032 (NS-CMIC) and EO 13959 (NS-CCMC) share these phases; they differ in the last
    day of the window and in their words.
    """
    if as_of < listed:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, texts.not_yet)
    if investor is Investor.NON_US_PERSON:
        return RuleOutcome(Status.WATCH, Actions(buy=ALLOWED, sell=ALLOWED), rule, texts.watch)
    if as_of < barred:
        stop_buying = Actions(buy=f"allowed before {barred}; stop buying", sell=ALLOWED)
        return RuleOutcome(Status.PENDING, stop_buying, rule, texts.pending)
    if as_of < divest_until or (divest_last_day and as_of == divest_until):
        divest_only = Actions(buy=PROHIBITED_ACTION, sell=f"only to divest, until {divest_until}")
        return RuleOutcome(Status.PROHIBITED, divest_only, rule, texts.divest)
    barred_outright = Actions(buy=PROHIBITED_ACTION, sell=PROHIBITED_ACTION)
    return RuleOutcome(Status.PROHIBITED, barred_outright, rule, texts.closed)


@dataclass(frozen=True)
class Designation:
    """An entity designated under EO 13959, with the dates its group's rule gives it."""

    list_id: str
    entry_id: str
    name: str
    group: str
    listed: dt.date
    purchases_barred: dt.date
    divest_until: dt.date
    close_match_from: dt.date | None = None
    other_reading: str = ""
    injunction: dt.date | None = None
    injunction_text: str = ""
    source: str = ""


def _eo13959_dates(d: Designation) -> str:
    return (
        f"{d.group}: designated {d.listed}, purchases barred from {d.purchases_barred}, "
        f"transactions solely to divest allowed until {d.divest_until}, holding prohibited "
        f"after it (EO 13974)"
    )


def _close_match_outcome(d: Designation, as_of: dt.date) -> RuleOutcome:
    licence = next((f"{gl} until {day}" for gl, day in CLOSE_MATCH_LICENCES if as_of <= day), "")
    return RuleOutcome(
        Status.REVIEW,
        Actions.hold_until_reviewed(),
        EO13959_ORDER,
        f"not yet itself designated on {as_of} (it was on {d.listed}); {CLOSE_MATCH_NOTE}"
        + (f"; on this date {licence} applied" if licence else "")
        + (f"; {d.other_reading}" if d.other_reading else "")
        + f" ({_eo13959_dates(d)}; source: {d.source})",
    )


def eo13959(
    d: Designation | None, entry: ListEntry, as_of: dt.date, investor: Investor
) -> RuleOutcome:
    """EO 13959 as amended by EO 13974 for one designated entity on ``as_of``.

    Purchases barred from the group's date; sales counted too (EO 13974), except those solely
    to divest, until the deadline; after the deadline holding itself is prohibited.
    """
    rule = EO13959_ORDER
    if d is None:
        return RuleOutcome(
            None,
            Actions(buy=ALLOWED, sell=ALLOWED),
            rule,
            f"{entry.name} was not designated under EO 13959 (in force 2020-11-12 to "
            f"2021-06-02); it is on NS-CMIC under EO 14032 from {entry.listing_date or '?'}",
        )
    dates = _eo13959_dates(d)
    reading = f"; {d.other_reading}" if d.other_reading else ""
    if d.injunction is not None and as_of >= d.injunction:
        return RuleOutcome(
            None,
            Actions(buy=ALLOWED, sell=ALLOWED),
            rule,
            f"{d.name}'s designation not enforced since {d.injunction}: {d.injunction_text} "
            f"({dates}; source: {d.source})",
        )
    if as_of < d.listed and d.close_match_from is not None and as_of >= d.close_match_from:
        return _close_match_outcome(d, as_of)
    return ban_phase(
        as_of,
        investor,
        rule,
        listed=d.listed,
        barred=d.purchases_barred,
        divest_until=d.divest_until,
        divest_last_day=True,  # "until" the deadline: sales to divest on the day itself too
        texts=BanTexts(
            not_yet=f"not yet designated under EO 13959 on {as_of} ({dates}; source: {d.source})",
            watch=f"designated under EO 13959 ({dates}); the ban binds US persons only",
            pending=f"designated under EO 13959 on {d.listed}; purchases barred from "
            f"{d.purchases_barred} ({dates}{reading}; source: {d.source})",
            divest=f"EO 13959 ban in force since {d.purchases_barred}: purchases barred; sales "
            f"only to divest, until {d.divest_until}; holding after that date prohibited "
            f"({dates}{reading}; source: {d.source})",
            closed=f"EO 13959 divestment deadline {d.divest_until} passed: holding, purchase "
            f"and sale prohibited (EO 13974) ({dates}{reading}; source: {d.source})",
        ),
    )


def _off_list(entry: ListEntry, as_of: dt.date) -> str | None:
    """Why the entry is not on its list on ``as_of`` (before it joined, after it left), if so."""
    if entry.listed_from and as_of < entry.listed_from:
        return f"not yet on the list on {as_of} (on it from {entry.listed_from})"
    if entry.listed_until and as_of >= entry.listed_until:
        return f"no longer on the list on {as_of} (removed {entry.listed_until})"
    return None


def un_freeze(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """UN Security Council sanctions: an asset freeze every member state applies; any investor."""
    rule = "UN Security Council Consolidated List (asset freeze)"
    if (why := _off_list(entry, as_of)) is not None:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, why)
    ref = entry.remarks or entry.entry_id
    return RuleOutcome(
        Status.BLOCKED,
        Actions(buy=PROHIBITED_ACTION, sell="prohibited: frozen assets, freeze and report"),
        rule,
        f"on the UN Security Council Consolidated List (reference {ref}, listed "
        f"{entry.listed_from or '?'}; regime {', '.join(entry.programs) or '?'}): member states "
        "must freeze its funds and economic resources, whoever the investor",
    )


def export_controls(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """Commerce's Entity List and Military End User list: WATCH, no investment ban."""
    rule = "US Commerce (BIS) export controls"
    if (why := _off_list(entry, as_of)) is not None:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, why)
    since = f" since {entry.listed_from}" if entry.listed_from else ""
    return RuleOutcome(
        Status.WATCH,
        Actions(buy=ALLOWED, sell=ALLOWED),
        rule,
        f"on {', '.join(entry.programs) or 'a Commerce list'}{since}: export controls, not an "
        "investment ban; many fund policies exclude these names"
        + (f" ({entry.remarks})" if entry.remarks else ""),
    )


@dataclass(frozen=True)
class SsiDirective:
    number: int
    issued: dt.date
    bars: str


# OFAC's directives under EO 13662 (Ukraine-/Russia-related, 31 CFR 589), as last amended.
SSI_DIRECTIVES: dict[int, SsiDirective] = {
    1: SsiDirective(
        1,
        dt.date(2014, 7, 16),
        "new debt of longer than 14 days' maturity (30 days before 2017-11-28, 90 days before "
        "2014-09-12) and new equity, issued after 2014-07-16",
    ),
    2: SsiDirective(
        2,
        dt.date(2014, 7, 16),
        "new debt of longer than 60 days' maturity (90 days before 2017-11-28), issued after "
        "2014-07-16",
    ),
    3: SsiDirective(3, dt.date(2014, 9, 12), "new debt of longer than 30 days' maturity"),
    4: SsiDirective(
        4,
        dt.date(2014, 9, 12),
        "goods, services or technology for deepwater, Arctic offshore or shale oil projects "
        "(no bar on its debt or equity)",
    ),
}
SSI_SOURCE = (
    "OFAC Directives 1-4 under EO 13662 (as amended 2014-09-12 and 2017-09-29/10-31), "
    "https://ofac.treasury.gov/sanctions-programs-and-country-information/ukraine-russia-related-sanctions"
)


def ssi_directives(entry: ListEntry) -> list[SsiDirective]:
    """The directives an SSI entry is subject to, as its record says ("Subject to Directive N")."""
    numbers = {int(n) for n in _EO13662_DIRECTIVE.findall(entry.remarks)}
    return [SSI_DIRECTIVES[n] for n in sorted(numbers) if n in SSI_DIRECTIVES]


# "Subject to Directive 1, Executive Order 13662 Directive Determination" in OFAC's records;
# EO 14024's directives are dated in the record itself ("26 Mar 2022, Effective Date (EO 14024
# Directive 2)").
_EO13662_DIRECTIVE = re.compile(r"Subject to Directive (\d), Executive Order 13662")
_EO14024_EFFECTIVE = re.compile(
    r"(\d{1,2} \w{3} \d{4}), Effective Date \(EO 14024 Directive (\d)\)"
)


def eo14024_directives(entry: ListEntry) -> list[str]:
    """EO 14024 directives with their effective dates, as the record states them."""
    found = dict.fromkeys(
        f"EO 14024 Directive {n} (effective {day})"
        for day, n in _EO14024_EFFECTIVE.findall(entry.remarks)
    )
    return list(found)


def ssi(entry: ListEntry, as_of: dt.date, investor: Investor) -> RuleOutcome:
    """SSI: only the dealings a directive names are barred (for US persons): REVIEW."""
    rule = "OFAC Sectoral Sanctions Identifications (EO 13662 directives)"
    if (why := _off_list(entry, as_of)) is not None:
        return RuleOutcome(None, Actions(buy=ALLOWED, sell=ALLOWED), rule, why)
    directives = ssi_directives(entry)
    named = (
        "; ".join(f"Directive {d.number} (from {d.issued}): bars {d.bars}" for d in directives)
        or "its record names no EO 13662 directive; read OFAC's record"
    )
    if more := eo14024_directives(entry):
        named += "; also " + ", ".join(more) + " (new debt or equity issued from that date)"
    who = "US persons" if investor is Investor.US_PERSON else "US persons (not this investor)"
    return RuleOutcome(
        Status.REVIEW,
        Actions(
            buy="review: barred if new debt or equity under the directive",
            sell="allowed unless the directive bars it",
        ),
        rule,
        f"on the SSI list: {named}; {who} may not deal in what the directive names, other "
        f"dealings are allowed: check the security's issue date and maturity (source: "
        f"{SSI_SOURCE})",
    )
