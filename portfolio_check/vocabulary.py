"""The word lists the readers and the name rules use, kept as commented CSV files.

Each file in ``portfolio_check/vocabularies/`` has ``#`` comment lines (why a word is there,
where it comes from) and one header row; every other line is an entry. This module is their one
loader: it checks the header and each entry's fields, and a malformed entry is a
:class:`~portfolio_check.errors.VocabularyError` naming the file and the line. The files are
package data, read once per process; no other file is read here.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

from portfolio_check.errors import VocabularyError

VOCABULARY_PACKAGE = "portfolio_check.vocabularies"


@dataclass(frozen=True)
class Entry:
    """One entry of a vocabulary file, with where it is written (for messages and tests)."""

    file: str
    line: int
    fields: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.fields[column]

    def number(self, column: str) -> float:
        text = self.fields[column]
        try:
            return float(text)
        except ValueError:
            raise VocabularyError(
                self.file, self.line, f"{column} {text!r} is not a number"
            ) from None

    def one_of(self, column: str, allowed: Iterable[str]) -> str:
        text = self.fields[column]
        options = tuple(allowed)
        if text not in options:
            raise VocabularyError(
                self.file, self.line, f"{column} {text!r} is not one of {', '.join(options)}"
            )
        return text


def parse_vocabulary(file: str, text: str, columns: tuple[str, ...]) -> tuple[Entry, ...]:
    """The entries of a vocabulary file's ``text`` whose header must be ``columns``."""
    entries: list[Entry] = []
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = next(csv.reader(io.StringIO(line)))
        if header is None:
            header = cells
            if tuple(cells) != columns:
                raise VocabularyError(file, number, f"header {cells!r} is not {list(columns)!r}")
            continue
        if len(cells) != len(columns):
            raise VocabularyError(
                file, number, f"{len(cells)} fields where {len(columns)} are expected: {line!r}"
            )
        if not cells[0].strip():
            raise VocabularyError(file, number, f"empty {columns[0]}")
        entries.append(Entry(file, number, dict(zip(columns, cells, strict=True))))
    if header is None:
        raise VocabularyError(file, 1, "no header row")
    return tuple(entries)


@functools.cache
def vocabulary(file: str, columns: tuple[str, ...]) -> tuple[Entry, ...]:
    """The entries of the packaged vocabulary ``file`` (read once per process)."""
    try:
        text = resources.files(VOCABULARY_PACKAGE).joinpath(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VocabularyError(file, 0, f"cannot be read ({exc})") from None
    return parse_vocabulary(file, text, columns)


def grouped(
    entries: Iterable[Entry], key: Callable[[Entry], str], value: Callable[[Entry], str]
) -> dict[str, tuple[str, ...]]:
    """Entries grouped by ``key`` in file order, each group's ``value`` texts in file order."""
    out: dict[str, list[str]] = {}
    for entry in entries:
        out.setdefault(key(entry), []).append(value(entry))
    return {k: tuple(v) for k, v in out.items()}
