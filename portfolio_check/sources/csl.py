"""Import the US Consolidated Screening List (trade.gov CSV) for the lists no other file gives.

The Consolidated Screening List (https://data.trade.gov/downloadable_consolidated_screening_list,
``consolidated.csv``) joins 13 US lists, one row per party, the list named in ``source``. Three
lists are taken from it:

==============  =========================================  ===================
list id         ``source`` value begins with               regime
==============  =========================================  ===================
``entity-list`` ``Entity List (EL)``                       ``export-controls``
``meu``         ``Military End User (MEU) List``           ``export-controls``
``ssi``         ``Sectoral Sanctions Identifications``     ``ssi``
==============  =========================================  ===================

Its SDN and CMIC rows are OFAC's own records (``entity_number`` is OFAC's ``ent_num``): the
snapshot reads those lists from OFAC's files, so they are recognised here by that number and
not imported a second time (the manifest counts them, and how many of them the OFAC lists of
the same build hold). The other lists (Denied Persons, Unverified, ITAR debarred, ...) have no
investment effect and are counted as left out.

Columns read: ``_id``, ``source``, ``entity_number``, ``type``, ``programs``, ``name``,
``alt_names`` (``;``-separated), ``addresses``, ``federal_register_notice``, ``start_date``,
``end_date``, ``license_requirement``, ``remarks``, ``ids``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry, ParseWarning
from portfolio_check.sources.ofac_csv import SourceFile


@dataclass(frozen=True)
class CslList:
    list_id: str
    title: str
    regime: str
    prefix: str
    file: str


CSL_LISTS = (
    CslList(
        "entity-list",
        "BIS Entity List (Supplement No. 4 to 15 CFR Part 744)",
        "export-controls",
        "Entity List (EL)",
        "lists/entity_list.json",
    ),
    CslList(
        "meu",
        "BIS Military End-User List (Supplement No. 7 to 15 CFR Part 744)",
        "export-controls",
        "Military End User (MEU) List",
        "lists/meu.json",
    ),
    CslList(
        "ssi",
        "OFAC Sectoral Sanctions Identifications List (SSI)",
        "ssi",
        "Sectoral Sanctions Identifications List (SSI)",
        "lists/ssi.json",
    ),
)
# Rows that are OFAC's own lists, read from OFAC's files: recognised, not imported again.
OFAC_OWN = {
    "Specially Designated Nationals (SDN)": "sdn",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC)": "ns-cmic",
}
REQUIRED_COLUMNS = ("_id", "source", "entity_number", "name", "alt_names", "start_date")
# The Entity List writes several aliases in one cell as "A, and B" besides "A; B".
_ALIAS_SPLIT = re.compile(r";|,\s+and\s+")
_SKIPPED_TYPES = frozenset({"individual", "vessel", "aircraft"})


@dataclass(frozen=True)
class CslImport:
    """The three lists' entries, the file read and what was left out, with the publisher's flaws."""

    entries: dict[str, tuple[ListEntry, ...]]
    warnings: dict[str, tuple[ParseWarning, ...]]
    file: SourceFile
    rows: int
    dropped: dict[str, dict[str, int]]
    ofac_rows: dict[str, int]
    ofac_rows_known: dict[str, int]


def _date(
    text: str, file: str, record: str, field: str, warnings: list[ParseWarning]
) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        warnings.append(
            ParseWarning(file=file, record=record, field=field, value=text, problem="not a date")
        )
        return None


def _aliases(text: str, name: str) -> tuple[str, ...]:
    parts = (" ".join(part.split()) for part in _ALIAS_SPLIT.split(text))
    return tuple(dict.fromkeys(p for p in parts if p and p.upper() != name.upper()))


def _list_of(source: str) -> CslList | None:
    return next((item for item in CSL_LISTS if source.startswith(item.prefix)), None)


def _entry(
    item: CslList, row: dict[str, str], file: str, warnings: list[ParseWarning]
) -> ListEntry:
    record = row["entity_number"] or row["_id"]
    name = " ".join(row["name"].split())
    remarks = "; ".join(
        part
        for part in (
            f"Federal Register {row['federal_register_notice']}"
            if row.get("federal_register_notice")
            else "",
            row.get("license_requirement", ""),
            row.get("remarks", ""),
            row.get("ids", "") if item.list_id == "ssi" else "",
        )
        if part
    )
    return ListEntry(
        list_id=item.list_id,
        entry_id=record,
        name=name,
        entity_type=(row.get("type") or "entity").lower(),
        programs=tuple(
            p.strip() for p in (row.get("programs") or item.title).split(";") if p.strip()
        ),
        strong_aliases=_aliases(row["alt_names"], name),
        listed_from=_date(row["start_date"], file, record, "start_date", warnings),
        listed_until=_date(row.get("end_date", ""), file, record, "end_date", warnings),
        remarks=remarks,
        addresses=tuple(a.strip() for a in (row.get("addresses") or "").split(";") if a.strip()),
    )


def _read(path: Path) -> tuple[bytes, list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceFormatError(
            f"{path.name}: not the Consolidated Screening List CSV (no column {missing[0]!r})"
        )
    return raw, [{k: (v or "") for k, v in row.items() if k} for row in reader]


def import_csl(path: Path, ofac_ids: Mapping[str, Collection[str]] | None = None) -> CslImport:
    """The Entity List, MEU and SSI from the CSL CSV; ``ofac_ids``: the entry ids of the OFAC
    lists of the same build (``{"sdn": ids, "ns-cmic": ids}``), to count the CSL's OFAC rows
    that are the same records."""
    raw, rows = _read(path)
    entries: dict[str, list[ListEntry]] = {item.list_id: [] for item in CSL_LISTS}
    warnings: dict[str, list[ParseWarning]] = {item.list_id: [] for item in CSL_LISTS}
    dropped: dict[str, Counter[str]] = {item.list_id: Counter() for item in CSL_LISTS}
    other: Counter[str] = Counter()
    ofac_rows: Counter[str] = Counter()
    ofac_known: Counter[str] = Counter()
    seen: dict[str, set[str]] = {item.list_id: set() for item in CSL_LISTS}
    for row in rows:
        source = row["source"]
        own = next((lid for prefix, lid in OFAC_OWN.items() if source.startswith(prefix)), None)
        if own is not None:
            ofac_rows[own] += 1
            if ofac_ids and row["entity_number"] in ofac_ids.get(own, ()):
                ofac_known[own] += 1
            continue
        item = _list_of(source)
        if item is None:
            other[source.split(" - ")[0]] += 1
            continue
        kind = (row.get("type") or "").lower()
        if kind in _SKIPPED_TYPES:
            dropped[item.list_id][f"{kind}s: they issue no securities"] += 1
            continue
        if not row["name"].strip():
            warnings[item.list_id].append(
                ParseWarning(
                    file=path.name,
                    record=row["_id"],
                    field="name",
                    value="",
                    problem="row without a name: left out",
                )
            )
            dropped[item.list_id]["rows without a name"] += 1
            continue
        entry = _entry(item, row, path.name, warnings[item.list_id])
        if entry.entry_id in seen[item.list_id]:
            dropped[item.list_id]["the same record twice"] += 1
            continue
        seen[item.list_id].add(entry.entry_id)
        entries[item.list_id].append(entry)
    for item in CSL_LISTS:
        for sibling in CSL_LISTS:
            if sibling is not item and entries[sibling.list_id]:
                dropped[item.list_id][f"rows of the {sibling.list_id} list"] = len(
                    entries[sibling.list_id]
                )
        dropped[item.list_id].update(
            {f"other lists of the file: {name}": n for name, n in other.items()}
        )
        dropped[item.list_id].update(
            {f"OFAC's own {lid} rows (read from OFAC's files)": n for lid, n in ofac_rows.items()}
        )
    return CslImport(
        entries={k: tuple(v) for k, v in entries.items()},
        warnings={k: tuple(v) for k, v in warnings.items()},
        file=SourceFile.read(path.name, raw, len(rows)),
        rows=len(rows),
        dropped={k: dict(v) for k, v in dropped.items()},
        ofac_rows=dict(ofac_rows),
        ofac_rows_known=dict(ofac_known),
    )


def csl_list_parts(result: CslImport) -> list[dict[str, object]]:
    """The keyword arguments of the snapshot's list builder for each of the three lists."""
    known = ", ".join(
        f"{n} {lid} rows ({result.ofac_rows_known.get(lid, 0)} of them entries of this build's "
        f"{lid} list by OFAC ent_num)"
        for lid, n in sorted(result.ofac_rows.items())
    )
    return [
        {
            "list_id": item.list_id,
            "title": item.title,
            "regime": item.regime,
            "file": item.file,
            "source": f"US Consolidated Screening List (trade.gov), {result.file.name}, rows whose "
            f"source is {item.prefix!r}",
            "published": "unknown (the CSV carries no date); the moov-io/watchman test copy of "
            "2025-02-27 (../shared/data/SOURCES.md) bounds it from above",
            "entries": result.entries[item.list_id],
            "warnings": result.warnings[item.list_id],
            "files": (result.file,),
            "source_records": result.rows,
            "selection": f"rows of {item.prefix}; OFAC's own rows recognised by ent_num and "
            f"not imported again: {known}",
            "dropped": result.dropped[item.list_id],
        }
        for item in CSL_LISTS
    ]
