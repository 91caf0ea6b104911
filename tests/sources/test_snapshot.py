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
from portfolio_check.refdata import load_reference
from portfolio_check.sources.csl import CSL_LISTS
from portfolio_check.sources.dod_1260h import import_dod_1260h
from portfolio_check.sources.more_lists import CSL_LIST_IDS
from portfolio_check.sources.ofac_csv import import_ofac_csv
from portfolio_check.sources.snapshot import (
    DOD_1260H_FILE,
    GENERATED_BY,
    NS_CMIC_FILE,
    SDN_FILE,
    Manifest,
    build_snapshot,
    load_list_file,
    load_manifest,
)
from portfolio_check.sources.un import UN_FILE, UN_ID

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ofac"
XML_FIXTURES = Path(__file__).parents[1] / "fixtures" / "ofac_xml"
DOD_FIXTURE = Path(__file__).parents[1] / "fixtures" / "dod_1260h" / "dod_1260h_sample.csv"
REPO = Path(__file__).parents[2]
SHARED = REPO.parent / "shared"
CONSOLIDATED = SHARED / "data" / "ofac" / "consolidated_2025-12"
SDN = SHARED / "data" / "ofac" / "sdn_2024-05"
DOD_1260H = SHARED / "data" / "dod_1260h" / "dod_1260h_sanctions.csv"
ENHANCED = SHARED / "data" / "ofac" / "enhanced_2025-01" / "CONS_ENHANCED.XML"
UN_XML = SHARED / "data" / "un" / "UN_consolidated_2026-02-27.xml"
CSL_CSV = SHARED / "data" / "us_csl_2025-02" / "consolidated.csv"
# issue 15's lists, as 'reference build --un --csl' imports them
MORE_LISTS = {UN_ID: UN_XML, **dict.fromkeys(CSL_LIST_IDS, CSL_CSV)}
WHEN = dt.datetime(2025, 12, 20, 9, 30, tzinfo=dt.UTC)
MAX_LIST_FILE_BYTES = 5_000_000
"""Each shipped list file stays below this (the package carries them)."""

needs_consolidated = pytest.mark.skipif(
    not (CONSOLIDATED / "cons_prim.csv").is_file(),
    reason=f"OFAC's consolidated files are not at {CONSOLIDATED}",
)
needs_all_sources = pytest.mark.skipif(
    not all(
        p.is_file()
        for p in (CONSOLIDATED / "cons_prim.csv", SDN / "sdn.csv", DOD_1260H, ENHANCED, UN_XML)
    )
    or not CSL_CSV.is_file(),
    reason=f"OFAC's and DoD's files are not all under {SHARED / 'data'}",
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
    assert list(data) == [
        "schema",
        "version",
        "generated_at",
        "generated_by",
        "lists",
        "content_sha256",
        "files",
    ]
    # Every file of the snapshot is hashed, and the version is their content hash.
    assert data["files"] == {
        NS_CMIC_FILE: hashlib.sha256((out / NS_CMIC_FILE).read_bytes()).hexdigest()
    }
    assert data["version"] == f"2025-12-20.{data['content_sha256'][:8]}"
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
    # The CSV set states no date: the folder's newest file time stands in, labelled as such.
    assert listed["published"].startswith(
        "unknown (OFAC's legacy CSV files carry no date); newest file time of the folder "
    )
    assert listed["published_basis"] == "newest file time of the folder"
    assert listed["published"].endswith(listed["published_date"])
    assert (listed["source_records"], listed["dropped"]) == (5, {"other programs": 2})
    assert listed["selection"] == "records on program CMIC-EO13959"
    assert "tranches" not in listed and "end_dates" not in listed
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


def build_real(out: Path) -> Manifest:
    """The shipped snapshot's lists, built as ``portfolio-check reference build`` builds them:
    NS-CMIC from OFAC's enhanced XML (publication dates per entity, names in other scripts;
    the same 68 entries as the 2025-06 legacy XML and the 2025-12 CSV set)."""
    return build_snapshot(
        ENHANCED,
        out,
        sdn_dir=SDN,
        dod_1260h_csv=DOD_1260H,
        generated_at=WHEN,
        extra=MORE_LISTS,
    )


@needs_all_sources
def test_committed_snapshot_is_what_the_importer_makes(tmp_path: Path) -> None:
    committed = REPO / "reference"
    if not (committed / "manifest.json").is_file():
        pytest.skip("no committed snapshot in reference/")
    build_real(tmp_path)
    shipped = (NS_CMIC_FILE, SDN_FILE, DOD_1260H_FILE, UN_FILE, *(i.file for i in CSL_LISTS))
    for name in shipped:
        assert (committed / name).read_bytes() == (tmp_path / name).read_bytes(), name
    old, new = read(committed / "manifest.json"), read(tmp_path / "manifest.json")
    # Keys only the committed manifest has (masters, derived) are added by reference_build;
    # its files, content hash and version cover those and the curated tables too.
    changed = {key for key in new if old.get(key) != new[key]}
    assert changed <= {"generated_at", "version", "files", "content_sha256"}
    assert old["lists"] == new["lists"]


@needs_all_sources
def test_real_snapshot_with_all_lists(tmp_path: Path) -> None:
    manifest = build_real(tmp_path)
    cmic, sdn, dod, *more = manifest.lists
    assert [(item.id, item.entries) for item in more] == [
        ("un", 273),
        ("entity-list", 2_001),
        ("meu", 71),
        ("ssi", 290),
    ]
    # the CSL's SDN and CMIC rows are OFAC's own records: counted, not imported twice
    assert more[1].dropped["OFAC's own ns-cmic rows (read from OFAC's files)"] == 68
    assert [item.id for item in manifest.lists][:3] == ["ns-cmic", "sdn", "dod-1260h"]
    # The CSV set's 110 strong aliases and OFAC's six names of CMIC entries in Chinese.
    assert (cmic.entries, cmic.strong_aliases, cmic.weak_aliases) == (68, 116, 27)
    assert (cmic.published, cmic.published_basis) == ("2025-01-10", "stated in the file")
    assert (sdn.regime, sdn.title) == (
        "sdn-blocking",
        "Specially Designated Nationals and Blocked Persons List (SDN)",
    )
    assert sdn.source_records == 14_965
    assert sdn.entries == 6_884
    assert sdn.dropped == {"aircraft": 376, "individual": 6_854, "vessel": 851}
    assert sdn.entries + sum(sdn.dropped.values()) == sdn.source_records
    assert sdn.published.startswith(
        "unknown (OFAC's legacy CSV files carry no date); on or before 2024-05-03"
    )
    # The 2024-05 mirror has sdn.csv only: no alt.csv, so no strong aliases.
    assert (sdn.strong_aliases, sdn.weak_aliases) == (0, 1_527)
    assert sdn.warning_counts == {"remarks: Equity Ticker: no exchange code": 1}
    assert (dod.regime, dod.entries, dod.source_records) == ("watch", 216, 397)
    assert dod.published.startswith("2026-06-08 (DoD's latest tranche in the file)")
    assert dod.tranches is not None and dod.end_dates is not None
    assert [(t.start.isoformat(), t.rows) for t in dod.tranches] == [
        ("2021-06-03", 47),
        ("2022-10-05", 13),
        ("2024-01-31", 16),
        ("2025-01-07", 133),
        ("2026-06-08", 188),
    ]
    for name in (NS_CMIC_FILE, SDN_FILE, DOD_1260H_FILE):
        assert (tmp_path / name).stat().st_size < MAX_LIST_FILE_BYTES, name
    sdn_entries = load_list_file(tmp_path / SDN_FILE)
    assert {e.entity_type for e in sdn_entries} == {"entity"}
    assert sdn_entries == tuple(
        e for e in import_ofac_csv(SDN, list_id="sdn").entries if e.entity_type == "entity"
    )


# --------------------------------------------------------------------------------------------
# SDN and DoD 1260H lists
# --------------------------------------------------------------------------------------------


@pytest.fixture
def built_all(tmp_path: Path) -> tuple[Path, Manifest]:
    out = tmp_path / "reference"
    manifest = build_snapshot(
        FIXTURES, out, sdn_dir=FIXTURES, dod_1260h_csv=DOD_FIXTURE, generated_at=WHEN
    )
    return out, manifest


def test_the_old_call_still_builds_ns_cmic_only(built: tuple[Path, Manifest]) -> None:
    out, manifest = built
    assert [item.id for item in manifest.lists] == ["ns-cmic"]
    assert sorted(p.name for p in (out / "lists").iterdir()) == ["ns_cmic.json"]


def test_sdn_keeps_entities_and_counts_the_rest(built_all: tuple[Path, Manifest]) -> None:
    out, manifest = built_all
    sdn = manifest.list_record("sdn")
    assert (sdn.file, sdn.regime) == (SDN_FILE, "sdn-blocking")
    assert sdn.source_records == 5
    assert sdn.dropped == {"individual": 1, "vessel": 1}
    assert sdn.selection.startswith("entities only")
    assert [e.entry_id for e in load_list_file(out / SDN_FILE)] == ["90001", "90002", "90004"]
    assert sdn.source == (
        "OFAC Specially Designated Nationals and Blocked Persons List, legacy CSV files "
        "cons_prim.csv, cons_alt.csv, cons_add.csv, cons_comments.csv; all programs"
    )
    # Warnings of the dropped individual and vessel are not the list's; file-level ones are.
    records = {w.record for w in sdn.warnings}
    assert "90003" not in records and "90005" not in records
    assert "99999" in records  # a comment row without a primary record


def test_sdn_from_an_xml_file(tmp_path: Path) -> None:
    manifest = build_snapshot(
        FIXTURES,
        tmp_path,
        sdn_dir=XML_FIXTURES / "sdn_legacy_namespace.xml",
        generated_at=WHEN,
    )
    sdn = manifest.list_record("sdn")
    assert sdn.published == "2024-05-03"  # the XML's Publish_Date
    assert (sdn.entries, sdn.dropped, sdn.source_records) == (1, {"individual": 1, "vessel": 1}, 4)
    assert "legacy XML file sdn_legacy_namespace.xml" in sdn.source
    (entry,) = load_list_file(tmp_path / SDN_FILE)
    assert entry.entry_id == "91001"


def test_dod_1260h_list(built_all: tuple[Path, Manifest]) -> None:
    out, manifest = built_all
    dod = manifest.list_record("dod-1260h")
    assert (dod.file, dod.regime, dod.entries, dod.source_records) == (
        DOD_1260H_FILE,
        "watch",
        13,
        25,
    )
    assert dod.published == "2026-06-08 (DoD's latest tranche in the file)"
    assert dod.tranches is not None and dod.end_dates is not None
    assert [t.start.isoformat() for t in dod.tranches] == [
        "2021-06-03",
        "2024-01-31",
        "2025-01-07",
        "2026-06-08",
    ]
    assert load_list_file(out / DOD_1260H_FILE) == tuple(import_dod_1260h(DOD_FIXTURE).entries)
    listed = next(i for i in read(out / "manifest.json")["lists"] if i["id"] == "dod-1260h")
    assert listed["tranches"][0] == {
        "start": "2021-06-03",
        "rows": 5,
        "entities_named": 5,
        "source_urls": [],
    }
    assert listed["end_dates"] == [
        {"end": "2025-01-07", "rows": 1},
        {"end": "2026-02-17", "rows": 2},
    ]


def test_list_files_leave_out_default_fields(built_all: tuple[Path, Manifest]) -> None:
    out, _ = built_all
    document = read(out / SDN_FILE)
    private = next(e for e in document["entries"] if e["entry_id"] == "90004")
    assert "strong_aliases" not in private and "divestment_date" not in private
    assert private["isins"] == ["US99999Z1000"]
    entries = {e.entry_id: e for e in load_list_file(out / SDN_FILE)}
    assert entries["90004"].strong_aliases == () and entries["90004"].divestment_date is None
    assert tuple(entries.values()) == tuple(
        e for e in import_ofac_csv(FIXTURES, list_id="sdn").entries if e.entity_type == "entity"
    )


def test_refdata_loads_every_list(built_all: tuple[Path, Manifest]) -> None:
    out, manifest = built_all
    reference = load_reference(out)
    assert {item.list_id: item.regime for item in reference.lists.values()} == {
        "ns-cmic": "ns-cmic",
        "sdn": "sdn-blocking",
        "dod-1260h": "watch",
    }
    assert reference.version == manifest.version
    assert load_manifest(out / "manifest.json") == manifest


def test_a_bad_source_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot be read"):
        build_snapshot(FIXTURES, tmp_path, dod_1260h_csv=tmp_path / "absent.csv", generated_at=WHEN)
    assert not tmp_path.joinpath("manifest.json").exists()
    assert not tmp_path.joinpath("lists").exists()


def test_all_lists_regenerate_byte_identically(tmp_path: Path) -> None:
    for name in ("a", "b"):
        build_snapshot(
            FIXTURES,
            tmp_path / name,
            sdn_dir=FIXTURES,
            dod_1260h_csv=DOD_FIXTURE,
            generated_at=WHEN,
        )
    for name in (NS_CMIC_FILE, SDN_FILE, DOD_1260H_FILE, "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_manifest_record_of_an_absent_list(built: tuple[Path, Manifest]) -> None:
    _, manifest = built
    with pytest.raises(ReferenceDataError, match="names no list 'sdn'"):
        manifest.list_record("sdn")


def test_a_manifest_with_sections_added_later_still_loads(built: tuple[Path, Manifest]) -> None:
    # reference_build adds "masters" and "derived" after build_snapshot.
    out, manifest = built
    data = read(out / "manifest.json")
    data["masters"] = [{"id": "hkex", "file": "masters/hkex.csv"}]
    data["derived"] = []
    (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    loaded = load_manifest(out / "manifest.json")
    assert loaded.lists == manifest.lists
    assert loaded.masters == ({"id": "hkex", "file": "masters/hkex.csv"},)
