"""The Excel report: a workbook a compliance officer files, prints and signs.

Sheets: Summary (a headline sentence, the run's metadata, counts and market value by status
per currency with a chart, tables by portfolio and by listed entity, a sign-off block),
Holdings, Findings, Exposures, Other rows, Input issues, About. Every table sheet starts with
the status, the verdict and the holding's own name (the row mapping of
:mod:`portfolio_check.result`), then the evidence, then the input columns in their order.

Cells are typed: quantities, prices and market values are numbers (money in its currency's
format), dates are dates, weights are percentages; the text as read stays in the JSON and,
with ``text_as_read``, in a column beside each number. xlsxwriter is told never to turn
strings into formulas, numbers or URLs, so a cell such as ``=HYPERLINK(...)`` from an input
file stays text; the only links are the ones this module builds (OFAC's entry pages).

Every sheet is set up to print: landscape, one page wide while the text stays readable (else
a few pages wide with the status, verdict and name repeated on each), header rows repeated,
the as-of date, investor and run id in the page header, page numbers in the footer.

Tables are written a column at a time by :mod:`.sheetxml` (each distinct value rendered once;
xlsxwriter writes headers, formats and the small sheets). A check with more positions than
``row_limit`` keeps the other sheets complete in the workbook while the full Holdings table goes
to a file beside it (``<report>.holdings.parquet`` with pyarrow, else ``.csv``; see
:mod:`.flat`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter

from portfolio_check.collector import collection_paused
from portfolio_check.holdings.cells import decimal_comma_style, parse_numbers
from portfolio_check.holdings.inputs import input_codes, input_columns, input_table
from portfolio_check.holdings.roles import TEXT_ROLES, Role
from portfolio_check.model import Status
from portfolio_check.progress import ProgressCallback, silent
from portfolio_check.report.flat import Coded, choose_format, table_writer, write_table
from portfolio_check.report.sheetxml import (
    MAX_CELL_TEXT,
    CellColumn,
    SheetRows,
    coded_cells,
    date_serial,
    number_cell,
    splice,
    text_cell,
)
from portfolio_check.result import (
    DISCLAIMER,
    LOCATION_FIELDS,
    ROW_FIELDS,
    SEVERITY_ORDER,
    STATUS_DTYPE,
    ReportFiles,
    entry_label,
    entry_url,
    holding_records,
    market_values,
    verdict_phrase,
)

if TYPE_CHECKING:
    from portfolio_check.result import CheckResult

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
MAX_URLS = 65_000  # Excel keeps at most 65,530 links per sheet; past that a link is text
MAX_URL_LENGTH = 2_079  # Excel's longest link address; a longer one is text
EXCEL_MAX_ROWS = 1_048_576  # Excel's limit on the rows of one sheet, the header row included
# Above this many positions the Holdings table goes to a file beside the workbook. Writing a
# sheet costs about 2.5 microseconds a cell and Excel opens, sorts and filters a sheet of a
# few hundred thousand rows slowly; a CSV or Parquet file serves those sizes better.
DEFAULT_ROW_LIMIT = 200_000
# Column widths are measured on this many rows (a width is a reading aid, not a proof).
WIDTH_SAMPLE_ROWS = 500
# Printing: a landscape A4 page holds about this many width units (Excel's character widths)
# at 100% between 0.4-inch margins, as LibreOffice prints them (measured: 98 units fill the
# page). Below MIN_PRINT_SCALE the 11-point text would print under 6 points, too small to
# read, so a wider sheet prints a few pages wide (status, verdict and name repeated) instead.
PAGE_WIDTH_UNITS = 98
MIN_PRINT_SCALE = 0.55
# A wrapped line holds about this many characters per width unit (text is narrower than the
# digit "0" that defines the unit).
WRAP_CHARS_PER_UNIT = 1.1
# The Summary's tables by portfolio and by listed entity show at most this many rows.
SUMMARY_TABLE_ROWS = 200

# Cell kinds of a column; each has its own format.
TEXT, WRAP, INT, NUMBER, MONEY, PERCENT, DATE, URL, STATUS = (
    "text",
    "wrap",
    "int",
    "number",
    "money",
    "percent",
    "date",
    "url",
    "status",
)
# The evidence columns are wrapped at these widths; other text columns fit their contents.
_WRAPPED_WIDTHS = {
    "Verdict": 20,
    "Holding": 22,
    "Matched entry": 26,
    "Reason": 72,
    "Explanation": 80,
    "Rule": 26,
    "Path": 40,
    "Problem": 50,
    "Text": 60,
    "Why": 40,
    "Through holdings": 50,
    "Value": 30,
}
_TEXT_WIDTH_CAP = 16
_DATE_FIELDS = {"Listing date", "Effective date", "Divestment date"}
_NUMBER_FORMAT = "#,##0.####"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LEADING_ZERO = re.compile(r"^0\d")
# the text roles of a holdings table: a column of one is kept as text, never typed
_IDENTITY_ROLES = frozenset(TEXT_ROLES)


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: header, cell kind, and width (None: fit the contents)."""

    header: str
    kind: str = TEXT
    width: float | None = None


def _escape_header(text: str) -> str:
    """Text for an Excel page header/footer, where ``&`` starts a code."""
    return text.replace("&", "&&")


class _Writer:
    def __init__(
        self,
        target: Path,
        result: CheckResult,
        progress: ProgressCallback | None = None,
        total: int = 0,
        file_format: str = "auto",
    ) -> None:
        self.path = target
        self.result = result
        self.file_format = file_format
        self.beside: list[Path] = []
        # Every table's rows are written by sheetxml: xlsxwriter writes the rest of the
        # workbook (headers, formats, the Summary and About sheets: small) into memory, without
        # temporary files, and splice() writes the file with the rows.
        self.buffer = io.BytesIO()
        self.spliced: dict[str, SheetRows] = {}
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
                "default_date_format": "yyyy-mm-dd",
                "in_memory": True,
            },
        )
        self.book.set_properties(
            {
                "title": f"Portfolio check as of {result.as_of.isoformat()}",
                "subject": f"Holdings screened for a {result.investor.value}",
                "comments": f"run {result.run_id}; {DISCLAIMER}",
            }
        )
        self.progress = progress or silent
        self.total = max(total, 1)
        self.done = 0
        add = self.book.add_format
        self.header = add(
            {
                "bold": True,
                "bg_color": "#1F3864",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        )
        self.bold = add({"bold": True, "valign": "top"})
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"bold": True, "font_size": 12, "font_color": "#1F3864"})
        self.headline = add({"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"})
        self.formats: dict[str, Any] = {
            TEXT: add({"valign": "top"}),
            WRAP: add({"text_wrap": True, "valign": "top"}),
            INT: add({"num_format": "#,##0", "valign": "top"}),
            NUMBER: add({"num_format": _NUMBER_FORMAT, "valign": "top"}),
            MONEY: add({"num_format": "#,##0.00", "valign": "top"}),
            PERCENT: add({"num_format": "0.00%", "valign": "top"}),
            DATE: add({"num_format": "yyyy-mm-dd", "valign": "top", "align": "left"}),
            URL: add({"font_color": "#0563C1", "underline": 1, "valign": "top"}),
        }
        self.status = {
            status: add(
                {
                    "bold": True,
                    "bg_color": colour,
                    "font_color": "#FFFFFF" if status in _LIGHT_TEXT else "#000000",
                    "valign": "top",
                }
            )
            for status, colour in STATUS_COLOURS.items()
        }
        self._money: dict[str, Any] = {}
        self.box = add({"border": 1, "valign": "top", "text_wrap": True})

    def money(self, currency: str | None) -> Any:
        """A money format naming its currency ("1,058,500.00 USD")."""
        if not currency:
            return self.formats[MONEY]
        fmt = self._money.get(currency)
        if fmt is None:
            fmt = self.book.add_format({"num_format": f'#,##0.00 "{currency}"', "valign": "top"})
            self._money[currency] = fmt
        return fmt

    def style(self, fmt: Any) -> int:
        """A format's style number in the workbook, for cells written by :mod:`.sheetxml`
        (xlsxwriter numbers a format when a cell first uses it; these cells are not its)."""
        if fmt is None:
            return 0
        return int(fmt._get_xf_index())

    def close(self) -> None:
        """Close the workbook and write the file with the tables' rows spliced in."""
        self.book.close()
        splice(self.buffer.getvalue(), self.spliced, self.path)

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows written and tell the progress callback."""
        self.done += rows
        self.progress("report", min(self.done, self.total), self.total)

    # ---------------------------------------------------------------------------- printing

    def print_setup(
        self, sheet: Any, widths: Sequence[float], *, header_rows: int = 1, repeat: int = 0
    ) -> None:
        """Landscape, page header and footer, header rows repeated, and one page wide while
        the scale stays readable (else a few pages wide with ``repeat`` columns repeated)."""
        result = self.result
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        head = _escape_header(
            f"Portfolio check as of {result.as_of.isoformat()} for a {result.investor.value}"
        )
        sheet.set_header(f"&L&8{head}&C&8&A&R&8run {_escape_header(result.run_id)}")
        sheet.set_footer(
            "&L&8Not legal advice: confirm every finding against the official list&R&8Page &P of &N"
        )
        if header_rows:
            sheet.repeat_rows(0, header_rows - 1)
            sheet.hide_gridlines(0)  # a table prints with its grid, to follow a row across
        else:
            sheet.hide_gridlines(2)
        total = sum(widths) + 1
        pages = max(1, math.ceil(total / (PAGE_WIDTH_UNITS / MIN_PRINT_SCALE)))
        if pages > 1 and repeat:
            # the repeated columns take room on every page but the first
            rest = total - sum(widths[:repeat])
            room = PAGE_WIDTH_UNITS / MIN_PRINT_SCALE - sum(widths[:repeat])
            pages = max(1, math.ceil(rest / max(room, 1)))
            sheet.repeat_columns(0, repeat - 1)
        sheet.fit_to_pages(pages, 0)

    # ------------------------------------------------------------------------------ tables

    def table(
        self,
        name: str,
        columns: Sequence[Column | str],
        rows: Iterable[Sequence[Any]],
        *,
        sample: Sequence[Sequence[Any]] = (),
        freeze_columns: int = 0,
        currencies: Mapping[int, Sequence[str | None]] | None = None,
        widths: Mapping[str, float] | None = None,
        status_column: str | None = None,
    ) -> int:
        """A sheet with a styled, frozen, filterable header; returns the rows written.

        ``sample`` (the first rows, or all) sets the widths of columns without one;
        ``currencies`` gives a money column each row's currency (its format names it). The
        rows are written by :mod:`.sheetxml`, a column at a time: each column's distinct
        values are rendered once.
        """
        rows = rows if isinstance(rows, list) else list(rows)
        typed = [
            c if isinstance(c, Column) else _text_column(c, widths or {}, status_column)
            for c in columns
        ]
        by_column = list(zip_longest(*rows)) if rows else [() for _ in typed]
        by_column += [(None,) * len(rows)] * (len(typed) - len(by_column))
        money = currencies or {}
        cells = [
            _cells(self, by_column[c], column.kind, money.get(c)) for c, column in enumerate(typed)
        ]
        self.spliced_table(
            name,
            typed,
            _cap_links(cells, MAX_URLS),
            len(rows),
            sample=sample,
            freeze_columns=freeze_columns,
        )
        return len(rows)

    def spliced_table(
        self,
        name: str,
        columns: Sequence[Column],
        cells: list[CellColumn],
        rows: int,
        *,
        sample: Sequence[Sequence[Any]],
        freeze_columns: int = 0,
    ) -> None:
        """A sheet with a styled, frozen, filterable header, whose rows :mod:`.sheetxml` writes
        from ``cells`` (a column at a time) when the workbook closes; each row as tall as its
        longest wrapped text (LibreOffice and printing do not grow a row by themselves)."""
        sheet = self.book.add_worksheet(name[:31])
        sizes = [_width(c, col, sample) for col, c in enumerate(columns)]
        for col, (column, width) in enumerate(zip(columns, sizes, strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, column.header, self.header)
        header_lines = max(
            (math.ceil(len(c.header) / max(w, 1)) for c, w in zip(columns, sizes, strict=True)),
            default=1,
        )
        sheet.set_row(0, 15.0 * max(header_lines, 1))
        room = {
            c: w * WRAP_CHARS_PER_UNIT
            for c, (column, w) in enumerate(zip(columns, sizes, strict=True))
            if column.kind == WRAP
        }
        self.spliced[sheet.name] = SheetRows(cells, rows, wrap_room=room)
        self.advance(rows)  # stored: their XML is written when the workbook closes
        sheet.freeze_panes(1, freeze_columns)
        sheet.autofilter(0, 0, max(rows, 1), max(len(columns) - 1, 0))
        self.print_setup(sheet, sizes, repeat=freeze_columns)

    def complete_table(
        self,
        name: str,
        columns: Sequence[Column],
        rows: list[list[Any]],
        *,
        freeze_columns: int = 0,
    ) -> None:
        """A table that must stay complete: on its sheet, or beside the workbook past Excel's
        row limit (the sheet then says where it is)."""
        if len(rows) < EXCEL_MAX_ROWS:
            self.table(
                name, columns, rows, sample=rows[:WIDTH_SAMPLE_ROWS], freeze_columns=freeze_columns
            )
            return
        fmt = choose_format(self.file_format)
        slug = "-".join(name.lower().split())
        beside = self.path.with_name(f"{self.path.stem}.{slug}.{fmt}")
        headers = [c.header for c in columns]
        coded = [
            Coded.from_array(np.array([row[c] for row in rows], dtype=object))
            for c in range(len(headers))
        ]
        write_table(beside, headers, list(coded), fmt)
        self.beside.append(beside)
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
            sheet.set_row(r, _row_height(line, 120))
            sheet.write_string(r, 0, line, self.formats[WRAP])
        self.print_setup(sheet, [120], header_rows=0)


_TEXT, _NUMBER, _DATE = "text", "number", "date"


def _typed(value: Any) -> tuple[str, Any] | None:
    """What a table cell holds, as both writers write it: ``(_TEXT, str)``, ``(_NUMBER,
    float)`` or ``(_DATE, datetime)``; None for a cell left empty (None, "", NaN, infinity)."""
    if value is None or (isinstance(value, str) and not value):
        return None
    if type(value) is str:
        return _TEXT, value
    if isinstance(value, bool | np.bool_):
        return _TEXT, "TRUE" if value else "FALSE"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return None if number != number or math.isinf(number) else (_NUMBER, number)
    if isinstance(value, dt.date):
        return _DATE, value if isinstance(value, dt.datetime) else _midnight(value)
    return _TEXT, str(value)


def _text_column(header: str, widths: Mapping[str, float], status_column: str | None) -> Column:
    """A column named by its header alone (report/changes.py): status, wrapped or text."""
    if header == status_column:
        return Column(header, STATUS, 12)
    if header in widths:
        return Column(header, WRAP, widths[header])
    return Column(header)


def _url_text(url: str) -> str:
    """What a link shows: OFAC's entry page as "OFAC entry 33114"."""
    match = re.search(r"[?&]id=(\d+)", url)
    return f"OFAC entry {match.group(1)}" if match else url


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _display_length(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    # a CJK character is about two Latin characters wide
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)


def _width(column: Column, col: int, sample: Sequence[Sequence[Any]]) -> float:
    if column.width is not None:
        return column.width
    if column.header in _WRAPPED_WIDTHS and column.kind == WRAP:
        return _WRAPPED_WIDTHS[column.header]
    longest = max((_display_length(row[col]) for row in sample if col < len(row)), default=0)
    if column.kind == MONEY:
        longest += 4  # the currency after the amount
    header = max((len(word) for word in column.header.split()), default=4)
    cap = 14 if column.kind == URL else _TEXT_WIDTH_CAP
    return float(min(max(longest, header, 6) + 2, cap + 2))


def _row_height(text: str, width: float) -> float:
    """The height of a row holding ``text`` wrapped at ``width`` (15 points a line)."""
    lines = sum(max(1, math.ceil(len(part) / max(width - 1, 1))) for part in text.split("\n"))
    return 15.0 * max(lines, 1)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


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
    fx_rates: Mapping[str, float] | None = None,
    text_as_read: bool = False,
) -> ReportFiles:
    """Write the whole report to ``path`` (an .xlsx file); returns what was written.

    With more than ``row_limit`` positions (at most Excel's 1,048,575 data rows), the Holdings
    table goes to :func:`beside_path` as ``holdings_format`` (``auto``: Parquet when pyarrow
    is installed, else CSV); every other sheet stays complete. ``progress`` is told the rows
    written (stage ``report``). ``fx_rates`` gives each currency's value in the first one
    named (``{"USD": 1, "HKD": 0.128}``; :func:`parse_fx_rates` reads ``USD=1,HKD=0.128``): with
    a rate for every currency, the Summary adds a converted total, otherwise each currency is
    totalled apart. ``text_as_read`` adds each typed input column's text as read beside it.
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
    writer = _Writer(
        path,
        result,
        progress,
        total,
        holdings_format,
    )
    if result.changes is not None:  # re-screening against an older snapshot: read first
        from portfolio_check.report.changes import write_changes

        write_changes(writer, result.changes)
    _summary(writer, result, beside, fx_rates or {})
    layout = _HoldingsLayout.of(result, text_as_read=text_as_read)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="holdings-beside") as side:
        if beside is None:
            _holdings(writer, result, layout)
            written: Future[Path] | None = None
        else:
            # the file beside is encoded and compressed by Arrow without the GIL: on a thread
            # of its own it is written while the workbook's sheets are built and compressed
            written = _holdings_beside(writer, result, layout, beside, row_limit, side)
            writer.beside.insert(0, beside)
        _rest_of_report(writer, result)
        if written is not None and written.exception() is not None:
            # a failed write fails the report: no workbook that points at a broken file
            path.unlink(missing_ok=True)
            written.result()
    writer.progress("save", 1, 1)
    return ReportFiles(path, tuple(writer.beside))


def _rest_of_report(writer: _Writer, result: CheckResult) -> None:
    """The sheets after the Holdings, then the workbook saved."""
    _findings(writer, result)
    _exposures(writer, result)
    writer.complete_table(
        "Other rows",
        [
            Column("File"),
            Column("Sheet"),
            Column("Row", INT),
            Column("Class"),
            Column("Why", WRAP),
            Column("Text", WRAP),
        ],
        [[o.file, o.sheet, o.row, o.row_class.value, o.why, o.text] for o in result.other_rows],
    )
    writer.complete_table(
        "Input issues",
        [
            Column("File"),
            Column("Sheet"),
            Column("Row", INT),
            Column("Column"),
            Column("Problem", WRAP),
            Column("Value", WRAP),
        ],
        [[i.file, i.sheet, i.row, i.column, i.problem, i.value] for i in result.input_issues],
    )
    _about(writer, result)
    # the cells are stored; xlsxwriter now writes and compresses the sheets (seconds for a big
    # report), which the progress display shows as a stage of its own
    writer.progress("save", 0, 1)
    writer.close()


def report_bytes(
    result: CheckResult,
    *,
    fx_rates: Mapping[str, float] | None = None,
    text_as_read: bool = False,
) -> bytes:
    """The report as bytes (a web download): written to a private temporary folder (the
    Holdings of a large check beside the workbook), read back, and the folder removed."""
    with tempfile.TemporaryDirectory(prefix="portfolio-check-report-") as folder:
        files = write_report(
            result,
            Path(folder) / "report.xlsx",
            row_limit=EXCEL_MAX_ROWS - 1,
            fx_rates=fx_rates,
            text_as_read=text_as_read,
        )
        return files.workbook.read_bytes()


def parse_fx_rates(text: str) -> dict[str, float]:
    """``USD=1,HKD=0.128,CNY=0.14`` -> the rates (each currency's value in the first one)."""
    rates: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        code, _, value = part.partition("=")
        try:
            rates[code.strip().upper()] = float(value)
        except ValueError:
            raise ValueError(f"FX rate {part.strip()!r} is not CUR=NUMBER") from None
    return rates


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------


def _summary(
    writer: _Writer, result: CheckResult, beside: Path | None, fx_rates: Mapping[str, float]
) -> None:
    sheet = writer.book.add_worksheet("Summary")
    widths = [26.0, 16.0, 18.0, 18.0, 18.0, 18.0, 40.0]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    last = len(widths) - 1
    text_width = sum(widths[1:])
    row = 0
    sheet.write_string(row, 0, "Portfolio check report", writer.title)
    row += 1
    headline = result.headline()
    sheet.set_row(row, _row_height(headline, sum(widths) * 0.85))
    sheet.merge_range(row, 0, row, last, headline, writer.headline)
    row += 2
    sheet.write_string(row, 0, "Run", writer.subtitle)
    row += 1
    facts = result.run_facts()
    facts += _reference_lines(result)
    if beside is not None:
        facts.append(("Holdings table", f"in {beside.name}, beside this workbook"))
    for label, value in facts:
        sheet.set_row(row, _row_height(value, text_width))
        sheet.write_string(row, 0, label, writer.bold)
        sheet.merge_range(row, 1, row, last, value[:MAX_CELL_TEXT], writer.formats[WRAP])
        row += 1
    row += 1
    row = _status_table(writer, sheet, result, row, fx_rates)
    row = _portfolio_table(writer, sheet, result, row + 1)
    row = _entity_table(writer, sheet, result, row + 1)
    row = _sign_off(writer, sheet, row + 1, last)
    note = (
        f"Rows read ({result.rows_read:,}) = positions ({len(result.holdings):,}) + other rows "
        f"({len(result.other_rows):,})."
    )
    for line in (note, DISCLAIMER):
        sheet.set_row(row, _row_height(line, sum(widths) * 0.85))
        sheet.merge_range(row, 0, row, last, line, writer.formats[WRAP])
        row += 1
    writer.print_setup(sheet, widths, header_rows=0)


def _status_table(
    writer: _Writer, sheet: Any, result: CheckResult, row: int, fx_rates: Mapping[str, float]
) -> int:
    """Counts and market value by status, one column per currency, and a chart of them."""
    sheet.write_string(row, 0, "By status", writer.subtitle)
    row += 1
    by_currency = result.market_value_by_currency()
    currencies = list(by_currency)
    base = next(iter(fx_rates), None)
    convertible = bool(fx_rates) and all(c in fx_rates for c in currencies if c)
    headers = ["Status", "Positions"] + [
        f"Market value {c}" if c else "Market value (currency not stated)" for c in currencies
    ]
    if convertible and base:
        headers.append(f"Converted to {base}")
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, writer.header)
    top = row + 1
    counts = result.count_by_status()
    for status in SEVERITY_ORDER:
        row += 1
        sheet.write_string(row, 0, status.value, writer.status[status.value])
        sheet.write_number(row, 1, counts[status.value], writer.formats[INT])
        converted = 0.0
        for col, currency in enumerate(currencies, start=2):
            value = by_currency[currency][status.value]
            sheet.write_number(row, col, value, writer.money(currency))
            if convertible and currency:
                converted += value * fx_rates[currency] / fx_rates[base or currency]
        if convertible and base:
            sheet.write_number(row, 2 + len(currencies), converted, writer.money(base))
    row += 1
    sheet.write_string(row, 0, "All", writer.bold)
    sheet.write_number(row, 1, len(result.holdings), writer.formats[INT])
    for col, currency in enumerate(currencies, start=2):
        sheet.write_number(row, col, sum(by_currency[currency].values()), writer.money(currency))
    row += 1
    if len(currencies) > 1 and not convertible:
        sheet.write_string(
            row,
            0,
            "Each currency is totalled apart; give FX rates (--fx) for a converted total.",
        )
        row += 1
    if currencies:
        row = _status_chart(writer, sheet, top, len(currencies), row + 1)
    return row


def _status_chart(writer: _Writer, sheet: Any, top: int, currencies: int, row: int) -> int:
    chart = writer.book.add_chart({"type": "bar"})
    for k in range(currencies):
        col = 2 + k
        chart.add_series(
            {
                "name": ["Summary", top - 1, col],
                "categories": ["Summary", top, 0, top + len(SEVERITY_ORDER) - 1, 0],
                "values": ["Summary", top, col, top + len(SEVERITY_ORDER) - 1, col],
                "points": [{"fill": {"color": STATUS_COLOURS[s.value]}} for s in SEVERITY_ORDER]
                if currencies == 1
                else None,
            }
        )
    chart.set_title({"name": "Market value by status", "name_font": {"size": 11}})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom" if currencies > 1 else "none"})
    chart.set_size({"width": 620, "height": 260})
    sheet.insert_chart(row, 0, chart, {"x_offset": 4, "y_offset": 4})
    return row + 14  # the chart covers about 13 rows of 20 pixels


_BARRED = {Status.BLOCKED.value, Status.PROHIBITED.value}


def _portfolio_table(writer: _Writer, sheet: Any, result: CheckResult, row: int) -> int:
    """Per portfolio or account (or per file and sheet without one) and currency: positions,
    flagged, barred, and their market values."""
    frame = result.holdings
    if "portfolio" in frame and frame["portfolio"].notna().any():
        account_codes, found = pd.factorize(frame["portfolio"].astype(object), use_na_sentinel=True)
        account_names = [str(p) for p in found]
        label = "Portfolio / account"
    else:
        account_codes, pairs = result.table_codes  # coded once for the result's writers
        account_names = [
            f"{'(none)' if f is None else f} / {'(none)' if k is None else k}" for f, k in pairs
        ]
        label = "File / sheet"
    # first-seen order of (account, currency) pairs, as the rows came: the sort below keeps
    # it among equals; an empty account is "(none)" and a currency not stated its own group
    account_names.append("(none)")
    accounts = np.where(account_codes < 0, len(account_names) - 1, account_codes)
    currency_codes, currencies = result.currency_codes
    statuses = result.status_codes
    values = pd.to_numeric(frame["market_value"], errors="coerce").to_numpy(dtype=float)
    values = np.nan_to_num(values, nan=0.0)
    code_of = {str(status): k for k, status in enumerate(STATUS_DTYPE.categories)}
    barred = np.isin(statuses, [code_of[s] for s in _BARRED])
    flagged = statuses != code_of[Status.CLEAR.value]
    group_codes, group_keys = pd.factorize(
        accounts.astype(np.int64) * (len(currencies) + 1) + (currency_codes + 1)
    )
    size = len(group_keys)
    columns = [
        np.bincount(group_codes, minlength=size),
        np.bincount(group_codes, weights=flagged, minlength=size),
        np.bincount(group_codes, weights=barred, minlength=size),
        np.bincount(group_codes, weights=values, minlength=size),
        np.bincount(group_codes, weights=np.where(barred, values, 0.0), minlength=size),
    ]
    # most barred first, then most flagged, then by name (the groups in first-seen order among
    # equals), sorted as arrays: a firm's book has tens of thousands of (account, currency)
    # groups and the table shows the first SUMMARY_TABLE_ROWS
    at_account, at_currency = np.divmod(np.asarray(group_keys, dtype=np.int64), len(currencies) + 1)
    name_rank = np.empty(len(account_names), dtype=np.int64)
    name_rank[sorted(range(len(account_names)), key=account_names.__getitem__)] = np.arange(
        len(account_names)
    )
    order = np.lexsort((name_rank[at_account], -columns[1], -columns[2]))
    labels = [None, *currencies]
    groups = [
        (
            (account_names[at_account[k]], labels[at_currency[k]]),
            [*(int(column[k]) for column in columns[:3]), *(float(c[k]) for c in columns[3:])],
        )
        for k in order[:SUMMARY_TABLE_ROWS].tolist()
    ]
    sheet.write_string(row, 0, "By portfolio", writer.subtitle)
    row += 1
    headers = [label, "Positions", "Flagged", "Blocked or prohibited", "Market value"]
    headers += ["Barred market value"]
    sheet.set_row(row, 30)  # two-line headers
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, writer.header)
    for (account, currency), g in groups:
        row += 1
        sheet.write_string(row, 0, account, writer.formats[WRAP])
        for col, value in enumerate(g[:3], start=1):
            sheet.write_number(row, col, value, writer.formats[INT])
        sheet.write_number(row, 4, g[3], writer.money(currency))
        sheet.write_number(row, 5, g[4], writer.money(currency))
    if size > SUMMARY_TABLE_ROWS:
        row += 1
        sheet.write_string(
            row, 0, f"{size - SUMMARY_TABLE_ROWS:,} more rows: see the Holdings sheet"
        )
    return row + 2


def entity_exposures(result: CheckResult) -> list[tuple[tuple[str, str, str | None], Entity]]:
    """Exposure to each list entry and currency, worst status first, then largest value: the
    entry's worst status among the findings naming it, its positions, their market value, and
    the holdings (with the instrument a finding goes through) in the order they come.

    Worked out per group of positions of one security, currency and name (a security's
    findings are the same on each of its positions), not per position.
    """
    frame = result.holdings
    securities = result.securities
    has = np.array([bool(v.findings) for v in securities.verdicts] + [False])
    at = np.flatnonzero(has[securities.codes]) if len(frame) else np.zeros(0, dtype=np.int64)
    if not len(at):
        return []
    currency_codes, found = result.currency_codes
    currency_labels = [*found, None]  # code -1: no currency
    name_codes, names = result.name_codes
    values = (
        np.nan_to_num(frame["market_value"].to_numpy(dtype=float)[at], nan=0.0)
        if "market_value" in frame
        else np.zeros(len(at))
    )
    groups = (
        pd.DataFrame(
            {
                "security": securities.codes[at],
                "currency": np.asarray(currency_codes)[at],
                "name": name_codes[at],
                "value": values,
                "first": at,
            }
        )
        .groupby(["security", "currency", "name"], sort=False)
        .agg(count=("first", "size"), value=("value", "sum"), first=("first", "min"))
        .sort_values("first", kind="stable")
    )
    entries: dict[tuple[str, str, str | None], Entity] = {}
    for (code, currency_code, name_code), count, value, first in zip(
        groups.index.tolist(),
        groups["count"].tolist(),
        groups["value"].tolist(),
        groups["first"].tolist(),
        strict=True,
    ):
        verdict = securities.verdicts[int(code)]
        currency = currency_labels[int(currency_code)]
        seen: set[tuple[str, str]] = set()
        for finding in sorted(verdict.findings, key=lambda f: f.status.severity):
            key = (finding.list_id, finding.entry_id)
            if key in seen:
                continue
            seen.add(key)
            entry = entries.setdefault(
                (*key, currency),
                Entity(finding.entry_name, finding.status),
            )
            if finding.status.severity < entry.status.severity:
                entry.status = finding.status
            entry.count += count
            entry.value += value
            how = f" ({finding.exposure})" if finding.exposure else ""
            entry.through.setdefault(names[int(name_code)] + how, first)
    for entry in entries.values():  # each holding where its first position is
        entry.through = dict(sorted(entry.through.items(), key=lambda item: item[1]))
    return sorted(entries.items(), key=lambda item: (item[1].status.severity, -item[1].value))


@dataclass
class Entity:
    """One list entry's exposure in one currency (see :func:`entity_exposures`)."""

    name: str
    status: Status
    count: int = 0
    value: float = 0.0
    # each holding's name (and instrument), and the row of its first position
    through: dict[str, int] = field(default_factory=dict)


def _entity_table(writer: _Writer, sheet: Any, result: CheckResult, row: int) -> int:
    """Exposure to each list entry: its worst status, how many holdings, their market value
    per currency, and through which holdings."""
    ordered = entity_exposures(result)
    sheet.write_string(row, 0, "By listed entity", writer.subtitle)
    row += 1
    headers = ["Entry", "Status", "Holdings", "Market value", "Entry page", "Through holdings"]
    for col, text in enumerate(headers):
        sheet.write_string(row, col, text, writer.header)
    sheet.write_blank(row, 6, None, writer.header)
    if not ordered:
        row += 1
        sheet.write_string(row, 0, "No holding matched a list entry.")
        return row + 2
    for (list_id, entry_id, currency), entry in ordered[:SUMMARY_TABLE_ROWS]:
        row += 1
        label = f"{list_id} {entry_id}: {entry.name}"
        through = "; ".join(entry.through)
        if len(through) > 400:
            through = through[:400] + f"... ({len(entry.through)} holdings)"
        sheet.set_row(row, max(_row_height(label, 26), _row_height(through, 56)))
        sheet.write_string(row, 0, label, writer.formats[WRAP])
        status = entry.status.value
        sheet.write_string(row, 1, status, writer.status[status])
        sheet.write_number(row, 2, entry.count, writer.formats[INT])
        sheet.write_number(row, 3, entry.value, writer.money(currency))
        url = entry_url(list_id, entry_id)
        if url:
            sheet.write_url(row, 4, url, writer.formats[URL], string=_url_text(url))
        sheet.merge_range(row, 5, row, 6, through, writer.formats[WRAP])
    if len(ordered) > SUMMARY_TABLE_ROWS:
        row += 1
        sheet.write_string(
            row, 0, f"{len(ordered) - SUMMARY_TABLE_ROWS:,} more entries: see the Findings sheet"
        )
    return row + 2


def _sign_off(writer: _Writer, sheet: Any, row: int, last: int) -> int:
    sheet.write_string(row, 0, "Sign-off", writer.subtitle)
    row += 1
    for label in ("Prepared by", "Date", "Reviewed by", "Date"):
        sheet.set_row(row, 24)
        sheet.write_string(row, 0, label, writer.bold)
        sheet.merge_range(row, 1, row, 3, "", writer.box)
        row += 1
    sheet.write_string(row, 0, "Comments", writer.bold)
    sheet.merge_range(row, 1, row + 3, last, "", writer.box)
    return row + 5


# --------------------------------------------------------------------------------------------
# Holdings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HoldingsLayout:
    """The Holdings sheet's columns: the row mapping, the location, the currency, then the
    input columns in their order (typed, with their text as read on request)."""

    columns: list[Column]
    original: list[str]
    kinds: dict[str, str]
    text_as_read: bool

    @classmethod
    def of(cls, result: CheckResult, *, text_as_read: bool) -> _HoldingsLayout:
        original = input_columns(result.holdings["input"].tolist())
        kinds = _input_kinds(result, original)
        columns = [_field_column(f.label) for f in ROW_FIELDS]
        columns += [_field_column(f.label) for f in LOCATION_FIELDS]
        columns.append(Column("Currency"))
        used = {c.header for c in columns}
        for key in original:
            kind = kinds.get(key, TEXT)
            # an input column named like one of ours ("Status") keeps its name, marked
            header = f"{key} (input)" if key in used else key
            columns.append(Column(header, kind))
            if text_as_read and kind != TEXT:
                columns.append(Column(f"{header} (as read)"))
        return cls(columns, original, kinds, text_as_read)


def _field_column(label: str) -> Column:
    if label == "Status":
        return Column(label, STATUS, 12)
    if label == "Row":
        return Column(label, INT, 7)
    if label == "Issuer":
        return Column(label, WRAP, 16)
    if label in _DATE_FIELDS:
        return Column(label, DATE, 11)
    if label in _WRAPPED_WIDTHS:
        return Column(label, WRAP)
    return Column(label)


def _input_kinds(result: CheckResult, original: list[str]) -> dict[str, str]:
    """Each input column's cell kind: identity columns stay text; quantity and market value
    columns, and columns whose every cell is a number without a leading zero, are numbers
    (market value: money); columns of ISO dates are dates."""
    roles: dict[str, set[Role]] = {}
    for table in result.tables:
        for header, role in table.roles.items():
            roles.setdefault(header, set()).add(role)
    inputs = input_table(result.holdings["input"].tolist()[:WIDTH_SAMPLE_ROWS], original)
    kinds: dict[str, str] = {}
    for key in original:
        found = roles.get(key, set())
        if found & _IDENTITY_ROLES:
            continue
        if Role.MARKET_VALUE in found:
            kinds[key] = MONEY
            continue
        if Role.QUANTITY in found:
            kinds[key] = NUMBER
            continue
        texts = [t for t in inputs[key].tolist() if isinstance(t, str) and t.strip()]
        if not texts:
            continue
        if all(_ISO_DATE.match(t) for t in texts):
            kinds[key] = DATE
            continue
        if any(_LEADING_ZERO.match(t.strip()) for t in texts):
            continue  # a code such as 00020 or 000603: its zeros are part of it
        series = pd.Series(texts, dtype=object)
        values, junk = parse_numbers(series, decimal_comma=decimal_comma_style([series]))
        parsed = ~np.isnan(values)
        if parsed.any() and not junk.any():
            kinds[key] = NUMBER
    return kinds


def _typed_column(texts: np.ndarray, kind: str) -> list[Any]:
    """An input column's cells as the workbook writes them (numbers, dates or text); a text
    that is not a number stays as it was read ("-", "#N/A")."""
    if kind in (NUMBER, MONEY):
        series = pd.Series(texts, dtype=object)
        present = series.notna() & (series.astype(str).str.strip() != "")
        values, _ = parse_numbers(
            series.where(present, None), decimal_comma=decimal_comma_style([series[present]])
        )
        out: list[Any] = texts.tolist()
        for i in np.flatnonzero(~np.isnan(values)).tolist():
            out[i] = float(values[i])
        return out
    if kind == DATE:
        cells: list[Any] = []
        for text in texts.tolist():
            try:
                cells.append(dt.date.fromisoformat(text) if isinstance(text, str) else text)
            except ValueError:
                cells.append(text)
        return cells
    plain: list[Any] = texts.tolist()
    return plain


def _holding_cells(
    writer: _Writer, result: CheckResult, layout: _HoldingsLayout
) -> tuple[list[CellColumn], list[list[Any]]]:
    """The Holdings sheet's cells a column at a time (:mod:`.sheetxml`), and its first rows as
    values for the widths; a verdict's fields are rendered once per security, an input
    column's cells once per distinct value (money once per value and currency)."""
    holdings = result.holdings
    inputs = input_table(holdings["input"].tolist(), layout.original)
    securities = result.securities
    codes = securities.codes.astype(np.int64)
    fields = securities.fields()
    kinds = [c.kind for c in layout.columns]
    currencies = result.currencies
    per_row: list[Sequence[Any]] = []  # per column: the first rows' values (widths)
    cells: list[CellColumn] = []
    for f, kind in zip(ROW_FIELDS, kinds, strict=False):
        if f.key == "name":
            values: Sequence[Any] = result.names
            cells.append(_cells(writer, values, kind))
            per_row.append(values)
            continue
        per_code = [each.get(f.key) for each in fields]
        column = _cells(writer, per_code, kind)
        mapped = column.codes[codes] if len(per_code) else np.full(len(codes), -1, np.int64)
        cells.append(CellColumn(mapped, column.cells, column.lengths))
        per_row.append([per_code[c] for c in codes[:WIDTH_SAMPLE_ROWS].tolist()])
    location: list[Sequence[Any]] = [
        holdings["file"].tolist(),
        holdings["sheet"].tolist(),
        holdings["row"].tolist(),
        currencies,
    ]
    for values, kind in zip(location, kinds[len(ROW_FIELDS) :], strict=False):
        cells.append(_cells(writer, values, kind))
        per_row.append(values)
    at = len(ROW_FIELDS) + len(location)
    for key in layout.original:
        kind = layout.kinds.get(key, TEXT)
        typed = _typed_column(inputs[key], kind)
        cells.append(_cells(writer, typed, kinds[at], currencies if kind == MONEY else None))
        per_row.append(typed)
        at += 1
        if layout.text_as_read and kind != TEXT:
            texts = inputs[key].tolist()
            cells.append(_cells(writer, texts, kinds[at]))
            per_row.append(texts)
            at += 1
    sample = [
        [column[i] for column in per_row] for i in range(min(WIDTH_SAMPLE_ROWS, len(holdings)))
    ]
    return cells, sample


def _cells(
    writer: _Writer,
    values: Sequence[Any],
    kind: str,
    currencies: Sequence[str | None] | None = None,
) -> CellColumn:
    """One column's cells as :class:`.sheetxml.CellColumn`, as :meth:`_Writer.table` would
    write them: empty cells and non-finite numbers left out, a status in its colour, numbers
    in the column's format (money in each row's currency), dates as dates, text cut to
    Excel's limit."""
    style = writer.style(writer.formats.get(kind))
    date_style = writer.style(writer.formats[DATE])
    status_styles = {value: writer.style(fmt) for value, fmt in writer.status.items()}
    money_styles: dict[str | None, int] = {}

    def render(value: Any, number_style: int = style) -> str | None:
        cell = _typed(value)
        if cell is None:
            return None
        what, typed = cell
        if kind == STATUS:
            return text_cell(str(value), status_styles.get(str(value), 0))
        if what == _NUMBER:
            return number_cell(typed, number_style)
        if what == _DATE:
            serial = date_serial(typed)
            if serial is not None:
                return number_cell(serial, date_style)
            return text_cell(str(value), style)  # before 1900: Excel holds no such date
        return text_cell(typed, style)

    if currencies is None:
        codes, rendered, distinct = coded_cells(values, render)
    else:
        # money: a value's cell depends on its row's currency, so code (value, currency) pairs
        value_codes, value_uniques = pd.factorize(np.asarray(values, dtype=object))
        currency_codes, currency_uniques = pd.factorize(np.asarray(currencies, dtype=object))
        width = len(currency_uniques) + 1
        pairs = value_codes.astype(np.int64) * width + (currency_codes.astype(np.int64) + 1)
        pairs[value_codes < 0] = -1
        codes_, pair_uniques = pd.factorize(pairs)
        codes = codes_.astype(np.int64)
        rendered, distinct = [], []
        for pair in pair_uniques.tolist():
            if pair < 0:
                rendered.append("")
                distinct.append(None)
                continue
            value = value_uniques[pair // width]
            k = pair % width - 1
            currency = currency_uniques[k] if k >= 0 else None
            if currency not in money_styles:
                money_styles[currency] = writer.style(writer.money(currency))
            rendered.append(render(value, money_styles[currency]) or "")
            distinct.append(value)
        empty = np.array([k for k, cell in enumerate(rendered) if not cell], dtype=np.int64)
        codes[(codes_ < 0) | np.isin(codes, empty)] = -1
    lengths = None
    if kind == WRAP:
        lengths = np.array([len(v) if type(v) is str else 0 for v in distinct], dtype=np.float64)
    if kind == URL:
        # A text is a link showing "OFAC entry 33114" (codes 0..n-1); each cell's plain text
        # follows (codes n..2n-1), for the links past a sheet's limit (_cap_links).
        targets: list[str | None] = [
            v if type(v) is str and v and len(v) <= MAX_URL_LENGTH else None for v in distinct
        ]
        links = [
            text_cell(_url_text(v), style) if t else cell
            for v, t, cell in zip(distinct, targets, rendered, strict=True)
        ]
        return CellColumn(codes, [*links, *rendered], None, [*targets, *[None] * len(rendered)])
    return CellColumn(codes, rendered, lengths)


def _cap_links(cells: list[CellColumn], limit: int) -> list[CellColumn]:
    """The first ``limit`` links of a sheet (row by row) stay links; the rest show their
    address as text (Excel keeps at most 65,530 links per sheet)."""
    at = [c for c, column in enumerate(cells) if column.targets is not None]
    if not at:
        return cells
    linked = np.column_stack([cells[c].linked() for c in at])
    over = linked & (np.cumsum(linked.ravel()).reshape(linked.shape) > limit)
    capped = list(cells)
    for j, c in enumerate(at):
        if over[:, j].any():
            column = cells[c]
            codes = column.codes.copy()
            codes[over[:, j]] += len(column.cells) // 2  # the same cell's plain text
            capped[c] = CellColumn(codes, column.cells, column.lengths, column.targets)
    return capped


def _holdings(writer: _Writer, result: CheckResult, layout: _HoldingsLayout) -> None:
    cells, sample = _holding_cells(writer, result, layout)
    writer.spliced_table(
        "Holdings", layout.columns, cells, len(result.holdings), sample=sample, freeze_columns=3
    )


def _holdings_beside(
    writer: _Writer,
    result: CheckResult,
    layout: _HoldingsLayout,
    beside: Path,
    row_limit: int,
    side: ThreadPoolExecutor,
) -> Future[Path]:
    """The full Holdings table in a file beside the workbook, written on the ``side`` thread
    (the future says when it is, or why not); the sheet says where and why."""
    holdings = result.holdings
    headers = [c.header for c in layout.columns]
    rows = holdings["input"].tolist()
    # the reader's codes where it kept them (a CSV read by Arrow); other columns as read
    known = input_codes(rows, layout.original) or {}
    missing = [key for key in layout.original if key not in known]
    inputs = input_table(rows, missing) if missing else {}
    securities = result.securities
    fields = securities.fields()
    codes = securities.codes
    currency_codes, currencies = result.currency_codes
    columns: list[Coded | np.ndarray] = []
    for f in ROW_FIELDS:
        if f.key == "name":
            name_codes, names = result.name_codes  # coded as the names were found
            columns.append(Coded(name_codes, list[object](names)))
        else:
            columns.append(Coded(codes, [each[f.key] for each in fields]))
    table_codes, tables = result.table_codes  # coded already (a pair may name a file twice)
    columns += [
        Coded(table_codes, [file for file, _ in tables]),
        Coded(table_codes, [sheet for _, sheet in tables]),
        holdings["row"].to_numpy(dtype=np.int64),
        Coded(currency_codes, list[object](currencies)),  # coded already
    ]
    for key in layout.original:
        coded = Coded(*known[key]) if key in known else Coded.from_array(inputs[key])
        columns.append(coded)
        if layout.text_as_read and layout.kinds.get(key, TEXT) != TEXT:
            columns.append(coded)
    # prepared here, written there (see table_writer)
    written = side.submit(table_writer(beside, headers, columns, beside.suffix.lstrip(".")))
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
    return written


# --------------------------------------------------------------------------------------------
# Findings and exposures
# --------------------------------------------------------------------------------------------

FINDINGS_COLUMNS = [
    Column("Status", STATUS, 12),
    Column("Verdict", WRAP),
    Column("Holding", WRAP),
    Column("Matched entry", WRAP),
    Column("Matched on"),
    Column("Score", NUMBER, 7),
    Column("Rule", WRAP),
    Column("Listing date", DATE, 12),
    Column("Effective date", DATE, 12),
    Column("Divestment date", DATE, 12),
    Column("Explanation", WRAP),
    Column("Likelihood"),
    Column("Context", WRAP),
    Column("Entry page", URL),
    Column("List source", WRAP, 30),
    Column("List"),
    Column("Entry id"),
    Column("ISIN"),
    Column("Ticker"),
    Column("File"),
    Column("Sheet"),
    Column("Row", INT, 7),
]


def _flagged_positions(result: CheckResult) -> np.ndarray:
    statuses = result.holdings["status"].astype(object).to_numpy()
    return np.flatnonzero(statuses != Status.CLEAR.value)


def _findings(writer: _Writer, result: CheckResult) -> None:
    """Every position that is not CLEAR, one row per finding (direct holdings; exposure
    through an instrument is on the Exposures sheet), worst first."""
    sources = {item.list_id: item.source for item in result.reference.lists.values()}
    holdings = result.holdings
    names = result.names
    at = _flagged_positions(result)
    codes, contexts = result.securities.codes, result.sdn_context
    verdicts = result.securities.verdicts
    files = holdings["file"].to_numpy(dtype=object)[at].tolist()
    sheets = holdings["sheet"].to_numpy(dtype=object)[at].tolist()
    numbers = holdings["row"].to_numpy()[at].tolist()
    # A security's findings read the same on each of its positions: each one's cells are
    # built once, as (before the holding's name, after it), and each position adds its name
    # and where it was read
    per_security: dict[int, list[tuple[list[Any], list[Any]]]] = {}

    def finding_cells(code: int) -> list[tuple[list[Any], list[Any]]]:
        verdict = verdicts[code]
        sdn = contexts[code]
        likely = [sdn.likelihood, sdn.text()] if sdn else [None, None]
        identity = [verdict.identity.isin, verdict.identity.ticker]
        phrase = verdict_phrase(verdict)
        if not verdict.findings:
            head = [verdict.status.value, phrase]
            return [(head, [*([None] * 7), verdict.reason, None, None, *([None] * 4), *identity])]
        out = []
        for finding in verdict.findings:
            if finding.exposure is not None:
                continue  # shown on the Exposures sheet, with its path
            rest = [
                entry_label(finding),
                finding.matched_on,
                finding.score,
                finding.rule,
                finding.listing_date,
                finding.effective_date,
                finding.divestment_date,
                finding.explanation,
                *likely,
                entry_url(finding.list_id, finding.entry_id),
                sources.get(finding.list_id),
                finding.list_id,
                finding.entry_id,
                *identity,
            ]
            out.append(([finding.status.value, phrase], rest))
        return out

    rows: list[list[Any]] = []
    for number, file, sheet, line in zip(at.tolist(), files, sheets, numbers, strict=True):
        code = int(codes[number])
        cells = per_security.get(code)
        if cells is None:
            cells = per_security[code] = finding_cells(code)
        where = [str(file), str(sheet), int(line)]
        for head, rest in cells:
            rows.append([*head, names[number], *rest, *where])
    rank = {s.value: i for i, s in enumerate(SEVERITY_ORDER)}
    # worst first; within a status an "unlikely" name-only SDN match after the others
    rows.sort(key=lambda row: (rank[str(row[0])], row[11] == "unlikely"))
    # the SDN context column is wide only when some finding has one
    wide = any(row[12] for row in rows)
    columns = [
        Column(c.header, c.kind, 50 if wide else 10) if c.header == "Context" else c
        for c in FINDINGS_COLUMNS
    ]
    writer.complete_table("Findings", columns, rows, freeze_columns=3)


EXPOSURE_COLUMNS = [
    Column("Status", STATUS, 12),
    Column("Verdict", WRAP),
    Column("Holding", WRAP),
    Column("Exposure"),
    Column("Path", WRAP),
    Column("Weight in instrument", PERCENT, 12),
    Column("Holding market value", MONEY, 18),
    Column("Look-through market value", MONEY, 18),
    Column("Matched entry", WRAP),
    Column("Explanation", WRAP),
    Column("Entry page", URL),
    Column("File"),
    Column("Sheet"),
    Column("Row", INT, 7),
]


def _exposures(writer: _Writer, result: CheckResult) -> None:
    """Exposure through instruments (DRs, warrants, options, funds), apart from direct holdings."""
    holdings = result.holdings
    securities = result.securities
    exposed = np.array(
        [any(f.exposure is not None for f in v.findings) for v in securities.verdicts] + [False]
    )
    at = np.flatnonzero(exposed[securities.codes]) if len(holdings) else np.array([], np.int64)
    subset = holdings.iloc[at]
    values = market_values(subset)
    names, currencies = result.names, result.currencies
    rows: list[list[Any]] = []
    row_currency: list[str | None] = []
    for k, (number, record) in enumerate(zip(at.tolist(), holding_records(subset), strict=True)):
        value = values[k]
        for finding in record.verdict.findings:
            if finding.exposure is None:
                continue
            through = value * finding.weight if value is not None and finding.weight else None
            rows.append(
                [
                    finding.status.value,
                    verdict_phrase(record.verdict),
                    names[number],
                    finding.exposure,
                    " -> ".join(finding.path),
                    finding.weight,
                    value,
                    through,
                    entry_label(finding),
                    finding.explanation,
                    entry_url(finding.list_id, finding.entry_id),
                    record.file,
                    record.sheet,
                    record.row,
                ]
            )
            row_currency.append(currencies[number])
    rank = {s.value: i for i, s in enumerate(SEVERITY_ORDER)}
    order = sorted(range(len(rows)), key=lambda i: rank[str(rows[i][0])])
    rows = [rows[i] for i in order]
    row_currency = [row_currency[i] for i in order]

    writer.table(
        "Exposures",
        EXPOSURE_COLUMNS,
        rows,
        sample=rows[:WIDTH_SAMPLE_ROWS],
        freeze_columns=3,
        currencies={6: row_currency, 7: row_currency},
    )


# --------------------------------------------------------------------------------------------
# About
# --------------------------------------------------------------------------------------------


def _about(writer: _Writer, result: CheckResult) -> None:
    sheet = writer.book.add_worksheet("About")
    widths = [30.0, 110.0]
    sheet.set_column(0, 0, widths[0])
    sheet.set_column(1, 1, widths[1])
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
        if listed.get("published"):
            lines.append((f"Published ({listed.get('id')})", listed.get("published")))
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
        (
            "Statuses",
            "BLOCKED > PROHIBITED > PENDING > REVIEW > WATCH > UNRESOLVED > CLEAR (UNRESOLVED "
            "is never clear: a person must identify it)",
        )
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
    for notice in result.notices:
        lines.append(("Notice", notice))
    for r, (label, value) in enumerate(lines):
        text = "" if value is None else str(value)[:MAX_CELL_TEXT]
        sheet.set_row(r, max(_row_height(text, widths[1]), _row_height(label, widths[0])))
        sheet.write_string(r, 0, label, writer.formats[WRAP])
        sheet.write_string(r, 1, text, writer.formats[WRAP])
    writer.print_setup(sheet, widths, header_rows=0)


def _reference_lines(result: CheckResult) -> list[tuple[str, str]]:
    """The lists' publication dates, and the warnings (lists out of date, an edited snapshot)."""
    from portfolio_check.freshness import reference_facts, report_lines

    return report_lines(reference_facts(result.reference, max_age_days=result.max_list_age_days))


def _generated_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
