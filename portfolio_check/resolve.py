"""Security -> list entries, with the evidence for each step. Pure: the reference comes in loaded.

Identifiers decide first: an ISIN or an exchange line that the list publishes, or that a curated
row ties to an entry (the listed company's lines OFAC does not publish: SenseTime's 00020 and
80020, A-share lines, RMB counters). Only when no identifier settles it does the name decide,
through :class:`portfolio_check.match.NameIndex`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from stdnum import isin as _isin

from portfolio_check.identifiers import (
    HONG_KONG,
    Identifiers,
    ListedOption,
    Ticker,
    classify_identifier,
    make_ticker,
    normalize_cusip,
    normalize_isin,
    normalize_sedol,
    parse_listed_option,
    parse_ticker,
    ticker_in_name,
)
from portfolio_check.match import NameIndex, NameKind
from portfolio_check.model import Relation, SecurityIdentity
from portfolio_check.names import is_bond_description, normalize_name, parse_name
from portfolio_check.reference import HkexSecurity, Reference
from portfolio_check.relations import names_of_subject, validity
from portfolio_check.rules import NAME_ALONE_IS_CANDIDATE, MatchStrength


@dataclass(frozen=True)
class EntryMatch:
    """A security tied to one list entry: how, how strongly, and the words to show a person."""

    list_id: str
    entry_id: str
    matched_on: str
    score: float
    strength: str
    detail: str
    ownership_pct: float | None = None
    exposure: str | None = None
    path: tuple[str, ...] = ()
    # How many entries one exact name fits (0: not such a match): the name proves none of them
    # alone, but where all of them have the same status on the day, that status is certain.
    exact_among: int = 0
    # The curated relation a RELATED match comes from: it holds only on its dates.
    relation: Relation | None = None

    @property
    def by_name(self) -> bool:
        """Whether only a name ties the security to the entry (no identifier, no curated link)."""
        return self.matched_on in NAME_MATCH_KINDS or self.matched_on.startswith("fuzzy")


# matched_on values that say a name, not an identifier, made the match.
NAME_MATCH_KINDS = frozenset(
    {
        NameKind.PRIMARY,
        NameKind.STRONG_ALIAS,
        NameKind.ISSUER_NAME,
        NameKind.CURATED,
        NameKind.WEAK_ALIAS,
        NameKind.ABBREVIATION,
        "fuzzy name",
    }
)


@dataclass(frozen=True)
class Resolution:
    """What a distinct security is and which entries it is tied to.

    ``screened`` names what identified the security and was screened (an ISIN, an exchange line
    a master knows on the day, a name): a clearance is earned only on these. ``unusable`` names
    the identifiers that could not be used, with why.
    """

    identity: SecurityIdentity
    matches: tuple[EntryMatch, ...]
    checked: str = ""
    notes: tuple[str, ...] = ()
    review: str | None = None  # a reason for a person to look although no entry matched
    screened: tuple[str, ...] = ()
    unusable: tuple[str, ...] = ()

    @property
    def identified(self) -> bool:
        """Whether something that identifies the security was screened."""
        return bool(self.screened)


@dataclass
class _IdentifierHit:
    list_id: str
    entry_id: str
    how: str
    detail: str
    # A depositary receipt is its own line, covered as exposure to the underlying (FAQ 860).
    receipt: str | None = None


@dataclass
class SecurityIndex:
    """Identifier and name look-ups over a reference snapshot."""

    reference: Reference
    by_isin: dict[str, list[_IdentifierHit]] = field(default_factory=lambda: defaultdict(list))
    by_ticker: dict[Ticker, list[_IdentifierHit]] = field(default_factory=lambda: defaultdict(list))
    names: NameIndex = field(init=False)
    hkex_by_code: dict[str, HkexSecurity] = field(default_factory=dict)
    equity_by_short_name: dict[str, str] = field(default_factory=dict)
    lines_by_entry: dict[tuple[str, str], set[Ticker]] = field(
        default_factory=lambda: defaultdict(set)
    )
    hkex_by_isin: dict[str, list[HkexSecurity]] = field(default_factory=lambda: defaultdict(list))
    related_by_isin: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    related_by_ticker: dict[Ticker, list[Relation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    related_by_name: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    related_by_cusip6: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    # Every dated HKEX master's line for a code, oldest master first (see ``hkex_line``).
    hkex_lines: dict[str, list[HkexSecurity]] = field(default_factory=lambda: defaultdict(list))
    # An ISIN's national part (its nine characters after the country code) -> the ISINs the
    # reference knows with it: a CUSIP or CINS is the national part of its ISIN.
    isins_by_nsin: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Equity short names on each master date, for a row's name that names another line.
    equity_codes_by_short_name: dict[str, set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    _abbreviation_cache: dict[tuple[str, dt.date | None], list[HkexSecurity]] = field(
        default_factory=dict
    )
    # HKEX equity codes by the first letter of a short name they had: where a derivative's
    # underlying abbreviation is looked for.
    equity_codes_by_initial: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def hkex_line(self, code: str, as_of: dt.date | None) -> HkexSecurity | None:
        """What the HKEX masters say ``code`` is on ``as_of`` (None: the newest master).

        A derivative's code is recycled within months of its expiry: it is trusted only on a
        master that lists it with a life covering the day (from the master's date to the
        expiry). A share code is stable: the newest master on or before the day, else the
        oldest after it.
        """
        lines = self.hkex_lines.get(code)
        if not lines:
            return None
        if as_of is None:
            return lines[-1]
        day = as_of.isoformat()
        for line in reversed(lines):
            if line.category in HKEX_DERIVATIVES and line.master_date <= day <= line.expiry:
                return line
        others = [line for line in lines if line.category not in HKEX_DERIVATIVES]
        if not others:
            return None
        before = [line for line in others if line.master_date <= day]
        return before[-1] if before else others[0]

    def abbreviation_candidates(
        self, abbreviation: str, as_of: dt.date | None
    ) -> list[HkexSecurity]:
        """The HKEX equities (on the masters of the day) whose short name the abbreviation of
        a derivative's underlying may stand for."""
        key = (abbreviation, as_of)
        if key not in self._abbreviation_cache:
            found = []
            initial = next((c for c in abbreviation.upper() if c.isalnum()), "")
            for code in self.equity_codes_by_initial.get(initial, ()):
                line = self.hkex_line(code, as_of)
                if (
                    line is not None
                    and line.category == "Equity"
                    and _is_abbreviation_of(abbreviation, equity_short_name(line.name))
                ):
                    found.append(line)
            self._abbreviation_cache[key] = sorted(found, key=lambda line: line.code)
        return self._abbreviation_cache[key]

    def is_listed_or_related_line(self, code: str) -> bool:
        """Whether an HKEX code is a line of a list entry or of a related company."""
        line = Ticker(code, HONG_KONG)
        master = self.hkex_by_code.get(code)
        return bool(
            self.by_ticker.get(line)
            or self.related_by_ticker.get(line)
            or (master is not None and master.isin and self.by_isin.get(master.isin))
            or (master is not None and master.isin and self.related_by_isin.get(master.isin))
        )

    def __post_init__(self) -> None:
        known = []
        for ref_list, entry in self.reference.iter_entries():
            lid, eid = ref_list.list_id, entry.entry_id
            for isin in entry.isins:
                if (valid := normalize_isin(isin)) is not None:
                    self.by_isin[valid].append(
                        _IdentifierHit(lid, eid, "isin", f"ISIN {valid} is published in the entry")
                    )
            for raw in entry.tickers:
                if (ticker := parse_ticker(raw)) is not None:
                    self.by_ticker[ticker].append(
                        _IdentifierHit(
                            lid, eid, "ticker", f"ticker {raw!r} is published in the entry"
                        )
                    )
            entry_names = [NameIndex.known(lid, eid, NameKind.PRIMARY, entry.name)]
            entry_names += [
                NameIndex.known(lid, eid, NameKind.STRONG_ALIAS, a) for a in entry.strong_aliases
            ]
            entry_names += [
                NameIndex.known(lid, eid, NameKind.ISSUER_NAME, a) for a in entry.issuer_names
            ]
            if ref_list.regime in NAME_ALONE_IS_CANDIDATE:
                # On a list of thousands of entities with common names (SDN) only exact names
                # and strong aliases are screened: fuzzy words ("TESLA" ~ "TESA") and OFAC's
                # weak aliases ("PPL", "NEC"), which OFAC itself does not expect to be screened,
                # would bury the real hits. NS-CMIC's few names keep both.
                known += [replace(k, fuzzy=False) for k in entry_names]
                continue
            known += entry_names
            known += [NameIndex.known(lid, eid, NameKind.WEAK_ALIAS, a) for a in entry.weak_aliases]
        for row in self.reference.curated_securities:
            line = f"{row.security_name} ({row.local_code or ''} {row.mic or ''})".replace(
                " )", ")"
            )
            # Rows derived by code from the exchanges' masters say so; hand-curated links too.
            how = "derived" if row.note.startswith("derived") else "curated"
            detail = f"{how} link: {line} belongs to entry {row.entry_id} (source: {row.source})"
            receipt = line if row.kind == "depositary receipt" else None
            if row.isin and (valid := normalize_isin(row.isin)) is not None:
                self.by_isin[valid].append(
                    _IdentifierHit(row.list_id, row.entry_id, f"{how} isin", detail, receipt)
                )
            if row.local_code and row.mic:
                ticker = make_ticker(row.local_code, row.mic)
                if ticker is not None:
                    self.by_ticker[ticker].append(
                        _IdentifierHit(row.list_id, row.entry_id, f"{how} ticker", detail, receipt)
                    )
        for ticker_key, ticker_hits in self.by_ticker.items():
            for hit in ticker_hits:
                self.lines_by_entry[(hit.list_id, hit.entry_id)].add(ticker_key)
        masters = sorted(self.reference.hkex, key=lambda line: line.master_date)
        for master_line in masters:
            self.hkex_lines[master_line.code].append(master_line)
        # the newest master's line of each code, and its equities' short names first
        newest_first = sorted(masters, key=lambda line: (line.master_date, -line.source_row))
        for master_line in reversed(newest_first):
            self.hkex_by_code.setdefault(master_line.code, master_line)
            if master_line.category == "Equity":
                short = equity_short_name(master_line.name)
                self.equity_by_short_name.setdefault(short, master_line.code)
                self.equity_codes_by_short_name[short].add(master_line.code)
                initial = next((c for c in short if c.isalnum()), "")
                self.equity_codes_by_initial[initial].add(master_line.code)
            if master_line.isin and master_line.code not in {
                line.code for line in self.hkex_by_isin.get(master_line.isin, [])
            }:
                self.hkex_by_isin[master_line.isin].append(master_line)
        for known_isin in [*self.by_isin, *self.hkex_by_isin]:
            self.isins_by_nsin[known_isin[2:11]].add(known_isin)
        relation_names = []
        for relation in self.reference.relations:
            for isin in relation.subject_isins:
                if (valid := normalize_isin(isin)) is not None:
                    self.related_by_isin[valid].append(relation)
            for issuer_number in relation.subject_cusip6:
                self.related_by_cusip6[issuer_number.upper()].append(relation)
            for raw in relation.subject_tickers:
                if (ticker := parse_ticker(raw)) is not None:
                    self.related_by_ticker[ticker].append(relation)
                    master = (
                        self.hkex_by_code.get(ticker.code) if ticker.market == HONG_KONG else None
                    )
                    if master is not None and master.isin:
                        self.related_by_isin[master.isin].append(relation)
            for text in names_of_subject(relation):
                if key := normalize_name(text):
                    relation_names.append((key, relation))
        for key, relation in relation_names:
            self.related_by_name[key].append(relation)
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.CURATED, row.name)
            for row in self.reference.curated_names
        ]
        # The HKEX short names of the entries' equity lines, on every shipped master: exact
        # only (a short name is an abbreviation; a similar one is another company's).
        for (lid, eid), entry_lines in self.lines_by_entry.items():
            for entry_line in entry_lines:
                if entry_line.market != HONG_KONG:
                    continue
                for master_line in self.hkex_lines.get(entry_line.code, []):
                    if master_line.category == "Equity":
                        known.append(
                            replace(
                                NameIndex.known(lid, eid, NameKind.SHORT_NAME, master_line.name),
                                fuzzy=False,
                            )
                        )
        # Curated abbreviations (exchange short names): like OFAC's weak aliases, at most REVIEW.
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.ABBREVIATION, row.abbreviation)
            for row in self.reference.abbreviations
            if self.reference.has_entry(row.list_id, row.entry_id)
        ]
        self.names = NameIndex(known)


# Separators of the reader's ``more_names`` / ``more_codes`` cells: items, and an item's code
# from the exchange of its own column.
ITEM_SEPARATOR = "\x1f"
EXCHANGE_SEPARATOR = "\x1e"


def _items(text: str | None) -> list[str]:
    if not text:
        return []
    return [item.strip() for item in text.split(ITEM_SEPARATOR) if item.strip()]


def identify(
    *,
    name: str | None = None,
    isin: str | None = None,
    cusip: str | None = None,
    sedol: str | None = None,
    ticker: str | None = None,
    identifier: str | None = None,
    exchange: str | None = None,
    more_names: str | None = None,
    more_codes: str | None = None,
) -> tuple[SecurityIdentity, tuple[str, ...]]:
    """Parse the raw cells of one security into a validated identity, with notes on flaws.

    Every identifier the row gives is kept: the first of each kind fills the identity's field,
    the others go to ``more_isins`` / ``more_tickers``; identifiers that cannot identify the
    security (a failed check digit, a bare code with no market) go to ``unusable``, so that a
    clearance is never earned on them.
    """
    notes: list[str] = []
    unusable: list[str] = []
    valid_isin = normalize_isin(isin)
    if isin and not valid_isin:
        notes.append(f"ISIN {isin!r} is not a valid ISIN (check digit or shape)")
        unusable.append(f"ISIN {isin.strip()!r} (check digit or shape fails)")
    valid_cusip = normalize_cusip(cusip)
    if cusip and not valid_cusip:
        notes.append(f"CUSIP {cusip!r} is not valid")
        unusable.append(f"CUSIP {cusip.strip()!r} (check digit or shape fails)")
    valid_sedol = normalize_sedol(sedol)
    if sedol and not valid_sedol:
        notes.append(f"SEDOL {sedol!r} is not valid")
        unusable.append(f"SEDOL {sedol.strip()!r} (check digit or shape fails)")
    parsed_ticker = parse_ticker(ticker, exchange) if ticker else None
    mixed = classify_identifier(identifier, exchange) if identifier else Identifiers()
    if mixed.invalid:
        notes.append(f"identifier {mixed.invalid[0]!r} looks like an ISIN but is not valid")
        unusable.append(f"identifier {mixed.invalid[0]!r} (an ISIN whose check digit fails)")
    elif identifier and identifier.strip() and mixed == Identifiers():
        unusable.append(f"identifier {identifier.strip()!r} (no known kind, or no market given)")
    more_isins: list[str] = []
    more_tickers: list[Ticker] = []
    for item in _items(more_codes):
        code, _, own_exchange = item.partition(EXCHANGE_SEPARATOR)
        found = classify_identifier(code, own_exchange.strip() or exchange)
        if found.invalid:
            notes.append(f"identifier {code!r} looks like an ISIN but is not valid")
            unusable.append(f"identifier {code!r} (an ISIN whose check digit fails)")
        elif found.isin:
            more_isins.append(found.isin)
        elif found.ticker:
            more_tickers.append(found.ticker)
        elif found.cusip and not valid_cusip and not mixed.cusip:
            valid_cusip = found.cusip
        elif found.sedol and not valid_sedol and not mixed.sedol:
            valid_sedol = found.sedol
        elif not (found.cusip or found.sedol):
            unusable.append(f"identifier {code!r} (no known kind, or no market given)")
    if name and not (valid_isin or mixed.isin):
        # a name cell that holds an ISIN (a Description column of codes)
        written = classify_identifier(name.strip()) if " " not in name.strip() else Identifiers()
        if written.isin:
            more_isins.append(written.isin)
    hidden = (
        (ticker_in_name(name) or _name_is_ticker(name) or _trailing_ticker(name)) if name else None
    )
    final_ticker = parsed_ticker or mixed.ticker or hidden
    # an identifier cell that is no code may describe an option ("CHINA MOBILE 10/23/26 P60")
    identifier_option = (
        parse_listed_option(identifier) or option_in_words(identifier)
        if identifier and mixed == Identifiers()
        else None
    )
    option = (
        parse_listed_option(ticker)
        or parse_listed_option(name)
        or option_in_words(name)
        or identifier_option
        if final_ticker is None
        else None
    )
    if option is not None and identifier_option is not None and identifier:
        unusable = [u for u in unusable if not u.startswith(f"identifier {identifier.strip()!r}")]
    # A ticker cell that is neither a line on a known exchange nor an option description.
    unplaced = ticker.strip() if ticker and parsed_ticker is None and option is None else None
    if unplaced:
        notes.append(
            f"ticker {unplaced!r} could not be tied to an exchange"
            + (f" (exchange {exchange!r})" if exchange else " (no exchange given)")
        )
        unusable.append(
            f"ticker {unplaced!r} ("
            + (f"exchange {exchange!r} not known" if exchange else "no exchange given")
            + ")"
        )
    first_isin = valid_isin or mixed.isin
    if first_isin is None and more_isins:
        first_isin = more_isins.pop(0)
    if final_ticker is None and more_tickers:
        final_ticker = more_tickers.pop(0)
    names = [n for n in _items(more_names) if n != (name or "").strip()]
    primary_name = name.strip() if name and name.strip() else None
    if primary_name is None and names:
        primary_name = names.pop(0)
    identity = SecurityIdentity(
        name=primary_name,
        isin=first_isin,
        cusip=valid_cusip or mixed.cusip,
        sedol=valid_sedol or mixed.sedol,
        ticker=str(final_ticker) if final_ticker else None,
        exchange=final_ticker.market if final_ticker else None,
        local_code=final_ticker.code if final_ticker else None,
        instrument=f"{option.kind} option"
        if option and option.kind != "future"
        else ("future" if option else None),
        underlying=option.underlying if option else None,
        unplaced_ticker=unplaced,
        more_isins=tuple(dict.fromkeys(i for i in more_isins if i != first_isin)),
        more_tickers=tuple(dict.fromkeys(str(t) for t in more_tickers if t != final_ticker)),
        more_names=tuple(dict.fromkeys(names)),
        unusable=tuple(dict.fromkeys(unusable)),
    )
    return identity, tuple(notes)


def _trailing_ticker(name: str) -> Ticker | None:
    """An exchange line written after a name: ``CHINA MOBILE LTD 0941.HK`` (a known market
    only; Bloomberg's bare two-letter codes are not trusted at the end of a name)."""
    words = name.split()
    # a line's last word has a digit and its market after a separator ("0941.HK", "XHKG:941")
    if len(words) < 2 or not any(c.isdigit() for c in words[-1]) or words[-1].isdigit():
        return None
    found = parse_ticker(words[-1])
    if found is None or found.market.startswith("BBG:") or not any(c.isdigit() for c in found.code):
        return None
    return found


def _name_is_ticker(name: str) -> Ticker | None:
    """A name cell that holds an exchange line (``601989 CH Equity``, ``XCI DE``), not a name.

    Not when the last word is a legal form (``ABC AG`` is a company, not ABC on Bloomberg's AG).
    """
    if len(name.split()) > 3:  # a line is written in at most three words ("941 HK Equity")
        return None
    found = parse_ticker(name)
    if found is None or parse_name(name).legal_forms:
        return None
    # A name of letters with an unknown two-letter suffix ("SENSETIME-WR") is a share-line
    # name; a code with digits, a known market or Bloomberg's yellow key is a line.
    if found.market.startswith("BBG:") and not (
        any(c.isdigit() for c in found.code) or name.strip().upper().endswith(" EQUITY")
    ):
        return None
    return found


_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
# Options in words, as custodians and brokers write them: "HKEX STOCK OPTION 981 MAR 2022 60 C",
# "CHINA TELECOM FEB23 80 CALL", "CNOOC MAY24 20 PUT".
_HKEX_OPTION_WORDS_RE = re.compile(
    rf"^(?:HKEX\s+|HKFE\s+)?STOCK\s+OPTIONS?\s+(?P<code>\d{{1,5}})\s+(?P<exp>(?:{_MONTHS})\s*\d{{2,4}})"
    r"\s+(?P<strike>\d+(?:\.\d+)?)\s*(?P<cp>CALL|PUT|C|P)$"
)
_OPTION_WORDS_RE = re.compile(
    rf"^(?P<und>.+?)\s+(?P<exp>(?:{_MONTHS})\s?\d{{2,4}})\s+(?P<strike>\d+(?:\.\d+)?)\s*"
    r"(?P<cp>CALL|PUT|C|P)(?:\s+OPTIONS?)?$"
)


def option_in_words(text: str | None) -> ListedOption | None:
    """A single-name option written in words, with its underlying as written (or as a line)."""
    if not text:
        return None
    value = " ".join(str(text).upper().split())
    if match := _HKEX_OPTION_WORDS_RE.match(value):
        kind = "call" if match["cp"].startswith("C") else "put"
        return ListedOption(f"{match['code']} HK", match["exp"], kind, match["strike"])
    if match := _OPTION_WORDS_RE.match(value):
        kind = "call" if match["cp"].startswith("C") else "put"
        return ListedOption(match["und"], match["exp"], kind, match["strike"])
    return None


def equity_short_name(name: str) -> str:
    """An HKEX equity short name without its share-line suffix (``SENSETIME-W`` -> ``SENSETIME``)."""
    short = name.upper().strip()
    for suffix in ("-SWR", "-WR", "-SW", "-W", "-S", "-R", "-B"):
        short = short.removesuffix(suffix)
    return short


def _ticker_of(identity: SecurityIdentity) -> Ticker | None:
    if identity.local_code and identity.exchange:
        return Ticker(identity.local_code, identity.exchange)
    return None


def _tickers_of(identity: SecurityIdentity) -> list[Ticker]:
    """The identity's own exchange lines: its ticker, then those of its other columns."""
    found = [t] if (t := _ticker_of(identity)) is not None else []
    for text in identity.more_tickers:
        code, _, market = text.rpartition(" ")
        if code and (line := Ticker(code, market)) not in found:
            found.append(line)
    return found


def _master_note(
    index: SecurityIndex, isins: list[str], tickers: list[Ticker], day: dt.date | None
) -> str | None:
    """What the HKEX master says the security is, for the evidence of a clearance."""
    lines = [line for isin in isins for line in index.hkex_by_isin.get(isin, [])]
    lines += [
        line
        for t in tickers
        if t.market == HONG_KONG and (line := index.hkex_line(t.code, day)) is not None
    ]
    if not lines:
        return None
    line = lines[0]
    return (
        f"HKEX List of Securities of {line.master_date or '?'}: {line.code} {line.name} "
        f"({line.category}, ISIN {line.isin or 'none'})"
    )


def _cusip6(identity: SecurityIdentity) -> str | None:
    """The CUSIP issuer number of a security: from its CUSIP, or its US/Canadian ISIN."""
    if identity.cusip:
        return identity.cusip[:6]
    if identity.isin and identity.isin[:2] in ("US", "CA"):
        return identity.isin[2:8]
    return None


def _relation_matches(
    index: SecurityIndex, identity: SecurityIdentity, tickers: list[Ticker], isins: list[str]
) -> list[EntryMatch]:
    """Related-entity matches: a subsidiary or financing vehicle of a list entry (FAQ 857)."""
    found: list[tuple[Relation, str]] = []
    for isin in isins:
        found += [(r, f"ISIN {isin}") for r in index.related_by_isin.get(isin, [])]
    for ticker in tickers:
        found += [(r, f"ticker {ticker}") for r in index.related_by_ticker.get(ticker, [])]
    issuer_number = _cusip6(identity)
    if issuer_number:
        found += [
            (r, f"CUSIP issuer number {issuer_number} (of {identity.isin or identity.cusip})")
            for r in index.related_by_cusip6.get(issuer_number, [])
        ]
    for text in (identity.name, *identity.more_names) if not found else ():
        if text:
            key = normalize_name(text)
            found += [(r, f"name {text!r}") for r in index.related_by_name.get(key, [])]
    matches: dict[tuple[str, str, str], EntryMatch] = {}
    for relation, on in found:
        entry_key = (relation.object_list_id, relation.object_entry_id)
        # one match per relation: two relations to one entry may hold on different dates
        if (*entry_key, relation.subject_name) in matches:
            continue
        entry = index.reference.entry(*entry_key)
        share = f", {relation.ownership_pct:g}% owned" if relation.ownership_pct else ""
        matches[(*entry_key, relation.subject_name)] = EntryMatch(
            relation.object_list_id,
            relation.object_entry_id,
            f"relation: {relation.kind}",
            1.0,
            MatchStrength.RELATED,
            f"{on} belongs to {relation.subject_name}, {relation.kind.replace('-', ' ')} "
            f"{entry.name}{share}, {validity(relation)} ({relation.note}; source: "
            f"{relation.source})",
            relation.ownership_pct,
            relation=relation,
        )
    return list(matches.values())


@dataclass
class _Screened:
    """What a security's identifiers come to before any entry is looked at."""

    isins: list[str]
    tickers: list[Ticker]
    screened: list[str]
    unusable: list[str]
    notes: list[str]


def _isins_of_code(index: SecurityIndex, code: str, kind: str) -> tuple[list[str], str | None]:
    """The ISINs a CUSIP or CINS stands for, and why when it cannot be used.

    A CUSIP or CINS is the national part of its ISIN: an ISIN the reference knows with that
    part is the security. Otherwise a CUSIP (a digit first: a US or Canadian issuer) is screened
    as its US ISIN; a CINS (a letter first: the issuer's country is not in the code) cannot be.
    """
    known = sorted(index.isins_by_nsin.get(code, ()))
    if known:
        return known, None
    if code[0].isdigit():
        return [isin_from_cusip(code)], None
    return [], f"{kind} {code} (a CINS: no crosswalk to an ISIN in the reference)"


def _screenable(index: SecurityIndex, identity: SecurityIdentity, day: dt.date | None) -> _Screened:
    """The identifiers that can be screened, and those that cannot with the reason."""
    isins = [i for i in (identity.isin, *identity.more_isins) if i]
    screened = [f"ISIN {i}" for i in isins]
    unusable = list(identity.unusable)
    notes: list[str] = []
    if identity.cusip:
        from_cusip, why = _isins_of_code(index, identity.cusip, "CUSIP")
        if why:
            unusable.append(why)
        for isin in from_cusip:
            if isin not in isins:
                isins.append(isin)
                screened.append(f"ISIN {isin} (from CUSIP {identity.cusip})")
                notes.append(f"CUSIP {identity.cusip} is the national part of ISIN {isin}")
    if identity.sedol and not isins and not identity.ticker:
        # no SEDOL crosswalk is shipped; the run's own rows may tie one (check.learn_sedols)
        unusable.append(f"SEDOL {identity.sedol} (no crosswalk to an ISIN or a line)")
    tickers: list[Ticker] = []
    own_lines = _tickers_of(identity)
    if not own_lines:
        # A name cell that is exactly a line an entry publishes ("CHL AR"): that line.
        for text in (identity.name, *identity.more_names):
            written = parse_ticker(text) if text else None
            if written is not None and written in index.by_ticker:
                own_lines.append(written)
                notes.append(f"the name cell {text!r} is the ticker {written}")
    for ticker in own_lines:
        known_line = index.by_ticker.get(ticker)
        if (
            ticker.market == HONG_KONG
            and not known_line
            and index.hkex_line(ticker.code, day) is None
        ):
            dated = f" on {day.isoformat()}" if day else ""
            unusable.append(
                f"HKEX code {ticker.code} (no HKEX List of Securities in the reference lists it"
                f"{dated}: a derivative's code is trusted only within its life)"
            )
            continue
        tickers.append(ticker)
        screened.append(f"ticker {ticker}")
    # The HKEX master ties an ISIN to its exchange lines, which may be listed by code.
    for isin in isins:
        for line in index.hkex_by_isin.get(isin, []):
            if (hk := Ticker(line.code, HONG_KONG)) not in tickers:
                tickers.append(hk)
    return _Screened(isins, tickers, screened, unusable, notes)


def _entries_of_isin(index: SecurityIndex, isin: str) -> set[tuple[str, str]]:
    found = {(h.list_id, h.entry_id) for h in index.by_isin.get(isin, [])}
    for line in index.hkex_by_isin.get(isin, []):
        found |= {
            (h.list_id, h.entry_id) for h in index.by_ticker.get(Ticker(line.code, HONG_KONG), [])
        }
    return found


def _entries_of_ticker(index: SecurityIndex, ticker: Ticker) -> set[tuple[str, str]]:
    return {(h.list_id, h.entry_id) for h in index.by_ticker.get(ticker, [])}


def _disagreements(
    index: SecurityIndex, identity: SecurityIdentity, day: dt.date | None
) -> list[str]:
    """Identifiers of one row that name different securities of different issuers.

    Known securities are compared: an ISIN with the ISIN the HKEX master gives the row's HKEX
    code, two ISINs, and the row's name when it is another HKEX line's exact short name. Two
    lines of one list entry (an ADR's ISIN and the HKEX code of its shares) agree.
    """
    found: list[str] = []
    own = [t for t in _tickers_of(identity) if t.market == HONG_KONG]
    given = list(dict.fromkeys(i for i in (identity.isin, *identity.more_isins) if i))
    for ticker in own:
        line = index.hkex_line(ticker.code, day)
        # A master published after the day says what the code's ISIN is now, not then: an
        # issuer's ISIN changes (a re-domiciliation, a new share structure) while its code stays.
        if line is None or not line.isin or (day and line.master_date > day.isoformat()):
            continue
        isins_of_code = {other.isin for other in index.hkex_lines.get(ticker.code, [])}
        for isin in given:
            if isin in isins_of_code:
                continue
            same = _entries_of_isin(index, isin) & _entries_of_ticker(index, ticker)
            if not same:
                found.append(
                    f"ISIN {isin} and HKEX code {ticker.code} name different securities: the "
                    f"HKEX List of Securities of {line.master_date} gives {line.code} "
                    f"{line.name} the ISIN {line.isin}"
                )
    for first_at, first in enumerate(given):
        for other in given[first_at + 1 :]:
            lines_first = {line.code for line in index.hkex_by_isin.get(first, [])}
            lines_other = {line.code for line in index.hkex_by_isin.get(other, [])}
            same = _entries_of_isin(index, first) & _entries_of_isin(index, other)
            if not same and not (lines_first & lines_other):
                found.append(f"the row gives two ISINs, {first} and {other}: two securities")
    for name in (identity.name, *identity.more_names):
        if not name:
            continue
        short = equity_short_name(name)
        codes = index.equity_codes_by_short_name.get(short)
        if not codes:
            continue
        for ticker in own:
            line = index.hkex_line(ticker.code, day)
            if ticker.code in codes or line is None or line.category in HKEX_DERIVATIVES:
                continue
            if equity_short_name(line.name) != short:
                found.append(
                    f"the row's name {name!r} is the HKEX short name of "
                    f"{', '.join(sorted(codes))}, but its code {ticker.code} is {line.name} "
                    f"(HKEX List of Securities of {line.master_date})"
                )
    return list(dict.fromkeys(found))


def isin_from_cusip(cusip: str) -> str:
    """The US ISIN of a CUSIP: ``US`` + the CUSIP + the ISIN check digit (python-stdnum)."""
    return _isin.from_natid("US", cusip)


def resolve(
    index: SecurityIndex,
    identity: SecurityIdentity,
    notes: tuple[str, ...] = (),
    *,
    as_of: dt.date | None = None,
) -> Resolution:
    """Tie one security to list entries: identifiers first, then names, then relations.

    ``as_of`` picks the HKEX master in force for the row's codes (None: the newest).
    """
    day = as_of
    scr = _screenable(index, identity, day)
    disagree = _disagreements(index, identity, day)
    hits: list[_IdentifierHit] = []
    checked = list(scr.screened)
    own_count = 0
    for position, isin in enumerate(scr.isins):
        hits += index.by_isin.get(isin, [])
        if position == 0:
            own_count = len(hits)
    own_tickers = set(_tickers_of(identity))
    ordered_tickers = sorted(scr.tickers, key=lambda t: t not in own_tickers)
    for ticker in ordered_tickers:
        if ticker in own_tickers:
            own_count += len(index.by_ticker.get(ticker, []))
        hits += index.by_ticker.get(ticker, [])
    master = _master_note(index, scr.isins, scr.tickers, day)
    if master:
        checked.append(master)
    base_notes = (*notes, *scr.notes)

    def finish(
        matches: tuple[EntryMatch, ...], more_checked: list[str], review: str | None = None
    ) -> Resolution:
        names_screened = [f"name {n!r}" for n in (identity.name, *identity.more_names) if n]
        return Resolution(
            identity,
            matches,
            "; ".join(dict.fromkeys([*checked, *more_checked])),
            base_notes,
            review,
            screened=tuple(dict.fromkeys([*scr.screened, *names_screened])),
            unusable=tuple(scr.unusable),
        )

    if hits:
        matches = _identifier_matches(index, identity, hits, own_count)
        if scr.notes:
            matches = tuple(
                replace(m, detail=f"{m.detail} ({'; '.join(scr.notes)})") for m in matches
            )
        matches = tuple(_disagreeing(matches, disagree))
        return finish(matches, [])
    derived = _derivative_matches(index, identity, scr.tickers, day)
    if derived is not None:
        matches_found, described, review = derived
        return finish(matches_found, [described], review)
    name_matches: list[EntryMatch] = []
    name_checked: list[str] = []
    for text in (identity.name, *identity.more_names):
        if text:
            name_checked.append(f"name {text!r}")
            name_matches = _merge_matches(name_matches, _name_matches(index, text))
            for variant, why in _name_variants(text):
                found = _name_matches(index, variant)
                if why:
                    found = [_demoted(m, why) for m in found]
                name_matches = _merge_matches(name_matches, found)
    name_matches, defeated = _weigh_own_identifiers(index, identity, scr, name_matches, day)
    name_matches, named_other = _weigh_short_names(index, identity, name_matches, day)
    base_notes = (*base_notes, *defeated, *named_other)
    name_matches = _disagreeing(name_matches, disagree)
    if any(m.strength == MatchStrength.DEFINITE for m in name_matches):
        return finish(tuple(name_matches), name_checked)
    related = _relation_matches(index, identity, scr.tickers, scr.isins)
    review = None
    if disagree and not (related or name_matches):
        review = "the row's identifiers disagree: " + "; ".join(disagree)
    return finish(tuple(related or name_matches), name_checked, review)


_HAN_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff（）()·]+")
# Words that make a name the description of an instrument on the named company's securities
# (a swap, a CFD, a note, a receivable), and coupons and dates: stripped, the rest is looked
# up, and what it finds is at most REVIEW (derivatives are covered, FAQ 860; the issuer of a
# bond may be a financing subsidiary).
_INSTRUMENT_PHRASE_RE = re.compile(
    r"\b(?:TOTAL\s+RETURN\s+SWAPS?|EQUITY\s+SWAPS?|PORTFOLIO\s+SWAPS?|CASH[\s-]+SETTLED|SWAPS?|"
    r"TRS|CFDS?|CONTRACTS?\s+FOR\s+DIFFERENCES?|P[\s-]?NOTES?|PARTICIPATORY\s+NOTES?|"
    r"PARTICIPATION\s+NOTES?|(?:CASH\s+)?DIVIDENDS?\s+RECEIVABLES?|RECEIVABLES?|"
    r"ACCRUED\s+DIVIDENDS?|DIVIDENDS?|RIGHTS?\s+ISSUES?|RIGHTS|CONVERTIBLE|BONDS?|NOTES|"
    r"SENIOR|UNSECURED|PERP(?:ETUAL)?|FRN|ON|OVER|ONTO|CALLS?|PUTS?|OPTIONS?|FUTURES?|"
    r"PRE[\s-]?IPO|SERIES|TRANCHE|LOCKED[\s-]?UP|UNLISTED)\b"
)
# In an instrument's description, what is left after the company's name: strikes, currencies,
# option letters, compact dates (220330), ISO dates.
_INSTRUMENT_RESIDUE_RE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d+(?:\.\d+)?\b|\b(?:HKD|USD|CNY|RMB|CNH|EUR)\b|\b[CP]\b|"
    r"\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\d{0,4}\b"
)
_COUPON_OR_DATE_RE = re.compile(
    r"\d+(?:\.\d+)?\s?%|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:19|20)\d{2}\b|\b\d+\s?[⅛¼⅜½⅝¾⅞]"
)


_LINK_WORDS = frozenset({"ON", "OVER", "ONTO"})


def _name_variants(text: str) -> list[tuple[str, str | None]]:
    """Other ways to read one name cell: its Latin and Chinese halves when it has both
    (``CNOOC LIMITED 中国海洋石油有限公司``); and the company named in an instrument's
    description (``Total Return Swap on CNOOC Ltd``, ``China Mobile Ltd 3.5% 2025``), whose
    matches are candidates only (the second element says why)."""
    found: list[tuple[str, str | None]] = []
    han = "".join(_HAN_RUN_RE.findall(text)).strip()
    latin = _HAN_RUN_RE.sub(" ", text).strip(" -–/|")
    if han and any(c.isascii() and c.isalpha() for c in latin):
        found += [(han, None), (latin, None)]
    upper = " ".join(text.upper().split())
    trigger = [m.group(0) for m in _INSTRUMENT_PHRASE_RE.finditer(upper)]
    # "ON", "OVER" only join an instrument to its company ("swap on"); alone they are words of
    # a name (ON SEMICONDUCTOR)
    if any(t not in _LINK_WORDS for t in trigger) or _COUPON_OR_DATE_RE.search(upper):
        rest = _COUPON_OR_DATE_RE.sub(" ", _INSTRUMENT_PHRASE_RE.sub(" ", upper))
        rest = _INSTRUMENT_RESIDUE_RE.sub(" ", rest)
        rest = " ".join(rest.replace(" - ", " ").split()).strip(" -–,")
        if rest and rest != upper:
            found.append(
                (
                    rest,
                    f"; but the holding is an instrument described in words ({text!r}) on "
                    "the named company's securities: covered if it is one of them or derives "
                    "from them (FAQ 860), a person confirms the issuer",
                )
            )
    return found


def _disagreeing(matches: Sequence[EntryMatch], disagree: Sequence[str]) -> list[EntryMatch]:
    """Matches of a row whose identifiers name different securities: candidates, saying so."""
    why = "; but the row's identifiers disagree: " + "; ".join(disagree)
    return [_demoted(m, why) for m in matches] if disagree else list(matches)


def _merge_matches(first: list[EntryMatch], more: list[EntryMatch]) -> list[EntryMatch]:
    """Name matches of several name cells: per entry the strongest, then the best score."""
    rank = {MatchStrength.DEFINITE: 0, MatchStrength.CANDIDATE: 1, MatchStrength.RELATED: 2}
    by_entry: dict[tuple[str, str], EntryMatch] = {}
    for match in [*first, *more]:
        key = (match.list_id, match.entry_id)
        held = by_entry.get(key)
        if held is None or (rank[match.strength], -match.score) < (
            rank[held.strength],
            -held.score,
        ):
            by_entry[key] = match
    return list(by_entry.values())


def _identifier_matches(
    index: SecurityIndex, identity: SecurityIdentity, hits: list[_IdentifierHit], own_count: int
) -> tuple[EntryMatch, ...]:
    matches: dict[tuple[str, str], EntryMatch] = {}
    # The most telling evidence first: a depositary receipt says what the holding is, a
    # hand-curated link beats OFAC's own example identifiers, which beat derived lines.
    # Hits on the holding's own ISIN or ticker come before lines the HKEX master adds.
    hits = [
        hit
        for _, hit in sorted(
            enumerate(hits),
            key=lambda item: (
                item[1].receipt is None,
                item[0] >= own_count,
                _HOW_RANK.get(item[1].how.split()[0], 1),
            ),
        )
    ]
    for hit in hits:
        key = (hit.list_id, hit.entry_id)
        if key in matches:
            continue
        entry = index.reference.entry(*key)
        path: tuple[str, ...] = ()
        if hit.receipt is not None:
            path = (
                _holding_label(identity),
                f"depositary receipt {hit.receipt}",
                _entry_label(key, entry.name),
            )
        matches[key] = EntryMatch(
            hit.list_id,
            hit.entry_id,
            "depositary receipt" if hit.receipt else hit.how,
            1.0,
            MatchStrength.DEFINITE,
            hit.detail
            + (
                "; a depositary receipt is covered as exposure to the underlying "
                "shares (OFAC FAQ 860)"
                if hit.receipt
                else ""
            ),
            exposure="depositary receipt" if hit.receipt else None,
            path=path,
        )
    return tuple(matches.values())


_HOW_RANK = {"curated": 0, "isin": 1, "ticker": 1, "derived": 2}


def _weigh_own_identifiers(
    index: SecurityIndex,
    identity: SecurityIdentity,
    scr: _Screened,
    name_matches: list[EntryMatch],
    day: dt.date | None,
) -> tuple[list[EntryMatch], list[str]]:
    """Name matches of a holding that carries its own identifier, which no entry line matched.

    * A line on a market where the entry has none of its known lines conflicts with the name:
      COSTAR GROUP INC (CSGP, NASDAQ) is not the listed COSTAR GROUP CO., LTD. (002189, SZSE).
      The match is defeated and said so in the reason.
    * An identifier known to belong to another issuer (an HKEX equity line or ISIN of another
      company, per the HKEX master) disagrees with the name: a person decides (REVIEW), both
      sides named.
    * Any other identifier is one the reference does not know: the ban is entity-based and
      covers an entity's new lines and issues, so the name's match stands, saying so.
    """
    tickers = scr.tickers
    own_ids = [str(t) for t in tickers] + [i for i in scr.isins if i]
    own_ids += [i for i in (identity.cusip, identity.sedol, identity.unplaced_ticker) if i]
    if not own_ids or not name_matches:
        return name_matches, []
    kept: list[EntryMatch] = []
    defeated: list[str] = []
    markets = {t.market for t in tickers}
    # HKEX lines the holding is, per the master of the day: each belongs to one issuer.
    hk_lines = [
        line
        for t in tickers
        if t.market == HONG_KONG
        and (line := index.hkex_line(t.code, day)) is not None
        and line.category not in HKEX_DERIVATIVES
    ]
    hk_lines += [
        line
        for isin in scr.isins
        for line in index.hkex_by_isin.get(isin, [])
        if line.category not in HKEX_DERIVATIVES
    ]
    # Identifiers of a related company (a subsidiary's bond, by its ISIN or CUSIP issuer
    # number): another issuer than the entry the name names.
    related = _relation_matches(
        index, identity.model_copy(update={"name": None}), tickers, scr.isins
    )
    for match in name_matches:
        entry = index.reference.entry(match.list_id, match.entry_id)
        entry_lines = index.lines_by_entry.get((match.list_id, match.entry_id), set())
        entry_markets = {line.market for line in entry_lines}
        if related and match.strength == MatchStrength.DEFINITE:
            kept.append(
                _demoted(
                    match,
                    f"; but the holding's identifier belongs to a related company ({related[0].detail}):"
                    " the name and the identifier disagree",
                )
            )
            continue
        other_hk = [line for line in hk_lines if Ticker(line.code, HONG_KONG) not in entry_lines]
        if other_hk and match.strength != MatchStrength.DEFINITE:
            line = other_hk[0]
            defeated.append(
                f"the name resembles {entry.name} ({match.list_id} entry {match.entry_id}), but "
                f"the holding is HKEX line {line.code} {line.name} (HKEX List of Securities of "
                f"{line.master_date}), not one of the entry's lines: a different issuer"
            )
            continue
        if other_hk:
            line = other_hk[0]
            kept.append(
                _demoted(
                    match,
                    f"; but the holding is HKEX line {line.code} {line.name} (ISIN "
                    f"{line.isin or 'none'}, HKEX List of Securities of {line.master_date}), "
                    f"not a known line of {entry.name}: the name and the identifier disagree",
                )
            )
            continue
        if markets and entry_markets and markets.isdisjoint(entry_markets):
            lines = ", ".join(sorted(str(line) for line in entry_lines)[:4])
            defeated.append(
                f"the name resembles {entry.name} "
                f"({match.list_id} entry {match.entry_id}), but the holding's line "
                f"{', '.join(str(t) for t in tickers)} is on another market than the entry's "
                f"known lines ({lines}): a different issuer"
            )
            continue
        if match.strength == MatchStrength.DEFINITE:
            kept.append(
                replace(
                    match,
                    detail=match.detail
                    + f"; the holding's own identifier ({', '.join(own_ids)}) is not one the "
                    "reference knows for this entry: the ban is entity-based and covers its "
                    "new lines and issues (a person may confirm the issuer)",
                )
            )
        else:
            kept.append(match)
    return kept, defeated


def _weigh_short_names(
    index: SecurityIndex,
    identity: SecurityIdentity,
    name_matches: list[EntryMatch],
    day: dt.date | None,
) -> tuple[list[EntryMatch], list[str]]:
    """A similar-name candidate is defeated when the row's name is exactly the HKEX short name
    of another issuer's line: ``CHINA RAILWAY`` is 00390 China Railway Group, not a short form
    of CHINA RAILWAY CONSTRUCTION CORPORATION."""
    named: list[HkexSecurity] = []
    for text in (identity.name, *identity.more_names):
        for code in sorted(index.equity_codes_by_short_name.get(equity_short_name(text or ""), ())):
            line = index.hkex_line(code, day)
            if line is not None and line.category == "Equity":
                named.append(line)
    if not named:
        return name_matches, []
    kept: list[EntryMatch] = []
    defeated: list[str] = []
    for match in name_matches:
        entry_lines = index.lines_by_entry.get((match.list_id, match.entry_id), set())
        other = [line for line in named if Ticker(line.code, HONG_KONG) not in entry_lines]
        # only similar names (fuzzy, short forms): an OFAC weak alias is the publisher's word
        if match.matched_on != "fuzzy name" or not other:
            kept.append(match)
            continue
        line = other[0]
        entry = index.reference.entry(match.list_id, match.entry_id)
        defeated.append(
            f"the name resembles {entry.name} ({match.list_id} entry {match.entry_id}), but it is "
            f"the HKEX short name of {line.code} {line.name} (HKEX List of Securities of "
            f"{line.master_date}), not one of the entry's lines: a different issuer"
        )
    return kept, defeated


def _demoted(match: EntryMatch, why: str) -> EntryMatch:
    """A definite match made a candidate, saying why."""
    if match.strength != MatchStrength.DEFINITE:
        return match
    return replace(match, strength=MatchStrength.CANDIDATE, detail=match.detail + why)


def _holding_label(identity: SecurityIdentity) -> str:
    ids = [i for i in (identity.ticker, identity.isin) if i]
    return f"{identity.name or 'holding'}" + (f" ({', '.join(ids)})" if ids else "")


def _entry_label(key: tuple[str, str], name: str) -> str:
    return f"{name} ({key[0]} entry {key[1]})"


# HKEX warrant and CBBC short names: a 2-letter issuer code, then the underlying's abbreviation
# ("BI-SMIC@EC2509D", "HSCNOOC@EC2508A"; CBBCs "UB#SMIC RC2507A" with a 5-character field).
HKEX_DERIVATIVES = {
    "Derivative Warrants": "derivative warrant",
    "Callable Bull/Bear Contracts": "CBBC",
    "Inline Warrants": "inline warrant",
}
# Index names as they stand in derivative descriptions: exposure to many issuers at once.
INDEX_WORDS = frozenset(
    {
        "HSI",
        "HSCEI",
        "HSTECH",
        "HSTEC",
        "HSCE",
        "XIN9",
        "XIN9I",
        "FXI",
        "SX5E",
        "SPX",
        "NDX",
        "NQ100",
        "DJIA",
        "S&P",
        "MXEF",
        "MXCN",
        "MXASJ",
        "CSI300",
        "SHSZ300",
        "SSE50",
        "CSA50",
        "N225",
        "NKY",
        "KOSPI2",
        "TWSE",
    }
)


# The grammar of HKEX derivative short names (HKEX's naming of structured products):
# a warrant is an issuer code (2 letters), an optional "-", the underlying's abbreviation,
# "@", E(uropean)/X(exotic), C(all)/P(ut), the expiry's YYMM and a series letter
# ("BI-SMIC@EC2509D", "HSCNOOC@EP2203B"); a CBBC is an issuer code, "#", a 5-character
# underlying field, R, C(bull)/P(bear), YYMM and a letter ("UB#CNOOCRC2510A", "HS#C MOBRC2710C");
# an inline warrant has "@" and an I ("GJ#TENCT@IL2501A" style codes are rare; read as warrants).
_WARRANT_NAME_RE = re.compile(
    r"^(?P<issuer>[A-Z]{2})-?(?P<und>[A-Z0-9 &]{1,8}?)@[EXI][CPL]?(?P<yymm>\d{4})[A-Z]$"
)
# An inline warrant: issuer code, "-", the underlying's abbreviation, "@L", YYMM and a letter
# ("HS-CMOB@L 2206A").
_INLINE_NAME_RE = re.compile(
    r"^(?P<issuer>[A-Z]{2})-?(?P<und>[A-Z0-9 &]{1,8}?)@L\s?(?P<yymm>\d{4})[A-Z]$"
)
_CBBC_NAME_RE = re.compile(r"^(?P<issuer>[A-Z]{2})#(?P<und>.{5})R[CP](?P<yymm>\d{4})[A-Z]$")


@dataclass(frozen=True)
class DerivativeName:
    """An HKEX warrant's or CBBC's short name taken apart."""

    kind: str  # "derivative warrant" or "CBBC"
    issuer: str
    abbreviation: str
    expiry_month: str  # YYMM


def parse_hkex_derivative_name(text: object) -> DerivativeName | None:
    """``BI-SMIC@EC2509D`` -> a warrant on ``SMIC``; ``HS#C MOBRC2710C`` -> a CBBC on ``C MOB``."""
    if text is None:
        return None
    value = str(text).strip().upper()
    if match := _WARRANT_NAME_RE.match(value):
        return DerivativeName(
            "derivative warrant", match["issuer"], match["und"].strip(), match["yymm"]
        )
    if match := _INLINE_NAME_RE.match(value):
        return DerivativeName(
            "inline warrant", match["issuer"], match["und"].strip(), match["yymm"]
        )
    if match := _CBBC_NAME_RE.match(value):
        return DerivativeName("CBBC", match["issuer"], match["und"].strip(), match["yymm"])
    return None


def _underlying_code(index: SecurityIndex, abbreviation: str) -> str | None:
    """The HKEX code of a derivative's underlying, from the abbreviation in its short name."""
    key = abbreviation.strip().upper()
    if not key:
        return None
    if key in index.reference.derivative_underlyings:
        return index.reference.derivative_underlyings[key]
    compact = key.replace(" ", "")
    if compact in index.reference.derivative_underlyings:
        return index.reference.derivative_underlyings[compact]
    # Where the abbreviation is an equity's own short name (SMIC, CNOOC), that is the underlying.
    return index.equity_by_short_name.get(key) or index.equity_by_short_name.get(compact)


def _derivative_matches(
    index: SecurityIndex, identity: SecurityIdentity, tickers: list[Ticker], day: dt.date | None
) -> tuple[tuple[EntryMatch, ...], str, str | None] | None:
    """Warrants, CBBCs, options and futures: covered through their underlying (FAQ 860).

    The row's own short name decides over the master: a code recycled since (or a master of
    another date) must not turn a SMIC warrant into a warrant on something else.
    """
    underlying_identity: SecurityIdentity | None = None
    kind = identity.instrument
    said: list[str] = []
    own_name = next(
        (p for n in (identity.name, *identity.more_names) if (p := parse_hkex_derivative_name(n))),
        None,
    )
    # An ISIN is never reused: a derivative's ISIN names that product whatever the day (its
    # code is recycled, its ISIN is not); a code only within its life.
    by_isin = [
        line
        for isin in (identity.isin, *identity.more_isins)
        if isin
        for line in index.hkex_by_isin.get(isin, [])
        if line.category in HKEX_DERIVATIVES
    ]
    master_line = next(
        iter(by_isin),
        next(
            (
                line
                for t in tickers
                if t.market == HONG_KONG
                and (line := index.hkex_line(t.code, day)) is not None
                and line.category in HKEX_DERIVATIVES
            ),
            None,
        ),
    )
    if own_name is not None:
        kind = own_name.kind
        written = f"{own_name.kind} {own_name.issuer} {own_name.abbreviation}"
        if master_line is not None and master_line.name.upper() != (identity.name or "").upper():
            said.append(
                f"the row's short name says {written}; the HKEX List of Securities of "
                f"{master_line.master_date} lists {master_line.code} as {master_line.name}: the "
                "row's own short name decides"
            )
        code = _underlying_code(index, own_name.abbreviation)
        if code is None:
            return _unknown_underlying(index, written, own_name.abbreviation, day)
        underlying_identity = _hk_line_identity(index, code, day)
    elif master_line is not None:
        kind = HKEX_DERIVATIVES[master_line.category]
        parsed = parse_hkex_derivative_name(master_line.name)
        code = _underlying_code(index, parsed.abbreviation) if parsed else None
        if code is None and parsed is not None:
            return _unknown_underlying(
                index, f"{kind} {master_line.code} {master_line.name}", parsed.abbreviation, day
            )
        if code is None:
            why = (
                f"{kind} {master_line.code} {master_line.name}: its underlying is not known to "
                "the reference"
            )
            return (), why, why + "; check the listing document"
        underlying_identity = _hk_line_identity(index, code, day)
    if underlying_identity is None and identity.underlying:
        written = _strip_instrument_words(identity.underlying)
        if written.split()[0] in INDEX_WORDS:
            why = f"{kind} on the index {written}"
            return (
                (),
                why,
                (
                    f"{why}: exposure through the index's constituents, covered if the index holds "
                    "securities of listed entities (FAQs 860-861); index constituents not available"
                ),
            )
        short_name_code = index.equity_by_short_name.get(written)
        underlying_ticker = (
            Ticker(short_name_code, HONG_KONG) if short_name_code else parse_ticker(written)
        )
        underlying_identity = (
            SecurityIdentity(
                ticker=str(underlying_ticker),
                exchange=underlying_ticker.market,
                local_code=underlying_ticker.code,
            )
            if underlying_ticker
            else SecurityIdentity(name=written)
        )
    if underlying_identity is None:
        return None
    inner = resolve(index, underlying_identity, as_of=day)
    label = underlying_identity.ticker or underlying_identity.name or "?"
    extra = ("; " + "; ".join(said)) if said else ""
    wrapped = tuple(
        EntryMatch(
            m.list_id,
            m.entry_id,
            f"{kind} on {label}",
            m.score,
            m.strength,
            f"{kind} on {label}: derivatives of covered securities are covered (OFAC FAQ 860); "
            f"the underlying {m.detail}{extra}",
            m.ownership_pct,
            exposure=kind,
            path=(
                _holding_label(identity),
                f"underlying {label}",
                _entry_label(
                    (m.list_id, m.entry_id), index.reference.entry(m.list_id, m.entry_id).name
                ),
            ),
        )
        for m in inner.matches
    )
    described = f"{kind} on {label}" + extra
    if not inner.screened and not wrapped:
        return (), described, f"{described}: the underlying could not be identified"
    return wrapped, described, inner.review


def _is_abbreviation_of(abbreviation: str, name: str) -> bool:
    """Whether ``abbreviation``'s letters stand in ``name`` in order, from its first letter
    (TENCT of TENCENT, PINAN of PING AN, CMOB of CHINA MOBILE)."""
    letters = [c for c in abbreviation if c.isalnum()]
    text = [c for c in name.upper() if c.isalnum()]
    if not letters or not text or letters[0] != text[0]:
        return False
    position = 0
    for letter in letters:
        while position < len(text) and text[position] != letter:
            position += 1
        if position == len(text):
            return False
        position += 1
    return True


def _unknown_underlying(
    index: SecurityIndex, written: str, abbreviation: str, day: dt.date | None
) -> tuple[tuple[EntryMatch, ...], str, str | None]:
    """A derivative whose underlying abbreviation neither a curated row nor a short name gives.

    The abbreviation is compared with every HKEX equity short name it can stand for. Where none
    of those is a line of a listed entity or of a related company, no underlying it may have is
    covered: the finding lists them and nothing applies. Otherwise (or with no candidate at all)
    a person checks the listing document (REVIEW).
    """
    candidates = index.abbreviation_candidates(abbreviation, day)
    if not candidates:
        why = (
            f"{written}: the underlying abbreviation {abbreviation!r} is not known to the reference"
        )
        return (), why, why + "; check the listing document"
    covered = [line for line in candidates if index.is_listed_or_related_line(line.code)]
    shown = ", ".join(f"{line.code} {line.name}" for line in candidates[:6])
    more = f" and {len(candidates) - 6} more" if len(candidates) > 6 else ""
    if covered:
        why = (
            f"{written}: the underlying abbreviation {abbreviation!r} may stand for {shown}{more}, "
            f"among them {', '.join(f'{c.code} {c.name}' for c in covered[:3])}, a line of a listed "
            "or related entity"
        )
        return (), why, why + "; check the listing document"
    return (
        (),
        f"{written}: the underlying abbreviation {abbreviation!r} can only stand for {shown}{more} "
        "(HKEX equity short names), none of them a line of a listed or related entity",
        None,
    )


_INSTRUMENT_WORDS = ("STOCK", "SHARE", "SHARES", "EQUITY", "SINGLE")


_TRAILING_EXPIRY_RE = re.compile(
    r"\s+(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}|\d{4}-\d{2}(?:-\d{2})?|(?:"
    + _MONTHS
    + r")\s?\d{2,4})$"
)


def _strip_instrument_words(text: str) -> str:
    text = _TRAILING_EXPIRY_RE.sub("", text.upper())
    words = text.split()
    while len(words) > 1 and words[-1] in _INSTRUMENT_WORDS:
        words.pop()
    return " ".join(words)


def _hk_line_identity(index: SecurityIndex, code: str, day: dt.date | None) -> SecurityIdentity:
    line = index.hkex_line(code, day) or index.hkex_by_code.get(code)
    return SecurityIdentity(
        ticker=f"{code} {HONG_KONG}",
        exchange=HONG_KONG,
        local_code=code,
        name=line.name if line else None,
    )


def _name_matches(index: SecurityIndex, name: str) -> list[EntryMatch]:
    """Name matches; a bond description's leading word is an issuer family, never proof."""
    bond = is_bond_description(name)
    by_entry: dict[tuple[str, str], EntryMatch] = {}
    for found in index.names.lookup(name):
        key = (found.known.list_id, found.known.entry_id)
        strength = MatchStrength.DEFINITE if found.definite else MatchStrength.CANDIDATE
        detail = found.detail
        if bond and strength == MatchStrength.DEFINITE:
            strength = MatchStrength.CANDIDATE
            detail += (
                "; but the holding is a bond described as ticker-coupon-maturity, whose ticker "
                "names an issuer family: the legal issuer may be a financing subsidiary"
            )
        matched_on = found.known.kind if found.exact else "fuzzy name"
        candidate = EntryMatch(key[0], key[1], matched_on, found.score / 100, strength, detail)
        if key not in by_entry or candidate.score > by_entry[key].score:
            by_entry[key] = candidate
    matches = list(by_entry.values())
    # One name that fits several entries exactly proves none of them by itself (screening
    # takes their status only where all of them have the same one on the day).
    if len(matches) > 1:
        exact = all(m.strength == MatchStrength.DEFINITE for m in matches)
        matches = [
            replace(
                m,
                strength=MatchStrength.CANDIDATE,
                detail=m.detail + f" (the name fits {len(matches)} entries)",
                exact_among=len(matches) if exact else 0,
            )
            for m in matches
        ]
    return matches
