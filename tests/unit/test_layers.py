"""The layers of docs/architecture.md hold: the import-linter contracts in .importlinter, no
module import cycle, and no import hidden inside a function (they kept cycles working)."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "survey"

# Heavy libraries loaded on first use, so a worker that never draws a chart, writes a PDF or a
# workbook, or remuxes a video does not pay for them (import time and resident memory
# measured in docs/architecture.md). Nothing else may be imported inside a function.
HEAVY = {
    "av": "PyAV, video remux and posters",
    "matplotlib": "charts",
    "openpyxl": "workbooks",
    "pillow_heif": "HEIC photos",
    "scipy": "the Student-t quantile",
    "weasyprint": "PDF reports",
    "zxcvbn": "password strength",
}


def imports_inside_functions(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import statement inside a function of `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found.extend((inner.lineno, alias.name) for alias in inner.names)
                elif isinstance(inner, ast.ImportFrom):
                    dots = "." * inner.level
                    found.append((inner.lineno, dots + (inner.module or "")))
    return found


def test_no_import_inside_a_function_but_a_heavy_library() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {module}"
        for path in sorted(SURVEY.rglob("*.py"))
        for line, module in imports_inside_functions(path.read_text(encoding="utf-8"))
        if module.split(".")[0] not in HEAVY
    ]
    assert offenders == []


def test_the_scan_sees_an_import_inside_a_function() -> None:
    source = "import os\n\ndef f():\n    from .visits import forms\n    import av\n"
    assert imports_inside_functions(source) == [(4, ".visits"), (5, "av")]


def module_cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each direct import a -> b that b leads back to a by some chain, as that chain."""
    found = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                found.append((module, *back))
    return found


def test_no_module_import_cycle() -> None:
    assert module_cycles(grimp.build_graph("survey")) == []


def test_the_cycle_search_finds_one() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")):
        graph.add_import(importer=importer, imported=imported)
    assert ("a", "b", "c", "a") in module_cycles(graph)
    assert not [chain for chain in module_cycles(graph) if "d" in chain]


# The web layer of docs/architecture.md: pages, forms, the API, templates, the request hooks
# and what wires them. Everything else (services and the helpers beside them, models, the
# domain) lies below it.
WEB_MODULES = {
    "survey",
    "survey.setup",
    "survey.cli",
    "survey.templating",
    "survey.assets",
    "survey.security",
    "survey.offline",
    "survey.auth.access",
}


def is_web(module: str) -> bool:
    """Whether `module` belongs to the web layer (a page, a form, the API, a request hook)."""
    return (
        module in WEB_MODULES
        or module.endswith((".views", ".forms"))
        or module == "survey.api"
        or module.startswith("survey.api.")
    )


def test_nothing_below_the_pages_imports_them() -> None:
    """Not only `*/services.py` (the import-linter contract): every helper beside them too
    (reports/pdf.py, findings/programme.py, backup.py, …), which a wildcard cannot name."""
    graph = grimp.build_graph("survey")
    upward = sorted(
        f"{module} -> {imported}"
        for module in graph.modules
        if not is_web(module)
        for imported in graph.find_modules_directly_imported_by(module)
        if is_web(imported)
    )
    assert upward == []


def test_the_web_layer_is_told_apart() -> None:
    assert is_web("survey.reports.views") and is_web("survey.api.contract")
    assert not is_web("survey.reports.pdf") and not is_web("survey.apiary")


def test_make_lint_checks_the_contracts() -> None:
    contracts = read_configuration(str(ROOT / ".importlinter"))["contracts_options"]
    assert len(contracts) >= 4
    assert "lint-imports" in (ROOT / "Makefile").read_text(encoding="utf-8")


@pytest.mark.parametrize("package", ["survey.domain"])
def test_domain_imports_nothing_of_the_app(package: str) -> None:
    graph = grimp.build_graph("survey")
    outside = {
        imported
        for module in graph.find_descendants(package) | {package}
        for imported in graph.find_modules_directly_imported_by(module)
        if not imported.startswith(package)
    }
    assert outside == set()
