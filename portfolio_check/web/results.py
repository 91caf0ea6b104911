"""Finished checks kept in memory for a while: their pages, paging and downloads.

A results page shows the flagged holdings and pages through the rest on the server, and its
Excel report and JSON are built on demand from the kept result, so a result of any size can be
downloaded (the workbook is written in constant memory past a few hundred thousand rows). The
store is bounded: at most ``max_entries`` results and ``max_positions`` positions in all, each
kept ``ttl`` seconds; the oldest go first. A restart forgets them all, and nothing is written
to disk but the report being built, in a private temporary folder removed at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from portfolio_check.result import CheckResult
from portfolio_check.web.cache import ExpiringStore


@dataclass(frozen=True)
class Kept:
    """One finished check: its result, the JSON text already made, and the download's stem."""

    result: CheckResult
    json_text: str
    stem: str
    created: float
    owner: str = ""  # who may see it: the login session or browser that made it

    @property
    def positions(self) -> int:
        return len(self.result.holdings)


class ResultStore(ExpiringStore[Kept]):
    """Finished results, at most ``max_positions`` positions in all."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_positions: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            max_entries=max_entries,
            max_weight=max_positions,
            ttl=ttl,
            weight=lambda item: item.positions,
            clock=clock,
        )
        self.max_positions = max_positions

    def put(self, result: CheckResult, json_text: str, stem: str, owner: str = "") -> str | None:
        """Keep a result for ``owner``; its token, or None when it alone is too large."""
        return self.keep(Kept(result, json_text, stem, self.now(), owner))
