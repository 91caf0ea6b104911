"""``portfolio-check reference build``: the whole snapshot from the official files, in one step.

1. the lists, by :func:`portfolio_check.sources.snapshot.build_snapshot` (OFAC and others);
2. the exchanges' masters (HKEX List of Securities, CSI constituents, A/H pairs) as CSV;
3. the derived tables: every list entry's lines and names that the masters give by code;
4. the manifest gains a ``masters`` and a ``derived`` section (files, sha256, rows).

Nothing here is typed by hand: the hand-curated facts stay in ``curated/`` and are only read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from portfolio_check.errors import ReferenceDataError
from portfolio_check.model import CuratedName, CuratedSecurity
from portfolio_check.refdata import load_curated_tables
from portfolio_check.reference import HkexSecurity
from portfolio_check.sources.derive import Masters, derive_names, derive_securities
from portfolio_check.sources.masters import (
    AHPair,
    AShare,
    load_master_rows,
    newest_hkex,
    write_masters,
)
from portfolio_check.sources.more_lists import CSL_LIST_IDS
from portfolio_check.sources.snapshot import build_snapshot, load_list_file, seal_snapshot
from portfolio_check.sources.un import UN_ID

# Lists whose entries get derived lines: those with listed issuers.
DERIVED_LISTS = ("ns-cmic",)


def _write_models(path: Path, rows: Sequence[BaseModel], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        data = row.model_dump()
        writer.writerow(["" if data[c] is None else data[c] for c in columns])
    raw = buffer.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def build_reference(
    out_dir: Path,
    *,
    ofac_consolidated: Path,
    sdn: Path | None = None,
    dod_1260h: Path | None = None,
    hkex: Sequence[Path] = (),
    csi: Path | None = None,
    ah_pairs: Path | None = None,
    un: Path | None = None,
    csl: Path | None = None,
) -> dict[str, Any]:
    """Regenerate the snapshot in ``out_dir``; returns the manifest written.

    ``hkex`` takes several dated HKEX Lists of Securities: all are kept (derivative codes are
    read on the as-of date's master), the newest gives the derived lines.
    """
    extra = {UN_ID: un} if un else {}
    extra.update({list_id: csl for list_id in CSL_LIST_IDS} if csl else {})
    build_snapshot(
        ofac_consolidated, out_dir, sdn_dir=sdn, dod_1260h_csv=dod_1260h, extra=extra or None
    )
    return add_masters_and_derived(out_dir, hkex=hkex, csi=csi, ah_pairs=ah_pairs)


_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def master_citation(master: Mapping[str, Any]) -> str:
    """How evidence cites a master: the publisher's document by name and date, never a path."""
    source = master.get("source_file") or {}
    name = str(source.get("name", ""))
    dates = master.get("dates") or []
    found = _DATE_IN_NAME.search(name)
    day = str(dates[-1]) if dates else (found.group(1) if found else "")
    if master.get("id") == "hkex":
        return f"HKEX List of Securities (ListOfSecurities.xlsx) updated {day}".strip()
    if master.get("id") == "csi":
        return f"CSI 300 index constituents (China Securities Index, 000300cons.xls) of {day}"
    return f"{master.get('title', 'table')} ({name})"


def _read_manifest(out_dir: Path) -> dict[str, Any]:
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ReferenceDataError(f"{out_dir / 'manifest.json'}: expected a JSON object")
    return manifest


def _write_manifest(out_dir: Path, manifest: Mapping[str, Any]) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out_dir / "manifest.json").write_text(text, "utf-8")


def add_masters_and_derived(
    out_dir: Path, *, hkex: Sequence[Path], csi: Path | None, ah_pairs: Path | None
) -> dict[str, Any]:
    """Steps 2-4 on a folder whose lists are already built."""
    masters_manifest = write_masters(out_dir, hkex=hkex, csi=csi, ah_pairs=ah_pairs)
    manifest = _read_manifest(out_dir)
    manifest["masters"] = masters_manifest
    _write_manifest(out_dir, manifest)
    return derive_tables(out_dir)


def _snapshot_masters(out_dir: Path, recorded: Sequence[Mapping[str, Any]]) -> Masters | None:
    """The masters a snapshot holds (``masters/*.csv``), cited as their manifest records them."""
    by_id = {str(item.get("id")): item for item in recorded}
    if not {"hkex", "csi", "ah-pairs"} <= by_id.keys():
        return None
    folder = out_dir / "masters"
    return Masters(
        hkex=newest_hkex(load_master_rows(folder / "hkex.csv", HkexSecurity)),
        hkex_file=master_citation(by_id["hkex"]),
        a_shares=load_master_rows(folder / "csi.csv", AShare),
        a_shares_file=master_citation(by_id["csi"]),
        ah_pairs=load_master_rows(folder / "ah-pairs.csv", AHPair),
        ah_pairs_file=master_citation(by_id["ah-pairs"]),
    )


def derive_tables(out_dir: Path) -> dict[str, Any]:
    """Step 3-4: the derived tables from the snapshot's own lists, curated rows and masters
    (so a snapshot can be re-derived without the masters' original files), then sealed."""
    manifest = _read_manifest(out_dir)
    derived_manifest: list[dict[str, Any]] = []
    masters = _snapshot_masters(out_dir, manifest.get("masters") or [])
    # Clear derived tables first: they must come from the curated ones alone.
    for stale in ("securities.csv", "names.csv"):
        (out_dir / "derived" / stale).unlink(missing_ok=True)
    if masters is not None:
        curated_securities, curated_names = load_curated_tables(out_dir)
        by_id = {str(item.get("id")): item for item in manifest.get("lists", [])}
        securities: list[CuratedSecurity] = []
        names: list[CuratedName] = []
        for list_id in DERIVED_LISTS:
            if list_id not in by_id:
                continue
            entries = load_list_file(out_dir / str(by_id[list_id]["file"]))
            mine = [r for r in curated_securities if r.list_id == list_id]
            found = derive_securities(list_id, entries, mine, masters)
            securities += found
            names += derive_names(
                list_id,
                entries,
                [*mine, *found],
                [r for r in curated_names if r.list_id == list_id],
                masters,
            )
        for file_name, rows, model in (
            ("securities.csv", securities, CuratedSecurity),
            ("names.csv", names, CuratedName),
        ):
            # provenance is the loader's to set, from the folder a row is read from
            columns = [name for name in model.model_fields if name != "provenance"]
            digest = _write_models(out_dir / "derived" / file_name, rows, columns)
            derived_manifest.append(
                {"file": f"derived/{file_name}", "sha256": digest, "rows": len(rows)}
            )
    manifest = _read_manifest(out_dir)
    manifest["derived"] = derived_manifest
    _write_manifest(out_dir, manifest)
    return seal_snapshot(out_dir).to_json()


def rebuild_reference(
    out_dir: Path,
    *,
    base: Path,
    ofac_consolidated: Path | None = None,
    sdn: Path | None = None,
    dod_1260h: Path | None = None,
    hkex: Sequence[Path] = (),
    csi: Path | None = None,
    ah_pairs: Path | None = None,
    un: Path | None = None,
    csl: Path | None = None,
) -> dict[str, Any]:
    """``reference build`` from the files given; what is not given comes from ``base``.

    Lists without a new source keep ``base``'s list file and record; without all three masters
    the base's masters are kept; curated tables are ``base``'s (unless ``out_dir`` has its
    own). The derived tables are always made anew and the snapshot sealed. Works from an
    installed package: no file outside those given and ``base`` is read.
    """
    import shutil

    from portfolio_check.sources.snapshot import load_manifest

    base_manifest = load_manifest(base / "manifest.json")
    same = out_dir.resolve() == base.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    # issue 15's lists (registered by more_lists): the UN XML, and the CSL's three lists
    extra = {UN_ID: un} if un else {}
    extra.update({list_id: csl for list_id in CSL_LIST_IDS} if csl else {})
    given = {"ns-cmic": ofac_consolidated, "sdn": sdn, "dod-1260h": dod_1260h, **extra}
    kept = [item for item in base_manifest.lists if given.get(item.id) is None]
    if not same:
        for part in ("curated", "masters"):
            if (base / part).is_dir() and not (out_dir / part).exists():
                shutil.copytree(base / part, out_dir / part)
        for item in kept:
            (out_dir / item.file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(base / item.file, out_dir / item.file)
    build_snapshot(
        ofac_consolidated,
        out_dir,
        sdn_dir=sdn,
        dod_1260h_csv=dod_1260h,
        kept=kept,
        extra=extra or None,
    )
    if hkex and csi and ah_pairs:
        return add_masters_and_derived(out_dir, hkex=hkex, csi=csi, ah_pairs=ah_pairs)
    manifest = _read_manifest(out_dir)
    manifest["masters"] = [dict(m) for m in base_manifest.masters or ()]
    _write_manifest(out_dir, manifest)
    return derive_tables(out_dir)
