"""Labelled-corpus benchmark (issue 12): false clears and false prohibits, row by row.

    python benchmarks/corpus.py [--out DIR] [--seed N] [--all] [--no-derivatives]

Generates the corpus (benchmarks/corpus/, labels from the reference files and rules, never
from the checker), runs ``portfolio_check.check`` on every file with the file's as-of date and
investor and ``lists=["ns-cmic"]``, and compares every labelled row.

A row matches when its actual status is the expected one or one of the label's ``accept``
statuses (the fail-safe alternatives the label names). Figures of the final line:

* false_clear: labelled positions expected not CLEAR whose actual is CLEAR (not accepted),
  plus every lost position (a labelled position absent from the output);
* false_prohibit: positions whose actual is PROHIBITED, PENDING or BLOCKED while the expected
  status is none of those (and the actual is not accepted);
* recall: covered positions (expected PROHIBITED or PENDING) whose actual is the expected (or accepted),
  over covered positions;
* precision: positions whose actual is PROHIBITED or PENDING and is the expected (or accepted), over
  positions whose actual is PROHIBITED or PENDING;
* rows: labelled positions.

Non-position rows (title, header, cash, subtotal, total, footer, blank) must not come out as
holdings ("phantom" rows); those with a class must be among ``other_rows`` (a wrong or missing
class is listed but is not in the final line).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as corpus_package  # the package benchmarks/corpus/ (a folder wins over corpus.py)

COVERED = {"PROHIBITED", "PENDING"}
BLOCKING = {"BLOCKED", "PROHIBITED", "PENDING"}


@dataclass
class Mismatch:
    file: str
    sheet: str
    row: int
    layout: str
    kind: str
    expected: str
    actual: str
    why: str
    reason: str
    content: str


@dataclass
class Results:
    rows: int = 0
    false_clear: int = 0
    false_prohibit: int = 0
    covered: int = 0
    covered_hit: int = 0
    flagged: int = 0
    flagged_right: int = 0
    lost: int = 0
    duplicated: int = 0
    phantom: int = 0
    class_mismatch: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    other_problems: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    by_layout: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    dropped: int = 0
    seconds: float = 0.0

    @property
    def recall(self) -> float:
        return self.covered_hit / self.covered if self.covered else 1.0

    @property
    def precision(self) -> float:
        return self.flagged_right / self.flagged if self.flagged else 1.0

    def final_line(self) -> str:
        return (
            f"false_clear={self.false_clear} false_prohibit={self.false_prohibit} "
            f"recall={self.recall:.4f} precision={self.precision:.4f} rows={self.rows}"
        )


def _key(path: str, sheet: str, row: int, fmt: str) -> tuple[str, str, int]:
    return (Path(path).name, sheet if fmt != "csv" else "", int(row))


def _mismatch(label: Any, expected: str, actual: str, reason: str) -> Mismatch:
    """A labelled row whose status is not the expected one (or is missing)."""
    return Mismatch(
        label.file,
        label.sheet,
        label.row,
        label.layout,
        label.kind,
        expected,
        actual,
        label.why,
        reason,
        label.content,
    )


def compare(built: corpus_package.Corpus) -> Results:
    import portfolio_check

    results = Results(dropped=len(built.dropped))
    by_file: dict[str, list[corpus_package.RowLabel]] = defaultdict(list)
    for label in built.labels:
        by_file[label.file].append(label)
    start = time.perf_counter()
    for spec in built.files:
        fmt = spec.layout.fmt
        actual: dict[tuple[str, str, int], list[tuple[str, str]]] = defaultdict(list)
        others: dict[tuple[str, str, int], str] = {}
        try:
            result = portfolio_check.check(
                spec.path, as_of=spec.as_of, investor=spec.investor, lists=["ns-cmic"]
            )
        except portfolio_check.PortfolioCheckError as error:  # every row of the file is lost
            results.file_errors.append(f"{spec.name} [{spec.layout.name}]: {error}")
        else:
            frame = result.holdings
            for file, sheet, row, status, reason in zip(
                frame["file"],
                frame["sheet"],
                frame["row"],
                frame["status"],
                frame["reason"],
                strict=True,
            ):
                actual[_key(str(file), str(sheet), int(row), fmt)].append(
                    (str(status), str(reason))
                )
            others = {
                _key(o.file, o.sheet, o.row, fmt): str(o.row_class.value) for o in result.other_rows
            }
        for label in by_file[spec.name]:
            key = (label.file, label.sheet if fmt != "csv" else "", label.row)
            found = actual.get(key, [])
            if not label.position:
                if found:
                    results.phantom += 1
                    results.other_problems.append(
                        f"{label.file} {label.sheet}!{label.row} [{label.layout}] {label.row_class or 'blank'} row "
                        f"taken as a holding: {found[0][0]} ({label.content[:60]})"
                    )
                elif label.row_class and others.get(key) not in label.accept:
                    results.class_mismatch += 1
                    results.other_problems.append(
                        f"{label.file} {label.sheet}!{label.row} [{label.layout}] expected class "
                        f"{label.row_class}, got {others.get(key)} ({label.content[:60]})"
                    )
                continue
            results.rows += 1
            expected = label.expected or ""
            counts = results.by_layout[label.layout]
            counts["rows"] += 1
            if not found:
                results.lost += 1
                results.false_clear += 1
                counts["lost"] += 1
                results.mismatches.append(_mismatch(label, expected, "(lost)", ""))
                continue
            if len(found) > 1:
                results.duplicated += 1
                counts["duplicated"] += 1
            status, reason = found[0]
            accepted = status == expected or status in label.accept
            if expected in COVERED:
                results.covered += 1
                results.covered_hit += accepted
            if status in COVERED:
                results.flagged += 1
                results.flagged_right += accepted
            if not accepted:
                counts["mismatch"] += 1
                if status == "CLEAR" and expected != "CLEAR":
                    results.false_clear += 1
                    counts["false_clear"] += 1
                if status in BLOCKING and expected not in BLOCKING:
                    results.false_prohibit += 1
                    counts["false_prohibit"] += 1
                results.mismatches.append(_mismatch(label, expected, status, reason))
    results.seconds = time.perf_counter() - start
    return results


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def report(results: Results, show_all: bool = False, out: object = None) -> None:
    write = print if out is None else (lambda *a: print(*a, file=out))  # type: ignore[arg-type]
    shown = results.mismatches if show_all else results.mismatches[:60]
    for line in results.file_errors:
        write(f"file refused by the checker (its rows count as lost): {_cut(line, 300)}")
    write(f"mismatches: {len(results.mismatches)} (showing {len(shown)})")
    write("file | sheet | row | kind | expected | actual | why | checker's reason | row")
    for m in shown:
        write(
            f"{m.file} | {m.sheet} | {m.row} | {m.kind} | {m.expected} | {m.actual} | "
            f"{_cut(m.why, 110)} | {_cut(m.reason, 110)} | {_cut(m.content, 80)}"
        )
    classes = Counter((m.kind, m.expected, m.actual) for m in results.mismatches)
    write("\nmismatch classes (kind, expected -> actual): count")
    for (kind, expected, actual), count in classes.most_common():
        write(f"  {kind:16} {expected:>10} -> {actual:<10} {count}")
    problems = results.other_problems if show_all else results.other_problems[:20]
    write(
        f"\nnon-position rows: {results.phantom} taken as holdings, {results.class_mismatch} with another or no class"
    )
    for line in problems:
        write("  " + line)
    write(
        "\nlayout                    rows  mismatch  false_clear  false_prohibit  lost  duplicated"
    )
    for layout, counts in sorted(results.by_layout.items()):
        write(
            f"{layout:24} {counts['rows']:5} {counts['mismatch']:9} {counts['false_clear']:12} "
            f"{counts['false_prohibit']:15} {counts['lost']:5} {counts['duplicated']:11}"
        )
    write(
        f"\nlost={results.lost} duplicated={results.duplicated} phantom={results.phantom} "
        f"dropped_cases={results.dropped} check_seconds={results.seconds:.1f}"
    )
    write(results.final_line())


def run(
    out: Path, seed: int, with_derivatives: bool = True
) -> tuple[corpus_package.Corpus, Results]:
    built = corpus_package.generate(out, seed=seed, with_derivatives=with_derivatives)
    return built, compare(built)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, help="write the corpus here (default: a temporary folder)"
    )
    parser.add_argument("--seed", type=int, default=corpus_package.DEFAULT_SEED)
    parser.add_argument("--all", action="store_true", help="print every mismatch")
    parser.add_argument(
        "--no-derivatives", action="store_true", help="skip the HKEX masters in ../shared"
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        _, results = run(args.out, args.seed, not args.no_derivatives)
        report(results, args.all)
    else:
        with tempfile.TemporaryDirectory(prefix="corpus-") as folder:
            _, results = run(Path(folder), args.seed, not args.no_derivatives)
            report(results, args.all)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
