"""Reading holdings files into grids of display text (the I/O edge of ``holdings``).

One function per format, each returning one :class:`~.tables.Grid` per sheet. Every failure
becomes an :class:`~portfolio_check.errors.InputFileError` that names the file; no traceback
from openpyxl, zipfile or csv reaches the caller.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio_check.errors import InputFileError
from portfolio_check.holdings.cells import clean_column, clean_text, render
from portfolio_check.holdings.tables import Grid

EXCEL_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
SUPPORTED_EXTENSIONS = EXCEL_EXTENSIONS | CSV_EXTENSIONS

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_DELIMITERS = ",;\t|"
# Lines of a CSV used to guess its delimiter.
SNIFF_LINES = 200


def sniff_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: ``zip``, ``ole``, ``binary`` or ``text``."""
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


_KIND_TEXT = {
    "zip": "a zip package (an .xlsx/.xlsm/.ods workbook or a zip archive)",
    "ole": "a legacy Office file (.xls or an encrypted workbook)",
    "binary": "binary data",
    "text": "plain text",
}


def read_file(path: Path, label: str) -> list[Grid]:
    """Read one holdings file into grids (one per sheet)."""
    if not path.exists():
        raise InputFileError(label, "file not found")
    if path.is_dir():
        raise InputFileError(label, "is a directory, not a holdings file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        if suffix == ".xls":
            raise InputFileError(label, "legacy .xls workbooks are not supported yet")
        raise InputFileError(
            label,
            f"unsupported file type {suffix or '(no extension)'!r}; "
            f"expected one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(label, f"cannot read the file: {exc.strerror or exc}") from None
    if not data.strip(b" \t\r\n\x00"):
        raise InputFileError(label, "the file is empty")
    kind = sniff_kind(data[:4096])
    if suffix in EXCEL_EXTENSIONS:
        if kind != "zip":
            raise InputFileError(
                label, f"the extension says Excel workbook but the content is {_KIND_TEXT[kind]}"
            )
        return read_xlsx(data, label)
    if kind != "text":
        raise InputFileError(
            label, f"the extension says CSV text but the content is {_KIND_TEXT[kind]}"
        )
    return [read_csv_bytes(data, label, sheet=path.stem or "csv")]


# --------------------------------------------------------------------------------------------
# xlsx / xlsm
# --------------------------------------------------------------------------------------------


def read_xlsx(data: bytes, label: str) -> list[Grid]:
    """All sheets of an .xlsx/.xlsm workbook (cached values; macros never run)."""
    import openpyxl  # local: a CSV-only run does not pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles/extensions it ignores; they do not matter here
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(
                io.BytesIO(data), read_only=False, data_only=True, keep_vba=False
            )
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise InputFileError(
            label, f"not a readable Excel workbook ({type(exc).__name__}: {exc})"
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on malformed packages
        raise InputFileError(
            label, f"the workbook is damaged or not an Excel workbook ({type(exc).__name__})"
        ) from None
    grids: list[Grid] = []
    try:
        for ws in wb.worksheets:
            rows: list[tuple[int, list[str | None]]] = []
            try:
                for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), 1):
                    rendered = [render(v) for v in values]
                    if any(v is not None for v in rendered):
                        rows.append((number, rendered))
            except Exception as exc:  # a damaged sheet part
                raise InputFileError(
                    label,
                    f"cannot read the sheet ({type(exc).__name__}: {exc})",
                    sheet=ws.title,
                    row=len(rows) + 1 if not rows else rows[-1][0] + 1,
                ) from None
            grids.append(Grid.from_rows(ws.title, rows))
    finally:
        wb.close()
    if not any(len(g) for g in grids):
        raise InputFileError(label, "the workbook has no data (every sheet is empty)")
    return grids


# --------------------------------------------------------------------------------------------
# csv
# --------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: utf-8 (with or without BOM), else GB18030 for Chinese, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else (
            "utf-8"
        )
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        high = [ch for ch in text if ord(ch) > 127]
        cjk = sum(1 for ch in high if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
        if high and cjk / len(high) >= 0.8:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number (> 1) of fields.

    Excel's ``sep=;`` first line, when present, decides.
    """
    first = text[:16].splitlines()[0] if text else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = ",", -1.0
    for delim in CSV_DELIMITERS:
        counts: dict[int, int] = {}
        try:
            for record in csv.reader(io.StringIO(sample), delimiter=delim):
                if len(record) > 1:
                    counts[len(record)] = counts.get(len(record), 0) + 1
        except csv.Error:
            continue
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = lines + 0.01 * width
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_bytes(data: bytes, label: str, *, sheet: str = "csv") -> Grid:
    """A CSV file as one grid; row numbers are the line where each record starts."""
    text, _encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    return read_csv_text(text, label, sheet=sheet, delimiter=delimiter)


def read_csv_text(text: str, label: str, *, sheet: str, delimiter: str) -> Grid:
    """Parse CSV text: pandas' C parser when it can, the csv module when rows are ragged."""
    try:
        grid = _read_csv_fast(text, sheet=sheet, delimiter=delimiter)
    except (pd.errors.ParserError, ValueError):
        grid = _read_csv_records(text, label, sheet=sheet, delimiter=delimiter)
    if len(grid) == 0:
        raise InputFileError(label, "the file has no data (only blank lines)")
    return grid


def _line_count(text: str) -> int:
    terminators = text.count("\n") + text.count("\r") - text.count("\r\n")
    return terminators + (0 if text.endswith(("\n", "\r")) else 1)


def _max_fields(text: str, delimiter: str) -> int:
    """The widest record among the first and last lines (a guess; the parser checks it)."""
    lines = text.splitlines()
    sample = lines[:SNIFF_LINES] + lines[-SNIFF_LINES:]
    width = 1
    for line in sample:
        try:
            width = max(width, len(next(csv.reader([line], delimiter=delimiter), [])))
        except csv.Error:
            continue
    return width


def _read_csv_fast(text: str, *, sheet: str, delimiter: str) -> Grid:
    width = _max_fields(text, delimiter)
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        header=None,
        names=list(range(width)),
        dtype=object,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    if frame.empty:
        return Grid.from_frame(sheet, frame, np.zeros(0, dtype=np.int64))
    if _line_count(text) == len(frame):
        starts = np.arange(1, len(frame) + 1, dtype=np.int64)
    else:
        # quoted fields span lines: a record starts after the previous record's lines
        embedded = np.zeros(len(frame), dtype=np.int64)
        for c in frame.columns:
            col = frame[c].astype(str)
            if (
                col.str.contains("\n", regex=False).any()
                or col.str.contains("\r", regex=False).any()
            ):
                embedded += col.str.count(r"\r\n|\r|\n").to_numpy(dtype=np.int64)
        spans = 1 + embedded
        starts = np.concatenate(([1], 1 + np.cumsum(spans)[:-1])).astype(np.int64)
    cleaned = pd.DataFrame(
        {c: clean_column(frame[c]) for c in frame.columns}, index=frame.index, dtype=object
    )
    return Grid.from_frame(sheet, cleaned, starts)


def _read_csv_records(text: str, label: str, *, sheet: str, delimiter: str) -> Grid:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, list[str | None]]] = []
    last_line = 0
    try:
        for record in reader:
            start = last_line + 1
            last_line = reader.line_num
            values = [clean_text(v) for v in record]
            if any(v is not None for v in values):
                rows.append((start, values))
    except csv.Error as exc:
        raise InputFileError(
            label, f"malformed CSV: {exc}", sheet=sheet, row=last_line + 1
        ) from None
    return Grid.from_rows(sheet, rows)
