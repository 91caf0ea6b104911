from __future__ import annotations

import datetime as dt

import pytest

from portfolio_check.model import Investor, ListEntry, Status
from portfolio_check.rules import MatchStrength, apply_regime, ns_cmic

SENSETIME = ListEntry(
    list_id="ns-cmic",
    entry_id="33114",
    name="SENSETIME GROUP LIMITED",
    listing_date=dt.date(2021, 12, 10),
    effective_date=dt.date(2022, 2, 8),
    divestment_date=dt.date(2022, 12, 10),
)
D = dt.date


@pytest.mark.parametrize(
    ("as_of", "status", "buy", "sell"),
    [
        (D(2021, 12, 9), None, "allowed", "allowed"),
        (D(2021, 12, 10), Status.PENDING, "allowed before 2022-02-08; stop buying", "allowed"),
        (D(2022, 2, 7), Status.PENDING, "allowed before 2022-02-08; stop buying", "allowed"),
        (D(2022, 2, 8), Status.PROHIBITED, "prohibited", "only to divest, until 2022-12-10"),
        (D(2022, 12, 9), Status.PROHIBITED, "prohibited", "only to divest, until 2022-12-10"),
        (D(2022, 12, 10), Status.PROHIBITED, "prohibited", "prohibited"),
        (D(2030, 1, 1), Status.PROHIBITED, "prohibited", "prohibited"),
    ],
)
def test_ns_cmic_dates_at_each_boundary(
    as_of: dt.date, status: Status | None, buy: str, sell: str
) -> None:
    outcome = ns_cmic(SENSETIME, as_of, Investor.US_PERSON)
    assert outcome.status is status
    assert (outcome.actions.buy, outcome.actions.sell) == (buy, sell)


@pytest.mark.parametrize("as_of", [D(2021, 12, 10), D(2022, 3, 1), D(2023, 1, 15)])
def test_non_us_person_is_watch_once_listed(as_of: dt.date) -> None:
    outcome = ns_cmic(SENSETIME, as_of, Investor.NON_US_PERSON)
    assert outcome.status is Status.WATCH
    assert "US persons only" in outcome.explanation


def test_non_us_person_before_listing_has_no_effect() -> None:
    assert ns_cmic(SENSETIME, D(2021, 12, 1), Investor.NON_US_PERSON).status is None


def test_candidate_matches_are_capped_at_review() -> None:
    outcome = apply_regime(
        "ns-cmic", SENSETIME, D(2022, 3, 1), Investor.US_PERSON, MatchStrength.CANDIDATE
    )
    assert outcome.status is Status.REVIEW
    assert "if confirmed: PROHIBITED" in outcome.explanation


def test_incomplete_dates_need_a_person() -> None:
    entry = SENSETIME.model_copy(update={"effective_date": None})
    assert ns_cmic(entry, D(2022, 3, 1), Investor.US_PERSON).status is Status.REVIEW
