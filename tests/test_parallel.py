"""Name look-ups shared with a helper process give the serial answers (issue 6).

The comparison runs in a fresh interpreter: forking is only allowed in a process without other
threads, which a test session (with web servers started by other tests) cannot promise.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from portfolio_check import parallel
from portfolio_check.collector import collection_paused
from tests.paths import REPO

# Parsed forms and matches from the helper, against the same names worked out here, one by
# one, in a second index built from scratch.
_COMPARE = textwrap.dedent(
    """
    import importlib.util, io, json, sys
    from portfolio_check import names, parallel
    from portfolio_check.progress import ProgressDisplay
    from portfolio_check.refdata import load_reference
    from portfolio_check.resolve import SecurityIndex

    spec = importlib.util.spec_from_file_location("bench_positions", sys.argv[1])
    positions = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = positions
    spec.loader.exec_module(positions)
    frame = positions.generate_positions(4_000, seed=5, universe_size=3_000)
    wanted = [str(n) for n in frame["Security Name"].unique() if str(n).strip()]
    wanted += ["SenseTime Group Inc", "SENSETIME GROUP LIMITED", "Sensata Technologies",
               "Hisense Home Appliances", "商汤集团股份有限公司", "China Mobile Ltd"]

    reference = load_reference().select(None)
    shared = SecurityIndex(reference).names
    # as in a CLI run on a terminal: the progress display's redraw thread is running
    with ProgressDisplay(stream=io.StringIO(), enabled=True, tick=0.001):
        by_helper = parallel.look_up_names(shared, wanted, minimum=0)
    alone = SecurityIndex(reference).names
    differ = []
    found = 0
    for name in wanted:
        if names._PARSED[name] != names._parse_name(name):
            differ.append(("parsed", name))
        answer = shared.lookup(name)
        found += bool(answer)
        if answer != alone.lookup(name):
            differ.append(("matches", name))
    print(json.dumps({"names": len(set(wanted)), "by_helper": by_helper,
                      "with_matches": found, "differ": differ}))
    """
)


def _run_fresh(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` in a fresh interpreter, helpers allowed; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, parallel.WORKERS_ENV: ""},
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def test_names_looked_up_by_the_helper_equal_the_serial_answers() -> None:
    result = _run_fresh(_COMPARE, str(REPO / "benchmarks" / "positions.py"))
    assert result["differ"] == []
    assert result["names"] > 1_000
    # the helper took a real share, and the names include listed ones and look-alikes
    assert 0.2 * result["names"] < result["by_helper"] < 0.8 * result["names"]
    assert result["with_matches"] > 20


def test_no_helper_when_disabled_or_few_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from portfolio_check.pipeline import active_reference, security_index

    index = security_index(active_reference(None, None)).names
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert not parallel.helper_allowed()
    assert parallel.look_up_names(index, ["Acme Widgets Plc"] * 3, minimum=0) == 0
    monkeypatch.delenv(parallel.WORKERS_ENV)
    # below the minimum nothing is forked and nothing is looked up ahead
    assert parallel.look_up_names(index, ["Zyxwv Holdings Plc"]) == 0
    assert not index.is_cached("Zyxwv Holdings Plc")


def test_no_helper_while_another_thread_runs() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait, name="some-server-worker")
    other.start()
    try:
        assert not parallel.helper_allowed()
    finally:
        release.set()
        other.join()


def test_collection_paused_nests_and_restores_the_collector() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller who had it off keeps it off
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


# A helper that dies at once, before taking any names: this process takes every chunk.
_HELPER_FAILS = textwrap.dedent(
    """
    import json, os
    from portfolio_check import parallel
    from portfolio_check.refdata import load_reference
    from portfolio_check.resolve import SecurityIndex

    parallel._helper = lambda *args: os._exit(3)
    index = SecurityIndex(load_reference().select(None)).names
    wanted = [f"Holding Number {n} Limited" for n in range(600)] + ["SENSETIME GROUP LIMITED"]
    by_helper = parallel.look_up_names(index, wanted, minimum=0)
    cached = sum(index.is_cached(name) for name in wanted)
    matched = sorted({m.known.entry_id for m in index.lookup("SENSETIME GROUP LIMITED")})

    # work failing before the helper's answers are asked for: the helper is stopped
    lookups = parallel.SharedLookups(index, [f"Other {n} Plc" for n in range(600)], minimum=0)
    helper = lookups._helper
    try:
        with lookups:
            raise RuntimeError("identifying failed")
    except RuntimeError:
        pass
    print(json.dumps({"by_helper": by_helper, "cached": cached, "names": len(wanted),
                      "matched": matched, "stopped": helper is not None and not helper.is_alive()}))
    """
)


def test_a_failed_helper_leaves_the_names_to_this_process() -> None:
    result = _run_fresh(_HELPER_FAILS)
    assert result["by_helper"] == 0
    assert result["cached"] == result["names"]
    assert result["matched"] == ["33114"]  # SenseTime's NS-CMIC entry, looked up here
    assert result["stopped"]


def test_collection_is_not_paused_on_other_threads() -> None:
    seen: list[bool] = []

    def work() -> None:
        with collection_paused():
            seen.append(gc.isenabled())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [True]


# What must not hang, crash or leave a helper behind (each case in this fresh interpreter).
_STOPS = textwrap.dedent(
    """
    import json, multiprocessing, signal, time
    from portfolio_check import parallel
    from portfolio_check.refdata import load_reference
    from portfolio_check.resolve import SecurityIndex

    reference = load_reference().select(None)
    out = {}

    def names(tag, n=3000):
        return [f"{tag} Holding {k} Limited" for k in range(n)]

    # 1. fork fails (out of memory, a process limit): one process, same answers
    index = SecurityIndex(reference).names
    start = multiprocessing.context.ForkProcess.start
    def no_fork(self):
        raise OSError(12, "Cannot allocate memory")
    multiprocessing.context.ForkProcess.start = no_fork
    out["no_fork"] = parallel.look_up_names(index, names("A"), minimum=0)
    multiprocessing.context.ForkProcess.start = start

    # 2. the terminate signal ignored (a server's own handler) and the work before finish()
    #    failing: the helper still ends, through the closed pipe or a kill
    index = SecurityIndex(reference).names
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    lookups = parallel.SharedLookups(index, names("B", 6000), minimum=0)
    signal.signal(signal.SIGTERM, previous)
    helper = lookups._helper
    began = time.monotonic()
    try:
        with lookups:
            raise RuntimeError("identifying failed")
    except RuntimeError:
        pass
    out["ignored_term_stopped"] = helper is not None and not helper.is_alive()
    out["ignored_term_seconds"] = time.monotonic() - began

    # 3. a look-up failing inside finish(): the helper is stopped too
    index = SecurityIndex(reference).names
    lookups = parallel.SharedLookups(index, names("C"), minimum=0)
    helper = lookups._helper
    def broken(name):
        raise MemoryError("no room")
    index.lookup = broken
    try:
        with lookups:
            lookups.finish()
    except MemoryError:
        pass
    out["finish_failed_stopped"] = helper is not None and not helper.is_alive()

    # 4. a daemonic process (a pool's worker) may have no children: it works alone
    def in_worker(_):
        worker_index = SecurityIndex(reference).names
        return parallel.look_up_names(worker_index, names("D"), minimum=0)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        out["daemon"] = pool.map(in_worker, [0])[0]
    print(json.dumps(out))
    """
)


def test_helpers_are_stopped_and_failures_fall_back_to_one_process() -> None:
    result = _run_fresh(_STOPS)
    assert result["no_fork"] == 0
    assert result["ignored_term_stopped"]
    assert result["ignored_term_seconds"] < parallel.STOP_SECONDS + 5
    assert result["finish_failed_stopped"]
    assert result["daemon"] == 0


# shared_map: items from the back done by a helper, one that fails, and a whole check with and
# without the helper, verdict by verdict.
_MAP = textwrap.dedent(
    """
    import importlib.util, json, os, sys, time
    from portfolio_check import parallel

    parent = os.getpid()
    done = []
    def square(i):
        time.sleep(0.0005)  # work that takes time, so that both processes get a share
        return i * i, os.getpid() != parent
    shared = parallel.shared_map(square, 3000, minimum=0, done=done.append)
    def fails_in_helper(i):
        if os.getpid() != parent:
            raise RuntimeError("the helper fails")
        return i + 1
    fallback = parallel.shared_map(fails_in_helper, 1200, minimum=0)
    few = parallel.shared_map(lambda i: os.getpid() != parent, 10, minimum=11)

    spec = importlib.util.spec_from_file_location("bench_positions", sys.argv[1])
    positions = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = positions
    spec.loader.exec_module(positions)
    import portfolio_check
    from portfolio_check import pipeline

    frame = positions.generate_positions(12_000, seed=9, universe_size=6_000)
    both = portfolio_check.check(frame, as_of="2024-06-30")
    os.environ[parallel.WORKERS_ENV] = "1"
    alone = portfolio_check.check(frame, as_of="2024-06-30")
    distinct = both.holdings["verdict"].map(id).nunique()
    print(json.dumps({
        "squares": [v for v, _ in shared] == [i * i for i in range(3000)],
        "by_helper": sum(h for _, h in shared),
        "done": done[-1], "progress_rises": done == sorted(done),
        "fallback": fallback == [i + 1 for i in range(1200)],
        "few_by_helper": sum(few),
        "distinct": int(distinct),
        "minimum": pipeline.MIN_PARALLEL_SECURITIES,
        "statuses_equal": both.holdings["status"].tolist() == alone.holdings["status"].tolist(),
        "verdicts_equal": both.holdings["verdict"].tolist() == alone.holdings["verdict"].tolist(),
        "flagged": int((both.holdings["status"] != "CLEAR").sum()),
    }))
    """
)


def test_work_shared_with_a_helper_equals_one_process() -> None:
    result = _run_fresh(_MAP, str(REPO / "benchmarks" / "positions.py"))
    assert result["squares"] and result["fallback"]
    assert 600 < result["by_helper"] < 2400  # the helper took a real share
    assert result["done"] == 3000 and result["progress_rises"]
    assert result["few_by_helper"] == 0  # below the minimum: one process
    # a check of enough distinct securities for the helper, verdict by verdict as alone
    assert result["distinct"] >= result["minimum"]
    assert result["statuses_equal"] and result["verdicts_equal"]
    assert result["flagged"] > 0


# The names' helper forked before a large file is read (SharedLookups.ahead): given the name
# column as soon as the tables are found, its answers collected when resolving; a whole check
# with it equals one process, verdict by verdict; a failed read or a file without names stops
# it.
_AHEAD = textwrap.dedent(
    """
    import importlib.util, json, multiprocessing, os, sys, tempfile
    from pathlib import Path
    from portfolio_check import parallel, pipeline
    from portfolio_check.errors import InputFileError

    spec = importlib.util.spec_from_file_location("bench_positions", sys.argv[1])
    positions = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = positions
    spec.loader.exec_module(positions)
    import portfolio_check

    folder = Path(tempfile.mkdtemp())
    path = folder / "book.csv"
    book = positions.generate_positions(12_000, seed=11, universe_size=6_000)
    book.to_csv(path, index=False)
    workbook = folder / "book.xlsx"  # another reader, the same hook
    book[:3_000].to_excel(workbook, index=False)
    pipeline.NAMES_AHEAD_MIN_BYTES = 0  # the small file counts as large here

    collected = []
    finish = parallel.SharedLookups.finish
    def recording(self, index=None):
        done = finish(self, index)
        collected.append((len(self.todo), done))
        return done
    parallel.SharedLookups.finish = recording

    both = portfolio_check.check(path, as_of="2024-06-30")
    both_xlsx = portfolio_check.check(workbook, as_of="2024-06-30")
    left_after_check = len(multiprocessing.active_children())
    bad = folder / "bad.csv"
    bad.write_bytes(b"\\x00\\x01garbage\\x02" * 100)
    try:
        portfolio_check.check(bad, as_of="2024-06-30")
        bad_raised = False
    except InputFileError:
        bad_raised = True
    nameless = folder / "isins.csv"
    nameless.write_text("ISIN,Quantity\\nKYG8062L1041,100\\nUS0378331005,5\\n")
    few = portfolio_check.check(nameless, as_of="2024-06-30")
    left = len(multiprocessing.active_children())
    os.environ[parallel.WORKERS_ENV] = "1"
    alone = portfolio_check.check(path, as_of="2024-06-30")
    alone_xlsx = portfolio_check.check(workbook, as_of="2024-06-30")
    print(json.dumps({
        "xlsx_equal": both_xlsx.holdings["reason"].tolist() == alone_xlsx.holdings["reason"].tolist()
        and both_xlsx.holdings["status"].tolist() == alone_xlsx.holdings["status"].tolist(),
        "xlsx_shared": collected[1][1] if len(collected) > 1 else 0,
        "collected": collected,
        "left_after_check": left_after_check,
        "left": left,
        "bad_raised": bad_raised,
        "few": few.holdings["status"].tolist(),
        "statuses_equal": both.holdings["status"].tolist() == alone.holdings["status"].tolist(),
        "verdicts_equal": both.holdings["verdict"].tolist() == alone.holdings["verdict"].tolist(),
        "reasons_equal": both.holdings["reason"].tolist() == alone.holdings["reason"].tolist(),
        "flagged": int((both.holdings["status"] != "CLEAR").sum()),
    }))
    """
)


def test_names_helper_forked_ahead_equals_one_process() -> None:
    result = _run_fresh(_AHEAD, str(REPO / "benchmarks" / "positions.py"))
    names, by_helper = result["collected"][0]
    assert names > 1_000 and 0 < by_helper <= names  # the helper forked ahead took a share
    assert result["statuses_equal"] and result["verdicts_equal"] and result["reasons_equal"]
    assert result["xlsx_equal"] and result["xlsx_shared"] > 0  # a workbook as a CSV
    assert result["flagged"] > 0
    assert result["bad_raised"]
    assert result["few"] == ["PROHIBITED", "CLEAR"]  # SenseTime and Apple, by ISIN
    # no helper outlives its check: answered, failed read, or no names to look up
    assert result["left_after_check"] == 0 and result["left"] == 0
