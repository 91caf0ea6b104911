"""Company-name normalisation: pure functions, no I/O.

A name goes through these steps, in this order, each for a reason:

1. Unicode NFKC, so full-width ``ＳＥＮＳＥＴＩＭＥ`` and ``（`` become ASCII.
2. Traditional to simplified Chinese (OpenCC ``t2s``): 商湯集團 and 商汤集团 are one name.
3. Upper case; ``&`` -> ``AND``; apostrophes dropped (``MOODY'S`` -> ``MOODYS``).
4. Instrument words removed: share lines (``-H``, ``-A``, ``CL B``, ``-W``, ``-SW``, ``-R``),
   depositary receipts (``ADR``, ``SPON ADR``), ``COMMON STOCK HKD 0``, ``H SHS``, and the
   coupon / maturity tail of a bond description (``CNOOC 7 ½ 07/30/39`` -> ``CNOOC``).
5. Punctuation to spaces; then legal forms dropped from the end of the name (English,
   European and Asian forms, and Chinese ones, glued or spaced: 股份有限公司, 有限公司).

The result is the *key* used for exact matching. :func:`core_tokens` further drops generic words
(group, holding, international, China, ...) which must never carry a match on their own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")

# Legal forms, compared as whole trailing tokens after punctuation is gone. Multi-word forms
# are listed as token tuples; the longest is removed first and removal repeats
# ("CO LTD", "CORPORATION LIMITED").
_LEGAL_FORMS_LATIN: tuple[tuple[str, ...], ...] = tuple(
    tuple(form.split())
    for form in (
        "LIMITED",
        "LTD",
        "LTDA",
        "INC",
        "INCORPORATED",
        "CORP",
        "CORPORATION",
        "CO",
        "COMPANY",
        "PLC",
        "LLC",
        "LLP",
        "LP",
        "L P",
        "SA",
        "S A",
        "AG",
        "GMBH",
        "NV",
        "N V",
        "BV",
        "B V",
        "SPA",
        "S P A",
        "SRL",
        "SAS",
        "AB",
        "ASA",
        "AS",
        "OYJ",
        "KK",
        "K K",
        "PTE",
        "PT",
        "TBK",
        "BHD",
        "SDN BHD",
        "PJSC",
        "OJSC",
        "JSC",
        "PCL",
        "SE",
        "JOINT STOCK COMPANY",
        "PUBLIC LIMITED COMPANY",
        "COMPANY LIMITED",
    )
)
_LEGAL_FORMS_CHINESE: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "公司",
)

# Words that say nothing about which company it is. A match resting only on these is no match.
GENERIC_WORDS: frozenset[str] = frozenset(
    {
        "GROUP",
        "GRP",
        "HOLDING",
        "HOLDINGS",
        "HLDGS",
        "HLDG",
        "INTERNATIONAL",
        "INTL",
        "CHINA",
        "CHINESE",
        "NATIONAL",
        "THE",
        "OF",
        "AND",
        "TECHNOLOGY",
        "TECHNOLOGIES",
        "TECH",
        "INDUSTRY",
        "INDUSTRIES",
        "INDUSTRIAL",
        "DEVELOPMENT",
        "HONG",
        "KONG",
        "SHARES",
        "CO",
        "集团",
        "控股",
        "中国",
        "国际",
    }
)

_SHARE_LINE_SUFFIX_RE = re.compile(
    r"""
    \s*[-–]\s*(?:
        H|A|B|W|SW|S|R|WR|SWR|P|U|RTS|DRC|
        CL\s*[A-Z]|CLASS\s*[A-Z]|SPN\s*ADR|SPON\s*ADR|ADR|GDR
    )\s*$
    """,
    re.VERBOSE,
)
_INSTRUMENT_WORDS_RE = re.compile(
    r"""
    \b(?:
        SPONSORED\s+ADR|SPON\s+ADR|SPN\s+ADR|UNSPONS(?:ORED)?\s+ADR|ADRS?|GDRS?|ADS|
        COMMON\s+STOCK(?:\s+[A-Z]{3}\s*[\d.]+)?|ORD(?:INARY)?\s+SHS?|ORDINARY\s+SHARES?|
        [AHBN]\s+SHS|[AHBN]\s+SHARES|CL(?:ASS)?\s+[A-Z]|REG\s*S|144A
    )\b
    """,
    re.VERBOSE,
)
# Bond descriptions "ISSUER coupon maturity": 7 ½, 4.375, 3 1/8 and the date that follows.
_BOND_TAIL_RE = re.compile(
    r"""\s+\d+(?:\.\d+)?(?:\s*\d/\d{1,2})?\s+
        (?:\d{1,2}/\d{1,2}/\d{2,4}|PERP|\d{4}-\d{2}-\d{2}).*$""",
    re.VERBOSE,
)
_PUNCT_RE = re.compile(r"[^\w\u4e00-\u9fff]+")
_SPACE_RE = re.compile(r"\s+")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified (no-op on other scripts)."""
    return str(_T2S.convert(text)) if _HAN_RE.search(text) else text


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in sorted(_LEGAL_FORMS_LATIN, key=len, reverse=True):
            if len(tokens) > len(form) and tuple(tokens[-len(form) :]) == form:
                tokens = tokens[: -len(form)]
                changed = True
                break
    # Chinese legal forms are glued to the name: strip them from the last token.
    if tokens:
        last = tokens[-1]
        for suffix in _LEGAL_FORMS_CHINESE:
            if last.endswith(suffix) and len(last) > len(suffix):
                tokens[-1] = last[: -len(suffix)]
                break
    return tokens


@lru_cache(maxsize=200_000)
def normalize_name(name: str) -> str:
    """The matching key of a company or security name (see the module docstring)."""
    # NFKC writes ½ as "1⁄2" with a fraction slash; make it a plain "1/2" for the bond rule.
    text = unicodedata.normalize("NFKC", name).replace("\u2044", "/")
    text = to_simplified(text).upper()
    text = text.replace("&", " AND ").replace("'", "").replace("’", "")
    text = _BOND_TAIL_RE.sub("", text)
    text = _SHARE_LINE_SUFFIX_RE.sub("", text)
    text = _INSTRUMENT_WORDS_RE.sub(" ", text)
    text = _PUNCT_RE.sub(" ", text).replace("_", " ")
    tokens = _SPACE_RE.split(text.strip())
    tokens = [token for token in tokens if token]
    # Spaced Chinese ("商汤集团 股份有限公司") is joined so glued and spaced forms agree.
    if len(tokens) > 1 and all(_HAN_RE.search(token) for token in tokens):
        tokens = ["".join(tokens)]
    return " ".join(_strip_legal_forms(tokens))


def is_bond_description(name: str) -> bool:
    """Whether a name is a bond described as ``TICKER coupon maturity`` (``CNOOC 7 ½ 07/30/39``)."""
    text = unicodedata.normalize("NFKC", name).replace("\u2044", "/").upper()
    return bool(_BOND_TAIL_RE.search(text))


def core_tokens(key: str) -> tuple[str, ...]:
    """The distinctive tokens of a normalised key: generic words removed.

    For a Chinese key (one glued token) the generic words are removed as substrings, so
    中国移动 -> 移动 and 商汤集团 -> 商汤.
    """
    tokens = key.split()
    if len(tokens) == 1 and _HAN_RE.search(tokens[0]):
        word = tokens[0]
        for generic in ("集团", "控股", "中国", "国际"):
            word = word.replace(generic, "")
        return (word,) if word else ()
    return tuple(token for token in tokens if token not in GENERIC_WORDS)


def is_han(text: str) -> bool:
    """Whether the text contains Chinese characters."""
    return bool(_HAN_RE.search(text))
