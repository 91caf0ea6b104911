"""The Excel report, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from portfolio_check import check
from tests.paths import SENSETIME_WORKBOOK

SHEETS = ["Summary", "Holdings", "Findings", "Exposures", "Other rows", "Input issues", "About"]


def test_report_sheets_and_contents(tmp_path: Path) -> None:
    result = check(SENSETIME_WORKBOOK, as_of="2022-03-01")
    path = result.write_report(tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == SHEETS
    holdings = book["Holdings"]
    header = [cell.value for cell in holdings[1]]
    assert header[:3] == ["File", "Sheet", "Row"]
    assert "Security Description" in header and "Status" in header and "Divestment date" in header
    assert holdings.freeze_panes == "A2"
    assert holdings.auto_filter.ref is not None
    rows = list(holdings.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.holdings)
    status_col = header.index("Status")
    by_row = {row[2]: row for row in rows}
    assert by_row[6][status_col] == "PROHIBITED"
    assert by_row[6][header.index("Sell")] == "only to divest, until 2022-12-10"
    findings = book["Findings"]
    flagged = [r for r in findings.iter_rows(min_row=2, values_only=True) if r[6] == "PROHIBITED"]
    assert len(flagged) == 5
    assert all(r[8] == "33114" for r in flagged)
    summary_text = " ".join(
        str(c) for row in book["Summary"].iter_rows(values_only=True) for c in row if c is not None
    )
    assert "2022-03-01" in summary_text and "us-person" in summary_text
    about_text = " ".join(
        str(c) for row in book["About"].iter_rows(values_only=True) for c in row if c is not None
    )
    assert "not legal advice" in about_text.lower()
    assert result.reference.version in about_text
    other = list(book["Other rows"].iter_rows(min_row=2, values_only=True))
    assert len(other) == len(result.other_rows)


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
    texts = [c.value for row in book["Holdings"].iter_rows() for c in row]
    assert '=HYPERLINK("http://evil.example","click")' in texts
