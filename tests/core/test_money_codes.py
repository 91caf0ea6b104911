"""Each row's currency, worked out per distinct cell and per table (money.row_currencies), is
the per-row rule: the cell's currency code, else its table's header currency, else None."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_check.money import coded_row_currencies, currency_code, row_currencies

CELLS = st.sampled_from(
    [None, float("nan"), "", "  ", "usd", " HKD ", "RMB", "港元", "人民币", "xx", "US$", "EUR"]
)
FILES = st.sampled_from(["a.csv", "b.xlsx", None])
SHEETS = st.sampled_from(["csv", "Sheet1", "Holdings"])
HEADERS = st.dictionaries(
    st.tuples(st.sampled_from(["a.csv", "b.xlsx"]), SHEETS),
    st.sampled_from(["USD", "EUR", "JPY", None]),
)


def per_row(
    cells: list[object],
    files: list[str | None],
    sheets: list[str],
    headers: dict[tuple[str, str], str | None],
) -> list[str | None]:
    out: list[str | None] = []
    for cell, file, sheet in zip(cells, files, sheets, strict=True):
        code = currency_code(cell)
        out.append(code if code is not None else headers.get((file, sheet)))  # type: ignore[arg-type]
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CELLS, FILES, SHEETS), max_size=60), HEADERS)
def test_row_currencies_follow_the_per_row_rule(
    rows: list[tuple[object, str | None, str]], headers: dict[tuple[str, str], str | None]
) -> None:
    cells = [c for c, _, _ in rows]
    files = [f for _, f, _ in rows]
    sheets = [s for _, _, s in rows]
    want = per_row(cells, files, sheets, headers)
    assert row_currencies(cells, files, sheets, headers) == want  # type: ignore[arg-type]
    codes, labels = coded_row_currencies(cells, files, sheets, headers)  # type: ignore[arg-type]
    assert [labels[c] if c >= 0 else None for c in codes.tolist()] == want
    assert labels == sorted(set(labels))  # each currency once
