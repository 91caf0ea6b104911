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


if __name__ == "__main__":
    print(build_sensetime_workbook())
