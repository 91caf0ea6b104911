"""Security -> list entries, with the evidence for each step. Pure: the reference comes in loaded.

Identifiers decide first: an ISIN or an exchange line that the list publishes, or that a curated
row ties to an entry (the listed company's lines OFAC does not publish: SenseTime's 00020 and
80020, A-share lines, RMB counters). Only when no identifier settles it does the name decide,
through :class:`portfolio_check.match.NameIndex`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from portfolio_check.identifiers import (
    HONG_KONG,
    Identifiers,
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
from portfolio_check.names import is_bond_description, normalize_name
from portfolio_check.refdata import Reference
from portfolio_check.rules import NAME_ALONE_IS_CANDIDATE, MatchStrength
from portfolio_check.sources.masters import HkexSecurity


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
    """What a distinct security is and which entries it is tied to."""

    identity: SecurityIdentity
    matches: tuple[EntryMatch, ...]
    checked: str = ""
    notes: tuple[str, ...] = ()
    review: str | None = None  # a reason for a person to look although no entry matched

    @property
    def identified(self) -> bool:
        return bool(
            self.identity.isin
            or self.identity.cusip
            or self.identity.sedol
            or self.identity.ticker
            or self.identity.name
        )


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
        for master_line in self.reference.hkex:
            self.hkex_by_code[master_line.code] = master_line
            if master_line.category == "Equity":
                short = master_line.name.upper()
                for suffix in ("-SW", "-W", "-S", "-R", "-B"):
                    short = short.removesuffix(suffix)
                self.equity_by_short_name.setdefault(short, master_line.code)
            if master_line.isin:
                self.hkex_by_isin[master_line.isin].append(master_line)
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
            for text in (relation.subject_name, *relation.subject_aliases):
                if key := normalize_name(text):
                    relation_names.append((key, relation))
        for key, relation in relation_names:
            self.related_by_name[key].append(relation)
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.CURATED, row.name)
            for row in self.reference.curated_names
        ]
        # Curated abbreviations (exchange short names): like OFAC's weak aliases, at most REVIEW.
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.ABBREVIATION, row.abbreviation)
            for row in self.reference.abbreviations
            if self.reference.has_entry(row.list_id, row.entry_id)
        ]
        self.names = NameIndex(known)


def identify(
    *,
    name: str | None = None,
    isin: str | None = None,
    cusip: str | None = None,
    sedol: str | None = None,
    ticker: str | None = None,
    identifier: str | None = None,
    exchange: str | None = None,
) -> tuple[SecurityIdentity, tuple[str, ...]]:
    """Parse the raw cells of one security into a validated identity, with notes on flaws."""
    notes: list[str] = []
    valid_isin = normalize_isin(isin)
    if isin and not valid_isin:
        notes.append(f"ISIN {isin!r} is not a valid ISIN (check digit or shape)")
    valid_cusip = normalize_cusip(cusip)
    if cusip and not valid_cusip:
        notes.append(f"CUSIP {cusip!r} is not valid")
    valid_sedol = normalize_sedol(sedol)
    if sedol and not valid_sedol:
        notes.append(f"SEDOL {sedol!r} is not valid")
    parsed_ticker = parse_ticker(ticker, exchange) if ticker else None
    mixed = classify_identifier(identifier, exchange) if identifier else Identifiers()
    if mixed.invalid:
        notes.append(f"identifier {mixed.invalid[0]!r} looks like an ISIN but is not valid")
    hidden = ticker_in_name(name) if name else None
    final_ticker = parsed_ticker or mixed.ticker or hidden
    option = (
        parse_listed_option(ticker) or parse_listed_option(name) if final_ticker is None else None
    )
    # A ticker cell that is neither a line on a known exchange nor an option description.
    unplaced = ticker.strip() if ticker and parsed_ticker is None and option is None else None
    if unplaced:
        notes.append(
            f"ticker {unplaced!r} could not be tied to an exchange"
            + (f" (exchange {exchange!r})" if exchange else " (no exchange given)")
        )
    identity = SecurityIdentity(
        name=name.strip() if name and name.strip() else None,
        isin=valid_isin or mixed.isin,
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
    )
    return identity, tuple(notes)


def _ticker_of(identity: SecurityIdentity) -> Ticker | None:
    if identity.local_code and identity.exchange:
        return Ticker(identity.local_code, identity.exchange)
    return None


def _master_note(index: SecurityIndex, identity: SecurityIdentity) -> str | None:
    """What the HKEX master says the security is, for the evidence of a clearance."""
    lines = []
    if identity.isin:
        lines += index.hkex_by_isin.get(identity.isin, [])
    if identity.exchange == HONG_KONG and identity.local_code in index.hkex_by_code:
        lines.append(index.hkex_by_code[identity.local_code])
    if not lines:
        return None
    line = lines[0]
    return f"HKEX list: {line.code} {line.name} ({line.category}, ISIN {line.isin or 'none'})"


def _cusip6(identity: SecurityIdentity) -> str | None:
    """The CUSIP issuer number of a security: from its CUSIP, or its US/Canadian ISIN."""
    if identity.cusip:
        return identity.cusip[:6]
    if identity.isin and identity.isin[:2] in ("US", "CA"):
        return identity.isin[2:8]
    return None


def _relation_matches(
    index: SecurityIndex, identity: SecurityIdentity, tickers: list[Ticker]
) -> list[EntryMatch]:
    """Related-entity matches: a subsidiary or financing vehicle of a list entry (FAQ 857)."""
    found: list[tuple[Relation, str]] = []
    if identity.isin:
        found += [
            (r, f"ISIN {identity.isin}") for r in index.related_by_isin.get(identity.isin, [])
        ]
    for ticker in tickers:
        found += [(r, f"ticker {ticker}") for r in index.related_by_ticker.get(ticker, [])]
    issuer_number = _cusip6(identity)
    if issuer_number:
        found += [
            (r, f"CUSIP issuer number {issuer_number} (of {identity.isin or identity.cusip})")
            for r in index.related_by_cusip6.get(issuer_number, [])
        ]
    if not found and identity.name:
        key = normalize_name(identity.name)
        found += [(r, f"name {identity.name!r}") for r in index.related_by_name.get(key, [])]
    matches: dict[tuple[str, str], EntryMatch] = {}
    for relation, on in found:
        entry_key = (relation.object_list_id, relation.object_entry_id)
        if entry_key in matches:
            continue
        entry = index.reference.entry(*entry_key)
        share = f", {relation.ownership_pct:g}% owned" if relation.ownership_pct else ""
        matches[entry_key] = EntryMatch(
            relation.object_list_id,
            relation.object_entry_id,
            f"relation: {relation.kind}",
            1.0,
            MatchStrength.RELATED,
            f"{on} belongs to {relation.subject_name}, {relation.kind.replace('-', ' ')} "
            f"{entry.name}{share} ({relation.note}; source: {relation.source})",
            relation.ownership_pct,
        )
    return list(matches.values())


def resolve(
    index: SecurityIndex, identity: SecurityIdentity, notes: tuple[str, ...] = ()
) -> Resolution:
    """Tie one security to list entries: identifiers first, then names, then relations."""
    hits: list[_IdentifierHit] = []
    checked: list[str] = []
    tickers: list[Ticker] = []
    if (ticker := _ticker_of(identity)) is not None:
        tickers.append(ticker)
    if identity.isin:
        checked.append(f"ISIN {identity.isin}")
        hits += index.by_isin.get(identity.isin, [])
        # The HKEX master ties an ISIN to its exchange lines, which may be listed by code.
        tickers += [
            Ticker(line.code, HONG_KONG)
            for line in index.hkex_by_isin.get(identity.isin, [])
            if Ticker(line.code, HONG_KONG) not in tickers
        ]
    own_hits = len(hits) + (len(index.by_ticker.get(tickers[0], [])) if ticker else 0)
    for ticker in tickers:
        checked.append(f"ticker {ticker}")
        hits += index.by_ticker.get(ticker, [])
    master = _master_note(index, identity)
    if master:
        checked.append(master)
    if hits:
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
                    item[0] >= own_hits,
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
        return Resolution(identity, tuple(matches.values()), "; ".join(checked), notes)
    derived = _derivative_matches(index, identity, tickers)
    if derived is not None:
        matches_found, described, review = derived
        return Resolution(identity, matches_found, "; ".join([*checked, described]), notes, review)
    name_matches: list[EntryMatch] = []
    if identity.name:
        checked.append(f"name {identity.name!r}")
        name_matches = _name_matches(index, identity.name)
    name_matches, defeated = _weigh_own_identifiers(index, identity, tickers, name_matches)
    notes = (*notes, *defeated)
    if any(m.strength == MatchStrength.DEFINITE for m in name_matches):
        return Resolution(identity, tuple(name_matches), "; ".join(checked), notes)
    related = _relation_matches(index, identity, tickers)
    return Resolution(identity, tuple(related or name_matches), "; ".join(checked), notes)


_HOW_RANK = {"curated": 0, "isin": 1, "ticker": 1, "derived": 2}


def _weigh_own_identifiers(
    index: SecurityIndex,
    identity: SecurityIdentity,
    tickers: list[Ticker],
    name_matches: list[EntryMatch],
) -> tuple[list[EntryMatch], list[str]]:
    """Name matches of a holding that carries its own identifier, which no entry line matched.

    A line on a market where the entry has none of its known lines conflicts with the name:
    COSTAR GROUP INC (CSGP, NASDAQ) is not the listed COSTAR GROUP CO., LTD. (002189, SZSE).
    The match is defeated and said so in the reason. Any other own identifier only makes the
    name match a candidate: a new issue of the entry is possible, a person checks.
    """
    own_ids = [i for i in (identity.isin, identity.cusip, identity.sedol) if i]
    own_ids += [str(t) for t in tickers]
    if identity.unplaced_ticker:
        own_ids.append(identity.unplaced_ticker)
    if not own_ids or not name_matches:
        return name_matches, []
    kept: list[EntryMatch] = []
    defeated: list[str] = []
    markets = {t.market for t in tickers}
    # HKEX equity lines the holding is, per the HKEX master: each belongs to one issuer.
    hk_equities = [
        index.hkex_by_code[t.code]
        for t in tickers
        if t.market == HONG_KONG
        and t.code in index.hkex_by_code
        and index.hkex_by_code[t.code].category == "Equity"
    ]
    for match in name_matches:
        entry_lines = index.lines_by_entry.get((match.list_id, match.entry_id), set())
        entry_markets = {line.market for line in entry_lines}
        other_hk = [line for line in hk_equities if Ticker(line.code, HONG_KONG) not in entry_lines]
        if other_hk:
            line = other_hk[0]
            defeated.append(
                f"the name resembles {index.reference.entry(match.list_id, match.entry_id).name} "
                f"({match.list_id} entry {match.entry_id}), but the holding is HKEX line "
                f"{line.code} {line.name} (HKEX List of Securities), not one of the entry's "
                "lines: a different issuer"
            )
            continue
        if markets and entry_markets and markets.isdisjoint(entry_markets):
            lines = ", ".join(sorted(str(line) for line in entry_lines)[:4])
            defeated.append(
                f"the name resembles {index.reference.entry(match.list_id, match.entry_id).name} "
                f"({match.list_id} entry {match.entry_id}), but the holding's line "
                f"{', '.join(str(t) for t in tickers)} is on another market than the entry's "
                f"known lines ({lines}): a different issuer"
            )
            continue
        kept.append(
            _demoted(
                match,
                f"; but the holding's own identifier ({', '.join(own_ids)}) is not a known line "
                "of this entry: a name alone cannot tie them (a new issue is possible)",
            )
        )
    return kept, defeated


def _demoted(match: EntryMatch, why: str) -> EntryMatch:
    """A definite match made a candidate, saying why."""
    if match.strength != MatchStrength.DEFINITE:
        return match
    return EntryMatch(
        match.list_id,
        match.entry_id,
        match.matched_on,
        match.score,
        MatchStrength.CANDIDATE,
        match.detail + why,
        match.ownership_pct,
        match.exposure,
        match.path,
    )


def _holding_label(identity: SecurityIdentity) -> str:
    ids = [i for i in (identity.ticker, identity.isin) if i]
    return f"{identity.name or 'holding'}" + (f" ({', '.join(ids)})" if ids else "")


def _entry_label(key: tuple[str, str], name: str) -> str:
    return f"{name} ({key[0]} entry {key[1]})"


# HKEX warrant and CBBC short names: a 2-letter issuer code, then the underlying's abbreviation
# ("BI-SMIC@EC2509D", "HSCNOOC@EC2508A"; CBBCs "UB#SMIC RC2507A" with a 5-character field).
_HKEX_DERIVATIVES = {
    "Derivative Warrants": "derivative warrant",
    "Callable Bull/Bear Contracts": "CBBC",
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


def _hkex_underlying(index: SecurityIndex, short_name: str, category: str) -> str | None:
    """The HKEX code of a warrant's or CBBC's underlying stock, from its short name."""
    rest = short_name[2:].lstrip("-#")
    abbreviation = rest.split("@")[0] if "@" in rest else rest[:5]
    abbreviation = abbreviation.strip().upper()
    if not abbreviation:
        return None
    if abbreviation in index.reference.derivative_underlyings:
        return index.reference.derivative_underlyings[abbreviation]
    # Where the abbreviation is an equity's own short name (SMIC, CNOOC), that is the underlying.
    return index.equity_by_short_name.get(abbreviation)


def _derivative_matches(
    index: SecurityIndex, identity: SecurityIdentity, tickers: list[Ticker]
) -> tuple[tuple[EntryMatch, ...], str, str | None] | None:
    """Warrants, CBBCs, options and futures: covered through their underlying (FAQ 860)."""
    underlying_identity: SecurityIdentity | None = None
    kind = identity.instrument
    for ticker in tickers:
        line = index.hkex_by_code.get(ticker.code) if ticker.market == HONG_KONG else None
        if line is None or line.category not in _HKEX_DERIVATIVES:
            continue
        kind = _HKEX_DERIVATIVES[line.category]
        code = _hkex_underlying(index, line.name, line.category)
        if code is None:
            why = f"{kind} {line.code} {line.name}: its underlying is not known to the reference"
            return (), why, why + "; check the listing document"
        underlying_identity = SecurityIdentity(
            ticker=f"{code} {HONG_KONG}",
            exchange=HONG_KONG,
            local_code=code,
            name=index.hkex_by_code[code].name if code in index.hkex_by_code else None,
        )
        break
    if underlying_identity is None and identity.underlying:
        written = identity.underlying
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
    inner = resolve(index, underlying_identity)
    label = underlying_identity.ticker or underlying_identity.name or "?"
    wrapped = tuple(
        EntryMatch(
            m.list_id,
            m.entry_id,
            f"{kind} on {label}",
            m.score,
            m.strength,
            f"{kind} on {label}: derivatives of covered securities are covered (OFAC FAQ 860); "
            f"the underlying {m.detail}",
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
    return wrapped, f"{kind} on {label}", None


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
    # One name that fits several entries exactly proves none of them.
    if len(matches) > 1:
        matches = [
            EntryMatch(
                m.list_id,
                m.entry_id,
                m.matched_on,
                m.score,
                MatchStrength.CANDIDATE,
                m.detail + f" (the name fits {len(matches)} entries)",
            )
            for m in matches
        ]
    return matches
