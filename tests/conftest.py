"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_web_support import assert_nothing_left, upload_root


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A private upload folder for the web app; the test fails if anything is left in it."""
    folder = upload_root(tmp_path)
    yield folder
    assert_nothing_left(folder)
