"""Regenerate the firm list template: ``python examples/make_firm_list_template.py``.

Writes ``firm_restricted_list_template.xlsx`` and ``firm_restricted_list_template.csv`` beside
this script: the columns :mod:`portfolio_check.sources.firm_list` reads, and three example rows
a firm replaces with its own (an issuer it prohibits, one it watches, a row with an ISIN only).
The identifiers are public facts (the issuers' ISINs and exchange codes).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

HERE = Path(__file__).resolve().parent
TEMPLATE_XLSX = HERE / "firm_restricted_list_template.xlsx"
TEMPLATE_CSV = HERE / "firm_restricted_list_template.csv"

HEADER = ["name", "isin", "ticker", "exchange", "list type", "start date", "end date", "note"]
ROWS: list[list[object]] = [
    [
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "CNE100000PM8",
        "002415",
        "XSHE",
        "prohibited",
        dt.date(2021, 6, 3),
        None,
        "Firm policy: excluded (also on NS-CMIC and the DoD 1260H list)",
    ],
    [
        "Tencent Holdings Ltd",
        "KYG875721634",
        "00700",
        "XHKG",
        "watch",
        dt.date(2025, 1, 7),
        None,
        "On the DoD 1260H list: no investment ban; the desk reviews new purchases",
    ],
    [
        None,
        "US0378331005",
        None,
        None,
        "watch",
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        "Example of a row with an ISIN only and an end date (first day off the list)",
    ],
]
INSTRUCTIONS = [
    "One row per issuer. Columns (the header row must stay):",
    "name: the issuer's name; may be empty if an ISIN or a ticker is given.",
    "isin: one or more ISINs separated by ';'. Each must be a valid ISIN.",
    "ticker: exchange codes as you write them, separated by ';' (keep leading zeros: 00700).",
    "exchange: optional MIC (XHKG, XSHG, XSHE, XNYS...) appended to each ticker.",
    "list type: 'prohibited' or 'watch'.",
    "start date / end date: optional; the end date is the first day the issuer is off the list.",
    "note: why the firm lists the issuer; shown in the report.",
    "Give this file to the checker as the firm's list; rows it cannot use are reported by row.",
]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_xlsx(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Firm list"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in ROWS:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2, max_row=200):
        row[1].number_format = "@"  # ISINs and codes stay text
        row[2].number_format = "@"
        row[5].number_format = "yyyy-mm-dd"
        row[6].number_format = "yyyy-mm-dd"
    types = DataValidation(type="list", formula1='"prohibited,watch"', allow_blank=False)
    sheet.add_data_validation(types)
    types.add("E2:E1000")
    for column, width in zip("ABCDEFGH", (48, 16, 12, 10, 12, 12, 12, 70), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Instructions")
    for line in INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    book.save(path)


def write_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows([_cell(value) for value in row] for row in ROWS)


def main() -> None:
    write_xlsx(TEMPLATE_XLSX)
    write_csv(TEMPLATE_CSV)
    print(f"wrote {TEMPLATE_XLSX.name} and {TEMPLATE_CSV.name}")


if __name__ == "__main__":
    main()
