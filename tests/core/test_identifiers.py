from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio_check.identifiers import (
    HONG_KONG,
    SHANGHAI,
    SHENZHEN,
    Ticker,
    classify_identifier,
    exchange_to_market,
    normalize_cusip,
    normalize_isin,
    normalize_sedol,
    parse_ticker,
    ticker_in_name,
)


@pytest.mark.parametrize(
    ("text", "exchange", "expected"),
    [
        ("20 HK", None, Ticker("00020", HONG_KONG)),
        ("20 HK Equity", None, Ticker("00020", HONG_KONG)),
        ("0020.HK", None, Ticker("00020", HONG_KONG)),
        ("0020-HK", None, Ticker("00020", HONG_KONG)),
        ("XHKG:0020", None, Ticker("00020", HONG_KONG)),
        ("HK:941", None, Ticker("00941", HONG_KONG)),
        ("00020", "XHKG", Ticker("00020", HONG_KONG)),
        ("00020", "HK", Ticker("00020", HONG_KONG)),
        ("00020", "HKEX", Ticker("00020", HONG_KONG)),
        ("80020 HK", None, Ticker("80020", HONG_KONG)),
        ("600941 CH", None, Ticker("600941", SHANGHAI)),
        ("601728.SS", None, Ticker("601728", SHANGHAI)),
        ("600938", "XSHG", Ticker("600938", SHANGHAI)),
        ("302132", "XSHE", Ticker("302132", SHENZHEN)),
        ("603019CN", None, Ticker("603019", SHANGHAI)),
        ("601698  CN", None, Ticker("601698", SHANGHAI)),
        ("728", "XSHE", Ticker("000728", SHENZHEN)),
        ("728", "HK", Ticker("00728", HONG_KONG)),
        ("CHL US", None, Ticker("CHL", "US")),
        ("CHL UN Equity", None, Ticker("CHL", "US")),
        ("600060", "Shanghai Stock Exchange", Ticker("600060", SHANGHAI)),
    ],
)
def test_ticker_notations(text: str, exchange: str | None, expected: Ticker) -> None:
    assert parse_ticker(text, exchange) == expected


@pytest.mark.parametrize(
    "text", ["00020", "20", "CNOOC 7 ½ 07/30/39 Corp", "", "HSI Index", "BRK.B"]
)
def test_not_a_ticker_without_context(text: str) -> None:
    # A bare code has no market: guessing HK for "00020" would be a hard-coded answer.
    assert parse_ticker(text) is None


def test_isin_cusip_sedol_check_digits() -> None:
    assert normalize_isin(" kyg8062l1041 ") == "KYG8062L1041"
    assert normalize_isin("KYG8062L1042") is None
    assert normalize_isin("BRC1EODR004") is None  # OFAC's own malformed value
    assert normalize_isin("CND10002G601") is None
    assert normalize_cusip("16941M109") == "16941M109"
    assert normalize_cusip("16941M108") is None
    assert normalize_sedol("B1YW440") == "B1YW440"
    assert normalize_sedol("B1YW441") is None


def test_mixed_identifier_column() -> None:
    assert classify_identifier("HK0941009539").isin == "HK0941009539"
    assert classify_identifier("941 HK").ticker == Ticker("00941", HONG_KONG)
    assert classify_identifier("HK0941009538").invalid == ("HK0941009538",)
    assert classify_identifier("16941M109").cusip == "16941M109"


def test_ticker_inside_names() -> None:
    assert ticker_in_name("CHINA MOBILE LTD (941 HK)") == Ticker("00941", HONG_KONG)
    assert ticker_in_name("(N0941) China Mobile Ltd") == Ticker("00941", HONG_KONG)
    assert ticker_in_name("China Mobile Ltd") is None


def test_exchange_words() -> None:
    assert exchange_to_market("xhkg") == HONG_KONG
    assert exchange_to_market("Hong Kong Exchanges & Clearing Ltd") == HONG_KONG
    assert exchange_to_market("深圳证券交易所") == SHENZHEN
    assert exchange_to_market("Mars") is None


@given(st.integers(min_value=1, max_value=99_999))
def test_hk_code_notations_agree(code: int) -> None:
    expected = Ticker(f"{code:05d}", HONG_KONG)
    assert parse_ticker(f"{code} HK") == expected
    assert parse_ticker(f"{code:04d}.HK") == expected
    assert parse_ticker(f"{code:05d}", "XHKG") == expected
    assert parse_ticker(f"{code} HK Equity") == expected


@given(st.text(max_size=30))
def test_parsers_never_raise(text: str) -> None:
    parse_ticker(text, text[:4])
    classify_identifier(text)
    ticker_in_name(text)
    normalize_isin(text)


@pytest.mark.parametrize("text", ["BRC1EODR004", "CND10002G601", "HK09410095391", "KYG8062L104"])
def test_mistyped_isins_are_invalid_identifiers_not_names(text: str) -> None:
    assert classify_identifier(text).invalid == (text,)
