"""The EO 13959 designations (November 2020 - June 2021), curated with a source on every row.

No machine-readable copy of OFAC's NS-CCMC list is available, so the regime of that period is
curated data: ``reference/curated/eo13959.csv``, one row per designated entity, with the dates
of its group (``../shared/domain/eo13959.md``). A row names either

* an NS-CMIC entry (``list_id`` ``ns-cmic``): the same entity, later listed under EO 14032; its
  identifiers come from OFAC's record and the curated and derived lines of that entry; or
* an entity of its own (``list_id`` ``ns-ccmc``): designated then but not on NS-CMIC (Xiaomi,
  CRRC, COMAC, ...); its names and lines are in the row, each with the row's source.

Columns: ``list_id, entry_id, name, group, listed, purchases_barred, divest_until,
close_match_from, other_reading, injunction, injunction_text, aliases, isins, tickers, source``
(several values separated by ``;``; tickers as ``CODE EXCH`` the way OFAC writes them).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from portfolio_check.errors import ReferenceDataError
from portfolio_check.model import ListEntry
from portfolio_check.reference import ReferenceList
from portfolio_check.regimes import EO13959, NS_CCMC_LIST, Designation

FILE = "eo13959.csv"
TITLE = "EO 13959 Communist Chinese military companies (NS-CCMC), 2020-11-12 to 2021-06-02"
REQUIRED = ("list_id", "entry_id", "name", "group", "listed", "purchases_barred", "divest_until")


def _date(path: Path, line: int, column: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReferenceDataError(
            f"{path}, line {line}: {column} {text!r} is not a date (YYYY-MM-DD)"
        ) from None


def _multi(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _designation(path: Path, line: int, cells: dict[str, str]) -> Designation:
    missing = [c for c in REQUIRED if not cells.get(c)]
    if missing or not cells.get("source"):
        raise ReferenceDataError(
            f"{path}, line {line}: {', '.join(missing) or 'source'} missing (every row needs "
            "its dates and a source)"
        )
    dates = {
        column: _date(path, line, column, cells.get(column, ""))
        for column in (*REQUIRED[4:], "close_match_from", "injunction")
    }
    listed, barred, divest = dates["listed"], dates["purchases_barred"], dates["divest_until"]
    assert listed and barred and divest  # required above
    if not listed <= barred <= divest:
        raise ReferenceDataError(
            f"{path}, line {line}: dates out of order (listed {listed}, purchases barred "
            f"{barred}, divestment until {divest})"
        )
    return Designation(
        list_id=cells["list_id"],
        entry_id=cells["entry_id"],
        name=cells["name"],
        group=cells["group"],
        listed=listed,
        purchases_barred=barred,
        divest_until=divest,
        close_match_from=dates["close_match_from"],
        other_reading=cells.get("other_reading", ""),
        injunction=dates["injunction"],
        injunction_text=cells.get("injunction_text", ""),
        source=cells["source"],
    )


def _entry(d: Designation, cells: dict[str, str]) -> ListEntry:
    return ListEntry(
        list_id=NS_CCMC_LIST,
        entry_id=d.entry_id,
        name=d.name,
        entity_type="entity",
        programs=("EO13959",),
        strong_aliases=_multi(cells.get("aliases", "")),
        isins=_multi(cells.get("isins", "")),
        tickers=_multi(cells.get("tickers", "")),
        listing_date=d.listed,
        effective_date=d.purchases_barred,
        divestment_date=d.divest_until,
        remarks=d.source,
    )


def load_eo13959(
    folder: Path,
) -> tuple[ReferenceList | None, dict[tuple[str, str], Designation]]:
    """The NS-CCMC list (entities not on NS-CMIC) and every designation by (list, entry)."""
    path = folder / "curated" / FILE
    if not path.is_file():
        return None, {}
    designations: dict[tuple[str, str], Designation] = {}
    entries: list[ListEntry] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, raw in enumerate(csv.DictReader(handle), start=2):
            cells = {key: (value or "").strip() for key, value in raw.items() if key}
            d = _designation(path, line, cells)
            if d.list_id not in (NS_CCMC_LIST, "ns-cmic"):
                raise ReferenceDataError(
                    f"{path}, line {line}: list_id {d.list_id!r} is neither ns-cmic nor "
                    f"{NS_CCMC_LIST}"
                )
            if (d.list_id, d.entry_id) in designations:
                raise ReferenceDataError(f"{path}, line {line}: {d.entry_id} given twice")
            designations[(d.list_id, d.entry_id)] = d
            if d.list_id == NS_CCMC_LIST:
                entries.append(_entry(d, cells))
    ccmc = ReferenceList(
        list_id=NS_CCMC_LIST,
        title=TITLE,
        regime=EO13959,
        source=f"curated: reference/curated/{FILE} (EO 13959 Annex, DoD determinations, OFAC "
        "NS-CCMC updates; a source on every row)",
        entries=tuple(entries),
    )
    return ccmc, designations
