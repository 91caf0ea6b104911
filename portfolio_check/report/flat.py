"""Tables too large for a worksheet, written beside the workbook as CSV or Parquet.

Columns arrive dictionary-coded (:class:`Coded`: an integer code per row into a list of
distinct values), which is how the pipeline holds them anyway: a verdict's status and reason
are one value per distinct security, an input column one value per distinct cell text. So a
million rows are written without a Python object per cell:

* Parquet (when pyarrow is installed): Arrow dictionary arrays, written as Parquet's own
  dictionary encoding; types kept (the row number is an integer).
* CSV: pyarrow's writer when installed, else the ``csv`` module; UTF-8 with a byte-order mark
  so that Excel reads Chinese names correctly. A text that a spreadsheet would run as a
  formula (starting with ``=``, ``+``, ``@``, or ``-`` when it is not a number) is written with a
  leading apostrophe, the usual guard against formula injection through CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMATS = ("auto", "csv", "parquet")
# Rows handed to the csv module at a time (bounded memory for the fallback writer).
CSV_CHUNK_ROWS = 50_000
_FORMULA_START = ("=", "+", "@", "\t", "\r")
_NUMBER = re.compile(r"^-[\d.,]+$")


def pyarrow_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def choose_format(requested: str) -> str:
    """``auto`` -> Parquet when pyarrow is installed, else CSV; ``csv``/``parquet`` as asked."""
    if requested not in FORMATS:
        raise ValueError(f"table format {requested!r} is not one of {', '.join(FORMATS)}")
    if requested == "auto":
        return "parquet" if pyarrow_available() else "csv"
    if requested == "parquet" and not pyarrow_available():
        raise ValueError("writing Parquet needs pyarrow (pip install pyarrow), or choose csv")
    return requested


@dataclass(frozen=True)
class Coded:
    """A column as ``values[codes[i]]`` per row; code -1 is an empty cell."""

    codes: np.ndarray
    values: list[object]
    # the values as an Arrow string array, each text once, where a reader had them so (the
    # writers then take them as they are); None: worked out from ``values``
    texts: Any = None

    @classmethod
    def from_array(cls, array: np.ndarray | pd.Series) -> Coded:
        """Code a plain column (each distinct value once)."""
        codes, uniques = pd.factorize(pd.Series(array, dtype=object), use_na_sentinel=True)
        return cls(np.asarray(codes, dtype=np.int64), list(uniques))

    def __len__(self) -> int:
        return len(self.codes)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def guard_formula(text: str) -> str:
    """The text as a spreadsheet must show it: never a formula (OWASP CSV injection)."""
    if text.startswith(_FORMULA_START) or (text.startswith("-") and not _NUMBER.match(text)):
        return "'" + text
    return text


def write_table(
    path: Path, headers: Sequence[str], columns: Sequence[Coded | np.ndarray], fmt: str
) -> Path:
    """Write the table (``columns[c]`` under ``headers[c]``) to ``path`` as ``fmt``.

    A plain ``np.ndarray`` column of integers is written as numbers; every other column as
    text. ``fmt`` is ``csv`` or ``parquet`` (see :func:`choose_format`).
    """
    return table_writer(path, headers, columns, fmt)()


def table_writer(
    path: Path, headers: Sequence[str], columns: Sequence[Coded | np.ndarray], fmt: str
) -> Callable[[], Path]:
    """:func:`write_table` in two steps: the table is prepared now, and the function returned
    writes it (and returns ``path``).

    With pyarrow the write is Arrow's alone (encoding, compression, the file), without
    Python's GIL, so a thread may run it while this one goes on; preparing on that thread
    instead made it wait for the GIL at every step while the workbook's sheets were built
    (a million-row table's 0.6 s of work took 1.5 s there).
    """
    if len(headers) != len(columns):
        raise ValueError("one header per column")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"table format {fmt!r} is not csv or parquet")
    if fmt == "parquet":
        write = _parquet_writer(headers, columns)
    elif pyarrow_available():
        write = _csv_arrow_writer(headers, columns)
    else:
        write = _csv_module_writer(headers, columns)

    def written() -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
        return path

    return written


def _arrow_columns(columns: Sequence[Coded | np.ndarray], *, guard: bool) -> list[object]:
    import pyarrow as pa

    arrays: list[object] = []
    for column in columns:
        if isinstance(column, np.ndarray) and column.dtype.kind in "iu":
            arrays.append(pa.array(column))
            continue
        coded = column if isinstance(column, Coded) else Coded.from_array(column)
        if coded.texts is not None and not guard:
            dictionary, lookup = coded.texts, None
        else:
            dictionary, lookup = _distinct_texts(coded.values, guard=guard)
        # a row's code through the values' own codes; -1 (an empty cell) stays empty
        row_codes = coded.codes.astype(np.int32) if lookup is None else lookup[coded.codes]
        indices = pa.array(row_codes, mask=row_codes < 0, type=pa.int32())
        # every text column dictionary-coded, whatever its data: a report's columns keep one
        # type from file to file (pandas reads them as categories)
        arrays.append(pa.DictionaryArray.from_arrays(indices, dictionary))
    return arrays


def _distinct_texts(values: Sequence[object], *, guard: bool) -> tuple[object, np.ndarray | None]:
    """The distinct texts of ``values`` as an Arrow array, and each value's position in it
    (with -1 for an empty value and one more -1 at the end, for the rows' empty code), or None
    when the values are those texts already, in order.

    The work is per distinct value, and Arrow's where it can be: a million-row table's columns
    were rendered, re-coded and converted in Python (0.47 s of the GIL, while the workbook's
    sheets were built on the main thread). Values that are all text (or None) go to Arrow as
    they are; any other value (a date, a number) is rendered first. Two values may give one
    text (a date and its ISO string, two cells that differ only in type): Arrow codes the
    texts again, so that the dictionary holds each text once.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    texts: Any
    if guard:
        texts = pa.array(
            [guard_formula(t) if (t := _text(v)) is not None else None for v in values],
            type=pa.string(),
        )
    else:
        # Arrow infers the type: "string" (or "null": all empty) only when every value is a
        # str or None; bytes, dates, numbers or a mix are rendered as _text renders them
        try:
            texts = pa.array(values, from_pandas=False)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            texts = None
        if texts is None or not (pa.types.is_string(texts.type) or pa.types.is_null(texts.type)):
            texts = pa.array([_text(v) for v in values], type=pa.string())
        else:
            texts = texts.cast(pa.string())
    encoded = texts.dictionary_encode()
    distinct = encoded.dictionary
    if len(distinct) == len(values) and encoded.null_count == 0:
        return distinct, None  # each value its own text: the codes stand as they are
    positions = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return distinct, np.append(positions.astype(np.int32), np.int32(-1))


def _parquet_writer(
    headers: Sequence[str], columns: Sequence[Coded | np.ndarray]
) -> Callable[[Path], None]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(_arrow_columns(columns, guard=False), names=list(headers))
    # Min/max statistics of the text columns cost more than the rest of the write (2.1 s
    # against 0.8 s for a million rows of 28 columns) and serve no one reading a report's
    # table; the number columns keep theirs.
    numbers = [f.name for f in table.schema if not pa.types.is_dictionary(f.type)]

    def write(path: Path) -> None:
        pq.write_table(table, str(path), write_statistics=numbers)

    return write


def _csv_arrow_writer(
    headers: Sequence[str], columns: Sequence[Coded | np.ndarray]
) -> Callable[[Path], None]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    # the header row follows the body's rule: a header "=1+1" is text, not a formula
    names = [guard_formula(h) for h in headers]
    table = pa.table(_arrow_columns(columns, guard=True), names=names)

    def write(path: Path) -> None:
        # Arrow's own file (not a Python one, which would take the GIL for every block)
        with pa.OSFile(str(path), "wb") as sink:
            sink.write("\ufeff".encode())
            pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))

    return write


def _csv_module_writer(
    headers: Sequence[str], columns: Sequence[Coded | np.ndarray]
) -> Callable[[Path], None]:
    prepared: list[np.ndarray] = []
    for column in columns:
        if isinstance(column, np.ndarray) and column.dtype.kind in "iu":
            prepared.append(column)
            continue
        coded = column if isinstance(column, Coded) else Coded.from_array(column)
        texts = [guard_formula(t) if (t := _text(v)) is not None else "" for v in coded.values]
        lookup = np.array([*texts, ""], dtype=object)
        prepared.append(lookup[coded.codes])  # code -1 takes the trailing ""
    rows = len(prepared[0]) if prepared else 0

    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([guard_formula(h) for h in headers])  # the body's rule, header too
            for start in range(0, rows, CSV_CHUNK_ROWS):
                chunk = [column[start : start + CSV_CHUNK_ROWS].tolist() for column in prepared]
                writer.writerows(zip(*chunk, strict=True))

    return write
