"""What the pages show, built from the same JSON contract as the CLI (no HTML here).

The results page is the JSON of :meth:`CheckResult.to_dict` arranged for a person: flagged
holdings first (worst status first), each with its evidence, and the market value of each
holding taken from the result's table.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from portfolio_check.errors import InputFileError
from portfolio_check.model import Status
from portfolio_check.result import SEVERITY_ORDER, CheckResult
from portfolio_check.web.uploads import UploadedFile

# The order a compliance officer works through (the result's own: what needs action first,
# CLEAR last, after UNRESOLVED, which is never clear).
ATTENTION_ORDER: tuple[Status, ...] = SEVERITY_ORDER
STATUS_MEANING: dict[Status, str] = {
    Status.BLOCKED: "SDN-type blocking: no dealing at all; freeze and report.",
    Status.PROHIBITED: "An investment ban in force on this date for this investor.",
    Status.PENDING: "Listed; the ban is not in force yet.",
    Status.REVIEW: "A person must decide: a name-only, weak or ambiguous match.",
    Status.WATCH: "Listed, with no investment effect for this investor.",
    Status.CLEAR: "Identified; nothing applies.",
    Status.UNRESOLVED: "Could not be identified; never reported as clear.",
}
# A results page lists at most this many holdings (flagged ones first); the Excel report and
# the JSON always have them all.
MAX_ROWS_ON_PAGE = 2000


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return float(value)
    return None


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value) or None


@dataclass(frozen=True)
class SummaryLine:
    status: str
    meaning: str
    positions: int
    market_value: float
    # the market value per currency ("1,058,500.00 USD; 290.00 HKD"): never added across
    values_text: str = ""


# The paged table of all holdings shows this many rows a page (the server pages it).
PAGE_SIZE = 100


@dataclass(frozen=True)
class Paging:
    """One page of the table of all holdings, filtered by status and text."""

    rows: list[dict[str, Any]]
    page: int
    pages: int
    matching: int
    status: str
    query: str


@dataclass(frozen=True)
class ResultsView:
    """Everything the results page needs."""

    data: dict[str, Any]
    summary: list[SummaryLine]
    rows: list[dict[str, Any]]
    flagged: int
    hidden_rows: int
    currencies: list[str]
    paging: Paging | None = None
    total_text: str = ""


def _page_rows(result: CheckResult, positions: Sequence[int]) -> list[dict[str, Any]]:
    """The holdings at ``positions`` as the page shows them: the JSON's holding, its market
    value, quantity and currency, and its name from the row mapping."""
    frame = result.holdings
    values = frame["market_value"].tolist() if "market_value" in frame else []
    quantities = frame["quantity"].tolist() if "quantity" in frame else []
    rows: list[dict[str, Any]] = []
    for i, holding in zip(positions, result.holding_dicts(positions), strict=True):
        row = dict(holding)
        row["market_value"] = _number(values[i]) if i < len(values) else None
        row["quantity"] = _number(quantities[i]) if i < len(quantities) else None
        # the holding's own name, from the row mapping the workbook and terminal share
        row["display_name"] = holding["name"]
        rows.append(row)
    return rows


def results_view(
    result: CheckResult, *, page: int = 1, status: str = "", query: str = ""
) -> ResultsView:
    """The results page's content: the flagged holdings first (worst first, at most
    MAX_ROWS_ON_PAGE holdings with CLEAR ones after them), and when there are more, one page
    of the table of all holdings, filtered on the server."""
    data = result.to_dict(holdings=False)
    statuses = result.holdings["status"].astype(object).tolist()
    rank = {status.value: i for i, status in enumerate(ATTENTION_ORDER)}
    order = sorted(range(len(statuses)), key=lambda i: rank[str(statuses[i])])  # stable
    shown = order[: max(MAX_ROWS_ON_PAGE, 0)]
    rows = _page_rows(result, shown)
    flagged = sum(1 for s in statuses if s != Status.CLEAR.value)
    counts = data["summary"]["by_status"]
    money = data["summary"]["market_value_by_status"]
    by_currency = result.market_value_by_currency()
    summary = [
        SummaryLine(
            status.value,
            STATUS_MEANING[status],
            counts[status.value],
            money[status.value],
            _values_text({c: per[status.value] for c, per in by_currency.items()}),
        )
        for status in ATTENTION_ORDER
        if counts[status.value]
    ]
    found_currencies = sorted({c for c in result.currencies if c})
    hidden = len(statuses) - len(shown)
    paging = _paging(result, statuses, page, status, query) if hidden > 0 else None
    return ResultsView(
        data, summary, rows, flagged, hidden, found_currencies, paging, total_text(result)
    )


def _values_text(values: dict[str | None, float]) -> str:
    return "; ".join(f"{value:,.2f}" + (f" {c}" if c else "") for c, value in values.items())


def total_text(result: CheckResult) -> str:
    """Every position's market value, per currency."""
    by_currency = result.market_value_by_currency()
    return _values_text({c: sum(per.values()) for c, per in by_currency.items()})


def _paging(
    result: CheckResult, statuses: Sequence[object], page: int, status: str, query: str
) -> Paging:
    """One page of all holdings in file order, of one status and containing a text."""
    wanted = status.strip().upper()
    text = query.strip().casefold()
    names = result.names
    frame = result.holdings
    sheets = frame["sheet"].tolist()
    matching = [
        i
        for i, s in enumerate(statuses)
        if (not wanted or s == wanted)
        and (not text or text in names[i].casefold() or text in str(sheets[i]).casefold())
    ]
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    at = matching[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return Paging(_page_rows(result, at), page, pages, len(matching), wanted, query.strip())


def relabel(result: CheckResult, uploads: Sequence[UploadedFile]) -> CheckResult:
    """The result with each upload's private path replaced by the name it was uploaded as.

    The reader labels rows with the path it read (and a CSV's sheet with the file's stem); a
    person should see ``holdings.xlsx``, not ``/tmp/portfolio-check-x/upload-1.xlsx``.
    """
    files = {str(u.path): u.display_name for u in uploads}
    stems = {str(u.path): (u.path.stem, PurePosixPath(u.display_name).stem) for u in uploads}

    def sheet(file: str, name: str | None) -> str | None:
        private, shown = stems.get(file, ("", ""))
        return shown if name == private and shown else name

    holdings = result.holdings.copy()
    holdings["sheet"] = [
        sheet(f, s) for f, s in zip(holdings["file"], holdings["sheet"], strict=True)
    ]
    holdings["file"] = [files.get(f, f) for f in holdings["file"]]
    other_rows = [
        o.model_copy(update={"file": files.get(o.file, o.file), "sheet": sheet(o.file, o.sheet)})
        for o in result.other_rows
    ]
    issues = [
        i.model_copy(update={"file": files.get(i.file, i.file), "sheet": sheet(i.file, i.sheet)})
        for i in result.input_issues
    ]
    tables = [
        dataclasses.replace(
            t, file=files.get(t.file, t.file), sheet=sheet(t.file, t.sheet) or t.sheet
        )
        for t in result.tables
    ]
    return dataclasses.replace(
        result,
        holdings=holdings,
        other_rows=other_rows,
        input_issues=issues,
        tables=tables,
        files=[files.get(f, f) for f in result.files],
        file_sha256={files.get(f, f): digest for f, digest in result.file_sha256.items()},
        options={key: _relabel_option(value, files) for key, value in result.options.items()},
    )


def _relabel_option(value: object, files: dict[str, str]) -> object:
    """An option naming uploaded files (a firm list, a decisions file) by their upload names."""
    if isinstance(value, str):
        return files.get(value, value)
    if isinstance(value, list):
        return [files.get(v, v) if isinstance(v, str) else v for v in value]
    return value


def relabel_error(error: InputFileError, uploads: Sequence[UploadedFile], folder: str) -> str:
    """The reader's message about an upload, naming it as uploaded (never the private folder).

    The message names the file by its private path and a CSV's sheet by the private file's
    stem (``'upload-1'``); both become the upload's own name.
    """
    message = str(error)
    for upload in uploads:
        shown_stem = PurePosixPath(upload.display_name).stem or upload.display_name
        message = message.replace(str(upload.path), upload.display_name)
        message = message.replace(repr(upload.path.stem), repr(shown_stem))
    return scrub(message, folder)


def scrub(message: str, folder: str) -> str:
    """A message with the private folder's path taken out."""
    return message.replace(folder + "/", "").replace(folder, "")
