"""Company-name normalisation: pure functions, no I/O.

A name goes through these steps, in this order, each for a reason:

1. Unicode NFKC, so full-width ``ＳＥＮＳＥＴＩＭＥ`` and ``（`` become ASCII, and ``½`` becomes ``1/2``.
2. Traditional to simplified Chinese (OpenCC ``t2s``): 商湯集團 and 商汤集团 are one name.
3. Other scripts folded to ASCII (``anyascii``): ``Société`` -> ``Societe``, ``ООО`` -> ``OOO``.
   Chinese characters are kept as they are: a Chinese name is compared with Chinese names
   (curated), never through a transliteration (商汤 is "Shangtang", the brand is SenseTime).
4. Upper case; apostrophes dropped (``MOODY'S`` -> ``MOODYS``); ``&`` -> ``AND``; initials
   joined (``A.B.C.`` -> ``ABC``, ``S.A.R.L.`` -> ``SARL``, ``G.m.b.H.`` -> ``GMBH``).
5. Instrument words removed: share lines (``-H``, ``-A``, ``CL B``, ``-W``, ``-SW``, ``-R``),
   depositary receipts (``ADR``, ``SPON ADR``), ``COMMON STOCK HKD 0``, ``H SHS``, and the
   coupon / maturity tail of a bond description (``CNOOC 7 ½ 07/30/39`` -> ``CNOOC``).
6. Punctuation to spaces; spaced Chinese joined (``商汤集团 股份有限公司``).
7. Word spellings made canonical (``INTL`` -> ``INTERNATIONAL``, ``MFG`` -> ``MANUFACTURING``,
   ``1ST`` -> ``FIRST``): the abbreviations OFAC's own records and exchange short names use.
8. Legal forms removed from both ends and kept aside in a canonical spelling (``LIMITED`` and
   ``LTD`` -> ``LTD``; ``Aktiengesellschaft`` -> ``AG``; 股份有限公司): English, European,
   Russian (transliterated), Asian and Chinese forms, glued or spaced.

The result of :func:`parse_name` is a :class:`ParsedName`: its ``key`` (the name without legal
forms) is what exact matching compares; its ``full_key`` (with the canonical legal forms) tells
``CHINA MOBILE`` (OFAC's alias of the group) from ``CHINA MOBILE LTD`` (the listed company).
Normalising is applied to its own result until nothing changes, so normalising twice equals
normalising once.

Words are of three kinds for comparison (:func:`word_kind`): *stop* words (``THE``, ``OF``,
``AND``...) are ignored; *generic* words (group, holding, international, China...) count, but
never carry a match on their own; every other word is *distinctive*.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
from anyascii import anyascii
from rapidfuzz.distance import OSA

from portfolio_check.vocabulary import grouped, vocabulary

_T2S = opencc.OpenCC("t2s")

# --------------------------------------------------------------------------------------------
# Legal forms
# --------------------------------------------------------------------------------------------

# Canonical legal form -> the spellings that mean it, after steps 1-6 (ASCII, upper case, no
# punctuation, initials joined). The forms, their sources, and where each is written live in
# ``vocabularies/legal_forms.csv``.
_FORM_ENTRIES = vocabulary("legal_forms.csv", ("form", "spelling", "written"))
_WRITTEN = ("after", "either", "glued")
LEGAL_FORMS: dict[str, tuple[str, ...]] = grouped(
    (e for e in _FORM_ENTRIES if e.one_of("written", _WRITTEN) != "glued"),
    key=lambda e: e["form"],
    value=lambda e: e["spelling"],
)

# Forms that stand before the name as well as after it (OOO "Name", PT Name, JSC Name).
_PREFIX_FORMS: frozenset[str] = frozenset(
    e["form"] for e in _FORM_ENTRIES if e["written"] == "either"
)

# Chinese and Japanese legal forms, glued to the name (longest first).
_HAN_LEGAL_FORMS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((e["spelling"], e["form"]) for e in _FORM_ENTRIES if e["written"] == "glued"),
        key=lambda pair: -len(pair[0]),
    )
)

_FORM_BY_TOKENS: dict[tuple[str, ...], str] = {
    tuple(spelling.split()): canonical
    for canonical, spellings in LEGAL_FORMS.items()
    for spelling in spellings
}
# A Chinese or Japanese form written apart from a Latin name ("SENSETIME 股份有限公司").
_FORM_BY_TOKENS.update({(spelling,): canonical for spelling, canonical in _HAN_LEGAL_FORMS})
_FORM_LENGTHS: tuple[int, ...] = tuple(sorted({len(k) for k in _FORM_BY_TOKENS}, reverse=True))
# Long forms (ten letters or more, spaces included) are also recognised with a typo or cut
# short (``AKTIENGESELSCHAFT``, ``JOYNT STOCK COMPANY``, ``JOINT STOCK COMPAN`` in a fixed-width
# export): one edit per FORM_TYPO_LETTERS letters. Short forms (AG, SA) are never guessed: too
# many names end in those letters.
FORM_TYPO_LETTERS = 10
_LONG_FORMS: dict[int, tuple[tuple[str, str], ...]] = {
    size: tuple(
        (" ".join(tokens), canonical)
        for tokens, canonical in _FORM_BY_TOKENS.items()
        if len(tokens) == size and len(" ".join(tokens)) >= FORM_TYPO_LETTERS
    )
    for size in _FORM_LENGTHS
}

# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

# Words of names (``vocabularies/name_words.csv``, with their sources): abbreviations and the
# word each stands for; stop words, which carry no identity at all and are ignored when names are
# compared; generic words, which say little about which company it is: they count when names
# are compared (a group is not its listed subsidiary), but a match resting only on them is none.
_WORD_ENTRIES = vocabulary("name_words.csv", ("word", "kind", "stands_for"))
_WORD_KINDS = ("abbreviation", "stop", "generic")
WORD_FORMS: dict[str, str] = {
    e["word"]: e["stands_for"]
    for e in _WORD_ENTRIES
    if e.one_of("kind", _WORD_KINDS) == "abbreviation"
}
STOP_WORDS: frozenset[str] = frozenset(e["word"] for e in _WORD_ENTRIES if e["kind"] == "stop")
GENERIC_WORDS: frozenset[str] = frozenset(
    e["word"] for e in _WORD_ENTRIES if e["kind"] == "generic"
)
_HAN_GENERIC: tuple[str, ...] = tuple(
    e["word"] for e in _WORD_ENTRIES if e["kind"] == "generic" and not e["word"].isascii()
)


class WordKind:
    STOP = "stop"
    GENERIC = "generic"
    NUMBER = "number"
    DISTINCTIVE = "distinctive"


_ROMAN_RE = re.compile(r"^(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


@lru_cache(maxsize=65_536)
def number_value(token: str) -> int | None:
    """The value of a number word: digits, or a Roman numeral from I to XXXIX; else None."""
    if token.isdigit():
        return int(token)
    if _ROMAN_RE.match(token):
        total = 0
        for i, char in enumerate(token):
            value = _ROMAN_VALUES[char]
            following = _ROMAN_VALUES[token[i + 1]] if i + 1 < len(token) else 0
            total += -value if value < following else value
        return total
    return None


@lru_cache(maxsize=65_536)
def word_kind(token: str) -> str:
    """Whether a normalised word is a stop word, a generic word, a number or distinctive."""
    if token in STOP_WORDS:
        return WordKind.STOP
    if token in GENERIC_WORDS:
        return WordKind.GENERIC
    if number_value(token) is not None:
        return WordKind.NUMBER
    return WordKind.DISTINCTIVE


# --------------------------------------------------------------------------------------------
# Instrument words
# --------------------------------------------------------------------------------------------

_SHARE_LINE_SUFFIX_RE = re.compile(
    r"""
    \s*[-–]\s*(?:
        H|A|B|W|SW|S|R|WR|SWR|P|U|RTS|DRC|
        CL\s*[A-Z]|CLASS\s*[A-Z]|SPN\s*ADR|SPONS?\s*ADR|ADR|GDR
    )\s*$
    # a share line's letter or Chinese share-class word after a space: "HIKVISION A", "H股"
    |(?<!CLASS)(?<!\bCL)(?<!SERIES)\s+[AHB]\s*$|\s*[-–]?\s*[AHB]股\s*$
    """,
    re.VERBOSE,
)
_INSTRUMENT_WORDS_RE = re.compile(
    r"""
    \b(?:
        SPONSORED\s+ADR|SPON\s+ADR|SPN\s+ADR|UNSPONS(?:ORED)?\s+ADR|ADRS?|GDRS?|ADS|
        COMMON\s+STOCK(?:\s+[A-Z]{3}\s*[\d.]+)?|COM(?:MON)?\s+(?:STK|SHS|SHARES)|
        ORD(?:INARY)?\s+SHS?|ORDINARY\s+SHARES?|
        [AHBN]\s+SHS|[AHBN]\s+SHARES|CL(?:ASS)?\s+[A-Z]|REG\s*S|144A|NPV|
        SHS(?:\s+[AHBN])?|ORD(?:INARY)?|
        (?:PAR\s+(?:VALUE\s+)?)?(?:HKD|USD|RMB|CNY|EUR|GBP|JPY|SGD|TWD)\s?\d+(?:\.\d+)?
    )\b
    """,
    re.VERBOSE,
)
# Bond descriptions "ISSUER coupon maturity": 7 ½, 4.375, 3 1/8, 5% and the date that follows.
_BOND_TAIL_RE = re.compile(
    r"""\s+\d+(?:\.\d+)?%?(?:\s*\d/\d{1,2})?%?\s+
        (?:\d{1,2}/\d{1,2}/\d{2,4}|PERP|\d{4}-\d{2}-\d{2}).*$""",
    re.VERBOSE,
)
# Initials written with dots: A.B.C., S.A.R.L., J.P., L.X.C (the last dot may be missing).
_INITIALS_RE = re.compile(r"(?<![A-Z0-9])[A-Z](?:\.[A-Z])+\.?(?![A-Z0-9])")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
_PUNCT_RE = re.compile(f"[^A-Z0-9{_HAN}]+")
_BRACKETS_RE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_APOSTROPHES_RE = re.compile(r"['’`´ʼ]")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified (no-op on other scripts)."""
    return str(_T2S.convert(text)) if _HAN_RE.search(text) else text


def is_han(text: str) -> bool:
    """Whether the text contains Chinese characters."""
    return bool(_HAN_RE.search(text))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return str(anyascii(char))


def fold_to_ascii(text: str) -> str:
    """Every character outside ASCII and the Chinese ranges, transliterated to ASCII."""
    if text.isascii():
        return text
    return "".join(
        char if char.isascii() or _HAN_RE.match(char) else _fold_char(char) for char in text
    )


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedName:
    """A name taken apart: its words (legal forms removed) and its legal forms, canonical."""

    text: str
    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    qualifiers: frozenset[str] = frozenset()
    """Words written in brackets (``DEUTSCHE BANK (SCHWEIZ)``): a place or a former name."""

    @property
    def key(self) -> str:
        """The matching key: the words, legal forms removed."""
        return " ".join(self.tokens)

    @property
    def full_key(self) -> str:
        """The key with the canonical legal forms: ``CHINA MOBILE`` is not ``CHINA MOBILE LTD``."""
        if not self.legal_forms:
            return self.key
        return f"{self.key} [{' '.join(self.legal_forms)}]"

    @property
    def han(self) -> bool:
        return any(_HAN_RE.search(token) for token in self.tokens)

    @property
    def numbers(self) -> tuple[int, ...]:
        """The number words, as values, sorted (``FUND VI`` and ``FUND 6`` agree)."""
        values = (number_value(token) for token in self.tokens)
        return tuple(sorted(value for value in values if value is not None))


def _prepare(name: str) -> str:
    """Steps 1-5: one upper-case ASCII (or Chinese) string, instrument words gone."""
    text = unicodedata.normalize("NFKC", name).replace("\u2044", "/")
    text = fold_to_ascii(to_simplified(text)).upper()
    text = _APOSTROPHES_RE.sub("", text).replace("&", " AND ")
    text = _INITIALS_RE.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _BOND_TAIL_RE.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _SHARE_LINE_SUFFIX_RE.sub("", text)
    return _INSTRUMENT_WORDS_RE.sub(" ", text)


@lru_cache(maxsize=65_536)  # the same trailing words recur across thousands of names
def _typo_form(words: tuple[str, ...]) -> str | None:
    """The long legal form some words are a typo of (one edit per FORM_TYPO_LETTERS letters)."""
    text = " ".join(words)
    if len(text) < FORM_TYPO_LETTERS - 1:
        return None
    for spelling, canonical in _LONG_FORMS.get(len(words), ()):
        allowed = max(len(spelling), len(text)) // FORM_TYPO_LETTERS
        if OSA.distance(text, spelling, score_cutoff=allowed) <= allowed:
            return canonical
    return None


def _form_at(tokens: list[str], *, end: bool) -> tuple[int, str] | None:
    """A legal form at the end (or start) of the tokens: (how many tokens, canonical form)."""
    for size in _FORM_LENGTHS:
        if size >= len(tokens):
            continue
        part = tuple(tokens[-size:]) if end else tuple(tokens[:size])
        canonical = _FORM_BY_TOKENS.get(part) or _typo_form(part)
        if canonical is not None and (end or canonical in _PREFIX_FORMS):
            return size, canonical
    return None


def _strip_han_form(token: str, forms: list[str]) -> str:
    for suffix, canonical in _HAN_LEGAL_FORMS:
        if token.endswith(suffix) and len(token) > len(suffix):
            forms.append(canonical)
            return token[: -len(suffix)]
        if canonical == "KK" and token.startswith(suffix) and len(token) > len(suffix):
            forms.append(canonical)
            return token[len(suffix) :]
    return token


def _parse_once(name: str) -> tuple[list[str], list[str], set[str]]:
    prepared = _prepare(name)
    bracketed = {
        WORD_FORMS.get(word, word)
        for inside in _BRACKETS_RE.findall(prepared)
        for word in _PUNCT_RE.sub(" ", inside).split()
    }
    tokens = _PUNCT_RE.sub(" ", prepared).split()
    # Spaced Chinese ("商汤集团 股份有限公司") is joined so glued and spaced forms agree.
    if len(tokens) > 1 and all(_HAN_RE.search(token) for token in tokens):
        tokens = ["".join(tokens)]
    tokens = [WORD_FORMS.get(token, token) for token in tokens]
    forms: list[str] = []
    leading: list[str] = []
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        if tokens[-1] in STOP_WORDS or tokens[0] == "THE":
            tokens = tokens[:-1] if tokens[-1] in STOP_WORDS else tokens[1:]
            changed = True
            continue
        if (found := _form_at(tokens, end=True)) is not None:
            tokens = tokens[: -found[0]]
            forms.insert(0, found[1])
            changed = True
        elif (found := _form_at(tokens, end=False)) is not None:
            tokens = tokens[found[0] :]
            leading.append(found[1])
            changed = True
    if tokens and _HAN_RE.search(tokens[-1]):
        tokens[-1] = _strip_han_form(tokens[-1], forms)
    if tokens and _HAN_RE.search(tokens[0]):
        tokens[0] = _strip_han_form(tokens[0], leading)
    return tokens, leading + forms, bracketed


# Names parsed so far: a plain dict (not lru_cache) so that names parsed by a helper process
# can be added (see ``parallel.py``).
_PARSED: dict[str, ParsedName] = {}
_PARSED_LIMIT = 200_000


def parse_name(name: str) -> ParsedName:
    """A name taken apart (see the module docstring); applied until it no longer changes."""
    parsed = _PARSED.get(name)
    if parsed is None:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        parsed = _PARSED[name] = _parse_name(name)
    return parsed


def remember_parsed(parsed: ParsedName) -> None:
    """Keep a name parsed elsewhere (by a helper process), as :func:`parse_name` would."""
    if len(_PARSED) < _PARSED_LIMIT:
        _PARSED.setdefault(parsed.text, parsed)


def _parse_name(name: str) -> ParsedName:
    tokens, forms, bracketed = _parse_once(name)
    for _ in range(4):
        again, more, _none = _parse_once(" ".join(tokens))
        if again == tokens:
            break
        tokens, forms = again, forms + more
    qualifiers = frozenset(token for token in tokens if token in bracketed)
    return ParsedName(name, tuple(tokens), tuple(forms), qualifiers)


def normalize_name(name: str) -> str:
    """The matching key of a company or security name (see the module docstring)."""
    return parse_name(name).key


def full_key(name: str) -> str:
    """The matching key with the canonical legal forms kept (see :attr:`ParsedName.full_key`)."""
    return parse_name(name).full_key


def is_bond_description(name: str) -> bool:
    """Whether a name is a bond described as ``TICKER coupon maturity`` (``CNOOC 7 ½ 07/30/39``)."""
    text = unicodedata.normalize("NFKC", name).replace("\u2044", "/").upper()
    return bool(_BOND_TAIL_RE.search(text))


def han_core(token: str) -> str:
    """A Chinese word without its generic parts: 中国移动 -> 移动, 商汤集团 -> 商汤."""
    for generic in _HAN_GENERIC:
        token = token.replace(generic, "")
    return token


def core_tokens(key: str) -> tuple[str, ...]:
    """The distinctive tokens of a normalised key: stop and generic words removed.

    For a Chinese key (one glued token) the generic words are removed as substrings, so
    中国移动 -> 移动 and 商汤集团 -> 商汤.
    """
    tokens = key.split()
    if len(tokens) == 1 and _HAN_RE.search(tokens[0]):
        word = han_core(tokens[0])
        return (word,) if word else ()
    return tuple(
        token for token in tokens if word_kind(token) in (WordKind.DISTINCTIVE, WordKind.NUMBER)
    )
