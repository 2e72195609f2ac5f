"""app/ and db/ must run without Qt: importing every module of them must not load PySide6."""

from __future__ import annotations

import subprocess
import sys

from pdtest import ROOT

CODE = r"""
import importlib, pkgutil, sys
import app, db
for pkg in (app, db):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(m.name)
loaded = sorted(n for n in sys.modules if n.startswith(("PySide6", "shiboken6", "ui")))
print(",".join(loaded))
"""


def test_app_and_db_do_not_load_qt() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "", f"app/db loaded Qt or ui modules: {out.stdout}"


def test_every_app_and_db_module_was_imported() -> None:
    # Guard against the check above passing because nothing was imported.
    code = CODE.replace('print(",".join(loaded))', 'print(len([n for n in sys.modules if n.startswith(("app.", "db."))]))')
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert int(out.stdout.strip()) >= 4
