"""The findings workbook of a dataset check (``check-dataset``): every position that is not
CLEAR, one row per finding, with its evidence; the per-position results are the Parquet files
beside it. Cells are written as strings (never formulas) in constant memory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlsxwriter

from portfolio_check.pretrade import DISCLAIMER

if TYPE_CHECKING:
    from portfolio_check.dask import DatasetResult

FINDING_HEADERS = (
    "status",
    "reason",
    "list",
    "entry_id",
    "entry_name",
    "matched_on",
    "rule",
    "listing_date",
    "effective_date",
    "divestment_date",
    "explanation",
    "buy",
    "sell",
)


def write_findings_workbook(result: DatasetResult, path: Path) -> Path:
    """Write the Summary and Findings sheets to ``path``; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    try:
        bold = book.add_format({"bold": True})
        _summary(book.add_worksheet("Summary"), result, bold)
        _findings(book.add_worksheet("Findings"), result, bold)
    finally:
        book.close()
    return path


def _summary(sheet: Any, result: DatasetResult, bold: Any) -> None:
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 90)
    lines: list[tuple[str, str]] = [
        ("As of", result.as_of.isoformat()),
        ("Investor", result.investor.value),
        ("Reference snapshot", result.reference.version),
        ("Lists checked", result.reference.lists_checked),
        ("Rows", f"{result.rows:,}"),
        ("Positions", f"{sum(result.counts.values()):,}"),
    ]
    lines += [(f"  {status}", f"{count:,}") for status, count in result.counts.items()]
    lines += [
        ("Positions flagged", f"{result.findings['row'].nunique():,} (sheet Findings)"),
        ("Per-position results", "the Parquet files beside this workbook (positions/)"),
        ("Not legal advice", DISCLAIMER),
    ]
    for row, (label, value) in enumerate(lines):
        sheet.write_string(row, 0, label, bold)
        sheet.write_string(row, 1, value)


def _findings(sheet: Any, result: DatasetResult, bold: Any) -> None:
    from portfolio_check.dask import RESULT_COLUMNS

    frame = result.findings
    inputs = [c for c in frame.columns if c not in RESULT_COLUMNS]
    headers = ["row", *inputs, *FINDING_HEADERS]
    for column, header in enumerate(headers):
        sheet.write_string(0, column, header, bold)
    sheet.freeze_panes(1, 0)
    line = 1
    rows = frame["row"].tolist()
    keys = frame["security_key"].tolist()
    cells = [frame[c].tolist() for c in inputs]
    for k, (row, key) in enumerate(zip(rows, keys, strict=True)):
        verdict = result.verdicts[int(key)]
        own = [_text(values[k]) for values in cells]
        for finding in verdict.findings or (None,):
            values = [str(row), *own, *_finding_cells(verdict, finding)]
            for column, value in enumerate(values):
                if value:
                    sheet.write_string(line, column, value)
            line += 1


def _finding_cells(verdict: Any, finding: Any) -> list[str]:
    head = [verdict.status.value, verdict.reason]
    tail = [verdict.actions.buy, verdict.actions.sell]
    if finding is None:
        return [*head, *[""] * (len(FINDING_HEADERS) - 4), *tail]
    return [
        *head,
        finding.list_id,
        finding.entry_id,
        finding.entry_name,
        finding.matched_on,
        finding.rule,
        _day(finding.listing_date),
        _day(finding.effective_date),
        _day(finding.divestment_date),
        finding.explanation,
        *tail,
    ]


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or value != value else str(value)
