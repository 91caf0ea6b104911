"""The vocabulary files: one loader, a typed error naming file and line, and no word in two roles.

The words the readers and the name rules use are commented CSV files inside the package
(``portfolio_check/vocabularies/``). These tests read them the way the code does and hold the
rules a word list must keep: a legal-form spelling means one form, a header phrase one role, a
name word one kind, an exchange alias one market.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from importlib import resources

import pytest

from portfolio_check import identifiers, names
from portfolio_check.errors import ReferenceDataError, VocabularyError
from portfolio_check.holdings import cells, roles, row_words, tables
from portfolio_check.vocabulary import VOCABULARY_PACKAGE, Entry, parse_vocabulary, vocabulary


def _twice(keys: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Keys written under more than one value."""
    seen: dict[str, set[str]] = collections.defaultdict(set)
    for key, value in keys:
        seen[key].add(value)
    return {k: v for k, v in seen.items() if len(v) > 1}


def _written(entries: tuple[Entry, ...], column: str) -> list[str]:
    return [e[column] for e in entries]


def test_every_packaged_vocabulary_file_is_read_by_the_code() -> None:
    shipped = {
        p.name for p in resources.files(VOCABULARY_PACKAGE).iterdir() if p.name.endswith(".csv")
    }
    assert shipped == {
        "legal_forms.csv",
        "name_words.csv",
        "exchange_aliases.csv",
        "header_words.csv",
        "header_signals.csv",
        "row_cells.csv",
        "row_words.csv",
        "currencies.csv",
        "activity_headers.csv",
    }
    for file in shipped:
        text = resources.files(VOCABULARY_PACKAGE).joinpath(file).read_text(encoding="utf-8")
        # each file explains itself before its first entry
        assert text.startswith("# "), file


def test_a_legal_form_spelling_means_one_form() -> None:
    entries = vocabulary("legal_forms.csv", ("form", "spelling", "written"))
    assert _twice([(e["spelling"], e["form"]) for e in entries]) == {}
    # it was listed under LTD and PTE, so these two normalised differently
    assert names.parse_name("ACME PRIVATE LTD").legal_forms == ("LTD",)
    assert names.parse_name("ACME PRIVATE LIMITED").legal_forms == ("LTD",)


def test_a_header_phrase_has_one_role_and_is_written_once() -> None:
    entries = vocabulary("header_words.csv", ("role", "phrase", "score"))
    # phrases compared as the reader compares headers (accents, case and spacing folded)
    folded = [(roles._fold_phrase(e["phrase"]), e["role"]) for e in entries]
    assert _twice(folded) == {}
    repeated = [key for key, n in collections.Counter(folded).items() if n > 1]
    assert repeated == []
    assert {e["role"] for e in entries} == {r.value for r in roles.Role}


def test_a_name_word_has_one_kind() -> None:
    entries = vocabulary("name_words.csv", ("word", "kind", "stands_for"))
    assert _twice([(e["word"], e["kind"]) for e in entries]) == {}
    assert not names.STOP_WORDS & names.GENERIC_WORDS
    assert all(e["stands_for"] for e in entries if e["kind"] == "abbreviation")


def test_an_exchange_alias_means_one_market_and_every_market_is_known() -> None:
    entries = vocabulary("exchange_aliases.csv", ("alias", "market"))
    keys = [(identifiers._exchange_key(e["alias"]), e["market"]) for e in entries]
    assert _twice(keys) == {}
    known = set(identifiers._mic_index().codes.values()) | {
        identifiers.CHINA_COMPOSITE,
        identifiers.CHINA_OR_HONG_KONG,
        identifiers.UNITED_STATES,
    }
    assert {e["market"] for e in entries} - known == set()


def test_row_cells_are_one_class_each() -> None:
    entries = vocabulary("row_cells.csv", ("text", "class"))
    assert _twice([(e["text"], e["class"]) for e in entries]) == {}
    assert all(e["text"] == " ".join(e["text"].lower().split()) for e in entries)


# How each row-word role is read, the way holdings.tables reads a cell or a section title.
_ROW_WORD_READERS: dict[str, Callable[[str], bool]] = {
    "total": tables._is_total_text,
    "subtotal": tables._is_subtotal_text,
    "cash": tables._is_cash_name,
    "cash-section": lambda text: tables._CASH_CAPTION.match(text) is not None,
    "securities-section": lambda text: tables._SECURITIES_CAPTION.search(text) is not None,
}


def _meaning(role: str) -> str:
    # a cash line and a cash section's title are one meaning written in two places
    return "cash" if role == "cash-section" else role


def test_row_words_are_read_in_their_own_role_only_unless_marked() -> None:
    entries = row_words.row_words()
    assert set(_ROW_WORD_READERS) == set(row_words.ROLES)
    assert {e["role"] for e in entries} == set(row_words.ROLES)
    for entry in entries:
        example = entry["example"]
        assert example, f"line {entry.line}: no example"
        read_as = {role for role, reads in _ROW_WORD_READERS.items() if reads(example)}
        assert entry["role"] in read_as, f"line {entry.line}: {example!r} is not read as its role"
        meanings = {_meaning(role) for role in read_as}
        allowed = {_meaning(entry["role"])} | (
            {_meaning(entry["also"])} if entry["also"] else set()
        )
        assert meanings == allowed, f"line {entry.line}: {example!r} is read as {sorted(read_as)}"
    # each pattern is written once in its role and form
    keys = [(e["role"], e["written"], e["pattern"].lower()) for e in entries]
    assert [k for k, n in collections.Counter(keys).items() if n > 1] == []


def test_row_words_keep_the_cells_the_rules_were_written_for() -> None:
    # a fund's performance column and a security whose name holds a total word are not totals
    assert not tables._is_total_text("Total return")
    assert tables._is_total_text("股票投资合计:")
    # a Korean total or a Chinese sub-total followed by a colon is a label, as it was read
    assert not tables._is_total_text("주식 합계:")
    assert not tables._is_subtotal_text("股票小计:")
    assert tables._is_cash_name("Cash (HKD)") and tables._is_cash_name("人民币现金")
    assert not tables._is_cash_name("Cash (ABC)")
    assert tables._cash_caption("XI. Forwards") and not tables._cash_caption("Cash and Securities")


def test_a_row_cell_word_that_is_also_a_total_word_means_a_total() -> None:
    # "Total" in a portfolio cell adds up every portfolio; in a name it is a total: one class
    for entry in vocabulary("row_cells.csv", ("text", "class")):
        if tables._is_total_text(entry["text"]):
            assert entry["class"] == "all-portfolios", entry["text"]


def test_a_header_signal_word_is_another_entity_or_generic_not_both() -> None:
    entries = vocabulary("header_signals.csv", ("word", "signal"))
    other = {e["word"] for e in entries if e["signal"] == "other-entity"}
    generic = {e["word"] for e in entries if e["signal"] == "generic"}
    assert other and generic and not other & generic
    # a column about the security's parent is not one of its names
    assert not roles._about_the_security(["Parent Name"])
    assert roles._about_the_security(["Issuer Name"])


def test_activity_headers_are_read_in_file_order() -> None:
    entries = vocabulary("activity_headers.csv", ("phrases", "table"))
    phrases = [tuple(p.strip() for p in e["phrases"].split("+")) for e in entries]
    assert all(all(phrases_) for phrases_ in phrases) and len(set(phrases)) == len(phrases)
    assert all(e["table"] for e in entries)
    assert roles.activity_table(["Broker", "ISIN"]) == "trades (a broker column)"
    assert roles.activity_table(["Counterparty", "Trade Date", "ISIN"]) == (
        "trades (counterparty and trade date columns)"
    )
    assert roles.activity_table(["Counterparty", "ISIN"]) is None


def test_a_currency_is_a_code_or_a_name_once() -> None:
    entries = vocabulary("currencies.csv", ("text", "kind"))
    assert _twice([(e["text"], e["kind"]) for e in entries]) == {}
    texts = [e["text"] for e in entries]
    assert len(texts) == len(set(texts))
    assert all(len(code) == 3 and code.isupper() for code in cells.CURRENCY_CODES)
    assert all(name == name.lower() for name in cells.CURRENCY_NAMES)


def test_a_row_word_with_an_unknown_form_names_the_file_and_line() -> None:
    (entry,) = parse_vocabulary(
        "row_words.csv",
        "role,written,pattern,example,also\ntotal,after,total,Total,\n",
        row_words.ROW_WORD_COLUMNS,
    )
    with pytest.raises(VocabularyError, match=r"row_words.csv, line 2: written 'after' is not"):
        entry.one_of("written", row_words.FORMS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# only a comment\n", "vocabulary words.csv, line 1: no header row"),
        (
            "word,kind\nACME,stop\n",
            "line 1: header ['word', 'kind'] is not ['word', 'kind', 'stands_for']",
        ),
        ("# c\nword,kind,stands_for\nINTL,abbreviation\n", "line 3: 2 fields where 3 are expected"),
        ("word,kind,stands_for\n,stop,\n", "line 2: empty word"),
    ],
)
def test_a_malformed_vocabulary_names_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_vocabulary("words.csv", text, ("word", "kind", "stands_for"))
    assert message in str(caught.value)
    assert isinstance(caught.value, ReferenceDataError)


def test_a_bad_field_value_names_the_file_and_line() -> None:
    (entry,) = parse_vocabulary(
        "header_words.csv", "role,phrase,score\nname,security,high\n", ("role", "phrase", "score")
    )
    with pytest.raises(VocabularyError, match=r"header_words.csv, line 2: score 'high'"):
        entry.number("score")
    with pytest.raises(VocabularyError, match=r"line 2: role 'name' is not one of isin"):
        entry.one_of("role", ("isin",))
