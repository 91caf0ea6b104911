"""Tests of the OFAC legacy CSV importer: hand-written fixtures first, then OFAC's real files."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio_check.errors import SourceFormatError
from portfolio_check.model import ListEntry, ParseWarning
from portfolio_check.sources.ofac_csv import (
    CMIC_PROGRAM,
    FileRole,
    OfacImport,
    decode_ofac_bytes,
    import_ofac_csv,
    normalise_ticker,
    parse_ofac_date,
    parse_ofac_files,
    parse_remarks,
    split_programs,
    split_remarks,
    warning_counts,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ofac"
SHARED = Path(__file__).parents[2].parent / "shared"
OFAC = SHARED / "data" / "ofac"
CONSOLIDATED = OFAC / "consolidated_2025-12"

needs_consolidated = pytest.mark.skipif(
    not (CONSOLIDATED / "cons_prim.csv").is_file(),
    reason=f"OFAC's consolidated files are not at {CONSOLIDATED}",
)


def by_id(result: OfacImport) -> dict[str, ListEntry]:
    return {entry.entry_id: entry for entry in result.entries}


def warnings_for(result: OfacImport, record: str) -> list[ParseWarning]:
    return [w for w in result.warnings if w.record == record]


@pytest.fixture(scope="module")
def fixture_cmic() -> OfacImport:
    return import_ofac_csv(FIXTURES, list_id="ns-cmic", programs=[CMIC_PROGRAM])


@pytest.fixture(scope="module")
def fixture_all() -> OfacImport:
    return import_ofac_csv(FIXTURES, list_id="sdn")


# --------------------------------------------------------------------------------------------
# Byte-level features
# --------------------------------------------------------------------------------------------


def test_fixture_files_have_ofacs_byte_format() -> None:
    raw = (FIXTURES / "cons_prim.csv").read_bytes()
    assert raw.endswith(b"\r\n\x1a")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b",-0- ," in raw
    assert not raw.lower().startswith(b"ent_num")


def test_decode_strips_the_eof_byte_and_prefers_utf8() -> None:
    decoded = decode_ofac_bytes('1,"Zürich"\r\n\x1a'.encode())
    assert (decoded.text, decoded.encoding, decoded.fallback_lines) == ('1,"Zürich"', "utf-8", {})


def test_decode_falls_back_to_cp1252_then_latin1() -> None:
    decoded = decode_ofac_bytes('1,"Genève"\r\n\x1a'.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == ('1,"Genève"', "cp1252")
    decoded = decode_ofac_bytes(b'1,"\x81"\r\n')  # 0x81 is undefined in cp1252
    assert (decoded.text, decoded.encoding) == ('1,"\x81"', "latin-1")


def test_decode_falls_back_line_by_line() -> None:
    raw = '1,"Zürich"\r\n'.encode() + '2,"Genève"\r\n'.encode("cp1252") + b"\x1a"
    decoded = decode_ofac_bytes(raw)
    assert decoded.text == '1,"Zürich"\r\n2,"Genève"'
    assert decoded.encoding == "utf-8+cp1252"
    assert decoded.fallback_lines == {2: "cp1252"}


def test_cp1252_file_is_read_and_flagged(fixture_all: OfacImport) -> None:
    assert by_id(fixture_all)["90003"].addresses == (
        "Rue de l'Exemple 9, Genève, Switzerland (près du lac)",
    )
    encoding_warnings = [w for w in fixture_all.warnings if w.field == "encoding"]
    assert [(w.file, w.record, w.value) for w in encoding_warnings] == [
        ("cons_add.csv", "line 3", "cp1252")
    ]
    info = {f.name: f.encoding for f in fixture_all.files}
    assert info["cons_add.csv"] == "cp1252"  # its other lines are plain ASCII


def test_nulls_with_trailing_space_are_none(fixture_all: OfacImport) -> None:
    entries = by_id(fixture_all)
    assert entries["90001"].entity_type == "entity"  # SDN_Type `-0- ` means an entity
    assert entries["90003"].entity_type == "individual"
    assert entries["90005"].entity_type == "vessel"
    assert entries["90002"].addresses == ()  # an all-null address row adds nothing


def test_file_info(fixture_all: OfacImport) -> None:
    info = {f.role: f for f in fixture_all.files}
    assert {role: f.records for role, f in info.items()} == {
        FileRole.PRIM: 5,
        FileRole.ALT: 4,
        FileRole.ADD: 3,
        FileRole.COMMENTS: 2,
    }
    assert info[FileRole.PRIM].name == "cons_prim.csv"
    assert re.fullmatch(r"[0-9a-f]{64}", info[FileRole.PRIM].sha256)


def test_multi_valued_programs() -> None:
    assert split_programs("SDGT] [NS-PLC") == ("SDGT", "NS-PLC")
    assert split_programs("[SDGT] [IRGC] [IFSR]") == ("SDGT", "IRGC", "IFSR")
    assert split_programs("CMIC-EO13959") == ("CMIC-EO13959",)
    assert split_programs(None) == ()


def test_program_filter(fixture_cmic: OfacImport, fixture_all: OfacImport) -> None:
    assert [e.entry_id for e in fixture_cmic.entries] == ["90001", "90002", "90004"]
    assert {e.list_id for e in fixture_cmic.entries} == {"ns-cmic"}
    assert len(fixture_all.entries) == 5
    assert by_id(fixture_all)["90003"].programs == ("SDGT", "NS-PLC")


def test_a_header_row_is_tolerated() -> None:
    prim = b"ent_num,SDN_Name,SDN_Type,Program,a,b,c,d,e,f,g,Remarks\r\n"
    prim += b'1,"X",-0- ,"P",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
    result = parse_ofac_files({FileRole.PRIM: ("p.csv", prim)}, list_id="x")
    assert [e.entry_id for e in result.entries] == ["1"]
    assert result.entries[0].remarks == ""


def test_a_malformed_row_is_a_warning_not_a_crash() -> None:
    good = b'1,"X",-0- ,"P",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1970."\r\n'
    good += b'2,"Y",-0- ,"P",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    bad = b'3,"Z",-0- \r\n'
    result = parse_ofac_files({FileRole.PRIM: ("p.csv", good + bad)}, list_id="x")
    assert [e.entry_id for e in result.entries] == ["1", "2"]
    assert [w.record for w in result.warnings] == ["line 3"]


def test_the_wrong_file_is_a_source_format_error() -> None:
    alt = (FIXTURES / "cons_alt.csv").read_bytes()
    with pytest.raises(SourceFormatError, match="12 columns"):
        parse_ofac_files({FileRole.PRIM: ("cons_alt.csv", alt)}, list_id="x")
    with pytest.raises(SourceFormatError, match="primary file"):
        parse_ofac_files({FileRole.ALT: ("cons_alt.csv", alt)}, list_id="x")
    with pytest.raises(SourceFormatError, match=r"no cons_prim\.csv"):
        import_ofac_csv(FIXTURES.parent, list_id="x")


# --------------------------------------------------------------------------------------------
# Remarks: continuation, aliases, identifiers, dates
# --------------------------------------------------------------------------------------------


def test_remarks_continue_in_the_comments_file_verbatim(fixture_cmic: OfacImport) -> None:
    prim = (FIXTURES / "cons_prim.csv").read_bytes().decode()
    cut = next(line for line in prim.split("\r\n") if line.startswith("90002,"))
    assert len(cut.split(',"')[-1].rstrip('"')) == 1000
    entry = by_id(fixture_cmic)["90002"]
    assert len(entry.remarks) > 1000
    assert entry.remarks.endswith("a.k.a. 'ELRH'; a.k.a. 'LONG REMARKS'.")  # no space at the cut
    assert entry.weak_aliases == ("ELRH", "LONG REMARKS")
    assert entry.uscc == ("914403008888888886",)
    assert len(entry.isins) == 16


def test_orphan_comment_row_is_a_warning(fixture_all: OfacImport) -> None:
    (warning,) = warnings_for(fixture_all, "99999")
    assert warning.file == "cons_comments.csv"
    assert "no record with this ent_num" in warning.problem


def test_strong_and_weak_aliases(fixture_cmic: OfacImport) -> None:
    entry = by_id(fixture_cmic)["90001"]
    assert entry.strong_aliases == ("EXAMPLE AEROSPACE GROUP LTD", "EXAMPLE AVIATION CORPORATION")
    assert entry.weak_aliases == ("EAG", "EX-AERO")
    assert by_id(fixture_cmic)["90002"].strong_aliases == (
        "EXAMPLE LONG REMARKS HOLDINGS CO., LTD.",
    )


def test_weak_aliases_in_one_item_sequence() -> None:
    fields, warnings = parse_remarks(
        "a.k.a. 'SMIC'; a.k.a. 'D'S SUPERMARKET'; f.k.a. 'OLD, NAME'.", file="f", record="1"
    )
    assert fields.weak_aliases == ["SMIC", "D'S SUPERMARKET", "OLD, NAME"]
    assert warnings == []


def test_values_with_commas_and_periods(fixture_cmic: OfacImport) -> None:
    entry = by_id(fixture_cmic)["90001"]
    assert entry.issuer_names == ("Example Aerospace Group Co., Ltd.", "Example Aero Grp, Inc.")
    assert entry.linked_to == ("EXAMPLE AEROSPACE HOLDING CO., LTD.",)
    assert entry.target_types == ("Public Company",)
    assert entry.uscc == ("911100009999999995",)


@pytest.mark.parametrize(
    ("remarks", "last"),
    [
        ("Linked To: CHINA MOBILE COMMUNICATIONS GROUP CO., LTD.", "CO., LTD."),
        ("Linked To: CHINA TELECOMMUNICATIONS CORPORATION.", "CORPORATION"),
        ("Linked To: EXAMPLE SHIPPING S.A.", "S.A."),
        ("DOB 1962; a.k.a. 'CCCC'.", "'CCCC'"),
        ("Listing Date (CMIC) 16 Dec 2021.", "2021"),
        ("Issuer Name China Telecom Corporation Limited.Co.Ltd; Target Type X.", "X"),
    ],
)
def test_the_records_full_stop(remarks: str, last: str) -> None:
    assert split_remarks(remarks)[-1].endswith(last)
    assert not split_remarks(remarks)[-1].endswith(last + ".")


def test_a_bare_semicolon_stays_inside_a_value() -> None:
    assert split_remarks("Website a;b; ISIN X.") == ["Website a;b", "ISIN X"]


def test_each_cmic_date_label(fixture_cmic: OfacImport) -> None:
    entry = by_id(fixture_cmic)["90001"]
    assert entry.listing_date == dt.date(2021, 6, 3)
    assert entry.effective_date == dt.date(2021, 8, 2)
    assert entry.divestment_date == dt.date(2022, 6, 3)


def test_unparseable_date_is_a_warning(fixture_cmic: OfacImport) -> None:
    entry = by_id(fixture_cmic)["90004"]
    assert entry.divestment_date is None
    assert entry.listing_date == dt.date(2021, 12, 16)
    (warning,) = [w for w in warnings_for(fixture_cmic, "90004") if "Date" in w.field]
    assert warning.field == "remarks: Purchase/Sales For Divestment Date (CMIC)"
    assert warning.value == "31 Foo 2022"


def test_the_wrong_divestment_label_is_not_read_but_flagged() -> None:
    fields, warnings = parse_remarks(
        "Purchase/Sales For Divestiture Date (CMIC) 03 Jun 2022.", file="f", record="1"
    )
    assert fields.divestment_date is None
    assert [w.problem for w in warnings] == [
        "a CMIC item with a label this importer does not know; ignored"
    ]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("03 Jun 2021", dt.date(2021, 6, 3)),
        ("3 jun 2021", dt.date(2021, 6, 3)),
        ("31 Feb 2022", None),
        ("2021-06-03", None),
        ("03 June 2021", None),
    ],
)
def test_parse_ofac_date(text: str, date: dt.date | None) -> None:
    assert parse_ofac_date(text) == date


# --------------------------------------------------------------------------------------------
# Tickers and ISINs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "ticker", "flawed"),
    [
        ("941 HK", "941 HK", False),
        ("601698  CN", "601698 CN", True),
        ("603019CN", "603019 CN", True),
        ("ROSB", "ROSB", True),
        (" CHL US ", "CHL US", False),
    ],
)
def test_normalise_ticker(published: str, ticker: str, flawed: bool) -> None:
    normalised, flaw = normalise_ticker(published)
    assert normalised == ticker
    assert (flaw is not None) == flawed


def test_ticker_warnings(fixture_cmic: OfacImport) -> None:
    assert by_id(fixture_cmic)["90001"].tickers == ("EXA US", "1234 HK", "600123 CN")
    ticker_warnings = {
        w.value: w.problem for w in fixture_cmic.warnings if w.field == "remarks: Equity Ticker"
    }
    assert ticker_warnings == {
        "1234  HK": "more than one space inside the ticker; read as '1234 HK'",
        "600123CN": "no space before the exchange code; read as '600123 CN'",
    }


def test_invalid_and_duplicate_isins(fixture_cmic: OfacImport) -> None:
    entries = by_id(fixture_cmic)
    assert entries["90001"].isins == ("US99999Z1000", "HK9999000001")
    assert entries["90004"].isins == ("US99999Z1000",)  # kept on both entries
    isin_warnings = sorted(
        (w.record, w.value, w.problem.split(";")[0])
        for w in fixture_cmic.warnings
        if w.field == "remarks: ISIN"
    )
    assert isin_warnings == [
        ("90001", "CND99999X001", "not a valid ISIN (format or check digit)"),
        ("90001", "HK9999000001", "published twice in this record"),
        ("90004", "US99999Z1000", "also published for ent_num 90001"),
    ]


def test_warnings_concern_only_selected_records(fixture_cmic: OfacImport) -> None:
    assert not warnings_for(fixture_cmic, "90003")


def test_invalid_uscc_is_dropped_with_a_warning() -> None:
    fields, warnings = parse_remarks(
        "Unified Social Credit Code (USCC) 911100009999999990 (China).", file="f", record="1"
    )
    assert fields.uscc == []
    assert [w.field for w in warnings] == ["remarks: USCC"]


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

_remark_text = st.text(alphabet="ab.;' ,:()\t", max_size=60)


@settings(database=None, max_examples=300)
@given(_remark_text)
def test_split_remarks_keeps_every_non_separator_character(text: str) -> None:
    expected = re.sub(r"\s", "", re.sub(r";(?=\s)", "", text))
    got = re.sub(r"\s", "", "".join(split_remarks(text)))
    assert got in (expected, expected.removesuffix("."))
    assert all(item == item.strip() and item for item in split_remarks(text))


@settings(database=None, max_examples=300)
@given(st.text(alphabet="ABC0123 \t", max_size=12))
def test_normalise_ticker_is_idempotent(text: str) -> None:
    once, _ = normalise_ticker(text)
    twice, flaw = normalise_ticker(once)
    assert twice == once
    assert "  " not in once
    assert flaw is None or flaw == "no exchange code"


# --------------------------------------------------------------------------------------------
# OFAC's real files (../shared)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_cmic() -> OfacImport:
    if not (CONSOLIDATED / "cons_prim.csv").is_file():
        pytest.skip(f"OFAC's consolidated files are not at {CONSOLIDATED}")
    return import_ofac_csv(CONSOLIDATED, list_id="ns-cmic", programs=[CMIC_PROGRAM])


@needs_consolidated
def test_real_counts(real_cmic: OfacImport) -> None:
    assert len(real_cmic.entries) == 68
    assert sum(len(e.strong_aliases) for e in real_cmic.entries) == 110
    assert sum(len(e.weak_aliases) for e in real_cmic.entries) == 27
    assert sum(1 for e in real_cmic.entries if not e.isins and not e.tickers) == 15
    assert {f.name: f.records for f in real_cmic.files} == {
        "cons_prim.csv": 442,
        "cons_alt.csv": 1073,
        "cons_add.csv": 574,
        "cons_comments.csv": 10,
    }


@needs_consolidated
def test_real_listing_dates(real_cmic: OfacImport) -> None:
    listed = Counter(e.listing_date for e in real_cmic.entries)
    assert listed == {dt.date(2021, 6, 3): 59, dt.date(2021, 12, 10): 1, dt.date(2021, 12, 16): 8}
    for entry in real_cmic.entries:
        if entry.listing_date == dt.date(2021, 6, 3):
            assert entry.effective_date == dt.date(2021, 8, 2)
            assert entry.divestment_date == dt.date(2022, 6, 3)


@needs_consolidated
def test_real_sensetime(real_cmic: OfacImport) -> None:
    entry = by_id(real_cmic)["33114"]
    assert entry.name == "SENSETIME GROUP LIMITED"
    assert entry.strong_aliases == ("SENSETIME GROUP LTD",)
    assert entry.tickers == () and entry.isins == ()
    assert entry.listing_date == dt.date(2021, 12, 10)
    assert entry.effective_date == dt.date(2022, 2, 8)
    assert entry.divestment_date == dt.date(2022, 12, 10)
    assert entry.list_id == "ns-cmic"
    assert entry.programs == (CMIC_PROGRAM,)


@needs_consolidated
def test_real_cccc_remarks_continue_in_comments(real_cmic: OfacImport) -> None:
    entry = by_id(real_cmic)["30930"]
    assert entry.weak_aliases == ("CCCC",)
    assert entry.uscc == ("91110000710934369E",)
    assert "91110000710934369E (China); a.k.a. 'CCCC'." in entry.remarks
    assert "CND10002G601" not in entry.isins


@needs_consolidated
def test_real_china_mobile(real_cmic: OfacImport) -> None:
    entry = by_id(real_cmic)["30923"]
    assert "941 HK" in entry.tickers
    assert {"US16941M1099", "HK0941009539"} <= set(entry.isins)
    assert entry.linked_to == ("CHINA MOBILE COMMUNICATIONS GROUP CO., LTD.",)


@needs_consolidated
def test_real_warnings(real_cmic: OfacImport) -> None:
    assert warning_counts(real_cmic.warnings) == {
        "remarks: Equity Ticker: more than one space inside the ticker": 11,
        "remarks: Equity Ticker: no space before the exchange code": 1,
        "remarks: ISIN: not a valid ISIN (format or check digit)": 3,
        "remarks: ISIN: published twice in this record": 2,
    }
    invalid = {w.value for w in real_cmic.warnings if "not a valid ISIN" in w.problem}
    assert invalid == {"BRC1EODR004", "CND10002K094", "CND10002G601"}
    assert "601698 CN" in by_id(real_cmic)["32069"].tickers
    assert "603019 CN" in by_id(real_cmic)["33113"].tickers


@pytest.mark.skipif(
    not (OFAC / "sdn_fixture_2025-05" / "sdn.csv").is_file(), reason="no SDN excerpt in ../shared"
)
def test_real_sdn_excerpt_all_four_files() -> None:
    result = import_ofac_csv(OFAC / "sdn_fixture_2025-05", list_id="sdn")
    assert {f.name for f in result.files} == {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"}
    entries = by_id(result)
    assert len(entries) == 17
    assert {e.list_id for e in result.entries} == {"sdn"}
    assert entries["11195"].programs == ("NPWMD", "IFSR", "IRAN-CON-ARMS-EO")
    assert "SHAHIN CO." in entries["11195"].weak_aliases
    assert {e.entity_type for e in result.entries} >= {"individual", "entity", "vessel"}


@pytest.mark.skipif(
    not (OFAC / "sdn_2024-05" / "sdn.csv").is_file(), reason="no SDN 2024-05 file in ../shared"
)
def test_real_sdn_primary_file_alone() -> None:
    result = import_ofac_csv(
        {FileRole.PRIM: OFAC / "sdn_2024-05" / "sdn.csv"}, list_id="sdn", programs=None
    )
    assert len(result.entries) == 14965
    assert result.files[0].records == 14965
    assert Counter(e.entity_type for e in result.entries)["vessel"] > 0
    assert not any(CMIC_PROGRAM in e.programs for e in result.entries)
