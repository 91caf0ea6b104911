"""The words that class a row of a holdings table by its text, as regular expressions.

The words are data (``portfolio_check/vocabularies/row_words.csv``, read by
:mod:`portfolio_check.vocabulary`); this module only places each word where the file says it
stands (opening or closing the cell, as a whole word or glued to its neighbours) and joins a
role's words into one alternation. :mod:`.tables` puts the alternations into its row and
section rules.
"""

from __future__ import annotations

from portfolio_check.errors import VocabularyError
from portfolio_check.vocabulary import Entry, vocabulary

ROW_WORDS_FILE = "row_words.csv"
ROW_WORD_COLUMNS = ("role", "written", "pattern", "example", "also")
ROLES = ("total", "subtotal", "cash", "cash-section", "securities-section")

# Where a word stands, as a regular expression around the alternation of the words written so.
# A closing word may have a colon after it ("Equities total:"); scripts written without spaces
# have no word boundary to ask for.
FORMS = {
    "start": r"^\s*(?:{})\b",
    "end": r"\b(?:{})\s*[:：]?\s*$",
    "glued-start": r"^\s*(?:{})",
    "glued-first": r"^(?:{})",
    "glued-end": r"(?:{})\s*[:：]?\s*$",
    "glued-last": r"(?:{})\s*$",
    "word": r"(?:{})\b",
    "glued": r"(?:{})",
}


def row_words() -> tuple[Entry, ...]:
    """The entries of the row-words file, each role and form checked."""
    entries = vocabulary(ROW_WORDS_FILE, ROW_WORD_COLUMNS)
    for entry in entries:
        entry.one_of("role", ROLES)
        entry.one_of("written", FORMS)
        if entry["also"]:
            entry.one_of("also", ROLES)
        if not entry["pattern"]:
            raise VocabularyError(entry.file, entry.line, "empty pattern")
    return entries


def role_pattern(role: str) -> str:
    """One regular expression for ``role``: each form's words in file order, forms joined in
    the order they first appear (a word a rule needs first stays first)."""
    if role not in ROLES:
        raise ValueError(f"unknown row-word role {role!r}")
    by_form: dict[str, list[str]] = {}
    for entry in row_words():
        if entry["role"] == role:
            by_form.setdefault(entry["written"], []).append(entry["pattern"])
    return "|".join(FORMS[form].format("|".join(words)) for form, words in by_form.items())
