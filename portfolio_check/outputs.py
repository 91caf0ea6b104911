"""Writing results: JSON that is always valid JSON, and one-line errors for a place that cannot
be written (issue 13).

``json.dumps`` writes ``Infinity`` and ``NaN`` for non-finite floats, which no strict JSON
parser accepts; a sum of huge market values can still overflow to infinity after the reader
refused non-finite cells. :func:`strict_json` writes such a number as ``null``.

A report or JSON file written to a full disk, a missing folder or a read-only place fails
deep inside a writer (xlsxwriter wraps the OSError, and its half-written zip complains again
when it is collected); :func:`writing` turns that into one :class:`OutputError` line naming
the file.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from portfolio_check.errors import PortfolioCheckError


class OutputError(PortfolioCheckError):
    """A result could not be written where it was asked to go."""


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (in dicts, lists, tuples) replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def strict_json(data: Any, **options: Any) -> str:
    """``json.dumps(data, **options)`` that never writes NaN or Infinity (they become null)."""
    try:
        return json.dumps(data, allow_nan=False, **options)
    except ValueError:
        # rare (an overflowing sum): only then is the whole structure walked
        return json.dumps(finite(data), allow_nan=False, **options)


@contextmanager
def writing(path: object, what: str) -> Iterator[None]:
    """Turn a failure to write ``path`` into one line: ``<path>: cannot write the <what>: ...``."""
    try:
        yield
    except PortfolioCheckError:
        raise
    except Exception as exc:
        reason = _reason(exc)
        if reason is None:
            raise
        _collect_quietly()
        raise OutputError(f"{path}: cannot write the {what}: {reason}") from None


def _reason(exc: BaseException) -> str | None:
    """The OS's words for an output failure, or None when ``exc`` is not one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError):
            return seen.strerror or str(seen)
        for arg in getattr(seen, "args", ()):
            if isinstance(arg, OSError):
                return arg.strerror or str(arg)
        # xlsxwriter's FileCreateError carries the OSError's text
        if type(seen).__name__ == "FileCreateError":
            return " ".join(str(seen).split()) or "the file cannot be created"
        seen = seen.__cause__ or seen.__context__
    return None


def _collect_quietly() -> None:
    """From now on, drop the "Exception ignored" tracebacks of the failed writer's objects (a
    half-written zip closing onto the same full disk when it is collected); others still
    reach the previous hook."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, OSError):
            return
        previous(unraisable)

    sys.unraisablehook = hook
