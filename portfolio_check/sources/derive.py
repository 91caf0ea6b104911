"""Derive the listed lines and names of list entries from the exchanges' masters, by code.

OFAC's tickers and ISINs are examples, not the whole set (the ban is entity-based). Starting
from what the entry publishes plus the curated links, this follows the masters to a fixed
point:

* an HKEX code -> its ISIN and its RMB counter (HKEX List of Securities);
* an ISIN -> every HKEX line with that ISIN (the HKD line and its RMB counter share it);
* an HKEX code <-> the A-share code of the same issuer (A/H pairs);
* an A-share code -> its Chinese short name (CSI 300 constituents).

Every derived row names the master file and row it came from, and the seed it was reached
from. Traditional forms of curated Chinese names are generated with OpenCC ``s2t`` so that the
tables hold both scripts. Pure: inputs in, rows out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import opencc

from portfolio_check.identifiers import HONG_KONG, Ticker, make_ticker, normalize_isin, parse_ticker
from portfolio_check.model import CuratedName, CuratedSecurity, ListEntry, Provenance
from portfolio_check.reference import HkexSecurity
from portfolio_check.sources.masters import AHPair, AShare

_S2T = opencc.OpenCC("s2t")


@dataclass(frozen=True)
class Masters:
    """The exchange masters and the file names to cite."""

    hkex: Sequence[HkexSecurity]
    hkex_file: str
    a_shares: Sequence[AShare]
    a_shares_file: str
    ah_pairs: Sequence[AHPair]
    ah_pairs_file: str


def derive_securities(
    list_id: str,
    entries: Iterable[ListEntry],
    curated: Iterable[CuratedSecurity],
    masters: Masters,
) -> list[CuratedSecurity]:
    """Lines of each entry's issuer that neither OFAC nor the curated table names."""
    hkex_by_code = {line.code: line for line in masters.hkex}
    hkex_by_isin: dict[str, list[HkexSecurity]] = defaultdict(list)
    for line in masters.hkex:
        if line.isin and line.category == "Equity":
            hkex_by_isin[line.isin].append(line)
    a_by_code = {(row.code, row.mic): row for row in masters.a_shares}
    pair_by_h = {row.h_code: row for row in masters.ah_pairs}
    pair_by_a = {(row.a_code, row.a_mic): row for row in masters.ah_pairs}
    curated_by_entry: dict[str, list[CuratedSecurity]] = defaultdict(list)
    for row in curated:
        if row.list_id == list_id:
            curated_by_entry[row.entry_id].append(row)

    derived: list[CuratedSecurity] = []
    for entry in entries:
        known: set[Ticker] = set()
        seeds: list[tuple[Ticker, str]] = []
        for raw in entry.tickers:
            if (ticker := parse_ticker(raw)) is not None:
                known.add(ticker)
                seeds.append((ticker, f"OFAC ticker {raw!r} of entry {entry.entry_id}"))
        for row in curated_by_entry[entry.entry_id]:
            if row.local_code and row.mic and (ticker := make_ticker(row.local_code, row.mic)):
                known.add(ticker)
                seeds.append((ticker, f"curated line {ticker} of entry {entry.entry_id}"))
        isins = [normalize_isin(i) for i in entry.isins]
        isins += [normalize_isin(r.isin) for r in curated_by_entry[entry.entry_id] if r.isin]
        for isin in filter(None, isins):
            for line in hkex_by_isin.get(isin, []):
                seeds.append(
                    (Ticker(line.code, HONG_KONG), f"ISIN {isin} of entry {entry.entry_id}")
                )
        entry_isins = set(filter(None, isins))
        seen: set[Ticker] = set()
        while seeds:
            ticker, via = seeds.pop(0)
            if ticker in seen:
                continue
            seen.add(ticker)
            found = _describe(ticker, via, hkex_by_code, a_by_code, masters)
            if found is None:
                continue
            name, line_isin, source = found
            # A line OFAC publishes is still worth a row when the master adds its ISIN
            # (OFAC gives CRCC's 1186 HK but not the H-share ISIN CNE100000981).
            if ticker not in known or (line_isin and line_isin not in entry_isins):
                derived.append(
                    CuratedSecurity(
                        entry_id=entry.entry_id,
                        list_id=list_id,
                        security_name=name,
                        isin=line_isin,
                        mic=ticker.market,
                        local_code=ticker.code,
                        note=f"derived by code from {via}",
                        source=source,
                        provenance=Provenance.DERIVED,
                    )
                )
            for nxt, why in _neighbours(ticker, hkex_by_code, pair_by_h, pair_by_a, masters):
                seeds.append((nxt, f"{why} (from {ticker})"))
    return derived


def _describe(
    ticker: Ticker,
    via: str,
    hkex_by_code: dict[str, HkexSecurity],
    a_by_code: dict[tuple[str, str], AShare],
    masters: Masters,
) -> tuple[str, str | None, str] | None:
    if ticker.market == HONG_KONG:
        row = hkex_by_code.get(ticker.code)
        if row is None:
            return None
        return (
            row.name,
            row.isin or None,
            f"{masters.hkex_file} row {row.source_row}: {row.code} {row.name} ISIN {row.isin}",
        )
    a_row = a_by_code.get((ticker.code, ticker.market))
    if a_row is not None:
        return (
            f"{a_row.name_zh} ({a_row.name_en})",
            None,
            f"{masters.a_shares_file} row {a_row.source_row}: {a_row.code} {a_row.name_zh} "
            f"{a_row.name_en}",
        )
    # An A-share line known only from an A/H pair is still a line of the issuer.
    return (str(ticker), None, f"A/H pair in {masters.ah_pairs_file} ({via})")


def _neighbours(
    ticker: Ticker,
    hkex_by_code: dict[str, HkexSecurity],
    pair_by_h: dict[str, AHPair],
    pair_by_a: dict[tuple[str, str], AHPair],
    masters: Masters,
) -> list[tuple[Ticker, str]]:
    out: list[tuple[Ticker, str]] = []
    if ticker.market == HONG_KONG:
        row = hkex_by_code.get(ticker.code)
        if row is not None and row.rmb_counter:
            out.append(
                (
                    Ticker(row.rmb_counter, HONG_KONG),
                    f"RMB counter of {row.code} in {masters.hkex_file} row {row.source_row}",
                )
            )
        pair = pair_by_h.get(ticker.code)
        if pair is not None:
            out.append(
                (
                    Ticker(pair.a_code, pair.a_mic),
                    f"A/H pair in {masters.ah_pairs_file} line {pair.source_row}",
                )
            )
    else:
        pair = pair_by_a.get((ticker.code, ticker.market))
        if pair is not None:
            out.append(
                (
                    Ticker(pair.h_code, HONG_KONG),
                    f"A/H pair in {masters.ah_pairs_file} line {pair.source_row}",
                )
            )
    return out


def derive_names(
    list_id: str,
    entries: Iterable[ListEntry],
    securities: Iterable[CuratedSecurity],
    curated_names: Sequence[CuratedName],
    masters: Masters,
) -> list[CuratedName]:
    """Chinese short names of the entries' A-share lines, and traditional forms of curated names."""
    names: list[CuratedName] = []
    seen: set[tuple[str, str]] = {(n.entry_id, n.name) for n in curated_names}
    a_by_code = {(row.code, row.mic): row for row in masters.a_shares}
    lines: list[tuple[str, Ticker]] = [
        (entry.entry_id, ticker)
        for entry in entries
        for ticker in filter(None, map(parse_ticker, entry.tickers))
    ]
    lines += [
        (row.entry_id, ticker)
        for row in securities
        if row.list_id == list_id
        and (ticker := make_ticker(row.local_code or "", row.mic or "")) is not None
    ]
    for entry_id, ticker in lines:
        a_row = a_by_code.get((ticker.code, ticker.market))
        if a_row is None:
            continue
        # The index's Chinese short name and its English name of the line (the CSI file is
        # bilingual: "中航光电" / "Jonhon Optronic Technology Co., Ltd.").
        for text, language, what in (
            (a_row.name_zh, "zh-Hans", "short name"),
            (a_row.name_en, "en", "English name"),
        ):
            if not text or (entry_id, text) in seen:
                continue
            seen.add((entry_id, text))
            names.append(
                CuratedName(
                    entry_id=entry_id,
                    list_id=list_id,
                    name=text,
                    language=language,
                    note=f"{what} of A-share {a_row.code}",
                    source=f"{masters.a_shares_file} row {a_row.source_row}",
                )
            )
    for name in curated_names:
        if name.list_id != list_id or not name.language.startswith("zh"):
            continue
        traditional = str(_S2T.convert(name.name))
        if traditional != name.name and (name.entry_id, traditional) not in seen:
            seen.add((name.entry_id, traditional))
            names.append(
                CuratedName(
                    entry_id=name.entry_id,
                    list_id=list_id,
                    name=traditional,
                    language="zh-Hant",
                    note=f"traditional form of {name.name}",
                    source=f"OpenCC s2t of the curated name {name.name} ({name.source})",
                )
            )
    return names
