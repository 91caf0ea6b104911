"""What changed between two versions of a list: entries added, removed, and changed field by field.

* :func:`diff_entries` compares two sequences of :class:`ListEntry` (pure).
* :func:`diff_sources` compares two snapshot folders (``manifest.json`` + ``lists/*.json``), or
  two sets of OFAC's official files: a folder of legacy CSV files (``cons_prim.csv`` ... or
  ``sdn.csv`` ...), a single ``cons_prim.csv`` / ``sdn.csv``, or a legacy XML file. OFAC's files
  are compared whole (every program, every record type), under the list id ``consolidated`` or
  ``sdn``.
* :func:`format_diff` prints the result for a person (``portfolio-check reference diff``).

Comparing like with like: when one side has only OFAC's primary file (an older copy often does),
both sides are read from their primary file alone, and the result says so; when one side is
XML and the other CSV, ``remarks`` is not compared (the CSV spells ids out there, the XML has
them as elements).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from portfolio_check.errors import ReferenceDataError, SourceFormatError, UsageError
from portfolio_check.model import ListEntry
from portfolio_check.sources.ofac_csv import (
    FILE_NAMES,
    FileRole,
    find_ofac_files,
    import_ofac_csv,
)
from portfolio_check.sources.ofac_enhanced import import_ofac_enhanced, is_enhanced
from portfolio_check.sources.ofac_xml import import_ofac_xml
from portfolio_check.sources.snapshot import load_list_file

__all__ = [
    "ChangedEntry",
    "FieldChange",
    "ListDiff",
    "SourceDiff",
    "diff_entries",
    "diff_sources",
    "format_diff",
]

CONTEXT = 40
"""Characters of unchanged text shown around a change inside a long text (remarks)."""
LONG_TEXT = 120
"""Texts longer than this are shown as the changed part with some context, not whole."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldChange(_Frozen):
    """One field of one entry: its old and new value (as ``ListEntry`` holds them)."""

    field: str
    old: Any
    new: Any


class ChangedEntry(_Frozen):
    """An entry in both versions whose fields differ."""

    list_id: str
    entry_id: str
    name: str
    changes: tuple[FieldChange, ...]


class ListDiff(_Frozen):
    """Entries added, removed and changed between two versions of one list, in id order."""

    added: tuple[ListEntry, ...] = ()
    removed: tuple[ListEntry, ...] = ()
    changed: tuple[ChangedEntry, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


class SourceDiff(_Frozen):
    """The result of comparing two sources: what each side was, notes, one diff per list."""

    old: str
    new: str
    notes: tuple[str, ...]
    lists: dict[str, ListDiff]


def _order(key: tuple[str, str]) -> tuple[str, int, int, str]:
    list_id, entry_id = key
    return (
        list_id,
        0 if entry_id.isdigit() else 1,
        int(entry_id) if entry_id.isdigit() else 0,
        entry_id,
    )


def diff_entries(
    old: Sequence[ListEntry], new: Sequence[ListEntry], *, ignore: Collection[str] = ()
) -> ListDiff:
    """Compare two versions of a list, entry by entry (keyed by list id and entry id).

    ``ignore`` names fields not to compare (e.g. ``remarks`` between CSV and XML sources).
    Raises ``UsageError`` if a side repeats an entry id.
    """
    before = _keyed(old, "old")
    after = _keyed(new, "new")
    changed: list[ChangedEntry] = []
    for key in sorted(before.keys() & after.keys(), key=_order):
        a, b = before[key], after[key]
        if a == b:
            continue
        old_fields, new_fields = a.model_dump(), b.model_dump()
        changes = tuple(
            FieldChange(field=name, old=old_fields[name], new=new_fields[name])
            for name in ListEntry.model_fields
            if name not in ignore and _differs(old_fields[name], new_fields[name])
        )
        if changes:
            changed.append(
                ChangedEntry(list_id=b.list_id, entry_id=b.entry_id, name=b.name, changes=changes)
            )
    return ListDiff(
        added=tuple(after[k] for k in sorted(after.keys() - before.keys(), key=_order)),
        removed=tuple(before[k] for k in sorted(before.keys() - after.keys(), key=_order)),
        changed=tuple(changed),
    )


def _differs(old: Any, new: Any) -> bool:
    """Values differ; the same ISINs, tickers or aliases in another order do not (OFAC's
    formats list an entry's ids in different orders)."""
    if isinstance(old, tuple) and isinstance(new, tuple):
        return sorted(map(str, old)) != sorted(map(str, new))
    return bool(old != new)


def _keyed(entries: Sequence[ListEntry], side: str) -> dict[tuple[str, str], ListEntry]:
    keyed: dict[tuple[str, str], ListEntry] = {}
    for entry in entries:
        key = (entry.list_id, entry.entry_id)
        if key in keyed:
            raise UsageError(f"the {side} entries repeat {entry.list_id} entry {entry.entry_id!r}")
        keyed[key] = entry
    return keyed


# --------------------------------------------------------------------------------------------
# Sources: snapshot folders and OFAC's official files
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    kind: str  # "snapshot" | "ofac-csv" | "ofac-xml"
    path: Path
    files: Mapping[FileRole, Path]
    list_id: str = ""

    def describe(self) -> str:
        if self.kind == "snapshot":
            return f"{self.path} (snapshot)"
        names = ", ".join(p.name for p in self.files.values())
        form = {"ofac-xml": "OFAC legacy XML", "ofac-enhanced": "OFAC enhanced XML"}.get(
            self.kind, "OFAC legacy CSV"
        )
        return f"{self.path} ({form}: {names})"


def _ofac_list_id(primary: Path) -> str:
    name = primary.name.lower()
    if name == "sdn.csv" or name.startswith("sdn"):
        return "sdn"
    return "consolidated"


def _source(path: Path) -> _Source:
    if path.is_dir():
        if (path / "manifest.json").is_file():
            return _Source("snapshot", path, {})
        try:
            files = find_ofac_files(path)
        except SourceFormatError:
            raise UsageError(
                f"{path}: neither a snapshot folder (manifest.json) nor a folder of OFAC's "
                "legacy CSV files (cons_prim.csv or sdn.csv)"
            ) from None
        return _Source("ofac-csv", path, files, _ofac_list_id(files[FileRole.PRIM]))
    if path.is_file():
        name = path.name.lower()
        if name in FILE_NAMES[FileRole.PRIM]:
            return _Source("ofac-csv", path, {FileRole.PRIM: path}, _ofac_list_id(path))
        if name.endswith(".xml"):
            kind = "ofac-enhanced" if is_enhanced(path) else "ofac-xml"
            return _Source(kind, path, {FileRole.PRIM: path}, _ofac_list_id(path))
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    raise UsageError(
        f"{path}: not a snapshot folder, a folder of OFAC's CSV files, cons_prim.csv, sdn.csv "
        "or an OFAC XML file"
    )


def _snapshot_lists(folder: Path) -> dict[str, tuple[ListEntry, ...]]:
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = [(str(item["id"]), str(item["file"])) for item in manifest["lists"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{manifest_path}: not a snapshot manifest ({exc})") from None
    return {list_id: load_list_file(folder / file) for list_id, file in listed}


def _ofac_entries(source: _Source, roles: Collection[FileRole]) -> tuple[ListEntry, ...]:
    if source.kind == "ofac-enhanced":
        return import_ofac_enhanced(source.path, list_id=source.list_id).entries
    if source.kind == "ofac-xml":
        return import_ofac_xml(source.path, list_id=source.list_id).entries
    files = {role: path for role, path in source.files.items() if role in roles}
    return import_ofac_csv(files, list_id=source.list_id).entries


def diff_sources(old: Path, new: Path) -> SourceDiff:
    """Compare two snapshots, or two sets of OFAC's official files (see the module docstring).

    Raises ``UsageError`` for a path that is neither, or for a snapshot compared with OFAC's
    files or the consolidated list compared with the SDN list; ``SourceFormatError`` /
    ``ReferenceDataError`` for malformed files.
    """
    a, b = _source(old), _source(new)
    notes: list[str] = []
    if (a.kind == "snapshot") != (b.kind == "snapshot"):
        raise UsageError(
            "compare a snapshot with a snapshot, or OFAC's files with OFAC's files "
            f"(got {a.describe()} and {b.describe()})"
        )
    if a.kind == "snapshot":
        old_lists, new_lists = _snapshot_lists(a.path), _snapshot_lists(b.path)
        for list_id in sorted(old_lists.keys() ^ new_lists.keys()):
            side = "old" if list_id in old_lists else "new"
            notes.append(f"list {list_id!r} is only in the {side} snapshot: all its entries count")
        lists = {
            list_id: diff_entries(old_lists.get(list_id, ()), new_lists.get(list_id, ()))
            for list_id in sorted(old_lists.keys() | new_lists.keys())
        }
        return SourceDiff(old=a.describe(), new=b.describe(), notes=tuple(notes), lists=lists)

    if a.list_id != b.list_id:
        raise UsageError(
            f"these are different OFAC lists ({a.list_id} and {b.list_id}): "
            f"{a.describe()} and {b.describe()}"
        )
    ignore: set[str] = set()
    roles: set[FileRole] = set(FileRole)
    if a.kind != b.kind:
        ignore.add("remarks")
        notes.append(
            "remarks not compared: the CSV spells ids and weak aliases out in its remarks, "
            "the XML files have them as elements"
        )
    elif a.kind == b.kind == "ofac-csv":
        roles = set(a.files) & set(b.files)
        missing = sorted({p.name for s in (a, b) for r, p in s.files.items() if r not in roles})
        if missing:
            only = ", ".join(sorted(p.name for r, p in a.files.items() if r in roles))
            notes.append(
                f"compared {only} only: the other side has no file for "
                f"{', '.join(missing)} (aliases, addresses or the remarks' continuation are "
                "not compared)"
            )
    lists = {
        a.list_id: diff_entries(_ofac_entries(a, roles), _ofac_entries(b, roles), ignore=ignore)
    }
    return SourceDiff(old=a.describe(), new=b.describe(), notes=tuple(notes), lists=lists)


# --------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------


def _value(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return "[" + "; ".join(_value(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _text_change(old: str, new: str) -> str:
    """Long texts: only the part that differs, with some context on each side."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    left = max(0, start - CONTEXT)

    def part(text: str) -> str:
        middle = text[left : len(text) - end + CONTEXT if end else len(text)]
        prefix = "…" if left else ""
        suffix = "…" if end > CONTEXT else ""
        return repr(prefix + middle + suffix)

    return f"{part(old)} -> {part(new)}"


def _change(change: FieldChange) -> str:
    old, new = change.old, change.new
    if isinstance(old, tuple) and isinstance(new, tuple):
        added = [v for v in new if v not in old]
        removed = [v for v in old if v not in new]
        parts = [f"+ {_value(v)}" for v in added] + [f"- {_value(v)}" for v in removed]
        if not parts:
            parts = [f"order {_value(old)} -> {_value(new)}"]
        return f"{change.field}: " + ", ".join(parts)
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > LONG_TEXT:
        return f"{change.field}: {_text_change(old, new)}"
    return f"{change.field}: {_value(old)} -> {_value(new)}"


def _entry_line(mark: str, entry: ListEntry) -> str:
    details = [d for d in (entry.entity_type, ", ".join(entry.programs)) if d]
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"  {mark} {entry.entry_id} {entry.name}{suffix}"


def format_diff(diff: SourceDiff) -> str:
    """The diff as lines for a person: a summary per list, then each entry."""
    lines = [f"old: {diff.old}", f"new: {diff.new}"]
    lines += [f"note: {note}" for note in diff.notes]
    for list_id, result in diff.lists.items():
        lines.append(
            f"{list_id}: {len(result.added)} added, {len(result.removed)} removed, "
            f"{len(result.changed)} changed"
        )
        lines += [_entry_line("+", entry) for entry in result.added]
        lines += [_entry_line("-", entry) for entry in result.removed]
        for changed in result.changed:
            lines.append(f"  ~ {changed.entry_id} {changed.name}")
            lines += [f"      {_change(change)}" for change in changed.changes]
    return "\n".join(lines) + "\n"
