"""A desk's connection is cut (a loopback relay between desk and host is shut) while the host
stays up and another desk goes on: the cut desk keeps signing in, counts what it has not shared,
reconnects by itself when the line is back and shares everything; both desks and the host then
agree, with the double sign-ins made while apart listed everywhere."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time

import pytest

from app.sync import read_pairing
from tests.app.sync.sync_venue import Procs, desk, free_port, make_assembly, serve, summary


class Relay:
    """127.0.0.1:port -> 127.0.0.1:target, on a thread; `cut` drops every connection and stops
    listening, `resume` listens again on the same port."""

    def __init__(self, target: int) -> None:
        self.port, self.target = free_port(), target
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _pipe(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            while data := await r.read(65536):
                w.write(data)
                await w.drain()
        w.close()

    async def _conn(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            hr, hw = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            w.close()
            return
        self.writers |= {w, hw}
        await asyncio.gather(self._pipe(r, hw), self._pipe(hr, w))

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._conn, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in self.writers:
            w.transport.abort()
        self.writers.clear()

    def resume(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def _lines(p, n: int, out: list[dict], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while len(out) < n:
        assert time.monotonic() < deadline, out
        out.append(json.loads(p.stdout.readline()))


def test_a_desk_cut_off_works_on_and_catches_up_by_itself(procs, tmp_path, request):
    host_db = tmp_path / "host.db"
    _m, tokens = make_assembly(host_db, 30)
    port, pairing = free_port(), tmp_path / "pairing.txt"
    serve(procs, host_db, port, pairing)
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    assert desk(procs, a, pairing, "一号台", [])[0] == 0
    assert desk(procs, b, pairing, "二号台", [])[0] == 0
    relay = Relay(port)
    request.addfinalizer(relay.close)
    relay.resume()
    via_relay = tmp_path / "relay.txt"
    p = read_pairing(pairing)
    via_relay.write_text(type(p)(p.address, relay.port, p.fingerprint, p.secret, p.room,
                                 p.meeting_code).code())
    cut_desk = procs.start("desk", "--db", str(a), "--pairing", str(via_relay), "--desk",
                           "一号台", "--sync-timeout", "20", "-", stdin=True)
    lines: list[dict] = []

    def feed(refs):
        cut_desk.stdin.write("".join(r + "\n" for r in refs))
        cut_desk.stdin.flush()

    feed(tokens[:5])                                   # online
    _lines(cut_desk, 5, lines)
    assert _until(lambda: summary(host_db)["present"] == 5)
    relay.cut()                                        # the line is cut; the host stays up
    feed(tokens[5:15])
    _lines(cut_desk, 15, lines)                        # the desk works on
    assert [x["result"] for x in lines] == ["signed_in"] * 15
    rc, other, _st = desk(procs, b, pairing, "二号台", tokens[10:20])   # the other desk too
    assert rc == 0 and [x["result"] for x in other] == ["signed_in"] * 10
    assert summary(host_db)["present"] == 15           # 5 from 一号台 + 10 from 二号台
    relay.resume()                                     # back: the desk reconnects by itself
    cut_desk.stdin.close()
    cut_desk.wait(30)
    status = json.loads(cut_desk.stderr.read().splitlines()[-1])
    assert cut_desk.returncode == 0 and status["shared"] and status["unshared"] == 0
    desk(procs, b, pairing, "二号台", [])
    views = [summary(x) for x in (host_db, a, b)]
    for v in views:
        assert v["present"] == 20 and v["present_tokens"] == views[0]["present_tokens"]
        assert v["events"] == views[0]["events"] and len(v["events"]) == 25
        assert len(v["duplicates"]) == 5 and v["duplicates"] == views[0]["duplicates"]


def _until(pred, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False
