"""The corpus's own vocabulary: a case (one security as a row would show it) and a label."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

# Statuses of the checker, worst first (portfolio_check.model.Status, spelled out here so the
# generator does not import the checker).
STATUSES = ("BLOCKED", "PROHIBITED", "PENDING", "REVIEW", "WATCH", "CLEAR", "UNRESOLVED")
COVERED = frozenset({"PROHIBITED", "PENDING"})
BLOCKING = frozenset({"BLOCKED", "PROHIBITED", "PENDING"})

# The cell roles a case can fill; a layout maps each to one of its columns.
ROLES = (
    "name",
    "isin",
    "cusip",
    "sedol",
    "ticker",
    "code",
    "exchange",
    "description",
    "issuer",
    "ric",
    "symbol",
)

# A label for an as-of date and investor: (expected status, also-acceptable statuses, why).
Verdict = tuple[str, frozenset[str], str]
LabelFn = Callable[[dt.date, str], Verdict]


@dataclass
class Case:
    """One security as a holdings row would give it, and how to label it on any date."""

    kind: str  # the case family, e.g. "line", "isin", "name", "relation", "warrant"
    cells: dict[str, str]  # role -> text
    label: LabelFn
    entry_id: str | None = None  # the NS-CMIC entry the case exercises, for coverage
    notation: str | None = None  # the ticker's notation: bbg, bbg_equity, ric, factset, mic, ofac
    mic: str | None = None  # the exchange the 'exchange' cell names (rendered by the layout)
    date_ok: Callable[[dt.date], bool] = field(default=lambda day: True)
    us_only: bool = False  # labels for non-US persons are not defined by the brief's rules

    def text(self) -> str:
        return " | ".join(f"{role}={value}" for role, value in self.cells.items())


@dataclass
class RowLabel:
    """The expected answer for one physical row of a generated file."""

    file: str
    sheet: str
    row: int
    position: bool
    expected: str | None  # a status for positions; None for other rows
    accept: list[str]  # other statuses (positions) or row classes (other rows) also right
    why: str
    layout: str
    kind: str
    entry_id: str | None = None
    row_class: str | None = None  # expected class of a non-position row (None: blank row)
    content: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "position": self.position,
            "expected": self.expected,
            "accept": self.accept,
            "why": self.why,
            "layout": self.layout,
            "kind": self.kind,
            "entry_id": self.entry_id,
            "row_class": self.row_class,
            "content": self.content,
        }
