"""Cell values as a person sees them, and the numbers and identifiers inside them.

Pure functions, no I/O. Readers turn every cell into *display text* (``str``) or ``None`` with
:func:`render`; everything after that (table finding, roles, row classes) works on text only,
so an ``.xlsx`` float, an ``.xls`` serial date and a CSV field all look alike downstream.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from portfolio_check.identifiers import CUSIP, FORMATS, ISIN, SEDOL
from portfolio_check.vocabulary import vocabulary

# Characters that make a cell look filled but are not content (NBSP from web exports, BOM,
# zero-width space).
_INVISIBLE = "\u00a0\ufeff\u200b\u3000"
_STRIP = " \t\r\n" + _INVISIBLE


# Excel's limit on one cell's characters: a longer text could not reach the report whole, so
# every output (workbook, CSV, Parquet, JSON, page) gets the same cut text, marked as cut.
MAX_CELL_CHARS = 32_767
_CUT_MARKER = " [cut: {n:,} characters in all]"
_cuts = [0]


def clean_text(text: str) -> str | None:
    """Strip whitespace (including NBSP/BOM); ``None`` when nothing is left; a text over
    :data:`MAX_CELL_CHARS` is cut (:func:`cut_text`)."""
    stripped = text.strip(_STRIP)
    if len(stripped) > MAX_CELL_CHARS:
        return cut_text(stripped)
    return stripped or None


def clean_texts(texts: list[str]) -> list[str | None]:
    """:func:`clean_text` of each text; a text that needs no cleaning is the same object
    (``str.strip`` gives back the text it did not change), so that a caller can tell nothing
    changed without comparing texts."""
    stripped = [t.strip(_STRIP) for t in texts]
    if stripped and max(map(len, stripped)) > MAX_CELL_CHARS:
        return [clean_text(t) for t in texts]  # over-long texts: the rule in full
    if "" in stripped:
        return [t or None for t in stripped]
    return list(stripped)


def clean_dictionary(dictionary: Any) -> tuple[list[str], list[str | None], np.ndarray]:
    """An Arrow string array's texts, :func:`clean_texts` of them, and per text whether its
    cleaned text is the text itself (the same object).

    Arrow finds the texts that need cleaning (surrounding whitespace or invisible characters,
    empty, or too long) and only those are cleaned in Python: a million-row file's amount
    column holds 800,000 distinct texts, almost none with anything to strip (0.17 s in
    Python for a file's columns, against a few milliseconds).
    """
    import pyarrow.compute as pc

    texts: list[str] = dictionary.to_pylist()
    if not texts:
        return texts, [], np.zeros(0, dtype=bool)
    trimmed = pc.utf8_trim(dictionary, characters=_STRIP)
    lengths = pc.utf8_length(trimmed)
    needs = pc.or_(
        pc.not_equal(trimmed, dictionary),
        pc.or_(pc.equal(lengths, 0), pc.greater(lengths, MAX_CELL_CHARS)),
    )
    at = np.flatnonzero(needs.to_numpy(zero_copy_only=False))
    cleaned: list[str | None] = list(texts)
    for k in at.tolist():
        cleaned[k] = clean_text(texts[k])
    same = np.ones(len(texts), dtype=bool)
    same[at] = False
    return texts, cleaned, same


def cut_text(text: str) -> str:
    """``text`` cut to :data:`MAX_CELL_CHARS` characters, ending with a marker saying so."""
    marker = _CUT_MARKER.format(n=len(text))
    _cuts[0] += 1
    return text[: MAX_CELL_CHARS - len(marker)] + marker


def cuts_made() -> int:
    """How many texts :func:`cut_text` has cut in this process (readers compare counts)."""
    return _cuts[0]


def was_cut(value: object) -> bool:
    """Whether ``value`` is a text :func:`cut_text` made."""
    return (
        isinstance(value, str)
        and len(value) == MAX_CELL_CHARS
        and value.endswith(" characters in all]")
        and " [cut: " in value[-60:]
    )


def clean_column(column: pd.Series | np.ndarray) -> np.ndarray:
    """:func:`clean_text` over a column of strings (each distinct value cleaned once)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = [clean_text(u) if isinstance(u, str) else None for u in uniques]
    lookup = np.array([*cleaned, None], dtype=object)
    return lookup[codes]


def render_float(value: float) -> str | None:
    """A float without float noise: ``125000.0`` -> ``125000``, ``1e-05`` -> ``0.00001``."""
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def render(value: object) -> str | None:
    """Display text of one cell value from openpyxl/xlrd/pandas; ``None`` for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return render_float(float(value))
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        pass
    return clean_text(str(value))


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

# Texts that mean "no value" and are not worth an input issue: Bloomberg's #N/A family,
# dashes that iShares writes for nothing, N.A. from custodians.
NULL_LIKE = re.compile(
    r"^(?:#N/?A\b.*|N/?A|N\.A\.?|NA|NIL|NULL|NONE|NAN|-+|[\u2013\u2014]|\.|\*+)$",
    re.IGNORECASE,
)
_THOUSANDS_COMMA = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"
_THOUSANDS_DOT = r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$"
_DECIMAL_COMMA = r"^[+-]?\d+,\d{1,2}$"
_PLAIN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def is_null_like(text: str) -> bool:
    """True for a text that stands for a missing value (``#N/A``, ``-``, ``N.A.``)."""
    return NULL_LIKE.match(text) is not None


# Numbers only the European convention reads (``1.234,5``, ``12,5``) and only the English
# one reads (``1,234.5``, ``3.25``); ``1.234`` and ``1,234`` are either.
_EUROPEAN_ONLY = re.compile(r"^[+-]?\(?(?:\d{1,3}(?:\.\d{3})+,\d+|\d+,(?:\d{1,2}|\d{4,}))\)?$")
_ENGLISH_ONLY = re.compile(r"^[+-]?\(?(?:\d{1,3}(?:,\d{3})+\.\d+|\d*\.(?:\d{1,2}|\d{4,}))\)?$")
_EUROPEAN_NUMBER = re.compile(r"^[+-]?\(?\d{1,3}(?:\.\d{3})*(?:,\d+)?\)?$|^[+-]?\(?\d+,\d+\)?$")
# Values of a column looked at to tell its number convention.
STYLE_SAMPLE = 2000


def first_present(column: pd.Series, count: int) -> list[object]:
    """``column.dropna().head(count).tolist()`` without testing a million cells for the first
    few: the head is searched in growing windows."""
    window = max(count, 1) * 4
    while True:
        found = column.iloc[:window].dropna()
        if len(found) >= count or window >= len(column):
            return found.head(count).tolist()
        window *= 8


def decimal_comma_style(columns: Sequence[pd.Series]) -> bool:
    """Whether amount columns write numbers the European way: some sampled text reads only
    as ``1.234,5`` / ``12,5`` and none only as ``1,234.5`` / ``3.25``.

    Then ``1.234`` in the same table is 1234, not 1.234 (a ';' export from a German Excel).
    """
    european = english = False
    for column in columns:
        for text in first_present(column, STYLE_SAMPLE):
            if not isinstance(text, str):
                continue
            t = text.replace(" ", "").replace("\u00a0", "")
            european = european or _EUROPEAN_ONLY.match(t) is not None
            english = english or _ENGLISH_ONLY.match(t) is not None
    return european and not english


def _from_european(texts: pd.Series) -> pd.Series:
    """``1.234,5`` -> ``1234.5`` for the texts written that way; others unchanged."""
    s = texts.astype(object)
    text = s.where(s.map(lambda v: isinstance(v, str)), None).astype("string")
    squeezed = text.str.replace(r"[\s\u00a0]", "", regex=True)
    mask = squeezed.str.match(_EUROPEAN_NUMBER.pattern).fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        return s
    converted = squeezed[mask].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    out = s.copy()
    out[mask] = converted.astype(object).to_numpy()
    return out


def parse_numbers(
    texts: pd.Series, *, decimal_comma: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Parse display texts into floats, vectorised.

    Returns ``(values, junk)``: ``values`` is NaN where there is no number; ``junk`` is True
    where the text is neither a number nor a recognised "no value" marker, i.e. where an
    input issue is due. Handles ``1,234.5``, ``1.234,5``, ``(1,234)``, ``-``, ``#N/A ...``;
    a trailing ``%`` is not a quantity and counts as junk. With ``decimal_comma`` (see
    :func:`decimal_comma_style`), ``1.234`` is 1234.
    """
    values, junk = _parse_numbers(texts, decimal_comma=decimal_comma)
    # "inf", "1e309", "-Infinity": a number no holding has; an input issue, never a value
    infinite = np.isinf(values)
    if infinite.any():
        values[infinite] = np.nan
        junk[infinite] = True
    return values, junk


def _parse_numbers(texts: pd.Series, *, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray]:
    s = _from_european(texts) if decimal_comma else texts.astype(object)
    n = len(s)
    values = np.full(n, np.nan)
    junk = np.zeros(n, dtype=bool)
    present = s.notna().to_numpy(dtype=bool)
    if not present.any():
        return values, junk
    # fast path: plain numbers ("125000", "-3.5", "1e6") via pandas' C parser
    plain = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    plain_ok = ~np.isnan(plain) & present
    values[plain_ok] = plain[plain_ok]
    rest = np.flatnonzero(present & ~plain_ok)
    if len(rest) == 0:
        return values, junk
    # thousands separators "1,234,567.89": one vectorised pass
    sub = s.iloc[rest].astype(str)
    comma = sub.str.match(_THOUSANDS_COMMA).to_numpy(dtype=bool)
    if comma.any():
        parsed = pd.to_numeric(
            sub[comma].str.replace(",", "", regex=False), errors="coerce"
        ).to_numpy(dtype=float)
        values[rest[comma]] = parsed
        rest, sub = rest[~comma], sub[~comma]
    # everything else, one distinct text at a time (a column of "-" or "n/a" repeats them)
    if len(rest):
        codes, uniques = pd.factorize(sub.to_numpy(dtype=object))
        parsed_unique = np.full(len(uniques), np.nan)
        junk_unique = np.zeros(len(uniques), dtype=bool)
        for k, text in enumerate(uniques.tolist()):
            value = parse_number(text) if _NUMBER_CHARACTERS.fullmatch(text) else None
            if value is not None:
                parsed_unique[k] = value
            elif not is_null_like(text.strip()):
                junk_unique[k] = True
        values[rest] = parsed_unique[codes]
        junk[rest] = junk_unique[codes]
    return values, junk


# The characters a number is written with (digits, sign, separators, exponent, parentheses,
# spaces and apostrophes as thousands marks), one digit at least: a text with any other is no
# number. One small pattern says so for most texts; parse_number's five then run on the rest.
_NUMBER_CHARACTERS = re.compile(r"[\s'\u2019(),.+\-eE]*\d[\d\s'\u2019(),.+\-eE]*")


# parse_number's patterns compiled once: it runs once per distinct text of every column
_SPACES_AND_MARKS = re.compile(r"[\s\u00a0'\u2019]")
_THOUSANDS_COMMA_RE = re.compile(_THOUSANDS_COMMA)
_THOUSANDS_DOT_RE = re.compile(_THOUSANDS_DOT)
_DECIMAL_COMMA_RE = re.compile(_DECIMAL_COMMA)
_PLAIN_RE = re.compile(_PLAIN)


def parse_number(text: str) -> float | None:
    """Scalar twin of :func:`parse_numbers` for one display text; ``None`` if not a number."""
    t = _SPACES_AND_MARKS.sub("", text)
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1]
    if _THOUSANDS_COMMA_RE.match(t):
        t = t.replace(",", "")
    elif _THOUSANDS_DOT_RE.match(t) and not _PLAIN_RE.match(t):
        t = t.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA_RE.match(t):
        t = t.replace(",", ".")
    if not _PLAIN_RE.match(t):
        return None
    value = float(t)
    if not math.isfinite(value):
        return None
    return -value if negative else value


def looks_numeric(text: str) -> bool:
    """True when one display text is a number (with the same rules as :func:`parse_numbers`)."""
    return _NUMBER_CHARACTERS.fullmatch(text) is not None and parse_number(text) is not None


# --------------------------------------------------------------------------------------------
# Identifier shapes: the formats of portfolio_check.identifiers, the one validator
# --------------------------------------------------------------------------------------------

ISIN_SHAPE = ISIN.shape
CUSIP_SHAPE = CUSIP.shape
SEDOL_SHAPE = SEDOL.shape
# Bloomberg "941 HK", "000603 C2", "VNET US", "941 HK Equity"; Refinitiv "0941.HK";
# FactSet "0941-HK"; prefixed "XHKG:0941".
BLOOMBERG_TICKER = re.compile(
    r"^[A-Z0-9][A-Z0-9./\-]{0,11} [A-Z][A-Z0-9](?: (?:EQUITY|CORP|GOVT|INDEX|COMDTY|CURNCY|MTGE|"
    r"MUNI|PFD))?$",
    re.IGNORECASE,
)
RIC_TICKER = re.compile(r"^[A-Z0-9]{1,10}[.\-][A-Z]{1,3}$")
PREFIXED_TICKER = re.compile(r"^[A-Z]{2,4}:[A-Z0-9.]{1,10}$")
# A code in a ticker/identifier cell: short, no lower-case prose, one or two parts.
CODE_SHAPE = re.compile(r"^\.?[A-Z0-9][A-Z0-9./:\-]*(?: [A-Z0-9./:\-]+)?$", re.IGNORECASE)
MIC_SHAPE = re.compile(r"^X[A-Z]{3}$")


is_isin = ISIN.is_valid
is_cusip = CUSIP.is_valid
is_sedol = SEDOL.is_valid


def check_digits_ok(codes: Sequence[str], kind: str) -> np.ndarray:
    """Per code of the shape of ``kind`` (isin, cusip, sedol), whether its check digit holds."""
    return FORMATS[kind].check_digits_ok(codes)


def is_ticker(text: str) -> bool:
    """A ticker written with its market (Bloomberg, Refinitiv, FactSet or prefixed form)."""
    return (
        BLOOMBERG_TICKER.match(text) is not None
        or RIC_TICKER.match(text) is not None
        or PREFIXED_TICKER.match(text) is not None
    )


def looks_like_code(text: str) -> bool:
    """True for text that can be a security code (not prose such as ``Top Level``)."""
    if len(text) > 30 or is_null_like(text):
        return False
    if is_ticker(text):
        return True
    if CODE_SHAPE.match(text) is None:
        return False
    return any(ch.isdigit() for ch in text) or text.upper() == text


# Currency codes and names (cash lines are often named by one): ``vocabularies/currencies.csv``.
_CURRENCIES = vocabulary("currencies.csv", ("text", "kind"))
CURRENCY_CODES = frozenset(
    e["text"] for e in _CURRENCIES if e.one_of("kind", ("code", "name")) == "code"
)
CURRENCY_NAMES = frozenset(e["text"] for e in _CURRENCIES if e["kind"] == "name")
