"""The names tier: a row's names and their variants (bilingual halves, instruments described
in words) looked up in the name index, and weighed against the row's HKEX short names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from portfolio_check.identifiers import (
    HONG_KONG,
    Ticker,
)
from portfolio_check.model import SecurityIdentity
from portfolio_check.names import is_bond_description
from portfolio_check.reference import HkexSecurity
from portfolio_check.resolve.index import SecurityIndex, equity_short_name
from portfolio_check.resolve.matches import NAME_MATCH_KINDS, EntryMatch, MatchBasis
from portfolio_check.rules import MatchStrength

_HAN_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff（）()·]+")

# Words that make a name the description of an instrument on the named company's securities
# (a swap, a CFD, a note, a receivable), and coupons and dates: stripped, the rest is looked
# up, and what it finds is at most REVIEW (derivatives are covered, FAQ 860; the issuer of a
# bond may be a financing subsidiary).
_INSTRUMENT_PHRASE_RE = re.compile(
    r"\b(?:TOTAL\s+RETURN\s+SWAPS?|EQUITY\s+SWAPS?|PORTFOLIO\s+SWAPS?|CASH[\s-]+SETTLED|SWAPS?|"
    r"TRS|CFDS?|CONTRACTS?\s+FOR\s+DIFFERENCES?|P[\s-]?NOTES?|PARTICIPATORY\s+NOTES?|"
    r"PARTICIPATION\s+NOTES?|(?:CASH\s+)?DIVIDENDS?\s+RECEIVABLES?|RECEIVABLES?|"
    r"ACCRUED\s+DIVIDENDS?|DIVIDENDS?|RIGHTS?\s+ISSUES?|RIGHTS|CONVERTIBLE|BONDS?|NOTES|"
    r"SENIOR|UNSECURED|PERP(?:ETUAL)?|FRN|ON|OVER|ONTO|CALLS?|PUTS?|OPTIONS?|FUTURES?|"
    r"PRE[\s-]?IPO|SERIES|TRANCHE|LOCKED[\s-]?UP|UNLISTED)\b"
)

# In an instrument's description, what is left after the company's name: strikes, currencies,
# option letters, compact dates (220330), ISO dates.
_INSTRUMENT_RESIDUE_RE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d+(?:\.\d+)?\b|\b(?:HKD|USD|CNY|RMB|CNH|EUR)\b|\b[CP]\b|"
    r"\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\d{0,4}\b"
)

_COUPON_OR_DATE_RE = re.compile(
    r"\d+(?:\.\d+)?\s?%|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(?:19|20)\d{2}\b|\b\d+\s?[⅛¼⅜½⅝¾⅞]"
)

_LINK_WORDS = frozenset({"ON", "OVER", "ONTO"})


def _name_variants(text: str) -> list[tuple[str, str | None]]:
    """Other ways to read one name cell: its Latin and Chinese halves when it has both
    (``CNOOC LIMITED 中国海洋石油有限公司``); and the company named in an instrument's
    description (``Total Return Swap on CNOOC Ltd``, ``China Mobile Ltd 3.5% 2025``), whose
    matches are candidates only (the second element says why)."""
    found: list[tuple[str, str | None]] = []
    han = "".join(_HAN_RUN_RE.findall(text)).strip()
    latin = _HAN_RUN_RE.sub(" ", text).strip(" -–/|")
    if han and any(c.isascii() and c.isalpha() for c in latin):
        found += [(han, None), (latin, None)]
    upper = " ".join(text.upper().split())
    trigger = [m.group(0) for m in _INSTRUMENT_PHRASE_RE.finditer(upper)]
    # "ON", "OVER" only join an instrument to its company ("swap on"); alone they are words of
    # a name (ON SEMICONDUCTOR)
    if any(t not in _LINK_WORDS for t in trigger) or _COUPON_OR_DATE_RE.search(upper):
        rest = _COUPON_OR_DATE_RE.sub(" ", _INSTRUMENT_PHRASE_RE.sub(" ", upper))
        rest = _INSTRUMENT_RESIDUE_RE.sub(" ", rest)
        rest = " ".join(rest.replace(" - ", " ").split()).strip(" -–,")
        if rest and rest != upper:
            found.append(
                (
                    rest,
                    f"; but the holding is an instrument described in words ({text!r}) on "
                    "the named company's securities: covered if it is one of them or derives "
                    "from them (FAQ 860), a person confirms the issuer",
                )
            )
    return found


def _weigh_short_names(
    index: SecurityIndex,
    identity: SecurityIdentity,
    name_matches: list[EntryMatch],
    day: dt.date | None,
) -> tuple[list[EntryMatch], list[str]]:
    """A similar-name candidate is defeated when the row's name is exactly the HKEX short name
    of another issuer's line: ``CHINA RAILWAY`` is 00390 China Railway Group, not a short form
    of CHINA RAILWAY CONSTRUCTION CORPORATION."""
    named: list[HkexSecurity] = []
    for text in (identity.name, *identity.more_names):
        for code in sorted(index.equity_codes_by_short_name.get(equity_short_name(text or ""), ())):
            line = index.hkex_line(code, day)
            if line is not None and line.category == "Equity":
                named.append(line)
    if not named:
        return name_matches, []
    kept: list[EntryMatch] = []
    defeated: list[str] = []
    for match in name_matches:
        entry_lines = index.lines_by_entry.get((match.list_id, match.entry_id), set())
        other = [line for line in named if Ticker(line.code, HONG_KONG) not in entry_lines]
        # only similar names (fuzzy, short forms): an OFAC weak alias is the publisher's word
        if match.matched_on != "fuzzy name" or not other:
            kept.append(match)
            continue
        line = other[0]
        entry = index.reference.entry(match.list_id, match.entry_id)
        defeated.append(
            f"the name resembles {entry.name} ({match.list_id} entry {match.entry_id}), but it is "
            f"the HKEX short name of {line.code} {line.name} (HKEX List of Securities of "
            f"{line.master_date}), not one of the entry's lines: a different issuer"
        )
    return kept, defeated


def _name_matches(index: SecurityIndex, name: str) -> list[EntryMatch]:
    """Name matches; a bond description's leading word is an issuer family, never proof."""
    bond = is_bond_description(name)
    by_entry: dict[tuple[str, str], EntryMatch] = {}
    for found in index.names.lookup(name):
        key = (found.known.list_id, found.known.entry_id)
        strength = MatchStrength.DEFINITE if found.definite else MatchStrength.CANDIDATE
        detail = found.detail
        if bond and strength == MatchStrength.DEFINITE:
            strength = MatchStrength.CANDIDATE
            detail += (
                "; but the holding is a bond described as ticker-coupon-maturity, whose ticker "
                "names an issuer family: the legal issuer may be a financing subsidiary"
            )
        matched_on = found.known.kind if found.exact else "fuzzy name"
        if not found.exact:
            basis = MatchBasis.FUZZY_NAME
        elif found.known.kind in NAME_MATCH_KINDS:
            basis = MatchBasis.NAME
        else:
            basis = MatchBasis.LINE_NAME
        candidate = EntryMatch(
            key[0], key[1], matched_on, found.score / 100, strength, detail, basis=basis
        )
        if key not in by_entry or candidate.score > by_entry[key].score:
            by_entry[key] = candidate
    matches = list(by_entry.values())
    # One name that fits several entries exactly proves none of them by itself (screening
    # takes their status only where all of them have the same one on the day).
    if len(matches) > 1:
        exact = all(m.strength == MatchStrength.DEFINITE for m in matches)
        matches = [
            replace(
                m,
                strength=MatchStrength.CANDIDATE,
                detail=m.detail + f" (the name fits {len(matches)} entries)",
                exact_among=len(matches) if exact else 0,
            )
            for m in matches
        ]
    return matches
