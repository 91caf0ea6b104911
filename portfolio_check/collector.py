"""Python's cycle collector, paused while a check or its report runs (issue 6).

A check builds hundreds of thousands of objects that live until it ends (the snapshot's index,
a resolution and a verdict per security, a view per input row, a report's cells) and almost no
cyclic garbage: a 100,000-row check frees about a thousand objects by collection. Yet every
full collection walks all of them, again and again as they accumulate: measured, about 1 s of
a 4.6 s check, and more in the report. Reference counting still frees everything else as it
goes; the collector runs as usual once the last check running in the process ends.

Only a check on the main thread pauses it (a CLI run, a script, a notebook). Checks on other
threads (a web server's workers) leave it running: overlapping requests could otherwise keep it
paused for as long as the server is busy, and the server's own cyclic garbage uncollected.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0  # checks and reports running now, in any thread
_was_enabled = False  # the collector's state when the first of them started


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (on the main thread only); nested blocks share
    the pause, and the collector's own state (enabled or not) comes back when the last ends."""
    global _running, _was_enabled
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
