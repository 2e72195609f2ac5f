"""Several sign-in desks on loopback: `pollday serve` and `pollday desk` as real processes,
killed with SIGKILL, cut off and restarted. Afterwards every machine shows the same 实到 (the
number of distinct persons), every double sign-in is listed everywhere, and nothing a desk
reported as signed in is lost."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest

from app import attendance as att
from app.cli import main
from app.clock import FixedClock
from app.meetings import resolve_meeting
from app.sync import read_pairing
from db.connection import connect
from tests.app.sync.sync_venue import Procs, desk, free_port, make_assembly, serve, summary

N = 40


@pytest.fixture
def procs(request):
    p = Procs(real_cli=request.node.name.startswith("test_online"))
    request.addfinalizer(p.kill_all)
    return p


@pytest.fixture
def room(tmp_path):
    host_db = tmp_path / "host.db"
    _m, tokens = make_assembly(host_db, N)
    return host_db, tokens, free_port(), tmp_path / "pairing.txt"


def _same_everywhere(*dbs):
    views = [summary(db) for db in dbs]
    keys = ("present", "present_tokens", "events", "duplicates")
    for v in views[1:]:
        for k in keys:
            assert v[k] == views[0][k], k
    return views[0]


def test_online_desks_share_and_refuse_a_person_signed_in_elsewhere(procs, room, tmp_path,
                                                                   capsys):
    host_db, tokens, port, pairing = room
    serve(procs, host_db, port, pairing)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    rc, lines, st = desk(procs, a, pairing, "一号台", tokens[:10])
    assert rc == 0 and [x["result"] for x in lines] == ["signed_in"] * 10
    assert st["shared"] and st["unshared"] == 0
    rc, lines, st = desk(procs, b, pairing, "二号台", tokens[5:15])
    assert [x["result"] for x in lines] == ["already_signed_in"] * 5 + ["signed_in"] * 5
    assert lines[0]["standing"]["desk"] == "一号台"
    assert st["shared"]
    desk(procs, a, pairing, "一号台", [])
    s = _same_everywhere(host_db, a, b)
    assert s["present"] == 15 and s["duplicates"] == []
    for copy in (a, b):   # a desk's copy never holds the host's TLS key or secret
        assert b"PRIVATE KEY" not in copy.read_bytes()
        assert read_pairing(pairing).secret.encode() not in copy.read_bytes()
    assert main(["attendance", "--db", str(host_db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    links = {d["desk"]: d for d in report["desks"]}
    assert links["一号台"]["signed_in"] == 10 and links["二号台"]["signed_in"] == 5
    assert links["一号台"]["pending"] == 0 and "last_contact" in links["二号台"]


def test_desks_cut_off_sign_in_the_same_people_then_reconnect(procs, room, tmp_path, capsys):
    host_db, tokens, port, pairing = room
    host = serve(procs, host_db, port, pairing)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert desk(procs, a, pairing, "一号台", [])[0] == 0
    assert desk(procs, b, pairing, "二号台", [])[0] == 0
    host.kill()                                   # the host is gone: both desks work on
    host.wait(10)
    for db, name, persons in ((a, "一号台", tokens[:10]), (b, "二号台", tokens[5:15])):
        p = procs.start("desk", "--db", str(db), "--pairing", str(pairing), "--desk", name,
                        "--connect-timeout", "0.3", "--sync-timeout", "0.3", "--", *persons)
        out, err = p.communicate(timeout=20)
        assert p.returncode == 0
        assert [json.loads(x)["result"] for x in out.splitlines()] == ["signed_in"] * 10
        st = json.loads(err.splitlines()[-1])
        assert not st["online"] and st["unshared"] == 10 and st["offline_since"]
    serve(procs, host_db, port, pairing)          # back: the desks catch up
    for db, name in ((a, "一号台"), (b, "二号台"), (a, "一号台")):
        rc, _lines, st = desk(procs, db, pairing, name, [])
        assert rc == 0 and st["shared"]
    s = _same_everywhere(host_db, a, b)
    assert s["present"] == 15                     # 15 distinct persons, never 20
    assert len(s["duplicates"]) == 5
    for d in s["duplicates"]:                     # both desks and both times listed
        assert {d["standing"].split(":")[0], d["duplicate"].split(":")[0]} == {"一号台", "二号台"}
        assert d["standing_at"] and d["duplicate_at"]
    for db in (host_db, a, b):                    # `attendance --json` on every machine
        capsys.readouterr()
        assert main(["attendance", "--db", str(db), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["present"] == 15 and len(report["duplicates"]) == 5
        assert report.get("host", False) is (db == host_db)
        if db == host_db:                         # the host also lists every desk's link
            assert {d["desk"] for d in report["desks"]} >= {"一号台", "二号台"}
            assert all(d["pending"] == 0 for d in report["desks"]) and report["refused"] == 0
    # the chair resolves one on the host (as the host's own window would): it replicates
    conn = connect(host_db, create=False)
    m = resolve_meeting(conn, None)
    clock = FixedClock(dt.datetime(2026, 11, 22, 9, 0), 1.0)
    first = s["duplicates"][0]["duplicate"]
    r = att.resolve_duplicate(conn, m, first, "主机", "主持人", clock, "同一人两处签到，已核实")
    assert r.outcome is att.Outcome.RESOLVED
    att.forget(conn)
    conn.close()
    time.sleep(0.5)                               # the host publishes what its window wrote
    for db, name in ((a, "一号台"), (b, "二号台")):
        desk(procs, db, pairing, name, [])
    s = _same_everywhere(host_db, a, b)
    assert s["present"] == 15 and len(s["duplicates"]) == 4
    assert first not in {d["duplicate"] for d in s["duplicates"]}


def _stream(procs, db, pairing, name, refs, kill_after=None, on_line=None):
    """A desk reading persons from stdin; returns the process and the lines it reported."""
    p = procs.start("desk", "--db", str(db), "--pairing", str(pairing), "--desk", name,
                    "--sync-timeout", "20", "-", stdin=True)
    reported: list[dict] = []

    def feed():
        try:
            for r in refs:
                p.stdin.write(r + "\n")
                p.stdin.flush()
                time.sleep(0.01)
            p.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def read():
        for line in p.stdout:
            reported.append(json.loads(line))
            if on_line is not None:
                on_line(len(reported))

    threads = [threading.Thread(target=feed, daemon=True), threading.Thread(target=read, daemon=True)]
    for t in threads:
        t.start()
    return p, reported, threads


def test_host_killed_mid_stream_and_restarted_loses_nothing(procs, room, tmp_path):
    host_db, tokens, port, pairing = room
    host = serve(procs, host_db, port, pairing)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    desk(procs, a, pairing, "一号台", [])
    desk(procs, b, pairing, "二号台", [])
    pa, rep_a, ta = _stream(procs, a, pairing, "一号台", tokens[:30])
    pb, rep_b, tb = _stream(procs, b, pairing, "二号台", tokens[20:])
    assert _wait(lambda: len(rep_a) >= 8)
    host.kill()                                   # kill -9 in the middle of the stream
    host.wait(10)
    time.sleep(0.3)
    serve(procs, host_db, port, pairing)
    for p, threads in ((pa, ta), (pb, tb)):
        p.wait(40)
        for t in threads:
            t.join(10)
        assert p.returncode == 0
        assert json.loads(p.stderr.read().splitlines()[-1])["shared"]
    desk(procs, a, pairing, "一号台", [])
    desk(procs, b, pairing, "二号台", [])
    s = _same_everywhere(host_db, a, b)
    reported = {x["ref"] for x in rep_a + rep_b if x["result"] == "signed_in"}
    assert set(s["present_tokens"]) >= reported and s["present"] == N
    assert len(rep_a) == 30 and len(rep_b) == 20


def test_desk_killed_and_restarted_from_its_own_database(procs, room, tmp_path):
    host_db, tokens, port, pairing = room
    serve(procs, host_db, port, pairing)
    a = tmp_path / "a.db"
    desk(procs, a, pairing, "一号台", [])
    pa, rep_a, ta = _stream(procs, a, pairing, "一号台", tokens)
    assert _wait(lambda: len(rep_a) >= 15)
    pa.kill()                                     # the laptop dies
    pa.wait(10)
    for t in ta:
        t.join(10)
    reported = {x["ref"] for x in rep_a if x["result"] == "signed_in"}
    rc, _lines, st = desk(procs, a, pairing, "一号台", [])   # restarted from its own file
    assert rc == 0 and st["shared"]
    s = _same_everywhere(host_db, a)
    assert set(s["present_tokens"]) >= reported and s["present"] >= len(reported)
    rc, lines, st = desk(procs, a, pairing, "一号台", tokens[:N])   # and goes on
    assert {x["result"] for x in lines} <= {"signed_in", "already_signed_in"}
    assert summary(host_db)["present"] == N


def _wait(pred, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False
