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
    out: list[str | None] = []
    memo: dict[object, str | None] = {}
    for cell, file, sheet in zip(cells, files, sheets, strict=True):
        if cell not in memo:
            memo[cell] = currency_code(cell)
        code = memo[cell]
        out.append(code if code is not None else header_currency.get((file, sheet)))
    return out
