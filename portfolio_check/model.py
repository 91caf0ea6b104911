"""Typed models shared by every stage: reference data, holdings input, results.

The vocabulary follows ``architecture.md``: a *list* holds *entries*; a *regime* gives a list its
effect; a *holding* is one input row that is a position; a holding gets a *status*.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """Status of a holding, declared worst first (see ``SEVERITY``)."""

    BLOCKED = "BLOCKED"
    PROHIBITED = "PROHIBITED"
    PENDING = "PENDING"
    REVIEW = "REVIEW"
    WATCH = "WATCH"
    CLEAR = "CLEAR"
    UNRESOLVED = "UNRESOLVED"

    @property
    def severity(self) -> int:
        """Lower is worse; used to pick the worst finding of a holding."""
        return SEVERITY[self]


SEVERITY: dict[Status, int] = {status: rank for rank, status in enumerate(Status)}


class Investor(StrEnum):
    """Whether the investor is bound by US investment bans (citizens, residents, US entities)."""

    US_PERSON = "us-person"
    NON_US_PERSON = "non-us-person"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class FailOn(StrEnum):
    """The CLI's ``--fail-on`` threshold."""

    PROHIBITED = "prohibited"
    REVIEW = "review"
    NEVER = "never"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


class ParseWarning(Frozen):
    """A flaw in a published source kept visible instead of crashing the import."""

    file: str
    record: str = Field(description="the source's record id (OFAC ent_num) or line number")
    field: str
    value: str
    problem: str


class ListEffect(StrEnum):
    """What a firm gives an entry of its own list."""

    PROHIBITED = "prohibited"
    WATCH = "watch"


class ListEntry(Frozen):
    """One entry of a published list, as the importer read it from the official file."""

    list_id: str = Field(description="e.g. 'ns-cmic'")
    entry_id: str = Field(description="the publisher's id, e.g. OFAC ent_num '33114'")
    name: str
    entity_type: str | None = None
    programs: tuple[str, ...] = ()
    strong_aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    issuer_names: tuple[str, ...] = ()
    isins: tuple[str, ...] = Field(default=(), description="valid ISINs as published")
    tickers: tuple[str, ...] = Field(default=(), description="equity tickers as published")
    linked_to: tuple[str, ...] = ()
    listing_date: dt.date | None = None
    effective_date: dt.date | None = None
    divestment_date: dt.date | None = None
    remarks: str = ""
    addresses: tuple[str, ...] = ()
    uscc: tuple[str, ...] = Field(
        default=(), description="valid Unified Social Credit Codes (China) from the remarks"
    )
    target_types: tuple[str, ...] = Field(
        default=(), description="OFAC 'Target Type', e.g. 'Public Company', 'Private Company'"
    )
    listed_from: dt.date | None = Field(
        default=None, description="first day on the list (a 1260H tranche's start date)"
    )
    listed_until: dt.date | None = Field(
        default=None, description="first day no longer on the list (None: still listed)"
    )
    effect: ListEffect | None = Field(
        default=None,
        description="for a firm's own list: 'prohibited' or 'watch', as the firm decided",
    )


class Provenance(StrEnum):
    """Where a fact tying a security to an entry comes from; it orders the evidence: a
    person's curated link first, then what the list publishes, then what code derived."""

    CURATED = "curated"
    PUBLISHED = "published"
    DERIVED = "derived"

    @property
    def rank(self) -> int:
        return {Provenance.CURATED: 0, Provenance.PUBLISHED: 1, Provenance.DERIVED: 2}[self]


class CuratedSecurity(Frozen):
    """A listed line that a list entry's issuer has, curated with its source."""

    entry_id: str = Field(description="the list entry the security's issuer is")
    list_id: str
    security_name: str
    isin: str | None = None
    mic: str | None = Field(default=None, description="ISO 10383 MIC, e.g. XHKG, XSHG, XSHE")
    local_code: str | None = Field(default=None, description="exchange code, zero-padded")
    kind: str = Field(
        default="share",
        description="share | depositary receipt: a depositary receipt is covered as exposure to "
        "the underlying shares (OFAC FAQ 860)",
    )
    note: str = ""
    source: str
    # set by the loader from the folder a row comes from (curated/ or derived/), not written
    provenance: Provenance = Provenance.CURATED


class RelationKind(StrEnum):
    """How a related entity stands to a listed one (the subject is ... of the object)."""

    SUBSIDIARY_OF = "subsidiary-of"
    FINANCING_VEHICLE_OF = "financing-vehicle-of"
    GROUP_COMPANY_OF = "group-company-of"
    PARENT_OF = "parent-of"
    # an affiliate no single listed group controls (China Tower): screened on request only
    AFFILIATE_OF = "affiliate-of"


class Relation(Frozen):
    """A legal entity related to a list entry without being on the list itself, with its source.

    ``kind`` is one of ``RELATION_KINDS``: the ``subject`` (the related entity, known by its
    name and the identifiers of its listed securities) is a subsidiary / a financing vehicle /
    a group company of the list entry ``object_entry_id``. FAQ 857: such a relation never makes
    the subject's securities prohibited by itself; it makes them worth a person's look.
    """

    kind: RelationKind
    subject_name: str
    subject_aliases: tuple[str, ...] = ()
    subject_isins: tuple[str, ...] = ()
    subject_tickers: tuple[str, ...] = Field(default=(), description="'CODE MIC' each")
    subject_cusip6: tuple[str, ...] = Field(
        default=(),
        description="CUSIP issuer numbers (the first six characters of a CUSIP, and of a US or "
        "Canadian ISIN after the country code): every security of that issuer",
    )
    subject_short_names: tuple[str, ...] = Field(
        default=(), description="the exchange's short names of the subject's lines (HKEX, SSE)"
    )
    subject_names_zh: tuple[str, ...] = Field(default=(), description="Chinese full names")
    object_list_id: str
    object_entry_id: str
    ownership_pct: float | None = None
    valid_from: dt.date | None = Field(
        default=None, description="first day the relation held (None: as far back as known)"
    )
    valid_to: dt.date | None = Field(
        default=None, description="first day it no longer held (None: still holds)"
    )
    note: str = ""
    source: str


RELATION_KINDS = frozenset(RelationKind)


class CuratedName(Frozen):
    """A name (often Chinese) that a list entry's issuer is known by, curated with its source."""

    entry_id: str
    list_id: str
    name: str
    language: str
    note: str = ""
    source: str


# --------------------------------------------------------------------------------------------
# Holdings input
# --------------------------------------------------------------------------------------------


class RowClass(StrEnum):
    """What a non-position input row is."""

    TITLE = "title"
    HEADER = "header"
    TOTAL = "total"
    SUBTOTAL = "subtotal"
    CASH = "cash"
    FOOTER = "footer"
    NOTE = "note"
    NON_POSITION_SHEET = "non-position sheet"
    # a table of a positions sheet that holds no positions (trades, a ledger, accruals)
    NON_POSITION_TABLE = "non-position table"
    # restates or breaks down a position counted on another row (a custodian's detail and
    # available-balance lines around a security's sub-total line)
    POSITION_DETAIL = "position detail"
    # a physical row that completes the security of the row next to it (a SEDOL row, then
    # an ISIN row)
    CONTINUATION = "continuation"


class OtherRow(Frozen):
    file: str
    sheet: str
    row: int
    row_class: RowClass = Field(alias="class")
    text: str = ""
    why: str = Field(default="", description="the row rule that classed it, in words")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class InputIssue(Frozen):
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    problem: str
    value: str | None = None


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class Finding(Frozen):
    """Why a holding has its status: one list entry, how it matched, which rule, which dates."""

    list_id: str
    entry_id: str
    entry_name: str
    matched_on: str = Field(description="isin | ticker | curated-link | name | alias | ...")
    score: float
    status: Status
    rule: str
    listing_date: dt.date | None = None
    effective_date: dt.date | None = None
    divestment_date: dt.date | None = None
    explanation: str
    exposure: str | None = Field(
        default=None,
        description="how the holding is exposed when it is not the listed security itself: "
        "depositary receipt | derivative warrant | CBBC | option | fund",
    )
    path: tuple[str, ...] = Field(
        default=(), description="holding -> instrument or fund -> constituent -> listed entity"
    )
    weight: float | None = Field(
        default=None, description="look-through share of the holding's value (funds)"
    )


class Action(StrEnum):
    """The fixed answers for one side of a trade (others carry a date: "only to divest, until
    2022-12-10"). Code compares these, never the sentences built around them."""

    ALLOWED = "allowed"
    PROHIBITED = "prohibited"
    HOLD_UNTIL_REVIEWED = "hold until reviewed"


class Actions(Frozen):
    """What the investor may still do with the security on the as-of date."""

    buy: str
    sell: str

    @classmethod
    def hold_until_reviewed(cls) -> Actions:
        """Neither side until a person has decided (a candidate match, a fund, a relation)."""
        return cls(buy=Action.HOLD_UNTIL_REVIEWED, sell=Action.HOLD_UNTIL_REVIEWED)


class SecurityIdentity(Frozen):
    """What the checker worked out about one distinct security."""

    name: str | None = None
    isin: str | None = None
    cusip: str | None = None
    sedol: str | None = None
    ticker: str | None = Field(default=None, description="normalised 'CODE MIC', e.g. '0020 XHKG'")
    exchange: str | None = Field(default=None, description="MIC")
    local_code: str | None = None
    instrument: str | None = Field(
        default=None,
        description="what the security is when it is an instrument on another: 'call option', "
        "'future', 'derivative warrant', 'CBBC', 'fund'",
    )
    underlying: str | None = Field(
        default=None, description="the underlying as written (a ticker, a name or an index)"
    )
    unplaced_ticker: str | None = Field(
        default=None,
        description="a ticker as written that could not be tied to an exchange: still the "
        "holding's own identifier, so a look-alike name alone cannot settle it",
    )
    more_isins: tuple[str, ...] = Field(
        default=(), description="valid ISINs from the row's other identifier columns"
    )
    more_tickers: tuple[str, ...] = Field(
        default=(), description="exchange lines ('CODE MIC') from the row's other columns"
    )
    more_names: tuple[str, ...] = Field(
        default=(), description="the row's other names (an issuer name, a second description)"
    )
    unusable: tuple[str, ...] = Field(
        default=(),
        description="identifiers the row gives that cannot identify it: a SEDOL or CINS with no "
        "crosswalk, a bare code with no market, a failed check digit",
    )


class Verdict(Frozen):
    """The screening answer for one distinct security (joined back onto every holding of it)."""

    status: Status
    reason: str
    identity: SecurityIdentity
    issuer_id: str | None = None
    issuer_name: str | None = None
    findings: tuple[Finding, ...] = ()
    actions: Actions
