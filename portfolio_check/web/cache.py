"""Finished downloads kept in memory for a while, so that nothing is written to disk.

A results page links to its Excel report and JSON by a random token. The bytes live here, in a
bounded cache: at most ``max_entries`` results and ``max_bytes`` in all, each for ``ttl``
seconds; the oldest go first. A restart forgets them all, which is the point.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

# Random bytes in a download token (URL-safe base64 makes 32 characters of it).
TOKEN_BYTES = 24


@dataclass(frozen=True)
class Download:
    """One finished check's downloads."""

    report: bytes
    json: bytes
    stem: str  # the file name without extension offered to the browser
    created: float
    owner: str = ""  # the session or client id that made it; only it may download

    @property
    def size(self) -> int:
        return len(self.report) + len(self.json)


class _Kept(Protocol):
    """What the store needs of an item: when it was made, and by whom."""

    @property
    def created(self) -> float: ...

    @property
    def owner(self) -> str: ...


ItemT = TypeVar("ItemT", bound=_Kept)


class ExpiringStore(Generic[ItemT]):
    """A small, thread-safe, in-memory store keyed by random tokens: at most ``max_entries``
    items and ``max_weight`` of ``weight`` in all, each for ``ttl`` seconds, oldest out first;
    an item is given back only to the owner that stored it."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_weight: int,
        ttl: float,
        weight: Callable[[ItemT], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self.ttl = ttl
        self._weight = weight
        self._clock = clock
        self._items: OrderedDict[str, ItemT] = OrderedDict()
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._clock()

    def keep(self, item: ItemT) -> str | None:
        """Keep ``item``; its token, or None when it alone weighs more than the store."""
        if self._weight(item) > self.max_weight:
            return None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._lock:
            self._expire()
            self._items[token] = item
            while len(self._items) > self.max_entries or self._total() > self.max_weight:
                self._items.popitem(last=False)
        return token

    def get(self, token: str, owner: str = "") -> ItemT | None:
        """The item behind ``token``, only for the owner that made it (a leaked link is
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
        return sum(self._weight(item) for item in self._items.values())

    def _expire(self) -> None:
        limit = self._clock() - self.ttl
        while self._items:
            token, oldest = next(iter(self._items.items()))
            if oldest.created > limit:
                break
            del self._items[token]


class DownloadCache(ExpiringStore[Download]):
    """Downloads (report and JSON bytes), at most ``max_bytes`` in all."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            max_entries=max_entries,
            max_weight=max_bytes,
            ttl=ttl,
            weight=lambda item: item.size,
            clock=clock,
        )
        self.max_bytes = max_bytes

    def put(self, report: bytes, json: bytes, stem: str, owner: str = "") -> str | None:
        """Keep a download; its token, or None when it alone is larger than the cache.

        ``owner`` (a session or client id) binds it: :meth:`get` then needs the same owner.
        """
        return self.keep(Download(report, json, stem, self.now(), owner))
