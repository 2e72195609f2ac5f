"""A register imported for a residents' meeting of every voter (`--form all`) that has no
是否选民 column: nobody gets a vote (应到 0), so the import warns, naming the meeting and why."""

from __future__ import annotations

from pathlib import Path

from app.bench.data import register_rows, write_csv
from tests.e2e.test_scan_cli import ACTOR, ok


def test_a_register_giving_nobody_a_vote_warns_at_import(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    ok("meeting", "create", "--db", db, "--code", "res", "--title", "示例社区居民选举大会",
       "--community", "示例社区", "--organisation", "residents_committee", "--rules",
       "residents-2025", "--form", "all", "--date", "2026-11-22", "--current",
       "--operator", ACTOR)
    rows = [{k: v for k, v in r.items() if k != "是否选民"} for r in register_rows(20, seed=8)]
    said = ok("import-register", "--db", db, write_csv(rows, tmp_path / "名册.csv"))
    assert "已导入 20 人" in said
    assert "警告：示例社区居民选举大会" in said and "应到 0 人" in said and "是否选民" in said, said
    # A register with the column: no warning.
    again = ok("import-register", "--db", tmp_path / "ok.db",
               write_csv(register_rows(20, seed=8), tmp_path / "全.csv"))
    assert "警告" not in again
