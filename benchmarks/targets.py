"""Issue 17's targets that are not a check's ratio to its I/O floor (``speed.py --target``).

* ``pretrade``: ``portfolio-check check-security 0020.HK`` in a fresh process against
  ``python -c "import pandas"``, alternated in one run, ``--repeat`` times each (default 5),
  the fastest of each kept; the compiled snapshot warmed by one untimed run first (its first
  compilation is printed on its own). Target: ratio <= 1.5 (aim 1.0).
* ``json``: ``portfolio-check check FILE --report R.xlsx`` with and without ``--json OUT``, each
  in a fresh process, its peak resident memory read from the kernel (``wait4``); 200,000 csv
  rows by default. Target: ratio <= 1.3.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PRETRADE_QUERY = ("check-security", "0020.HK", "--as-of", "2022-03-01")
PRETRADE_TARGET = 1.5
JSON_TARGET = 1.3


def _env(cache: Path) -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        "PORTFOLIO_CHECK_CACHE": str(cache),
        "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO),
    }


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds, peak resident MB and exit code of one fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.stderr is not None:
        child.stderr.close()
    return seconds, usage.ru_maxrss / 1024, child.returncode


def pretrade(workdir: Path, repeat: int = 5) -> dict[str, Any]:
    cache = workdir / "compiled-pretrade"
    env = _env(cache)
    command = [sys.executable, "-m", "portfolio_check", *PRETRADE_QUERY]
    floor = [sys.executable, "-c", "import pandas"]
    for stale in cache.glob("*.pickle") if cache.exists() else []:
        stale.unlink()
    cold, _, code = _run(command, env)
    if code not in (0, 1):
        raise SystemExit(f"check-security failed (exit {code})")
    checks: list[float] = []
    pandas: list[float] = []
    for _ in range(repeat):  # alternated, so both see the same load
        pandas.append(_run(floor, env)[0])
        checks.append(_run(command, env)[0])
    best, base = min(checks), min(pandas)
    return {"cold": cold, "checks": checks, "pandas": pandas, "seconds": best, "floor": base}


def print_pretrade(figures: dict[str, Any]) -> None:
    ratio = figures["seconds"] / figures["floor"]
    print(
        "pretrade: check-security 0020.HK in a fresh process, the compiled snapshot warm "
        f"(its first compilation: {figures['cold']:.2f} s)"
    )
    print("  check-security: " + ", ".join(f"{s:.2f}" for s in figures["checks"]) + " s")
    print('  python -c "import pandas": ' + ", ".join(f"{s:.2f}" for s in figures["pandas"]) + " s")
    print(
        f"target=pretrade seconds={figures['seconds']:.2f} floor_seconds={figures['floor']:.2f} "
        f"ratio={ratio:.2f} goal<={PRETRADE_TARGET}"
    )


def json_memory(path: Path, workdir: Path, as_of: str, repeat: int = 1) -> dict[str, Any]:
    env = _env(workdir / "compiled")
    base = [sys.executable, "-m", "portfolio_check", "check", str(path), "--as-of", as_of, "-q"]
    report = ["--report", str(workdir / "json-target.xlsx")]
    with_json = [*report, "--json", str(workdir / "json-target.json")]
    _run([sys.executable, "-m", "portfolio_check", *PRETRADE_QUERY], env)  # compile once
    alone: list[tuple[float, float]] = []
    both: list[tuple[float, float]] = []
    for _ in range(repeat):
        seconds, peak, _ = _run([*base, *report], env)
        alone.append((seconds, peak))
        seconds, peak, _ = _run([*base, *with_json], env)
        both.append((seconds, peak))
    json_mb = (workdir / "json-target.json").stat().st_size / 1024 / 1024
    return {
        "report_peak_mb": min(p for _, p in alone),
        "json_peak_mb": min(p for _, p in both),
        "report_seconds": min(s for s, _ in alone),
        "json_seconds": min(s for s, _ in both),
        "json_file_mb": json_mb,
    }


def print_json(figures: dict[str, Any], rows: int) -> None:
    ratio = figures["json_peak_mb"] / figures["report_peak_mb"]
    print(
        f"json: check {rows:,} rows --report, and --report --json (a {figures['json_file_mb']:.0f} "
        "MB file), each in a fresh process"
    )
    print(
        f"  --report: {figures['report_seconds']:.1f} s, peak {figures['report_peak_mb']:.0f} MB; "
        f"--report --json: {figures['json_seconds']:.1f} s, peak {figures['json_peak_mb']:.0f} MB"
    )
    print(
        f"target=json peak_mb={figures['json_peak_mb']:.0f} "
        f"floor_peak_mb={figures['report_peak_mb']:.0f} ratio={ratio:.2f} goal<={JSON_TARGET}"
    )
