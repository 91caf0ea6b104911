"""A small hand-built reference for unit tests: a few made-up entries, no snapshot on disk.

Unit tests of the core (resolve, screen, rules) build exactly the entries they need here, so
they test the rules and not the shipped data; the end-to-end tests use the real snapshot.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from portfolio_check.model import CuratedName, CuratedSecurity, ListEntry, Relation
from portfolio_check.reference import Reference, ReferenceList

# The regime each list is shipped under (the others' regime has the list's name).
REGIMES = {"sdn": "sdn-blocking"}

# A made-up NS-CMIC entry on the real list's dates (the tranche of 2021-12-10).
LISTED = dt.date(2021, 12, 10)
EFFECTIVE = dt.date(2022, 2, 8)
DIVEST_BY = dt.date(2022, 12, 10)


def entry(
    entry_id: str,
    name: str,
    *,
    list_id: str = "ns-cmic",
    isins: tuple[str, ...] = (),
    tickers: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    listed: dt.date | None = LISTED,
    effective: dt.date | None = EFFECTIVE,
    divest_by: dt.date | None = DIVEST_BY,
) -> ListEntry:
    return ListEntry(
        list_id=list_id,
        entry_id=entry_id,
        name=name,
        strong_aliases=aliases,
        isins=isins,
        tickers=tickers,
        listing_date=listed,
        effective_date=effective,
        divestment_date=divest_by,
    )


def reference(
    *entries: ListEntry,
    securities: tuple[CuratedSecurity, ...] = (),
    names: tuple[CuratedName, ...] = (),
    relations: tuple[Relation, ...] = (),
) -> Reference:
    """A reference whose lists hold ``entries`` (NS-CMIC under its regime, SDN under its)."""
    by_list: dict[str, list[ListEntry]] = {}
    for item in entries:
        by_list.setdefault(item.list_id, []).append(item)
    lists = {
        list_id: ReferenceList(
            list_id, list_id.upper(), REGIMES.get(list_id, list_id), "made up", tuple(found)
        )
        for list_id, found in by_list.items()
    }
    return Reference(
        folder=Path("."),
        version="test",
        manifest={"version": "test"},
        lists=lists,
        curated_securities=securities,
        curated_names=names,
        relations=relations,
    )
