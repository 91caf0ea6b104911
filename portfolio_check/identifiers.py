"""Security identifiers: validation of ISIN/CUSIP/SEDOL and parsing of exchange tickers.

Pure functions, no I/O. Check digits are python-stdnum's; what this module adds is the
knowledge of how tickers appear in holdings files and published lists:

* Bloomberg: ``941 HK``, ``941 HK Equity``, ``600941 CH``, ``CHL US``;
* Refinitiv / Yahoo: ``0941.HK``, ``601728.SS``, ``000728.SZ``;
* FactSet: ``0941-HK``; prefixed forms ``XHKG:0941``, ``HK:941``;
* a bare local code with an exchange column (``00941`` + ``XHKG`` / ``HK`` / ``HKEX``);
* OFAC's own flawed forms ``603019CN`` and ``601698  CN``.

A ticker is reduced to a :class:`Ticker` of (market, code): ``market`` is an ISO 10383 MIC
where we know the exchange (XHKG, XSHG, XSHE, and any market of the ISO list: XTKS, XLON), the
US composite ``US``, otherwise ``BBG:<code>`` naming the Bloomberg exchange code we saw, so that
``CHL US`` and ``CHL XX`` stay distinct. Exchange words are resolved with the shipped ISO 10383
master (``reference/masters/mic.csv``, read once, on first use: the one file this module reads).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stdnum import cusip as _cusip
from stdnum import isin as _isin
from stdnum.gb import sedol as _sedol

from portfolio_check.vocabulary import vocabulary

if TYPE_CHECKING:
    import numpy as np

HONG_KONG = "XHKG"
SHANGHAI = "XSHG"
SHENZHEN = "XSHE"
# Bloomberg's composite code for mainland China A-shares; the code's prefix tells the venue.
CHINA_COMPOSITE = "CN-A"
UNITED_STATES = "US"

# A board or channel both the mainland exchanges and Hong Kong have (主板 "main board", the
# traditional 創業板 for ChiNext and for HKEX's GEM, 沪港通 for either direction of Stock
# Connect): the code's own notation decides, six digits a mainland venue by range, five
# digits (zero-padded) HKEX; anything else is not guessed (see ``make_ticker``).
CHINA_OR_HONG_KONG = "CN-HK"
# Markets whose local codes are numbers: a letter code is never a line there.
_NUMERIC_MARKETS = frozenset({HONG_KONG, SHANGHAI, SHENZHEN, CHINA_COMPOSITE, CHINA_OR_HONG_KONG})

# Exchange words as they appear in ticker suffixes and exchange columns -> market
# (``vocabularies/exchange_aliases.csv``, with their sources). Keys are
# compared after ``_exchange_key`` (upper case, full-width folded, single spaces, "&" -> AND)
# and again after ``_name_key`` (punctuation and trailing legal forms dropped). Beyond these,
# every MIC, market name and acronym of the ISO 10383 list (``reference/masters/mic.csv``)
# resolves: see ``exchange_to_market``.
# OFAC writes A-share tickers with "CN", which Bloomberg uses for Canada: a six-digit numeric
# code settles it (Canadian tickers are letters), see ``_china_market``.
_EXCHANGE_ALIASES: dict[str, str] = {
    e["alias"]: e["market"] for e in vocabulary("exchange_aliases.csv", ("alias", "market"))
}

# Bloomberg "yellow keys" that may follow a ticker; only Equity names a share line.
_YELLOW_KEYS = ("EQUITY", "CORP", "GOVT", "MTGE", "MUNI", "PFD", "COMDTY", "INDEX", "CURNCY")

_SPACE_RE = re.compile(r"\s+")
_DOT_OR_DASH_RE = re.compile(r"^(?P<code>[A-Z0-9]{1,12})[.\-](?P<exch>[A-Z]{1,4})$")
_PREFIX_RE = re.compile(r"^(?P<exch>[A-Z]{2,4}):(?P<code>[A-Z0-9]{1,12})$")
_SPACED_RE = re.compile(r"^(?P<code>[A-Z0-9/.]{1,12}) +(?P<exch>[A-Z][A-Z0-9]{1,3})$")
_GLUED_CN_RE = re.compile(r"^(?P<code>\d{6})(?P<exch>CN|CH)$")
_DIGITS_RE = re.compile(r"^\d{1,6}$")
_ISIN_LIKE_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{8,11}$")
_LETTER_CODE_RE = re.compile(r"^[A-Z][A-Z0-9.]{0,9}$")


@dataclass(frozen=True, order=True)
class Ticker:
    """An exchange line: ``market`` (a MIC, or ``BBG:XX``) and the local ``code``."""

    code: str
    market: str

    def __str__(self) -> str:
        return f"{self.code} {self.market}"


def _compact(value: object) -> str:
    # NFKC folds full-width characters (ＨＫ０９４１…) to ASCII first
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", str(value))).upper()


class IdentifierFormat:
    """One identifier format: its shape, its check digit and its validator — the only ones.

    The reader (recognising columns by content, reporting bad check digits as Input issues)
    and resolution (normalising what a holding gives) use these same classes, so a code is
    valid in one place exactly when it is in the other.
    """

    kind: ClassVar[str]
    title: ClassVar[str]
    width: ClassVar[int]
    shape: ClassVar[re.Pattern[str]]

    @classmethod
    def has_shape(cls, text: str) -> bool:
        """Whether ``text`` (already compact, upper case) is written like this format."""
        return cls.shape.match(text) is not None

    @classmethod
    def checks(cls, text: str) -> bool:
        """Whether a code of the right shape passes the format's full validation."""
        raise NotImplementedError

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """Shape and check digit (and the format's other rules) hold for ``text`` as written."""
        return cls.has_shape(text) and cls.checks(text)

    @classmethod
    def normalize(cls, value: object) -> str | None:
        """The code in canonical form (spaces and full-width forms folded) if valid, else None."""
        if value is None:
            return None
        text = _compact(value)
        return text if cls.is_valid(text) else None

    @classmethod
    def check_digits_ok(cls, codes: Sequence[str]) -> np.ndarray:
        """Per code of this format's shape, whether its check digit holds; vectorised (numpy)
        for a column's distinct codes. Only the check digit: :meth:`is_valid` does the rest."""
        raise NotImplementedError


def _char_values(codes: Sequence[str], width: int) -> np.ndarray:
    """Codes of ``width`` characters [0-9A-Z] as a (n, width) array of 0-35 values."""
    # numpy only here: the reader checks whole columns; a pre-trade answer never loads it
    import numpy as np

    raw = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(-1, width)
    values = raw.astype(np.int64)
    return np.where(values >= 65, values - 55, values - 48)


class ISIN(IdentifierFormat):
    """ISO 6166: two letters of country, nine characters of national number, a Luhn digit."""

    kind, title, width = "isin", "ISIN", 12
    shape = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}\d$")

    @classmethod
    def checks(cls, text: str) -> bool:
        return _isin_checks(text)

    @classmethod
    def check_digits_ok(cls, codes: Sequence[str]) -> np.ndarray:
        import numpy as np

        n = len(codes)
        if n == 0:
            return np.zeros(0, dtype=bool)
        v = _char_values(codes, cls.width)
        # letters are two digits (A = 10): Luhn over the expanded digit string
        ndig = np.where(v >= 10, 2, 1)
        # position from the right (0-based) of each character's last digit
        after = np.cumsum(ndig[:, ::-1], axis=1)[:, ::-1] - ndig
        total = np.zeros(n, dtype=np.int64)
        for digit, pos in ((v % 10, after), (v // 10, after + 1)):
            present = (pos == after) | (v >= 10)
            d = np.where(pos % 2 == 1, digit * 2, digit)
            d = np.where(d > 9, d - 9, d)
            total += np.where(present, d, 0).sum(axis=1)
        ok: np.ndarray = total % 10 == 0
        return ok


@lru_cache(maxsize=65536)
def _isin_checks(text: str) -> bool:
    # One security's ISIN is validated at several steps (cached), and a firm's book holds tens
    # of thousands: python-stdnum's rules (a known country prefix, the Luhn digit over the
    # letters as numbers) are applied here in 2-3 us against its 10 us (0.2 s for 19,000
    # distinct ISINs); the prefixes are python-stdnum's own, asked once each. Anything not of
    # the ISIN's shape exactly (fullmatch: the shape's "$" also passes a trailing line end) is
    # left to python-stdnum whole (tests/core: equal on generated codes).
    if ISIN.shape.fullmatch(text) is None:
        return bool(_isin.is_valid(text))
    return _isin_prefix_known(text[:2]) and _luhn_ok("".join(map(_ISIN_DIGITS.__getitem__, text)))


# Each ISIN character as the digits the check sums (A = 10 ... Z = 35).
_ISIN_DIGITS = {c: str(int(c, 36)) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
# The Luhn sum's part for a digit in a doubled place.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


@cache
def _isin_prefix_known(prefix: str) -> bool:
    """Whether python-stdnum takes ``prefix`` as an ISIN's country: asked with a code of that
    prefix whose check digit is right, so that only the prefix can fail."""
    body = prefix + "000000000"
    return bool(_isin.is_valid(body + _isin.calc_check_digit(body)))


def _luhn_ok(digits: str) -> bool:
    """The Luhn check over a string of digits (its last digit the check digit)."""
    values = [ord(c) - 48 for c in reversed(digits)]
    return (sum(values[0::2]) + sum(_DOUBLED[d] for d in values[1::2])) % 10 == 0


class CUSIP(IdentifierFormat):
    """CUSIP (and CINS, whose first character is a letter): eight characters, a check digit.
    Nine equal digits (``000000000``) are a placeholder, not a CUSIP."""

    kind, title, width = "cusip", "CUSIP", 9
    shape = re.compile(r"^[0-9A-Z]{8}\d$")

    @classmethod
    def checks(cls, text: str) -> bool:
        return not (text.isdigit() and len(set(text)) == 1) and bool(_cusip.is_valid(text))

    @classmethod
    def check_digits_ok(cls, codes: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not codes:
            return np.zeros(0, dtype=bool)
        v = _char_values(codes, cls.width)
        body = v[:, :8] * np.array([1, 2, 1, 2, 1, 2, 1, 2])
        total = (body // 10 + body % 10).sum(axis=1)
        ok: np.ndarray = (10 - total % 10) % 10 == v[:, 8]
        return ok


class SEDOL(IdentifierFormat):
    """SEDOL: six characters (no vowels), a weighted check digit."""

    kind, title, width = "sedol", "SEDOL", 7
    shape = re.compile(r"^[0-9BCDFGHJKLMNPQRSTVWXYZ]{6}\d$")

    @classmethod
    def checks(cls, text: str) -> bool:
        return bool(_sedol.is_valid(text))

    @classmethod
    def check_digits_ok(cls, codes: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not codes:
            return np.zeros(0, dtype=bool)
        v = _char_values(codes, cls.width)
        total = (v[:, :6] * np.array([1, 3, 1, 7, 3, 9])).sum(axis=1)
        ok: np.ndarray = (10 - total % 10) % 10 == v[:, 6]
        return ok


FORMATS: dict[str, type[IdentifierFormat]] = {f.kind: f for f in (ISIN, CUSIP, SEDOL)}


def normalize_isin(value: object) -> str | None:
    """The ISIN in canonical form if ``value`` is a valid ISIN (check digit included), else None."""
    if value is None:
        return None
    return _normalized_isin(str(value))


@lru_cache(maxsize=65536)
def _normalized_isin(value: str) -> str | None:
    return ISIN.normalize(value)


def normalize_cusip(value: object) -> str | None:
    """The CUSIP if ``value`` is a valid 9-character CUSIP (or CINS), else None."""
    return CUSIP.normalize(value)


def normalize_sedol(value: object) -> str | None:
    """The SEDOL if ``value`` is a valid 7-character SEDOL, else None."""
    return SEDOL.normalize(value)


_LEGAL_FORMS = frozenset(
    {"INC", "LTD", "LIMITED", "PLC", "AG", "SA", "SPA", "NV", "ASA", "AB", "CORP"}
    | {"CORPORATION", "CO", "LLC", "GMBH", "KK", "BHD", "PCL"}
)
_PUNCTUATION_RE = re.compile(r"[.,;:()\[\]'\"/\\_\-\u2013\u2014\uff08\uff09\u3001]+")


def _exchange_key(text: str) -> str:
    """Upper case, full-width forms folded (NFKC), single spaces, ``&`` as AND, no final dot."""
    t = unicodedata.normalize("NFKC", text)
    t = _SPACE_RE.sub(" ", t).strip().upper().replace("&", "AND")
    return t.rstrip(".").strip()


def _name_key(text: str) -> str:
    """A market name's words without punctuation, a leading THE or trailing legal forms."""
    words = _PUNCTUATION_RE.sub(" ", _exchange_key(text)).split()
    if words and words[0] == "THE" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def _alias_index() -> dict[str, str]:
    index = {_exchange_key(k): v for k, v in _EXCHANGE_ALIASES.items()}
    for key, market in _EXCHANGE_ALIASES.items():
        index.setdefault(_name_key(key), market)
    return index


_ALIASES = _alias_index()
# ISO 10383 MICs that the checker reads as another market: HKEX's GEM and its Stock Connect
# segments (whose securities are Shanghai and Shenzhen lines), and the mainland exchanges'
# Stock Connect segments.
_MIC_MARKETS = {"SHSC": SHANGHAI, "SZSC": SHENZHEN}
_MODELLED_OPERATORS = frozenset({HONG_KONG, SHANGHAI, SHENZHEN})
# Acronyms shorter than this are not looked up in the ISO list (two letters are Bloomberg's).
_MIN_ACRONYM = 3


def _market_of_mic(mic: str, operating_mic: str, country: str) -> str:
    """The market an ISO 10383 MIC stands for: the modelled exchanges and the US composite,
    otherwise the MIC itself (``XTKS`` stays ``XTKS``, not its operator ``XJPX``)."""
    if mic in _MIC_MARKETS:
        return _MIC_MARKETS[mic]
    if mic in _MODELLED_OPERATORS:
        return mic
    if operating_mic in _MODELLED_OPERATORS:
        return operating_mic
    if country == "US":
        return UNITED_STATES
    return mic


@dataclass(frozen=True)
class _MicIndex:
    codes: dict[str, str]  # MIC or operating MIC -> market
    exact: dict[str, str]  # a market name or acronym as written -> market (unambiguous)
    names: dict[str, str]  # the same by ``_name_key`` (legal forms dropped; unambiguous)


def _mic_master_path() -> Path:
    """``masters/mic.csv`` of the shipped snapshot, found the way :mod:`portfolio_check.refdata`
    finds the snapshot (package data ``_reference``, or ``reference/`` beside the package)."""
    package = Path(__file__).resolve().parent
    for folder in (package / "_reference", package.parent / "reference"):
        if (folder / "manifest.json").is_file():
            return folder / "masters" / "mic.csv"
    return package.parent / "reference" / "masters" / "mic.csv"


@lru_cache(maxsize=1)
def _mic_index() -> _MicIndex:
    """The ISO 10383 master, read once on first use (an empty index when it is missing)."""
    path = _mic_master_path()
    codes: dict[str, str] = {}
    by_exact: dict[str, dict[bool, set[str]]] = {}
    by_name: dict[str, dict[bool, set[str]]] = {}
    if not path.is_file():
        return _MicIndex({}, {}, {})
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        mic, operating, country = row["mic"], row["operating_mic"], row["country"]
        market = _market_of_mic(mic, operating, country)
        codes[mic] = market
        active = row["status"] != "EXPIRED"
        texts = [row["name"]]
        if len(row["acronym"]) >= _MIN_ACRONYM:
            texts.append(row["acronym"])
        for text in texts:
            for key, table in ((_exchange_key(text), by_exact), (_name_key(text), by_name)):
                if key:
                    table.setdefault(key, {}).setdefault(active, set()).add(market)
    for row in rows:
        # an operating MIC that has no row of its own stands for its market too
        operating = row["operating_mic"]
        if operating not in codes:
            codes[operating] = _market_of_mic(operating, operating, row["country"])
    return _MicIndex(codes, _unambiguous(by_exact), _unambiguous(by_name))


def _unambiguous(found: dict[str, dict[bool, set[str]]]) -> dict[str, str]:
    """Keys that name one market (among active MICs, else among expired ones)."""
    out: dict[str, str] = {}
    for key, by_status in found.items():
        markets = by_status.get(True) or by_status.get(False) or set()
        if len(markets) == 1:
            out[key] = next(iter(markets))
    return out


def exchange_to_market(exchange: object) -> str | None:
    """Map an exchange word to a market: a MIC, a Bloomberg or Refinitiv/Yahoo code, an
    exchange's name or acronym (English, Chinese simplified or traditional, Japanese, Korean,
    or as the ISO 10383 list writes it), a board or a Stock Connect channel.

    The market is ``XHKG``, ``XSHG``, ``XSHE``, the US composite ``US``, the mainland
    composite ``CN-A`` (the code's range tells the venue), ``CN-HK`` (the code's notation
    tells), or for other markets their ISO MIC (``XTKS``, ``XLON``).
    """
    if exchange is None:
        return None
    text = _exchange_key(str(exchange))
    if not text:
        return None
    if (market := _ALIASES.get(text)) is not None:
        return market
    name = _name_key(text)
    if (market := _ALIASES.get(name)) is not None:
        return market
    index = _mic_index()
    if (market := index.codes.get(text)) is not None:
        return market
    return index.exact.get(text) or index.names.get(name)


def _china_market(code: str) -> str | None:
    """The venue of a six-digit A-share code, by its prefix (SSE 6xxxxx/9xxxxx, SZSE 0/2/3xxxxx)."""
    if len(code) != 6 or not code.isdigit():
        return None
    if code[0] in "69":
        return SHANGHAI
    if code[0] in "023":
        return SHENZHEN
    return None


def make_ticker(code: object, market: str) -> Ticker | None:
    """A canonical ticker: HK codes zero-padded to 5 digits, A-share codes to 6."""
    text = _compact(code)
    if not text:
        return None
    if market == CHINA_OR_HONG_KONG:
        # a board both sides have: six digits are a mainland code, five an HKEX code
        if not text.isdigit() or int(text) == 0 or len(text) not in (5, 6):
            return None
        if len(text) == 5:
            return Ticker(text, HONG_KONG)
        venue = _china_market(text)
        return Ticker(text, venue) if venue else None
    if market == HONG_KONG:
        if not text.isdigit() or len(text) > 5 or int(text) == 0:
            return None
        return Ticker(text.zfill(5), HONG_KONG)
    if market in (SHANGHAI, SHENZHEN, CHINA_COMPOSITE):
        if not text.isdigit() or len(text) > 6 or int(text) == 0:
            return None
        padded = text.zfill(6)
        venue = _china_market(padded)
        if market == CHINA_COMPOSITE:
            return Ticker(padded, venue) if venue else None
        # Excel strips zeros, so a Shenzhen "728" must stay Shenzhen even though "000728" would
        # also have been read as Shenzhen by its prefix; a stated venue always wins.
        return Ticker(padded, market)
    return Ticker(text, market)


_EXCEL_FLOAT_RE = re.compile(r"^(\d{1,7})\.0+$")
_EXCEL_SCIENTIFIC_RE = re.compile(r"^\d(?:\.\d+)?E\+?\d{1,2}$")


def _excel_number_code(text: str) -> str:
    """A numeric code that a spreadsheet stored as a number: ``941.0`` or ``9.41E+02`` -> ``941``.

    Only whole numbers of an exchange code's size; leading zeros were lost and are restored by
    the market's padding (``make_ticker``).
    """
    if match := _EXCEL_FLOAT_RE.match(text):
        return match.group(1)
    if _EXCEL_SCIENTIFIC_RE.match(text):
        number = float(text)
        if number.is_integer() and 0 < number < 10_000_000:
            return str(int(number))
    return text


def parse_ticker(value: object, exchange: object = None) -> Ticker | None:
    """Parse a ticker in any notation above; ``exchange`` is a separate exchange column, if any.

    Returns None when the value is not a ticker, or when it is a bare code whose market cannot
    be known (``00020`` with no exchange): a bare code is ambiguous and must not be guessed.
    """
    if value is None:
        return None
    text = _SPACE_RE.sub(" ", str(value)).strip().upper()
    if not text:
        return None
    for key in _YELLOW_KEYS:
        if text.endswith(" " + key):
            if key != "EQUITY":
                return None  # a bond, an index or a currency: not a share line
            text = text[: -len(key) - 1].strip()
            break
    match = (
        _PREFIX_RE.match(text)
        or _DOT_OR_DASH_RE.match(text)
        or _GLUED_CN_RE.match(text)
        or _SPACED_RE.match(text)
    )
    if match:
        code, exch = match.group("code"), match.group("exch")
        market = exchange_to_market(exch)
        if market is None:
            if _DOT_OR_DASH_RE.match(text) and not code.isdigit() and len(exch) == 1:
                return None  # "BRK.B" is a class suffix, not an exchange
            if len(exch) != 2:
                # Bloomberg's exchange codes have two letters; "SHANGTANG KEJI" is a name.
                return None
            return Ticker(code, f"BBG:{exch}")
        return make_ticker(code, market)
    text = _excel_number_code(text)
    if _DIGITS_RE.match(text):
        market = exchange_to_market(exchange)
        if market is None:
            return None
        return make_ticker(text, market)
    if _LETTER_CODE_RE.match(text):
        # A letter code with its exchange in another column (iShares: "CSGP", "NASDAQ"). Only
        # for markets whose codes are letters: HK and A-share codes are numbers.
        market = exchange_to_market(exchange)
        if market is not None and market not in _NUMERIC_MARKETS:
            return Ticker(text, market)
    return None


@dataclass(frozen=True)
class Identifiers:
    """The identifiers found for one security, each validated (None where absent or invalid)."""

    isin: str | None = None
    cusip: str | None = None
    sedol: str | None = None
    ticker: Ticker | None = None
    invalid: tuple[str, ...] = ()


def classify_identifier(value: object, exchange: object = None) -> Identifiers:
    """Work out what kind of identifier a cell of a mixed column holds (``InvestID``)."""
    if value is None:
        return Identifiers()
    text = str(value).strip()
    if not text:
        return Identifiers()
    compact = _compact(text)
    if isin := normalize_isin(compact):
        return Identifiers(isin=isin)
    if ISIN.shape.match(compact) or (
        # A code one character short or long of an ISIN, with many digits: a mistyped ISIN
        # (OFAC's own "BRC1EODR004"), never a name to match.
        _ISIN_LIKE_RE.match(compact) and sum(c.isdigit() for c in compact) >= 3
    ):
        return Identifiers(invalid=(text,))
    ticker = parse_ticker(text, exchange)
    if ticker is not None:
        return Identifiers(ticker=ticker)
    if cusip := normalize_cusip(compact):
        return Identifiers(cusip=cusip)
    if sedol := normalize_sedol(compact):
        return Identifiers(sedol=sedol)
    return Identifiers()


_TICKER_IN_NAME_RE = re.compile(
    r"\((?P<code>\d{1,6}) (?P<exch>HK|CH|CN|SS|SZ|C1|C2)\)|^\((?P<hcode>[NH]?\d{1,5})\)"
)


def ticker_in_name(name: object) -> Ticker | None:
    """A ticker written inside a security name: ``CHINA MOBILE LTD (941 HK)``.

    Also the trustee notation ``(N0941) China Mobile Ltd`` / ``(H0939) China Construction
    Bank`` where ``N`` (other shares) or ``H`` (H shares) prefixes an HKEX code.
    """
    if name is None:
        return None
    match = _TICKER_IN_NAME_RE.search(str(name).upper())
    if not match:
        return None
    if match.group("code"):
        market = exchange_to_market(match.group("exch"))
        return make_ticker(match.group("code"), market) if market else None
    return make_ticker(match.group("hcode").lstrip("NH"), HONG_KONG)


@dataclass(frozen=True)
class ListedOption:
    """An exchange-traded option or future described in one cell (``SMIC 12/29/22 C20``)."""

    underlying: str
    expiry: str
    kind: str  # "call", "put" or "future"
    strike: str | None


_OPTION_RE = re.compile(
    r"""^(?P<und>.+?)\s+(?P<exp>\d{1,2}/\d{1,2}/\d{2,4})\s+(?P<cp>[CP])\s?(?P<strike>\d+(?:\.\d+)?)
        (?:\s+(?:EQUITY|INDEX|COMDTY))?$""",
    re.VERBOSE,
)
_FUTURE_RE = re.compile(
    r"""^(?P<und>.+?)\s+(?:FUT(?:URES?)?|FUTR)\b\s*(?P<exp>[A-Z]{3}\s?\d{2,4}|\d{1,2}/\d{2,4})?""",
    re.VERBOSE,
)


def parse_listed_option(value: object) -> ListedOption | None:
    """An option (``underlying expiry C|P strike``) or a future (``underlying FUT expiry``)."""
    if value is None:
        return None
    text = _SPACE_RE.sub(" ", str(value)).strip().upper()
    if match := _OPTION_RE.match(text):
        kind = "call" if match.group("cp") == "C" else "put"
        return ListedOption(match.group("und"), match.group("exp"), kind, match.group("strike"))
    if match := _FUTURE_RE.match(text):
        return ListedOption(match.group("und"), match.group("exp") or "", "future", None)
    return None
