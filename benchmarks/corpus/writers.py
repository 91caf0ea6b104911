"""Writing a table of cells as .xlsx, .xls, .ods or .csv (any encoding and delimiter)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

Cell = str | float | int | None
Sheet = list[list[Cell]]


def _csv_text(value: Cell, style: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,d}"
    if style == "eu":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def write_csv(path: Path, rows: Sheet, encoding: str, delimiter: str, style: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_text(value, style) for value in row])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, Sheet]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, col, value)
                else:
                    sheet.write_number(r, col, value)
    workbook.close()


def write_xls(path: Path, sheets: dict[str, Sheet]) -> None:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(rows):
            for col, value in enumerate(row):
                if value is not None:
                    sheet.write(r, col, value)
    workbook.save(str(path))


def write_ods(path: Path, sheets: dict[str, Sheet]) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, rows in sheets.items():
            width = max((len(row) for row in rows), default=1)
            padded = [list(row) + [None] * (width - len(row)) for row in rows]
            pd.DataFrame(padded, dtype=object).to_excel(
                writer, sheet_name=name, header=False, index=False
            )


def write(
    path: Path, fmt: str, sheets: dict[str, Sheet], encoding: str, delimiter: str, style: str
) -> None:
    if fmt == "csv":
        (rows,) = sheets.values()
        write_csv(path, rows, encoding, delimiter, style)
    elif fmt == "xlsx":
        write_xlsx(path, sheets)
    elif fmt == "xls":
        write_xls(path, sheets)
    elif fmt == "ods":
        write_ods(path, sheets)
    else:
        raise ValueError(fmt)
