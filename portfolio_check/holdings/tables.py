"""Finding the holdings table in a sheet and classifying every row of it.

Pure functions, no I/O: a reader turns a sheet (xlsx, csv, later xls/ods) into a :class:`Grid`
of display texts with the row numbers a person sees; :func:`analyse_grid` finds the header,
maps columns to roles and gives every non-blank row exactly one class: a position, or one of
:class:`~portfolio_check.model.RowClass`.

Steps
1. Header: score the first rows (many short text cells, known header words, data-like rows
   below); merge a second header row (bilingual or two-level headers).
2. Roles: header words and column contents (:mod:`.roles`).
3. Rows, vectorised over columns: identity (a name or a code), amounts (quantity / market
   value), totals, cash, repeated headers; the table ends at its last row with an amount or a
   position, and what follows is footer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portfolio_check.holdings.cells import (
    CURRENCY_CODES,
    CURRENCY_NAMES,
    is_isin,
    is_ticker,
    looks_like_code,
    looks_numeric,
    parse_numbers,
)
from portfolio_check.holdings.roles import (
    AMOUNT_ROLES,
    CODE_ROLES,
    Role,
    RoleChoice,
    assign_roles,
    header_scores,
    is_header_word,
)
from portfolio_check.model import RowClass

# How many non-blank rows from the top of a sheet may hold the header.
HEADER_SCAN_ROWS = 60
# Rows below a header candidate that are looked at to see whether data follows.
DATA_LOOKAHEAD = 5
# Rows below the header sampled to recognise column contents.
CONTENT_SAMPLE_ROWS = 500
# A header cell longer than this is prose (a title or a disclaimer), not a column name.
MAX_HEADER_TEXT = 60
# A name longer than this is prose (a disclaimer in the name column), not a security's name.
MAX_NAME_LENGTH = 150
# A row repeating the header: this share of its cells equal the header's cells.
REPEATED_HEADER_SHARE = 0.6
# Minimum header score to accept a table (two known header words and a third text cell).
MIN_HEADER_SCORE = 7.0


@dataclass(frozen=True)
class Grid:
    """One sheet's non-blank rows as display text.

    ``cells`` has positional columns 0..n-1 (object dtype: ``str`` or ``None``);
    ``rows[i]`` is the row number a person sees for ``cells.iloc[i]`` (Excel row or CSV line).
    """

    sheet: str
    cells: pd.DataFrame
    rows: np.ndarray

    @classmethod
    def from_rows(cls, sheet: str, rows: Sequence[tuple[int, Sequence[str | None]]]) -> Grid:
        """Build from (row number, display texts); blank rows are dropped here."""
        kept = [(n, list(vals)) for n, vals in rows if any(v is not None for v in vals)]
        width = max((len(v) for _, v in kept), default=0)
        data = [v + [None] * (width - len(v)) for _, v in kept]
        cells = pd.DataFrame(data, columns=range(width), dtype=object)
        if width == 0:
            cells = pd.DataFrame(index=range(len(kept)), dtype=object)
        numbers = np.array([n for n, _ in kept], dtype=np.int64)
        return cls(sheet, cells, numbers)

    def __len__(self) -> int:
        return len(self.rows)

    def row_values(self, i: int) -> list[str | None]:
        return [v if isinstance(v, str) else None for v in self.cells.iloc[i].tolist()]


@dataclass(frozen=True)
class Table:
    """A holdings table found in a grid."""

    header_index: tuple[int, ...]  # grid indices of the header row(s)
    headers: tuple[str, ...]  # per column: header text (rows joined with " / "), "" if none
    roles: tuple[RoleChoice, ...]

    def column(self, role: Role) -> int | None:
        for ch in self.roles:
            if ch.role is role:
                return ch.column
        return None


@dataclass
class GridResult:
    """Every non-blank row of a grid classified; positions carry their parsed amounts."""

    table: Table | None
    classes: list[RowClass | None]  # per grid row; None = position
    quantity: np.ndarray
    market_value: np.ndarray
    junk: dict[Role, np.ndarray] = field(default_factory=dict)

    @property
    def position_mask(self) -> np.ndarray:
        return np.array([c is None for c in self.classes], dtype=bool)


# --------------------------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------------------------


def _is_text_cell(v: str | None) -> bool:
    return v is not None and len(v) <= MAX_HEADER_TEXT and not looks_numeric(v)


def _data_like(row: list[str | None], header_cols: set[int]) -> bool:
    """A row that fills several of the header's columns (a record, not a title or a note)."""
    filled = [c for c, v in enumerate(row) if v is not None]
    in_header = sum(1 for c in filled if c in header_cols)
    return in_header >= max(2, int(0.4 * len(header_cols)))


def header_score(grid: Grid, i: int) -> float:
    """How much grid row ``i`` looks like the header of a holdings table."""
    row = grid.row_values(i)
    texts = [v for v in row if v is not None and _is_text_cell(v)]
    if len(texts) < 2:
        return 0.0
    numbers = sum(1 for v in row if v is not None and looks_numeric(v))
    codes = sum(1 for v in row if v is not None and (is_isin(v) or is_ticker(v)))
    role_scores: dict[Role, float] = {}
    known = 0
    for v in texts:
        s = header_scores(v)
        for r, sc in s.items():
            role_scores[r] = max(role_scores.get(r, 0.0), sc)
        if is_header_word(v):
            known += 1
    if known < 2:
        return 0.0
    score = 2.0 * known + len(texts) - 3.0 * numbers - 3.0 * codes
    # Identity and amounts make a holdings table.
    if any(r in role_scores for r in (Role.NAME, *CODE_ROLES)):
        score += 3.0
    if any(r in role_scores for r in AMOUNT_ROLES):
        score += 2.0
    header_cols = {c for c, v in enumerate(row) if v is not None}
    below = range(i + 1, min(i + 1 + DATA_LOOKAHEAD, len(grid)))
    if below:
        share = sum(_data_like(grid.row_values(j), header_cols) for j in below) / len(below)
        score += 4.0 * share
    return score


def _second_header_row(grid: Grid, i: int) -> bool:
    """Row ``i`` continues a header: all text, known words, no codes (bilingual / two-level)."""
    if i >= len(grid):
        return False
    row = grid.row_values(i)
    filled = [v for v in row if v is not None]
    if len(filled) < 2:
        return False
    if any(looks_numeric(v) or is_isin(v) or is_ticker(v) for v in filled):
        return False
    known = sum(1 for v in filled if is_header_word(v))
    return known >= max(2, len(filled) // 2)


def find_header(grid: Grid, start: int = 0) -> tuple[int, ...] | None:
    """Grid indices of the header row(s) of the first table at or after ``start``."""
    best_i, best = -1, 0.0
    for i in range(start, min(start + HEADER_SCAN_ROWS, len(grid))):
        s = header_score(grid, i)
        if s > best:
            best_i, best = i, s
    if best < MIN_HEADER_SCORE:
        return None
    if best_i > start and _second_header_row(grid, best_i - 1):
        return (best_i - 1, best_i)
    if _second_header_row(grid, best_i + 1):
        return (best_i, best_i + 1)
    return (best_i,)


def _header_texts(grid: Grid, header_index: tuple[int, ...]) -> list[list[str | None]]:
    rows = [grid.row_values(i) for i in header_index]
    width = grid.cells.shape[1]
    return [[r[c] if c < len(r) else None for r in rows] for c in range(width)]


def build_table(grid: Grid, header_index: tuple[int, ...]) -> Table:
    per_column = _header_texts(grid, header_index)
    first_body = header_index[-1] + 1
    sample = grid.cells.iloc[first_body : first_body + CONTENT_SAMPLE_ROWS]
    samples = [
        [v if isinstance(v, str) else None for v in sample[c].tolist()]
        for c in range(grid.cells.shape[1])
    ]
    roles = assign_roles(per_column, samples)
    headers = tuple(" / ".join(t for t in texts if t) for texts in per_column)
    return Table(header_index, headers, tuple(roles))


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

_TOTAL_WORDS = re.compile(
    r"^\s*(?:grand\s*total|total|totals|net\s+assets?|top\s+level|portfolio\s+total)\b"
    r"|\btotal\s*[:：]?\s*$|^(?:合計|合计|總計|总计|總額|总额|總值|总值)",
    re.IGNORECASE,
)
_SUBTOTAL_WORDS = re.compile(r"^\s*sub[\s\-]*totals?\b|^(?:小計|小计)", re.IGNORECASE)
# Whole-cell texts that mark a cash / FX line (asset class, sort key, long/short group).
_CASH_CELLS = frozenset(
    {
        "cash",
        "cash long",
        "cash short",
        "cash and equivalents",
        "cash & equivalents",
        "cash and cash equivalents",
        "cash equivalents",
        "cash collateral and margins",
        "cash collateral",
        "fx",
        "fx forward",
        "foreign exchange forward",
        "foreign exchange spot",
        "currency forward",
        "forward fx",
        "fx spot",
        "currency",
        "margin cash",
        "現金",
        "现金",
        "現金及等價物",
        "现金及等价物",
    }
)
_CASH_NAME = re.compile(
    r"^(?:\{(?:cash|accrual)\}\s*[A-Z]{3}|[A-Z]{3}\s+cash|cash\s+[A-Z]{3}|cash(?:\s+at\s+bank)?|"
    r"[A-Z]{3}\s*/\s*[A-Z]{3}|現金|现金)$",
    re.IGNORECASE,
)


def _column(grid: Grid, c: int | None, rows: slice) -> pd.Series:
    if c is None:
        return pd.Series([None] * (rows.stop - rows.start), dtype=object)
    return grid.cells[c].iloc[rows].reset_index(drop=True)


def _text_mask(series: pd.Series, pattern: re.Pattern[str]) -> np.ndarray:
    s = series.where(series.notna(), "").astype(str)
    return s.str.contains(pattern.pattern, regex=True, flags=pattern.flags).to_numpy(dtype=bool)


def _any_cell(body: pd.DataFrame, predicate: object) -> np.ndarray:
    """Per row: does any cell satisfy ``predicate`` (vectorised per column)."""
    out = np.zeros(len(body), dtype=bool)
    for c in body.columns:
        col = body[c]
        if col.isna().all():
            continue
        out |= predicate(col)  # type: ignore[operator]
    return out


def _cash_cell(col: pd.Series) -> np.ndarray:
    s = col.where(col.notna(), "").astype(str).str.strip().str.lower()
    return s.isin(_CASH_CELLS).to_numpy(dtype=bool)


def _total_cell(col: pd.Series) -> np.ndarray:
    return _text_mask(col, _TOTAL_WORDS)


def _subtotal_cell(col: pd.Series) -> np.ndarray:
    return _text_mask(col, _SUBTOTAL_WORDS)


def _name_identity(col: pd.Series) -> np.ndarray:
    s = col.where(col.notna(), "").astype(str)
    has_letter = s.str.contains(r"[^\W\d_]", regex=True)
    ok_length = s.str.len().between(1, MAX_NAME_LENGTH)
    numeric = s.str.fullmatch(r"[\d\s.,()+\-]+")
    return (has_letter & ok_length & ~numeric).to_numpy(dtype=bool)


def _code_identity(col: pd.Series) -> np.ndarray:
    values = col.tolist()
    return np.array([isinstance(v, str) and looks_like_code(v) for v in values], dtype=bool)


def _is_currency(col: pd.Series) -> np.ndarray:
    s = col.where(col.notna(), "").astype(str).str.strip()
    return (s.str.upper().isin(CURRENCY_CODES) | s.str.lower().isin(CURRENCY_NAMES)).to_numpy(
        dtype=bool
    )


def _repeated_header(body: pd.DataFrame, headers: tuple[str, ...]) -> np.ndarray:
    header_cols = [c for c, h in enumerate(headers) if h]
    if not header_cols:
        return np.zeros(len(body), dtype=bool)
    equal = np.zeros(len(body), dtype=np.int64)
    for c in header_cols:
        if c >= body.shape[1]:
            continue
        parts = {p.strip().lower() for p in headers[c].split(" / ")}
        col = body[c].where(body[c].notna(), "").astype(str).str.strip().str.lower()
        equal += col.isin(parts).to_numpy(dtype=np.int64)
    return equal >= max(2, REPEATED_HEADER_SHARE * len(header_cols))


def classify(grid: Grid, table: Table) -> GridResult:
    """Classify every row of a grid against its table (vectorised over columns)."""
    n = len(grid)
    first_body = table.header_index[-1] + 1
    body_rows = slice(first_body, n)
    body = grid.cells.iloc[body_rows].reset_index(drop=True)
    m = len(body)

    amounts: dict[Role, np.ndarray] = {}
    junk: dict[Role, np.ndarray] = {}
    present = np.zeros(m, dtype=bool)
    for role in AMOUNT_ROLES:
        c = table.column(role)
        values, bad = parse_numbers(_column(grid, c, body_rows))
        amounts[role], junk[role] = values, bad
        present |= ~np.isnan(values) | bad
    has_amount_columns = any(table.column(r) is not None for r in AMOUNT_ROLES)
    any_number = present.copy()
    if not has_amount_columns:
        # an identifier list (e.g. a Bloomberg enrichment sheet): identity alone is a position
        present = np.ones(m, dtype=bool)
    quantity_col = table.column(Role.QUANTITY)
    has_quantity = (
        ~np.isnan(amounts[Role.QUANTITY]) if quantity_col is not None else np.ones(m, dtype=bool)
    )

    name_col = table.column(Role.NAME)
    identity = _name_identity(_column(grid, name_col, body_rows)).copy()
    for choice in table.roles:
        if choice.role not in CODE_ROLES:
            continue
        col = _column(grid, choice.column, body_rows)
        identity |= _code_identity(col)
        if choice.header_role is Role.NAME:
            # a "Name" column holding mostly codes (Bloomberg PORT): other text in it is a
            # security's name when the row has a quantity; otherwise a grouping row ("Long")
            identity |= _name_identity(col) & has_quantity

    total = _any_cell(body, _total_cell)
    subtotal = _any_cell(body, _subtotal_cell)
    cash = _any_cell(body, _cash_cell)
    name_or_code = _column(grid, name_col, body_rows)
    for role in (Role.IDENTIFIER, Role.TICKER):
        c = table.column(role)
        if c is not None:
            name_or_code = name_or_code.where(name_or_code.notna(), _column(grid, c, body_rows))
    cash |= _text_mask(name_or_code, _CASH_NAME) | _is_currency(name_or_code)
    repeated = _repeated_header(body, table.headers)

    position = identity & present & ~total & ~subtotal & ~cash & ~repeated
    # The table ends at its last row that is a position or carries an amount.
    ends = np.flatnonzero(position | any_number)
    end = int(ends[-1]) if len(ends) else -1

    classes: list[RowClass | None] = [RowClass.TITLE] * first_body
    for i in table.header_index:
        classes[i] = RowClass.HEADER
    for j in range(m):
        cls: RowClass | None
        if repeated[j]:
            cls = RowClass.HEADER
        elif j > end:
            cls = RowClass.TOTAL if total[j] and not _is_prose(body, j) else RowClass.FOOTER
        elif position[j]:
            cls = None
        elif subtotal[j]:
            cls = RowClass.SUBTOTAL
        elif total[j]:
            cls = RowClass.TOTAL
        elif cash[j]:
            cls = RowClass.CASH
        elif any_number[j] and not identity[j]:
            cls = RowClass.SUBTOTAL
        else:
            cls = RowClass.NOTE
        classes.append(cls)

    quantity = np.full(n, np.nan)
    market_value = np.full(n, np.nan)
    quantity[first_body:] = amounts[Role.QUANTITY]
    market_value[first_body:] = amounts[Role.MARKET_VALUE]
    full_junk = {}
    for role, mask in junk.items():
        full = np.zeros(n, dtype=bool)
        full[first_body:] = mask
        full_junk[role] = full
    return GridResult(table, classes, quantity, market_value, full_junk)


def _is_prose(body: pd.DataFrame, j: int) -> bool:
    return any(isinstance(v, str) and len(v) > MAX_NAME_LENGTH for v in body.iloc[j].tolist())


def analyse_grid(grid: Grid, *, header_index: tuple[int, ...] | None = None) -> GridResult:
    """Find the table (or use ``header_index``) and classify every row.

    With no table, every row is classified ``non-position sheet`` and ``table`` is None.
    """
    if header_index is None:
        header_index = find_header(grid)
    if header_index is None:
        n = len(grid)
        return GridResult(
            None, [RowClass.NON_POSITION_SHEET] * n, np.full(n, np.nan), np.full(n, np.nan)
        )
    table = build_table(grid, header_index)
    if not any(table.column(r) is not None for r in (Role.NAME, *CODE_ROLES)):
        n = len(grid)
        return GridResult(
            None, [RowClass.NON_POSITION_SHEET] * n, np.full(n, np.nan), np.full(n, np.nan)
        )
    return classify(grid, table)
