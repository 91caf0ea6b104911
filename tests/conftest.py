"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.test_web_support import assert_nothing_left, upload_root

# The per-user snapshot store (reference update) of every test, and of every process a test
# starts, is an empty private folder: never the real home's, so a snapshot someone fetched
# cannot change an answer, and no test writes there. Tests that update use their own folder.
os.environ["PORTFOLIO_CHECK_DATA"] = tempfile.mkdtemp(prefix="portfolio-check-test-data-")


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A private upload folder for the web app; the test fails if anything is left in it."""
    folder = upload_root(tmp_path)
    yield folder
    assert_nothing_left(folder)


@pytest.fixture(autouse=True, scope="session")
def _compiled_reference_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled snapshots (compiled.py) go to a folder of this run, never the user's cache;
    the CLI processes the tests start inherit it."""
    import os

    from portfolio_check.compiled import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("compiled-cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before
