"""Where the third-party files and the examples live; skipping when ../shared is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples"
SENSETIME_WORKBOOK = EXAMPLES / "sensetime_fund_holdings.xlsx"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when CI or a developer has no copy."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared beside the repository)")
    return path
