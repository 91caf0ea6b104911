"""Finished checks kept in memory for a while: their pages, paging and downloads.

A results page shows the flagged holdings and pages through the rest on the server, and its
Excel report and JSON are built on demand from the kept result, so a result of any size can be
downloaded (the workbook is written in constant memory past a few hundred thousand rows). The
store is bounded: at most ``max_entries`` results and ``max_positions`` positions in all, each
kept ``ttl`` seconds; the oldest go first. A restart forgets them all, and nothing is written
to disk but the report being built, in a private temporary folder removed at once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from portfolio_check.result import CheckResult

TOKEN_BYTES = 24


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


class ResultStore:
    """A small, thread-safe, in-memory store of results, keyed by random tokens."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_positions: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_positions = max_positions
        self.ttl = ttl
        self._clock = clock
        self._items: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, result: CheckResult, json_text: str, stem: str, owner: str = "") -> str | None:
        """Keep a result for ``owner``; its token, or None when it alone is too large."""
        item = Kept(result, json_text, stem, self._clock(), owner)
        if item.positions > self.max_positions:
            return None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._lock:
            self._expire()
            self._items[token] = item
            while len(self._items) > self.max_entries or self._total() > self.max_positions:
                self._items.popitem(last=False)
        return token

    def get(self, token: str, owner: str = "") -> Kept | None:
        """The result behind ``token``, only for the owner that made it (a leaked link is
        useless to anyone else)."""
        with self._lock:
            self._expire()
            item = self._items.get(token)
        if item is None or not secrets.compare_digest(item.owner, owner):
            return None
        return item

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)

    def _total(self) -> int:
        return sum(item.positions for item in self._items.values())

    def _expire(self) -> None:
        limit = self._clock() - self.ttl
        while self._items:
            token, oldest = next(iter(self._items.items()))
            if oldest.created > limit:
                break
            del self._items[token]
