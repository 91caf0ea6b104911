"""The pipeline: read -> resolve -> screen -> result, on distinct securities.

A firm-wide file has many rows per security (accounts, lots), so the holdings are reduced to
their distinct identities, each is resolved and screened once, and the verdicts are joined back
onto every row.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd

from portfolio_check import pretrade
from portfolio_check.collector import collection_paused
from portfolio_check.decisions import DecisionBook, apply_decisions, as_decision_book
from portfolio_check.distinct import distinct_rows, take
from portfolio_check.errors import UsageError
from portfolio_check.freshness import DEFAULT_MAX_LIST_AGE_DAYS
from portfolio_check.funds import DEFAULT_MAX_AGE_DAYS
from portfolio_check.holdings import (
    IDENTITY_COLUMNS,
    HoldingsInput,
    read_frame,
    read_holdings,
)
from portfolio_check.lookthrough import FundContext
from portfolio_check.model import (
    Investor,
    SecurityIdentity,
    Verdict,
)
from portfolio_check.options import CheckOptions
from portfolio_check.parallel import SharedLookups, shared_map
from portfolio_check.progress import ProgressCallback
from portfolio_check.reference import Reference
from portfolio_check.resolve import (
    identify,
    resolve,
)
from portfolio_check.result import STATUS_DTYPE, file_digests, keep_caller_index
from portfolio_check.result import CheckResult as CheckResult  # re-exported: now in result.py
from portfolio_check.result import HoldingRecord as HoldingRecord
from portfolio_check.result import holding_records as holding_records
from portfolio_check.result import table_dict as table_dict
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
# From this many distinct securities on, a helper process resolves and screens a share of
# them (below it, forking costs about what it saves: ~0.1 ms a security, ~0.1 s to fork).
MIN_PARALLEL_SECURITIES = 4000
# From this many bytes of holdings files on, the names' helper is forked before they are read
# (about 50,000 rows of a typical export; below it the helper is forked when resolving).
NAMES_AHEAD_MIN_BYTES = 5_000_000


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
    columns: Mapping[str, str] | None = None,
    any_date: bool = False,
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS,
    options: CheckOptions | None = None,
) -> CheckResult:
    """Check holdings (a file, several files, or a DataFrame) on ``as_of`` for ``investor``.

    For a DataFrame the result keeps the caller's index (``holdings`` joins back onto it),
    and ``columns`` may say which column is what (``{"Code": "isin", "Units": "quantity"}``).

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
    book = as_decision_book(chosen.decisions or None)
    notify = progress or (lambda stage, done, total: None)
    notify("read", 0, 1)
    # A large file's names are looked up by a helper process forked now, while this one is
    # small, as soon as the file's tables are found (see SharedLookups.ahead); its index is
    # loaded as _check loads this process's, from the same snapshot and lists
    ahead = (
        SharedLookups.ahead(
            lambda: (
                security_index(
                    active_reference(reference, chosen.lists, chosen.firm_lists, chosen.as_of)
                ).names
            )
        )
        if _large_input(source)
        else None
    )
    try:
        return _check(source, chosen, book, notify, ahead, reference, columns)
    finally:
        if ahead is not None:
            ahead.__exit__()  # a helper whose answers were not collected (a failed read)


def _large_input(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
) -> bool:
    """Whether the holdings files are large enough to share the names' look-ups with a helper
    forked before they are read (a file of this size holds thousands of names)."""
    if isinstance(source, pd.DataFrame):
        return False
    paths = [source] if isinstance(source, str | os.PathLike) else list(source)
    try:
        return sum(os.path.getsize(p) for p in paths) >= NAMES_AHEAD_MIN_BYTES
    except OSError:  # a missing file: the reader says so
        return False


def _check(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    chosen: CheckOptions,
    book: DecisionBook | None,
    notify: Progress,
    ahead: SharedLookups | None,
    reference: Reference | None,
    columns: Mapping[str, str] | None,
) -> CheckResult:
    day, who, policy = chosen.as_of, chosen.investor, chosen.related
    lists, firm_lists = chosen.lists, chosen.firm_lists
    # The snapshot and its index load on a second thread while calamine parses a workbook's
    # sheets, or Arrow a CSV, without the GIL. The thread waits for that moment: started
    # earlier, it would only contend for the GIL with the reader's Python steps.
    parsing = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reference") as pool:
        loading = pool.submit(_indexed_reference, reference, lists, firm_lists, parsing, day)
        try:
            data, files = _read_source(
                source, notify, parsing.set, columns, ahead.give if ahead else None
            )
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
        data.positions,
        ref,
        day,
        who,
        notify,
        related=policy,
        decisions=book,
        funds=funds,
        names_ahead=ahead,
    )
    notify("done", 1, 1)
    if isinstance(source, pd.DataFrame):
        holdings = keep_caller_index(holdings, source)
    given = chosen.decisions
    named = (
        str(given)
        if isinstance(given, str | os.PathLike)
        else ", ".join(str(p) for p in given)
        if isinstance(given, list | tuple) and given
        else None
    )
    run_options: dict[str, Any] = {
        "lists": list(ref.lists),
        "related": policy,
        "decisions": named,
        "firm_lists": [str(p) for p in firm_lists],
        "fund_holdings": [str(p) for p in chosen.fund_holdings],
        "fund_max_age_days": chosen.fund_max_age_days,
    }
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
        options=run_options,
        file_sha256=file_digests(files) if not isinstance(source, pd.DataFrame) else {},
        max_list_age_days=chosen.max_list_age_days,
    )


def _indexed_reference(
    reference: Reference | None,
    lists: Sequence[str] | None,
    firm_lists: Sequence[str | os.PathLike[str]],
    start: threading.Event,
    as_of: dt.date | None = None,
) -> Reference:
    start.wait()
    ref = active_reference(reference, lists, firm_lists, as_of)
    security_index(ref)
    return ref


def _read_source(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    notify: Progress,
    parse_started: Callable[[], None],
    columns: Mapping[str, str] | None = None,
    names_found: Callable[[list[str]], None] | None = None,
) -> tuple[HoldingsInput, list[str]]:
    if isinstance(source, pd.DataFrame):
        return read_frame(source, columns=columns), ["<dataframe>"]
    if columns:
        raise UsageError("columns= applies to a DataFrame; a file's columns are read by role")
    paths = [source] if isinstance(source, str | os.PathLike) else list(source)
    if not paths:
        raise UsageError("no holdings file given")
    read = read_holdings(
        paths, progress=notify, parse_started=parse_started, names_found=names_found
    )
    return read, [str(p) for p in paths]


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
    names_ahead: SharedLookups | None = None,
) -> pd.DataFrame:
    """Resolve and screen each distinct security once; join the verdicts back onto the rows.

    ``funds`` carries the fund holdings files given with the check: a position in one of those
    funds takes its constituents' statuses (look-through), screened by this same function.
    ``names_ahead`` is a helper already looking up the positions' names (given them by the
    reader), whose answers are collected here.
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
    # core starts on them while this one identifies the securities (a name the helper did not
    # take is looked up as resolving needs it). Forked after the distinct securities are found,
    # not before: finding them allocates a row-sized array per column, and after a fork this
    # process paid for every page it wrote that the helper still shared (0.28 s -> 0.63 s at a
    # million rows).
    names = [name for cells in found.cells if (name := cells["name"])]
    shared = (
        names_ahead
        if names_ahead is not None and names_ahead.sharing
        else SharedLookups(index.names, names)
    )
    with shared as lookups:
        identified = learn_sedols([identify(**cells) for cells in found.cells])
        lookups.finish(index.names)

    def verdict_of(k: int) -> Verdict:
        identity, notes = identified[k]
        resolution = apply_decisions(resolve(index, identity, notes, as_of=as_of), decisions)
        verdict = screen(resolution, reference, as_of, investor, related_policy=related)
        return look.apply(verdict, screen_frame)

    # Each security's resolution and screening depend on it and the snapshot alone: with many,
    # a helper process on the second core takes its share (from the back), its verdicts sent
    # back; the same as one process's (tests/test_parallel.py)
    verdicts = shared_map(
        verdict_of,
        total,
        minimum=MIN_PARALLEL_SECURITIES,
        done=(lambda taken: notify("resolve", taken, total)) if notify else None,
    )
    if notify:
        notify("screen", total, total)
    # the status as CheckResult keeps it (ordered, worst first), from each security's code:
    # categorising a million status strings took 0.4 s
    per_security = pd.Categorical([v.status.value for v in verdicts], dtype=STATUS_DTYPE)
    status = pd.Categorical.from_codes(per_security.codes[found.codes], dtype=STATUS_DTYPE)
    # the other columns as objects, like the reader's: a string dtype would copy a million reasons
    frame["verdict"] = pd.Series(take(verdicts, found.codes), index=frame.index, dtype=object)
    frame["status"] = pd.Series(status, index=frame.index)
    reasons = take([v.reason for v in verdicts], found.codes)
    frame["reason"] = pd.Series(reasons, index=frame.index, dtype=object)
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
