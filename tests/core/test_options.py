"""One CheckOptions: the API, the command line and the web page each offer every option a check
takes, or ``options.NOT_OFFERED`` says why one does not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from pathlib import Path

import pytest

import portfolio_check
from portfolio_check.cli import main
from portfolio_check.errors import UsageError
from portfolio_check.model import Investor
from portfolio_check.options import NOT_OFFERED, CheckOptions
from tests.paths import SENSETIME_WORKBOOK

FIELDS = [f.name for f in dataclasses.fields(CheckOptions)]


def test_every_option_says_what_it_is() -> None:
    assert all(f.metadata.get("help") for f in dataclasses.fields(CheckOptions))


def test_the_api_takes_every_option_by_name() -> None:
    parameters = inspect.signature(portfolio_check.check).parameters
    assert [name for name in FIELDS if name not in parameters] == []
    assert "options" in parameters


def test_the_command_line_offers_every_option() -> None:
    command = main.commands["check"]
    names = {p.name for p in command.params}
    missing = [n for n in FIELDS if n not in names and n not in NOT_OFFERED.get("cli", {})]
    assert missing == []


def test_options_validate_what_a_face_gives() -> None:
    options = CheckOptions.build(as_of="2022-03-01", investor="non-us-person", decisions="d.csv")
    assert options.as_of == dt.date(2022, 3, 1)
    assert options.investor is Investor.NON_US_PERSON
    assert options.decisions == ("d.csv",)
    with pytest.raises(UsageError, match="investor 'nobody'"):
        CheckOptions.build(investor="nobody")
    with pytest.raises(UsageError, match="related-entity policy"):
        CheckOptions.build(related="sometimes")


def test_options_and_keywords_give_the_same_check(tmp_path: Path) -> None:
    by_keywords = portfolio_check.check(SENSETIME_WORKBOOK, as_of="2022-03-01", lists=["ns-cmic"])
    options = CheckOptions.build(as_of="2022-03-01", lists=["ns-cmic"])
    by_options = portfolio_check.check(SENSETIME_WORKBOOK, options=options)
    assert by_options.to_dict()["holdings"] == by_keywords.to_dict()["holdings"]
