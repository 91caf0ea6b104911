"""Issue 15: the rule in force on every date, more lists, and related companies.

Through ``check-security`` (the CLI, JSON out) and ``check`` (a holdings file written here),
on the shipped snapshot.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from portfolio_check import check
from portfolio_check.cli import main
from portfolio_check.model import Investor, ListEntry, Status
from portfolio_check.reference import DEFAULT_LISTS
from portfolio_check.regimes import Designation, eo13959, period_in_force
from portfolio_check.rules import MatchStrength, apply_regime


def security(identifier: str, as_of: str, *extra: str) -> dict[str, Any]:
    args = ["check-security", identifier, "--as-of", as_of, "--json", "-", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


# --------------------------------------------------------------------------------------------
# Regimes by date
# --------------------------------------------------------------------------------------------


def test_china_mobile_under_eo13959_on_2021_03_31() -> None:
    answer = security("941 HK", "2021-03-31")
    assert answer["status"] == "PROHIBITED"
    finding = answer["findings"][0]
    assert finding["rule"].startswith("EO 13959 as amended by EO 13974")
    # the primary texts: listed 2021-01-08, purchases barred from 2021-03-09
    assert (finding["listing_date"], finding["effective_date"]) == ("2021-01-08", "2021-03-09")
    assert finding["divestment_date"] == "2022-01-08"
    # the other reading is evidence, not the rule
    assert "other reading" in finding["explanation"]
    assert "2021-01-11" in finding["explanation"]
    assert answer["actions"]["sell"] == "only to divest, until 2022-01-08"


def test_china_mobile_before_any_regime_is_clear_and_says_so() -> None:
    answer = security("941 HK", "2020-10-01")
    assert answer["status"] == "CLEAR"
    assert "no regime in force on 2020-10-01" in answer["reason"]


def test_china_mobile_between_its_listing_and_the_bar_is_pending() -> None:
    answer = security("941 HK", "2021-02-01")
    assert answer["status"] == "PENDING"
    assert "purchases barred from 2021-03-09" in answer["reason"]


def test_china_mobile_after_2021_06_03_is_under_eo14032() -> None:
    answer = security("941 HK", "2022-03-01")
    assert answer["status"] == "PROHIBITED"
    assert answer["findings"][0]["rule"].startswith("EO 14032")


def test_xiaomi_pending_then_enjoined() -> None:
    pending = security("1810 HK", "2021-02-01")
    assert pending["status"] == "PENDING"
    assert pending["findings"][0]["effective_date"] == "2021-03-15"
    enjoined = security("1810 HK", "2021-04-01")
    assert enjoined["status"] == "CLEAR"
    assert "preliminary injunction" in enjoined["reason"]
    assert "21-cv-280" in enjoined["reason"]
    assert "FAQ 880" in enjoined["reason"]
    # not on NS-CMIC: once EO 14032 replaced the regime, the NS-CCMC list is not applied
    later = security("1810 HK", "2022-04-01")
    assert later["status"] == "CLEAR"
    assert "NS-CCMC" not in later["reason"]
    assert "NS-CMIC (68 entries)" in later["reason"]


def test_luokung_by_its_own_dates_and_injunction() -> None:
    assert security("LKCO US", "2021-04-01")["status"] == "PENDING"
    # enjoined on 2021-05-05, three days before its purchase bar would have begun
    assert security("LKCO US", "2021-05-04")["status"] == "PENDING"
    enjoined = security("LKCO US", "2021-05-10")
    assert enjoined["status"] == "CLEAR"
    assert "21-cv-583" in enjoined["reason"]


def test_a_ccmc_never_on_ns_cmic_is_prohibited_in_its_period() -> None:
    answer = security("1766 HK", "2021-02-15")  # CRRC, the Annex
    assert answer["status"] == "PROHIBITED"
    assert answer["issuer"]["id"] == "ns-ccmc:CCMC-CRRC"
    assert security("1766 HK", "2021-07-01")["status"] == "CLEAR"


def test_a_non_us_person_is_watch_under_eo13959() -> None:
    answer = security("941 HK", "2021-03-31", "--investor", "non-us-person")
    assert answer["status"] == "WATCH"


D = dt.date
ANNEX = Designation(
    list_id="ns-cmic",
    entry_id="30946",
    name="Hangzhou Hikvision Digital Technology",
    group="the Annex 31",
    listed=D(2020, 11, 12),
    purchases_barred=D(2021, 1, 11),
    divest_until=D(2021, 11, 11),
    source="EO 13959 Annex",
)
HIKVISION = ListEntry(list_id="ns-cmic", entry_id="30946", name="HANGZHOU HIKVISION")


def test_eo13959_holding_is_prohibited_after_the_deadline() -> None:
    # EO 13974's possession ban; EO 14032 replaced the order before any deadline came, so
    # the rule itself is exercised here.
    outcome = eo13959(ANNEX, HIKVISION, D(2021, 11, 12), Investor.US_PERSON)
    assert outcome.status is Status.PROHIBITED
    assert (outcome.actions.buy, outcome.actions.sell) == ("prohibited", "prohibited")
    assert "holding, purchase and sale prohibited" in outcome.explanation
    window = eo13959(ANNEX, HIKVISION, D(2021, 11, 11), Investor.US_PERSON)
    assert window.actions.sell == "only to divest, until 2021-11-11"


def test_a_close_name_under_eo13959_is_review_naming_the_general_licences() -> None:
    outcome = apply_regime(
        "ns-cmic",
        HIKVISION,
        D(2021, 3, 1),
        Investor.US_PERSON,
        MatchStrength.CANDIDATE,
        designation=ANNEX,
    )
    assert outcome.status is Status.REVIEW
    assert "closely matches" in outcome.explanation
    assert "General Licenses 1, 1A and 1B" in outcome.explanation


def test_the_periods_meet_without_a_gap() -> None:
    assert period_in_force("ns-cmic", D(2020, 11, 11)) is None
    first = period_in_force("ns-cmic", D(2021, 6, 2))
    second = period_in_force("ns-cmic", D(2021, 6, 3))
    assert first is not None and first.regime == "eo13959"
    assert second is not None and second.regime == "ns-cmic"


def test_readme_sensetime_dates_are_untouched_by_the_earlier_regime() -> None:
    # SenseTime was never an EO 13959 designation; the README's table stays as it is.
    assert security("0020.HK", "2021-12-01")["status"] == "CLEAR"
    assert security("0020.HK", "2022-03-01")["status"] == "PROHIBITED"


# --------------------------------------------------------------------------------------------
# Related companies, on dates inside their relation
# --------------------------------------------------------------------------------------------

# (identifier, as-of, related subject, listed entry)
RELATED = [
    ("2883 HK", "2025-12-01", "China Oilfield Services", "30956"),
    ("601808 CH", "2025-12-01", "China Oilfield Services", "30956"),
    ("000625 CH", "2025-01-02", "Changan", "30933"),
    ("200625 CH", "2025-01-02", "Changan", "30933"),
    ("600893 CH", "2025-12-01", "AECC Aviation Power", "30902"),
    ("000738 CH", "2025-12-01", "AECC Aero-Engine Control", "30902"),
    ("600391 CH", "2025-12-01", "AECC Aviation Technology", "30902"),
    ("688475 CH", "2025-12-01", "EZVIZ", "30946"),
    ("US12591DAD30", "2025-12-01", "CNOOC Nexen Finance (2014)", "30926"),
    ("US12625GAD60", "2025-12-01", "CNOOC Finance (2013)", "30926"),
    ("US12634MAE03", "2025-12-01", "CNOOC Finance (2015) U.S.A.", "30926"),
    ("US12634GAC78", "2025-12-01", "CNOOC Finance (2015) Australia", "30926"),
    ("USQ25738AA54", "2022-12-01", "CNOOC Curtis Funding No. 1", "30926"),
    # a CUSIP issuer number ties every security of that issuer (this ISIN is built on it)
    ("US136420AB19", "2025-12-01", "Nexen", "30926"),
    ("US65334HAE27", "2025-12-01", "Nexen", "30926"),
    ("XS1227947097", "2024-12-01", "CGNPC International", "30937"),
    ("XS2102904864", "2025-12-01", "CCCI Treasure", "30930"),
    ("XS2102905168", "2025-12-01", "CCCI Treasure", "30930"),
    ("XS0928126340", "2022-12-01", "CRCC Yuxiang", "30959"),
    ("XS2014269018", "2025-12-01", "CRCC Chengan", "30959"),
    ("XS2340538680", "2025-12-01", "CRCC Hean", "30959"),
    ("HK0001055422", "2025-12-01", "CRCC Hengyu", "30959"),
    ("XS0970892724", "2022-12-01", "AVIC International Finance", "30925"),
    ("XS2231903084", "2025-12-01", "AVIC International Finance", "30925"),
    ("XS2264757704", "2025-12-01", "AVIC International Finance", "30925"),
    ("3877 HK", "2025-12-01", "CSSC (Hong Kong) Shipping", "30938"),
    ("XS1882616474", "2022-12-01", "CSSC (Hong Kong) Shipping", "30938"),
    ("XS2100650758", "2024-12-01", "CSSC (Hong Kong) Shipping", "30938"),
    ("XS2115047735", "2025-12-01", "CSSC (Hong Kong) Shipping", "30938"),
    ("XS2358216211", "2025-12-01", "CSSC (Hong Kong) Shipping", "30938"),
    ("USG2444PAA50", "2022-01-03", "COSL Finance (BVI)", "30956"),
    ("XS1267602305", "2024-12-01", "COSL Singapore Capital", "30956"),
    ("XS2180875077", "2024-12-01", "COSL Singapore Capital", "30956"),
    ("XS2180875234", "2025-12-01", "COSL Singapore Capital", "30956"),
    ("CRCC Hengyu Ltd", "2025-12-01", "CRCC Hengyu", "30959"),
    ("杭州萤石网络股份有限公司", "2025-12-01", "EZVIZ", "30946"),
]


@pytest.mark.parametrize(("identifier", "as_of", "subject", "entry"), RELATED)
def test_a_related_company_is_review_with_its_relation(
    identifier: str, as_of: str, subject: str, entry: str
) -> None:
    answer = security(identifier, as_of)
    assert answer["status"] == "REVIEW", answer["reason"]
    finding = answer["findings"][0]
    assert finding["matched_on"].startswith("relation: ")
    assert finding["entry_id"] == entry
    assert subject in finding["explanation"]
    assert "source: " in finding["explanation"]
    assert "FAQ 857" in finding["explanation"]


def test_changan_is_clear_after_the_split_and_says_why() -> None:
    answer = security("000625 CH", "2025-12-01")
    assert answer["status"] == "CLEAR"
    assert "the relation ended on 2025-07-28" in answer["reason"]


def test_a_relation_before_it_began_ties_nothing() -> None:
    # AECC was founded on 2016-08-28; the engine companies were AVIC's before (not curated)
    answer = security("600893 CH", "2016-01-04", "--any-date")
    assert answer["status"] == "CLEAR"
    assert "the relation began on 2016-08-28" in answer["reason"]


def test_affiliates_are_a_firm_choice_off_by_default() -> None:
    default = security("788 HK", "2025-12-01")
    assert default["status"] == "CLEAR"
    assert "affiliates are screened only with --related law+affiliates" in default["reason"]
    chosen = security("788 HK", "2025-12-01", "--related", "law+affiliates")
    assert chosen["status"] == "REVIEW"
    assert chosen["findings"][0]["matched_on"] == "relation: affiliate-of"


# --------------------------------------------------------------------------------------------
# More lists
# --------------------------------------------------------------------------------------------


def test_defaults_stay_ns_cmic_and_sdn() -> None:
    assert DEFAULT_LISTS == ("ns-cmic", "sdn")
    answer = security("Beijing SenseTime Technology Development Co., Ltd.", "2025-06-30")
    assert answer["status"] == "CLEAR"


def test_un_listed_entity_is_blocked_for_any_investor() -> None:
    for investor in ("us-person", "non-us-person"):
        answer = security(
            "Korea Mining Development Trading Corporation",
            "2025-06-30",
            "--lists",
            "un",
            "--investor",
            investor,
        )
        assert answer["status"] == "BLOCKED"
        assert "reference KPe.001" in answer["reason"]
        assert "listed 2009-04-24" in answer["reason"]


def test_entity_list_makes_beijing_sensetime_watch() -> None:
    answer = security(
        "Beijing SenseTime Technology Development Co., Ltd.", "2025-06-30", "--lists", "entity-list"
    )
    assert answer["status"] == "WATCH"
    assert "export controls, not an investment ban" in answer["reason"]
    assert "2019-10-09" in answer["reason"]
    # before its listing it has no effect
    assert (
        security(
            "Beijing SenseTime Technology Development",
            "2019-06-28",
            "--lists",
            "entity-list",
            "--any-date",
        )["status"]
        == "CLEAR"
    )


def test_meu_is_watch() -> None:
    answer = security("AECC Aviation Power Co. Ltd.", "2025-06-30", "--lists", "meu")
    assert answer["status"] == "WATCH"
    assert "export controls, not an investment ban" in answer["reason"]


def test_ssi_is_review_naming_the_directive() -> None:
    answer = security("Sberbank of Russia", "2025-06-30", "--lists", "ssi")
    assert answer["status"] == "REVIEW"
    assert "Directive 1 (from 2014-07-16)" in answer["reason"]
    assert "new equity" in answer["reason"]


# --------------------------------------------------------------------------------------------
# Curated names
# --------------------------------------------------------------------------------------------


def test_meiya_picos_name_since_2023_is_prohibited() -> None:
    answer = security("国投智能（厦门）信息股份有限公司", "2023-06-30")
    assert answer["status"] == "PROHIBITED"
    assert answer["issuer"]["id"] == "ns-cmic:33896"


# --------------------------------------------------------------------------------------------
# The same through check, on a holdings file of the period
# --------------------------------------------------------------------------------------------

HOLDINGS = [
    ("China Mobile Ltd", "941 HK", ""),
    ("Xiaomi Corp", "1810 HK", ""),
    ("CRRC Corp Ltd H", "1766 HK", ""),
    ("Hikvision A", "002415 CH", ""),
    ("Tencent Holdings", "700 HK", ""),
    ("CNOOC Nexen Finance 4.25% 2044", "", "US12591DAD30"),
    ("China Tower", "788 HK", ""),
]


def _write_holdings(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Security Name", "Ticker", "ISIN", "Quantity"])
        for name, ticker, isin in HOLDINGS:
            writer.writerow([name, ticker, isin, 1000])
    return path


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (
            "2021-04-08",
            ["PROHIBITED", "CLEAR", "PROHIBITED", "PROHIBITED", "CLEAR", "REVIEW", "CLEAR"],
        ),
        ("2020-10-01", ["CLEAR", "CLEAR", "CLEAR", "CLEAR", "CLEAR", "CLEAR", "CLEAR"]),
        (
            "2021-02-01",
            ["PENDING", "PENDING", "PROHIBITED", "PROHIBITED", "CLEAR", "REVIEW", "CLEAR"],
        ),
        (
            "2025-12-01",
            ["PROHIBITED", "CLEAR", "CLEAR", "PROHIBITED", "CLEAR", "REVIEW", "CLEAR"],
        ),
    ],
)
def test_check_applies_the_regime_of_the_date(
    tmp_path: Path, as_of: str, expected: list[str]
) -> None:
    result = check(_write_holdings(tmp_path / "holdings.csv"), as_of=as_of)
    holdings = result.to_dict()["holdings"]
    assert [h["status"] for h in holdings] == expected, [h["reason"] for h in holdings]
    assert len(holdings) == len(HOLDINGS)


def test_check_takes_the_new_lists(tmp_path: Path) -> None:
    path = tmp_path / "holdings.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Security Name", "Quantity"])
        writer.writerow(["Beijing SenseTime Technology Development Co., Ltd.", 10])
        writer.writerow(["Korea Mining Development Trading Corporation", 10])
        writer.writerow(["Sberbank of Russia", 10])
    result = check(path, as_of="2025-06-30", lists=["un", "entity-list", "ssi"])
    assert [h["status"] for h in result.to_dict()["holdings"]] == ["WATCH", "BLOCKED", "REVIEW"]
