"""The derivatives tier: HKEX warrant, CBBC and inline-warrant short names parsed by their
grammar, options and futures in any notation, each resolved through its underlying (FAQ 860).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from portfolio_check.identifiers import (
    HONG_KONG,
    Ticker,
    parse_ticker,
)
from portfolio_check.model import SecurityIdentity
from portfolio_check.resolve.identity import _MONTHS
from portfolio_check.resolve.index import HKEX_DERIVATIVES, SecurityIndex
from portfolio_check.resolve.matches import EntryMatch, Resolution, _entry_label, _holding_label

# Index names as they stand in derivative descriptions: exposure to many issuers at once.
INDEX_WORDS = frozenset(
    {
        "HSI",
        "HSCEI",
        "HSTECH",
        "HSTEC",
        "HSCE",
        "XIN9",
        "XIN9I",
        "FXI",
        "SX5E",
        "SPX",
        "NDX",
        "NQ100",
        "DJIA",
        "S&P",
        "MXEF",
        "MXCN",
        "MXASJ",
        "CSI300",
        "SHSZ300",
        "SSE50",
        "CSA50",
        "N225",
        "NKY",
        "KOSPI2",
        "TWSE",
    }
)

# The grammar of HKEX derivative short names (HKEX's naming of structured products):
# a warrant is an issuer code (2 letters), an optional "-", the underlying's abbreviation,
# "@", E(uropean)/X(exotic), C(all)/P(ut), the expiry's YYMM and a series letter
# ("BI-SMIC@EC2509D", "HSCNOOC@EP2203B"); a CBBC is an issuer code, "#", a 5-character
# underlying field, R, C(bull)/P(bear), YYMM and a letter ("UB#CNOOCRC2510A", "HS#C MOBRC2710C");
# an inline warrant has "@" and an I ("GJ#TENCT@IL2501A" style codes are rare; read as warrants).
_WARRANT_NAME_RE = re.compile(
    r"^(?P<issuer>[A-Z]{2})-?(?P<und>[A-Z0-9 &]{1,8}?)@[EXI][CPL]?(?P<yymm>\d{4})[A-Z]$"
)

# An inline warrant: issuer code, "-", the underlying's abbreviation, "@L", YYMM and a letter
# ("HS-CMOB@L 2206A").
_INLINE_NAME_RE = re.compile(
    r"^(?P<issuer>[A-Z]{2})-?(?P<und>[A-Z0-9 &]{1,8}?)@L\s?(?P<yymm>\d{4})[A-Z]$"
)

_CBBC_NAME_RE = re.compile(r"^(?P<issuer>[A-Z]{2})#(?P<und>.{5})R[CP](?P<yymm>\d{4})[A-Z]$")


@dataclass(frozen=True)
class DerivativeName:
    """An HKEX warrant's or CBBC's short name taken apart."""

    kind: str  # "derivative warrant" or "CBBC"
    issuer: str
    abbreviation: str
    expiry_month: str  # YYMM


def parse_hkex_derivative_name(text: object) -> DerivativeName | None:
    """``BI-SMIC@EC2509D`` -> a warrant on ``SMIC``; ``HS#C MOBRC2710C`` -> a CBBC on ``C MOB``."""
    if text is None:
        return None
    value = str(text).strip().upper()
    if match := _WARRANT_NAME_RE.match(value):
        return DerivativeName(
            "derivative warrant", match["issuer"], match["und"].strip(), match["yymm"]
        )
    if match := _INLINE_NAME_RE.match(value):
        return DerivativeName(
            "inline warrant", match["issuer"], match["und"].strip(), match["yymm"]
        )
    if match := _CBBC_NAME_RE.match(value):
        return DerivativeName("CBBC", match["issuer"], match["und"].strip(), match["yymm"])
    return None


def _underlying_code(index: SecurityIndex, abbreviation: str) -> str | None:
    """The HKEX code of a derivative's underlying, from the abbreviation in its short name."""
    key = abbreviation.strip().upper()
    if not key:
        return None
    if key in index.reference.derivative_underlyings:
        return index.reference.derivative_underlyings[key]
    compact = key.replace(" ", "")
    if compact in index.reference.derivative_underlyings:
        return index.reference.derivative_underlyings[compact]
    # Where the abbreviation is an equity's own short name (SMIC, CNOOC), that is the underlying.
    return index.equity_by_short_name.get(key) or index.equity_by_short_name.get(compact)


def _derivative_matches(
    index: SecurityIndex,
    identity: SecurityIdentity,
    tickers: list[Ticker],
    day: dt.date | None,
    resolve_underlying: Callable[[SecurityIdentity], Resolution],
) -> tuple[tuple[EntryMatch, ...], str, str | None] | None:
    """Warrants, CBBCs, options and futures: covered through their underlying (FAQ 860).

    The row's own short name decides over the master: a code recycled since (or a master of
    another date) must not turn a SMIC warrant into a warrant on something else.
    """
    underlying_identity: SecurityIdentity | None = None
    kind = identity.instrument
    said: list[str] = []
    own_name = next(
        (p for n in (identity.name, *identity.more_names) if (p := parse_hkex_derivative_name(n))),
        None,
    )
    # An ISIN is never reused: a derivative's ISIN names that product whatever the day (its
    # code is recycled, its ISIN is not); a code only within its life.
    by_isin = [
        line
        for isin in (identity.isin, *identity.more_isins)
        if isin
        for line in index.hkex_by_isin.get(isin, [])
        if line.category in HKEX_DERIVATIVES
    ]
    master_line = next(
        iter(by_isin),
        next(
            (
                line
                for t in tickers
                if t.market == HONG_KONG
                and (line := index.hkex_line(t.code, day)) is not None
                and line.category in HKEX_DERIVATIVES
            ),
            None,
        ),
    )
    if own_name is not None:
        kind = own_name.kind
        written = f"{own_name.kind} {own_name.issuer} {own_name.abbreviation}"
        if master_line is not None and master_line.name.upper() != (identity.name or "").upper():
            said.append(
                f"the row's short name says {written}; the HKEX List of Securities of "
                f"{master_line.master_date} lists {master_line.code} as {master_line.name}: the "
                "row's own short name decides"
            )
        code = _underlying_code(index, own_name.abbreviation)
        if code is None:
            return _unknown_underlying(index, written, own_name.abbreviation, day)
        underlying_identity = _hk_line_identity(index, code, day)
    elif master_line is not None:
        kind = HKEX_DERIVATIVES[master_line.category]
        parsed = parse_hkex_derivative_name(master_line.name)
        code = _underlying_code(index, parsed.abbreviation) if parsed else None
        if code is None and parsed is not None:
            return _unknown_underlying(
                index, f"{kind} {master_line.code} {master_line.name}", parsed.abbreviation, day
            )
        if code is None:
            why = (
                f"{kind} {master_line.code} {master_line.name}: its underlying is not known to "
                "the reference"
            )
            return (), why, why + "; check the listing document"
        underlying_identity = _hk_line_identity(index, code, day)
    if underlying_identity is None and identity.underlying:
        written = _strip_instrument_words(identity.underlying)
        if written.split()[0] in INDEX_WORDS:
            why = f"{kind} on the index {written}"
            return (
                (),
                why,
                (
                    f"{why}: exposure through the index's constituents, covered if the index holds "
                    "securities of listed entities (FAQs 860-861); index constituents not available"
                ),
            )
        short_name_code = index.equity_by_short_name.get(written)
        underlying_ticker = (
            Ticker(short_name_code, HONG_KONG) if short_name_code else parse_ticker(written)
        )
        underlying_identity = (
            SecurityIdentity(
                ticker=str(underlying_ticker),
                exchange=underlying_ticker.market,
                local_code=underlying_ticker.code,
            )
            if underlying_ticker
            else SecurityIdentity(name=written)
        )
    if underlying_identity is None:
        return None
    inner = resolve_underlying(underlying_identity)
    label = underlying_identity.ticker or underlying_identity.name or "?"
    extra = ("; " + "; ".join(said)) if said else ""
    wrapped = tuple(
        EntryMatch(
            m.list_id,
            m.entry_id,
            f"{kind} on {label}",
            m.score,
            m.strength,
            f"{kind} on {label}: derivatives of covered securities are covered (OFAC FAQ 860); "
            f"the underlying {m.detail}{extra}",
            m.ownership_pct,
            exposure=kind,
            basis=m.basis,  # the underlying's tie is the derivative's
            path=(
                _holding_label(identity),
                f"underlying {label}",
                _entry_label(
                    (m.list_id, m.entry_id), index.reference.entry(m.list_id, m.entry_id).name
                ),
            ),
        )
        for m in inner.matches
    )
    described = f"{kind} on {label}" + extra
    if not inner.screened and not wrapped:
        return (), described, f"{described}: the underlying could not be identified"
    return wrapped, described, inner.review


def _unknown_underlying(
    index: SecurityIndex, written: str, abbreviation: str, day: dt.date | None
) -> tuple[tuple[EntryMatch, ...], str, str | None]:
    """A derivative whose underlying abbreviation neither a curated row nor a short name gives.

    The abbreviation is compared with every HKEX equity short name it can stand for. Where none
    of those is a line of a listed entity or of a related company, no underlying it may have is
    covered: the finding lists them and nothing applies. Otherwise (or with no candidate at all)
    a person checks the listing document (REVIEW).
    """
    candidates = index.abbreviation_candidates(abbreviation, day)
    if not candidates:
        why = (
            f"{written}: the underlying abbreviation {abbreviation!r} is not known to the reference"
        )
        return (), why, why + "; check the listing document"
    covered = [line for line in candidates if index.is_listed_or_related_line(line.code)]
    shown = ", ".join(f"{line.code} {line.name}" for line in candidates[:6])
    more = f" and {len(candidates) - 6} more" if len(candidates) > 6 else ""
    if covered:
        why = (
            f"{written}: the underlying abbreviation {abbreviation!r} may stand for {shown}{more}, "
            f"among them {', '.join(f'{c.code} {c.name}' for c in covered[:3])}, a line of a listed "
            "or related entity"
        )
        return (), why, why + "; check the listing document"
    return (
        (),
        f"{written}: the underlying abbreviation {abbreviation!r} can only stand for {shown}{more} "
        "(HKEX equity short names), none of them a line of a listed or related entity",
        None,
    )


_INSTRUMENT_WORDS = ("STOCK", "SHARE", "SHARES", "EQUITY", "SINGLE")

_TRAILING_EXPIRY_RE = re.compile(
    r"\s+(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}|\d{4}-\d{2}(?:-\d{2})?|(?:"
    + _MONTHS
    + r")\s?\d{2,4})$"
)


def _strip_instrument_words(text: str) -> str:
    text = _TRAILING_EXPIRY_RE.sub("", text.upper())
    words = text.split()
    while len(words) > 1 and words[-1] in _INSTRUMENT_WORDS:
        words.pop()
    return " ".join(words)


def _hk_line_identity(index: SecurityIndex, code: str, day: dt.date | None) -> SecurityIdentity:
    line = index.hkex_line(code, day) or index.hkex_by_code.get(code)
    return SecurityIdentity(
        ticker=f"{code} {HONG_KONG}",
        exchange=HONG_KONG,
        local_code=code,
        name=line.name if line else None,
    )
