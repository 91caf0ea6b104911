"""The matching benchmark must not fall below its committed baseline (benchmarks/README.md)."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import pytest

from tests.paths import REPO, shared_path

README = REPO / "benchmarks" / "README.md"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_matching", REPO / "benchmarks" / "matching.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_matching"] = module
    spec.loader.exec_module(module)
    return module


def _baseline() -> dict[str, float]:
    lines = re.findall(r"^company_f1=.*$", README.read_text(encoding="utf-8"), re.MULTILINE)
    assert lines, "benchmarks/README.md has no committed final line"
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", lines[-1])}


def test_matching_does_not_fall_below_the_committed_baseline() -> None:
    shared = shared_path("bench", "name_matching").parents[1]
    results = _bench().run(shared, peer=False)
    baseline = _baseline()
    assert results.ours.f1 >= baseline["company_f1"] - 1e-4, results.final_line()
    assert results.ours.f1 >= 0.90
    assert results.alias.value == 1.0, results.alias.failures
    assert results.han.value == 1.0, results.han.failures
    assert results.groups.value == 1.0, results.groups.failures


def test_final_line_format() -> None:
    bench = _bench()
    results = bench.Results(
        ours=bench.Counts(tp=9, fp=1, fn=0, tn=5),
        peer_live=None,
        peer_live_note="",
        peer_frozen_published=bench.Counts(),
        peer_frozen_rescored=bench.Counts(),
        alias=bench.Recall(2, 2),
        han=bench.Recall(1, 1),
        groups=bench.Recall(4, 3),
        lost_to_peer=[],
        won_from_peer=[],
    )
    assert results.final_line() == (
        "company_f1=0.9474 alias_recall=1.0000 han_latin_recall=1.0000 group_separation=0.7500"
    )


@pytest.mark.parametrize("text", ["Société Générale", "CHINA MOBILE LTD."])
def test_truth_names_ignore_case_and_punctuation(text: str) -> None:
    assert _bench().same_name(text) == _bench().same_name(text.upper() + " ")
