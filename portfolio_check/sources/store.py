"""The per-user store of reference snapshots (I/O edge): every snapshot kept, one current.

Layout, under :func:`data_dir` (platformdirs' user data folder; ``PORTFOLIO_CHECK_DATA``
overrides it)::

    snapshots/<version>/      one folder per snapshot, never changed once complete
                              (manifest.json, lists/, curated/, derived/, masters/)
    current                   one line: the version in use
    staging/                  updates in progress (removed when they end, left by a crash)

A snapshot becomes current only once its folder is complete: ``current`` is replaced in one
``os.replace``, so an interrupted update leaves the previous snapshot in use.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio_check.errors import ReferenceDataError, UsageError

__all__ = [
    "DATA_ENV",
    "SnapshotInfo",
    "current_snapshot_dir",
    "data_dir",
    "history",
    "resolve_snapshot",
    "set_current",
    "snapshots_dir",
]

DATA_ENV = "PORTFOLIO_CHECK_DATA"
"""Overrides the per-user data folder (tests, shared desks, containers)."""
APP_NAME = "portfolio-check"
CURRENT_FILE = "current"


def data_dir() -> Path:
    """The per-user data folder (not created here)."""
    override = os.environ.get(DATA_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def snapshots_dir() -> Path:
    return data_dir() / "snapshots"


def staging_dir() -> Path:
    """A fresh private folder for an update in progress, on the same file system as the store
    (so the finished snapshot is moved into place, not copied)."""
    root = data_dir() / "staging"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="update-", dir=root))


def current_version() -> str | None:
    path = data_dir() / CURRENT_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ReferenceDataError(f"{path}: cannot be read ({exc.strerror})") from None
    return text or None


def current_snapshot_dir() -> Path | None:
    """The current user snapshot's folder, or None when there is none (the shipped one is used)."""
    version = current_version()
    if version is None:
        return None
    folder = snapshots_dir() / version
    if not (folder / "manifest.json").is_file():
        raise ReferenceDataError(
            f"{data_dir() / CURRENT_FILE} names snapshot {version!r}, which is not in "
            f"{snapshots_dir()}; run 'portfolio-check reference update' or remove that file"
        )
    return folder


def set_current(version: str) -> None:
    """Make a complete snapshot current, atomically (write a new file, then rename it)."""
    folder = snapshots_dir() / version
    if not (folder / "manifest.json").is_file():
        raise ReferenceDataError(f"no complete snapshot {version!r} in {snapshots_dir()}")
    target = data_dir() / CURRENT_FILE
    temporary = target.with_name(f".{CURRENT_FILE}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(version + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def install_snapshot(built: Path, version: str) -> Path:
    """Move a finished snapshot folder into the store under its version (kept if present)."""
    target = snapshots_dir() / version
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        return target  # the same content already stored: versions are content hashes
    os.replace(built, target)
    return target


@dataclass(frozen=True)
class SnapshotInfo:
    """One stored snapshot, as ``reference history`` lists it."""

    version: str
    folder: Path
    current: bool
    generated_at: str
    fetched_at: str | None
    fetched_from: str | None
    lists: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "current": self.current,
            "generated_at": self.generated_at,
            "fetched_at": self.fetched_at,
            "fetched_from": self.fetched_from,
            "lists": list(self.lists),
        }


def _info(folder: Path, current: str | None) -> SnapshotInfo | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    fetched = manifest.get("fetched") or {}
    lists = tuple(
        {
            "id": item.get("id"),
            "published": item.get("published_date") or item.get("published"),
            "published_basis": item.get("published_basis"),
            "entries": item.get("entries"),
            "source_records": item.get("source_records"),
        }
        for item in manifest.get("lists", [])
        if isinstance(item, dict)
    )
    version = str(manifest.get("version", folder.name))
    return SnapshotInfo(
        version=version,
        folder=folder,
        current=folder.name == current,
        generated_at=str(manifest.get("generated_at", "")),
        fetched_at=fetched.get("at"),
        fetched_from=fetched.get("from"),
        lists=lists,
    )


def history() -> list[SnapshotInfo]:
    """Every stored snapshot, oldest first (by when it was generated)."""
    root = snapshots_dir()
    if not root.is_dir():
        return []
    current = current_version()
    found = [_info(folder, current) for folder in root.iterdir() if folder.is_dir()]
    return sorted((i for i in found if i is not None), key=lambda i: (i.generated_at, i.version))


def resolve_snapshot(spec: str) -> Path:
    """``--reference VERSION|PATH``: a stored snapshot's version (or a unique prefix of it),
    ``shipped``, ``current``, or a snapshot folder."""
    from portfolio_check.refdata import shipped_reference_dir

    text = spec.strip()
    if text == "shipped":
        return shipped_reference_dir()
    if text == "current":
        return current_snapshot_dir() or shipped_reference_dir()
    path = Path(text).expanduser()
    if (path / "manifest.json").is_file():
        return path
    stored = snapshots_dir()
    if (stored / text / "manifest.json").is_file():
        return stored / text
    matches = [p for p in stored.iterdir() if p.name.startswith(text)] if stored.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(i.version for i in history()) or "none"
    if len(matches) > 1:
        raise UsageError(f"reference {spec!r} matches several snapshots: {known}")
    raise UsageError(
        f"reference {spec!r} is neither a stored snapshot's version (stored: {known}), "
        "'shipped', 'current', nor a snapshot folder"
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
