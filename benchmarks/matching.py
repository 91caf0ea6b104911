"""Name-matching quality, measured so that anyone can rerun it: ``python benchmarks/matching.py``.

Four figures, printed as a table and then as one line
``company_f1=... alias_recall=... han_latin_recall=... group_separation=...``:

* ``company_f1``: F1 of :func:`portfolio_check.match.compare_names` on the ``Company`` rows of
  ``../shared/bench/name_matching/nomenklatura_name_bench_cases.csv`` (an external, general
  labelled set, mostly Latin names in many languages), beside the peer: OpenSanctions'
  nomenklatura logic-v2, run live on the same cases when it is installed (``pip install
  '.[bench]'``), and its frozen run from the same folder (as published on its own labels, and
  rescored on the case file's current labels).
* ``alias_recall``: every OFAC name, strong alias, weak alias and ``Issuer Name`` of every NS-CMIC
  entry, given to the engine as a holding name, resolves to its own entry and to no other. The
  truth is OFAC's: a name that OFAC gives to several entries (``CHINA TELECOM``) must resolve to
  exactly those. Names are "the same" when equal ignoring case, punctuation and ``&``/``and``.
* ``han_latin_recall``: every Chinese name of a list entry in the curated tables
  (``reference/curated/names.csv``), as written, in traditional characters and with its legal
  form spaced off, resolves to that entry (and to no entry without that name).
* ``group_separation``: the share of known parent / listed-subsidiary pairs that the engine keeps
  apart: OFAC's ``Linked To`` between two NS-CMIC entries, and the curated relations
  (``reference/curated/relations.csv``) between an entity on no list and its listed parent. A pair
  is merged when any name of one side resolves to the other side as the entity itself (a
  relation shown as a relation is not a merge).

Options: ``--shared PATH`` (default: ``../shared`` beside the repository), ``--no-peer``.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from portfolio_check.match import compare_names  # noqa: E402
from portfolio_check.model import SecurityIdentity  # noqa: E402
from portfolio_check.names import is_han, to_simplified  # noqa: E402
from portfolio_check.refdata import load_reference  # noqa: E402
from portfolio_check.reference import Reference  # noqa: E402
from portfolio_check.resolve import SecurityIndex, resolve  # noqa: E402
from portfolio_check.rules import MatchStrength  # noqa: E402

BENCH_DIR = ("bench", "name_matching")
CASES_FILE = "nomenklatura_name_bench_cases.csv"
FROZEN_FILE = "nomenklatura_logicv2_frozen_run.csv"
# The peer's frozen run calls a pair a match from this score on: its lowest predicted match
# scores 0.7005 and its highest predicted non-match 0.6977.
PEER_THRESHOLD = 0.70
LIST_ID = "ns-cmic"


# --------------------------------------------------------------------------------------------
# company_f1
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    group: str
    name1: str
    name2: str
    is_match: bool
    category: str


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def read_company_cases(shared: Path) -> list[Case]:
    """The ``Company`` rows of the labelled case file."""
    path = shared.joinpath(*BENCH_DIR, CASES_FILE)
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Case(
                row["case_group"],
                row["name1"],
                row["name2"],
                row["is_match"].strip().lower() == "true",
                row.get("category") or "",
            )
            for row in csv.DictReader(handle)
            if row["schema"] == "Company"
        ]


def our_predictions(cases: Sequence[Case]) -> list[bool]:
    return [compare_names(case.name1, case.name2).is_match for case in cases]


def company_counts(cases: Sequence[Case], predictions: Sequence[bool | None]) -> Counts:
    counts = Counts()
    for case, predicted in zip(cases, predictions, strict=True):
        if predicted is not None:
            counts.add(case.is_match, predicted)
    return counts


def peer_live_predictions(cases: Sequence[Case]) -> tuple[list[bool] | None, str]:
    """nomenklatura logic-v2 on the same cases, or None and why not."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2, ScoringConfig
    except ImportError as exc:
        return None, f"nomenklatura is not installed here ({exc.name}); pip install '.[bench]'"
    config = ScoringConfig.defaults()
    ids = itertools.count()

    def entity(name: str) -> object:
        # A fresh id per entity: the matcher caches results by entity id.
        proxy = model.make_entity("Company")
        proxy.id = f"bench-{next(ids)}"
        proxy.add("name", name)
        return proxy

    predictions = []
    for case in cases:
        result = LogicV2.compare(entity(case.name1), entity(case.name2), config)
        predictions.append(result.score >= PEER_THRESHOLD)
    import nomenklatura

    version = getattr(nomenklatura, "__version__", "?")
    return predictions, f"nomenklatura {version} logic-v2, run now, match at >= {PEER_THRESHOLD}"


def peer_frozen(shared: Path, cases: Sequence[Case]) -> tuple[Counts, list[bool | None]]:
    """The frozen run: its counts on its own labels, and its predictions aligned to ``cases``."""
    path = shared.joinpath(*BENCH_DIR, FROZEN_FILE)
    published = Counts()
    by_pair: dict[tuple[str, str], bool] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["schema"] != "Company":
                continue
            predicted = row["predicted_match"].strip().lower() == "true"
            published.add(row["is_match"].strip().lower() == "true", predicted)
            by_pair.setdefault((row["name1"], row["name2"]), predicted)
    return published, [by_pair.get((case.name1, case.name2)) for case in cases]


# --------------------------------------------------------------------------------------------
# The engine's figures: alias_recall, han_latin_recall, group_separation
# --------------------------------------------------------------------------------------------


def same_name(text: str) -> str:
    """The notion of "the same name" used for the truth: case, punctuation and & ignored."""
    text = to_simplified(text).casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass
class Recall:
    total: int = 0
    correct: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, ok: bool, failure: str) -> None:
        self.total += 1
        self.correct += ok
        if not ok:
            self.failures.append(failure)

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 0.0


def ns_cmic_reference() -> Reference:
    return load_reference().select([LIST_ID])


def _entities(index: SecurityIndex, name: str, *, related_too: bool = True) -> set[str]:
    """The entries the engine ties a holding name to (as the entity; relations optional)."""
    resolution = resolve(index, SecurityIdentity(name=name))
    return {
        match.entry_id
        for match in resolution.matches
        if match.list_id == LIST_ID and (related_too or match.strength != MatchStrength.RELATED)
    }


def _entry_names(reference: Reference) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for ref_list, entry in reference.iter_entries():
        if ref_list.list_id == LIST_ID:
            names[entry.entry_id] = list(
                dict.fromkeys(
                    [entry.name, *entry.strong_aliases, *entry.weak_aliases, *entry.issuer_names]
                )
            )
    return names


def alias_recall(reference: Reference, index: SecurityIndex) -> Recall:
    names = _entry_names(reference)
    owners: dict[str, set[str]] = {}
    for entry_id, texts in names.items():
        for text in texts:
            owners.setdefault(same_name(text), set()).add(entry_id)
    recall = Recall()
    for entry_id, texts in names.items():
        for text in texts:
            expected = owners[same_name(text)]
            got = _entities(index, text)
            recall.add(
                got == expected,
                f"{text!r} of {entry_id}: resolved to {sorted(got) or 'nothing'}, "
                f"OFAC gives it to {sorted(expected)}",
            )
    return recall


_HAN_FORMS = ("股份有限公司", "有限责任公司", "有限公司")


def _han_variants(name: str) -> list[str]:
    import opencc

    traditional = str(opencc.OpenCC("s2t").convert(name))
    variants = [name, traditional]
    for form in _HAN_FORMS:
        if name.endswith(form) and len(name) > len(form):
            variants.append(f"{name[: -len(form)]} {form}")
            break
    return list(dict.fromkeys(variants))


def han_latin_recall(reference: Reference, index: SecurityIndex) -> Recall:
    owners: dict[str, set[str]] = {}
    rows = [r for r in reference.curated_names if r.list_id == LIST_ID and is_han(r.name)]
    for row in rows:
        owners.setdefault(same_name(row.name), set()).add(row.entry_id)
    recall = Recall()
    for row in rows:
        expected = owners[same_name(row.name)]
        for variant in _han_variants(row.name):
            got = _entities(index, variant, related_too=False)
            recall.add(
                got == expected,
                f"{variant!r} (curated for {row.entry_id}): resolved to {sorted(got) or 'nothing'}",
            )
    return recall


@dataclass(frozen=True)
class GroupPair:
    """A parent and a listed subsidiary (or a group company), each with its names."""

    label: str
    first_entry: str | None
    first_names: tuple[str, ...]
    second_entry: str
    second_names: tuple[str, ...]


def group_pairs(reference: Reference) -> list[GroupPair]:
    names = _entry_names(reference)
    by_name: dict[str, set[str]] = {}
    for entry_id, texts in names.items():
        for text in texts:
            by_name.setdefault(same_name(text), set()).add(entry_id)
    pairs: dict[tuple[str, str], GroupPair] = {}
    for ref_list, entry in reference.iter_entries():
        if ref_list.list_id != LIST_ID:
            continue
        for linked in entry.linked_to:
            for other in sorted(by_name.get(same_name(linked), set()) - {entry.entry_id}):
                key = tuple(sorted((entry.entry_id, other)))
                pairs.setdefault(
                    (key[0], key[1]),
                    GroupPair(
                        f"OFAC: {entry.name} linked to {linked}",
                        entry.entry_id,
                        tuple(names[entry.entry_id]),
                        other,
                        tuple(names[other]),
                    ),
                )
    result = list(pairs.values())
    for relation in getattr(reference, "relations", ()):
        if relation.object_list_id != LIST_ID:
            continue
        result.append(
            GroupPair(
                f"curated: {relation.subject_name} {relation.kind} {relation.object_entry_id}",
                None,
                (relation.subject_name, *relation.subject_aliases),
                relation.object_entry_id,
                tuple(names.get(relation.object_entry_id, [])),
            )
        )
    return result


def group_separation(reference: Reference, index: SecurityIndex) -> Recall:
    recall = Recall()
    for pair in group_pairs(reference):
        shared = {same_name(t) for t in pair.first_names} & {
            same_name(t) for t in pair.second_names
        }
        merged: list[str] = []
        for text in pair.first_names:
            if same_name(text) not in shared and pair.second_entry in _entities(
                index, text, related_too=False
            ):
                merged.append(f"{text!r} -> {pair.second_entry}")
        if pair.first_entry is not None:
            for text in pair.second_names:
                if same_name(text) not in shared and pair.first_entry in _entities(
                    index, text, related_too=False
                ):
                    merged.append(f"{text!r} -> {pair.first_entry}")
        recall.add(not merged, f"{pair.label}: merged by {', '.join(merged)}")
    return recall


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _table(rows: Iterable[Sequence[str]]) -> str:
    rows = [list(r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


@dataclass
class Results:
    ours: Counts
    peer_live: Counts | None
    peer_live_note: str
    peer_frozen_published: Counts
    peer_frozen_rescored: Counts
    alias: Recall
    han: Recall
    groups: Recall
    lost_to_peer: list[str]
    won_from_peer: list[str]

    def final_line(self) -> str:
        return (
            f"company_f1={self.ours.f1:.4f} alias_recall={self.alias.value:.4f} "
            f"han_latin_recall={self.han.value:.4f} group_separation={self.groups.value:.4f}"
        )


def run(shared: Path, *, peer: bool = True) -> Results:
    cases = read_company_cases(shared)
    ours = our_predictions(cases)
    live, note = peer_live_predictions(cases) if peer else (None, "not run (--no-peer)")
    published, frozen = peer_frozen(shared, cases)
    reference = ns_cmic_reference()
    index = SecurityIndex(reference)
    peer_predictions: Sequence[bool | None] = live if live is not None else frozen
    lost: list[str] = []
    won: list[str] = []
    for case, mine, theirs in zip(cases, ours, peer_predictions, strict=True):
        if theirs is None or mine == theirs:
            continue
        text = (
            f"{case.name1!r} vs {case.name2!r} (truth: {'match' if case.is_match else 'no match'})"
        )
        (won if mine == case.is_match else lost).append(text)
    return Results(
        ours=company_counts(cases, ours),
        peer_live=company_counts(cases, live) if live is not None else None,
        peer_live_note=note,
        peer_frozen_published=published,
        peer_frozen_rescored=company_counts(cases, frozen),
        alias=alias_recall(reference, index),
        han=han_latin_recall(reference, index),
        groups=group_separation(reference, index),
        lost_to_peer=lost,
        won_from_peer=won,
    )


def report(results: Results) -> str:
    ours, live = results.ours, results.peer_live
    frozen, rescored = results.peer_frozen_published, results.peer_frozen_rescored
    rows = [
        ["figure", "portfolio_check", "peer (live)", "peer (frozen, own labels)", "cases"],
        ["company_f1", _fmt(ours.f1), _fmt(live.f1 if live else None), _fmt(frozen.f1), str(ours.n)],
        ["  precision", _fmt(ours.precision), _fmt(live.precision if live else None), _fmt(frozen.precision), ""],
        ["  recall", _fmt(ours.recall), _fmt(live.recall if live else None), _fmt(frozen.recall), ""],
        ["  tp/fp/fn/tn", f"{ours.tp}/{ours.fp}/{ours.fn}/{ours.tn}",
         f"{live.tp}/{live.fp}/{live.fn}/{live.tn}" if live else "-",
         f"{frozen.tp}/{frozen.fp}/{frozen.fn}/{frozen.tn}", ""],
        ["alias_recall", _fmt(results.alias.value), "-", "-", str(results.alias.total)],
        ["han_latin_recall", _fmt(results.han.value), "-", "-", str(results.han.total)],
        ["group_separation", _fmt(results.groups.value), "-", "-", str(results.groups.total)],
    ]  # fmt: skip
    out = [_table(rows), ""]
    out.append(f"peer (live): {results.peer_live_note}")
    out.append(
        f"peer (frozen) rescored on the case file's current labels: F1 {rescored.f1:.4f} on "
        f"{rescored.n} of {ours.n} cases (tp/fp/fn/tn {rescored.tp}/{rescored.fp}/"
        f"{rescored.fn}/{rescored.tn})"
    )
    for title, items in (
        ("pairs the peer gets right and we do not", results.lost_to_peer),
        ("pairs we get right and the peer does not", results.won_from_peer),
        ("alias_recall failures", results.alias.failures),
        ("han_latin_recall failures", results.han.failures),
        ("group_separation failures", results.groups.failures),
    ):
        out.append(f"{title}: {len(items)}")
        out += [f"  {item}" for item in items]
    out.append("")
    out.append(results.final_line())
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--no-peer", action="store_true", help="do not run nomenklatura")
    args = parser.parse_args(argv)
    if not args.shared.joinpath(*BENCH_DIR, CASES_FILE).is_file():
        print(f"matching benchmark: {args.shared / '/'.join(BENCH_DIR)} not found", file=sys.stderr)
        return 2
    print(report(run(args.shared, peer=not args.no_peer)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
