"""Reading messy holdings exports into positions, accounting for every row.

    read_holdings(paths)  -> HoldingsInput    .xlsx / .xlsm / .xls / .ods / .csv files
    read_frame(frame)     -> HoldingsInput    a caller's DataFrame (header = its columns)

Every non-blank input row ends up exactly once: as a position (``positions``, one row per
holding, columns ``POSITION_COLUMNS``) or as an :class:`~portfolio_check.model.OtherRow` with its
:class:`~portfolio_check.model.RowClass`. Cell problems (a quantity that is not a number) are
:class:`~portfolio_check.model.InputIssue` s, never fatal; an unreadable file raises
:class:`~portfolio_check.errors.InputFileError` naming it.

How: readers (I/O, :mod:`.readers`) turn each sheet into a grid of display texts; the pure core
(:mod:`.tables`, :mod:`.roles`, :mod:`.cells`) finds the header, maps columns to roles from
header words and contents, and classifies rows.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from portfolio_check.distinct import clean_cell
from portfolio_check.errors import InputFileError, UsageError
from portfolio_check.holdings.cells import (
    CUSIP_SHAPE,
    ISIN_SHAPE,
    SEDOL_SHAPE,
    check_digits_ok,
    is_isin,
    looks_like_code,
    render,
)
from portfolio_check.holdings.inputs import InputBlock, InputRow
from portfolio_check.holdings.readers import (
    DEFAULT_MAX_FILE_MB,
    MAX_FILE_ENV,
    SUPPORTED_EXTENSIONS,
    ReadLimits,
    read_file_reporting,
    render_values,
)
from portfolio_check.holdings.roles import (
    GENERIC_HEADER_WORDS,
    TEXT_ROLES,
    Role,
    RoleChoice,
    normalise_header,
)
from portfolio_check.holdings.tables import (
    Grid,
    GridResult,
    Table,
    TableKind,
    analyse_grid,
    code_kind,
)
from portfolio_check.model import InputIssue, OtherRow

__all__ = [
    "DEFAULT_MAX_FILE_MB",
    "EXCHANGE_SEPARATOR",
    "IDENTITY_COLUMNS",
    "ITEM_SEPARATOR",
    "MAX_FILE_ENV",
    "POSITION_COLUMNS",
    "SUPPORTED_EXTENSIONS",
    "HoldingsInput",
    "ReadLimits",
    "Role",
    "TableInfo",
    "read_frame",
    "read_holdings",
]

# The raw cells that make up a security's identity; holdings equal on these are one security.
IDENTITY_COLUMNS = [
    "name",
    "isin",
    "cusip",
    "sedol",
    "ticker",
    "identifier",
    "exchange",
    "more_names",
    "more_codes",
]
POSITION_COLUMNS = [
    "file",
    "sheet",
    "row",
    "input",
    *IDENTITY_COLUMNS,
    "quantity",
    "market_value",
    "currency",
    "portfolio",
]
# ``more_names`` / ``more_codes`` join their items with the unit separator; a code with its own
# exchange column is written ``code<RS>exchange`` (record separator).
ITEM_SEPARATOR = "\x1f"
EXCHANGE_SEPARATOR = "\x1e"
_NAME_ROLES = frozenset({Role.NAME})
_CODE_ROLES = frozenset({Role.ISIN, Role.CUSIP, Role.SEDOL, Role.TICKER, Role.IDENTIFIER})
# Columns whose cells have a check digit, and what is said when it fails.
_CHECKED = {
    Role.ISIN: ("ISIN", ISIN_SHAPE, "isin"),
    Role.CUSIP: ("CUSIP", CUSIP_SHAPE, "cusip"),
    Role.SEDOL: ("SEDOL", SEDOL_SHAPE, "sedol"),
}
# OtherRow.text keeps this much of a row (cells joined with " | ").
OTHER_ROW_TEXT_LIMIT = 300


@dataclass(frozen=True)
class TableInfo:
    """Where a table was found and how its columns were read.

    ``header`` is the header text per column (two header rows joined with " / "; duplicate or
    empty headers made unique as used in ``positions.input``); ``roles`` maps a header text to
    the role of its column, the further columns of a role included (``secondary`` names them:
    a second ticker, an issuer name, read into ``more_names`` / ``more_codes``); ``reasons``
    says why each role went to its (primary) column (header word or contents), including which
    market value column was chosen, and ``column_reasons`` why each column has its role, per
    header text. ``kind`` says whether the table holds positions, cash or something else
    (trades, a ledger), and ``why``.
    """

    file: str
    sheet: str
    header_rows: tuple[int, ...]
    header: tuple[str, ...]
    roles: dict[str, Role]
    reasons: dict[Role, str]
    kind: TableKind = TableKind.HOLDINGS
    why: str = ""
    secondary: tuple[str, ...] = ()
    column_reasons: dict[str, str] = field(default_factory=dict)

    @property
    def market_value_column(self) -> str | None:
        return next((h for h, r in self.roles.items() if r is Role.MARKET_VALUE), None)


@dataclass(frozen=True)
class HoldingsInput:
    """Everything read from the holdings input; ``rows_read == len(positions) + len(other_rows)``."""

    positions: pd.DataFrame
    other_rows: list[OtherRow]
    issues: list[InputIssue]
    rows_read: int
    tables: list[TableInfo]


def read_holdings(
    paths: Sequence[str | os.PathLike[str]],
    *,
    max_file_mb: float | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    parse_started: Callable[[], None] | None = None,
    names_found: Callable[[list[str]], None] | None = None,
) -> HoldingsInput:
    """Read holdings files (.xlsx, .xlsm, .xls, .ods, .csv); every sheet of a workbook is read.

    ``max_file_mb`` bounds each file's size (default: ``PORTFOLIO_CHECK_MAX_FILE_MB`` or
    500 MB). Raises :class:`InputFileError` for a missing, empty, oversized, damaged,
    password-protected, mislabelled or unsupported file, or one in which no sheet has a
    recognisable holdings table. ``progress`` is called as ``progress("read", done, total)``
    as each file is loaded and then analysed (two steps a file). ``parse_started`` is called
    when a workbook's sheets or a CSV start being parsed, which runs without Python's GIL
    (calamine, Arrow): other threads can work meanwhile. ``names_found`` is given the
    distinct texts of the holdings tables' name columns as soon as the last file's tables
    are found, before its positions are assembled (a helper process can start looking them
    up).
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    limits = ReadLimits.from_env(max_file_mb)
    parts: list[HoldingsInput] = []
    undecoded = False
    steps = 2 * len(paths)
    found: list[str] = []
    for number, p in enumerate(paths):
        label = os.fspath(p)
        grids, read_issues = read_file_reporting(Path(label), label, limits, parse_started)
        if progress:
            progress("read", 2 * number + 1, steps)
        results = [(g, analyse_grid(g)) for g in grids]
        if progress:
            progress("read", 2 * number + 2, steps)
        if not any(r.has_holdings for _, r in results):
            _raise_no_table(label, results)
        if names_found is not None:
            found.extend(_table_names(results))
            if number == len(paths) - 1:
                names_found(list(dict.fromkeys(found)))
        parts.extend(_assemble(label, g, r) for g, r in results)
        if read_issues:
            parts[-1].issues.extend(read_issues)
            undecoded = True
    read = _concat(parts)
    if undecoded:
        _drop_undecoded_identity(read.positions)
    return read


def _table_names(results: Sequence[tuple[Grid, GridResult]]) -> list[str]:
    """The distinct texts, cleaned as a security's name is, of the holdings tables' name
    columns (every row of the column: titles and totals too; a name not among them is looked
    up when it is needed)."""
    names: list[str] = []
    for grid, result in results:
        for table in result.tables:
            c = table.column(Role.NAME)
            if table.kind is not TableKind.HOLDINGS or c is None:
                continue
            texts = grid.factors[c][1] if c in grid.factors else pd.unique(grid.cells[c])
            names.extend(name for text in texts if (name := clean_cell(text)))
    return names


def _drop_undecoded_identity(positions: pd.DataFrame) -> None:
    """An identity cell holding U+FFFD (bytes that did not decode) identifies nothing.

    A name with a garbled character may miss the list entry it names, and a CLEAR must be
    earned: the cell is not used (the input row keeps it, the input issue says where), so a
    position left with nothing else to identify it is UNRESOLVED.
    """
    for column in IDENTITY_COLUMNS:
        values = positions[column]
        garbled = values.map(lambda v: isinstance(v, str) and "\ufffd" in v).to_numpy(dtype=bool)
        if garbled.any():
            positions.loc[garbled, column] = None


def _raise_no_table(label: str, results: Sequence[tuple[Grid, GridResult]]) -> NoReturn:
    """The file holds no holdings table: say so, naming each sheet and why."""
    if len(results) == 1:
        grid, result = results[0]
        raise InputFileError(label, result.note or _NO_TABLE_HELP, sheet=grid.sheet)
    sheets = "; ".join(f"{g.sheet!r}: {r.note or 'no table'}" for g, r in results)
    raise InputFileError(label, f"{_NO_TABLE_HELP}; sheets read: {sheets}")


_NO_TABLE_HELP = (
    "no recognisable holdings table (a header row naming a security column such as "
    "Name/ISIN/Ticker and a quantity or market value column)"
)


def read_frame(
    frame: pd.DataFrame,
    *,
    label: str = "<dataframe>",
    columns: Mapping[str, str] | None = None,
) -> HoldingsInput:
    """Apply the same column roles and row classes to a caller's DataFrame.

    The frame's columns are the header; ``row`` is the index position + 2 (as if the header
    were row 1 of a sheet); ``file`` and ``sheet`` are ``label``. ``columns`` says which column
    is what when the caller knows (``{"Code": "isin", "Units": "quantity"}``; the roles are
    those of :class:`Role`); a frame of names alone is a list of securities to check (a watch
    list has no quantities).
    """
    header = [render(c) if not isinstance(c, str) else c for c in frame.columns]
    declared = _declared_roles(header, columns or {}, label)
    grid = _frame_grid(label, [h if h else None for h in header], frame)
    header_present = any(h for h in header)
    result = analyse_grid(
        grid,
        header_index=(0,) if header_present else None,
        declared=declared,
        names_suffice=True,
    )
    if not result.has_holdings:
        shown = ", ".join(repr(h) for h in header[:12] if h) or "none"
        raise InputFileError(
            label,
            f"no column reads as a security name or identifier (columns: {shown}); say which "
            "is which with columns={'<column>': 'name'} (roles: "
            + ", ".join(role.value for role in Role)
            + ")",
        )
    read = _assemble(label, grid, result)
    if read.positions is _EMPTY_POSITIONS:
        read = dataclasses.replace(read, positions=_empty_positions())
    return read


def _frame_grid(label: str, header: list[str | None], frame: pd.DataFrame) -> Grid:
    """``Grid.from_rows`` of the header and the rendered rows, built column-wise: each distinct
    value of a column rendered once (a Dask partition of 250,000 rows: about 20 times faster
    than a cell-by-cell pass), the same texts."""
    width = len(header)
    columns = [
        np.concatenate(
            [np.array([header[c]], dtype=object), render_values(frame.iloc[:, c].to_numpy(object))]
        )
        for c in range(width)
    ]
    filled = np.zeros(len(frame) + 1, dtype=bool)
    for column in columns:
        filled |= pd.notna(column)
    if not filled.any():
        return Grid.from_rows(label, [])
    cells = pd.DataFrame(
        {c: column[filled] for c, column in enumerate(columns)}, columns=range(width), dtype=object
    )
    return Grid(label, cells, np.flatnonzero(filled).astype(np.int64) + 1)


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


def _declared_roles(
    header: Sequence[str | None], columns: Mapping[str, str], label: str
) -> dict[int, Role]:
    """The caller's ``columns=`` as column positions and roles; an unknown column or role is
    a usage error naming it."""
    declared: dict[int, Role] = {}
    roles = {role.value: role for role in Role}
    for name, role_name in columns.items():
        if name not in header:
            known = ", ".join(repr(h) for h in header if h)
            raise UsageError(
                f"columns=: {name!r} is not a column of {label} (its columns: {known})"
            )
        role = roles.get(str(role_name).strip().lower().replace(" ", "_"))
        if role is None:
            raise UsageError(
                f"columns=: {role_name!r} for {name!r} is not one of: {', '.join(roles)}"
            )
        declared[header.index(name)] = role
    return declared


def _column_letter(c: int) -> str:
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _unique_headers(headers: Sequence[str], width: int) -> list[str]:
    """Header texts usable as dict keys: empty -> column letter, duplicates -> 'X (F)'."""
    seen: set[str] = set()
    out: list[str] = []
    for c in range(width):
        text = headers[c] if c < len(headers) else ""
        key = text or _column_letter(c)
        if key in seen:
            key = f"{text} ({_column_letter(c)})" if text else _column_letter(c)
        seen.add(key)
        out.append(key)
    return out


def _input_dicts(
    body: pd.DataFrame,
    keys: list[str],
    headers: Sequence[str],
    factors: Mapping[int, tuple[np.ndarray, list[object]]],
    texts: Mapping[int, Any] | None = None,
) -> list[InputRow]:
    """Each row as {header text: cell text}; a column without header only where it has text.

    The rows are read-only mappings over one column-wise block (:mod:`.inputs`): a dict per row
    would cost most of a million-row file's memory. ``factors`` (the grid's, for these rows)
    go with the block, for the writers.
    """
    width = body.shape[1]
    has_header = np.array([c < len(headers) and bool(headers[c]) for c in range(width)])
    named = np.flatnonzero(has_header).tolist()

    def cells(c: int) -> np.ndarray:
        # the body's own column (one block per column: no copy); to_numpy over the whole
        # body interleaved every cell into a new array, 0.35 s a million rows
        out: np.ndarray = body.iloc[:, c].to_numpy(dtype=object)
        return out

    def has_text(c: int) -> bool:
        # the reader's codes say so without testing every cell (-1 is empty)
        if c in factors:
            return bool((factors[c][0] >= 0).any())
        return bool(pd.notna(cells(c)).any())

    # a column without header is kept where some cell has text
    unnamed = [c for c in range(width) if not has_header[c] and len(body) and has_text(c)]
    columns = [*named, *unnamed]
    arrow = texts or {}
    block = InputBlock(
        [keys[c] for c in columns],
        [cells(c) for c in columns],
        [True] * len(named) + [False] * len(unnamed),
        {keys[c]: factors[c] for c in columns if c in factors},
        {keys[c]: arrow[c] for c in columns if c in factors and c in arrow},
    )
    return block.rows()


def _row_text(values: Sequence[object]) -> str:
    text = " | ".join(v for v in values if isinstance(v, str))
    return text[:OTHER_ROW_TEXT_LIMIT]


def _empty_positions() -> pd.DataFrame:
    # built once and copied: a workbook of thousands of sheets without positions needs one
    # per sheet, and building it costs tens of milliseconds
    return _EMPTY_POSITIONS.copy()


def _build_empty_positions() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in POSITION_COLUMNS})
    frame["row"] = frame["row"].astype(np.int64)
    frame["quantity"] = frame["quantity"].astype(float)
    frame["market_value"] = frame["market_value"].astype(float)
    return frame


_EMPTY_POSITIONS = _build_empty_positions()


def _assemble(label: str, grid: Grid, result: GridResult) -> HoldingsInput:
    # the other rows found without a loop over every row; their cells taken at once (a row at
    # a time through iloc: 30 us each, 0.12 s for the 4,000 other rows of a million-row file)
    at = np.flatnonzero(~result.position_mask).tolist()
    classed = [(i, result.classes[i]) for i in at]
    texts = grid.cells.iloc[at].to_numpy(dtype=object).tolist() if at else []
    others = [
        OtherRow(
            file=label,
            sheet=grid.sheet,
            row=int(grid.rows[i]),
            row_class=cls,
            text=_row_text(cells),
            why=result.why[i] if result.why else result.note,
        )
        for (i, cls), cells in zip(classed, texts, strict=True)
    ]
    parts = [_table_positions(label, grid, result, k) for k in range(len(result.tables))]
    frames = [frame for frame, _, _ in parts if len(frame)]
    # a sheet without positions shares the empty frame: _concat and read_frame copy it
    positions = pd.concat(frames, ignore_index=True) if frames else _EMPTY_POSITIONS
    issues = [issue for _, table_issues, _ in parts for issue in table_issues]
    return HoldingsInput(positions, others, issues, len(grid), [info for _, _, info in parts])


def _table_positions(
    label: str, grid: Grid, result: GridResult, k: int
) -> tuple[pd.DataFrame, list[InputIssue], TableInfo]:
    """The positions, cell issues and description of table ``k`` of a grid."""
    table = result.tables[k]
    keys = _unique_headers(table.headers, grid.cells.shape[1])
    mask = result.position_mask & (result.table_of == k)
    idx = np.flatnonzero(mask)
    body = grid.cells.iloc[idx]
    data: dict[str, object] = {
        "file": constant_column(label, len(idx)),
        "sheet": constant_column(grid.sheet, len(idx)),
        "row": pd.Series(grid.rows[idx], dtype=np.int64),
        "input": pd.Series(
            _input_dicts(
                body,
                keys,
                table.headers,
                {c: (codes[idx], cells) for c, (codes, cells) in grid.factors.items()},
                grid.texts,
            ),
            dtype=object,
        ),
    }
    for role in TEXT_ROLES:
        c = table.column(role)
        if c is None:
            data[role.value] = constant_column(None, len(idx))
        else:  # grid cells are text or None already
            data[role.value] = pd.Series(body[c].to_numpy(dtype=object), dtype=object)
    mixed = table.name_like_identifier()
    if table.column(Role.NAME) is None and mixed is not None:
        # a "Name" column of mostly codes (Bloomberg PORT): codes stay identifiers, the other
        # texts ("AIA 3 ⅜ 04/07/30 REGS") are the security's name
        texts = [v if isinstance(v, str) else None for v in body[mixed].tolist()]
        is_code = [v is not None and looks_like_code(v) for v in texts]
        data[Role.NAME.value] = pd.Series(
            [None if code else v for v, code in zip(texts, is_code, strict=True)], dtype=object
        )
        data[Role.IDENTIFIER.value] = pd.Series(
            [v if code else None for v, code in zip(texts, is_code, strict=True)], dtype=object
        )
    data["more_names"], data["more_codes"] = _more_identity(table, body)
    data["quantity"] = pd.Series(result.quantity[idx], dtype=float)
    data["market_value"] = pd.Series(result.market_value[idx], dtype=float)
    # in the columns' order as built (selecting them after would copy the whole table), and
    # not stacked into one block (copy=False): stacking copied every cell, 0.35 s a million rows
    positions = pd.DataFrame({column: data[column] for column in POSITION_COLUMNS}, copy=False)
    name_column = table.column(Role.NAME)
    _fill_isin_from_names(
        positions, _coded(grid, name_column, idx) if name_column is not None else None
    )
    if table.report_portfolio is not None:
        positions["portfolio"] = constant_column(table.report_portfolio, len(positions))
    if result.continues:
        _merge_continuations(positions, grid, result, table, keys, idx)

    issues: list[InputIssue] = []
    for role, junk in result.junk.items():
        c = table.column(role)
        if c is None:
            continue
        for i in np.flatnonzero(junk & mask):
            issues.append(
                InputIssue(
                    file=label,
                    sheet=grid.sheet,
                    row=int(grid.rows[i]),
                    column=keys[c],
                    problem=f"{role.value} is not a number; read as missing",
                    value=str(grid.cells.iat[int(i), c]),
                )
            )
    issues.extend(_check_digit_issues(label, grid, table, keys, idx))
    issues.sort(key=lambda x: (x.row or 0, x.column or ""))
    all_roles = (*table.roles, *table.secondary)
    info = TableInfo(
        file=label,
        sheet=grid.sheet,
        header_rows=tuple(int(grid.rows[i]) for i in table.header_index),
        header=tuple(keys),
        roles={keys[ch.column]: ch.role for ch in sorted(all_roles, key=lambda ch: ch.column)},
        reasons={ch.role: ch.reason for ch in table.roles}
        | (
            {Role.PORTFOLIO: f"the report's parameters name portfolio {table.report_portfolio!r}"}
            if table.report_portfolio is not None
            else {}
        ),
        kind=table.kind,
        why=table.why,
        secondary=tuple(keys[ch.column] for ch in table.secondary),
        column_reasons={
            keys[ch.column]: ch.reason for ch in sorted(all_roles, key=lambda ch: ch.column)
        },
    )
    return positions, issues, info


def constant_column(value: object, n: int) -> pd.Series:
    """A column of ``n`` cells of ``value``, in an array of its own (columns never share one:
    a cell set in one would change the other). A list of a million Nones took 15 ms to turn
    into a column; numpy fills an empty object array with None in 2 ms."""
    values = np.empty(n, dtype=object)
    if value is not None:
        values.fill(value)
    return pd.Series(values, dtype=object, copy=False)


def _join_cells(columns: Sequence[np.ndarray], n: int) -> pd.Series:
    """Per row, the texts of ``columns`` joined with :data:`ITEM_SEPARATOR`; None when none.

    Column-wise: one vectorised pass per column (object arrays of str or None).
    """
    out = np.empty(n, dtype=object)  # None in every cell
    for values in columns:
        has = pd.notna(values)
        if not has.any():
            continue
        both = has & pd.notna(out)
        only = has & ~both
        out[only] = values[only]
        if both.any():
            out[both] = out[both] + ITEM_SEPARATOR + values[both]
    return pd.Series(out, dtype=object)


def _paired_exchange(table: Table, choice: RoleChoice) -> int | None:
    """The further exchange column that belongs to the further code column ``choice``: the
    column right after it, or one whose header shares a word with it ("Local Code" and
    "Local Exchange"); never the primary exchange column."""
    exchanges = [ch.column for ch in table.secondary if ch.role is Role.EXCHANGE]
    if not exchanges:
        return None
    if choice.column + 1 in exchanges:
        return choice.column + 1
    words = set(normalise_header(table.headers[choice.column])) - GENERIC_HEADER_WORDS
    for c in exchanges:
        if words & set(normalise_header(table.headers[c])):
            return c
    return None


def _more_identity(table: Table, body: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """``more_names`` and ``more_codes`` of a table's positions, from its further columns."""
    n = len(body)
    names: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for choice in table.secondary:
        values = body[choice.column].to_numpy(dtype=object)
        if choice.role in _NAME_ROLES:
            names.append(values)
        elif choice.role in _CODE_ROLES:
            exchange = _paired_exchange(table, choice)
            if exchange is not None:
                where = body[exchange].to_numpy(dtype=object)
                with_exchange = pd.notna(values) & pd.notna(where)
                values = values.copy()
                values[with_exchange] = (
                    values[with_exchange] + EXCHANGE_SEPARATOR + where[with_exchange]
                )
            codes.append(values)
    return _join_cells(names, n), _join_cells(codes, n)


def _check_digit_issues(
    label: str, grid: Grid, table: Table, keys: Sequence[str], idx: np.ndarray
) -> list[InputIssue]:
    """An input issue for each cell of an ISIN/CUSIP/SEDOL column that has the code's shape
    but fails its check digit (the row stays a holding); each distinct text checked once."""
    issues: list[InputIssue] = []
    for choice in (*table.roles, *table.secondary):
        if choice.role not in _CHECKED:
            continue
        what, shape, kind = _CHECKED[choice.role]
        column = grid.cells[choice.column].to_numpy(dtype=object)[idx]
        codes, uniques = _coded(grid, choice.column, idx)
        bad = np.zeros(len(uniques) + 1, dtype=bool)
        shaped: list[int] = []
        compacts: list[str] = []
        for k, text in enumerate(uniques):
            if isinstance(text, str):
                compact = "".join(text.split()).upper()
                if shape.match(compact) is not None:
                    shaped.append(k)
                    compacts.append(compact)
        if shaped:
            bad[np.array(shaped)] = ~check_digits_ok(compacts, kind)
        if not bad.any():
            continue
        for i in np.flatnonzero(bad[codes]).tolist():
            issues.append(
                InputIssue(
                    file=label,
                    sheet=grid.sheet,
                    row=int(grid.rows[idx[i]]),
                    column=keys[choice.column],
                    problem=f"{what} check digit fails; the row is kept as a holding",
                    value=str(column[i]),
                )
            )
    return issues


# An ISIN written in brackets at the start or end of a name: "(XS1021617698) Yuzhou 8.625%".
_ISIN_IN_NAME = re.compile(r"^\(\s*([A-Z]{2}[A-Z0-9]{9}\d)\s*\)|\(\s*([A-Z]{2}[A-Z0-9]{9}\d)\s*\)$")


def _isin_in_name(name: str) -> str | None:
    match = _ISIN_IN_NAME.search(name.strip())
    if match is None:
        return None
    code = match.group(1) or match.group(2)
    return code if is_isin(code) else None


def _coded(grid: Grid, c: int, idx: np.ndarray) -> tuple[np.ndarray, Sequence[object]]:
    """Column ``c`` at rows ``idx`` as codes (-1: empty) into distinct cells: the reader's
    (``Grid.factors``; some of its cells may not occur at these rows), else factorised."""
    if c in grid.factors:
        codes, cells = grid.factors[c]
        return codes[idx], cells
    found, uniques = pd.factorize(grid.cells[c].to_numpy(dtype=object)[idx], use_na_sentinel=True)
    return np.asarray(found), list(uniques)


def _fill_isin_from_names(
    positions: pd.DataFrame, coded: tuple[np.ndarray, Sequence[object]] | None = None
) -> None:
    """Fill ``isin`` from an ISIN bracketed in the name where no ISIN column gave one.

    ``coded``: the name column as codes into its distinct cells, when the reader has them."""
    names = positions["name"]
    if coded is None:
        if names.isna().all():
            return
        found_codes, found_uniques = pd.factorize(names, use_na_sentinel=True)
        coded = np.asarray(found_codes), list(found_uniques)
    codes, uniques = coded
    if not (codes >= 0).any():
        return
    found = np.array(
        [*(_isin_in_name(u) if isinstance(u, str) else None for u in uniques), None],
        dtype=object,
    )
    from_name = found[codes]
    missing = positions["isin"].isna().to_numpy(dtype=bool)
    take = missing & pd.notna(from_name)
    if take.any():
        positions.loc[take, "isin"] = from_name[take]


# Where a continuation row's code goes when the position's cell in that column is taken.
_CODE_FIELDS = {"isin": "isin", "sedol": "sedol", "cusip": "cusip", "ticker": "identifier"}


def _merge_continuations(
    positions: pd.DataFrame,
    grid: Grid,
    result: GridResult,
    table: Table,
    keys: Sequence[str],
    idx: np.ndarray,
) -> None:
    """Give each position the codes of the rows that continue it (a SEDOL row, an ISIN row).

    The continuation's cells join the position's ``input`` under "<header> (row N)"; a code
    fills the position's empty role cell, or, when that column already holds another kind of
    code (SEDOL above, ISIN below in one "Security ID" column), the field of its kind.
    """
    at = {int(g): p for p, g in enumerate(idx.tolist())}
    inputs: list[dict[str, str]] = list(positions["input"])
    fields = {c: list(positions[c]) for c in (r.value for r in TEXT_ROLES)}
    for i, j in sorted(result.continues.items()):
        p = at.get(j)
        if p is None:
            continue
        row_no = int(grid.rows[i])
        cells = dict(inputs[p])
        for choice in table.roles:
            if choice.role not in TEXT_ROLES:
                continue
            value = grid.cells.iat[i, choice.column]
            if not isinstance(value, str):
                continue
            cells[f"{keys[choice.column]} (row {row_no})"] = value
            current = fields[choice.role.value][p]
            if not isinstance(current, str):
                fields[choice.role.value][p] = value
            elif current != value and (kind := code_kind(value)) is not None:
                target = _CODE_FIELDS[kind]
                if not isinstance(fields[target][p], str):
                    fields[target][p] = value
        inputs[p] = cells
    positions["input"] = pd.Series(inputs, index=positions.index, dtype=object)
    for name, values in fields.items():
        positions[name] = pd.Series(values, index=positions.index, dtype=object)


def _concat(parts: Sequence[HoldingsInput]) -> HoldingsInput:
    frames = [p.positions for p in parts if len(p.positions)]
    positions = pd.concat(frames, ignore_index=True) if frames else _empty_positions()
    return HoldingsInput(
        positions=positions,
        other_rows=[r for p in parts for r in p.other_rows],
        issues=[i for p in parts for i in p.issues],
        rows_read=sum(p.rows_read for p in parts),
        tables=[t for p in parts for t in p.tables],
    )
