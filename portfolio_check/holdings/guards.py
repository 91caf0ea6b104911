"""Guards that run before a parser allocates anything for an input file (issue 13).

A workbook parser trusts the cell references it meets: one value at XFD1048576 in a 2 KB file
makes calamine allocate a 1,048,576 x 16,384 grid (hundreds of gigabytes) and abort the
process. So before a workbook reaches a parser, every worksheet's XML is streamed once (during
the package check that already unpacks each part in chunks) and its *used range is measured
from the cells that hold a value*; a sheet whose range is far larger than its cells (a stray
value far away), a column or row beyond Excel's limits, or too many sheets or cells is refused
with one line naming the file and sheet. Only regular files are read, and never more than the
size limit (a symlink to ``/dev/zero`` or a FIFO named ``.csv`` is refused, not read).
"""

from __future__ import annotations

import math
import os
import re
import stat
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from portfolio_check.errors import InputFileError, UsageError

# Excel's own sheet limits: a reference beyond them is not a cell any spreadsheet can hold.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# A sheet's grid (rows x columns from A1 to its last value) is allocated whole by the reader,
# about 40 bytes a cell; beyond this many cells the grid must be earned by the cells that exist.
SHEET_AREA_FLOOR = 2_000_000
# ... and a sheet larger than the floor may span at most this many times its cells: a dense
# export fills most of its range, a stray value far away leaves it nearly empty.
SHEET_AREA_PER_CELL = 8
# Cells with a value in one workbook: a 500 MB firm-wide dump holds about 25 million.
MAX_WORKBOOK_CELLS = 50_000_000
# Sheets in one workbook: a fund administrator's pack has dozens; ten thousand is crafted.
MAX_SHEETS = 10_000

_LETTERS = {chr(ord("A") + i): i + 1 for i in range(26)}


def column_number(letters: bytes | str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    n = 0
    for ch in text:
        n = n * 26 + _LETTERS[ch]
    return n


def column_letters(n: int) -> str:
    """1 -> ``A``, 16384 -> ``XFD``."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


# A cell written the way every spreadsheet program writes it: ``<c r="B7" ...>``; a cell that
# closes itself (``<c r="B7" s="3"/>``) is a formatted blank, which no reader turns into data.
_CELL = re.compile(rb'<c r="([A-Z]{1,4})([0-9]{1,9})"[^>]*?(/?)>')
# A sheet whose cells are not all written like that is measured by a real XML parser instead.
_CELL_OPEN = (b"<c ", b"<c>")


@dataclass
class SheetExtent:
    """The cells with a value in one worksheet and the range they span."""

    cells: int = 0
    max_row: int = 0
    max_column: int = 0

    @property
    def area(self) -> int:
        return self.max_row * self.max_column

    def add(self, row: int, column: int) -> None:
        self.cells += 1
        self.max_row = max(self.max_row, row)
        self.max_column = max(self.max_column, column)


class SheetScanner:
    """Measures a worksheet part's cells from its XML, fed in chunks as it is unpacked.

    Cells written as ``<c r="..">`` (Excel, LibreOffice, openpyxl, xlsxwriter) are counted by a
    regular expression over the bytes. A part with any other cell form (no ``r``, a namespace
    prefix) sets :attr:`needs_parser`: the caller then streams the part again through
    :func:`measure_with_parser`, which follows the implicit positions.
    """

    def __init__(self) -> None:
        self.extent = SheetExtent()
        self.needs_parser = False
        self._pending = b""

    def feed(self, chunk: bytes) -> None:
        if self.needs_parser:
            return
        split = whole_tags(self._pending, chunk)
        if split is None:
            self.needs_parser = True
            return
        body, self._pending = split
        opened = sum(body.count(tag) for tag in _CELL_OPEN)
        found = _CELL.findall(body)
        if opened != len(found) or b":c " in body:
            self.needs_parser = True
            return
        self._count(found)

    def _count(self, found: list[tuple[bytes, bytes, bytes]]) -> None:
        rows: set[bytes] = set()
        letters: set[bytes] = set()
        valued = 0
        for col, row, closed in found:
            if not closed:
                valued += 1
                rows.add(row)
                letters.add(col)
        if not valued:
            return
        extent = self.extent
        extent.cells += valued
        extent.max_row = max(extent.max_row, max(map(int, rows)))
        extent.max_column = max(extent.max_column, max(map(column_number, letters)))


MAX_OPEN_TAG = 1 << 20  # a megabyte without a tag's end: not a sheet a byte scan vouches for


def whole_tags(pending: bytes, chunk: bytes) -> tuple[bytes, bytes] | None:
    """``pending + chunk`` cut after its last ``>``: the whole tags to scan now and the rest to
    keep for the next chunk; None when the rest has grown past :data:`MAX_OPEN_TAG`."""
    data = pending + chunk
    cut = data.rfind(b">") + 1
    if len(data) - cut > MAX_OPEN_TAG:
        return None
    return data[:cut], data[cut:]


class DamagedSheet(ValueError):
    """A worksheet part an XML parser cannot read to its end (the reader names the file)."""


def measure_with_parser(stream: IO[bytes], chunk_size: int = 1 << 20) -> SheetExtent:
    """A worksheet's extent by an incremental XML parser, each row dropped as it ends.

    Raises :class:`DamagedSheet` where the XML is not well-formed: a measure that stopped
    there would vouch for a sheet whose rest it never saw (another reader may read past the
    damage, to a cell far away).
    """
    extent = SheetExtent()
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    row = column = 0
    rows_parent: list[ET.Element] = []  # the element the rows are in (sheetData)
    stack: list[ET.Element] = []

    def drain() -> None:
        nonlocal row, column
        for event, item in cast("list[tuple[str, ET.Element]]", list(parser.read_events())):
            element = item
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":
                    ref = element.get("r")
                    row = int(ref) if ref and ref.isdigit() else row + 1
                    column = 0
                    if stack:
                        rows_parent[:] = [stack[-1]]
                elif tag == "c":
                    match = _REFERENCE.fullmatch(element.get("r") or "")
                    column = column_number(match.group(1)) if match else column + 1
                stack.append(element)
                continue
            stack.pop()
            if tag == "c":
                if len(element):  # a <v>, <is> or <f> child: a cell with content
                    extent.add(row, column)
                element.clear()
            elif tag == "row":
                element.clear()
                if rows_parent and element in rows_parent[0]:
                    rows_parent[0].remove(element)  # a cleared row still held a slot

    try:
        while chunk := stream.read(chunk_size):
            parser.feed(chunk)
            drain()
        parser.close()
        drain()
    except ET.ParseError as exc:
        raise DamagedSheet(str(exc)) from None
    return extent


_REFERENCE = re.compile(r"([A-Z]{1,4})([0-9]{1,9})")


def is_worksheet_part(name: str) -> bool:
    """An .xlsx/.xlsm worksheet part (chart sheets and dialog sheets hold no cells)."""
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2


def check_extents(
    label: str,
    extents: dict[str, SheetExtent],
    names: dict[str, str],
    limits: tuple[int, int, str] = (EXCEL_MAX_ROWS, EXCEL_MAX_COLUMNS, "Excel"),
) -> None:
    """Refuse a workbook whose sheets are too many, too large or mostly empty range.

    ``names`` maps a worksheet part to the sheet name a person sees (for the message);
    ``limits`` are the format's last row and column and the program they belong to (a legacy
    .xls holds 65,536 rows x 256 columns).
    """
    max_rows, max_columns, program = limits
    if len(extents) > MAX_SHEETS:
        raise InputFileError(
            label, f"the workbook has {len(extents):,} sheets, above the limit of {MAX_SHEETS:,}"
        )
    total = 0
    for part, extent in extents.items():
        sheet = names.get(part, part)
        last = f"{column_letters(extent.max_column)}{extent.max_row}"
        if extent.max_row > max_rows or extent.max_column > max_columns:
            raise InputFileError(
                label,
                f"a cell at {last} lies beyond {program}'s last cell "
                f"{column_letters(max_columns)}{max_rows}; "
                "the workbook is damaged or crafted",
                sheet=sheet,
            )
        if extent.area > max(SHEET_AREA_FLOOR, SHEET_AREA_PER_CELL * extent.cells):
            raise InputFileError(
                label,
                f"a value at {last} stretches the sheet to {extent.max_row:,} rows x "
                f"{extent.max_column:,} columns for only {extent.cells:,} cells with values; "
                "refusing to read a range that large (delete the stray cells far from the "
                "table, or copy the table to a new sheet)",
                sheet=sheet,
            )
        total += extent.cells
    if total > MAX_WORKBOOK_CELLS:
        raise InputFileError(
            label,
            f"the workbook holds {total:,} cells with values, above the limit of "
            f"{MAX_WORKBOOK_CELLS:,}",
        )


_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def sheet_part_names(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """Worksheet part -> sheet name, from ``xl/workbook.xml`` and its relationships."""
    targets: dict[str, str] = {}
    for entry in _RELATIONSHIP.findall(rels_xml):
        attrs = dict(_ATTRIBUTE.findall(entry))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        if target and not target.startswith("xl/"):
            target = "xl/" + target
        targets[attrs.get(b"Id", b"").decode("utf-8", "replace")] = target
    names: dict[str, str] = {}
    for entry in _SHEET_ENTRY.findall(workbook_xml):
        attrs = dict(_ATTRIBUTE.findall(entry))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        part = targets.get(rid.decode("utf-8", "replace"))
        if part:
            names[part] = _unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
    return names


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


# --------------------------------------------------------------------------------------------
# Regular files only, read within the limit
# --------------------------------------------------------------------------------------------


def read_regular_file(path: Path, label: str, max_bytes: int, hint: str) -> bytes:
    """The bytes of ``path`` if it is a regular file no larger than ``max_bytes``.

    The file is opened without blocking (a FIFO would otherwise wait for a writer forever) and
    judged by what was opened (a symlink to a device is a device); at most ``max_bytes + 1``
    bytes are read, so a file growing while it is read cannot exceed the limit either.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputFileError(label, "file not found") from None
    except IsADirectoryError:
        raise InputFileError(label, "is a directory, not a file to read") from None
    except OSError as exc:
        raise InputFileError(label, f"cannot open the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(label, f"is {_file_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise InputFileError(
                label,
                f"the file is {megabytes(info.st_size)}, above the limit of "
                f"{megabytes(max_bytes)} ({hint})",
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(1 << 22, max_bytes + 1 - size) or 1):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise InputFileError(
                    label, f"the file grew beyond the limit of {megabytes(max_bytes)} ({hint})"
                )
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(label, f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


def positive_megabytes(name: str, raw: str) -> float:
    """An environment variable's number of megabytes: finite and positive, else a one-line
    :class:`UsageError` naming the variable."""
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a number of megabytes") from None
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"{name}={raw!r} must be a positive, finite number of megabytes")
    return value
