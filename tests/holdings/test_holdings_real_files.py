"""portfolio_check.holdings on the real exports in ../shared/holdings (skipped when absent)."""

from __future__ import annotations

import collections

import pandas as pd
import pytest

from portfolio_check.holdings import HoldingsInput, Role, read_holdings
from portfolio_check.holdings.tables import TableKind
from tests.paths import shared_path

CHINA_MOBILE = ("941 HK", "941 HK Equity", "HK0941009539")


# file -> (rows read, positions, other rows by class, China Mobile rows or () if absent)
EXPECTED: dict[str, tuple[int, int, dict[str, int], tuple[int, ...]]] = {
    "geneva_positions_fund19437_2020-04-29.xlsx": (
        308,
        176,
        {"header": 1, "cash": 16, "footer": 115},
        (10,),
    ),
    "geneva_positions_fund19437_2021-06-30.xlsx": (
        335,
        193,
        {"header": 1, "cash": 20, "footer": 121},
        (),
    ),
    "geneva_positions_fund12307_2021-04-08.xlsx": (
        240,
        114,
        {"header": 1, "cash": 6, "footer": 119},
        (),
    ),
    "bbg_aim_mav_multifund_2020-05-29.xlsx": (
        1567,
        1440,
        {"title": 3, "header": 1, "total": 1, "subtotal": 2, "cash": 119, "footer": 1},
        (328, 329, 330, 331, 332, 333, 334),
    ),
    "bbg_blpdata_enrichment_2020-05-29.xlsx": (577, 576, {"header": 1}, (242,)),
    "ishares_ACWI_raw_2022-03-10.csv": (
        2379,
        2331,
        {"title": 8, "header": 1, "cash": 38, "footer": 1},
        (),
    ),
    "ishares_EEM_2022-07.csv": (1238, 1237, {"header": 1}, ()),
    "custodian_bochk_holdings_2016-07-11.xls": (
        94,
        14,
        {"title": 2, "header": 1, "position detail": 31, "total": 46},
        (),
    ),
    # Nine CMU bond lines (rows 261-269 of Portfolio Val.) give an ISIN but no amounts: a row
    # with an identifier is a holding, never a note (issue 12, principle 5).
    "trustee_valuation_CLFranklin_DIF_2015-12-31.xls": (
        1383,
        123,
        {
            "non-position sheet": 1042,
            "title": 19,
            "header": 61,
            "cash": 52,
            "total": 15,
            "note": 66,
            "subtotal": 1,
            "footer": 4,
        },
        (),
    ),
}


def _read(name: str) -> HoldingsInput:
    return read_holdings([shared_path("holdings", name)])


def _china_mobile_rows(positions: pd.DataFrame) -> list[int]:
    code_columns = ["isin", "ticker", "identifier"]
    hit = positions[code_columns].isin(CHINA_MOBILE).any(axis=1)
    return positions.loc[hit, "row"].tolist()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_accounts_for_every_row(name: str) -> None:
    h = _read(name)
    rows_read, n_positions, other, china_mobile = EXPECTED[name]
    assert h.rows_read == len(h.positions) + len(h.other_rows)
    assert (h.rows_read, len(h.positions)) == (rows_read, n_positions)
    assert dict(collections.Counter(r.row_class.value for r in h.other_rows)) == other
    assert tuple(_china_mobile_rows(h.positions)) == china_mobile
    assert not h.issues
    # every position has a security identity in some role column
    identity = h.positions[["name", "isin", "cusip", "sedol", "ticker", "identifier"]]
    assert identity.notna().any(axis=1).all()


def test_geneva_roles_and_china_mobile() -> None:
    h = _read("geneva_positions_fund19437_2020-04-29.xlsx")
    (info,) = h.tables
    assert info.header_rows == (1,)
    assert info.roles["InvestID"] is Role.IDENTIFIER
    assert info.market_value_column == "MarketValueBook"
    cm = h.positions[h.positions["row"] == 10].iloc[0]
    assert (cm["name"], cm["identifier"], cm["quantity"]) == ("CHINA MOBILE LTD", "941 HK", 125000)
    assert cm["input"]["Quantity"] == "125000"
    # the fund code is only in the parameter block under the positions
    assert set(h.positions["portfolio"]) == {"19437"}


def test_bloomberg_port_title_rows_and_aggregates() -> None:
    h = _read("bbg_aim_mav_multifund_2020-05-29.xlsx")
    (info,) = h.tables
    assert info.header_rows == (7,)
    assert info.roles["ISIN"] is Role.ISIN
    assert info.roles["Position"] is Role.QUANTITY
    assert info.market_value_column == "Market Value"
    classes = {r.row: r.row_class.value for r in h.other_rows}
    assert classes[8] == "total"  # Top Level
    assert classes[1571] == "footer"  # Bloomberg disclaimer
    cm = h.positions[h.positions["isin"] == "HK0941009539"]
    assert cm["identifier"].unique().tolist() == ["941 HK"]
    assert cm["portfolio"].tolist()[:2] == ["12307", "11490-B"]
    # the "Name" column mixes tickers and bond descriptions: codes -> identifier, text -> name
    bond = h.positions[h.positions["row"] == 360].iloc[0]
    assert (bond["name"], bond["identifier"], bond["isin"]) == (
        "ACAFP 4 01/10/33 REGS",
        None,
        "USF2R125CE38",
    )
    assert info.roles["Name"] is Role.IDENTIFIER


def test_ishares_header_below_fund_info() -> None:
    h = _read("ishares_ACWI_raw_2022-03-10.csv")
    (info,) = h.tables
    assert info.header_rows == (10,)
    assert info.roles["Ticker"] is Role.TICKER
    assert info.roles["Exchange"] is Role.EXCHANGE
    first = h.positions.iloc[0]
    assert (first["row"], first["ticker"], first["name"]) == (11, "AAPL", "APPLE INC")
    assert first["market_value"] == pytest.approx(747682723.92)


def test_custodian_triplets_and_all_accounts_block() -> None:
    """BOCHK: each holding's sub-total line is the position; the 'All' account block is a total."""
    h = _read("custodian_bochk_holdings_2016-07-11.xls")
    (info,) = h.tables
    assert info.header_rows == (3,)
    assert info.roles["Securities ID"] is Role.IDENTIFIER
    assert info.roles["Market Code"] is Role.EXCHANGE
    classes = {r.row: r.row_class.value for r in h.other_rows}
    assert [classes[r] for r in (13, 14, 16)] == ["position detail"] * 3  # Cinda: 2 details
    assert h.positions["row"].tolist()[:4] == [5, 8, 11, 15]
    assert all(classes[r] == "total" for r in range(49, 95))  # account 'All', grand total
    cinda = h.positions[h.positions["identifier"] == "CNE100001QS1"].iloc[0]
    assert (cinda["quantity"], cinda["market_value"]) == (919000.0, 2260740.0)
    assert h.positions["market_value"].sum() == pytest.approx(48415234.0)


def test_trustee_sections_sheets_and_codes_in_names() -> None:
    h = _read("trustee_valuation_CLFranklin_DIF_2015-12-31.xls")
    kinds = [(t.header_rows[-1], t.kind) for t in h.tables]
    assert kinds[:4] == [
        (9, TableKind.CASH),
        (27, TableKind.CASH),
        (54, TableKind.CASH),
        (67, TableKind.HOLDINGS),
    ]
    assert {t.sheet for t in h.tables} == {"Portfolio Val."}
    non_position = {r.sheet for r in h.other_rows if r.row_class.value == "non-position sheet"}
    assert {"Sec. Tran. Implement", "CA-BOC", "Portfolio Sum.", "Expense Report"} <= non_position
    bond = h.positions[h.positions["row"] == 70].iloc[0]
    assert (bond["isin"], bond["quantity"]) == ("XS1021617698", 2100000.0)
    cm = h.positions[(h.positions["sheet"] == "Portfolio Val.") & (h.positions["row"] == 294)]
    assert cm["name"].tolist() == ["(N0941) China Mobile Ltd"]
    assert cm["quantity"].tolist() == [60000.0]
