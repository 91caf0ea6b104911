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
from portfolio_check.model import SecurityIdentity
from portfolio_check.refdata import Reference
from portfolio_check.rules import MatchStrength


@dataclass(frozen=True)
class EntryMatch:
    """A security tied to one list entry: how, how strongly, and the words to show a person."""

    list_id: str
    entry_id: str
    matched_on: str
    score: float
    strength: str
    detail: str


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
            detail = f"curated link: {line} belongs to entry {row.entry_id} (source: {row.source})"
            if row.isin and (valid := normalize_isin(row.isin)) is not None:
                self.by_isin[valid].append(
                    _IdentifierHit(row.list_id, row.entry_id, "curated isin", detail)
                )
            if row.local_code and row.mic:
                ticker = make_ticker(row.local_code, row.mic)
                if ticker is not None:
                    self.by_ticker[ticker].append(
                        _IdentifierHit(row.list_id, row.entry_id, "curated ticker", detail)
                    )
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.CURATED, row.name)
            for row in self.reference.curated_names
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


def resolve(
    index: SecurityIndex, identity: SecurityIdentity, notes: tuple[str, ...] = ()
) -> Resolution:
    """Tie one security to list entries: identifiers first, then names."""
    hits: list[_IdentifierHit] = []
    checked: list[str] = []
    if identity.isin:
        checked.append(f"ISIN {identity.isin}")
        hits += index.by_isin.get(identity.isin, [])
    ticker = _ticker_of(identity)
    if ticker is not None:
        checked.append(f"ticker {ticker}")
        hits += index.by_ticker.get(ticker, [])
    if hits:
        matches: dict[tuple[str, str], EntryMatch] = {}
        for hit in hits:
            key = (hit.list_id, hit.entry_id)
            if key not in matches:
                matches[key] = EntryMatch(
                    hit.list_id, hit.entry_id, hit.how, 1.0, MatchStrength.DEFINITE, hit.detail
                )
        return Resolution(identity, tuple(matches.values()), "; ".join(checked), notes)
    if identity.name:
        checked.append(f"name {identity.name!r}")
        name_matches = index.names.lookup(identity.name)
        by_entry: dict[tuple[str, str], EntryMatch] = {}
        for found in name_matches:
            key = (found.known.list_id, found.known.entry_id)
            strength = MatchStrength.DEFINITE if found.definite else MatchStrength.CANDIDATE
            matched_on = found.known.kind if found.exact else "fuzzy name"
            candidate = EntryMatch(
                key[0], key[1], matched_on, found.score / 100, strength, found.detail
            )
            if key not in by_entry or candidate.score > by_entry[key].score:
                by_entry[key] = candidate
        matches_list = list(by_entry.values())
        # One name that fits several entries exactly proves none of them.
        if len(matches_list) > 1:
            matches_list = [
                EntryMatch(
                    m.list_id,
                    m.entry_id,
                    m.matched_on,
                    m.score,
                    MatchStrength.CANDIDATE,
                    m.detail + f" (the name fits {len(matches_list)} entries)",
                )
                for m in matches_list
            ]
        return Resolution(identity, tuple(matches_list), "; ".join(checked), notes)
    return Resolution(identity, (), "; ".join(checked), notes)
