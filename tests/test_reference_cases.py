"""Issue 3's acceptance cases: the lines OFAC omits, and the group companies the law does not reach."""

from __future__ import annotations

import pytest

from portfolio_check import Status, check_security

PROHIBITED_ON_2022_03_01 = [
    ("0020.HK", None, "33114"),
    ("80020 HK", None, "33114"),
    ("KYG8062L1041", None, "33114"),
    ("600941 CH", None, "30923"),
    ("601728.SS", None, "30882"),
    ("600938", "XSHG", "30926"),
    ("CNE100000981", None, "30959"),  # CRCC H-share ISIN, which OFAC omits
    ("302132", "XSHE", "32153"),  # ZEMIC's line after its 2025 rename
    ("300114", "XSHE", "32153"),  # ... and the code OFAC publishes
    ("603019 CH", None, "33113"),
]


@pytest.mark.parametrize(("query", "exchange", "entry"), PROHIBITED_ON_2022_03_01)
def test_covered_lines_with_their_source(query: str, exchange: str | None, entry: str) -> None:
    answer = check_security(query, exchange=exchange, as_of="2022-03-01")
    assert answer.status is Status.PROHIBITED, answer.verdict.reason
    finding = answer.verdict.findings[0]
    assert finding.entry_id == entry
    assert "source" in finding.explanation or finding.matched_on in ("isin", "ticker")


def test_sugon_pending_then_prohibited() -> None:
    assert check_security("603019 CH", as_of="2022-01-15").status is Status.PENDING
    assert check_security("603019 CH", as_of="2022-03-01").status is Status.PROHIBITED


@pytest.mark.parametrize(
    ("query", "parent"),
    [("552 HK", "30939"), ("1816 HK", "30937"), ("600050 CH", "30942"), ("2357 HK", "30925")],
)
def test_group_companies_are_review_not_prohibited(query: str, parent: str) -> None:
    answer = check_security(query, as_of="2022-03-01")
    assert answer.status is Status.REVIEW, answer.verdict.reason
    finding = answer.verdict.findings[0]
    assert finding.entry_id == parent
    assert finding.matched_on.startswith("relation:")
    assert "FAQ 857" in finding.explanation and "not itself listed" in finding.explanation


def test_stricter_firm_policy_says_it_is_policy() -> None:
    answer = check_security("1816 HK", as_of="2022-03-01", related="as-listed")
    assert answer.status is Status.PROHIBITED
    assert "firm policy, not the law" in answer.verdict.findings[0].explanation


def test_bond_of_a_financing_subsidiary_is_not_prohibited() -> None:
    answer = check_security("CNOOC Finance (2013) Limited", as_of="2022-03-01")
    assert answer.status is Status.REVIEW
    assert answer.verdict.findings[0].matched_on == "relation: financing-vehicle-of"


def test_bond_description_by_issuer_family_is_review() -> None:
    answer = check_security("CNOOC 7 ½ 07/30/39", as_of="2022-03-01")
    assert answer.status is Status.REVIEW
    assert "issuer family" in answer.verdict.findings[0].explanation


def test_a_clearance_shows_what_the_master_says() -> None:
    answer = check_security("KYG875721634", as_of="2022-03-01")  # Tencent
    assert answer.status is Status.CLEAR
    assert "00700" in answer.verdict.reason and "TENCENT" in answer.verdict.reason


@pytest.mark.parametrize("query", ["US65334HAJ14", "65334HAE2"])
def test_a_subsidiarys_bonds_are_tied_by_cusip_issuer_number(query: str) -> None:
    # Nexen's notes (CUSIP issuer 65334H), which Bloomberg files under the CNOOC ticker.
    answer = check_security(query, as_of="2022-03-01")
    assert answer.status is Status.REVIEW
    finding = answer.verdict.findings[0]
    assert finding.entry_id == "30926" and "65334H" in finding.explanation
