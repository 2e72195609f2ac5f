"""Whether a database is a desk's, and which (app.session.joined_desk): read by the sign-on's
place, the desk, meeting and host pages through the core, not from db/ in the window."""

from __future__ import annotations

from app.session import joined_desk
from db import sync as sync_store
from db.connection import connect
from db.tx import transaction


def test_joined_desk_is_the_name_the_database_joined_its_host_as(db_path) -> None:
    conn = connect(db_path)
    assert joined_desk(conn) is None                          # a laptop on its own, or the host
    with transaction(conn):
        sync_store.insert_peer(conn, room="r1", meeting_code="party", desk="二号台",
                               instance="i1", joined_at="2026-11-22T08:00:00+08:00")
    assert joined_desk(conn) == "二号台"
    conn.close()

