"""What resolution produces: a security's matches to list entries and its Resolution, with
the small helpers every tier uses to demote, merge and label them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from portfolio_check.match import NameKind
from portfolio_check.model import Provenance, Relation, SecurityIdentity
from portfolio_check.rules import MatchStrength


class MatchBasis(StrEnum):
    """What ties a security to an entry; the rules ask this, never the words of ``matched_on``."""

    IDENTIFIER = "identifier"  # an ISIN or exchange line the list or a curated row gives
    NAME = "name"  # a name, alias or curated name of the entry, exactly
    FUZZY_NAME = "fuzzy name"  # a name that is close, not equal
    LINE_NAME = "line name"  # an exchange's short name of one of the entry's lines
    RELATION = "relation"  # a curated relation to the entry (FAQ 857)
    DECISION = "decision"  # a reviewer's decision that it is a match


# The bases on which a name alone makes the match (at most a candidate on some lists).
BY_NAME = frozenset({MatchBasis.NAME, MatchBasis.FUZZY_NAME})


@dataclass(frozen=True)
class EntryMatch:
    """A security tied to one list entry: how, how strongly, and the words to show a person."""

    list_id: str
    entry_id: str
    matched_on: str
    score: float
    strength: str
    detail: str
    ownership_pct: float | None = None
    exposure: str | None = None
    path: tuple[str, ...] = ()
    # How many entries one exact name fits (0: not such a match): the name proves none of them
    # alone, but where all of them have the same status on the day, that status is certain.
    exact_among: int = 0
    # The curated relation a RELATED match comes from: it holds only on its dates.
    relation: Relation | None = None
    basis: MatchBasis = MatchBasis.IDENTIFIER

    @property
    def by_name(self) -> bool:
        """Whether only a name ties the security to the entry (no identifier, no curated link)."""
        return self.basis in BY_NAME


# NameIndex kinds whose exact match is a name of the entry (an exchange's short name of a line
# is the line's: MatchBasis.LINE_NAME).
NAME_MATCH_KINDS = frozenset(
    {
        NameKind.PRIMARY,
        NameKind.STRONG_ALIAS,
        NameKind.ISSUER_NAME,
        NameKind.CURATED,
        NameKind.WEAK_ALIAS,
        NameKind.ABBREVIATION,
    }
)


@dataclass(frozen=True)
class Resolution:
    """What a distinct security is and which entries it is tied to.

    ``screened`` names what identified the security and was screened (an ISIN, an exchange line
    a master knows on the day, a name): a clearance is earned only on these. ``unusable`` names
    the identifiers that could not be used, with why.
    """

    identity: SecurityIdentity
    matches: tuple[EntryMatch, ...]
    checked: str = ""
    notes: tuple[str, ...] = ()
    review: str | None = None  # a reason for a person to look although no entry matched
    screened: tuple[str, ...] = ()
    unusable: tuple[str, ...] = ()
    # The tiers that looked at the security, in order; the last one decided.
    tiers: tuple[str, ...] = ()

    @property
    def identified(self) -> bool:
        """Whether something that identifies the security was screened."""
        return bool(self.screened)


@dataclass
class _IdentifierHit:
    list_id: str
    entry_id: str
    how: str
    detail: str
    # A depositary receipt is its own line, covered as exposure to the underlying (FAQ 860).
    receipt: str | None = None
    provenance: Provenance = Provenance.PUBLISHED


def _disagreeing(matches: Sequence[EntryMatch], disagree: Sequence[str]) -> list[EntryMatch]:
    """Matches of a row whose identifiers name different securities: candidates, saying so."""
    why = "; but the row's identifiers disagree: " + "; ".join(disagree)
    return [_demoted(m, why) for m in matches] if disagree else list(matches)


def _merge_matches(first: list[EntryMatch], more: list[EntryMatch]) -> list[EntryMatch]:
    """Name matches of several name cells: per entry the strongest, then the best score."""
    rank = {MatchStrength.DEFINITE: 0, MatchStrength.CANDIDATE: 1, MatchStrength.RELATED: 2}
    by_entry: dict[tuple[str, str], EntryMatch] = {}
    for match in [*first, *more]:
        key = (match.list_id, match.entry_id)
        held = by_entry.get(key)
        if held is None or (rank[match.strength], -match.score) < (
            rank[held.strength],
            -held.score,
        ):
            by_entry[key] = match
    return list(by_entry.values())


def _demoted(match: EntryMatch, why: str) -> EntryMatch:
    """A definite match made a candidate, saying why."""
    if match.strength != MatchStrength.DEFINITE:
        return match
    return replace(match, strength=MatchStrength.CANDIDATE, detail=match.detail + why)


def _holding_label(identity: SecurityIdentity) -> str:
    ids = [i for i in (identity.ticker, identity.isin) if i]
    return f"{identity.name or 'holding'}" + (f" ({', '.join(ids)})" if ids else "")


def _entry_label(key: tuple[str, str], name: str) -> str:
    return f"{name} ({key[0]} entry {key[1]})"
