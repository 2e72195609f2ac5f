"""A desk that holds the pairing code and misbehaves, against a real `pollday serve` on 127.0.0.1
(issue findings 1 and 2, reproduced the way they were found):

- one event with clock 2^63-1 used to stop every later sign-in (OverflowError), one with 2^64
  the host's save loop; a huge seq in hello/status and a deeply nested hello raised on the host;
- forged sign-ins as 一号台 and as a desk that does not exist were counted, forged undos as
  一号台 removed honest sign-ins unaudited, the honest desk then stayed "N 条待同步", and an
  existing entry of the shared document could be overwritten so it disagreed with SQLite.

Now each is refused by the gate (app/sync/gate.py), audited, and the room goes on."""

from __future__ import annotations

import json
import sqlite3

import pytest
from pycrdt import Doc, Map, merge_updates

from app.attendance.merge import clock_limit
from app.cli import main
from app.sync import read_pairing, wire
from tests.app.sync.rogue import Rogue, body, signed, unsigned
from tests.app.sync.sync_venue import Procs, desk, served_room, summary

HOST_DESK = "主机"


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def _refused(db):
    conn = sqlite3.connect(db)
    try:
        return [json.loads(d) for (d,) in conn.execute(
            "SELECT detail FROM audit WHERE action = 'sync_refused' ORDER BY id")]
    finally:
        conn.close()


def _events(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT desk, seq, clock, kind FROM attendance_event"
                            " ORDER BY desk, seq").fetchall()
    finally:
        conn.close()


def _doc_agrees_with_sqlite(db) -> None:
    """Every entry of the host's stored document is the event SQLite holds under that key."""
    conn = sqlite3.connect(db)
    try:
        updates = [bytes(u) for (u,) in conn.execute("SELECT data FROM sync_update ORDER BY id")]
        rows = {f"{d}:{s}": (c, k, t) for d, s, c, k, t in conn.execute(
            "SELECT e.desk, e.seq, e.clock, e.kind, p.token FROM attendance_event e"
            " JOIN person p ON p.id = e.person_id")}
    finally:
        conn.close()
    doc: Doc = Doc()
    doc.apply_update(updates[0] if len(updates) == 1 else merge_updates(*updates))
    events = doc.get("events", type=Map)
    assert set(events.keys()) == set(rows)
    for key, value in events.items():
        parts = json.loads(value)
        assert (parts[2], parts[3], parts[4]) == rows[key], key


def _alive_and_quiet(host) -> None:
    """The host is still serving; stopped now, it exits cleanly without a traceback."""
    assert host.poll() is None
    host.terminate()
    assert host.wait(20) == 0
    err = host.stderr.read()
    assert "Traceback" not in err and "OverflowError" not in err, err[-3000:]


def test_a_clock_at_the_top_of_sqlite_stops_no_sign_in(procs, tmp_path):
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 30)
    host = procs.procs[-1]
    pairing = read_pairing(pairing_file)
    a = tmp_path / "a.db"
    assert desk(procs, a, pairing_file, "一号台", tokens[:2])[0] == 0
    rogue = Rogue.joined(tmp_path / "rogue.db", pairing, "二号台")
    seq, answers = 0, []
    for clock in (2**63 - 1, 2**64):
        for make in (unsigned, lambda p: signed(rogue, p)):
            seq += 1
            value = make(body("二号台", seq, clock, "sign_in", tokens[20 + seq]))
            answers.append(rogue.attack(
                lambda ev, k=f"二号台:{seq}", v=value: ev.__setitem__(k, v)))

    # every later sign-in works: on the first desk, on the host, on a desk joining now
    rc, lines, st = desk(procs, a, pairing_file, "一号台", tokens[2:5])
    assert rc == 0 and [x["result"] for x in lines] == ["signed_in"] * 3 and st["shared"]
    assert main(["sign-in", "--db", str(host_db), "--desk", HOST_DESK, tokens[5]]) == 0
    rc, lines, st = desk(procs, tmp_path / "c.db", pairing_file, "三号台", tokens[6:8])
    assert rc == 0 and [x["result"] for x in lines] == ["signed_in"] * 2 and st["shared"]
    s = summary(host_db)
    assert s["present"] == 8 and not any(e.startswith("二号台:") for e in s["events"])
    assert max(c for _d, _s, c, _k in _events(host_db)) <= clock_limit()   # wall time + 5 min
    assert all(a and a[-1] == {"t": "rejected", "reason": "clock_ahead"} for a in answers)
    reasons = [r["reason"] for r in _refused(host_db)]
    assert reasons == ["clock_ahead"] * 4
    assert all(r["desk"] == "二号台" for r in _refused(host_db))
    _doc_agrees_with_sqlite(host_db)
    _alive_and_quiet(host)


def test_huge_seq_and_deep_json_from_a_paired_desk_end_that_connection_only(procs, tmp_path):
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 10)
    host = procs.procs[-1]
    pairing = read_pairing(pairing_file)
    rogue = Rogue.joined(tmp_path / "rogue.db", pairing, "二号台")
    # a hello announcing seq 2^70; a hello nested 7,000 deep (under the 16 KB a hello may
    # have); a status with seq 2^64 after a good hello
    huge_hello = rogue.send_raw(wire.control(rogue.hello(seq=2**70)))
    deep = ('{"t":"hello","x":' + "[" * 7000 + "]" * 7000 + "}").encode()
    deep_hello = rogue.send_raw(wire.frame(wire.CONTROL, deep))
    huge_status = rogue.send_raw(wire.control(rogue.hello()),
                                 [wire.control({"t": "status", "seq": 2**64})])
    # an honest desk is served as before; the host never raised
    rc, lines, st = desk(procs, tmp_path / "a.db", pairing_file, "一号台", tokens[:3])
    assert rc == 0 and st["shared"] and summary(host_db)["present"] == 3
    _alive_and_quiet(host)
    # each was refused with its reason (that connection only), and audited
    assert huge_hello == [{"t": "refused", "reason": "bad_seq"}]
    assert deep_hello == [{"t": "refused", "reason": "no_hello"}]
    assert huge_status[0]["t"] == "welcome"
    assert huge_status[-1] == {"t": "rejected", "reason": "bad_frame"}
    assert [r["reason"] for r in _refused(host_db)] == ["bad_seq", "no_hello", "bad_frame"]


def test_forged_sign_ins_undos_and_overwrites_in_another_desks_name(procs, tmp_path):
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 40)
    host = procs.procs[-1]
    pairing = read_pairing(pairing_file)
    a = tmp_path / "a.db"
    rc, _lines, st = desk(procs, a, pairing_file, "一号台", tokens[:5])
    assert rc == 0 and st["shared"]
    rogue = Rogue.joined(tmp_path / "rogue.db", pairing, "二号台")
    before = summary(host_db)
    assert before["present"] == 5

    def put(values):
        def mutate(ev):
            for k, v in values.items():
                ev[k] = v
        return rogue.attack(mutate)

    # 10 forged sign-ins as 一号台 (unsigned, as before signatures, and signed by the rogue's
    # own key) and 10 as 幽灵台, a desk that does not exist
    forged_one = {f"一号台:{100 + i}": (unsigned if i < 5 else lambda p: signed(rogue, p))(
        body("一号台", 100 + i, 50 + i, "sign_in", tokens[10 + i])) for i in range(10)}
    ghost = {f"幽灵台:{1 + i}": (unsigned if i < 5 else lambda p: signed(rogue, p))(
        body("幽灵台", 1 + i, 50 + i, "sign_in", tokens[20 + i])) for i in range(10)}
    # 5 forged undos as 一号台 of the honest sign-ins, under the keys its next events will have
    undos = {f"一号台:{6 + i}": signed(rogue, body("一号台", 6 + i, 60 + i, "undo_sign_in",
                                                   tokens[i], ref=f"一号台:{1 + i}",
                                                   reason="签错了")) for i in range(5)}
    # an existing entry rewritten to name another person
    overwrite = {"一号台:1": signed(rogue, body("一号台", 1, 1, "sign_in", tokens[30]))}
    answers = [put(values) for values in (
        dict(list(forged_one.items())[:5]), dict(list(forged_one.items())[5:]),
        dict(list(ghost.items())[:5]), dict(list(ghost.items())[5:]), undos, overwrite)]

    after = summary(host_db)
    assert after["present"] == 5 and after["events"] == before["events"]
    assert not any(d in ("幽灵台",) for d, *_ in _events(host_db))
    _doc_agrees_with_sqlite(host_db)

    # the honest desk goes on: its next sign-ins (seq 6..8) are shared, nothing left pending
    rc, lines, st = desk(procs, a, pairing_file, "一号台", tokens[5:8])
    assert rc == 0 and [x["result"] for x in lines] == ["signed_in"] * 3
    assert st["shared"] and st["unshared"] == 0
    final = summary(host_db)
    assert final["present"] == 8 and final["present_tokens"] == sorted(tokens[:8])
    assert summary(a)["present_tokens"] == final["present_tokens"]
    _doc_agrees_with_sqlite(host_db)
    _alive_and_quiet(host)
    # every attempt was refused with its reason and audited, naming the desk that sent it
    reasons = ["bad_signature"] * 3 + ["unknown_signer", "bad_signature", "overwrite"]
    assert [a[-1]["reason"] for a in answers] == reasons
    assert [r["reason"] for r in _refused(host_db)] == reasons
    assert all(r["desk"] == "二号台" and r["event"] for r in _refused(host_db))
