"""Finding the holdings tables in a sheet and classifying every row of them.

Pure functions, no I/O: a reader turns a sheet (xlsx, xls, ods, csv) into a :class:`Grid` of
display texts with the row numbers a person sees; :func:`analyse_grid` finds the tables, maps
columns to roles and gives every non-blank row exactly one class: a position, or one of
:class:`~portfolio_check.model.RowClass`.

Steps
1. Headers: score the first rows (many short text cells, known header words, data-like rows
   below); a header is a block of adjacent header rows (bilingual, two-level, or a section
   title over Chinese over English words). Further tables start at later header blocks.
2. Roles: header words and column contents (:mod:`.roles`), each table sampled on its own rows.
3. Kind: a table is *holdings*; *cash* when its section title says so (cash, deposits,
   forwards, accruals); *other* when its header shows activity (a broker, debit and credit) or
   it has neither a security code nor a quantity/market value column. A sheet without a
   holdings table is a non-position sheet.
4. Rows, vectorised over columns: identity (a name or a code), amounts, totals, cash, repeated
   headers, aggregate rows (portfolio ``All``); a security's own sub-total line takes the
   place of the detail rows around it (custodian reports); a row with only codes next to a
   position continues it (a SEDOL row, then an ISIN row). The table ends at its last row with
   an amount or a position, and what follows is footer.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from portfolio_check.distinct import take
from portfolio_check.holdings.cells import (
    CURRENCY_CODES,
    CURRENCY_NAMES,
    decimal_comma_style,
    is_cusip,
    is_isin,
    is_null_like,
    is_sedol,
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
    activity_table,
    assign_all_roles,
    column_header_scores,
    header_scores,
    is_header_word,
)
from portfolio_check.holdings.row_words import role_pattern
from portfolio_check.model import RowClass
from portfolio_check.vocabulary import vocabulary

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
# The first table's header is the topmost row scoring at least this share of the best row
# (a sheet of sections has several headers; the best one need not be the first).
HEADER_RELATIVE_SCORE = 0.5
# A header block has at most this many rows (section title, Chinese rows, English row).
MAX_HEADER_ROWS = 6
# A row continues a header block when at least this share of its cells are header words ...
HEADER_CONTINUATION_WORDS = 1 / 3
# ... and at most this share are numbers (stray cells in report headers).
HEADER_CONTINUATION_NUMBERS = 0.25
# A section title this many physical rows above a header (or inside it) names its table.
CAPTION_DISTANCE = 3
# An amount column whose header scores below this (``Amount``) does not make a holdings table.
STRONG_AMOUNT_SCORE = 2.0


class TableKind(StrEnum):
    """What a table holds."""

    HOLDINGS = "holdings"
    CASH = "cash"
    OTHER = "other"


@dataclass(frozen=True)
class Grid:
    """One sheet's non-blank rows as display text.

    ``cells`` has positional columns 0..n-1 (object dtype: ``str`` or ``None``);
    ``rows[i]`` is the row number a person sees for ``cells.iloc[i]`` (Excel row or CSV line).
    ``factors`` may hold, for some columns, what a reader already knows of their distinct
    cells: per row a code (-1: empty) into a list of cells (each ``str``; a text may appear
    more than once), so that classifying rows need not factorise a million cells again.
    ``texts`` may hold, for some of those columns, the same cells as an Arrow string array,
    each text once (Arrow's CSV reader has them so), for writers that take Arrow arrays.
    """

    sheet: str
    cells: pd.DataFrame
    rows: np.ndarray
    factors: Mapping[int, tuple[np.ndarray, list[object]]] = field(default_factory=dict)
    texts: Mapping[int, Any] = field(default_factory=dict)

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

    @classmethod
    def from_frame(cls, sheet: str, frame: pd.DataFrame, rows: np.ndarray) -> Grid:
        """Build from a frame of display texts (None = empty) and each row's number."""
        keep = frame.notna().any(axis=1).to_numpy(dtype=bool) if frame.shape[1] else rows[:0]
        cells = frame.loc[keep].reset_index(drop=True)
        filled = np.flatnonzero(cells.notna().any(axis=0).to_numpy(dtype=bool))
        width = int(filled[-1]) + 1 if len(filled) else 0
        cells = cells.iloc[:, :width]  # trailing empty columns (CSV width guesses) go
        cells.columns = pd.RangeIndex(cells.shape[1])
        return cls(sheet, cells.astype(object), np.asarray(rows)[keep].astype(np.int64))

    def __len__(self) -> int:
        return len(self.rows)

    def row_values(self, i: int) -> list[str | None]:
        return [v if isinstance(v, str) else None for v in self.cells.iloc[i].tolist()]


@dataclass(frozen=True)
class Table:
    """A table found in a grid.

    ``kind`` says what it holds and ``why`` the reason (a section title, header words);
    ``portfolio_columns`` are every column whose header names an account or fund (the chosen
    portfolio column is one of them), where an aggregate row says ``All``.
    """

    header_index: tuple[int, ...]  # grid indices of the header row(s)
    headers: tuple[str, ...]  # per column: header text (rows joined with " / "), "" if none
    roles: tuple[RoleChoice, ...]
    portfolio_columns: tuple[int, ...] = ()
    kind: TableKind = TableKind.HOLDINGS
    why: str = ""
    # the portfolio a report's parameter block names (``Portfolio | 19437``), when the table
    # itself has no portfolio column
    report_portfolio: str | None = None
    # further columns of an identity role or of the exchange (a second ticker, an issuer
    # name, a local code): read into ``more_names`` / ``more_codes``, never into ``roles``
    secondary: tuple[RoleChoice, ...] = ()
    # a caller's own table (a DataFrame): names alone make positions (see analyse_grid)
    names_suffice: bool = False

    def column(self, role: Role) -> int | None:
        for ch in self.roles:
            if ch.role is role:
                return ch.column
        return None

    def choice(self, role: Role) -> RoleChoice | None:
        return next((ch for ch in self.roles if ch.role is role), None)

    def name_like_identifier(self) -> int | None:
        """The identifier column whose header named it a name column (codes and names mixed)."""
        for ch in self.roles:
            if ch.role is Role.IDENTIFIER and ch.header_role is Role.NAME:
                return ch.column
        return None


@dataclass
class GridResult:
    """Every non-blank row of a grid classified; positions carry their parsed amounts.

    ``tables`` are the grid's tables in order (none for a non-position sheet, with the reason
    in ``note``); ``table_of[i]`` is the index in ``tables`` of the table grid row ``i``
    belongs to (-1 for rows of a sheet without a table); ``continues[i] = j`` when grid row
    ``i`` continues the position on grid row ``j`` (its codes belong to that position).
    """

    tables: list[Table]
    classes: list[RowClass | None]  # per grid row; None = position
    quantity: np.ndarray
    market_value: np.ndarray
    table_of: np.ndarray
    junk: dict[Role, np.ndarray] = field(default_factory=dict)
    continues: dict[int, int] = field(default_factory=dict)
    note: str = ""
    # per grid row, why it has its class (the row rule's reason); empty: see ``note``
    why: list[str] = field(default_factory=list)
    # per grid row, whether it is a position (``classes[i] is None``), as the classifier found
    # it; None: worked out from ``classes``
    positions: np.ndarray | None = None

    @property
    def position_mask(self) -> np.ndarray:
        if self.positions is not None:
            return self.positions.copy()
        return np.array([c is None for c in self.classes], dtype=bool)

    @property
    def has_holdings(self) -> bool:
        return any(t.kind is TableKind.HOLDINGS for t in self.tables)


@dataclass
class _Segment:
    """Classification of grid rows ``start:stop`` against one table (internal)."""

    classes: list[RowClass | None]
    why: list[str]  # per row, the reason of the rule that classed it
    positions: np.ndarray  # per row, a position (its class is None)
    quantity: np.ndarray
    market_value: np.ndarray
    junk: dict[Role, np.ndarray]
    maybe_header: np.ndarray  # rows with no amount that do not repeat the header
    repeated: np.ndarray  # rows that repeat (some of) the header
    continues: dict[int, int]  # grid row -> grid row of the position it continues


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
    if len(texts) == 1 and sum(v is not None for v in row) == 1:
        return _single_column_header_score(grid, i, row, texts[0])
    if len(texts) < 2:
        return 0.0
    if any(v is not None and is_isin(v) for v in row):
        return 0.0  # a header never holds an ISIN: this is a record
    numbers = sum(1 for v in row if v is not None and looks_numeric(v))
    codes = sum(1 for v in row if v is not None and is_ticker(v))
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


def _single_column_header_score(grid: Grid, i: int, row: list[str | None], text: str) -> float:
    """A one-column list under an identifier header ("ISIN" over ISINs): a minimal table."""
    if max((sc for r, sc in header_scores(text).items() if r in CODE_ROLES), default=0.0) < 3:
        return 0.0
    c = next(k for k, v in enumerate(row) if v is not None)
    below = [grid.row_values(j) for j in range(i + 1, min(i + 1 + DATA_LOOKAHEAD, len(grid)))]
    cells = [r[c] if c < len(r) else None for r in below]
    coded = sum(1 for v in cells if v is not None and looks_like_code(v))
    return MIN_HEADER_SCORE if below and coded >= 0.6 * len(below) else 0.0


def _header_continuation(grid: Grid, i: int) -> bool:
    """Row ``i`` can belong to a header block: short texts, many header words, no codes.

    Bilingual and two-level headers, and the Chinese rows over an English header row in
    trustee reports (which carry a stray number or date now and then).
    """
    if i < 0 or i >= len(grid):
        return False
    filled = [v for v in grid.row_values(i) if v is not None]
    if len(filled) < 2 or any(len(v) > MAX_HEADER_TEXT for v in filled):
        return False
    if any(is_isin(v) or is_ticker(v) for v in filled):
        return False
    numbers = sum(1 for v in filled if looks_numeric(v))
    if numbers > HEADER_CONTINUATION_NUMBERS * len(filled):
        return False
    known = sum(1 for v in filled if is_header_word(v))
    return known >= max(2.0, HEADER_CONTINUATION_WORDS * (len(filled) - numbers))


def _adjacent(grid: Grid, i: int, j: int) -> bool:
    """Grid rows ``i`` < ``j`` are next to each other in the sheet (no row between)."""
    return 0 <= i < j < len(grid) and int(grid.rows[j]) - int(grid.rows[i]) == 1


def header_candidates(grid: Grid, start: int = 0) -> list[tuple[int, ...]]:
    """Header blocks that may start a table, top first, from the rows at or after ``start``.

    A row qualifies when it scores at least ``MIN_HEADER_SCORE`` and half the best score in
    the scanned rows; adjacent header rows above and below join its block.
    """
    scores = [
        (i, header_score(grid, i)) for i in range(start, min(start + HEADER_SCAN_ROWS, len(grid)))
    ]
    best = max((sc for _, sc in scores), default=0.0)
    if best < MIN_HEADER_SCORE:
        return []
    floor = max(MIN_HEADER_SCORE, HEADER_RELATIVE_SCORE * best)
    out: list[tuple[int, ...]] = []
    last = start - 1
    for i, sc in scores:
        if sc >= floor and i > last:
            rows = _header_rows_at(grid, i, last)
            out.append(rows)
            last = rows[-1]
    return out


def _header_rows_at(grid: Grid, i: int, floor: int) -> tuple[int, ...]:
    """Row ``i`` as a header, with the adjacent header rows above (after ``floor``) and below."""
    rows = [i]
    while (
        len(rows) < MAX_HEADER_ROWS
        and rows[0] - 1 > floor
        and _adjacent(grid, rows[0] - 1, rows[0])
        and _header_continuation(grid, rows[0] - 1)
    ):
        rows.insert(0, rows[0] - 1)
    while (
        len(rows) < MAX_HEADER_ROWS
        and _adjacent(grid, rows[-1], rows[-1] + 1)
        and _header_continuation(grid, rows[-1] + 1)
    ):
        rows.append(rows[-1] + 1)
    return tuple(rows)


def _header_texts(grid: Grid, header_index: tuple[int, ...]) -> list[list[str | None]]:
    rows = [grid.row_values(i) for i in header_index]
    width = grid.cells.shape[1]
    return [[r[c] if c < len(r) else None for r in rows] for c in range(width)]


def _join_header(texts: Sequence[str | None]) -> str:
    """One column's header rows as one text; a merged cell repeated down is said once."""
    parts: list[str] = []
    for t in texts:
        if t and (not parts or parts[-1] != t):
            parts.append(t)
    return " / ".join(parts)


def build_table(grid: Grid, header_index: tuple[int, ...], stop: int | None = None) -> Table:
    """The table under ``header_index``; its columns are sampled from its rows up to ``stop``."""
    per_column = _header_texts(grid, header_index)
    first_body = header_index[-1] + 1
    last = first_body + CONTENT_SAMPLE_ROWS
    sample = grid.cells.iloc[first_body : min(last, stop) if stop is not None else last]
    roles, secondary = assign_all_roles(per_column, sample.to_numpy(dtype=object))
    headers = tuple(_join_header(texts) for texts in per_column)
    portfolio_columns = tuple(
        c
        for c, texts in enumerate(per_column)
        if any(texts) and Role.PORTFOLIO in column_header_scores(texts)
    )
    return Table(header_index, headers, tuple(roles), portfolio_columns, secondary=tuple(secondary))


# --------------------------------------------------------------------------------------------
# Table kinds
# --------------------------------------------------------------------------------------------

# A section title that makes a table a cash table: cash, deposits, FX forwards, accruals,
# receivables and payables are not securities to screen.
_SECTION_NUMBER = re.compile(r"^\s*(?:[IVXLC]+\s*[.)]|\(?[a-z0-9]{1,3}[.)])\s*", re.IGNORECASE)
_CASH_CAPTION = re.compile(
    r"^\s*(?:[IVXLC]+\s*[.)]|\(?[a-z0-9]{1,3}[.)])?\s*(?:" + role_pattern("cash-section") + ")",
    re.IGNORECASE,
)
# A title that also names securities is a report's title ("Cash and Securities Holdings").
_SECURITIES_CAPTION = re.compile(role_pattern("securities-section"), re.IGNORECASE)


def _caption_texts(grid: Grid, header_index: tuple[int, ...], floor: int) -> list[str]:
    """Section titles naming a table: a numbered first cell of a header row (``XI. Forwards``),
    or a title row just above the header that is numbered or stands alone in its row.

    Key-value lines of a fund information block (``Cash,-``) are not section titles.
    """
    top = header_index[0]
    texts: list[str] = []
    for i in header_index:
        first = next((v for v in grid.row_values(i) if v is not None), None)
        if first is not None and _SECTION_NUMBER.match(first):
            texts.append(first)
    j = top - 1
    while j > floor and int(grid.rows[top]) - int(grid.rows[j]) <= CAPTION_DISTANCE:
        cells = [v for v in grid.row_values(j) if v is not None]
        if cells and (len(cells) == 1 or _SECTION_NUMBER.match(cells[0])):
            texts.append(cells[0])
        j -= 1
    return texts


def _cash_caption(text: str) -> bool:
    return _CASH_CAPTION.match(text) is not None and _SECURITIES_CAPTION.search(text) is None


def _has_identity_column(table: Table) -> bool:
    return any(table.column(r) is not None for r in (Role.NAME, *CODE_ROLES))


def declare_roles(table: Table, declared: Mapping[int, Role], names_suffice: bool) -> Table:
    """The table with the caller's declared column roles in place of the guessed ones (a
    guessed role another column was declared to have is dropped)."""
    if not declared and not names_suffice:
        return table
    roles = [
        RoleChoice(c, role, 99.0, f"{table.headers[c]!r}: declared by the caller (columns=)")
        for c, role in declared.items()
        if c < len(table.headers)
    ]
    taken = {ch.role for ch in roles} | {ch.column for ch in roles}
    kept = [ch for ch in table.roles if ch.role not in taken and ch.column not in taken]
    secondary = tuple(ch for ch in table.secondary if ch.column not in taken)
    return dataclasses.replace(
        table,
        roles=tuple(sorted([*roles, *kept], key=lambda ch: ch.column)),
        secondary=secondary,
        names_suffice=names_suffice,
    )


def classify_table(grid: Grid, table: Table, floor: int) -> Table:
    """The table with its kind decided (``floor``: the last grid row of the previous table)."""
    activity = activity_table(table.headers)
    if activity is not None:
        return dataclasses.replace(table, kind=TableKind.OTHER, why=activity)
    caption = next(
        (t for t in _caption_texts(grid, table.header_index, floor) if _cash_caption(t)),
        None,
    )
    if caption is not None:
        return dataclasses.replace(table, kind=TableKind.CASH, why=f"cash (section {caption!r})")
    has_code = any(table.column(r) is not None for r in CODE_ROLES)
    strong_amount = any(
        ch.role in AMOUNT_ROLES and ch.score >= STRONG_AMOUNT_SCORE for ch in table.roles
    )
    if not _has_identity_column(table) or not (
        has_code or strong_amount or (table.names_suffice and table.column(Role.NAME) is not None)
    ):
        return dataclasses.replace(
            table,
            kind=TableKind.OTHER,
            why="a table with no security code, quantity or market value column",
        )
    return dataclasses.replace(table, kind=TableKind.HOLDINGS, why="")


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

# Total, sub-total and cash words: ``vocabularies/row_words.csv``.
_TOTAL_WORDS = re.compile(role_pattern("total"), re.IGNORECASE)
_SUBTOTAL_WORDS = re.compile(role_pattern("subtotal"), re.IGNORECASE)
# Whole-cell texts that mark a cash / FX line (asset class, sort key, long/short group), and
# portfolio cells of rows that add up all portfolios: ``vocabularies/row_cells.csv``.
_ROW_CELLS = vocabulary("row_cells.csv", ("text", "class"))
_CASH_CELLS = frozenset(
    e["text"] for e in _ROW_CELLS if e.one_of("class", ("cash", "all-portfolios")) == "cash"
)
_AGGREGATE_PORTFOLIOS = frozenset(e["text"] for e in _ROW_CELLS if e["class"] == "all-portfolios")
# Words for cash and bank balances in the languages of fund administration.
_CASH_WORDS = role_pattern("cash")
# A cash line: the word alone, or with its currency before or after it ("Cash (HKD)",
# "HKD CASH", "CASH - USD", "现金 - 港币"), or Bloomberg's currency ticker ("CNH Curncy").
_CASH_NAME = re.compile(
    rf"^(?:\{{(?:cash|accrual)\}}\s*(?P<c0>[A-Z]{{3}})"
    rf"|(?:\(?(?P<c1>[A-Z]{{3}})\)?\s*[-:/]?\s*)?(?:{_CASH_WORDS})"
    rf"(?:\s*[-:/]?\s*\(?(?P<c2>[A-Z]{{3}}|[^\W\d_]{{2,4}})\)?)?"
    rf"|(?P<c3>[A-Z]{{3}})\s+curncy"
    rf"|[A-Z]{{3}}\s*/\s*[A-Z]{{3}}"
    # a Chinese currency word glued to the cash word: "人民币现金", "港幣現金"
    rf"|(?P<c4>[^\W\d_]{{2,3}})(?:现金|現金|存款))$",
    re.IGNORECASE,
)


class _Columns:
    """The body's cells, each column factorised once: a predicate runs per distinct text of a
    column only, and a column's mask is a lookup in its codes.

    Holdings columns repeat values (asset classes, currencies, accounts), and a row of equal
    cells across (an .ods run) repeats them too; no work here is done per column in Python
    beyond indexing, so a table 16,384 columns wide costs what its cells cost. A predicate that
    holds for none of a column's distinct texts (most do: a total line, a cash name) costs no
    look-up over the column's rows at all.
    """

    def __init__(
        self,
        body: pd.DataFrame,
        known: Mapping[int, tuple[np.ndarray, list[object]]] | None = None,
    ) -> None:
        self.body = body
        self.rows, self.width = body.shape
        # Per column: its codes (-1 an empty cell) into its own texts, which sit in one array
        # of all texts at the column's base, followed by a slot for "empty" (so that code -1
        # of a column's view is that slot, and a predicate's table per column is a view).
        self._codes: list[np.ndarray]
        self._base: list[int]
        self._count: list[int]
        if known is not None and self.width and all(c in known for c in range(self.width)):
            # the reader coded every column (Grid.factors): their codes as they are
            self._codes = [known[c][0] for c in range(self.width)]
            self._count = [len(known[c][1]) for c in range(self.width)]
            self._base = np.cumsum([0, *(n + 1 for n in self._count[:-1])]).tolist()
            texts = [t for c in range(self.width) for t in (*known[c][1], None)]
        else:
            values = body.to_numpy(dtype=object)
            codes, uniques = pd.factorize(values.ravel(order="F"), use_na_sentinel=True)
            # one coding shared by every column: codes[c] is column c (contiguous)
            shared = np.asarray(codes, dtype=np.int64).reshape(self.width, self.rows)
            self._codes = list(shared)
            self._count = [len(uniques)] * self.width
            self._base = [0] * self.width
            texts = [*uniques, None]
        self._texts = np.array(texts, dtype=object)
        self._distinct: dict[int, np.ndarray] = {}
        # per predicate, per text (and each column's "empty" slot): 1, 0, or -1 not yet
        # tested; predicates are tested lazily, on the texts of the columns asked about
        self._tested: dict[Callable[[str], bool], np.ndarray] = {}

    def codes(self, c: int) -> np.ndarray:
        """Column ``c``'s codes: -1 for an empty cell, else an index into :meth:`texts`."""
        return self._codes[c]

    def texts(self, c: int) -> np.ndarray:
        """Column ``c``'s texts by code, its last slot None (what code -1 finds)."""
        return self._texts[self._base[c] : self._base[c] + self._count[c] + 1]

    def factors(self, c: int) -> tuple[np.ndarray, int]:
        """Column ``c``'s codes and how many texts they index."""
        return self._codes[c], self._count[c]

    def distinct(self, c: int) -> np.ndarray:
        """The codes of column ``c``'s distinct texts (empty left out), found once."""
        found = self._distinct.get(c)
        if found is None:
            found = self._distinct[c] = _distinct_codes(self._codes[c], self._count[c])
        return found

    def numbers(self, c: int | None, *, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
        """:func:`parse_numbers` of column ``c``, once per distinct text (a quantity column
        repeats its values)."""
        if c is None or c >= self.width:
            return parse_numbers(self.column(c), decimal_comma=decimal_comma)
        codes, wanted = self._codes[c], self.distinct(c)
        texts = pd.Series([*self.texts(c)[wanted].tolist(), None], dtype=object)
        values, junk = parse_numbers(texts, decimal_comma=decimal_comma)
        at = np.full(self._count[c] + 1, len(wanted), dtype=np.int64)  # empty: the None
        at[wanted] = np.arange(len(wanted))
        return values[at[codes]], junk[at[codes]]

    def tested(
        self, predicate: Callable[[str], bool], c: int, codes: np.ndarray | None = None
    ) -> np.ndarray:
        """The predicate per text of column ``c`` (a view indexed by its codes), tested now
        on the distinct texts of ``codes`` (default: the column's) not yet tested."""
        known = self._tested.get(predicate)
        if known is None:
            known = np.full(len(self._texts), -1, dtype=np.int8)
            known[[b + n for b, n in zip(self._base, self._count, strict=True)]] = 0  # empties
            self._tested[predicate] = known
        count = self._count[c]
        wanted = self.distinct(c) if codes is None else _distinct_codes(codes, count)
        view = known[self._base[c] : self._base[c] + count + 1]
        wanted = wanted[view[wanted] < 0]
        view[wanted] = [
            isinstance(u, str) and bool(predicate(u)) for u in self.texts(c)[wanted].tolist()
        ]
        return view

    def _hits(self, c: int, predicate: Callable[[str], bool]) -> np.ndarray | None:
        """Per row, column ``c``'s cell satisfies ``predicate``; None when no cell does."""
        table = self.tested(predicate, c)
        if not (table[self.distinct(c)] > 0).any():
            return None
        out: np.ndarray = table[self._codes[c]] > 0
        return out

    def mask(self, c: int | None, predicate: Callable[[str], bool]) -> np.ndarray:
        """Per row: the cell in column ``c`` is text satisfying ``predicate``."""
        if c is None or c >= self.width:
            return np.zeros(self.rows, dtype=bool)
        hits = self._hits(c, predicate)
        return np.zeros(self.rows, dtype=bool) if hits is None else hits

    def mask_within(
        self, c: int | None, predicate: Callable[[str], bool], rows: np.ndarray
    ) -> np.ndarray:
        """:meth:`mask` for the rows where ``rows`` is True (the predicate runs on their
        distinct values only); False elsewhere."""
        out = np.zeros(self.rows, dtype=bool)
        if c is None or c >= self.width or not rows.any():
            return out
        codes = self._codes[c][rows]
        out[rows] = self.tested(predicate, c, codes)[codes] > 0
        return out

    def any_text_cell(self, predicate: Callable[[str], bool], columns: Sequence[int]) -> np.ndarray:
        """Per row: some cell of ``columns`` is text satisfying ``predicate`` (columns where
        no distinct text does are not looked at row by row)."""
        out = np.zeros(self.rows, dtype=bool)
        for c in columns:
            if c < self.width and (hits := self._hits(c, predicate)) is not None:
                out |= hits
        return out

    def column(self, c: int | None) -> pd.Series:
        if c is None or c >= self.width:
            return pd.Series([None] * self.rows, dtype=object)
        return self.body[c]

    def filled(self, c: int | None) -> np.ndarray:
        if c is None or c >= self.width:
            return np.zeros(self.rows, dtype=bool)
        out: np.ndarray = self._codes[c] >= 0
        return out


def _distinct_codes(codes: np.ndarray, count: int) -> np.ndarray:
    """The distinct factor codes (0..count-1) among ``codes``, empty (-1) left out: a mark per
    code, linear (``np.unique`` sorts or hashes, 0.2 s for a million codes)."""
    seen = np.zeros(count + 1, dtype=bool)
    seen[codes] = True  # -1 marks the last slot
    return np.flatnonzero(seen[:count])


def _text_columns(cols: _Columns, amount_columns: set[int]) -> list[int]:
    """Columns that may hold labels (not amounts, not all-number columns in a sample): of
    each column's first ``CONTENT_SAMPLE_ROWS`` non-empty values, under 95% are numbers."""
    if not cols.rows:
        return []
    out: list[int] = []
    for c in range(cols.width):
        if c in amount_columns:
            continue
        # the column's first CONTENT_SAMPLE_ROWS non-empty cells (a cumulative count over the
        # whole table cost 0.7 s at a million rows; the sample is all that is needed)
        column = cols.codes(c)
        sample = column[np.flatnonzero(column >= 0)[:CONTENT_SAMPLE_ROWS]]
        if not len(sample):
            continue
        numeric = int((cols.tested(looks_numeric, c, sample)[sample] > 0).sum())
        if numeric < 0.95 * len(sample):
            out.append(c)
    return out


def _is_cash_cell(text: str) -> bool:
    return text.strip().lower() in _CASH_CELLS


def _is_total_text(text: str) -> bool:
    return _TOTAL_WORDS.search(text) is not None


def _is_subtotal_text(text: str) -> bool:
    return _SUBTOTAL_WORDS.search(text) is not None


def _is_aggregate_portfolio(text: str) -> bool:
    return " ".join(text.lower().split()) in _AGGREGATE_PORTFOLIOS


_LETTER = re.compile(r"[^\W\d_]")
_NUMBER_LIKE = re.compile(r"^[\d\s.,()+\-]+$")


def _is_label(text: str) -> bool:
    """A caption ending in a colon (``Exchange Rate (匯率):``), not a security's name."""
    return text.rstrip().endswith((":", "："))


def _is_name(text: str) -> bool:
    """Text that can be a security's name (has a letter, not a number, not prose or a label)."""
    return (
        len(text) <= MAX_NAME_LENGTH
        and _LETTER.search(text) is not None
        and _NUMBER_LIKE.match(text) is None
        and not _is_label(text)
    )


def _is_code(text: str) -> bool:
    return looks_like_code(text) and not _is_total_text(text) and not _is_subtotal_text(text)


def _is_cash_name(text: str) -> bool:
    t = " ".join(text.split())
    if t.upper() in CURRENCY_CODES or t.lower() in CURRENCY_NAMES:
        return True
    match = _CASH_NAME.match(t)
    if match is None:
        return False
    # a currency beside the cash word must be one ("Cash HKD", "現金 港元"), not any word
    for group in ("c0", "c1", "c3"):
        code = match.group(group)
        if code is not None and code.upper() not in CURRENCY_CODES:
            return False
    glued = match.group("c4")
    if glued is not None and glued not in CURRENCY_NAMES:
        return False
    code = match.group("c2")
    return code is None or code.upper() in CURRENCY_CODES or code.lower() in CURRENCY_NAMES


def _is_checkable_code(text: str) -> bool:
    """A valid ISIN, CUSIP or SEDOL (check digit included)."""
    t = text.strip().upper()
    return is_isin(t) or is_cusip(t) or is_sedol(t)


_CODE_HEADERS = frozenset({Role.ISIN, Role.CUSIP, Role.SEDOL, Role.TICKER})


def _is_written_code(text: str) -> bool:
    """Text in a column named for codes that is a code however written: digits in it, short,
    and no total, sub-total or empty marker."""
    t = text.strip()
    return (
        0 < len(t) <= 40
        and any(ch.isdigit() for ch in t)
        and not is_null_like(t)
        and not _is_total_text(t)
        and not _is_subtotal_text(t)
    )


def _is_code_however_written(text: str) -> bool:
    return _is_code(text) or _is_written_code(text)


def _is_one_word_code(text: str) -> bool:
    t = text.strip()
    return _is_strong_code(t) or (" " not in t and _is_code(t))


def _is_strong_code(text: str) -> bool:
    """A code that names a security wherever it is written: checkable, or a market ticker."""
    return _is_checkable_code(text) or is_ticker(text.strip())


def _repeated_header(cols: _Columns, headers: tuple[str, ...]) -> np.ndarray:
    """Rows that repeat the header: at least ``REPEATED_HEADER_SHARE`` of the header's
    columns hold one of their header texts (case and outer spaces aside).

    Each distinct text of the header columns is folded once and looked up among the header
    texts; each cell's (column, header text) pair is then one look-up in a table of the
    header's pairs (``np.isin`` over every cell took 0.7 s at a million rows).
    """
    header_cols = [c for c, h in enumerate(headers) if h and c < cols.width]
    if not header_cols or not cols.rows:
        return np.zeros(cols.rows, dtype=bool)
    part_ids: dict[str, int] = {}
    parts = [
        (c, part_ids.setdefault(part.strip().lower(), len(part_ids)))
        for c in header_cols
        for part in headers[c].split(" / ")
    ]
    stride = len(part_ids) + 1
    # (column, header text) pairs that repeat the header, as a table indexed by pair number;
    # header text -1 (not a header text) is the last slot of a column's stride, never set
    repeats = np.zeros(cols.width * stride, dtype=bool)
    repeats[[c * stride + k for c, k in parts]] = True
    # per column, per distinct text: 1 where the text is one of the column's header texts
    repeating: list[tuple[int, np.ndarray]] = []
    for c in header_cols:
        wanted, texts = cols.distinct(c), cols.texts(c)
        folded = np.full(len(texts), stride - 1, dtype=np.int64)  # last: empty
        folded[wanted] = [
            part_ids.get(u.strip().lower(), stride - 1) if isinstance(u, str) else stride - 1
            for u in texts[wanted].tolist()
        ]
        per_text = repeats[c * stride + folded]
        if per_text.any():  # columns where no cell repeats a header add nothing row by row
            repeating.append((c, per_text))
    needed = max(2, REPEATED_HEADER_SHARE * len(header_cols))
    if len(repeating) < needed:
        return np.zeros(cols.rows, dtype=bool)
    equal = np.zeros(cols.rows, dtype=np.int64)
    for c, per_text in repeating:
        equal += per_text[cols.codes(c)]
    out: np.ndarray = equal >= needed
    return out


@dataclass(frozen=True)
class RowRule:
    """A named rule that classes a row of a table, with the reason the Other rows sheet shows."""

    name: str
    row_class: RowClass | None  # None: a position
    why: str


# The rules for the rows under a table's header, first match wins (``_classify_segment`` works
# out each rule's rows as one mask). A table that holds no positions has its own short list.
ROW_RULES: tuple[RowRule, ...] = (
    RowRule("repeated header", RowClass.HEADER, "repeats the table's header"),
    RowRule("closing total", RowClass.TOTAL, "a total after the table's last position"),
    RowRule(
        "footer", RowClass.FOOTER, "after the last position or amount of the sheet's last table"
    ),
    RowRule("next title", RowClass.TITLE, "just above the next table's header: its title"),
    RowRule("footnote", RowClass.NOTE, "after the table's last position, before the next table"),
    RowRule("position", None, "names a security (with an amount, or a code that identifies it)"),
    RowRule("cash table row", RowClass.CASH, "a row of a cash section"),
    RowRule(
        "continuation", RowClass.CONTINUATION, "completes the codes of the position next to it"
    ),
    RowRule("cash continuation", RowClass.CASH, "continues a row of a cash section"),
    RowRule(
        "position detail",
        RowClass.POSITION_DETAIL,
        "a line of a security's own sub-total group, counted on its sub-total line",
    ),
    RowRule("cash detail", RowClass.CASH, "a detail line of a cash section"),
    RowRule("all portfolios", RowClass.TOTAL, "its portfolio cell adds up every portfolio"),
    RowRule("subtotal", RowClass.SUBTOTAL, "a sub-total word and no security code"),
    RowRule("total", RowClass.TOTAL, "a total word and no security code"),
    RowRule(
        "cash", RowClass.CASH, "cash or FX: a cash word, a currency line or a cash asset class"
    ),
    RowRule("label", RowClass.NOTE, "a grouping label: no amount and no security code"),
    RowRule("amount alone", RowClass.SUBTOTAL, "an amount with no security name or code"),
    RowRule("other text", RowClass.NOTE, "neither names a security nor carries an amount"),
)
OTHER_TABLE_RULES: tuple[RowRule, ...] = (
    *ROW_RULES[:5],
    RowRule(
        "other table row", RowClass.NON_POSITION_TABLE, "a row of a table that holds no positions"
    ),
)
TITLE_RULE = RowRule("title", RowClass.TITLE, "above the table's header")
HEADER_RULE = RowRule("header", RowClass.HEADER, "the table's header")


def _apply_rules(rules: tuple[RowRule, ...], masks: dict[str, np.ndarray], rows: int) -> np.ndarray:
    """Per row, the index in ``rules`` of the first rule whose mask holds (the last rule is
    the default and needs no mask)."""
    *ruled, _default = rules
    return (
        np.select([masks[rule.name] for rule in ruled], np.arange(len(ruled)), default=len(ruled))
        if rows
        else np.zeros(0, dtype=np.int64)
    )


def _group_runs(cols: _Columns, columns: Sequence[int], rows: np.ndarray) -> np.ndarray:
    """Run ids: consecutive ``rows`` with equal cells in ``columns`` share an id (others -1)."""
    runs = np.full(cols.rows, -1, dtype=np.int64)
    if not len(rows):
        return runs
    keys = np.zeros(cols.rows, dtype=np.int64)
    for c in columns:
        codes, count = cols.factors(c)
        keys = keys * (count + 1) + (codes + 1)
        keys = np.unique(keys, return_inverse=True)[1].astype(np.int64)
    member = np.zeros(cols.rows, dtype=bool)
    member[rows] = True
    prev_same = np.zeros(cols.rows, dtype=bool)
    prev_same[1:] = member[1:] & member[:-1] & (keys[1:] == keys[:-1])
    starts = member & ~prev_same
    ids = np.cumsum(starts) - 1
    runs[member] = ids[member]
    return runs


def _security_subtotals(
    cols: _Columns,
    table: Table,
    candidate: np.ndarray,
    line_subtotal: np.ndarray,
    key_columns: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """A security's own sub-total line stands for the rows of that security around it.

    Custodian reports show each holding as detail lines (settled, pending delivery, pending
    receipt), a sub-total line with the net quantity and market value, and an available
    balance: counted once, as the sub-total. Returns (position, detail) masks.
    """
    rows = np.flatnonzero(candidate | line_subtotal)
    runs = _group_runs(cols, key_columns, rows)
    marked = np.unique(runs[line_subtotal & (runs >= 0)])
    in_group = np.isin(runs, marked) & (runs >= 0)
    detail = in_group & ~line_subtotal
    return line_subtotal, detail


def _continuations(
    grid: Grid,
    first_body: int,
    cols: _Columns,
    table: Table,
    position: np.ndarray,
    candidate: np.ndarray,
) -> dict[int, int]:
    """Rows holding only codes next to a position they complete (body index -> body index).

    A security spread over physical rows (a SEDOL row, then an ISIN row): the code row has no
    amount and no other name, and every cell it fills is empty on the position's row or holds
    a different kind of code there.
    """
    role_columns = [ch.column for ch in table.roles if ch.role not in AMOUNT_ROLES]
    out: dict[int, int] = {}
    for i in np.flatnonzero(candidate).tolist():
        for j in (i - 1, i + 1):
            if j < 0 or j >= cols.rows or not position[j] or j in out:
                continue
            lo, hi = sorted((first_body + i, first_body + j))
            if not _adjacent(grid, lo, hi):
                continue
            if _completes(cols, role_columns, i, j):
                out[i] = j
                break
    return out


def code_kind(text: str) -> str | None:
    """The kind of checkable security code ``text`` is: isin, sedol, cusip (check digits
    valid), ticker (with its market, ``941 HK``), or None."""
    if is_isin(text):
        return "isin"
    if is_sedol(text):
        return "sedol"
    if is_cusip(text):
        return "cusip"
    if is_ticker(text):
        return "ticker"
    return None


def _completes(cols: _Columns, role_columns: Sequence[int], i: int, j: int) -> bool:
    """Row ``i`` adds codes to row ``j`` without contradicting it."""
    adds = False
    for c in role_columns:
        mine, theirs = cols.body.iat[i, c], cols.body.iat[j, c]
        if not isinstance(mine, str):
            continue
        if not isinstance(theirs, str):
            adds = adds or code_kind(mine) is not None
            continue
        if mine == theirs:
            continue
        kind_mine, kind_theirs = code_kind(mine), code_kind(theirs)
        if kind_mine is None or kind_theirs is None or kind_mine == kind_theirs:
            return False
        adds = True
    return adds


def _classify_segment(grid: Grid, table: Table, start: int, stop: int, *, last: bool) -> _Segment:
    """Classify grid rows ``start:stop``, whose header rows are ``table.header_index``.

    Rows above the header are titles; rows after the table's last position or amount are
    footer (``last``) or the title block of the next table.
    """
    first_body = table.header_index[-1] + 1
    body = grid.cells.iloc[first_body:stop].reset_index(drop=True)
    cols = _Columns(
        body,
        {c: (codes[first_body:stop], cells) for c, (codes, cells) in grid.factors.items()},
    )
    m = cols.rows

    amounts: dict[Role, np.ndarray] = {}
    junk: dict[Role, np.ndarray] = {}
    any_number = np.zeros(m, dtype=bool)
    amount_texts = {role: cols.column(table.column(role)) for role in AMOUNT_ROLES}
    decimal_comma = decimal_comma_style(list(amount_texts.values()))
    for role in AMOUNT_ROLES:
        values, bad = cols.numbers(table.column(role), decimal_comma=decimal_comma)
        amounts[role], junk[role] = values, bad
        any_number |= ~np.isnan(values) | bad
    has_amount_columns = any(table.column(r) is not None for r in AMOUNT_ROLES)
    # an identifier list (e.g. a Bloomberg enrichment sheet): identity alone is a position
    present = any_number if has_amount_columns else np.ones(m, dtype=bool)
    has_quantity = (
        ~np.isnan(amounts[Role.QUANTITY])
        if table.column(Role.QUANTITY) is not None
        else np.ones(m, dtype=bool)
    )

    name_col = table.column(Role.NAME)
    identity = cols.mask(name_col, _is_name)
    label_row = cols.mask(name_col, _is_label)
    coded = np.zeros(m, dtype=bool)  # the row has a security code (ISIN, ticker ...)
    code_choices = [ch for ch in (*table.roles, *table.secondary) if ch.role in CODE_ROLES]
    for choice in code_choices:
        if choice.role is not Role.IDENTIFIER and choice.header_role in _CODE_HEADERS:
            # a column named for codes: whatever code-like text it holds is the row's own
            # identifier, badly written or not ("hk 0941 0095 39", Excel's "9.41E+02"); the
            # row is a holding (UNRESOLVED if the code cannot be used), never a subtotal
            # (one predicate for both tests: a text that is a code is not tested again)
            coded |= cols.mask(choice.column, _is_code_however_written)
        else:
            coded |= cols.mask(choice.column, _is_code)
        if choice.secondary:
            continue
        if choice.header_role is Role.NAME:
            # a "Name" column holding mostly codes (Bloomberg PORT): other text in it is a
            # security's name when the row has a quantity; otherwise a grouping row ("Long")
            identity |= cols.mask(choice.column, _is_name) & has_quantity
    identity |= coded

    amount_columns = {c for r in AMOUNT_ROLES if (c := table.column(r)) is not None}
    text_columns = _text_columns(cols, amount_columns)
    # the security's label: its name, else its identifier/ticker
    label_cols = [
        c for r in (Role.NAME, Role.IDENTIFIER, Role.TICKER) if (c := table.column(r)) is not None
    ]
    other_text = [c for c in text_columns if c not in label_cols]
    # total words in a row with a code are a security's name ("TOTAL SE"), not a total
    total = cols.any_text_cell(_is_total_text, text_columns) & ~coded
    subtotal_marker = cols.any_text_cell(_is_subtotal_text, other_text)
    subtotal = (cols.any_text_cell(_is_subtotal_text, text_columns)) & ~coded
    # "Sub-Total" in a record-type column of a row with a code: the security's own sub-total
    line_subtotal = subtotal_marker & coded
    cash = cols.any_text_cell(_is_cash_cell, text_columns)
    label_present = np.zeros(m, dtype=bool)
    for c in label_cols:
        cash |= cols.mask(c, _is_cash_name) & ~label_present
        label_present |= cols.filled(c)
    if cash.any():
        # a money-market fund named "Cash ..." (or classed as cash) with its ISIN is a holding
        for choice in code_choices:
            cash &= ~cols.mask_within(choice.column, _is_checkable_code, cash)
    repeated = _repeated_header(cols, table.headers)
    aggregate = cols.any_text_cell(_is_aggregate_portfolio, table.portfolio_columns) & ~repeated

    excluded = total | subtotal | cash | repeated | aggregate
    position = identity & present & ~excluded & ~line_subtotal
    detail = np.zeros(m, dtype=bool)
    if line_subtotal.any():
        key_columns = sorted(
            {ch.column for ch in table.roles if ch.role in (*CODE_ROLES, Role.PORTFOLIO)}
        )
        own, detail = _security_subtotals(
            cols, table, position, line_subtotal & identity & ~excluded, key_columns
        )
        detail &= position
        position = (position & ~detail) | own
    candidate = coded & ~any_number & ~position & ~excluded & ~detail & ~label_row
    continues = (
        _continuations(grid, first_body, cols, table, position, candidate)
        if has_amount_columns and candidate.any()
        else {}
    )
    continuation = np.zeros(m, dtype=bool)
    continuation[list(continues)] = True
    # a row with a security code is a holding without its amounts too (a watch list, a
    # trade blotter, a short row), unless it completes the position next to it
    if candidate.any():
        # ... that is, a code that names a security by itself: a valid ISIN/CUSIP/SEDOL or a
        # ticker with its market; in an ISIN/CUSIP/SEDOL or ticker column, any one-word code
        # (a mixed ID column's "19437" may be a report parameter's value)
        identified = np.zeros(m, dtype=bool)
        for choice in code_choices:
            named_for_codes = choice.role is not Role.IDENTIFIER and choice.header_role in (
                Role.ISIN,
                Role.CUSIP,
                Role.SEDOL,
                Role.TICKER,
            )
            strong = _is_one_word_code if named_for_codes else _is_strong_code
            identified |= cols.mask_within(choice.column, strong, candidate)
        position |= candidate & identified & ~continuation

    # The table ends at its last row that is a position or carries an amount.
    ends = np.flatnonzero(position | any_number | continuation)
    end = int(ends[-1]) if len(ends) else -1
    after = np.arange(m) > end
    prose = cols.any_text_cell(lambda t: len(t) > MAX_NAME_LENGTH, text_columns)
    rules = OTHER_TABLE_RULES if table.kind is TableKind.OTHER else ROW_RULES
    cash_kind = np.full(m, table.kind is TableKind.CASH)
    # after a table that another follows: rows just above the next header are its title,
    # earlier ones notes (footnotes of this table)
    trailing_footer = after if last else np.zeros(m, dtype=bool)
    if last:
        next_title = footnote = np.zeros(m, dtype=bool)
    else:
        next_top = int(grid.rows[stop]) if stop < len(grid) else np.iinfo(np.int64).max
        near = grid.rows[first_body:stop] >= next_top - CAPTION_DISTANCE
        next_title, footnote = after & near, after & ~near
    masks = {
        "repeated header": repeated,
        "closing total": after & total & ~prose,
        "footer": trailing_footer,
        "next title": next_title,
        "footnote": footnote,
        "position": position & ~cash_kind,
        "cash table row": position & cash_kind,
        "continuation": continuation & ~cash_kind,
        "cash continuation": continuation & cash_kind,
        "position detail": detail & ~cash_kind,
        "cash detail": detail & cash_kind,
        "all portfolios": aggregate,
        "subtotal": subtotal,
        "total": total,
        "cash": cash,
        "label": label_row,
        "amount alone": any_number & ~identity,
    }
    chosen = _apply_rules(rules, masks, m)
    if table.kind is not TableKind.HOLDINGS:
        continues = {}
    head = first_body - start
    # each row's rule as a number into the rules, the title and header rules after them, so
    # that the rows' classes and reasons are array takes, not a loop over a million rows
    segment_rules = (*rules, TITLE_RULE, HEADER_RULE)
    rule_of = np.concatenate([np.full(head, len(rules), dtype=np.int64), chosen])
    rule_of[[i - start for i in table.header_index]] = len(rules) + 1

    def pad(values: np.ndarray, fill: float | bool) -> np.ndarray:
        return np.concatenate([np.full(head, fill, dtype=values.dtype), values])

    # a later table's header has no amount (its amount cells are header words: junk); in a
    # table without amount columns, no number and no security code at all
    if has_amount_columns:
        no_amount = np.isnan(amounts[Role.QUANTITY]) & np.isnan(amounts[Role.MARKET_VALUE])
    else:
        no_amount = ~coded & ~cols.any_text_cell(looks_numeric, range(body.shape[1]))
    maybe_header = pad(no_amount & ~repeated, False)
    return _Segment(
        take([rule.row_class for rule in segment_rules], rule_of).tolist(),
        take([rule.why for rule in segment_rules], rule_of).tolist(),
        np.array([rule.row_class is None for rule in segment_rules], dtype=bool)[rule_of],
        pad(amounts[Role.QUANTITY], np.nan),
        pad(amounts[Role.MARKET_VALUE], np.nan),
        {role: pad(mask, False) for role, mask in junk.items()},
        maybe_header,
        pad(repeated, False),
        {first_body + i: first_body + j for i, j in continues.items()},
    )


# At most this many rows without amounts are tested as the header of a further table.
MAX_LATER_HEADER_CANDIDATES = 5_000


def _one_cell(grid: Grid) -> bool:
    """Whether the grid is one row holding at most one cell."""
    return len(grid) <= 1 and int(pd.notna(grid.cells.to_numpy()).sum()) <= 1


def _non_position_sheet(grid: Grid, note: str) -> GridResult:
    n = len(grid)
    return GridResult(
        [],
        [RowClass.NON_POSITION_SHEET] * n,
        np.full(n, np.nan),
        np.full(n, np.nan),
        np.full(n, -1, dtype=np.int64),
        note=note,
        why=[f"a sheet without positions: {note}"] * n,
        positions=np.zeros(n, dtype=bool),
    )


def _next_header(
    grid: Grid, scout: _Segment, block: tuple[int, ...], start: int
) -> tuple[int, ...] | None:
    """The header block of the next table below ``block`` (a section with its own header).

    A row that repeats a header row of ``block`` exactly is a page header of the same table;
    one that repeats it only in part (a section with one column fewer) may start a new table.
    """
    own = {tuple(grid.row_values(i)) for i in block}
    candidates = start + np.flatnonzero(scout.maybe_header | scout.repeated)
    candidates = candidates[candidates > block[-1]][:MAX_LATER_HEADER_CANDIDATES]
    floor = block[-1]
    for i in candidates.tolist():
        if i <= floor or tuple(grid.row_values(i)) in own:
            continue
        if header_score(grid, i) < MIN_HEADER_SCORE:
            continue
        rows = _header_rows_at(grid, i, floor)
        if all(tuple(grid.row_values(r)) in own for r in rows):
            floor = rows[-1]
            continue
        if _has_identity_column(build_table(grid, rows)):
            return rows
    return None


# Row classes that may hold a report's parameters ("Portfolio | 19437", "Fund: 12307").
_PARAMETER_CLASSES = frozenset({RowClass.TITLE, RowClass.FOOTER, RowClass.NOTE})
_KEY_VALUE = re.compile(r"^\s*([^:：]{2,40})[:：]\s*(\S.{0,40})$")


def _parameter(cells: Sequence[str]) -> tuple[str, str] | None:
    """A key and its value: two cells, or one ``Key: value`` cell."""
    if len(cells) == 2 and not looks_numeric(cells[0]) and len(cells[1]) <= 40:
        return cells[0].rstrip(" :："), cells[1]
    if len(cells) == 1 and (match := _KEY_VALUE.match(cells[0])):
        return match.group(1), match.group(2).strip()
    return None


def _with_report_portfolio(
    grid: Grid, table: Table, classes: Sequence[RowClass | None], rows: np.ndarray
) -> Table:
    """The table with the one portfolio its report's parameter rows name, if any.

    Geneva writes the fund code only in the parameter block under the positions; a title
    line ``Fund: 12307`` does the same. Two different portfolios named around one table leave
    it unknown (reports concatenated under one header).
    """
    if table.kind is not TableKind.HOLDINGS or table.column(Role.PORTFOLIO) is not None:
        return table
    found: set[str] = set()
    for i in rows.tolist():
        if classes[i] not in _PARAMETER_CLASSES:
            continue
        pair = _parameter([v for v in grid.row_values(i) if v is not None])
        if pair is None:
            continue
        key, value = pair
        scores = header_scores(key)
        if scores.get(Role.PORTFOLIO, 0.0) >= 3 and max(scores.values()) == scores[Role.PORTFOLIO]:
            found.add(value)
    if len(found) != 1:
        return table
    return dataclasses.replace(table, report_portfolio=found.pop())


# A sheet is cut into at most this many tables (each further table costs a pass over the rest).
MAX_TABLES = 200


_NO_TABLE = (
    "no recognisable holdings table (a header row naming a security column such as Name/ISIN/Ticker and a "
    "quantity or market value column)"
)


def analyse_grid(
    grid: Grid,
    *,
    header_index: tuple[int, ...] | None = None,
    declared: Mapping[int, Role] | None = None,
    names_suffice: bool = False,
) -> GridResult:
    """Find the tables (the first one at ``header_index`` if given) and classify every row.

    A sheet may hold several tables (sections each with its own header); a sheet without a
    holdings table has every row classified ``non-position sheet``, no ``tables`` and the
    reason in ``note``. ``declared`` gives columns the roles a caller says they have (the
    API's ``columns=``); with ``names_suffice`` a table of names alone holds positions (a
    caller's watch list), where a file's table of names without codes or amounts does not.
    """
    if header_index is None and _one_cell(grid):
        # a lone note: no header, no data (a workbook of thousands of such sheets stays fast)
        return _non_position_sheet(grid, _NO_TABLE)

    built: dict[tuple[tuple[int, ...], int | None], Table] = {}

    def build(block: tuple[int, ...], stop: int | None = None) -> Table:
        # the first table is built to pick the header, then again to classify it: once
        if (block, stop) not in built:
            table = build_table(grid, block, stop)
            built[block, stop] = declare_roles(table, declared or {}, names_suffice)
        return built[block, stop]

    candidates = [header_index] if header_index is not None else header_candidates(grid)
    for header_index in candidates:
        table = build(header_index)
        if _has_identity_column(table):
            break
    else:
        return _non_position_sheet(grid, _NO_TABLE)
    n = len(grid)
    tables: list[Table] = []
    segments: list[_Segment] = []
    block, start, floor = header_index, 0, -1
    while True:
        # Classify from this table to the end, to find where the next table's header is;
        # then classify this table's own rows, its columns sampled from them alone.
        table = classify_table(grid, build(block), floor)
        scout = _classify_segment(grid, table, start, n, last=True)
        following = (
            _next_header(grid, scout, block, start) if len(tables) + 1 < MAX_TABLES else None
        )
        if following is None:
            tables.append(table)
            segments.append(scout)
            break
        stop = following[0]
        table = classify_table(grid, build(block, stop), floor)
        tables.append(table)
        segments.append(_classify_segment(grid, table, start, stop, last=False))
        block, start, floor = following, stop, block[-1]
    if not any(t.kind is TableKind.HOLDINGS for t in tables):
        reasons = sorted({t.why for t in tables})
        return _non_position_sheet(
            grid, "no recognisable holdings table, only " + "; ".join(reasons)
        )
    classes = list(itertools.chain.from_iterable(seg.classes for seg in segments))
    why = list(itertools.chain.from_iterable(seg.why for seg in segments))
    positions = np.concatenate([seg.positions for seg in segments])
    table_of = np.concatenate(
        [np.full(len(seg.classes), k, dtype=np.int64) for k, seg in enumerate(segments)]
    )
    tables = [
        _with_report_portfolio(grid, t, classes, np.flatnonzero((table_of == k) & ~positions))
        for k, t in enumerate(tables)
    ]
    junk = {role: np.concatenate([seg.junk[role] for seg in segments]) for role in segments[0].junk}
    return GridResult(
        tables,
        classes,
        np.concatenate([seg.quantity for seg in segments]),
        np.concatenate([seg.market_value for seg in segments]),
        table_of,
        junk,
        {i: j for seg in segments for i, j in seg.continues.items()},
        why=why,
        positions=positions,
    )
