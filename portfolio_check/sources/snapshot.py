"""Generate the shipped reference snapshot's lists and manifest from the official files.

``build_snapshot(ofac_consolidated_dir, out_dir, *, sdn_dir=None, dod_1260h_csv=None)`` imports

==========  ===========================  ==============  =========================================
list id     file                         regime          from
==========  ===========================  ==============  =========================================
ns-cmic     ``lists/ns_cmic.json``       ``ns-cmic``     OFAC's consolidated (non-SDN) set, program
                                                         ``CMIC-EO13959``
sdn         ``lists/sdn.json``           ``sdn-blocking``  OFAC's SDN set, *entities only*:
                                                         individuals, vessels and aircraft issue
                                                         no securities (the manifest counts them)
dod-1260h   ``lists/dod_1260h.json``     ``watch``       the DoD Section 1260H transcription
==========  ===========================  ==============  =========================================

An OFAC source is a folder of legacy CSV files (:mod:`.ofac_csv`) or one legacy XML file
(:mod:`.ofac_xml`). ``portfolio-check reference build`` calls this function.

``out_dir/lists/<list>.json``, one JSON object::

    list_id   e.g. "ns-cmic"
    title     the list's name
    regime    the rule (``portfolio_check.rules.REGIMES``) that gives the list effect
    source    one line naming the publisher and the files read
    entries   ListEntry objects, sorted by entry_id (OFAC's numerically); fields holding their
              default (empty, None) are left out to keep the files small
              (``model_dump(mode="json", exclude_defaults=True)``): the loader restores them

``out_dir/manifest.json``, one JSON object::

    schema          1; raised when a key changes meaning or disappears
    version         "<generated date>.<8 hex>": the hex is the start of a SHA-256 over the source
                    files' hashes and the written list files' hashes, so it changes with the data
    generated_at    ISO 8601 time, with its UTC offset
    generated_by    who wrote the files (this module)
    lists           one object per list file:
      id, title, regime
      file            path of the list file, relative to the manifest
      sha256          SHA-256 of that list file's bytes
      source          as in the list file
      published       the publication date the source states, or what is known of it
                      (OFAC's CSV files carry none: the date of the public mirror the files came
                      from bounds it from above)
      source_files    [{name, role, sha256, records, encoding}] of the official files read
      source_records  records in the primary source file
      selection       which of those records became entries
      dropped         {reason: records} left out by the selection
      entries         number of entries
      strong_aliases  number of strong aliases over all entries (OFAC: aka/fka/nka; 1260H: all)
      weak_aliases    number of weak aliases (OFAC's a.k.a. '...' in remarks / weak akas)
      warning_counts  {"field: problem": n}
      warnings        [ParseWarning]: the publisher's data flaws, in file order, for the
                      selected records and the files as a whole
      tranches        1260H only: [{start, rows, entities_named, source_urls}]
      end_dates       1260H only: [{end, rows}]

The output is deterministic: stable ordering, two-space indent, UTF-8 without ASCII escapes,
a trailing newline. Regenerating from the same files changes only ``generated_at`` and the date
in ``version``. ``load_list_file`` and ``load_manifest`` read the files back, validating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portfolio_check.errors import ReferenceDataError, UsageError
from portfolio_check.model import ListEntry, ParseWarning
from portfolio_check.sources.dod_1260h import (
    DOD_1260H_ID,
    DOD_1260H_REGIME,
    DOD_1260H_TITLE,
    Dod1260hImport,
    EndDate,
    Tranche,
    import_dod_1260h,
)
from portfolio_check.sources.ofac_csv import (
    CMIC_PROGRAM,
    FileRole,
    OfacImport,
    SourceFile,
    import_ofac_csv,
    warning_counts,
)
from portfolio_check.sources.ofac_enhanced import (
    ENHANCED_FILE_NAMES,
    import_ofac_enhanced,
    is_enhanced,
)
from portfolio_check.sources.ofac_xml import import_ofac_xml

__all__ = [
    "DOD_1260H_FILE",
    "GENERATED_BY",
    "MANIFEST_SCHEMA",
    "NS_CMIC_FILE",
    "SDN_FILE",
    "SDN_KEPT_TYPES",
    "Manifest",
    "ManifestList",
    "build_snapshot",
    "import_ofac",
    "load_list_file",
    "load_manifest",
    "seal_snapshot",
    "snapshot_files",
    "snapshot_version",
    "verify_snapshot",
]

MANIFEST_SCHEMA = 1
GENERATED_BY = (
    "portfolio_check.sources.snapshot — generated by this project's own importers from the "
    "official files"
)
NS_CMIC_ID = "ns-cmic"
NS_CMIC_TITLE = "Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC)"
NS_CMIC_FILE = "lists/ns_cmic.json"
SDN_ID = "sdn"
SDN_REGIME = "sdn-blocking"
SDN_TITLE = "Specially Designated Nationals and Blocked Persons List (SDN)"
SDN_FILE = "lists/sdn.json"
SDN_KEPT_TYPES = frozenset({"entity"})
"""SDN records kept: only entities issue securities (individuals, vessels, aircraft do not)."""
DOD_1260H_FILE = "lists/dod_1260h.json"
VERSION_HASH_LENGTH = 8
"""Hex digits of the content hash in ``version``: enough to tell snapshots apart at a glance."""

KNOWN_MIRRORS: dict[str, tuple[str, dt.date]] = {
    "7027f6656b7815e38b1a5517e66d7f00ad7bdae814510cddff11771c439f08b2": (
        "moov-io/watchman test/testdata/cons_prim.csv @ fca231b0",
        dt.date(2025, 12, 19),
    ),
    "46e396b2ea094958bc8cd8ac14c6a5f4393e92e81518de5ba44d1a211d6e4337": (
        "Assassin-13/Gen-AI-Hackathon-TAG cons_prim.csv @ d8ed5025",
        dt.date(2025, 3, 26),
    ),
    "210ca6b4a8187a34e0850be69ecc6e918f23ad7778b8b5b2f9c9d5fbbaf4e0cb": (
        "jackdwyer/specially-designated-nationals-list sdn.csv @ a5ec3c5e",
        dt.date(2024, 5, 3),
    ),
    "502dfa5a9af6d8737d39e3c4e420ee349f41012e72c05ba69f4f15e6dbf57d71": (
        "opensanctions/opensanctions datasets/us/dod_chinese_milcorps/sanctions.csv @ dd4f7d35",
        dt.date(2026, 8, 20),
    ),
}
"""SHA-256 of a primary source file -> the public mirror it was taken from and the date of the
commit that last touched it (``../shared/data/SOURCES.md``). OFAC's CSV files carry no date, so
for them this date is the only bound known: published on or before it."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ManifestList(_Frozen):
    """What the manifest says about one generated list file."""

    id: str
    title: str
    regime: str
    file: str
    sha256: str
    source: str
    published: str = "unknown"
    published_date: dt.date | None = None
    """The date staleness is measured from (``published`` says what it is)."""
    published_basis: str | None = None
    """Where ``published_date`` comes from: ``stated in the file``, ``fetch time``, ``newest file
    time of the folder`` or ``commit date of the public mirror``."""
    source_files: tuple[SourceFile, ...]
    source_records: int = 0
    selection: str = ""
    dropped: dict[str, int] = Field(default_factory=dict)
    entries: int
    strong_aliases: int
    weak_aliases: int
    warning_counts: dict[str, int]
    warnings: tuple[ParseWarning, ...]
    tranches: tuple[Tranche, ...] | None = None
    end_dates: tuple[EndDate, ...] | None = None


class Manifest(_Frozen):
    """The snapshot's manifest (see the module docstring for each key)."""

    schema_: int = Field(default=MANIFEST_SCHEMA, alias="schema")
    version: str
    generated_at: dt.datetime
    generated_by: str
    lists: tuple[ManifestList, ...]
    masters: tuple[dict[str, Any], ...] | None = None
    """Added after this module's build by ``reference_build`` (exchange security masters)."""
    derived: tuple[dict[str, Any], ...] | None = None
    """Added after this module's build by ``reference_build`` (tables derived from masters)."""
    fetched: dict[str, Any] | None = None
    """Added by ``reference update``: when and where the official files were taken from."""
    content_sha256: str | None = None
    """SHA-256 over ``files``: the snapshot's content hash (``seal_snapshot``)."""
    files: dict[str, str] | None = None
    """Every file of the snapshot but the manifest, by relative path -> SHA-256 of its bytes;
    checked when the snapshot is loaded (``verify_snapshot``)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """The manifest as written (``schema_`` is ``schema`` in JSON; absent parts omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def list_record(self, list_id: str) -> ManifestList:
        """The manifest's record of one list; ``ReferenceDataError`` if it has none."""
        for listed in self.lists:
            if listed.id == list_id:
                return listed
        raise ReferenceDataError(f"the manifest names no list {list_id!r}")


def _entry_order(entry: ListEntry) -> tuple[int, int, str]:
    """Numeric ids (OFAC's ent_num) in numeric order, any others after them."""
    if entry.entry_id.isdigit():
        return (0, int(entry.entry_id), entry.entry_id)
    return (1, 0, entry.entry_id)


def _dumps(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def import_ofac(
    source: Path, *, list_id: str, programs: Collection[str] | None = None
) -> OfacImport:
    """An OFAC source: a folder of legacy CSV files, one legacy XML file (``*.xml``) or one
    enhanced XML file (``*_ENHANCED.XML``); a folder holding an enhanced file is read from it
    (it carries publication dates and names in other scripts the others lack)."""
    if source.is_dir():
        enhanced = [p for p in sorted(source.iterdir()) if p.name.lower() in ENHANCED_FILE_NAMES]
        if enhanced:
            source = enhanced[0]
    if source.suffix.lower() == ".xml" and not source.is_dir():
        if is_enhanced(source):
            return import_ofac_enhanced(source, list_id=list_id, programs=programs)
        return import_ofac_xml(source, list_id=list_id, programs=programs)
    return import_ofac_csv(source, list_id=list_id, programs=programs)


@dataclass(frozen=True)
class Dating:
    """What a build knows about when its source files were published, beyond the files."""

    fetched_at: dt.datetime | None = None
    """When ``reference update`` fetched them (the CSV sets state no date)."""


@dataclass(frozen=True)
class Published:
    """A list's publication: the text shown, the date staleness is measured from, its basis."""

    text: str
    day: dt.date | None
    basis: str | None


STATED = "stated in the file"


def _newest_file_day(source: Path | None) -> dt.date | None:
    if source is None:
        return None
    paths = [p for p in source.iterdir() if p.is_file()] if source.is_dir() else [source]
    times = [p.stat().st_mtime for p in paths]
    return dt.datetime.fromtimestamp(max(times), dt.UTC).date() if times else None


def _published(
    stated: dt.date | None,
    files: Sequence[SourceFile],
    what: str,
    *,
    source: Path | None = None,
    dating: Dating = Dating(),
) -> Published:
    """The file's own date; else the fetch time, the public mirror's commit date, or the
    folder's newest file time, each labelled as what it is."""
    if stated is not None:
        return Published(stated.isoformat(), stated, STATED)
    if dating.fetched_at is not None:
        day = dating.fetched_at.date()
        return Published(f"unknown ({what}); fetched {day.isoformat()}", day, "fetch time")
    primary = next((f for f in files if f.role is FileRole.PRIM), None)
    mirror = KNOWN_MIRRORS.get(primary.sha256) if primary else None
    if mirror is not None:
        name, committed = mirror
        return Published(
            f"unknown ({what}); on or before {committed.isoformat()}, the commit date of {name}",
            committed,
            "commit date of the public mirror",
        )
    newest = _newest_file_day(source)
    if newest is None:
        return Published(f"unknown ({what})", None, None)
    return Published(
        f"unknown ({what}); newest file time of the folder {newest.isoformat()}",
        newest,
        "newest file time of the folder",
    )


def _ofac_source(result: OfacImport, kind: str) -> str:
    names = ", ".join(f.name for f in result.files)
    if names.lower() in ENHANCED_FILE_NAMES:
        form = "enhanced XML file"
    else:
        form = "legacy XML file" if names.lower().endswith(".xml") else "legacy CSV files"
    programs = f"program {', '.join(result.programs)}" if result.programs else "all programs"
    return f"OFAC {kind}, {form} {names}; {programs}"


@dataclass(frozen=True)
class _Built:
    """One list ready to write: its file's bytes and its manifest record."""

    file: str
    content: bytes
    listed: ManifestList


def _build_list(
    *,
    list_id: str,
    title: str,
    regime: str,
    file: str,
    source: str,
    published: Published,
    entries: Sequence[ListEntry],
    warnings: Sequence[ParseWarning],
    files: Sequence[SourceFile],
    source_records: int,
    selection: str,
    dropped: dict[str, int],
    tranches: Sequence[Tranche] | None = None,
    end_dates: Sequence[EndDate] | None = None,
) -> _Built:
    ordered = sorted(entries, key=_entry_order)
    document = {
        "list_id": list_id,
        "title": title,
        "regime": regime,
        "source": source,
        "entries": [entry.model_dump(mode="json", exclude_defaults=True) for entry in ordered],
    }
    content = _dumps(document)
    listed = ManifestList(
        id=list_id,
        title=title,
        regime=regime,
        file=file,
        sha256=hashlib.sha256(content).hexdigest(),
        source=source,
        published=published.text,
        published_date=published.day,
        published_basis=published.basis,
        source_files=tuple(files),
        source_records=source_records,
        selection=selection,
        dropped=dict(sorted(dropped.items())),
        entries=len(ordered),
        strong_aliases=sum(len(e.strong_aliases) for e in ordered),
        weak_aliases=sum(len(e.weak_aliases) for e in ordered),
        warning_counts=warning_counts(warnings),
        warnings=tuple(warnings),
        tranches=None if tranches is None else tuple(tranches),
        end_dates=None if end_dates is None else tuple(end_dates),
    )
    return _Built(file, content, listed)


def _primary_records(files: Sequence[SourceFile]) -> int:
    return sum(f.records for f in files if f.role is FileRole.PRIM)


def _ofac_published(result: OfacImport, source: Path, dating: Dating) -> Published:
    return _published(
        result.published,
        result.files,
        "OFAC's legacy CSV files carry no date",
        source=source,
        dating=dating,
    )


def _ns_cmic(source: Path, dating: Dating = Dating()) -> _Built:
    result = import_ofac(source, list_id=NS_CMIC_ID, programs=[CMIC_PROGRAM])
    records = _primary_records(result.files)
    return _build_list(
        list_id=NS_CMIC_ID,
        title=NS_CMIC_TITLE,
        regime=NS_CMIC_ID,
        file=NS_CMIC_FILE,
        source=_ofac_source(result, "Consolidated Sanctions List (non-SDN)"),
        published=_ofac_published(result, source, dating),
        entries=result.entries,
        warnings=result.warnings,
        files=result.files,
        source_records=records,
        selection=f"records on program {CMIC_PROGRAM}",
        dropped={"other programs": records - len(result.entries)} if records else {},
    )


def _sdn(source: Path, dating: Dating = Dating()) -> _Built:
    result = import_ofac(source, list_id=SDN_ID)
    kept = [e for e in result.entries if e.entity_type in SDN_KEPT_TYPES]
    left_out = [e for e in result.entries if e.entity_type not in SDN_KEPT_TYPES]
    dropped = Counter(e.entity_type or "unknown" for e in left_out)
    # The flaws of records left out are not the list's; those of the files as a whole are.
    left_out_ids = {e.entry_id for e in left_out}
    warnings = [w for w in result.warnings if w.record not in left_out_ids]
    return _build_list(
        list_id=SDN_ID,
        title=SDN_TITLE,
        regime=SDN_REGIME,
        file=SDN_FILE,
        source=_ofac_source(result, "Specially Designated Nationals and Blocked Persons List"),
        published=_ofac_published(result, source, dating),
        entries=kept,
        warnings=warnings,
        files=result.files,
        source_records=_primary_records(result.files),
        selection="entities only: individuals, vessels and aircraft issue no securities",
        dropped=dict(dropped),
    )


def _dod_published(latest: str, files: Sequence[SourceFile]) -> Published:
    """DoD dates each tranche; the transcription itself is dated by its mirror only."""
    mirror = KNOWN_MIRRORS.get(files[0].sha256) if files else None
    text = f"{latest} (DoD's latest tranche in the file)"
    day = dt.date.fromisoformat(latest) if latest[:1].isdigit() else None
    basis = "DoD's latest tranche in the file" if day else None
    if mirror is not None:
        text += f"; transcription as of {mirror[1].isoformat()}, the commit date of {mirror[0]}"
        day, basis = mirror[1], "commit date of the public mirror"
    return Published(text, day, basis)


def _dod_1260h(path: Path, dating: Dating = Dating()) -> _Built:
    result: Dod1260hImport = import_dod_1260h(path)
    latest = result.tranches[-1].start.isoformat() if result.tranches else "none"
    return _build_list(
        list_id=DOD_1260H_ID,
        title=DOD_1260H_TITLE,
        regime=DOD_1260H_REGIME,
        file=DOD_1260H_FILE,
        source=f"US Department of Defense, Section 1260H list, in the OpenSanctions CSV "
        f"transcription {path.name} (one row per entity and tranche)",
        published=_dod_published(latest, result.files),
        entries=result.entries,
        warnings=result.warnings,
        files=result.files,
        source_records=_primary_records(result.files),
        selection="one entry per entity (rows of all tranches merged)",
        dropped={},
        tranches=result.tranches,
        end_dates=result.end_dates,
    )


ListBuilder = Callable[[Path, Dating], _Built]
"""Imports one list's official file(s) into a list file and its manifest record."""

LIST_BUILDERS: dict[str, ListBuilder] = {
    NS_CMIC_ID: _ns_cmic,
    SDN_ID: _sdn,
    DOD_1260H_ID: _dod_1260h,
}
"""Every list a snapshot can hold, by id: another list's importer is one entry here (its
builder reads the source path it is given and returns the list file and its record)."""


def register_list(list_id: str, builder: ListBuilder) -> None:
    """Register the builder of another list (e.g. the UN list) under its id."""
    LIST_BUILDERS[list_id] = builder


def _version(generated_at: dt.datetime, hashes: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(hashes)).encode("ascii")).hexdigest()
    return f"{generated_at.date().isoformat()}.{digest[:VERSION_HASH_LENGTH]}"


def _write(path: Path, content: bytes) -> None:
    """Write through a temporary file so a failed run never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def build_lists(
    sources: Mapping[str, Path], out_dir: Path, *, dating: Dating = Dating()
) -> list[ManifestList]:
    """Import each ``list id -> source`` with its registered builder, then write the files.

    Every source is imported before anything is written. Raises ``UsageError`` for a list id
    no builder is registered for, ``SourceFormatError`` for a source not in its format.
    """
    unknown = [list_id for list_id in sources if list_id not in LIST_BUILDERS]
    if unknown:
        raise UsageError(
            f"no importer for list {unknown[0]!r}; known lists: {', '.join(LIST_BUILDERS)}"
        )
    built = [LIST_BUILDERS[list_id](path, dating) for list_id, path in sources.items()]
    for item in built:
        _write(out_dir / item.file, item.content)
    return [item.listed for item in built]


def build_snapshot(
    ofac_consolidated_dir: Path | None,
    out_dir: Path,
    *,
    sdn_dir: Path | None = None,
    dod_1260h_csv: Path | None = None,
    generated_at: dt.datetime | None = None,
    extra: Mapping[str, Path] | None = None,
    dating: Dating = Dating(),
    kept: Sequence[ManifestList] = (),
) -> Manifest:
    """Import the lists from the official files and write the list files and the manifest.

    ``ofac_consolidated_dir`` (NS-CMIC) and ``sdn_dir`` (SDN, optional) are folders of OFAC's
    legacy CSV files or a legacy or enhanced XML file each; ``dod_1260h_csv`` (optional) is the
    1260H transcription; ``extra`` gives the sources of other registered lists. ``kept`` are
    records of lists whose files are already in ``out_dir`` (carried over from an earlier
    snapshot). Raises ``SourceFormatError`` if a source is not in its format, ``UsageError`` if
    ``generated_at`` has no time zone. List files in ``out_dir/lists`` that this run does not
    write are left alone (and are not in the manifest unless ``kept``). The snapshot is sealed
    (:func:`seal_snapshot`): the version covers every file in ``out_dir``.
    """
    if generated_at is None:
        generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    elif generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise UsageError(f"generated_at must carry a time zone, got {generated_at.isoformat()!r}")
    sources: dict[str, Path] = {}
    if ofac_consolidated_dir is not None:
        sources[NS_CMIC_ID] = ofac_consolidated_dir
    if sdn_dir is not None:
        sources[SDN_ID] = sdn_dir
    if dod_1260h_csv is not None:
        sources[DOD_1260H_ID] = dod_1260h_csv
    sources.update(extra or {})
    listed = build_lists(sources, out_dir, dating=dating)
    fresh = {item.id for item in listed}
    records = [*listed, *(item for item in kept if item.id not in fresh)]
    # The registry's order (NS-CMIC, SDN, 1260H, then others), whatever was fetched anew.
    order = {list_id: position for position, list_id in enumerate(LIST_BUILDERS)}
    records.sort(key=lambda item: order.get(item.id, len(order)))
    hashes = [f.sha256 for item in records for f in item.source_files]
    hashes += [item.sha256 for item in records]
    manifest = Manifest(
        version=_version(generated_at, hashes),
        generated_at=generated_at,
        generated_by=GENERATED_BY,
        lists=tuple(records),
    )
    _write(out_dir / "manifest.json", _dumps(manifest.to_json()))
    return seal_snapshot(out_dir)


# --------------------------------------------------------------------------------------------
# Sealing and verifying: the manifest hashes every file of the snapshot
# --------------------------------------------------------------------------------------------

MANIFEST_FILE = "manifest.json"


def snapshot_files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` but the manifest (and temporary files), by relative POSIX
    path -> SHA-256 of its bytes, in path order."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST_FILE or "__pycache__" in relative:
            continue
        found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _content_hash(files: Mapping[str, str], lists: Sequence[Any] = ()) -> str:
    """Over every file's hash, and each list's official files and publication: the same
    entries from another day's file are another snapshot (its dates differ)."""
    lines = [f"{digest}  {name}" for name, digest in sorted(files.items())]
    for item in lists:
        if isinstance(item, Mapping):
            sources = " ".join(str(f.get("sha256")) for f in item.get("source_files") or [])
            lines.append(f"list {item.get('id')} {item.get('published')} {sources}")
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def seal_snapshot(folder: Path) -> Manifest:
    """Record every file's hash in the manifest and derive the version from all of them.

    Curated, derived, masters and lists alike: editing any file changes the version, and a
    file that no longer matches its hash is caught when the snapshot is loaded.
    """
    data = _read_json(folder / MANIFEST_FILE)
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{folder / MANIFEST_FILE}: expected a JSON object")
    files = snapshot_files(folder)
    content = _content_hash(files, data.get("lists") or [])
    generated = str(data.get("generated_at", ""))[:10] or dt.date.today().isoformat()
    data["files"] = files
    data["content_sha256"] = content
    data["version"] = f"{generated}.{content[:VERSION_HASH_LENGTH]}"
    manifest = Manifest.model_validate(data)
    _write(folder / MANIFEST_FILE, _dumps(manifest.to_json()))
    return manifest


def verify_snapshot(folder: Path, manifest: Mapping[str, Any]) -> list[str]:
    """What in ``folder`` differs from its manifest's ``files`` (empty: all as recorded)."""
    recorded = manifest.get("files")
    if not isinstance(recorded, dict) or not recorded:
        return ["the manifest records no file hashes (an unsealed snapshot)"]
    present = snapshot_files(folder)
    problems = [
        f"{name} differs from its recorded hash"
        for name, digest in recorded.items()
        if name in present and present[name] != digest
    ]
    problems += [f"{name} is missing" for name in recorded if name not in present]
    problems += [f"{name} is not in the manifest" for name in present if name not in recorded]
    content = _content_hash(recorded, manifest.get("lists") or [])
    if not problems and manifest.get("content_sha256") not in (None, content):
        problems.append("the manifest's content hash does not match its file list")
    return problems


def snapshot_version(folder: Path) -> tuple[str, str]:
    """A snapshot's version and content hash, read from its manifest alone (cheap: for keying
    caches of a loaded snapshot; the content hash covers every file of the snapshot)."""
    data = _read_json(folder / MANIFEST_FILE)
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{folder / MANIFEST_FILE}: expected a JSON object")
    version = str(data.get("version", "unknown"))
    return version, str(data.get("content_sha256") or version)


# --------------------------------------------------------------------------------------------
# Reading the files back
# --------------------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReferenceDataError(f"{path}: not valid UTF-8 JSON ({exc})") from None


def load_list_file(path: Path) -> tuple[ListEntry, ...]:
    """Read and validate a ``lists/*.json`` file; ``ReferenceDataError`` names the file and entry.

    Checks each entry against ``ListEntry``, that it belongs to the file's ``list_id`` and that
    no ``entry_id`` repeats.
    """
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ReferenceDataError(f"{path}: expected a JSON object with an 'entries' array")
    list_id = data.get("list_id")
    if not isinstance(list_id, str) or not list_id:
        raise ReferenceDataError(f"{path}: 'list_id' is missing or not a string: {list_id!r}")
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["entries"]):
        label = raw.get("entry_id") if isinstance(raw, dict) else None
        where = f"{path}: entry #{index}" + (f" ({label!r})" if label is not None else "")
        try:
            entry = ListEntry.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'entry'}: {error['msg']}"
                for error in exc.errors()
            )
            raise ReferenceDataError(f"{where} is malformed: {problems}") from None
        if entry.list_id != list_id:
            raise ReferenceDataError(
                f"{where} has list_id {entry.list_id!r}, the file is list {list_id!r}"
            )
        if entry.entry_id in seen:
            raise ReferenceDataError(f"{where} repeats entry_id {entry.entry_id!r}")
        seen.add(entry.entry_id)
        entries.append(entry)
    return tuple(entries)


def load_manifest(path: Path) -> Manifest:
    """Read and validate a ``manifest.json``; ``ReferenceDataError`` names the file."""
    data = _read_json(path)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ReferenceDataError(f"{path}: not a snapshot manifest: {exc}") from None
