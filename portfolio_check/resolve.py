"""Security -> list entries, with the evidence for each step. Pure: the reference comes in loaded.

Identifiers decide first: an ISIN or an exchange line that the list publishes, or that a curated
row ties to an entry (the listed company's lines OFAC does not publish: SenseTime's 00020 and
80020, A-share lines, RMB counters). Only when no identifier settles it does the name decide,
through :class:`portfolio_check.match.NameIndex`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from portfolio_check.identifiers import (
    HONG_KONG,
    Identifiers,
    Ticker,
    classify_identifier,
    make_ticker,
    normalize_cusip,
    normalize_isin,
    normalize_sedol,
    parse_ticker,
    ticker_in_name,
)
from portfolio_check.match import NameIndex, NameKind
from portfolio_check.model import Relation, SecurityIdentity
from portfolio_check.names import is_bond_description, normalize_name
from portfolio_check.refdata import Reference, load_abbreviations
from portfolio_check.rules import MatchStrength
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


@dataclass(frozen=True)
class Resolution:
    """What a distinct security is and which entries it is tied to."""

    identity: SecurityIdentity
    matches: tuple[EntryMatch, ...]
    checked: str = ""
    notes: tuple[str, ...] = ()

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


@dataclass
class SecurityIndex:
    """Identifier and name look-ups over a reference snapshot."""

    reference: Reference
    by_isin: dict[str, list[_IdentifierHit]] = field(default_factory=lambda: defaultdict(list))
    by_ticker: dict[Ticker, list[_IdentifierHit]] = field(default_factory=lambda: defaultdict(list))
    names: NameIndex = field(init=False)
    hkex_by_code: dict[str, HkexSecurity] = field(default_factory=dict)
    hkex_by_isin: dict[str, list[HkexSecurity]] = field(default_factory=lambda: defaultdict(list))
    related_by_isin: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    related_by_ticker: dict[Ticker, list[Relation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    related_by_name: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))

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
            known.append(NameIndex.known(lid, eid, NameKind.PRIMARY, entry.name))
            known += [
                NameIndex.known(lid, eid, NameKind.STRONG_ALIAS, a) for a in entry.strong_aliases
            ]
            known += [
                NameIndex.known(lid, eid, NameKind.ISSUER_NAME, a) for a in entry.issuer_names
            ]
            known += [NameIndex.known(lid, eid, NameKind.WEAK_ALIAS, a) for a in entry.weak_aliases]
        for row in self.reference.curated_securities:
            line = f"{row.security_name} ({row.local_code or ''} {row.mic or ''})".replace(
                " )", ")"
            )
            # Rows derived by code from the exchanges' masters say so; hand-curated links too.
            how = "derived" if row.note.startswith("derived") else "curated"
            detail = f"{how} link: {line} belongs to entry {row.entry_id} (source: {row.source})"
            if row.isin and (valid := normalize_isin(row.isin)) is not None:
                self.by_isin[valid].append(
                    _IdentifierHit(row.list_id, row.entry_id, f"{how} isin", detail)
                )
            if row.local_code and row.mic:
                ticker = make_ticker(row.local_code, row.mic)
                if ticker is not None:
                    self.by_ticker[ticker].append(
                        _IdentifierHit(row.list_id, row.entry_id, f"{how} ticker", detail)
                    )
        for master_line in self.reference.hkex:
            self.hkex_by_code[master_line.code] = master_line
            if master_line.isin:
                self.hkex_by_isin[master_line.isin].append(master_line)
        relation_names = []
        for relation in self.reference.relations:
            for isin in relation.subject_isins:
                if (valid := normalize_isin(isin)) is not None:
                    self.related_by_isin[valid].append(relation)
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
            for row in load_abbreviations(self.reference.folder)
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
    if ticker and parsed_ticker is None:
        notes.append(
            f"ticker {ticker!r} could not be tied to an exchange"
            + (f" (exchange {exchange!r})" if exchange else " (no exchange given)")
        )
    mixed = classify_identifier(identifier, exchange) if identifier else Identifiers()
    if mixed.invalid:
        notes.append(f"identifier {mixed.invalid[0]!r} looks like an ISIN but is not valid")
    hidden = ticker_in_name(name) if name else None
    final_ticker = parsed_ticker or mixed.ticker or hidden
    identity = SecurityIdentity(
        name=name.strip() if name and name.strip() else None,
        isin=valid_isin or mixed.isin,
        cusip=valid_cusip or mixed.cusip,
        sedol=valid_sedol or mixed.sedol,
        ticker=str(final_ticker) if final_ticker else None,
        exchange=final_ticker.market if final_ticker else None,
        local_code=final_ticker.code if final_ticker else None,
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
    for ticker in tickers:
        checked.append(f"ticker {ticker}")
        hits += index.by_ticker.get(ticker, [])
    master = _master_note(index, identity)
    if master:
        checked.append(master)
    if hits:
        matches: dict[tuple[str, str], EntryMatch] = {}
        for hit in hits:
            key = (hit.list_id, hit.entry_id)
            if key not in matches:
                matches[key] = EntryMatch(
                    hit.list_id, hit.entry_id, hit.how, 1.0, MatchStrength.DEFINITE, hit.detail
                )
        return Resolution(identity, tuple(matches.values()), "; ".join(checked), notes)
    name_matches: list[EntryMatch] = []
    if identity.name:
        checked.append(f"name {identity.name!r}")
        name_matches = _name_matches(index, identity.name)
    if any(m.strength == MatchStrength.DEFINITE for m in name_matches):
        return Resolution(identity, tuple(name_matches), "; ".join(checked), notes)
    related = _relation_matches(index, identity, tickers)
    return Resolution(identity, tuple(related or name_matches), "; ".join(checked), notes)


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
