"""Checking uploads in worker processes with memory, CPU-time and wall-clock limits (issue 13).

A crafted upload can make a native reader abort the process (calamine allocating for a value
at XFD1048576) or run for minutes. In the server's own process that stops every user's check,
so each upload is parsed and checked in a separate process:

- a slot is one single-process :class:`~concurrent.futures.ProcessPoolExecutor`: when its
  process dies only the job in it fails (a shared pool would fail every job it holds), and the
  slot is replaced by a fresh process before it is used again;
- the process starts by ``spawn`` (the server's threads are never forked), loads the
  reference a default check uses once, and runs under ``RLIMIT_AS`` (memory); each job sets ``RLIMIT_CPU`` to the
  CPU time used so far plus the job's allowance and an alarm for its wall-clock time, whose
  default action ends the process even inside native code;
- the caller (the request) removes the upload's private folder whatever happened, so a crashed
  job's files do not stay on disk.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import TypeVar

log = logging.getLogger("portfolio_check.web")

T = TypeVar("T")


@dataclass(frozen=True)
class WorkerLimits:
    """What one check may cost in its worker process."""

    # Address space of the worker process (the interpreter, pandas and the reference take
    # about 1 GB of it before any upload).
    memory_mb: int = 4096
    cpu_seconds: int = 300
    wall_seconds: int = 600


class WorkerCrashed(Exception):
    """The worker process ended during a job (a limit reached, or the reader aborted)."""

    def __init__(self, limits: WorkerLimits) -> None:
        super().__init__(
            "Checking this upload stopped its worker process: the file needs more than "
            f"{limits.memory_mb:,} MB of memory, {limits.cpu_seconds:,} s of CPU time or "
            f"{limits.wall_seconds:,} s, or a reader failed on it. Nothing was kept; other "
            "checks were not affected. Save the holdings again (only the holdings table) and "
            "upload that."
        )


def _start_worker(memory_mb: int) -> None:
    """Worker initializer: the memory limit, then the reference loaded once."""
    limit = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    import datetime as dt

    from portfolio_check.pipeline import security_index
    from portfolio_check.pretrade import active_reference

    # the selection a check with the default lists uses today, compiled with its index (the
    # whole snapshot's index, which no check uses, took about 2 s to build in every worker)
    security_index(active_reference(None, None, (), dt.date.today()))


def _ready() -> int:
    return os.getpid()


def _run_limited(cpu_seconds: int, wall_seconds: int, work: Callable[[], T]) -> T:
    """Run ``work`` in the worker under this job's CPU-time and wall-clock allowance."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + cpu_seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    signal.alarm(wall_seconds)
    try:
        return work()
    finally:
        signal.alarm(0)


class WorkerPool:
    """``size`` worker slots; :meth:`run` takes a free one, replacing it if its process died."""

    def __init__(self, size: int, limits: WorkerLimits) -> None:
        self.size = size
        self.limits = limits
        self._context = get_context("spawn")
        self._idle: list[ProcessPoolExecutor] = []
        self._lock = threading.Lock()
        self.crashes = 0

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=self._context,
            initializer=_start_worker,
            initargs=(self.limits.memory_mb,),
        )

    def _take(self) -> ProcessPoolExecutor:
        with self._lock:
            return self._idle.pop() if self._idle else self._new()

    def _give_back(self, executor: ProcessPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self.size:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)

    def warm(self) -> None:
        """Start every slot's process now (each loads the reference once)."""
        executors = [self._take() for _ in range(self.size)]
        try:
            for future in [e.submit(_ready) for e in executors]:
                future.result()
        finally:
            for executor in executors:
                self._give_back(executor)

    async def run(self, work: Callable[[], T]) -> T:
        """Run the picklable ``work`` in a worker; :class:`WorkerCrashed` if its process died."""
        executor = self._take()
        limits = self.limits
        try:
            future = executor.submit(_run_limited, limits.cpu_seconds, limits.wall_seconds, work)
            result: T = await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self.crashes += 1
            log.warning("a check's worker process ended; starting a new one")
            executor.shutdown(wait=False, cancel_futures=True)
            self._give_back(self._new())
            raise WorkerCrashed(limits) from None
        except BaseException:
            self._give_back(executor)
            raise
        self._give_back(executor)
        return result

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for executor in idle:
            executor.shutdown(wait=False, cancel_futures=True)


_POOLS: dict[tuple[int, WorkerLimits], WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(size: int, limits: WorkerLimits) -> WorkerPool:
    """One pool per (size, limits) in this process: applications made by tests share it."""
    with _POOLS_LOCK:
        pool = _POOLS.get((size, limits))
        if pool is None:
            pool = _POOLS[(size, limits)] = WorkerPool(size, limits)
        return pool
