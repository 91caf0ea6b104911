"""Reading at fund scale (issue 6): column-wise rendering and the input rows kept column-wise.

Both are speed and memory changes; these tests hold them to the plain behaviour they replace.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from portfolio_check.holdings import read_holdings
from portfolio_check.holdings.cells import render
from portfolio_check.holdings.inputs import (
    InputBlock,
    InputRow,
    input_codes,
    input_columns,
    input_table,
)
from portfolio_check.holdings.readers import (
    _head_lines,
    _tail_lines,
    render_values,
    sheet_grid,
    sheet_rows,
)
from portfolio_check.holdings.tables import Grid
from tests.paths import EXAMPLES, SHARED

VALUES: list[list[object]] = [
    ["", "", "", ""],
    ["Name", "ISIN", "Qty", "When"],
    ["  SENSETIME ", "KYG8062L1041", 125000.0, dt.date(2021, 12, 30)],
    ["", "", "", ""],
    ["China Mobile", "", 1e-05, dt.datetime(2021, 3, 4, 13, 5, 6)],
    ["TRUE?", True, -0.0, dt.time(12, 0)],
    ["x\u00a0", "", 12345678901234567.0, dt.timedelta(days=1)],
    ["", "", 7, ""],
]


def _grids_equal(a: Grid, b: Grid) -> bool:
    return a.sheet == b.sheet and (a.rows == b.rows).all() and a.cells.equals(b.cells)


def test_column_wise_grid_equals_row_by_row() -> None:
    assert _grids_equal(sheet_grid("S", VALUES), Grid.from_rows("S", sheet_rows(VALUES)))


def test_render_values_keeps_true_apart_from_one() -> None:
    # a hash-based factorisation would fold True, 1 and 1.0 together
    values = np.array([True, 1, 1.0, "1", 0.0, False], dtype=object)
    assert render_values(values).tolist() == ["TRUE", "1", "1", "1", "0", "FALSE"]


def test_merged_and_empty_sheets_take_the_reference_path() -> None:
    merged = [((1, 0), (1, 1))]
    assert _grids_equal(
        sheet_grid("S", VALUES, merged), Grid.from_rows("S", sheet_rows(VALUES, merged))
    )
    assert len(sheet_grid("S", [])) == 0
    assert len(sheet_grid("S", [["", ""], ["", ""]])) == 0


def _workbooks() -> list[Path]:
    found = sorted(EXAMPLES.glob("*.xlsx"))
    if (SHARED / "holdings").exists():
        found += sorted((SHARED / "holdings").glob("*.xls*"))
    return found


@pytest.mark.parametrize("path", _workbooks(), ids=lambda p: p.name)
def test_real_workbooks_read_the_same_both_ways(path: Path) -> None:
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        try:
            sheet = book.get_sheet_by_name(name)
        except Exception:  # a chart sheet
            continue
        values = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
        assert _grids_equal(
            sheet_grid(name, values, merged), Grid.from_rows(name, sheet_rows(values, merged))
        )


def _block() -> InputBlock:
    return InputBlock(
        ["Name", "Qty", "F"],
        [
            np.array(["A", None, "C"], dtype=object),
            np.array(["1", "2", None], dtype=object),
            np.array([None, "note", None], dtype=object),
        ],
        [True, True, False],
    )


def test_input_rows_read_like_the_dicts_they_replace() -> None:
    rows = _block().rows()
    assert [dict(r) for r in rows] == [
        {"Name": "A", "Qty": "1"},
        {"Name": "", "Qty": "2", "F": "note"},
        {"Name": "C", "Qty": ""},
    ]
    row = rows[1]
    assert row == {"Name": "", "Qty": "2", "F": "note"} and len(row) == 3
    assert row["F"] == "note" and row.get("missing") is None and "F" not in rows[0]
    with pytest.raises(KeyError):
        rows[0]["F"]
    assert list(row.values()) == ["", "2", "note"]
    assert json.dumps(dict(row)) == '{"Name": "", "Qty": "2", "F": "note"}'
    # a copied or pickled row is a plain dict, not the whole table
    for twin in (pickle.loads(pickle.dumps(row)), copy.deepcopy(row)):
        assert type(twin) is dict and twin == dict(row)


def test_input_columns_and_table_are_column_wise() -> None:
    rows: list[object] = [*_block().rows(), {"Other": "x", "Name": "D"}]
    assert input_columns(rows) == ["Name", "Qty", "F", "Other"]  # type: ignore[arg-type]
    table = input_table(rows, ["Name", "F", "Other"])  # type: ignore[arg-type]
    assert table["Name"].tolist() == ["A", "", "C", "D"]
    assert table["F"].tolist() == [None, "note", None, None]
    assert table["Other"].tolist() == [None, None, None, "x"]


@pytest.mark.parametrize("seed", range(20))
def test_input_codes_only_for_one_block_in_order(seed: int) -> None:
    """The writers' shortcut (the reader's codes) holds only for the rows of one block, each
    once, in order; any other mix of rows (two blocks, a reordered or repeated row, a plain
    dict) is taken cell by cell, and input_table gives each row's own cells either way."""
    rng = np.random.default_rng(seed)
    first, second = _block(), _block()
    first.codes["Qty"] = (np.array([0, 1, -1]), ["1", "2"])
    rows: list[object] = list(first.rows())
    case = seed % 5
    if case == 1:
        rows = rows[::-1]
    elif case == 2:
        rows[int(rng.integers(0, 3))] = second.rows()[0]
    elif case == 3:
        rows[int(rng.integers(0, 3))] = {"Name": "D", "Qty": "9"}
    elif case == 4:
        rows = [*rows, rows[0]]
    coded = input_codes(rows, ["Name", "Qty"])  # type: ignore[arg-type]
    if case == 0:
        assert coded is not None and set(coded) == {"Qty"}
        codes, cells, texts = coded["Qty"]
        assert [cells[c] for c in codes.tolist()] == ["1", "2", ""]
        assert texts is None  # no Arrow texts given with this block
    else:
        assert coded is None
    table = input_table(rows, ["Name", "Qty", "F"])  # type: ignore[arg-type]
    for key in ("Name", "Qty", "F"):
        assert table[key].tolist() == [r.get(key) for r in rows]  # type: ignore[attr-defined]


def test_positions_keep_input_rows_as_views(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    pd.DataFrame(
        {"Name": ["China Mobile Ltd", "Apple"], "Quantity": ["125000", "5"], "": ["", "memo"]}
    ).to_csv(path, index=False)
    inputs = read_holdings([path]).positions["input"].tolist()
    assert all(isinstance(row, InputRow) for row in inputs)
    assert inputs[0] == {"Name": "China Mobile Ltd", "Quantity": "125000"}
    assert inputs[1] == {"Name": "Apple", "Quantity": "5", "C": "memo"}


_CELL = st.one_of(
    st.none(),
    st.text(max_size=6),
    st.sampled_from(["", " ", "1", "0", "TRUE"]),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.0, -0.0, 1.0, 1e-05, 125000.0]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
)


@given(st.lists(_CELL, max_size=30))
def test_render_values_is_render_of_each_cell(cells: list[object]) -> None:
    values = np.empty(len(cells), dtype=object)
    values[:] = cells
    assert render_values(values).tolist() == [render(v) for v in cells]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("lines", [3, 200, 201, 5_000, 40_000])
def test_head_and_tail_lines_are_those_of_the_whole_text(newline: str, lines: int) -> None:
    rng = np.random.default_rng(lines)
    text = newline.join("x" * int(n) + f",{k}" for k, n in enumerate(rng.integers(0, 40, lines)))
    for count in (1, 200):
        assert _head_lines(text, count) == text.splitlines()[:count]
        assert _tail_lines(text, count) == text.splitlines()[-count:]
        assert _tail_lines(text + newline, count) == (text + newline).splitlines()[-count:]


def _holdings_files() -> list[Path]:
    found = sorted(EXAMPLES.glob("*.xlsx")) + sorted(EXAMPLES.glob("*.csv"))
    if (SHARED / "holdings").exists():
        found += sorted(p for p in (SHARED / "holdings").iterdir() if p.suffix != ".md")
    return found


@pytest.mark.parametrize("path", _holdings_files(), ids=lambda p: p.name)
def test_classifier_position_flags_are_its_classes(path: Path) -> None:
    """The classifier's per-row position flags (kept as an array so that no step loops over a
    million rows to find the positions) say exactly which rows have no class, on every sheet
    of real exports; and the other rows' reasons are their rules'."""
    from portfolio_check.holdings.readers import ReadLimits, read_file_reporting
    from portfolio_check.holdings.tables import analyse_grid

    try:
        grids, _ = read_file_reporting(path, str(path), ReadLimits.from_env(None))
    except Exception as exc:  # a file the reader refuses is its own tests' business
        pytest.skip(f"not read: {exc}")
    for grid in grids:
        result = analyse_grid(grid)
        assert result.positions is not None
        assert result.positions.tolist() == [c is None for c in result.classes]
        assert len(result.why) in (0, len(result.classes))


def test_input_columns_of_views_only_in_first_seen_order() -> None:
    """Rows that are all views (a reader's) give the keys of their blocks in the order the
    blocks are first met, as a row by row walk over the same rows gives them."""
    first = _block()
    other = InputBlock(
        ["Code", "Name", "Extra"],
        [np.array(["X"]), np.array(["N"]), np.array([None])],
        [True, True, False],
    )
    rows = [*other.rows(), *first.rows(), *other.rows()]
    assert input_columns(rows) == ["Code", "Name", "Qty", "F"]  # "Extra" holds no text
    walked = input_columns([*rows, {}])  # a plain mapping among them: the row by row walk
    assert walked == input_columns(rows)
