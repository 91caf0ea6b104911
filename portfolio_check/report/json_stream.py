"""The JSON result written row by row (``check --json``), never whole in memory.

``CheckResult.to_json`` builds every position's dict and then one string of the whole document:
at 200,000 positions about three times the memory of the check itself. This writer takes the
document from ``to_dict(holdings=False)`` (so every key anyone adds there comes along), and
writes each position's dict (``CheckResult.iter_holding_dicts``, the row mapping the workbook and
the pages share) a chunk at a time, one line per position. The
document is the same JSON as ``to_json``'s, in another layout: the positions one per line.

A file is written beside its final name and renamed over it when complete, so a failed run
leaves no half document where a reader expects a whole one.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from portfolio_check.outputs import finite, strict_json

if TYPE_CHECKING:
    from portfolio_check.result import CheckResult

__all__ = ["write_json"]

# Stands for the positions in the document's text, where they are spliced in; a JSON string
# that no value of the document can hold (a NUL is escaped as \u0000 in every other string).
_MARK = "\x00holdings\x00"
# a position's own line: the C encoder (an indent would run the pure-Python one); never NaN
# or Infinity, which are not JSON (outputs.finite turns them into null where they occur)
_strict_encode: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode


def _encode(row: Any) -> str:
    try:
        return _strict_encode(row)
    except ValueError:
        return _strict_encode(finite(row))


def write_json(result: CheckResult, out: str | os.PathLike[str] | TextIO) -> None:
    """Write ``result`` as the JSON contract to a path or an open text stream."""
    if isinstance(out, str | os.PathLike):
        _write_file(result, Path(out))
    else:
        _write(result, out)


def _write_file(result: CheckResult, path: Path) -> None:
    if path.exists() and not path.is_file():
        # a device, FIFO or the like (/dev/stdout, /dev/full): written to, never replaced by
        # a regular file (os.replace onto /dev/full would put the JSON in its place)
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            _write(result, handle)
        return
    # a name of its own, opened exclusively: the file gets the permissions any file the user
    # writes gets (mkstemp's would be private to the user)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("x", encoding="utf-8", newline="\n") as handle:
            _write(result, handle)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write(result: CheckResult, handle: TextIO) -> None:
    document = result.to_dict(holdings=False)
    document["holdings"] = _MARK
    text = strict_json(document, ensure_ascii=False, indent=2)
    marker = json.dumps(_MARK)
    before, found, after = text.partition(marker)
    if not found or marker in after:  # no other value of the document is this string
        raise RuntimeError("the JSON document's holdings mark was not found exactly once")
    handle.write(before)
    _write_rows(result.iter_holding_dicts(), handle)
    handle.write(after + "\n")


def _write_rows(rows: Iterable[dict[str, Any]], handle: TextIO) -> None:
    separator = "[\n    "
    wrote = False
    for row in rows:
        handle.write(separator)
        handle.write(_encode(row))
        separator = ",\n    "
        wrote = True
    handle.write("\n  ]" if wrote else "[]")
