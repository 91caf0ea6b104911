"""The package's exceptions: one root, a few subclasses, messages that quote the bad value.

    PortfolioCheckError
    ├── InputFileError        a holdings file cannot be read (names the file, sheet, row, value)
    ├── ReferenceDataError    the shipped or given reference data is malformed or missing
    │   └── VocabularyError   a vocabulary file of the package is malformed (names file, line)
    ├── SourceFormatError     an official list file is not in the format its importer expects
    └── UsageError            a caller passed an argument that makes no sense (bad date, id...)

The CLI turns any of these into one line on standard error and exit code 2.
"""

from __future__ import annotations


class PortfolioCheckError(Exception):
    """Root of every error this package raises on purpose."""


class InputFileError(PortfolioCheckError):
    """A holdings file could not be read; the message names the file and, where known, where."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        value: object = None,
    ) -> None:
        self.file = file
        self.problem = problem
        self.sheet = sheet
        self.row = row
        self.value = value
        where = file
        if sheet is not None:
            where += f", sheet {sheet!r}"
        if row is not None:
            where += f", row {row}"
        message = f"{where}: {problem}"
        if value is not None:
            message += f" (value {value!r})"
        super().__init__(message)


class ReferenceDataError(PortfolioCheckError):
    """Reference data is malformed; the message names the file and the offending value."""


class VocabularyError(ReferenceDataError):
    """A vocabulary file shipped inside the package is malformed: names the file and line."""

    def __init__(self, file: str, line: int, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        super().__init__(f"vocabulary {file}, line {line}: {problem}")


class SourceFormatError(PortfolioCheckError):
    """An official list file does not have the layout its importer expects."""


class UsageError(PortfolioCheckError):
    """An argument makes no sense (an unknown investor type, a malformed date, an empty id)."""
