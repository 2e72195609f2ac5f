"""A tester edited the audit log outside the program, then ran `pollday leave add … --db t.db`:
exit 0 and nothing said (the window shows a red band; a script saw nothing). Now each command
on an election database whose chain does not verify says so in one line on stderr before it
runs, never refuses, and exits as it would have (same status, same stdout). Real processes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.app.export.conftest import Exported
from tests.app.export.test_export_audit_tampered import _run, tamper_outside

WARNING = "警告：t.db 的审计记录不完整（第 3 条起无法核实）"


def _copies(exported: Exported, tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "good").mkdir()
    good, bad = tmp_path / "good" / "t.db", tmp_path / "t.db"
    shutil.copyfile(exported.db, good)
    shutil.copyfile(exported.db, bad)
    tamper_outside(bad, (3, 5))
    return good, bad


def _someone(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("SELECT id_number FROM person WHERE id_number IS NOT NULL"
                                " ORDER BY id DESC LIMIT 1").fetchone()[0])
    finally:
        conn.close()


def test_leave_add_on_a_tampered_database_warns_in_one_line(exported: Exported,
                                                            tmp_path: Path) -> None:
    good, bad = _copies(exported, tmp_path)
    who = _someone(good)
    args = ("leave", "add", who, "--reason", "出差")
    intact = _run(*args, "--db", good, home=exported.home)
    p = _run(*args, "--db", bad, home=exported.home)
    assert intact.returncode == 0 and "已登记请假" in intact.stdout, intact.stderr
    assert WARNING not in intact.stderr and "审计记录不完整" not in intact.stderr
    lines = [line for line in p.stderr.splitlines() if "审计记录不完整" in line]
    assert len(lines) == 1 and lines[0].startswith(WARNING), p.stderr
    assert "本次操作照常执行" in lines[0]
    # never refuses: the same status and output as on the intact copy
    assert p.returncode == intact.returncode, (p.returncode, p.stderr, intact.stderr)
    assert p.stdout == intact.stdout
    assert p.stderr.replace(lines[0] + "\n", "") == intact.stderr


def test_audit_list_reports_the_chain_itself_without_the_extra_line(exported: Exported,
                                                                    tmp_path: Path) -> None:
    _good, bad = _copies(exported, tmp_path)
    p = _run("audit", "list", "--db", bad, home=exported.home)
    assert "第 3 条" in p.stdout + p.stderr, (p.stdout[-500:], p.stderr)
    assert WARNING not in p.stderr, p.stderr
