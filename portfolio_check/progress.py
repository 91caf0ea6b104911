"""Progress of a long check: the callback protocol and a one-line display on standard error.

The pipeline reports through a plain callback, ``progress(stage, done, total)``, called by the
reader, the resolver, the screener and the report writer. Stages, in order:

=========  ==================================================================
``read``     reading the holdings files (steps: each file loaded, then analysed)
``resolve``  identifying and resolving each distinct security (done of total)
``screen``   screening each distinct security against the lists (done of total)
``report``   writing the report (rows written of rows to write)
``done``     the check is complete (the display clears its line)
=========  ==================================================================

:class:`ProgressDisplay` draws that on a terminal: silent for runs shorter than a few seconds,
silent when the stream is not a terminal (a pipe, a log file, CI), and redrawn at most a few
times a second so that drawing never costs the check anything measurable.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; see the module docstring for the stages."""

STAGES = ("read", "resolve", "screen", "report", "done")
STAGE_LABELS = {
    "read": "reading holdings",
    "resolve": "resolving securities",
    "screen": "screening securities",
    "report": "writing report",
    "save": "saving the workbook",
}
# Nothing is drawn before a run has lasted this long: short runs stay quiet.
SHOW_AFTER_SECONDS = 2.0
# The display's redraw thread. It only takes the display's own lock and writes to its stream,
# so a process may still fork a helper while it runs (see parallel.py).
TICKER_THREAD = "portfolio-check-progress"
# The line is redrawn at most this often (and on every change of stage).
REDRAW_SECONDS = 0.25
# While a stage reports nothing (one big file being parsed), the elapsed time still ticks.
TICK_SECONDS = 0.5


def silent(stage: str, done: int, total: int) -> None:
    """A progress callback that does nothing."""


def combine(*callbacks: ProgressCallback | None) -> ProgressCallback:
    """One callback that calls each given one in turn (``None`` entries are skipped)."""
    active = [c for c in callbacks if c is not None]
    if not active:
        return silent
    if len(active) == 1:
        return active[0]

    def call(stage: str, done: int, total: int) -> None:
        for callback in active:
            callback(stage, done, total)

    return call


def stream_is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressDisplay:
    """A progress callback that draws one line on ``stream`` (standard error by default).

    Shown only when ``stream`` is a terminal (``enabled=None``) and only once the run has lasted
    ``show_after`` seconds; ``enabled=False`` (``--quiet``) never draws. Use as a context
    manager, or call :meth:`close` at the end, so the line is cleared and the ticker stopped.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        show_after: float = SHOW_AFTER_SECONDS,
        redraw: float = REDRAW_SECONDS,
        tick: float | None = TICK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = stream_is_terminal(self.stream) if enabled is None else enabled
        self.show_after = show_after
        self.redraw = redraw
        self.clock = clock
        self.started = clock()
        self._stage = ""
        self._stage_started = self.started
        self._done = 0
        self._total = 0
        self._last_draw = float("-inf")
        self._width = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.enabled and tick:
            self._ticker = threading.Thread(
                target=self._tick, args=(tick,), name=TICKER_THREAD, daemon=True
            )
            self._ticker.start()

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            if stage == "done":
                self._stage = ""
                self._clear()
                return
            changed = stage != self._stage
            if changed:
                self._stage, self._stage_started = stage, self.clock()
            self._done, self._total = done, total
            now = self.clock()
            if changed or now - self._last_draw >= self.redraw or (total and done >= total):
                self._draw(now)

    def line(self, now: float | None = None) -> str:
        """The text of the progress line as it would be drawn now."""
        now = self.clock() if now is None else now
        label = STAGE_LABELS.get(self._stage, self._stage)
        elapsed = now - self.started
        if self._total > 1 and self._stage != "read":  # reading counts coarse steps only
            share = min(self._done / self._total, 1.0)
            text = f"{label}: {self._done:,} of {self._total:,} ({share:.0%})"
        else:
            text = f"{label}..."
        return f"portfolio-check: {text}  [{elapsed:.0f}s]"

    def close(self) -> None:
        """Stop the ticker and clear the line (if anything was drawn)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1.0)
            self._ticker = None
        with self._lock:
            self._clear()

    # -- internals (called with the lock held) ---------------------------------------------

    def _draw(self, now: float) -> None:
        if not self._stage or now - self.started < self.show_after:
            return
        text = self.line(now)
        pad = max(self._width - len(text), 0)
        self._write("\r" + text + " " * pad)
        self._width = len(text)
        self._last_draw = now

    def _clear(self) -> None:
        if self._width:
            self._write("\r" + " " * self._width + "\r")
            self._width = 0

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream: stop drawing
            self.enabled = False

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                if self.enabled and self._stage:
                    self._draw(self.clock())
