"""Relations between a held company and a listed entry, on a date. Pure.

A curated relation (``reference/curated/relations.csv``) holds only between its ``valid_from``
and ``valid_to`` (a group sells its control, a company is spun off): outside those dates it
ties nothing. Some kinds are a firm's policy choice rather than a fact the law looks at: an
affiliate that no single listed group controls (China Tower, owned by three listed telecoms) is
screened only when the firm turns that kind on.
"""

from __future__ import annotations

import datetime as dt

from portfolio_check.model import Relation, RelationKind

# Relation kinds screened only on the firm's request (``--related law+affiliates``).
OPTIONAL_KINDS = frozenset({RelationKind.AFFILIATE_OF})
AFFILIATES_SUFFIX = "+affiliates"


def names_of_subject(relation: Relation) -> tuple[str, ...]:
    """Every name the subject is known by: registered, aliases, short names, Chinese names."""
    return (
        relation.subject_name,
        *relation.subject_aliases,
        *relation.subject_short_names,
        *relation.subject_names_zh,
    )


def validity(relation: Relation) -> str:
    """The relation's dates in words."""
    start = f"from {relation.valid_from}" if relation.valid_from else "no start date recorded"
    end = f", until {relation.valid_to - dt.timedelta(days=1)}" if relation.valid_to else ""
    return start + end


def why_not_applied(relation: Relation, as_of: dt.date, policy: str) -> str | None:
    """Why the relation ties nothing on ``as_of`` under the firm's policy (None: it applies)."""
    if relation.kind in OPTIONAL_KINDS and not policy.endswith(AFFILIATES_SUFFIX):
        return (
            f"{relation.subject_name} is an affiliate ({relation.note}); affiliates are "
            f"screened only with --related {policy}{AFFILIATES_SUFFIX}"
        )
    if relation.valid_from and as_of < relation.valid_from:
        return f"the relation began on {relation.valid_from}, after {as_of} ({relation.note})"
    if relation.valid_to and as_of >= relation.valid_to:
        return (
            f"the relation ended on {relation.valid_to - dt.timedelta(days=1)}, before {as_of} "
            f"({relation.note}; source: {relation.source})"
        )
    return None


def base_policy(policy: str) -> str:
    """The law/as-listed part of a policy that may carry ``+affiliates``."""
    return policy.removesuffix(AFFILIATES_SUFFIX)
