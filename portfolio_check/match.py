"""Name candidates and scores: pure, no I/O.

An index of every name a list entry is known by (primary name, strong aliases, OFAC's
``Issuer Name`` values, weak aliases, curated names), keyed by the normalised name of
:mod:`portfolio_check.names`. A holding name is looked up in three steps, strongest first:

1. exact key equal to a primary name, strong alias, issuer name or curated name: DEFINITE;
2. exact key equal to a weak alias (OFAC: "a.k.a." in remarks, less reliable): CANDIDATE;
3. fuzzy: the distinctive tokens (generic words removed) of both names compared with rapidfuzz;
   at or above ``FUZZY_REVIEW_THRESHOLD``: CANDIDATE, never more (a name alone is no proof).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from portfolio_check.names import core_tokens, normalize_name

# Fuzzy scores are rapidfuzz ``fuzz.ratio`` (0-100) on the distinctive tokens. 90 lets one
# typo in a ten-letter name through (SENSETIME / SENSTIME scores 94) while keeping look-alikes
# out (SENSATA / SENSETIME scores 62, HISENSE / SENSETIME 50, ROBOSENSE / SENSETIME 56).
FUZZY_REVIEW_THRESHOLD = 90.0
# Distinctive parts shorter than this are too short to compare fuzzily (ZTE vs ZTF): they only
# ever match exactly.
FUZZY_MIN_LENGTH = 5


class NameKind:
    PRIMARY = "name"
    STRONG_ALIAS = "strong alias"
    ISSUER_NAME = "issuer name"
    CURATED = "curated name"
    WEAK_ALIAS = "weak alias"


DEFINITE_KINDS = frozenset(
    {NameKind.PRIMARY, NameKind.STRONG_ALIAS, NameKind.ISSUER_NAME, NameKind.CURATED}
)
# When one key equals names of several entries, the entry whose own name it is wins over one
# that merely lists it as an alias: OFAC gives CHINA MOBILE COMMUNICATIONS GROUP the alias
# "CHINA MOBILE", yet "China Mobile Ltd" is the listed CHINA MOBILE LIMITED's own name.
KIND_RANK: dict[str, int] = {
    NameKind.PRIMARY: 0,
    NameKind.ISSUER_NAME: 0,
    NameKind.CURATED: 1,
    NameKind.STRONG_ALIAS: 1,
    NameKind.WEAK_ALIAS: 2,
}


@dataclass(frozen=True)
class KnownName:
    """A name a list entry is known by."""

    list_id: str
    entry_id: str
    kind: str
    text: str
    key: str
    core: str


@dataclass(frozen=True)
class NameMatch:
    """A holding name tied to a known name, with the score and what was compared."""

    known: KnownName
    score: float
    exact: bool
    detail: str

    @property
    def definite(self) -> bool:
        return self.exact and self.known.kind in DEFINITE_KINDS


class NameIndex:
    """Every known name, for exact lookup by key and fuzzy lookup by distinctive tokens."""

    def __init__(self, names: Iterable[KnownName]) -> None:
        self._by_key: dict[str, list[KnownName]] = defaultdict(list)
        self._by_core: dict[str, list[KnownName]] = defaultdict(list)
        for known in names:
            if not known.key:
                continue
            if known not in self._by_key[known.key]:
                self._by_key[known.key].append(known)
            if len(known.core) >= FUZZY_MIN_LENGTH:
                self._by_core[known.core].append(known)
        self._cores = list(self._by_core)

    @staticmethod
    def known(list_id: str, entry_id: str, kind: str, text: str) -> KnownName:
        key = normalize_name(text)
        return KnownName(list_id, entry_id, kind, text, key, " ".join(core_tokens(key)))

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def lookup(self, name: str) -> list[NameMatch]:
        """Matches for one holding name, strongest tier only (exact before fuzzy)."""
        key = normalize_name(name)
        if not key:
            return []
        exact = self._by_key.get(key, [])
        if exact:
            best = min(KIND_RANK[known.kind] for known in exact)
            exact = [known for known in exact if KIND_RANK[known.kind] == best]
            return [
                NameMatch(
                    known,
                    100.0,
                    True,
                    f"normalised name {key!r} equals the {known.kind} {known.text!r}",
                )
                for known in exact
            ]
        core = " ".join(core_tokens(key))
        if len(core) < FUZZY_MIN_LENGTH:
            return []
        found = process.extract(
            core,
            self._cores,
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_REVIEW_THRESHOLD,
            limit=5,
        )
        matches = []
        for known_core, score, _ in found:
            for known in self._by_core[known_core]:
                matches.append(
                    NameMatch(
                        known,
                        float(score),
                        False,
                        f"distinctive words {core!r} resemble {known_core!r} of the {known.kind} "
                        f"{known.text!r} (similarity {score:.0f}/100, threshold "
                        f"{FUZZY_REVIEW_THRESHOLD:.0f}); generic words and legal forms ignored",
                    )
                )
        return matches
