"""Where a person can check a finding: the publisher's record of the list entry. Pure.

Every finding names its list entry; this adds the public document it comes from (the list's
official file, as the snapshot's manifest names it) and, for OFAC's lists, the address of the
entry on OFAC's Sanctions List Search, which shows OFAC's own record by its id. Never a local
path: a report travels to people who have none of this machine's files.
"""

from __future__ import annotations

from typing import Any

from portfolio_check.reference import Reference

__all__ = ["OFAC_ENTRY_URL", "entry_citation"]

OFAC_ENTRY_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={entry_id}"
"""OFAC's Sanctions List Search page of one entry, by the id its files use (ent_num / uid)."""


def entry_citation(reference: Reference, list_id: str, entry_id: str) -> dict[str, Any]:
    """``{"source": text, "source_url": address or None}`` for one list entry."""
    listed = reference.lists.get(list_id)
    source = listed.source if listed is not None else list_id
    url = None
    if source.startswith("OFAC") and entry_id.isdigit():
        url = OFAC_ENTRY_URL.format(entry_id=entry_id)
        source = f"{source}; OFAC entry {entry_id}"
    return {"source": source, "source_url": url}
