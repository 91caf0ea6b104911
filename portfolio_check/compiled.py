"""The reference snapshot and its look-up index, compiled once per snapshot into a cache file.

Loading a snapshot validates every list entry and master row, and building its
:class:`~portfolio_check.resolve.SecurityIndex` parses every known name: together about two
seconds of Python, paid by every fresh process (a pre-trade ``check-security``, each CLI check)
for the same answer. So the first run stores the loaded selection and its index in one pickle
file, and every later run loads that file instead (about a fifth of the time).

The file is a cache, never a source of truth:

- it lives in the per-user cache folder (``platformdirs``; ``PORTFOLIO_CHECK_CACHE`` overrides
  it, ``PORTFOLIO_CHECK_CACHE=off`` turns the cache off);
- its name carries a key over everything its content depends on: the snapshot's folder and the
  bytes of every file in it, the chosen lists, and this package's version, source and
  vocabulary files (an edited module or word list may index names differently: a stale index
  could clear a listed security). A changed snapshot or package gets a new key, so its file is
  missing and is rebuilt; the stale files of the same snapshot and lists are removed then;
- it is written to a temporary file in the same folder and renamed over the final name, so a
  reader sees a whole file or none, and two runs compiling at once both leave a whole file;
- a file that cannot be read (truncated, corrupt, written by another Python, not the user's
  own, or writable by others: unpickling runs code, so only the user's own files are trusted)
  is ignored with a one-line warning, and the snapshot is loaded and indexed as without a cache.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from portfolio_check.reference import DEFAULT_LISTS, Reference
from portfolio_check.resolve import SecurityIndex

log = logging.getLogger("portfolio_check.compiled")

CACHE_ENV = "PORTFOLIO_CHECK_CACHE"
_OFF = frozenset({"off", "0", "no", "none", "false"})
# Bumped when the file's layout changes (the header, the payload's shape).
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent
# A deep object graph (names parsed into nested tuples) needs more than the default 1,000 frames.
_RECURSION_LIMIT = 20_000

_INDEX_CACHE: dict[int, tuple[Reference, SecurityIndex]] = {}
_INDEX_CACHE_SIZE = 8  # a few list selections of the shipped snapshot
_LOADED: dict[tuple[str, tuple[str, ...] | None], Reference] = {}
_lock = threading.Lock()


def security_index(reference: Reference) -> SecurityIndex:
    """The look-up index of a reference snapshot, built once per snapshot object."""
    key = id(reference)
    cached = _INDEX_CACHE.get(key)
    if cached is None or cached[0] is not reference:
        cached = (reference, SecurityIndex(reference))
        _remember(cached)
    return cached[1]


def _remember(pair: tuple[Reference, SecurityIndex]) -> None:
    if len(_INDEX_CACHE) >= _INDEX_CACHE_SIZE:
        _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
    _INDEX_CACHE[id(pair[0])] = pair


def cache_dir() -> Path | None:
    """The folder of compiled snapshots, or None when the cache is turned off."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() in _OFF:
        return None
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("portfolio-check", appauthor=False))


def compiled_reference(lists: Sequence[str] | None = None, folder: Path | None = None) -> Reference:
    """The snapshot (the default one unless ``folder``) with ``lists`` active, its index ready.

    Once per process per selection: the same call returns the same object, whose index
    :func:`security_index` then returns without building it.
    """
    if folder is None:
        from portfolio_check.refdata import default_reference_dir

        folder = default_reference_dir()
    wanted = None if lists is None else tuple(dict.fromkeys(lists))
    memo = (str(folder), wanted)
    with _lock:
        if memo not in _LOADED:
            _LOADED[memo] = load_or_compile(folder, wanted)
        return _LOADED[memo]


def compiled_selection(reference: Reference) -> tuple[Path, tuple[str, ...] | None] | None:
    """The folder and lists :func:`compiled_reference` made ``reference`` from in this
    process, or None when it did not make it (a caller's snapshot, a firm list added): another
    process makes the same selection from them (the web's workers send this, not the object)."""
    with _lock:
        found = next((memo for memo, made in _LOADED.items() if made is reference), None)
    return None if found is None else (Path(found[0]), found[1])


def load_or_compile(folder: Path, lists: tuple[str, ...] | None) -> Reference:
    """The compiled selection read from the cache folder, or compiled now and stored there."""
    where = cache_dir()
    if where is None:
        return _compile(folder, lists)[0]
    key = cache_key(folder, lists)
    path = where / f"{_stem(folder, lists)}-{key[:32]}.pickle"
    found = _read(path, key)
    if found is not None:
        _remember(found)
        return found[0]
    reference, index = _compile(folder, lists)
    # only a verified snapshot is stored: one loaded although its files differ from its
    # manifest (accepted for this run) must be accepted again by the next
    if (reference.manifest.get("verification") or {}).get("status") != "edited":
        _write(path, key, reference, index)
    return reference


def _compile(folder: Path, lists: tuple[str, ...] | None) -> tuple[Reference, SecurityIndex]:
    from portfolio_check.refdata import load_reference

    selected = load_reference(folder).select(lists)
    pair = (selected, SecurityIndex(selected))
    _remember(pair)
    return pair


def _stem(folder: Path, lists: tuple[str, ...] | None) -> str:
    """The part of a file name shared by every compilation of one snapshot folder and lists."""
    chosen = DEFAULT_LISTS if lists is None else lists
    where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return f"reference-{where}-{'+'.join(chosen) or 'none'}"


def cache_key(folder: Path, lists: tuple[str, ...] | None) -> str:
    """A hash of everything a compiled file's content depends on (see the module's docstring)."""
    digest = hashlib.sha256()
    digest.update(f"format {FORMAT}\npython {sys.version}\n".encode())
    digest.update(f"lists {DEFAULT_LISTS if lists is None else lists!r}\n".encode())
    digest.update(f"folder {folder.resolve()}\n".encode())
    digest.update(_code_fingerprint().encode())
    for path in _files(folder):
        digest.update(f"\nfile {path.relative_to(folder).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    """Every file of a snapshot folder, in a fixed order (the loader reads most of them)."""
    return sorted(path for path in folder.rglob("*") if path.is_file())


_code: str | None = None
_CODE_SUFFIXES = frozenset({".py", ".csv", ".json", ".txt"})


def _code_fingerprint() -> str:
    """The package's version and a hash of its source and data files, once per process."""
    global _code
    if _code is None:
        from portfolio_check import __version__

        digest = hashlib.sha256()
        # the code and the data files it reads (vocabularies/*.csv: legal forms, name words);
        # an installed package's snapshot (_reference/) is the key's other half
        files = (p for p in _PACKAGE.rglob("*") if p.suffix in _CODE_SUFFIXES)
        for path in sorted(p for p in files if "_reference" not in p.parts):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        _code = f"package {__version__} {digest.hexdigest()}\n"
    return _code


@contextmanager
def _deep_objects() -> Iterator[None]:
    """Pickle's recursion allowance raised and the cycle collector paused (loading makes a few
    hundred thousand lasting objects and no garbage: a collection pass would walk them all)."""
    limit = sys.getrecursionlimit()
    enabled = gc.isenabled()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    gc.disable()
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
        if enabled:
            gc.enable()


def _read(path: Path, key: str) -> tuple[Reference, SecurityIndex] | None:
    """The compiled pair stored at ``path`` under ``key``; None when missing or unusable."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        _warn(path, f"cannot be opened ({exc.strerror or exc})")
        return None
    with handle:
        untrusted = _untrusted(os.fstat(handle.fileno()))
        if untrusted:
            _warn(path, untrusted)
            return None
        try:
            with _deep_objects():
                header = pickle.load(handle)
                if not isinstance(header, dict) or header.get("key") != key:
                    _warn(path, "holds another snapshot's compilation")
                    return None
                payload = pickle.load(handle)
        except Exception as exc:  # a damaged file may fail in any unpickling step
            _warn(path, f"is unreadable ({type(exc).__name__}: {exc})")
            return None
    if not (
        isinstance(payload, tuple)
        and len(payload) == 2
        and isinstance(payload[0], Reference)
        and isinstance(payload[1], SecurityIndex)
        and payload[1].reference is payload[0]
    ):
        _warn(path, "does not hold a compiled snapshot")
        return None
    return payload[0], payload[1]


def _untrusted(stat: os.stat_result) -> str:
    """Why a cache file must not be unpickled, or "" (POSIX: not ours, or others may write it)."""
    if not hasattr(os, "getuid"):
        return ""
    if stat.st_uid != os.getuid():
        return "belongs to another user"
    if stat.st_mode & 0o022:
        return "is writable by other users"
    return ""


def _write(path: Path, key: str, reference: Reference, index: SecurityIndex) -> None:
    """Store the pair atomically; a folder that cannot be written only costs the next run time."""
    # a selection of all lists is the loaded snapshot itself: its other selections stay out
    stored = copy.copy(reference)
    object.__setattr__(stored, "_selections", {})
    stored_index = copy.copy(index)
    stored_index.reference = stored
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp"
        )
        with os.fdopen(descriptor, "wb") as handle, _deep_objects():
            pickle.dump({"format": FORMAT, "key": key}, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump((stored, stored_index), handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        temporary = None
    except (OSError, pickle.PicklingError, RecursionError) as exc:
        _warn(path, f"could not be written ({exc})", "the next run compiles the snapshot again")
        return
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    _remove_stale(path)


def _remove_stale(kept: Path) -> None:
    """Earlier compilations of the same snapshot folder and lists (another content or code)."""
    stem = kept.name.rsplit("-", 1)[0]
    for other in kept.parent.glob(f"{stem}-*.pickle"):
        if other != kept:
            other.unlink(missing_ok=True)


def _warn(path: Path, problem: str, then: str = "the snapshot is loaded without it") -> None:
    # logging's last-resort handler prints one plain line on standard error when the
    # application configured none (the CLI); a server's logging takes it like any other.
    log.warning("portfolio-check: warning: compiled reference cache %s %s; %s", path, problem, then)
