"""The fast pipeline gives the answers of the slow one (issue 6).

The check resolves each distinct security once and joins the verdicts back with array takes;
here every row of a generated firm-wide file is also resolved on its own, the plain way, and
the two must agree row for row. Speed itself is measured by ``benchmarks/speed.py``, not here.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import cast

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_check import check
from portfolio_check.distinct import distinct_rows, take
from portfolio_check.holdings import IDENTITY_COLUMNS, read_holdings
from portfolio_check.lookthrough import FundContext
from portfolio_check.model import Investor, Verdict
from portfolio_check.pipeline import active_reference, security_index
from portfolio_check.resolve import identify, resolve
from portfolio_check.screen import screen
from tests.paths import REPO

AS_OF = "2022-03-01"
SAMPLE_ROWS = 3_000
# Security lines in the sample's universe: every listed line and look-alike, then others, so
# that securities repeat across accounts as they do in a firm-wide file.
UNIVERSE = 1_500


def _positions_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_positions", REPO / "benchmarks" / "positions.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    positions = _positions_module()
    frame = positions.generate_positions(SAMPLE_ROWS, seed=11, universe_size=UNIVERSE)
    path: Path = tmp_path_factory.mktemp("speed") / "positions.csv"
    positions.write_positions(frame, path, "csv")
    return path


def _clean(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def _slow_verdict(row: pd.Series) -> Verdict:
    """One row resolved and screened on its own: no distinct set, no join."""
    reference = active_reference(None, None)
    identity, notes = identify(**{column: _clean(row.get(column)) for column in IDENTITY_COLUMNS})
    verdict = screen(
        resolve(security_index(reference), identity, notes, as_of=dt.date.fromisoformat(AS_OF)),
        reference,
        dt.date.fromisoformat(AS_OF),
        Investor.US_PERSON,
    )
    return FundContext(files=[], as_of=dt.date.fromisoformat(AS_OF)).apply(verdict, _no_funds)


def _no_funds(frame: pd.DataFrame, deeper: FundContext) -> pd.DataFrame:
    raise AssertionError("no fund holdings are given in this test")


def test_distinct_pipeline_matches_resolving_each_row(sample_csv: Path) -> None:
    fast = check(sample_csv, as_of=AS_OF)
    slow_positions = read_holdings([sample_csv]).positions
    assert len(fast.holdings) == len(slow_positions) > 0.99 * SAMPLE_ROWS
    # the sample repeats securities across accounts, and holds listed ones and look-alikes
    distinct = fast.holdings["verdict"].map(id).nunique()
    assert distinct < 0.8 * len(fast.holdings)
    statuses = set(fast.holdings["status"])
    assert {"CLEAR", "PROHIBITED"} <= statuses
    for i, (_, row) in enumerate(slow_positions.iterrows()):
        slow = _slow_verdict(row)
        got = cast(Verdict, fast.holdings["verdict"].iat[i])
        assert got == slow, (row.get("name"), row.get("isin"), row.get("ticker"))
        assert fast.holdings["status"].iat[i] == slow.status.value
        assert fast.holdings["reason"].iat[i] == slow.reason


def test_distinct_rows_cleans_and_keeps_first_appearance_order() -> None:
    frame = pd.DataFrame(
        {
            "name": ["A", "A ", None, "B", "A", float("nan"), "  "],
            "isin": [None, None, None, "X", None, None, None],
        }
    )
    found = distinct_rows(frame, ["name", "isin", "ticker"])
    assert found.cells == [
        {"name": "A", "isin": None, "ticker": None},
        {"name": None, "isin": None, "ticker": None},
        {"name": "B", "isin": "X", "ticker": None},
    ]
    assert found.codes.tolist() == [0, 0, 1, 2, 0, 1, 1]


def test_distinct_rows_of_an_empty_frame() -> None:
    found = distinct_rows(pd.DataFrame({"name": pd.Series([], dtype=object)}), ["name"])
    assert len(found) == 0 and len(found.codes) == 0


def test_distinct_rows_many_columns_do_not_overflow() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    frame = pd.DataFrame({f"c{k}": rng.integers(0, n, n).astype(str) for k in range(7)})
    found = distinct_rows(frame, list(frame.columns))
    expected = frame.drop_duplicates()
    assert len(found) == len(expected)
    rebuilt = pd.DataFrame(found.cells)[list(frame.columns)]
    assert rebuilt.equals(expected.reset_index(drop=True))


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["A", "A ", " A", "B", "", "  ", None, "a"]),
            st.sampled_from([None, "X", "X ", "Y"]),
            st.sampled_from([None, None, "1"]),
        ),
        max_size=40,
    ),
    empty_columns=st.integers(0, 3),
)
def test_distinct_rows_agree_with_a_loop_over_cleaned_cells(
    rows: list[tuple[str | None, str | None, str | None]], empty_columns: int
) -> None:
    # columns with nothing in them (skipped in the combined code) between the others
    columns = ["name", *[f"gap{k}" for k in range(empty_columns)], "isin", "ticker"]
    frame = pd.DataFrame(
        {
            "name": pd.Series([r[0] for r in rows], dtype=object),
            **{
                f"gap{k}": pd.Series([None] * len(rows), dtype=object) for k in range(empty_columns)
            },
            "isin": pd.Series([r[1] for r in rows], dtype=object),
            "ticker": pd.Series([r[2] for r in rows], dtype=object),
        }
    )
    found = distinct_rows(frame, columns)
    order: dict[tuple[str | None, ...], int] = {}
    codes = []
    for r in rows:
        cleaned = tuple((v.strip() or None) if isinstance(v, str) else None for v in r)
        codes.append(order.setdefault(cleaned, len(order)))
    assert found.codes.tolist() == codes
    assert [tuple(c[k] for k in ("name", "isin", "ticker")) for c in found.cells] == list(order)
    assert all(c[f"gap{k}"] is None for c in found.cells for k in range(empty_columns))


def test_distinct_rows_of_columns_whose_radix_passes_int64() -> None:
    # seven columns of 20,000 distinct texts: their radix product passes 2**62 twice
    rng = np.random.default_rng(5)
    n = 20_000
    frame = pd.DataFrame({f"c{k}": (np.arange(n) + k).astype(str) for k in range(7)})
    frame = frame.iloc[rng.integers(0, n, 3 * n)].reset_index(drop=True)
    found = distinct_rows(frame, list(frame.columns))
    keys = list(map(tuple, frame.to_numpy().tolist()))
    order = {key: None for key in keys}
    assert [tuple(c.values()) for c in found.cells] == list(order)
    assert [list(order).index(k) for k in keys[:200]] == found.codes[:200].tolist()


def test_take_keeps_objects_whole() -> None:
    # pydantic models are iterable: numpy must not unpack them into arrays
    verdicts = [("a", 1), ("b", 2)]
    out = take(verdicts, np.array([1, 0, 1]))
    assert out.tolist() == [("b", 2), ("a", 1), ("b", 2)]
