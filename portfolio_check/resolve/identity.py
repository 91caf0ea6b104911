"""What a holding's cells say the security is: identifiers normalised, tickers placed on their
exchange, instruments and their underlying as written. No reference is consulted here.
"""

from __future__ import annotations

import re

from portfolio_check.identifiers import (
    Identifiers,
    ListedOption,
    Ticker,
    classify_identifier,
    normalize_cusip,
    normalize_isin,
    normalize_sedol,
    parse_listed_option,
    parse_ticker,
    ticker_in_name,
)
from portfolio_check.model import SecurityIdentity
from portfolio_check.names import parse_name

# Separators of the reader's ``more_names`` / ``more_codes`` cells: items, and an item's code
# from the exchange of its own column.
ITEM_SEPARATOR = "\x1f"

EXCHANGE_SEPARATOR = "\x1e"


def _items(text: str | None) -> list[str]:
    if not text:
        return []
    return [item.strip() for item in text.split(ITEM_SEPARATOR) if item.strip()]


def identify(
    *,
    name: str | None = None,
    isin: str | None = None,
    cusip: str | None = None,
    sedol: str | None = None,
    ticker: str | None = None,
    identifier: str | None = None,
    exchange: str | None = None,
    more_names: str | None = None,
    more_codes: str | None = None,
) -> tuple[SecurityIdentity, tuple[str, ...]]:
    """Parse the raw cells of one security into a validated identity, with notes on flaws.

    Every identifier the row gives is kept: the first of each kind fills the identity's field,
    the others go to ``more_isins`` / ``more_tickers``; identifiers that cannot identify the
    security (a failed check digit, a bare code with no market) go to ``unusable``, so that a
    clearance is never earned on them.
    """
    notes: list[str] = []
    unusable: list[str] = []
    valid_isin = normalize_isin(isin)
    if isin and not valid_isin:
        notes.append(f"ISIN {isin!r} is not a valid ISIN (check digit or shape)")
        unusable.append(f"ISIN {isin.strip()!r} (check digit or shape fails)")
    valid_cusip = normalize_cusip(cusip)
    if cusip and not valid_cusip:
        notes.append(f"CUSIP {cusip!r} is not valid")
        unusable.append(f"CUSIP {cusip.strip()!r} (check digit or shape fails)")
    valid_sedol = normalize_sedol(sedol)
    if sedol and not valid_sedol:
        notes.append(f"SEDOL {sedol!r} is not valid")
        unusable.append(f"SEDOL {sedol.strip()!r} (check digit or shape fails)")
    parsed_ticker = parse_ticker(ticker, exchange) if ticker else None
    mixed = classify_identifier(identifier, exchange) if identifier else Identifiers()
    if mixed.invalid:
        notes.append(f"identifier {mixed.invalid[0]!r} looks like an ISIN but is not valid")
        unusable.append(f"identifier {mixed.invalid[0]!r} (an ISIN whose check digit fails)")
    elif identifier and identifier.strip() and mixed == Identifiers():
        unusable.append(f"identifier {identifier.strip()!r} (no known kind, or no market given)")
    more_isins: list[str] = []
    more_tickers: list[Ticker] = []
    for item in _items(more_codes):
        code, _, own_exchange = item.partition(EXCHANGE_SEPARATOR)
        found = classify_identifier(code, own_exchange.strip() or exchange)
        if found.invalid:
            notes.append(f"identifier {code!r} looks like an ISIN but is not valid")
            unusable.append(f"identifier {code!r} (an ISIN whose check digit fails)")
        elif found.isin:
            more_isins.append(found.isin)
        elif found.ticker:
            more_tickers.append(found.ticker)
        elif found.cusip and not valid_cusip and not mixed.cusip:
            valid_cusip = found.cusip
        elif found.sedol and not valid_sedol and not mixed.sedol:
            valid_sedol = found.sedol
        elif not (found.cusip or found.sedol):
            unusable.append(f"identifier {code!r} (no known kind, or no market given)")
    if name and not (valid_isin or mixed.isin):
        # a name cell that holds an ISIN (a Description column of codes)
        written = classify_identifier(name.strip()) if " " not in name.strip() else Identifiers()
        if written.isin:
            more_isins.append(written.isin)
    hidden = (
        (ticker_in_name(name) or _name_is_ticker(name) or _trailing_ticker(name)) if name else None
    )
    final_ticker = parsed_ticker or mixed.ticker or hidden
    # an identifier cell that is no code may describe an option ("CHINA MOBILE 10/23/26 P60")
    identifier_option = (
        parse_listed_option(identifier) or option_in_words(identifier)
        if identifier and mixed == Identifiers()
        else None
    )
    option = (
        parse_listed_option(ticker)
        or parse_listed_option(name)
        or option_in_words(name)
        or identifier_option
        if final_ticker is None
        else None
    )
    if option is not None and identifier_option is not None and identifier:
        unusable = [u for u in unusable if not u.startswith(f"identifier {identifier.strip()!r}")]
    # A ticker cell that is neither a line on a known exchange nor an option description.
    unplaced = ticker.strip() if ticker and parsed_ticker is None and option is None else None
    if unplaced:
        notes.append(
            f"ticker {unplaced!r} could not be tied to an exchange"
            + (f" (exchange {exchange!r})" if exchange else " (no exchange given)")
        )
        unusable.append(
            f"ticker {unplaced!r} ("
            + (f"exchange {exchange!r} not known" if exchange else "no exchange given")
            + ")"
        )
    first_isin = valid_isin or mixed.isin
    if first_isin is None and more_isins:
        first_isin = more_isins.pop(0)
    if final_ticker is None and more_tickers:
        final_ticker = more_tickers.pop(0)
    names = [n for n in _items(more_names) if n != (name or "").strip()]
    primary_name = name.strip() if name and name.strip() else None
    if primary_name is None and names:
        primary_name = names.pop(0)
    identity = SecurityIdentity(
        name=primary_name,
        isin=first_isin,
        cusip=valid_cusip or mixed.cusip,
        sedol=valid_sedol or mixed.sedol,
        ticker=str(final_ticker) if final_ticker else None,
        exchange=final_ticker.market if final_ticker else None,
        local_code=final_ticker.code if final_ticker else None,
        instrument=f"{option.kind} option"
        if option and option.kind != "future"
        else ("future" if option else None),
        underlying=option.underlying if option else None,
        unplaced_ticker=unplaced,
        more_isins=tuple(dict.fromkeys(i for i in more_isins if i != first_isin)),
        more_tickers=tuple(dict.fromkeys(str(t) for t in more_tickers if t != final_ticker)),
        more_names=tuple(dict.fromkeys(names)),
        unusable=tuple(dict.fromkeys(unusable)),
    )
    return identity, tuple(notes)


def _trailing_ticker(name: str) -> Ticker | None:
    """An exchange line written after a name: ``CHINA MOBILE LTD 0941.HK`` (a known market
    only; Bloomberg's bare two-letter codes are not trusted at the end of a name)."""
    words = name.split()
    # a line's last word has a digit and its market after a separator ("0941.HK", "XHKG:941")
    if len(words) < 2 or not any(c.isdigit() for c in words[-1]) or words[-1].isdigit():
        return None
    found = parse_ticker(words[-1])
    if found is None or found.market.startswith("BBG:") or not any(c.isdigit() for c in found.code):
        return None
    return found


def _name_is_ticker(name: str) -> Ticker | None:
    """A name cell that holds an exchange line (``601989 CH Equity``, ``XCI DE``), not a name.

    Not when the last word is a legal form (``ABC AG`` is a company, not ABC on Bloomberg's AG).
    """
    if len(name.split()) > 3:  # a line is written in at most three words ("941 HK Equity")
        return None
    found = parse_ticker(name)
    if found is None or parse_name(name).legal_forms:
        return None
    # A name of letters with an unknown two-letter suffix ("SENSETIME-WR") is a share-line
    # name; a code with digits, a known market or Bloomberg's yellow key is a line.
    if found.market.startswith("BBG:") and not (
        any(c.isdigit() for c in found.code) or name.strip().upper().endswith(" EQUITY")
    ):
        return None
    return found


_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"

# Options in words, as custodians and brokers write them: "HKEX STOCK OPTION 981 MAR 2022 60 C",
# "CHINA TELECOM FEB23 80 CALL", "CNOOC MAY24 20 PUT".
_HKEX_OPTION_WORDS_RE = re.compile(
    rf"^(?:HKEX\s+|HKFE\s+)?STOCK\s+OPTIONS?\s+(?P<code>\d{{1,5}})\s+(?P<exp>(?:{_MONTHS})\s*\d{{2,4}})"
    r"\s+(?P<strike>\d+(?:\.\d+)?)\s*(?P<cp>CALL|PUT|C|P)$"
)

_OPTION_WORDS_RE = re.compile(
    rf"^(?P<und>.+?)\s+(?P<exp>(?:{_MONTHS})\s?\d{{2,4}})\s+(?P<strike>\d+(?:\.\d+)?)\s*"
    r"(?P<cp>CALL|PUT|C|P)(?:\s+OPTIONS?)?$"
)


def option_in_words(text: str | None) -> ListedOption | None:
    """A single-name option written in words, with its underlying as written (or as a line)."""
    if not text:
        return None
    value = " ".join(str(text).upper().split())
    if match := _HKEX_OPTION_WORDS_RE.match(value):
        kind = "call" if match["cp"].startswith("C") else "put"
        return ListedOption(f"{match['code']} HK", match["exp"], kind, match["strike"])
    if match := _OPTION_WORDS_RE.match(value):
        kind = "call" if match["cp"].startswith("C") else "put"
        return ListedOption(match["und"], match["exp"], kind, match["strike"])
    return None


def _ticker_of(identity: SecurityIdentity) -> Ticker | None:
    if identity.local_code and identity.exchange:
        return Ticker(identity.local_code, identity.exchange)
    return None


def _tickers_of(identity: SecurityIdentity) -> list[Ticker]:
    """The identity's own exchange lines: its ticker, then those of its other columns."""
    found = [t] if (t := _ticker_of(identity)) is not None else []
    for text in identity.more_tickers:
        code, _, market = text.rpartition(" ")
        if code and (line := Ticker(code, market)) not in found:
            found.append(line)
    return found
