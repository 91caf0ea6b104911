"""A firm's own restricted / watch list, from an ``.xlsx`` or ``.csv`` file in the shipped template.

The template (``examples/firm_restricted_list_template.xlsx`` and ``.csv``) has one row per
issuer and these columns, matched case-insensitively (``list type``, ``list_type`` and
``List Type`` are one column)::

    name        the issuer's name (optional if an ISIN or a ticker is given)
    isin        one or more ISINs, ';'-separated; each must be a valid ISIN
    ticker      one or more exchange codes, ';'-separated, as the firm writes them
    exchange    optional MIC or exchange code, appended to each ticker ("00700 XHKG")
    list type   "prohibited" or "watch": the effect the firm gives the entry
    start date  optional first day on the list (ISO 2025-01-31, or an Excel date)
    end date    optional first day off the list
    note        free text: why the firm lists it

The list is not part of the shipped snapshot: :func:`load_firm_list` reads it at check time into
a :class:`~portfolio_check.reference.ReferenceList` (list id ``firm``, regime ``firm``). A row the
checker cannot use (an unknown list type, a bad date or ISIN, no name and no identifier) raises
``InputFileError`` naming the file, the row and the value: a restricted list that silently lost
a row would clear what the firm meant to block.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from portfolio_check.errors import InputFileError
from portfolio_check.holdings.encoding import decode_csv
from portfolio_check.holdings.guards import read_regular_file
from portfolio_check.holdings.readers import (
    MAX_FILE_ENV,
    ReadLimits,
    check_package,
    csv_problem,
    sniff_kind,
)
from portfolio_check.identifiers import normalize_isin
from portfolio_check.model import ListEffect, ListEntry
from portfolio_check.reference import ReferenceList

__all__ = [
    "COLUMNS",
    "FIRM_LIST_ID",
    "FIRM_REGIME",
    "LIST_TYPES",
    "load_firm_list",
    "parse_firm_rows",
]

FIRM_LIST_ID = "firm"
FIRM_REGIME = "firm"
LIST_TYPES = tuple(effect.value for effect in ListEffect)
COLUMNS = ("name", "isin", "ticker", "exchange", "list type", "start date", "end date", "note")
"""The template's columns, in its order."""
REQUIRED_COLUMNS = ("name", "list type")
HEADER_SEARCH_ROWS = 20
"""A header is looked for in this many first rows (a title block may sit above it)."""

_SEPARATORS = re.compile(r"[;\n]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y")
"""Accepted date texts: ISO first; '31 Jan 2025' as OFAC writes dates. Never 01/02/2025."""


def _column_key(value: object) -> str:
    return " ".join(str(value or "").replace("_", " ").split()).casefold()


def _text(value: object) -> str:
    """A cell as text: Excel's 700.0 -> '700', a date -> ISO, None -> ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def _date(value: object, file: str, sheet: str | None, row: int, column: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise InputFileError(
        file,
        f"{column}: not a date (write 2025-01-31, or use an Excel date)",
        sheet=sheet,
        row=row,
        value=text,
    )


def _split(value: object) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(_text(value)) if part.strip()]


def parse_firm_rows(
    rows: Sequence[tuple[int, dict[str, object]]],
    *,
    file: str,
    sheet: str | None = None,
    list_id: str = FIRM_LIST_ID,
) -> tuple[ListEntry, ...]:
    """Turn ``(row number, {column: value})`` pairs into entries; no I/O.

    Entry ids are the row numbers (the firm finds the row it wrote). Raises ``InputFileError``.
    """
    entries: list[ListEntry] = []
    for row, cells in rows:
        if not any(_text(v) for v in cells.values()):
            continue

        def fail(problem: str, value: object, row: int = row) -> InputFileError:
            return InputFileError(file, problem, sheet=sheet, row=row, value=value)

        isins: list[str] = []
        for raw in _split(cells.get("isin")):
            isin = normalize_isin(raw)
            if isin is None:
                raise fail("isin: not a valid ISIN (format or check digit)", raw)
            if isin not in isins:
                isins.append(isin)
        exchange = _text(cells.get("exchange")).upper()
        tickers = [
            f"{code} {exchange}" if exchange else code for code in _split(cells.get("ticker"))
        ]
        name = _text(cells.get("name"))
        if not name and not isins and not tickers:
            raise fail("a row with no name, no ISIN and no ticker", _text(cells.get("note")))
        list_type = _text(cells.get("list type")).casefold()
        if list_type not in LIST_TYPES:
            raise fail(
                f"list type: must be one of {', '.join(LIST_TYPES)}",
                _text(cells.get("list type")),
            )
        start = _date(cells.get("start date"), file, sheet, row, "start date")
        end = _date(cells.get("end date"), file, sheet, row, "end date")
        if start is not None and end is not None and end <= start:
            raise fail("end date: not after the start date", f"{start} .. {end}")
        entries.append(
            ListEntry(
                list_id=list_id,
                entry_id=str(row),
                name=name or (isins[0] if isins else tickers[0]),
                isins=tuple(isins),
                tickers=tuple(tickers),
                listed_from=start,
                listed_until=end,
                effect=ListEffect(list_type),
                remarks=_text(cells.get("note")),
            )
        )
    return tuple(entries)


def _header_index(values: Sequence[object]) -> dict[str, int] | None:
    keys = [_column_key(v) for v in values]
    if not all(column in keys for column in REQUIRED_COLUMNS):
        return None
    return {column: keys.index(column) for column in COLUMNS if column in keys}


def _rows_from_grid(
    grid: Iterator[tuple[int, Sequence[object]]], file: str, sheet: str | None
) -> list[tuple[int, dict[str, object]]]:
    header: dict[str, int] | None = None
    rows: list[tuple[int, dict[str, object]]] = []
    for number, values in grid:
        if header is None:
            if number > HEADER_SEARCH_ROWS:
                break
            header = _header_index(values)
            continue
        rows.append(
            (
                number,
                {c: values[i] if i < len(values) else None for c, i in header.items()},
            )
        )
    if header is None:
        raise InputFileError(
            file,
            f"no header row with the columns {', '.join(REQUIRED_COLUMNS)} in the first "
            f"{HEADER_SEARCH_ROWS} rows (template columns: {', '.join(COLUMNS)})",
            sheet=sheet,
        )
    return rows


def _read_csv(raw: bytes, file: str) -> list[tuple[int, dict[str, object]]]:
    decoded = decode_csv(raw, file)
    if decoded.bad:
        # a firm list is the firm's own instruction: a garbled name must not silently miss
        first = decoded.bad[0]
        raise InputFileError(
            file,
            f"bytes that are not {decoded.encoding} ({first.data.hex(' ')}); save the list as "
            "UTF-8 CSV",
            row=first.line,
        )
    reader = csv.reader(io.StringIO(decoded.text, newline=""))
    rows: list[tuple[int, list[object]]] = []
    try:
        rows.extend((reader.line_num, list(values)) for values in reader)
    except csv.Error as exc:
        raise InputFileError(
            file, f"malformed CSV: {csv_problem(exc)}", row=reader.line_num + 1
        ) from None
    return _rows_from_grid(iter(rows), file, None)


def _read_xlsx(path: Path) -> tuple[str, list[tuple[int, dict[str, object]]]]:
    from openpyxl import load_workbook  # the I/O edge only

    try:
        # Not read-only: a workbook with a wrong dimension record would look empty.
        book = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputFileError(path.name, f"not a readable .xlsx workbook ({exc})") from None
    try:
        first_error: InputFileError | None = None
        for sheet in book.worksheets:
            grid = (
                (number, list(values))
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            )
            try:
                return sheet.title, _rows_from_grid(grid, path.name, sheet.title)
            except InputFileError as error:
                first_error = first_error or error
        raise first_error or InputFileError(path.name, "the workbook has no sheet")
    finally:
        book.close()


def firm_list_id(number: int) -> str:
    """The list id of the ``number``-th firm list given (0-based): ``firm``, ``firm-2``, ..."""
    return FIRM_LIST_ID if number == 0 else f"{FIRM_LIST_ID}-{number + 1}"


def load_firm_list(path: Path, list_id: str = FIRM_LIST_ID) -> ReferenceList:
    """Read a firm's list (``.xlsx`` or ``.csv``) into a list the checker applies.

    Raises ``InputFileError`` for a missing or unreadable file, a file without the template's
    header, or a row the checker cannot use (naming the file, sheet, row and value).
    """
    limits = ReadLimits.from_env()
    raw = read_regular_file(path, path.name, limits.max_file_bytes, f"set {MAX_FILE_ENV}")
    suffix = path.suffix.lower()
    sheet: str | None = None
    if suffix == ".csv":
        rows = _read_csv(raw, path.name)
    elif suffix in (".xlsx", ".xlsm"):
        # the holdings reader's package guards (size, bombs, DTDs, far cells) before openpyxl
        if sniff_kind(raw[:4096]) != "zip":
            raise InputFileError(path.name, "not a readable .xlsx workbook (not a zip package)")
        check_package(raw, path.name, limits)
        sheet, rows = _read_xlsx(path)
    else:
        raise InputFileError(path.name, "a firm list must be an .xlsx or .csv file", value=suffix)
    entries = parse_firm_rows(rows, file=path.name, sheet=sheet, list_id=list_id)
    digest = hashlib.sha256(raw).hexdigest()
    where = f", sheet {sheet!r}" if sheet else ""
    return ReferenceList(
        list_id=list_id,
        title=f"Firm restricted / watch list ({path.name})",
        regime=FIRM_REGIME,
        source=f"the firm's own list {path.name}{where}, sha256 {digest}, {len(entries)} entries",
        entries=entries,
    )
