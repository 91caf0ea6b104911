"""Tests of the OFAC legacy XML importer: both namespaces, the same entries as the CSV importer
for the same facts, and refusal of XML bombs and external entities."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry
from portfolio_check.sources.ofac_csv import CMIC_PROGRAM, OfacImport, import_ofac_csv
from portfolio_check.sources.ofac_xml import (
    NAMESPACE_2024,
    NAMESPACE_LEGACY,
    import_ofac_xml,
    parse_ofac_xml,
)
from tests.paths import shared_path

FIXTURES = Path(__file__).parents[1] / "fixtures"
XML = FIXTURES / "ofac_xml"
CONSOLIDATED_XML = XML / "consolidated.xml"
LEGACY_XML = XML / "sdn_legacy_namespace.xml"
CSV_FIXTURES = FIXTURES / "ofac"


def by_id(result: OfacImport) -> dict[str, ListEntry]:
    return {entry.entry_id: entry for entry in result.entries}


@pytest.fixture(scope="module")
def consolidated() -> OfacImport:
    return import_ofac_xml(CONSOLIDATED_XML, list_id="sdn")


@pytest.fixture(scope="module")
def legacy() -> OfacImport:
    return import_ofac_xml(LEGACY_XML, list_id="sdn")


def without(entry: ListEntry, *fields: str) -> dict[str, object]:
    return entry.model_dump(exclude={"list_id", *fields})


# --------------------------------------------------------------------------------------------
# The 2024 namespace
# --------------------------------------------------------------------------------------------


def test_new_namespace_file(consolidated: OfacImport) -> None:
    assert CONSOLIDATED_XML.read_bytes().count(NAMESPACE_2024.encode()) == 1
    assert consolidated.published == dt.date(2025, 12, 18)
    (info,) = consolidated.files
    assert (info.name, info.records, info.encoding) == ("consolidated.xml", 4, "utf-8")
    entries = by_id(consolidated)
    assert list(entries) == ["33114", "90001", "90003", "90005"]
    sensetime = entries["33114"]
    assert sensetime.name == "SENSETIME GROUP LIMITED"
    assert sensetime.entity_type == "entity"
    assert sensetime.strong_aliases == ("SENSETIME GROUP LTD",)
    assert (sensetime.isins, sensetime.tickers) == ((), ())
    assert (sensetime.listing_date, sensetime.effective_date, sensetime.divestment_date) == (
        dt.date(2021, 12, 10),
        dt.date(2022, 2, 8),
        dt.date(2022, 12, 10),
    )
    # <region>, absent from the 2018 schema, is ignored; the address reads as the CSV's.
    assert sensetime.addresses == (
        "Block 1, 1F & 2F Harbour View, 12 Science Park, West Avenue, "
        "Hong Kong New Territories, Hong Kong SAR, China",
    )


def test_ids_and_akas(consolidated: OfacImport) -> None:
    entry = by_id(consolidated)["90001"]
    assert entry.tickers == ("EXA US", "1234 HK", "600123 CN")
    assert entry.isins == ("US99999Z1000", "HK9999000001")
    assert entry.issuer_names == ("Example Aerospace Group Co., Ltd.", "Example Aero Grp, Inc.")
    assert entry.linked_to == ("EXAMPLE AEROSPACE HOLDING CO., LTD.",)
    assert entry.strong_aliases == ("EXAMPLE AEROSPACE GROUP LTD", "EXAMPLE AVIATION CORPORATION")
    assert entry.weak_aliases == ("EAG", "EX-AERO")
    assert entry.uscc == ("911100009999999995",)
    assert entry.target_types == ("Public Company",)
    problems = {(w.field, w.value) for w in consolidated.warnings if w.record == "90001"}
    assert problems == {
        ("idList: Equity Ticker", "1234  HK"),
        ("idList: Equity Ticker", "600123CN"),
        ("idList: ISIN", "CND99999X001"),
        ("idList: ISIN", "HK9999000001"),
    }


def test_individual_and_vessel(consolidated: OfacImport) -> None:
    entries = by_id(consolidated)
    person = entries["90003"]
    assert (person.name, person.entity_type) == ("EXAMPLE, Person Made Up", "individual")
    assert person.programs == ("SDGT", "NS-PLC")
    assert (person.strong_aliases, person.weak_aliases) == (("EXAMPLE, Made",), ("THE EXAMPLE",))
    vessel = entries["90005"]
    assert (vessel.entity_type, vessel.linked_to) == ("vessel", ("EXAMPLE SHIPPING S.A.",))


def test_program_selection() -> None:
    result = import_ofac_xml(CONSOLIDATED_XML, list_id="ns-cmic", programs=[CMIC_PROGRAM])
    assert [e.entry_id for e in result.entries] == ["33114", "90001"]
    assert {e.list_id for e in result.entries} == {"ns-cmic"}
    assert result.programs == (CMIC_PROGRAM,)
    assert result.files[0].records == 4


# --------------------------------------------------------------------------------------------
# The legacy namespace, and namespace-agnostic parsing
# --------------------------------------------------------------------------------------------


def test_legacy_namespace_file(legacy: OfacImport) -> None:
    assert NAMESPACE_LEGACY.encode() in LEGACY_XML.read_bytes()
    assert legacy.published == dt.date(2024, 5, 3)
    entries = by_id(legacy)
    assert list(entries) == ["91001", "91002", "91003"]
    company = entries["91001"]
    assert company.programs == ("SDGT", "IRGC")
    assert company.strong_aliases == ("EXAMPLE TRADING HOUSE", "ETH DUBAI")
    assert company.weak_aliases == ("ETH",)
    assert company.linked_to == ("EXAMPLE, Person Made Up",)
    assert company.remarks == "Made-up record for tests."
    assert company.addresses == ("Office 1, Example Tower, Dubai 00000, United Arab Emirates",)
    assert company.listing_date is None
    assert entries["91002"].name == "PERSON, Made Up"
    assert entries["91003"].entity_type == "vessel"


def test_legacy_file_warnings(legacy: OfacImport) -> None:
    problems = {(w.record, w.field, w.value, w.problem) for w in legacy.warnings}
    assert problems == {
        ("91001", "akaList: category", "medium", "not strong/weak; alias kept as strong"),
        ("sdnEntry #4", "uid", "", "no whole-number uid; entry skipped"),
        (
            "91001",
            "idList: Listing Date (CMIC)",
            "2021-06-03",
            "not a date of the form '03 Jun 2021'; ignored",
        ),
    }


@pytest.mark.parametrize(
    "namespace_attribute",
    [f'xmlns="{NAMESPACE_LEGACY}"', 'xmlns="http://tempuri.org/consolidated.xsd"', ""],
    ids=["sdnList.xsd", "consolidated.xsd", "none"],
)
def test_the_namespace_does_not_matter(consolidated: OfacImport, namespace_attribute: str) -> None:
    raw = CONSOLIDATED_XML.read_bytes().replace(
        f'xmlns="{NAMESPACE_2024}"'.encode(), namespace_attribute.encode()
    )
    result = parse_ofac_xml(raw, file="consolidated.xml", list_id="sdn")
    assert result.entries == consolidated.entries
    assert result.warnings == consolidated.warnings
    assert result.published == consolidated.published


def test_a_prefixed_namespace_is_read_too() -> None:
    raw = (
        b'<o:sdnList xmlns:o="urn:example"><o:sdnEntry><o:uid>5</o:uid>'
        b"<o:lastName>PREFIXED LTD</o:lastName><o:sdnType>Entity</o:sdnType>"
        b"<o:programList><o:program>SDGT</o:program></o:programList></o:sdnEntry></o:sdnList>"
    )
    (entry,) = parse_ofac_xml(raw, file="p.xml", list_id="sdn").entries
    assert (entry.entry_id, entry.name, entry.programs) == ("5", "PREFIXED LTD", ("SDGT",))


# --------------------------------------------------------------------------------------------
# The same facts give the same entry as the CSV importer
# --------------------------------------------------------------------------------------------


def test_xml_and_csv_give_the_same_entries(consolidated: OfacImport) -> None:
    xml = by_id(consolidated)
    csv = by_id(import_ofac_csv(CSV_FIXTURES, list_id="sdn"))
    # ``remarks``: the CSV spells out ids and weak akas there; the XML has them as elements.
    assert without(xml["90001"], "remarks") == without(csv["90001"], "remarks")
    assert without(xml["90005"], "remarks") == without(csv["90005"], "remarks")
    # The schema's <address> has no remarks element; the CSV's add_remarks has "près du lac".
    assert without(xml["90003"], "remarks", "addresses") == without(
        csv["90003"], "remarks", "addresses"
    )
    assert csv["90003"].addresses[0].startswith(xml["90003"].addresses[0])


def test_xml_and_csv_report_the_same_flaws(consolidated: OfacImport) -> None:
    csv = import_ofac_csv(CSV_FIXTURES, list_id="sdn")
    from_csv = {
        (w.field.removeprefix("remarks: "), w.value, w.problem)
        for w in csv.warnings
        if w.record == "90001"
    }
    from_xml = {
        (w.field.removeprefix("idList: "), w.value, w.problem)
        for w in consolidated.warnings
        if w.record == "90001"
    }
    assert from_xml == from_csv


def test_sensetime_xml_equals_ofacs_real_csv(consolidated: OfacImport) -> None:
    folder = shared_path("data", "ofac", "consolidated_2025-12")
    csv = by_id(import_ofac_csv(folder, list_id="sdn", programs=[CMIC_PROGRAM]))
    xml = by_id(consolidated)
    assert without(xml["33114"], "remarks") == without(csv["33114"], "remarks")
    assert xml["33114"].remarks == ""
    assert "C.R. No. 2162198 (Hong Kong)" in csv["33114"].remarks


# --------------------------------------------------------------------------------------------
# Hostile and malformed files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_xml_bombs_and_external_entities_are_refused(name: str) -> None:
    # refused on the DTD itself, before any entity is expanded
    with pytest.raises(SourceFormatError, match=rf"^{name}: refused: the XML declares a DTD"):
        import_ofac_xml(XML / name, list_id="sdn")


def test_an_internal_subset_without_entities_is_refused_too() -> None:
    raw = b'<?xml version="1.0"?><!DOCTYPE sdnList []><sdnList/>'
    with pytest.raises(SourceFormatError, match="DTD"):
        parse_ofac_xml(raw, file="doctype.xml", list_id="sdn")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<sdnList><sdnEntry>", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (b'<ENTITIES xmlns="urn:x"/>', "root element is 'ENTITIES', not OFAC's 'sdnList'"),
        (b"uid,name\n1,X\n", "not well-formed XML"),
    ],
)
def test_not_an_ofac_xml_file(raw: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        parse_ofac_xml(raw, file="bad.xml", list_id="sdn")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot be read"):
        import_ofac_xml(tmp_path / "sdn.xml", list_id="sdn")


def test_record_count_and_publish_date_flaws() -> None:
    raw = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?><sdnList><publshInformation>'
        b"<Publish_Date>2024-05-07</Publish_Date><Record_Count>3</Record_Count>"
        b"</publshInformation><sdnEntry><uid>7</uid><sdnType>Entity</sdnType>"
        b"<programList/></sdnEntry></sdnList>"
    )
    result = parse_ofac_xml(raw, file="odd.xml", list_id="sdn")
    assert result.published is None
    assert result.files[0].encoding == "iso-8859-1"
    (entry,) = result.entries
    assert (entry.name, entry.programs) == ("7", ())
    assert {(w.field, w.value) for w in result.warnings} == {
        ("Publish_Date", "2024-05-07"),
        ("Record_Count", "3"),
        ("lastName", ""),
    }
