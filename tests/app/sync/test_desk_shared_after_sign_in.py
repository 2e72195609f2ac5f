"""A desk never calls itself shared while the host lacks one of its sign-ins. `pollday desk`
signs in, notifies its link and waits for `shared`, then exits: the link published the last
sign-in only when its loop got to the notification, so a status read before that counted one
own event too few and said shared at once. The host could then be switched off (or the desk's
database put back to an older copy) without that sign-in, the desk having said all was shared
(seen as tests/e2e/test_sync_rolled_back_desk.py failing under load). A real `pollday serve` on
127.0.0.1, the desk's link in this process."""

from __future__ import annotations

import asyncio

import pytest

from app import attendance as att
from app.clock import SystemClock
from app.meetings import resolve_meeting
from app.model import Meeting
from app.sync import DeskService, join, read_pairing, shared
from db.connection import connect
from tests.app.sync.sync_venue import Procs, served_room, summary


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def test_shared_is_said_only_once_the_host_holds_every_sign_in(procs, tmp_path) -> None:
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 8)
    pairing = read_pairing(pairing_file)
    a = tmp_path / "a.db"
    asyncio.run(join(a, pairing, "一号台"))
    service = DeskService(a, pairing).start()
    conn = connect(a, create=False)
    try:
        assert service.wait(shared, 15)
        meeting = resolve_meeting(conn, None)
        assert isinstance(meeting, Meeting)
        for n, token in enumerate(tokens[:4], 1):
            got = att.sign_in(conn, meeting, token, "一号台", "", SystemClock())
            assert got.event is not None and got.event.key == f"一号台:{n}"
            service.notify()
            # what `pollday desk` asks before it exits: whenever the answer is yes, the host
            # holds every sign-in made so far
            if service.wait(shared, 0):
                assert set(tokens[:n]) <= set(summary(host_db)["present_tokens"]), n
        assert service.wait(shared, 15)
        assert set(tokens[:4]) <= set(summary(host_db)["present_tokens"])
    finally:
        att.forget(conn)
        conn.close()
        service.stop()
