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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from portfolio_check.model import CuratedName, CuratedSecurity
from portfolio_check.refdata import load_reference
from portfolio_check.sources.derive import Masters, derive_names, derive_securities
from portfolio_check.sources.masters import (
    newest_hkex,
    read_ah_pairs,
    read_csi_constituents,
    read_hkex_lists,
    read_master_date,
    write_masters,
)
from portfolio_check.sources.snapshot import build_snapshot

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
    build_snapshot(
        ofac_consolidated, out_dir, sdn_dir=sdn, dod_1260h_csv=dod_1260h, un_xml=un, csl_csv=csl
    )
    return add_masters_and_derived(out_dir, hkex=hkex, csi=csi, ah_pairs=ah_pairs)


def add_masters_and_derived(
    out_dir: Path, *, hkex: Sequence[Path], csi: Path | None, ah_pairs: Path | None
) -> dict[str, Any]:
    """Steps 2-4 on a folder whose lists are already built."""
    masters_manifest = write_masters(out_dir, hkex=hkex, csi=csi, ah_pairs=ah_pairs)
    derived_manifest: list[dict[str, Any]] = []
    if hkex and csi and ah_pairs:
        newest = newest_hkex(read_hkex_lists(hkex))
        newest_file = next(p for p in hkex if read_master_date(p) == newest[0].master_date)
        masters = Masters(
            hkex=newest,
            hkex_file=f"../shared/data/{newest_file.parent.name}/{newest_file.name}",
            a_shares=read_csi_constituents(csi),
            a_shares_file=f"../shared/data/{csi.parent.name}/{csi.name}",
            ah_pairs=read_ah_pairs(ah_pairs),
            ah_pairs_file=f"../shared/data/{ah_pairs.parent.name}/{ah_pairs.name}",
        )
        # Clear derived tables first: they must come from the curated ones alone.
        for stale in ("securities.csv", "names.csv"):
            (out_dir / "derived" / stale).unlink(missing_ok=True)
        reference = load_reference(out_dir)
        securities: list[CuratedSecurity] = []
        names: list[CuratedName] = []
        for list_id in DERIVED_LISTS:
            if list_id not in reference.lists:
                continue
            entries = reference.lists[list_id].entries
            found = derive_securities(list_id, entries, reference.curated_securities, masters)
            securities += found
            names += derive_names(
                list_id,
                entries,
                [*reference.curated_securities, *found],
                reference.curated_names,
                masters,
            )
        for file_name, rows, model in (
            ("securities.csv", securities, CuratedSecurity),
            ("names.csv", names, CuratedName),
        ):
            digest = _write_models(out_dir / "derived" / file_name, rows, list(model.model_fields))
            derived_manifest.append(
                {"file": f"derived/{file_name}", "sha256": digest, "rows": len(rows)}
            )
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["masters"] = masters_manifest
    manifest["derived"] = derived_manifest
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return dict(manifest)
