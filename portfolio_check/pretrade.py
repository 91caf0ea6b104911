"""Pre-trade: one security's answer, from a fresh process in about the time pandas imports.

``check-security`` runs this module alone: the core (identify, resolve, screen), the reviewers'
decisions and the compiled snapshot (:mod:`portfolio_check.compiled`), and none of the
readers, writers, pandas or Arrow that a holdings check needs. The helpers both paths share
(dates, investors, the active snapshot, the reference block of the JSON) live here for that
reason; :mod:`portfolio_check.pipeline` imports them from here.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from portfolio_check.citations import entry_citation
from portfolio_check.compiled import compiled_reference, security_index
from portfolio_check.decisions import DecisionBook, apply_decisions, as_decision_book
from portfolio_check.errors import UsageError
from portfolio_check.freshness import DEFAULT_MAX_LIST_AGE_DAYS, reference_facts
from portfolio_check.identifiers import CHINA_COMPOSITE, HONG_KONG, make_ticker
from portfolio_check.model import (
    FailOn,
    InputIssue,
    Investor,
    SecurityIdentity,
    Side,
    Status,
    Verdict,
)
from portfolio_check.reference import Reference
from portfolio_check.resolve import SecurityIndex, identify, parse_hkex_derivative_name, resolve
from portfolio_check.rules import RelatedPolicy, side_allowed
from portfolio_check.screen import screen

__all__ = [
    "DISCLAIMER",
    "SecurityCheck",
    "TradeAnswer",
    "active_reference",
    "applicable_decisions",
    "as_of_bounds",
    "as_of_note",
    "check_security",
    "parse_as_of",
    "parse_investor",
    "parse_related",
    "reference_summary",
    "security_index",
]

DISCLAIMER = (
    "This report is produced by software from published lists and curated reference data. It "
    "is not legal advice. Confirm every finding against the official list and your counsel "
    "before acting."
)


def parse_as_of(value: dt.date | str | None, *, any_date: bool = False) -> dt.date:
    """The as-of date: a date, an ISO ``YYYY-MM-DD`` string, or None for today.

    A date outside :func:`as_of_bounds` is refused unless ``any_date`` (a typing error such
    as 0202-03-01 would otherwise be checked against lists that did not exist then).
    """
    day = _as_date(value)
    first, last = as_of_bounds()
    if not any_date and not first <= day <= last:
        raise UsageError(
            f"as-of date {day.isoformat()} is outside {first.isoformat()} .. {last.isoformat()}"
            ", the dates the list data covers; give a date in that range, or accept it "
            "anyway (--any-date) knowing that no list data exists for that date"
        )
    return day


# The earliest date the shipped lists speak for (the NS-CMIC regime began in 2020-11, EO 13959).
EARLIEST_AS_OF = dt.date(2020, 1, 1)


def as_of_bounds() -> tuple[dt.date, dt.date]:
    """The as-of dates accepted without ``any_date``: 2020-01-01 to one year from today."""
    today = dt.date.today()
    return EARLIEST_AS_OF, today + dt.timedelta(days=365)


def as_of_note(day: dt.date) -> list[InputIssue]:
    """An input issue saying that no list data exists for ``day``, when it is out of bounds."""
    first, last = as_of_bounds()
    if first <= day <= last:
        return []
    return [
        InputIssue(
            file="--as-of",
            problem=(
                f"no list data exists for {day.isoformat()} (the list data covers "
                f"{first.isoformat()} .. {last.isoformat()}); the date was accepted on request "
                "and the answers use the lists as the snapshot has them"
            ),
            value=day.isoformat(),
        )
    ]


def _as_date(value: dt.date | str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise UsageError(f"as-of date {value!r} is not a date in the form YYYY-MM-DD") from None


def parse_investor(value: Investor | str) -> Investor:
    try:
        return Investor(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(item.value for item in Investor)
        raise UsageError(f"investor {value!r} is not one of: {choices}") from None


def active_reference(
    reference: Reference | None,
    lists: Sequence[str] | None,
    firm_lists: Sequence[str | os.PathLike[str]] = (),
) -> Reference:
    """The snapshot with the chosen lists active, plus any firm lists given with the check."""
    # the default snapshot comes compiled, its index ready (compiled.py)
    selected = compiled_reference(lists) if reference is None else reference.select(lists)
    if not firm_lists:
        return selected
    from portfolio_check.sources.firm_list import firm_list_id, load_firm_list

    # each list its own id (firm, firm-2, ...): with one id the last list replaced the others
    return selected.with_lists(
        [load_firm_list(Path(path), firm_list_id(n)) for n, path in enumerate(firm_lists)]
    )


def parse_related(value: str) -> str:
    text = str(value).strip().lower()
    if text not in RelatedPolicy.ALL:
        raise UsageError(
            f"related-entity policy {value!r} is not one of: {', '.join(RelatedPolicy.ALL)}"
        )
    return text


def reference_summary(
    reference: Reference, max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS
) -> dict[str, Any]:
    """The reference block of the JSON contract: the snapshot, its lists and their dates."""
    facts = reference_facts(reference, max_age_days=max_list_age_days)
    published = {item["id"]: item for item in facts.pop("publications")}
    return {
        "version": reference.version,
        **facts,
        "lists": [
            {
                "id": item.list_id,
                "title": item.title,
                "source": item.source,
                "entries": len(item.entries),
                **{k: v for k, v in published.get(item.list_id, {}).items() if k != "id"},
            }
            for item in reference.lists.values()
        ],
    }


def applicable_decisions(
    book: DecisionBook | None, active: Reference, reference: Reference | None
) -> DecisionBook | None:
    """The decisions about the active lists; one naming an unknown list is an error."""
    if book is None:
        return None
    known = {*(reference or compiled_reference(None)).lists, *active.lists}
    return book.applicable(active.lists, known)


# A text without spaces that holds a digit, of an identifier's length: a code, never a name.
_CODE_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9.:#@/\-]{1,16}$")


def _looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(text.strip()))


def _bare_code_lines(
    index: SecurityIndex,
    reference: Reference,
    code: str,
    day: dt.date,
    investor: Investor,
    policy: str,
) -> str:
    """What a bare code would be on each exchange whose codes are numbers, with its status."""
    seen: list[str] = []
    for market in (HONG_KONG, CHINA_COMPOSITE):
        ticker = make_ticker(code, market)
        if ticker is None:
            continue
        identity = SecurityIdentity(
            ticker=str(ticker), exchange=ticker.market, local_code=ticker.code
        )
        verdict = screen(
            resolve(index, identity, as_of=day), reference, day, investor, related_policy=policy
        )
        line = index.hkex_line(ticker.code, day) if ticker.market == HONG_KONG else None
        label = f"{ticker}" + (f" ({line.name})" if line else "")
        seen.append(f"{label}: {verdict.status.value}")
    if not seen:
        return ""
    return (
        "; a bare code without an exchange is never guessed (give --exchange); it could be: "
        + "; ".join(seen)
    )


class TradeAnswer(StrEnum):
    """May this side of the trade be done: yes, only to divest, or no."""

    YES = "yes"
    DIVEST_ONLY = "divest-only"
    NO = "no"


@dataclass(frozen=True)
class SecurityCheck:
    """The pre-trade answer for one security: status, whether this side is allowed, evidence."""

    query: str
    as_of: dt.date
    investor: Investor
    side: Side
    verdict: Verdict
    allowed: bool
    reference: Reference
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS

    @property
    def status(self) -> Status:
        return self.verdict.status

    @property
    def answer(self) -> TradeAnswer:
        """Three ways, not two: a sale allowed only to divest is neither "yes" nor "no"."""
        if self.allowed:
            return TradeAnswer.YES
        action = self.verdict.actions.buy if self.side is Side.BUY else self.verdict.actions.sell
        if self.status is Status.PROHIBITED and action.startswith("only to divest"):
            return TradeAnswer.DIVEST_ONLY
        return TradeAnswer.NO

    @property
    def headline(self) -> str:
        """The answer in words: "allowed", "allowed only to divest, until D", "NOT allowed"."""
        if self.answer is TradeAnswer.YES:
            return "allowed"
        if self.answer is TradeAnswer.DIVEST_ONLY:
            action = (
                self.verdict.actions.sell if self.side is Side.SELL else self.verdict.actions.buy
            )
            return "allowed " + action
        if self.status is Status.UNRESOLVED:
            return "NOT allowed until the security is identified"
        if self.status is Status.REVIEW:
            return "NOT allowed until a person has reviewed it"
        return "NOT allowed"

    def fails(self, fail_on: FailOn) -> bool:
        if fail_on is FailOn.NEVER:
            return False
        if fail_on is FailOn.REVIEW and self.status is Status.UNRESOLVED:
            return True
        threshold = Status.PENDING if fail_on is FailOn.PROHIBITED else Status.REVIEW
        return self.status.severity <= threshold.severity

    def to_dict(self) -> dict[str, Any]:
        verdict = self.verdict
        return {
            "query": self.query,
            "as_of": self.as_of.isoformat(),
            "investor": self.investor.value,
            "side": self.side.value,
            "status": verdict.status.value,
            "allowed": self.allowed,
            "answer": self.answer.value,
            "headline": self.headline,
            "reason": verdict.reason,
            "security": verdict.identity.model_dump(mode="json"),
            "issuer": {"id": verdict.issuer_id, "name": verdict.issuer_name},
            "findings": [
                {
                    **f.model_dump(mode="json"),
                    **entry_citation(self.reference, f.list_id, f.entry_id),
                }
                for f in verdict.findings
            ],
            "actions": verdict.actions.model_dump(),
            "reference": reference_summary(self.reference, self.max_list_age_days),
            "disclaimer": DISCLAIMER,
        }


def check_security(
    identifier: str,
    *,
    exchange: str | None = None,
    as_of: dt.date | str | None = None,
    investor: Investor | str = Investor.US_PERSON,
    side: Side | str = Side.BUY,
    lists: Sequence[str] | None = None,
    firm_lists: Sequence[str | os.PathLike[str]] = (),
    related: str = RelatedPolicy.LAW,
    decisions: DecisionBook
    | str
    | os.PathLike[str]
    | Sequence[str | os.PathLike[str]]
    | None = None,
    reference: Reference | None = None,
    any_date: bool = False,
    max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS,
) -> SecurityCheck:
    """Answer a pre-trade question for one identifier (ISIN, ticker in any notation, or a name).

    ``lists``, ``firm_lists``, ``related`` and ``decisions`` as for :func:`check`.
    """
    query = (identifier or "").strip()
    if not query:
        raise UsageError("no security identifier given")
    day = parse_as_of(as_of, any_date=any_date)
    who = parse_investor(investor)
    try:
        trade_side = Side(str(side).strip().lower())
    except ValueError:
        raise UsageError(f"side {side!r} is not one of: buy, sell") from None
    policy = parse_related(related)
    book = as_decision_book(decisions)
    ref = active_reference(reference, lists, firm_lists)
    book = applicable_decisions(book, ref, reference)
    index = security_index(ref)
    identity, notes = identify(identifier=query, exchange=exchange)
    recognised = identity.isin or identity.cusip or identity.sedol or identity.ticker or notes
    if not recognised and (parse_hkex_derivative_name(query) or not _looks_like_code(query)):
        # Not an identifier in any notation we know: the query is a name (an IPO subscription
        # has no ticker yet) or a warrant's short name. A malformed identifier (bad check
        # digit) or a code-like text is never taken as a name.
        identity, notes = identify(name=query)
    resolution = apply_decisions(resolve(index, identity, notes, as_of=day), book)
    verdict = screen(resolution, ref, day, who, related_policy=policy)
    if verdict.status is Status.UNRESOLVED and query.isdigit() and not exchange:
        verdict = verdict.model_copy(
            update={
                "reason": verdict.reason + _bare_code_lines(index, ref, query, day, who, policy)
            }
        )
    allowed = verdict.status not in (Status.UNRESOLVED, Status.BLOCKED, Status.REVIEW) and (
        side_allowed(verdict.actions, trade_side)
    )
    return SecurityCheck(query, day, who, trade_side, verdict, allowed, ref, max_list_age_days)
