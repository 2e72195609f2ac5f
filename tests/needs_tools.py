"""Outside tools the tests read our files back with (Poppler, ZBar, LibreOffice): pytest hooks,
imported by tests/conftest.py."""

from __future__ import annotations

import ast
import functools
import os
import shutil
import sys
from pathlib import Path

import pytest

# A test that calls one of these programs (itself, through a helper or fixture of its module, or
# through pdf_tools) is marked `needs_tool(...)` at collection. Where a tool is missing the test is skipped and the reason
# names the tool and its package, so the count of skips says so (`-ra` lists them) — never a
# silent pass. On Linux CI (CI set) packaging/dev.py installs them all, so a missing one there
# fails the test instead of skipping it: CI cannot go green by losing its tools.
TOOLS = {
    "pdftotext": ("pdftotext", "Poppler: Debian poppler-utils"),
    "pdffonts": ("pdffonts", "Poppler: Debian poppler-utils"),
    "pdfinfo": ("pdfinfo", "Poppler: Debian poppler-utils"),
    "pdftoppm": ("pdftoppm", "Poppler: Debian poppler-utils"),
    "zbarimg": ("zbarimg", "ZBar: Debian zbar-tools"),
    "soffice": ("soffice", "LibreOffice: Debian libreoffice-calc-nogui"),
}
USES = {  # text in a test module -> the tools it needs
    "pdf_tools": ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm", "zbarimg"),
    **{f'"{t}"': (t,) for t in TOOLS},
    "soffice": ("soffice",),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_tool(name, ...): runs only where that program is "
                                       "installed (added automatically from the module's text)")


def _mentions(text: str) -> set[str]:
    return {t for key, tools in USES.items() if key in text for t in tools}


@functools.cache
def _tools_by_function(path: str) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """For each top-level function of a test module: the tools it calls, directly, through a
    helper or fixture of the module, or through a name imported from pdf_tools (fixed point).
    Also the tools the module mentions at all, for tests the analysis cannot place."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (OSError, SyntaxError):
        return {}, frozenset()
    tainted: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and "pdf_tools" in (node.module or ""):
            for alias in node.names:
                tainted[alias.asname or alias.name] = set(USES["pdf_tools"])
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    used = {name: ({x.id for x in ast.walk(f) if isinstance(x, ast.Name)}
                   | {a.arg for a in f.args.args}) for name, f in funcs.items()}
    for name, f in funcs.items():
        direct = _mentions(ast.get_source_segment(text, f) or "")
        if direct:
            tainted[name] = direct
    changed = True
    while changed:
        changed = False
        for name in funcs:
            got = set(tainted.get(name, set()))
            for other in used[name] & tainted.keys():
                got |= tainted[other]
            if got != tainted.get(name, set()):
                tainted[name], changed = got, True
    return ({n: frozenset(tainted.get(n, set())) for n in funcs}, frozenset(_mentions(text)))


def _item_tools(item: pytest.Item) -> set[str]:
    per_function, whole = _tools_by_function(str(item.path))
    name = getattr(item, "originalname", item.name)
    if getattr(item, "cls", None) is None and name in per_function:
        return set(per_function[name])
    return set(whole)        # a method or a generated test: the module's tools, to be safe


def _have(tool: str) -> bool:
    if tool == "soffice":
        return bool(shutil.which("soffice") or shutil.which("libreoffice"))
    return shutil.which(TOOLS[tool][0]) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tools = _item_tools(item)
        for mark in item.iter_markers("needs_tool"):
            tools.update(mark.args)
        if tools:
            item.add_marker(pytest.mark.needs_tool(*sorted(tools)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = sorted({t for m in item.iter_markers("needs_tool") for t in m.args if not _have(t)})
    if not missing:
        return
    what = "; ".join(f"{t} ({TOOLS[t][1]})" for t in missing)
    if os.environ.get("CI") and sys.platform.startswith("linux"):
        pytest.fail(f"CI lacks {what}: packaging/dev.py should have installed it")
    pytest.skip(f"not installed here: {what}")
