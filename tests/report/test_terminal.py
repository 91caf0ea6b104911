"""What ``portfolio-check check`` prints: header, flagged groups, summary last, cut when long."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_check.cli import main
from portfolio_check.terminal import MAX_FLAGGED_LINES
from tests.paths import SENSETIME_WORKBOOK, shared_path


def _run(*args: str) -> list[str]:
    done = CliRunner().invoke(main, ["check", *args, "--quiet"])
    assert done.exit_code in (0, 1), done.output
    return done.stdout.splitlines()


def test_header_groups_and_summary_last() -> None:
    lines = _run(str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01")
    header = lines[0]
    assert header.startswith("as of 2022-03-01 for a us-person; lists ns-cmic (published ")
    assert "sdn (published" in header and str(SENSETIME_WORKBOOK) in header
    assert lines[1] == "PROHIBITED 5"
    assert lines[2] == "  ns-cmic 33114: SENSETIME GROUP LIMITED (5 holdings)"
    # one short line per holding: its own name, sheet and row, how it matched
    assert lines[3].split() == [
        "SENSETIME",
        "GROUP",
        "INC-CL",
        "B",
        "Holdings!6",
        "(curated",
        "ticker)",
    ]
    assert any(line.strip().startswith("商湯集團股份有限公司－Ｗ") for line in lines)
    assert all(len(line) < 120 for line in lines[1:-1])
    assert lines[-1] == (
        "13 positions, 7 other rows as of 2022-03-01 for a us-person: "
        "PROHIBITED 5, UNRESOLVED 0, CLEAR 8"
    )
    assert "\x1b[" not in "\n".join(lines)  # no colour into a pipe


def test_verbose_gives_every_reason(tmp_path: Path) -> None:
    lines = _run(str(SENSETIME_WORKBOOK), "--as-of", "2022-03-01", "--verbose")
    reasons = [line for line in lines if line.startswith("      SENSETIME GROUP LIMITED")]
    assert len(reasons) == 5 and all("divest" in line for line in reasons)


def test_a_long_result_says_what_it_left_out_and_where(tmp_path: Path) -> None:
    rows = ["Security Name,ISIN,Quantity"] + [
        f"China Mobile Ltd {i},HK0941009539,{i + 1}" for i in range(150)
    ]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "r.xlsx"
    lines = _run(str(path), "--as-of", "2022-03-01", "--report", str(report))
    assert len(lines) < 20
    assert "    ... and 142 more" in lines
    note = next(line for line in lines if "flagged holdings not listed here" in line)
    assert note.startswith("142 flagged holdings") and str(report) in note
    assert lines[-2] == f"report written to {report}"
    assert lines[-1].startswith("150 positions")
    full = _run(str(path), "--as-of", "2022-03-01", "--verbose")
    assert sum("many!" in line for line in full) == 150


def test_colour_only_on_a_terminal_and_never_with_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    from portfolio_check.terminal import use_colour

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(Tty()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())


def test_the_bloomberg_export_fits_a_screen_plus_its_flagged_groups() -> None:
    bloomberg = shared_path("holdings", "bbg_aim_mav_multifund_2020-05-29.xlsx")
    lines = _run(str(bloomberg), "--as-of", "2022-03-01")
    flagged = [line for line in lines if line.startswith("    ") and "MAV!" in line]
    # one screen of headings and summary around the flagged holdings, which are capped
    # (terminal.MAX_FLAGGED_LINES; the rest are counted and are in --report / --json)
    others = [line for line in lines if not (line.startswith("    ") and "MAV!" in line)]
    assert len(others) <= 24, others
    assert 35 <= len(flagged) <= MAX_FLAGGED_LINES
    assert lines[-1].startswith("1440 positions")
    # each line names the holding as the file does ("941 HK"), not only by its ISIN
    assert any(line.strip().startswith("941 HK ") for line in flagged)
