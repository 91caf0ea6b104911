"""The README's commands and the installed package: what a new user runs must work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO, SENSETIME_WORKBOOK


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first_section = text.split("\n## ")[1]
    return re.findall(r"```sh\n(.+?)\n```", first_section)


def test_readme_gives_exactly_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "portfolio-check check examples/" in commands[0]
    assert "pytest" in commands[1] and "[test]" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci.splitlines()


def test_installed_package_finds_its_reference(tmp_path: Path) -> None:
    # From a folder outside the checkout, the interpreter imports the installed package (a
    # normal, non-editable install in CI), which must carry the snapshot inside itself.
    code = (
        "import portfolio_check.refdata as r, portfolio_check as p; "
        "print(r.shipped_reference_dir()); print(len(p.load_reference().lists['ns-cmic'].entries))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    folder = Path(out[0])
    assert (folder / "manifest.json").is_file()
    assert out[1] == "68"
    if "site-packages" in str(folder):
        assert folder.name == "_reference"


def test_console_script_runs_the_readme_job(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "portfolio-check"
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    report = tmp_path / "report.xlsx"
    done = subprocess.run(
        [
            str(script),
            "check",
            str(SENSETIME_WORKBOOK),
            "--as-of",
            "2022-03-01",
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "PROHIBITED 5" in done.stdout
    assert report.is_file()
