"""The compiled snapshot cache (issue 17): same answers as a fresh index, rebuilt when stale,
ignored with a warning when unreadable, safe when several processes compile at once, and a
pre-trade run that loads no pandas."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from portfolio_check import compiled
from portfolio_check.compiled import CACHE_ENV, load_or_compile, security_index
from portfolio_check.pipeline import check
from portfolio_check.pretrade import check_security
from portfolio_check.refdata import load_reference, shipped_reference_dir
from portfolio_check.sources.snapshot import seal_snapshot

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2022-03-01"
# Identifiers in several notations, names (Latin, Chinese, a look-alike), a warrant, a bad check
# digit, a bare code and an unknown text: every branch of a pre-trade look-up.
QUERIES = (
    "0020.HK",
    "941 HK",
    "US1694261033",
    "KYG8062L1041",
    "KYG8062L1042",
    "SENSETIME GROUP INC",
    "商汤集团",
    "CHINA MOBILE LTD",
    "Huawei",
    "SENSETIME-W",
    "TENCENT HOLDINGS",
    "0700.HK",
    "941",
    "no such company anywhere",
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    """A private copy of the shipped snapshot, free to edit."""
    folder = tmp_path / "snapshot"
    shutil.copytree(shipped_reference_dir(), folder)
    # without the HKEX master: half the loading time, and these tests are about the file;
    # sealed again, as a build would, so the snapshot matches its manifest
    (folder / "masters" / "hkex.csv").unlink()
    seal_snapshot(folder)
    return folder


def _files(cache: Path) -> list[Path]:
    return sorted(cache.iterdir()) if cache.exists() else []


def test_a_compiled_snapshot_answers_as_a_freshly_indexed_one(cache: Path) -> None:
    folder = shipped_reference_dir()
    first = load_or_compile(folder, None)
    (stored,) = _files(cache)
    again = load_or_compile(folder, None)
    assert again is not first  # read back from the file, not this process's memory
    assert security_index(again).reference is again
    fresh = load_reference().select(None)
    assert list(again.lists) == list(fresh.lists) == ["ns-cmic", "sdn"]
    for query in QUERIES:
        expected = check_security(query, as_of=AS_OF, reference=fresh).to_dict()
        assert check_security(query, as_of=AS_OF, reference=again).to_dict() == expected, query
    assert _files(cache) == [stored]


def test_a_check_on_the_compiled_snapshot_equals_one_on_a_fresh_index(cache: Path) -> None:
    frame = pd.DataFrame(
        {
            "Security Name": ["SENSETIME GROUP INC", "TENCENT", "CHINA MOBILE", "ACME CORP"],
            "ISIN": ["KYG8062L1041", "", "", ""],
            "Ticker": ["", "700 HK", "941 HK", ""],
            "Market Value": ["1000", "2000", "3000", "4000"],
        }
    )
    fresh = check(frame, as_of=AS_OF, reference=load_reference())
    load_or_compile(shipped_reference_dir(), None)  # the file exists: the next load reads it
    compiled._LOADED.clear()
    warm = check(frame, as_of=AS_OF)
    columns = ["row", "status", "reason"]
    assert warm.holdings[columns].to_dict("records") == fresh.holdings[columns].to_dict("records")


def test_a_changed_snapshot_is_compiled_again_and_its_stale_file_removed(
    cache: Path, snapshot: Path
) -> None:
    before = load_or_compile(snapshot, ("ns-cmic",))
    (old_file,) = _files(cache)
    manifest = snapshot / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(before.version, "edited-version"),
        encoding="utf-8",
    )
    after = load_or_compile(snapshot, ("ns-cmic",))
    assert after.version == "edited-version"
    (new_file,) = _files(cache)
    assert new_file != old_file
    # another list selection is another file, beside it
    load_or_compile(snapshot, ("sdn",))
    assert len(_files(cache)) == 2


def test_an_edited_curated_file_changes_the_key(snapshot: Path) -> None:
    key = compiled.cache_key(snapshot, None)
    names = snapshot / "curated" / "names.csv"
    names.write_bytes(names.read_bytes() + b"\n")
    assert compiled.cache_key(snapshot, None) != key


@pytest.mark.parametrize("damage", ["truncated", "garbage", "writable by others"])
def test_an_unreadable_file_is_ignored_with_a_warning_and_replaced(
    cache: Path, snapshot: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    load_or_compile(snapshot, ("ns-cmic",))
    (stored,) = _files(cache)
    if damage == "truncated":
        stored.write_bytes(stored.read_bytes()[: stored.stat().st_size // 2])
    elif damage == "garbage":
        stored.write_bytes(b"not a pickle at all")
    else:
        stored.chmod(0o666)
    with caplog.at_level(logging.WARNING, logger="portfolio_check.compiled"):
        reference = load_or_compile(snapshot, ("ns-cmic",))
    (message,) = [r.getMessage() for r in caplog.records]
    assert str(stored) in message and "loaded without it" in message
    answer = check_security("KYG8062L1041", as_of=AS_OF, reference=reference)
    assert answer.status.value == "PROHIBITED"
    # compiled again into a whole file that the next run reads without a word
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portfolio_check.compiled"):
        load_or_compile(snapshot, ("ns-cmic",))
    assert caplog.records == []
    assert stored.stat().st_mode & 0o077 == 0


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, snapshot: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    assert compiled.cache_dir() is None
    reference = load_or_compile(snapshot, ("ns-cmic",))
    answer = check_security("KYG8062L1041", as_of=AS_OF, reference=reference)
    assert answer.status.value == "PROHIBITED"


# The CLI run in a fresh process, as a desk runs it; it writes the modules it loaded to a file
# (its click group, which returns as Python ends: the console script's quick exit after a
# pre-trade answer would skip the writing; tests/test_cli_quick_exit.py runs that).
_PROBE = """
import sys
modules_file = sys.argv.pop(1)
sys.argv[0] = "portfolio-check"
try:
    from portfolio_check.cli import main
    main()
finally:
    with open(modules_file, "w") as handle:
        handle.write("\\n".join(sorted(sys.modules)))
"""


# the lists' age is not what these runs are about: no staleness warning on standard error
ARGS = ("check-security", "0020.HK", "--as-of", AS_OF, "--max-list-age-days", "100000")


def _cli(cache: Path, modules: Path) -> subprocess.Popen[str]:
    env = {**os.environ, CACHE_ENV: str(cache), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", _PROBE, str(modules), *ARGS],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_command_line_compiles_once_reads_after_and_warns_on_a_bad_file(
    cache: Path, tmp_path: Path
) -> None:
    # two runs compiling at once: both answer, one whole file is left and no temporary one
    runs = [_cli(cache, tmp_path / f"cold{n}.txt") for n in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [1, 1]  # PROHIBITED fails --fail-on
    out = outputs[0][0]
    assert out.startswith("PROHIBITED: buy '0020.HK' on 2022-03-01") and outputs[1][0] == out
    assert [err for _, err in outputs] == ["", ""]
    (stored,) = _files(cache)
    assert stored.suffix == ".pickle"
    warm = _cli(cache, tmp_path / "warm.txt")
    assert warm.communicate(timeout=300) == (out, "")
    assert _files(cache) == [stored]
    heavy = {"pandas", "numpy", "pyarrow", "xlsxwriter", "openpyxl", "fastapi"}
    for name in ("cold0", "warm"):
        loaded = set((tmp_path / f"{name}.txt").read_text().split())
        assert "portfolio_check.compiled" in loaded
        assert loaded & heavy == set(), name
        assert "portfolio_check.pipeline" not in loaded, name
    # a warm run needs neither the importers nor the masters' workbook reader
    assert {"portfolio_check.sources.snapshot", "python_calamine"} & loaded == set()
    # a damaged file: the same answer, after one warning line
    stored.write_bytes(b"\x80\x05broken")
    again, err = _cli(cache, tmp_path / "damaged.txt").communicate(timeout=300)
    assert again == out
    (line,) = err.splitlines()
    assert line.startswith(f"portfolio-check: warning: compiled reference cache {stored} ")


def test_an_edited_snapshot_accepted_for_one_run_is_never_stored(
    cache: Path, snapshot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = snapshot / "curated" / "names.csv"
    names.write_bytes(names.read_bytes() + b"\n")
    monkeypatch.setenv("PORTFOLIO_CHECK_ACCEPT_EDITED_REFERENCE", "1")
    reference = load_or_compile(snapshot, ("ns-cmic",))
    assert reference.manifest["verification"]["status"] == "edited"
    assert _files(cache) == []  # the next run must accept the edit again, or be refused
