"""Dask (issue 17): a Dask DataFrame or a Parquet dataset screened on a real
``distributed.LocalCluster`` of two worker processes gives ``check()``'s answers, row by row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from portfolio_check.cli import main  # noqa: E402
from portfolio_check.dask import check_dataset  # noqa: E402
from portfolio_check.distinct import distinct_rows  # noqa: E402
from portfolio_check.holdings import IDENTITY_COLUMNS  # noqa: E402
from portfolio_check.pipeline import CheckResult, check  # noqa: E402

AS_OF = "2022-03-01"
COLUMNS = ["Security Name", "ISIN", "SEDOL", "Ticker", "Quantity", "Market Value"]
# Every kind of row a data lake's positions hold: listed and related companies by ISIN, ticker
# and name (Latin and Chinese), look-alikes, a bad check digit, a SEDOL given with its ISIN on
# one row and alone on another (tied by the run, across partitions), cash, and a bare code.
LINES = [
    ("SENSETIME GROUP INC", "KYG8062L1041", None, None, 100.0, 1000.5),
    ("CHINA MOBILE 中国移动", None, None, "941 HK", 200.0, 2000.0),
    ("TENCENT HOLDINGS", None, None, "700 HK", 300.0, 3000.0),
    ("ACME WIDGETS PLC", None, None, None, 10.0, 400.0),
    ("HUAWEI INVESTMENT", None, None, None, 5.0, 500.0),
    ("CHINA TELECOM CORP", "US1694261033", None, None, 7.0, 70.0),
    ("APPLE INC", "US0378331005", "2046251", None, 1.0, 190.0),
    ("APPLE INC COMMON", None, "2046251", None, 2.0, 380.0),
    ("BROKEN ISIN CO", "US0378331006", None, None, 1.0, 1.0),
    ("CASH USD", None, None, None, None, 12345.0),
    ("商汤集团", None, None, None, 3.0, 30.0),
    ("SEMICONDUCTOR MANUFACTURING INTERNATIONAL", None, None, "981 HK", 9.0, 90.0),
    ("HIKVISION", None, None, "002415 CH", 4.0, 40.0),
    ("0020", None, None, None, 1.0, 2.0),
]


def _positions(rows: int) -> pd.DataFrame:
    picked = [LINES[(n * 5 + n // 7) % len(LINES)] for n in range(rows)]
    return pd.DataFrame(picked, columns=COLUMNS)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


def _expected(frame: pd.DataFrame) -> tuple[CheckResult, dict[int, dict[str, object]]]:
    result = check(frame, as_of=AS_OF)
    by_row: dict[int, dict[str, object]] = {}
    for row, verdict in zip(result.holdings["row"], result.holdings["verdict"], strict=True):
        by_row[int(row)] = {
            "row_class": "position",
            "status": verdict.status.value,
            "reason": verdict.reason,
            "issuer_id": verdict.issuer_id,
            "lists": ";".join(dict.fromkeys(f.list_id for f in verdict.findings)) or None,
        }
    for other in result.other_rows:
        if other.row > 1:  # the header is the dataset's schema, not a row of it
            by_row[other.row] = {
                "row_class": other.row_class.value,
                "status": None,
                "reason": None,
                "issuer_id": None,
                "lists": None,
            }
    return result, by_row


def _got(frame: pd.DataFrame) -> dict[int, dict[str, object]]:
    rows = frame["row"].tolist()
    assert len(rows) == len(set(rows))  # every input row once
    columns = ["row_class", "status", "reason", "issuer_id", "lists"]
    values = {c: [None if pd.isna(v) else v for v in frame[c].tolist()] for c in columns}
    return {int(r): {c: values[c][k] for c in columns} for k, r in enumerate(rows)}


def test_a_dask_dataframe_gives_check_s_answers_row_by_row(client: object) -> None:
    frame = _positions(700)
    expected, by_row = _expected(frame)
    result = check_dataset(dd.from_pandas(frame, npartitions=4), as_of=AS_OF)
    got = result.positions.compute()
    assert _got(got) == by_row
    assert len(got) == len(frame) == result.rows
    # the input's own columns come through untouched
    assert got[COLUMNS].reset_index(drop=True).equals(frame)
    assert result.counts == expected.count_by_status()
    flagged = {r for r, v in by_row.items() if v["status"] not in (None, "CLEAR")}
    assert set(result.findings["row"]) == flagged
    # one verdict per distinct security, found by the distributed unique
    assert len(result.verdicts) == len(distinct_rows(expected.holdings, IDENTITY_COLUMNS))


def test_check_dataset_writes_parquet_and_the_findings_workbook(
    client: object, tmp_path: Path
) -> None:
    frame = _positions(300)
    _, by_row = _expected(frame)
    lake = tmp_path / "lake"
    lake.mkdir()
    for part, start in enumerate(range(0, len(frame), 100)):
        frame.iloc[start : start + 100].to_parquet(lake / f"part.{part}.parquet", index=False)
    out = tmp_path / "out"
    address = client.scheduler.address  # type: ignore[attr-defined]
    args = ["check-dataset", str(lake), "--scheduler", address, "--out", str(out)]
    done = CliRunner().invoke(main, [*args, "--as-of", AS_OF])
    assert done.exit_code == 1, done.output  # PROHIBITED positions fail --fail-on
    assert done.output.startswith("300 rows (")
    written = pd.read_parquet(out / "positions")
    assert _got(written.sort_values("row")) == by_row
    book = openpyxl.load_workbook(out / "findings.xlsx", read_only=True)
    findings = list(book["Findings"].iter_rows(values_only=True))
    header = list(findings[0])
    assert header[:7] == ["row", *COLUMNS]
    flagged = {r for r, v in by_row.items() if v["status"] not in (None, "CLEAR")}
    assert {int(line[0]) for line in findings[1:]} == flagged
    status_at = header.index("status")
    assert {line[status_at] for line in findings[1:]} <= {"PROHIBITED", "REVIEW", "UNRESOLVED"}
    summary = {line[0]: line[1] for line in book["Summary"].iter_rows(values_only=True)}
    assert summary["Rows"] == "300"
    book.close()


def test_a_local_cluster_from_the_command_line(tmp_path: Path) -> None:
    frame = _positions(60)
    _, by_row = _expected(frame)
    frame.to_parquet(tmp_path / "positions.parquet", index=False)
    out = tmp_path / "out"
    args = ["check-dataset", str(tmp_path / "positions.parquet"), "--scheduler", "local"]
    done = CliRunner().invoke(main, [*args, "--workers", "2", "--out", str(out), "--as-of", AS_OF])
    assert done.exit_code == 1, done.output
    assert _got(pd.read_parquet(out / "positions").sort_values("row")) == by_row


def test_a_missing_dataset_is_one_line() -> None:
    done = CliRunner().invoke(main, ["check-dataset", "no/such/lake", "--out", "x"])
    assert done.exit_code == 2
    assert "no/such/lake" in done.output and "Traceback" not in done.output
