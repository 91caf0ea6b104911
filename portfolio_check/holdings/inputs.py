"""The original cells of each position, kept column-wise.

Every position keeps its input row (``positions["input"]``: header text -> cell text), which the
report and the JSON contract show beside the verdict. A dict per row costs about 650 bytes for
a dozen columns, so a million-row file would spend most of its memory on them. Instead a
table's cells are kept once, one array per column (:class:`InputBlock`, sharing the cell
strings with the rest of the reader's output), and each position holds a two-slot view of its
row (:class:`InputRow`) that reads like the dict it replaces: ``row["Quantity"]``,
``row.get(...)``, ``dict(row)``, iteration in column order, equality with a dict. Pickled or
deep-copied, a view becomes a plain dict.

The mapping's contents follow the reader's rule: a column with a header text is always present
(``""`` where its cell is empty); a column without one only where its cell has text.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd


class InputBlock:
    """One table's original cells for its positions: ``columns[c][i]`` is position ``i``'s cell.

    ``keys`` are the column keys (header texts made unique), ``named[c]`` whether column ``c``
    had a header text; cells are ``str`` or ``None``.
    """

    __slots__ = ("_index", "codes", "columns", "keys", "named", "texts")

    def __init__(
        self,
        keys: Sequence[str],
        columns: Sequence[np.ndarray],
        named: Sequence[bool],
        codes: Mapping[str, tuple[np.ndarray, list[object]]] | None = None,
        texts: Mapping[str, Any] | None = None,
    ) -> None:
        if not (len(keys) == len(columns) == len(named)):
            raise ValueError("keys, columns and named must have one entry per column")
        self.keys = list(keys)
        self.columns = [np.asarray(column, dtype=object) for column in columns]
        self.named = list(named)
        self._index = {key: c for c, key in enumerate(self.keys)}
        # what the reader knew of a column's distinct cells (its Grid.factors for these rows):
        # per row a code (-1: empty) into the cells, so a writer need not factorise it again
        self.codes = dict(codes or {})
        # and, for some of those, the cells as an Arrow string array, each text once
        self.texts = dict(texts or {})

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def rows(self) -> list[InputRow]:
        """A view per position, in order."""
        return [InputRow(self, i) for i in range(len(self))]

    def column(self, key: str, rows: np.ndarray | None = None) -> np.ndarray:
        """The values that the rows' mappings give for ``key`` (``None`` where a row has
        none), for every position or for those at ``rows``."""
        c = self._index[key]
        values = self.columns[c] if rows is None else self.columns[c][rows]
        if not self.named[c]:
            return values.copy() if rows is None else values
        out = values.copy() if rows is None else values
        out[pd.isna(out)] = ""  # a named column's empty cell reads as ""
        return out

    def coded(self, key: str) -> tuple[np.ndarray, list[object]] | None:
        """:meth:`column` as the reader coded it (codes into cells), None where it did not."""
        if key not in self.codes:
            return None
        codes, cells = self.codes[key]
        if self.named[self._index[key]]:  # a named column's empty cell reads as ""
            return np.where(codes < 0, len(cells), codes), [*cells, ""]
        return codes, cells

    def coded_texts(self, key: str) -> Any | None:
        """The cells of :meth:`coded` as an Arrow string array (each text once), where the
        reader gave them; None otherwise."""
        texts = self.texts.get(key)
        if texts is None or key not in self.codes:
            return None
        if self.named[self._index[key]]:  # as coded(): the empty cell's "" after the cells
            import pyarrow as pa

            return pa.concat_arrays([texts, pa.array([""], type=pa.string())])
        return texts


class InputRow(Mapping[str, str]):
    """One position's input row: a read-only mapping over its :class:`InputBlock`."""

    __slots__ = ("block", "i")

    def __init__(self, block: InputBlock, i: int) -> None:
        self.block = block
        self.i = i

    def __getitem__(self, key: str) -> str:
        block = self.block
        c = block._index[key]  # KeyError for an unknown column
        value = block.columns[c][self.i]
        if isinstance(value, str):
            return value
        if block.named[c]:
            return ""
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        i = self.i
        for key, column, named in zip(
            self.block.keys, self.block.columns, self.block.named, strict=True
        ):
            if named or isinstance(column[i], str):
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple[Any, ...]:
        # pickling or deep-copying one row must not carry the whole table along
        return (dict, (dict(self),))


def input_columns(rows: Iterable[Mapping[str, str]]) -> list[str]:
    """Every key of the rows' mappings, in first-seen order (each block's keys looked at once)."""
    seen: dict[str, None] = {}
    if isinstance(rows, Sequence) and rows and set(map(type, rows)) == {InputRow}:
        # views only (a reader's rows): each block once, found by C loops over the rows
        views = cast(Sequence[InputRow], rows)
        for block in dict.fromkeys(map(_BLOCK, views)):
            _block_columns(block, seen)
        return list(seen)
    blocks: set[int] = set()
    for row in rows:
        if isinstance(row, InputRow):
            block = row.block
            if id(block) not in blocks:
                blocks.add(id(block))
                _block_columns(block, seen)
            continue
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


def _block_columns(block: InputBlock, seen: dict[str, None]) -> None:
    for key, column, named in zip(block.keys, block.columns, block.named, strict=True):
        # cells are str or None: a column without a header counts where it has text
        if named or bool(pd.notna(column).any()):
            seen.setdefault(key, None)


def input_table(rows: Sequence[Mapping[str, str]], keys: Sequence[str]) -> dict[str, np.ndarray]:
    """``row.get(key)`` for each row and key, column-wise where the rows are views of blocks.

    One pass over the rows groups the views by block; each block's columns are then taken with
    array indexing, so a million rows cost a fraction of a second per column, not a dict look-up
    per cell.
    """
    n = len(rows)
    out = {key: np.full(n, None, dtype=object) for key in keys}
    views = np.fromiter((type(row) is InputRow for row in rows), dtype=bool, count=n)
    at_views = np.flatnonzero(views)
    if len(at_views):
        view_rows = cast(
            list[InputRow], [rows[i] for i in at_views.tolist()] if len(at_views) < n else rows
        )
        blocks = list(map(_BLOCK, view_rows))
        index = np.fromiter(map(_POSITION, view_rows), dtype=np.int64, count=len(view_rows))
        if len(view_rows) == n and _one_block_in_order(blocks, index):
            # the usual case, one table read in order: its columns are the answer
            only = blocks[0]
            return {key: only.column(key) if key in only._index else out[key] for key in keys}
        block_codes, _ = pd.factorize(np.fromiter(map(id, blocks), dtype=np.int64))
        firsts = np.unique(block_codes, return_index=True)[1]
        for code, first in enumerate(firsts.tolist()):
            block: InputBlock = blocks[first]
            mine = np.flatnonzero(block_codes == code)
            at, take = at_views[mine], index[mine]
            for key in keys:
                if key in block._index:
                    out[key][at] = block.column(key, take)
    for number in np.flatnonzero(~views).tolist():
        row = rows[number]
        for key in keys:
            out[key][number] = row.get(key)
    return out


def input_codes(
    rows: Sequence[Mapping[str, str]], keys: Sequence[str]
) -> dict[str, tuple[np.ndarray, list[object], Any | None]] | None:
    """For rows that are one block read in order: each key's codes and cells (as
    :func:`input_table` would give them, coded), and the cells as Arrow strings where the
    reader gave them (else None), where the reader coded the column; None when the rows are
    not one block in order."""
    block = _whole_block(rows)
    if block is None:
        return None
    return {
        key: (*coded, block.coded_texts(key))
        for key in keys
        if (coded := block.coded(key)) is not None
    }


def _whole_block(rows: Sequence[Mapping[str, str]]) -> InputBlock | None:
    """The block whose every row ``rows`` are, in order; None for any other rows."""
    # map and attrgetter loop in C: a report's million rows are looked at in half the time
    if not rows or set(map(type, rows)) != {InputRow}:
        return None
    views = cast(list[InputRow], rows)
    blocks = list(map(_BLOCK, views))
    index = np.fromiter(map(_POSITION, views), dtype=np.int64, count=len(views))
    return blocks[0] if _one_block_in_order(blocks, index) else None


_BLOCK = operator.attrgetter("block")
_POSITION = operator.attrgetter("i")


def _one_block_in_order(blocks: Sequence[InputBlock], index: np.ndarray) -> bool:
    first = blocks[0]
    return (
        len(first) == len(index)
        and blocks.count(first) == len(blocks)  # by identity: a block has no __eq__
        and bool((index == np.arange(len(index))).all())
    )
