"""Reviewer decisions: a person's "not a match" or "is a match" for a holding and a list entry.

Decisions live in a plain CSV file the user keeps (``decisions.csv``), one decision a row::

    decided_at,decided_by,isin,ticker,name,list_id,entry_id,decision,reason
    2024-03-01,j.doe,,,Sensetime Robotics Ltd,ns-cmic,33114,not-a-match,"a different company ..."

* ``decided_at`` (ISO date or date-time), ``decided_by`` and ``reason``: when, who and why; all
  three are required, since the decision becomes the evidence an auditor reads.
* ``isin``, ``ticker``, ``name``: the holding the decision is about. The strongest one given
  identifies it: an ISIN, else a ticker (any notation :func:`portfolio_check.identifiers.parse_ticker`
  reads, e.g. ``0020 HK``), else a name (compared after normalisation). The others are notes.
* ``list_id``, ``entry_id``: the list entry; ``decision``: ``not-a-match`` or ``is-a-match``.

On a later run, :func:`apply_decisions` honours them: ``not-a-match`` removes a name-based match
(a fuzzy name, an alias, an exact name) and says so; it never overrides an identifier that the
list or a curated link ties to the entry (a person cannot un-list an ISIN; the note says the
decision was not applied). ``is-a-match`` makes a candidate definite, or adds the entry when the
engine found nothing, with the decision as the evidence. When several rows concern one holding
and one entry, the latest ``decided_at`` wins.

Loading (:func:`load_decisions`) reads the file; everything else here is pure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from portfolio_check.errors import InputFileError, UsageError
from portfolio_check.identifiers import normalize_isin, parse_ticker
from portfolio_check.model import SecurityIdentity
from portfolio_check.names import normalize_name
from portfolio_check.resolve import EntryMatch, MatchBasis, Resolution
from portfolio_check.rules import MatchStrength

NOT_A_MATCH = "not-a-match"
IS_A_MATCH = "is-a-match"
DECISIONS = (NOT_A_MATCH, IS_A_MATCH)
COLUMNS = (
    "decided_at",
    "decided_by",
    "isin",
    "ticker",
    "name",
    "list_id",
    "entry_id",
    "decision",
    "reason",
)
REQUIRED = ("decided_at", "decided_by", "list_id", "entry_id", "decision", "reason")
MATCHED_ON_DECISION = "reviewer decision"


@dataclass(frozen=True)
class Decision:
    """One reviewer decision about one holding and one list entry."""

    decided_at: str
    decided_by: str
    list_id: str
    entry_id: str
    decision: str
    reason: str
    isin: str | None = None
    ticker: str | None = None
    name: str | None = None
    # where the decision was written (file, line), for messages
    origin: str = ""

    @property
    def holding_key(self) -> str:
        """What identifies the holding: ``isin:...``, ``ticker:...`` or ``name:...``."""
        if self.isin:
            return f"isin:{self.isin}"
        if self.ticker:
            return f"ticker:{self.ticker}"
        return f"name:{normalize_name(self.name or '')}"

    def evidence(self) -> str:
        holding = self.isin or self.ticker or self.name
        return (
            f"reviewer decision: {self.decision} for {holding!r} and {self.list_id} entry "
            f"{self.entry_id}, by {self.decided_by} on {self.decided_at}: {self.reason}"
        )


def holding_keys(identity: SecurityIdentity) -> list[str]:
    """The keys a decision may identify this holding by (see :attr:`Decision.holding_key`)."""
    keys = []
    if identity.isin:
        keys.append(f"isin:{identity.isin}")
    if identity.ticker:
        keys.append(f"ticker:{identity.ticker}")
    if identity.name and (key := normalize_name(identity.name)):
        keys.append(f"name:{key}")
    return keys


class DecisionBook:
    """Decisions by holding and entry; the latest decision for a pair wins."""

    def __init__(self, decisions: Iterable[Decision] = (), source: str = "") -> None:
        self.source = source
        self._by_holding: dict[str, dict[tuple[str, str], Decision]] = {}
        self._all: list[Decision] = []
        for decision in sorted(decisions, key=lambda d: d.decided_at):
            pairs = self._by_holding.setdefault(decision.holding_key, {})
            pairs[(decision.list_id, decision.entry_id)] = decision
            self._all.append(decision)

    def __len__(self) -> int:
        return len(self._all)

    def applicable(self, active: Iterable[str], known: Iterable[str]) -> DecisionBook:
        """The decisions about the ``active`` lists; one naming a list that is not ``known``
        (a typing error, or a list the snapshot does not have) is a one-line error."""
        known_ids = set(known)
        for decision in self._all:
            if decision.list_id not in known_ids:
                raise UsageError(
                    f"{decision.origin or self.source}: the decision names list "
                    f"{decision.list_id!r}, which is not a list of the reference (known: "
                    f"{', '.join(sorted(known_ids))})"
                )
        active_ids = set(active)
        if all(d.list_id in active_ids for d in self._all):
            return self
        return DecisionBook((d for d in self._all if d.list_id in active_ids), self.source)

    @classmethod
    def merged(cls, books: Iterable[DecisionBook]) -> DecisionBook:
        """One book from several files (the latest decision for a pair still wins)."""
        books = list(books)
        return cls((d for book in books for d in book._all), "; ".join(b.source for b in books))

    def for_holding(self, identity: SecurityIdentity) -> dict[tuple[str, str], Decision]:
        """The decisions that apply to a holding, by (list, entry); the strongest key first."""
        found: dict[tuple[str, str], Decision] = {}
        for key in holding_keys(identity):
            for pair, decision in self._by_holding.get(key, {}).items():
                found.setdefault(pair, decision)
        return found


def _identifier_based(match: EntryMatch) -> bool:
    return match.matched_on.endswith(("isin", "ticker"))


def apply_decisions(resolution: Resolution, book: DecisionBook | None) -> Resolution:
    """The resolution with the reviewers' decisions honoured, each shown as evidence."""
    if book is None or not len(book):
        return resolution
    decided = book.for_holding(resolution.identity)
    if not decided:
        return resolution
    notes = list(resolution.notes)
    kept: list[EntryMatch] = []
    dismissed: list[str] = []
    for match in resolution.matches:
        decision = decided.pop((match.list_id, match.entry_id), None)
        if decision is None:
            kept.append(match)
        elif decision.decision == NOT_A_MATCH and _identifier_based(match):
            notes.append(
                f"{decision.evidence()} — not applied: the {match.matched_on} ties the "
                "security to the entry, which a reviewer's decision cannot undo"
            )
            kept.append(match)
        elif decision.decision == NOT_A_MATCH:
            dismissed.append(decision.evidence())
        elif match.strength == MatchStrength.DEFINITE:
            kept.append(
                replace(match, detail=f"{match.detail}; confirmed by {decision.evidence()}")
            )
        else:
            kept.append(
                replace(
                    match,
                    matched_on=MATCHED_ON_DECISION,
                    score=1.0,
                    strength=MatchStrength.DEFINITE,
                    detail=f"{decision.evidence()} (the engine had: {match.matched_on}: "
                    f"{match.detail})",
                )
            )
    for (list_id, entry_id), decision in decided.items():
        if decision.decision == IS_A_MATCH:
            kept.append(
                EntryMatch(
                    list_id,
                    entry_id,
                    MATCHED_ON_DECISION,
                    1.0,
                    MatchStrength.DEFINITE,
                    decision.evidence(),
                    basis=MatchBasis.DECISION,
                )
            )
    if dismissed:
        notes += dismissed
        kept = [
            replace(match, detail=f"{match.detail}; other candidates dismissed: "
                    + "; ".join(dismissed))
            for match in kept
        ]  # fmt: skip
    return replace(resolution, matches=tuple(kept), notes=tuple(notes))


def _row_error(path: Path, line: int, problem: str) -> UsageError:
    return UsageError(f"{path}, line {line}: {problem}")


def parse_decision(row: dict[str, str | None], path: Path, line: int) -> Decision:
    """One CSV row as a decision, or an error naming the file, the line and the problem."""
    cells = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
    for column in REQUIRED:
        if not cells.get(column):
            raise _row_error(path, line, f"the {column!r} column is empty")
    decision = cells["decision"].lower()
    if decision not in DECISIONS:
        raise _row_error(path, line, f"decision {cells['decision']!r} is not one of {DECISIONS}")
    try:
        dt.datetime.fromisoformat(cells["decided_at"])
    except ValueError:
        raise _row_error(
            path, line, f"decided_at {cells['decided_at']!r} is not an ISO date (YYYY-MM-DD)"
        ) from None
    isin = None
    if cells.get("isin"):
        isin = normalize_isin(cells["isin"])
        if isin is None:
            raise _row_error(path, line, f"ISIN {cells['isin']!r} is not a valid ISIN")
    ticker = None
    if cells.get("ticker"):
        parsed = parse_ticker(cells["ticker"])
        if parsed is None:
            raise _row_error(
                path, line, f"ticker {cells['ticker']!r} names no exchange (write e.g. '0020 HK')"
            )
        ticker = str(parsed)
    name = cells.get("name") or None
    if not (isin or ticker or (name and normalize_name(name))):
        raise _row_error(path, line, "give the holding's isin, ticker or name")
    return Decision(
        decided_at=cells["decided_at"],
        decided_by=cells["decided_by"],
        list_id=cells["list_id"],
        entry_id=cells["entry_id"],
        decision=decision,
        reason=cells["reason"],
        isin=isin,
        ticker=ticker,
        name=name,
        origin=f"{path}, line {line}",
    )


def load_decisions(path: str | os.PathLike[str]) -> DecisionBook:
    """Read a decisions CSV (see the module docstring); a missing or malformed file is an error."""
    file = Path(path)
    # the holdings reader's guards: a regular file within the size limit, one encoding
    # decision, and no byte that does not decode (a decision is evidence an auditor reads)
    from portfolio_check.holdings.encoding import decode_csv
    from portfolio_check.holdings.guards import read_regular_file
    from portfolio_check.holdings.readers import MAX_FILE_ENV, ReadLimits, csv_problem

    try:
        raw = read_regular_file(
            file, str(file), ReadLimits.from_env().max_file_bytes, f"set {MAX_FILE_ENV}"
        )
        decoded = decode_csv(raw, str(file))
    except InputFileError as error:
        raise UsageError(f"{error} (the decisions file)") from None
    if decoded.bad:
        first = decoded.bad[0]
        raise _row_error(
            file, first.line, f"bytes that are not {decoded.encoding} ({first.data.hex(' ')})"
        )
    reader = csv.DictReader(io.StringIO(decoded.text, newline=""))
    line = 1
    try:
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise UsageError(
                f"{file}: not a decisions file (missing columns: {', '.join(missing)}; "
                f"expected {','.join(COLUMNS)})"
            )
        decisions = []
        for row in reader:
            line = reader.line_num
            decisions.append(parse_decision(row, file, line))
    except csv.Error as exc:
        raise _row_error(file, line + 1, f"malformed CSV: {csv_problem(exc)}") from None
    return DecisionBook(decisions, source=str(file))


def as_decision_book(
    decisions: DecisionBook | str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None,
) -> DecisionBook | None:
    """A decision book from the API argument: a book, a path to a CSV, several paths, or
    None."""
    if decisions is None or isinstance(decisions, DecisionBook):
        return decisions
    if isinstance(decisions, str | os.PathLike):
        return load_decisions(decisions)
    paths = list(decisions)
    if not paths:
        return None
    return DecisionBook.merged(load_decisions(p) for p in paths)
