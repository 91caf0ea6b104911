"""Name comparison, candidates and scores: pure, no I/O.

:func:`compare_names` compares two company names and says why; the engine and the matching
benchmark both use it. Two names match when, after :mod:`portfolio_check.names` has taken them
apart (legal forms aside, instrument words gone, spellings canonical):

* every word of each name has a counterpart in the other: the same word, the same number, a
  word within a few typing errors (one edit per ``LETTERS_PER_EDIT`` letters), or words written
  together on one side and apart on the other (``GOODWILL`` / ``GOOD WILL``); stop words
  (``THE``, ``OF``) need none, legal forms are ignored;
* numbers agree (``FUND VI`` is not ``FUND VII``; ``TRUST 2004-1`` is not ``TRUST 2004-2``);
* at least one *distinctive* word agrees: generic words (group, holding, international, China)
  never carry a match on their own;
* a short word (``LETTERS_PER_EDIT - 1`` letters or fewer) may differ by one letter only when
  another distinctive word of the name is the same (``CVS HEALTH`` / ``CVC HEALTH``, but never
  ``ZTE`` / ``ZTF``);
* the weighted share of agreeing letters reaches ``NAME_MATCH_THRESHOLD``.

Chinese names are compared with Chinese names only: no transliteration (商汤 is "Shangtang";
the brand is SenseTime), so a Chinese name reaches a list entry through curated names.

:class:`NameIndex` holds every name a list entry is known by (primary name, strong aliases,
OFAC's ``Issuer Name`` values, weak aliases, curated names and abbreviations). A holding name is
looked up in tiers, strongest first, and only the first tier that finds something answers:

1. the name with its legal form equals a definite name with its legal form (``CHINA MOBILE``
   is OFAC's alias of the group; ``CHINA MOBILE LTD`` is the listed company): DEFINITE;
2. the name without legal forms equals a definite name so normalised: DEFINITE;
3. it equals a weak alias (OFAC's "a.k.a.") or a curated abbreviation: CANDIDATE;
4. fuzzy: :func:`compare_names` says match: CANDIDATE, never more (a name alone is no proof).

Fuzzy candidates are found by blocking: each distinctive word is filed under its first and last
letters, so a look-up compares a holding name only with the few known names that share a
similar word, and cost grows with the number of distinct holding names, not with rows times
list size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from portfolio_check.names import (
    ParsedName,
    WordKind,
    han_core,
    is_han,
    number_value,
    parse_name,
    word_kind,
)

# One typing error (insert, delete, substitute, swap two neighbours) is forgiven per this many
# letters of the longer word: SENSETME / SENSETIME (9 letters, 1 edit) and STELLARIS /
# STELLANTIS (10 letters, 2 edits) agree; MCKENTON / MCKESSON (8 letters, 2 edits), SIGMA /
# CIGNA and CONSTRUCTORS / CONSTRUCTION (12 letters, 3 edits) do not.
LETTERS_PER_EDIT = 5
# Words shorter than this need an exact partner, or one edit when another distinctive word
# of the name is exact: three- and four-letter words are mostly acronyms, where one letter is
# another company (ZTE / ZTF, CEC / CSC) unless the rest of the name vouches (CVC / CVS HEALTH).
SHORT_WORD = LETTERS_PER_EDIT
# Words of two letters or fewer are compared exactly, always (BD is not BP).
EXACT_ONLY_LENGTH = 2
# Chinese words: the same characters, or one character off in six or more (a variant the
# OpenCC table does not fold). Four Chinese characters are a whole company name: one off is
# another company.
HAN_FUZZY_MIN_LENGTH = 6
# Weights of words in the score: stop words count for nothing, generic words for half.
GENERIC_WEIGHT = 0.5
# The weighted share of agreeing letters a match needs. With every word aligned, only names
# whose words are each about one edit in five letters off fall below it (CVC HEALTH / CVS
# HEALTH scores 0.83, JPMORGON CHACE / JPMORGAN CHASE 0.84, two three-letter words one letter
# off each 0.67).
NAME_MATCH_THRESHOLD = 0.80
# A holding name of one distinctive word shorter than this is too short to stand for a listed
# name of several words (a three-letter word is mostly another company's acronym).
PARTIAL_MIN_LETTERS = 4
# A Chinese short form needs at least this many characters (two make most company names).
PARTIAL_MIN_HAN = 2
# Fuzzy look-ups report at most this many known names (best first).
FUZZY_LIMIT = 10


# --------------------------------------------------------------------------------------------
# Pairwise comparison
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordPair:
    """Words of the two names that were found to correspond, and how."""

    left: str
    right: str
    similarity: float
    how: str

    def describe(self) -> str:
        if self.how == "equal":
            return self.left
        return f"{self.left}~{self.right} ({self.how})"


@dataclass(frozen=True)
class NameComparison:
    """The answer of :func:`compare_names`: a score in [0, 1], the verdict, and why."""

    score: float
    is_match: bool
    explanation: str
    left: str = ""
    right: str = ""
    pairs: tuple[WordPair, ...] = ()
    penalties: tuple[str, ...] = ()


def _weight(token: str) -> float:
    kind = word_kind(token)
    if kind == WordKind.STOP:
        return 0.0
    if kind == WordKind.GENERIC:
        return GENERIC_WEIGHT
    return 1.0


def allowed_edits(longest: int) -> int:
    """Typing errors forgiven in a word pair whose longer word has ``longest`` letters."""
    if longest <= EXACT_ONLY_LENGTH:
        return 0
    return max(1, longest // LETTERS_PER_EDIT)


def word_similarity(left: str, right: str) -> tuple[float, str]:
    """How alike two normalised words are (0 when they may not correspond), and how."""
    if left == right:
        return 1.0, "equal"
    left_number, right_number = number_value(left), number_value(right)
    if left_number is not None or right_number is not None:
        same = left_number == right_number
        return (1.0, "same number") if same else (0.0, "")
    if not (left + right).isalpha():
        return 0.0, ""  # codes and series marks (AHL1, 2004A) must be exact
    left_han, right_han = is_han(left), is_han(right)
    if left_han or right_han:
        if not (left_han and right_han) or min(len(left), len(right)) < HAN_FUZZY_MIN_LENGTH:
            return 0.0, ""
        if OSA.distance(left, right, score_cutoff=1) <= 1:
            return 1 - 1 / max(len(left), len(right)), "1 character off"
        return 0.0, ""
    longest = max(len(left), len(right))
    allowed = allowed_edits(longest)
    if allowed == 0 or abs(len(left) - len(right)) > allowed:
        return 0.0, ""
    distance = OSA.distance(left, right, score_cutoff=allowed)
    if distance > allowed:
        return 0.0, ""
    return 1 - distance / longest, f"{distance} edit{'s' if distance > 1 else ''}"


@dataclass
class _Side:
    tokens: tuple[str, ...]
    forms: tuple[str, ...]
    aligned: list[bool] = field(init=False)

    def __post_init__(self) -> None:
        self.aligned = [word_kind(t) == WordKind.STOP for t in self.tokens]

    def open(self) -> list[int]:
        return [i for i, done in enumerate(self.aligned) if not done]


def _align_one_to_one(a: _Side, b: _Side, pairs: list[tuple[WordPair, float]]) -> None:
    # Equal words first, then the most similar remaining pairs, greedily.
    for i in a.open():
        for j in b.open():
            if a.tokens[i] == b.tokens[j]:
                a.aligned[i] = b.aligned[j] = True
                weight = _weight(a.tokens[i]) * 2
                pairs.append((WordPair(a.tokens[i], b.tokens[j], 1.0, "equal"), weight))
                break
    options = []
    for i in a.open():
        for j in b.open():
            similarity, how = word_similarity(a.tokens[i], b.tokens[j])
            if similarity > 0:
                options.append((similarity, i, j, how))
    for similarity, i, j, how in sorted(options, reverse=True):
        if a.aligned[i] or b.aligned[j]:
            continue
        a.aligned[i] = b.aligned[j] = True
        weight = _weight(a.tokens[i]) + _weight(b.tokens[j])
        pairs.append((WordPair(a.tokens[i], b.tokens[j], similarity, how), weight))


def _align_joined(a: _Side, b: _Side, pairs: list[tuple[WordPair, float]], flip: bool) -> None:
    """A word of ``a`` written as two or three words of ``b`` (GOODWILL / GOOD WILL), or glued
    to ``b``'s legal form (SIEMENSAG / SIEMENS AG)."""
    for i in a.open():
        word = a.tokens[i]
        found = False
        for start in range(len(b.tokens)):
            if found:
                break
            for stop in range(start + 1, min(start + 3, len(b.tokens)) + 1):
                span = list(range(start, stop))
                if any(b.aligned[j] and word_kind(b.tokens[j]) != WordKind.STOP for j in span):
                    break
                pieces = [b.tokens[j] for j in span]
                tails = [""] + (list(b.forms[-1:]) if stop == len(b.tokens) else [])
                for tail in tails:
                    if len(pieces) + bool(tail) < 2:
                        continue
                    joined = "".join(pieces) + tail
                    similarity, how = word_similarity(word, joined)
                    if similarity <= 0:
                        continue
                    a.aligned[i] = True
                    for j in span:
                        b.aligned[j] = True
                    shown = " ".join(pieces + ([tail] if tail else []))
                    label = "written apart" if how == "equal" else f"written apart, {how}"
                    weight = _weight(word) + sum(_weight(p) for p in pieces)
                    pair = WordPair(shown, word, similarity, label)
                    if not flip:
                        pair = WordPair(word, shown, similarity, label)
                    pairs.append((pair, weight))
                    found = True
                    break
                if found:
                    break


def compare_parsed(left: ParsedName, right: ParsedName) -> NameComparison:
    """:func:`compare_names` on names already taken apart."""
    shown = f"{left.text!r} ({left.key or '-'}) vs {right.text!r} ({right.key or '-'})"
    if not left.tokens or not right.tokens:
        empty = f"{shown}: a name is empty once normalised"
        return NameComparison(0.0, False, empty, left.text, right.text)
    left_only_han = all(is_han(t) for t in left.tokens)
    right_only_han = all(is_han(t) for t in right.tokens)
    if (left_only_han and not right.han) or (right_only_han and not left.han):
        return NameComparison(
            0.0,
            False,
            f"{shown}: Chinese and Latin script; names in different scripts are tied only by "
            "curated names, never by transliteration",
            left.text,
            right.text,
        )
    a, b = _Side(left.tokens, left.legal_forms), _Side(right.tokens, right.legal_forms)
    weighted: list[tuple[WordPair, float]] = []
    _align_one_to_one(a, b, weighted)
    if a.open() or b.open():
        _align_joined(a, b, weighted, flip=False)
        _align_joined(b, a, weighted, flip=True)
    pairs = tuple(pair for pair, _ in weighted)
    total = sum(_weight(t) for t in left.tokens) + sum(_weight(t) for t in right.tokens)
    agreeing = sum(pair.similarity * weight for pair, weight in weighted)
    score = agreeing / total if total else 0.0
    penalties: list[str] = []
    left_extra = [left.tokens[i] for i in a.open()]
    right_extra = [right.tokens[i] for i in b.open()]
    notes: list[str] = []
    # A bracketed qualifier on one side only (a place, a former name) weighs as a generic word
    # and does not veto; different words on both sides still do.
    for extra, other, parsed in ((left_extra, right_extra, left), (right_extra, left_extra, right)):
        if extra and not other and all(word in parsed.qualifiers for word in extra):
            total -= sum(_weight(word) - min(_weight(word), GENERIC_WEIGHT) for word in extra)
            notes.append(f"bracketed qualifier only in one name: {' '.join(extra)}")
            extra.clear()
    score = agreeing / total if total else 0.0
    numbers_differ = left.numbers != right.numbers
    if numbers_differ:
        penalties.append(
            f"numbers differ ({' '.join(map(str, left.numbers)) or 'none'} vs "
            f"{' '.join(map(str, right.numbers)) or 'none'})"
        )
    if left_extra and right_extra:
        penalties.append(f"words differ: {' '.join(left_extra)} vs {' '.join(right_extra)}")
    elif left_extra or right_extra:
        side = "first" if left_extra else "second"
        penalties.append(f"words only in the {side} name: {' '.join(left_extra or right_extra)}")
    distinctive = [
        p for p in pairs if any(word_kind(w) == WordKind.DISTINCTIVE for w in p.left.split())
    ]
    han_pairs = [p for p in pairs if is_han(p.left) and han_core(p.left)]
    if not distinctive and not han_pairs:
        penalties.append("only generic words agree")
    for pair in pairs:
        short = max(len(pair.left), len(pair.right)) < SHORT_WORD
        if pair.similarity < 1.0 and short:
            others = [p for p in distinctive if p is not pair and p.similarity == 1.0]
            if not others:
                penalties.append(
                    f"short word {pair.left}~{pair.right} differs with no other word to vouch"
                )
    if score < NAME_MATCH_THRESHOLD and not penalties:
        penalties.append(f"similarity {score:.2f} below {NAME_MATCH_THRESHOLD:.2f}")
    is_match = not penalties
    words = ", ".join(p.describe() for p in pairs) or "none"
    forms = ""
    if left.legal_forms or right.legal_forms:
        forms = (
            f"; legal forms ignored ({' '.join(left.legal_forms) or '-'} / "
            f"{' '.join(right.legal_forms) or '-'})"
        )
    verdict = "match" if is_match else "no match: " + "; ".join(penalties)
    if notes:
        forms += "; " + "; ".join(notes)
    explanation = (
        f"{shown}: words agreeing: {words}{forms}; name similarity {score:.2f} "
        f"(threshold {NAME_MATCH_THRESHOLD:.2f}): {verdict}"
    )
    return NameComparison(
        round(score, 4), is_match, explanation, left.text, right.text, pairs, tuple(penalties)
    )


def compare_names(left: str, right: str) -> NameComparison:
    """Compare two company names: a score in [0, 1], whether they match, and why.

    Symmetric in its verdict and score (the explanation names the first name first).
    """
    return compare_parsed(parse_name(left), parse_name(right))


# --------------------------------------------------------------------------------------------
# The index of known names
# --------------------------------------------------------------------------------------------


class NameKind:
    PRIMARY = "name"
    STRONG_ALIAS = "strong alias"
    ISSUER_NAME = "issuer name"
    CURATED = "curated name"
    WEAK_ALIAS = "weak alias"
    ABBREVIATION = "curated abbreviation"
    # The exchange's own short name of one of the entry's lines (HKEX List of Securities):
    # the exchange names that line with it on that date, so it is as definite as a curated name.
    SHORT_NAME = "exchange short name"


DEFINITE_KINDS = frozenset(
    {
        NameKind.PRIMARY,
        NameKind.STRONG_ALIAS,
        NameKind.ISSUER_NAME,
        NameKind.CURATED,
        NameKind.SHORT_NAME,
    }
)
# When one key equals names of several entries, the entry whose own name it is wins over one
# that merely lists it as an alias: OFAC gives CHINA MOBILE COMMUNICATIONS GROUP the alias
# "CHINA MOBILE", yet "China Mobile Inc" is closest to the listed CHINA MOBILE LIMITED's name.
KIND_RANK: dict[str, int] = {
    NameKind.PRIMARY: 0,
    NameKind.ISSUER_NAME: 0,
    NameKind.CURATED: 1,
    NameKind.STRONG_ALIAS: 1,
    # below OFAC's own names: "CNOOC" is OFAC's alias of the parent and HKEX's short name of
    # CNOOC Ltd's line; OFAC's word decides where both fit
    NameKind.SHORT_NAME: 2,
    NameKind.WEAK_ALIAS: 2,
    NameKind.ABBREVIATION: 2,
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
    full_key: str = ""
    fuzzy: bool = True  # whether similar (not only equal) holding names may match it


@dataclass(frozen=True)
class NameMatch:
    """A holding name tied to a known name, with the score (0-100) and what was compared."""

    known: KnownName
    score: float
    exact: bool
    detail: str

    @property
    def definite(self) -> bool:
        return self.exact and self.known.kind in DEFINITE_KINDS


def _block_keys(token: str) -> set[str]:
    """Where a word is filed for fuzzy look-ups: its first and last letters."""
    if is_han(token):
        core = han_core(token) or token
        return {core[i : i + 2] for i in range(max(1, len(core) - 1))}
    size = 2 if len(token) < 6 else 3
    return {"<" + token[:size], token[-size:] + ">"}


def _probe_keys(token: str) -> set[str]:
    """The filing places a similar word may be under (both sizes: lengths differ by typos)."""
    if is_han(token):
        return _block_keys(token)
    return {"<" + token[:2], token[-2:] + ">", "<" + token[:3], token[-3:] + ">"}


def _blockable(token: str) -> bool:
    kind = word_kind(token)
    return kind == WordKind.DISTINCTIVE and (len(token) > EXACT_ONLY_LENGTH or is_han(token))


class NameIndex:
    """Every known name, for exact look-up by key and fuzzy look-up by similar words."""

    def __init__(self, names: Iterable[KnownName]) -> None:
        self._by_full: dict[str, list[KnownName]] = defaultdict(list)
        self._by_key: dict[str, list[KnownName]] = defaultdict(list)
        self._by_weak_key: dict[str, list[KnownName]] = defaultdict(list)
        self._known: list[KnownName] = []
        self._parsed: list[ParsedName] = []
        self._word_names: dict[str, set[int]] = defaultdict(set)
        self._blocks: dict[str, set[str]] = defaultdict(set)
        self._cache: dict[str, list[NameMatch]] = {}
        self._similar: dict[str, frozenset[str]] = {}
        self._blockable_words: list[tuple[str, ...]] = []
        # Chinese known names by their first characters: where a short form is looked for.
        self._han_by_start: dict[str, list[int]] = defaultdict(list)
        seen: set[KnownName] = set()
        for known in names:
            if not known.key or known in seen:
                continue
            seen.add(known)
            if known.kind in DEFINITE_KINDS:
                self._by_full[known.full_key or known.key].append(known)
                self._by_key[known.key].append(known)
            else:
                self._by_weak_key[known.key].append(known)
            number = len(self._known)
            self._known.append(known)
            parsed = parse_name(known.text)
            self._parsed.append(parsed)
            self._blockable_words.append(tuple(dict.fromkeys(filter(_blockable, parsed.tokens))))
            if not known.fuzzy:
                continue
            if known.kind in DEFINITE_KINDS and is_han(parsed.key[:PARTIAL_MIN_HAN]):
                self._han_by_start[parsed.key[:PARTIAL_MIN_HAN]].append(number)
            for token in parsed.tokens:
                if _blockable(token):
                    self._word_names[token].add(number)
                    for block in _block_keys(token):
                        self._blocks[block].add(token)

    @staticmethod
    def known(list_id: str, entry_id: str, kind: str, text: str) -> KnownName:
        parsed = parse_name(text)
        core = " ".join(t for t in parsed.tokens if _blockable(t))
        return KnownName(list_id, entry_id, kind, text, parsed.key, core, parsed.full_key)

    def __len__(self) -> int:
        return len(self._known)

    def lookup(self, name: str) -> list[NameMatch]:
        """Matches for one holding name, from the strongest tier that finds any."""
        if name not in self._cache:
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[name] = self._lookup(name)
        return self._cache[name]

    def is_cached(self, name: str) -> bool:
        return name in self._cache

    def remember(self, name: str, matches: list[NameMatch]) -> None:
        """Keep a look-up done elsewhere (by a helper process), as :meth:`lookup` would."""
        if len(self._cache) <= 200_000:
            self._cache.setdefault(name, matches)

    def _lookup(self, name: str) -> list[NameMatch]:
        parsed = parse_name(name)
        if not parsed.key:
            return []
        full = self._by_full.get(parsed.full_key, [])
        if any(known.kind != NameKind.SHORT_NAME for known in full):
            # an exchange short name answers only where no name of OFAC's does
            full = [known for known in full if known.kind != NameKind.SHORT_NAME]
        if full and parsed.legal_forms:
            return [self._exact(parsed, known, "with its legal form ") for known in full]
        if full:
            return [self._exact(parsed, known, "") for known in full]
        exact = self._by_key.get(parsed.key, [])
        if exact:
            best = min(KIND_RANK[known.kind] for known in exact)
            return [
                self._exact(parsed, known, "without legal forms ")
                for known in exact
                if KIND_RANK[known.kind] == best
            ]
        weak = self._by_weak_key.get(parsed.key, [])
        if weak:
            return [self._exact(parsed, known, "") for known in weak]
        return self._fuzzy(parsed) or self._partial(parsed)

    def _partial(self, parsed: ParsedName) -> list[NameMatch]:
        """A short form of a known name: every distinctive word of the holding name is a word of
        the known name, which has more (``HUAWEI`` of ``HUAWEI TECHNOLOGIES``). A candidate only:
        a short name may be another company's, so a person decides (REVIEW)."""
        query = tuple(dict.fromkeys(t for t in parsed.tokens if _blockable(t)))
        if len(query) == 1 and is_han(query[0]):
            return self._partial_han(query[0])
        if not query or (len(query) == 1 and len(query[0]) < PARTIAL_MIN_LETTERS):
            return []
        found: set[int] | None = None
        for token in query:
            numbers = self._word_names.get(token, set())
            found = set(numbers) if found is None else found & numbers
            if not found:
                return []
        words = set(parsed.tokens)
        results = []
        for number in sorted(found or ()):
            known = self._known[number]
            own = self._parsed[number].tokens
            # every word of the holding name, generic ones too ("T-MOBILE US" is not a short
            # form of CHINA MOBILE COMMUNICATIONS GROUP), and the known name has more
            if known.kind not in DEFINITE_KINDS or not words < set(own):
                continue
            share = sum(len(t) for t in words) / max(1, sum(len(t) for t in set(own)))
            results.append(
                NameMatch(
                    known,
                    round(100 * share, 1),
                    False,
                    f"fuzzy name: partial — every distinctive word of {parsed.key!r} "
                    f"({', '.join(query)}) stands in the {known.kind} {known.text!r}, which has "
                    "more: a short form of the name, or another company's",
                )
            )
        results.sort(key=lambda m: -m.score)
        return results[:FUZZY_LIMIT]

    def _partial_han(self, word: str) -> list[NameMatch]:
        """A Chinese short form: the start of a known Chinese name (华为 of 华为技术)."""
        if len(word) < PARTIAL_MIN_HAN:
            return []
        results = []
        for number in self._han_by_start.get(word[:PARTIAL_MIN_HAN], ()):
            known = self._known[number]
            own = self._parsed[number].key
            if own != word and own.startswith(word):
                results.append(
                    NameMatch(
                        known,
                        round(100 * len(word) / len(own), 1),
                        False,
                        f"fuzzy name: partial — {word!r} is the start of the {known.kind} "
                        f"{known.text!r}: a short form of the name, or another company's",
                    )
                )
        results.sort(key=lambda m: -m.score)
        return results[:FUZZY_LIMIT]

    @staticmethod
    def _exact(parsed: ParsedName, known: KnownName, how: str) -> NameMatch:
        return NameMatch(
            known,
            100.0,
            True,
            f"normalised name {how}{parsed.key!r} equals the {known.kind} {known.text!r}",
        )

    def _similar_words(self, token: str) -> frozenset[str]:
        """Known words that may stand for ``token``: similar, or one the start of the other."""
        cached = self._similar.get(token)
        if cached is None:
            words: set[str] = set()
            for probe in _probe_keys(token):
                words |= self._blocks.get(probe, set())
            cached = frozenset(
                word
                for word in words
                if (is_han(word) and is_han(token))
                or (len(word) >= 3 and (word.startswith(token) or token.startswith(word)))
                or word_similarity(token, word)[0] > 0
            )
            self._similar[token] = cached
        return cached

    def candidates(self, parsed: ParsedName) -> list[int]:
        """Known names that may match: blocking on similar distinctive words.

        A match aligns every word, so a known name is a candidate only when at most one
        distinctive word on either side lacks a similar partner (one may be written apart).
        """
        query = [token for token in parsed.tokens if _blockable(token)]
        hits: dict[int, int] = defaultdict(int)
        similar: set[str] = set()
        for token in dict.fromkeys(query):
            words = self._similar_words(token)
            similar |= words
            found: set[int] = set()
            for word in words:
                found |= self._word_names[word]
            for number in found:
                hits[number] += 1
        chosen = []
        for number, count in hits.items():
            if count < len(set(query)) - 1:
                continue
            own = self._blockable_words[number]
            if sum(word not in similar for word in own) > 1:
                continue
            chosen.append(number)
        return sorted(chosen)

    def _fuzzy(self, parsed: ParsedName) -> list[NameMatch]:
        results: list[tuple[NameComparison, KnownName]] = []
        for number in self.candidates(parsed):
            comparison = compare_parsed(parsed, self._parsed[number])
            if comparison.is_match:
                results.append((comparison, self._known[number]))
        results.sort(key=lambda item: -item[0].score)
        return [
            NameMatch(known, comparison.score * 100, False, f"fuzzy name: {comparison.explanation}")
            for comparison, known in results[:FUZZY_LIMIT]
        ]

    def compare_all(self, name: str, entries: Sequence[KnownName]) -> list[NameComparison]:
        """The comparison of a name with each given known name (for explanations and tests)."""
        parsed = parse_name(name)
        return [compare_parsed(parsed, parse_name(known.text)) for known in entries]
