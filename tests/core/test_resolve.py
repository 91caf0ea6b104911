"""Resolution: identifiers first, names second, weak aliases and fuzzy names at most REVIEW."""

from __future__ import annotations

import pytest

from portfolio_check import Status, check_security

AS_OF = "2022-03-01"


@pytest.mark.parametrize(
    ("query", "exchange", "entry"),
    [
        ("941 HK Equity", None, "30923"),
        ("HK0941009539", None, "30923"),
        ("600941 CH", None, "30923"),
        ("80941 HK", None, "30923"),
        ("601728.SS", None, "30882"),
        ("0728.HK", None, "30882"),
        ("600938", "XSHG", "30926"),
        ("883 HK", None, "30926"),
        ("CHINA MOBILE LTD", None, "30923"),
        ("中国移动有限公司", None, "30923"),
    ],
)
def test_covered_lines_are_prohibited(query: str, exchange: str | None, entry: str) -> None:
    answer = check_security(query, exchange=exchange, as_of=AS_OF)
    assert answer.status is Status.PROHIBITED, answer.verdict.reason
    assert answer.verdict.findings[0].entry_id == entry


def test_bare_code_needs_its_exchange() -> None:
    # 728 on Shenzhen is Guoyuan Securities, not China Telecom (0728 HK).
    assert check_security("728", exchange="XSHE", as_of=AS_OF).status is Status.CLEAR
    assert check_security("728", exchange="XHKG", as_of=AS_OF).status is Status.PROHIBITED


def test_weak_alias_alone_is_review() -> None:
    answer = check_security("CRCC", as_of=AS_OF)
    assert answer.status is Status.REVIEW
    assert answer.verdict.findings[0].matched_on == "weak alias"


def test_an_exchange_short_name_of_a_listed_line_is_definite() -> None:
    # SMIC is OFAC's weak alias and HKEX's short name of 00981, a line of entry 30951: the
    # exchange's own name of the line ties the holding to the entry.
    answer = check_security("SMIC", as_of=AS_OF)
    assert answer.status is Status.PROHIBITED
    finding = answer.verdict.findings[0]
    assert finding.matched_on == "exchange short name" and finding.entry_id == "30951"


def test_a_typo_is_review_never_prohibited() -> None:
    answer = check_security("Sensetme Group", as_of=AS_OF)
    assert answer.status is Status.REVIEW
    assert answer.verdict.findings[0].matched_on == "fuzzy name"
    assert "similarity" in answer.verdict.findings[0].explanation


def test_group_parent_is_its_own_entry() -> None:
    listed = check_security("China Mobile Ltd", as_of=AS_OF).verdict.findings[0]
    parent = check_security("China Mobile Communications Group Co., Ltd.", as_of=AS_OF)
    assert listed.entry_id == "30923"
    assert parent.verdict.findings[0].entry_id == "30944"


@pytest.mark.parametrize(
    "query",
    [
        "China Construction Bank",
        "Sensata Technologies Holding plc",
        "Hisense Home Appliances",
        "RoboSense Technology",
        "US0378331005",
        "700 HK",
    ],
)
def test_unrelated_issuers_are_clear(query: str) -> None:
    answer = check_security(query, as_of=AS_OF)
    assert answer.status is Status.CLEAR, answer.verdict.reason
    assert "no match" in answer.verdict.reason


def test_nothing_usable_is_unresolved() -> None:
    answer = check_security("KYG8062L1042", as_of=AS_OF)  # bad check digit, nothing else
    assert answer.status is Status.UNRESOLVED
    assert "not valid" in answer.verdict.reason


def test_identifiers_weigh_a_listed_name() -> None:
    import pandas as pd

    from portfolio_check import check

    frame = pd.DataFrame(
        {
            "Security Name": ["CHINA MOBILE LTD", "COSTAR GROUP INC", "CHINA MOBILE LTD"],
            "ISIN": ["KYG875721634", None, "XS2999999993"],  # Tencent's ISIN; none; unknown
            "Ticker": [None, "CSGP", None],
            "Exchange": [None, "NASDAQ", None],
            "Market Value": [1.0, 2.0, 3.0],
        }
    )
    tencent, costar, unknown = check(frame, as_of=AS_OF).verdicts
    # The HKEX list says the ISIN is Tencent's: name and identifier disagree, a person decides;
    # the finding names both sides.
    assert tencent.status is Status.REVIEW
    assert "00700" in tencent.findings[0].explanation
    assert "CHINA MOBILE LIMITED" in tencent.findings[0].entry_name
    # A US line is not the Shenzhen-listed COSTAR GROUP CO., LTD. (002189).
    assert costar.status is Status.CLEAR and "another market" in costar.reason
    # An identifier the reference does not know: the ban is entity-based (new issues are
    # covered), so the listed name's status stands, and the finding says so.
    assert unknown.status is Status.PROHIBITED
    assert "not one the reference knows" in unknown.findings[0].explanation


@pytest.mark.parametrize(
    "name",
    [
        "TESLA INC",
        "INTEL CORPORATION CORP",
        "BAYER AG",
        "PPL CORP",
        "NEC CORP",
        "AEGON NV",
        "CITY DEVELOPMENTS LTD",
    ],
)
def test_large_lists_do_not_bury_the_officer_in_look_alikes(name: str) -> None:
    # SDN: thousands of entities; only exact names and strong aliases are screened there,
    # never similar words ("TESLA" ~ "TESA") or OFAC's weak aliases ("PPL", "NEC").
    answer = check_security(name, as_of=AS_OF)
    assert answer.status is Status.CLEAR, answer.verdict.reason


def test_an_exact_sdn_name_is_review_until_confirmed() -> None:
    answer = check_security("SEVERSTAL", as_of=AS_OF)
    assert answer.status is Status.REVIEW
    assert answer.verdict.findings[0].list_id == "sdn"
    assert "confirm the issuer" in answer.verdict.findings[0].explanation
