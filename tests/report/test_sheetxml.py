"""The Holdings sheet's rows written by sheetxml read back as xlsxwriter's own cells do.

Each generated column is written twice into one workbook: cell by cell with xlsxwriter's calls
on one sheet, and as sheetxml's coded cells spliced into another; both are read back with
openpyxl and python-calamine and must agree value for value, format for format.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from portfolio_check.report.sheetxml import (
    CellColumn,
    SheetRows,
    coded_cells,
    date_serial,
    escape_text,
    number_cell,
    splice,
    text_cell,
)

# Texts as exports hold them: Chinese and Latin names, formula-like cells, markup characters,
# control characters, an _xHHHH_ that must read back as typed, spaces at either end.
texts = st.one_of(
    st.sampled_from(
        [
            "SENSETIME GROUP INC-CL B",
            "商汤集团",
            "=1+1",
            '=HYPERLINK("http://x")',
            "A & B <C>",
            "_x0041_",
            "  padded ",
            "tab\there",
            "line\nbreak",
            "bell\x07",
            "",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\r"),
        max_size=40,
    ),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(10**15), max_value=10**15),
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
cells = st.one_of(texts, numbers, dates, st.none())
_ESCAPE_LIKE = re.compile(r"_x[0-9a-fA-F]{4}_")


def _render(fmt_text: int, fmt_number: int, fmt_date: int) -> Any:
    def render(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return text_cell(value, fmt_text)
        if isinstance(value, dt.date):
            serial = date_serial(value)
            return None if serial is None else number_cell(serial, fmt_date)
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return None
        return number_cell(number, fmt_number)

    return render


def _both(values: list[Any], path: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    text_fmt = book.add_format({"valign": "top"})
    number_fmt = book.add_format({"num_format": "#,##0.####"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    plain = book.add_worksheet("xlsxwriter")
    plain.write_string(0, 0, "value")
    for r, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            plain.write_string(r, 0, value, text_fmt)
        elif isinstance(value, dt.date):
            plain.write_datetime(r, 0, dt.datetime(value.year, value.month, value.day), date_fmt)
        elif not (math.isnan(float(value)) or math.isinf(float(value))):
            plain.write_number(r, 0, float(value), number_fmt)
    fast = book.add_worksheet("sheetxml")
    fast.write_string(0, 0, "value")
    styles = [f._get_xf_index() for f in (text_fmt, number_fmt, date_fmt)]
    codes, rendered, _ = coded_cells(values, _render(*styles))
    book.close()
    rows = SheetRows([CellColumn(codes, rendered)], len(values))
    splice(buffer.getvalue(), {"sheetxml": rows}, path)


def _openpyxl(path: Path, sheet: str) -> list[tuple[Any, str]]:
    book = openpyxl.load_workbook(path)
    return [
        (cell.value, cell.number_format if cell.value is not None else "")
        for (cell,) in book[sheet].iter_rows(min_row=2, max_col=1)
    ]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(cells, min_size=1, max_size=30))
def test_spliced_cells_read_back_as_xlsxwriter_cells(
    tmp_path_factory: Any, values: list[Any]
) -> None:
    path = tmp_path_factory.mktemp("sheetxml") / "both.xlsx"
    _both(values, path)
    expected, got = _openpyxl(path, "xlsxwriter"), _openpyxl(path, "sheetxml")
    # openpyxl lists rows up to the last written one; pad to the input's length
    size = len(values)
    expected += [(None, "")] * (size - len(expected))
    got += [(None, "")] * (size - len(got))
    # openpyxl undoes Excel's escape of a typed "_xHHHH_" (as _x005F_xHHHH_) in shared strings
    # only, not in inline ones; calamine and Excel undo it in both, and calamine is compared
    # on every cell below
    typed = [isinstance(v, str) and bool(_ESCAPE_LIKE.search(v)) for v in values]
    assert [g for g, t in zip(got, typed, strict=True) if not t] == [
        e for e, t in zip(expected, typed, strict=True) if not t
    ]
    book = CalamineWorkbook.from_path(str(path))
    assert (
        book.get_sheet_by_name("sheetxml").to_python()
        == book.get_sheet_by_name("xlsxwriter").to_python()
    )


def test_escaping_keeps_text_as_typed() -> None:
    assert escape_text("A & B <C>") == "A &amp; B &lt;C&gt;"
    assert escape_text("bell\x07") == "bell_x0007_"
    assert escape_text("_x0041_") == "_x005F_x0041_"
    assert escape_text("\ud800x") == "\ufffdx"
    assert 'xml:space="preserve"' in text_cell(" padded", 0)
    assert len(text_cell("x" * 40_000, 0)) < 32_900  # cut to Excel's 32,767 characters


@pytest.mark.parametrize(
    ("day", "serial"),
    [
        (dt.date(1900, 1, 1), 1.0),
        (dt.date(1900, 2, 28), 59.0),
        (dt.date(1900, 3, 1), 61.0),  # Excel's 29 February 1900 is serial 60
        (dt.date(2021, 12, 10), 44540.0),
        (dt.datetime(2022, 2, 8, 12, 0), 44600.5),
    ],
)
def test_date_serials_are_excels(day: dt.date, serial: float) -> None:
    assert date_serial(day) == serial


def test_date_before_1900_is_not_a_date() -> None:
    assert date_serial(dt.date(1899, 12, 31)) is None


def test_row_heights_follow_the_longest_wrapped_text() -> None:
    codes = np.array([0, 1, -1], dtype=np.int64)
    column = CellColumn(codes, ["a", "b"], lengths=np.array([10.0, 95.0]))
    rows = SheetRows([column], 3, wrap_room={0: 30.0})
    assert rows.heights(0, 3).tolist() == [1, 4, 1]
    xml = b"".join(block for _, block in rows.blocks())
    assert b'<row r="3" ht="60" customHeight="1">' in xml
    assert b'<row r="2">' in xml and b'<row r="4"></row>' in xml


def test_splice_names_a_missing_sheet(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet("Summary")
    book.close()
    rows = SheetRows([CellColumn(np.array([0]), ["x"])], 1)
    with pytest.raises(ValueError, match="Holdings"):
        splice(buffer.getvalue(), {"Holdings": rows}, tmp_path / "x.xlsx")
