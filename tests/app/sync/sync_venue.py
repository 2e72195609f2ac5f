"""Helpers of the multi-desk tests: a party assembly in a real SQLite file, the `pollday` command,
and processes that are always killed at the end (a helper module, not a conftest.py)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pdtest import pollday_cmd

from app.clock import FixedClock
from app.meetings import create_meeting
from app.model import Form, Meeting, Organisation, PartyStatus, RuleSet
from app.register.store import PersonRecord, add_persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"


def make_assembly(db_path: Path, n: int) -> tuple[Meeting, list[str]]:
    """`n` full party members and a current 党员大会; returns the meeting and the tokens."""
    import datetime as dt

    clock = FixedClock(dt.datetime(2026, 11, 22, 8, 0), 1.0)
    conn = connect(db_path)
    add_persons(conn, [PersonRecord(f"党员{i:04d}", branch=f"第{i % 5 + 1}支部",
                                    party_status=PartyStatus.FULL) for i in range(n)], NOW)
    m = create_meeting(conn, code="party", title="党员大会", community="社区",
                       organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                       form=Form.ASSEMBLY, date="2026-11-22", make_current=True, clock=clock,
                       actor="t")
    assert isinstance(m, Meeting)
    tokens = [t for (t,) in conn.execute("SELECT token FROM person ORDER BY id")]
    conn.close()
    return m, tokens


def copy_db(src: Path, dst: Path) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Procs:
    """Processes started by a test; `kill_all` (a finalizer) kills whatever is still running."""

    def __init__(self, real_cli: bool = False) -> None:
        self.procs: list[subprocess.Popen[str]] = []
        self.real_cli = real_cli

    def start(self, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
        """`pollday ARGS`; desk and serve through their module entry (the same code without
        loading every other command, ~1 s less per process) unless real_cli."""
        if args[0] in ("desk", "serve") and not self.real_cli:
            cmd = [sys.executable, "-m", f"app.cli.cmd_{args[0]}", *args[1:]]
        else:
            cmd = [*pollday_cmd(), *args]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.PIPE if stdin else None,
                             text=True, encoding="utf-8", env=dict(os.environ, PYTHONUTF8="1"))
        self.procs.append(p)
        return p

    def kill_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(10)
            for f in (p.stdout, p.stderr, p.stdin):
                if f is not None:
                    with contextlib.suppress(OSError, ValueError):   # a pipe to a killed desk
                        f.close()


def serve(procs: Procs, db: Path, port: int, pairing: Path) -> subprocess.Popen[str]:
    """Start `pollday serve` and wait until it listens (its first stdout line)."""
    p = procs.start("serve", "--db", str(db), "--port", str(port), "--pairing-out", str(pairing))
    assert p.stdout is not None
    line = p.stdout.readline()
    assert line, p.stderr.read() if p.stderr else ""
    assert json.loads(line)["listening"]
    return p


def served_room(procs: Procs, folder: Path, n: int) -> tuple[Path, list[str], Path]:
    """A party assembly of `n` in folder/host.db, served on a free loopback port: (host
    database, tokens, pairing file)."""
    host_db = folder / "host.db"
    _m, tokens = make_assembly(host_db, n)
    pairing = folder / "pairing.txt"
    serve(procs, host_db, free_port(), pairing)
    return host_db, tokens, pairing


def desk(procs: Procs, db: Path, pairing: Path, name: str, persons: list[str],
         timeout: float = 20) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """Run `pollday desk` to the end: (exit status, per-person lines, final sync status)."""
    p = procs.start("desk", "--db", str(db), "--pairing", str(pairing), "--desk", name,
                    "--sync-timeout", "15", "--", *persons)
    out, err = p.communicate(timeout=timeout)
    lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    status = next((json.loads(x) for x in reversed(err.splitlines()) if x.startswith("{")), {})
    return p.returncode, lines, status


def summary(db: Path) -> dict[str, Any]:
    from app import attendance as att
    from app.meetings import resolve_meeting

    conn = connect(db, create=False)
    try:
        m = resolve_meeting(conn, None)
        assert isinstance(m, Meeting)
        s = att.attendance_summary(conn, m)
        out = s.as_json()
        tokens = dict(conn.execute("SELECT id, token FROM person"))
        out["present_tokens"] = sorted(tokens[i] for i in s.present_ids)
        out["events"] = sorted(f"{d}:{s_}" for d, s_ in conn.execute(
            "SELECT desk, seq FROM attendance_event"))
        return out
    finally:
        att.forget(conn)
        conn.close()


def wait_until(pred: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())
