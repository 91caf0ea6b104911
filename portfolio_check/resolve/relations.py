"""The relations tier's look-up: curated relations (subsidiaries, financing vehicles) found
by the row's exchange lines, ISINs, CUSIP issuer numbers and names.
"""

from __future__ import annotations

from portfolio_check.identifiers import (
    Ticker,
)
from portfolio_check.model import Relation, SecurityIdentity
from portfolio_check.names import normalize_name
from portfolio_check.relations import validity
from portfolio_check.resolve.index import SecurityIndex
from portfolio_check.resolve.matches import EntryMatch, MatchBasis
from portfolio_check.rules import MatchStrength


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
            basis=MatchBasis.RELATION,
        )
    return list(matches.values())
