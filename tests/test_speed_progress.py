"""Progress on standard error for long runs; silent when not a terminal or with --quiet."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from portfolio_check import check
from portfolio_check.cli import main
from portfolio_check.progress import ProgressDisplay, combine
from tests.paths import SENSETIME_WORKBOOK


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _display(stream: io.StringIO, clock: _Clock, **options: object) -> ProgressDisplay:
    return ProgressDisplay(stream, tick=None, clock=clock, **options)  # type: ignore[arg-type]


def test_quiet_for_short_runs_then_shows_stage_and_counts() -> None:
    stream, clock = _Terminal(), _Clock()
    display = _display(stream, clock)
    display("read", 0, 2)
    clock.now += 1.0
    display("resolve", 500, 30_000)
    assert stream.getvalue() == ""  # the first seconds draw nothing
    clock.now += 2.0
    display("resolve", 1_000, 30_000)
    line = stream.getvalue().rsplit("\r", 1)[-1]
    assert "resolving securities: 1,000 of 30,000 (3%)" in line and "[3s]" in line
    clock.now += 1.0
    display("report", 10_000, 100_000)
    assert "writing report: 10,000 of 100,000 (10%)" in stream.getvalue()
    display("done", 1, 1)
    assert stream.getvalue().endswith("\r")  # the line is cleared
    display.close()


def test_redraws_are_rate_limited() -> None:
    stream, clock = _Terminal(), _Clock()
    display = _display(stream, clock, show_after=0.0)
    for done in range(1, 1_001):
        display("screen", done, 100_000)
    assert stream.getvalue().count("\r") == 1  # one stage, no time passed: drawn once
    display.close()


def test_silent_when_not_a_terminal_or_disabled() -> None:
    for stream, enabled in ((io.StringIO(), None), (_Terminal(), False)):
        clock = _Clock()
        display = _display(stream, clock, show_after=0.0, enabled=enabled)
        display("read", 0, 1)
        clock.now += 10
        display("resolve", 5, 10)
        display.close()
        assert stream.getvalue() == "", enabled


def test_ticker_keeps_the_clock_moving_and_stops() -> None:
    stream = _Terminal()
    display = ProgressDisplay(stream, show_after=0.0, tick=0.01)
    display("read", 0, 1)
    threading.Event().wait(0.1)
    display.close()
    assert "reading holdings..." in stream.getvalue()
    assert not any(t.name == "portfolio-check-progress" for t in threading.enumerate())


def test_the_check_reports_each_stage_in_order(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    record = combine(None, lambda *call: calls.append(call))
    result = check(SENSETIME_WORKBOOK, as_of="2022-03-01", progress=record)
    result.write_report(tmp_path / "r.xlsx", progress=record)
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["read", "resolve", "screen", "done", "report", "save"]
    for stage in ("read", "resolve", "screen", "report", "save"):
        last = [call for call in calls if call[0] == stage][-1]
        assert last[1] == last[2] > 0, last


def test_dataframe_checks_report_too() -> None:
    calls: list[str] = []
    frame = pd.DataFrame({"ISIN": ["US0378331005"], "Quantity": [1]})
    check(frame, progress=lambda stage, done, total: calls.append(stage))
    assert calls[0] == "read" and calls[-1] == "done" and "resolve" in calls


def test_cli_quiet_and_piped_runs_print_no_progress(tmp_path: Path) -> None:
    runner = CliRunner()
    for extra in ([], ["--quiet"]):
        done = runner.invoke(
            main,
            [
                "check",
                str(SENSETIME_WORKBOOK),
                "--as-of",
                "2022-03-01",
                "--report",
                str(tmp_path / "r.xlsx"),
                *extra,
            ],
        )
        assert done.exit_code == 1, done.output
        assert "resolving" not in done.output and "\r" not in done.output
