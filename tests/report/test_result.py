"""The result: one row mapping for every face, and an API a notebook user enjoys."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import portfolio_check
from portfolio_check import check
from portfolio_check.cli import main
from portfolio_check.result import FINDING_COLUMNS, ROW_FIELDS, SEVERITY_ORDER, CheckResult
from portfolio_check.web.views import results_view
from tests.paths import SENSETIME_WORKBOOK


@pytest.fixture(scope="module")
def example() -> CheckResult:
    return check(SENSETIME_WORKBOOK, as_of="2022-03-01")


def test_json_workbook_web_and_cli_show_a_holding_alike(
    example: CheckResult, tmp_path: Path
) -> None:
    row = 9  # 商湯集團股份有限公司－Ｗ, code 00020 with exchange XHKG
    data = example.to_dict()
    (json_holding,) = [h for h in data["holdings"] if h["row"] == row]
    book = openpyxl.load_workbook(example.write_report(tmp_path / "r.xlsx"))
    sheet = book["Holdings"]
    header = [c.value for c in sheet[1]]
    (book_row,) = [
        dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[header.index("Row")] == row
    ]
    (web_row,) = [r for r in results_view(example).rows if r["row"] == row]
    done = CliRunner().invoke(
        main, ["check", str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01", "--quiet"]
    )
    lines = done.stdout.splitlines()
    (cli_line,) = [line for line in lines if f"Holdings!{row} " in line]
    group = lines[lines.index(cli_line) - (row - 6) - 1]  # the entry's line above its rows
    status_line = lines[lines.index(group) - 1]

    name = "商湯集團股份有限公司－Ｗ"
    entry = "ns-cmic 33114: SENSETIME GROUP LIMITED"
    verdict = "buy: prohibited; sell: only to divest, until 2022-12-10"
    assert (json_holding["name"], book_row["Holding"], web_row["display_name"]) == (name,) * 3
    assert cli_line.split()[0] == name
    assert (json_holding["status"], book_row["Status"], web_row["status"]) == ("PROHIBITED",) * 3
    assert status_line.startswith("PROHIBITED ")
    assert (json_holding["matched_entry"], book_row["Matched entry"]) == (entry, entry)
    assert group.strip().startswith(entry)
    assert (json_holding["verdict"], book_row["Verdict"], web_row["verdict"]) == (verdict,) * 3
    assert (json_holding["sheet"], book_row["Sheet"], web_row["sheet"]) == ("Holdings",) * 3
    assert json_holding["reason"] == book_row["Reason"] == web_row["reason"]
    # the workbook's leading columns are the mapping's, in its order
    assert header[: len(ROW_FIELDS)] == [f.label for f in ROW_FIELDS]


def test_repr_is_short_and_html_is_a_summary(example: CheckResult) -> None:
    text = repr(example)
    assert len(text) < 2000
    assert "13 positions" in text and "PROHIBITED 5" in text
    html = example._repr_html_()
    assert len(html) < 20_000 and "5 of 13 holdings are prohibited" in html
    assert "SENSETIME GROUP INC-CL B" in html


def test_a_large_result_has_a_short_repr() -> None:
    frame = pd.DataFrame(
        {"Security Name": [f"Company {i} Ltd" for i in range(3000)], "Quantity": range(3000)}
    )
    result = check(frame, as_of="2022-03-01")
    assert len(repr(result)) < 2000 and len(result._repr_html_()) < 20_000


def test_status_is_ordered_by_severity(example: CheckResult) -> None:
    status = example.holdings["status"]
    assert isinstance(status.dtype, pd.CategoricalDtype) and status.dtype.ordered
    assert list(status.cat.categories) == [s.value for s in SEVERITY_ORDER]
    ordered = example.holdings.sort_values("status")["status"].tolist()
    assert ordered[:5] == ["PROHIBITED"] * 5 and ordered[-1] == "CLEAR"
    assert int((status <= "REVIEW").sum()) == 5  # REVIEW or worse


def test_check_keeps_the_callers_index_and_reads_a_names_only_frame() -> None:
    frame = pd.DataFrame(
        {
            "Security": ["Totals", "SenseTime Group Inc", "Apple Inc"],
            "ISIN": [None, "KYG8062L1041", "US0378331005"],
            "Quantity": [None, 100, 5],
        },
        index=pd.Index(["t", "pos-1", "pos-2"], name="ref"),
    )
    result = check(frame, as_of="2022-03-01")
    holdings = result.holdings
    assert holdings.index.name == "ref"
    assert set(holdings.index) <= {"t", "pos-1", "pos-2"}
    assert holdings.loc["pos-1", "status"] == "PROHIBITED"
    assert holdings.loc["pos-2", "status"] == "CLEAR"
    joined = frame.join(holdings[["status"]])
    assert joined.loc["pos-1", "status"] == "PROHIBITED"
    assert result.findings.index.tolist() == ["pos-1"]


def test_findings_and_summary_frames(example: CheckResult) -> None:
    findings = example.findings
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert len(findings) == 5 and set(findings["entry_id"]) == {"33114"}
    assert findings["url"].iloc[0].endswith("id=33114")
    summary = example.summary
    assert list(summary.index) == [s.value for s in SEVERITY_ORDER]
    assert summary.loc["PROHIBITED", "positions"] == 5
    assert summary.loc["PROHIBITED", "market_value USD"] == 1_058_500


def test_version_is_public() -> None:
    assert portfolio_check.__version__ == "0.1.0"
    assert "__version__" in portfolio_check.__all__


def test_a_names_only_frame_is_a_list_of_securities() -> None:
    watch = pd.DataFrame({"Name": ["SenseTime Group Inc", "Apple Inc"]})
    result = check(watch, as_of="2022-03-01")
    assert result.holdings["status"].tolist() == ["PROHIBITED", "CLEAR"]
    assert [o.row_class.value for o in result.other_rows] == ["header"]


def test_columns_say_which_column_is_what() -> None:
    frame = pd.DataFrame(
        {"Foo": ["SenseTime Group Inc", "Apple Inc"], "Code": ["KYG8062L1041", "US0378331005"]}
    )
    frame["Units"] = [1, 2]
    result = check(
        frame, as_of="2022-03-01", columns={"Foo": "name", "Code": "isin", "Units": "quantity"}
    )
    assert result.holdings["quantity"].tolist() == [1.0, 2.0]
    roles = {c["header"]: c["role"] for c in result.table_dicts()[0]["columns"]}
    assert roles == {"Foo": "name", "Code": "isin", "Units": "quantity"}
    assert "declared by the caller" in result.table_dicts()[0]["columns"][0]["why"]


def test_bad_columns_and_unreadable_frames_are_one_clear_line() -> None:
    from portfolio_check.errors import InputFileError, UsageError

    frame = pd.DataFrame({"Foo": ["1", "2"]})
    with pytest.raises(UsageError, match="'Bar' is not a column of <dataframe>"):
        check(frame, as_of="2022-03-01", columns={"Bar": "name"})
    with pytest.raises(UsageError, match="'colour' for 'Foo' is not one of: name, isin"):
        check(frame, as_of="2022-03-01", columns={"Foo": "colour"})
    with pytest.raises(InputFileError, match=r"columns: 'Foo'.*columns=") as error:
        check(frame, as_of="2022-03-01")
    assert "\n" not in str(error.value)
