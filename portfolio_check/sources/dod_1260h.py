"""Importer of the DoD Section 1260H list ("Chinese military companies"), from its CSV transcription.

The US Department of Defense publishes the list as PDFs, in tranches; the file read here is a
third-party transcription (OpenSanctions) with one row per entity *per tranche*::

    Name            as printed, e.g. "Aviation Industry Corporation of China Ltd. (AVIC)*"
    Clean Name      the name without the short name
    Alias           short name(s); several are comma-separated ("Knownsec,Beijing Kownsec")
    Previous Name   former name(s), ';'-separated ("Zhonghang ... Limited; ZEMIC")
    Parent Name     the parent the tranche names
    Note            DoD's reason, or the transcriber's note ("No apparent U.S. nexus")
    Start date      ISO date: the tranche that names the entity
    End date        ISO date the entity left the list, or empty
    Source Url      the DoD PDF

The list is a designation with procurement consequences, not an investment ban: its regime is
``watch``. One :class:`ListEntry` per entity, built from all its rows:

* **Which rows are one entity.** Rows whose names agree once case, punctuation, apostrophe style
  and a trailing ``Co./Ltd./Limited/Inc.`` are set aside (``Addsino Co. Ltd.`` = ``Addsino Co.,
  Ltd.``; ``China SpaceSat Co.`` = ``China SpaceSat Co., Ltd.``), and rows a later tranche
  declares to be the same entity under a new name (``Previous Name``, or ``(formerly X)`` /
  ``(also known as X)`` in ``Name``): ``AVIC Chengdu Aircraft Co., Ltd.`` is ZEMIC's entry. Short
  names never merge rows (``CNOOC`` is the alias of the group, not ``CNOOC Limited``).
* **Name** the most recent row's Clean Name. Some Clean Names still end with the short name
  (``Dawning Information Industry Co., Ltd. (Sugon)``): it is moved to the aliases.
* **Strong aliases** the Alias and Previous Name values, the short names moved out of Clean
  Names, and the entity's other names in earlier tranches.
* **linked_to** the parent names, spelled as the parent's own entry when the parent is listed.
* **listed_from** the earliest start date. **listed_until** the end date of the most recent
  tranche's row; ``None`` (still listed) when that row has none. The transcription leaves early
  rows open even where a later row of the same entity ends (Costar: 2021 open, 2025 ended
  2026-02-17), so the most recent row decides, not "any open row". Two things that pair of dates
  cannot show are reported as warnings: a gap (off the list, then named again), and an entity
  whose last row is open but which a later tranche no longer names.
* **remarks** the Note (several distinct notes are each prefixed with their tranche).

The entry id is a slug of the name (``sensetime-group-inc``): DoD publishes no ids.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry, ParseWarning
from portfolio_check.sources.ofac_csv import SourceFile

__all__ = [
    "DOD_1260H_ID",
    "DOD_1260H_REGIME",
    "DOD_1260H_TITLE",
    "Dod1260hImport",
    "EndDate",
    "Tranche",
    "import_dod_1260h",
    "parse_dod_1260h",
    "split_names",
]

DOD_1260H_ID = "dod-1260h"
DOD_1260H_REGIME = "watch"
DOD_1260H_TITLE = (
    "DoD Section 1260H list of Chinese military companies operating in the United States"
)

REQUIRED_COLUMNS = ("Clean Name", "Start date", "End date")
OPTIONAL_COLUMNS = ("Name", "Alias", "Previous Name", "Parent Name", "Note", "Source Url")

_TRAILING_FORMS = frozenset({"co", "ltd", "limited", "inc"})
"""Trailing words set aside when comparing names: the transcription writes them inconsistently."""

_LEGAL_FORM_FRAGMENT = re.compile(r"^(co|ltd|limited|inc|llc|plc|corp|pty|s\.?a)\b\.?", re.I)
"""A comma fragment that continues a name (``Co., Ltd.``), not a second name."""

_LEGAL_FORM_END = re.compile(
    r"\b(co|ltd|limited|inc|corp|corporation|company|llc|plc)\.?,?$", re.IGNORECASE
)
_TRAILING_SHORT_NAME = re.compile(r"^(?P<name>.*\S)\s*\((?P<short>[^()]+)\)$")
_IDENTITY = re.compile(r"\((?P<kind>formerly|also known as)\s+(?P<name>.+)\)[\s*.]*$")


class Tranche(BaseModel):
    """One start date of the list: how many rows name it, and the DoD documents cited."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: dt.date
    rows: int
    entities_named: int
    source_urls: tuple[str, ...]


class EndDate(BaseModel):
    """One end date: how many rows end on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    end: dt.date
    rows: int


class Dod1260hImport(BaseModel):
    """What an import produced: the entries, every flaw found, the file read and its tranches."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    list_id: str
    entries: tuple[ListEntry, ...]
    warnings: tuple[ParseWarning, ...]
    files: tuple[SourceFile, ...]
    tranches: tuple[Tranche, ...]
    end_dates: tuple[EndDate, ...]


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """The key rows are grouped by: lower case, ASCII apostrophes dropped, punctuation to spaces,
    trailing ``co``/``ltd``/``limited``/``inc`` removed."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = re.sub(r"['’‘`]", "", text)
    tokens = re.findall(r"[^\W_]+", text)
    while len(tokens) > 1 and tokens[-1] in _TRAILING_FORMS:
        tokens.pop()
    return " ".join(tokens)


def split_names(value: str) -> list[str]:
    """Split a multi-valued cell: at ``;``, and at ``,`` unless a legal form follows.

    ``"Knownsec,Beijing Kownsec"`` -> two names; ``"China Avionics Systems Co., Ltd."`` -> one.
    """
    names: list[str] = []
    for part in value.split(";"):
        pieces: list[str] = []
        for fragment in part.split(","):
            if pieces and _LEGAL_FORM_FRAGMENT.match(fragment.strip()):
                pieces[-1] += "," + fragment
            else:
                pieces.append(fragment)
        names.extend(" ".join(piece.split()) for piece in pieces)
    return [name for name in names if name]


def _split_short_name(name: str) -> tuple[str, str | None]:
    """``"Dawning Information Industry Co., Ltd. (Sugon)"`` -> the name and ``"Sugon"``.

    Only a parenthesis after a legal form is a short name: ``China Communications Construction
    Group (Limited)`` keeps its ``(Limited)``.
    """
    match = _TRAILING_SHORT_NAME.match(name)
    if match is not None and _LEGAL_FORM_END.search(match.group("name")):
        return match.group("name"), match.group("short").strip()
    return name, None


def _slug(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['`]", "", ascii_text.lower())
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)) or "entity"


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    name: str
    short_name: str | None
    aliases: list[str]
    previous: list[str]
    identity: list[str]
    parents: list[str]
    note: str
    start: dt.date | None
    end: dt.date | None
    url: str


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _read_rows(raw: bytes, file: str) -> tuple[list[_Row], list[ParseWarning], int]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SourceFormatError(
            f"{file}: not the DoD 1260H transcription: no column(s) {', '.join(missing)} "
            f"(found: {', '.join(header) or 'nothing'})"
        )
    rows: list[_Row] = []
    warnings: list[ParseWarning] = []
    records = 0
    for raw_row in reader:
        cells = {(k or "").strip(): (v or "").strip() for k, v in raw_row.items()}
        if not any(cells.values()):
            continue
        records += 1
        line = reader.line_num

        def warn(column: str, value: str, problem: str, line: int = line) -> None:
            warnings.append(
                ParseWarning(
                    file=file, record=f"line {line}", field=column, value=value, problem=problem
                )
            )

        printed = cells.get("Name", "")
        clean = " ".join(cells.get("Clean Name", "").split()) or printed.rstrip("*. ")
        if not clean:
            warn("Clean Name", "", "row without a name; skipped")
            continue
        name, short_name = _split_short_name(clean)
        start, end = _date(cells["Start date"]), None
        if start is None:
            warn("Start date", cells["Start date"], "not an ISO date; the row gives no start")
        if cells["End date"]:
            end = _date(cells["End date"])
            if end is None:
                warn("End date", cells["End date"], "not an ISO date; read as still listed")
        aliases = split_names(cells.get("Alias", ""))
        for alias in aliases:
            if printed and alias.casefold() not in printed.casefold():
                warn("Alias", alias, "not in the Name column (a transcription typo?); kept")
        identity = [
            _split_short_name(n)[0]
            for match in [_IDENTITY.search(printed)]
            if match is not None
            for n in [" ".join(match.group("name").split())]
        ]
        rows.append(
            _Row(
                line=line,
                name=name,
                short_name=short_name,
                aliases=aliases,
                previous=split_names(cells.get("Previous Name", "")),
                identity=identity,
                parents=split_names(cells.get("Parent Name", "")),
                note=" ".join(cells.get("Note", "").split()),
                start=start,
                end=end,
                url=cells.get("Source Url", ""),
            )
        )
    return rows, warnings, records


# --------------------------------------------------------------------------------------------
# Rows -> entities
# --------------------------------------------------------------------------------------------


@dataclass
class _Group:
    rows: list[_Row] = field(default_factory=list)


class _Keys:
    """Union-find over name keys: rows declared to be one entity end with one root."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {key: key for key in keys}

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The smaller key wins: deterministic whatever the row order.
            self.parent[max(root_a, root_b)] = min(root_a, root_b)


def _order(row: _Row) -> tuple[dt.date, int]:
    return (row.start or dt.date.min, row.line)


def _group_rows(rows: Sequence[_Row], file: str, warnings: list[ParseWarning]) -> list[_Group]:
    keys = _Keys(name_key(row.name) for row in rows)
    for row in rows:
        # Name's "(formerly X)" mostly repeats Previous Name: one check per distinct name.
        others = {name_key(_split_short_name(n)[0]): n for n in [*row.identity, *row.previous]}
        for other_key, other in others.items():
            if other_key in keys.parent:
                keys.union(name_key(row.name), other_key)
            elif " " in other.strip():
                warnings.append(
                    ParseWarning(
                        file=file,
                        record=f"line {row.line}",
                        field="Previous Name" if other in row.previous else "Name",
                        value=other,
                        problem="a former or other name of this entity that no row of the list "
                        "has; kept as an alias, no rows merged",
                    )
                )
    groups: dict[str, _Group] = {}
    for row in rows:
        groups.setdefault(keys.find(name_key(row.name)), _Group()).rows.append(row)
    for group in groups.values():
        group.rows.sort(key=_order)
    return list(groups.values())


def _current_row(group: _Group) -> _Row:
    """The most recent row; in a tranche naming the entity twice, not the one called former."""
    latest = group.rows[-1].start
    candidates = [row for row in group.rows if row.start == latest]
    former = {name_key(n) for row in group.rows for n in row.previous}
    current = [row for row in candidates if name_key(row.name) not in former]
    return (current or candidates)[-1]


def _listing(group: _Group) -> tuple[dt.date | None, dt.date | None, list[tuple[dt.date, dt.date]]]:
    """``listed_from``, ``listed_until`` and the gaps (end, next start) between rows."""
    dated = [row for row in group.rows if row.start is not None]
    if not dated:
        return None, None, []
    latest = dated[-1].start
    last_rows = [row for row in dated if row.start == latest]
    until = (
        None
        if any(row.end is None for row in last_rows)
        else max(row.end for row in last_rows if row.end is not None)
    )
    gaps: list[tuple[dt.date, dt.date]] = []
    covered_until: dt.date | None = None
    for index, row in enumerate(dated):
        assert row.start is not None
        if covered_until is not None and row.start > covered_until:
            gaps.append((covered_until, row.start))
        # An open row that a later row follows is continued by it (the transcription does not
        # close early rows); a closed one covers up to its end date.
        later = [r.start for r in dated[index + 1 :] if r.start is not None and r.start > row.start]
        end = row.end if row.end is not None else (later[0] if later else dt.date.max)
        covered_until = max(covered_until or end, end)
    return dated[0].start, until, gaps


def _unique(names: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Names in order, one per :func:`name_key`, none with a key in ``exclude``."""
    seen = {name_key(n) for n in exclude}
    kept: list[str] = []
    for name in names:
        key = name_key(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return tuple(kept)


def _remarks(group: _Group) -> str:
    notes: dict[str, dt.date | None] = {}
    for row in group.rows:
        if row.note and row.note not in notes:
            notes[row.note] = row.start
    if len(notes) <= 1:
        return next(iter(notes), "")
    return "\n".join(
        f"[{start.isoformat() if start else 'undated'}] {note}" for note, start in notes.items()
    )


def _entries(
    groups: Sequence[_Group], file: str, last_tranche: dt.date | None, warnings: list[ParseWarning]
) -> list[ListEntry]:
    current = {id(group): _current_row(group) for group in groups}
    canonical = {
        name_key(row.name): current[id(group)].name for group in groups for row in group.rows
    }
    slugs: Counter[str] = Counter()
    entries: list[ListEntry] = []
    for group in groups:
        row = current[id(group)]
        newest_first = list(reversed(group.rows))
        aliases = _unique(
            [
                *(r.short_name for r in newest_first if r.short_name),
                *(a for r in newest_first for a in r.aliases),
                *(p for r in newest_first for p in r.previous),
                *(n for r in newest_first for n in r.identity),
                *(r.name for r in newest_first),
            ],
            exclude=[row.name],
        )
        parents = _unique(
            (
                canonical.get(name_key(_split_short_name(p)[0]), p)
                for r in newest_first
                for p in r.parents
            ),
            exclude=[row.name],
        )
        listed_from, listed_until, gaps = _listing(group)
        record = f"line {row.line}"
        for end, start in gaps:
            warnings.append(
                ParseWarning(
                    file=file,
                    record=record,
                    field="End date",
                    value=end.isoformat(),
                    problem="off the list, then named again; listed_from/listed_until cannot "
                    f"show the gap from {end} to {start}",
                )
            )
        if listed_until is None and last_tranche and row.start and row.start < last_tranche:
            warnings.append(
                ParseWarning(
                    file=file,
                    record=record,
                    field="End date",
                    value="",
                    problem="not named in the latest tranche, and no end date; kept as still "
                    f"listed (last named {row.start}, latest tranche {last_tranche})",
                )
            )
        slug = _slug(row.name)
        slugs[slug] += 1
        entry_id = slug if slugs[slug] == 1 else f"{slug}-{slugs[slug]}"
        entries.append(
            ListEntry(
                list_id=DOD_1260H_ID,
                entry_id=entry_id,
                name=row.name,
                entity_type="entity",
                strong_aliases=aliases,
                linked_to=parents,
                remarks=_remarks(group),
                listed_from=listed_from,
                listed_until=listed_until,
            )
        )
    return entries


def _tranches(
    rows: Sequence[_Row], groups: Sequence[_Group]
) -> tuple[list[Tranche], list[EndDate]]:
    starts = Counter(row.start for row in rows if row.start is not None)
    named = Counter(
        start for group in groups for start in {r.start for r in group.rows if r.start is not None}
    )
    urls: dict[dt.date, list[str]] = {}
    for row in rows:
        if row.start is not None and row.url and row.url not in urls.setdefault(row.start, []):
            urls[row.start].append(row.url)
    tranches = [
        Tranche(
            start=start,
            rows=count,
            entities_named=named[start],
            source_urls=tuple(urls.get(start, ())),
        )
        for start, count in sorted(starts.items())
    ]
    ends = Counter(row.end for row in rows if row.end is not None)
    return tranches, [EndDate(end=end, rows=count) for end, count in sorted(ends.items())]


def parse_dod_1260h(raw: bytes, *, file: str) -> Dod1260hImport:
    """Parse the transcription's bytes into one entry per entity; no I/O.

    Raises ``SourceFormatError`` if the file is not UTF-8 or lacks the Clean Name, Start date or
    End date column.
    """
    rows, warnings, records = _read_rows(raw, file)
    groups = _group_rows(rows, file, warnings)
    starts = [row.start for row in rows if row.start is not None]
    entries = _entries(groups, file, max(starts, default=None), warnings)
    tranches, end_dates = _tranches(rows, groups)
    return Dod1260hImport(
        list_id=DOD_1260H_ID,
        entries=tuple(sorted(entries, key=lambda e: e.entry_id)),
        warnings=tuple(warnings),
        files=(SourceFile.read(file, raw, records),),
        tranches=tuple(tranches),
        end_dates=tuple(end_dates),
    )


def import_dod_1260h(path: Path) -> Dod1260hImport:
    """Read and parse the DoD 1260H transcription CSV (``dod_1260h_sanctions.csv``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_dod_1260h(raw, file=path.name)
