"""Tests of list diffs: entries, snapshot folders, OFAC's official files (CSV and XML)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from portfolio_check.errors import UsageError
from portfolio_check.model import ListEntry
from portfolio_check.sources.diff import (
    FieldChange,
    ListDiff,
    SourceDiff,
    diff_entries,
    diff_sources,
    format_diff,
)
from portfolio_check.sources.snapshot import build_snapshot
from tests.paths import shared_path

FIXTURES = Path(__file__).parents[1] / "fixtures"
OFAC_CSV = FIXTURES / "ofac"
OFAC_XML = FIXTURES / "ofac_xml" / "consolidated.xml"
DOD = FIXTURES / "dod_1260h" / "dod_1260h_sample.csv"
WHEN = dt.datetime(2025, 12, 20, tzinfo=dt.UTC)


def entry(entry_id: str, name: str = "X", **fields: object) -> ListEntry:
    return ListEntry.model_validate({"list_id": "l", "entry_id": entry_id, "name": name, **fields})


# --------------------------------------------------------------------------------------------
# diff_entries
# --------------------------------------------------------------------------------------------


def test_added_removed_changed() -> None:
    old = [entry("1", "A"), entry("2", "B", programs=("P",)), entry("10", "C")]
    new = [entry("10", "C"), entry("2", "B2", programs=("P", "Q")), entry("3", "D")]
    result = diff_entries(old, new)
    assert [e.entry_id for e in result.added] == ["3"]
    assert [e.entry_id for e in result.removed] == ["1"]
    (changed,) = result.changed
    assert (changed.list_id, changed.entry_id, changed.name) == ("l", "2", "B2")
    assert changed.changes == (
        FieldChange(field="name", old="B", new="B2"),
        FieldChange(field="programs", old=("P",), new=("P", "Q")),
    )
    assert not result.is_empty


def test_identical_lists_and_order() -> None:
    entries = [entry("2"), entry("1")]
    assert diff_entries(entries, list(reversed(entries))) == ListDiff()
    assert diff_entries(entries, entries).is_empty


def test_ids_sort_numerically_then_as_text() -> None:
    new = [entry("10"), entry("9"), entry("b-slug"), entry("a-slug")]
    assert [e.entry_id for e in diff_entries([], new).added] == ["9", "10", "a-slug", "b-slug"]


def test_ignored_fields() -> None:
    old, new = [entry("1", remarks="a")], [entry("1", remarks="b")]
    assert diff_entries(old, new, ignore={"remarks"}).is_empty
    assert diff_entries(old, new).changed[0].changes[0].field == "remarks"


def test_dates_and_effect_are_compared() -> None:
    old = [entry("1", listed_until=None)]
    new = [entry("1", listed_until=dt.date(2026, 2, 17))]
    (changed,) = diff_entries(old, new).changed
    assert changed.changes == (
        FieldChange(field="listed_until", old=None, new=dt.date(2026, 2, 17)),
    )


def test_a_repeated_id_is_refused() -> None:
    with pytest.raises(UsageError, match="the new entries repeat l entry '1'"):
        diff_entries([], [entry("1"), entry("1")])


# --------------------------------------------------------------------------------------------
# Snapshot folders
# --------------------------------------------------------------------------------------------


def test_two_snapshot_folders(tmp_path: Path) -> None:
    build_snapshot(OFAC_CSV, tmp_path / "old", generated_at=WHEN)
    changed_set = tmp_path / "ofac"
    shutil.copytree(OFAC_CSV, changed_set)
    prim = changed_set / "cons_prim.csv"
    prim.write_bytes(
        prim.read_bytes().replace(
            b"EXAMPLE PRIVATE TECHNOLOGY CO., LTD.", b"EXAMPLE PRIVATE TECH CO"
        )
    )
    build_snapshot(
        changed_set, tmp_path / "new", sdn_dir=OFAC_CSV, dod_1260h_csv=DOD, generated_at=WHEN
    )
    result = diff_sources(tmp_path / "old", tmp_path / "new")
    assert list(result.lists) == ["dod-1260h", "ns-cmic", "sdn"]
    cmic = result.lists["ns-cmic"]
    assert (cmic.added, cmic.removed) == ((), ())
    (changed,) = cmic.changed
    assert changed.entry_id == "90004"
    assert changed.changes == (
        FieldChange(
            field="name", old="EXAMPLE PRIVATE TECHNOLOGY CO., LTD.", new="EXAMPLE PRIVATE TECH CO"
        ),
    )
    assert len(result.lists["sdn"].added) == 3 and len(result.lists["dod-1260h"].added) == 13
    assert result.notes == (
        "list 'dod-1260h' is only in the new snapshot: all its entries count",
        "list 'sdn' is only in the new snapshot: all its entries count",
    )
    assert result.old.endswith("old (snapshot)")


def test_the_committed_snapshot_against_itself() -> None:
    reference = Path(__file__).parents[2] / "reference"
    result = diff_sources(reference, reference)
    assert result.lists and all(item.is_empty for item in result.lists.values())


# --------------------------------------------------------------------------------------------
# OFAC's files
# --------------------------------------------------------------------------------------------


def test_a_primary_file_against_a_full_set(tmp_path: Path) -> None:
    single = tmp_path / "cons_prim.csv"
    single.write_bytes((OFAC_CSV / "cons_prim.csv").read_bytes())
    result = diff_sources(single, OFAC_CSV)
    assert result.lists["consolidated"].is_empty
    (note,) = result.notes
    assert note.startswith("compared cons_prim.csv only: the other side has no file for ")
    assert "cons_alt.csv" in note


def test_xml_against_csv_leaves_remarks_aside() -> None:
    result = diff_sources(OFAC_XML, OFAC_CSV)
    consolidated = result.lists["consolidated"]
    assert [e.entry_id for e in consolidated.removed] == ["33114"]
    assert [e.entry_id for e in consolidated.added] == ["90002", "90004"]
    (changed,) = consolidated.changed  # the CSV's address remarks "près du lac"
    assert (changed.entry_id, [c.field for c in changed.changes]) == ("90003", ["addresses"])
    assert result.notes[0].startswith("remarks not compared")
    assert "OFAC legacy XML: consolidated.xml" in result.old


def test_format_diff() -> None:
    text = format_diff(diff_sources(OFAC_XML, OFAC_CSV))
    assert text.splitlines()[3:] == [
        "consolidated: 2 added, 1 removed, 1 changed",
        "  + 90002 EXAMPLE LONG REMARKS HOLDINGS COMPANY LIMITED (entity; CMIC-EO13959)",
        "  + 90004 EXAMPLE PRIVATE TECHNOLOGY CO., LTD. (entity; CMIC-EO13959)",
        "  - 33114 SENSETIME GROUP LIMITED (entity; CMIC-EO13959)",
        "  ~ 90003 EXAMPLE, Person Made Up",
        '      addresses: + "Rue de l\'Exemple 9, Genève, Switzerland (près du lac)", '
        '- "Rue de l\'Exemple 9, Genève, Switzerland"',
    ]
    assert text.endswith("\n")


def test_long_texts_show_the_changed_part() -> None:
    old = "A" * 200 + " OLD " + "B" * 200
    new = "A" * 200 + " NEW " + "B" * 200
    text = format_diff(
        SourceDiff(
            old="o",
            new="n",
            notes=(),
            lists={"l": diff_entries([entry("1", remarks=old)], [entry("1", remarks=new)])},
        )
    )
    line = text.splitlines()[-1]
    assert "OLD" in line and "NEW" in line and len(line) < 250 and "…" in line


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("snapshot", "ofac", "compare a snapshot with a snapshot"),
        ("ofac", "sdn.xml", "different OFAC lists \\(consolidated and sdn\\)"),
        ("empty", "ofac", "neither a snapshot folder"),
        ("absent", "ofac", "no such file or folder"),
        ("other.txt", "ofac", "not a snapshot folder, a folder of OFAC's CSV files"),
    ],
)
def test_sources_that_cannot_be_compared(tmp_path: Path, old: str, new: str, message: str) -> None:
    build_snapshot(OFAC_CSV, tmp_path / "snapshot", generated_at=WHEN)
    (tmp_path / "empty").mkdir()
    (tmp_path / "other.txt").write_text("x", encoding="utf-8")
    shutil.copy(FIXTURES / "ofac_xml" / "sdn_legacy_namespace.xml", tmp_path / "sdn.xml")
    paths = {"ofac": OFAC_CSV}
    with pytest.raises(UsageError, match=message):
        diff_sources(paths.get(old, tmp_path / old), paths.get(new, tmp_path / new))


# --------------------------------------------------------------------------------------------
# OFAC's real files: the March and December 2025 consolidated lists
# --------------------------------------------------------------------------------------------


def test_consolidated_march_against_december_2025() -> None:
    march = shared_path("data", "ofac", "consolidated_2025-03")
    december = shared_path("data", "ofac", "consolidated_2025-12")
    result = diff_sources(march, december)
    consolidated = result.lists["consolidated"]
    # Not a single change: OFAC delisted one person and revised 13 records in between.
    assert consolidated.added == ()
    assert [(e.entry_id, e.name) for e in consolidated.removed] == [("26182", "KAYAKIRAN, Evren")]
    changed = {c.entry_id: c for c in consolidated.changed}
    assert sorted(changed, key=int) == [
        "9659", "17022", "17248", "18267", "18269", "18271", "18274",
        "18276", "18282", "18284", "18290", "18292", "18782",
    ]  # fmt: skip
    renamed = [c for c in consolidated.changed if any(f.field == "name" for f in c.changes)]
    assert [(c.entry_id, c.changes[0].old, c.changes[0].new) for c in renamed] == [
        ("18284", "RN-KOMSOMOLSKY REFINERY LLC", "RN KOMSOMOLSKIY REFINERY LLC")
    ]
    russia = [
        c
        for c in consolidated.changed
        if any(
            f.field == "programs" and "RUSSIA-EO14024" in f.new and "RUSSIA-EO14024" not in f.old
            for f in c.changes
        )
    ]
    assert len(russia) == 11  # Rosneft, Lukoil and their subsidiaries (EO 14024, 2025)
    assert changed["18782"].changes == (
        FieldChange(
            field="programs",
            old=("SYRIA", "UKRAINE-EO13662", "IRAN-CON-ARMS-EO", "RUSSIA-EO14024"),
            new=("UKRAINE-EO13662", "IRAN-CON-ARMS-EO", "RUSSIA-EO14024"),
        ),
    )
    # No NS-CMIC record changed.
    assert not any(
        "CMIC-EO13959" in c.changes[0].old
        for c in consolidated.changed
        if c.changes[0].field == "programs"
    )
    text = format_diff(result)
    assert "consolidated: 0 added, 1 removed, 13 changed\n" in text
    assert "note: compared cons_prim.csv only" in text


def test_consolidated_primary_file_alone(tmp_path: Path) -> None:
    march = shared_path("data", "ofac", "consolidated_2025-03", "cons_prim.csv")
    december = shared_path("data", "ofac", "consolidated_2025-12")
    result = diff_sources(march, december)
    assert len(result.lists["consolidated"].changed) == 13
