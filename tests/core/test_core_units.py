"""The core on a hand-built reference (tests/factory.py): resolve's tiers and screen's rules
without the shipped snapshot, so each test shows one rule on exactly the entries it needs."""

from __future__ import annotations

import datetime as dt

import pytest

from portfolio_check.model import CuratedSecurity, Investor, Relation, SecurityIdentity, Status
from portfolio_check.resolve import SecurityIndex, identify, resolve
from portfolio_check.screen import screen
from tests import factory

ACME = factory.entry(
    "90001",
    "ACME DEFENCE TECHNOLOGY GROUP CO., LTD.",
    isins=("US0378331005",),  # a valid ISIN, borrowed: the entry publishes it
    tickers=("600001 CH",),
)
REFERENCE = factory.reference(
    ACME,
    securities=(
        CuratedSecurity(
            entry_id="90001",
            list_id="ns-cmic",
            security_name="ACME DEFENCE TECH-H",
            mic="XHKG",
            local_code="09001",
            source="a made-up filing",
        ),
    ),
    relations=(
        Relation(
            kind="subsidiary-of",
            subject_name="ACME AVIONICS COMPANY LIMITED",
            object_list_id="ns-cmic",
            object_entry_id="90001",
            source="a made-up annual report",
        ),
    ),
)
INDEX = SecurityIndex(REFERENCE)


def _status(day: str, investor: Investor = Investor.US_PERSON, **cells: str) -> Status:
    identity, notes = identify(**cells)
    found = resolve(INDEX, identity, notes, as_of=dt.date.fromisoformat(day))
    return screen(found, REFERENCE, dt.date.fromisoformat(day), investor).status


@pytest.mark.parametrize(
    ("day", "status"),
    [
        ("2021-12-01", Status.CLEAR),
        ("2022-01-10", Status.PENDING),
        ("2022-03-01", Status.PROHIBITED),
    ],
)
def test_the_published_isin_follows_the_entrys_dates(day: str, status: Status) -> None:
    assert _status(day, isin="US0378331005") is status


def test_a_curated_line_and_a_published_ticker_are_the_entry() -> None:
    assert _status("2022-03-01", ticker="9001 HK") is Status.PROHIBITED
    assert _status("2022-03-01", ticker="600001 CH") is Status.PROHIBITED


def test_the_exact_name_without_identifiers_takes_the_entrys_status() -> None:
    assert _status("2022-03-01", name="Acme Defence Technology Group Co Ltd") is Status.PROHIBITED


def test_a_related_company_is_review_never_prohibited() -> None:
    assert _status("2022-03-01", name="ACME AVIONICS CO LTD") is Status.REVIEW


def test_a_non_us_person_is_watched_not_barred() -> None:
    assert _status("2022-03-01", Investor.NON_US_PERSON, isin="US0378331005") is Status.WATCH


def test_another_company_is_clear_and_a_bare_code_unresolved() -> None:
    assert _status("2022-03-01", name="GLOBEX SHIPPING PLC", isin="GB0002634946") is Status.CLEAR
    assert _status("2022-03-01", identifier="9001") is Status.UNRESOLVED


def test_each_tie_says_what_made_it() -> None:
    from portfolio_check.resolve import MatchBasis

    def basis(**cells: str) -> list[MatchBasis]:
        identity, notes = identify(**cells)
        return [m.basis for m in resolve(INDEX, identity, notes, as_of=dt.date(2022, 3, 1)).matches]

    assert basis(isin="US0378331005") == [MatchBasis.IDENTIFIER]
    assert basis(name="ACME DEFENCE TECHNOLOGY GROUP CO LTD") == [MatchBasis.NAME]
    assert basis(name="ACME AVIONICS CO LTD") == [MatchBasis.RELATION]


def test_a_derivative_on_a_name_only_sdn_hit_is_review_like_the_name() -> None:
    # SDN names alone are candidates (thousands of common names): an option written on such a
    # name inherits that (it had become an identifier match, hence BLOCKED)
    sdn = factory.entry(
        "70001", "GLOBEX MARITIME LLC", list_id="sdn", listed=None, effective=None, divest_by=None
    )
    reference = factory.reference(sdn)
    index = SecurityIndex(reference)
    day = dt.date(2022, 3, 1)
    written = identify(name="GLOBEX MARITIME LLC")[0]
    # an option row whose Underlying column names the company
    option = SecurityIdentity(
        name="GLOBEX CALL JUN22", instrument="call option", underlying="GLOBEX MARITIME LLC"
    )
    for identity in (written, option):
        found = resolve(index, identity, as_of=day)
        verdict = screen(found, reference, day, Investor.US_PERSON)
        assert verdict.status is Status.REVIEW, (identity, verdict.reason)
        assert found.matches and all(m.by_name for m in found.matches)
