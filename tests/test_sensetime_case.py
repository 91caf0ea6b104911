"""The shipped SenseTime workbook on the README's dates: look-alikes, row accounting, the CLI.

Each holding's answer on each date (status, entry, basis, dates, the non-US investor's WATCH)
and the pre-trade notations are rows of ``tests/test_end_to_end_cases.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from portfolio_check import check
from portfolio_check.cli import main
from tests.paths import SENSETIME_WORKBOOK

SENSETIME_ROWS = {6, 7, 8, 9, 10}  # Excel rows of the five SenseTime notations
LOOK_ALIKES = ("SENSATA", "HISENSE", "ROBOSENSE")


def _by_row(as_of: str, investor: str = "us-person") -> dict[int, dict[str, Any]]:
    result = check(SENSETIME_WORKBOOK, as_of=as_of, investor=investor)
    return {h["row"]: h for h in result.to_dict()["holdings"]}


@pytest.mark.parametrize("as_of", ["2021-12-01", "2021-12-20", "2022-03-01", "2023-01-15"])
def test_look_alikes_are_never_flagged(as_of: str) -> None:
    for holding in _by_row(as_of).values():
        name = str(holding["security"]["name"] or "").upper()
        if any(word in name for word in LOOK_ALIKES):
            assert holding["status"] == "CLEAR", holding
            assert holding["findings"] == []


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
