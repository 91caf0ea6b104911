"""How current the lists in use are: each list's publication date and the staleness warning.

Pure: the snapshot's manifest in, facts out; ``today`` is passed in. A list's publication date
comes from its file (legacy XML ``Publish_Date``, enhanced XML data-as-of) or, for OFAC's CSV
sets that state none, from what is known instead (the fetch time, the public mirror's commit
date, the folder's newest file time), and says which (``basis``).

The warning compares with *today*, not with the as-of date: OFAC changes its lists without
notice, so lists more than ``max_age_days`` old may miss a designation made since.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portfolio_check.reference import Reference

__all__ = [
    "DEFAULT_MAX_LIST_AGE_DAYS",
    "list_publications",
    "reference_facts",
    "staleness",
]

DEFAULT_MAX_LIST_AGE_DAYS = 7
"""OFAC publishes changes any working day; a week-old list may already miss one."""


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def list_publications(reference: Reference) -> list[dict[str, Any]]:
    """Each list in use that the snapshot holds: its publication text, date and basis."""
    recorded = {
        str(item.get("id")): item
        for item in reference.manifest.get("lists", [])
        if isinstance(item, dict)
    }
    found = []
    for list_id in reference.lists:
        item = recorded.get(list_id)
        if item is None:
            continue  # a firm's own list, given with the check: dated by the firm
        published = _day(item.get("published_date"))
        found.append(
            {
                "id": list_id,
                "published": item.get("published", "unknown"),
                "published_date": published.isoformat() if published else None,
                "published_basis": item.get("published_basis"),
            }
        )
    return found


def staleness(
    reference: Reference, today: dt.date, max_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS
) -> dict[str, Any] | None:
    """The warning when a list in use was published more than ``max_age_days`` before today
    (or has no known date); ``None`` when every list is recent enough."""
    old = []
    for item in list_publications(reference):
        day = _day(item["published_date"])
        if day is None:
            old.append(f"{item['id']} (publication date unknown)")
        elif (today - day).days > max_age_days:
            basis = f", {item['published_basis']}" if item["published_basis"] else ""
            old.append(f"{item['id']} published {day.isoformat()}{basis}")
    if not old:
        return None
    return {
        "max_age_days": max_age_days,
        "today": today.isoformat(),
        "lists": old,
        "message": (
            f"lists older than {max_age_days} days on {today.isoformat()}: {'; '.join(old)}. "
            "Designations made since are missing; run 'portfolio-check reference update'"
        ),
    }


def reference_facts(
    reference: Reference,
    today: dt.date | None = None,
    max_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS,
) -> dict[str, Any]:
    """The snapshot's version, its verification, each list's publication, and the warning."""
    manifest = reference.manifest
    verification = manifest.get("verification") or {"status": "not checked"}
    return {
        "content_sha256": manifest.get("content_sha256"),
        "generated_at": manifest.get("generated_at"),
        "fetched_at": (manifest.get("fetched") or {}).get("at"),
        "verification": verification,
        "publications": list_publications(reference),
        "staleness": staleness(reference, today or dt.date.today(), max_age_days),
    }


def report_lines(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """The lines a report's Summary and About show: the warnings first, then the dates."""
    lines: list[tuple[str, str]] = []
    if facts["staleness"]:
        lines.append(("WARNING: lists out of date", facts["staleness"]["message"]))
    if facts["verification"].get("status") == "edited":
        lines.append(("WARNING: snapshot edited", facts["verification"]["note"]))
    published = "; ".join(
        f"{item['id']} {item['published_date'] or 'unknown'}"
        + (f" ({item['published_basis']})" if item["published_basis"] else "")
        for item in facts["publications"]
    )
    if published:
        lines.append(("Lists published", published))
    return lines
