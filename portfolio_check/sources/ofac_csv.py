"""Importer of OFAC's legacy CSV files: the Consolidated (non-SDN) set and the SDN set.

Both sets share one layout (OFAC's ``cons_dat_spec.txt``), four files each::

    role       consolidated          SDN                 columns
    prim       cons_prim.csv         sdn.csv             ent_num, SDN_Name, SDN_Type, Program,
                                                         Title, Call_Sign, Vess_type, Tonnage,
                                                         GRT, Vess_flag, Vess_owner, Remarks
    alt        cons_alt.csv          alt.csv             ent_num, alt_num, alt_type, alt_name,
                                                         alt_remarks
    add        cons_add.csv          add.csv             ent_num, add_num, address,
                                                         city/state/postal, country, add_remarks
    comments   cons_comments.csv     sdn_comments.csv    ent_num, rest of the remarks

As OFAC publishes them: no header row, ``-0-`` for null (often ``-0- `` with a trailing space),
CRLF line ends, a 0x1A (DOS end-of-file) byte after the last record, and not always UTF-8. The
Remarks column is cut at 1,000 characters, mid-word; the rest is in the comments file and is
appended verbatim. A multi-valued Program reads ``SDGT] [IRGC`` (the outer brackets are OFAC's
text-list convention, stripped by its exporter).

The remarks are ``; ``-separated items, the last one ending with the record's full stop. The
importer reads the items a screening needs (tickers, ISINs, issuer names, ``Linked To:``, the
three CMIC dates, ``Target Type``, weak ``a.k.a. '...'`` aliases, the Unified Social Credit Code)
and keeps the whole text in ``ListEntry.remarks``. OFAC's own flaws (invalid or duplicate ISINs,
tickers with two spaces or none, unparseable dates, comments without a primary record) become
``ParseWarning``\\ s; only a file that is not in this layout at all raises ``SourceFormatError``.

The parsing functions here are pure (bytes in, models out); ``import_ofac_csv`` is the one
function that touches the file system.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from stdnum import isin as stdnum_isin
from stdnum.cn import uscc as stdnum_uscc

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry, ParseWarning

__all__ = [
    "CMIC_PROGRAM",
    "Decoded",
    "FileRole",
    "OfacImport",
    "RemarkFields",
    "SourceFile",
    "decode_ofac_bytes",
    "find_ofac_files",
    "import_ofac_csv",
    "normalise_ticker",
    "parse_ofac_files",
    "parse_remark_items",
    "parse_remarks",
    "split_remarks",
    "warning_counts",
]

CMIC_PROGRAM = "CMIC-EO13959"
"""OFAC's program tag of the NS-CMIC list (EO 13959 as amended by EO 14032)."""

NULL = "-0-"
"""OFAC's null value in every legacy format; often written ``-0- `` with a trailing space."""

EOF_MARKER = "\x1a"
"""The DOS end-of-file byte OFAC leaves after the last record."""

ENCODINGS = ("utf-8", "cp1252", "latin-1")
"""Tried in order: OFAC's files are mostly UTF-8, older ones Windows-1252; latin-1 never fails."""

STRONG_ALIAS_TYPES = frozenset({"aka", "fka", "nka"})
"""alt_type values of the alt file; OFAC keeps weak aliases in the remarks, not in that file."""

MAX_BAD_ROW_SHARE = 0.5
"""Above this share of malformed rows the file is taken to be the wrong file, not a flawed one."""


class FileRole(StrEnum):
    """Which of the four files of an OFAC CSV set a file is."""

    PRIM = "prim"
    ALT = "alt"
    ADD = "add"
    COMMENTS = "comments"


COLUMN_COUNTS: dict[FileRole, int] = {
    FileRole.PRIM: 12,
    FileRole.ALT: 5,
    FileRole.ADD: 6,
    FileRole.COMMENTS: 2,
}

FILE_NAMES: dict[FileRole, tuple[str, ...]] = {
    FileRole.PRIM: ("cons_prim.csv", "sdn.csv"),
    FileRole.ALT: ("cons_alt.csv", "alt.csv"),
    FileRole.ADD: ("cons_add.csv", "add.csv"),
    FileRole.COMMENTS: ("cons_comments.csv", "sdn_comments.csv"),
}
"""The names OFAC gives each file (matched case-insensitively: older releases are upper case)."""


class SourceFile(BaseModel):
    """One official file an import read: its name, the SHA-256 of its raw bytes, its records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: FileRole
    sha256: str
    records: int
    encoding: str

    @classmethod
    def read(
        cls,
        name: str,
        raw: bytes,
        records: int,
        *,
        role: FileRole = FileRole.PRIM,
        encoding: str = "utf-8",
    ) -> SourceFile:
        """The record of a file read from ``raw`` (its SHA-256 taken here, of the raw bytes)."""
        sha256 = hashlib.sha256(raw).hexdigest()
        return cls(name=name, role=role, sha256=sha256, records=records, encoding=encoding)


class OfacImport(BaseModel):
    """What an import produced: the selected entries, every flaw found, and the files read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    list_id: str
    programs: tuple[str, ...] | None
    entries: tuple[ListEntry, ...]
    warnings: tuple[ParseWarning, ...]
    files: tuple[SourceFile, ...]
    published: dt.date | None = None
    """The publication date the file states (the XML's ``Publish_Date``; the CSV has none)."""

    @classmethod
    def of(
        cls,
        list_id: str,
        programs: Collection[str] | None,
        entries: Iterable[ListEntry],
        warnings: Iterable[ParseWarning],
        files: Iterable[SourceFile],
        published: dt.date | None = None,
    ) -> OfacImport:
        """An import's result, the programs it selected sorted (``None``: every program)."""
        return cls(
            list_id=list_id,
            programs=None if programs is None else tuple(sorted(programs)),
            entries=tuple(entries),
            warnings=tuple(warnings),
            files=tuple(files),
            published=published,
        )


# --------------------------------------------------------------------------------------------
# Bytes -> rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encodings it needed and the lines that were not UTF-8."""

    text: str
    encoding: str
    fallback_lines: dict[int, str]


def decode_ofac_bytes(raw: bytes) -> Decoded:
    """Decode an OFAC file line by line, UTF-8 first, then cp1252, then latin-1.

    Line by line because a mostly UTF-8 file with one Windows-1252 record must not turn every
    other record's accents into mojibake. The EOF byte and a byte-order mark are removed.
    ``encoding`` is ``utf-8``; ``cp1252`` when the only non-ASCII lines are Windows-1252;
    ``utf-8+cp1252`` for a mixed file.
    """
    lines: list[str] = []
    fallback: dict[int, str] = {}
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        for encoding in ENCODINGS:
            try:
                line = chunk.decode(encoding)
            except UnicodeDecodeError:
                continue
            if encoding != ENCODINGS[0]:
                fallback[number] = encoding
            lines.append(line)
            break
    text = "\n".join(lines)
    if text.startswith("\ufeff"):
        text = text[1:]
    utf8_needed = any(
        not line.isascii() for number, line in enumerate(lines, start=1) if number not in fallback
    )
    used = [ENCODINGS[0]] if utf8_needed or not fallback else []
    used += [e for e in ENCODINGS[1:] if e in fallback.values()]
    return Decoded(text.rstrip(EOF_MARKER + "\r\n"), "+".join(used), fallback)


def _null(value: str) -> str | None:
    """``None`` for OFAC's ``-0-`` null (with or without spaces), else the value unchanged."""
    return None if value.strip() == NULL else value


@dataclass(frozen=True)
class _Row:
    line: int
    ent_num: str
    values: tuple[str | None, ...]


def _read_rows(text: str, file: str, role: FileRole) -> tuple[list[_Row], list[ParseWarning]]:
    """Split one file's text into rows of the role's width; flawed rows become warnings."""
    width = COLUMN_COUNTS[role]
    rows: list[_Row] = []
    warnings: list[ParseWarning] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    records = 0
    for values in reader:
        line = reader.line_num
        if not values or all(not v.strip() or v == EOF_MARKER for v in values):
            continue
        if records == 0 and values[0].strip().lower() == "ent_num":
            continue  # a header row: OFAC publishes none, but a re-export may add one
        records += 1
        ent_num = values[0].strip()
        if len(values) != width or not ent_num.isdigit():
            problem = (
                f"expected {width} columns, found {len(values)}"
                if len(values) != width
                else "ent_num is not a whole number"
            )
            warnings.append(
                ParseWarning(
                    file=file,
                    record=f"line {line}",
                    field="row",
                    value=",".join(values)[:200],
                    problem=f"{problem}; row skipped",
                )
            )
            continue
        rows.append(_Row(line, ent_num, tuple(_null(v) for v in values)))
    if records and len(warnings) > records * MAX_BAD_ROW_SHARE:
        raise SourceFormatError(
            f"{file}: {len(warnings)} of {records} rows do not have the {width} columns of an "
            f"OFAC {role.value} file (first bad row: {warnings[0].value!r})"
        )
    return rows, warnings


def _clean(value: str | None) -> str | None:
    """Strip a text field; empty text counts as null."""
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def split_programs(value: str | None) -> tuple[str, ...]:
    """``'SDGT] [IRGC'`` -> ``('SDGT', 'IRGC')``: OFAC's multi-valued Program column."""
    if value is None:
        return ()
    parts = (p.strip(" []") for p in value.split("] ["))
    return tuple(p for p in parts if p)


# --------------------------------------------------------------------------------------------
# Remarks
# --------------------------------------------------------------------------------------------

_ITEM_SEPARATOR = re.compile(r";\s+")
"""Items are separated by a semicolon and a space; a bare ``;`` inside a value is kept."""

_TERMINAL_ABBREVIATIONS = frozenset(
    {"LTD", "CO", "INC", "CORP", "LTDA", "BHD", "PTE", "PVT", "JR", "SR", "ST", "NO"}
)
"""Words whose own full stop is also the record's: ``... GROUP CO., LTD.`` keeps its ``.``."""

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}

_DATE = re.compile(r"^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$")

_CMIC_DATE_LABELS = {
    "Listing Date (CMIC)": "listing_date",
    "Effective Date (CMIC)": "effective_date",
    "Purchase/Sales For Divestment Date (CMIC)": "divestment_date",
}
"""OFAC's exact labels (note "Divestment", not "Divestiture") -> ``ListEntry`` field."""

_WEAK_ALIAS = re.compile(r"^[afn]\.k\.a\.\s+'(.*)'$", re.IGNORECASE | re.DOTALL)
_USCC = re.compile(r"^Unified Social Credit Code \(USCC\)\s+(\S+)(?:\s+\((.*)\))?$")
_TWO_LETTER_SUFFIX = re.compile(r"^(\d+)([A-Z]{2})$")

_Warn = Callable[[str, str, str], None]
"""``warn(field, value, problem)``: how ``parse_remarks`` lets its helpers report a flaw."""


def split_remarks(remarks: str) -> list[str]:
    """Split remarks into items at ``; `` and drop the record's final full stop.

    The final ``.`` is OFAC's end of record, except where the last word is an abbreviation
    that takes a stop of its own (``CO., LTD.``, ``S.A.``): OFAC does not double it.
    """
    items = [item.strip() for item in _ITEM_SEPARATOR.split(remarks)]
    items = [item for item in items if item]
    if items and items[-1].endswith("."):
        last_word = items[-1][:-1].rsplit(None, 1)[-1] if items[-1][:-1].strip() else ""
        bare = last_word.strip("'\"(),")
        if not ("." in bare or bare.upper() in _TERMINAL_ABBREVIATIONS):
            items[-1] = items[-1][:-1].rstrip()
            if not items[-1]:
                items.pop()
    return items


def parse_ofac_date(text: str) -> dt.date | None:
    """``'03 Jun 2021'`` -> 2021-06-03, independent of the locale; ``None`` if not such a date."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    month = _MONTHS.get(match.group(2).lower())
    if month is None:
        return None
    try:
        return dt.date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        return None


def normalise_ticker(ticker: str) -> tuple[str, str | None]:
    """Return the ticker whitespace-normalised (``CODE COUNTRY``) and the flaw found, if any."""
    stripped = ticker.strip()
    collapsed = " ".join(stripped.split())
    if collapsed != stripped:
        return collapsed, "more than one space inside the ticker"
    if " " not in collapsed:
        match = _TWO_LETTER_SUFFIX.match(collapsed)
        if match is not None:
            return f"{match.group(1)} {match.group(2)}", "no space before the exchange code"
        return collapsed, "no exchange code"
    return collapsed, None


@dataclass
class RemarkFields:
    """What the importer reads out of one record's remarks."""

    tickers: list[str] = field(default_factory=list)
    isins: list[str] = field(default_factory=list)
    issuer_names: list[str] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    uscc: list[str] = field(default_factory=list)
    target_types: list[str] = field(default_factory=list)
    listing_date: dt.date | None = None
    effective_date: dt.date | None = None
    divestment_date: dt.date | None = None


def _labelled(item: str, label: str) -> str | None:
    """The value after ``label`` or ``alt. label`` (a space or ``:`` between), else ``None``."""
    for prefix in (label, "alt. " + label):
        if item.startswith(prefix):
            rest = item[len(prefix) :]
            if rest[:1] in (" ", ":"):
                value = rest[1:].strip() if rest[:1] == ":" else rest.strip()
                return value or None
    return None


def parse_remarks(
    remarks: str, *, file: str, record: str
) -> tuple[RemarkFields, list[ParseWarning]]:
    """Read the screening-relevant items of one record's (joined) remarks."""
    return parse_remark_items(split_remarks(remarks), file=file, record=record)


def parse_remark_items(
    items: Iterable[str], *, file: str, record: str, where: str = "remarks"
) -> tuple[RemarkFields, list[ParseWarning]]:
    """Read already split items (``Equity Ticker 0020 HK``, ``a.k.a. 'X'``, ...).

    The CSV remarks and the XML ``<id>`` elements carry the same items (OFAC's CSV exporter
    writes each ``<id>`` as ``idType idNumber``), so both importers read them here; ``where``
    names the place in warnings (``remarks`` or ``idList``).
    """
    fields = RemarkFields()
    warnings: list[ParseWarning] = []

    def warn(field_name: str, value: str, problem: str) -> None:
        warnings.append(
            ParseWarning(file=file, record=record, field=field_name, value=value, problem=problem)
        )

    for item in items:
        if (value := _labelled(item, "Equity Ticker")) is not None:
            ticker, flaw = normalise_ticker(value)
            if flaw is not None:
                warn(f"{where}: Equity Ticker", value, f"{flaw}; read as {ticker!r}")
            if ticker not in fields.tickers:
                fields.tickers.append(ticker)
        elif (value := _labelled(item, "ISIN")) is not None:
            if not stdnum_isin.is_valid(value):
                warn(f"{where}: ISIN", value, "not a valid ISIN (format or check digit); dropped")
            elif value in fields.isins:
                warn(f"{where}: ISIN", value, "published twice in this record; kept once")
            else:
                fields.isins.append(value)
        elif (value := _labelled(item, "Issuer Name")) is not None:
            if value not in fields.issuer_names:
                fields.issuer_names.append(value)
        elif (value := _labelled(item, "Linked To")) is not None:
            if value not in fields.linked_to:
                fields.linked_to.append(value)
        elif (value := _labelled(item, "Target Type")) is not None:
            if value not in fields.target_types:
                fields.target_types.append(value)
        elif (match := _WEAK_ALIAS.match(item)) is not None:
            alias = match.group(1).strip()
            if alias and alias not in fields.weak_aliases:
                fields.weak_aliases.append(alias)
        elif (match := _USCC.match(item)) is not None:
            code = match.group(1)
            if stdnum_uscc.is_valid(code):
                if code not in fields.uscc:
                    fields.uscc.append(code)
            else:
                warn(f"{where}: USCC", code, "not a valid Unified Social Credit Code; dropped")
        else:
            _read_cmic_date(item, fields, warn, where)
    return fields, warnings


def _read_cmic_date(item: str, fields: RemarkFields, warn: _Warn, where: str) -> None:
    """Set a CMIC date from an item carrying one of the three labels; warn on anything odd."""
    for label, attribute in _CMIC_DATE_LABELS.items():
        if item.startswith(label + " ") or item == label:
            text = item[len(label) :].strip()
            date = parse_ofac_date(text)
            if date is None:
                warn(f"{where}: {label}", text, "not a date of the form '03 Jun 2021'; ignored")
                return
            previous: dt.date | None = getattr(fields, attribute)
            if previous is not None and previous != date:
                warn(f"{where}: {label}", text, f"second, different date; kept {previous}")
                return
            setattr(fields, attribute, date)
            return
    if "(CMIC)" in item:
        warn(where, item, "a CMIC item with a label this importer does not know; ignored")


# --------------------------------------------------------------------------------------------
# Records -> entries
# --------------------------------------------------------------------------------------------


@dataclass
class _Record:
    """One primary row plus everything the other three files attach to it."""

    ent_num: str
    name: str
    sdn_type: str | None
    programs: tuple[str, ...]
    remarks: str
    strong_aliases: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def _entity_type(sdn_type: str | None) -> str:
    """OFAC leaves SDN_Type null for entities (its XML says ``Entity``)."""
    return sdn_type.lower() if sdn_type else "entity"


def _address_text(values: Sequence[str | None]) -> str | None:
    """``address, city/state/postal, country (remarks)``, skipping nulls; ``None`` if all null."""
    address, city, country, remarks = (_clean(v) for v in values)
    text = ", ".join(part for part in (address, city, country) if part)
    if remarks:
        text = f"{text} ({remarks})" if text else remarks
    return text or None


def parse_ofac_files(
    files: Mapping[FileRole, tuple[str, bytes]],
    *,
    list_id: str,
    programs: Collection[str] | None = None,
) -> OfacImport:
    """Parse an OFAC CSV set given as ``role -> (file name, raw bytes)``; no I/O.

    ``programs`` selects the records having at least one of these program tags (``None``: all
    records). Only the selected records' remarks are read, so the warnings concern them, plus
    file-level flaws (malformed rows, comment/alt/add rows without a primary record).
    """
    if FileRole.PRIM not in files:
        raise SourceFormatError("an OFAC CSV set needs its primary file (cons_prim.csv / sdn.csv)")
    warnings: list[ParseWarning] = []
    infos: list[SourceFile] = []
    rows: dict[FileRole, list[_Row]] = {}
    names: dict[FileRole, str] = {}
    for role in FileRole:
        if role not in files:
            continue
        name, raw = files[role]
        decoded = decode_ofac_bytes(raw)
        warnings.extend(
            ParseWarning(
                file=name,
                record=f"line {line}",
                field="encoding",
                value=encoding,
                problem=f"not valid UTF-8; decoded as {encoding}",
            )
            for line, encoding in decoded.fallback_lines.items()
        )
        text = decoded.text
        role_rows, role_warnings = _read_rows(text, name, role)
        warnings.extend(role_warnings)
        rows[role] = role_rows
        names[role] = name
        count = len(role_rows) + len(role_warnings)
        infos.append(SourceFile.read(name, raw, count, role=role, encoding=decoded.encoding))

    records = _join(rows, names, warnings)
    prim_name = names[FileRole.PRIM]
    selected = ((record, None) for record in records.values())
    entries = _select_entries(selected, prim_name, list_id, programs, warnings)
    return OfacImport.of(list_id, programs, entries, warnings, infos)


def _select_entries(
    records: Iterable[tuple[_Record, Sequence[str] | None]],
    file: str,
    list_id: str,
    programs: Collection[str] | None,
    warnings: list[ParseWarning],
) -> list[ListEntry]:
    """The records having one of ``programs`` (all if ``None``), read into entries.

    Each record comes with its items already split (the XML's ids and weak akas) or ``None``
    (the CSV: the items are read from the record's remarks). Warnings are appended.
    """
    wanted = None if programs is None else frozenset(programs)
    entries: list[ListEntry] = []
    first_isin_owner: dict[str, str] = {}
    for record, items in records:
        if wanted is not None and wanted.isdisjoint(record.programs):
            continue
        if items is None:
            fields, item_warnings = parse_remarks(record.remarks, file=file, record=record.ent_num)
        else:
            fields, item_warnings = parse_remark_items(
                items, file=file, record=record.ent_num, where="idList"
            )
        warnings.extend(item_warnings)
        for isin in fields.isins:
            owner = first_isin_owner.setdefault(isin, record.ent_num)
            if owner != record.ent_num:
                warnings.append(
                    ParseWarning(
                        file=file,
                        record=record.ent_num,
                        field="idList: ISIN" if items is not None else "remarks: ISIN",
                        value=isin,
                        problem=f"also published for ent_num {owner}; kept on both",
                    )
                )
        entries.append(_to_entry(record, fields, list_id))
    return entries


def _join(
    rows: Mapping[FileRole, list[_Row]], names: Mapping[FileRole, str], warnings: list[ParseWarning]
) -> dict[str, _Record]:
    """Build records from the primary rows and attach comments, aliases and addresses."""
    records: dict[str, _Record] = {}
    prim_name = names[FileRole.PRIM]
    for row in rows[FileRole.PRIM]:
        values = row.values
        name = _clean(values[1])
        if row.ent_num in records:
            warnings.append(
                ParseWarning(
                    file=prim_name,
                    record=row.ent_num,
                    field="ent_num",
                    value=row.ent_num,
                    problem=f"line {row.line} repeats an ent_num; row skipped",
                )
            )
            continue
        if name is None:
            warnings.append(
                ParseWarning(
                    file=prim_name,
                    record=row.ent_num,
                    field="SDN_Name",
                    value="",
                    problem="record without a name; kept with its ent_num as name",
                )
            )
        records[row.ent_num] = _Record(
            ent_num=row.ent_num,
            name=name or row.ent_num,
            sdn_type=_clean(values[2]),
            programs=split_programs(values[3]),
            remarks=values[11] or "",  # not stripped: a cut may end in a space
        )

    def orphan(role: FileRole, row: _Row) -> bool:
        if row.ent_num in records:
            return False
        warnings.append(
            ParseWarning(
                file=names[role],
                record=row.ent_num,
                field="ent_num",
                value=row.ent_num,
                problem=f"no record with this ent_num in {prim_name}; ignored (line {row.line})",
            )
        )
        return True

    for row in rows.get(FileRole.COMMENTS, []):
        if not orphan(FileRole.COMMENTS, row):
            records[row.ent_num].remarks += row.values[1] or ""
    for row in rows.get(FileRole.ALT, []):
        if orphan(FileRole.ALT, row):
            continue
        alt_type = (_clean(row.values[2]) or "").lower()
        alias = _clean(row.values[3])
        if alias is None:
            continue
        if alt_type not in STRONG_ALIAS_TYPES:
            warnings.append(
                ParseWarning(
                    file=names[FileRole.ALT],
                    record=row.ent_num,
                    field="alt_type",
                    value=alt_type,
                    problem="not aka/fka/nka; alias kept as strong",
                )
            )
        aliases = records[row.ent_num].strong_aliases
        if alias not in aliases:
            aliases.append(alias)
    for row in rows.get(FileRole.ADD, []):
        if orphan(FileRole.ADD, row):
            continue
        address = _address_text(row.values[2:6])
        if address is not None:
            records[row.ent_num].addresses.append(address)
    return records


def _to_entry(record: _Record, fields: RemarkFields, list_id: str) -> ListEntry:
    return ListEntry(
        list_id=list_id,
        entry_id=record.ent_num,
        name=record.name,
        entity_type=_entity_type(record.sdn_type),
        programs=record.programs,
        strong_aliases=tuple(record.strong_aliases),
        weak_aliases=tuple(fields.weak_aliases),
        issuer_names=tuple(fields.issuer_names),
        isins=tuple(fields.isins),
        tickers=tuple(fields.tickers),
        linked_to=tuple(fields.linked_to),
        listing_date=fields.listing_date,
        effective_date=fields.effective_date,
        divestment_date=fields.divestment_date,
        remarks=record.remarks.strip(),
        addresses=tuple(record.addresses),
        uscc=tuple(fields.uscc),
        target_types=tuple(fields.target_types),
    )


# --------------------------------------------------------------------------------------------
# The file-system edge
# --------------------------------------------------------------------------------------------


def find_ofac_files(directory: Path) -> dict[FileRole, Path]:
    """Locate the files of an OFAC CSV set in a directory (names matched case-insensitively)."""
    if not directory.is_dir():
        raise SourceFormatError(f"{directory}: not a directory of OFAC CSV files")
    present = {p.name.lower(): p for p in directory.iterdir() if p.is_file()}
    found: dict[FileRole, Path] = {}
    for role, candidates in FILE_NAMES.items():
        for candidate in candidates:
            if candidate in present:
                found[role] = present[candidate]
                break
    if FileRole.PRIM not in found:
        raise SourceFormatError(
            f"{directory}: no cons_prim.csv or sdn.csv (found: {sorted(present) or 'nothing'})"
        )
    return found


def import_ofac_csv(
    source: Path | Mapping[FileRole, Path],
    *,
    list_id: str,
    programs: Collection[str] | None = None,
) -> OfacImport:
    """Read an OFAC CSV set (a directory, or ``role -> path``) and parse it.

    NS-CMIC: ``import_ofac_csv(dir, list_id="ns-cmic", programs=[CMIC_PROGRAM])``;
    SDN: ``import_ofac_csv(dir, list_id="sdn")``.
    """
    paths = find_ofac_files(source) if isinstance(source, Path) else dict(source)
    contents: dict[FileRole, tuple[str, bytes]] = {}
    for role, path in paths.items():
        try:
            contents[role] = (path.name, path.read_bytes())
        except OSError as exc:
            raise SourceFormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_ofac_files(contents, list_id=list_id, programs=programs)


def warning_counts(warnings: Iterable[ParseWarning]) -> dict[str, int]:
    """Count warnings by ``field: problem kind`` (the problem text up to its first ``;``)."""
    counts: dict[str, int] = {}
    for warning in warnings:
        key = f"{warning.field}: {warning.problem.split(';')[0]}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
