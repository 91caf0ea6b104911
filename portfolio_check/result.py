"""One result: every input row of a check with its verdict, and one row mapping for every face.

:class:`CheckResult` holds the positions (a DataFrame whose ``status`` is an ordered categorical
by severity and whose index is the caller's when a DataFrame was checked), the other rows, the
input issues, how each table was read and the run's metadata. :class:`SecurityVerdicts` is the
per-security view: each distinct verdict once and, per row, the code of its verdict.

:data:`ROW_FIELDS` with :func:`verdict_fields` and :func:`holding_name` is the one row mapping:
the JSON (``to_dict``), the workbook, the web page and the terminal all take a holding's status,
verdict, name, matched entry and evidence from it, so the four never disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from portfolio_check import pretrade
from portfolio_check.citations import entry_citation
from portfolio_check.distinct import first_appearances, pair_codes
from portfolio_check.freshness import DEFAULT_MAX_LIST_AGE_DAYS
from portfolio_check.model import FailOn, Finding, InputIssue, Investor, OtherRow, Status, Verdict
from portfolio_check.money import coded_row_currencies, currency_of_header
from portfolio_check.outputs import strict_json
from portfolio_check.reference import Reference

if TYPE_CHECKING:
    from portfolio_check.holdings import TableInfo
    from portfolio_check.plausibility import Context
    from portfolio_check.progress import ProgressCallback

# One disclaimer for every face (the pre-trade path defines it, without pandas)
DISCLAIMER = pretrade.DISCLAIMER

# Worst first, as a compliance officer works through them. UNRESOLVED sits above CLEAR: it is
# never clear, and a person must identify it (the enum's own order keeps it last for the rules).
SEVERITY_ORDER: tuple[Status, ...] = (
    Status.BLOCKED,
    Status.PROHIBITED,
    Status.PENDING,
    Status.REVIEW,
    Status.WATCH,
    Status.UNRESOLVED,
    Status.CLEAR,
)
STATUS_DTYPE = pd.CategoricalDtype([s.value for s in SEVERITY_ORDER], ordered=True)
ATTENTION_RANK: dict[Status, int] = {status: rank for rank, status in enumerate(SEVERITY_ORDER)}

# OFAC's public page of one entry of its lists (SDN and consolidated), by the entry's number.
OFAC_ENTRY_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={entry_id}"
OFAC_LISTS = frozenset({"sdn", "ns-cmic"})


def tool_version() -> str:
    from portfolio_check import __version__

    return __version__


# --------------------------------------------------------------------------------------------
# The row mapping
# --------------------------------------------------------------------------------------------


class RowField(NamedTuple):
    """One field of a holding's row: its JSON key and the header the report and page show."""

    key: str
    label: str


# The leading fields of every face, in order: status, verdict, the holding's own name, then the
# evidence. Location (file, sheet, row) and the input columns follow them.
ROW_FIELDS: tuple[RowField, ...] = (
    RowField("status", "Status"),
    RowField("verdict", "Verdict"),
    RowField("name", "Holding"),
    RowField("matched_entry", "Matched entry"),
    RowField("matched_on", "Matched on"),
    RowField("reason", "Reason"),
    RowField("issuer", "Issuer"),
    RowField("isin", "Resolved ISIN"),
    RowField("ticker", "Resolved ticker"),
    RowField("listing_date", "Listing date"),
    RowField("effective_date", "Effective date"),
    RowField("divestment_date", "Divestment date"),
)
LOCATION_FIELDS: tuple[RowField, ...] = (
    RowField("file", "File"),
    RowField("sheet", "Sheet"),
    RowField("row", "Row"),
)
# The column roles that identify a security (the reader's Role values).
IDENTITY_ROLE_VALUES = frozenset({"name", "isin", "cusip", "sedol", "ticker", "identifier"})
DATE_KEYS = frozenset({"listing_date", "effective_date", "divestment_date"})


def verdict_phrase(verdict: Verdict) -> str:
    """What the investor may do, in one phrase: the two actions of the verdict."""
    return f"buy: {verdict.actions.buy}; sell: {verdict.actions.sell}"


def entry_label(finding: Finding) -> str:
    return f"{finding.list_id} {finding.entry_id}: {finding.entry_name}"


def top_finding(verdict: Verdict) -> Finding | None:
    """The finding that gave the verdict its status (the worst; the first of equals)."""
    if not verdict.findings:
        return None
    return min(verdict.findings, key=lambda f: f.status.severity)


def verdict_fields(verdict: Verdict) -> dict[str, Any]:
    """The verdict's part of a row (everything but the holding's name), worked out once per
    security; dates stay dates (each face renders them)."""
    top = top_finding(verdict)
    return {
        "status": verdict.status.value,
        "verdict": verdict_phrase(verdict),
        "matched_entry": entry_label(top) if top else None,
        "matched_on": top.matched_on if top else None,
        "reason": verdict.reason,
        "issuer": verdict.issuer_name,
        "isin": verdict.identity.isin,
        "ticker": verdict.identity.ticker,
        "listing_date": top.listing_date if top else None,
        "effective_date": top.effective_date if top else None,
        "divestment_date": top.divestment_date if top else None,
        "buy": verdict.actions.buy,
        "sell": verdict.actions.sell,
    }


def holding_name(
    name_cell: object, verdict: Verdict, cells: Mapping[str, str] | None = None
) -> str:
    """The holding's own name: its name cell as read, else what identified it."""
    if isinstance(name_cell, str) and name_cell.strip():
        return name_cell.strip()
    identity = verdict.identity
    for value in (identity.name, identity.isin, identity.ticker, identity.cusip, identity.sedol):
        if value:
            return value
    return next((v for v in (cells or {}).values() if v), "")


def json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def entry_url(list_id: str, entry_id: str) -> str | None:
    """The public page of a list entry, where its publisher has one per entry."""
    if list_id in OFAC_LISTS and entry_id.isdigit():
        return OFAC_ENTRY_URL.format(entry_id=entry_id)
    return None


# --------------------------------------------------------------------------------------------
# Positions as typed records and per-security verdicts
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SecurityVerdicts:
    """Each distinct verdict once (rows of one security share one object) and, per row, the
    number of its verdict: what a writer works out once per security."""

    codes: np.ndarray
    verdicts: list[Verdict]

    @classmethod
    def of(cls, verdicts: Sequence[Verdict]) -> SecurityVerdicts:
        ids = np.fromiter(map(id, verdicts), dtype=np.int64, count=len(verdicts))  # a C loop
        codes, _ = pd.factorize(ids)
        codes = np.asarray(codes, dtype=np.int64)
        if len(codes) == 0:
            return cls(codes, [])
        return cls(codes, [verdicts[i] for i in first_appearances(codes).tolist()])

    def fields(self) -> list[dict[str, Any]]:
        """:func:`verdict_fields` of each distinct verdict, in code order."""
        return [verdict_fields(v) for v in self.verdicts]


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _run_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class CheckResult:
    """The answer for a set of holdings: every input row, as a position or another row.

    ``holdings`` has one row per position; its ``status`` column is an ordered categorical,
    worst first (``SEVERITY_ORDER``), so ``sort_values("status")`` puts what needs action on
    top and ``holdings[holdings.status <= "REVIEW"]`` selects what a person must look at.
    """

    as_of: dt.date
    investor: Investor
    reference: Reference
    holdings: pd.DataFrame
    other_rows: list[OtherRow]
    input_issues: list[InputIssue]
    rows_read: int
    files: list[str] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)
    # The run: when (UTC), an id for the report's header and footer, the options that shaped
    # it (related-entity policy, decisions file, firm lists, fund files) and each input file's
    # sha256, so a filed report names exactly what it checked.
    run_at: dt.datetime = field(default_factory=_utc_now)
    run_id: str = field(default_factory=_run_id)
    options: dict[str, Any] = field(default_factory=dict)
    file_sha256: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    # How old a list may be before every face warns (freshness.py), and, for a check with
    # --compare-reference, every holding whose answer changed between the two snapshots.
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS
    changes: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        frame = self.holdings
        if "status" in frame and not isinstance(frame["status"].dtype, pd.CategoricalDtype):
            frame["status"] = pd.Categorical(frame["status"].tolist(), dtype=STATUS_DTYPE)

    # ---------------------------------------------------------------- per security and currency

    @functools.cached_property
    def securities(self) -> SecurityVerdicts:
        return SecurityVerdicts.of(self.holdings["verdict"].tolist())

    @functools.cached_property
    def verdict_fields(self) -> list[dict[str, Any]]:
        """:func:`verdict_fields` of each distinct security, in code order (worked out once)."""
        return self.securities.fields()

    @functools.cached_property
    def currencies(self) -> list[str | None]:
        """Each position's currency: its currency cell, else its market value header's (USD in
        "Market Value (USD)"); None when neither says."""
        codes, labels = self.currency_codes
        out: list[str | None] = np.array([*labels, None], dtype=object)[codes].tolist()
        return out

    @functools.cached_property
    def status_codes(self) -> np.ndarray:
        """Each position's status as its code in :data:`STATUS_DTYPE` (worst first)."""
        status = self.holdings["status"] if "status" in self.holdings else pd.Series([])
        out: np.ndarray = np.asarray(
            pd.Categorical(status, dtype=STATUS_DTYPE).codes, dtype=np.int64
        )
        return out

    @functools.cached_property
    def currency_codes(self) -> tuple[np.ndarray, list[str]]:
        """:attr:`currencies` as a code per position (-1: None) into the currencies found,
        sorted: for sums by currency over a million positions."""
        header_currency: dict[tuple[str, str], str | None] = {}
        for table in self.tables:
            column = table.market_value_column
            key = (table.file, table.sheet)
            if key not in header_currency or header_currency[key] is None:
                header_currency[key] = currency_of_header(column) if column else None
        frame = self.holdings
        n = len(frame)
        cells = frame["currency"].to_numpy(dtype=object) if "currency" in frame else [None] * n
        return coded_row_currencies(
            cells,
            frame["file"].to_numpy(dtype=object),
            frame["sheet"].to_numpy(dtype=object),
            header_currency,
            tables=self.table_codes,
        )

    @functools.cached_property
    def table_codes(self) -> tuple[np.ndarray, list[tuple[object, object]]]:
        """Each position's (file, sheet) as a code into the distinct pairs (None for a cell a
        caller's frame left empty), found once for the sums by currency and the writers."""
        frame = self.holdings
        n = len(frame)
        files = frame["file"].to_numpy(dtype=object) if "file" in frame else np.full(n, None)
        sheets = frame["sheet"].to_numpy(dtype=object) if "sheet" in frame else np.full(n, None)
        return pair_codes(files, sheets)

    @functools.cached_property
    def names(self) -> list[str]:
        """Each position's own name (:func:`holding_name`): its name cell, else the first of
        its identity cells in the file's column order (a Bloomberg "Name" of "1299 HK")."""
        codes, values = self.name_codes
        out: list[str] = np.array(values, dtype=object)[codes].tolist()
        return out

    @functools.cached_property
    def name_codes(self) -> tuple[np.ndarray, list[str]]:
        """:attr:`names` as per-position codes into a list of names (a name may be listed
        twice), as a writer takes a column without coding a million names again."""
        frame = self.holdings
        n = len(frame)
        cells = frame["name"].to_numpy(dtype=object) if "name" in frame else np.full(n, None)
        # a name cell's text, stripped once per distinct text ("" where there is none)
        raw_codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        values = [u.strip() if isinstance(u, str) else "" for u in uniques]
        codes = np.asarray(raw_codes, dtype=np.int64)
        unnamed = np.flatnonzero(np.array([not t for t in values] + [True])[codes]).tolist()
        codes[codes < 0] = len(values)
        values.append("")
        if not unnamed:
            return codes, values
        codes_of = self.securities.codes
        verdicts = self.securities.verdicts
        inputs = frame["input"].tolist()
        identity = {
            header
            for table in self.tables
            for header, role in table.roles.items()
            if role.value in IDENTITY_ROLE_VALUES
        }
        for i in unnamed:
            row = inputs[i]
            cell = next((row[k] for k in row if k in identity and row[k]), None)
            codes[i] = len(values)
            values.append(holding_name(cell, verdicts[int(codes_of[i])], row))
        return codes, values

    @functools.cached_property
    def sdn_context(self) -> list[Context | None]:
        """Per distinct security (code order): the context of a name-only SDN REVIEW (the
        holding's country beside the entry's countries and identifiers; "unlikely" when they
        disagree), else None. See :mod:`portfolio_check.plausibility`."""
        from portfolio_check.plausibility import context, name_only_sdn

        securities = self.securities
        # each security's first position (its input row is the one the context reads)
        first = first_appearances(securities.codes).tolist()
        inputs = self.holdings["input"].to_numpy(dtype=object)
        out: list[Context | None] = []
        for code, verdict in enumerate(securities.verdicts):
            found = name_only_sdn(verdict) if verdict.status is Status.REVIEW else []
            if not found or not self.reference.has_entry("sdn", found[0].entry_id):
                out.append(None)
                continue
            entry = self.reference.entry("sdn", found[0].entry_id)
            out.append(context(verdict, entry, inputs[first[code]]))
        return out

    def likelihood_codes(self) -> list[str | None]:
        """Per distinct security: "unlikely" for a name-only SDN REVIEW that the holding's
        country and the entry's identifiers speak against, else None."""
        return [c.likelihood if c else None for c in self.sdn_context]

    # ------------------------------------------------------------------------------- counts

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
        """Market value per status over every currency; see :meth:`market_value_by_currency`
        for the totals a person may add up."""
        out = {status.value: 0.0 for status in Status}
        for per in self.market_value_by_currency().values():
            for status, value in per.items():
                out[status] += value
        return out

    def market_value_by_currency(self) -> dict[str | None, dict[str, float]]:
        """Per currency (None: not stated), the market value of each status; never added
        across currencies."""
        return {currency: dict(per) for currency, per in self._value_by_currency.items()}

    @functools.cached_property
    def _value_by_currency(self) -> dict[str | None, dict[str, float]]:
        frame = self.holdings
        if "market_value" not in frame or not len(frame):
            return {}
        values = pd.to_numeric(frame["market_value"], errors="coerce").to_numpy(dtype=float)
        statuses = self.status_codes
        known = ~np.isnan(values) & (statuses >= 0)
        if not known.any():
            return {}
        # a sum per (currency, status) pair as one weighted count over the pairs' numbers;
        # a currency not stated (code -1) is its own group, never dropped
        codes, labels = self.currency_codes
        width = len(STATUS_DTYPE.categories)
        pairs = (codes[known] + 1) * width + statuses[known]
        size = (len(labels) + 1) * width
        sums = np.bincount(pairs, weights=values[known], minlength=size).reshape(-1, width)
        seen = np.bincount(pairs, minlength=size).reshape(-1, width).sum(axis=1) > 0
        out: dict[str | None, dict[str, float]] = {}
        for k in np.flatnonzero(seen).tolist():
            key = None if k == 0 else labels[k - 1]
            per = out.setdefault(key, {s.value: 0.0 for s in Status})
            for j, status in enumerate(STATUS_DTYPE.categories):
                per[str(status)] += float(sums[k, j])
        return dict(sorted(out.items(), key=lambda item: (item[0] is None, item[0] or "")))

    @property
    def worst_status(self) -> Status | None:
        if self.holdings.empty:
            return None
        found = {Status(str(s)) for s in self.holdings["status"].unique()}
        return min(found, key=lambda s: s.severity)

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

    def headline(self) -> str:
        """The one sentence a Summary opens with: how many holdings are barred on the day, and
        their market value per currency (of the value held)."""
        counts = self.count_by_status()
        total = len(self.holdings)
        blocked = counts[Status.BLOCKED.value]
        barred = blocked + counts[Status.PROHIBITED.value]
        who = "a US person" if self.investor is Investor.US_PERSON else "a non-US person"
        what = "blocked or prohibited" if blocked else "prohibited"
        verb = "is" if barred == 1 else "are"
        sentence = (
            f"{barred} of {total} holdings {verb} {what} for {who} on {self.as_of.isoformat()}"
        )
        barred_values, held = [], []
        for currency, per in self.market_value_by_currency().items():
            label = currency or "(currency not stated)"
            value = per[Status.BLOCKED.value] + per[Status.PROHIBITED.value]
            if value:
                barred_values.append(f"{value:,.0f} {label}")
            held.append(f"{sum(per.values()):,.0f} {label}")
        if barred_values:
            sentence += (
                f"; total market value {', '.join(barred_values)} (of {', '.join(held)} held)"
            )
        others = [
            f"{counts[s.value]} {s.value}"
            for s in (Status.PENDING, Status.REVIEW, Status.UNRESOLVED)
            if counts[s.value]
        ]
        if others:
            sentence += f"; {', '.join(others)} for a person to look at"
        return sentence + "."

    def run_facts(self) -> list[tuple[str, str]]:
        """The run's metadata, as the Summary, the terminal header and the JSON show it."""
        facts = [
            ("As of", self.as_of.isoformat()),
            ("Investor", self.investor.value),
            ("Run at (UTC)", self.run_at.strftime("%Y-%m-%d %H:%M:%S")),
            ("Run id", self.run_id),
            ("Tool version", f"portfolio_check {tool_version()}"),
            ("Snapshot version", self.reference.version),
        ]
        for list_id, title, published in list_facts(self.reference):
            facts.append((f"List {list_id}", f"{title}; published {published}"))
        options = self.options
        facts.append(("Related-company policy", str(options.get("related", "law"))))
        facts.append(("Decisions file", str(options.get("decisions") or "none")))
        for name in options.get("firm_lists") or ():
            facts.append(("Firm list", str(name)))
        for name in options.get("fund_holdings") or ():
            facts.append(("Fund holdings file", str(name)))
        for name in self.files:
            digest = self.file_sha256.get(name)
            facts.append(("Input file", f"{name} (sha256 {digest})" if digest else name))
        for notice in self.notices:
            facts.append(("Notice", notice))
        return facts

    # ------------------------------------------------------------------------- notebook API

    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding of each position (CLEAR positions have none; an UNRESOLVED one
        has none unless a list entry was involved). The index is the position's."""
        return findings_frame(self)

    @property
    def summary(self) -> pd.DataFrame:
        """Positions and market value per status (worst first), one market value column per
        currency: currencies are never added together."""
        return summary_frame(self)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.count_by_status().items() if v)
        return (
            f"<CheckResult as of {self.as_of} for {self.investor.value}: "
            f"{len(self.holdings)} positions ({counts or 'none'}), "
            f"{len(self.other_rows)} other rows, {len(self.input_issues)} input issues; "
            f"lists {', '.join(self.reference.lists)}; run {self.run_id}>"
        )

    def _repr_html_(self) -> str:
        """A notebook's view: the headline, the counts, and the first flagged positions."""
        esc = html.escape
        summary = self.summary
        statuses = self.holdings["status"].astype(object).to_numpy()
        flagged = np.flatnonzero(statuses != Status.CLEAR.value)
        shown = flagged[:10].tolist()
        names, frame = self.names, self.holdings
        sheets, numbers = frame["sheet"].tolist(), frame["row"].tolist()
        reasons = frame["reason"].tolist()
        rows = "".join(
            f"<tr><td>{esc(str(statuses[i]))}</td><td>{esc(names[i])}</td>"
            f"<td>{esc(str(sheets[i]))}</td><td>{numbers[i]}</td>"
            f"<td>{esc(str(reasons[i])[:160])}</td></tr>"
            for i in shown
        )
        more = len(flagged) - len(shown)
        return (
            f"<div><p><b>{esc(self.headline())}</b></p>"
            f"{summary.to_html(max_rows=10)}"
            "<table><tr><th>Status</th><th>Holding</th><th>Sheet</th><th>Row</th>"
            f"<th>Reason</th></tr>{rows}</table>"
            + (
                f"<p>{more:,} more flagged positions: see <code>.holdings</code>.</p>"
                if more
                else ""
            )
            + f"<p><small>{esc(DISCLAIMER)}</small></p></div>"
        )

    # -------------------------------------------------------------------------------- JSON

    def holding_dicts(self, positions: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """The JSON contract's holdings (all, or those at ``positions``, in that order)."""
        fields = self.verdict_fields
        codes = self.securities.codes.tolist()
        names = self.names
        currencies = self.currencies
        contexts = self.sdn_context
        frame = self.holdings
        at = list(range(len(frame))) if positions is None else list(positions)
        subset = frame if positions is None else frame.iloc[at]
        holdings = []
        for i, record in zip(at, holding_records(subset), strict=True):
            verdict = record.verdict
            shared = fields[codes[i]]
            sdn = contexts[codes[i]]
            holdings.append(
                {
                    "file": record.file,
                    "sheet": record.sheet,
                    "row": record.row,
                    "status": verdict.status.value,
                    "verdict": shared["verdict"],
                    "name": names[i],
                    "matched_entry": shared["matched_entry"],
                    "currency": currencies[i],
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
                        finding_dict(finding, self.reference) for finding in verdict.findings
                    ],
                    "actions": {"buy": verdict.actions.buy, "sell": verdict.actions.sell},
                    "likelihood": sdn.likelihood if sdn else None,
                    "context": sdn.text() if sdn else None,
                }
            )
        return holdings

    def iter_holding_dicts(self, chunk: int = 64) -> Iterator[dict[str, Any]]:
        """:meth:`holding_dicts` of every position, made ``chunk`` positions at a time (a
        streamed JSON never holds them all)."""
        for start in range(0, len(self.holdings), chunk):
            yield from self.holding_dicts(range(start, min(start + chunk, len(self.holdings))))

    def to_dict(self, *, holdings: bool = True) -> dict[str, Any]:
        """The JSON contract (keys documented in the README); ``holdings=False`` leaves the
        positions out (an empty list), for a writer that streams them (report/json_stream.py)
        or a page that shows them a page at a time."""
        rows = self.holding_dicts() if holdings else []
        by_currency = self.market_value_by_currency()
        return {
            "as_of": self.as_of.isoformat(),
            "investor": self.investor.value,
            "run": {
                "id": self.run_id,
                "at": self.run_at.isoformat().replace("+00:00", "Z"),
                "tool_version": tool_version(),
                "options": {k: _jsonable(v) for k, v in self.options.items()},
                "files": [
                    {"name": name, "sha256": self.file_sha256.get(name)} for name in self.files
                ],
                "notices": list(self.notices),
            },
            "reference": reference_summary(self.reference, self.max_list_age_days),
            "summary": {
                "headline": self.headline(),
                "positions": len(self.holdings),
                "rows_read": self.rows_read,
                "other_rows": len(self.other_rows),
                "by_status": self.count_by_status(),
                "market_value_by_status": self.market_value_by_status(),
                "market_value_by_currency": [
                    {"currency": currency, "by_status": per}
                    for currency, per in by_currency.items()
                ],
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
            **({"changes": self.changes} if self.changes is not None else {}),
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The JSON text; written to ``path`` when given."""
        text = strict_json(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # ------------------------------------------------------------------------------ report

    def write_report(
        self,
        path: str | os.PathLike[str],
        *,
        row_limit: int | None = None,
        holdings_format: str = "auto",
        progress: ProgressCallback | None = None,
        fx_rates: Mapping[str, float] | None = None,
        text_as_read: bool = False,
    ) -> Path:
        """Write the Excel report; returns its path (:meth:`report_files` says every file).

        With more positions than ``row_limit`` (default 200,000) the Holdings table goes to a
        file beside the report (``holdings_format``: ``auto`` = Parquet when pyarrow is
        installed, else ``csv``), which the report names; ``progress`` is told the rows
        written. ``fx_rates`` (``{"USD": 1, "HKD": 0.128}``: each currency's value in the first)
        adds a converted total; ``text_as_read`` adds each typed input column's text as read
        beside it.
        """
        return self.write_report_files(
            path,
            row_limit=row_limit,
            holdings_format=holdings_format,
            progress=progress,
            fx_rates=fx_rates,
            text_as_read=text_as_read,
        ).workbook

    def write_report_files(
        self,
        path: str | os.PathLike[str],
        *,
        row_limit: int | None = None,
        holdings_format: str = "auto",
        progress: ProgressCallback | None = None,
        fx_rates: Mapping[str, float] | None = None,
        text_as_read: bool = False,
    ) -> ReportFiles:
        """Write the Excel report; returns what was written (the workbook, any file beside)."""
        from portfolio_check.report.excel import DEFAULT_ROW_LIMIT, write_report

        return write_report(
            self,
            Path(path),
            row_limit=row_limit or DEFAULT_ROW_LIMIT,
            holdings_format=holdings_format,
            progress=progress,
            fx_rates=fx_rates,
            text_as_read=text_as_read,
        )

    def report_bytes(
        self,
        *,
        fx_rates: Mapping[str, float] | None = None,
        text_as_read: bool = False,
    ) -> bytes:
        """The Excel report as bytes (for a download), every position on its sheet."""
        from portfolio_check.report.excel import report_bytes

        return report_bytes(self, fx_rates=fx_rates, text_as_read=text_as_read)


@dataclass(frozen=True)
class ReportFiles:
    """What ``write_report`` wrote: the workbook and the tables it put beside it."""

    workbook: Path
    beside: tuple[Path, ...] = ()

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.workbook, *self.beside)


def market_values(frame: pd.DataFrame) -> list[float | None]:
    """Each position's market value (None where none is known)."""
    if "market_value" not in frame:
        return [None] * len(frame)
    return [None if v is None or v != v else float(v) for v in frame["market_value"].tolist()]


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def finding_dict(finding: Finding, reference: Reference | None = None) -> dict[str, Any]:
    """One finding as the JSON contract has it; with the ``reference`` it cites its public
    source (citations.py)."""
    cited = (
        entry_citation(reference, finding.list_id, finding.entry_id)
        if reference is not None
        else {}
    )
    return {
        "list": finding.list_id,
        "entry_id": finding.entry_id,
        "entry_name": finding.entry_name,
        "matched_on": finding.matched_on,
        "score": finding.score,
        "status": finding.status.value,
        "rule": finding.rule,
        "listing_date": json_value(finding.listing_date),
        "effective_date": json_value(finding.effective_date),
        "divestment_date": json_value(finding.divestment_date),
        "explanation": finding.explanation,
        "exposure": finding.exposure,
        "path": list(finding.path),
        "weight": finding.weight,
        **cited,
        "url": entry_url(finding.list_id, finding.entry_id),
    }


FINDING_COLUMNS: tuple[str, ...] = (
    "file",
    "sheet",
    "row",
    "holding",
    "holding_status",
    "list",
    "entry_id",
    "entry_name",
    "status",
    "matched_on",
    "score",
    "rule",
    "listing_date",
    "effective_date",
    "divestment_date",
    "exposure",
    "path",
    "weight",
    "explanation",
    "url",
    "likelihood",
    "context",
)


def findings_frame(result: CheckResult) -> pd.DataFrame:
    """:attr:`CheckResult.findings`: one row per finding, indexed like ``holdings``."""
    frame = result.holdings
    securities = result.securities
    has = np.array([bool(v.findings) for v in securities.verdicts] + [False])
    at = np.flatnonzero(has[securities.codes]) if len(frame) else np.array([], dtype=np.int64)
    names = result.names
    rows: list[dict[str, Any]] = []
    index: list[Any] = []
    labels = frame.index
    files, sheets, numbers = frame["file"].tolist(), frame["sheet"].tolist(), frame["row"].tolist()
    contexts = result.sdn_context
    for i in at.tolist():
        code = int(securities.codes[i])
        verdict = securities.verdicts[code]
        sdn = contexts[code]
        for finding in verdict.findings:
            index.append(labels[i])
            rows.append(
                {
                    "file": files[i],
                    "sheet": sheets[i],
                    "row": int(numbers[i]),
                    "holding": names[i],
                    "holding_status": verdict.status.value,
                    "list": finding.list_id,
                    "entry_id": finding.entry_id,
                    "entry_name": finding.entry_name,
                    "status": finding.status.value,
                    "matched_on": finding.matched_on,
                    "score": finding.score,
                    "rule": finding.rule,
                    "listing_date": finding.listing_date,
                    "effective_date": finding.effective_date,
                    "divestment_date": finding.divestment_date,
                    "exposure": finding.exposure,
                    "path": " -> ".join(finding.path) or None,
                    "weight": finding.weight,
                    "explanation": finding.explanation,
                    "url": entry_url(finding.list_id, finding.entry_id),
                    "likelihood": sdn.likelihood if sdn else None,
                    "context": sdn.text() if sdn else None,
                }
            )
    out = pd.DataFrame(rows, columns=list(FINDING_COLUMNS), index=pd.Index(index, dtype=object))
    out.index.name = frame.index.name
    for column in ("status", "holding_status"):
        out[column] = pd.Categorical(out[column].tolist(), dtype=STATUS_DTYPE)
    return out


def summary_frame(result: CheckResult) -> pd.DataFrame:
    """:attr:`CheckResult.summary`: index status (worst first); ``positions``, then
    ``market_value <CUR>`` per currency (``market_value`` where no currency is stated)."""
    counts = result.count_by_status()
    data: dict[str, list[Any]] = {"positions": [counts[s.value] for s in SEVERITY_ORDER]}
    for currency, per in result.market_value_by_currency().items():
        label = f"market_value {currency}" if currency else "market_value"
        data[label] = [per[s.value] for s in SEVERITY_ORDER]
    index = pd.CategoricalIndex(
        [s.value for s in SEVERITY_ORDER], dtype=STATUS_DTYPE, name="status"
    )
    return pd.DataFrame(data, index=index)


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


def list_facts(reference: Reference) -> list[tuple[str, str, str]]:
    """(id, title, publication date) of each active list, from the snapshot's manifest."""
    published = {
        str(item.get("id")): str(item.get("published") or "not stated")
        for item in reference.manifest.get("lists", [])
    }
    return [
        (list_id, item.title, published.get(list_id, "not stated (a firm list)"))
        for list_id, item in reference.lists.items()
    ]


def reference_summary(
    reference: Reference, max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS
) -> dict[str, Any]:
    """The reference block of the JSON contract, with each list's publication date."""
    summary = pretrade.reference_summary(reference, max_list_age_days)
    published = {list_id: when for list_id, _, when in list_facts(reference)}
    for item in summary["lists"]:
        item["published"] = published.get(item["id"])
    return summary


def file_digests(paths: Sequence[str | os.PathLike[str]]) -> dict[str, str]:
    """sha256 of each input file, by the name the result gives it."""
    out: dict[str, str] = {}
    for path in paths:
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            continue  # read a moment ago: a file gone since is named without its hash
        out[str(path)] = digest.hexdigest()
    return out


def keep_caller_index(holdings: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The positions of a checked DataFrame indexed by the caller's own index (a position's
    ``row`` is its frame position + 2, as if the header were row 1)."""
    positions = holdings["row"].to_numpy(dtype=np.int64) - 2
    holdings.index = frame.index[positions]
    return holdings
