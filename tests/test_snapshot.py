"""Tests of the snapshot builder: written files, determinism, the manifest, reading back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from portfolio_check.errors import ReferenceDataError, SourceFormatError, UsageError
from portfolio_check.model import ListEntry
from portfolio_check.sources.snapshot import (
    GENERATED_BY,
    NS_CMIC_FILE,
    Manifest,
    build_snapshot,
    load_list_file,
    load_manifest,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ofac"
REPO = Path(__file__).parents[1]
SHARED = REPO.parent / "shared"
CONSOLIDATED = SHARED / "data" / "ofac" / "consolidated_2025-12"
WHEN = dt.datetime(2025, 12, 20, 9, 30, tzinfo=dt.UTC)

needs_consolidated = pytest.mark.skipif(
    not (CONSOLIDATED / "cons_prim.csv").is_file(),
    reason=f"OFAC's consolidated files are not at {CONSOLIDATED}",
)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Manifest]:
    out = tmp_path / "reference"
    return out, build_snapshot(FIXTURES, out, generated_at=WHEN)


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_list_file(built: tuple[Path, Manifest]) -> None:
    out, _ = built
    document = read(out / NS_CMIC_FILE)
    assert list(document) == ["list_id", "title", "regime", "source", "entries"]
    assert document["list_id"] == "ns-cmic"
    assert document["regime"] == "ns-cmic"
    assert "cons_prim.csv" in document["source"] and "cons_comments.csv" in document["source"]
    assert [e["entry_id"] for e in document["entries"]] == ["90001", "90002", "90004"]
    assert document["entries"][0]["listing_date"] == "2021-06-03"
    text = (out / NS_CMIC_FILE).read_text(encoding="utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_manifest(built: tuple[Path, Manifest]) -> None:
    out, manifest = built
    data = read(out / "manifest.json")
    assert list(data) == ["schema", "version", "generated_at", "generated_by", "lists"]
    assert data["schema"] == 1
    assert data["generated_at"] == "2025-12-20T09:30:00Z"
    assert data["generated_by"] == GENERATED_BY
    assert data["version"].startswith("2025-12-20.")
    (listed,) = data["lists"]
    assert listed["id"] == "ns-cmic"
    assert listed["file"] == NS_CMIC_FILE
    assert listed["sha256"] == hashlib.sha256((out / NS_CMIC_FILE).read_bytes()).hexdigest()
    assert (listed["entries"], listed["strong_aliases"], listed["weak_aliases"]) == (3, 3, 4)
    files = {f["name"]: f for f in listed["source_files"]}
    assert set(files) == {"cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"}
    for name, info in files.items():
        assert info["sha256"] == hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()
    assert files["cons_prim.csv"]["records"] == 5
    assert listed["warning_counts"]["remarks: ISIN: not a valid ISIN (format or check digit)"] == 1
    assert {w["value"] for w in listed["warnings"]} >= {"1234  HK", "CND99999X001", "99999"}
    assert load_manifest(out / "manifest.json") == manifest


def test_regenerating_is_byte_identical(tmp_path: Path) -> None:
    first = build_snapshot(FIXTURES, tmp_path / "a", generated_at=WHEN)
    second = build_snapshot(FIXTURES, tmp_path / "b", generated_at=WHEN)
    assert first == second
    for name in (NS_CMIC_FILE, "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_later_run_differs_only_in_time_and_version(tmp_path: Path) -> None:
    build_snapshot(FIXTURES, tmp_path / "a", generated_at=WHEN)
    later = WHEN + dt.timedelta(days=3)
    build_snapshot(FIXTURES, tmp_path / "b", generated_at=later)
    a, b = (tmp_path / "a").joinpath, (tmp_path / "b").joinpath
    assert a(NS_CMIC_FILE).read_bytes() == b(NS_CMIC_FILE).read_bytes()
    old, new = read(a("manifest.json")), read(b("manifest.json"))
    assert new["version"].split(".")[1] == old["version"].split(".")[1]
    changed = {key for key in old if old[key] != new[key]}
    assert changed == {"generated_at", "version"}


def test_default_generated_at_is_now_in_utc(tmp_path: Path) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    manifest = build_snapshot(FIXTURES, tmp_path)
    assert manifest.generated_at.utcoffset() == dt.timedelta(0)
    assert before <= manifest.generated_at <= dt.datetime.now(dt.UTC)


def test_naive_generated_at_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="time zone"):
        build_snapshot(FIXTURES, tmp_path, generated_at=dt.datetime(2025, 1, 1))


def test_missing_source_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="not a directory"):
        build_snapshot(tmp_path / "nowhere", tmp_path / "out", generated_at=WHEN)
    assert not (tmp_path / "out").exists()


def test_other_list_files_are_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "lists" / "firm.json"
    other.parent.mkdir(parents=True)
    other.write_text('{"list_id": "firm", "entries": []}\n', encoding="utf-8")
    build_snapshot(FIXTURES, tmp_path, generated_at=WHEN)
    assert other.read_text(encoding="utf-8") == '{"list_id": "firm", "entries": []}\n'
    assert sorted(p.name for p in (tmp_path / "lists").iterdir()) == ["firm.json", "ns_cmic.json"]


# --------------------------------------------------------------------------------------------
# load_list_file
# --------------------------------------------------------------------------------------------


def test_load_list_file_round_trip(built: tuple[Path, Manifest]) -> None:
    out, _ = built
    entries = load_list_file(out / NS_CMIC_FILE)
    assert all(isinstance(e, ListEntry) for e in entries)
    assert entries[0].tickers == ("EXA US", "1234 HK", "600123 CN")
    assert entries[1].weak_aliases == ("ELRH", "LONG REMARKS")
    assert entries[2].divestment_date is None


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"list_id": "ns-cmic", "entry_id": "1", "name": "X"}
    entry.update(changes)
    return entry


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid UTF-8 JSON"),
        ("[]", "'entries' array"),
        ('{"entries": []}', "'list_id' is missing"),
        (
            json.dumps({"list_id": "ns-cmic", "entries": [_entry(listing_date="3 Jun 2021")]}),
            r"entry #0 \('1'\) is malformed: listing_date",
        ),
        (
            json.dumps({"list_id": "ns-cmic", "entries": [_entry(colour="red")]}),
            "colour: Extra inputs are not permitted",
        ),
        (
            json.dumps({"list_id": "ns-cmic", "entries": [{"entry_id": "7"}]}),
            r"entry #0 \('7'\) is malformed: list_id: Field required",
        ),
        (
            json.dumps({"list_id": "ns-cmic", "entries": [_entry(list_id="sdn")]}),
            "has list_id 'sdn', the file is list 'ns-cmic'",
        ),
        (
            json.dumps({"list_id": "ns-cmic", "entries": [_entry(), _entry()]}),
            "entry #1 \\('1'\\) repeats entry_id '1'",
        ),
    ],
)
def test_load_list_file_names_the_file_and_the_flaw(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad_list.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=message) as caught:
        load_list_file(path)
    assert str(caught.value).startswith(str(path))


def test_load_list_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="file not found"):
        load_list_file(tmp_path / "absent.json")


def test_load_manifest_rejects_a_list_file(built: tuple[Path, Manifest]) -> None:
    out, _ = built
    with pytest.raises(ReferenceDataError, match="not a snapshot manifest"):
        load_manifest(out / NS_CMIC_FILE)


# --------------------------------------------------------------------------------------------
# OFAC's real files, and the committed snapshot
# --------------------------------------------------------------------------------------------


@needs_consolidated
def test_real_snapshot(tmp_path: Path) -> None:
    manifest = build_snapshot(CONSOLIDATED, tmp_path, generated_at=WHEN)
    (listed,) = manifest.lists
    assert (listed.entries, listed.strong_aliases, listed.weak_aliases) == (68, 110, 27)
    entries = {e.entry_id: e for e in load_list_file(tmp_path / NS_CMIC_FILE)}
    sensetime = entries["33114"]
    assert sensetime.name == "SENSETIME GROUP LIMITED"
    assert (sensetime.listing_date, sensetime.effective_date, sensetime.divestment_date) == (
        dt.date(2021, 12, 10),
        dt.date(2022, 2, 8),
        dt.date(2022, 12, 10),
    )
    assert list(entries) == sorted(entries, key=int)


@needs_consolidated
def test_committed_snapshot_is_what_the_importer_makes(tmp_path: Path) -> None:
    committed = REPO / "reference"
    if not (committed / "manifest.json").is_file():
        pytest.skip("no committed snapshot in reference/")
    build_snapshot(CONSOLIDATED, tmp_path, generated_at=WHEN)
    assert (committed / NS_CMIC_FILE).read_bytes() == (tmp_path / NS_CMIC_FILE).read_bytes()
    old, new = read(committed / "manifest.json"), read(tmp_path / "manifest.json")
    assert {key for key in old if old[key] != new[key]} <= {"generated_at", "version"}
    assert old["version"].split(".")[1] == new["version"].split(".")[1]
