"""Screening past one machine: a Dask DataFrame or a Parquet dataset, partition by partition.

A firm-wide or custodian-wide book (tens of millions of positions in a data lake) holds tens of
thousands of distinct securities. So, as the pipeline does in one process:

1. every partition is read on a worker as :func:`~portfolio_check.check` reads a DataFrame
   (the same column roles and row classes), and its distinct securities (cleaned identity
   cells) go to a distributed unique (``drop_duplicates`` over the partitions);
2. the distinct securities are resolved and screened once, on the client, by the pipeline's own
   :func:`~portfolio_check.pipeline.screen_positions` (a SEDOL tied to an ISIN by one row ties
   it for all, as in one check);
3. the verdicts, as a small table of flat columns, are broadcast to the workers and joined back
   onto each partition's rows there.

The per-position results are a Dask DataFrame (every input row once, in order: a position with
its status and reason, or another row with its class); the findings (every position that is
not CLEAR, with its verdict's evidence) come back to the client, which writes them as a
workbook. The holdings reader runs once per partition; what it leaves on the worker for the
join is small (the partition's distinct securities, a code and a class per row), and the join
reads the partition's own columns again from the source, so that the cluster never holds the
dataset (a data lake is larger than the cluster).

Requires the ``dask`` extra (``dask[dataframe]``, ``distributed``) and the package installed on
every worker.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask import delayed

from portfolio_check.decisions import DecisionBook, as_decision_book
from portfolio_check.distinct import distinct_rows
from portfolio_check.errors import UsageError
from portfolio_check.holdings import IDENTITY_COLUMNS, read_frame
from portfolio_check.model import FailOn, Investor, Status, Verdict
from portfolio_check.pipeline import screen_positions
from portfolio_check.pretrade import (
    active_reference,
    parse_as_of,
    parse_investor,
    parse_related,
)
from portfolio_check.reference import Reference
from portfolio_check.rules import RelatedPolicy

__all__ = ["RESULT_COLUMNS", "DatasetResult", "check_dataset", "read_dataset"]

POSITION = "position"
# The columns each row of the result gets, after the input's own columns.
RESULT_COLUMNS = (
    "row",
    "row_class",
    "security_key",
    "status",
    "reason",
    "security_name",
    "security_isin",
    "security_ticker",
    "security_exchange",
    "issuer_id",
    "issuer_name",
    "lists",
    "entry_ids",
    "buy",
    "sell",
)
# verdict columns taken from the broadcast table (the others are the row's own)
_VERDICT_COLUMNS = RESULT_COLUMNS[3:]
_TEXT = pd.StringDtype()


@dataclass
class DatasetResult:
    """Per-position results (a Dask DataFrame, not computed) and the findings (computed)."""

    as_of: dt.date
    investor: Investor
    reference: Reference
    positions: dd.DataFrame
    findings: pd.DataFrame
    verdicts: list[Verdict]
    counts: dict[str, int]
    rows: int
    # the partitions' reads, persisted in the cluster: held while ``positions`` may be
    # computed again (written), which would otherwise read every partition a second time
    held: list[Any] = field(default_factory=list, repr=False)

    def fails(self, fail_on: FailOn) -> bool:
        """Whether anything is at or above the ``--fail-on`` threshold (as ``CheckResult``)."""
        if fail_on is FailOn.NEVER:
            return False
        if fail_on is FailOn.REVIEW and self.counts.get(Status.UNRESOLVED.value):
            return True
        threshold = Status.PENDING if fail_on is FailOn.PROHIBITED else Status.REVIEW
        return any(
            count and Status(status).severity <= threshold.severity
            for status, count in self.counts.items()
        )


def read_dataset(path: str | os.PathLike[str]) -> dd.DataFrame:
    """A Parquet dataset (a folder of part files, or one file) as a Dask DataFrame."""
    where = Path(path)
    if not where.exists():
        raise UsageError(f"{where}: no such Parquet file or folder")
    try:
        return dd.read_parquet(str(where))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{where}: not a readable Parquet dataset ({exc})") from None


def check_dataset(
    data: dd.DataFrame | str | os.PathLike[str],
    *,
    as_of: dt.date | str | None = None,
    investor: Investor | str = Investor.US_PERSON,
    lists: Sequence[str] | None = None,
    firm_lists: Sequence[str | os.PathLike[str]] = (),
    related: str = RelatedPolicy.LAW,
    decisions: DecisionBook | str | os.PathLike[str] | None = None,
    reference: Reference | None = None,
) -> DatasetResult:
    """Screen a Dask DataFrame (or a Parquet dataset's path) on the current Dask scheduler.

    The options are :func:`~portfolio_check.check`'s. With a ``distributed`` client the verdict
    table is broadcast to its workers; otherwise Dask's default scheduler runs the graph.
    """
    frame = data if isinstance(data, dd.DataFrame) else read_dataset(data)
    day = parse_as_of(as_of)
    who = parse_investor(investor)
    policy = parse_related(related)
    book = as_decision_book(decisions)
    ref = active_reference(reference, lists, firm_lists, day)
    client = _client()
    # 1. every partition read once on the workers; what stays there is small (its distinct
    # securities, a code and a class per row); its distinct securities to a distributed unique
    parts = frame.to_delayed()
    reads = _persist(client, [delayed(_read_partition)(part) for part in parts])
    sizes = [int(n) for n in _compute(client, *[delayed(_size)(read) for read in reads])]
    meta = pd.DataFrame({column: pd.Series(dtype=object) for column in IDENTITY_COLUMNS})
    identities = dd.from_delayed([delayed(_cells)(r) for r in reads], meta=meta, verify_meta=False)
    (found,) = _compute(client, identities.drop_duplicates(split_out=1))
    distinct = _cells_frame([_key(row) for row in found.itertuples(index=False)]).drop_duplicates()
    distinct = distinct.reset_index(drop=True)
    # 2. each resolved and screened once, here
    screened = screen_positions(distinct, ref, day, who, related=policy, decisions=book)
    verdicts: list[Verdict] = list(screened["verdict"])
    table = _verdict_table(distinct, verdicts)
    # 3. broadcast, joined back on the workers onto each partition's rows (read again from
    # the source: the input's own columns come out with the verdict's)
    shared: Any = client.scatter(table, broadcast=True) if client is not None else table
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64).tolist()
    joined = [
        delayed(_join)(part, read, shared, offset)
        for part, read, offset in zip(parts, reads, offsets, strict=True)
    ]
    positions = dd.from_delayed(joined, meta=_result_meta(frame._meta), verify_meta=False)
    flagged = positions[~positions["status"].isna() & (positions["status"] != Status.CLEAR.value)]
    counted = positions["status"].value_counts(dropna=True, split_out=1)
    findings, counts_series = _compute(client, flagged, counted)
    counts = {status.value: int(counts_series.get(status.value, 0)) for status in Status}
    return DatasetResult(
        as_of=day,
        investor=who,
        reference=ref,
        positions=positions,
        findings=findings.reset_index(drop=True),
        verdicts=verdicts,
        counts=counts,
        rows=sum(sizes),
        held=reads,
    )


def _client() -> Any:
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):  # no distributed client: Dask's default scheduler
        return None


def _compute(client: Any, *collections: Any) -> tuple[Any, ...]:
    """Computed together, so the partitions are read once for all."""
    if client is not None:
        return tuple(client.compute(list(collections), sync=True))
    return tuple(dask.compute(*collections))


def _persist(client: Any, collections: list[Any]) -> list[Any]:
    """Computed now and kept in the cluster (on the workers that made them)."""
    if client is not None:
        return list(client.persist(collections))
    return list(dask.persist(*collections))


def _key(values: Sequence[Any]) -> tuple[str | None, ...]:
    """Identity cells as plain texts and None, whichever way Dask carried them (an object
    column's None, or a string column's NA)."""
    return tuple(None if v is None or v is pd.NA or v != v else str(v) for v in values)


def _cells_frame(keys: Sequence[tuple[str | None, ...]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            column: pd.Series([key[k] for key in keys], dtype=object)
            for k, column in enumerate(IDENTITY_COLUMNS)
        }
    )


def _verdict_table(distinct: pd.DataFrame, verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """The distinct securities' identity cells and their verdicts' flat columns."""
    table = distinct[IDENTITY_COLUMNS].copy()
    flat = [_flat(verdict) for verdict in verdicts]
    for k, column in enumerate(_VERDICT_COLUMNS):
        table[column] = pd.Series([row[k] for row in flat], index=table.index, dtype=object)
    return table


def _flat(verdict: Verdict) -> tuple[str | None, ...]:
    findings = verdict.findings
    return (
        verdict.status.value,
        verdict.reason,
        verdict.identity.name,
        verdict.identity.isin,
        verdict.identity.ticker,
        verdict.identity.exchange,
        verdict.issuer_id,
        verdict.issuer_name,
        ";".join(dict.fromkeys(f.list_id for f in findings)) or None,
        ";".join(dict.fromkeys(f"{f.list_id}:{f.entry_id}" for f in findings)) or None,
        verdict.actions.buy,
        verdict.actions.sell,
    )


def _result_meta(meta: pd.DataFrame) -> pd.DataFrame:
    out = meta.iloc[0:0].copy()
    out["row"] = pd.Series(dtype=np.int64)
    out["row_class"] = pd.Series(dtype=_TEXT)
    out["security_key"] = pd.Series(dtype="Int64")
    for column in _VERDICT_COLUMNS:
        out[column] = pd.Series(dtype=_TEXT)
    return out


@dataclass(frozen=True)
class _Read:
    """What reading one partition leaves on its worker: its distinct securities' identity
    cells, each row's local security code (-1: another row) and each row's class."""

    cells: pd.DataFrame
    codes: np.ndarray
    classes: np.ndarray


def _read_partition(partition: pd.DataFrame) -> _Read:
    """One partition read as ``check`` reads a DataFrame (its header is its columns)."""
    n = len(partition)
    if n == 0:
        return _Read(_cells_frame([]), np.empty(0, np.int32), np.empty(0, object))
    held = read_frame(partition.reset_index(drop=True))
    # local row r (the header is row 1) is the partition's row r - 2
    classes = np.full(n, None, dtype=object)
    for other in held.other_rows:
        if other.row >= 2:
            classes[other.row - 2] = other.row_class.value
    found = distinct_rows(held.positions, IDENTITY_COLUMNS)
    at = held.positions["row"].to_numpy(dtype=np.int64) - 2
    codes = np.full(n, -1, dtype=np.int32)
    codes[at] = found.codes
    classes[at] = POSITION
    if any(value is None for value in classes):
        missing = int(np.flatnonzero([v is None for v in classes])[0])
        raise RuntimeError(f"a partition's row {missing} was neither a position nor another row")
    cells = _cells_frame([tuple(c[column] for column in IDENTITY_COLUMNS) for c in found.cells])
    return _Read(cells, codes, classes)


def _size(read: _Read) -> int:
    return len(read.codes)


def _cells(read: _Read) -> pd.DataFrame:
    return read.cells


def _join(partition: pd.DataFrame, read: _Read, table: pd.DataFrame, offset: int) -> pd.DataFrame:
    """One partition's rows, each with its security's verdict columns (or its row class)."""
    n = len(partition)
    out = _result_meta(partition).reindex(range(n))
    for column in partition.columns:
        out[column] = partition[column].to_numpy()
    out.index = partition.index  # the input's own index, as Dask divided it
    if n == 0:
        return out
    keys = {_key(row): k for k, row in enumerate(table[IDENTITY_COLUMNS].itertuples(index=False))}
    global_of = np.array(
        [keys[_key(row)] for row in read.cells.itertuples(index=False)] + [-1], dtype=np.int64
    )
    security = global_of[read.codes]  # code -1 takes the last slot: -1
    at = np.flatnonzero(security >= 0)
    out["row"] = np.arange(n, dtype=np.int64) + offset + 2
    out["row_class"] = pd.array(read.classes, dtype=_TEXT)
    key = pd.array(security, dtype="Int64")
    key[security < 0] = pd.NA
    out["security_key"] = key
    for column in _VERDICT_COLUMNS:
        values = table[column].to_numpy(dtype=object)
        column_values = np.full(n, None, dtype=object)
        column_values[at] = values[security[at]]
        out[column] = pd.array(column_values, dtype=_TEXT)
    return out


def write_findings(result: DatasetResult, path: str | os.PathLike[str]) -> Path:
    """The findings workbook: a Summary sheet and one Findings row per position and finding."""
    from portfolio_check.report.dataset import write_findings_workbook

    return write_findings_workbook(result, Path(path))


def check_counts_line(result: DatasetResult) -> str:
    """The one-line summary the CLI prints."""
    summary = ", ".join(
        f"{status} {count:,}"
        for status, count in result.counts.items()
        if count or status == Status.UNRESOLVED.value
    )
    others = result.rows - sum(result.counts.values())
    return (
        f"{result.rows:,} rows ({others:,} other rows) as of {result.as_of} for a "
        f"{result.investor.value}: {summary}"
    )


def run_on_scheduler(
    path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    scheduler: str = "local",
    workers: int | None = None,
    **options: Any,
) -> tuple[DatasetResult, Path, Path]:
    """``check-dataset``: screen a Parquet dataset on a local cluster or the scheduler at an
    address, write the per-position results as Parquet (``OUT/positions/``) and the findings
    workbook (``OUT/findings.xlsx``); returns the result and both paths."""
    from distributed import Client, LocalCluster

    target = Path(out)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: --out must be a folder")
    frame = read_dataset(path)
    if scheduler == "local":
        # one single-threaded process per core: screening is Python, held by the GIL
        cluster: Any = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
    else:
        cluster = scheduler
    try:
        with Client(cluster) as client:
            result = check_dataset(frame, **options)
            table = target / "positions"
            client.compute(
                result.positions.to_parquet(str(table), write_index=False, compute=False),
                sync=True,
            )
    except OSError as exc:
        raise UsageError(f"scheduler {scheduler!r}: cannot connect or run ({exc})") from None
    finally:
        if scheduler == "local":
            cluster.close()
    return result, table, write_findings(result, target / "findings.xlsx")
