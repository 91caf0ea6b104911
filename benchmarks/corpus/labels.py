"""Label functions: the brief's rules applied to the reference, for any as-of date and investor."""

from __future__ import annotations

import datetime as dt

from .model import LabelFn, Verdict
from .refdata import NON_US_PERSON, Entry, load


def _entry_text(entry: Entry) -> str:
    return f"{entry.entry_id} {entry.name}"


def entry_status(
    entry: Entry, rule: str, what: str, accept: frozenset[str] = frozenset()
) -> LabelFn:
    """Rules 1, 2, 7, 8, 9: the row is (a line of) the entry."""

    def label(day: dt.date, investor: str) -> Verdict:
        return entry.status(day, investor), accept, f"{rule}: {what} -> {_entry_text(entry)}"

    return label


def ambiguous(entry_ids: set[str], what: str) -> LabelFn:
    """Rule 2's exception: a name that fits two entries."""
    ref = load()
    entries = sorted((ref.entries[e] for e in entry_ids), key=lambda e: e.entry_id)
    listed_from = min(e.listing for e in entries)
    names = ", ".join(_entry_text(e) for e in entries)

    def label(day: dt.date, investor: str) -> Verdict:
        why = f"rule 2 (fits two entries): {what} -> {names}"
        if day < listed_from:
            return "CLEAR", frozenset(), why + "; none listed yet"
        if investor == NON_US_PERSON:
            return "WATCH", frozenset({"REVIEW"}), why + "; watched either way"
        # Where every entry the name fits has the same status on the day, that status is
        # certain whichever entry is meant: it is accepted beside REVIEW (a matcher may
        # prefer the entry whose own name it is, and say so).
        statuses = {e.status(day, investor) for e in entries}
        if len(statuses) == 1:
            return "REVIEW", frozenset(statuses), why + "; every candidate has that status"
        return "REVIEW", frozenset(), why

    return label


def related(entry: Entry, rule: str, what: str) -> LabelFn:
    """Rule 4 (FAQ 857): related to a listed entry -> REVIEW once the entry is listed."""

    def label(day: dt.date, investor: str) -> Verdict:
        why = f"{rule}: {what} related to {_entry_text(entry)}"
        if day < entry.listing:
            return "CLEAR", frozenset(), why + "; entry not yet listed"
        return "REVIEW", frozenset(), why

    return label


def disagreeing(entry: Entry, what: str) -> LabelFn:
    """Rule 3: an entry's name with another issuer's identifier."""

    def label(day: dt.date, investor: str) -> Verdict:
        why = f"rule 3 (evidence disagrees): {what}; name of {_entry_text(entry)}"
        if day < entry.listing:
            return "CLEAR", frozenset({"REVIEW"}), why + "; entry not yet listed"
        if investor == NON_US_PERSON:
            return "REVIEW", frozenset({"WATCH"}), why
        return "REVIEW", frozenset(), why

    return label


def constant(status: str, why: str, accept: frozenset[str] = frozenset()) -> LabelFn:
    def label(day: dt.date, investor: str) -> Verdict:
        return status, accept, why

    return label


def unresolved(why: str, entry: Entry | None = None) -> LabelFn:
    """Rule 6: nothing usable. A bare code of an entry's line may also be read as that line."""

    def label(day: dt.date, investor: str) -> Verdict:
        accept: frozenset[str] = frozenset({"REVIEW"})
        if entry is not None:
            status = entry.status(day, investor)
            if status != "CLEAR":
                accept = accept | {status}
        return "UNRESOLVED", accept, f"rule 6: {why}"

    return label
