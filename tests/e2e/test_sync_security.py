"""The room is guarded: a client without the pairing secret, with a wrong one, or a desk of
another meeting is refused by a real `pollday serve` on loopback; it gets nothing (not one byte
of the document or the register), changes nothing, and the host's audit log records the attempt.
A desk never talks to a host whose certificate is not the one in its pairing code."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3

import pytest

from app.sync import Refused, join, read_pairing, wire
from app.sync.pairing import client_context
from tests.app.sync.sync_venue import Procs, desk, free_port, make_assembly, serve, served_room


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def _counts(db):
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("attendance_event", "sync_desk", "sync_update", "person")}
    finally:
        conn.close()


def _refusals(db):
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute(
            "SELECT detail FROM audit WHERE action = 'sync_refused' ORDER BY id")]
    finally:
        conn.close()


async def _raw(port: int, first: bytes) -> bytes:
    """A TLS client that sends `first` and returns everything the host sends back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_context(),
                                                   server_hostname="x")
    writer.write(first)
    got = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return got


def test_without_or_with_a_wrong_secret_nothing_is_given_or_changed(procs, tmp_path):
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 20)
    port = read_pairing(pairing_file).port
    a = tmp_path / "a.db"
    assert desk(procs, a, pairing_file, "一号台", tokens[:3])[0] == 0
    before = _counts(host_db)
    pairing = read_pairing(pairing_file)

    # no secret at all, then garbage instead of a hello: refused, nothing but the refusal
    for first in (wire.control({"t": "hello", "room": pairing.room, "desk": "x",
                                "meeting": pairing.meeting_code}), b"GET / HTTP/1.1\r\n\r\n"):
        got = asyncio.run(_raw(port, first))
        assert got == wire.control({"t": "refused", "reason": "bad_secret" if first[4] == 1
                                    else "no_hello"})
    # a desk with a wrong secret cannot join (no register) nor sync an existing database
    wrong = dataclasses.replace(pairing, secret="x" * 24)
    with pytest.raises(Refused) as e:
        asyncio.run(join(tmp_path / "new.db", wrong, "三号台"))
    assert e.value.reason == "bad_secret" and not (tmp_path / "new.db").exists()
    wrong_file = tmp_path / "wrong.txt"
    wrong_file.write_text(wrong.code())
    rc, lines, st = desk(procs, a, wrong_file, "一号台", [])
    assert rc == 2 and st["refused"] == "bad_secret"
    assert _counts(host_db) == before
    reasons = _refusals(host_db)
    assert len(reasons) == 4 and all("127.0.0.1" in r for r in reasons)


def test_a_desk_of_another_meeting_is_refused(procs, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    _m, tokens = make_assembly(one, 10)
    make_assembly(two, 10)
    p1, p2 = tmp_path / "p1.txt", tmp_path / "p2.txt"
    serve(procs, one, free_port(), p1)
    serve(procs, two, free_port(), p2)
    a = tmp_path / "a.db"
    assert desk(procs, a, p1, "一号台", tokens[:2])[0] == 0   # a desk of meeting one
    before = _counts(two)
    rc, _lines, st = desk(procs, a, p2, "一号台", [])          # with meeting two's code
    assert rc == 2 and st["refused"] == "other_meeting"
    assert _counts(two) == before
    assert "other_meeting" in _refusals(two)[0]


def test_a_host_with_another_certificate_is_not_talked_to(procs, tmp_path):
    host_db = tmp_path / "host.db"
    make_assembly(host_db, 5)
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    serve(procs, host_db, port, pairing_file)
    before = _counts(host_db)
    forged = dataclasses.replace(read_pairing(pairing_file), fingerprint="0" * 64)
    with pytest.raises(Refused) as e:
        asyncio.run(join(tmp_path / "a.db", forged, "一号台"))
    assert e.value.reason == "fingerprint" and not (tmp_path / "a.db").exists()
    # the desk hung up before saying anything: at most a hello-less attempt is logged
    assert _counts(host_db) == before
    assert all("no_hello" in r for r in _refusals(host_db))


def test_a_flood_of_refused_attempts_does_not_fill_the_audit_log(procs, tmp_path):
    from app.sync import refused_attempts, refused_total
    from app.sync.refusals import PER_WINDOW
    from db.connection import connect

    host_db = tmp_path / "host.db"
    make_assembly(host_db, 5)
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    host = serve(procs, host_db, port, pairing_file)
    before = _counts(host_db)
    pairing = read_pairing(pairing_file)
    bad = wire.control({"t": "hello", "secret": "x" * 24, "room": pairing.room,
                        "meeting": pairing.meeting_code, "desk": "冒充台"})

    async def flood(n: int) -> list[bytes]:
        return [await _raw(port, bad) for _ in range(n)]

    answers = asyncio.run(flood(4 * PER_WINDOW))
    assert set(answers) == {wire.control({"t": "refused", "reason": "bad_secret"})}
    assert len(_refusals(host_db)) == PER_WINDOW          # one row each, up to the bound
    host.terminate()                                       # host mode off: the rest summed up
    assert host.wait(20) == 0
    conn = connect(host_db, create=False)
    try:
        got = refused_attempts(conn)
        assert got[0].count == 3 * PER_WINDOW and got[0].reason == "bad_secret"
        assert got[0].address == "127.0.0.1"
        assert len(got) == PER_WINDOW + 1 and refused_total(conn) == 4 * PER_WINDOW
    finally:
        conn.close()
    assert _counts(host_db) == before                      # and nothing else changed


def test_a_second_laptop_under_a_desk_name_in_use_is_refused(procs, tmp_path):
    """Events are keyed desk:seq: two laptops writing as 一号台 would collide, so the host admits
    one laptop (database) per desk name; the other gets nothing and changes nothing."""
    host_db = tmp_path / "host.db"
    _m, tokens = make_assembly(host_db, 10)
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    serve(procs, host_db, port, pairing_file)
    assert desk(procs, tmp_path / "a.db", pairing_file, "一号台", tokens[:3])[0] == 0
    before = _counts(host_db)
    with pytest.raises(Refused) as e:
        asyncio.run(join(tmp_path / "b.db", read_pairing(pairing_file), "一号台"))
    assert e.value.reason == "desk_name_taken" and not (tmp_path / "b.db").exists()
    assert _counts(host_db) == before and "desk_name_taken" in _refusals(host_db)[-1]
