"""Fund look-through: a fund holding covered securities is covered, with no de minimis."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from portfolio_check import Status, check
from portfolio_check.cli import main
from portfolio_check.funds import fund_keys, holdings_date_from, looks_like_fund
from tests.paths import EXAMPLES, shared_path

FUND = EXAMPLES / "asia_fund_AOEF_holdings_2021-06-30.csv"
PORTFOLIO = EXAMPLES / "portfolio_with_fund_and_instruments.xlsx"
FUND_ROW = 4  # the fund position in the example portfolio


def _fund_holding(as_of: str, **options: object) -> dict[str, object]:
    result = check(PORTFOLIO, as_of=as_of, fund_holdings=[FUND], **options)  # type: ignore[arg-type]
    return next(h for h in result.to_dict()["holdings"] if h["row"] == FUND_ROW)


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2021-05-31", "PROHIBITED"), ("2021-07-01", "PENDING"), ("2021-09-01", "PROHIBITED")],
)
def test_fund_takes_its_constituents_status(as_of: str, status: str) -> None:
    holding = _fund_holding(as_of)
    assert holding["status"] == status
    assert "6 constituents screened" in str(holding.get("reason", "")) or status != "CLEAR"
    if status != "CLEAR":
        findings = holding["findings"]
        assert isinstance(findings, list)
        named = {f["entry_id"] for f in findings}
        if as_of < "2021-06-03":
            # EO 13959 then: China Mobile Limited was designated (2021-01-08), AVIC Shenyang
            # Aircraft was not (its parent AVIC was; the order reached only listed entities)
            assert named == {"30923"}
            assert all(f["rule"].startswith("EO 13959") for f in findings)
            return
        assert named == {"30923", "32056"}  # China Mobile, AVIC Shenyang Aircraft
        assert all(f["exposure"] == "fund" and 0 < f["weight"] < 1 for f in findings)
        assert all(len(f["path"]) == 4 for f in findings)


def test_stale_look_through_only_asks_for_review() -> None:
    holding = _fund_holding("2022-03-01")  # 244 days after the fund's holdings date
    assert holding["status"] == "REVIEW"
    assert "days old" in str(holding["reason"])


def test_a_china_fund_without_look_through_is_not_clear() -> None:
    frame = pd.DataFrame(
        {
            "Name": ["KRANESHARES CSI CHINA INTERNET ETF", "SPDR S&P 500 ETF TRUST"],
            "Ticker": ["KWEB US Equity", "SPY US Equity"],
            "Market Value": [1.0, 2.0],
        }
    )
    verdicts = check(frame, as_of="2022-03-01").verdicts
    assert verdicts[0].status is Status.REVIEW and "FAQ 861" in verdicts[0].reason
    assert verdicts[1].status is Status.CLEAR


def test_nested_funds_resolve_through_each_level(tmp_path: Path) -> None:
    outer = tmp_path / "outer_fund_OUTR_2021-06-30.csv"
    outer.write_text(
        'Outer Fund of Funds\nFund Holdings as of,"Jun 30, 2021"\n \n'
        "Ticker,Name,Market Value\n"
        '"AOEF US","EXAMPLE ASIA OPPORTUNITIES EQUITY FUND","100.00"\n'
        '"AAPL US","APPLE INC","300.00"\n',
        encoding="utf-8",
    )
    frame = pd.DataFrame(
        {"Name": ["OUTER FUND OF FUNDS"], "Ticker": ["OUTR US"], "Market Value": [10.0]}
    )
    verdict = check(frame, as_of="2021-09-01", fund_holdings=[outer, FUND]).verdicts[0]
    assert verdict.status is Status.PROHIBITED
    assert any("EXAMPLE ASIA OPPORTUNITIES" in f.path[2] for f in verdict.findings)


def test_fund_identity_from_title_file_name_and_given_ids() -> None:
    keys = fund_keys(["US4642872349"], "iShares MSCI ACWI ETF", "ishares_ACWI_raw_2022-03-10.csv")
    assert {"isin:US4642872349", "ticker:ACWI", "name:ISHARES MSCI ACWI ETF"} <= keys
    assert holdings_date_from(["Fund Holdings as of | Mar 10, 2022"], "x.csv") == dt.date(
        2022, 3, 10
    )
    assert holdings_date_from([], "ishares_EEM_2022-07.csv") == dt.date(2022, 7, 31)
    assert looks_like_fund("ISHARES MSCI EMERGING MARKETS ETF")
    assert not looks_like_fund("CHINA MOBILE LTD")


def test_cli_fund_holdings_flag() -> None:
    outcome = CliRunner().invoke(
        main,
        [
            "check",
            str(PORTFOLIO),
            "--fund-holdings",
            f"AOEF={FUND}",
            "--as-of",
            "2021-09-01",
            "--json",
            "-",
        ],
    )
    assert outcome.exit_code == 1
    assert '"exposure": "fund"' in outcome.stdout


@pytest.mark.parametrize(
    ("file", "ticker", "as_of"),
    [
        ("ishares_EEM_2022-07.csv", "EEM US Equity", "2022-08-01"),
        ("ishares_ACWI_raw_2022-03-10.csv", "ACWI US Equity", "2022-03-11"),
    ],
)
def test_ishares_exports_work_as_fund_holdings(file: str, ticker: str, as_of: str) -> None:
    path = shared_path("holdings", file)
    frame = pd.DataFrame({"Name": ["ISHARES FUND"], "Ticker": [ticker], "Market Value": [1.0]})
    verdict = check(frame, as_of=as_of, fund_holdings=[path], lists=["ns-cmic"]).verdicts[0]
    # These funds held no NS-CMIC-listed security on their dates: not PROHIBITED, and the
    # look-through is the evidence either way.
    assert verdict.status in (Status.CLEAR, Status.REVIEW), verdict.reason
    assert "constituents screened" in verdict.reason
    for finding in verdict.findings:
        assert finding.status is Status.REVIEW and finding.matched_on.startswith("relation")


def test_report_shows_exposure_paths_apart_from_direct_findings(tmp_path: Path) -> None:
    import openpyxl

    result = check(PORTFOLIO, as_of="2021-09-01", fund_holdings=[FUND])
    book = openpyxl.load_workbook(result.write_report(tmp_path / "r.xlsx"))
    sheet = book["Exposures"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    kinds = {r["Exposure"] for r in rows}
    assert {"fund", "depositary receipt", "derivative warrant", "call option"} <= kinds
    fund_rows = [r for r in rows if r["Exposure"] == "fund"]
    assert all(" -> " in r["Path"] and r["Weight in instrument"] for r in fund_rows)
    assert all(r["Look-through market value"] < r["Holding market value"] for r in fund_rows)
    # Direct findings stay on Findings; instrument and fund exposures only on Exposures.
    findings = book["Findings"]
    at = [c.value for c in findings[1]].index("Row")
    finding_rows = {row[at] for row in findings.iter_rows(min_row=2, values_only=True)}
    assert finding_rows.isdisjoint({4, 5, 6, 7}) and 8 in finding_rows
