"""ruff and mypy (strict) stay clean: the public face and the types are part of the product."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import portfolio_check
from tests.paths import REPO


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return found


def test_ruff_is_clean() -> None:
    done = subprocess.run(
        [_tool("ruff"), "check", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    done = subprocess.run(
        [_tool("mypy"), "portfolio_check"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_public_api_is_pinned() -> None:
    assert sorted(portfolio_check.__all__) == [
        "CheckResult",
        "InputFileError",
        "Investor",
        "PortfolioCheckError",
        "Reference",
        "ReferenceDataError",
        "SecurityCheck",
        "Side",
        "SourceFormatError",
        "Status",
        "UsageError",
        "__version__",
        "check",
        "check_security",
        "load_reference",
    ]
    # The version is the project's (pyproject.toml), pinned here like the names.
    assert portfolio_check.__version__ == "0.1.0"
