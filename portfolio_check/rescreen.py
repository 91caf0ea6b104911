"""Re-screening: the same holdings against two snapshots, and every holding whose answer changed.

The daily job of a compliance desk after a list update: ``check FILE --compare-reference OLD``
screens the holdings against the older snapshot and the one in use, then names each holding
(by file, sheet and row) whose status or findings differ, with what changed. The result, exit
code and report follow the newer snapshot; the comparison is ``CheckResult.changes``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from portfolio_check.model import Finding, Verdict
from portfolio_check.pipeline import CheckResult, check, holding_records
from portfolio_check.reference import Reference

__all__ = ["check_against_two", "compare_results"]


def _finding_key(finding: Finding) -> tuple[str, ...]:
    """What makes a finding the same answer: the entry, the status, how and the dates."""
    return (
        finding.list_id,
        finding.entry_id,
        finding.status.value,
        finding.matched_on,
        str(finding.listing_date),
        str(finding.effective_date),
        str(finding.divestment_date),
    )


def _finding_text(finding: Finding) -> str:
    return f"{finding.list_id.upper()} {finding.entry_id} {finding.entry_name} ({finding.status.value})"


def _security(verdict: Verdict) -> str:
    identity = verdict.identity
    return " ".join(str(part) for part in (identity.name, identity.isin, identity.ticker) if part)


def _what(old: Verdict, new: Verdict) -> str:
    parts = []
    if old.status is not new.status:
        parts.append(f"status {old.status.value} -> {new.status.value}")
    before = {_finding_key(f): f for f in old.findings}
    after = {_finding_key(f): f for f in new.findings}
    parts += [f"+ {_finding_text(f)}" for k, f in after.items() if k not in before]
    parts += [f"- {_finding_text(f)}" for k, f in before.items() if k not in after]
    return "; ".join(parts)


def compare_results(old: CheckResult, new: CheckResult) -> dict[str, Any]:
    """Every holding of ``new`` whose status or findings differ from the same row in ``old``."""
    before = {(r.file, r.sheet, r.row): r.verdict for r in holding_records(old.holdings)}
    changed = []
    transitions: Counter[str] = Counter()
    for record in holding_records(new.holdings):
        was = before.get((record.file, record.sheet, record.row))
        now = record.verdict
        if (
            was is not None
            and was.status is now.status
            and ({_finding_key(f) for f in was.findings} == {_finding_key(f) for f in now.findings})
        ):
            continue
        old_status = was.status.value if was is not None else "(not in the old check)"
        transitions[f"{old_status} -> {now.status.value}"] += 1
        changed.append(
            {
                "file": record.file,
                "sheet": record.sheet,
                "row": record.row,
                "security": _security(now),
                "old_status": old_status,
                "new_status": now.status.value,
                "what": _what(was, now) if was is not None else "not screened before",
                "old_reason": was.reason if was is not None else "",
                "new_reason": now.reason,
                "old_findings": [_finding_text(f) for f in (was.findings if was else ())],
                "new_findings": [_finding_text(f) for f in now.findings],
            }
        )
    return {
        "old_version": old.reference.version,
        "new_version": new.reference.version,
        "compared": len(new.holdings),
        "by_change": dict(sorted(transitions.items())),
        "changed": changed,
    }


def check_against_two(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | pd.DataFrame,
    *,
    old_reference: Reference,
    reference: Reference | None = None,
    **options: Any,
) -> CheckResult:
    """``check`` against ``reference`` (default: the one in use), with ``changes`` against
    ``old_reference``: the same holdings, the same options, two snapshots."""
    old = check(source, reference=old_reference, **options)
    new = check(source, reference=reference, **options)
    new.changes = compare_results(old, new)
    return new
