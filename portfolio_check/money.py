"""Currencies of market values: from a currency cell or the market value column's header.

A report must never add USD to HKD, so each position's market value carries its currency: the
row's currency cell when it is an ISO 4217 code, else the code its table's market value header
names ("Market Value (USD)", "MV HKD"), else unknown (None). The ISO 4217 list comes from
pycountry rather than a hand-kept table.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from portfolio_check.distinct import pair_codes

# Common words for currencies in holdings exports that are not their ISO code.
_CURRENCY_WORDS = {
    "US$": "USD",
    "US DOLLAR": "USD",
    "HK$": "HKD",
    "RMB": "CNY",
    "港元": "HKD",
    "港币": "HKD",
    "港幣": "HKD",
    "人民币": "CNY",
    "人民幣": "CNY",
    "美元": "USD",
}
_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


@functools.cache
def iso_codes() -> frozenset[str]:
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def currency_code(text: object) -> str | None:
    """The ISO 4217 code a currency cell gives (``usd``, ``HKD``, ``RMB``, ``港元``), or None."""
    if not isinstance(text, str):
        return None
    cleaned = text.strip().upper()
    if cleaned in iso_codes():
        return cleaned
    return _CURRENCY_WORDS.get(cleaned) or _CURRENCY_WORDS.get(text.strip())


def currency_of_header(header: str) -> str | None:
    """The one currency a column header names ("Market Value (USD)"); None for none or two."""
    found = {code for code in _CODE.findall(header) if code in iso_codes()}
    found |= {code for word, code in _CURRENCY_WORDS.items() if word in header}
    return next(iter(found)) if len(found) == 1 else None


def row_currencies(
    cells: Sequence[object],
    files: Sequence[str],
    sheets: Sequence[str],
    header_currency: Mapping[tuple[str, str], str | None],
) -> list[str | None]:
    """Each row's currency: its cell's code, else its table's header currency, else None."""
    codes, labels = coded_row_currencies(cells, files, sheets, header_currency)
    out: list[str | None] = np.array([*labels, None], dtype=object)[codes].tolist()
    return out


def coded_row_currencies(
    cells: Sequence[object] | np.ndarray,
    files: Sequence[str] | np.ndarray,
    sheets: Sequence[str] | np.ndarray,
    header_currency: Mapping[tuple[str, str], str | None],
    *,
    tables: tuple[np.ndarray, list[tuple[object, object]]] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """:func:`row_currencies` as a code per row into the currencies found (-1: None), worked
    out once per distinct cell and per distinct file and sheet, not once per row. ``tables``
    may be :func:`.distinct.pair_codes` of the files and sheets, worked out already."""
    n = len(cells)
    cell_codes, cell_texts = pd.factorize(np.asarray(cells, dtype=object), use_na_sentinel=True)
    per_cell = [currency_code(t) for t in cell_texts]
    labels = sorted(
        {c for c in per_cell if c is not None}
        | {c for c in header_currency.values() if c is not None}
    )
    at = {label: k for k, label in enumerate(labels)}
    # the cell's code (the last slot: an empty cell)
    by_cell = np.array([at[c] if c is not None else -1 for c in per_cell] + [-1], dtype=np.int64)
    # the table's header currency, per (file, sheet) present (a row without file or sheet,
    # in a caller's frame, has no header to read)
    table_codes, pairs = tables if tables is not None else pair_codes(files, sheets)
    by_table = np.array(
        [
            at[found]
            if isinstance(file, str)
            and isinstance(sheet, str)
            and (found := header_currency.get((file, sheet))) is not None
            else -1
            for file, sheet in pairs
        ],
        dtype=np.int64,
    )
    codes = by_cell[np.asarray(cell_codes, dtype=np.int64)] if n else np.zeros(0, np.int64)
    missing = codes < 0
    if missing.any():
        codes[missing] = by_table[table_codes[missing]]
    return codes, labels
