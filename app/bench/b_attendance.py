"""Sign-in speed and sign-in sheets, on the 20,000-person synthetic register (app.bench.data).

- signin_commit_p95_ms: one sign-in through the use case, durably committed (synchronous=FULL),
  p95 over 400 sign-ins after the desk's first look at the meeting.
- signin_3869_s: a 3,869-member assembly signed in, one use-case call (one commit) each,
  including the first load of the meeting.
- signin_sheets_4000_pdf_s: 签到表 for 4,000 persons with a QR each (fonts registered before
  timing: a running app registers them once).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from app.bench import metric, p95
from app.clock import FixedClock
from app.model import Form, Meeting, Organisation, PartyStatus, RuleSet

ISSUE = "Sign-in desks, attendance and the live quorum"
NOW = "2026-11-22T07:00:00+08:00"
_STATUS = {"正式党员": PartyStatus.FULL, "预备党员": PartyStatus.PROBATIONARY,
           "留党察看": PartyStatus.ON_PROBATION, "权利中止": PartyStatus.SUSPENDED}


def _clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                      0.5)


def _records(n: int, all_members: bool = False) -> list[object]:
    from app.bench.data import register_rows
    from app.register.store import PersonRecord

    out: list[object] = []
    for i, r in enumerate(register_rows(n)):
        status = _STATUS.get(r["人员类别"], PartyStatus.NONE)
        branch = r["所在党支部"]
        if all_members and status is PartyStatus.NONE:
            status, branch = PartyStatus.FULL, f"第{i % 12 + 1}党支部"
        out.append(PersonRecord(
            name=r["姓名"], gender={"男": "M", "女": "F"}.get(r["性别"]),
            birth_date=r["出生日期"] or None, id_number=r["公民身份号码"] or None,
            education=r["文化程度"], branch=branch, resident_group=r["居民小组"],
            household=r["户号"], member_no=r["党员编号"], party_status=status,
            resident_voter=r["是否选民"] == "是", household_rep=r["是否户代表"] == "是",
            resident_rep=r["是否居民代表"] == "是"))
    return out


@lru_cache(maxsize=4)
def _template(n: int, all_members: bool) -> Path:
    """A register of `n` persons with a current party assembly, built once per process."""
    from app.meetings import create_meeting
    from app.register.store import PersonRecord, add_persons
    from db.connection import connect

    path = Path(tempfile.mkdtemp(prefix="pollday-bench-")) / f"register-{n}.db"
    conn = connect(path)
    recs = [r for r in _records(n, all_members) if isinstance(r, PersonRecord)]
    add_persons(conn, recs, NOW)
    create_meeting(conn, code="party", title="中共幸福社区委员会换届选举党员大会",
                   community="幸福社区", organisation=Organisation.PARTY_COMMITTEE,
                   rules=RuleSet.PARTY, form=Form.ASSEMBLY, date="2026-11-22",
                   make_current=True, clock=_clock(), actor="bench")
    conn.close()
    return path


def _copy(n: int, folder: Path, all_members: bool = False) -> tuple[sqlite3.Connection, Meeting]:
    from app.meetings import current_meeting
    from db.connection import connect

    src = sqlite3.connect(_template(n, all_members))
    dst_path = folder / "election.db"
    dst = sqlite3.connect(dst_path)
    src.backup(dst)
    src.close()
    dst.close()
    conn = connect(dst_path)
    meeting = current_meeting(conn)
    assert meeting is not None
    return conn, meeting


def _voter_tokens(conn: sqlite3.Connection, n: int) -> list[str]:
    rows = conn.execute("SELECT token FROM person WHERE party_status = 'full' ORDER BY id LIMIT ?",
                        (n,)).fetchall()
    if len(rows) < n:
        raise RuntimeError(f"the register has only {len(rows)} full members, need {n}")
    return [str(r[0]) for r in rows]


@metric("signin_commit_p95_ms", unit="ms", target=10, better="lt", issue=ISSUE)
def signin_commit_p95(folder: Path) -> float:
    from app import attendance as att

    conn, meeting = _copy(20_000, folder)
    tokens = _voter_tokens(conn, 401)
    clock = _clock()
    att.sign_in(conn, meeting, tokens[0], "一号台", "bench", clock)  # the desk's first look
    times: list[float] = []
    for token in tokens[1:]:
        t0 = time.perf_counter()
        r = att.sign_in(conn, meeting, token, "一号台", "bench", clock)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.outcome is att.Outcome.SIGNED_IN, r
    conn.close()
    return p95(times)


@metric("signin_3869_s", unit="s", target=20, better="lt", issue=ISSUE)
def signin_3869(folder: Path) -> float:
    from app import attendance as att

    conn, meeting = _copy(20_000, folder)
    tokens = _voter_tokens(conn, 3869)
    clock = _clock()
    t0 = time.perf_counter()
    for i, token in enumerate(tokens):
        r = att.sign_in(conn, meeting, token, f"{i % 11 + 1}号台", "bench", clock)
        assert r.outcome is att.Outcome.SIGNED_IN, r
    elapsed = time.perf_counter() - t0
    assert att.attendance_summary(conn, meeting).present == 3869
    conn.close()
    return elapsed


@metric("signin_sheets_4000_pdf_s", unit="s", target=2, better="lt", issue=ISSUE)
def signin_sheets_4000(folder: Path) -> float:
    from app.documents.fonts import register_fonts
    from app.documents.signin_sheets import render_sheets

    conn, meeting = _copy(4000, folder, all_members=True)
    register_fonts()
    t0 = time.perf_counter()
    printed = render_sheets(conn, meeting, folder / "sheets.pdf",
                            dt.datetime(2026, 11, 22, 7, 0))
    elapsed = time.perf_counter() - t0
    assert printed.items == 4000, printed
    conn.close()
    return elapsed
