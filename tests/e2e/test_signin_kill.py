"""kill -9 in the middle of `pollday sign-in`: what was reported is in the database, nobody is
counted twice, the file is intact. Two desks write to the same file at once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time

from app import attendance as att
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.sync.sync_venue import make_assembly

N = 600


def _desk(db_path, desk: str, refs: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*pollday_cmd(), "sign-in", "--db", str(db_path), "--desk", desk, "--operator", "e2e", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8", env=dict(os.environ, PYTHONUTF8="1"))


def _feed(proc: subprocess.Popen[str], refs: list[str]) -> None:
    """Scan like a desk: a quick burst, then one card every 2 ms. stdin stays open, as a scanner
    stays plugged in, so a desk is still running (waiting for the next card) when it is killed
    even if it got through every card it was given: the kill always lands on a live process,
    and at the pace below it lands long before the 600th card."""
    assert proc.stdin is not None
    try:
        for i, r in enumerate(refs):
            proc.stdin.write(r + "\n")
            proc.stdin.flush()
            if i >= 50:
                time.sleep(0.002)
    except (BrokenPipeError, OSError):
        pass  # killed


def test_kill_during_sign_in_loses_nothing_reported(db_path) -> None:
    meeting, tokens = make_assembly(db_path, N)
    desks = {"一号台": tokens, "二号台": tokens[::-1]}
    procs = {d: _desk(db_path, d, refs) for d, refs in desks.items()}
    feeders = [threading.Thread(target=_feed, args=(procs[d], desks[d]), daemon=True)
               for d in desks]
    for f in feeders:
        f.start()
    reported: dict[str, list[dict]] = {d: [] for d in desks}

    def read(d: str) -> None:
        out = procs[d].stdout
        assert out is not None
        for line in out:
            reported[d].append(json.loads(line))

    readers = [threading.Thread(target=read, args=(d,), daemon=True) for d in desks]
    for r in readers:
        r.start()
    deadline = time.monotonic() + 60
    while (min(len(v) for v in reported.values()) < 60
           and time.monotonic() < deadline):   # both desks under way, neither finished
        time.sleep(0.01)
    for p in procs.values():
        p.kill()      # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up either way
    for p in procs.values():
        p.wait(timeout=10)
    for r in readers:
        r.join(timeout=10)
    lines = [x for v in reported.values() for x in v]
    assert min(len(v) for v in reported.values()) >= 60, "a desk never reached the kill point"
    assert len(lines) < 2 * N, "killed too late: both desks had finished"
    killed = -signal.SIGKILL if hasattr(signal, "SIGKILL") else 1   # TerminateProcess(h, 1)
    assert all(p.returncode == killed for p in procs.values())

    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per_person = dict(raw.execute(
        "SELECT person_id, count(*) FROM attendance_event WHERE kind = 'sign_in'"
        " GROUP BY person_id").fetchall())
    raw.close()
    signed = [x for x in lines if x["result"] == "signed_in"]
    assert signed, lines[:3]
    for x in signed:
        assert per_person.get(x["person"]) == 1, x       # durable before it was reported
    assert all(n == 1 for n in per_person.values())      # never two sign-ins of one person
    # the reported 实到 never went down and never exceeded what the log holds
    for v in reported.values():
        counts = [x["present"] for x in v]
        assert counts == sorted(counts) and counts[-1] <= len(per_person)
    conn = connect(db_path)
    assert att.attendance_summary(conn, meeting).present == len(per_person)
    conn.close()

    # the desks carry on after the crash: everyone once, the ones already in are refused
    rest = subprocess.run([*pollday_cmd(), "sign-in", "--db", str(db_path), "--desk", "一号台",
                           "--", *tokens], capture_output=True, text=True, encoding="utf-8",
                          timeout=120)
    assert rest.returncode == 0, rest.stderr
    results = [json.loads(x) for x in rest.stdout.splitlines()]
    assert len(results) == N
    assert sum(x["result"] == "already_signed_in" for x in results) == len(per_person)
    assert results[-1]["present"] == N
    summary = subprocess.run([*pollday_cmd(), "attendance", "--db", str(db_path), "--json"],
                             capture_output=True, text=True, encoding="utf-8", timeout=60)
    data = json.loads(summary.stdout)
    assert (data["expected"], data["present"], data["quorum_met"]) == (N, N, True)
    assert data["rate"] == "100.00%" and data["duplicates"] == []
