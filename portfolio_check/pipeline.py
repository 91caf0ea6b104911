"""The pipeline: read -> resolve -> screen -> result, on distinct securities.

A firm-wide file has many rows per security (accounts, lots), so the holdings are reduced to
their distinct identities, each is resolved and screened once, and the verdicts are joined back
onto every row.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from portfolio_check import pretrade
from portfolio_check.citations import entry_citation
from portfolio_check.collector import collection_paused
from portfolio_check.decisions import DecisionBook, apply_decisions, as_decision_book
from portfolio_check.distinct import distinct_rows, take
from portfolio_check.errors import UsageError
from portfolio_check.freshness import DEFAULT_MAX_LIST_AGE_DAYS
from portfolio_check.funds import DEFAULT_MAX_AGE_DAYS
from portfolio_check.holdings import (
    IDENTITY_COLUMNS,
    HoldingsInput,
    TableInfo,
    read_frame,
    read_holdings,
)
from portfolio_check.lookthrough import FundContext
from portfolio_check.model import (
    SEVERITY,
    FailOn,
    InputIssue,
    Investor,
    OtherRow,
    SecurityIdentity,
    Status,
    Verdict,
)
from portfolio_check.options import CheckOptions
from portfolio_check.outputs import strict_json
from portfolio_check.parallel import SharedLookups
from portfolio_check.progress import ProgressCallback
from portfolio_check.reference import Reference
from portfolio_check.resolve import (
    Resolution,
    identify,
    resolve,
)
from portfolio_check.rules import RelatedPolicy
from portfolio_check.screen import screen

# The pre-trade path and the helpers both paths share live in pretrade.py, which imports no
# pandas; they stay names of this module, as before.
DISCLAIMER = pretrade.DISCLAIMER
SecurityCheck = pretrade.SecurityCheck
TradeAnswer = pretrade.TradeAnswer
active_reference = pretrade.active_reference
check_security = pretrade.check_security
parse_as_of = pretrade.parse_as_of
as_of_note = pretrade.as_of_note
as_of_bounds = pretrade.as_of_bounds
parse_investor = pretrade.parse_investor
parse_related = pretrade.parse_related
reference_summary = pretrade.reference_summary
security_index = pretrade.security_index

Progress = ProgressCallback
"""Called as ``progress(stage, done, total)``; stages: read, resolve, screen, done (the check),
then report and save (the workbook written to disk) from ``write_report``."""
# Resolving and screening report progress every this many distinct securities.
PROGRESS_EVERY = 1000


class HoldingRecord(NamedTuple):
    """One position of a result, typed (pandas rows are not)."""

    file: str
    sheet: str
    row: int
    input: Mapping[str, str]
    verdict: Verdict


def holding_records(holdings: pd.DataFrame) -> Iterator[HoldingRecord]:
    """The positions of a result frame as typed records, in order."""
    columns = [holdings[name].tolist() for name in ("file", "sheet", "row", "input", "verdict")]
    for file, sheet, row, cells, verdict in zip(*columns, strict=True):
        yield HoldingRecord(str(file), str(sheet), int(row), cells, verdict)


def holding_dict(record: HoldingRecord, reference: Reference | None = None) -> dict[str, Any]:
    """One position as the JSON contract shows it (``holdings`` in ``to_dict``); with the
    ``reference`` its findings cite their public source (citations.py)."""
    verdict = record.verdict
    return {
        "file": record.file,
        "sheet": record.sheet,
        "row": record.row,
        "status": verdict.status.value,
        "reason": verdict.reason,
        "input": dict(record.input),
        "security": {
            "name": verdict.identity.name,
            "isin": verdict.identity.isin,
            "ticker": verdict.identity.ticker,
            "exchange": verdict.identity.exchange,
        },
        "issuer": {"id": verdict.issuer_id, "name": verdict.issuer_name},
        "findings": [
            {
                "list": finding.list_id,
                "entry_id": finding.entry_id,
                "entry_name": finding.entry_name,
                "matched_on": finding.matched_on,
                "score": finding.score,
                "status": finding.status.value,
                "rule": finding.rule,
                "listing_date": _iso(finding.listing_date),
                "effective_date": _iso(finding.effective_date),
                "divestment_date": _iso(finding.divestment_date),
                "explanation": finding.explanation,
                "exposure": finding.exposure,
                "path": list(finding.path),
                "weight": finding.weight,
                **(
                    entry_citation(reference, finding.list_id, finding.entry_id)
                    if reference is not None
                    else {}
                ),
            }
            for finding in verdict.findings
        ],
        "actions": {"buy": verdict.actions.buy, "sell": verdict.actions.sell},
    }


@dataclass
class CheckResult:
    """The answer for a set of holdings: every input row, as a position or another row."""

    as_of: dt.date
    investor: Investor
    reference: Reference
    holdings: pd.DataFrame
    other_rows: list[OtherRow]
    input_issues: list[InputIssue]
    rows_read: int
    files: list[str] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS
    # Set by a check with --compare-reference: every holding whose answer changed between
    # the older snapshot and this one (portfolio_check.rescreen).
    changes: dict[str, Any] | None = None

    def table_dicts(self) -> list[dict[str, Any]]:
        """How every table was read: where, its header rows, each column's role and why."""
        return [table_dict(table) for table in self.tables]

    @property
    def verdicts(self) -> list[Verdict]:
        return list(self.holdings["verdict"])

    def count_by_status(self) -> dict[str, int]:
        counts = self.holdings["status"].value_counts()
        return {status.value: int(counts.get(status.value, 0)) for status in Status}

    def market_value_by_status(self) -> dict[str, float]:
        values = self.holdings.groupby("status")["market_value"].sum(min_count=1)
        return {
            status.value: float(values.get(status.value, 0.0) or 0.0)
            if not pd.isna(values.get(status.value, 0.0))
            else 0.0
            for status in Status
        }

    @property
    def worst_status(self) -> Status | None:
        if self.holdings.empty:
            return None
        return min((Status(s) for s in self.holdings["status"].unique()), key=SEVERITY.__getitem__)

    def fails(self, fail_on: FailOn) -> bool:
        """Whether anything is at or above the ``--fail-on`` threshold."""
        worst = self.worst_status
        if fail_on is FailOn.NEVER or worst is None:
            return False
        # UNRESOLVED sorts last, yet a person must look at it as at a REVIEW.
        if fail_on is FailOn.REVIEW and self.count_by_status().get(Status.UNRESOLVED.value):
            return True
        threshold = Status.PENDING if fail_on is FailOn.PROHIBITED else Status.REVIEW
        return worst.severity <= threshold.severity

    def to_dict(self, *, holdings: bool = True) -> dict[str, Any]:
        """The JSON contract (keys documented in the README); ``holdings=False`` leaves the
        positions out (an empty list), for a writer that streams them (report/json_stream.py)."""
        rows = (
            [holding_dict(record, self.reference) for record in holding_records(self.holdings)]
            if holdings
            else []
        )
        return {
            "as_of": self.as_of.isoformat(),
            "investor": self.investor.value,
            "reference": reference_summary(self.reference, self.max_list_age_days),
            **({"changes": self.changes} if self.changes is not None else {}),
            "summary": {
                "positions": len(self.holdings),
                "rows_read": self.rows_read,
                "other_rows": len(self.other_rows),
                "by_status": self.count_by_status(),
                "market_value_by_status": self.market_value_by_status(),
            },
            "holdings": rows,
            "other_rows": [
                {
                    "file": o.file,
                    "sheet": o.sheet,
                    "row": o.row,
                    "class": o.row_class.value,
                    "why": o.why,
                }
                for o in self.other_rows
            ],
            "input_issues": [issue.model_dump() for issue in self.input_issues],
            "tables": self.table_dicts(),
            "disclaimer": DISCLAIMER,
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The JSON text; written to ``path`` when given."""
        text = strict_json(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def write_report(
        self,
        path: str | os.PathLike[str],
        *,
        row_limit: int | None = None,
        holdings_format: str = "auto",
        progress: Progress | None = None,
    ) -> Path:
        """Write the Excel report; returns its path.

        With more positions than ``row_limit`` (default 200,000) the Holdings table goes to a
        file beside the report (``holdings_format``: ``auto`` = Parquet when pyarrow is
        installed, else ``csv``), which the report names; ``progress`` is told the rows written.
        """
        from portfolio_check.report.excel import DEFAULT_ROW_LIMIT, write_report

        return write_report(
            self,
            Path(path),
            row_limit=row_limit or DEFAULT_ROW_LIMIT,
            holdings_format=holdings_format,
            progress=progress,
        )


def table_dict(table: TableInfo) -> dict[str, Any]:
    """One table as the JSON and the report's About sheet show it."""
    return {
        "file": table.file,
        "sheet": table.sheet,
        "header_rows": list(table.header_rows),
        "kind": str(table.kind),
        "why": table.why,
        "columns": [
            {
                "header": header,
                "role": table.roles[header].value if header in table.roles else None,
                "also_read": header in table.secondary,
                "why": table.column_reasons.get(header)
                or (table.reasons.get(table.roles[header], "") if header in table.roles else ""),
            }
            for header in table.header
        ],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@collection_paused()  # the whole check: see collector.py
def check(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    *,
    as_of: dt.date | str | None = None,
    investor: Investor | str = Investor.US_PERSON,
    lists: Sequence[str] | None = None,
    firm_lists: Sequence[str | os.PathLike[str]] = (),
    related: str = RelatedPolicy.LAW,
    decisions: DecisionBook
    | str
    | os.PathLike[str]
    | Sequence[str | os.PathLike[str]]
    | None = None,
    fund_holdings: Sequence[str | os.PathLike[str]] = (),
    fund_max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    reference: Reference | None = None,
    progress: Progress | None = None,
    any_date: bool = False,
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS,
    options: CheckOptions | None = None,
) -> CheckResult:
    """Check holdings (a file, several files, or a DataFrame) on ``as_of`` for ``investor``.

    ``lists`` chooses the active lists of the snapshot (default NS-CMIC and SDN);
    ``firm_lists`` adds a firm's own restricted/watch lists (.xlsx/.csv template);
    ``related`` is the policy for entities related to listed ones: ``law`` (FAQ 857: REVIEW)
    or ``as-listed`` (a stricter firm policy; the finding says so);
    ``decisions`` is a reviewers' decisions file (or a loaded
    :class:`~portfolio_check.decisions.DecisionBook`), honoured and shown as evidence;
    ``fund_holdings`` are fund holdings files (``[TICKER,ISIN=]PATH``) for look-through of
    positions in those funds, whose data older than ``fund_max_age_days`` only makes REVIEW.
    ``options`` (a :class:`~portfolio_check.options.CheckOptions`, as the command line and the
    web page build it) stands for all of these at once.
    """
    chosen = options or CheckOptions.build(
        as_of=as_of,
        investor=investor,
        lists=lists,
        firm_lists=firm_lists,
        related=related,
        decisions=decisions,
        fund_holdings=fund_holdings,
        fund_max_age_days=fund_max_age_days,
        any_date=any_date,
        max_list_age_days=max_list_age_days,
    )
    day, who, policy = chosen.as_of, chosen.investor, chosen.related
    lists, firm_lists = chosen.lists, chosen.firm_lists
    book = as_decision_book(chosen.decisions or None)
    notify = progress or (lambda stage, done, total: None)
    notify("read", 0, 1)
    # The snapshot and its index load on a second thread while calamine parses a workbook's
    # sheets without the GIL. The thread waits for that moment: started earlier, it would
    # only contend for the GIL with the reader's Python steps (a CSV is parsed holding it).
    parsing = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference") as pool:
        loading = pool.submit(_indexed_reference, reference, lists, firm_lists, parsing)
        try:
            data, files = _read_source(source, notify, parsing.set)
        except BaseException:
            parsing.set()
            loading.result()  # a bad snapshot or list choice is reported before a bad file
            raise
        parsing.set()
        ref = loading.result()
    book = pretrade.applicable_decisions(book, ref, reference)
    notify("read", 1, 1)
    funds = FundContext.load(chosen.fund_holdings, as_of=day, max_age_days=chosen.fund_max_age_days)
    holdings = screen_positions(
        data.positions, ref, day, who, notify, related=policy, decisions=book, funds=funds
    )
    notify("done", 1, 1)
    return CheckResult(
        as_of=day,
        investor=who,
        reference=ref,
        holdings=holdings,
        other_rows=list(data.other_rows),
        input_issues=[*as_of_note(day), *data.issues],
        rows_read=data.rows_read,
        files=files,
        tables=list(data.tables),
        max_list_age_days=chosen.max_list_age_days,
    )


def _indexed_reference(
    reference: Reference | None,
    lists: Sequence[str] | None,
    firm_lists: Sequence[str | os.PathLike[str]],
    start: threading.Event,
) -> Reference:
    start.wait()
    ref = active_reference(reference, lists, firm_lists)
    security_index(ref)
    return ref


def _read_source(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    notify: Progress,
    parse_started: Callable[[], None],
) -> tuple[HoldingsInput, list[str]]:
    if isinstance(source, pd.DataFrame):
        return read_frame(source), ["<dataframe>"]
    paths = [source] if isinstance(source, str | os.PathLike) else list(source)
    if not paths:
        raise UsageError("no holdings file given")
    return read_holdings(paths, progress=notify, parse_started=parse_started), [
        str(p) for p in paths
    ]


def screen_positions(
    positions: pd.DataFrame,
    reference: Reference,
    as_of: dt.date,
    investor: Investor,
    notify: Progress | None = None,
    *,
    related: str = RelatedPolicy.LAW,
    decisions: DecisionBook | None = None,
    funds: FundContext | None = None,
) -> pd.DataFrame:
    """Resolve and screen each distinct security once; join the verdicts back onto the rows.

    ``funds`` carries the fund holdings files given with the check: a position in one of those
    funds takes its constituents' statuses (look-through), screened by this same function.
    """
    index = security_index(reference)
    look = funds or FundContext(files=[], as_of=as_of)

    def screen_frame(constituents: pd.DataFrame, deeper: FundContext) -> pd.DataFrame:
        return screen_positions(
            constituents,
            reference,
            as_of,
            investor,
            None,
            related=related,
            decisions=decisions,
            funds=deeper,
        )

    frame = positions.copy(deep=False)
    for column in IDENTITY_COLUMNS:
        if column not in frame:
            frame[column] = None
    found = distinct_rows(frame, IDENTITY_COLUMNS)
    total = len(found)
    if notify:
        notify("resolve", 0, total)
    # The names' look-ups are the bulk of resolving: with many, a helper process on the second
    # core starts on them while this one identifies the securities (a security's name is its
    # cleaned name cell; a name the helper did not take is looked up as resolving needs it).
    names = [str(cells["name"]) for cells in found.cells if cells.get("name")]
    with SharedLookups(index.names, names) as lookups:
        identified = learn_sedols([identify(**cells) for cells in found.cells])
        lookups.finish()
    resolutions: list[Resolution] = []
    for done, (identity, notes) in enumerate(identified, start=1):
        resolutions.append(apply_decisions(resolve(index, identity, notes, as_of=as_of), decisions))
        if notify and (done % PROGRESS_EVERY == 0 or done == total):
            notify("resolve", done, total)
    if notify:
        notify("screen", 0, total)
    verdicts: list[Verdict] = []
    for done, resolution in enumerate(resolutions, start=1):
        verdict = screen(resolution, reference, as_of, investor, related_policy=related)
        verdicts.append(look.apply(verdict, screen_frame))
        if notify and (done % PROGRESS_EVERY == 0 or done == total):
            notify("screen", done, total)
    # object columns, like the reader's: inferring a string dtype would copy a million reasons
    for column, values in (
        ("verdict", verdicts),
        ("status", [v.status.value for v in verdicts]),
        ("reason", [v.reason for v in verdicts]),
    ):
        frame[column] = pd.Series(take(values, found.codes), index=frame.index, dtype=object)
    return frame.reset_index(drop=True)


def learn_sedols(
    identified: list[tuple[SecurityIdentity, tuple[str, ...]]],
) -> list[tuple[SecurityIdentity, tuple[str, ...]]]:
    """Tie SEDOLs to ISINs and lines with the run's own rows (principle: every column is read).

    A row giving a SEDOL with an ISIN or an exchange line ties them for every other row of the
    run that gives that SEDOL alone. A SEDOL given with two different ISINs ties nothing.
    """
    isin_of: dict[str, set[str]] = {}
    ticker_of: dict[str, set[tuple[str, str, str]]] = {}
    for identity, _ in identified:
        if identity.sedol and identity.isin:
            isin_of.setdefault(identity.sedol, set()).add(identity.isin)
        if identity.sedol and identity.ticker and identity.local_code and identity.exchange:
            ticker_of.setdefault(identity.sedol, set()).add(
                (identity.ticker, identity.local_code, identity.exchange)
            )
    if not isin_of and not ticker_of:
        return identified
    out: list[tuple[SecurityIdentity, tuple[str, ...]]] = []
    for identity, notes in identified:
        sedol = identity.sedol
        if not sedol or identity.isin or identity.ticker:
            out.append((identity, notes))
            continue
        update: dict[str, Any] = {}
        said: list[str] = []
        if len(isins := isin_of.get(sedol, set())) == 1:
            update["isin"] = next(iter(isins))
            said.append(f"ISIN {update['isin']}")
        if len(lines := ticker_of.get(sedol, set())) == 1:
            ticker, code, market = next(iter(lines))
            update |= {"ticker": ticker, "local_code": code, "exchange": market}
            said.append(f"ticker {ticker}")
        if update:
            identity = identity.model_copy(update=update)
            notes = (
                *notes,
                f"SEDOL {sedol} tied to {' and '.join(said)} by another row of this run that "
                "gives both",
            )
        out.append((identity, notes))
    return out
