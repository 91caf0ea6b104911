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
from portfolio_check.options import NOT_OFFERED, WEB_FIELD_NAMES, CheckOptions
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


def test_the_upload_page_offers_every_option_or_says_why_not() -> None:
    import re
    from importlib import resources

    page = (
        resources.files("portfolio_check.web").joinpath("templates/index.html").read_text("utf-8")
    )
    fields = set(re.findall(r'name="([a-z_]+)"', page))
    missing = [
        name
        for name in FIELDS
        if WEB_FIELD_NAMES.get(name, name) not in fields and name not in NOT_OFFERED["web"]
    ]
    assert missing == []
    # and what it says it does not offer, it indeed does not
    assert not {WEB_FIELD_NAMES.get(n, n) for n in NOT_OFFERED["web"]} & fields


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


def test_the_pages_related_company_policy_reaches_the_check(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from portfolio_check.web import create_app
    from tests.web.test_web_support import settings_for, upload_root

    holdings = b"Ticker,Name,Quantity\n552 HK,CHINA COMMUNICATIONS SERVICES,1000\n"
    statuses = {}
    with TestClient(create_app(settings_for(upload_root(tmp_path)))) as client:
        for policy in ("law", "as-listed"):
            answer = client.post(
                "/api/check",
                files=[("files", ("h.csv", holdings, "text/csv"))],
                data={"as_of": "2022-03-01", "related": policy},
            )
            assert answer.status_code == 200, answer.text
            statuses[policy] = answer.json()["holdings"][0]["status"]
        refused = client.post(
            "/api/check",
            files=[("files", ("h.csv", holdings, "text/csv"))],
            data={"as_of": "2022-03-01", "related": "sometimes"},
        )
    # China Communications Services: a company of China Telecom (NS-CMIC), not itself listed
    assert statuses == {"law": "REVIEW", "as-listed": "PROHIBITED"}
    assert refused.status_code == 400 and "related-entity policy" in refused.text
