"""app.voting's modules import each other in one direction (no circle, no import hidden inside a
function to dodge one) and never take a private `_name` from a sibling module."""

from __future__ import annotations

import ast
from pathlib import Path

import app.voting

PKG = Path(app.voting.__file__).parent
ORDER = ["model", "store", "guard", "entry", "compare", "tally", "validate", "report", "progression",
         "rounds", "opening", "transfer"]


def _sibling_imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(sibling module, imported names, at module level) for each `from app.voting.X import`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.voting."):
            out.append((node.module.rsplit(".", 1)[1], [a.name for a in node.names],
                        id(node) in top))
    return out


def test_every_module_is_placed_in_the_order() -> None:
    modules = {p.stem for p in PKG.glob("*.py")} - {"__init__"}
    assert modules == set(ORDER)


def test_imports_go_one_way_at_module_level_and_name_no_private_helper() -> None:
    for name in ORDER:
        for target, names, at_top in _sibling_imports(PKG / f"{name}.py"):
            assert at_top, f"{name} imports app.voting.{target} inside a function"
            assert ORDER.index(target) < ORDER.index(name), f"{name} → {target} goes back"
            private = [n for n in names if n.startswith("_")]
            assert not private, f"{name} imports private {private} from {target}"


def test_the_counting_pages_decide_no_next_round() -> None:
    for page in ("ui/pages/counting/page.py", "ui/pages/results_page.py"):
        text = (PKG.parent.parent / page).read_text(encoding="utf-8")
        assert "NEXT_KIND = " not in text and "RUNOFF_NEEDED:" not in text, page
