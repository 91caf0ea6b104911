"""How fast is a check at fund scale, against the floor of just reading and writing the data?

    python benchmarks/speed.py --rows 100000 --format xlsx
    python benchmarks/speed.py --rows 1000000 --format csv
    python benchmarks/speed.py --target pretrade      # or json; all (default) runs each

Issue 17's pre-trade and JSON targets are measured by ``targets.py`` (its docstring says how).

1. Generates a firm-wide position file (``positions.py``: many accounts over ~30,000 security
   lines of real shapes), cached under ``--workdir`` by rows, format and seed.
2. Runs the full check with the Excel report in a fresh process (so that its peak memory is
   its own), as the CLI does: ``portfolio_check.check(...)`` then ``result.write_report(...)``
   in one pause of the cycle collector, timing each stage from the pipeline's own progress
   callbacks.
3. Measures the floor in another fresh process: reading the same file with the fastest reader
   installed (each candidate tried, the fastest kept), and writing a table of the report's
   Holdings shape (the same rows and columns; the columns of the file as read, repeated to the
   report's width) in the format the report wrote it (an xlsx sheet, or the CSV/Parquet file
   beside a large report) with the fastest writer installed; every candidate with the cycle
   collector running and paused. When the Holdings table goes beside the workbook, the floor
   also writes, with the fastest xlsx writer, a workbook of the report's Findings shape (its
   rows and columns, read back from the report after the timing): the workbook the report
   must keep complete (issue 17, target 2).
4. Repeats 2 and 3 ``--repeat`` times (default 3), alternating them so that both meet the
   same load on a shared machine, and keeps the fastest check and each floor candidate's
   fastest time.

Prints the machine, the stage table, the floor's candidates, and a final line::

    rows=N seconds=... floor_seconds=... ratio=... peak_mb=...

``seconds`` is the check and its report, from the call to ``check()`` to the closed workbook;
``ratio`` is ``seconds / floor_seconds``; ``peak_mb`` the check process's peak resident memory
(its name helper's, mostly pages shared with it, is printed on a line of its own).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FORMATS = ("xlsx", "csv", "parquet")
DEFAULT_AS_OF = "2022-03-01"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "portfolio_check_speed"
STAGES = ("read", "resolve", "screen", "report")


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process, or (RUSAGE_CHILDREN) of the largest of its ended
    child processes (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --------------------------------------------------------------------------------------------
# The check (child process)
# --------------------------------------------------------------------------------------------


def run_check(path: Path, report: Path, as_of: str, row_limit: int | None) -> dict[str, Any]:
    """Check ``path`` with the report; stage times from the progress callbacks."""
    import pandas as pd

    import portfolio_check
    from portfolio_check.collector import collection_paused

    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    for stale in report.parent.glob(f"{report.stem}.*"):
        stale.unlink()  # a previous run's report and its beside files
    # As the CLI does: check() loads the shipped snapshot and builds its index itself, on a
    # second thread while the file is read (the "read" stage includes it), and the check and
    # the report run in one pause of the cycle collector.
    start = time.perf_counter()
    with collection_paused():
        source: Any = pd.read_parquet(path) if path.suffix == ".parquet" else path
        result = portfolio_check.check(source, as_of=as_of, progress=progress)
        checked = time.perf_counter()
        result.write_report(report, row_limit=row_limit, progress=progress)
        end = time.perf_counter()
    resolve = marks.get("resolve", checked)
    screen = marks.get("screen", checked)
    stages = {
        "read": resolve - start,
        "resolve": screen - resolve,
        "screen": checked - screen,
        "report": end - checked,
    }
    holdings = result.holdings
    beside = sorted(p.name for p in report.parent.glob(f"{report.stem}.holdings.*"))
    headers = 3 + len(_input_keys(holdings)) + 10
    findings_rows, findings_columns = _sheet_shape(report, "Findings")
    return {
        "seconds": end - start,
        "stages": stages,
        "peak_mb": _peak_mb(),
        "helper_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN),
        "rows_read": result.rows_read,
        "positions": len(holdings),
        "other_rows": len(result.other_rows),
        "input_issues": len(result.input_issues),
        "distinct_securities": int(holdings["verdict"].map(id).nunique()),
        "by_status": {k: v for k, v in result.count_by_status().items() if v},
        "report_columns": headers,
        "findings_rows": findings_rows,
        "findings_columns": findings_columns,
        "holdings_output": "xlsx" if not beside else Path(beside[0]).suffix.lstrip("."),
        "report_files": [report.name, *beside],
    }


def _sheet_shape(report: Path, name: str) -> tuple[int, int]:
    """Data rows and columns of a sheet of the written report (read after the timing)."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_name(name).to_python()
    return max(len(rows) - 1, 0), len(rows[0]) if rows else 0


def _input_keys(holdings: Any) -> list[str]:
    from portfolio_check.holdings.inputs import input_columns

    return input_columns(holdings["input"].tolist())


# --------------------------------------------------------------------------------------------
# The floor (child process)
# --------------------------------------------------------------------------------------------


def _readers(fmt: str) -> dict[str, Callable[[Path], Any]]:
    """Candidate readers of a file format, each returning a table (pandas or Arrow)."""
    import pandas as pd

    readers: dict[str, Callable[[Path], Any]] = {}
    if fmt == "csv":
        readers["pandas read_csv (C parser)"] = lambda p: pd.read_csv(p, engine="c")
        if _has("pyarrow"):
            import pyarrow.csv as pacsv

            readers["pyarrow.csv.read_csv"] = lambda p: pacsv.read_csv(p)
    elif fmt == "xlsx":
        if _has("python_calamine"):
            readers["python-calamine"] = _read_calamine
        readers["openpyxl (read-only)"] = _read_openpyxl
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        readers["pyarrow.parquet.read_table"] = lambda p: pq.read_table(p)
    return readers


def _read_calamine(path: Path) -> Any:
    import pandas as pd
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


def _read_openpyxl(path: Path) -> Any:
    import openpyxl
    import pandas as pd

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return pd.DataFrame(rows[1:], columns=rows[0])


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _shape_like(table: Any, rows: int, columns: int) -> Any:
    """A pandas frame of ``rows`` x ``columns``: the table's columns repeated to that width."""
    import pandas as pd

    frame = table.to_pandas() if hasattr(table, "to_pandas") else table
    frame = frame.iloc[:rows]
    names = list(frame.columns)
    wide = {f"c{k}": frame[names[k % len(names)]].to_numpy() for k in range(columns)}
    return pd.DataFrame(wide)


def _writers(fmt: str) -> dict[str, Callable[[Any, Path], None]]:
    writers: dict[str, Callable[[Any, Path], None]] = {}
    if fmt == "xlsx":
        writers["xlsxwriter (constant memory)"] = lambda f, p: _write_xlsxwriter(f, p, True)
        writers["xlsxwriter"] = lambda f, p: _write_xlsxwriter(f, p, False)
    elif fmt == "csv":
        writers["pandas to_csv"] = lambda f, p: f.to_csv(p, index=False)
        if _has("pyarrow"):
            writers["pyarrow.csv.write_csv"] = _write_arrow_csv
    elif fmt == "parquet":
        writers["pyarrow.parquet.write_table"] = _write_parquet
    return writers


def _write_xlsxwriter(frame: Any, path: Path, constant_memory: bool) -> None:
    """Cells written with xlsxwriter's typed calls (no per-cell type dispatch), empty ones skipped."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [str(c) for c in frame.columns])
    write_string, write_number = sheet.write_string, sheet.write_number
    columns = [frame[c].tolist() for c in frame.columns]
    for r, values in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(values):
            if type(value) is str:
                if value:  # calamine reads an empty cell as "": nothing to write
                    write_string(r, c, value)
            elif value is not None and value == value:  # NaN is an empty cell
                write_number(r, c, value)
    book.close()


def _write_arrow_csv(frame: Any, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)


def _write_parquet(frame: Any, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


PAUSED = " (collector paused)"


def _timed(work: Callable[[], Any], paused: bool) -> tuple[Any, float]:
    """``work()`` and its seconds, with the cycle collector paused or not."""
    was_enabled = gc.isenabled()
    if paused:
        gc.disable()
    try:
        start = time.perf_counter()
        done = work()
        return done, time.perf_counter() - start
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()  # the next candidate starts from a collected heap either way


def run_floor(
    path: Path,
    fmt: str,
    rows: int,
    columns: int,
    out_format: str,
    workdir: Path,
    findings: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    """The fastest read of ``path``, the fastest write of a ``rows`` x ``columns`` table, and,
    where that table goes beside the workbook, the fastest xlsx write of a table of the
    report's Findings shape (``findings``: rows, columns), which the workbook must hold."""
    reads: dict[str, float] = {}
    table = None
    # Each candidate with Python's cycle collector running and paused: the check pauses it
    # (portfolio_check/collector.py), so the floor may too.
    for name, reader in _readers(fmt).items():
        for paused in (False, True):
            label = f"{name}{PAUSED if paused else ''}"
            loaded, reads[label] = _timed(functools.partial(reader, path), paused)
            if table is None or reads[label] == min(reads.values()):
                table = loaded
    frame = _shape_like(table, rows, columns)
    writes: dict[str, float] = {}
    target = workdir / f"floor.{out_format}"
    for name, writer in _writers(out_format).items():
        for paused in (False, True):
            _, writes[f"{name}{PAUSED if paused else ''}"] = _timed(
                functools.partial(writer, frame, target), paused
            )
            target.unlink(missing_ok=True)
    workbook: dict[str, float] = {}
    findings_rows, findings_columns = findings
    if out_format != "xlsx" and findings_rows:
        sheet = _shape_like(table, findings_rows, findings_columns)
        target = workdir / "floor-findings.xlsx"
        for name, writer in _writers("xlsx").items():
            for paused in (False, True):
                _, workbook[f"{name}{PAUSED if paused else ''}"] = _timed(
                    functools.partial(writer, sheet, target), paused
                )
                target.unlink(missing_ok=True)
    read_best = min(reads, key=reads.__getitem__)
    write_best = min(writes, key=writes.__getitem__)
    workbook_best = min(workbook, key=workbook.__getitem__) if workbook else None
    return {
        "reads": reads,
        "writes": writes,
        "workbook": workbook,
        "reader": read_best,
        "writer": write_best,
        "workbook_writer": workbook_best,
        "floor_seconds": reads[read_best]
        + writes[write_best]
        + (workbook[workbook_best] if workbook_best else 0.0),
        "rows": len(frame),
        "columns": columns,
        "out_format": out_format,
        "findings_rows": findings_rows,
        "findings_columns": findings_columns,
    }


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------


def _best_floor(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each candidate's least time over the floor's runs, and the floor from those."""
    best = dict(runs[0])
    for kind, chosen in (
        ("reads", "reader"),
        ("writes", "writer"),
        ("workbook", "workbook_writer"),
    ):
        times = {name: min(float(run[kind][name]) for run in runs) for name in runs[0][kind]}
        best[kind] = times
        best[chosen] = min(times, key=times.__getitem__) if times else None
    best["floor_seconds"] = (
        best["reads"][best["reader"]]
        + best["writes"][best["writer"]]
        + (best["workbook"][best["workbook_writer"]] if best["workbook_writer"] else 0.0)
    )
    return best


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for package in ("pandas", "numpy", "xlsxwriter", "python-calamine", "pyarrow", "rapidfuzz"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "packages": versions,
    }


def positions_file(rows: int, fmt: str, seed: int, workdir: Path) -> tuple[Path, float | None]:
    """The generated position file (made once per rows/format/seed); seconds if made now."""
    sys.path.insert(0, str(HERE))
    from positions import generate_positions, write_positions

    path = workdir / f"positions_{rows}_{seed}.{fmt}"
    if path.exists():
        return path, None
    t0 = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    write_positions(generate_positions(rows, seed), partial, fmt)
    partial.replace(path)
    return path, time.perf_counter() - t0


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"speed.py: the {args[1]} run failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=FORMATS, default="xlsx")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--as-of", default=DEFAULT_AS_OF)
    parser.add_argument("--row-limit", type=int, default=None, help="the report's row limit")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the check and of the floor; the best kept"
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument(
        "--target",
        choices=("all", "check", "pretrade", "json"),
        default="all",
        help="issue 17's targets (targets.py): pretrade, json (200,000 csv rows), and the check "
        "at --rows/--format against its floor; all = each in turn",
    )
    parser.add_argument("--_run", choices=("check", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--_file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_shape", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)

    if args._run == "check":
        report = args.workdir / "report.xlsx"
        print(json.dumps(run_check(args._file, report, args.as_of, args.row_limit)))
        return 0
    if args._run == "floor":
        rows, columns, out_format, findings_rows, findings_columns = args._shape.split(",")
        floor = run_floor(
            args._file,
            args.format,
            int(rows),
            int(columns),
            out_format,
            args.workdir,
            (int(findings_rows), int(findings_columns)),
        )
        print(json.dumps(floor))
        return 0

    if args.target in ("all", "pretrade", "json"):
        _targets(args)
        if args.target != "all":
            return 0
        print()
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; "
        f"Python {info['python']} on {info['system']}"
    )
    print("packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()))
    path, made = positions_file(args.rows, args.format, args.seed, args.workdir)
    size_mb = path.stat().st_size / 1024 / 1024
    how = f"generated in {made:.1f}s" if made is not None else "cached"
    print(f"input: {path} ({size_mb:.1f} MB, {how})")
    load_before = _load()
    common = ["--format", args.format, "--as-of", args.as_of, "--workdir", str(args.workdir)]
    if args.row_limit:
        common += ["--row-limit", str(args.row_limit)]
    # Best of --repeat runs on each side, each in a fresh process: the machine is shared, and
    # the least time is the one least disturbed (as timeit reports).
    # The check and the floor alternate (check, floor, check, floor, ...): on a shared machine
    # each side then meets the same spells of load, as targets.py does for the pre-trade answer.
    # The first check gives the floor its shape (the report's rows and columns).
    runs: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    shape = ""
    for _ in range(args.repeat):
        runs.append(_child(["--_run", "check", "--_file", str(path), *common]))
        if not shape:
            first = runs[0]
            shape = (
                f"{first['positions']},{first['report_columns']},{first['holdings_output']},"
                f"{first['findings_rows']},{first['findings_columns']}"
            )
        floors.append(_child(["--_run", "floor", "--_file", str(path), "--_shape", shape, *common]))
    checked = min(runs, key=lambda run: float(run["seconds"]))
    floor = _best_floor(floors)
    load_after = _load()

    print(f"load average (1, 5, 15 min): before {load_before}; after {load_after}")
    all_checks = ", ".join(f"{float(run['seconds']):.2f}" for run in runs)
    print(
        f"runs: the check and the floor alternately, {args.repeat} times each, each in a fresh "
        f"process; the fastest check (of {all_checks} s) and each floor candidate's fastest "
        "time are kept"
    )
    print(
        f"check: {checked['rows_read']:,} rows read, {checked['positions']:,} positions, "
        f"{checked['distinct_securities']:,} distinct securities, "
        f"{checked['other_rows']:,} other rows, {checked['input_issues']:,} input issues"
    )
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in checked["by_status"].items()))
    print(f"report: {', '.join(checked['report_files'])}")
    print()
    print("| stage     | seconds | share |")
    print("|-----------|--------:|------:|")
    for stage in STAGES:
        seconds = checked["stages"][stage]
        print(f"| {stage:<9} | {seconds:7.2f} | {seconds / checked['seconds']:5.0%} |")
    print(f"| **total** | {checked['seconds']:7.2f} |  100% |")
    print()
    print(
        f"floor: read {floor['reads'][floor['reader']]:.2f}s ({floor['reader']}) + write "
        f"{floor['writes'][floor['writer']]:.2f}s ({floor['writer']}, {floor['rows']:,} rows x "
        f"{floor['columns']} columns as {floor['out_format']})"
    )
    if floor["workbook_writer"]:
        print(
            f"  + the workbook: {floor['workbook'][floor['workbook_writer']]:.2f}s "
            f"({floor['workbook_writer']}, {floor['findings_rows']:,} rows x "
            f"{floor['findings_columns']} columns as xlsx: the report's Findings sheet)"
        )
    for kind, label in (("reads", "read"), ("writes", "write"), ("workbook", "book")):
        for name, seconds in floor[kind].items():
            print(f"  {label:<5} {name:<54} {seconds:7.2f}s")
    print(f"peak memory of the check: {checked['peak_mb']:.0f} MB")
    if checked["helper_peak_mb"]:
        print(
            f"peak memory of its name helper process: {checked['helper_peak_mb']:.0f} MB "
            "(resident, counting the pages it shares with the check after the fork)"
        )
    if args.json:
        print(json.dumps({"machine": info, "check": checked, "floor": floor}))
    ratio = checked["seconds"] / floor["floor_seconds"]
    print(
        f"rows={args.rows} seconds={checked['seconds']:.2f} "
        f"floor_seconds={floor['floor_seconds']:.2f} ratio={ratio:.2f} "
        f"peak_mb={checked['peak_mb']:.0f}"
    )
    return 0


def _targets(args: argparse.Namespace) -> None:
    """Issue 17's pre-trade and JSON targets, each as a figure against its floor."""
    sys.path.insert(0, str(HERE))
    import targets

    if args.target in ("all", "pretrade"):
        targets.print_pretrade(targets.pretrade(args.workdir, repeat=max(args.repeat, 5)))
    if args.target in ("all", "json"):
        path, _ = positions_file(200_000, "csv", args.seed, args.workdir)
        targets.print_json(targets.json_memory(path, args.workdir, args.as_of), 200_000)


if __name__ == "__main__":
    raise SystemExit(main())
