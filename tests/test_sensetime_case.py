"""The reference case end to end: the shipped SenseTime workbook on the README's four dates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner

from portfolio_check import Investor, Status, check, check_security
from portfolio_check.cli import main
from tests.paths import SENSETIME_WORKBOOK

SENSETIME_ROWS = {6, 7, 8, 9, 10}  # Excel rows of the five SenseTime notations
LOOK_ALIKES = ("SENSATA", "HISENSE", "ROBOSENSE")


def _by_row(as_of: str, investor: str = "us-person") -> dict[int, dict[str, Any]]:
    result = check(SENSETIME_WORKBOOK, as_of=as_of, investor=investor)
    return {h["row"]: h for h in result.to_dict()["holdings"]}


@pytest.mark.parametrize(
    ("as_of", "status", "sell"),
    [
        ("2021-12-01", "CLEAR", "allowed"),
        ("2021-12-20", "PENDING", "allowed"),
        ("2022-03-01", "PROHIBITED", "only to divest, until 2022-12-10"),
        ("2023-01-15", "PROHIBITED", "prohibited"),
    ],
)
def test_every_sensetime_notation_on_each_date(as_of: str, status: str, sell: str) -> None:
    rows = _by_row(as_of)
    for row in SENSETIME_ROWS:
        holding = rows[row]
        assert holding["status"] == status, (row, holding["reason"])
        assert holding["actions"]["sell"] == sell
        assert holding["issuer"]["id"] == "ns-cmic:33114"
    if status != "CLEAR":
        for row in SENSETIME_ROWS:
            finding = rows[row]["findings"][0]
            assert finding["entry_id"] == "33114"
            assert finding["listing_date"] == "2021-12-10"
            assert finding["effective_date"] == "2022-02-08"
            assert finding["divestment_date"] == "2022-12-10"
            assert finding["explanation"]
    else:
        assert "not yet on NS-CMIC" in rows[6]["reason"]


def test_each_notation_is_matched_on_what_it_carries() -> None:
    rows = _by_row("2022-03-01")
    matched = {row: rows[row]["findings"][0]["matched_on"] for row in SENSETIME_ROWS}
    assert matched == {
        6: "curated ticker",  # 20 HK Equity
        7: "curated ticker",  # 0020.HK
        8: "curated isin",  # ISIN only
        9: "curated ticker",  # 00020 + XHKG, Chinese name
        10: "derived ticker",  # 80020 HK, the RMB counter, derived from the HKEX list
    }


@pytest.mark.parametrize("as_of", ["2021-12-01", "2021-12-20", "2022-03-01", "2023-01-15"])
def test_look_alikes_are_never_flagged(as_of: str) -> None:
    for holding in _by_row(as_of).values():
        name = str(holding["security"]["name"] or "").upper()
        if any(word in name for word in LOOK_ALIKES):
            assert holding["status"] == "CLEAR", holding
            assert holding["findings"] == []


@pytest.mark.parametrize("as_of", ["2021-12-20", "2022-03-01", "2023-01-15"])
def test_non_us_investor_sees_watch(as_of: str) -> None:
    rows = _by_row(as_of, investor="non-us-person")
    assert {rows[row]["status"] for row in SENSETIME_ROWS} == {"WATCH"}


def test_every_row_is_accounted_for_once() -> None:
    result = check(SENSETIME_WORKBOOK, as_of="2022-03-01")
    data = result.to_dict()
    seen = [(h["sheet"], h["row"]) for h in data["holdings"]] + [
        (o["sheet"], o["row"]) for o in data["other_rows"]
    ]
    assert len(seen) == len(set(seen)) == result.rows_read
    classes = {o["row"]: o["class"] for o in data["other_rows"]}
    assert classes[1] == "title" and classes[5] == "header"
    assert "total" in classes.values() and "cash" in classes.values()


@pytest.mark.parametrize(
    ("as_of", "investor", "code"),
    [
        ("2021-12-01", "us-person", 0),
        ("2021-12-20", "us-person", 1),
        ("2022-03-01", "us-person", 1),
        ("2023-01-15", "us-person", 1),
        ("2022-03-01", "non-us-person", 0),
    ],
)
def test_cli_exit_codes_and_json(as_of: str, investor: str, code: int) -> None:
    runner = CliRunner()
    outcome = runner.invoke(
        main,
        ["check", str(SENSETIME_WORKBOOK), "--json", "-", "--as-of", as_of, "--investor", investor],
    )
    assert outcome.exit_code == code, outcome.output
    data = json.loads(outcome.stdout)
    assert data["as_of"] == as_of and data["investor"] == investor


def test_cli_fail_on_review_and_never() -> None:
    runner = CliRunner()
    base = ["check", str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01"]
    assert runner.invoke(main, [*base, "--fail-on", "never"]).exit_code == 0
    assert runner.invoke(main, [*base, "--fail-on", "review"]).exit_code == 1


def test_ipo_subscription_before_any_ticker_existed() -> None:
    pending = check_security("SenseTime Group Inc.", side="buy", as_of="2021-12-15")
    assert pending.status is Status.PENDING
    assert pending.verdict.findings[0].entry_id == "33114"
    assert pending.verdict.findings[0].effective_date == dt.date(2022, 2, 8)
    assert pending.allowed  # purchases not yet barred by the dates alone
    later = check_security("SenseTime Group Inc.", side="buy", as_of="2022-03-01")
    assert later.status is Status.PROHIBITED and not later.allowed


def test_cli_check_security() -> None:
    runner = CliRunner()
    outcome = runner.invoke(
        main,
        [
            "check-security",
            "SenseTime Group Inc.",
            "--side",
            "buy",
            "--as-of",
            "2021-12-15",
            "--json",
            "-",
        ],
    )
    assert outcome.exit_code == 1
    data = json.loads(outcome.stdout)
    assert data["status"] == "PENDING"
    assert data["findings"][0]["entry_id"] == "33114"
    assert data["findings"][0]["effective_date"] == "2022-02-08"


@pytest.mark.parametrize(
    ("query", "exchange"),
    [
        ("0020.HK", None),
        ("20 HK Equity", None),
        ("80020 HK", None),
        ("KYG8062L1041", None),
        ("00020", "XHKG"),
        ("商湯集團股份有限公司", None),
        ("商汤集团", None),
    ],
)
def test_pre_trade_notations(query: str, exchange: str | None) -> None:
    answer = check_security(query, exchange=exchange, as_of="2022-03-01", side="sell")
    assert answer.status is Status.PROHIBITED
    assert answer.verdict.actions.sell == "only to divest, until 2022-12-10"
    assert not answer.allowed
    non_us = check_security(
        query, exchange=exchange, as_of="2022-03-01", investor=Investor.NON_US_PERSON
    )
    assert non_us.status is Status.WATCH and non_us.allowed


@pytest.mark.parametrize("query", ["Sensata Technologies", "Hisense", "RoboSense", "ST US"])
def test_pre_trade_look_alikes_clear(query: str) -> None:
    assert check_security(query, as_of="2023-01-15").status is Status.CLEAR
