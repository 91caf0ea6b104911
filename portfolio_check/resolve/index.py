"""The look-ups over a loaded reference, built once per snapshot: entries by ISIN and exchange
line, names, the HKEX masters by code and date, relations by identifier and name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from portfolio_check.identifiers import (
    HONG_KONG,
    Ticker,
    make_ticker,
    normalize_isin,
    parse_ticker,
)
from portfolio_check.match import NameIndex, NameKind
from portfolio_check.model import Relation
from portfolio_check.names import normalize_name
from portfolio_check.reference import HkexSecurity, Reference
from portfolio_check.relations import names_of_subject
from portfolio_check.resolve.matches import _IdentifierHit
from portfolio_check.rules import NAME_ALONE_IS_CANDIDATE


@dataclass
class SecurityIndex:
    """Identifier and name look-ups over a reference snapshot."""

    reference: Reference
    by_isin: dict[str, list[_IdentifierHit]] = field(default_factory=lambda: defaultdict(list))
    by_ticker: dict[Ticker, list[_IdentifierHit]] = field(default_factory=lambda: defaultdict(list))
    names: NameIndex = field(init=False)
    hkex_by_code: dict[str, HkexSecurity] = field(default_factory=dict)
    equity_by_short_name: dict[str, str] = field(default_factory=dict)
    lines_by_entry: dict[tuple[str, str], set[Ticker]] = field(
        default_factory=lambda: defaultdict(set)
    )
    hkex_by_isin: dict[str, list[HkexSecurity]] = field(default_factory=lambda: defaultdict(list))
    related_by_isin: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    related_by_ticker: dict[Ticker, list[Relation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    related_by_name: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    related_by_cusip6: dict[str, list[Relation]] = field(default_factory=lambda: defaultdict(list))
    # Every dated HKEX master's line for a code, oldest master first (see ``hkex_line``).
    hkex_lines: dict[str, list[HkexSecurity]] = field(default_factory=lambda: defaultdict(list))
    # An ISIN's national part (its nine characters after the country code) -> the ISINs the
    # reference knows with it: a CUSIP or CINS is the national part of its ISIN.
    isins_by_nsin: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Equity short names on each master date, for a row's name that names another line.
    equity_codes_by_short_name: dict[str, set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    _abbreviation_cache: dict[tuple[str, dt.date | None], list[HkexSecurity]] = field(
        default_factory=dict
    )
    # per (initial, day): the equities on the masters of the day and their short names as the
    # abbreviation test reads them (upper case, letters and digits)
    _equity_letters_cache: dict[tuple[str, dt.date | None], list[tuple[HkexSecurity, str]]] = field(
        default_factory=dict
    )
    # HKEX equity codes by the first letter of a short name they had: where a derivative's
    # underlying abbreviation is looked for.
    equity_codes_by_initial: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def hkex_line(self, code: str, as_of: dt.date | None) -> HkexSecurity | None:
        """What the HKEX masters say ``code`` is on ``as_of`` (None: the newest master).

        A derivative's code is recycled within months of its expiry: it is trusted only on a
        master that lists it with a life covering the day (from the master's date to the
        expiry). A share code is stable: the newest master on or before the day, else the
        oldest after it.
        """
        lines = self.hkex_lines.get(code)
        if not lines:
            return None
        if as_of is None:
            return lines[-1]
        day = as_of.isoformat()
        for line in reversed(lines):
            if line.category in HKEX_DERIVATIVES and line.master_date <= day <= line.expiry:
                return line
        others = [line for line in lines if line.category not in HKEX_DERIVATIVES]
        if not others:
            return None
        before = [line for line in others if line.master_date <= day]
        return before[-1] if before else others[0]

    def abbreviation_candidates(
        self, abbreviation: str, as_of: dt.date | None
    ) -> list[HkexSecurity]:
        """The HKEX equities (on the masters of the day) whose short name the abbreviation of
        a derivative's underlying may stand for."""
        key = (abbreviation, as_of)
        if key not in self._abbreviation_cache:
            initial = next((c for c in abbreviation.upper() if c.isalnum()), "")
            stands_for = _abbreviation_pattern(abbreviation)
            found = [
                line
                for line, letters in self._equity_letters(initial, as_of)
                if stands_for is not None and stands_for.match(letters)
            ]
            self._abbreviation_cache[key] = sorted(found, key=lambda line: line.code)
        return self._abbreviation_cache[key]

    def _equity_letters(
        self, initial: str, as_of: dt.date | None
    ) -> list[tuple[HkexSecurity, str]]:
        """The equities of the day whose short name had ``initial``, with the letters and
        digits of their short names in upper case (worked out once per initial and day, not
        once per abbreviation: a firm's book holds hundreds of derivatives' abbreviations)."""
        key = (initial, as_of)
        found = self._equity_letters_cache.get(key)
        if found is None:
            found = []
            for code in self.equity_codes_by_initial.get(initial, ()):
                line = self.hkex_line(code, as_of)
                if line is not None and line.category == "Equity":
                    name = equity_short_name(line.name).upper()
                    found.append((line, "".join(c for c in name if c.isalnum())))
            self._equity_letters_cache[key] = found
        return found

    def is_listed_or_related_line(self, code: str) -> bool:
        """Whether an HKEX code is a line of a list entry or of a related company."""
        line = Ticker(code, HONG_KONG)
        master = self.hkex_by_code.get(code)
        return bool(
            self.by_ticker.get(line)
            or self.related_by_ticker.get(line)
            or (master is not None and master.isin and self.by_isin.get(master.isin))
            or (master is not None and master.isin and self.related_by_isin.get(master.isin))
        )

    def __post_init__(self) -> None:
        known = []
        for ref_list, entry in self.reference.iter_entries():
            lid, eid = ref_list.list_id, entry.entry_id
            for isin in entry.isins:
                if (valid := normalize_isin(isin)) is not None:
                    self.by_isin[valid].append(
                        _IdentifierHit(lid, eid, "isin", f"ISIN {valid} is published in the entry")
                    )
            for raw in entry.tickers:
                if (ticker := parse_ticker(raw)) is not None:
                    self.by_ticker[ticker].append(
                        _IdentifierHit(
                            lid, eid, "ticker", f"ticker {raw!r} is published in the entry"
                        )
                    )
            entry_names = [NameIndex.known(lid, eid, NameKind.PRIMARY, entry.name)]
            entry_names += [
                NameIndex.known(lid, eid, NameKind.STRONG_ALIAS, a) for a in entry.strong_aliases
            ]
            entry_names += [
                NameIndex.known(lid, eid, NameKind.ISSUER_NAME, a) for a in entry.issuer_names
            ]
            if ref_list.regime in NAME_ALONE_IS_CANDIDATE:
                # On a list of thousands of entities with common names (SDN) only exact names
                # and strong aliases are screened: fuzzy words ("TESLA" ~ "TESA") and OFAC's
                # weak aliases ("PPL", "NEC"), which OFAC itself does not expect to be screened,
                # would bury the real hits. NS-CMIC's few names keep both.
                known += [replace(k, fuzzy=False) for k in entry_names]
                continue
            known += entry_names
            known += [NameIndex.known(lid, eid, NameKind.WEAK_ALIAS, a) for a in entry.weak_aliases]
        for row in self.reference.curated_securities:
            line = f"{row.security_name} ({row.local_code or ''} {row.mic or ''})".replace(
                " )", ")"
            )
            # Rows derived by code from the exchanges' masters say so; hand-curated links too.
            how = row.provenance.value
            detail = f"{how} link: {line} belongs to entry {row.entry_id} (source: {row.source})"
            receipt = line if row.kind == "depositary receipt" else None
            if row.isin and (valid := normalize_isin(row.isin)) is not None:
                self.by_isin[valid].append(
                    _IdentifierHit(
                        row.list_id, row.entry_id, f"{how} isin", detail, receipt, row.provenance
                    )
                )
            if row.local_code and row.mic:
                ticker = make_ticker(row.local_code, row.mic)
                if ticker is not None:
                    self.by_ticker[ticker].append(
                        _IdentifierHit(
                            row.list_id,
                            row.entry_id,
                            f"{how} ticker",
                            detail,
                            receipt,
                            row.provenance,
                        )
                    )
        for ticker_key, ticker_hits in self.by_ticker.items():
            for hit in ticker_hits:
                self.lines_by_entry[(hit.list_id, hit.entry_id)].add(ticker_key)
        masters = sorted(self.reference.hkex, key=lambda line: line.master_date)
        for master_line in masters:
            self.hkex_lines[master_line.code].append(master_line)
        # the newest master's line of each code, and its equities' short names first
        newest_first = sorted(masters, key=lambda line: (line.master_date, -line.source_row))
        for master_line in reversed(newest_first):
            self.hkex_by_code.setdefault(master_line.code, master_line)
            if master_line.category == "Equity":
                short = equity_short_name(master_line.name)
                self.equity_by_short_name.setdefault(short, master_line.code)
                self.equity_codes_by_short_name[short].add(master_line.code)
                initial = next((c for c in short if c.isalnum()), "")
                self.equity_codes_by_initial[initial].add(master_line.code)
            if master_line.isin and master_line.code not in {
                line.code for line in self.hkex_by_isin.get(master_line.isin, [])
            }:
                self.hkex_by_isin[master_line.isin].append(master_line)
        for known_isin in [*self.by_isin, *self.hkex_by_isin]:
            self.isins_by_nsin[known_isin[2:11]].add(known_isin)
        relation_names = []
        for relation in self.reference.relations:
            for isin in relation.subject_isins:
                if (valid := normalize_isin(isin)) is not None:
                    self.related_by_isin[valid].append(relation)
            for issuer_number in relation.subject_cusip6:
                self.related_by_cusip6[issuer_number.upper()].append(relation)
            for raw in relation.subject_tickers:
                if (ticker := parse_ticker(raw)) is not None:
                    self.related_by_ticker[ticker].append(relation)
                    master = (
                        self.hkex_by_code.get(ticker.code) if ticker.market == HONG_KONG else None
                    )
                    if master is not None and master.isin:
                        self.related_by_isin[master.isin].append(relation)
            for text in names_of_subject(relation):
                if key := normalize_name(text):
                    relation_names.append((key, relation))
        for key, relation in relation_names:
            self.related_by_name[key].append(relation)
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.CURATED, row.name)
            for row in self.reference.curated_names
        ]
        # The HKEX short names of the entries' equity lines, on every shipped master: exact
        # only (a short name is an abbreviation; a similar one is another company's).
        for (lid, eid), entry_lines in self.lines_by_entry.items():
            for entry_line in entry_lines:
                if entry_line.market != HONG_KONG:
                    continue
                for master_line in self.hkex_lines.get(entry_line.code, []):
                    if master_line.category == "Equity":
                        known.append(
                            replace(
                                NameIndex.known(lid, eid, NameKind.SHORT_NAME, master_line.name),
                                fuzzy=False,
                            )
                        )
        # Curated abbreviations (exchange short names): like OFAC's weak aliases, at most REVIEW.
        known += [
            NameIndex.known(row.list_id, row.entry_id, NameKind.ABBREVIATION, row.abbreviation)
            for row in self.reference.abbreviations
            if self.reference.has_entry(row.list_id, row.entry_id)
        ]
        self.names = NameIndex(known)


def equity_short_name(name: str) -> str:
    """An HKEX equity short name without its share-line suffix (``SENSETIME-W`` -> ``SENSETIME``)."""
    short = name.upper().strip()
    for suffix in ("-SWR", "-WR", "-SW", "-W", "-S", "-R", "-B"):
        short = short.removesuffix(suffix)
    return short


# HKEX warrant and CBBC short names: a 2-letter issuer code, then the underlying's abbreviation
# ("BI-SMIC@EC2509D", "HSCNOOC@EC2508A"; CBBCs "UB#SMIC RC2507A" with a 5-character field).
HKEX_DERIVATIVES = {
    "Derivative Warrants": "derivative warrant",
    "Callable Bull/Bear Contracts": "CBBC",
    "Inline Warrants": "inline warrant",
}


def _abbreviation_pattern(abbreviation: str) -> re.Pattern[str] | None:
    """Whether an abbreviation's letters stand in a name in order, from its first letter
    (TENCT of TENCENT, PINAN of PING AN, CMOB of CHINA MOBILE), as a pattern over the name's
    upper-case letters and digits: the first letter first, each next one at its first place
    after the one before (each step a run of other characters, so matching never
    backtracks); None for an abbreviation without letters."""
    letters = [c for c in abbreviation if c.isalnum()]
    if not letters:
        return None
    steps = "".join(f"[^{re.escape(c)}]*{re.escape(c)}" for c in letters[1:])
    return re.compile(re.escape(letters[0]) + steps)
