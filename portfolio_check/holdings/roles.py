"""Column roles: which column holds the name, the ISIN, the quantity ... of a holding.

Pure functions, no I/O. A role is decided from the header text (English and Chinese,
case/space/camel-case insensitive, one or two header rows) *and* from the column's contents:
a column of valid ISINs is the ISIN column whatever its header says, and a ``Name`` column that
holds ``941 HK``-style tickers is a mixed identifier column.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import pandas as pd

from portfolio_check.holdings.cells import (
    CURRENCY_CODES,
    MIC_SHAPE,
    is_cusip,
    is_isin,
    is_null_like,
    is_sedol,
    is_ticker,
    parse_numbers,
)
from portfolio_check.vocabulary import grouped, vocabulary


class Role(StrEnum):
    """What a column means; the values are the position columns they fill."""

    NAME = "name"
    ISIN = "isin"
    CUSIP = "cusip"
    SEDOL = "sedol"
    TICKER = "ticker"
    IDENTIFIER = "identifier"
    EXCHANGE = "exchange"
    QUANTITY = "quantity"
    MARKET_VALUE = "market_value"
    CURRENCY = "currency"
    PORTFOLIO = "portfolio"


IDENTITY_ROLES = (Role.NAME, Role.ISIN, Role.CUSIP, Role.SEDOL, Role.TICKER, Role.IDENTIFIER)
CODE_ROLES = (Role.ISIN, Role.CUSIP, Role.SEDOL, Role.TICKER, Role.IDENTIFIER)
AMOUNT_ROLES = (Role.QUANTITY, Role.MARKET_VALUE)
TEXT_ROLES = tuple(r for r in Role if r not in AMOUNT_ROLES)

# --------------------------------------------------------------------------------------------
# Header vocabulary
# --------------------------------------------------------------------------------------------

# (phrase, score) per role, from ``vocabularies/header_words.csv``: an exact header scores
# ``score``; a header that contains the phrase as consecutive words scores less (see
# ``_phrase_score``). Chinese, Japanese and Korean phrases match as substrings.
_HEADER_ENTRIES = vocabulary("header_words.csv", ("role", "phrase", "score"))
_ROLE_NAMES = tuple(role.value for role in Role)
_VOCABULARY: dict[Role, tuple[tuple[str, float], ...]] = {}
for _entry in _HEADER_ENTRIES:
    _role = Role(_entry.one_of("role", _ROLE_NAMES))
    _VOCABULARY[_role] = (*_VOCABULARY.get(_role, ()), (_entry["phrase"], _entry.number("score")))

# Header words that are not roles (``vocabularies/header_signals.csv``): a header with a
# spoiler is about something else (a price, a date, a type ...) unless the matched phrase
# itself contains the word; a role's own spoilers rule out that role only; header words show
# that a row is a header row; other-entity and generic words are read below.
_SIGNAL_ENTRIES = vocabulary("header_signals.csv", ("word", "signal"))
_SIGNALS = (
    "spoiler",
    "header",
    "other-entity",
    "generic",
    *(f"spoiler:{name}" for name in _ROLE_NAMES),
)
_SPOILERS = frozenset(
    e["word"] for e in _SIGNAL_ENTRIES if e.one_of("signal", _SIGNALS) == "spoiler"
)
_ROLE_SPOILERS: dict[Role, frozenset[str]] = {
    Role(signal.removeprefix("spoiler:")): frozenset(words)
    for signal, words in grouped(
        (e for e in _SIGNAL_ENTRIES if e["signal"].startswith("spoiler:")),
        key=lambda e: e["signal"],
        value=lambda e: e["word"],
    ).items()
}
# Market value: base/book currency values are preferred over local/gross ones.
_PREFER = {"base": 1.0, "book": 1.0, "reporting": 0.5, "local": -0.5, "gross": -1.0}

OTHER_HEADER_WORDS = frozenset(e["word"] for e in _SIGNAL_ENTRIES if e["signal"] == "header")
# Header words that say what a column is, not whose it is: not enough to pair two columns.
GENERIC_HEADER_WORDS = frozenset(e["word"] for e in _SIGNAL_ENTRIES if e["signal"] == "generic")

# Scripts written without spaces between words (Chinese, Japanese kana, Korean): their
# phrases match as substrings.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _fold_accents(text: str) -> str:
    """Latin letters without their accents (``Quantité`` -> ``Quantite``, ``Stück`` ->
    ``Stuck``); other scripts untouched (kana keep their voicing marks)."""
    if text.isascii():
        return text
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def normalise_header(text: str) -> tuple[str, ...]:
    """Header words, lower case: ``MarketValueBook`` -> ``(market, value, book)``.

    Camel case and ``_ - . / ( )`` split words; full-width characters are folded (NFKC).
    """
    t = _fold_accents(unicodedata.normalize("NFKC", text))
    t = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", t)
    t = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z]{2,})", " ", t)
    t = t.lower().replace("&", " & ").replace("%", " % ")
    t = re.sub(r"[^\w%&]+", " ", t).replace("_", " ")
    # "p & l" -> "p&l"
    t = re.sub(r"\bp & l\b", "p&l", t)
    return tuple(t.split())


def _fold_phrase(phrase: str) -> str:
    """A vocabulary phrase folded the way headers are (see :func:`normalise_header`)."""
    words = normalise_header(phrase)
    return "".join(words) if _CJK.search(phrase) else " ".join(words)


def _fold_words(words: frozenset[str]) -> frozenset[str]:
    return frozenset(_fold_phrase(w) if w not in ("%", "p&l") else w for w in words)


_VOCABULARY = {
    role: tuple((_fold_phrase(phrase), score) for phrase, score in phrases)
    for role, phrases in _VOCABULARY.items()
}
_SPOILERS = _fold_words(_SPOILERS)
_ROLE_SPOILERS = {role: _fold_words(words) for role, words in _ROLE_SPOILERS.items()}
OTHER_HEADER_WORDS = _fold_words(OTHER_HEADER_WORDS)


def _phrase_score(words: tuple[str, ...], phrase: str, score: float) -> float:
    if _CJK.search(phrase):
        joined = "".join(words)
        if phrase not in joined:
            return 0.0
        return score if joined == phrase else score - 1.0
    target = tuple(phrase.split())
    n = len(target)
    if words == target:
        return score
    for i in range(len(words) - n + 1):
        if words[i : i + n] == target:
            extra = len(words) - n
            return max(score - 1.0 - 0.25 * (extra - 1), 0.5)
    return 0.0


def _spoiled(role: Role, phrase: str, words: Sequence[str]) -> bool:
    """Whether ``words`` hold a word that rules out ``role`` (unless ``phrase`` names it)."""
    spoilers = (_SPOILERS | _ROLE_SPOILERS.get(role, frozenset())) - set(phrase.split())
    joined = "".join(words)
    return any(w in spoilers for w in words) or any(
        sp in joined for sp in spoilers if _CJK.search(sp)
    )


def _phrase_index() -> tuple[
    dict[str, list[tuple[Role, str, float]]], list[tuple[Role, str, float]]
]:
    """The vocabulary's phrases by their first word, and the CJK phrases (matched as
    substrings) apart: a header's words can only match the phrases that start with one of
    them, so a header is compared with a handful of phrases, not with every one."""
    by_first: dict[str, list[tuple[Role, str, float]]] = {}
    cjk: list[tuple[Role, str, float]] = []
    for role, phrases in _VOCABULARY.items():
        for phrase, score in phrases:
            if _CJK.search(phrase):
                cjk.append((role, phrase, score))
            elif phrase.split():
                by_first.setdefault(phrase.split()[0], []).append((role, phrase, score))
    return by_first, cjk


def _scores(words: tuple[str, ...], context: Sequence[str]) -> dict[Role, float]:
    """Role scores of one header text's ``words``; spoilers are looked for in ``context``."""
    if not words:
        return {}
    by_first, cjk = _PHRASES
    candidates = [entry for w in dict.fromkeys(words) for entry in by_first.get(w, ())]
    if _CJK.search("".join(words)):
        candidates += cjk
    found: dict[Role, list[tuple[str, float]]] = {}
    for role, phrase, score in candidates:
        found.setdefault(role, []).append((phrase, score))
    scores: dict[Role, float] = {}
    for role in _VOCABULARY:  # in the vocabulary's order, as the scores were always made
        best = 0.0
        for phrase, score in found.get(role, ()):
            s = _phrase_score(words, phrase, score)
            if s > 0 and not _spoiled(role, phrase, context):
                best = max(best, s)
        if best > 0 and role is Role.MARKET_VALUE:
            best += sum(v for w, v in _PREFER.items() if w in context)
        if best > 0:
            scores[role] = best
    return scores


_PHRASES = _phrase_index()


def header_scores(text: str) -> dict[Role, float]:
    """How strongly one header text (one row's cell) suggests each role; absent = 0."""
    return dict(_header_scores(text))


@lru_cache(maxsize=8192)
def _header_scores(text: str) -> dict[Role, float]:
    # header candidates repeat their texts (page headers, section headers): score each once
    words = normalise_header(text)
    return _scores(words, words)


def column_header_scores(texts: Sequence[str | None]) -> dict[Role, float]:
    """Role scores of a column whose header spans several rows (``texts``, one per row).

    Each row's text is scored on its own, but a spoiler in any row rules a role out: a column
    headed ``Exchange`` over ``Rate`` is an exchange rate, ``% / (Fund)`` a weight.
    """
    parts = [normalise_header(t) for t in texts if t]
    context = [w for words in parts for w in words]
    scores: dict[Role, float] = {}
    for words in parts:
        for role, s in _scores(words, context).items():
            scores[role] = max(scores.get(role, 0.0), s)
    return scores


def is_header_word(text: str) -> bool:
    """True when a cell reads like a column header (a known role or a common header word)."""
    scores = header_scores(text)
    if any(s >= 2 for s in scores.values()):
        return True
    words = normalise_header(text)
    if any(w in OTHER_HEADER_WORDS for w in words):
        return True
    joined = "".join(words)
    return any(w in joined for w in OTHER_HEADER_WORDS if _CJK.search(w))


# --------------------------------------------------------------------------------------------
# Contents
# --------------------------------------------------------------------------------------------

_EXCHANGE_WORDS = re.compile(
    r"(exchange|b[oö]rse|bourse|nasdaq|nyse|hkex|sehk|euronext|market$|stock market|"
    r"交易所)",
    re.IGNORECASE,
)


_FLAG_VALUES = frozenset({"Y", "N", "YES", "NO", "TRUE", "FALSE"})


@dataclass(frozen=True)
class ColumnProfile:
    """What a column's values look like (fractions of its non-empty values)."""

    filled: int
    numeric: float
    isin: float
    cusip: float
    sedol: float
    ticker: float
    currency: float
    exchange: float
    distinct: float
    mean_length: float
    flags: float = 0.0  # Y/N/TRUE/FALSE answers

    @property
    def codes(self) -> float:
        return self.isin + self.cusip + self.sedol + self.ticker

    @property
    def code_kinds(self) -> int:
        return sum(f >= 0.05 for f in (self.isin, self.cusip, self.sedol, self.ticker))


def profile_column(values: Sequence[str | None]) -> ColumnProfile:
    """Profile a sample of a column's display texts."""
    return profile_columns(np.array(values, dtype=object).reshape(-1, 1))[0]


_EMPTY_PROFILE = ColumnProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def _is_exchange(text: str) -> bool:
    return MIC_SHAPE.match(text) is not None or _EXCHANGE_WORDS.search(text) is not None


# What each profile fraction counts, per distinct text.
_CONTENT_TESTS: tuple[tuple[str, Callable[[str], object]], ...] = (
    ("isin", is_isin),
    ("cusip", is_cusip),
    ("sedol", is_sedol),
    ("ticker", is_ticker),
    ("currency", lambda t: t.upper() in CURRENCY_CODES),
    ("exchange", _is_exchange),
    ("flags", lambda t: t.upper() in _FLAG_VALUES),
)


def profile_columns(cells: np.ndarray) -> list[ColumnProfile]:
    """:func:`profile_column` of every column of a sample (``cells``: rows x columns of
    display texts or None), each distinct text of the whole sample tested once.

    A sheet 16,384 columns wide profiled column by column cost about 0.6 ms a column in frames
    and passes; here the per-column work is a few array sums, and a column without a value
    costs nothing beyond them.
    """
    rows, width = cells.shape
    if not rows or not width:
        return [_EMPTY_PROFILE] * width
    codes, uniques = pd.factorize(cells.ravel(order="F"), use_na_sentinel=True)
    texts = [u if isinstance(u, str) and not is_null_like(u) else None for u in uniques]
    kept = np.array([t is not None for t in texts], dtype=bool)
    present = codes >= 0
    present[present] = kept[codes[present]]
    column = np.repeat(np.arange(width), rows)[present]
    codes = codes[present]
    filled = np.bincount(column, minlength=width)

    def counts(per_text: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.bincount(column, weights=per_text[codes], minlength=width)
        return out

    words = [t or "" for t in texts]
    numbers, _ = parse_numbers(pd.Series(texts, dtype=object))
    tallies = {"numeric": counts(~np.isnan(numbers))}
    for name, test in _CONTENT_TESTS:
        tallies[name] = counts(np.array([t is not None and bool(test(t)) for t in texts]))
    lengths = counts(np.array([len(w) for w in words], dtype=np.float64))
    pairs = np.unique(column.astype(np.int64) * (len(texts) + 1) + codes)
    distinct = np.bincount(pairs // (len(texts) + 1), minlength=width)
    # shares as arrays (a float division, as Python's, per column), then one profile a column
    n = np.maximum(filled, 1)
    shares = {name: (tally / n).tolist() for name, tally in tallies.items()}
    shares["distinct"] = (distinct / n).tolist()
    shares["mean_length"] = (lengths / n).tolist()
    names = list(shares)
    return [
        ColumnProfile(int(k), **dict(zip(names, values, strict=True))) if k else _EMPTY_PROFILE
        for k, *values in zip(filled.tolist(), *shares.values(), strict=True)
    ]


# --------------------------------------------------------------------------------------------
# Assignment
# --------------------------------------------------------------------------------------------

# A content-detected code column needs this share of its non-empty values to be such codes.
CONTENT_MAJORITY = 0.8
# Contents override a header only with this many non-empty values (valid ISINs excepted).
MIN_CONTENT_SAMPLE = 5
# A header-named text column is re-read as a mixed identifier column past this share of codes.
MIXED_CODES_SHARE = 0.5


@dataclass(frozen=True)
class RoleChoice:
    """One column's role and why (for TableInfo and for a person checking the mapping)."""

    column: int
    role: Role
    score: float
    reason: str
    header_role: Role | None = None  # what the header alone suggested
    secondary: bool = False  # a further column of a role another column holds


def _content_role(header_role: Role | None, p: ColumnProfile) -> tuple[Role | None, str]:
    """The role the contents suggest, given the header's suggestion (may confirm it)."""
    if p.filled == 0:
        if header_role in AMOUNT_ROLES:
            return header_role, "header (column empty in the sample)"
        return None, f"header says {header_role}, but the column is empty"
    if header_role in TEXT_ROLES and p.flags >= CONTENT_MAJORITY:
        return None, f"header says {header_role}, but the values are yes/no flags"
    if p.isin >= CONTENT_MAJORITY and p.filled >= 2 and header_role is not Role.IDENTIFIER:
        return Role.ISIN, f"contents: {p.isin:.0%} valid ISINs"
    if p.filled < MIN_CONTENT_SAMPLE:
        return header_role, "header (too few values to judge the contents)"
    if header_role in (None, Role.NAME, Role.TICKER, Role.IDENTIFIER, Role.ISIN):
        if p.code_kinds >= 2 and p.codes >= MIXED_CODES_SHARE:
            return Role.IDENTIFIER, (
                f"contents: mixed codes (ISIN {p.isin:.0%}, ticker {p.ticker:.0%}, "
                f"CUSIP {p.cusip:.0%}, SEDOL {p.sedol:.0%})"
            )
        if header_role is Role.NAME and p.codes >= MIXED_CODES_SHARE:
            return Role.IDENTIFIER, (
                f"contents: {p.codes:.0%} of the names are codes (codes read as identifiers, "
                "other texts as names)"
            )
    if header_role is None and p.numeric < 0.5:
        if p.ticker >= CONTENT_MAJORITY:
            return Role.TICKER, f"contents: {p.ticker:.0%} tickers"
        if p.cusip >= CONTENT_MAJORITY:
            return Role.CUSIP, f"contents: {p.cusip:.0%} valid CUSIPs"
        if p.sedol >= CONTENT_MAJORITY and p.numeric < 0.5:
            return Role.SEDOL, f"contents: {p.sedol:.0%} valid SEDOLs"
    if header_role in AMOUNT_ROLES and p.numeric < 0.5:
        return None, f"header says {header_role}, but only {p.numeric:.0%} numbers"
    if header_role in (Role.NAME, Role.EXCHANGE) and p.numeric >= 0.9:
        return None, f"header says {header_role}, but the values are numbers"
    return header_role, "header"


# Roles of which a table's further columns are read too (``more_names`` / ``more_codes``).
SECONDARY_ROLES = (*IDENTITY_ROLES, Role.EXCHANGE)
# A column about another entity than the security itself (its parent, guarantor, broker) is
# not a further name or code of the security (``header_signals.csv``: ``other-entity``).
_NOT_THE_SECURITY = frozenset(e["word"] for e in _SIGNAL_ENTRIES if e["signal"] == "other-entity")


def _about_the_security(texts: Sequence[str | None]) -> bool:
    words = [w for t in texts if t for w in normalise_header(t)]
    joined = "".join(words)
    return not any(w in _NOT_THE_SECURITY for w in words) and not any(
        x in joined for x in _NOT_THE_SECURITY if _CJK.search(x)
    )


def assign_all_roles(
    headers: Sequence[Sequence[str | None]], samples: np.ndarray
) -> tuple[list[RoleChoice], list[RoleChoice]]:
    """At most one column per role (the *primary* columns), and the further columns of the
    identity roles and of the exchange (*secondary*: a second ticker, an issuer name, a local
    code with its own exchange), each with its reason.

    ``headers[c]`` are the header texts of column ``c`` (one per header row);
    ``samples[:, c]`` a sample of its display texts below the header (rows x columns).
    """
    profiles = profile_columns(samples)
    candidates: list[RoleChoice] = []
    for c, texts in enumerate(headers):
        profile = profiles[c] if c < len(profiles) else _EMPTY_PROFILE
        if profile.filled == 0 and not any(texts):
            continue  # no header and no value: no role (see _content_role), no more work
        scores = column_header_scores(texts)
        header_role = max(scores, key=lambda r: scores[r]) if scores else None
        role, reason = _content_role(header_role, profile)
        if role is None:
            continue
        score = scores.get(role, 0.0)
        if role is not header_role:
            score = max(score, 3.5)  # contents outrank a header guess
        if profile.filled == 0:
            score -= 2.0  # an empty column loses to any filled one
        label = " / ".join(t for t in texts if t) or f"column {c + 1}"
        candidates.append(RoleChoice(c, role, score, f"{label!r}: {reason}", header_role))
    # Only beside a column of codes: a table whose securities are known by codes may still
    # carry their names under a header word the vocabulary lacks (not a footer's free text).
    if not any(Role.NAME in (ch.role, ch.header_role) for ch in candidates) and any(
        ch.role in CODE_ROLES for ch in candidates
    ):
        named = _name_by_contents(headers, profiles, {ch.column for ch in candidates})
        if named is not None:
            candidates.append(named)
    chosen: dict[Role, RoleChoice] = {}
    secondary: list[RoleChoice] = []
    for choice in sorted(candidates, key=lambda ch: (-ch.score, ch.column)):
        if choice.role not in chosen:
            chosen[choice.role] = choice
        elif (
            choice.role in SECONDARY_ROLES
            and choice.score > 0
            and _about_the_security(headers[choice.column])
        ):
            what = _ROLE_WORDS[choice.role]
            secondary.append(
                dataclasses.replace(
                    choice,
                    reason=f"{choice.reason}; a further {what} column (also read)",
                    secondary=True,
                )
            )
    return (
        sorted(chosen.values(), key=lambda ch: ch.column),
        sorted(secondary, key=lambda ch: ch.column),
    )


# A column read as the securities' names from its contents alone (no header word known):
# mostly distinct texts of words, not numbers, codes, currencies or exchanges.
NAME_CONTENT_MIN_LENGTH = 6.0
NAME_CONTENT_MIN_DISTINCT = 0.8
NAME_CONTENT_MAX_OTHER = 0.2


def _name_by_contents(
    headers: Sequence[Sequence[str | None]],
    profiles: Sequence[ColumnProfile],
    taken: set[int],
) -> RoleChoice | None:
    """The leftmost free column whose values look like security names, when no header names
    one (an administrator's header word the vocabulary lacks: the names must still be read)."""
    for c, texts in enumerate(headers):
        if c in taken or c >= len(profiles):
            continue
        p = profiles[c]
        if (
            p.filled >= MIN_CONTENT_SAMPLE
            and p.numeric < NAME_CONTENT_MAX_OTHER
            and p.codes < NAME_CONTENT_MAX_OTHER
            and p.currency < NAME_CONTENT_MAX_OTHER
            and p.exchange < NAME_CONTENT_MAX_OTHER
            and p.flags < NAME_CONTENT_MAX_OTHER
            and p.distinct >= NAME_CONTENT_MIN_DISTINCT
            and p.mean_length >= NAME_CONTENT_MIN_LENGTH
        ):
            label = " / ".join(t for t in texts if t) or f"column {c + 1}"
            return RoleChoice(
                c,
                Role.NAME,
                3.5,
                f"{label!r}: contents: distinct texts like security names (no header word known)",
                None,
            )
    return None


_ROLE_WORDS = {
    Role.NAME: "name",
    Role.ISIN: "ISIN",
    Role.CUSIP: "CUSIP",
    Role.SEDOL: "SEDOL",
    Role.TICKER: "ticker",
    Role.IDENTIFIER: "identifier",
    Role.EXCHANGE: "exchange",
}


def assign_roles(headers: Sequence[Sequence[str | None]], samples: np.ndarray) -> list[RoleChoice]:
    """Choose at most one column per role (see :func:`assign_all_roles`)."""
    return assign_all_roles(headers, samples)[0]


# --------------------------------------------------------------------------------------------
# Tables that record activity, not holdings
# --------------------------------------------------------------------------------------------

# (header phrases that must all appear, what the table then is): ``activity_headers.csv``. A
# holdings table has none of these: a broker or a debit/credit pair belongs to trades and cash
# ledgers.
_ACTIVITY_MARKERS: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (tuple(phrase.strip() for phrase in e["phrases"].split("+")), e["table"])
    for e in vocabulary("activity_headers.csv", ("phrases", "table"))
)


def _has_phrase(words: tuple[str, ...], phrase: str) -> bool:
    if _CJK.search(phrase):
        return phrase in "".join(words)
    target = tuple(phrase.split())
    n = len(target)
    return any(words[i : i + n] == target for i in range(len(words) - n + 1))


def activity_table(headers: Sequence[str]) -> str | None:
    """What a table records when its header shows activity rather than holdings, else None.

    ``headers`` are the column header texts (several header rows joined with " / ").
    """
    columns = [normalise_header(h) for h in headers if h]
    for phrases, what in _ACTIVITY_MARKERS:
        if all(any(_has_phrase(words, p) for words in columns) for p in phrases):
            return what
    return None
