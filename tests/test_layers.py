"""Layers (issue 18): the pure core imports nothing from the I/O edges, and nothing above it.

The core works on data already loaded: identifiers, names, match, rules, resolve, screen, the
shared models and the reference's shapes. Reading files (holdings, sources, refdata), writing
them (report), the web and the CLI sit on top. A test that reads every module's imports keeps
that true; its own self-check shows it would catch a bad import.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "portfolio_check"
CORE = (
    "identifiers",
    "names",
    "match",
    "rules",
    "resolve",
    "screen",
    "model",
    "reference",
    "errors",
    "distinct",
    "funds",
    "vocabulary",
)
EDGES = ("holdings", "sources", "report", "web", "refdata", "cli", "pipeline")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str) -> set[str]:
    """Every portfolio_check module that ``source`` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("portfolio_check")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(module.split(".")[: -node.level] + ([base] if base else []))
            if base.startswith("portfolio_check"):
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _all_imports() -> dict[str, set[str]]:
    return {
        _module_name(path): imports_of(path.read_text(encoding="utf-8"), _module_name(path))
        for path in PACKAGE.rglob("*.py")
    }


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports that break the layers, as 'importer -> imported'."""
    bad = []
    for module, imported in sorted(graph.items()):
        short = module.removeprefix("portfolio_check.")
        for target in sorted(imported):
            name = target.removeprefix("portfolio_check.")
            top = name.split(".")[0]
            own = short.split(".")[0]
            if own in CORE and top in EDGES:
                bad.append(f"{module} -> {target}")
            if top == "cli" and own not in ("cli", "__main__"):
                bad.append(f"{module} -> {target}")
            if top == "web" and own not in ("web", "cli"):
                bad.append(f"{module} -> {target}")
    return bad


def test_the_core_imports_no_edge_and_nothing_imports_the_faces() -> None:
    assert upward_imports(_all_imports()) == []


def _documented_layer(name: str) -> tuple[str, ...]:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = page.split(f"<!-- layers:{name} -->", 1)[1].split("<!-- /layers -->", 1)[0]
    return tuple(word.strip() for word in block.split(",") if word.strip())


def test_the_architecture_page_names_the_layers_this_test_enforces() -> None:
    assert _documented_layer("core") == CORE
    assert _documented_layer("edges") == EDGES


def test_the_layer_test_catches_a_bad_import() -> None:
    graph = _all_imports()
    graph["portfolio_check.resolve.names"] = graph["portfolio_check.resolve.names"] | {
        "portfolio_check.holdings.readers"
    }
    graph["portfolio_check.funds"] = imports_of(
        "from portfolio_check.refdata import load_reference\n", "portfolio_check.funds"
    )
    graph["portfolio_check.pipeline"] = {"portfolio_check.web.app"}
    assert upward_imports(graph) == [
        "portfolio_check.funds -> portfolio_check.refdata",
        "portfolio_check.funds -> portfolio_check.refdata.load_reference",
        "portfolio_check.pipeline -> portfolio_check.web.app",
        "portfolio_check.resolve.names -> portfolio_check.holdings.readers",
    ]


def test_importing_the_core_loads_no_reader_writer_or_web_library() -> None:
    # The package's __init__ is lazy, so a core module comes without the edges' libraries.
    import subprocess
    import sys

    probe = (
        "import sys, portfolio_check.resolve, portfolio_check.screen\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    heavy = {"python_calamine", "xlsxwriter", "openpyxl", "defusedxml", "fastapi", "pandas"}
    edges = {m for m in loaded if m.split(".")[1:2] and m.split(".")[1] in EDGES}
    assert loaded & heavy == set()
    assert {m for m in edges if m.startswith("portfolio_check.")} == set()
