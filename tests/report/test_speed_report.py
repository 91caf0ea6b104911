"""Large reports (issue 6): past the row limit the Holdings table goes beside the workbook.

The workbook keeps Summary, Findings, Other rows, Input issues and About complete; the file
beside it holds exactly the rows and columns the Holdings sheet would have held.
"""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from portfolio_check import CheckResult, check
from portfolio_check.report.excel import EXCEL_MAX_ROWS, beside_path
from portfolio_check.report.flat import Coded, guard_formula, pyarrow_available, write_table

SHEETS = ["Summary", "Holdings", "Findings", "Other rows", "Input issues", "About"]


@pytest.fixture(scope="module")
def result() -> CheckResult:
    frame = pd.DataFrame(
        {
            "Account": [f"A{i % 7}" for i in range(60)],
            "Security Name": [
                "SENSETIME GROUP INC-CL B",
                "China Mobile Ltd",
                '=HYPERLINK("http://x.example","x")',
                "Apple Inc",
                "商湯集團股份有限公司－Ｗ",
                "-not a number",
            ]
            * 10,
            "ISIN": ["KYG8062L1041", None, None, "US0378331005", None, None] * 10,
            "Ticker": [None, "941 HK", None, None, None, None] * 10,
            "Quantity": list(range(1, 61)),
            "Market Value": [float(i) * 10.5 for i in range(60)],
        }
    )
    return check(frame, as_of="2022-03-01")


def _sheet_rows(path: Path, name: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[name].iter_rows(values_only=True))
    book.close()
    return rows


def _text(value: object) -> str:
    """A cell as text: None and NaN empty; the sheet's typed dates and numbers as the file
    beside the workbook writes them (ISO dates, numbers as read)."""
    if value is None or value != value:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_small_report_keeps_holdings_on_its_sheet(result: CheckResult, tmp_path: Path) -> None:
    path = result.write_report(tmp_path / "r.xlsx")
    assert set(SHEETS) <= set(openpyxl.load_workbook(path).sheetnames)
    rows = _sheet_rows(path, "Holdings")
    assert len(rows) == 1 + len(result.holdings)
    assert not list(tmp_path.glob("r.holdings.*"))


@pytest.mark.parametrize("fmt", ["csv", "csv without pyarrow", "parquet"])
def test_large_report_writes_holdings_beside(
    result: CheckResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    from portfolio_check.report import flat

    if fmt == "parquet" and not pyarrow_available():
        pytest.skip("pyarrow is not installed")
    if fmt == "csv without pyarrow":
        monkeypatch.setattr(flat, "pyarrow_available", lambda: False)
        fmt = "csv"
    full = result.write_report(tmp_path / "full.xlsx")
    expected = _sheet_rows(full, "Holdings")
    path = result.write_report(tmp_path / "big.xlsx", row_limit=25, holdings_format=fmt)
    beside = beside_path(path, fmt)
    assert beside.name == f"big.holdings.{fmt}" and beside.exists()
    if fmt == "csv":
        with beside.open(encoding="utf-8-sig", newline="") as handle:
            got = list(csv.reader(handle))
        header, body = got[0], got[1:]
    else:
        table = pd.read_parquet(beside)
        header = list(table.columns)
        body = [[_text(v) for v in row] for row in table.itertuples(index=False, name=None)]
    assert tuple(header) == expected[0]
    assert len(body) == len(result.holdings)
    for got_row, want_row in zip(body, expected[1:], strict=True):
        want = [_text(v) for v in want_row]
        if fmt == "csv":
            want = [guard_formula(v) if v else v for v in want]
        assert list(got_row) == want
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["Summary", "Holdings"]
    for name in ("Findings", "Other rows", "Input issues", "About"):
        assert name in book.sheetnames
    note = " ".join(_text(c) for row in book["Holdings"].iter_rows(values_only=True) for c in row)
    assert beside.name in note and f"{EXCEL_MAX_ROWS:,}" in note and "limit of 25" in note
    summary = " ".join(_text(c) for row in book["Summary"].iter_rows(values_only=True) for c in row)
    assert beside.name in summary
    # Findings stays complete: every position that is not CLEAR, as in the small report
    assert _sheet_rows(path, "Findings") == _sheet_rows(full, "Findings")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_failed_beside_write_fails_the_report(
    result: CheckResult, tmp_path: Path, fmt: str
) -> None:
    # the table beside is written on a thread of its own while the sheets are built: its
    # failure must still reach the caller, and no workbook may point at a file not written
    if fmt == "parquet" and not pyarrow_available():
        pytest.skip("pyarrow is not installed")
    path = tmp_path / "big.xlsx"
    beside_path(path, fmt).mkdir()  # a folder where the file must go: the write fails
    with pytest.raises(OSError):
        result.write_report(path, row_limit=25, holdings_format=fmt)
    assert not path.exists()


@pytest.mark.parametrize("writer", ["pyarrow", "csv module"])
def test_csv_never_carries_a_formula(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    from portfolio_check.report import flat

    if writer == "pyarrow" and not pyarrow_available():
        pytest.skip("pyarrow is not installed")
    if writer == "csv module":
        monkeypatch.setattr(flat, "pyarrow_available", lambda: False)
    path = write_table(
        tmp_path / "t.csv",
        ["Name", "Row"],
        [
            Coded.from_array(pd.Series(["=1+1", "+SUM(A1)", "@cmd", "-2", "-x", "plain", None])),
            pd.Series(range(7)).to_numpy(),
        ],
        "csv",
    )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ["'=1+1", "'+SUM(A1)", "'@cmd", "-2", "'-x", "plain", ""]
    assert [row[1] for row in rows[1:]] == [str(i) for i in range(7)]


def test_report_progress_counts_rows(result: CheckResult, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    result.write_report(tmp_path / "p.xlsx", progress=lambda *call: calls.append(call))
    assert [stage for stage, _, _ in calls[-2:]] == ["save", "save"]
    assert calls[-2:] == [("save", 0, 1), ("save", 1, 1)]
    rows = calls[:-2]
    assert rows and all(stage == "report" for stage, _, _ in rows)
    _, done, total = rows[-1]
    assert done == total >= len(result.holdings)


def test_row_limit_must_fit_a_sheet(result: CheckResult, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="row_limit"):
        result.write_report(tmp_path / "x.xlsx", row_limit=EXCEL_MAX_ROWS)


def test_cli_row_limit_names_the_file_beside(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from portfolio_check.cli import main
    from tests.paths import SENSETIME_WORKBOOK

    report = tmp_path / "r.xlsx"
    args = ["check", str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01", "--report", str(report)]
    done = CliRunner().invoke(main, [*args, "--row-limit", "3", "--quiet"])
    assert done.exit_code == 1, done.output
    written = [line for line in done.output.splitlines() if line.startswith("holdings table")]
    assert len(written) == 1 and "r.holdings." in written[0]
    assert len(list(tmp_path.glob("r.holdings.*"))) == 1


def test_findings_past_excels_limit_go_beside_too(
    result: CheckResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio_check.report import excel

    monkeypatch.setattr(excel, "EXCEL_MAX_ROWS", 6)  # as if Excel held 5 data rows
    path = result.write_report(tmp_path / "r.xlsx", row_limit=3, holdings_format="csv")
    findings = tmp_path / "r.findings.csv"
    assert findings.exists() and (tmp_path / "r.holdings.csv").exists()
    with findings.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    flagged = int((result.holdings["status"] != "CLEAR").sum())
    assert len(rows) - 1 >= flagged > 5
    note = " ".join(_text(c) for row in _sheet_rows(path, "Findings") for c in row)
    assert "r.findings.csv" in note


def test_parquet_codes_each_text_column_with_each_text_once(tmp_path: Path) -> None:
    if not pyarrow_available():
        pytest.skip("pyarrow is not installed")
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 40
    status = Coded(np.arange(rows) % 4, ["CLEAR", "REVIEW", "CLEAR", "PROHIBITED"])  # repeats
    amount = Coded.from_array(pd.Series([f"{i * 1.5:.2f}" for i in range(rows)]))
    path = write_table(tmp_path / "t.parquet", ["Status", "Amount"], [status, amount], "parquet")
    table = pq.read_table(path)
    assert pa.types.is_dictionary(table.schema.field("Status").type)
    assert sorted(table.column("Status").combine_chunks().dictionary.to_pylist()) == [
        "CLEAR",
        "PROHIBITED",
        "REVIEW",
    ]
    # one type for a column whatever its data: all distinct or repeating
    assert pa.types.is_dictionary(table.schema.field("Amount").type)
    assert table.column("Status").to_pylist() == [
        ["CLEAR", "REVIEW", "CLEAR", "PROHIBITED"][i % 4] for i in range(rows)
    ]
    assert table.column("Amount").to_pylist() == [f"{i * 1.5:.2f}" for i in range(rows)]


def _entry_links(path: Path, name: str) -> list[tuple[object, str | None]]:
    """Each row's Entry page cell on sheet ``name``: what it shows and where its link goes."""
    sheet = openpyxl.load_workbook(path)[name]
    column = [c.value for c in sheet[1]].index("Entry page") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    return [(c.value, c.hyperlink.target if c.hyperlink else None) for c in cells]


def test_every_finding_links_to_its_entry_page(result: CheckResult, tmp_path: Path) -> None:
    path = result.write_report(tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(path)["Findings"]
    headers = [c.value for c in sheet[1]]
    at = headers.index("Entry id") + 1
    entries = [sheet.cell(row=r, column=at).value for r in range(2, sheet.max_row + 1)]
    links = _entry_links(path, "Findings")
    assert len(links) == len(entries) > 5
    for (shown, target), entry in zip(links, entries, strict=True):
        if entry is None:  # a finding without an entry (unresolved): no page, no link
            assert shown is None and target is None
            continue
        assert target == f"https://sanctionssearch.ofac.treas.gov/Details.aspx?id={entry}"
        assert shown == f"OFAC entry {entry}"
    # each sheet's links and its relationships agree, one for one
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/sheet"):
                rels = name.replace("worksheets/", "worksheets/_rels/") + ".rels"
                targets = book.read(rels) if rels in book.namelist() else b""
                links_here = book.read(name).count(b"<hyperlink ")
                assert targets.count(b'TargetMode="External"') == links_here, name


@pytest.mark.parametrize("limit", [0, 1, 7])
def test_links_past_a_sheets_limit_show_their_address(
    result: CheckResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    from portfolio_check.report import excel

    monkeypatch.setattr(excel, "MAX_URLS", limit)
    links = _entry_links(result.write_report(tmp_path / "r.xlsx"), "Findings")
    addresses = [(shown, target) for shown, target in links if shown is not None]
    assert len(addresses) > limit
    for k, (shown, target) in enumerate(addresses):
        if k < limit:
            assert target is not None and shown == f"OFAC entry {target.rsplit('=', 1)[1]}"
        else:  # the address itself, as text, and no link
            assert target is None and str(shown).startswith("https://sanctionssearch.ofac")


_VALUE_KINDS: list[object] = [
    "CLEAR",
    "中芯国际",
    "=1+1",
    "-5",
    "-x",
    "",
    " padded ",
    None,
    float("nan"),
    dt.date(2021, 12, 10),
    "2021-12-10",  # the date's own text: one dictionary entry for both
    1,
    "1",
    1.5,
    True,
    b"bytes",
]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("seed", range(12))
def test_beside_table_cells_as_a_row_by_row_rendering(fmt: str, seed: int, tmp_path: Path) -> None:
    """Generated coded columns (texts, empties, dates, numbers, bytes, repeated values, values
    that render to one text) give, row for row, the text each row's value renders to, with
    each text once in a Parquet column's dictionary; CSV cells are formula-guarded."""
    if not pyarrow_available():
        pytest.skip("pyarrow is not installed")
    import numpy as np
    import pyarrow.parquet as pq

    from portfolio_check.report.flat import _text

    rng = np.random.default_rng(seed)
    columns: list[Coded] = []
    for _ in range(4):
        kinds = rng.choice(len(_VALUE_KINDS), size=int(rng.integers(1, 8)))
        # only texts in some columns (Arrow's own path), any kind in the others
        pool = [_VALUE_KINDS[k] for k in kinds]
        if rng.random() < 0.5:
            pool = [v for v in pool if isinstance(v, str) or v is None] or ["only"]
        values = [pool[int(k)] for k in rng.integers(0, len(pool), size=len(pool) + 2)]
        codes = rng.integers(-1, len(values), size=50)
        columns.append(Coded(codes, values))
    headers = [f"C{c}" for c in range(len(columns))]
    path = write_table(tmp_path / f"t.{fmt}", headers, columns, fmt)

    def expected(column: Coded, guard: bool) -> list[str | None]:
        out: list[str | None] = []
        for code in column.codes.tolist():
            text = _text(column.values[code]) if code >= 0 else None
            out.append(guard_formula(text) if guard and text is not None else text)
        return out

    if fmt == "parquet":
        table = pq.read_table(path)
        for header, column in zip(headers, columns, strict=True):
            got = table.column(header).combine_chunks()
            assert got.to_pylist() == expected(column, guard=False)
            dictionary = got.dictionary.to_pylist()
            assert len(dictionary) == len(set(dictionary)) and None not in dictionary
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            read = list(csv.reader(handle))
        assert read[0] == headers
        for c, column in enumerate(columns):
            want = [t if t is not None else "" for t in expected(column, guard=True)]
            assert [row[c] for row in read[1:]] == want
