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

from tests.hostile_corpus import (  # noqa: E402
    AS_OF,
    CASES,
    build,
    ods_cell,
    ods_table,
    write_ods,
)

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


def _holding_rows(count: int, extra_columns: int = 0) -> list[list[object]]:
    """A holdings table: names, no identifiers, and ``extra_columns`` columns of seeded random
    numbers (as a custodian's export has: prices, values, weights), so 1 MB holds the rows of
    a real export rather than a million compressible ones."""
    import random

    draw = random.Random(13)
    rows: list[list[object]] = [
        ["Name", "ISIN", "Quantity", *(f"F{c}" for c in range(extra_columns))]
    ]
    rows += [
        [f"COMPANY {i} HOLDINGS LTD", "", i, *(draw.randrange(10**6) for _ in range(extra_columns))]
        for i in range(count)
    ]
    return rows


def _ods_lines(path: Path) -> None:
    # about 1 MB of a 20-column holdings export
    write_ods(path, [ods_table("Holdings", _holding_rows(7_000, 17))])


def _ods_repeats(path: Path) -> None:
    # 1 MB of rows whose every cell repeats four times across: as much repetition as allowed
    def row(r: int) -> bytes:
        cells = b"".join(ods_cell(f"v{r}.{c}", 4) for c in range(8))
        return b"<table:table-row>" + cells + b"</table:table-row>"

    head = ods_table("Holdings", _holding_rows(2))
    write_ods(
        path,
        [head[: -len(b"</table:table>")] + b"".join(map(row, range(43_000))) + b"</table:table>"],
    )


def _ods_wide(path: Path) -> None:
    # 16,384 columns of distinct texts in two rows under a three-column table
    def row(r: int) -> bytes:
        return (
            b"<table:table-row>"
            + b"".join(ods_cell(f"{r}.{c}") for c in range(16_384))
            + b"</table:table-row>"
        )

    table = ods_table("Holdings", _holding_rows(1))
    write_ods(path, [table[: -len(b"</table:table>")] + row(1) + row(2) + b"</table:table>"])


def _wide_csv(path: Path, named: bool) -> None:
    # 16,384 columns: a header (of three names, or naming every column), one holding, and two
    # lines of distinct texts across every column (about 270 KB)
    extra = 16_384 - 3
    head = [
        "Name",
        "ISIN",
        "Quantity",
        *((f"Field {c}" for c in range(extra)) if named else [""] * extra),
    ]
    lines = [",".join(head), "SENSETIME GROUP INC,KYG8062L1041,100" + "," * extra]
    lines += [",".join(f"{r}.{c}" for c in range(16_384)) for r in (1, 2)]
    path.write_text("\n".join(lines) + "\n")


def _ods_sheets(path: Path) -> None:
    notes = [ods_table(f"N{i}", [[f"note {i}"]]) for i in range(9_999)]
    write_ods(path, [ods_table("Holdings", _holding_rows(1)), *notes])


def _xls(path: Path, rows: list[list[object]], sheets: int = 1) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Holdings")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    for i in range(1, sheets):
        book.add_sheet(f"N{i}").write(0, 0, f"note {i}")
    book.save(str(path))


def _xls_wide(path: Path) -> None:
    rows = _holding_rows(1) + [[f"c{c}" for c in range(256)] for _ in range(250)]
    _xls(path, rows)


EXTRA: dict[str, tuple[str, Callable[[Path], None]]] = {
    "1 MB of commas (one line)": ("mb_commas.csv", _one_mb_commas),
    "1 MB of holdings lines": ("mb_lines.csv", _one_mb_of_lines),
    "1 MB in one cell": ("mb_cell.csv", _one_mb_one_line),
    "1 MB of quotes in one cell": ("mb_quotes.csv", _one_mb_quotes),
    "16,384 columns of empty strings (xlsx)": ("mb_wide.xlsx", _wide_xlsx),
    "4,990 sheets (xlsx)": ("mb_sheets.xlsx", _many_sheets),
    "1 MB of holdings rows (ods)": ("mb_lines.ods", _ods_lines),
    "1 MB of cells repeated 4 times across (ods)": ("mb_repeats.ods", _ods_repeats),
    "16,384 columns of texts in two rows (ods)": ("mb_wide.ods", _ods_wide),
    "10,000 sheets (ods)": ("mb_sheets.ods", _ods_sheets),
    "16,384 columns of texts in two lines (csv)": ("mb_wide.csv", lambda p: _wide_csv(p, False)),
    "16,384 named columns, texts in two lines (csv)": (
        "mb_wide_named.csv",
        lambda p: _wide_csv(p, True),
    ),
    "1 MB of holdings rows (xls)": ("mb_lines.xls", lambda p: _xls(p, _holding_rows(5_200, 17))),
    "1 MB of 256-column rows (xls)": ("mb_wide.xls", _xls_wide),
    "2,500 sheets (xls)": ("mb_sheets.xls", lambda p: _xls(p, _holding_rows(1), 2_500)),
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
    with contextlib.suppress(PortfolioCheckError):  # a refusal's cost is measured too
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
    parser.add_argument("--only", default="", help="only the cases whose name holds this text")
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        made = build(Path(folder), [c for c in CASES if c.uploadable])
        for name, (file, make) in EXTRA.items():
            make(Path(folder) / file)
            made[name] = Path(folder) / file
        for name, path in made.items():
            if args.only not in name:
                continue
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
