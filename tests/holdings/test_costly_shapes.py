"""Costly shapes read like the plain ones (issue 13, item 3).

The table analysis works per distinct text of a whole table (not per column), the workbook
renderer per distinct value of a whole sheet, wide CSVs go line by line, and the worksheet
measure drops rows as it goes and refuses damaged XML. These tests hold those paths to the
rows and outcomes of the shapes they speed up; their cost is measured in
``benchmarks/costly_input.py``, not here.
"""

from __future__ import annotations

import io
import random
import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_check.holdings import read_holdings
from portfolio_check.holdings.cells import _NUMBER_CHARACTERS, parse_number
from portfolio_check.holdings.guards import DamagedSheet, measure_with_parser
from portfolio_check.holdings.roles import ColumnProfile, profile_columns
from portfolio_check.holdings.tables import Grid, _Columns, _repeated_header, analyse_grid
from portfolio_check.model import RowClass
from tests.hostile_corpus import SENSETIME, SMIC, ods_cell, ods_table, write_ods

HEADER = ["Name", "ISIN", "Quantity"]
HOLDINGS = [[SENSETIME[0], SENSETIME[1], "100"], [SMIC[0], SMIC[1], "200"]]


def _wide_csv(path: Path, columns: int, text_rows: int, named: bool) -> None:
    """The two holdings under a header, every line ``columns`` fields wide, then lines of
    distinct texts across all columns."""
    extra = columns - len(HEADER)
    head = HEADER + ([f"Field {c}" for c in range(extra)] if named else [""] * extra)
    lines = [",".join(head)]
    lines += [",".join(row + [""] * extra) for row in HOLDINGS]
    lines += [",".join(f"t{r}x{c}" for c in range(columns)) for r in range(text_rows)]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("columns", [300, 1_025, 16_384])
@pytest.mark.parametrize("named", [False, True])
def test_wide_csv_of_distinct_texts_reads_like_its_narrow_self(
    tmp_path: Path, columns: int, named: bool
) -> None:
    _wide_csv(tmp_path / "wide.csv", columns, 3, named)
    _wide_csv(tmp_path / "narrow.csv", len(HEADER), 3, named)
    wide, narrow = read_holdings([tmp_path / "wide.csv"]), read_holdings([tmp_path / "narrow.csv"])
    assert wide.rows_read == narrow.rows_read == 1 + len(HOLDINGS) + 3
    # too few numbers for a quantity column: the text lines have names, so are positions
    assert wide.positions["row"].tolist() == narrow.positions["row"].tolist() == [2, 3, 4, 5, 6]
    assert wide.positions["isin"].tolist()[:2] == [SENSETIME[1], SMIC[1]]
    assert [(o.row, o.row_class) for o in wide.other_rows] == [(1, RowClass.HEADER)]
    kept = wide.positions["input"].iat[2]
    assert isinstance(kept, Mapping) and len(kept) == columns  # every cell kept in its row


def test_a_repeated_header_across_16384_named_columns_is_a_header_row(tmp_path: Path) -> None:
    extra = [f"Field {c}" for c in range(16_384 - len(HEADER))]
    lines = [HEADER + extra, HOLDINGS[0] + [""] * len(extra), HEADER + extra, HOLDINGS[1]]
    path = tmp_path / "wide_header.csv"
    path.write_text("\n".join(",".join(line) for line in lines) + "\n")
    read = read_holdings([path])
    assert read.positions["row"].tolist() == [2, 4]
    assert [(o.row, o.row_class) for o in read.other_rows] == [
        (1, RowClass.HEADER),
        (3, RowClass.HEADER),
    ]


def _repeats_ods(path: Path, rows: int, repeat: int) -> None:
    def row(r: int) -> bytes:
        cells = b"".join(ods_cell(f"v{r}.{c}", repeat) for c in range(8))
        return b"<table:table-row>" + cells + b"</table:table-row>"

    head = ods_table("Holdings", [list[object](HEADER), *([n, i, int(q)] for n, i, q in HOLDINGS)])
    body = head[: -len(b"</table:table>")] + b"".join(map(row, range(rows)))
    write_ods(path, [body + b"</table:table>"])


@pytest.mark.parametrize(("rows", "repeat"), [(300, 1), (300, 4), (2_000, 3)])
def test_ods_rows_of_repeated_distinct_texts_are_each_accounted_for(
    tmp_path: Path, rows: int, repeat: int
) -> None:
    path = tmp_path / "repeats.ods"
    _repeats_ods(path, rows, repeat)
    read = read_holdings([path])
    assert read.rows_read == 1 + len(HOLDINGS) + rows
    # too few numbers for a quantity column: every text line has a name, so is a position
    assert read.positions["row"].tolist() == list(range(2, 4 + rows))
    assert read.positions["isin"].tolist()[:2] == [SENSETIME[1], SMIC[1]]
    assert read.positions["name"].iat[-1] == f"v{rows - 1}.0"
    assert [(o.row, o.row_class) for o in read.other_rows] == [(1, RowClass.HEADER)]


def test_ods_16384_columns_of_texts_in_two_rows(tmp_path: Path) -> None:
    def row(r: int) -> bytes:
        cells = b"".join(ods_cell(f"{r}.{c}") for c in range(16_384))
        return b"<table:table-row>" + cells + b"</table:table-row>"

    head = ods_table("Holdings", [list[object](HEADER), *([n, i, int(q)] for n, i, q in HOLDINGS)])
    path = tmp_path / "wide.ods"
    write_ods(path, [head[: -len(b"</table:table>")] + row(1) + row(2) + b"</table:table>"])
    read = read_holdings([path])
    assert read.rows_read == 5
    # the two rows of texts name securities in the name column: positions, as before
    assert read.positions["row"].tolist() == [2, 3, 4, 5]
    assert read.positions["isin"].tolist() == [SENSETIME[1], SMIC[1], "1.1", "2.1"]


# --- the vectorised steps against the plain definitions they replace --------------------------

_TEXTS = st.sampled_from(
    [None, "", "-", "n/a", "12", "1,234.5", "(3)", "HKD", "XHKG", "Y", "941 HK", SENSETIME[1],
     "037833100", "B0YBKJ7", "Total", "Sub-total", "Cash", "Name", "ISIN", "name ", "x" * 70]
)  # fmt: skip


def _plain_profile(values: list[str | None]) -> ColumnProfile:
    from portfolio_check.holdings.cells import CURRENCY_CODES, MIC_SHAPE, is_null_like, is_ticker
    from portfolio_check.holdings.roles import _EXCHANGE_WORDS, _FLAG_VALUES
    from portfolio_check.identifiers import CUSIP, ISIN, SEDOL

    texts = [v for v in values if v is not None and not is_null_like(v)]
    n = len(texts)
    if not n:
        return ColumnProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    def frac(pred: object) -> float:
        test = cast(Callable[[str], object], pred)
        return sum(1 for t in texts if test(t)) / n

    return ColumnProfile(
        filled=n,
        numeric=sum(1 for t in texts if parse_number(t) is not None) / n,
        isin=frac(ISIN.is_valid),
        cusip=frac(CUSIP.is_valid),
        sedol=frac(SEDOL.is_valid),
        ticker=frac(is_ticker),
        currency=frac(lambda t: t.upper() in CURRENCY_CODES),
        exchange=frac(lambda t: MIC_SHAPE.match(t) or _EXCHANGE_WORDS.search(t)),
        distinct=len(set(texts)) / n,
        mean_length=sum(len(t) for t in texts) / n,
        flags=frac(lambda t: t.upper() in _FLAG_VALUES),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_TEXTS, min_size=4, max_size=4), min_size=1, max_size=12))
def test_profile_columns_is_the_profile_of_each_column(rows: list[list[str | None]]) -> None:
    cells = np.array(rows, dtype=object)
    expected = [_plain_profile(cells[:, c].tolist()) for c in range(cells.shape[1])]
    assert profile_columns(cells) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(_TEXTS, min_size=3, max_size=3), min_size=1, max_size=12),
    st.lists(st.sampled_from(["", "Name", "ISIN", "ISIN / Code", "12", "Total"]), min_size=3,
             max_size=3),
)  # fmt: skip
def test_repeated_header_compares_every_cell_with_its_header(
    rows: list[list[str | None]], headers: list[str]
) -> None:
    body = pd.DataFrame(rows, dtype=object)
    header_cols = [c for c, h in enumerate(headers) if h]
    equal = [
        sum(
            bool(
                isinstance(cell := row[c], str)
                and cell.strip().lower() in {p.strip().lower() for p in headers[c].split(" / ")}
            )
            for c in header_cols
        )
        for row in rows
    ]
    expected = [bool(header_cols) and k >= max(2, 0.6 * len(header_cols)) for k in equal]
    assert _repeated_header(_Columns(body), tuple(headers)).tolist() == expected


@given(st.text(alphabet="0123456789 ,.()+-eE'\u2019\u00a0\u3000١x%", max_size=10))
def test_the_number_prefilter_never_drops_a_number(text: str) -> None:
    if parse_number(text) is not None:
        assert _NUMBER_CHARACTERS.fullmatch(text)


def test_a_grid_of_distinct_texts_classifies_like_its_narrow_self() -> None:
    draw = random.Random(13)
    narrow = [(1, HEADER), *((i + 2, row) for i, row in enumerate(HOLDINGS))]
    wide = [(n, list(row) + [f"w{draw.random()}" for _ in range(600)]) for n, row in narrow]
    wide[0] = (1, [*HEADER, *[None] * 600])  # type: ignore[list-item]
    a = analyse_grid(Grid.from_rows("s", narrow))
    b = analyse_grid(Grid.from_rows("s", wide))
    assert a.classes == b.classes
    np.testing.assert_array_equal(a.quantity, b.quantity)


# --- the worksheet measure ----------------------------------------------------------------------


def _sheet_xml(rows: int, tail: bytes = b"") -> bytes:
    body = b"<row><c><v>1</v></c><c><v>2</v></c></row>" * rows
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + body + tail + b"</sheetData></worksheet>"
    )


def _measure_peak(xml: bytes) -> int:
    tracemalloc.start()
    try:
        extent = measure_with_parser(io.BytesIO(xml), chunk_size=1 << 14)
        return tracemalloc.get_traced_memory()[1] if extent.cells else -1
    finally:
        tracemalloc.stop()


def test_the_worksheet_measure_keeps_no_rows() -> None:
    # eight times the rows, about the same peak: rows are dropped as they end
    assert _measure_peak(_sheet_xml(40_000)) < 1.5 * _measure_peak(_sheet_xml(5_000))


def test_the_worksheet_measure_refuses_xml_it_cannot_read_to_its_end() -> None:
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with pytest.raises(DamagedSheet):
        measure_with_parser(io.BytesIO(_sheet_xml(3, b"</row>" + far)))


def test_render_values_groups_numpy_scalars_by_their_own_type() -> None:
    # a dask partition's cells are numpy scalars: grouped by type, np.float64 must stay a class
    # (``types == np.float64`` is read by numpy as a dtype comparison)
    import datetime as dt
    from decimal import Decimal

    from portfolio_check.holdings.cells import render
    from portfolio_check.holdings.readers import render_values

    cells = [np.float64(1.5), 1.5, True, 1, np.int64(3), None, "x", dt.date(2020, 1, 1),
             Decimal("1.00"), float("nan"), np.bool_(False), 1.0, 0]  # fmt: skip
    values = np.array(cells, dtype=object)
    assert render_values(values).tolist() == [render(v) for v in cells]
