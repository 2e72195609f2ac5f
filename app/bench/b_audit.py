"""审计日志 speed (issue 15 item 5): a long day's audit log of 20,000 rows (every undone sign-in,
box, ballot correction and refusal of a big venue, with room to spare) read, worded and
re-verified (the page's worker), and one filter change over the worded rows (what the GUI thread
does when a filter box changes: it must stay under the ~50 ms a click may block)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from app.bench import median, metric

ROWS = 20_000
RUNS = 5
CODES = ("sign_in_undone", "ballot_correct", "sync_refused", "ballot_box_recorded")


def _audit_db(folder: Path) -> Path:
    from db import audit
    from db.connection import connect
    from db.tx import transaction

    path = folder / "audit-bench.db"
    if path.exists():
        return path
    conn = connect(path)
    start = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ballot = {"marks": "ox-o", "invalid": False, "reason": "", "write_ins": [],
              "unmarked_write_ins": []}
    details = ({"person_id": 7, "name": "欧阳红梅", "event": "d1:7", "signed_in_at": start.isoformat(),
                "reason": "扫错人", "desk": "一号台"},
               {"round_id": 1, "entry": "A", "seq": 12, "before": ballot,
                "after": {**ballot, "marks": "oo-o"}, "why": "录错"},
               {"address": "192.168.1.20", "reason": "bad_secret", "desk": "三号台"},
               {"round_id": 1, "box": "流动票箱", "mobile": True, "printed": 100, "issued": 80,
                "returned": 79, "spoiled": 1})
    with transaction(conn):
        for i in range(ROWS):
            audit.append(conn, at=(start + dt.timedelta(seconds=i)).isoformat(),
                         actor=("张三", "李四", "王五", "gui:root")[i % 4],
                         action=CODES[i % len(CODES)], detail=details[i % len(CODES)])
    conn.close()
    return path


@metric("audit_load_20k_s", unit="s", target=3.0, better="lt", issue="15")
def audit_load(folder: Path) -> float:
    """Median of 5: read 20,000 audit rows, word every row and re-verify the chain (off the GUI
    thread, behind the page's 正在核对 banner)."""
    from app.audit_log import check_chain, read_entries
    from db.connection import connect

    path = _audit_db(folder)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        conn = connect(path, create=False)
        entries = read_entries(conn)
        check_chain(conn, entries=entries)
        _cells = [(e.id, e.time, e.operator, e.words, e.text) for e in entries]
        conn.close()
        times.append(time.perf_counter() - t0)
    return median(times)


@metric("audit_band_check_20k_s", unit="s", target=0.5, better="lt", issue="15")
def audit_band_check(folder: Path) -> float:
    """Median of 5: the chain check the main window runs when it opens a database and after
    each backup (in the database's worker: the red band for a log edited outside the program),
    over 20,000 audit rows."""
    from app.audit_log import chain_band
    from db.connection import connect

    path = _audit_db(folder)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        conn = connect(path, create=False)
        chain_band(conn)
        conn.close()
        times.append(time.perf_counter() - t0)
    return median(times)


@metric("audit_cli_check_20k_s", unit="s", target=0.3, better="lt", issue="15")
def audit_cli_check(folder: Path) -> float:
    """Median of 5: the chain check every command line command on an election database runs
    before it starts (one warning line when the log was edited outside the program), over
    20,000 audit rows."""
    from app.audit_log import cli_warning

    path = _audit_db(folder)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        cli_warning(path)
        times.append(time.perf_counter() - t0)
    return median(times)


@metric("audit_filter_20k_ms", unit="ms", target=50.0, better="lt", issue="15")
def audit_filter(folder: Path) -> float:
    """Median of 5: one filter change (person and time) over 20,000 worded rows, on the GUI
    thread."""
    from app.audit_log import Filter, filter_entries, read_entries
    from db.connection import connect

    conn = connect(_audit_db(folder), create=False)
    entries = read_entries(conn)
    conn.close()
    f = Filter(person="李四", since=dt.datetime(2026, 11, 29, 9, 0))
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        filter_entries(entries, f)
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)
