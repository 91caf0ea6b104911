"""The streamed JSON (issue 17): the same document as ``to_json``, written row by row, and a
failed write leaves no half file."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from portfolio_check.cli import main
from portfolio_check.pipeline import CheckResult, check
from portfolio_check.report.json_stream import write_json
from tests.paths import SENSETIME_WORKBOOK

AS_OF = "2022-03-01"


def _frame(rows: int) -> pd.DataFrame:
    """Positions repeating a few securities of every status, with Chinese text and a cash line."""
    lines = [
        ("SENSETIME GROUP INC", "KYG8062L1041", "", "1000"),
        ("CHINA MOBILE 中国移动", "", "941 HK", "2000"),
        ("TENCENT HOLDINGS", "", "700 HK", "3000"),
        ("ACME WIDGETS PLC", "", "", "4000"),
        ("HUAWEI INVESTMENT", "", "", "5000"),
    ]
    picked = [lines[n % len(lines)] for n in range(rows)]
    return pd.DataFrame(picked, columns=["Security Name", "ISIN", "Ticker", "Market Value"])


def _streamed(result: CheckResult) -> str:
    out = io.StringIO()
    write_json(result, out)
    return out.getvalue()


def test_the_streamed_document_is_to_json_s_on_a_real_workbook(tmp_path: Path) -> None:
    result = check(SENSETIME_WORKBOOK, as_of=AS_OF)
    expected = json.loads(result.to_json())
    assert json.loads(_streamed(result)) == expected
    write_json(result, tmp_path / "out.json")
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == expected
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    # permissions as any file the user writes (not a temporary file's private ones)
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o666 & ~umask


def test_one_position_per_line_and_an_empty_result() -> None:
    result = check(_frame(12), as_of=AS_OF)
    text = _streamed(result)
    lines = text.splitlines()
    start = lines.index('  "holdings": [')
    rows = [json.loads(line.strip().rstrip(",")) for line in lines[start + 1 : start + 13]]
    assert rows == json.loads(result.to_json())["holdings"]
    assert lines[start + 13] == "  ],"
    empty = dataclasses.replace(result, holdings=result.holdings.iloc[0:0])
    assert json.loads(_streamed(empty)) == json.loads(empty.to_json())
    assert '"holdings": [],' in _streamed(empty)


def test_the_command_line_streams_to_a_file_and_to_standard_output(tmp_path: Path) -> None:
    path = tmp_path / "holdings.csv"
    _frame(25).to_csv(path, index=False)
    out = tmp_path / "out.json"
    runner = CliRunner()
    filed = runner.invoke(main, ["check", str(path), "--as-of", AS_OF, "--json", str(out)])
    printed = runner.invoke(main, ["check", str(path), "--as-of", AS_OF, "--json", "-"])
    assert filed.exit_code == printed.exit_code == 1, filed.output
    expected = json.loads(check(path, as_of=AS_OF).to_json())
    filed_json, printed_json = (
        json.loads(out.read_text(encoding="utf-8")),
        json.loads(printed.stdout),
    )
    for got in (filed_json, printed_json):
        # each run has its own id and time; everything else is the same document
        assert got["run"].pop("id") != expected["run"]["id"]
        got["run"]["at"] = expected["run"]["at"]
    expected["run"].pop("id")
    assert filed_json == expected
    assert printed_json == expected
    assert len(expected["holdings"]) == 25


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(_frame(10), as_of=AS_OF)
    calls = 0
    real = result.iter_holding_dicts

    def failing() -> Iterator[dict[str, object]]:
        nonlocal calls
        for row in real():
            calls += 1
            if calls > 5:
                raise OSError("disk full")
            yield row

    monkeypatch.setattr(result, "iter_holding_dicts", failing)
    with pytest.raises(OSError, match="disk full"):
        write_json(result, tmp_path / "out.json")
    assert list(tmp_path.iterdir()) == []


def test_memory_stays_flat_while_the_whole_document_grows(tmp_path: Path) -> None:
    result = check(_frame(2000), as_of=AS_OF)
    # once before measuring: the caches a first write fills (the result's codes, compiled
    # patterns) are not the stream's memory, and a test run alone would count them
    write_json(result, tmp_path / "warm.json")
    tracemalloc.start()
    try:
        result.to_json()
        _, whole = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        write_json(result, tmp_path / "out.json")
        _, streamed = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = (tmp_path / "out.json").stat().st_size
    # to_json holds every row's dicts and the whole text; the stream one row at a time
    assert whole > 3 * text
    assert streamed < text / 10
