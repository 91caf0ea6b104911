"""Tests of the DoD Section 1260H importer: a hand-written fixture, then the real transcription."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry
from portfolio_check.sources.dod_1260h import (
    DOD_1260H_ID,
    Dod1260hImport,
    import_dod_1260h,
    name_key,
    parse_dod_1260h,
    split_names,
)
from tests.paths import shared_path

FIXTURE = Path(__file__).parents[1] / "fixtures" / "dod_1260h" / "dod_1260h_sample.csv"
HEADER = "Name,Clean Name,Alias,Previous Name,Parent Name,Note,Start date,End date,Source Url\n"


def by_id(result: Dod1260hImport) -> dict[str, ListEntry]:
    return {entry.entry_id: entry for entry in result.entries}


@pytest.fixture(scope="module")
def sample() -> Dod1260hImport:
    return import_dod_1260h(FIXTURE)


@pytest.fixture(scope="module")
def real() -> Dod1260hImport:
    return import_dod_1260h(shared_path("data", "dod_1260h", "dod_1260h_sanctions.csv"))


# --------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Knownsec,Beijing Kownsec", ["Knownsec", "Beijing Kownsec"]),
        ("China Avionics Systems Co., Ltd.", ["China Avionics Systems Co., Ltd."]),
        (
            "Zhonghang Electronic Measuring Instruments Company Limited; ZEMIC",
            ["Zhonghang Electronic Measuring Instruments Company Limited", "ZEMIC"],
        ),
        (
            "Aviation Industry Corporation of China, Ltd.",
            ["Aviation Industry Corporation of China, Ltd."],
        ),
        ("", []),
        (" ; ", []),
    ],
)
def test_split_names(value: str, names: list[str]) -> None:
    assert split_names(value) == names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Addsino Co. Ltd.", "Addsino Co., Ltd."),
        ("China SpaceSat Co.", "China SpaceSat Co., Ltd."),
        (
            "AVIC Xi’an Aircraft Industry Group Company Ltd.",
            "AVIC Xi'an Aircraft Industry Group Company Ltd.",
        ),
        (
            "China Communications Construction Group Limited",
            "China Communications Construction Group (Limited)",
        ),
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("China Telecom Corporation Limited", "China Telecom Group Co., Ltd."),
        ("CNOOC Limited", "China National Offshore Oil Corporation"),
        (
            "China Communications Construction Company Limited",
            "China Communications Construction Group Limited",
        ),
    ],
)
def test_different_companies_do_not(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


# --------------------------------------------------------------------------------------------
# The hand-written fixture
# --------------------------------------------------------------------------------------------


def test_one_entry_per_entity(sample: Dod1260hImport) -> None:
    entries = by_id(sample)
    assert sorted(entries) == [
        "example-aerospace-group-corporation",
        "example-avionics-co-ltd",
        "example-bad-date-corporation",
        "example-construction-group-limited",
        "example-data-co-ltd",
        "example-digital-co-ltd",
        "example-holdings-co",
        "example-lidar-group",
        "example-memory-co-ltd",
        "example-photonics-co-ltd",
        "example-research-institute",
        "example-sensors-co-ltd",
        "example-shipping-co-ltd",
    ]
    assert all(e.list_id == DOD_1260H_ID and e.entity_type == "entity" for e in sample.entries)
    assert sample.files[0].records == 25


def test_an_entity_named_in_several_tranches(sample: Dod1260hImport) -> None:
    group = by_id(sample)["example-aerospace-group-corporation"]
    assert group.name == "Example Aerospace Group Corporation"
    assert group.strong_aliases == ("EAGC",)
    assert (group.listed_from, group.listed_until) == (dt.date(2021, 6, 3), None)
    assert group.remarks == "EAGC is directly owned by the state."


def test_parents_are_spelled_as_their_own_entry(sample: Dod1260hImport) -> None:
    entries = by_id(sample)
    avionics = entries["example-avionics-co-ltd"]
    assert avionics.name == "Example Avionics Co., Ltd."  # the 2026 spelling, not "Co. Ltd."
    assert avionics.linked_to == ("Example Aerospace Group Corporation",)
    assert entries["example-research-institute"].linked_to == avionics.linked_to


def test_a_renamed_entity_keeps_its_history(sample: Dod1260hImport) -> None:
    entries = by_id(sample)
    photonics = entries["example-photonics-co-ltd"]
    assert "example-optics-company-limited" not in entries
    assert photonics.strong_aliases == ("Optix", "Example Optix", "Example Optics Company Limited")
    assert (photonics.listed_from, photonics.listed_until) == (dt.date(2021, 6, 3), None)
    lidar = entries["example-lidar-group"]  # "(also known as ...)" in Name
    assert lidar.strong_aliases == ("Example Lidar Co., Ltd.", "Lidex")
    assert lidar.listed_from == dt.date(2024, 1, 31)
    assert lidar.remarks.splitlines() == [
        "[2024-01-31] Example Lidar Co. was previously identified and remains listed.",
        "[2026-06-08] Example Lidar Group is affiliated with the state.",
    ]
    digital = entries["example-digital-co-ltd"]  # its former name is on no row: not merged
    assert digital.strong_aliases == ("Example Dat Co., Ltd.",)
    assert entries["example-data-co-ltd"].listed_from == dt.date(2025, 1, 7)


def test_the_most_recent_row_decides_the_end(sample: Dod1260hImport) -> None:
    entries = by_id(sample)
    shipping = entries["example-shipping-co-ltd"]  # 2021 open, 2025 ended 2026-02-17
    assert (shipping.listed_from, shipping.listed_until) == (
        dt.date(2021, 6, 3),
        dt.date(2026, 2, 17),
    )
    memory = entries["example-memory-co-ltd"]  # ended 2026-02-17, named again 2026-06-08
    assert (memory.listed_from, memory.listed_until) == (dt.date(2024, 1, 31), None)
    holdings = entries["example-holdings-co"]
    assert (holdings.listed_from, holdings.listed_until) == (
        dt.date(2021, 6, 3),
        dt.date(2025, 1, 7),
    )
    sensors = entries["example-sensors-co-ltd"]  # last named 2024, open
    assert sensors.listed_until is None


def test_short_names_left_in_clean_names(sample: Dod1260hImport) -> None:
    entries = by_id(sample)
    assert entries["example-data-co-ltd"].name == "Example Data Co., Ltd."
    assert entries["example-data-co-ltd"].strong_aliases == ("EXD",)
    construction = entries["example-construction-group-limited"]
    assert construction.name == "Example Construction Group (Limited)"
    assert construction.strong_aliases == ("ECG",)


def test_warnings(sample: Dod1260hImport) -> None:
    found = {(w.record, w.field, w.value, w.problem.split(";")[0]) for w in sample.warnings}
    assert found == {
        ("line 4", "Alias", "Example Optix", "not in the Name column (a transcription typo?)"),
        ("line 10", "Start date", "31/01/2024", "not an ISO date"),
        ("line 11", "Clean Name", "", "row without a name"),
        ("line 17", "Alias", "Intitute 9", "not in the Name column (a transcription typo?)"),
        (
            "line 25",
            "Previous Name",
            "Example Dat Co., Ltd.",
            "a former or other name of this entity that no row of the list has",
        ),
        (
            "line 23",
            "End date",
            "2026-02-17",
            "off the list, then named again",
        ),
        (
            "line 9",
            "End date",
            "",
            "not named in the latest tranche, and no end date",
        ),
        (
            "line 18",
            "End date",
            "",
            "not named in the latest tranche, and no end date",
        ),
        (
            "line 19",
            "End date",
            "",
            "not named in the latest tranche, and no end date",
        ),
    }


def test_warning_texts_name_the_dates(sample: Dod1260hImport) -> None:
    texts = {w.record: w.problem for w in sample.warnings if w.field == "End date"}
    assert texts["line 9"] == (
        "not named in the latest tranche, and no end date; kept as still listed "
        "(last named 2024-01-31, latest tranche 2026-06-08)"
    )
    assert texts["line 23"] == (
        "off the list, then named again; listed_from/listed_until cannot show the gap "
        "from 2026-02-17 to 2026-06-08"
    )


def test_tranches(sample: Dod1260hImport) -> None:
    assert [(t.start.isoformat(), t.rows, t.entities_named) for t in sample.tranches] == [
        ("2021-06-03", 5, 5),
        ("2024-01-31", 3, 3),
        ("2025-01-07", 8, 8),
        ("2026-06-08", 7, 7),
    ]
    assert sample.tranches[2].source_urls == ("https://example.invalid/2025.pdf",)
    assert [(e.end.isoformat(), e.rows) for e in sample.end_dates] == [
        ("2025-01-07", 1),
        ("2026-02-17", 2),
    ]


def test_import_is_deterministic(sample: Dod1260hImport) -> None:
    assert parse_dod_1260h(FIXTURE.read_bytes(), file=FIXTURE.name) == sample


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"Name,Start date\nX,2021-06-03\n", "no column\\(s\\) Clean Name, End date"),
        (b"", "no column\\(s\\) Clean Name, Start date, End date \\(found: nothing\\)"),
        (HEADER.encode() + "Café,Café,,,,,2021-06-03,,\n".encode("cp1252"), "not UTF-8"),
    ],
)
def test_not_the_transcription(raw: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        parse_dod_1260h(raw, file="other.csv")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot be read"):
        import_dod_1260h(tmp_path / "absent.csv")


def test_a_bom_and_an_end_date_that_is_no_date() -> None:
    raw = ("\ufeff" + HEADER + "X Ltd,X Ltd,,,,,2021-06-03,soon,\n").encode()
    result = parse_dod_1260h(raw, file="bom.csv")
    (entry,) = result.entries
    assert (entry.name, entry.listed_until) == ("X Ltd", None)
    assert [(w.field, w.value) for w in result.warnings] == [("End date", "soon")]


# --------------------------------------------------------------------------------------------
# The real transcription
# --------------------------------------------------------------------------------------------


def test_real_counts(real: Dod1260hImport) -> None:
    assert real.files[0].records == 397
    assert len(real.entries) == 216
    assert [(t.start.isoformat(), t.rows) for t in real.tranches] == [
        ("2021-06-03", 47),
        ("2022-10-05", 13),
        ("2024-01-31", 16),
        ("2025-01-07", 133),
        ("2026-06-08", 188),
    ]
    assert [(e.end.isoformat(), e.rows) for e in real.end_dates] == [
        ("2024-01-31", 3),
        ("2025-01-07", 6),
        ("2026-02-17", 12),
    ]
    assert sum(e.listed_until is None for e in real.entries) == 197


def test_real_sensetime(real: Dod1260hImport) -> None:
    sensetime = by_id(real)["sensetime-group-inc"]
    assert sensetime.name == "SenseTime Group, Inc."
    assert sensetime.strong_aliases == ("SenseTime",)
    assert (sensetime.listed_from, sensetime.listed_until) == (dt.date(2025, 1, 7), None)
    assert sensetime.remarks.startswith("SenseTime is indirectly affiliated with SASAC")


def test_real_zemic_became_avic_chengdu(real: Dod1260hImport) -> None:
    entries = by_id(real)
    assert not any(e.name.startswith("Zhonghang") for e in real.entries)
    chengdu = entries["avic-chengdu-aircraft-co-ltd"]
    assert chengdu.strong_aliases == (
        "ZEMIC",
        "Zhonghang Electronic Measuring Instruments Company Limited",
    )
    assert chengdu.linked_to == ("Aviation Industry Corporation of China Ltd.",)
    assert (chengdu.listed_from, chengdu.listed_until) == (dt.date(2021, 6, 3), None)


def test_real_costar_is_no_longer_listed(real: Dod1260hImport) -> None:
    # The 2021 row is open, the 2025 row ends 2026-02-17, the 2026 tranche does not name it.
    costar = by_id(real)["costar-group-co-ltd"]
    assert (costar.listed_from, costar.listed_until) == (dt.date(2021, 6, 3), dt.date(2026, 2, 17))


def test_real_removed_entities(real: Dod1260hImport) -> None:
    entries = by_id(real)
    assert entries["beijing-megvii-technology-co-ltd"].listed_until == dt.date(2025, 1, 7)
    crcc = entries["china-railway-construction-corporation-limited"]
    assert (crcc.listed_from, crcc.listed_until) == (dt.date(2021, 6, 3), dt.date(2025, 1, 7))


def test_real_gaps_and_stale_rows_are_reported(real: Dod1260hImport) -> None:
    gaps = [w for w in real.warnings if w.problem.startswith("off the list, then named again")]
    assert {w.record for w in gaps} == {"line 252", "line 395"}  # CXMT, YMTC
    stale = [w for w in real.warnings if w.problem.startswith("not named in the latest tranche")]
    assert len(stale) == 9
    typos = {w.value for w in real.warnings if w.field == "Alias"}
    assert typos == {"Beijing Kownsec", "Inner Monoglia"}
