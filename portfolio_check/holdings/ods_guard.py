"""Measuring an OpenDocument spreadsheet's sheets before calamine reads them (issue 13).

An .ods file says how often a cell or row repeats (``table:number-columns-repeated``,
``table:number-rows-repeated``), and calamine expands every repetition into its grid: a 1 KB
file holding one value after a million repeated empty rows, or one value repeated over 16,384
columns x a million rows, makes it allocate gigabytes (3.2 GB for 99 million cells, measured)
and abort the process. So ``content.xml`` is streamed once, as it is unpacked, through expat
with no document type allowed, and each sheet's extent is measured from the cells with a value,
counting what repetition expands to. Repeated *empty* cells and rows cost nothing (LibreOffice
writes one to fill every sheet to the last column and row); a repeated cell *with a value*
that expands to far more cells than the file holds is refused, naming the cell and its value.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field

from portfolio_check.errors import InputFileError
from portfolio_check.holdings.guards import SheetExtent, check_extents, column_letters

ODS_CONTENT_PART = "content.xml"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS = " "  # expat's separator between a namespace and a local name
_SHEET = f"{_TABLE}{_NS}table"
_ROW = f"{_TABLE}{_NS}table-row"
_CELLS = frozenset({f"{_TABLE}{_NS}table-cell", f"{_TABLE}{_NS}covered-table-cell"})
_NAME = f"{_TABLE}{_NS}name"
_ROWS_REPEATED = f"{_TABLE}{_NS}number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE}{_NS}number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE}{_NS}value-type"

# Cells that repeating a valued cell may add to a workbook: a real export repeats a value over
# a few neighbouring cells (LibreOffice writes a run of equal cells once), never over hundreds of
# thousands; beyond this floor, repetition may add at most this many cells per stored cell.
REPEATED_CELLS_FLOOR = 100_000
REPEATED_CELLS_PER_STORED = 4
# Characters of a repeated cell's text kept to name it in a message.
_QUOTED = 40


@dataclass
class Repeat:
    """The repeated valued cell that expands to the most cells in a sheet."""

    cells: int = 0
    row: int = 0
    column: int = 0
    rows: int = 0
    columns: int = 0
    text: str = ""


@dataclass
class OdsSheet:
    """One sheet's measure: its extent, and what repetition added to it."""

    name: str
    extent: SheetExtent = field(default_factory=SheetExtent)
    stored: int = 0  # valued cell elements in the file
    added: int = 0  # valued cells that repetition adds to them
    largest: Repeat = field(default_factory=Repeat)


class OdsScanner:
    """Measures the sheets of an .ods ``content.xml``, fed in chunks as it is unpacked."""

    def __init__(self) -> None:
        self.sheets: list[OdsSheet] = []
        self.error = ""
        self._sheet: OdsSheet | None = None
        self._row = 0  # rows before the current one (0-based index of the current row)
        self._row_repeat = 1
        self._column = 0  # columns before the current cell
        self._cell_depth = 0  # > 0 inside a cell (its paragraphs, annotations, sub-tables)
        self._cell_repeat = 1
        self._cell_valued = False
        self._text: list[str] = []
        parser = xml.parsers.expat.ParserCreate(namespace_separator=_NS)
        # as defusedxml does: a document type or an entity declaration stops the parse (the
        # package check refuses them in the bytes already; this holds if that ever changes)
        parser.StartDoctypeDeclHandler = self._refuse_declaration
        parser.EntityDeclHandler = self._refuse_declaration
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        parser.buffer_text = True
        self._parser = parser

    def feed(self, chunk: bytes) -> None:
        if self.error:
            return
        try:
            self._parser.Parse(chunk, False)
        except (xml.parsers.expat.ExpatError, _Refused) as exc:
            self.error = str(exc) or type(exc).__name__

    def close(self) -> None:
        self.feed(b"")
        if not self.error:
            try:
                self._parser.Parse(b"", True)
            except xml.parsers.expat.ExpatError as exc:
                self.error = str(exc)

    def _refuse_declaration(self, *_args: object) -> None:
        raise _Refused("a document type or entity declaration")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self._cell_depth:
            self._cell_depth += 1
            self._cell_valued = True  # a paragraph or annotation: the cell holds something
            return
        if name in _CELLS:
            self._cell_depth = 1
            self._cell_repeat = _count(attrs.get(_COLUMNS_REPEATED))
            self._cell_valued = _VALUE_TYPE in attrs
            self._text = []
        elif name == _ROW:
            self._row_repeat = _count(attrs.get(_ROWS_REPEATED))
            self._column = 0
        elif name == _SHEET:
            self._sheet = OdsSheet(attrs.get(_NAME, f"Sheet{len(self.sheets) + 1}"))
            self.sheets.append(self._sheet)
            self._row = 0

    def _end(self, name: str) -> None:
        if self._cell_depth > 1:
            self._cell_depth -= 1
        elif self._cell_depth == 1:
            self._cell_depth = 0
            self._end_cell()
        elif name == _ROW:
            self._row += self._row_repeat
        elif name == _SHEET:
            self._sheet = None

    def _characters(self, text: str) -> None:
        if self._cell_depth and sum(map(len, self._text)) < _QUOTED:
            self._text.append(text)

    def _end_cell(self) -> None:
        sheet, rows, columns = self._sheet, self._row_repeat, self._cell_repeat
        if sheet is not None and self._cell_valued:
            cells = rows * columns
            extent = sheet.extent
            extent.cells += cells
            extent.max_row = max(extent.max_row, self._row + rows)
            extent.max_column = max(extent.max_column, self._column + columns)
            sheet.stored += 1
            sheet.added += cells - 1
            if cells > sheet.largest.cells:
                text = "".join(self._text)[:_QUOTED]
                sheet.largest = Repeat(cells, self._row + 1, self._column + 1, rows, columns, text)
        self._column += columns


class _Refused(Exception):
    """Raised from expat's handlers to stop a parse."""


def _count(raw: str | None) -> int:
    """A repetition count; anything but a positive whole number is a damaged file, which is
    refused rather than guessed at (calamine may read it otherwise)."""
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise _Refused(f"a repetition count of {raw[:20]!r}")
    return int(raw)


def check_ods(label: str, scanner: OdsScanner) -> None:
    """Refuse an .ods whose ``content.xml`` is damaged, or whose sheets are too many, too large
    or repeat a value over far more cells than the file holds."""
    scanner.close()
    if scanner.error:
        raise InputFileError(
            label,
            f"not a readable spreadsheet: {ODS_CONTENT_PART} is not well-formed or holds "
            f"{scanner.error}; refusing to read it",
        )
    stored = sum(s.stored for s in scanner.sheets)
    added = sum(s.added for s in scanner.sheets)
    if added > max(REPEATED_CELLS_FLOOR, REPEATED_CELLS_PER_STORED * stored):
        sheet = max(scanner.sheets, key=lambda s: s.largest.cells)
        repeat = sheet.largest
        raise InputFileError(
            label,
            f"the cell {column_letters(repeat.column)}{repeat.row} holding {repeat.text!r} is "
            f"repeated over {repeat.columns:,} columns x {repeat.rows:,} rows "
            f"({repeat.cells:,} cells; {added:,} repeated cells in the workbook for {stored:,} "
            "stored); refusing to expand it (the file is damaged or crafted)",
            sheet=sheet.name,
        )
    extents = {str(i): s.extent for i, s in enumerate(scanner.sheets)}
    check_extents(label, extents, {str(i): s.name for i, s in enumerate(scanner.sheets)})
