"""The Excel report: one careful writer at the edge.

Sheets: Summary, Holdings, Findings, Other rows, Input issues, About. Every header is styled,
frozen and filterable. xlsxwriter is told never to turn strings into formulas, numbers or URLs,
so a cell such as ``=HYPERLINK(...)`` from an input file stays text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from portfolio_check.check import holding_records
from portfolio_check.model import Status, Verdict

if TYPE_CHECKING:
    from portfolio_check.check import CheckResult

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


class _Writer:
    def __init__(self, path: Path) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
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

    def table(
        self,
        name: str,
        headers: list[str],
        rows: list[list[Any]],
        *,
        widths: dict[str, int] | None = None,
        status_column: str | None = None,
    ) -> None:
        sheet = self.book.add_worksheet(name[:31])
        for col, text in enumerate(headers):
            sheet.write_string(0, col, text, self.header)
            width = (widths or {}).get(text, min(max(len(text) + 2, 10), 40))
            sheet.set_column(col, col, width)
        status_col = headers.index(status_column) if status_column in headers else -1
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                fmt = self.status.get(str(value)) if c == status_col else None
                self.cell(sheet, r, c, value, fmt)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), max(len(headers) - 1, 0))

    def cell(self, sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if value is None or (isinstance(value, float) and value != value):
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


def write_report(result: CheckResult, path: Path) -> Path:
    """Write the whole report to ``path`` (an .xlsx file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = _Writer(path)
    _summary(writer, result)
    _holdings(writer, result)
    _findings(writer, result)
    _exposures(writer, result)
    writer.table(
        "Other rows",
        ["File", "Sheet", "Row", "Class", "Text"],
        [[o.file, o.sheet, o.row, o.row_class.value, o.text] for o in result.other_rows],
        widths={"Text": 80},
    )
    writer.table(
        "Input issues",
        ["File", "Sheet", "Row", "Column", "Problem", "Value"],
        [[i.file, i.sheet, i.row, i.column, i.problem, i.value] for i in result.input_issues],
        widths={"Problem": 60, "Value": 30},
    )
    _about(writer, result)
    writer.book.close()
    return path


def _summary(writer: _Writer, result: CheckResult) -> None:
    from portfolio_check.check import DISCLAIMER

    sheet = writer.book.add_worksheet("Summary")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 20)
    sheet.write_string(0, 0, "Portfolio check", writer.title)
    facts = [
        ("As of", result.as_of.isoformat()),
        ("Investor", result.investor.value),
        ("Files", ", ".join(result.files)),
        ("Reference version", result.reference.version),
        ("Rows read", result.rows_read),
        ("Positions", len(result.holdings)),
        ("Other rows", len(result.other_rows)),
        ("Input issues", len(result.input_issues)),
    ]
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


def _input_columns(result: CheckResult) -> list[str]:
    seen: dict[str, None] = {}
    for cells in result.holdings["input"]:
        for key in cells:
            seen.setdefault(str(key), None)
    return list(seen)


def _holdings(writer: _Writer, result: CheckResult) -> None:
    original = _input_columns(result)
    headers = ["File", "Sheet", "Row", *original, *RESULT_HEADERS]
    rows = [
        [
            record.file,
            record.sheet,
            record.row,
            *(record.input.get(column) for column in original),
            *_finding_columns(record.verdict),
        ]
        for record in holding_records(result.holdings)
    ]
    writer.table("Holdings", headers, rows, widths={"Reason": 80}, status_column="Status")


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
    for record in holding_records(result.holdings):
        verdict = record.verdict
        if verdict.status is Status.CLEAR:
            continue
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
    writer.table(
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
    values = result.holdings["market_value"].tolist() if "market_value" in result.holdings else []
    for number, record in enumerate(holding_records(result.holdings)):
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
    from portfolio_check.check import DISCLAIMER

    sheet = writer.book.add_worksheet("About")
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 110)
    manifest = result.reference.manifest
    lines: list[tuple[str, Any]] = [
        ("Not legal advice", DISCLAIMER),
        ("Reference version", result.reference.version),
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


def _generated_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
