"""Arrow's CSV parser and pandas' read the same grid from every CSV Arrow takes.

A CSV whose lines are each one record of the same width is read by Arrow with its columns
dictionary-coded (issue 17); any other CSV by pandas' C parser. Generated texts (quotes,
doubled quotes, delimiters inside quotes, spaces, CJK, control characters, CRLF, a missing
final newline, wide sparse rows) must give equal cells, row numbers and codes both ways, and
the texts Arrow declines (ragged or blank lines, values spanning lines) go to pandas.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portfolio_check.holdings.encoding import decode_csv
from portfolio_check.holdings.readers import (
    COMPACT_FROM_COLUMNS,
    _read_csv_arrow,
    _read_csv_pandas,
    _read_csv_records,
    read_csv_text,
)
from portfolio_check.holdings.tables import Grid

pytest.importorskip("pyarrow")

plain = st.sampled_from(
    [
        "",
        " ",
        "SENSETIME GROUP INC-CL B",
        "商汤集团",
        "0020.HK",
        "1,234.50",
        "=1+1",
        "a\tb",
        "x ",
        "x",
    ]
)
free = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters='\r\n"', exclude_categories=["Cs"]),
    max_size=12,
)


def _field(text: str, delimiter: str, quote: bool) -> str:
    if quote or delimiter in text or '"' in text:
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def rectangular(draw: st.DrawFn) -> tuple[str, str]:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 6))
    rows = draw(st.integers(1, 8))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    for _ in range(rows):
        cells = [draw(st.one_of(plain, free)) for _ in range(width)]
        quoted = [draw(st.booleans()) for _ in range(width)]
        line = delimiter.join(_field(c, delimiter, q) for c, q in zip(cells, quoted, strict=True))
        lines.append(line or '""')  # a blank line is not a record (Arrow declines those)
    end = draw(st.sampled_from([newline, ""]))
    return newline.join(lines) + end, delimiter


def _same(arrow: Grid, pandas: Grid) -> None:
    assert arrow.rows.tolist() == pandas.rows.tolist()
    assert arrow.cells.shape == pandas.cells.shape
    assert (
        arrow.cells.to_numpy(dtype=object).tolist() == pandas.cells.to_numpy(dtype=object).tolist()
    )
    for c, (codes, cells) in arrow.factors.items():  # the codes say what the cells say
        decoded = np.array([*cells, None], dtype=object)[codes]
        assert decoded.tolist() == arrow.cells[c].tolist()
        # equal codes mean equal cells, and equal cells equal codes: each cell once, none empty
        assert len(set(cells)) == len(cells) and None not in cells


def _width(text: str, delimiter: str) -> int:
    import csv
    import io

    return max(len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rectangular())
def test_arrow_reads_each_rectangular_csv_as_pandas_does(case: tuple[str, str]) -> None:
    text, delimiter = case
    width = _width(text, delimiter)
    try:
        pandas = _read_csv_pandas(text, sheet="csv", delimiter=delimiter, width=width)
    except ValueError:  # pandas finds nothing to parse: read_csv_text reads the records
        pandas = _read_csv_records(text, "f.csv", sheet="csv", delimiter=delimiter)
    arrow = _read_csv_arrow(text, sheet="csv", delimiter=delimiter, width=width)
    assert arrow is not None  # a rectangle of single-line records is Arrow's
    _same(arrow, pandas)
    # the cells as Arrow strings, for the writers: the factors' cells, each once, in order
    assert set(arrow.texts) == set(arrow.factors)
    for c, texts in arrow.texts.items():
        assert texts.to_pylist() == arrow.factors[c][1]
        assert len(set(arrow.factors[c][1])) == len(arrow.factors[c][1])


@pytest.mark.parametrize(
    "text",
    [
        "Report\nName,ISIN\nSenseTime,KYG8062L1041\n",  # a title line of one field
        'Name,Note\nSenseTime,"two\nlines"\nApple,x\n',  # a value spanning lines
        "Name,ISIN\nSenseTime,KYG8062L1041,extra\n",  # a longer record
    ],
)
def test_arrow_declines_what_is_not_a_rectangle(text: str) -> None:
    width = _width(text, ",")
    assert _read_csv_arrow(text, sheet="csv", delimiter=",", width=width) is None
    grid = read_csv_text(text, "f.csv", sheet="csv", delimiter=",")
    assert "SenseTime" in grid.cells.to_numpy(dtype=object).ravel().tolist()


def test_a_blank_line_is_skipped_and_the_rows_keep_their_numbers() -> None:
    text = "Name,ISIN\nSenseTime,KYG8062L1041\n\n,\nApple,US0378331005\n"
    arrow = _read_csv_arrow(text, sheet="csv", delimiter=",", width=2)
    assert arrow is not None
    _same(arrow, _read_csv_pandas(text, sheet="csv", delimiter=",", width=2))
    assert arrow.rows.tolist() == [1, 2, 5]


def test_wide_sparse_rows_are_compacted_as_pandas_compacts_them() -> None:
    width = COMPACT_FROM_COLUMNS + 40
    rows = [["" for _ in range(width)] for _ in range(5)]
    rows[0][3], rows[0][200], rows[1][3], rows[4][260] = "Name", "ISIN", "SenseTime", "KY"
    rows[2][100] = "   "  # spaces: a field as read, empty once cleaned
    text = "\n".join(",".join(r) for r in rows) + "\n"
    pandas = _read_csv_pandas(text, sheet="csv", delimiter=",", width=width)
    arrow = _read_csv_arrow(text, sheet="csv", delimiter=",", width=width)
    assert arrow is not None
    _same(arrow, pandas)
    assert arrow.cells.shape[1] < width


def test_a_column_of_one_repeated_text_is_one_cleaned_cell() -> None:
    text = "Name,Currency\n" + "".join(f"Line {i},  HKD \n" for i in range(50))
    arrow = _read_csv_arrow(text, sheet="csv", delimiter=",", width=2)
    assert arrow is not None
    codes, cells = arrow.factors[1]
    assert sorted({cells[k] for k in codes.tolist() if k >= 0}) == ["Currency", "HKD"]
    assert pd.Series(arrow.cells[1]).tolist()[1:] == ["HKD"] * 50


def test_the_table_beside_a_report_is_the_same_whichever_parser_read_the_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    from portfolio_check import check
    from portfolio_check.holdings import readers

    lines = ["Account,Security Name,ISIN,Ticker,Quantity,Market Value,Note"]
    names = [
        ("SENSETIME GROUP INC-CL B", "KYG8062L1041", ""),
        ("China Mobile Ltd", "", "941 HK"),
        ("Apple Inc", "US0378331005", ""),
        ("=1+1", "", ""),
    ]
    for i in range(40):
        name, isin, ticker = names[i % 4]
        note = "" if i % 3 else " kept  "
        lines.append(f"A{i % 3},{name},{isin},{ticker},{i + 1},{(i + 1) * 10.5},{note}")
    path = tmp_path / "h.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def beside(folder: str) -> dict[str, list[object]]:
        result = check(path, as_of="2022-03-01")
        report = result.write_report(tmp_path / folder / "r.xlsx", row_limit=5)
        table: dict[str, list[object]] = pq.read_table(
            report.with_name("r.holdings.parquet")
        ).to_pydict()
        return table

    arrow = beside("arrow")
    monkeypatch.setattr(readers, "_read_csv_arrow", lambda *a, **k: None)
    pandas = beside("pandas")
    assert arrow.keys() == pandas.keys() and len(arrow["Status"]) >= 30
    for header in arrow:
        if header != "Run":
            assert arrow[header] == pandas[header], header


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["1.234,5", "12", "x"])), max_size=3000),
    st.integers(0, 40),
)
def test_first_present_is_the_head_of_the_present_cells(cells: list[object], count: int) -> None:
    from portfolio_check.holdings.cells import first_present

    column = pd.Series(cells, dtype=object)
    assert first_present(column, count) == column.dropna().head(count).tolist()


amounts = st.sampled_from(
    ["1,234.5", "(12)", "-", "n/a", "1.234,5", "12%", " 7 ", "1e3", "inf", "", "0.5", "12 500"]
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=30))
def test_amounts_read_from_arrows_codes_are_pandas_amounts(
    rows: list[tuple[str, str]],
) -> None:
    import tempfile

    from portfolio_check.holdings import read_holdings, readers

    lines = ["Security Name,ISIN,Quantity,Market Value"]
    lines += [f'Apple Inc,US0378331005,"{q}","{v}"' for q, v in rows]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        arrow = read_holdings([path])
        original = readers._read_csv_arrow
        try:
            readers._read_csv_arrow = lambda *a, **k: None
            pandas = read_holdings([path])
        finally:
            readers._read_csv_arrow = original
    for column in ("row", "quantity", "market_value"):
        assert arrow.positions[column].tolist() == pandas.positions[column].tolist() or (
            arrow.positions[column].isna().tolist() == pandas.positions[column].isna().tolist()
            and arrow.positions[column].dropna().tolist()
            == pandas.positions[column].dropna().tolist()
        ), column
    assert [(i.row, i.column, i.problem) for i in arrow.issues] == [
        (i.row, i.column, i.problem) for i in pandas.issues
    ]
    assert [(o.row, o.row_class) for o in arrow.other_rows] == [
        (o.row, o.row_class) for o in pandas.other_rows
    ]


def test_a_csv_parsed_in_many_blocks_reads_as_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # a big CSV is parsed in blocks, each with its own dictionary of texts per column: unified,
    # the cells and their codes are those of one block (padded, emptied and repeated texts
    # falling in different blocks)
    from portfolio_check.holdings import readers

    texts = ["HKD", " HKD ", "", "  ", "USD", "SenseTime Group Inc", "x", "x "]
    lines = ["Name,Currency,Code"] + [
        f"{texts[i % 8]},{texts[(i * 3) % 8]},{i % 5}" for i in range(3000)
    ]
    text = "\n".join(lines) + "\n"
    whole = _read_csv_arrow(text, sheet="csv", delimiter=",", width=3)
    monkeypatch.setattr(readers, "ARROW_BLOCK_BYTES", 512)
    blocks = _read_csv_arrow(text, sheet="csv", delimiter=",", width=3)
    assert whole is not None and blocks is not None
    _same(blocks, whole)
    for c in whole.factors:
        assert blocks.factors[c][1] == whole.factors[c][1]
        assert blocks.factors[c][0].tolist() == whole.factors[c][0].tolist()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(rectangular(), st.booleans())
def test_a_files_own_utf8_bytes_read_as_its_text_does(case: tuple[str, str], bom: bool) -> None:
    # the reader hands Arrow the file's bytes when they are the text as UTF-8 (with or
    # without a BOM) instead of encoding the decoded text again
    text, delimiter = case
    decoded = decode_csv((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"), "f.csv")
    assume(decoded.text == text)  # a text that starts with U+FEFF, or sniffs as UTF-16
    assert decoded.utf8 == text.encode("utf-8")
    width = _width(text, delimiter)
    given_bytes = _read_csv_arrow(
        text, sheet="csv", delimiter=delimiter, width=width, utf8=decoded.utf8
    )
    encoded = _read_csv_arrow(text, sheet="csv", delimiter=delimiter, width=width)
    assert given_bytes is not None and encoded is not None
    _same(given_bytes, encoded)


def test_bytes_that_did_not_decode_are_never_handed_on_as_utf8() -> None:
    # a replaced byte, or another encoding, makes the text differ from the file's bytes: the
    # text is encoded again
    chinese = "名称,代码\n" + "商汤集团,0020\n" * 40
    for raw in (
        chinese.encode("utf-8") + b"\xff,1\n",  # UTF-8 with one bad byte: read as U+FFFD
        codecs.BOM_UTF8 + chinese.encode("utf-8") + b"\xff,1\n",
        b"Name,ISIN\nA\xff,KYG8062L1041\n",  # read as cp1252
    ):
        decoded = decode_csv(raw, "f.csv")
        assert decoded.utf8 is None
        assert decoded.text.encode("utf-8") not in (raw, raw[3:])


_EDGE = " \t\r\n\u00a0\ufeff\u200b\u3000\u2003\x0b\x0c\u0085"  # stripped ones and others


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from([*_EDGE, "a", "中", "1", ",", "-", "\U0001f600"])),
        max_size=30,
    )
)
def test_arrow_finds_the_texts_to_clean_as_python_cleans_them(texts: list[str]) -> None:
    """clean_dictionary (Arrow picks the texts that need cleaning) gives clean_texts' texts,
    and tells the unchanged ones exactly (they are the same objects)."""
    import pyarrow as pa

    from portfolio_check.holdings.cells import clean_dictionary, clean_texts

    read, cleaned, same = clean_dictionary(pa.array(texts, type=pa.string()))
    assert read == texts
    assert cleaned == clean_texts(list(texts))
    assert same.tolist() == [c is t for c, t in zip(cleaned, read, strict=True)]


def test_arrow_cleaning_cuts_over_long_texts() -> None:
    import pyarrow as pa

    from portfolio_check.holdings.cells import MAX_CELL_CHARS, clean_dictionary, clean_text

    texts = ["x" * (MAX_CELL_CHARS + 1), " " + "y" * MAX_CELL_CHARS + " ", "ok"]
    _, cleaned, same = clean_dictionary(pa.array(texts))
    assert cleaned == [clean_text(t) for t in texts] and same.tolist() == [False, False, True]
