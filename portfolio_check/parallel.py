"""Name look-ups on a second core, for big checks (issue 6).

Taking names apart and comparing them with the known names is most of the time spent resolving
tens of thousands of distinct securities, and each name's answer depends on nothing but the
name and the snapshot. So, where it is safe, a forked helper process looks up half of the names
while this process looks up the others (each takes the next chunk of the list as it goes); the
helper sends back each name's parsed form and
matches, which are kept in the same caches the serial path fills as it goes. The resolution
then runs as before and finds every name already looked up: the answers are the serial path's
by construction (``tests/test_parallel.py`` compares them).

For a large file the helper is forked ahead (:meth:`SharedLookups.ahead`), before the file is
read, while this process is small: it loads its own index of the same snapshot and is given
the names as soon as the file's tables are found. Forked later, from a process holding the
file, every page this process then wrote that the helper still shared cost a copy.

Only forked, never spawned (the snapshot index is inherited or loaded, never pickled), and only
where forking is safe: on Linux, with more than one core, and when this process runs no other
thread (a web server's worker threads, say) that a fork could catch holding a lock, the progress
display's redraw thread apart (it holds only its own lock and its stream's, which the helper
never takes). Anything going wrong in the helper only means this process does the rest itself.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from portfolio_check.match import NameIndex, NameMatch
from portfolio_check.names import ParsedName, parse_name, remember_parsed
from portfolio_check.progress import TICKER_THREAD

WORKERS_ENV = "PORTFOLIO_CHECK_WORKERS"
"""Set to 1 to keep every check in one process."""
# Below this many names to look up, forking costs more than it saves.
MIN_PARALLEL_NAMES = 4000
# How long a helper that is told to stop may take before it is killed.
STOP_SECONDS = 5.0
# How long this process waits for the shared counter's lock before checking the helper lives.
LOCK_WAIT_SECONDS = 1.0

NameAnswer = tuple[str, ParsedName, list[NameMatch]]
T = TypeVar("T")

# Set in a helper process: a helper never forks helpers of its own (a fund's look-through
# screens its constituents with the same functions).
_in_helper = False


def helper_allowed() -> bool:
    """Whether a helper process may be forked now (see the module docstring)."""
    if os.environ.get(WORKERS_ENV, "").strip() == "1":
        return False
    # Linux only: macOS offers fork, but system libraries there are not safe after it
    if (
        not sys.platform.startswith("linux")
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return False
    if (os.cpu_count() or 1) < 2:
        return False
    if multiprocessing.current_process().daemon:
        return False  # a daemonic process (a multiprocessing pool's worker) may have no children
    if _in_helper:
        return False
    return all(
        thread is threading.main_thread() or thread.name == TICKER_THREAD
        for thread in threading.enumerate()
    )


def look_up_names(index: NameIndex, names: Sequence[str], *, minimum: int | None = None) -> int:
    """Look up ``names`` in ``index`` (filling its caches), shared with a helper process when
    at least ``minimum`` are not yet looked up; returns how many the helper did."""
    with SharedLookups(index, names, minimum=minimum) as lookups:
        return lookups.finish()


class SharedLookups:
    """Name look-ups shared with a helper process, which starts on creation (taking names from
    the back of the list) so that this process can do other work first; :meth:`finish` then
    takes names from the front until the two meet, and keeps the helper's answers.

    When no helper may be forked (see :func:`helper_allowed`) or there are fewer than
    ``minimum`` names, nothing happens: the names are looked up as they are needed.
    """

    index: NameIndex | None
    _names: Connection | None = None  # to a helper started ahead: the names, once

    def __init__(
        self, index: NameIndex, names: Sequence[str], *, minimum: int | None = None
    ) -> None:
        self.index = index
        self.todo = [name for name in dict.fromkeys(names) if name and not index.is_cached(name)]
        self._helper: multiprocessing.process.BaseProcess | None = None
        if len(self.todo) < (MIN_PARALLEL_NAMES if minimum is None else minimum):
            return
        if not helper_allowed():
            return
        forked = _fork_helper(_helper, (index, self.todo), len(self.todo), "portfolio-check-names")
        if forked is None:
            return
        helper, self._queue, receiving = forked
        self._receiving = receiving
        self._helper = helper

    @classmethod
    def ahead(cls, load: Callable[[], NameIndex]) -> SharedLookups:
        """A helper forked now, before the names are known, while this process is small: it
        loads its own index (``load()``, the same snapshot as this process's) and waits for
        :meth:`give`. Forked later, from a process holding a million-row file, every page
        this process wrote afterwards that the helper still shared cost a copy (its next
        steps ran 30% slower); forked ahead, the helper can start on the names as soon as the
        file's name column is known, while this process still reads the rest.

        No helper when none may be forked (see :func:`helper_allowed`): then :meth:`give`
        and :meth:`finish` do nothing and the names are looked up as they are needed.
        """
        lookups = cls.__new__(cls)
        lookups.index = None
        lookups.todo = []
        lookups._helper = None
        if not helper_allowed():
            return lookups
        context = multiprocessing.get_context("fork")
        names_receiving, names_sending = context.Pipe(duplex=False)
        forked = _fork_helper(
            _helper_ahead,
            (load, names_receiving, names_sending),
            0,
            "portfolio-check-names",
            context,
        )
        names_receiving.close()  # the helper holds its own copy
        if forked is None:
            names_sending.close()
            return lookups
        lookups._helper, lookups._queue, lookups._receiving = forked
        lookups._names = names_sending
        return lookups

    def give(self, names: Sequence[str]) -> None:
        """The names for a helper started :meth:`ahead` (once); :meth:`finish` is then given
        this process's own index."""
        self.todo = [name for name in dict.fromkeys(names) if name]
        if self._helper is None:
            return
        self._queue.reset(len(self.todo))
        sending, self._names = self._names, None
        if sending is None:
            return
        try:
            sending.send(self.todo)
        except OSError:  # the helper is gone: this process looks the names up itself
            self._queue.reset(0)
        finally:
            sending.close()

    @property
    def sharing(self) -> bool:
        """Whether a helper is at work on names given to it (:meth:`finish` collects them)."""
        return self._helper is not None and self._names is None and bool(self.todo)

    def __enter__(self) -> SharedLookups:
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop a helper whose answers will not be asked for (the work before or during
        :meth:`finish` failed)."""
        helper, self._helper = self._helper, None
        if helper is None:
            return
        names, self._names = self._names, None
        if names is not None:
            names.close()  # a helper still waiting for names gets EOF and exits
        # Closing our end first: a helper blocked on sending gets a broken pipe and exits even
        # where the terminate signal is caught or ignored (a server's own SIGTERM handler).
        self._receiving.close()
        helper.terminate()
        helper.join(timeout=STOP_SECONDS)
        if helper.is_alive():
            helper.kill()
            helper.join()

    def finish(self, index: NameIndex | None = None) -> int:
        """Look up names (in ``index``, default the constructor's) until the helper's part is
        reached, and keep the helper's answers; returns how many it did."""
        helper, index = self._helper, index if index is not None else self.index
        if helper is None:
            return 0
        if index is None or self._names is not None:  # started ahead, never given names
            self.__exit__()
            return 0
        while (chunk := self._queue.take_front(helper)) is not None:
            for name in self.todo[chunk]:
                index.lookup(name)
        answers: list[NameAnswer] = []
        # a helper that failed sends nothing: resolving looks up what it took, as without it
        with contextlib.suppress(EOFError, OSError):
            answers = self._receiving.recv()
        self._helper = None
        self._receiving.close()
        helper.join()
        for name, parsed, matches in answers:
            remember_parsed(parsed)
            index.remember(name, matches)
        return len(answers)


def shared_map(
    work: Callable[[int], T],
    count: int,
    *,
    minimum: int,
    done: Callable[[int], None] | None = None,
) -> list[T]:
    """``[work(i) for i in range(count)]``, with a forked helper working from the back of the
    range while this process works from the front, when one may be forked (see
    :func:`helper_allowed`) and ``count`` is at least ``minimum``.

    ``work`` must depend on nothing but ``i`` and what exists at the fork (its caches may fill
    in either process): the helper's results come back pickled, equal to what this process
    would have made. A helper that fails only means this process does its part too.
    ``done`` is told how many items both processes have taken so far, as they go.
    """
    tell = done or (lambda taken: None)
    forked = None
    if count >= minimum and helper_allowed():
        forked = _fork_helper(_map_helper, (work,), count, "portfolio-check-work")
    if forked is None:  # one process it is
        out: list[T] = []
        for i in range(count):
            out.append(work(i))
            if (i + 1) % _SharedQueue.CHUNK == 0 or i + 1 == count:
                tell(i + 1)
        return out
    helper, queue, receiving = forked
    results: list[Any] = [_NOT_DONE] * count
    answers: list[tuple[int, list[T]]] = []
    try:
        while (chunk := queue.take_front(helper)) is not None:
            for i in range(chunk.start, chunk.stop):
                results[i] = work(i)
            tell(queue.taken())
        # a helper that failed sends nothing: its part is done here, as without it
        with contextlib.suppress(EOFError, OSError):
            answers = receiving.recv()
        helper.join()
    finally:
        receiving.close()
        if helper.is_alive():  # the work here failed: the helper's answers are not wanted
            helper.terminate()
            helper.join(timeout=STOP_SECONDS)
            if helper.is_alive():
                helper.kill()
                helper.join()
    for start, values in answers:
        results[start : start + len(values)] = values
    for i, value in enumerate(results):
        if value is _NOT_DONE:
            results[i] = work(i)
    tell(count)
    return results


_NOT_DONE = object()


def _fork_helper(
    target: Callable[..., None],
    args: tuple[Any, ...],
    size: int,
    name: str,
    context: Any = None,
) -> tuple[multiprocessing.process.BaseProcess, _SharedQueue, Connection] | None:
    """Fork a helper running ``target(*args, queue, sending)`` over a shared queue of ``size``
    positions; the helper, the queue and this end of its pipe, or None when it could not be
    forked (out of memory, a process limit, a daemonic process): one process it is."""
    context = context or multiprocessing.get_context("fork")
    queue = _SharedQueue(context, size)
    receiving, sending = context.Pipe(duplex=False)
    helper = context.Process(target=target, args=(*args, queue, sending), name=name)
    # Objects that exist now are left out of garbage collection while the helper runs: a
    # collection in the helper would otherwise touch, and so copy, every page it inherited.
    # (Not when the application has frozen objects itself: unfreezing would undo that.)
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        helper.start()
    except (OSError, AssertionError, ValueError):
        receiving.close()
        return None
    finally:
        sending.close()  # the helper holds its own copy; EOF here once it exits
        if freeze:
            gc.unfreeze()
    return helper, queue, receiving


def _map_helper(work: Callable[[int], Any], queue: _SharedQueue, sending: Connection) -> None:
    # as _helper: ends with os._exit; a helper that fails sends nothing
    global _in_helper
    _in_helper = True
    code = 1
    try:
        answers: list[tuple[int, list[Any]]] = []
        while (chunk := queue.take_back()) is not None:
            answers.append((chunk.start, [work(i) for i in range(chunk.start, chunk.stop)]))
        sending.send(answers)
        code = 0
    finally:
        os._exit(code)


class _SharedQueue:
    """Positions in the list of names, taken in chunks: this process from the front, the helper
    from the back, until they meet (so neither waits for the other to finish a fixed half)."""

    CHUNK = 250

    def __init__(self, context: Any, size: int) -> None:
        self._bounds = context.RawArray("q", [0, size])
        self._size = size
        self._lock = context.Lock()

    def take_front(self, helper: multiprocessing.process.BaseProcess) -> slice | None:
        # A helper killed while holding the lock (out of memory) never releases it: once it is
        # gone, this process is the only one left and takes the rest without the lock.
        while not self._lock.acquire(timeout=LOCK_WAIT_SECONDS):
            if not helper.is_alive():
                return self._take_front()
        try:
            return self._take_front()
        finally:
            self._lock.release()

    def _take_front(self) -> slice | None:
        front, back = self._bounds
        if front >= back:
            return None
        self._bounds[0] = min(front + self.CHUNK, back)
        return slice(front, self._bounds[0])

    def taken(self) -> int:
        """How many positions either process has taken."""
        front, back = self._bounds
        return int(front) + self._size - int(back)

    def reset(self, size: int) -> None:
        """All of ``size`` positions untaken again (a queue made before its list was known)."""
        with self._lock:
            self._bounds[0], self._bounds[1] = 0, size
            self._size = size

    def take_back(self) -> slice | None:
        with self._lock:
            front, back = self._bounds
            if front >= back:
                return None
            self._bounds[1] = max(back - self.CHUNK, front)
            return slice(self._bounds[1], back)


def _helper(index: NameIndex, names: list[str], queue: _SharedQueue, sending: Connection) -> None:
    _answer_names(lambda: (index, names), queue, sending)


def _helper_ahead(
    load: Callable[[], NameIndex],
    names_receiving: Connection,
    names_sending: Connection,
    queue: _SharedQueue,
    sending: Connection,
) -> None:
    # as _helper, once this process has its own index and the names (EOF: none are coming)
    global _in_helper
    _in_helper = True

    def index_and_names() -> tuple[NameIndex, list[str]]:
        names_sending.close()  # the parent's end, inherited: EOF must come when the parent's closes
        index = load()
        names: list[str] = names_receiving.recv()
        return index, names

    _answer_names(index_and_names, queue, sending)


def _answer_names(
    given: Callable[[], tuple[NameIndex, list[str]]], queue: _SharedQueue, sending: Connection
) -> None:
    # The helper ends with os._exit, not by returning: multiprocessing would then flush the
    # standard streams, whose locks a thread of the parent (the progress display) may have
    # held when the fork happened. A helper that fails sends nothing; the parent carries on.
    code = 1
    try:
        index, names = given()
        answers: list[NameAnswer] = []
        while (chunk := queue.take_back()) is not None:
            answers += [(name, parse_name(name), index.lookup(name)) for name in names[chunk]]
        sending.send(answers)
        code = 0
    finally:
        os._exit(code)
