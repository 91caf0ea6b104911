"""Regenerate the example holdings workbook: ``python examples/make_examples.py``.

The workbook is a small fund's month-end holdings export as an order system would write it: a
title block above the header, a cash line and a total line. SenseTime Group Inc. appears in
five notations (Bloomberg ticker with yellow key, Refinitiv RIC, ISIN only, Chinese name with a
local code and an exchange column, the RMB counter), among ordinary holdings and look-alike
names (Sensata, Hisense, RoboSense) that must never be flagged.

Identifiers are public facts: the HKEX List of Securities (11/07/2025) for the HKEX codes and
SenseTime's ISIN; issuers' own disclosures for the others.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
SENSETIME_WORKBOOK = HERE / "sensetime_fund_holdings.xlsx"

HEADER = [
    "Account",
    "Security Description",
    "Ticker",
    "ISIN",
    "Exchange",
    "Quantity",
    "Price (USD)",
    "Market Value (USD)",
]

# (description, ticker, isin, exchange, quantity, price in USD)
POSITIONS: list[tuple[str | None, str | None, str | None, str | None, int, float]] = [
    ("SENSETIME GROUP INC-CL B", "20 HK Equity", None, None, 2_000_000, 0.29),
    ("SenseTime Group Inc. Class B", "0020.HK", None, None, 500_000, 0.29),
    (None, None, "KYG8062L1041", None, 750_000, 0.29),
    ("商湯集團股份有限公司－Ｗ", "00020", None, "XHKG", 300_000, 0.29),
    ("SENSETIME-WR", "80020 HK", None, None, 100_000, 0.29),
    ("TENCENT HOLDINGS LTD", "700 HK Equity", "KYG875721634", None, 40_000, 48.10),
    ("AIA GROUP LTD", "1299 HK Equity", "HK0000069689", None, 120_000, 10.05),
    ("HSBC HOLDINGS PLC", "5 HK Equity", "GB0005405286", None, 150_000, 5.95),
    ("APPLE INC", "AAPL US Equity", "US0378331005", None, 8_000, 165.30),
    ("SENSATA TECHNOLOGIES HOLDING PLC", "ST US Equity", "GB00BFMBMT84", None, 20_000, 57.60),
    ("HISENSE HOME APPLIANCES GROUP CO LTD-H", "921 HK Equity", None, None, 400_000, 1.45),
    ("HISENSE VISUAL TECHNOLOGY CO LTD-A", "600060", None, "XSHG", 150_000, 2.10),
    ("ROBOSENSE TECHNOLOGY CO LTD", "2498 HK Equity", None, None, 60_000, 4.20),
]


def build_sensetime_workbook(path: Path = SENSETIME_WORKBOOK) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Holdings"
    sheet.append(["Asia Opportunities Fund — Holdings by security"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Report date", "2021-11-30"])
    sheet.append(["Base currency", "USD"])
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    total = 0.0
    for description, ticker, isin, exchange, quantity, price in POSITIONS:
        value = round(quantity * price, 2)
        total += value
        sheet.append(["AOF-01", description, ticker, isin, exchange, quantity, price, value])
    sheet.append(["AOF-01", "US DOLLAR", None, None, None, 1_250_000, 1.0, 1_250_000.0])
    total += 1_250_000.0
    sheet.append(["Total", None, None, None, None, None, None, round(total, 2)])
    sheet.append([])
    sheet.append(["For internal use only. Prices are indicative."])
    for column, width in zip("ABCDEFGH", (10, 42, 16, 16, 10, 12, 12, 18), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
    return path


FUND_HOLDINGS = HERE / "asia_fund_AOEF_holdings_2021-06-30.csv"
FUND_PORTFOLIO = HERE / "portfolio_with_fund_and_instruments.xlsx"

# An example Asia equity fund's holdings on 2021-06-30 (an iShares-style download): it holds
# China Mobile (941 HK) and AVIC Shenyang Aircraft (600760), both put on NS-CMIC on 2021-06-03
# with effect from 2021-08-02. The fund and its ticker AOEF are fictional.
FUND_ROWS: list[tuple[str, str, str, float, str]] = [
    # (ticker, name, exchange, market value USD, shares)
    ("700", "TENCENT HOLDINGS LTD", "Hong Kong Exchanges And Clearing Ltd", 4_200_000.0, "54,000"),
    (
        "9988",
        "ALIBABA GROUP HOLDING LTD",
        "Hong Kong Exchanges And Clearing Ltd",
        3_100_000.0,
        "110,000",
    ),
    ("941", "CHINA MOBILE LTD", "Hong Kong Exchanges And Clearing Ltd", 1_250_000.0, "200,000"),
    ("600760", "AVIC SHENYANG AIRCRAFT CO LTD A", "Shanghai Stock Exchange", 640_000.0, "60,000"),
    ("1299", "AIA GROUP LTD", "Hong Kong Exchanges And Clearing Ltd", 2_300_000.0, "185,000"),
    ("5", "HSBC HOLDINGS PLC", "Hong Kong Exchanges And Clearing Ltd", 900_000.0, "155,000"),
]


def build_fund_holdings(path: Path = FUND_HOLDINGS) -> Path:
    total = sum(row[3] for row in FUND_ROWS)
    lines = [
        "Example Asia Opportunities Equity Fund",
        'Fund Holdings as of,"Jun 30, 2021"',
        " ",
        "Ticker,Name,Asset Class,Market Value,Weight (%),Shares,Exchange",
    ]
    for ticker, name, exchange, value, shares in FUND_ROWS:
        weight = f"{100 * value / total:.2f}"
        lines.append(
            f'"{ticker}","{name}","Equity","{value:,.2f}","{weight}","{shares}","{exchange}"'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# A portfolio exposed through instruments: the fund above, China Mobile's ADR, an HKEX
# derivative warrant and an option on SMIC, and an index future (HKEX List of Securities
# 2025-07-11 for the warrant code 13158 BI-SMIC@EC2509D).
INSTRUMENT_POSITIONS: list[tuple[str, str | None, str | None, str | None, float, float]] = [
    ("EXAMPLE ASIA OPPORTUNITIES EQUITY FUND", "AOEF US Equity", None, None, 100_000, 9.40),
    ("CHINA MOBILE LTD-SPON ADR", "CHL US Equity", "US16941M1099", None, 10_000, 45.10),
    ("BI-SMIC@EC2509D", "13158", None, "XHKG", 500_000, 0.05),
    ("SMIC 12/29/22 C20", None, None, None, 50, 120.0),
    ("HSCEI FUT JUN22", None, None, None, 5, 2_000.0),
    ("APPLE INC", "AAPL US Equity", "US0378331005", None, 2_000, 140.0),
]


def build_fund_portfolio(path: Path = FUND_PORTFOLIO) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Positions"
    sheet.append(["Global Multi-Asset Fund — positions"])
    sheet.append([])
    sheet.append(HEADER)
    for description, ticker, isin, exchange, quantity, price in INSTRUMENT_POSITIONS:
        sheet.append(
            ["GMA-01", description, ticker, isin, exchange, quantity, price, quantity * price]
        )
    book.save(path)
    return path


if __name__ == "__main__":
    print(build_sensetime_workbook())
    print(build_fund_holdings())
    print(build_fund_portfolio())
