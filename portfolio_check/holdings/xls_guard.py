"""Measuring a legacy .xls workbook's sheets before calamine reads them (issue 13).

calamine reserves a sheet's grid from its DIMENSIONS record (about 40 bytes a cell) and then
spans it over the cells it meets: a 5.6 KB .xls whose DIMENSIONS claims 4 billion rows makes it
ask for petabytes and abort the process (exit 134, measured), and a value at IV65536 makes it
fill a grid of 16.7 million cells. So before calamine sees the file, its OLE2 container is read
here (the sector tables, the directory, the ``Workbook`` stream), the BIFF record stream of
every sheet is walked once (records are a 2-byte type and a 2-byte length), and

* a DIMENSIONS record beyond Excel 97's 65,536 rows x 256 columns is refused;
* each sheet's used range is measured from its value records and checked like an .xlsx sheet's;
* a container or record stream that cannot be followed (a sector chain out of the file or in a
  loop, sheets whose records overlap) is refused as damaged: what cannot be measured is not read.

Only what calamine would allocate for is measured: formatted blanks (BLANK, MULBLANK) are not
data to it, as in an .xlsx.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from portfolio_check.errors import InputFileError
from portfolio_check.holdings.guards import SheetExtent, check_extents, column_letters

XLS_MAX_ROWS = 65_536
XLS_MAX_COLUMNS = 256
_XLS_LIMITS = (XLS_MAX_ROWS, XLS_MAX_COLUMNS, "Excel 97")

# OLE2 (compound file) sector numbers with a meaning of their own.
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_HEADER = 512
_DIR_ENTRY = 128
_STREAM = 2
_ROOT = 5
# The streams calamine reads a workbook from: BIFF8 (Excel 97-2003) and BIFF5 (Excel 95).
_BOOK_STREAMS = ("workbook", "book")

# BIFF record types.
_BOF, _EOF = 0x0809, 0x000A
_BOUNDSHEET = 0x0085
_FILEPASS = 0x002F
_DIMENSIONS = 0x0200
_MULRK = 0x00BD
# NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA (BIFF5/8 and BIFF4), RSTRING: one cell each,
# its row and column in the record's first four bytes.
_VALUE_CELLS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x0406, 0x00D6})


class _Damaged(Exception):
    """The container or the record stream cannot be followed."""


# --------------------------------------------------------------------------------------------
# The OLE2 container
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Container:
    data: bytes
    sector_size: int
    fat: tuple[int, ...]

    def sector(self, n: int) -> bytes:
        start = _HEADER + n * self.sector_size
        if n >= _END_OF_CHAIN - 16 or start >= len(self.data):
            raise _Damaged(f"sector {n} lies outside the file")
        return self.data[start : start + self.sector_size]

    def chain(self, first: int, table: tuple[int, ...] | None = None) -> list[int]:
        """The sectors of a chain; a chain longer than its table is a loop."""
        table = self.fat if table is None else table
        sectors: list[int] = []
        n = first
        while n != _END_OF_CHAIN:
            if n >= len(table) or len(sectors) > len(table):
                raise _Damaged("a sector chain leaves its table or loops")
            sectors.append(n)
            n = table[n]
        return sectors

    def read(self, first: int) -> bytes:
        return b"".join(self.sector(n) for n in self.chain(first))


def _words(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4])


def _container(data: bytes) -> tuple[_Container, int, int, int, int]:
    """The container, and its directory's first sector, mini stream cutoff, first mini FAT
    sector and number of mini FAT sectors."""
    if len(data) < _HEADER:
        raise _Damaged("the file is shorter than its header")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise _Damaged(f"a sector size of 2^{shift}")
    size = 1 << shift
    fat_count, directory = struct.unpack_from("<II", data, 0x2C)
    cutoff, mini_first, mini_count, difat_first, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _END_OF_CHAIN - 16]
    bare = _Container(data, size, ())
    n, seen = difat_first, 0
    while n < _END_OF_CHAIN - 16 and seen <= min(difat_count, len(data) // size):
        words = _words(bare.sector(n))
        fat_sectors += [w for w in words[:-1] if w < _END_OF_CHAIN - 16]
        n, seen = words[-1], seen + 1
    if (
        seen > difat_count
        or len(fat_sectors) > max(fat_count, 1)
        or len(fat_sectors) * size > len(data)
    ):
        raise _Damaged("the sector allocation table does not fit the file")
    fat = _words(b"".join(bare.sector(s) for s in fat_sectors))
    return _Container(data, size, fat), directory, cutoff, mini_first, mini_count


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: int
    start: int
    size: int


def _directory(container: _Container, first: int) -> list[_Entry]:
    raw = container.read(first)
    entries: list[_Entry] = []
    for at in range(0, len(raw) - _DIR_ENTRY + 1, _DIR_ENTRY):
        length = min(struct.unpack_from("<H", raw, at + 64)[0], 64)
        name = raw[at : at + max(length - 2, 0)].decode("utf-16-le", "replace")
        kind = raw[at + 66]
        start, size = struct.unpack_from("<IQ", raw, at + 116)
        if container.sector_size == 512:
            size &= 0xFFFFFFFF  # version 3 files: the high half is undefined
        entries.append(_Entry(name, kind, start, size))
    return entries


def book_streams(data: bytes) -> list[bytes]:
    """Every ``Workbook``/``Book`` stream of an OLE2 file (a crafted file may hold several;
    each is measured, whichever calamine picks)."""
    container, first_directory, cutoff, mini_first, mini_count = _container(data)
    entries = _directory(container, first_directory)
    if not entries or entries[0].kind != _ROOT:
        raise _Damaged("the directory has no root entry")
    root = entries[0]
    streams: list[bytes] = []
    mini: tuple[bytes, tuple[int, ...]] | None = None
    for entry in entries:
        if entry.kind != _STREAM or entry.name.lower() not in _BOOK_STREAMS:
            continue
        if entry.size > len(data) * 2 + (1 << 20):
            raise _Damaged(f"the {entry.name} stream claims {entry.size:,} bytes")
        if entry.size >= cutoff:
            streams.append(container.read(entry.start)[: entry.size])
            continue
        if mini is None:
            table = _words(container.read(mini_first)) if mini_count else ()
            mini = (container.read(root.start), table)
        body, table = mini
        sectors = container.chain(entry.start, table)
        streams.append(b"".join(body[s * 64 : s * 64 + 64] for s in sectors)[: entry.size])
    return streams


# --------------------------------------------------------------------------------------------
# The BIFF record stream
# --------------------------------------------------------------------------------------------


@dataclass
class XlsSheet:
    """One sheet's measure: its value cells' extent, and the ranges its DIMENSIONS declare."""

    name: str
    offset: int
    extent: SheetExtent = field(default_factory=SheetExtent)
    declared: list[tuple[int, int, int, int]] = field(default_factory=list)


def _records(stream: bytes, at: int) -> list[tuple[int, int, int]]:
    """(type, data offset, data length) of the records of one substream from ``at`` to its
    EOF (BOF/EOF pairs inside it, an embedded chart's, are walked through)."""
    found: list[tuple[int, int, int]] = []
    depth = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        found.append((kind, at + 4, length))
        at += 4 + length
        if kind == _BOF:
            depth += 1
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                break
    return found


def _sheets(stream: bytes, label: str) -> list[XlsSheet]:
    sheets: list[XlsSheet] = []
    for kind, at, length in _records(stream, 0):
        if kind == _FILEPASS:
            raise InputFileError(
                label,
                "the workbook is password-protected (encrypted); save a copy without a "
                "password and check that",
            )
        if kind == _BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, at)[0]
            sheets.append(XlsSheet(_sheet_name(stream[at + 6 : at + length]), offset))
    return sheets


def _sheet_name(raw: bytes) -> str:
    if len(raw) < 2:
        return raw.decode("latin-1")
    count, flags = raw[0], raw[1]
    if len(raw) == 1 + count:  # BIFF5: a byte count and the bytes
        return raw[1:].decode("latin-1")
    body = raw[2:]
    return (
        body[: 2 * count].decode("utf-16-le", "replace")
        if flags & 1
        else body[:count].decode("latin-1")
    )


def _measure(stream: bytes, sheet: XlsSheet) -> int:
    """Walk one sheet's records into ``sheet``; returns where its records end."""
    end = sheet.offset
    extent = sheet.extent
    for kind, at, length in _records(stream, sheet.offset):
        end = at + length
        if length < 4 or at + length > len(stream):
            continue
        row, column = struct.unpack_from("<HH", stream, at)
        if kind in _VALUE_CELLS:
            extent.add(row + 1, column + 1)
        elif kind == _MULRK and length >= 6:
            last = max(struct.unpack_from("<H", stream, at + length - 2)[0],
                       column + (length - 6) // 6 - 1)  # fmt: skip
            extent.add(row + 1, last + 1)
            extent.cells += max(last - column, 0)
        elif kind == _DIMENSIONS:
            sheet.declared.append(_dimensions(stream[at : at + length]))
    return end


def _dimensions(raw: bytes) -> tuple[int, int, int, int]:
    """First row, last row + 1, first column, last column + 1 (BIFF8: 32-bit rows)."""
    if len(raw) >= 12:
        return struct.unpack_from("<IIHH", raw)
    if len(raw) >= 8:
        return struct.unpack_from("<HHHH", raw)
    return (0, 0, 0, 0)


def check_xls(data: bytes, label: str) -> None:
    """Refuse an .xls whose container or records cannot be followed, whose DIMENSIONS reach
    past Excel 97's grid or far past its cells, or whose sheets are too many or too large."""
    try:
        streams = book_streams(data)
    except _Damaged as exc:
        raise InputFileError(
            label, f"not a readable workbook: the legacy Excel container is damaged ({exc})"
        ) from None
    except struct.error:
        raise InputFileError(
            label, "not a readable workbook: the legacy Excel container is truncated"
        ) from None
    for stream in streams:
        _check_stream(stream, label)


def _check_stream(stream: bytes, label: str) -> None:
    sheets = _sheets(stream, label)
    end = 0
    for sheet in sorted(sheets, key=lambda s: s.offset):
        if sheet.offset < end or sheet.offset >= len(stream):
            raise InputFileError(
                label,
                "not a readable workbook: its sheets' records overlap or lie outside the "
                "workbook stream (the file is damaged or crafted)",
                sheet=sheet.name,
            )
        end = _measure(stream, sheet)
    extents = {str(i): s.extent for i, s in enumerate(sheets)}
    check_extents(label, extents, {str(i): s.name for i, s in enumerate(sheets)}, _XLS_LIMITS)
    for sheet in sheets:
        _check_declared(label, sheet)


def _check_declared(label: str, sheet: XlsSheet) -> None:
    """A DIMENSIONS record is what calamine reserves memory for (40 bytes a cell): beyond
    Excel 97's grid that is terabytes and an abort. Within it the reservation (at most 671 MB
    of address space, for the one sheet being read) is never touched by a sheet of few cells
    (a far formatted blank reads in the memory of a plain file, measured), so a range there is
    judged by the cells that exist, as in an .xlsx."""
    for first_row, rows_end, first_column, columns_end in sheet.declared:
        rows, columns = max(rows_end, first_row), max(columns_end, first_column)
        if rows > XLS_MAX_ROWS or columns > XLS_MAX_COLUMNS:
            raise InputFileError(
                label,
                f"the sheet declares a range up to {column_letters(max(columns, 1))}{rows} "
                f"({rows:,} rows x {columns:,} columns), beyond Excel 97's {XLS_MAX_ROWS:,} "
                f"rows x {XLS_MAX_COLUMNS} columns; the workbook is damaged or crafted",
                sheet=sheet.name,
            )
