"""Mutation fuzzing of the readers (issue 13): seeded, bounded in examples and time.

Real exports (a CSV and an xlsx made here) are damaged byte by byte by hypothesis (flips,
insertions, deletions, truncation, splices of hostile fragments); whatever comes out, the
reader either reads it, accounting for every row (``rows_read == positions + other rows``),
or raises :class:`InputFileError` naming the file. No other exception, no crash, no row lost.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from portfolio_check.errors import InputFileError
from portfolio_check.holdings import read_holdings

CSV_SEED = (
    "Name,ISIN,Quantity,Market Value\n"
    'SENSETIME GROUP INC,KYG8062L1041,100,"1,234.50"\n'
    "商汤集团股份有限公司,,200,5e3\n"
    '"CHINA MOBILE, LTD",HK0941009539,(300),-\n'
    "Total,,,999\n"
).encode()

FRAGMENTS = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b"\r",
    b"\n\n",
    b",,,,,,,,",
    b"inf",
    b"1e309",
    b"=1+1",
    b"\xe5\x95",
    b"\x81",
    b"<!DOCTYPE x>",
    b'<c r="XFD1048576"><v>1</v></c>',
]


def _xlsx_seed() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Holdings")
    rows: list[list[object]] = [
        ["Name", "ISIN", "Quantity"],
        ["SENSETIME GROUP INC", "KYG8062L1041", 100],
        ["CHINA MOBILE LTD", "HK0941009539", 5],
    ]
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


XLSX_SEED = _xlsx_seed()


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after a few random byte-level mutations."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and out:
            del out[at : at + draw(st.integers(1, 16))]
        elif kind == "truncate":
            del out[at:]
        else:
            out[at:at] = draw(st.sampled_from(FRAGMENTS))
    return bytes(out)


def _sheet_xml_mutated(draw: st.DrawFn) -> bytes:
    """The xlsx seed with its worksheet XML mutated (the zip stays valid, so the XML and the
    cell guards are what gets exercised)."""
    source = zipfile.ZipFile(io.BytesIO(XLSX_SEED))
    sheet = source.read("xl/worksheets/sheet1.xml")
    changed = draw(mutated(sheet))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = changed if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, body)
    return out.getvalue()


def _read_or_refuse(path: Path) -> None:
    try:
        read = read_holdings([path])
    except InputFileError as error:
        assert str(path) in str(error)
        assert "\n" not in str(error)
        return
    assert read.rows_read == len(read.positions) + len(read.other_rows)


FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@seed(13)
@FUZZ
@given(data=mutated(CSV_SEED))
def test_mutated_csv_reads_or_is_refused(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    _read_or_refuse(path)


@seed(13)
@FUZZ
@given(data=mutated(XLSX_SEED))
def test_mutated_xlsx_bytes_read_or_are_refused(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(data)
    _read_or_refuse(path)


@seed(13)
@FUZZ
@given(data=st.data())
def test_mutated_sheet_xml_reads_or_is_refused(data: st.DataObject, tmp_path: Path) -> None:
    path = tmp_path / "fuzz_sheet.xlsx"
    path.write_bytes(data.draw(st.composite(lambda draw: _sheet_xml_mutated(draw))()))
    _read_or_refuse(path)
