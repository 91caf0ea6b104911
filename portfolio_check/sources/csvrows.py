"""Reading the snapshot's CSV files so that damage is one line naming the file and line.

A garbled byte used to escape as a bare ``UnicodeDecodeError`` (no file named), a NUL byte
loaded silently into a fact, and a pydantic error printed a multi-line dump. Here each row
comes with its line number, and a byte that is not UTF-8, a NUL or a CSV the parser rejects
is a :class:`~portfolio_check.errors.ReferenceDataError` naming the file and the line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portfolio_check.errors import ReferenceDataError


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, row) for each row of a UTF-8 CSV with a header."""
    reader = csv.DictReader(io.StringIO(checked_text(path), newline=""))
    line = 1
    try:
        for raw in reader:
            yield line + 1, raw
            line = reader.line_num
    except csv.Error as exc:
        raise ReferenceDataError(f"{path}, line {line + 1}: malformed CSV ({exc})") from None


def checked_text(path: Path) -> str:
    """The file's text if it is UTF-8 without NUL bytes, else a one-line error with the line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReferenceDataError(
            f"{path}, line {line}: not UTF-8 (byte {data[exc.start]:#04x}); the file is damaged"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ReferenceDataError(f"{path}, line {line}: holds a NUL byte; the file is damaged")
    return text


def one_line(exc: Any) -> str:
    """A pydantic ValidationError as one line: ``field: message; ...``."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return " ".join(str(exc).split())
    return "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ())) or 'row'}: {error.get('msg', '')}"
        for error in errors()
    )
