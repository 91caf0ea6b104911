"""The options of a check, declared once: the API, the command line and the web page build
one :class:`CheckOptions` from their inputs, and the pipeline takes it.

Each field says what it means; ``tests/core/test_options.py`` walks the fields and checks that every
face offers each one (or that :data:`NOT_OFFERED` says why it does not).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from portfolio_check.decisions import DecisionBook
from portfolio_check.freshness import DEFAULT_MAX_LIST_AGE_DAYS
from portfolio_check.funds import DEFAULT_MAX_AGE_DAYS
from portfolio_check.model import Investor
from portfolio_check.rules import RelatedPolicy

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class CheckOptions:
    """Everything a check takes besides the holdings, as validated values."""

    as_of: dt.date = field(metadata={"help": "the date the lists and rules are applied on"})
    investor: Investor = field(
        default=Investor.US_PERSON, metadata={"help": "who holds the securities"}
    )
    lists: tuple[str, ...] | None = field(
        default=None, metadata={"help": "the snapshot's lists to apply (None: the defaults)"}
    )
    firm_lists: tuple[PathLike, ...] = field(
        default=(), metadata={"help": "a firm's own restricted or watch lists (files)"}
    )
    related: str = field(
        default=RelatedPolicy.LAW,
        metadata={"help": "policy for entities related to listed ones: law or as-listed"},
    )
    decisions: tuple[PathLike, ...] | DecisionBook = field(
        default=(), metadata={"help": "reviewers' decisions (files, or a loaded book)"}
    )
    fund_holdings: tuple[PathLike, ...] = field(
        default=(), metadata={"help": "fund holdings files for look-through ([TICKER,ISIN=]PATH)"}
    )
    fund_max_age_days: int = field(
        default=DEFAULT_MAX_AGE_DAYS,
        metadata={"help": "fund holdings older than this only make REVIEW"},
    )
    any_date: bool = field(
        default=False,
        metadata={"help": "accept an as-of date outside the dates the list data covers"},
    )
    max_list_age_days: int = field(
        default=DEFAULT_MAX_LIST_AGE_DAYS,
        metadata={"help": "warn when a list's newest publication is older than this"},
    )

    @classmethod
    def build(
        cls,
        *,
        as_of: dt.date | str | None = None,
        investor: Investor | str = Investor.US_PERSON,
        lists: Sequence[str] | None = None,
        firm_lists: Sequence[PathLike] = (),
        related: str = RelatedPolicy.LAW,
        decisions: DecisionBook | PathLike | Sequence[PathLike] | None = None,
        fund_holdings: Sequence[PathLike] = (),
        fund_max_age_days: int = DEFAULT_MAX_AGE_DAYS,
        any_date: bool = False,
        max_list_age_days: int = DEFAULT_MAX_LIST_AGE_DAYS,
    ) -> CheckOptions:
        """Validate a face's inputs (a date as text, an investor's name ...) into options; a
        bad value is a :class:`~portfolio_check.errors.UsageError` naming it."""
        from portfolio_check.pretrade import parse_as_of, parse_investor, parse_related

        decision_files: tuple[PathLike, ...] | DecisionBook
        if decisions is None:
            decision_files = ()
        elif isinstance(decisions, DecisionBook):
            decision_files = decisions
        elif isinstance(decisions, str | os.PathLike):
            decision_files = (decisions,)
        else:
            decision_files = tuple(decisions)
        return cls(
            as_of=parse_as_of(as_of, any_date=any_date),
            investor=parse_investor(investor),
            lists=None if lists is None else tuple(lists),
            firm_lists=tuple(firm_lists),
            related=parse_related(related),
            decisions=decision_files,
            fund_holdings=tuple(fund_holdings),
            fund_max_age_days=int(fund_max_age_days),
            any_date=bool(any_date),
            max_list_age_days=int(max_list_age_days),
        )


# The upload page's field for an option, where its name differs (a file upload field).
WEB_FIELD_NAMES: dict[str, str] = {"firm_lists": "firm_list"}

# Options a face does not offer, and why (the test accepts nothing else as missing).
NOT_OFFERED: dict[str, dict[str, str]] = {
    "web": {
        "any_date": "the page refuses dates outside the list data; use the CLI or the API to "
        "check such a date on purpose",
        "fund_max_age_days": "the page uses the default age; the CLI and API take another",
        "max_list_age_days": "the page warns at the default age; the CLI and API take another",
    },
}
