"""The console script ends a pre-trade answer's process at once (cli.run): what it writes is
whole, its exit code the answer's, and every other command ends as Python ends it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio_check import cli
from portfolio_check.compiled import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
QUERY = ("check-security", "0020.HK", "--as-of", "2022-03-01", "--max-list-age-days", "100000")


def _module(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    # python -m portfolio_check, as the console script runs it (both call cli.run)
    env = {**os.environ, CACHE_ENV: str(cache), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "portfolio_check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_pre_trade_answer_is_written_whole_before_the_quick_exit(tmp_path: Path) -> None:
    out = tmp_path / "answer.json"
    done = _module([*QUERY, "--json", str(out)], tmp_path / "cache")
    assert done.returncode == cli.EXIT_FLAGGED, done.stderr  # PROHIBITED fails --fail-on
    assert done.stdout.startswith("PROHIBITED: buy '0020.HK' on 2022-03-01")
    assert done.stdout.rstrip().splitlines()[-1].startswith("  source: ")  # every line
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "PROHIBITED"
    # the JSON answer on standard output, a pipe here: flushed whole before the exit
    piped = _module([*QUERY, "--json", "-"], tmp_path / "cache")
    assert piped.returncode == cli.EXIT_FLAGGED
    assert json.loads(piped.stdout) == json.loads(out.read_text(encoding="utf-8"))
    # a clear answer exits 0
    clear = _module(
        ["check-security", "AAPL", "--exchange", "XNAS", *QUERY[2:]], tmp_path / "cache"
    )
    assert clear.returncode == cli.EXIT_OK, clear.stdout + clear.stderr


def test_other_commands_end_as_python_ends_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # run() leaves the exit to Python unless a pre-trade answer was written
    monkeypatch.setattr(cli, "_ANSWERED", [])
    monkeypatch.setattr(sys, "argv", ["portfolio-check", "--version"])
    with pytest.raises(SystemExit) as ended:
        cli.run()
    assert ended.value.code in (0, None)
    monkeypatch.setattr(sys, "argv", ["portfolio-check", "check", str(ROOT / "missing.csv")])
    with pytest.raises(SystemExit) as failed:
        cli.run()
    assert failed.value.code not in (0, None)
