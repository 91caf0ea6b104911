"""The Excel report, read back with openpyxl: typed cells, layout, print set-up, Summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from portfolio_check import check
from portfolio_check.model import Status
from portfolio_check.result import ROW_FIELDS, CheckResult
from tests.paths import SENSETIME_WORKBOOK

SHEETS = ["Summary", "Holdings", "Findings", "Exposures", "Other rows", "Input issues", "About"]


@pytest.fixture(scope="module")
def example() -> CheckResult:
    return check(SENSETIME_WORKBOOK, as_of="2022-03-01")


def _texts(sheet: Any) -> list[str]:
    return [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]


def _rows_by(sheet: Any) -> tuple[list[str], list[dict[str, Any]]]:
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    return header, rows


def test_report_sheets_and_contents(example: CheckResult, tmp_path: Path) -> None:
    written = example.write_report_files(tmp_path / "report.xlsx")
    assert written.paths == (tmp_path / "report.xlsx",)
    book = openpyxl.load_workbook(written.workbook)
    assert book.sheetnames == SHEETS
    header, rows = _rows_by(book["Holdings"])
    # status, verdict and the holding's own name first, then the evidence, then the input
    assert header[: len(ROW_FIELDS)] == [f.label for f in ROW_FIELDS]
    assert header[len(ROW_FIELDS) : len(ROW_FIELDS) + 4] == ["File", "Sheet", "Row", "Currency"]
    assert header[len(ROW_FIELDS) + 4 :][:3] == ["Account", "Security Description", "Ticker"]
    holdings = book["Holdings"]
    assert holdings.freeze_panes == "D2"
    assert holdings.auto_filter.ref is not None
    assert len(rows) == len(example.holdings)
    by_row = {row["Row"]: row for row in rows}
    assert by_row[6]["Status"] == "PROHIBITED"
    assert by_row[6]["Holding"] == "SENSETIME GROUP INC-CL B"
    assert by_row[6]["Verdict"] == "buy: prohibited; sell: only to divest, until 2022-12-10"
    assert by_row[8]["Holding"] == "KYG8062L1041"  # a row without a name: what identified it
    assert by_row[6]["Matched entry"] == "ns-cmic 33114: SENSETIME GROUP LIMITED"
    assert by_row[6]["Divestment date"] == dt.datetime(2022, 12, 10)
    # typed numbers: Excel can sum them; money carries its currency in its format
    assert by_row[6]["Quantity"] == 2_000_000 and isinstance(by_row[6]["Quantity"], int | float)
    assert by_row[6]["Market Value (USD)"] == 580_000
    assert by_row[6]["Price (USD)"] == pytest.approx(0.29)
    money_col = header.index("Market Value (USD)") + 1
    assert '"USD"' in holdings.cell(row=2, column=money_col).number_format
    assert by_row[6]["Currency"] == "USD"
    findings_header, findings = _rows_by(book["Findings"])
    assert findings_header[:3] == ["Status", "Verdict", "Holding"]
    flagged = [r for r in findings if r["Status"] == "PROHIBITED"]
    assert len(flagged) == 5 and all(r["Entry id"] == "33114" for r in flagged)
    link = book["Findings"].cell(row=2, column=findings_header.index("Entry page") + 1)
    assert link.hyperlink is not None
    assert link.hyperlink.target == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=33114"
    about_text = " ".join(_texts(book["About"]))
    assert "not legal advice" in about_text.lower()
    assert example.reference.version in about_text
    other = list(book["Other rows"].iter_rows(min_row=2, values_only=True))
    assert len(other) == len(example.other_rows)


def test_summary_opens_with_a_sentence_and_names_the_run(
    example: CheckResult, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(example.write_report(tmp_path / "r.xlsx"))
    summary = book["Summary"]
    assert summary["A2"].value == (
        "5 of 13 holdings are prohibited for a US person on 2022-03-01; total market value "
        "1,058,500 USD (of 8,702,400 USD held)."
    )
    labels = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert labels["As of"] == "2022-03-01" and labels["Investor"] == "us-person"
    assert dt.datetime.strptime(str(labels["Run at (UTC)"]), "%Y-%m-%d %H:%M:%S")
    assert labels["Run id"] == example.run_id
    assert str(labels["Tool version"]).startswith("portfolio_check ")
    assert labels["Snapshot version"] == example.reference.version
    assert "published" in str(labels["List ns-cmic"])
    assert labels["Related-company policy"] == "law" and labels["Decisions file"] == "none"
    assert "sha256 " in str(labels["Input file"]) and len(example.file_sha256) == 1
    text = _texts(summary)
    for block in ("By status", "By portfolio", "By listed entity", "Sign-off", "Prepared by"):
        assert block in text
    # the chart of market value by status
    assert len(summary._charts) == 1
    # every sheet prints landscape, fitted in width, with its header row repeated
    for sheet in book:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert "Page &P of &N" in (sheet.oddFooter.right.text or ""), sheet.title
        assert example.run_id in (sheet.oddHeader.right.text or ""), sheet.title
    assert book["Holdings"].print_title_rows == "$1:$1"


def test_market_values_are_totalled_per_currency_never_added(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Portfolio": ["A", "A", "B", "B"],
            "Security Name": ["SenseTime Group Inc", "Apple Inc", "Tencent Holdings", "HSBC"],
            "ISIN": ["KYG8062L1041", "US0378331005", "KYG875721634", "GB0005405286"],
            "Quantity": ["1,000", "10", "100", "50"],
            "Market Value": ["290", "1,650.50", "48,100", "300"],
            "Currency": ["HKD", "USD", "HKD", "usd"],
        }
    )
    result = check(frame, as_of="2022-03-01")
    assert result.currencies == ["HKD", "USD", "HKD", "USD"]
    zero = {status.value: 0.0 for status in Status}
    assert result.market_value_by_currency() == {
        "HKD": {**zero, "PROHIBITED": 290.0, "CLEAR": 48_100.0},
        "USD": {**zero, "CLEAR": 1_950.5},
    }
    book = openpyxl.load_workbook(result.write_report(tmp_path / "r.xlsx"))
    rows = list(book["Summary"].iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row[0] == "Status")
    assert rows[at][:4] == ("Status", "Positions", "Market value HKD", "Market value USD")
    table = {row[0]: row[1:4] for row in rows[at + 1 : at + 9]}
    assert table["PROHIBITED"] == (1, 290, 0)
    assert table["CLEAR"] == (3, 48_100, 1_950.5)
    assert table["All"] == (4, 48_390, 1_950.5)
    assert any("totalled apart" in str(row[0]) for row in rows if row[0])
    # the headline gives each currency apart too
    assert rows[1][0] == (
        "1 of 4 holdings is prohibited for a US person on 2022-03-01; total market value "
        "290 HKD (of 48,390 HKD, 1,950 USD held)."
    )
    # by portfolio: one line per portfolio and currency
    at = next(i for i, row in enumerate(rows) if row[0] == "Portfolio / account")
    assert {(row[0], row[4]) for row in rows[at + 1 : at + 5]} == {
        ("A", 290),
        ("A", 1_650.5),
        ("B", 48_100),
        ("B", 300),
    }
    # with FX rates, a converted total beside the per-currency ones
    converted = result.write_report(tmp_path / "fx.xlsx", fx_rates={"USD": 1.0, "HKD": 0.128})
    rows = list(openpyxl.load_workbook(converted)["Summary"].iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row[0] == "Status")
    assert rows[at][4] == "Converted to USD"
    prohibited = next(row for row in rows[at:] if row[0] == "PROHIBITED")
    assert prohibited[4] == pytest.approx(290 * 0.128)


def test_text_as_read_is_kept_on_request(example: CheckResult, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(example.write_report(tmp_path / "r.xlsx", text_as_read=True))
    header, rows = _rows_by(book["Holdings"])
    at = header.index("Quantity")
    assert header[at + 1] == "Quantity (as read)"
    assert rows[0]["Quantity"] == 2_000_000 and rows[0]["Quantity (as read)"] == "2000000"


def test_input_text_never_becomes_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Security Name": ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "@cmd"],
            "ISIN": ["US0378331005", "GB0005405286", "HK0000069689"],
            "Quantity": [1, 2, 3],
            "Market Value": [10.0, 20.0, 30.0],
        }
    )
    path = check(frame, as_of="2022-03-01").write_report(tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None or cell.hyperlink.target.startswith(
                    "https://sanctionssearch.ofac.treas.gov/"
                )
    texts = [c.value for row in book["Holdings"].iter_rows() for c in row]
    assert '=HYPERLINK("http://evil.example","click")' in texts


def test_report_bytes_is_the_workbook(example: CheckResult) -> None:
    import io

    data = example.report_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == SHEETS
