"""Bad usage and unreadable input: exit 2 and one line naming the file, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_check.cli import main


def _run(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, list(args))
    return outcome.exit_code, outcome.stderr


def test_missing_file(tmp_path: Path) -> None:
    code, err = _run("check", str(tmp_path / "nope.xlsx"))
    assert code == 2
    assert "nope.xlsx" in err and "Traceback" not in err


def test_not_a_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "holdings.xlsx"
    fake.write_text("this is not a workbook")
    code, err = _run("check", str(fake))
    assert code == 2
    assert "holdings.xlsx" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("bad", ["2022-13-01", "yesterday"])
def test_bad_date(bad: str, tmp_path: Path) -> None:
    code, err = _run("check-security", "0020.HK", "--as-of", bad)
    assert code == 2 and bad in err


def test_bad_investor() -> None:
    code, _ = _run("check-security", "0020.HK", "--investor", "martian")
    assert code == 2
