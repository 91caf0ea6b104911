"""What ``portfolio-check check`` prints: a screen a person can scan.

A header line (as-of date, investor, lists with their publication dates, files); the flagged
holdings grouped by status, worst first, and within a status by the list entry they matched,
one short line each with the holding's own name, its sheet and row; a one-line summary last.
Long groups are cut, saying how many lines were left out and where the rest is (the report,
the JSON, ``--verbose``); ``--verbose`` prints every flagged holding with its full reason.
Colour only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org).

The fields come from the row mapping of :mod:`portfolio_check.result`, as in the workbook,
the JSON and the web page.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from portfolio_check.model import Status
from portfolio_check.result import SEVERITY_ORDER, CheckResult, list_facts, top_finding

# Without --verbose, a group shows at most this many holdings, and all groups together at
# most MAX_FLAGGED_LINES: a screen or two, whatever the size of the file.
GROUP_LINES = 8
MAX_FLAGGED_LINES = 60
NAME_WIDTH = 40
_COLOURS: dict[str, str] = {
    Status.BLOCKED.value: "bright_red",
    Status.PROHIBITED.value: "red",
    Status.PENDING.value: "yellow",
    Status.REVIEW.value: "yellow",
    Status.WATCH.value: "cyan",
    Status.UNRESOLVED.value: "magenta",
    Status.CLEAR.value: "green",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def use_colour(stream: IO[str] | None) -> bool:
    """Colour on a terminal only, and never with ``NO_COLOR`` set or ``TERM=dumb``."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


@dataclass
class _Line:
    name: str
    where: str
    detail: str
    reason: str


@dataclass
class _Group:
    label: str
    lines: list[_Line] = field(default_factory=list)
    unlikely: bool = False


def _published(text: str) -> str:
    """A list's publication date, short: "2025-12-19" or "on or before 2025-12-19"."""
    match = _DATE.search(text)
    if not match:
        return "date not stated"
    before = "on or before " if "on or before" in text[: match.end() + 20] else ""
    return before + match.group(0)


def header_line(result: CheckResult) -> str:
    lists = ", ".join(
        f"{list_id} (published {_published(published)})"
        for list_id, _, published in list_facts(result.reference)
    )
    files = ", ".join(result.files) or "-"
    return (
        f"as of {result.as_of} for a {result.investor.value}; lists {lists}; "
        f"snapshot {result.reference.version}; files {files}"
    )


def summary_line(result: CheckResult) -> str:
    """The last line: counts by status (UNRESOLVED always given: 0 says none)."""
    counts = result.count_by_status()
    summary = ", ".join(
        f"{status.value} {counts[status.value]}"
        for status in SEVERITY_ORDER
        if counts[status.value] or status is Status.UNRESOLVED
    )
    return (
        f"{len(result.holdings)} positions, {len(result.other_rows)} other rows "
        f"as of {result.as_of} for a {result.investor.value}: {summary or 'no positions'}"
    )


def _groups(result: CheckResult) -> dict[Status, list[_Group]]:
    """Flagged positions by status, then by the entry they matched (file order kept)."""
    frame = result.holdings
    securities = result.securities
    names = result.names
    contexts = result.sdn_context
    out: dict[Status, dict[str, _Group]] = {}
    for i, (file, sheet, row, code) in enumerate(
        zip(
            frame["file"].tolist(),
            frame["sheet"].tolist(),
            frame["row"].tolist(),
            securities.codes.tolist(),
            strict=True,
        )
    ):
        verdict = securities.verdicts[code]
        if verdict.status is Status.CLEAR:
            continue
        top = top_finding(verdict)
        label = (
            f"{top.list_id} {top.entry_id}: {top.entry_name}"
            if top
            else "no list entry: " + _first_clause(verdict.reason)
        )
        detail = ""
        if top:
            detail = top.matched_on + (f", {top.exposure}" if top.exposure else "")
        sdn = contexts[code]
        unlikely = bool(sdn and sdn.likelihood)
        if sdn:
            countries = "/".join(sdn.entry_countries) or "?"
            detail += f"; holding {sdn.holding_country or '?'}, entry {countries}"
        if unlikely:
            label += " [unlikely: another country, identifiers not shared]"
        where = f"{sheet}!{row}" if len(result.files) < 2 else f"{file}:{sheet}!{row}"
        groups = out.setdefault(verdict.status, {})
        groups.setdefault(label, _Group(label, unlikely=unlikely)).lines.append(
            _Line(names[i], where, detail, verdict.reason)
        )
    # an unlikely name-only match after the others of its status, never left out
    return {
        status: sorted(groups.values(), key=lambda g: g.unlikely) for status, groups in out.items()
    }


def _first_clause(reason: str) -> str:
    clause = re.split(r"[;:(]", reason, maxsplit=1)[0].strip()
    return clause[:60] + ("..." if len(clause) > 60 else "")


def _cells(text: str) -> int:
    """Terminal columns a text takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns ("..." marks a cut) and padded to it."""
    if _cells(text) > width:
        out, used = "", 0
        for ch in text:
            step = _cells(ch)
            if used + step > width - 3:
                break
            out, used = out + ch, used + step
        text = out + "..."
    return text + " " * (width - _cells(text))


def render(
    result: CheckResult,
    *,
    verbose: bool = False,
    colour: bool = False,
    rest_in: Sequence[str] = (),
    style: Callable[..., str] | None = None,
) -> list[str]:
    """The lines ``check`` prints. ``rest_in`` names where the full result is (the report,
    the JSON file), for the note on what was left out."""
    paint = style if (colour and style) else (lambda text, **_: text)
    lines = [header_line(result)]
    groups = _groups(result)
    budget = MAX_FLAGGED_LINES
    left_out = 0
    for status in SEVERITY_ORDER:
        if status not in groups:
            continue
        count = sum(len(g.lines) for g in groups[status])
        colour_name = _COLOURS[status.value]
        lines.append(paint(f"{status.value} {count}", fg=colour_name, bold=True))
        for group in groups[status]:
            if not verbose and budget <= 0:
                left_out += len(group.lines)
                continue
            many = f" ({len(group.lines)} holdings)" if len(group.lines) > 1 else ""
            lines.append(f"  {group.label}{many}")
            budget -= 1
            room = (
                len(group.lines) if verbose else max(0, min(len(group.lines), GROUP_LINES, budget))
            )
            for line in group.lines[:room]:
                detail = f"  ({line.detail})" if line.detail else ""
                lines.append(f"    {_fit(line.name, NAME_WIDTH)}  {line.where}{detail}")
                if verbose:
                    lines.append(f"      {line.reason}")
            budget -= room
            if room < len(group.lines):
                left_out += len(group.lines) - room
                lines.append(f"    ... and {len(group.lines) - room} more")
    if left_out:
        where = " and ".join(rest_in) if rest_in else "--report or --json"
        lines.append(
            f"{left_out:,} flagged holdings not listed here: every one is in {where}; "
            "--verbose lists them all"
        )
    lines.append(paint(summary_line(result), bold=True))
    return lines
