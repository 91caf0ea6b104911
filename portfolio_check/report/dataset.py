"""The findings workbook of a dataset check (``check-dataset``): every position that is not
CLEAR, one row per finding, with its evidence; the per-position results are the Parquet files
beside it. Cells are written as strings (never formulas).

A firm-wide book flags hundreds of thousands of positions, so the Findings rows are written
by :mod:`.sheetxml` a column at a time: a position's own cells once per distinct text, a
finding's cells once per security and finding, the rows assembled by array takes. Past
Excel's row limit the whole table goes to a file beside the workbook (Parquet with pyarrow,
else CSV) and the Findings sheet says where: no finding is ever cut off.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter

from portfolio_check.pretrade import DISCLAIMER
from portfolio_check.report.excel import EXCEL_MAX_ROWS
from portfolio_check.report.flat import Coded, choose_format, write_table
from portfolio_check.report.sheetxml import CellColumn, SheetRows, splice, text_cell

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


def write_findings_workbook(
    result: DatasetResult, path: Path, *, max_rows: int = EXCEL_MAX_ROWS
) -> Path:
    """Write the Summary and Findings sheets to ``path``; returns it. With more finding rows
    than a sheet holds (``max_rows``, the header included) the Findings table goes beside the
    workbook (``<name>.findings.parquet`` or ``.csv``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    headers, columns, lines = _finding_table(result)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    spliced: dict[str, SheetRows] = {}
    try:
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        _summary(book.add_worksheet("Summary"), result, bold)
        sheet = book.add_worksheet("Findings")
        if lines < max_rows:
            for column, header in enumerate(headers):
                sheet.write_string(0, column, header, bold)
            sheet.freeze_panes(1, 0)
            spliced["Findings"] = SheetRows([_sheet_cells(c) for c in columns], lines)
        else:
            beside = _beside(path, headers, columns)
            sheet.set_column(0, 0, 120)
            sheet.write_string(0, 0, "Findings: the full table is in a file beside this workbook")
            sheet.write_string(
                2,
                0,
                f"{lines:,} rows: more than Excel holds on one sheet ({max_rows:,} rows, the "
                f"header included). All of them are in {beside.name} beside this workbook, in "
                f"the columns: {', '.join(headers)}.",
                wrap,
            )
    finally:
        book.close()
    splice(buffer.getvalue(), spliced, path)
    return path


def _finding_table(result: DatasetResult) -> tuple[list[str], list[Coded], int]:
    """The Findings table's headers and columns (each coded per line), and its line count.

    A position takes one line per finding of its security's verdict (one line without a
    finding); its own cells repeat on each.
    """
    from portfolio_check.dask import RESULT_COLUMNS

    frame = result.findings
    inputs = [c for c in frame.columns if c not in RESULT_COLUMNS]
    headers = ["row", *inputs, *FINDING_HEADERS]
    keys = frame["security_key"].to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, np.int64)
    securities, security_of = np.unique(keys, return_inverse=True)
    # each flagged security's finding lines, once; a position repeats its security's block
    blocks = [_verdict_lines(result.verdicts[int(key)]) for key in securities.tolist()]
    counts = np.array([len(block) for block in blocks], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    per_position = counts[security_of]
    lines = int(per_position.sum())
    position = np.repeat(np.arange(len(frame), dtype=np.int64), per_position)
    within = np.arange(lines, dtype=np.int64) - np.repeat(
        np.cumsum(per_position) - per_position, per_position
    )
    line_of = starts[security_of[position]] + within  # each line's (security, finding) line
    flat = [line for block in blocks for line in block]
    columns = [_coded(frame["row"].to_numpy(dtype=object), position)]
    columns += [_coded(frame[c].to_numpy(dtype=object), position) for c in inputs]
    columns += [
        _coded(np.array([line[j] for line in flat], dtype=object), line_of)
        for j in range(len(FINDING_HEADERS))
    ]
    return headers, columns, lines


def _coded(cells: np.ndarray, take: np.ndarray) -> Coded:
    """``cells`` (one per position, or per finding line) as a column of the table's lines, each
    distinct cell made text once."""
    codes, uniques = pd.factorize(cells)
    values: list[object] = [_text(v) for v in uniques]
    empty = np.array([not v for v in values] + [True], dtype=bool)
    per_line = np.asarray(codes, dtype=np.int64)[take] if len(take) else np.zeros(0, np.int64)
    per_line[empty[per_line]] = -1  # an empty text is not written
    return Coded(per_line, values)  # two cells may give one text (1 and "1")


def _sheet_cells(column: Coded) -> CellColumn:
    return CellColumn(column.codes, [text_cell(str(v), 0) for v in column.values])


def _beside(path: Path, headers: Sequence[str], columns: Sequence[Coded]) -> Path:
    fmt = choose_format("auto")
    beside = path.with_name(f"{path.stem}.findings.{fmt}")
    return write_table(beside, headers, list(columns), fmt)


def _verdict_lines(verdict: Any) -> list[list[str]]:
    return [_finding_cells(verdict, finding) for finding in verdict.findings or (None,)]


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
