"""Under a staff list, a command run without `--operator` that needs someone signed on says
first what is missing (`--operator 姓名` and POLLDAY_PIN), then who may do it: a clerk printing
scannable ballots was told only 「修改选举设置（会议、名册…）只有主持人可以操作」, the option buried
at the end. Real `pollday` processes; nothing is written."""

from __future__ import annotations

from pathlib import Path

from app import meetings
from app.clock import FixedClock
from app.scan.setup import set_print_setting
from app.staff import sign_on
from db.connection import connect
from tests.e2e.test_cli_staff import PIN, T0, _venue, counts, run


def test_printing_scan_ballots_without_operator_names_the_missing_option(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _venue(db)
    clock = FixedClock(T0, 1.0)
    conn = connect(db)
    host = sign_on(conn, "赵主持", PIN, clock=clock)
    mid = next(m.id for m in meetings.list_meetings(conn) if m.code == "m")
    assert not isinstance(set_print_setting(conn, mid, markers=True, qr=False, actor=host,
                                            clock=clock), meetings.Refusal)
    conn.close()
    before = counts(db)
    got = run("print", "scan-ballots", "--db", db, "--meeting", "m", "--out", tmp_path / "s.pdf")
    assert got.returncode == 1, got.stderr
    first = got.stderr.strip().splitlines()[0]
    # What is missing comes first, before any words about the action.
    assert "未说明由谁操作" in first.split("「")[0], first
    assert first.index("--operator 姓名") < first.index("只有主持人可以操作"), first
    assert "POLLDAY_PIN" in first
    assert counts(db) == before
    assert not (tmp_path / "s.pdf").exists()


def test_a_setup_command_without_operator_says_the_same(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _venue(db)
    got = run("meeting", "use", "--db", db, "m")
    assert got.returncode == 1
    words = got.stderr
    assert words.index("--operator 姓名") < words.index("只有主持人可以操作"), words
