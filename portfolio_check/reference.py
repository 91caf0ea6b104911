"""The reference snapshot as data: lists, entries, curated rows and exchange masters. Pure.

These are the shapes the core (resolve, screen) works on; loading and validating them from
files is :mod:`portfolio_check.refdata`'s job, importing official files is :mod:`sources`'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from portfolio_check.errors import ReferenceDataError, UsageError
from portfolio_check.model import CuratedName, CuratedSecurity, ListEntry, Relation
from portfolio_check.regimes import COMPANION_LISTS, Designation, lists_on

__all__ = [
    "DEFAULT_LISTS",
    "CuratedAbbreviation",
    "HkexSecurity",
    "Reference",
    "ReferenceList",
]


@dataclass(frozen=True)
class HkexSecurity:
    code: str
    name: str
    category: str
    sub_category: str
    isin: str
    currency: str
    rmb_counter: str
    source_row: int
    # Warrants and CBBCs expire and their codes are recycled within months: a derivative's code
    # is trusted only from the day its master was published (``master_date``) to ``expiry``.
    expiry: str = ""  # ISO date, "" for lines without one (equities)
    master_date: str = ""  # ISO date of the master's "Updated as at" line


@dataclass(frozen=True)
class CuratedAbbreviation:
    """A short name or acronym a list entry is known by, curated with its source."""

    abbreviation: str
    list_id: str
    entry_id: str
    stands_for: str
    note: str
    source: str


# The lists a check applies unless told otherwise: the two with legal effect on investments.
DEFAULT_LISTS: tuple[str, ...] = ("ns-cmic", "sdn")


@dataclass(frozen=True)
class ReferenceList:
    """One list as shipped: its entries and which regime gives it effect."""

    list_id: str
    title: str
    regime: str
    source: str
    entries: tuple[ListEntry, ...]


@dataclass(frozen=True)
class Reference:
    """The whole snapshot, validated."""

    folder: Path
    version: str
    manifest: dict[str, Any]
    lists: dict[str, ReferenceList]
    curated_securities: tuple[CuratedSecurity, ...]
    curated_names: tuple[CuratedName, ...]
    relations: tuple[Relation, ...] = ()
    hkex: tuple[HkexSecurity, ...] = ()
    derivative_underlyings: dict[str, str] = field(default_factory=dict)
    abbreviations: tuple[CuratedAbbreviation, ...] = ()
    # EO 13959 designations by (list id, entry id): the rule of that period needs their dates.
    designations: dict[tuple[str, str], Designation] = field(default_factory=dict)
    _entries: dict[tuple[str, str], ListEntry] = field(default_factory=dict, repr=False)
    _selections: dict[tuple[str, ...], Reference] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for ref_list in self.lists.values():
            for entry in ref_list.entries:
                self._entries[(ref_list.list_id, entry.entry_id)] = entry

    def entry(self, list_id: str, entry_id: str) -> ListEntry:
        try:
            return self._entries[(list_id, entry_id)]
        except KeyError:
            raise ReferenceDataError(f"no entry {entry_id!r} in list {list_id!r}") from None

    @cached_property
    def lists_checked(self) -> str:
        """The active lists by id and size, as a clearance names them (the About sheet and the
        JSON's reference block name each list in full)."""
        return ", ".join(
            f"{item.list_id.upper()} ({len(item.entries):,} entries)"
            for item in self.lists.values()
        )

    def designation(self, list_id: str, entry_id: str) -> Designation | None:
        """The entry's EO 13959 designation, if it had one."""
        return self.designations.get((list_id, entry_id))

    def has_entry(self, list_id: str, entry_id: str) -> bool:
        return (list_id, entry_id) in self._entries

    def select(
        self, list_ids: Sequence[str] | None = None, as_of: dt.date | None = None
    ) -> Reference:
        """The snapshot with only the given lists active (default: ``DEFAULT_LISTS``).

        A list brings its companions (NS-CMIC: the earlier order's NS-CCMC list) on the dates
        their order was in force (``regimes.lists_on``); none without ``as_of``. A companion the
        snapshot does not have is left out.

        Curated rows tied to an inactive list are left out with it. The same selection of the
        same snapshot is the same object, so indexes built on it are reused.
        """
        chosen = tuple(DEFAULT_LISTS if list_ids is None else dict.fromkeys(list_ids))
        companions = {c for group in COMPANION_LISTS.values() for c in group}
        unknown = [i for i in chosen if i not in self.lists and i not in companions]
        if list_ids is not None and unknown:
            raise UsageError(
                f"unknown list {unknown[0]!r}; the snapshot has: {', '.join(self.lists)}"
            )
        wanted = tuple(i for i in lists_on(chosen, as_of) if i in self.lists)
        if wanted == tuple(self.lists):
            return self
        if wanted not in self._selections:
            self._selections[wanted] = self._with_lists([self.lists[i] for i in wanted])
        return self._selections[wanted]

    def with_lists(self, extra: Sequence[ReferenceList]) -> Reference:
        """The snapshot plus lists given at check time (a firm's own list)."""
        return self._with_lists([*self.lists.values(), *extra])

    def _with_lists(self, lists: Sequence[ReferenceList]) -> Reference:
        active = {item.list_id for item in lists}
        return Reference(
            folder=self.folder,
            version=self.version,
            manifest=self.manifest,
            lists={item.list_id: item for item in lists},
            curated_securities=tuple(r for r in self.curated_securities if r.list_id in active),
            curated_names=tuple(r for r in self.curated_names if r.list_id in active),
            relations=tuple(r for r in self.relations if r.object_list_id in active),
            hkex=self.hkex,
            derivative_underlyings=self.derivative_underlyings,
            abbreviations=tuple(r for r in self.abbreviations if r.list_id in active),
            designations={k: v for k, v in self.designations.items() if k[0] in active},
        )

    def iter_entries(self) -> Iterator[tuple[ReferenceList, ListEntry]]:
        for ref_list in self.lists.values():
            for entry in ref_list.entries:
                yield ref_list, entry
