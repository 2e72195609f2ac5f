"""Several sign-in desks sharing over the venue network: the host (`pollday serve`) and 11 desks
(`pollday desk`, reading persons from standard input) as separate processes on 127.0.0.1, on the
4,000-member register of app.bench.b_attendance.

- sync_propagation_p95_ms: a sign-in at one desk until it is durably merged at all 10 other desks
  (from the moment the person is handed to the desk; desks report merges with their clock), p95
  over 60 sign-ins spread over the desks.
- sync_3869_11desks_s: 3,869 sign-ins fed at once to 11 desks (352 each) until the host and
  every desk have all 3,869 events.
- offline_resync_300_s: a desk signed in 300 people while the host was down; from the host's
  restart (listening) until the host has stored them.
- register_refresh_20k_s: a register of 20,000; 50 persons added on the host (another
  connection, as the register page does) while a desk is online; from that commit until the
  desk has taken the new register (app.sync.register), as seen in the desk's database.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from app.bench import metric, p95

ISSUE = "Several sign-in desks on the venue network, working on through outages"
DESKS = 11


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _py(module: str, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
    # From source, `python -m app.cli.cmd_serve` starts faster than the console script; the
    # frozen bundle has no `-m`: its executable is pollday, so the module's command name is used.
    if getattr(sys, "frozen", False):
        cmd = [sys.executable, module.rsplit(".cmd_", 1)[-1]]
    else:
        cmd = [sys.executable, "-m", module]
    return subprocess.Popen([*cmd, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE if os.environ.get("PD_BENCH_DEBUG") else subprocess.DEVNULL, text=True, encoding="utf-8",
                            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONUTF8="1"))


class _Room:
    """A host and its desks; every process is killed by `close`."""

    def __init__(self, folder: Path, n_persons: int, register: int = 4000) -> None:
        from app.bench.b_attendance import _template, _voter_tokens

        self.folder = folder
        self.host_db = folder / "host.db"
        src, dst = sqlite3.connect(_template(register, True)), sqlite3.connect(self.host_db)
        src.backup(dst)
        src.close()
        dst.close()
        conn = sqlite3.connect(self.host_db)
        self.tokens = _voter_tokens(conn, n_persons)
        conn.close()
        self.port = _free_port()
        self.pairing = folder / "pairing.txt"
        self.procs: list[subprocess.Popen[str]] = []
        self.host: subprocess.Popen[str] | None = None

    def serve(self) -> float:
        """Start the host; returns the moment it listens (perf_counter)."""
        p = _py("app.cli.cmd_serve", "--db", str(self.host_db), "--port", str(self.port),
                "--pairing-out", str(self.pairing))
        self.procs.append(p)
        assert p.stdout is not None
        line = p.stdout.readline()
        assert line and json.loads(line)["listening"], "host did not start"
        self.host = p
        return time.perf_counter()

    def kill_host(self) -> None:
        assert self.host is not None
        self.host.kill()
        self.host.wait(10)

    def join(self, names: list[str]) -> None:
        joins = [_py("app.cli.cmd_desk", "--db", str(self.folder / f"{n}.db"), "--pairing",
                     str(self.pairing), "--desk", n, "--sync-timeout", "30") for n in names]
        self.procs.extend(joins)
        for j in joins:
            j.wait(120)
            assert j.returncode == 0, f"desk did not join: {j.stderr.read() if j.stderr else ''}"

    def desk(self, name: str, *extra: str) -> _Desk:
        p = _py("app.cli.cmd_desk", "--db", str(self.folder / f"{name}.db"), "--pairing",
                str(self.pairing), "--desk", name, "--report-merges", "--sync-timeout", "60",
                *extra, "-", stdin=True)
        self.procs.append(p)
        return _Desk(name, p)

    def host_events(self) -> int:
        conn = sqlite3.connect(f"file:{self.host_db}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0])
        finally:
            conn.close()

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(10)
            for f in (p.stdin, p.stdout):
                if f is not None:
                    f.close()


class _Desk:
    """A running desk: what it signed in and what it merged, as it reports them."""

    def __init__(self, name: str, proc: subprocess.Popen[str]) -> None:
        self.name, self.proc = name, proc
        self.own: dict[str, int] = {}        # event key -> person handed over (index)
        self.lines = 0
        self.ready = False
        self.merged: dict[str, int] = {}     # event key -> time.time_ns() at the desk
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line: dict[str, Any] = json.loads(raw)
            with self.lock:
                if "ready" in line:
                    self.ready = True
                elif "merged" in line:
                    for key in line["merged"]:
                        self.merged.setdefault(key, int(line["at_ns"]))
                else:
                    self.lines += 1
                    if "event" in line:
                        self.own[line["event"]] = self.lines

    def feed(self, tokens: list[str]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(t + "\n" for t in tokens))
        self.proc.stdin.flush()

    def total(self) -> int:
        with self.lock:
            return len(self.own) + len(self.merged)

    def end(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
            self.proc.stdin = None


def _wait(pred: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError("the desks did not agree in time")
        time.sleep(0.005)


def _names() -> list[str]:
    return [f"{i}号台" for i in range(1, DESKS + 1)]


@metric("sync_propagation_p95_ms", unit="ms", target=100, better="lt", issue=ISSUE)
def sync_propagation_p95(folder: Path) -> float:
    room = _Room(folder, 60)
    try:
        room.serve()
        names = _names()
        room.join(names)
        desks = [room.desk(n) for n in names]
        _wait(lambda: all(d.ready for d in desks), 60)
        times: list[float] = []
        for i, token in enumerate(room.tokens):
            d = desks[i % DESKS]
            before = set(d.own)
            t0 = time.time_ns()
            d.feed([token])
            _wait(lambda d=d, before=before: len(d.own) > len(before), 10)
            key = next(iter(set(d.own) - before))
            others = [o for o in desks if o is not d]
            _wait(lambda key=key, others=others: all(key in o.merged for o in others), 10)
            times.append((max(o.merged[key] for o in others) - t0) / 1e6)
            time.sleep(0.02)
        return p95(times)
    finally:
        room.close()


@metric("sync_3869_11desks_s", unit="s", target=30, better="lt", issue=ISSUE)
def sync_3869_11desks(folder: Path) -> float:
    room = _Room(folder, 3869)
    try:
        room.serve()
        names = _names()
        room.join(names)
        desks = [room.desk(n) for n in names]
        _wait(lambda: all(d.ready for d in desks), 60)   # started and connected: not timed
        n = len(room.tokens)
        t0 = time.perf_counter()
        for i, d in enumerate(desks):
            d.feed(room.tokens[i::DESKS])
        _wait(lambda: all(d.total() >= n for d in desks) and room.host_events() >= n, 120)
        elapsed = time.perf_counter() - t0
        assert all(d.total() == n for d in desks) and room.host_events() == n
        return elapsed
    finally:
        room.close()


@metric("offline_resync_300_s", unit="s", target=2, better="lt", issue=ISSUE)
def offline_resync_300(folder: Path) -> float:
    room = _Room(folder, 300)
    try:
        room.serve()
        room.join(["1号台"])
        room.kill_host()                       # the host is gone
        d = room.desk("1号台")
        d.feed(room.tokens)
        _wait(lambda: len(d.own) >= 300, 60)    # 300 signed in, committed locally
        assert room.host_events() == 0
        t0 = room.serve()                      # back
        _wait(lambda: room.host_events() >= 300, 30)
        return time.perf_counter() - t0
    finally:
        room.close()


@metric("register_refresh_20k_s", unit="s", target=5, better="lt", issue=ISSUE)
def register_refresh_20k(folder: Path) -> float:
    from app.model import PartyStatus
    from app.register.store import PersonRecord, add_persons
    from db.connection import connect

    room = _Room(folder, 10, register=20000)
    try:
        room.serve()
        room.join(["1号台"])
        d = room.desk("1号台")
        _wait(lambda: d.ready, 30)
        desk_db = folder / "1号台.db"
        conn = connect(room.host_db, create=False)
        t0 = time.perf_counter()
        add_persons(conn, [PersonRecord(f"补登党员{i:02d}", party_status=PartyStatus.FULL)
                           for i in range(50)], "2026-11-22T09:00:00+08:00")
        conn.close()

        def taken() -> bool:
            c = sqlite3.connect(f"file:{desk_db}?mode=ro", uri=True)
            try:
                return int(c.execute("SELECT count(*) FROM person").fetchone()[0]) == 20050
            finally:
                c.close()

        _wait(taken, 60)
        return time.perf_counter() - t0
    finally:
        room.close()
