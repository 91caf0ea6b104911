"""Hostile, broken and costly holdings inputs, generated (never shipped as binaries).

Each :class:`Case` is one file written by :func:`build` into a folder, with what the checker
must do with it: ``error`` (exit 2, one line naming the file, the words given in the message;
a 422 from ``/api/check``) or ``ok`` (every row accounted for, the statuses given for the named
rows, the input issues expected, valid JSON). Used by ``tests/holdings/test_hostile_input.py`` (CLI and
``/api/check``) and ``benchmarks/costly_input.py`` (time and peak memory per case).

Run ``python -m tests.hostile_corpus OUT_DIR`` to write the files for a look by hand.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

# The holdings every case is built around: two listed companies (NS-CMIC) and one that is not.
SENSETIME = ("SENSETIME GROUP INC", "KYG8062L1041")
SMIC = ("SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORP", "KYG8020E1199")
MOBILE = ("CHINA MOBILE LTD", "HK0941009539")
# Their Chinese names: traditional (Hong Kong / Taiwan custodians) and simplified.
CHINESE_TRADITIONAL = [("商湯集團股份有限公司", 1000), ("中芯國際集成電路製造有限公司", 500)]
CHINESE_SIMPLIFIED = [("商汤集团股份有限公司", 1000), ("中芯国际集成电路制造有限公司", 500)]
AS_OF = "2023-01-15"


@dataclass(frozen=True)
class Case:
    """One hostile input and what must happen to it."""

    name: str
    file: str
    make: Callable[[Path], object]  # writes the file (what it returns is ignored)
    outcome: str  # "error" or "ok"
    words: tuple[str, ...] = ()  # in the error line, or in some input issue's problem
    # for "ok": how many positions, and row number -> status expected
    positions: int | None = None
    statuses: dict[int, str] = field(default_factory=dict)
    issues: int = 0  # at least this many input issues
    uploadable: bool = True  # a special file (FIFO, device link) cannot be uploaded


def _rows(*extra: tuple[str, str, object]) -> list[list[object]]:
    return [
        ["Name", "ISIN", "Quantity"],
        [SENSETIME[0], SENSETIME[1], 100],
        [SMIC[0], SMIC[1], 200],
        [MOBILE[0], MOBILE[1], 300],
        *[list(r) for r in extra],
    ]


def _xlsx(path: Path, fill: Callable[[xlsxwriter.Workbook], None] | None = None) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    sheet = book.add_worksheet("Holdings")
    for r, row in enumerate(_rows()):
        sheet.write_row(r, 0, row)
    if fill:
        fill(book)
    book.close()


def _far_cell(path: Path) -> None:
    _xlsx(path, lambda book: book.get_worksheet_by_name("Holdings").write(1048575, 16383, "x"))


def _far_formatted_blank(path: Path) -> None:
    def fill(book: xlsxwriter.Workbook) -> None:
        bold = book.add_format({"bold": True})
        book.get_worksheet_by_name("Holdings").write_blank(1048575, 16383, None, bold)

    _xlsx(path, fill)


def _wide_empty(path: Path) -> None:
    def fill(book: xlsxwriter.Workbook) -> None:
        sheet = book.get_worksheet_by_name("Holdings")
        for r in range(4):
            for c in range(3, 16384):
                sheet.write_string(r, c, "")

    _xlsx(path, fill)


def _many_sheets(path: Path) -> None:
    def fill(book: xlsxwriter.Workbook) -> None:
        for i in range(3000):
            book.add_worksheet(f"N{i}").write(0, 0, f"note {i}")

    _xlsx(path, fill)


def _rewrite_sheet(path: Path, change: Callable[[bytes], bytes]) -> None:
    """A normal workbook with its worksheet XML changed by ``change``."""
    plain = io.BytesIO()
    _xlsx_to(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = change(body)
            target.writestr(info.filename, body)


def _xlsx_to(out: io.BytesIO) -> None:
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Holdings")
    for r, row in enumerate(_rows()):
        sheet.write_row(r, 0, row)
    book.close()


def _beyond_excel(path: Path) -> None:
    # a reference past XFD (column 16,385), which no spreadsheet can hold
    _rewrite_sheet(
        path,
        lambda xml: xml.replace(
            b"</sheetData>",
            b'<row r="7"><c r="XFE7" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    )


def _far_cell_without_references(path: Path) -> None:
    # cells without r attributes: positions are implicit, the far one by its row's number
    def change(xml: bytes) -> bytes:
        import re

        xml = re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml)
        far = b"<c/>" * 16383 + b'<c t="inlineStr"><is><t>x</t></is></c>'
        return xml.replace(b"</sheetData>", b'<row r="1048576">' + far + b"</row></sheetData>")

    _rewrite_sheet(path, change)


def _far_cell_behind_damage(path: Path) -> None:
    # implicit positions (the XML parser measures the sheet), then a stray end tag, then the
    # far cell: expat stops at the stray tag, calamine reads on to the far cell (before the
    # measure refused damage, this aborted the process: exit 134, a 512 GB grid)
    def change(xml: bytes) -> bytes:
        import re

        xml = re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml)
        far = b'<row r="1048576">' + b"<c/>" * 16383 + b"<c><v>1</v></c></row>"
        stray = b"<row><c><v>1</v></c></row></row>"
        return xml.replace(b"</sheetData>", stray + far + b"</sheetData>")

    _rewrite_sheet(path, change)


def _text(path: Path, text: str, encoding: str, prefix: bytes = b"") -> None:
    path.write_bytes(prefix + text.encode(encoding))


def _chinese(rows: list[tuple[str, int]]) -> str:
    return "Name,Quantity\n" + "".join(f"{n},{q}\n" for n, q in rows)


def _utf8_stray(path: Path) -> None:
    body = _chinese(CHINESE_SIMPLIFIED).encode("utf-8") + "Café Royal,3\n".encode("cp1252")
    path.write_bytes(body)


def _utf16_odd(path: Path) -> None:
    path.write_bytes(b"\xff\xfe" + _chinese(CHINESE_TRADITIONAL).encode("utf-16-le") + b"A")


def _utf16_lone_surrogate(path: Path) -> None:
    body = _chinese(CHINESE_TRADITIONAL).encode("utf-16-le")
    path.write_bytes(b"\xff\xfe" + body + b"\x00\xd8" + "X,1\n".encode("utf-16-le"))


def _csv(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _base_lines() -> list[str]:
    return [f'"{n}",{i},{q}' for n, i, q in (r for r in _rows()[1:])]


def _non_finite(path: Path) -> None:
    _csv(
        path,
        [
            "Name,ISIN,Market Value",
            f"{SENSETIME[0]},{SENSETIME[1]},inf",
            f"{SMIC[0]},{SMIC[1]},1e309",
            f"{MOBILE[0]},{MOBILE[1]},-Infinity",
        ],
    )


def _long_cell(path: Path) -> None:
    _csv(
        path,
        [
            "Name,ISIN,Quantity",
            f"{SENSETIME[0]},{SENSETIME[1]},100",
            f'"{"CHINA MOBILE " * 3000}",{MOBILE[1]},5',
        ],
    )


def _fifo(path: Path) -> None:
    import os

    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _ragged_wide_line(path: Path) -> None:
    _csv(path, ["Name,ISIN,Quantity", f"{SENSETIME[0]},{SENSETIME[1]},100", "x," * 20000])


# --------------------------------------------------------------------------------------------
# OpenDocument (.ods): written by hand, so every repetition attribute is what the case needs
# --------------------------------------------------------------------------------------------

_ODS_MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
    b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
    b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    b'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)
_ODS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content xmlns:office='
    b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table='
    b'"urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text='
    b'"urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    b"<office:body><office:spreadsheet>"
)
_ODS_TAIL = b"</office:spreadsheet></office:body></office:document-content>"


def ods_cell(value: object, repeat: int = 1) -> bytes:
    """One ``table:table-cell`` holding ``value`` (a number or a text), repeated ``repeat``
    times across."""
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{times} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        ).encode()
    return (
        f'<table:table-cell{times} office:value-type="string"><text:p>{value}</text:p>'
        "</table:table-cell>"
    ).encode()


def ods_empty(columns: int = 1, rows: int = 1) -> bytes:
    """A row of ``columns`` empty cells, repeated ``rows`` times down."""
    return (
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}"/></table:table-row>'
    ).encode()


def ods_table(name: str, rows: list[list[object]], extra: bytes = b"") -> bytes:
    body = b"".join(
        b"<table:table-row>" + b"".join(ods_cell(v) for v in row) + b"</table:table-row>"
        for row in rows
    )
    return f'<table:table table:name="{name}">'.encode() + body + extra + b"</table:table>"


def write_ods(path: Path, tables: list[bytes]) -> None:
    """An .ods package: the stored ``mimetype`` first, a manifest, and ``content.xml``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", _ODS_HEAD + b"".join(tables) + _ODS_TAIL)


def _ods(path: Path, extra: bytes = b"") -> None:
    write_ods(path, [ods_table("Holdings", _rows(), extra)])


def _ods_repeated_value(path: Path) -> None:
    # 1 KB: one text cell repeated over every column of every row left (17 billion cells)
    rows = len(_rows())
    _ods(
        path,
        (
            f'<table:table-row table:number-rows-repeated="{1048576 - rows}">'.encode()
            + ods_cell("x", 16384)
            + b"</table:table-row>"
        ),
    )


def _ods_far_value(path: Path) -> None:
    # one value at XFD1048576, reached by repeated empty rows and cells before it
    before = 1048576 - len(_rows()) - 1
    far = (
        b'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
        + ods_cell("x")
        + b"</table:table-row>"
    )
    _ods(path, ods_empty(16384, before) + far)


def _ods_trailing_empties(path: Path) -> None:
    # what LibreOffice writes: empty cells to the last column and empty rows to the last row
    _ods(path, ods_empty(16384, 1048576 - len(_rows())))


def _ods_many_sheets(path: Path) -> None:
    notes = [ods_table(f"N{i}", [[f"note {i}"]]) for i in range(3000)]
    write_ods(path, [ods_table("Holdings", _rows()), *notes])


def _ods_bad_repeat(path: Path) -> None:
    _ods(
        path,
        b'<table:table-row table:number-rows-repeated="-5">'
        + ods_cell("x")
        + b"</table:table-row>",
    )


def _ods_far_value_other_prefix(path: Path) -> None:
    # the far value with the table namespace bound to "t:" instead of "table:": the pattern
    # cannot vouch for it, the parser measures it
    _ods_far_value(path)
    body = zipfile.ZipFile(path).read("content.xml")
    body = body.replace(b"xmlns:table=", b"xmlns:t=").replace(b"table:", b"t:")
    write_ods_content(path, body)


def _ods_far_value_behind_a_comment(path: Path) -> None:
    # a comment holding a row end and a new row start inside the far row: a pattern that
    # believed it would put the far value in column A
    _ods_far_value(path)
    body = zipfile.ZipFile(path).read("content.xml")
    trick = b"<!-- </table:table-row><table:table-row> -->"
    at = body.rindex(b"<table:table-cell office:value-type")
    write_ods_content(path, body[:at] + trick + body[at:])


def _ods_repeat_behind_a_quoted_bracket(path: Path) -> None:
    # a ">" inside an attribute value before the repetition count
    rows = len(_rows())
    cell = (
        b'<table:table-cell table:style-name="a>b" table:number-columns-repeated="16384" '
        b'office:value-type="string"><text:p>x</text:p></table:table-cell>'
    )
    row = f'<table:table-row table:number-rows-repeated="{1048576 - rows}">'.encode()
    _ods(path, row + cell + b"</table:table-row>")


def write_ods_content(path: Path, content: bytes) -> None:
    """Replace the ``content.xml`` of the .ods at ``path``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)


# --------------------------------------------------------------------------------------------
# Legacy Excel (.xls): written by xlwt, then records forged in place
# --------------------------------------------------------------------------------------------

_BIFF8_BOF = b"\x09\x08\x10\x00\x00\x06"


def _xls_bytes(
    far: tuple[int, int, object] | None = None, style: bool = False, sheets: int = 1
) -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Holdings")
    for r, row in enumerate(_rows()):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    if far is not None:
        far_row, far_column, far_value = far
        if style:
            sheet.write(far_row, far_column, None, xlwt.easyxf("font: bold on"))
        else:
            sheet.write(far_row, far_column, far_value)
    for i in range(1, sheets):
        book.add_sheet(f"N{i}").write(0, 0, f"note {i}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_records(data: bytes) -> list[tuple[int, int]]:
    """(type, offset in the file) of every BIFF record: xlwt writes the workbook stream in one
    run of sectors, so it can be walked in the file's bytes."""
    import struct

    at = data.index(_BIFF8_BOF)
    found: list[tuple[int, int]] = []
    while at + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, at)
        if kind == 0 and length == 0:
            break  # the padding after the stream
        found.append((kind, at))
        at += 4 + length
    return found


def _forge_xls(data: bytes, kind: int, field_at: int, value: bytes, nth: int = 0) -> bytes:
    """``data`` with the ``nth`` record of type ``kind`` overwritten at ``field_at`` (bytes
    into its data) by ``value``."""
    at = [offset for k, offset in xls_records(data) if k == kind][nth] + 4 + field_at
    return data[:at] + value + data[at + len(value) :]


def _xls_forged_dimensions(path: Path) -> None:
    # 5.6 KB: DIMENSIONS claims 4,294,967,295 rows x 65,535 columns
    import struct

    path.write_bytes(
        _forge_xls(_xls_bytes(), 0x0200, 0, struct.pack("<IIHH", 0, 0xFFFFFFFF, 0, 0xFFFF))
    )


def _xls_whole_grid_dimensions(path: Path) -> None:
    # DIMENSIONS claims all of Excel 97's grid, within its limits, for twelve cells
    import struct

    path.write_bytes(_forge_xls(_xls_bytes(), 0x0200, 0, struct.pack("<IIHH", 0, 65536, 0, 256)))


def _xls_beyond_column_iv(path: Path) -> None:
    # the cell holding 300 moved to column 301 (KO), past Excel 97's last column IV
    import struct

    data = _xls_bytes((6, 0, "moved"))
    labels = [offset for kind, offset in xls_records(data) if kind == 0x00FD]
    at = labels[-1] + 4 + 2  # the last text cell's column
    path.write_bytes(data[:at] + struct.pack("<H", 300) + data[at + 2 :])


def _xls_overlapping_sheets(path: Path) -> None:
    # the second sheet's record offset pointed at the first sheet's records
    data = _xls_bytes(sheets=2)
    first = next(offset for kind, offset in xls_records(data) if kind == 0x0085)
    path.write_bytes(_forge_xls(data, 0x0085, 0, data[first + 4 : first + 8], nth=1))


CASES: list[Case] = [
    Case("far cell", "far_cell.xlsx", _far_cell, "error", ("XFD1048576", "Holdings")),
    Case("far formatted blank", "far_blank.xlsx", _far_formatted_blank, "ok", positions=3,
         statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("16,384 empty columns", "wide_empty.xlsx", _wide_empty, "ok", positions=3,
         statuses={2: "PROHIBITED"}),
    Case("3,000 sheets", "many_sheets.xlsx", _many_sheets, "ok", positions=3,
         statuses={2: "PROHIBITED"}),
    Case("reference beyond XFD", "beyond_excel.xlsx", _beyond_excel, "error", ("XFE7",)),
    Case("far cell, implicit references", "far_implicit.xlsx", _far_cell_without_references,
         "error", ("XFD1048576",)),
    Case("far cell behind damaged XML", "far_damaged.xlsx", _far_cell_behind_damage, "error",
         ("not well-formed",)),
    Case("1 MB of commas", "commas.csv", lambda p: p.write_text("," * (1 << 20)), "error",
         ("no data",)),
    Case("lines of commas", "comma_lines.csv",
         lambda p: _csv(p, ["Name,ISIN,Quantity", *_base_lines(), *[","*2000] * 400]), "ok",
         positions=3, statuses={2: "PROHIBITED"}),
    Case("a line of 20,000 fields", "wide_line.csv", _ragged_wide_line, "error",
         ("fields", "16,384")),
    Case("stray byte in UTF-8", "utf8_stray.csv", _utf8_stray, "ok", ("utf-8",), positions=3,
         statuses={2: "PROHIBITED", 3: "PROHIBITED", 4: "UNRESOLVED"}, issues=1),
    Case("Big5", "big5.csv", lambda p: _text(p, _chinese(CHINESE_TRADITIONAL), "big5"), "ok",
         positions=2, statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("Big5-HKSCS", "big5hkscs.csv",
         lambda p: _text(p, _chinese(CHINESE_TRADITIONAL), "big5hkscs"), "ok", positions=2,
         statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("GB18030", "gb18030.csv", lambda p: _text(p, _chinese(CHINESE_SIMPLIFIED), "gb18030"),
         "ok", positions=2, statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("UTF-16 LE without BOM", "utf16le.csv",
         lambda p: _text(p, _chinese(CHINESE_TRADITIONAL), "utf-16-le"), "ok", positions=2,
         statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("UTF-16 BE without BOM", "utf16be.csv",
         lambda p: _text(p, _chinese(CHINESE_TRADITIONAL), "utf-16-be"), "ok", positions=2,
         statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("UTF-16, odd length", "utf16_odd.csv", _utf16_odd, "ok", ("utf-16",), positions=2,
         statuses={2: "PROHIBITED", 3: "PROHIBITED"}, issues=1),
    Case("UTF-16, lone surrogate", "utf16_surrogate.csv", _utf16_lone_surrogate, "ok",
         ("utf-16",), positions=3, statuses={2: "PROHIBITED", 3: "PROHIBITED"}, issues=1),
    Case("inf and 1e309", "non_finite.csv", _non_finite, "ok", ("not a number",), positions=3,
         statuses={2: "PROHIBITED"}, issues=3),
    Case("a cell over 32,767 characters", "long_cell.csv", _long_cell, "ok", ("32,767",),
         positions=2, statuses={2: "PROHIBITED"}, issues=1),
    Case("FIFO", "fifo.csv", _fifo, "error", ("named pipe",), uploadable=False),
    Case("symlink to /dev/zero", "zero.csv", _dev_zero, "error", ("device",), uploadable=False),
    Case("directory", "folder.csv", lambda p: p.mkdir(), "error", ("directory",),
         uploadable=False),
    Case("ods: a value repeated over 17 billion cells", "ods_repeated.ods", _ods_repeated_value,
         "error", ("repeated over 16,384 columns", "'x'", "Holdings")),
    Case("ods: far value after repeated empties", "ods_far.ods", _ods_far_value, "error",
         ("XFD1048576", "Holdings")),
    Case("ods: far value, another prefix", "ods_far_prefix.ods", _ods_far_value_other_prefix,
         "error", ("XFD1048576",)),
    Case("ods: far value behind a comment", "ods_far_comment.ods",
         _ods_far_value_behind_a_comment, "error", ("XFD1048576",)),
    Case("ods: a '>' in an attribute before the repetition", "ods_quoted.ods",
         _ods_repeat_behind_a_quoted_bracket, "error", ("repeated over 16,384 columns", "'x'")),
    Case("ods: empty rows and columns to the sheet's end", "ods_trailing.ods",
         _ods_trailing_empties, "ok", positions=3, statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("ods: 3,000 sheets", "ods_sheets.ods", _ods_many_sheets, "ok", positions=3,
         statuses={2: "PROHIBITED"}),
    Case("ods: a repetition count of -5", "ods_bad_repeat.ods", _ods_bad_repeat, "error",
         ("content.xml", "'-5'")),
    Case("xls: DIMENSIONS forged to 4 billion rows", "xls_dimensions.xls",
         _xls_forged_dimensions, "error", ("4,294,967,295 rows", "Excel 97", "Holdings")),
    Case("xls: DIMENSIONS of the whole grid", "xls_grid.xls", _xls_whole_grid_dimensions, "ok",
         positions=3, statuses={2: "PROHIBITED", 3: "PROHIBITED"}),
    Case("xls: far cell", "xls_far.xls", lambda p: p.write_bytes(_xls_bytes((65535, 255, "x"))),
         "error", ("IV65536", "Holdings")),
    Case("xls: far formatted blank", "xls_far_blank.xls",
         lambda p: p.write_bytes(_xls_bytes((65535, 255, None), style=True)), "ok", positions=3,
         statuses={2: "PROHIBITED"}),
    Case("xls: a cell beyond column IV", "xls_beyond_iv.xls", _xls_beyond_column_iv, "error",
         ("KO7", "Excel 97")),
    Case("xls: sheets that overlap", "xls_overlap.xls", _xls_overlapping_sheets, "error",
         ("overlap",)),
]  # fmt: skip


def build(folder: Path, cases: list[Case] | None = None) -> dict[str, Path]:
    """Write every case's file into ``folder``; case name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for case in cases or CASES:
        path = folder / case.file
        if not path.exists() and not path.is_symlink():
            case.make(path)
        made[case.name] = path
    return made


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, path in build(out).items():
        print(f"{path}  ({name})")
