"""The Excel report: one careful writer at the edge.

Sheets: Summary, Holdings, Findings, Other rows, Input issues, About. Every header is styled,
frozen and filterable. xlsxwriter is told never to turn strings into formulas, numbers or URLs,
so a cell such as ``=HYPERLINK(...)`` from an input file stays text.

Large books: xlsxwriter runs in constant-memory mode (each row goes to disk as it is written,
styling kept), and a check with more positions than ``row_limit`` keeps Summary, Findings,
Other rows, Input issues and About complete in the workbook while the full Holdings table goes
to a file beside it (``<report>.holdings.parquet`` when pyarrow is installed, else ``.csv``;
see :mod:`.flat`), which the Holdings sheet and the Summary name. Excel holds at most 1,048,576
rows per sheet, and a sheet of a few hundred thousand rows is already slow to open and filter.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter

from portfolio_check.collector import collection_paused
from portfolio_check.holdings.inputs import input_columns, input_table
from portfolio_check.model import Status, Verdict
from portfolio_check.pipeline import holding_records
from portfolio_check.progress import ProgressCallback, silent
from portfolio_check.report.flat import Coded, choose_format, write_table

if TYPE_CHECKING:
    from portfolio_check.pipeline import CheckResult

STATUS_COLOURS: dict[str, str] = {
    Status.BLOCKED.value: "#7B0000",
    Status.PROHIBITED.value: "#C00000",
    Status.PENDING.value: "#E26B0A",
    Status.REVIEW.value: "#F2C400",
    Status.WATCH.value: "#8EA9DB",
    Status.CLEAR.value: "#70AD47",
    Status.UNRESOLVED.value: "#A6A6A6",
}
_LIGHT_TEXT = {Status.BLOCKED.value, Status.PROHIBITED.value, Status.PENDING.value}
MAX_CELL_TEXT = 32_767  # Excel's limit on the length of one cell's text
EXCEL_MAX_ROWS = 1_048_576  # Excel's limit on the rows of one sheet, the header row included
# Above this many positions the Holdings table goes to a file beside the workbook. Writing a
# sheet costs about 2.5 microseconds a cell (25 columns: 6 seconds per 100,000 rows) and Excel
# opens, sorts and filters a sheet of a few hundred thousand rows slowly; a CSV or Parquet file
# serves those sizes better, and the workbook keeps everything a reviewer acts on.
DEFAULT_ROW_LIMIT = 200_000
# Sheets of up to this many rows in all are written with xlsxwriter's default (in-memory)
# mode: measured on a 100,000-row report, 7.3 s against 8.0-8.6 s in constant-memory mode, for
# about 160 MB more per 100,000 rows; larger ones in constant memory (issue 6).
IN_MEMORY_ROWS = 250_000
# The writer reports progress every this many rows.
PROGRESS_ROWS = 10_000


class _Writer:
    def __init__(
        self,
        path: Path,
        progress: ProgressCallback | None = None,
        total: int = 0,
        file_format: str = "auto",
        *,
        in_memory: bool = False,
    ) -> None:
        self.path = path
        self.file_format = file_format
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
                # Up to IN_MEMORY_ROWS the cells are kept until the workbook closes, each text
                # once in the shared strings; past that, each row goes to disk when the next
                # one starts and memory stays flat.
                "constant_memory": not in_memory,
            },
        )
        self.progress = progress or silent
        self.total = max(total, 1)
        self.done = 0
        self.header = self.book.add_format(
            {
                "bold": True,
                "bg_color": "#1F3864",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        )
        self.bold = self.book.add_format({"bold": True})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.money = self.book.add_format({"num_format": "#,##0.00"})
        self.status = {
            status: self.book.add_format(
                {
                    "bold": True,
                    "bg_color": colour,
                    "font_color": "#FFFFFF" if status in _LIGHT_TEXT else "#000000",
                }
            )
            for status, colour in STATUS_COLOURS.items()
        }

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows written and tell the progress callback."""
        self.done += rows
        self.progress("report", min(self.done, self.total), self.total)

    def table(
        self,
        name: str,
        headers: list[str],
        rows: Iterable[Sequence[Any]],
        *,
        widths: dict[str, int] | None = None,
        status_column: str | None = None,
    ) -> int:
        """A sheet with a styled, frozen, filterable header; returns the rows written."""
        sheet = self.book.add_worksheet(name[:31])
        for col, text in enumerate(headers):
            sheet.write_string(0, col, text, self.header)
            width = (widths or {}).get(text, min(max(len(text) + 2, 10), 40))
            sheet.set_column(col, col, width)
        status_col = headers.index(status_column) if status_column in headers else -1
        cell, status = self.cell, self.status
        write_string, write_number = sheet.write_string, sheet.write_number
        count = 0
        for count, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                # an empty cell (None, "") without a format is not written at all
                if type(value) is str:  # most cells: written here, without a call to cell()
                    if value:
                        fmt = status.get(value) if c == status_col else None
                        write_string(count, c, value[:MAX_CELL_TEXT], fmt)
                elif type(value) is int:  # the Row column
                    write_number(count, c, value, None)
                elif value is not None:
                    cell(
                        sheet, count, c, value, status.get(str(value)) if c == status_col else None
                    )
            if count % PROGRESS_ROWS == 0:
                self.advance(PROGRESS_ROWS)
        self.advance(count % PROGRESS_ROWS)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(count, 1), max(len(headers) - 1, 0))
        return count

    def complete_table(
        self,
        name: str,
        headers: list[str],
        rows: list[list[Any]],
        *,
        widths: dict[str, int] | None = None,
        status_column: str | None = None,
    ) -> None:
        """A table that must stay complete: on its sheet, or beside the workbook past Excel's
        row limit (the sheet then says where it is)."""
        if len(rows) < EXCEL_MAX_ROWS:
            self.table(name, headers, rows, widths=widths, status_column=status_column)
            return
        fmt = choose_format(self.file_format)
        slug = "-".join(name.lower().split())
        beside = self.path.with_name(f"{self.path.stem}.{slug}.{fmt}")
        columns = [
            Coded.from_array(np.array([row[c] for row in rows], dtype=object))
            for c in range(len(headers))
        ]
        write_table(beside, headers, list(columns), fmt)
        self.advance(len(rows))
        self.note(
            name,
            f"{name}: the full table is in a file beside this workbook",
            [
                f"{len(rows):,} rows: more than Excel holds on one sheet "
                f"({EXCEL_MAX_ROWS:,} rows, the header included).",
                f"All of them are in {beside.name} beside this workbook, in the columns: "
                f"{', '.join(headers)}.",
            ],
        )

    def note(self, name: str, title: str, lines: Sequence[str]) -> None:
        """A sheet of a title and a few lines of text (where a table was moved to a file)."""
        sheet = self.book.add_worksheet(name[:31])
        sheet.set_column(0, 0, 120)
        sheet.write_string(0, 0, title, self.title)
        for r, line in enumerate(lines, start=2):
            sheet.write_string(r, 0, line, self.wrap)

    def cell(self, sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if type(value) is str:  # most cells: checked first
            sheet.write_string(row, col, value[:MAX_CELL_TEXT], fmt)
        elif value is None or (isinstance(value, float) and value != value):
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt)
        elif isinstance(value, dt.date):
            sheet.write_string(row, col, value.isoformat(), fmt)
        else:
            sheet.write_string(row, col, str(value)[:MAX_CELL_TEXT], fmt)


def _finding_columns(verdict: Verdict) -> list[Any]:
    top = verdict.findings[0] if verdict.findings else None
    return [
        verdict.status.value,
        verdict.reason,
        verdict.issuer_name,
        f"{top.list_id} {top.entry_id}: {top.entry_name}" if top else None,
        top.matched_on if top else None,
        top.listing_date if top else None,
        top.effective_date if top else None,
        top.divestment_date if top else None,
        verdict.actions.buy,
        verdict.actions.sell,
    ]


RESULT_HEADERS = [
    "Status",
    "Reason",
    "Issuer",
    "Matched entry",
    "Matched on",
    "Listing date",
    "Effective date",
    "Divestment date",
    "Buy",
    "Sell",
]


def beside_path(path: Path, fmt: str) -> Path:
    """Where the full Holdings table of a large report at ``path`` goes (``fmt``: csv/parquet)."""
    return path.with_name(f"{path.stem}.holdings.{fmt}")


@collection_paused()  # see collector.py
def write_report(
    result: CheckResult,
    path: Path,
    *,
    row_limit: int = DEFAULT_ROW_LIMIT,
    holdings_format: str = "auto",
    progress: ProgressCallback | None = None,
) -> Path:
    """Write the whole report to ``path`` (an .xlsx file).

    With more than ``row_limit`` positions (at most Excel's 1,048,575 data rows), the Holdings
    table goes to :func:`beside_path` as ``holdings_format`` (``auto``: Parquet when pyarrow
    is installed, else CSV); every other sheet stays complete. ``progress`` is told the rows
    written (stage ``report``).
    """
    if not 0 < row_limit < EXCEL_MAX_ROWS:
        raise ValueError(f"row_limit must be between 1 and {EXCEL_MAX_ROWS - 1:,}, not {row_limit}")
    path.parent.mkdir(parents=True, exist_ok=True)
    holdings = result.holdings
    flagged = int((holdings["status"] != Status.CLEAR.value).sum()) if len(holdings) else 0
    total = len(holdings) + flagged + len(result.other_rows) + len(result.input_issues)
    beside = (
        beside_path(path, choose_format(holdings_format)) if len(holdings) > row_limit else None
    )
    on_sheets = total - (len(holdings) if beside is not None else 0)
    writer = _Writer(path, progress, total, holdings_format, in_memory=on_sheets <= IN_MEMORY_ROWS)
    if result.changes is not None:  # re-screening against an older snapshot: read first
        from portfolio_check.report.changes import write_changes

        write_changes(writer, result.changes)
    _summary(writer, result, beside)
    if beside is None:
        _holdings(writer, result)
    else:
        _holdings_beside(writer, result, beside, row_limit)
    _findings(writer, result)
    _exposures(writer, result)
    writer.complete_table(
        "Other rows",
        ["File", "Sheet", "Row", "Class", "Why", "Text"],
        [[o.file, o.sheet, o.row, o.row_class.value, o.why, o.text] for o in result.other_rows],
        widths={"Why": 50, "Text": 80},
    )
    writer.complete_table(
        "Input issues",
        ["File", "Sheet", "Row", "Column", "Problem", "Value"],
        [[i.file, i.sheet, i.row, i.column, i.problem, i.value] for i in result.input_issues],
        widths={"Problem": 60, "Value": 30},
    )
    _about(writer, result)
    # the cells are stored; xlsxwriter now writes and compresses the sheets (seconds for a big
    # report), which the progress display shows as a stage of its own
    writer.progress("save", 0, 1)
    writer.book.close()
    writer.progress("save", 1, 1)
    return path


def _summary(writer: _Writer, result: CheckResult, beside: Path | None = None) -> None:
    from portfolio_check.pipeline import DISCLAIMER

    sheet = writer.book.add_worksheet("Summary")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 20)
    sheet.write_string(0, 0, "Portfolio check", writer.title)
    facts = [
        ("As of", result.as_of.isoformat()),
        ("Investor", result.investor.value),
        ("Files", ", ".join(result.files)),
        ("Reference version", result.reference.version),
        *_reference_lines(result),
        ("Rows read", result.rows_read),
        ("Positions", len(result.holdings)),
        ("Other rows", len(result.other_rows)),
        ("Input issues", len(result.input_issues)),
    ]
    if beside is not None:
        facts.append(("Holdings table", f"in {beside.name}, beside this workbook"))
    for r, (label, value) in enumerate(facts, start=2):
        sheet.write_string(r, 0, label, writer.bold)
        writer.cell(sheet, r, 1, value)
    start = len(facts) + 3
    for c, text in enumerate(["Status", "Positions", "Market value"]):
        sheet.write_string(start, c, text, writer.header)
    counts = result.count_by_status()
    values = result.market_value_by_status()
    for r, status in enumerate(Status, start=start + 1):
        sheet.write_string(r, 0, status.value, writer.status[status.value])
        sheet.write_number(r, 1, counts[status.value])
        sheet.write_number(r, 2, values[status.value], writer.money)
    note_row = start + len(Status) + 2
    sheet.write_string(
        note_row,
        0,
        f"Rows read ({result.rows_read}) = positions ({len(result.holdings)}) + other rows "
        f"({len(result.other_rows)}).",
    )
    sheet.write_string(note_row + 1, 0, DISCLAIMER)
    sheet.freeze_panes(start + 1, 0)


def _verdict_codes(verdicts: Sequence[Verdict]) -> tuple[np.ndarray, list[Verdict]]:
    """Per row, the number of its distinct verdict (rows of one security share one object)."""
    ids = np.fromiter((id(v) for v in verdicts), dtype=np.int64, count=len(verdicts))
    codes, _ = pd.factorize(ids)
    codes = np.asarray(codes, dtype=np.int64)
    if len(codes) == 0:
        return codes, []
    _, first = np.unique(codes, return_index=True)
    return codes, [verdicts[i] for i in first.tolist()]


def _holding_rows(result: CheckResult, original: list[str]) -> Iterator[list[Any]]:
    """The Holdings sheet's rows; a verdict's columns are worked out once per security."""
    holdings = result.holdings
    inputs = input_table(holdings["input"].tolist(), original)
    verdicts = holdings["verdict"].tolist()
    codes, distinct = _verdict_codes(verdicts)
    tails = [_finding_columns(verdict) for verdict in distinct]
    columns = [inputs[key].tolist() for key in original]
    for file, sheet, row, cells, code in zip(
        holdings["file"].tolist(),
        holdings["sheet"].tolist(),
        holdings["row"].tolist(),
        zip(*columns, strict=True) if columns else itertools.repeat(()),
        codes.tolist(),
        strict=False,
    ):
        yield [file, sheet, row, *cells, *tails[code]]


def _holdings(writer: _Writer, result: CheckResult) -> None:
    original = input_columns(result.holdings["input"].tolist())
    headers = ["File", "Sheet", "Row", *original, *RESULT_HEADERS]
    writer.table(
        "Holdings",
        headers,
        _holding_rows(result, original),
        widths={"Reason": 80},
        status_column="Status",
    )


def _holdings_beside(writer: _Writer, result: CheckResult, beside: Path, row_limit: int) -> None:
    """The full Holdings table in a file beside the workbook; the sheet says where and why."""
    holdings = result.holdings
    original = input_columns(holdings["input"].tolist())
    headers = ["File", "Sheet", "Row", *original, *RESULT_HEADERS]
    inputs = input_table(holdings["input"].tolist(), original)
    codes, distinct = _verdict_codes(holdings["verdict"].tolist())
    tails = [_finding_columns(verdict) for verdict in distinct]
    columns: list[Coded | np.ndarray] = [
        Coded.from_array(holdings["file"].to_numpy(dtype=object)),
        Coded.from_array(holdings["sheet"].to_numpy(dtype=object)),
        holdings["row"].to_numpy(dtype=np.int64),
        *(Coded.from_array(inputs[key]) for key in original),
        *(Coded(codes, [tail[j] for tail in tails]) for j in range(len(RESULT_HEADERS))),
    ]
    write_table(beside, headers, columns, beside.suffix.lstrip("."))
    writer.advance(len(holdings))
    writer.note(
        "Holdings",
        "Holdings: the full table is in a file beside this workbook",
        [
            f"This check has {len(holdings):,} positions, more than this report's limit of "
            f"{row_limit:,} rows on one sheet (Excel itself holds at most "
            f"{EXCEL_MAX_ROWS:,} rows per sheet, and large sheets are slow to open and filter).",
            f"Every position, with its original columns, status, reason and matched entry, is "
            f"in {beside.name} beside this workbook, in the columns: {', '.join(headers)}.",
            "The Findings sheet lists every position that is not CLEAR, with its evidence; the "
            "Summary counts every position; Other rows and Input issues are complete.",
        ],
    )


def _findings(writer: _Writer, result: CheckResult) -> None:
    headers = [
        "File",
        "Sheet",
        "Row",
        "Security",
        "ISIN",
        "Ticker",
        "Status",
        "List",
        "Entry id",
        "Entry name",
        "Matched on",
        "Score",
        "Rule",
        "Listing date",
        "Effective date",
        "Divestment date",
        "Buy",
        "Sell",
        "Explanation",
    ]
    rows = []
    holdings = result.holdings
    flagged = np.flatnonzero(holdings["status"].to_numpy(dtype=object) != Status.CLEAR.value)
    subset = holdings.iloc[flagged] if len(flagged) < len(holdings) else holdings
    for record in holding_records(subset):
        verdict = record.verdict
        identity = verdict.identity
        base = [
            record.file,
            record.sheet,
            record.row,
            identity.name,
            identity.isin,
            identity.ticker,
        ]
        if not verdict.findings:
            rows.append(
                [
                    *base,
                    verdict.status.value,
                    *([None] * 9),
                    verdict.actions.buy,
                    verdict.actions.sell,
                    verdict.reason,
                ]
            )
        for finding in verdict.findings:
            if finding.exposure is not None:
                continue  # shown on the Exposures sheet, with its path
            rows.append(
                [
                    *base,
                    finding.status.value,
                    finding.list_id,
                    finding.entry_id,
                    finding.entry_name,
                    finding.matched_on,
                    finding.score,
                    finding.rule,
                    finding.listing_date,
                    finding.effective_date,
                    finding.divestment_date,
                    verdict.actions.buy,
                    verdict.actions.sell,
                    finding.explanation,
                ]
            )
    rows.sort(key=lambda row: Status(str(row[6])).severity)
    writer.complete_table(
        "Findings",
        headers,
        rows,
        widths={"Explanation": 100, "Entry name": 36},
        status_column="Status",
    )


def _exposures(writer: _Writer, result: CheckResult) -> None:
    """Exposure through instruments (DRs, warrants, options, funds), apart from direct holdings."""
    headers = [
        "File",
        "Sheet",
        "Row",
        "Holding",
        "Holding market value",
        "Exposure",
        "Status",
        "Path",
        "Weight in instrument",
        "Look-through market value",
        "List",
        "Entry id",
        "Entry name",
        "Explanation",
    ]
    rows: list[list[Any]] = []
    # only rows whose security has an exposure finding (worked out once per security)
    holdings = result.holdings
    codes, distinct = _verdict_codes(holdings["verdict"].tolist())
    exposed = np.array(
        [any(f.exposure is not None for f in v.findings) for v in distinct] + [False]
    )
    subset = holdings.iloc[np.flatnonzero(exposed[codes])] if len(codes) else holdings
    values = subset["market_value"].tolist() if "market_value" in subset else []
    for number, record in enumerate(holding_records(subset)):
        value = values[number] if number < len(values) else None
        value = None if value is None or value != value else float(value)
        for finding in record.verdict.findings:
            if finding.exposure is None:
                continue
            through = value * finding.weight if value is not None and finding.weight else None
            rows.append(
                [
                    record.file,
                    record.sheet,
                    record.row,
                    record.verdict.identity.name or record.verdict.identity.ticker,
                    value,
                    finding.exposure,
                    finding.status.value,
                    " -> ".join(finding.path),
                    finding.weight,
                    through,
                    finding.list_id,
                    finding.entry_id,
                    finding.entry_name,
                    finding.explanation,
                ]
            )
    rows.sort(key=lambda row: Status(str(row[6])).severity)
    writer.table(
        "Exposures",
        headers,
        rows,
        widths={"Path": 90, "Explanation": 100, "Entry name": 36},
        status_column="Status",
    )


def _about(writer: _Writer, result: CheckResult) -> None:
    from portfolio_check.pipeline import DISCLAIMER

    sheet = writer.book.add_worksheet("About")
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 110)
    manifest = result.reference.manifest
    lines: list[tuple[str, Any]] = [
        ("Not legal advice", DISCLAIMER),
        ("Reference version", result.reference.version),
        *_reference_lines(result),
        ("Generated at", manifest.get("generated_at")),
        ("Generated by", manifest.get("generated_by")),
    ]
    for item in result.reference.lists.values():
        lines.append(
            (f"List {item.list_id}", f"{item.title}: {len(item.entries)} entries; {item.source}")
        )
    for listed in manifest.get("lists", []):
        for source in listed.get("source_files", []):
            lines.append(
                (
                    f"Source file ({listed.get('id')})",
                    f"{source.get('name')}: sha256 {source.get('sha256')}, "
                    f"{source.get('records')} records",
                )
            )
        warnings = listed.get("warning_counts") or {}
        if warnings:
            lines.append(
                (
                    f"Parse warnings ({listed.get('id')})",
                    "; ".join(f"{kind}: {count}" for kind, count in warnings.items()),
                )
            )
    lines.append(
        (
            "Curated securities",
            f"{len(result.reference.curated_securities)} rows, each with a source",
        )
    )
    lines.append(
        ("Curated names", f"{len(result.reference.curated_names)} rows, each with a source")
    )
    lines.append(
        ("Statuses", "BLOCKED > PROHIBITED > PENDING > REVIEW > WATCH > CLEAR > UNRESOLVED")
    )
    for table in result.table_dicts():
        roles = "; ".join(
            f"{c['header']} = {c['role']} ({c['why']})" for c in table["columns"] if c["role"]
        )
        lines.append(
            (
                f"Table read: {table['file']} / {table['sheet']}",
                f"header row(s) {', '.join(str(r) for r in table['header_rows']) or '-'}; "
                f"{table['kind']}; columns: {roles or 'none recognised'}",
            )
        )
    generated = _generated_date(manifest.get("generated_at"))
    if generated and (result.as_of - generated).days > 30:
        lines.append(
            (
                "Warning",
                f"the reference snapshot ({generated}) is more than 30 days older "
                f"than the as-of date ({result.as_of}); lists may have changed since",
            )
        )
    for r, (label, value) in enumerate(lines):
        sheet.write_string(r, 0, label, writer.bold)
        writer.cell(sheet, r, 1, value, writer.wrap)


def _reference_lines(result: CheckResult) -> list[tuple[str, str]]:
    """The lists' publication dates, and the warnings (lists out of date, an edited snapshot)."""
    from portfolio_check.freshness import reference_facts, report_lines

    return report_lines(reference_facts(result.reference, max_age_days=result.max_list_age_days))


def _generated_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
