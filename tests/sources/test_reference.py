"""The shipped snapshot: complete for NS-CMIC, every curated fact sourced, loadable when installed."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

from portfolio_check import ReferenceDataError, load_reference
from portfolio_check.refdata import shipped_reference_dir
from tests.paths import REPO


def test_ns_cmic_snapshot_is_complete() -> None:
    reference = load_reference()
    ns_cmic = reference.lists["ns-cmic"]
    assert len(ns_cmic.entries) == 68
    # OFAC's enhanced XML: the legacy files' 110 strong aliases and six names in Chinese.
    assert sum(len(e.strong_aliases) for e in ns_cmic.entries) == 116
    assert sum(len(e.weak_aliases) for e in ns_cmic.entries) == 27
    sensetime = reference.entry("ns-cmic", "33114")
    assert sensetime.name == "SENSETIME GROUP LIMITED"
    assert sensetime.strong_aliases == ("SENSETIME GROUP LTD", "商湯集團有限公司")
    assert sensetime.listed_from == dt.date(2021, 12, 10)  # OFAC's datePublished
    assert (sensetime.listing_date, sensetime.effective_date, sensetime.divestment_date) == (
        dt.date(2021, 12, 10),
        dt.date(2022, 2, 8),
        dt.date(2022, 12, 10),
    )
    assert sensetime.isins == () and sensetime.tickers == ()
    originals = [e for e in ns_cmic.entries if e.listing_date == dt.date(2021, 6, 3)]
    assert len(originals) == 59


def test_manifest_names_its_sources() -> None:
    manifest = load_reference().manifest
    assert "generated_at" in manifest and manifest.get("version")
    text = str(manifest)
    assert "CONS_ENHANCED.XML" in text
    assert "sha256" in text


@pytest.mark.parametrize("name", ["securities.csv", "names.csv"])
def test_every_curated_row_has_a_source(name: str) -> None:
    path = REPO / "reference" / "curated" / name
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for line, row in enumerate(rows, start=2):
        assert (row.get("source") or "").strip(), f"{name} line {line} has no source"


def test_a_curated_row_without_source_is_rejected(tmp_path: Path) -> None:
    copy = tmp_path / "ref"
    shutil.copytree(shipped_reference_dir(), copy)
    path = copy / "curated" / "names.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append("ns-cmic,33114,Made Up Name,en,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="no source"):
        load_reference(copy)


def test_a_curated_row_for_an_unknown_entry_is_rejected(tmp_path: Path) -> None:
    copy = tmp_path / "ref"
    shutil.copytree(shipped_reference_dir(), copy)
    path = copy / "curated" / "names.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("ns-cmic,99999999,Nobody,en,,some document\n")
    with pytest.raises(ReferenceDataError, match="99999999"):
        load_reference(copy)


def test_shipped_snapshot_is_installed_with_the_package() -> None:
    folder = shipped_reference_dir()
    assert (folder / "manifest.json").is_file()
    assert (folder / "lists" / "ns_cmic.json").is_file()
    assert (folder / "curated" / "securities.csv").is_file()
