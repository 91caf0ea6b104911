"""Security identifiers: validation of ISIN/CUSIP/SEDOL and parsing of exchange tickers.

Pure functions, no I/O. Check digits are python-stdnum's; what this module adds is the
knowledge of how tickers appear in holdings files and published lists:

* Bloomberg: ``941 HK``, ``941 HK Equity``, ``600941 CH``, ``CHL US``;
* Refinitiv / Yahoo: ``0941.HK``, ``601728.SS``, ``000728.SZ``;
* FactSet: ``0941-HK``; prefixed forms ``XHKG:0941``, ``HK:941``;
* a bare local code with an exchange column (``00941`` + ``XHKG`` / ``HK`` / ``HKEX``);
* OFAC's own flawed forms ``603019CN`` and ``601698  CN``.

A ticker is reduced to a :class:`Ticker` of (market, code): ``market`` is an ISO 10383 MIC
where we know the exchange (XHKG, XSHG, XSHE), otherwise ``BBG:<code>`` naming the Bloomberg
exchange code we saw, so that ``CHL US`` and ``CHL LN`` stay distinct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import cusip as _cusip
from stdnum import isin as _isin
from stdnum.gb import sedol as _sedol

HONG_KONG = "XHKG"
SHANGHAI = "XSHG"
SHENZHEN = "XSHE"
# Bloomberg's composite code for mainland China A-shares; the code's prefix tells the venue.
CHINA_COMPOSITE = "CN-A"
UNITED_STATES = "US"

# Exchange words as they appear in ticker suffixes and exchange columns -> market.
# OFAC writes A-share tickers with "CN", which Bloomberg uses for Canada: a six-digit numeric
# code settles it (Canadian tickers are letters), see ``_china_market``.
_EXCHANGE_ALIASES: dict[str, str] = {
    "HK": HONG_KONG,
    "HKG": HONG_KONG,
    "HKEX": HONG_KONG,
    "SEHK": HONG_KONG,
    "XHKG": HONG_KONG,
    "HONG KONG": HONG_KONG,
    "HONGKONG": HONG_KONG,
    "HONG KONG STOCK EXCHANGE": HONG_KONG,
    "HONG KONG EXCHANGES AND CLEARING": HONG_KONG,
    "HONG KONG EXCHANGES AND CLEARING LTD": HONG_KONG,
    "STOCK EXCHANGE OF HONG KONG": HONG_KONG,
    "SS": SHANGHAI,
    "SH": SHANGHAI,
    "SHA": SHANGHAI,
    "SHG": SHANGHAI,
    "SSE": SHANGHAI,
    "CG": SHANGHAI,
    "C1": SHANGHAI,
    "XSHG": SHANGHAI,
    "SHANGHAI": SHANGHAI,
    "SHANGHAI STOCK EXCHANGE": SHANGHAI,
    "上海证券交易所": SHANGHAI,
    "上海證券交易所": SHANGHAI,
    "SZ": SHENZHEN,
    "SZSE": SHENZHEN,
    "SHE": SHENZHEN,
    "CS": SHENZHEN,
    "C2": SHENZHEN,
    "XSHE": SHENZHEN,
    "SHENZHEN": SHENZHEN,
    "SHENZHEN STOCK EXCHANGE": SHENZHEN,
    "深圳证券交易所": SHENZHEN,
    "深圳證券交易所": SHENZHEN,
    "CH": CHINA_COMPOSITE,
    "CN": CHINA_COMPOSITE,
    # US listings are compared at composite level: Bloomberg's US and its venue codes, the
    # MICs of the main venues, and OTC, since an ADR moves between them (NYSE to OTC).
    "US": UNITED_STATES,
    "UN": UNITED_STATES,
    "UW": UNITED_STATES,
    "UQ": UNITED_STATES,
    "UR": UNITED_STATES,
    "UA": UNITED_STATES,
    "UP": UNITED_STATES,
    "UV": UNITED_STATES,
    "PK": UNITED_STATES,
    "OTC": UNITED_STATES,
    "XNYS": UNITED_STATES,
    "XNAS": UNITED_STATES,
    "NYSE": UNITED_STATES,
    "NASDAQ": UNITED_STATES,
    "CHINA": CHINA_COMPOSITE,
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
_ISIN_SHAPE_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}\d$")
_CUSIP_SHAPE_RE = re.compile(r"^[0-9A-Z]{8}\d$")
_SEDOL_SHAPE_RE = re.compile(r"^[0-9BCDFGHJKLMNPQRSTVWXYZ]{6}\d$")


@dataclass(frozen=True, order=True)
class Ticker:
    """An exchange line: ``market`` (a MIC, or ``BBG:XX``) and the local ``code``."""

    code: str
    market: str

    def __str__(self) -> str:
        return f"{self.code} {self.market}"


def _compact(value: object) -> str:
    return _SPACE_RE.sub("", str(value)).upper()


def normalize_isin(value: object) -> str | None:
    """The ISIN in canonical form if ``value`` is a valid ISIN (check digit included), else None."""
    if value is None:
        return None
    text = _compact(value)
    if not _ISIN_SHAPE_RE.match(text) or not _isin.is_valid(text):
        return None
    return text


def normalize_cusip(value: object) -> str | None:
    """The CUSIP if ``value`` is a valid 9-character CUSIP, else None."""
    if value is None:
        return None
    text = _compact(value)
    if not _CUSIP_SHAPE_RE.match(text) or (text.isdigit() and len(set(text)) == 1):
        return None
    return text if _cusip.is_valid(text) else None


def normalize_sedol(value: object) -> str | None:
    """The SEDOL if ``value`` is a valid 7-character SEDOL, else None."""
    if value is None:
        return None
    text = _compact(value)
    if not _SEDOL_SHAPE_RE.match(text):
        return None
    return text if _sedol.is_valid(text) else None


def exchange_to_market(exchange: object) -> str | None:
    """Map an exchange word (MIC, Bloomberg code, Yahoo suffix, exchange name) to a market."""
    if exchange is None:
        return None
    text = _SPACE_RE.sub(" ", str(exchange)).strip().upper().replace("&", "AND")
    text = text.rstrip(".")
    if not text:
        return None
    return _EXCHANGE_ALIASES.get(text)


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
    if _DIGITS_RE.match(text):
        market = exchange_to_market(exchange)
        if market is None:
            return None
        return make_ticker(text, market)
    if _LETTER_CODE_RE.match(text):
        # A letter code with its exchange in another column (iShares: "CSGP", "NASDAQ"). Only
        # for markets whose codes are letters: HK and A-share codes are numbers.
        market = exchange_to_market(exchange)
        if market is not None and market not in (HONG_KONG, SHANGHAI, SHENZHEN, CHINA_COMPOSITE):
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
    if _ISIN_SHAPE_RE.match(compact) or (
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
