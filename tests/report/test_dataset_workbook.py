"""The findings workbook of ``check-dataset`` (report/dataset.py), written a column at a time.

Every flagged position gives one line per finding of its security's verdict (one without a
finding), its own cells repeated on each; the workbook read back must hold exactly the lines a
plain loop over the positions and findings gives, and past a sheet's row limit the whole table
is in the file beside the workbook, none cut off.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

from portfolio_check import check
from portfolio_check.model import Investor
from portfolio_check.report.dataset import FINDING_HEADERS, write_findings_workbook

pytest.importorskip("dask.dataframe")

from portfolio_check.dask import RESULT_COLUMNS, DatasetResult

NAMES = [
    ("SENSETIME GROUP INC-CL B", "KYG8062L1041", None),
    ("China Mobile Ltd", None, "941 HK"),
    ("Huawei Investment & Holding Co", None, None),
    ("=1+1", None, "ZZZZ"),
    ("Apple Inc", "US0378331005", None),
]


def _result(rows: int) -> DatasetResult:
    frame = pd.DataFrame(
        {
            "Security Name": [NAMES[i % 5][0] for i in range(rows)],
            "ISIN": [NAMES[i % 5][1] for i in range(rows)],
            "Ticker": [NAMES[i % 5][2] for i in range(rows)],
            "Account": [f"A{i % 3}" if i % 4 else None for i in range(rows)],
            "Quantity": [float(i + 1) for i in range(rows)],
        }
    )
    checked = check(frame, as_of="2024-06-28")
    securities = checked.securities
    holdings = checked.holdings
    findings = frame.copy()
    findings["row"] = np.arange(rows) + 2
    findings["security_key"] = securities.codes
    findings["status"] = holdings["status"].astype(object).to_numpy()
    findings = findings[findings["status"] != "CLEAR"].reset_index(drop=True)
    for column in RESULT_COLUMNS:
        if column not in findings:
            findings[column] = None
    verdicts = list(securities.verdicts)
    # a security with three findings (a second and third entry) and one flagged without any:
    # a position's lines follow its verdict's findings
    first = int(findings["security_key"].iloc[0])
    found = verdicts[first].findings[0]
    verdicts[first] = verdicts[first].model_copy(
        update={
            "findings": [
                found,
                found.model_copy(update={"entry_id": "99901", "entry_name": "Second & <entry>"}),
                found.model_copy(update={"entry_id": "99902", "matched_on": None}),
            ]
        }
    )
    other = int(findings["security_key"].iloc[1])
    verdicts[other] = verdicts[other].model_copy(update={"findings": []})
    return DatasetResult(
        as_of=dt.date(2024, 6, 28),
        investor=Investor.US_PERSON,
        reference=checked.reference,
        positions=None,  # the workbook does not read it
        findings=findings,
        verdicts=verdicts,
        counts=checked.count_by_status(),
        rows=rows,
    )


def _text(value: Any) -> str | None:
    if value is None or value != value or value == "":
        return None
    return str(value)


def _expected(result: DatasetResult) -> list[list[str | None]]:
    """The lines, by a plain loop over positions and findings (the test's own oracle)."""
    frame = result.findings
    inputs = [c for c in frame.columns if c not in RESULT_COLUMNS]
    out = []
    for _, position in frame.iterrows():
        verdict = result.verdicts[int(position["security_key"])]
        own = [_text(position["row"]), *(_text(position[c]) for c in inputs)]
        for finding in verdict.findings or (None,):
            head = [verdict.status.value, verdict.reason]
            tail = [verdict.actions.buy, verdict.actions.sell]
            if finding is None:
                middle: list[Any] = [None] * (len(FINDING_HEADERS) - 4)
            else:
                middle = [
                    finding.list_id,
                    finding.entry_id,
                    finding.entry_name,
                    finding.matched_on,
                    finding.rule,
                    *(
                        d.isoformat() if d else None
                        for d in (
                            finding.listing_date,
                            finding.effective_date,
                            finding.divestment_date,
                        )
                    ),
                    finding.explanation,
                ]
            out.append([*own, *(_text(v) for v in (*head, *middle, *tail))])
    return out


def test_every_finding_line_is_in_the_workbook(tmp_path: Path) -> None:
    result = _result(40)
    path = write_findings_workbook(result, tmp_path / "findings.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    lines = [list(r) for r in book["Findings"].iter_rows(values_only=True)]
    book.close()
    expected = _expected(result)
    assert len(expected) > len(result.findings) > 10  # three lines for some positions
    assert lines[0][:2] == ["row", "Security Name"]
    assert [[_text(v) for v in line] for line in lines[1:]] == expected
    without = [line for line in expected if line[-11] is None]  # no list: no finding
    assert without and all(line[-13] for line in without)  # the status is still there


def test_past_the_row_limit_the_whole_table_is_beside_the_workbook(tmp_path: Path) -> None:
    result = _result(40)
    expected = _expected(result)
    path = write_findings_workbook(result, tmp_path / "findings.xlsx", max_rows=len(expected))
    beside = sorted(tmp_path.glob("findings.findings.*"))
    assert len(beside) == 1
    if beside[0].suffix == ".parquet":
        table = pd.read_parquet(beside[0])
    else:
        table = pd.read_csv(beside[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    got = [[_text(v) for v in row] for row in table.astype(object).itertuples(index=False)]
    if beside[0].suffix == ".csv":  # a CSV guards a text a spreadsheet would run: '=1+1
        got = [[v[1:] if v and v.startswith("'=") else v for v in row] for row in got]
    assert got == expected
    book = openpyxl.load_workbook(path, read_only=True)
    note = " ".join(str(c) for r in book["Findings"].iter_rows(values_only=True) for c in r if c)
    book.close()
    assert beside[0].name in note and f"{len(expected):,} rows" in note
