"""compare_names and the name index: the traps of investment-bans.md section 4, and properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio_check import Status, check_security
from portfolio_check.match import NAME_MATCH_THRESHOLD, compare_names
from portfolio_check.names import WordKind, normalize_name, parse_name, word_kind

AS_OF = "2022-03-01"


# Section 4, names: legal forms (English, Chinese glued or spaced), share-line words,
# traditional vs simplified characters, full-width: the same name.
@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("SENSETIME GROUP LIMITED", "SenseTime Group Inc."),
        ("商湯集團股份有限公司", "商汤集团股份有限公司"),
        ("商汤集团 股份有限公司", "商汤集团股份有限公司"),
        ("ＳｅｎｓｅＴｉｍｅ Ｇｒｏｕｐ Ｉｎｃ．", "SENSETIME GROUP LTD"),
        ("ZTE CORP-H", "ZTE Corporation"),
        ("CHINA TELECOM CORP LTD-H SHS", "China Telecom Corporation Limited"),
        ("SENSETIME GROUP INC-CL B", "SenseTime Group Inc."),
        ("CHINA MOBILE LTD-SPON ADR", "China Mobile Limited"),
        ("CHINA MOBILE LTD COMMON STOCK HKD 0", "CHINA MOBILE LTD"),
        ("SEMICONDUCTOR MFG INTL CORP", "Semiconductor Manufacturing International Corporation"),
        ("Société Générale S.A.", "Societe Generale"),
        ("OAO Gazprom", "Open Joint Stock Company Gazprom"),
    ],
)
def test_the_same_name_in_other_clothes_matches(left: str, right: str) -> None:
    result = compare_names(left, right)
    assert result.is_match, result.explanation
    assert result.score == 1.0


# Section 4: look-alikes that must not be flagged; groups vs listed subsidiaries; numbers and
# acronyms shared by unrelated issuers.
@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Sensata Technologies", "SenseTime Group"),
        ("Hisense", "SenseTime"),
        ("RoboSense Technology", "SenseTime Group"),
        ("China Construction Bank", "China Railway Construction Corporation"),
        ("China Mobile Ltd", "China Mobile Communications Group Co., Ltd."),
        ("China Telecom Corp Ltd", "China Telecommunications Corporation"),
        ("ZTE", "ZTF"),
        ("CEC", "CSC"),
        ("China Group Holdings International", "China Group Holdings International"),
        ("CSSC Fund II", "CSSC Fund III"),
        ("Management Company 23", "Management Company"),
        ("商汤集团", "SENSETIME GROUP"),
    ],
)
def test_look_alikes_groups_numbers_and_acronyms_do_not_match(left: str, right: str) -> None:
    result = compare_names(left, right)
    assert not result.is_match, result.explanation


def test_typos_match_and_the_explanation_says_why() -> None:
    result = compare_names("Sensetme Group Ltd", "SENSETIME GROUP LIMITED")
    assert result.is_match
    assert result.score >= NAME_MATCH_THRESHOLD
    assert "SENSETME~SENSETIME (1 edit)" in result.explanation
    assert "legal forms ignored" in result.explanation
    words = {(pair.left, pair.right) for pair in result.pairs}
    assert ("GROUP", "GROUP") in words


def test_generic_words_never_carry_a_match_alone() -> None:
    result = compare_names("China International Group", "China International Group Holdings")
    assert not result.is_match
    assert not compare_names("China Group", "China Group").is_match
    assert "only generic words agree" in compare_names("China Group", "China Group").explanation


def test_words_written_together_or_apart() -> None:
    assert compare_names("Goodwill Company", "Good Will Company").is_match
    assert compare_names("SiemensAG", "Siemens AG").is_match
    assert compare_names("PricewaterhouseCoopers LLP", "Pricewaterhouse Coopers LLP").is_match


# Section 4 in the engine: abbreviations, groups, look-alikes, ambiguous and weak names.
@pytest.mark.parametrize(
    ("query", "status", "entry", "matched_on"),
    [
        ("SMIC", Status.PROHIBITED, "30951", "exchange short name"),
        ("CRCC", Status.REVIEW, "30959", "weak alias"),
        ("SUGON", Status.REVIEW, "33113", "weak alias"),
        ("CNOOC", Status.PROHIBITED, "30956", "strong alias"),
        ("CNOOC LTD-SPON ADR", Status.PROHIBITED, "30926", "name"),
        ("China Mobile Ltd", Status.PROHIBITED, "30923", "name"),
        ("CHINA MOBILE", Status.PROHIBITED, "30944", "strong alias"),
        ("China Mobile Communications Group Co., Ltd.", Status.PROHIBITED, "30944", "name"),
        ("商湯集團股份有限公司－Ｗ", Status.PROHIBITED, "33114", "curated name"),
        ("Sensetme Group", Status.REVIEW, "33114", "fuzzy name"),
        ("CNOOC 7 ½ 07/30/39", Status.REVIEW, "30956", "strong alias"),
    ],
)
def test_names_in_the_engine(query: str, status: Status, entry: str, matched_on: str) -> None:
    answer = check_security(query, as_of=AS_OF, lists=["ns-cmic"])
    assert answer.status is status, answer.verdict.reason
    assert answer.verdict.findings[0].entry_id == entry
    assert answer.verdict.findings[0].matched_on == matched_on


@pytest.mark.parametrize(
    "query",
    ["Sensata Technologies Holding plc", "Hisense Home Appliances", "RoboSense Technology",
     "China Construction Bank Corp-H", "ZTE CORP-H", "China Mobile Hong Kong Telecom Co"],
)  # fmt: skip
def test_unrelated_names_are_clear_in_the_engine(query: str) -> None:
    answer = check_security(query, as_of=AS_OF, lists=["ns-cmic"])
    assert answer.status is Status.CLEAR, answer.verdict.reason


def test_a_name_given_to_two_entries_takes_their_status_only_when_they_agree() -> None:
    # OFAC gives "CHINA TELECOM" to the listed company and to its parent: the name proves
    # neither, but both are prohibited on the day, so the holding is, naming both.
    answer = check_security("CHINA TELECOM", as_of=AS_OF, lists=["ns-cmic"])
    assert answer.status is Status.PROHIBITED
    assert {f.entry_id for f in answer.verdict.findings} == {"30882", "30939"}
    assert "fits 2 entries, each with this status" in answer.verdict.findings[0].explanation
    # A name that only resembles both (a short form) stays a question for a person.
    huawei = check_security("Huawei", as_of=AS_OF, lists=["ns-cmic"])
    assert huawei.status is Status.REVIEW
    assert {f.entry_id for f in huawei.verdict.findings} == {"30947", "32087"}


# Properties.
_words = st.sampled_from(
    ["SENSETIME", "CHINA", "MOBILE", "GROUP", "HOLDINGS", "ALPHA", "BETA", "PANDA", "NANJING",
     "AEROSPACE", "II", "2004", "DAWNING", "SUGON", "CNOOC", "TELECOM", "商汤", "中国移动", "OF"]
)  # fmt: skip
_forms = st.sampled_from(
    ["Ltd", "Limited", "Inc.", "Co., Ltd.", "Corporation", "PLC", "S.A.", "AG", "GmbH", "LLC",
     "JSC", "OOO", "Sp. z o.o.", "N.V.", "股份有限公司", "Pte. Ltd.", "Tbk"]
)  # fmt: skip
_names = st.lists(_words, min_size=1, max_size=4).map(" ".join)


@given(_names, _names)
def test_scores_and_verdicts_are_symmetric(left: str, right: str) -> None:
    one, other = compare_names(left, right), compare_names(right, left)
    assert one.is_match == other.is_match
    assert one.score == pytest.approx(other.score)


@given(_names, _names, _forms)
def test_adding_a_legal_form_never_changes_the_match(left: str, right: str, form: str) -> None:
    before = compare_names(left, right).is_match
    assert compare_names(f"{left} {form}", right).is_match == before
    assert compare_names(left, f"{right} {form}").is_match == before


@given(_names)
def test_a_name_matches_itself_unless_it_is_only_generic(name: str) -> None:
    result = compare_names(name, name)
    weighty = [t for t in parse_name(name).tokens if word_kind(t) != WordKind.STOP]
    assert result.score == pytest.approx(1.0) or not weighty
    distinctive = [t for t in weighty if word_kind(t) == WordKind.DISTINCTIVE]
    assert result.is_match or not distinctive


@given(st.text(max_size=40))
def test_normalising_twice_equals_once_on_any_text(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


def test_curated_abbreviations_have_sources_and_make_review_only() -> None:
    from portfolio_check.refdata import load_abbreviations, shipped_reference_dir

    rows = load_abbreviations(shipped_reference_dir())
    assert rows and all(row.source.strip() for row in rows)
    # An abbreviation is at most REVIEW; where it is also the HKEX short name of one of the
    # entry's lines, the exchange's name of the line decides.
    answer = check_security("SENSETIME-W", as_of=AS_OF, lists=["ns-cmic"])
    assert answer.status is Status.PROHIBITED
    assert answer.verdict.findings[0].matched_on == "exchange short name"


def test_an_abbreviation_row_without_source_is_refused(tmp_path: Path) -> None:
    from portfolio_check.errors import ReferenceDataError
    from portfolio_check.refdata import load_abbreviations

    (tmp_path / "curated").mkdir()
    (tmp_path / "curated" / "abbreviations.csv").write_text(
        "abbreviation,list_id,entry_id,stands_for,note,source\nSMIC,ns-cmic,30951,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceDataError, match="no source"):
        load_abbreviations(tmp_path)
