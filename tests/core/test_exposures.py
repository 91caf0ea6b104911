"""Exposure through other instruments: depositary receipts, warrants, CBBCs, options, futures."""

from __future__ import annotations

import pytest

from portfolio_check import Status, check_security

AS_OF = "2022-03-01"
# Warrant and CBBC codes of the HKEX List of Securities of 2025-07-11 are trusted only within
# their lives (from that list's date to their expiry): 51221 expires 2025-07-28.
WARRANT_AS_OF = "2025-07-15"


@pytest.mark.parametrize(
    ("query", "entry"),
    [("US16941M1099", "30923"), ("CHL US Equity", "30923"), ("US81663N2062", "30951")],
)
def test_depositary_receipts_reach_the_underlying(query: str, entry: str) -> None:
    answer = check_security(query, as_of=AS_OF)
    assert answer.status is Status.PROHIBITED
    finding = answer.verdict.findings[0]
    assert finding.entry_id == entry
    assert finding.exposure == "depositary receipt"
    assert "FAQ 860" in finding.explanation
    assert len(finding.path) == 3 and "depositary receipt" in finding.path[1]


@pytest.mark.parametrize(
    ("code", "kind", "entry"),
    [
        ("13158", "derivative warrant", "30951"),  # BI-SMIC@EC2509D, by SMIC's own short name
        ("13121", "derivative warrant", "30926"),  # HSCNOOC@EC2508A, glued issuer code
        ("13072", "derivative warrant", "30923"),  # JP-CMOB@EC2510A, curated abbreviation
        ("51221", "CBBC", "30951"),  # UB#SMIC RC2507A
    ],
)
def test_hkex_warrants_and_cbbcs_resolve_to_their_underlying(
    code: str, kind: str, entry: str
) -> None:
    answer = check_security(code, exchange="XHKG", as_of=WARRANT_AS_OF)
    assert answer.status is Status.PROHIBITED, answer.verdict.reason
    finding = answer.verdict.findings[0]
    assert finding.exposure == kind and finding.entry_id == entry
    assert finding.path[0].startswith("holding") and finding.path[1].startswith("underlying")


def test_warrant_on_a_group_company_is_review() -> None:
    answer = check_security("14830", exchange="XHKG", as_of=WARRANT_AS_OF)  # MB-CGNP@EC2601A
    assert answer.status is Status.REVIEW
    assert "FAQ 857" in answer.verdict.findings[0].explanation


@pytest.mark.parametrize("text", ["SMIC 12/29/22 C20", "981 HK 12/29/22 C20 Equity"])
def test_single_name_options_resolve_to_the_underlying(text: str) -> None:
    answer = check_security(text, as_of=AS_OF)
    assert answer.status is Status.PROHIBITED
    assert answer.verdict.identity.instrument == "call option"
    assert answer.verdict.findings[0].entry_id == "30951"


@pytest.mark.parametrize("text", ["HSCEI FUT JUN22", "HSI 06/29/22 P20000 Index"])
def test_index_derivatives_are_recognised_and_reviewed(text: str) -> None:
    answer = check_security(text, as_of=AS_OF)
    assert answer.status is Status.REVIEW
    assert "index" in answer.verdict.reason and "constituents" in answer.verdict.reason


def test_non_us_investor_sees_watch_through_a_warrant() -> None:
    answer = check_security("13158", exchange="XHKG", as_of=WARRANT_AS_OF, investor="non-us-person")
    assert answer.status is Status.WATCH
