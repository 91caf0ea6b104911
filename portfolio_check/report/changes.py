"""The report's Changes sheet: holdings whose answer changed between two snapshots.

Written first in the workbook when the check compared snapshots (``--compare-reference``):
after a list update it is the sheet a compliance officer reads first.
"""

from __future__ import annotations

from typing import Any

__all__ = ["write_changes"]

HEADERS = ["File", "Sheet", "Row", "Security", "Before", "Status", "What changed", "Reason now"]


def write_changes(writer: Any, changes: dict[str, Any]) -> None:
    """One row per changed holding; a note row when none changed (so the sheet says so)."""
    rows: list[list[Any]] = [
        [
            change["file"],
            change["sheet"],
            change["row"],
            change["security"],
            change["old_status"],
            change["new_status"],
            change["what"],
            change["new_reason"],
        ]
        for change in changes["changed"]
    ]
    if not rows:
        rows = [
            [
                "",
                "",
                None,
                f"no holding changed between reference {changes['old_version']} and "
                f"{changes['new_version']} ({changes['compared']} compared)",
                "",
                "",
                "",
                "",
            ]
        ]
    writer.table(
        "Changes",
        HEADERS,
        rows,
        widths={"Security": 40, "What changed": 70, "Reason now": 90},
        status_column="Status",
    )
