"""``portfolio-check reference update``: OFAC's current files into a new snapshot (I/O edge).

1. **Get** the files: downloaded from OFAC's Sanctions List Service (:mod:`.fetch`) or taken
   from a folder (``--from DIR``, for air-gapped desks). Per list, the best format found is
   used: the enhanced XML (publication dates, names in other scripts), else the legacy XML
   (a publication date and a record count), else the legacy CSV set. A list with no file at
   all is carried over from the current snapshot, and the output says so.
2. **Verify**: every file parses with the project's importers; a file's own record count must
   match what it holds; no list may lose more than 5% of its entries (or of its source records)
   against the current snapshot, unless ``force``.
3. **Build** a complete snapshot in a staging folder of the user store: the new lists, the
   curated tables and masters of the snapshot shipped with the package (curated rows of
   entries OFAC removed are left out of this snapshot, and named; taking them from the
   package, not the previous snapshot, brings them back if OFAC lists the entry again), the
   derived tables made anew, every file hashed into the manifest.
4. **Diff** each list against the current snapshot (added / removed / changed entries, with the
   fields that changed).
5. **Switch**: the snapshot moves into the store under its version and becomes current in one
   atomic rename; nothing before this step touches what is in use, so a failed or interrupted
   update leaves the previous snapshot current. ``dry_run`` stops before it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portfolio_check.errors import PortfolioCheckError, SourceFormatError, UsageError
from portfolio_check.sources import store
from portfolio_check.sources.diff import ListDiff, SourceDiff, diff_entries, format_diff
from portfolio_check.sources.fetch import Fetcher, FetchError, NotPublished, base_url
from portfolio_check.sources.snapshot import (
    NS_CMIC_ID,
    SDN_ID,
    Dating,
    Manifest,
    ManifestList,
    build_snapshot,
    load_list_file,
    load_manifest,
)

__all__ = ["MAX_DROP", "OFAC_CANDIDATES", "UpdateRefused", "UpdateResult", "update_reference"]

MAX_DROP = 0.05
"""A list losing more than this share of its entries is refused without ``force``: OFAC does
not delist that much at once, a damaged or partial download does."""

OFAC_CANDIDATES: dict[str, tuple[tuple[str, ...], ...]] = {
    NS_CMIC_ID: (
        ("CONS_ENHANCED.XML",),
        ("CONSOLIDATED.XML",),
        ("CONS_PRIM.CSV", "CONS_ALT.CSV", "CONS_ADD.CSV", "CONS_COMMENTS.CSV"),
    ),
    SDN_ID: (
        ("SDN_ENHANCED.XML",),
        ("SDN.XML",),
        ("SDN.CSV", "ALT.CSV", "ADD.CSV", "SDN_COMMENTS.CSV"),
    ),
}
"""Per list, OFAC's file sets in order of preference (the first of a CSV set is required)."""

CURATED_KEYS: dict[str, tuple[str, str]] = {
    "securities.csv": ("list_id", "entry_id"),
    "names.csv": ("list_id", "entry_id"),
    "abbreviations.csv": ("list_id", "entry_id"),
    "relations.csv": ("object_list_id", "object_entry_id"),
}
"""The curated tables' columns naming the list entry each row belongs to."""


class UpdateRefused(PortfolioCheckError):
    """What was fetched fails verification; nothing was changed."""


@dataclass
class UpdateResult:
    """What an update did (or, for a dry run or a refusal, would have done)."""

    version: str
    switched: bool
    previous: str
    diffs: dict[str, ListDiff]
    lists: tuple[ManifestList, ...]
    notes: list[str] = field(default_factory=list)
    already_stored: bool = False


def _present(folder: Path) -> dict[str, Path]:
    return {p.name.upper(): p for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def _from_folder(folder: Path, target: Path, notes: list[str]) -> dict[str, Path]:
    """Copy the best file set of each list from ``folder`` into ``target``/<list>/."""
    if folder.is_file():  # one of OFAC's files given by itself
        present = {folder.name.upper(): folder}
    elif folder.is_dir():
        present = _present(folder)
    else:
        raise UsageError(f"{folder}: no such folder of OFAC files")
    sources: dict[str, Path] = {}
    for list_id, candidates in OFAC_CANDIDATES.items():
        for names in candidates:
            if names[0] not in present:
                continue
            place = target / list_id
            place.mkdir(parents=True)
            for name in names:
                if name in present:
                    shutil.copy2(present[name], place / name)  # under OFAC's own name
            sources[list_id] = _source_path(place, names)
            break
    if not sources:
        wanted = ", ".join(c[0] for cs in OFAC_CANDIDATES.values() for c in cs)
        raise UsageError(f"{folder}: holds none of OFAC's files ({wanted})")
    return sources


def _download(fetcher: Fetcher, target: Path, notes: list[str]) -> dict[str, Path]:
    """Download the best published file set of each list into ``target``/<list>/."""
    sources: dict[str, Path] = {}
    for list_id, candidates in OFAC_CANDIDATES.items():
        for names in candidates:
            place = target / list_id
            place.mkdir(parents=True, exist_ok=True)
            try:
                fetcher.fetch(names[0], place / names[0])
            except NotPublished:
                continue
            for name in names[1:]:
                try:
                    fetcher.fetch(name, place / name)
                except NotPublished:
                    notes.append(f"{list_id}: {name} is not published at {fetcher.base}")
            sources[list_id] = _source_path(place, names)
            break
    if not sources:
        raise FetchError(f"{fetcher.base}: none of OFAC's files is published there")
    return sources


def _source_path(place: Path, names: Sequence[str]) -> Path:
    """What the importers take: the XML file itself, or the folder of a CSV set."""
    return place / names[0] if names[0].endswith(".XML") else place


def _copy_base(base: Path, new: Path) -> None:
    """The parts of the current snapshot an update keeps: curated tables, masters, README."""
    for part in ("curated", "masters"):
        if (base / part).is_dir():
            shutil.copytree(base / part, new / part)
    if (base / "README.md").is_file():
        shutil.copy2(base / "README.md", new / "README.md")


def _prune_curated(new: Path, entries: Mapping[str, set[str]], notes: list[str]) -> None:
    """Leave out curated rows of entries the new lists no longer have (named in the notes)."""
    for name, (list_column, entry_column) in CURATED_KEYS.items():
        path = new / "curated" / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        if not rows or list_column not in rows[0] or entry_column not in rows[0]:
            continue
        at_list, at_entry = rows[0].index(list_column), rows[0].index(entry_column)
        kept = rows[:1]
        for row in rows[1:]:
            list_id = row[at_list] if len(row) > at_list else ""
            entry_id = row[at_entry] if len(row) > at_entry else ""
            if list_id in entries and entry_id not in entries[list_id]:
                notes.append(
                    f"curated/{name}: row for {list_id} entry {entry_id} left out: the entry "
                    "is no longer on the list"
                )
                continue
            kept.append(row)
        if len(kept) != len(rows):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(kept)
            path.write_text(buffer.getvalue(), encoding="utf-8")


def _count_problems(listed: ManifestList) -> list[str]:
    """The file's own record count against what it holds (legacy XML's Record_Count)."""
    return [
        f"{listed.id}: {w.file} says {w.value} records, but {w.problem.split(';')[0]}"
        for w in listed.warnings
        if w.field == "Record_Count"
    ]


def _drop_problems(old: ManifestList, new: ManifestList, max_drop: float) -> list[str]:
    problems = []
    for what, before, after in (
        ("entries", old.entries, new.entries),
        ("source records", old.source_records, new.source_records),
    ):
        if before and after < before * (1 - max_drop):
            problems.append(
                f"{new.id}: {after:,} {what} against {before:,} in the current snapshot "
                f"(a drop of {(before - after) / before:.0%}, more than {max_drop:.0%})"
            )
    return problems


def _diffs(base: Path, base_manifest: Manifest, new: Path, manifest: Manifest) -> dict[str, Any]:
    diffs: dict[str, ListDiff] = {}
    old_records = {item.id: item for item in base_manifest.lists}
    for item in manifest.lists:
        old = old_records.get(item.id)
        if old is not None and old.sha256 == item.sha256:
            diffs[item.id] = ListDiff()  # the same file: carried over
            continue
        before = load_list_file(base / old.file) if old else ()
        after = load_list_file(new / item.file)
        # The CSV spells ids and weak aliases out in its remarks, the XML has them as elements.
        forms = {_form(old) if old else "", _form(item)}
        ignore = {"remarks"} if len(forms - {""}) > 1 else set()
        diffs[item.id] = diff_entries(before, after, ignore=ignore)
    return diffs


def _form(listed: ManifestList) -> str:
    names = [f.name.lower() for f in listed.source_files]
    if names and names[0].endswith("_enhanced.xml"):
        return "enhanced"
    return "xml" if names and names[0].endswith(".xml") else "csv"


def update_reference(
    *,
    from_dir: Path | None = None,
    url: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    max_drop: float = MAX_DROP,
    timeout: float = 60.0,
    retries: int = 3,
    backoff: float = 2.0,
    log: Callable[[str], None] = lambda line: None,
    now: dt.datetime | None = None,
) -> UpdateResult:
    """Fetch (or take from ``from_dir``), verify, build, diff and switch (see the module).

    Raises ``UpdateRefused`` when verification fails (nothing changed), ``FetchError`` when
    a download fails after its retries, ``SourceFormatError`` for a file not in its format.
    """
    from portfolio_check.refdata import default_reference_dir, shipped_reference_dir, verify_or_fail
    from portfolio_check.sources.reference_build import derive_tables

    fetched_at = now or store.now()
    base = default_reference_dir()
    verify_or_fail(base)  # the snapshot to compare with must itself be intact
    base_manifest = load_manifest(base / "manifest.json")
    staging = store.staging_dir()
    notes: list[str] = []
    try:
        if from_dir is not None:
            sources = _from_folder(from_dir, staging / "source", notes)
            origin = "a local folder (--from)"
        else:
            fetcher = Fetcher(
                base_url(url), timeout=timeout, retries=retries, backoff=backoff, log=log
            )
            sources = _download(fetcher, staging / "source", notes)
            origin = fetcher.base
        new = staging / "snapshot"
        new.mkdir()
        shipped = shipped_reference_dir()
        _copy_base(shipped, new)
        kept = [item for item in base_manifest.lists if item.id not in sources]
        for item in kept:
            (new / item.file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(base / item.file, new / item.file)
            notes.append(f"{item.id}: no new file; kept from snapshot {base_manifest.version}")
        try:
            manifest = build_snapshot(
                sources.get(NS_CMIC_ID),
                new,
                sdn_dir=sources.get(SDN_ID),
                generated_at=fetched_at,
                # A download is dated by its fetch; files from a folder (copied with their
                # times) by the folder's newest file time, each labelled as such.
                dating=Dating(fetched_at=fetched_at if from_dir is None else None),
                kept=kept,
            )
        except SourceFormatError as exc:
            raise UpdateRefused(f"refused: {exc}; nothing was changed") from None
        problems = [p for item in manifest.lists for p in _count_problems(item)]
        old_records = {item.id: item for item in base_manifest.lists}
        drops = [
            p
            for item in manifest.lists
            if item.id in old_records
            for p in _drop_problems(old_records[item.id], item, max_drop)
        ]
        if drops and force:
            notes += [f"accepted with --force: {p}" for p in drops]
        problems += [] if force else drops
        if problems:
            raise UpdateRefused(
                "refused: "
                + "; ".join(problems)
                + "; nothing was changed"
                + ("" if force or not drops else " (--force accepts a drop)")
            )
        entries = {
            item.id: {e.entry_id for e in load_list_file(new / item.file)}
            for item in manifest.lists
        }
        _prune_curated(new, entries, notes)
        data = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
        shipped_masters = load_manifest(shipped / "manifest.json").masters
        data["masters"] = [dict(m) for m in shipped_masters or ()]
        data["fetched"] = {
            "at": fetched_at.isoformat().replace("+00:00", "Z"),
            "from": origin,
            "files": sorted(p.name for path in sources.values() for p in _files(path)),
            "previous": base_manifest.version,
        }
        (new / "manifest.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        sealed = Manifest.model_validate(derive_tables(new))
        diffs = _diffs(base, base_manifest, new, sealed)
        result = UpdateResult(
            version=sealed.version,
            switched=False,
            previous=base_manifest.version,
            diffs=diffs,
            lists=sealed.lists,
            notes=notes,
        )
        if dry_run:
            return result
        result.already_stored = (store.snapshots_dir() / sealed.version).exists()
        store.install_snapshot(new, sealed.version)
        store.set_current(sealed.version)
        result.switched = True
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _files(source: Path) -> list[Path]:
    return sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else [source]


def format_update(result: UpdateResult) -> str:
    """What the update did, per list, for a person."""
    lines = []
    state = "now current" if result.switched else "not switched (--dry-run)"
    lines.append(f"snapshot {result.version} ({state}); previous {result.previous}")
    for listed in result.lists:
        lines.append(
            f"{listed.id}: {listed.entries:,} entries, published {listed.published} "
            f"[{listed.published_basis or 'no date'}]"
        )
    for note in result.notes:
        lines.append(f"note: {note}")
    diff = SourceDiff(old=result.previous, new=result.version, notes=(), lists=result.diffs)
    lines.append(format_diff(diff).rstrip("\n"))
    return "\n".join(lines) + "\n"
