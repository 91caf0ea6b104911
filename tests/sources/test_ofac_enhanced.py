"""OFAC's enhanced XML: the same entries as the legacy formats, plus dates and other scripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry
from portfolio_check.pipeline import check_security
from portfolio_check.refdata import load_reference
from portfolio_check.sources.ofac_csv import CMIC_PROGRAM, import_ofac_csv
from portfolio_check.sources.ofac_enhanced import import_ofac_enhanced, parse_ofac_enhanced
from portfolio_check.sources.ofac_xml import import_ofac_xml
from portfolio_check.sources.snapshot import build_snapshot
from tests.ofac_fixtures import Entity, enhanced_xml
from tests.paths import shared_path

CMIC = Entity(
    uid="90001",
    name="EXAMPLE VISION GROUP LIMITED",
    lists=(("Non-SDN CMIC List", "2021-12-10"), ("Consolidated List", "2021-12-10")),
    programs=(CMIC_PROGRAM,),
    aliases=("EXAMPLE VISION GROUP LTD",),
    weak_aliases=("EXVIS",),
    other_scripts=(("Chinese Traditional", "範例視覺集團有限公司"),),
    features=(
        ("Equity Ticker", "9999 HK"),
        ("ISIN", "KYG8062L1041"),
        ("ISIN", "BADISIN"),
        ("Listing Date (CMIC)", "10 Dec 2021"),
        ("Effective Date (CMIC)", "08 Feb 2022"),
        ("Purchase/Sales For Divestment Date (CMIC)", "10 Dec 2022"),
    ),
    related=("EXAMPLE PARENT CO.",),
)
LATE_SDN = Entity(
    uid="90002",
    name="LATE LISTED TRADING CO",
    lists=(("SDN List", "2024-01-05"),),
    features=(("ISIN", "XS000000LT19"),),
)
PERSON = Entity(uid="90003", name="DOE", entity_type="Individual")


def parse(*entities: Entity, programs: list[str] | None = None) -> dict[str, ListEntry]:
    result = parse_ofac_enhanced(
        enhanced_xml(entities), file="SDN_ENHANCED.XML", list_id="x", programs=programs
    )
    assert result.published == dt.date(2025, 1, 10)
    return {e.entry_id: e for e in result.entries}


def test_an_entity_is_read_with_its_dates_and_names() -> None:
    result = parse_ofac_enhanced(
        enhanced_xml([CMIC]), file="CONS_ENHANCED.XML", list_id="ns-cmic", programs=[CMIC_PROGRAM]
    )
    (entry,) = result.entries
    assert entry.name == "EXAMPLE VISION GROUP LIMITED"
    # Latin aliases first, then OFAC's names in other scripts: strong aliases from OFAC.
    assert entry.strong_aliases == ("EXAMPLE VISION GROUP LTD", "範例視覺集團有限公司")
    assert entry.weak_aliases == ("EXVIS",)
    assert entry.tickers == ("9999 HK",) and entry.isins == ("KYG8062L1041",)
    assert (entry.listing_date, entry.effective_date, entry.divestment_date) == (
        dt.date(2021, 12, 10),
        dt.date(2022, 2, 8),
        dt.date(2022, 12, 10),
    )
    # The umbrella "Consolidated List" says nothing of its own: the CMIC list's date counts.
    assert entry.listed_from == dt.date(2021, 12, 10)
    assert entry.linked_to == ("EXAMPLE PARENT CO.",)
    assert [(w.field, w.value) for w in result.warnings] == [("idList: ISIN", "BADISIN")]


def test_types_and_programs() -> None:
    entries = parse(CMIC, LATE_SDN, PERSON)
    assert entries["90003"].entity_type == "individual"
    assert entries["90002"].entity_type == "entity"
    assert entries["90002"].listed_from == dt.date(2024, 1, 5)
    assert set(parse(CMIC, LATE_SDN, programs=[CMIC_PROGRAM])) == {"90001"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<sdnList/>", "not OFAC's enhanced 'sanctionsData'"),
        (b"<sanctionsData", "not well-formed"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><sanctionsData/>', "declares a DTD"),
    ],
)
def test_not_an_enhanced_file(raw: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        parse_ofac_enhanced(raw, file="CONS_ENHANCED.XML", list_id="x")


def test_an_sdn_entity_published_after_the_as_of_date_does_not_apply(tmp_path: Path) -> None:
    source = tmp_path / "SDN_ENHANCED.XML"
    source.write_bytes(enhanced_xml([LATE_SDN]))
    out = tmp_path / "snapshot"
    build_snapshot(None, out, sdn_dir=source)
    reference = load_reference(out)
    before = check_security("XS000000LT19", as_of="2023-06-01", reference=reference, lists=["sdn"])
    after = check_security("XS000000LT19", as_of="2024-06-01", reference=reference, lists=["sdn"])
    assert before.status.value == "CLEAR", before.verdict.reason
    assert "not yet on the list on 2023-06-01 (on it from 2024-01-05)" in before.verdict.reason
    assert after.status.value == "BLOCKED"
    assert "since 2024-01-05 (OFAC's publication date)" in after.verdict.reason


def _screening_fields(entry: ListEntry) -> dict[str, object]:
    """What every format gives alike: the remarks differ by nature (the CSV spells ids out
    there), the enhanced XML adds dates and names in other scripts; ids' order may differ."""
    data = entry.model_dump(exclude={"remarks", "listed_from", "strong_aliases", "list_id"})
    data["isins"] = sorted(entry.isins)
    data["strong_aliases"] = [a for a in entry.strong_aliases if a.isascii()]
    return data


def test_csv_legacy_xml_and_enhanced_xml_give_the_same_entries() -> None:
    ofac = shared_path("data", "ofac")
    imports = {
        "csv 2025-12": import_ofac_csv(
            ofac / "consolidated_2025-12", list_id="c", programs=[CMIC_PROGRAM]
        ),
        "xml 2024-05": import_ofac_xml(
            ofac / "consolidated_xml_2024-05" / "consolidated.xml",
            list_id="c",
            programs=[CMIC_PROGRAM],
        ),
        "xml 2025-06": import_ofac_xml(
            ofac / "consolidated_xml_2025-06" / "consolidated.xml",
            list_id="c",
            programs=[CMIC_PROGRAM],
        ),
        "enhanced 2025-01": import_ofac_enhanced(
            ofac / "enhanced_2025-01" / "CONS_ENHANCED.XML", list_id="c", programs=[CMIC_PROGRAM]
        ),
    }
    entries = {
        label: {e.entry_id: _screening_fields(e) for e in result.entries}
        for label, result in imports.items()
    }
    reference = entries["csv 2025-12"]
    assert len(reference) == 68
    for label, found in entries.items():
        assert found == reference, label
    assert imports["xml 2024-05"].published == dt.date(2024, 5, 6)
    assert imports["xml 2025-06"].published == dt.date(2025, 6, 30)
    assert imports["enhanced 2025-01"].published == dt.date(2025, 1, 10)
    sensetime = {e.entry_id: e for e in imports["enhanced 2025-01"].entries}["33114"]
    assert "商湯集團有限公司" in sensetime.strong_aliases
    assert sensetime.listed_from == dt.date(2021, 12, 10)
