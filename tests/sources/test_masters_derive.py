"""Security masters and the lines derived from them by code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import CuratedName, CuratedSecurity, ListEntry
from portfolio_check.sources.derive import Masters, derive_names, derive_securities
from portfolio_check.sources.masters import (
    read_ah_pairs,
    read_csi_constituents,
    read_hkex_list,
)
from tests.paths import shared_path

HKEX_HEADER = [
    "Stock Code",
    "Name of Securities",
    "Category",
    "Sub-Category",
    "Board Lot",
    "Par Value",
    "ISIN",
    "Expiry Date",
    "Trading Currency",
    "RMB Counter",
]


def _hkex_fixture(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["List of Securities"])
    sheet.append(["Updated as at 11/07/2025"])
    sheet.append(HKEX_HEADER)
    sheet.append(
        [
            "00941",
            "CHINA MOBILE",
            "Equity",
            "Equity Securities (Main Board)",
            "500",
            "",
            "HK0941009539",
            "",
            "HKD",
            "80941",
        ]
    )
    sheet.append(
        [
            "80941",
            "CHINA MOBILE-R",
            "Equity",
            "Equity Securities (Main Board)",
            "500",
            "",
            "HK0941009539",
            "",
            "RMB",
            "",
        ]
    )
    sheet.append(
        [
            "01186",
            "CHINA RAIL CONS",
            "Equity",
            "Equity Securities (Main Board)",
            "500",
            "RMB 1.0000",
            "CNE100000981",
            "",
            "HKD",
            "",
        ]
    )
    sheet.append(
        ["12345", "SMIC UB#SEP25C", "Derivative Warrants", "", "10000", "", "", "", "", ""]
    )
    book.save(path)
    return path


def _csi_fixture(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "日期Date",
            "指数代码 Index Code",
            "成份券代码Constituent Code",
            "成份券名称Constituent Name",
            "成份券英文名称Constituent Name(Eng)",
            "交易所Exchange",
            "交易所英文名称Exchange(Eng)",
        ]
    )
    sheet.append(
        [
            "20260227",
            "000300",
            "600941",
            "中国移动",
            "China Mobile Limited",
            "上海证券交易所",
            "Shanghai Stock Exchange",
        ]
    )
    book.save(path)
    return path


def _masters(tmp_path: Path) -> Masters:
    ah = tmp_path / "ah.csv"
    ah.write_text("name,cn_code,c\n中国移动,600941.SH,00941.HK\n", encoding="utf-8")
    return Masters(
        hkex=read_hkex_list(_hkex_fixture(tmp_path / "hkex.xlsx")),
        hkex_file="hkex.xlsx",
        a_shares=read_csi_constituents(_csi_fixture(tmp_path / "csi.xlsx")),
        a_shares_file="csi.xlsx",
        ah_pairs=read_ah_pairs(ah),
        ah_pairs_file="ah.csv",
    )


ENTRY = ListEntry(
    list_id="ns-cmic",
    entry_id="30923",
    name="CHINA MOBILE LIMITED",
    tickers=("941 HK",),
    isins=("HK0941009539",),
    listing_date=dt.date(2021, 6, 3),
)
CRCC = ListEntry(
    list_id="ns-cmic",
    entry_id="30959",
    name="CHINA RAILWAY CONSTRUCTION",
    tickers=("1186 HK",),
    isins=("CNE1000009T1",),
)


def test_hkex_list_reader_keeps_rows_and_counters(tmp_path: Path) -> None:
    rows = read_hkex_list(_hkex_fixture(tmp_path / "hkex.xlsx"))
    assert [r.code for r in rows] == ["00941", "80941", "01186", "12345"]
    assert rows[0].rmb_counter == "80941" and rows[0].source_row == 4
    assert rows[3].category == "Derivative Warrants"


def test_derived_lines_follow_the_masters_by_code(tmp_path: Path) -> None:
    masters = _masters(tmp_path)
    derived = derive_securities("ns-cmic", [ENTRY, CRCC], [], masters)
    lines = {(d.entry_id, d.local_code, d.mic): d for d in derived}
    assert ("30923", "80941", "XHKG") in lines  # RMB counter
    assert ("30923", "600941", "XSHG") in lines  # A share via the A/H pair
    crcc = lines[("30959", "01186", "XHKG")]  # OFAC's code, the master's ISIN
    assert crcc.isin == "CNE100000981"
    assert all(
        d.source and ("hkex.xlsx" in d.source or "csi.xlsx" in d.source or "ah.csv" in d.source)
        for d in derived
    )
    names = derive_names(
        "ns-cmic",
        [ENTRY],
        derived,
        [
            CuratedName(
                entry_id="30923",
                list_id="ns-cmic",
                name="中国移动有限公司",
                language="zh-Hans",
                source="doc",
            )
        ],
        masters,
    )
    by_name = {n.name: n for n in names}
    assert by_name["中国移动"].source == "csi.xlsx row 2"
    assert by_name["中國移動有限公司"].language == "zh-Hant"


def test_a_curated_line_is_not_derived_again(tmp_path: Path) -> None:
    curated = CuratedSecurity(
        entry_id="30923",
        list_id="ns-cmic",
        security_name="CM-R",
        isin="HK0941009539",
        mic="XHKG",
        local_code="80941",
        source="doc",
    )
    derived = derive_securities("ns-cmic", [ENTRY], [curated], _masters(tmp_path))
    assert ("80941", "XHKG") not in {(d.local_code, d.mic) for d in derived}


def test_a_file_that_is_not_the_list_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.xlsx"
    book = Workbook()
    book.save(wrong)
    with pytest.raises(SourceFormatError, match=r"wrong\.xlsx"):
        read_hkex_list(wrong)


def test_real_masters() -> None:
    hkex = read_hkex_list(
        shared_path("data", "hkex", "ref_hkex_list_of_securities_2025-07-11.xlsx")
    )
    # The sheet's dimension record is wrong; the reader must still see every row.
    assert len(hkex) > 15_000
    by_code = {r.code: r for r in hkex}
    assert by_code["00020"].isin == "KYG8062L1041" and by_code["00020"].rmb_counter == "80020"
    assert by_code["01186"].isin == "CNE100000981"
    csi = read_csi_constituents(
        shared_path("data", "csi", "ref_csi300_constituents_2026-02-27.xls")
    )
    assert len(csi) == 300
    assert {("600941", "XSHG"), ("002415", "XSHE")} <= {(r.code, r.mic) for r in csi}
    pairs = read_ah_pairs(shared_path("data", "ah_pairs", "ref_ah_share_pairs_raytto.csv"))
    assert len(pairs) == 150
    assert ("601728", "00728") in {(p.a_code, p.h_code) for p in pairs}


def test_shipped_masters_and_derived_tables_are_what_the_build_makes(tmp_path: Path) -> None:
    import shutil

    from portfolio_check.sources.reference_build import add_masters_and_derived
    from tests.paths import REPO

    data = shared_path("data")
    out = tmp_path / "reference"
    # The lists and curated tables as committed; masters and derived tables made anew.
    shutil.copytree(REPO / "reference", out, ignore=shutil.ignore_patterns("masters", "derived"))
    add_masters_and_derived(
        out,
        hkex=[
            data / "hkex" / "ref_hkex_list_of_securities_2021-10-11.xlsx",
            data / "hkex" / "ref_hkex_list_of_securities_2025-07-11.xlsx",
        ],
        csi=data / "csi" / "ref_csi300_constituents_2026-02-27.xls",
        ah_pairs=data / "ah_pairs" / "ref_ah_share_pairs_raytto.csv",
    )
    for folder in ("masters", "derived"):
        for made in sorted((out / folder).iterdir()):
            shipped = REPO / "reference" / folder / made.name
            assert shipped.read_bytes() == made.read_bytes(), f"{folder}/{made.name} is stale"
