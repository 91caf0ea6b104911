"""Reading holdings files into grids of display text (the I/O edge of ``holdings``).

One function per format, each returning one :class:`~.tables.Grid` per sheet:

* workbooks (.xlsx, .xlsm, legacy .xls, .ods) through python-calamine: cached cell values only,
  so macros and formulas never run; merged cells are spread over the cells they cover;
* CSV text in any common encoding (UTF-8 with or without BOM, UTF-16, GB18030, cp1252) and
  delimiter (``, ; tab |``), read column-wise with pandas' C parser.

Before a parser sees a file, :func:`read_file` checks what a person could get wrong or an
attacker could try: the size against :class:`ReadLimits` (``PORTFOLIO_CHECK_MAX_FILE_MB``), an
extension that does not match the content, an empty file, a password-protected workbook, and
for zip packages (.xlsx/.xlsm/.ods) every part's real unpacked size, expansion ratio and any XML
document type declaration (entity bombs, external entities). Every failure becomes an
:class:`~portfolio_check.errors.InputFileError` that names the file (and sheet and row where it
applies); no traceback from calamine, zipfile or csv reaches the caller.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from portfolio_check.errors import InputFileError, UsageError
from portfolio_check.holdings.cells import (
    MAX_CELL_CHARS,
    clean_column,
    clean_dictionary,
    clean_text,
    cuts_made,
    render,
    render_float,
    was_cut,
)
from portfolio_check.holdings.encoding import DETECTED_ENCODINGS, decode_csv, utf16_without_bom
from portfolio_check.holdings.guards import (
    EXCEL_MAX_COLUMNS,
    DamagedSheet,
    SheetExtent,
    SheetScanner,
    check_extents,
    is_worksheet_part,
    measure_with_parser,
    positive_megabytes,
    read_regular_file,
    sheet_part_names,
)
from portfolio_check.holdings.ods_guard import (
    ODS_CONTENT_PART,
    OdsFastScanner,
    check_ods,
    measure_ods,
)
from portfolio_check.holdings.tables import Grid
from portfolio_check.holdings.xls_guard import check_xls
from portfolio_check.model import InputIssue

EXCEL_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
LEGACY_EXCEL_EXTENSIONS = frozenset({".xls"})
ODS_EXTENSIONS = frozenset({".ods"})
WORKBOOK_EXTENSIONS = EXCEL_EXTENSIONS | LEGACY_EXCEL_EXTENSIONS | ODS_EXTENSIONS
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
SUPPORTED_EXTENSIONS = WORKBOOK_EXTENSIONS | CSV_EXTENSIONS

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an encrypted (password-protected) .xlsx keeps inside its OLE container, as the
# UTF-16LE directory entry name.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
CSV_DELIMITERS = ",;\t|"
# Lines of a CSV used to guess its delimiter.
SNIFF_LINES = 200

# The size limit: a holdings export of 500 MB is already a firm-wide dump; beyond it a file is
# more likely a mistake (or an attack) than a portfolio, and memory use grows with it.
MAX_FILE_ENV = "PORTFOLIO_CHECK_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 500
# A zip package may unpack to at most this many times the file size limit: worksheet XML
# compresses about 10:1, so four times the limit leaves room for any real workbook.
UNPACKED_PER_FILE_LIMIT = 4
# A part unpacking to more than this many times its packed size is a zip bomb (real worksheet
# XML stays far below 200:1; a deflate bomb reaches 1000:1).
MAX_EXPANSION_RATIO = 200
# Parts smaller than this are not judged by their ratio (tiny repetitive XML compresses well).
RATIO_MIN_PART_BYTES = 1 << 20
# A workbook has a few dozen parts; thousands are a crafted archive.
MAX_PACKAGE_PARTS = 10_000
# Unpacking is checked in chunks of this size.
_CHUNK = 1 << 20
_XML_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


class PartScanner(Protocol):
    """Measures a package part from the chunks it unpacks to."""

    def feed(self, chunk: bytes) -> None: ...


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what a holdings file may cost to read (bytes)."""

    max_file_bytes: int
    max_unpacked_bytes: int

    @classmethod
    def from_env(cls, max_file_mb: float | None = None) -> ReadLimits:
        """Limits from ``max_file_mb``, else ``PORTFOLIO_CHECK_MAX_FILE_MB``, else 500 MB."""
        if max_file_mb is None:
            raw = os.environ.get(MAX_FILE_ENV, "").strip()
            max_file_mb = (
                positive_megabytes(MAX_FILE_ENV, raw) if raw else float(DEFAULT_MAX_FILE_MB)
            )
        if not math.isfinite(max_file_mb) or max_file_mb <= 0:
            raise UsageError(f"the file size limit must be positive, not {max_file_mb!r} MB")
        max_bytes = int(max_file_mb * 1024 * 1024)
        return cls(max_bytes, UNPACKED_PER_FILE_LIMIT * max_bytes)


def sniff_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: ``zip``, ``ole``, ``binary`` or ``text``."""
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if (
        b"\x00" in head
        and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        and not utf16_without_bom(head)
    ):
        return "binary"
    return "text"


_KIND_TEXT = {
    "zip": "a zip package (an .xlsx/.xlsm/.ods workbook or a zip archive)",
    "ole": "a legacy Office file (an .xls workbook or a password-protected workbook)",
    "binary": "binary data",
    "text": "plain text",
}
_EXPECTED_KIND = {
    **dict.fromkeys(EXCEL_EXTENSIONS, "zip"),
    **dict.fromkeys(ODS_EXTENSIONS, "zip"),
    **dict.fromkeys(LEGACY_EXCEL_EXTENSIONS, "ole"),
    **dict.fromkeys(CSV_EXTENSIONS, "text"),
}
_EXTENSION_TEXT = {
    **dict.fromkeys(EXCEL_EXTENSIONS, "Excel workbook"),
    ".xls": "legacy Excel workbook (.xls)",
    ".ods": "OpenDocument spreadsheet (.ods)",
    **dict.fromkeys(CSV_EXTENSIONS, "CSV text"),
}


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


def read_file(
    path: Path,
    label: str,
    limits: ReadLimits | None = None,
    parse_started: Callable[[], None] | None = None,
) -> list[Grid]:
    """Read one holdings file into grids (one per sheet); see :func:`read_workbook` for
    ``parse_started``. A file with undecodable bytes is refused here (its issues have nowhere
    to go); :func:`read_file_reporting` reads it and says where they are."""
    grids, issues = read_file_reporting(path, label, limits, parse_started)
    if issues:
        first = issues[0]
        raise InputFileError(label, first.problem, sheet=first.sheet, row=first.row)
    return grids


def read_file_reporting(
    path: Path,
    label: str,
    limits: ReadLimits | None = None,
    parse_started: Callable[[], None] | None = None,
) -> tuple[list[Grid], list[InputIssue]]:
    """:func:`read_file`, and the input issues of reading (bytes that did not decode, texts
    cut to Excel's cell limit)."""
    cuts = cuts_made()
    grids, issues = _read_file(path, label, limits, parse_started)
    if cuts_made() != cuts:
        issues = [*issues, *cut_issues(label, grids)]
    return grids, issues


def cut_issues(label: str, grids: Sequence[Grid]) -> list[InputIssue]:
    """An input issue for each cell whose text was cut to Excel's limit."""
    issues: list[InputIssue] = []
    for grid in grids:
        for c in grid.cells.columns:
            column = grid.cells[c]
            marked = np.flatnonzero(column.map(was_cut).to_numpy(dtype=bool))
            for i in marked.tolist():
                text = column.iat[i]
                issues.append(
                    InputIssue(
                        file=label,
                        sheet=grid.sheet,
                        row=int(grid.rows[i]),
                        problem=f"the cell's text is longer than Excel's {MAX_CELL_CHARS:,} "
                        "characters a cell can hold; it is cut, and marked as cut, everywhere "
                        "it is shown",
                        value=str(text)[:60] + "…",
                    )
                )
    return issues


def _read_file(
    path: Path,
    label: str,
    limits: ReadLimits | None,
    parse_started: Callable[[], None] | None,
) -> tuple[list[Grid], list[InputIssue]]:
    limits = limits or ReadLimits.from_env()
    if path.is_dir():
        raise InputFileError(label, "is a directory, not a holdings file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise InputFileError(
            label,
            f"unsupported file type {suffix or '(no extension)'!r}; "
            f"expected one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}",
        )
    data = read_regular_file(path, label, limits.max_file_bytes, f"set {MAX_FILE_ENV} to raise it")
    if _SOME_CONTENT.search(data) is None:  # (not data.strip(...): that copies the file)
        raise InputFileError(label, "the file is empty")
    kind = sniff_kind(data[:4096])
    if kind == "ole" and _ENCRYPTED_PACKAGE in data:
        raise InputFileError(
            label,
            "the workbook is password-protected (encrypted); save a copy without a password "
            "and check that",
        )
    expected = _EXPECTED_KIND[suffix]
    if kind != expected:
        raise InputFileError(
            label,
            f"the extension says {_EXTENSION_TEXT[suffix]} but the content is {_KIND_TEXT[kind]}",
        )
    if kind == "text":
        if parse_started is not None:
            parse_started()  # Arrow parses a big CSV on its own threads, without the GIL
        grid, issues = read_csv_reporting(data, label, sheet=path.stem or "csv")
        return [grid], issues
    if kind == "zip":
        check_package(data, label, limits)
    elif kind == "ole":
        check_xls(data, label)
    return read_workbook(data, label, parse_started), []


# --------------------------------------------------------------------------------------------
# Zip packages (.xlsx / .xlsm / .ods): bombs and entity declarations
# --------------------------------------------------------------------------------------------


def check_package(data: bytes, label: str, limits: ReadLimits) -> None:
    """Refuse a zip package that is damaged, a zip bomb, or holds an XML DTD.

    Every part is unpacked once, in chunks, without keeping it: the real size (not the one the
    archive claims) counts against ``limits.max_unpacked_bytes`` and the expansion ratio, and a
    ``<!DOCTYPE``/``<!ENTITY`` anywhere (never present in a real workbook; the means of entity
    expansion bombs and external entity reads) rejects the file.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise InputFileError(
            label, f"not a readable workbook: the zip package is damaged or truncated ({exc})"
        ) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PACKAGE_PARTS:
            raise InputFileError(
                label, f"the workbook package has {len(parts):,} parts; refusing to unpack it"
            )
        declared = sum(p.file_size for p in parts)
        if declared > limits.max_unpacked_bytes:
            raise InputFileError(
                label,
                f"the workbook would unpack to {_megabytes(declared)}, above the limit of "
                f"{_megabytes(limits.max_unpacked_bytes)} (a zip bomb, or set {MAX_FILE_ENV})",
            )
        total = 0
        extents: dict[str, SheetExtent] = {}
        ods: tuple[zipfile.ZipInfo, OdsFastScanner] | None = None
        for part in parts:
            scanner: PartScanner | None = None
            if is_worksheet_part(part.filename):
                scanner = SheetScanner()
            elif part.filename == ODS_CONTENT_PART:
                # every package holding an OpenDocument body is measured, whatever its
                # extension: calamine picks the format from the content
                scanner = fast = OdsFastScanner()
                ods = (part, fast)
            total += _check_part(archive, part, label, limits.max_unpacked_bytes - total, scanner)
            if isinstance(scanner, SheetScanner):
                extents[part.filename] = _extent(archive, part, scanner, label)
        if extents:
            check_extents(label, extents, _sheet_names(archive))
        if ods is not None:
            part, fast = ods
            check_ods(label, measure_ods(fast, lambda: archive.open(part)))


def _extent(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, scanner: SheetScanner, label: str
) -> SheetExtent:
    if not scanner.needs_parser:
        return scanner.extent
    with archive.open(part) as stream:  # already unpacked once without error
        try:
            return measure_with_parser(stream)
        except DamagedSheet as exc:
            raise InputFileError(
                label,
                f"not a readable workbook: the worksheet part {part.filename!r} is not "
                f"well-formed XML ({exc}); refusing to read it",
            ) from None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    try:
        return sheet_part_names(
            archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels")
        )
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}


def _check_part(
    archive: zipfile.ZipFile,
    part: zipfile.ZipInfo,
    label: str,
    budget: int,
    scanner: PartScanner | None = None,
) -> int:
    """Unpack one part in chunks; returns its real size. Raises on a bomb or a DTD.

    A worksheet part's (or an .ods body's) chunks also go to ``scanner``, which measures its
    cells.
    """
    size = 0
    tail = b""
    # the size the archive declares bounds what unpacking yields (zipfile stops there), so a
    # declared bomb is refused before a scanner spends seconds on hundreds of megabytes
    _check_ratio(part, part.file_size, label)
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise InputFileError(
                        label,
                        f"the workbook unpacks to more than the limit of {_megabytes(budget)} "
                        f"(part {part.filename!r}: a zip bomb, or set {MAX_FILE_ENV})",
                    )
                window = tail + chunk
                if any(d in window for d in _XML_DECLARATIONS):
                    raise InputFileError(
                        label,
                        f"the workbook part {part.filename!r} declares an XML document type or "
                        "entities, which no real workbook does (an XML bomb or external entity "
                        "attack); refusing to read it",
                    )
                tail = chunk[-16:]
                if scanner is not None:
                    scanner.feed(chunk)
    except InputFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise InputFileError(
            label,
            f"not a readable workbook: part {part.filename!r} is damaged or truncated ({exc})",
        ) from None
    except Exception as exc:  # zlib.error and friends from a crafted stream
        raise InputFileError(
            label,
            f"not a readable workbook: part {part.filename!r} cannot be unpacked "
            f"({type(exc).__name__}: {exc})",
        ) from None
    _check_ratio(part, size, label)
    return size


def _check_ratio(part: zipfile.ZipInfo, size: int, label: str) -> None:
    if size > RATIO_MIN_PART_BYTES and size > MAX_EXPANSION_RATIO * max(part.compress_size, 1):
        raise InputFileError(
            label,
            f"the workbook part {part.filename!r} expands {size / max(part.compress_size, 1):,.0f}"
            f" times (a zip bomb); refusing to read it",
        )


# --------------------------------------------------------------------------------------------
# Workbooks: .xlsx / .xlsm / .xls / .ods through calamine
# --------------------------------------------------------------------------------------------


def read_workbook(
    data: bytes, label: str, parse_started: Callable[[], None] | None = None
) -> list[Grid]:
    """All worksheets of a workbook (cached values; macros never run; chart sheets skipped).

    ``parse_started`` is called as calamine starts parsing the sheets, which it does without
    holding Python's GIL: a thread waiting for that moment runs alongside instead of slowing
    the Python steps before it.
    """
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise InputFileError(
            label,
            "the workbook is password-protected (encrypted); save a copy without a password "
            "and check that",
        ) from None
    except Exception as exc:  # calamine raises several kinds on damaged files
        raise InputFileError(
            label, f"the workbook is damaged or truncated ({_calamine_problem(exc)})"
        ) from None
    grids: list[Grid] = []
    try:
        sheets = [
            m.name for m in workbook.sheets_metadata if m.typ in (SheetTypeEnum.WorkSheet,)
        ] or list(workbook.sheet_names)
        if parse_started:
            parse_started()
        for name in sheets:
            try:
                sheet = workbook.get_sheet_by_name(name)
                values = sheet.to_python(skip_empty_area=False)
                merged = list(sheet.merged_cell_ranges or [])
            except PasswordError:
                raise InputFileError(
                    label, "the workbook is password-protected (encrypted)", sheet=name
                ) from None
            except Exception as exc:
                raise InputFileError(
                    label, f"cannot read the sheet ({_calamine_problem(exc)})", sheet=name
                ) from None
            grids.append(sheet_grid(name, values, merged))
    finally:
        workbook.close()
    if not any(len(g) for g in grids):
        raise InputFileError(label, "the workbook has no data (every sheet is empty)")
    return grids


def _calamine_problem(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


Merge = tuple[tuple[int, int], tuple[int, int]]


def sheet_rows(
    values: Sequence[Sequence[object]], merged: Sequence[Merge] = ()
) -> list[tuple[int, list[str | None]]]:
    """A sheet's non-blank rows as (Excel row number, display texts).

    ``values`` start at A1; ``merged`` are calamine's ((first row, first column), (last row,
    last column)) ranges, 0-based inclusive. A merged cell's text is spread over the cells it
    covers in rows that hold something else too: a merged header then names every column under
    it, an account merged down its holdings names each of them, and a merge never turns a blank
    row into a row to account for. A merge that is alone in its row (a title or a disclaimer
    across the page) stays one cell.
    """
    rows: list[list[str | None]] = [[render(v) for v in row] for row in values]
    filled = [any(v is not None for v in row) for row in rows]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]) or rows[r0][c0] is None:
            continue
        text = rows[r0][c0]
        top = rows[r0]
        alone = all(v is None for c, v in enumerate(top) if c < c0 or c > c1)
        last_column = c0 if alone else c1
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            if not filled[r]:
                continue
            row = rows[r]
            for c in range(c0, min(last_column, len(row) - 1) + 1):
                if row[c] is None:
                    row[c] = text
    return [(i + 1, row) for i, row in enumerate(rows) if filled[i]]


def render_values(values: np.ndarray) -> np.ndarray:
    """:func:`render` over an array of cell values, each distinct value rendered once.

    The values are grouped by their exact type first, and texts, floats, ints and booleans are
    factorised within their type: hashing folds ``True`` into ``1`` and ``1.0`` (which render
    differently), so one factorisation over mixed types would merge them. Values of any other
    type (dates, a caller's Decimals) are rendered one by one.
    """
    out = np.full(len(values), None, dtype=object)
    if not len(values):
        return out
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    # types factorised, then compared as codes: ``types == np.float64`` would be read by numpy
    # as a comparison with a dtype, not with the class object
    type_codes, kinds = pd.factorize(types)
    for k, kind in enumerate(kinds.tolist()):
        if kind is type(None):
            continue
        where = type_codes == k
        subset = values[where]
        renderer = _RENDER_BY_TYPE.get(kind)
        if renderer is None:
            out[where] = [render(v) for v in subset.tolist()]
            continue
        if kind is float:
            subset = subset.astype(np.float64)
        codes, uniques = pd.factorize(subset, use_na_sentinel=True)
        lookup = np.array([*map(renderer, uniques.tolist()), None], dtype=object)
        out[where] = lookup[codes]
    return out


# The types a workbook reader gives most cells, rendered per distinct value of the type.
_RENDER_BY_TYPE: dict[type, Callable[[Any], str | None]] = {
    str: clean_text,
    float: render_float,
    int: render,
    bool: render,
}


def sheet_grid(name: str, values: Sequence[Sequence[object]], merged: Sequence[Merge] = ()) -> Grid:
    """``Grid.from_rows(name, sheet_rows(values, merged))``, column-wise when nothing is merged.

    A position export of 100,000 rows renders in a fraction of the time a cell-by-cell pass
    takes (issue 6). Sheets with merged cells (formatted reports, small) take
    :func:`sheet_rows`, which owns the merge rules.
    """
    width = max((len(row) for row in values), default=0)
    if (
        merged
        or any(len(row) != width for row in values)
        or len(values) * width <= SMALL_SHEET
        or len(values) < COLUMN_WISE_FROM_ROWS
    ):
        return compact_columns(Grid.from_rows(name, sheet_rows(values, merged)))
    if width == 0:
        return Grid.from_rows(name, [])
    raw = pd.DataFrame(list(values), dtype=object).to_numpy(dtype=object)
    kept = _columns_worth_rendering(raw)
    if not all(kept):
        raw = raw[:, kept]
    # the whole sheet rendered at once, each distinct value once (an .ods run repeats a text
    # across columns; a column at a time, each column would render it again)
    rendered = _by_column(render_values, raw)
    filled = pd.notna(rendered).any(axis=1)
    if not filled.any():
        return Grid.from_rows(name, [])
    cells = pd.DataFrame(rendered[filled], columns=range(raw.shape[1]), dtype=object)
    return Grid(name, cells, np.flatnonzero(filled).astype(np.int64) + 1)


def _by_column(function: Callable[[np.ndarray], np.ndarray], cells: np.ndarray) -> np.ndarray:
    """``function`` (a map over a 1-D array of cells) over every cell of a 2-D array at once."""
    rows, width = cells.shape
    out: np.ndarray = function(cells.ravel(order="F")).reshape(width, rows).T
    return out


# A sheet of at most this many cells is read row by row: the column-wise path's fixed cost
# (frames, factorising) is what a workbook of thousands of one-note sheets would pay per sheet.
SMALL_SHEET = 64
# ... and so is a sheet of fewer rows than this: the column-wise path costs about 0.3 ms a
# column whatever its length, so four rows across 16,384 columns of text took 4.4 s that way
# (measured) and a tenth of that cell by cell.
COLUMN_WISE_FROM_ROWS = 256
# A sheet this wide with mostly empty columns is compacted: its empty columns (no header, no
# value) are dropped before any per-column work, so 16,384 empty columns cost nothing. Narrower
# sheets keep their columns as they are (the table analysis sees the layout a person sees).
COMPACT_FROM_COLUMNS = 256


def _columns_worth_rendering(cells: np.ndarray) -> list[bool]:
    """Per column, whether it may hold text; all True unless the sheet is wide and sparse."""
    width = cells.shape[1]
    if width <= COMPACT_FROM_COLUMNS:
        return [True] * width
    blank = pd.isna(cells) | (cells == "")
    kept = (~blank.all(axis=0)).tolist()
    return kept if sum(kept) * 2 < width else [True] * width


def compact_columns(grid: Grid) -> Grid:
    """``grid`` without its empty columns, when it is wide and mostly empty."""
    width = grid.cells.shape[1]
    if width <= COMPACT_FROM_COLUMNS:
        return grid
    filled = grid.cells.notna().any(axis=0).to_numpy(dtype=bool)
    if int(filled.sum()) * 2 >= width:
        return grid
    cells = grid.cells.loc[:, filled]
    cells.columns = pd.RangeIndex(cells.shape[1])
    return Grid(grid.sheet, cells, grid.rows)


# --------------------------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------------------------


# Kept for callers of the former API: the detector's encodings live in :mod:`.encoding`.
CSV_ENCODINGS = DETECTED_ENCODINGS


def decode_text(data: bytes, label: str = "<text>") -> tuple[str, str]:
    """CSV bytes as text and the encoding decided (see :func:`.encoding.decode_csv`)."""
    decoded = decode_csv(data, label)
    return decoded.text, decoded.encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number (> 1) of fields.

    Excel's ``sep=;`` first line, when present, decides.
    """
    first = text[:16].splitlines()[0] if text else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    sample = "\n".join(_head_lines(text, SNIFF_LINES))
    best, best_score = ",", -1.0
    for delim in CSV_DELIMITERS:
        counts: dict[int, int] = {}
        try:
            for record in csv.reader(io.StringIO(sample), delimiter=delim):
                if len(record) > 1:
                    counts[len(record)] = counts.get(len(record), 0) + 1
        except csv.Error:
            continue
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = lines + 0.01 * width
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_bytes(data: bytes, label: str, *, sheet: str = "csv") -> Grid:
    """A CSV file as one grid; row numbers are the line where each record starts."""
    return read_csv_reporting(data, label, sheet=sheet)[0]


def read_csv_reporting(
    data: bytes, label: str, *, sheet: str = "csv"
) -> tuple[Grid, list[InputIssue]]:
    """A CSV file as one grid, and an input issue for each byte sequence that did not decode."""
    decoded = decode_csv(data, label)
    delimiter = sniff_delimiter(decoded.text)
    grid = read_csv_text(decoded.text, label, sheet=sheet, delimiter=delimiter, utf8=decoded.utf8)
    issues = [
        InputIssue(
            file=label,
            sheet=sheet,
            row=bad.line,
            problem=(
                f"bytes that are not {decoded.encoding} were read as \ufffd (the rest of the "
                "file decoded cleanly); the cell holding them may be misread"
            ),
            value=bad.data.hex(" ") or None,
        )
        for bad in decoded.bad
    ]
    return grid, issues


def read_csv_text(
    text: str, label: str, *, sheet: str, delimiter: str, utf8: bytes | None = None
) -> Grid:
    """Parse CSV text: Arrow's or pandas' parser when it can, the csv module when rows are
    ragged. ``utf8``, when given, is ``text`` as UTF-8 (the file's bytes)."""
    try:
        grid = _read_csv_fast(text, sheet=sheet, delimiter=delimiter, utf8=utf8)
    except (pd.errors.ParserError, ValueError):
        grid = _read_csv_records(text, label, sheet=sheet, delimiter=delimiter)
    if len(grid) == 0:
        raise InputFileError(label, "the file has no data (only blank lines)")
    return grid


def _head_lines(text: str, count: int) -> list[str]:
    """``text.splitlines()[:count]`` without splitting a million-line text."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if len(lines) > count or size >= len(text):
            return lines[:count]  # the slice's last line may be cut short: never among them
        size *= 4


def _tail_lines(text: str, count: int) -> list[str]:
    """``text.splitlines()[-count:]`` without splitting a million-line text."""
    size = 1 << 16
    while True:
        lines = text[-size:].splitlines()
        if len(lines) > count or size >= len(text):
            return lines[-count:]  # the slice's first line may be cut short: never among them
        size *= 4


def _line_count(text: str | bytes) -> int:
    """Lines of a text, or of its UTF-8 bytes (where the count is a fast byte search)."""
    if isinstance(text, bytes):
        terminators = text.count(b"\n")
        if b"\r" in text:  # one search, where most files need no second and third count
            terminators += text.count(b"\r") - text.count(b"\r\n")
        return terminators + (0 if text.endswith((b"\n", b"\r")) else 1)
    terminators = text.count("\n") + text.count("\r") - text.count("\r\n")
    return terminators + (0 if text.endswith(("\n", "\r")) else 1)


def _max_fields(text: str, delimiter: str) -> int:
    """The widest record among the first and last lines (a guess; the parser checks it)."""
    sample = _head_lines(text, SNIFF_LINES) + _tail_lines(text, SNIFF_LINES)
    width = 1
    for line in sample:
        try:
            width = max(width, len(next(csv.reader([line], delimiter=delimiter), [])))
        except csv.Error:
            continue
    return width


# A byte that makes a file more than blank: the search stops at the first one.
_SOME_CONTENT = re.compile(rb"[^ \t\r\n\x00]")

# Arrow parses a CSV in blocks of this many bytes, each on a thread, each with its own
# dictionary per column (unified after the parse).
ARROW_BLOCK_BYTES = 1 << 24
# A CSV wider than this is read line by line (the csv module) rather than column-wise.
COLUMN_WISE_CSV_COLUMNS = 1_024


def _read_csv_fast(text: str, *, sheet: str, delimiter: str, utf8: bytes | None = None) -> Grid:
    width = _max_fields(text, delimiter)
    if width > EXCEL_MAX_COLUMNS:
        raise ValueError("too wide for the column-wise parser")  # the record reader names it
    if width > COLUMN_WISE_CSV_COLUMNS:
        # pandas builds every column as its own array, about 0.16 ms a column whatever its
        # length: four lines across 16,384 columns took 2.6 s that way and 0.1 s line by line
        raise ValueError("too wide for the column-wise parser")
    grid = _read_csv_arrow(text, sheet=sheet, delimiter=delimiter, width=width, utf8=utf8)
    if grid is not None:
        return grid
    return _read_csv_pandas(text, sheet=sheet, delimiter=delimiter, width=width)


def _read_csv_pandas(text: str, *, sheet: str, delimiter: str, width: int) -> Grid:
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        header=None,
        names=list(range(width)),
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    if frame.empty:
        return Grid.from_frame(sheet, frame, np.zeros(0, dtype=np.int64))
    if _line_count(text) == len(frame):
        starts = np.arange(1, len(frame) + 1, dtype=np.int64)
    else:
        # quoted fields span lines: a record starts after the previous record's lines
        embedded = np.zeros(len(frame), dtype=np.int64)
        for c in frame.columns:
            col = frame[c].astype(str)
            if (
                col.str.contains("\n", regex=False).any()
                or col.str.contains("\r", regex=False).any()
            ):
                embedded += col.str.count(r"\r\n|\r|\n").to_numpy(dtype=np.int64)
        spans = 1 + embedded
        starts = np.concatenate(([1], 1 + np.cumsum(spans)[:-1])).astype(np.int64)
    fields = frame.to_numpy(dtype=object)
    kept = _columns_worth_rendering(fields)
    if not all(kept):
        fields = fields[:, kept]
    cleaned = pd.DataFrame(_by_column(clean_column, fields), index=frame.index, dtype=object)
    return Grid.from_frame(sheet, cleaned, starts)


def _read_csv_arrow(
    text: str, *, sheet: str, delimiter: str, width: int, utf8: bytes | None = None
) -> Grid | None:
    """A CSV whose every line is one record of ``width`` fields, read by Arrow's parser with
    each column dictionary-coded: a distinct text is cleaned once and becomes a Python string
    once, and the codes go on to the row classifier (``Grid.factors``). None for any other
    CSV (ragged or blank lines, a value spanning lines, no pyarrow), which pandas' parser
    reads as before; both give the same grid (tests/holdings/test_csv_arrow.py). ``utf8`` is
    ``text`` as UTF-8 when the caller has it (the file's bytes)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    try:
        # the file's own bytes when they are the text as UTF-8 (encoding a 90 MB text again
        # took 0.12 s)
        data = utf8 if utf8 is not None else text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: left to the parser that reads str
        return None
    names = [str(c) for c in range(width)]
    uneven = False

    def on_uneven_row(row: object) -> str:
        nonlocal uneven
        uneven = True
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=ARROW_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_uneven_row,
            ),
            # dictionary-coded as Arrow parses, on its threads (coding each column after the
            # parse took twice as long, holding one core)
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowException):
        return None
    if uneven or table.num_rows != _line_count(data) or table.num_rows == 0:
        return None  # blank lines, ragged records or values spanning lines: pandas' parser
    codes_by_column: list[np.ndarray] = []
    cells_by_column: list[list[object]] = []
    arrow_by_column: list[Any] = []  # the same cells as Arrow strings, for the writers
    written: list[bool] = []  # per column: some field is not "" (as read, before cleaning)
    del data  # the parsed table holds what is needed
    table = table.unify_dictionaries()  # each block of the file had its own dictionary
    for c in range(width):
        encoded = table.column(c).combine_chunks()
        texts, cleaned, same = clean_dictionary(encoded.dictionary)
        # int32 codes (Arrow's own): a million-row file holds a dozen of these to the end
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        if same.all() or all(cleaned[k] is None for k in np.flatnonzero(~same).tolist()):
            # nothing cleaned but texts emptied (""): Arrow's other distinct texts are the
            # distinct cells, renumbered without the emptied ones
            lookup = np.where(same, np.cumsum(same) - 1, -1).astype(np.int32)
            codes_by_column.append(lookup[indices])
            cells_by_column.append(list(itertools.compress(texts, same)))
            arrow_by_column.append(encoded.dictionary.filter(pa.array(same)))
        else:
            # two texts may clean to one ("HKD", " HKD ") or to nothing: coded again, each
            # cell once, so that equal codes mean equal cells (the classifier groups rows by
            # them)
            again, distinct = pd.factorize(np.array(cleaned, dtype=object), use_na_sentinel=True)
            lookup = np.append(again.astype(np.int32), np.int32(-1))
            codes_by_column.append(lookup[indices])
            cells_by_column.append(list(distinct))
            arrow_by_column.append(pa.array(cells_by_column[-1], type=pa.string()))
        written.append(any(t != "" for t in texts))
        del encoded
    records = table.num_rows
    del table
    # Arrow's allocator keeps the parse's freed memory for reuse (200 MB at a million rows),
    # which this process's Python objects cannot use: handed back to the system now
    pa.default_memory_pool().release_unused()
    if width > COMPACT_FROM_COLUMNS and sum(written) * 2 < width:
        chosen = [c for c in range(width) if written[c]]  # wide and mostly empty: as compact
    else:
        chosen = list(range(width))
    filled = [c for c in chosen if (codes_by_column[c] >= 0).any()]
    chosen = chosen[: chosen.index(filled[-1]) + 1] if filled else []  # trailing empties go
    keep = np.zeros(records, dtype=bool)
    for c in chosen:
        keep |= codes_by_column[c] >= 0
    every_row = bool(keep.all())
    columns: dict[int, np.ndarray] = {}
    factors: dict[int, tuple[np.ndarray, list[object]]] = {}
    arrow_texts: dict[int, Any] = {}
    for i, c in enumerate(chosen):
        codes = codes_by_column[c] if every_row else codes_by_column[c][keep]
        columns[i] = np.array([*cells_by_column[c], None], dtype=object)[codes]
        factors[i] = (codes, cells_by_column[c])
        arrow_texts[i] = arrow_by_column[c]
    # copy=False: one block per column, as built (stacking them into one block copied every
    # cell, 0.3 s a million rows, and row selections of the stacked block were slower)
    cells = pd.DataFrame(columns, index=pd.RangeIndex(int(keep.sum())), dtype=object, copy=False)
    starts = np.arange(1, records + 1, dtype=np.int64)[keep]
    return Grid(sheet, cells, starts, factors, arrow_texts)


def _read_csv_records(text: str, label: str, *, sheet: str, delimiter: str) -> Grid:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str | None]]] = []
    last_line = 0
    try:
        for record in reader:
            start = last_line + 1
            last_line = reader.line_num
            while record and not record[-1].strip():
                record.pop()  # trailing empty fields (a line of commas) hold nothing
            values = [clean_text(v) for v in record]
            while values and values[-1] is None:
                values.pop()
            if len(values) > EXCEL_MAX_COLUMNS:
                raise InputFileError(
                    label,
                    f"the line has {len(values):,} fields, above the limit of "
                    f"{EXCEL_MAX_COLUMNS:,} columns",
                    sheet=sheet,
                    row=start,
                )
            if values:
                rows.append((start, values))
    except csv.Error as exc:
        raise InputFileError(
            label, f"malformed CSV: {csv_problem(exc)}", sheet=sheet, row=last_line + 1
        ) from None
    return compact_columns(Grid.from_rows(sheet, rows))


def csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    return text
