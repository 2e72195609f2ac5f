"""A desk that comes back after the host's register changed is ready (caught up, register not
pending) only once the new register is in its database: `pollday desk` waits for that and then
signs in, and a person added on the host was "not on the register" when the pending flag went
down before the copy was written (tests/e2e/test_sync_register.py failed once in a full run).
A real `pollday serve` on 127.0.0.1, the desk's link in this process."""

from __future__ import annotations

import asyncio

import pytest

from app.sync import DeskService, join, read_pairing
from app.sync import register as sync_register
from tests.app.sync.sync_venue import Procs, served_room
from tests.e2e.test_sync_register import _change_host_register


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def test_the_register_is_in_the_database_before_the_desk_says_it_has_it(procs, tmp_path,
                                                                        monkeypatch) -> None:
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 8)
    pairing = read_pairing(pairing_file)
    a = tmp_path / "a.db"
    asyncio.run(join(a, pairing, "一号台"))
    _change_host_register(host_db, tokens[7], "晚到的党员")
    service = DeskService(a, pairing)
    seen: list[bool] = []
    take = sync_register.take

    def watched_take(*args, **kwargs):   # what another thread reads while the copy is written
        assert service.link is not None
        seen.append(service.link.status().register_pending)
        return take(*args, **kwargs)

    monkeypatch.setattr(sync_register, "take", watched_take)
    service.start()
    try:
        assert service.wait(lambda s: s.caught_up and not s.register_pending, 15)
        assert seen == [True], seen       # still pending while the copy was being taken
        assert "新增 1 人" in service.status().register_note
    finally:
        service.stop()
