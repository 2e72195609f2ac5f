"""Pairing codes, the host's certificate, the host's overview of its desks, the desk's banner,
and what the document may not smuggle into a database (no network here)."""

from __future__ import annotations

import datetime as dt
import hashlib
import ssl

import pytest
from pycrdt import Doc, Map

from app import attendance as att
from app.clock import FixedClock
from app.meetings import resolve_meeting
from app.sync import (
    BadPairing,
    DeskStatus,
    Pairing,
    Replica,
    ensure_host,
    host_status,
    is_host,
    parse,
)
from app.sync.discovery import service_info
from app.sync.pairing import new_certificate, server_context
from db import sync as q
from db.connection import connect
from db.tx import transaction
from tests.app.sync.sync_venue import make_assembly

CLOCK = FixedClock(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0)


def test_pairing_code_round_trip_and_refusals() -> None:
    p = Pairing("192.168.1.20", 8765, "a" * 64, "s" * 24, "abcdef012345", "2026党员大会;第1场")
    code = p.code()
    assert code.startswith("PD1;192.168.1.20;8765;") and len(code) < 200   # fits a small QR
    assert parse(code) == p
    for bad in ("", "PD2;" + code[4:], code.replace(";8765;", ";0;"),
                code.replace("a" * 64, "z" * 64), code.replace("s" * 24, "short")):
        with pytest.raises(BadPairing):
            parse(bad)


def test_certificate_fingerprint_is_the_sha256_of_what_tls_presents() -> None:
    cert = new_certificate("党员大会", CLOCK.now())
    der = ssl.PEM_cert_to_DER_cert(cert.cert_pem)
    assert cert.fingerprint == hashlib.sha256(der).hexdigest()
    assert isinstance(server_context(cert), ssl.SSLContext)
    info = service_info(Pairing("10.0.0.2", 8765, cert.fingerprint, "s" * 24, "r", "m"))
    assert info.port == 8765 and info.properties[b"fp"] == cert.fingerprint.encode()


def test_host_status_lists_desks_with_what_is_not_yet_received(tmp_path) -> None:
    db = tmp_path / "host.db"
    _m, tokens = make_assembly(db, 5)
    conn = connect(db)
    m = resolve_meeting(conn, None)
    assert not is_host(conn) and host_status(conn) == []
    first = ensure_host(conn, m, CLOCK)
    assert ensure_host(conn, m, CLOCK) == first          # made once, kept: same certificate
    for t in tokens[:2]:
        att.sign_in(conn, m, t, "一号台", "t", CLOCK)
    with transaction(conn):
        q.upsert_desk(conn, desk="一号台", instance="i1", address="127.0.0.1:1", at="t1",
                      connected=True, reported_seq=5)
        q.upsert_desk(conn, desk="二号台", instance="i2", address="127.0.0.1:2", at="t2",
                      connected=False, reported_seq=0)
    links = {s.desk: s for s in host_status(conn)}
    assert is_host(conn)
    assert links["一号台"].connected and links["一号台"].received == 2
    assert links["一号台"].pending == 3 and links["二号台"].pending == 0
    assert not links["二号台"].connected
    att.forget(conn)
    conn.close()


def test_offline_banner_says_since_when_and_how_many_wait() -> None:
    st = DeskStatus("一号台", False, "2026-11-22T09:41:07+08:00", 12, None, False)
    assert st.banner() == "离线 since 09:41，12 条签到尚未同步（本机已保存）"
    assert not st.as_json()["shared"]
    assert DeskStatus("一号台", True, None, 0, "x", True).as_json()["shared"]


def test_malformed_or_unknown_events_in_the_document_are_left_out(tmp_path) -> None:
    db = tmp_path / "desk.db"
    _m, tokens = make_assembly(db, 3)
    conn = connect(db)
    m = resolve_meeting(conn, None)
    r = Replica(conn, m)
    other = Doc()
    events = other.get("events", type=Map)
    with other.transaction():
        events["二号台:1"] = f'["二号台",1,5,"sign_in","{tokens[0]}","","2026-11-22T09:00","",""]'
        events["二号台:2"] = '["三号台",2,6,"sign_in","x","","t","",""]'      # key does not match
        events["二号台:3"] = '["二号台",3,7,"explode","x","","t","",""]'       # no such kind
        events["二号台:4"] = '["二号台",4,8,"sign_in","nobody","","t","",""]'  # not registered
    r.receive(other.get_update())
    assert r.flush() == ["二号台:1"]
    assert r.unknown == {"二号台:4"}
    assert [e.key for e in att.events(conn, m)] == ["二号台:1"]
    att.forget(conn)
    conn.close()
