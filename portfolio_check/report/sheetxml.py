"""A large table's cells written as sheet XML a column at a time, then put into the workbook.

xlsxwriter keeps every cell as a Python object and writes its XML one call at a time: about
7 microseconds a cell on the development machine, so a 100,000-row Holdings sheet of ~1.7 M
cells is most of a report's time (issue 17, target 3). A table's cells repeat a lot (a
security's verdict on every position of it, a status, a currency, an account), so here each
column's cells are rendered once per distinct value (escaped, typed, with the style of their
format) and the rows are assembled with numpy takes and one ``str.join`` per block of rows; no
Python runs per cell.

xlsxwriter still writes everything else on the sheet (the header row, widths, formats, frozen
panes, filter and print set-up); :func:`splice` then puts the rows into that sheet's part of the
closed workbook. Text cells are inline strings (``t="inlineStr"``), which Excel, LibreOffice,
openpyxl and calamine read as they read shared strings; the escaping is xlsxwriter's (``&``,
``<``, ``>``; control characters as ``_xHHHH_``; an existing ``_xHHHH_`` protected), so a text
reads back as it was written and is never a formula. A cell may open a link (an entry's page):
its ``<hyperlink>`` goes into the sheet after the rows and its target into the sheet's
relationships, as xlsxwriter writes a link.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from portfolio_check.holdings.guards import sheet_part_names

BLOCK_ROWS = 5_000  # rows assembled per join: bounded memory (tens of MB), few Python steps
MAX_CELL_TEXT = 32_767  # Excel's limit on the length of one cell's text
MAX_ROW_HEIGHT = 409.0  # points; Excel's largest row height
LINE_HEIGHT = 15.0  # points per wrapped line of 11-point text
# Characters XML 1.0 cannot hold, written as Excel writes them (_xHHHH_), and an _xHHHH_ that is
# already in a text, whose underscore is escaped so that it reads back as typed.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_LOOKING = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_text(text: str) -> str:
    """A cell text as XML character data (the text's content, never markup)."""
    text = _ESCAPED_LOOKING.sub(r"_x005F\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return _SURROGATE.sub("\ufffd", text)  # a lone surrogate cannot be written as UTF-8


def text_cell(text: str, style: int) -> str:
    """The XML after a cell's reference for a text cell (cut to Excel's limit)."""
    text = text[:MAX_CELL_TEXT]
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'" s="{style}" t="inlineStr"><is><t{space}>{escape_text(text)}</t></is></c>'


def number_cell(value: float, style: int) -> str:
    """The XML after a cell's reference for a number cell (xlsxwriter's 16 digits)."""
    return f'" s="{style}"><v>{value:.16G}</v></c>'


@dataclass(frozen=True)
class CellColumn:
    """One column's cells: per row the code of its distinct cell (-1: empty, not written), and
    per code the cell's XML after its reference (:func:`text_cell`, :func:`number_cell`).
    ``lengths`` (per code) are the text lengths that set a wrapped column's row heights;
    ``targets`` (per code) the address a cell links to, None for a cell without a link."""

    codes: np.ndarray
    cells: Sequence[str]
    lengths: np.ndarray | None = None
    targets: Sequence[str | None] | None = None

    def linked(self) -> np.ndarray:
        """Per row: whether its cell is a link."""
        if self.targets is None:
            return np.zeros(len(self.codes), dtype=bool)
        has = np.array([t is not None for t in self.targets] + [False], dtype=bool)
        found: np.ndarray = has[self.codes]  # -1 (empty) takes the trailing False
        return found


def coded_cells(
    values: Sequence[Any] | np.ndarray, render: Callable[[Any], str | None]
) -> tuple[np.ndarray, list[str], list[Any]]:
    """Codes of ``values`` and each distinct value's cell (``render`` returns None for a cell
    left empty); returns the codes, the cells, and the distinct values."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    distinct = list(uniques)
    cells: list[str] = []
    empty: list[int] = []
    for k, value in enumerate(distinct):
        cell = render(value)
        if cell is None:
            empty.append(k)
            cell = ""
        cells.append(cell)
    codes = codes.astype(np.int64)
    if empty:
        codes[np.isin(codes, np.array(empty))] = -1
    return codes, cells, distinct


_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system, as counted after 1900-03-01
_LEAP_BUG = dt.datetime(1900, 3, 1)  # Excel counts a 29 February 1900 that never was


def date_serial(value: dt.date) -> float | None:
    """An Excel date serial number (1900 date system), as Excel and xlsxwriter count it; None
    for a date before 1900, which Excel cannot hold as a date."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    value = value.replace(tzinfo=None)
    if value.year < 1900:
        return None
    delta = value - _EPOCH
    serial = delta.days + delta.seconds / 86_400 + delta.microseconds / 86_400e6
    return serial if value >= _LEAP_BUG else serial - 1


@dataclass
class SheetRows:
    """The rows below a sheet's header, for :func:`splice`: ``columns`` in sheet order, the
    first data row's Excel row number, and the wrapped columns' room (characters per line)."""

    columns: list[CellColumn]
    rows: int
    first_row: int = 2
    wrap_room: dict[int, float] | None = None

    def dimension(self) -> str:
        last = xl_col_to_name(max(len(self.columns) - 1, 0))
        return f"A1:{last}{self.first_row + self.rows - 1}"

    def heights(self, start: int, stop: int) -> np.ndarray:
        """Each row's line count in ``[start, stop)``: its longest wrapped text over the room."""
        lines = np.ones(stop - start, dtype=np.int64)
        for c, room in (self.wrap_room or {}).items():
            column = self.columns[c]
            if column.lengths is None or not len(column.lengths):
                continue
            per_code = np.where(
                column.lengths > room, np.ceil(column.lengths / max(room, 1.0)), 1
            ).astype(np.int64)
            codes = column.codes[start:stop]
            found = np.where(codes >= 0, per_code[np.maximum(codes, 0)], 1)
            lines = np.maximum(lines, found)
        return lines

    def blocks(self, block_rows: int = BLOCK_ROWS) -> Iterator[tuple[int, bytes]]:
        """The rows' XML in blocks: (rows in the block, UTF-8 bytes)."""
        letters = [f'<c r="{xl_col_to_name(c)}' for c in range(len(self.columns))]
        cells = [np.array([*column.cells, ""], dtype=object) for column in self.columns]
        for start in range(0, self.rows, block_rows):
            stop = min(start + block_rows, self.rows)
            count = stop - start
            numbers = np.arange(start + self.first_row, stop + self.first_row).astype(str)
            numbers = numbers.astype(object)
            lines = self.heights(start, stop)
            height = np.full(count, '">', dtype=object)
            tall = lines > 1
            if tall.any():
                points = np.minimum(LINE_HEIGHT * lines[tall], MAX_ROW_HEIGHT)
                height[tall] = [f'" ht="{p:g}" customHeight="1">' for p in points.tolist()]
            parts = np.empty((count, 3 * len(self.columns) + 4), dtype=object)
            parts[:, 0] = '<row r="'
            parts[:, 1] = numbers
            parts[:, 2] = height
            for c, column in enumerate(self.columns):
                codes = column.codes[start:stop]
                present = codes >= 0
                at = 3 + 3 * c
                parts[:, at] = np.where(present, letters[c], "")
                parts[:, at + 1] = np.where(present, numbers, "")
                parts[:, at + 2] = cells[c][codes]  # -1 takes the trailing empty cell
            parts[:, -1] = "</row>"
            yield count, "".join(parts.ravel().tolist()).encode("utf-8")

    def links(self) -> tuple[bytes, bytes]:
        """The sheet's ``<hyperlinks>`` element and the relationships it names (b"", b"" for
        a sheet without links), in row order as xlsxwriter writes them."""
        found_rows, found_columns, found_targets = [], [], []
        for c, column in enumerate(self.columns):
            if column.targets is None:
                continue
            at = np.flatnonzero(column.linked())
            targets = np.array([_attribute(t or "") for t in column.targets], dtype=object)
            found_rows.append(at)
            found_columns.append(np.full(len(at), c, dtype=np.int64))
            found_targets.append(targets[column.codes[at]])
        if not found_rows or not sum(len(at) for at in found_rows):
            return b"", b""
        rows, columns = np.concatenate(found_rows), np.concatenate(found_columns)
        order = np.lexsort((columns, rows))
        rows, columns = rows[order], columns[order]
        targets = np.concatenate(found_targets)[order]
        letters = np.array([xl_col_to_name(c) for c in range(len(self.columns))], dtype=object)
        ids = np.char.add("rIdL", np.arange(1, len(rows) + 1).astype(str)).astype(object)
        numbers = (rows + self.first_row).astype(str).astype(object)
        refs = np.empty((len(rows), 6), dtype=object)
        refs[:, 0] = '<hyperlink ref="'
        refs[:, 1] = letters[columns]
        refs[:, 2] = numbers
        refs[:, 3] = '" r:id="'
        refs[:, 4] = ids
        refs[:, 5] = '"/>'
        relations = np.empty((len(rows), 5), dtype=object)
        relations[:, 0] = '<Relationship Id="'
        relations[:, 1] = ids
        relations[:, 2] = f'" Type="{_HYPERLINK_TYPE}" Target="'
        relations[:, 3] = targets
        relations[:, 4] = '" TargetMode="External"/>'
        element = "<hyperlinks>" + "".join(refs.ravel().tolist()) + "</hyperlinks>"
        return element.encode("utf-8"), "".join(relations.ravel().tolist()).encode("utf-8")


_HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _attribute(text: str) -> str:
    """A text as an XML attribute value between double quotes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_SHEET_DATA_END = b"</sheetData>"
_EMPTY_SHEET_DATA = b"<sheetData/>"
# What may follow <hyperlinks> in a worksheet (ECMA-376 CT_Worksheet's order): the links go
# before the first of these after the rows.
_AFTER_HYPERLINKS = re.compile(
    rb"<(?:printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|"
    rb"customProperties|cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|"
    rb"legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|"
    rb"extLst)[ />]|</worksheet>"
)
_RELATIONSHIPS_END = b"</Relationships>"
_NEW_RELATIONSHIPS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
)


def splice(
    workbook: bytes,
    sheets: dict[str, SheetRows],
    out: Path,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write ``workbook`` (an xlsx made by xlsxwriter, as bytes) to ``out`` with each named
    sheet's rows put after its header row. Parts are copied as they are; the spliced sheets
    are written as they are assembled, a block at a time."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        names = sheet_part_names(
            source.read("xl/workbook.xml"), source.read("xl/_rels/workbook.xml.rels")
        )
        parts = {name: part for part, name in names.items()}
        missing = [name for name in sheets if name not in parts]
        if missing:
            raise ValueError(f"no sheet named {missing[0]!r} in the workbook to splice into")
        spliced = {parts[name]: rows for name, rows in sheets.items()}
        # each spliced sheet's links go into its relationships part (added when it has none)
        relations: dict[str, bytes] = {}
        # The spliced sheets are mostly the same few cells in many rows: the fastest level of
        # compression (the archive's, used by open()) keeps a 100,000-row sheet within about a
        # second and the file within about twice xlsxwriter's size; the other parts keep
        # zlib's default level.
        with (
            out.open("wb") as handle,
            zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
        ):
            existing = set(source.namelist())
            for info in source.infolist():
                data = source.read(info.filename)
                rows = spliced.get(info.filename)
                if rows is not None:
                    links = _write_spliced(target, info, data, rows, progress)
                    if links:
                        relations[_relationships_part(info.filename)] = links
                    continue
                if info.filename in relations:
                    data = data.replace(
                        _RELATIONSHIPS_END, relations.pop(info.filename) + _RELATIONSHIPS_END, 1
                    )
                target.writestr(info, data, zipfile.ZIP_DEFLATED, compresslevel=6)
            for part, links in relations.items():
                if part in existing:  # came before its sheet in the archive: not xlsxwriter's order
                    raise ValueError(f"cannot add links to {part}: it was written before its sheet")
                target.writestr(
                    part, _NEW_RELATIONSHIPS + links + _RELATIONSHIPS_END, zipfile.ZIP_DEFLATED
                )


def _relationships_part(sheet_part: str) -> str:
    """``xl/worksheets/sheet3.xml`` -> ``xl/worksheets/_rels/sheet3.xml.rels``."""
    folder, _, name = sheet_part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _write_spliced(
    target: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    data: bytes,
    rows: SheetRows,
    progress: Callable[[int], None] | None,
) -> bytes:
    """Write one sheet with its rows and links; returns the links' relationships."""
    data = _DIMENSION.sub(f'<dimension ref="{rows.dimension()}"/>'.encode(), data, count=1)
    if _EMPTY_SHEET_DATA in data:
        head, tail = data.split(_EMPTY_SHEET_DATA, 1)
        head += b"<sheetData>"
    else:
        head, tail = data.split(_SHEET_DATA_END, 1)
    element, relationships = rows.links()
    if element:
        if b"<hyperlinks>" in tail:
            raise ValueError(f"{info.filename} has links of its own; its rows cannot be spliced")
        place = _AFTER_HYPERLINKS.search(tail)
        at = place.start() if place else len(tail)
        tail = tail[:at] + element + tail[at:]
    # A block is compressed and written on a thread of its own (zlib and the file write
    # release the GIL) while the next is built here; one block in flight at a time, so the
    # sheet's bytes go out in order and memory holds at most two blocks.
    with (
        target.open(info.filename, "w", force_zip64=True) as stream,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet-deflate") as deflate,
    ):
        stream.write(head)
        writing: Future[int] | None = None
        for count, block in rows.blocks():
            if writing is not None:
                writing.result()  # the block before, written (or its error raised here)
            writing = deflate.submit(stream.write, block)
            if progress is not None:
                progress(count)
        if writing is not None:
            writing.result()
        stream.write(_SHEET_DATA_END + tail)
    return relationships
