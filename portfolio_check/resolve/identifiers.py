"""The identifiers tier: what of a security can be screened (a valid ISIN, a CUSIP as its
ISIN, a line a master knows on the day), where its identifiers disagree, and the entries its
own identifiers tie it to, weighed against name matches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from stdnum import isin as _isin

from portfolio_check.identifiers import (
    HONG_KONG,
    Ticker,
    parse_ticker,
)
from portfolio_check.model import SecurityIdentity
from portfolio_check.resolve.identity import _tickers_of
from portfolio_check.resolve.index import HKEX_DERIVATIVES, SecurityIndex, equity_short_name
from portfolio_check.resolve.matches import (
    EntryMatch,
    _demoted,
    _entry_label,
    _holding_label,
    _IdentifierHit,
)
from portfolio_check.resolve.relations import _relation_matches
from portfolio_check.rules import MatchStrength


def _master_note(
    index: SecurityIndex, isins: list[str], tickers: list[Ticker], day: dt.date | None
) -> str | None:
    """What the HKEX master says the security is, for the evidence of a clearance."""
    lines = [line for isin in isins for line in index.hkex_by_isin.get(isin, [])]
    lines += [
        line
        for t in tickers
        if t.market == HONG_KONG and (line := index.hkex_line(t.code, day)) is not None
    ]
    if not lines:
        return None
    line = lines[0]
    return (
        f"HKEX List of Securities of {line.master_date or '?'}: {line.code} {line.name} "
        f"({line.category}, ISIN {line.isin or 'none'})"
    )


@dataclass
class _Screened:
    """What a security's identifiers come to before any entry is looked at."""

    isins: list[str]
    tickers: list[Ticker]
    screened: list[str]
    unusable: list[str]
    notes: list[str]


def _isins_of_code(index: SecurityIndex, code: str, kind: str) -> tuple[list[str], str | None]:
    """The ISINs a CUSIP or CINS stands for, and why when it cannot be used.

    A CUSIP or CINS is the national part of its ISIN: an ISIN the reference knows with that
    part is the security. Otherwise a CUSIP (a digit first: a US or Canadian issuer) is screened
    as its US ISIN; a CINS (a letter first: the issuer's country is not in the code) cannot be.
    """
    known = sorted(index.isins_by_nsin.get(code, ()))
    if known:
        return known, None
    if code[0].isdigit():
        return [isin_from_cusip(code)], None
    return [], f"{kind} {code} (a CINS: no crosswalk to an ISIN in the reference)"


def _screenable(index: SecurityIndex, identity: SecurityIdentity, day: dt.date | None) -> _Screened:
    """The identifiers that can be screened, and those that cannot with the reason."""
    isins = [i for i in (identity.isin, *identity.more_isins) if i]
    screened = [f"ISIN {i}" for i in isins]
    unusable = list(identity.unusable)
    notes: list[str] = []
    if identity.cusip:
        from_cusip, why = _isins_of_code(index, identity.cusip, "CUSIP")
        if why:
            unusable.append(why)
        for isin in from_cusip:
            if isin not in isins:
                isins.append(isin)
                screened.append(f"ISIN {isin} (from CUSIP {identity.cusip})")
                notes.append(f"CUSIP {identity.cusip} is the national part of ISIN {isin}")
    if identity.sedol and not isins and not identity.ticker:
        # no SEDOL crosswalk is shipped; the run's own rows may tie one (check.learn_sedols)
        unusable.append(f"SEDOL {identity.sedol} (no crosswalk to an ISIN or a line)")
    tickers: list[Ticker] = []
    own_lines = _tickers_of(identity)
    if not own_lines:
        # A name cell that is exactly a line an entry publishes ("CHL AR"): that line.
        for text in (identity.name, *identity.more_names):
            written = parse_ticker(text) if text else None
            if written is not None and written in index.by_ticker:
                own_lines.append(written)
                notes.append(f"the name cell {text!r} is the ticker {written}")
    for ticker in own_lines:
        known_line = index.by_ticker.get(ticker)
        if (
            ticker.market == HONG_KONG
            and not known_line
            and index.hkex_line(ticker.code, day) is None
        ):
            dated = f" on {day.isoformat()}" if day else ""
            unusable.append(
                f"HKEX code {ticker.code} (no HKEX List of Securities in the reference lists it"
                f"{dated}: a derivative's code is trusted only within its life)"
            )
            continue
        tickers.append(ticker)
        screened.append(f"ticker {ticker}")
    # The HKEX master ties an ISIN to its exchange lines, which may be listed by code.
    for isin in isins:
        for line in index.hkex_by_isin.get(isin, []):
            if (hk := Ticker(line.code, HONG_KONG)) not in tickers:
                tickers.append(hk)
    return _Screened(isins, tickers, screened, unusable, notes)


def _entries_of_isin(index: SecurityIndex, isin: str) -> set[tuple[str, str]]:
    found = {(h.list_id, h.entry_id) for h in index.by_isin.get(isin, [])}
    for line in index.hkex_by_isin.get(isin, []):
        found |= {
            (h.list_id, h.entry_id) for h in index.by_ticker.get(Ticker(line.code, HONG_KONG), [])
        }
    return found


def _entries_of_ticker(index: SecurityIndex, ticker: Ticker) -> set[tuple[str, str]]:
    return {(h.list_id, h.entry_id) for h in index.by_ticker.get(ticker, [])}


def _disagreements(
    index: SecurityIndex, identity: SecurityIdentity, day: dt.date | None
) -> list[str]:
    """Identifiers of one row that name different securities of different issuers.

    Known securities are compared: an ISIN with the ISIN the HKEX master gives the row's HKEX
    code, two ISINs, and the row's name when it is another HKEX line's exact short name. Two
    lines of one list entry (an ADR's ISIN and the HKEX code of its shares) agree.
    """
    found: list[str] = []
    own = [t for t in _tickers_of(identity) if t.market == HONG_KONG]
    given = list(dict.fromkeys(i for i in (identity.isin, *identity.more_isins) if i))
    for ticker in own:
        line = index.hkex_line(ticker.code, day)
        # A master published after the day says what the code's ISIN is now, not then: an
        # issuer's ISIN changes (a re-domiciliation, a new share structure) while its code stays.
        if line is None or not line.isin or (day and line.master_date > day.isoformat()):
            continue
        isins_of_code = {other.isin for other in index.hkex_lines.get(ticker.code, [])}
        for isin in given:
            if isin in isins_of_code:
                continue
            same = _entries_of_isin(index, isin) & _entries_of_ticker(index, ticker)
            if not same:
                found.append(
                    f"ISIN {isin} and HKEX code {ticker.code} name different securities: the "
                    f"HKEX List of Securities of {line.master_date} gives {line.code} "
                    f"{line.name} the ISIN {line.isin}"
                )
    for first_at, first in enumerate(given):
        for other in given[first_at + 1 :]:
            lines_first = {line.code for line in index.hkex_by_isin.get(first, [])}
            lines_other = {line.code for line in index.hkex_by_isin.get(other, [])}
            same = _entries_of_isin(index, first) & _entries_of_isin(index, other)
            if not same and not (lines_first & lines_other):
                found.append(f"the row gives two ISINs, {first} and {other}: two securities")
    for name in (identity.name, *identity.more_names):
        if not name:
            continue
        short = equity_short_name(name)
        codes = index.equity_codes_by_short_name.get(short)
        if not codes:
            continue
        for ticker in own:
            line = index.hkex_line(ticker.code, day)
            if ticker.code in codes or line is None or line.category in HKEX_DERIVATIVES:
                continue
            if equity_short_name(line.name) != short:
                found.append(
                    f"the row's name {name!r} is the HKEX short name of "
                    f"{', '.join(sorted(codes))}, but its code {ticker.code} is {line.name} "
                    f"(HKEX List of Securities of {line.master_date})"
                )
    return list(dict.fromkeys(found))


def isin_from_cusip(cusip: str) -> str:
    """The US ISIN of a CUSIP: ``US`` + the CUSIP + the ISIN check digit (python-stdnum)."""
    return _isin.from_natid("US", cusip)


def _identifier_matches(
    index: SecurityIndex, identity: SecurityIdentity, hits: list[_IdentifierHit], own_count: int
) -> tuple[EntryMatch, ...]:
    matches: dict[tuple[str, str], EntryMatch] = {}
    # The most telling evidence first: a depositary receipt says what the holding is, a
    # hand-curated link beats OFAC's own example identifiers, which beat derived lines.
    # Hits on the holding's own ISIN or ticker come before lines the HKEX master adds.
    hits = [
        hit
        for _, hit in sorted(
            enumerate(hits),
            key=lambda item: (
                item[1].receipt is None,
                item[0] >= own_count,
                item[1].provenance.rank,
            ),
        )
    ]
    for hit in hits:
        key = (hit.list_id, hit.entry_id)
        if key in matches:
            continue
        entry = index.reference.entry(*key)
        path: tuple[str, ...] = ()
        if hit.receipt is not None:
            path = (
                _holding_label(identity),
                f"depositary receipt {hit.receipt}",
                _entry_label(key, entry.name),
            )
        matches[key] = EntryMatch(
            hit.list_id,
            hit.entry_id,
            "depositary receipt" if hit.receipt else hit.how,
            1.0,
            MatchStrength.DEFINITE,
            hit.detail
            + (
                "; a depositary receipt is covered as exposure to the underlying "
                "shares (OFAC FAQ 860)"
                if hit.receipt
                else ""
            ),
            exposure="depositary receipt" if hit.receipt else None,
            path=path,
        )
    return tuple(matches.values())


def _weigh_own_identifiers(
    index: SecurityIndex,
    identity: SecurityIdentity,
    scr: _Screened,
    name_matches: list[EntryMatch],
    day: dt.date | None,
) -> tuple[list[EntryMatch], list[str]]:
    """Name matches of a holding that carries its own identifier, which no entry line matched.

    * A line on a market where the entry has none of its known lines conflicts with the name:
      COSTAR GROUP INC (CSGP, NASDAQ) is not the listed COSTAR GROUP CO., LTD. (002189, SZSE).
      The match is defeated and said so in the reason.
    * An identifier known to belong to another issuer (an HKEX equity line or ISIN of another
      company, per the HKEX master) disagrees with the name: a person decides (REVIEW), both
      sides named.
    * Any other identifier is one the reference does not know: the ban is entity-based and
      covers an entity's new lines and issues, so the name's match stands, saying so.
    """
    tickers = scr.tickers
    own_ids = [str(t) for t in tickers] + [i for i in scr.isins if i]
    own_ids += [i for i in (identity.cusip, identity.sedol, identity.unplaced_ticker) if i]
    if not own_ids or not name_matches:
        return name_matches, []
    kept: list[EntryMatch] = []
    defeated: list[str] = []
    markets = {t.market for t in tickers}
    # HKEX lines the holding is, per the master of the day: each belongs to one issuer.
    hk_lines = [
        line
        for t in tickers
        if t.market == HONG_KONG
        and (line := index.hkex_line(t.code, day)) is not None
        and line.category not in HKEX_DERIVATIVES
    ]
    hk_lines += [
        line
        for isin in scr.isins
        for line in index.hkex_by_isin.get(isin, [])
        if line.category not in HKEX_DERIVATIVES
    ]
    # Identifiers of a related company (a subsidiary's bond, by its ISIN or CUSIP issuer
    # number): another issuer than the entry the name names.
    related = _relation_matches(
        index, identity.model_copy(update={"name": None}), tickers, scr.isins
    )
    for match in name_matches:
        entry = index.reference.entry(match.list_id, match.entry_id)
        entry_lines = index.lines_by_entry.get((match.list_id, match.entry_id), set())
        entry_markets = {line.market for line in entry_lines}
        if related and match.strength == MatchStrength.DEFINITE:
            kept.append(
                _demoted(
                    match,
                    f"; but the holding's identifier belongs to a related company ({related[0].detail}):"
                    " the name and the identifier disagree",
                )
            )
            continue
        other_hk = [line for line in hk_lines if Ticker(line.code, HONG_KONG) not in entry_lines]
        if other_hk and match.strength != MatchStrength.DEFINITE:
            line = other_hk[0]
            defeated.append(
                f"the name resembles {entry.name} ({match.list_id} entry {match.entry_id}), but "
                f"the holding is HKEX line {line.code} {line.name} (HKEX List of Securities of "
                f"{line.master_date}), not one of the entry's lines: a different issuer"
            )
            continue
        if other_hk:
            line = other_hk[0]
            kept.append(
                _demoted(
                    match,
                    f"; but the holding is HKEX line {line.code} {line.name} (ISIN "
                    f"{line.isin or 'none'}, HKEX List of Securities of {line.master_date}), "
                    f"not a known line of {entry.name}: the name and the identifier disagree",
                )
            )
            continue
        if markets and entry_markets and markets.isdisjoint(entry_markets):
            lines = ", ".join(sorted(str(line) for line in entry_lines)[:4])
            defeated.append(
                f"the name resembles {entry.name} "
                f"({match.list_id} entry {match.entry_id}), but the holding's line "
                f"{', '.join(str(t) for t in tickers)} is on another market than the entry's "
                f"known lines ({lines}): a different issuer"
            )
            continue
        if match.strength == MatchStrength.DEFINITE:
            kept.append(
                replace(
                    match,
                    detail=match.detail
                    + f"; the holding's own identifier ({', '.join(own_ids)}) is not one the "
                    "reference knows for this entry: the ban is entity-based and covers its "
                    "new lines and issues (a person may confirm the issuer)",
                )
            )
        else:
            kept.append(match)
    return kept, defeated
