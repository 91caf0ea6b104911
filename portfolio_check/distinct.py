"""Distinct securities of a holdings table, and the join of their verdicts back onto its rows.

A firm-wide file has a million rows (accounts x lots) but tens of thousands of distinct
securities. Each identity column is factorised once (the distinct cell texts, cleaned, each
get a code), the per-column codes are combined into one code per row, and the distinct
securities are the distinct combined codes, in order of first appearance. The join back is an
array take: ``values[codes]``. No Python tuple is built per row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def clean_cell(value: object) -> str | None:
    """A raw cell as a security's identity sees it: stripped text, or None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class DistinctRows:
    """``codes[i]`` is the distinct security of row ``i``; ``cells[k]`` its identity cells."""

    codes: np.ndarray
    cells: list[dict[str, str | None]]

    def __len__(self) -> int:
        return len(self.cells)


def _column_codes(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """Codes of a column's cleaned texts (-1 for empty) and the distinct texts they stand for."""
    raw_codes, raw_uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = [clean_cell(u) for u in raw_uniques]
    # cleaning can merge texts ("X " and "X") and empty some ("  "): code the cleaned texts
    merged_codes, merged = pd.factorize(pd.Series(cleaned, dtype=object), use_na_sentinel=True)
    lookup = np.append(np.asarray(merged_codes, dtype=np.int64), -1)  # raw -1 stays -1
    return lookup[np.asarray(raw_codes, dtype=np.int64)], list(merged)


_RADIX_LIMIT = 1 << 62


def first_appearances(codes: np.ndarray) -> np.ndarray:
    """The first row of each code, for codes numbered 0..k-1 in order of first appearance
    (as ``pd.factorize`` numbers them): a row is its code's first exactly where its code
    passes every code before it. Linear; ``np.unique(..., return_index=True)`` sorts."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    before = np.maximum.accumulate(codes)
    return np.flatnonzero(np.concatenate(([True], codes[1:] > before[:-1])))


def distinct_rows(frame: pd.DataFrame, columns: Sequence[str]) -> DistinctRows:
    """The distinct combinations of ``columns`` (missing columns count as empty), in order."""
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    span = 1  # combined codes are below this
    per_column: list[tuple[str, np.ndarray, list[str | None]]] = []
    for column in columns:
        if column in frame:
            codes, texts = _column_codes(frame[column])
        else:
            codes, texts = np.full(n, -1, dtype=np.int64), []
        per_column.append((column, codes, texts))
        if not texts:
            continue  # an empty column tells no two rows apart
        # Mixed radix; re-coded (to numbers below the row count) only when the next column
        # would take the numbers past int64
        if span * (len(texts) + 1) >= _RADIX_LIMIT:
            recoded, uniques = pd.factorize(combined)
            combined, span = np.asarray(recoded, dtype=np.int64), len(uniques)
        combined = combined * (len(texts) + 1) + (codes + 1)
        span *= len(texts) + 1
    recoded, _ = pd.factorize(combined)
    combined = np.asarray(recoded, dtype=np.int64)
    if n == 0:
        return DistinctRows(combined, [])
    first = first_appearances(combined)
    columns_at_first = [
        (column, [texts[c] if c >= 0 else None for c in codes[first].tolist()])
        for column, codes, texts in per_column
    ]
    cells = [{column: values[k] for column, values in columns_at_first} for k in range(len(first))]
    return DistinctRows(combined, cells)


def pair_codes(
    first: np.ndarray | Sequence[object], second: np.ndarray | Sequence[object]
) -> tuple[np.ndarray, list[tuple[object, object]]]:
    """Per row, the code of its (first, second) pair of cells, and the distinct pairs in order
    of first appearance (None for an empty cell); the cells as they are, not cleaned (a file
    and sheet name, say)."""
    first_codes, firsts = pd.factorize(np.asarray(first, dtype=object), use_na_sentinel=True)
    second_codes, seconds = pd.factorize(np.asarray(second, dtype=object), use_na_sentinel=True)
    stride = len(seconds) + 1  # -1 (empty) becomes 0 on either side
    combined = (np.asarray(first_codes, dtype=np.int64) + 1) * stride + (
        np.asarray(second_codes, dtype=np.int64) + 1
    )
    codes, keys = pd.factorize(combined)
    named_first = [None, *firsts]
    named_second = [None, *seconds]
    pairs = [
        (named_first[a], named_second[b])
        for a, b in (divmod(int(k), stride) for k in keys.tolist())
    ]
    return np.asarray(codes, dtype=np.int64), pairs


def take(values: Sequence[Any], codes: np.ndarray) -> np.ndarray:
    """``values[codes]`` as an object array (values may be objects numpy would unpack)."""
    array = np.empty(len(values), dtype=object)
    for k, value in enumerate(values):
        array[k] = value
    out: np.ndarray = array[codes]
    return out
