"""README's permission table is app.permissions' table: every action, in the same words."""

from __future__ import annotations

from app.permissions import table_rows
from tests.pdtest import ROOT


def test_readme_lists_every_permission_row() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"| {n} | {w} | `{c}` |" for c, n, w in table_rows()
               if f"| {n} | {w} | `{c}` |" not in text]
    assert missing == [], missing
