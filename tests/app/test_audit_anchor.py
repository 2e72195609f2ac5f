"""Issue 13 finding 9: the audit chain proved nothing to a holder of the file: drop the triggers,
rewrite who unlocked a result and why, recompute the chain, and it verifies; no command checked a
user's database. Now the full chain head is printed on the notice (groups and QR), the count
report and the hand-over slip and signed in the package manifest, and `pollday audit verify --db
PATH --head HEX` (a real process) refuses the rewritten log against any head printed after the
rewritten row, while a head printed before it still proves the log up to its row."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from app.clock import FixedClock
from db.audit import _row_hash, grouped, verify_chain
from tests.app.documents.pdf_tools import decode_qr_codes, pdf_text, squash
from tests.fixtures.small_election import KEY, TZ, build


def _pollday(home: Path, *args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLLDAY_HOME": str(home)}
    return subprocess.run([*pollday_cmd(), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=120)


def _relock(db: Path) -> None:
    """The chair unlocks the result (reason recorded) and locks it again."""
    from app.voting import close_round, lock_round
    from app.voting.validate import unlock_round
    from db.connection import connect

    clock = FixedClock(dt.datetime(2026, 11, 22, 12, 0, tzinfo=TZ), 1.0)
    conn = connect(db, create=False)
    (rid,) = conn.execute("SELECT id FROM voting_round").fetchone()
    assert not hasattr(unlock_round(conn, rid, why="第3张选票录错，需更正", actor="主持人",
                                    clock=clock), "code")
    assert not hasattr(close_round(conn, rid, actor="主持人", clock=clock), "code")
    assert not hasattr(lock_round(conn, rid, actor="主持人", clock=clock), "code")
    conn.close()


def _rewrite_unlock(db: Path) -> None:
    """What the tester did: drop the triggers, rewrite who unlocked and why, recompute the
    chain from that row on, put the triggers back."""
    conn = sqlite3.connect(db, isolation_level=None)
    triggers = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit'")]
    assert triggers
    conn.execute("BEGIN")
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    (uid, detail) = conn.execute("SELECT id, detail FROM audit WHERE action = 'round_unlocked'"
                                 ).fetchone()
    forged = json.loads(detail)
    forged["why"] = "主任要求"
    conn.execute("UPDATE audit SET actor = ?, detail = ? WHERE id = ?",
                 ("某领导", json.dumps(forged, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")), uid))
    prev = conn.execute("SELECT hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT 1",
                        (uid,)).fetchone()[0]
    for rid, at, actor, action, mid, det, outcome in conn.execute(
            "SELECT id, at, actor, action, meeting_id, detail, outcome FROM audit WHERE id >= ?"
            " ORDER BY id", (uid,)).fetchall():
        h = _row_hash(prev, at, actor, action, mid, det, outcome)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, rid))
        prev = h
    for sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.close()


@pytest.fixture()
def day(tmp_path: Path) -> dict[str, object]:
    """A locked election; a notice printed before the unlock, then one after the re-lock; a
    package exported; then the unlock row rewritten."""
    from app.export.build import build_package

    home = tmp_path / "home"
    db = tmp_path / "election.db"
    build(db)
    early = tmp_path / "early-notice.pdf"
    assert _pollday(home, "print", "notice", "--db", db, "--out", early).returncode == 0
    _relock(db)
    notice = tmp_path / "notice.pdf"
    report = tmp_path / "count-report.pdf"
    assert _pollday(home, "print", "notice", "--db", db, "--out", notice).returncode == 0
    assert _pollday(home, "print", "count-report", "--db", db, "--out", report).returncode == 0
    os.environ["POLLDAY_HOME"] = str(home)
    try:
        built = build_package(db, key=KEY, at=dt.datetime(2026, 11, 22, 18, 0, tzinfo=TZ))
    finally:
        del os.environ["POLLDAY_HOME"]
    package = tmp_path / "package.pollday"
    package.write_bytes(built.data)  # type: ignore[union-attr]
    with zipfile.ZipFile(io.BytesIO(built.data)) as zf:  # type: ignore[union-attr]
        manifest = json.loads(zf.read("manifest.json"))
    return {"db": db, "home": home, "early": early, "notice": notice, "report": report,
            "manifest": manifest, "package": package}


def test_the_head_is_printed_and_signed(day: dict[str, object]) -> None:
    db, home = Path(str(day["db"])), Path(str(day["home"]))
    (head,) = decode_qr_codes(Path(str(day["notice"])), dpi=150)
    assert len(head) == 64
    for pdf in (day["notice"], day["report"]):
        text = squash(pdf_text(Path(str(pdf))))
        assert squash(grouped(head)) in text and "审计链头" in text, pdf
    manifest = day["manifest"]
    assert isinstance(manifest, dict) and manifest["audit"]["head"] == head
    from app.export import verify_package

    lines = verify_package(Path(str(day["package"]))).summary_lines()
    assert any(grouped(head) in line and "审计链头" in line for line in lines), lines
    ok = _pollday(home, "audit", "verify", "--db", db, "--head", grouped(head).upper())
    assert ok.returncode == 0, ok.stderr
    assert "链条完整" in ok.stdout and "与纸面链头一致" in ok.stdout


def test_rewritten_unlock_is_caught_by_the_printed_head(day: dict[str, object]) -> None:
    db, home = Path(str(day["db"])), Path(str(day["home"]))
    (printed,) = decode_qr_codes(Path(str(day["notice"])), dpi=150)
    (early,) = decode_qr_codes(Path(str(day["early"])), dpi=150)
    signed = day["manifest"]["audit"]["head"]  # type: ignore[index]
    _rewrite_unlock(db)
    conn = sqlite3.connect(db)
    assert verify_chain(conn) == []   # the chain alone cannot tell: that was the finding
    conn.close()
    alone = _pollday(home, "audit", "verify", "--db", db)
    assert alone.returncode == 0 and "--head" in alone.stdout   # intact, but says what it lacks
    for head in (printed, signed):
        caught = _pollday(home, "audit", "verify", "--db", db, "--head", head)
        assert caught.returncode == 1, (caught.stdout, caught.stderr)
        assert "与纸面链头不符" in caught.stderr and grouped(head) in caught.stderr
    # A head printed before the rewritten row still proves the log up to its row.
    before = _pollday(home, "audit", "verify", "--db", db, "--head", early)
    assert before.returncode == 0 and "与纸面链头一致" in before.stdout, before.stderr
    listed = _pollday(home, "audit", "list", "--db", db, "--json")
    rows = json.loads(listed.stdout)
    (unlock,) = [r for r in rows if r["action"] == "round_unlocked"]
    assert unlock["actor"] == "某领导" and unlock["detail"]["why"] == "主任要求"


def test_an_edit_without_recomputing_names_the_row(day: dict[str, object]) -> None:
    db, home = Path(str(day["db"])), Path(str(day["home"]))
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor = '某领导' WHERE action = 'round_unlocked'")
    (uid,) = conn.execute("SELECT id FROM audit WHERE action = 'round_unlocked'").fetchone()
    conn.close()
    got = _pollday(home, "audit", "verify", "--db", db, "--json")
    assert got.returncode == 1
    assert any(f"第 {uid} 条审计记录" in p for p in json.loads(got.stdout)["problems"])


def test_not_a_database_or_missing(tmp_path: Path) -> None:
    missing = _pollday(tmp_path, "audit", "verify", "--db", tmp_path / "none.db")
    assert missing.returncode == 2 and "不存在" in missing.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    bad = _pollday(tmp_path, "audit", "list", "--db", junk)
    assert bad.returncode == 2 and "junk.db" in bad.stderr
    typo = _pollday(tmp_path, "audit", "verify", "--db", junk, "--head", "abc")
    assert typo.returncode == 2 and "--head abc" in typo.stderr
