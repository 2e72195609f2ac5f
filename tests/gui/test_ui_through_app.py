"""ui/ goes through app/ use cases (architecture: ui → app → db): the pages below once read
the database's tables themselves; they must not import db/ again."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THROUGH_APP = ["ui/pages/results_page.py", "ui/pages/staff_page.py",
               "ui/pages/setup_exclusions.py", "ui/pages/counting/page.py",
               "ui/widgets/offline_banner.py", "ui/pages/host_page.py", "ui/pages/desk_page.py",
               "ui/pages/meeting_page.py"]


def db_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] == "db"]
    return found


def test_these_pages_import_nothing_from_db() -> None:
    assert [hit for rel in THROUGH_APP for hit in db_imports(ROOT / rel)] == []


def test_the_sign_on_place_does_not_load_the_sync_core(db_path) -> None:
    """Where a sign-on happens is read at start-up: it no longer imports the desk link (and
    with it the sync core) to learn the desk's name."""
    from db.connection import connect

    connect(db_path).close()
    code = ("import sys; from db.connection import connect; from ui.signon import place; "
            f"c = connect({str(db_path)!r}, create=False); p = place(c); "
            "print(bool(p) and 'app.sync' not in sys.modules and 'ui.widgets.offline_banner' "
            "not in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True, cwd=ROOT,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip() == "True", out
