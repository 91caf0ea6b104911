"""The labelled corpus (benchmarks/corpus/, issue 12): the generator itself, and the checker on it.

The end-to-end test fails while the checker gives a false clear, a false prohibit or loses a
row; ``python benchmarks/corpus.py`` prints which rows and why.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.paths import REPO

BENCHMARKS = REPO / "benchmarks"


def _runner() -> ModuleType:
    name = "bench_corpus"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _package() -> ModuleType:
    return _runner().corpus_package  # type: ignore[no-any-return]


def _derivatives_available() -> bool:
    _runner()  # puts benchmarks/ on sys.path
    from corpus import derivatives

    return bool(derivatives.available())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> object:
    package = _package()
    return package.generate(
        tmp_path_factory.mktemp("corpus"), with_derivatives=_derivatives_available()
    )


def test_at_least_25_layouts_each_with_a_file(built: object) -> None:
    package = _package()
    assert len(package.LAYOUTS) >= 25
    used = {spec.layout.name for spec in built.files}  # type: ignore[attr-defined]
    assert used == {layout.name for layout in package.LAYOUTS}
    assert all(spec.cases for spec in built.files), "a file has no position"  # type: ignore[attr-defined]


def test_at_least_2000_labelled_rows(built: object) -> None:
    assert len(built.positions) >= 2000  # type: ignore[attr-defined]


def test_every_ns_cmic_entry_appears(built: object) -> None:
    data = json.loads((REPO / "reference" / "lists" / "ns_cmic.json").read_text(encoding="utf-8"))
    entries = {entry["entry_id"] for entry in data["entries"]}
    assert len(entries) == 68
    seen = {label.entry_id for label in built.positions}  # type: ignore[attr-defined]
    assert entries - seen == set()


def test_every_format_encoding_and_delimiter_appears(built: object) -> None:
    files = built.files  # type: ignore[attr-defined]
    assert {spec.layout.fmt for spec in files} == {"xlsx", "xls", "ods", "csv"}
    csv_files = [spec.layout for spec in files if spec.layout.fmt == "csv"]
    encodings = {layout.encoding for layout in csv_files}
    assert {"utf-8", "utf-8-sig", "utf-16", "gb18030", "big5", "shift_jis", "cp1252"} <= encodings
    assert {",", ";", "\t"} <= {layout.delimiter for layout in csv_files}
    for spec in files:
        assert spec.path.exists() and spec.path.stat().st_size > 0
    bom = {
        "utf-8-sig": b"\xef\xbb\xbf",
        "utf-16": (b"\xff\xfe", b"\xfe\xff"),
    }
    for spec in files:
        if spec.layout.fmt == "csv" and spec.layout.encoding in bom:
            assert spec.path.read_bytes().startswith(bom[spec.layout.encoding])


def test_rules_are_all_exercised(built: object) -> None:
    kinds = {label.kind for label in built.positions}  # type: ignore[attr-defined]
    wanted = {
        "isin",
        "cusip",
        "ticker",
        "code+exchange",
        "name",
        "name+bad-isin",
        "disagree",
        "relation",
        "bond",
        "lookalike",
        "other-exchange",
        "bare-code",
        "bad-isin",
        "sedol",
        "cins",
        "option",
    }
    if _derivatives_available():
        wanted |= {"warrant-code", "warrant-name", "warrant-expired"}
    assert wanted <= kinds
    statuses = {label.expected for label in built.positions}  # type: ignore[attr-defined]
    assert {"PROHIBITED", "PENDING", "REVIEW", "WATCH", "CLEAR", "UNRESOLVED"} <= statuses
    classes = {label.row_class for label in built.labels if not label.position}  # type: ignore[attr-defined]
    assert {"title", "header", "cash", "subtotal", "total", "footer", None} <= classes
    # only derivative cases whose lives no file's date fits may go unplaced
    assert all(case.kind.startswith("warrant") for case in built.dropped)  # type: ignore[attr-defined]


def test_labels_are_reproducible_by_seed(tmp_path: Path) -> None:
    package = _package()
    first = package.generate(tmp_path / "a", seed=7, with_derivatives=False)
    second = package.generate(tmp_path / "b", seed=7, with_derivatives=False)
    other = package.generate(tmp_path / "c", seed=8, with_derivatives=False)

    def rows(corpus: object) -> list[tuple[object, ...]]:
        return [
            (label.file, label.sheet, label.row, label.expected, label.content)
            for label in corpus.labels  # type: ignore[attr-defined]
        ]

    assert rows(first) == rows(second)
    assert rows(first) != rows(other)
    assert (tmp_path / "a" / "labels.json").read_bytes() == (
        tmp_path / "b" / "labels.json"
    ).read_bytes()


def test_generator_does_not_use_the_checker() -> None:
    forbidden = re.compile(
        r"portfolio_check\.(resolve|check|screen|match|names)\b|from portfolio_check"
    )
    for path in (BENCHMARKS / "corpus").glob("*.py"):
        assert not forbidden.search(path.read_text(encoding="utf-8")), path


def test_derivatives_come_from_the_hkex_masters() -> None:
    if not _derivatives_available():
        pytest.skip("../shared/data/hkex masters are not available beside the repository")
    from corpus import derivatives

    cases = derivatives.build_cases(random.Random(1))
    smic = [c for c in cases if c.kind == "warrant-name" and "SMIC" in c.cells["name"]]
    assert smic
    verdict = smic[0].label(dt.date(2021, 11, 1), "us-person")
    assert verdict[0] == "PROHIBITED"


def test_checker_gives_no_false_clear_no_false_prohibit_and_loses_no_row(built: object) -> None:
    runner = _runner()
    results = runner.compare(built)
    summary = results.final_line()
    shown = "\n".join(
        f"{m.file} {m.sheet}!{m.row} [{m.kind}] expected {m.expected}, got {m.actual}: {m.why}"
        for m in results.mismatches[:25]
    )
    assert results.lost == 0, f"{results.lost} rows lost; {summary}\n{shown}"
    assert results.false_clear == 0, f"{summary}\n{shown}"
    assert results.false_prohibit == 0, f"{summary}\n{shown}"
