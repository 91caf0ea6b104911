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

import re
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO

from portfolio_check.errors import InputFileError
from portfolio_check.holdings.guards import (
    SheetExtent,
    check_extents,
    column_letters,
    whole_tags,
)

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


class _Walker:
    """Positions of the cells met, sheet by sheet; fed by either scanner below."""

    def __init__(self) -> None:
        self.sheets: list[OdsSheet] = []
        self._sheet: OdsSheet | None = None
        self._row = 0  # rows before the current one (0-based index of the current row)
        self._row_repeat = 1
        self._column = 0  # columns before the current cell

    def start_sheet(self, name: str | None) -> None:
        self._sheet = OdsSheet(name or f"Sheet{len(self.sheets) + 1}")
        self.sheets.append(self._sheet)
        self._row = 0

    def start_row(self, repeat: int) -> None:
        self._row_repeat = repeat
        self._column = 0

    def end_row(self) -> None:
        self._row += self._row_repeat

    def cell(self, repeat: int, valued: bool, text: str | bytes) -> None:
        """A cell (``repeat`` times across) in the current row; ``text`` names it in a
        message (bytes: the XML after its start tag)."""
        sheet, rows = self._sheet, self._row_repeat
        if sheet is not None and valued:
            cells = rows * repeat
            extent = sheet.extent
            extent.cells += cells
            extent.max_row = max(extent.max_row, self._row + rows)
            extent.max_column = max(extent.max_column, self._column + repeat)
            sheet.stored += 1
            sheet.added += cells - 1
            if cells > max(sheet.largest.cells, 1):
                quoted = text if isinstance(text, str) else _plain(text)
                sheet.largest = Repeat(cells, self._row + 1, self._column + 1, rows, repeat, quoted)
        self._column += repeat


# A table element written as LibreOffice and every ODF writer write it: the ``table:`` prefix
# bound once, on the root, to the table namespace. Attribute values may hold ``>``; the text
# after a cell's start (its first paragraph's, to name a cell in a message) is kept too.
_TOKEN = re.compile(
    rb"<(/?)table:(table-cell|covered-table-cell|table-row|table)(?=[\s/>])"
    rb"""([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>((?:<text:p[^>]*>)?[^<]{0,40})"""
)
# Cell and row elements under any prefix (or none): what the pattern above must all have read.
_ELEMENTS = re.compile(rb"</?(?:[\w.-]+:)?(?:covered-)?table-(?:cell|row)(?=[\s/>])")
_ATTR = re.compile(rb"""([\w.-]+:)?([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TAGS = re.compile(rb"<[^>]*>")
_ROOT_BINDINGS = (
    b'xmlns:table="' + _TABLE.encode() + b'"',
    b'xmlns:office="' + _OFFICE.encode() + b'"',
)
# After the root element, any of these makes the bytes mean something a pattern cannot follow
# (a comment or CDATA hiding a tag, a prefix bound anew): the part then goes to the parser.
_NOT_FOR_PATTERNS = (b"xmlns", b"<!--", b"<![CDATA[", b"<?")
_CELL_NAMES = (b"table-cell", b"covered-table-cell")


class OdsFastScanner:
    """Measures an .ods ``content.xml`` from its bytes, fed in chunks as it is unpacked.

    A pattern over the bytes finds every sheet, row and cell tag (expat with a Python call per
    element takes twice as long). Whatever it cannot vouch for (a cell or row tag it did not
    match, a comment, another namespace binding, a sub-table inside a cell) sets
    :attr:`needs_parser`, and the caller measures the part again with :class:`OdsParser`.
    """

    def __init__(self) -> None:
        self.walker = _Walker()
        self.needs_parser = False
        self.error = ""
        self._pending = b""
        self._root_seen = False
        self._open_cell: tuple[int, bytes] | None = None  # a cell whose content is being read

    @property
    def sheets(self) -> list[OdsSheet]:
        return self.walker.sheets

    def feed(self, chunk: bytes) -> None:
        if self.needs_parser:
            return
        split = whole_tags(self._pending, chunk)
        if split is None:
            self.needs_parser = True
            return
        body, self._pending = split
        if not self._root_seen:
            body = self._after_root(body)
        if body and not self.needs_parser:
            try:
                self.needs_parser = not self._scan(body)
            except _Refused as exc:
                self.error = str(exc)
                self.needs_parser = True

    def finish(self) -> None:
        """At the part's end: a part without the root element is not one to vouch for."""
        self.needs_parser = self.needs_parser or not self._root_seen

    def _after_root(self, body: bytes) -> bytes:
        root = body.find(b"<office:document-content")
        end = body.find(b">", root) + 1 if root >= 0 else 0
        if root < 0 or not end:
            self.needs_parser = len(body) > 1 << 16  # no root in the first 64 KB
            self._pending = body + self._pending
            return b""
        if not all(binding in body[root:end] for binding in _ROOT_BINDINGS):
            self.needs_parser = True
        self._root_seen = True
        return body[end:]

    def _scan(self, body: bytes) -> bool:
        """Walk one body of whole tags; False where the pattern cannot vouch for it."""
        if any(mark in body for mark in _NOT_FOR_PATTERNS):
            return False
        tokens = _TOKEN.findall(body)
        # every cell or row element, whatever its prefix, must be one the pattern read; each
        # holds one "table-cell" or "table-row", so when the plain counts of those equal the
        # tokens read (as they do unless a text mentions them) the element pattern need not run
        read = len(tokens) - sum(1 for t in tokens if t[1] == b"table")
        mentions = body.count(b"table-cell") + body.count(b"table-row")
        if mentions != read and len(_ELEMENTS.findall(body)) != read:
            return False
        walker = self.walker
        for closing, name, attrs, text in tokens:
            if self._open_cell is not None:  # only the cell's own end may follow its start
                if not (closing and name in _CELL_NAMES):
                    return False
                repeat, first = self._open_cell
                self._open_cell = None
                walker.cell(repeat, True, first)
            elif closing:
                if name == b"table-row":
                    walker.end_row()
            elif name in _CELL_NAMES:
                repeat = _repeat(attrs, b"number-columns-repeated")
                if attrs.endswith(b"/"):
                    walker.cell(repeat, b"value-type" in attrs, b"")
                else:  # content follows (a paragraph, an annotation): the cell holds something
                    self._open_cell = (repeat, text)
            elif name == b"table-row":
                walker.start_row(_repeat(attrs, b"number-rows-repeated"))
                if attrs.endswith(b"/"):
                    walker.end_row()
            else:
                walker.start_sheet(_attribute(attrs, b"name"))
        return True


def _plain(xml: bytes) -> str:
    text = _TAGS.sub(b"", xml[:400]).decode("utf-8", "replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")[:_QUOTED]


def _attribute(attrs: bytes, local: bytes) -> str | None:
    for _prefix, name, double, single in _ATTR.findall(attrs):
        if name == local:
            return _plain(double or single)
    return None


def _repeat(attrs: bytes, local: bytes) -> int:
    return _repeat_count(attrs, local) if b"repeated" in attrs else 1


@lru_cache(maxsize=4096)
def _repeat_count(attrs: bytes, local: bytes) -> int:
    # cached: a sheet's cells repeat their attributes (a style, a type, a count), and reading
    # them took most of the scan of a 44 MB content.xml of repeated cells
    counts = [
        _count((double or single).decode("ascii", "replace"))
        for _prefix, name, double, single in _ATTR.findall(attrs)
        if name == local
    ]
    return max(counts, default=1)


class OdsParser:
    """Measures an .ods ``content.xml`` with expat, for what :class:`OdsFastScanner` cannot
    vouch for. Names are matched by their local part whatever the prefix or namespace (calamine
    matches the written names; either reading is then covered), and of two repetition counts
    on one element the larger is taken."""

    def __init__(self) -> None:
        self.walker = _Walker()
        self.error = ""
        self._cell_depth = 0  # > 0 inside a cell (its paragraphs, annotations, sub-tables)
        self._cell: tuple[int, bool] = (1, False)
        self._text: list[str] = []
        parser = xml.parsers.expat.ParserCreate()
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

    @property
    def sheets(self) -> list[OdsSheet]:
        return self.walker.sheets

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.error:
            return
        try:
            self._parser.Parse(chunk, final)
        except (xml.parsers.expat.ExpatError, _Refused, LookupError, ValueError) as exc:
            # LookupError: an XML declaration naming an encoding Python does not know
            self.error = str(exc) or type(exc).__name__

    def _refuse_declaration(self, *_args: object) -> None:
        raise _Refused("a document type or entity declaration")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self._cell_depth:
            self._cell_depth += 1
            self._cell = (self._cell[0], True)  # a paragraph or annotation: it holds something
            return
        local = name.rsplit(":", 1)[-1]
        if local in ("table-cell", "covered-table-cell"):
            self._cell_depth = 1
            self._cell = (_local_count(attrs, "number-columns-repeated"), _has(attrs, "value-type"))
            self._text = []
        elif local == "table-row":
            self.walker.start_row(_local_count(attrs, "number-rows-repeated"))
        elif local == "table":
            name_attr = next((v for k, v in attrs.items() if k.rsplit(":", 1)[-1] == "name"), None)
            self.walker.start_sheet(name_attr)

    def _end(self, name: str) -> None:
        if self._cell_depth > 1:
            self._cell_depth -= 1
        elif self._cell_depth == 1:
            self._cell_depth = 0
            text = "".join(self._text)[:_QUOTED]
            self.walker.cell(self._cell[0], self._cell[1], text)
        elif name.rsplit(":", 1)[-1] == "table-row":
            self.walker.end_row()

    def _characters(self, text: str) -> None:
        if self._cell_depth and sum(map(len, self._text)) < _QUOTED:
            self._text.append(text)


def _has(attrs: dict[str, str], local: str) -> bool:
    return any(k.rsplit(":", 1)[-1] == local for k in attrs)


def _local_count(attrs: dict[str, str], local: str) -> int:
    counts = [_count(v) for k, v in attrs.items() if k.rsplit(":", 1)[-1] == local]
    return max(counts, default=1)


class _Refused(Exception):
    """A repetition count or declaration that stops the measure (the file is refused)."""


def _count(raw: str) -> int:
    """A repetition count; anything but a positive whole number is a damaged file, which is
    refused rather than guessed at (calamine may read it otherwise)."""
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise _Refused(f"a repetition count of {raw[:20]!r}")
    return int(raw)


def measure_ods(
    fast: OdsFastScanner, reopen: Callable[[], IO[bytes]]
) -> OdsParser | OdsFastScanner:
    """The measure of ``content.xml``: the fast scanner's, or, where it could not vouch for
    the bytes, the parser's over the part streamed again from ``reopen``."""
    fast.finish()
    if not fast.needs_parser:
        return fast
    parser = OdsParser()
    with reopen() as stream:
        while chunk := stream.read(1 << 20):
            parser.feed(chunk)
    parser.feed(b"", final=True)
    return parser


def check_ods(label: str, measure: OdsParser | OdsFastScanner) -> None:
    """Refuse an .ods whose ``content.xml`` is damaged, or whose sheets are too many, too large
    or repeat a value over far more cells than the file holds."""
    if measure.error:
        raise InputFileError(
            label,
            f"not a readable spreadsheet: {ODS_CONTENT_PART} is not well-formed or holds "
            f"{measure.error}; refusing to read it",
        )
    sheets = measure.sheets
    stored = sum(s.stored for s in sheets)
    added = sum(s.added for s in sheets)
    if added > max(REPEATED_CELLS_FLOOR, REPEATED_CELLS_PER_STORED * stored):
        sheet = max(sheets, key=lambda s: s.largest.cells)
        repeat = sheet.largest
        raise InputFileError(
            label,
            f"the cell {column_letters(repeat.column)}{repeat.row} holding {repeat.text!r} is "
            f"repeated over {repeat.columns:,} columns x {repeat.rows:,} rows "
            f"({repeat.cells:,} cells; {added:,} repeated cells in the workbook for {stored:,} "
            "stored); refusing to expand it (the file is damaged or crafted)",
            sheet=sheet.name,
        )
    extents = {str(i): s.extent for i, s in enumerate(sheets)}
    check_extents(label, extents, {str(i): s.name for i, s in enumerate(sheets)})
