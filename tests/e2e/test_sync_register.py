"""The register changes on the host after the desks joined (a late correction, a leave phoned
in): `pollday serve` announces it, `pollday desk` takes it, over TLS on loopback, whether the
desk reconnects later or is online when it happens."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time

import pytest

from app.clock import FixedClock
from app.meetings import resolve_meeting
from app.meetings.items import add_leave
from app.model import Meeting, PartyStatus
from app.register.store import PersonRecord, add_persons
from db.connection import connect
from db.tx import transaction
from tests.app.sync.sync_venue import NOW, Procs, desk, served_room, summary

CLOCK = FixedClock(dt.datetime(2026, 11, 22, 9, 0), 1.0)


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def _change_host_register(host_db, leave_token: str, name: str) -> str:
    """What the chair's laptop does meanwhile, through its own connection: one person added,
    one leave recorded. Returns the new person's card token."""
    conn = connect(host_db)
    m = resolve_meeting(conn, None)
    assert isinstance(m, Meeting)
    with transaction(conn):                            # one commit: one register version
        pid = add_persons(conn, [PersonRecord(name, party_status=PartyStatus.FULL)], NOW)[0]
        on_leave = conn.execute("SELECT id FROM person WHERE token = ?",
                                (leave_token,)).fetchone()[0]
        add_leave(conn, m.id, on_leave, "出差", clock=CLOCK, actor="chair")
    token = conn.execute("SELECT token FROM person WHERE id = ?", (pid,)).fetchone()[0]
    conn.close()
    return str(token)


def test_a_desk_back_later_takes_the_new_register(procs, tmp_path):
    host_db, tokens, pairing = served_room(procs, tmp_path, 20)
    a = tmp_path / "a.db"
    rc, lines, st = desk(procs, a, pairing, "一号台", tokens[:3])
    assert rc == 0 and st["shared"] and st["register_note"] == ""   # joined: nothing to take
    late = _change_host_register(host_db, tokens[19], "晚到的党员")
    # the desk comes back: it takes the register before it signs anyone in
    rc, lines, st = desk(procs, a, pairing, "一号台", [late])
    assert rc == 0 and [x["result"] for x in lines] == ["signed_in"]
    assert st["shared"] and "新增 1 人" in st["register_note"], st
    host, here = summary(host_db), summary(a)
    assert (here["expected"], here["present"]) == (host["expected"], host["present"]) == (21, 4)
    assert here["leave"] == host["leave"] == 1


def test_an_online_desk_is_told_at_once(procs, tmp_path):
    host_db, tokens, pairing = served_room(procs, tmp_path, 20)
    a = tmp_path / "a.db"
    assert desk(procs, a, pairing, "一号台", [])[0] == 0
    online = procs.start("desk", "--db", str(a), "--pairing", str(pairing), "--desk", "一号台",
                         "--sync-timeout", "20", "-", stdin=True)
    online.stdin.write(tokens[0] + "\n")
    online.stdin.flush()
    assert json.loads(online.stdout.readline())["result"] == "signed_in"
    late = _change_host_register(host_db, tokens[19], "晚到的党员")

    def on_desk() -> bool:
        c = sqlite3.connect(f"file:{a}?mode=ro", uri=True)
        try:
            return c.execute("SELECT count(*) FROM person WHERE token = ?", (late,)).fetchone()[0] == 1
        finally:
            c.close()

    deadline = time.monotonic() + 15
    while not on_desk():
        assert time.monotonic() < deadline, "the desk never took the host's new register"
        time.sleep(0.05)
    online.stdin.write(late + "\n")
    online.stdin.flush()
    assert json.loads(online.stdout.readline())["result"] == "signed_in"
    online.stdin.close()
    online.wait(30)
    status = json.loads(online.stderr.read().splitlines()[-1])
    assert online.returncode == 0 and status["shared"] and "新增 1 人" in status["register_note"]
    assert summary(host_db)["present"] == summary(a)["present"] == 2


def test_a_refresh_that_could_not_be_written_is_tried_again(procs, tmp_path, monkeypatch):
    """The desk's database refused the refresh once (locked, disk full): the desk says so and
    asks again by itself; nothing half-written in between."""
    import asyncio

    from app.sync import DeskService, join, read_pairing
    from app.sync import register as reg

    host_db, tokens, pairing_file = served_room(procs, tmp_path, 20)
    pairing = read_pairing(pairing_file)
    a = tmp_path / "a.db"
    asyncio.run(join(a, pairing, "一号台"))
    real_take, calls = reg.take, []

    def flaky_take(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_take(*args, **kwargs)

    monkeypatch.setattr(reg, "take", flaky_take)
    monkeypatch.setattr("app.sync.desk.RETRY_REGISTER", 0.5)
    service = DeskService(a, pairing).start()
    try:
        assert service.wait(lambda s: s.caught_up, 15)
        persons_before = _persons(a)
        late = _change_host_register(host_db, tokens[19], "晚到的党员")
        assert service.wait(lambda s: "稍后重试" in s.register_note, 15)
        assert _persons(a) == persons_before                        # nothing half-written
        assert service.wait(lambda s: s.register_note.endswith("新增 1 人，请假有变"), 15)
        assert late in _tokens(a) and len(calls) == 2
    finally:
        service.stop()


def _persons(db) -> int:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(c.execute("SELECT count(*) FROM person").fetchone()[0])
    finally:
        c.close()


def _tokens(db) -> set[str]:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {r[0] for r in c.execute("SELECT token FROM person")}
    finally:
        c.close()
