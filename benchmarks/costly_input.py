"""Costly input: time and peak memory of reading and checking each hostile file (issue 13).

Each case runs in a fresh process (so one case's memory does not hide another's): the process
loads the reference first (its baseline), then checks the file as ``portfolio-check check``
does, and reports the wall time of the check and the peak resident memory of the process,
and how much of that peak the check added over the baseline. The cases are those of
``tests/hostile_corpus.py`` plus the issue's costly shapes at 1 MB.

    python -m benchmarks.costly_input            # a Markdown table on standard output
    python -m benchmarks.costly_input --json     # the same figures as JSON
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import xlsxwriter

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.hostile_corpus import AS_OF, CASES, build  # noqa: E402

MEGABYTE = 1 << 20


def _one_mb_commas(path: Path) -> None:
    path.write_text("," * MEGABYTE)


def _one_mb_of_lines(path: Path) -> None:
    header = "Name,ISIN,Quantity\n"
    line = "SENSETIME GROUP INC,KYG8062L1041,100\n"
    path.write_text(header + line * (MEGABYTE // len(line)))


def _one_mb_one_line(path: Path) -> None:
    path.write_text("Name,ISIN,Quantity\n" + "x" * MEGABYTE + ",KYG8062L1041,1\n")


def _one_mb_quotes(path: Path) -> None:
    path.write_text('Name,ISIN,Quantity\n"' + '""' * (MEGABYTE // 2) + '",KYG8062L1041,1\n')


def _wide_xlsx(path: Path) -> None:
    # the 168 KB workbook: 16,384 columns, most of them empty strings
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Name", "ISIN", "Quantity"])
    sheet.write_row(1, 0, ["SENSETIME GROUP INC", "KYG8062L1041", 100])
    for c in range(3, 16384):
        sheet.write_string(0, c, "")
        sheet.write_string(1, c, "")
    book.close()


def _many_sheets(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    first = book.add_worksheet("Holdings")
    first.write_row(0, 0, ["Name", "ISIN", "Quantity"])
    first.write_row(1, 0, ["SENSETIME GROUP INC", "KYG8062L1041", 100])
    for i in range(4989):
        book.add_worksheet(f"N{i}").write(0, 0, f"note {i}")
    book.close()


EXTRA: dict[str, tuple[str, Callable[[Path], None]]] = {
    "1 MB of commas (one line)": ("mb_commas.csv", _one_mb_commas),
    "1 MB of holdings lines": ("mb_lines.csv", _one_mb_of_lines),
    "1 MB in one cell": ("mb_cell.csv", _one_mb_one_line),
    "1 MB of quotes in one cell": ("mb_quotes.csv", _one_mb_quotes),
    "16,384 columns of empty strings (xlsx)": ("mb_wide.xlsx", _wide_xlsx),
    "4,990 sheets (xlsx)": ("mb_sheets.xlsx", _many_sheets),
}


def _measure(path: str) -> dict[str, object]:
    """In the child process: baseline, then one check; figures as a dict."""
    from portfolio_check.errors import PortfolioCheckError
    from portfolio_check.holdings import read_holdings
    from portfolio_check.pipeline import check, security_index
    from portfolio_check.refdata import load_reference

    security_index(load_reference())
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with contextlib.suppress(PortfolioCheckError):
        read_holdings([path])
    read_seconds = time.perf_counter() - started
    read_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        result = check([path], as_of=AS_OF)
        outcome = f"{len(result.holdings)} positions, {len(result.input_issues)} input issues"
        result.to_json()
    except PortfolioCheckError as error:
        outcome = "refused: " + str(error).replace(path, "<file>")[:90]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"read_seconds": read_seconds, "read_added_mb": (read_peak - baseline) / 1024,
            "seconds": seconds, "peak_mb": peak / 1024, "added_mb": (peak - baseline) / 1024,
            "outcome": outcome}  # fmt: skip


def _run_case(path: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = (
        f"import json, benchmarks.costly_input as c; print(json.dumps(c._measure({str(path)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600
    )
    if done.returncode != 0:
        nan = float("nan")
        return {"read_seconds": nan, "read_added_mb": nan, "seconds": nan, "peak_mb": nan,
                "added_mb": nan,
                "outcome": f"process ended with {done.returncode}: {done.stderr[-200:]}"}  # fmt: skip
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="JSON instead of a Markdown table")
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        made = build(Path(folder), [c for c in CASES if c.uploadable])
        for name, (file, make) in EXTRA.items():
            make(Path(folder) / file)
            made[name] = Path(folder) / file
        for name, path in made.items():
            figures = _run_case(path)
            rows.append({"case": name, "bytes": path.stat().st_size, **figures})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        "| case | file size | read (s) | read adds (MB) | whole check (s) | peak memory (MB) "
        "| check adds (MB) | outcome |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        f = {k: float(v) for k, v in row.items() if k.endswith(("seconds", "_mb"))}  # type: ignore[arg-type]
        print(
            f"| {row['case']} | {int(row['bytes']):,} B | {f['read_seconds']:.2f} "  # type: ignore[call-overload]
            f"| {f['read_added_mb']:.0f} | {f['seconds']:.2f} | {f['peak_mb']:.0f} "
            f"| {f['added_mb']:.0f} | {row['outcome']} |"
        )


if __name__ == "__main__":
    main()
