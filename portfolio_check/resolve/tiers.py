"""Resolution as a declared list of tiers.

Each tier looks at one security and says what it found and what it checked. The tiers run in
the order of :data:`TIERS`; the first whose answer is final decides, and the matches of the
tiers before it that were not final (names that did not settle it) are what the later tiers
weigh. Adding a way to tie a security to an entry is adding a :class:`Tier` to the list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from portfolio_check.model import SecurityIdentity
from portfolio_check.resolve.derivatives import _derivative_matches
from portfolio_check.resolve.identifiers import (
    _disagreements,
    _identifier_matches,
    _master_note,
    _screenable,
    _Screened,
    _weigh_own_identifiers,
)
from portfolio_check.resolve.identity import _tickers_of
from portfolio_check.resolve.index import SecurityIndex
from portfolio_check.resolve.matches import (
    EntryMatch,
    Resolution,
    _demoted,
    _disagreeing,
    _IdentifierHit,
    _merge_matches,
)
from portfolio_check.resolve.names import _name_matches, _name_variants, _weigh_short_names
from portfolio_check.resolve.relations import _relation_matches
from portfolio_check.rules import MatchStrength


@dataclass(frozen=True)
class Found:
    """What one tier found: its matches, what it looked at, notes for the finding, and whether
    its answer is final (no later tier runs)."""

    matches: tuple[EntryMatch, ...] = ()
    checked: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    review: str | None = None
    final: bool = False


@dataclass(frozen=True)
class Look:
    """What every tier may read: the security, the day, what of it can be screened, where its
    own identifiers disagree, and the matches of the earlier tiers that were not final."""

    index: SecurityIndex
    identity: SecurityIdentity
    day: dt.date | None
    screenable: _Screened
    disagree: tuple[str, ...]
    earlier: tuple[EntryMatch, ...]


@dataclass(frozen=True)
class Tier:
    """One way of tying a security to list entries."""

    name: str
    what: str
    look: Callable[[Look], Found]


def _by_identifiers(look: Look) -> Found:
    """The row's ISINs and exchange lines (its own first, then those the masters add)."""
    index, identity, scr = look.index, look.identity, look.screenable
    hits: list[_IdentifierHit] = []
    own_count = 0
    for position, isin in enumerate(scr.isins):
        hits += index.by_isin.get(isin, [])
        if position == 0:
            own_count = len(hits)
    own_tickers = set(_tickers_of(identity))
    for ticker in sorted(scr.tickers, key=lambda t: t not in own_tickers):
        if ticker in own_tickers:
            own_count += len(index.by_ticker.get(ticker, []))
        hits += index.by_ticker.get(ticker, [])
    master = _master_note(index, scr.isins, scr.tickers, look.day)
    checked = (master,) if master else ()
    if not hits:
        return Found(checked=checked)
    matches = _identifier_matches(index, identity, hits, own_count)
    if scr.notes:
        matches = tuple(replace(m, detail=f"{m.detail} ({'; '.join(scr.notes)})") for m in matches)
    return Found(tuple(_disagreeing(matches, list(look.disagree))), checked, final=True)


def _by_underlying(look: Look) -> Found:
    """Warrants, CBBCs, options and futures: resolved through their underlying (FAQ 860)."""
    derived = _derivative_matches(
        look.index,
        look.identity,
        look.screenable.tickers,
        look.day,
        lambda underlying: resolve(look.index, underlying, as_of=look.day),
    )
    if derived is None:
        return Found()
    matches, described, review = derived
    return Found(matches, (described,), review=review, final=True)


def _by_names(look: Look) -> Found:
    """Every name of the row, and its variants (bilingual halves, instruments in words),
    weighed against the row's own identifiers and short names; final when one is definite."""
    index, identity = look.index, look.identity
    matches: list[EntryMatch] = []
    checked: list[str] = []
    for text in (identity.name, *identity.more_names):
        if text:
            checked.append(f"name {text!r}")
            matches = _merge_matches(matches, _name_matches(index, text))
            for variant, why in _name_variants(text):
                found = _name_matches(index, variant)
                if why:
                    found = [_demoted(m, why) for m in found]
                matches = _merge_matches(matches, found)
    matches, defeated = _weigh_own_identifiers(index, identity, look.screenable, matches, look.day)
    matches, named_other = _weigh_short_names(index, identity, matches, look.day)
    matches = _disagreeing(matches, list(look.disagree))
    definite = any(m.strength == MatchStrength.DEFINITE for m in matches)
    return Found(tuple(matches), tuple(checked), (*defeated, *named_other), final=definite)


def _by_relations(look: Look) -> Found:
    """Curated relations (a subsidiary, a financing vehicle): they take the place of name
    candidates; without either, identifiers that disagree still ask for a person."""
    scr = look.screenable
    related = _relation_matches(look.index, look.identity, scr.tickers, scr.isins)
    review = None
    if look.disagree and not (related or look.earlier):
        review = "the row's identifiers disagree: " + "; ".join(look.disagree)
    return Found(tuple(related) or look.earlier, review=review, final=True)


TIERS: tuple[Tier, ...] = (
    Tier("identifiers", "ISINs, CUSIPs as ISINs and exchange lines on the day", _by_identifiers),
    Tier(
        "derivatives",
        "a derivative's underlying, from its own text or an exchange master",
        _by_underlying,
    ),
    Tier("names", "the row's names against the lists' names, aliases and curated names", _by_names),
    Tier(
        "relations", "curated relations to listed entities, on the dates they hold", _by_relations
    ),
)


def resolve(
    index: SecurityIndex,
    identity: SecurityIdentity,
    notes: tuple[str, ...] = (),
    *,
    as_of: dt.date | None = None,
) -> Resolution:
    """Tie one security to list entries through :data:`TIERS`, with the evidence of each.

    ``as_of`` picks the exchange masters in force for the row's codes (None: the newest).
    """
    scr = _screenable(index, identity, as_of)
    disagree = tuple(_disagreements(index, identity, as_of))
    checked: list[str] = list(scr.screened)
    found_notes: list[str] = [*notes, *scr.notes]
    earlier: tuple[EntryMatch, ...] = ()
    review: str | None = None
    ran: list[str] = []
    for tier in TIERS:
        found = tier.look(Look(index, identity, as_of, scr, disagree, earlier))
        ran.append(tier.name)
        checked += found.checked
        found_notes += found.notes
        review = found.review
        if found.final:
            earlier = found.matches
            break
        earlier = found.matches or earlier
    names_screened = [f"name {n!r}" for n in (identity.name, *identity.more_names) if n]
    return Resolution(
        identity,
        earlier,
        "; ".join(dict.fromkeys(checked)),
        tuple(found_notes),
        review,
        screened=tuple(dict.fromkeys([*scr.screened, *names_screened])),
        unusable=tuple(scr.unusable),
        tiers=tuple(ran),
    )
