"""Issue 15 item 5: the audit log in words (app.audit_log), its chain check (the first row that
does not verify, a printed head compared), the PDF and XLSX (read back), and `pollday audit list`
as a real process with its filters."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from app.audit_log import Filter, check_chain, filter_entries, read_entries
from app.clock import FixedClock
from db.audit import grouped

TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 22, 8, 30, tzinfo=TZ)


def make_audited_db(path: Path) -> Path:
    """A small election database with audit rows by several people over a morning, one of them
    written as an older version wrote it (`gui:root`), and one row with an ID-like value and
    a formula-like reason."""
    from app import meetings
    from app.model import Form, Organisation, RuleSet
    from app.register.idcard import make_id_number
    from app.register.store import PersonRecord, add_persons
    from db import audit
    from db.connection import connect
    from db.tx import transaction

    conn = connect(path)
    clock = FixedClock(START, 60.0)
    for code, title, org, rules, form in (
            ("party", "中共翠湖社区委员会换届选举党员大会", Organisation.PARTY_COMMITTEE,
             RuleSet.PARTY, Form.ASSEMBLY),
            ("residents", "翠湖社区第十二届居民委员会选举大会", Organisation.RESIDENTS_COMMITTEE,
             RuleSet.RESIDENTS, Form.ALL)):
        got = meetings.create_meeting(conn, code=code, title=title, community="新华街道翠湖社区",
                                      organisation=org, rules=rules, form=form,
                                      date="2026-11-22", clock=clock, actor="张三")
        assert not isinstance(got, meetings.Refusal), got
    born = dt.date(1970, 5, 5)
    ids = add_persons(conn, [PersonRecord(
        name=n, gender="F", birth_date=born.isoformat(),
        id_number=make_id_number("110105", born, i, "F"), education="大学本科",
        branch="第一党支部", resident_group="第一居民小组", household=f"{i:04d}",
        party_status=__import__("app.model", fromlist=["PartyStatus"]).PartyStatus.FULL,
        resident_voter=True) for i, n in enumerate(("王䶮", "欧阳红梅", "单国栋"), start=11)],
        "2026-11-22T08:40:00+08:00", actor="李四")
    party = meetings.list_meetings(conn)[0]
    assert not isinstance(meetings.add_leave(conn, party.id, ids[0], "外出探亲", clock=clock,
                                             actor="李四"), meetings.Refusal)
    assert not isinstance(meetings.add_desk(conn, party.id, "一号台", ["第一党支部"], clock=clock,
                                            actor="张三"), meetings.Refusal)
    with transaction(conn):   # as an older version wrote it
        audit.append(conn, at="2026-11-22T09:30:00+08:00", actor="gui:root",
                     action="leave_removed", meeting_id=party.id,
                     detail={"person_id": ids[0], "name": "王䶮", "reason": "=HYPERLINK(1)"})
    conn.close()
    return path


@pytest.fixture
def audited(tmp_path: Path) -> Path:
    return make_audited_db(tmp_path / "election.db")


def _open(path: Path) -> sqlite3.Connection:
    from db.audit import open_for_check

    conn = open_for_check(path)
    assert conn is not None
    return conn


def tamper_edit(path: Path, action: str) -> int:
    """Edit one row outside the app (sqlite3, the triggers dropped): returns its id."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    (rid,) = conn.execute("SELECT id FROM audit WHERE action = ? ORDER BY id LIMIT 1",
                          (action,)).fetchone()
    conn.execute("UPDATE audit SET actor = '某领导' WHERE id = ?", (rid,))
    conn.close()
    return int(rid)


def tamper_delete(path: Path, action: str) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    (rid,) = conn.execute("SELECT id FROM audit WHERE action = ? ORDER BY id LIMIT 1",
                          (action,)).fetchone()
    conn.execute("DELETE FROM audit WHERE id = ?", (rid,))
    conn.close()
    return int(rid)


def test_rows_in_words_with_old_operators_shown_by_name(audited: Path) -> None:
    conn = _open(audited)
    entries = read_entries(conn)
    conn.close()
    words = [(e.operator, e.words) for e in entries]
    assert ("张三", "新建会议") in words and ("李四", "添加名册人员") in words
    assert ("李四", "登记请假") in words and ("root", "撤销请假") in words
    old = entries[-1]
    assert old.actor == "gui:root" and old.operator == "root"
    assert old.text == "撤销 王䶮 的请假（原事由：=HYPERLINK(1)）"
    assert old.meeting == "中共翠湖社区委员会换届选举党员大会" and old.meeting_code == "party"
    assert entries[0].time == "2026-11-22 08:30:00"


def test_filters_by_person_action_meeting_and_time(audited: Path) -> None:
    conn = _open(audited)
    entries = read_entries(conn)
    conn.close()
    assert {e.operator for e in filter_entries(entries, Filter(person="李四"))} == {"李四"}
    assert [e.action for e in filter_entries(entries, Filter(action="desk_added"))] == \
        ["desk_added"]
    party = entries[0].meeting_id
    assert {e.meeting_code for e in filter_entries(entries, Filter(meeting_id=party))} == \
        {"party"}
    no_meeting = filter_entries(entries, Filter(meeting_id=0))
    assert [e.action for e in no_meeting] == ["register.add"]
    late = filter_entries(entries, Filter(since=dt.datetime(2026, 11, 22, 9, 0)))
    assert [e.operator for e in late] == ["root"]
    early = filter_entries(entries, Filter(until=dt.datetime(2026, 11, 22, 8, 31)))
    assert [e.action for e in early] == ["meeting_created", "meeting_created"]
    assert filter_entries(entries, Filter(person="李", exact_person=True)) == []
    assert len(filter_entries(entries, Filter(person="李", exact_person=False))) == 2


def test_intact_chain_and_a_printed_head(audited: Path) -> None:
    conn = _open(audited)
    check = check_chain(conn)
    assert check.intact and check.ok and check.headline() == f"审计记录完整（共 {check.rows} 条）"
    printed = grouped(check.head.hash).upper()
    same = check_chain(conn, printed)
    assert same.printed_matches and "与纸面链头一致" in same.lines()[-1]
    other = check_chain(conn, "ab" * 32)
    assert other.printed_matches is False and not other.ok
    assert "与纸面链头不符" in other.lines()[-1]
    with pytest.raises(ValueError, match="不是审计链头"):
        check_chain(conn, "12345")
    conn.close()


def test_an_edited_row_is_named_as_the_first_that_does_not_verify(audited: Path) -> None:
    conn = _open(audited)
    head_before = check_chain(conn).head.hash
    conn.close()
    rid = tamper_edit(audited, "leave_added")
    conn = _open(audited)
    check = check_chain(conn, head_before)
    conn.close()
    assert check.broken_at == rid and check.broken_kind == "content" and not check.ok
    assert check.headline() == f"审计记录不完整：第 {rid} 条起无法核实"
    assert f"第 {rid} 条（2026-11-22" in check.lines()[1] and "某领导，登记请假" in check.lines()[1]
    assert "被改动过" in check.lines()[1]
    # The head printed before the edit still names the last row, but a row before it fails.
    assert check.printed_matches is False and "无法核实" in check.lines()[-1]


def test_a_removed_row_is_named_by_the_row_after_it(audited: Path) -> None:
    rid = tamper_delete(audited, "leave_added")
    conn = _open(audited)
    check = check_chain(conn)
    conn.close()
    assert check.broken_at == rid + 1 and check.broken_kind == "link"
    assert f"第 {rid - 1} 条与第 {rid + 1} 条之间的记录被删除或调换过" in check.lines()[1]


def test_pdf_and_xlsx_read_back(audited: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from app.documents.audit_report import write_report
    from tests.app.documents.pdf_tools import assert_fonts_embedded, pdf_text, squash

    rid = tamper_edit(audited, "desk_added")
    conn = _open(audited)
    entries = read_entries(conn)
    check = check_chain(conn, entries=entries)
    conn.close()
    at = dt.datetime(2026, 11, 22, 10, 0)
    pdf, xlsx = tmp_path / "审计日志.pdf", tmp_path / "审计日志.xlsx"
    assert write_report(entries, check, pdf, at, community="新华街道翠湖社区") == ""
    assert write_report(entries, check, xlsx, at, community="新华街道翠湖社区") == ""
    assert_fonts_embedded(pdf)
    text = squash(pdf_text(pdf))
    for want in ("新华街道翠湖社区审计日志", f"审计记录不完整：第{rid}条起无法核实", "撤销请假",
                 "root", "撤销王䶮的请假", "新增签到台“一号台”", "审计链头", "某领导"):
        assert squash(want) in text, want
    ws = load_workbook(xlsx).active
    assert ws is not None and ws.title == "审计日志"
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    assert cells[2][0] == f"审计记录不完整：第 {rid} 条起无法核实"
    header = next(i for i, r in enumerate(cells) if r[0] == "序号")
    body = cells[header + 1:]
    assert len(body) == len(entries)
    last = body[-1]
    assert last[2] == "root" and last[3] == "撤销请假" and last[9] == "gui:root"
    assert last[6] == "撤销 王䶮 的请假（原事由：=HYPERLINK(1)）"   # text, not a formula
    assert ws.cell(header + 1 + len(body), 7).data_type == "s"
    edited = next(r for r in body if r[0] == rid)
    assert edited[2] == "某领导"
    assert ws.cell(header + 2 + [r[0] for r in body].index(rid), 1).fill.fgColor.rgb.endswith(
        "F8D7DA")


def _pollday(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLLDAY_HOME": str(Path(str(args[-1])).parent)}
    return subprocess.run([*pollday_cmd(), *map(str, args[:-1])], capture_output=True, text=True,
                          env=env, timeout=120)


def test_cli_list_in_words_with_filters(audited: Path, tmp_path: Path) -> None:
    got = _pollday("audit", "list", "--db", audited, audited)
    assert got.returncode == 0, got.stderr
    assert "审计记录完整" in got.stdout
    assert "root  撤销请假：撤销 王䶮 的请假" in got.stdout
    assert "张三  新增签到台：新增签到台“一号台”，负责：第一党支部" in got.stdout
    mine = _pollday("audit", "list", "--db", audited, "--person", "李四", "--json", audited)
    rows = json.loads(mine.stdout)
    assert {r["operator"] for r in rows} == {"李四"} and len(rows) == 2
    assert {"action", "actor", "detail", "hash", "text", "action_words"} <= rows[0].keys()
    by_words = _pollday("audit", "list", "--db", audited, "--action", "撤销请假", "--json",
                        audited)
    assert [r["actor"] for r in json.loads(by_words.stdout)] == ["gui:root"]
    timed = _pollday("audit", "list", "--db", audited, "--meeting", "party", "--since",
                     "2026-11-22 09:00", "--until", "2026-11-22", "--json", audited)
    assert [r["action"] for r in json.loads(timed.stdout)] == ["leave_removed"]
    out = tmp_path / "out.xlsx"
    written = _pollday("audit", "list", "--db", audited, "--person", "张三", "--out", out, audited)
    assert written.returncode == 0 and out.is_file(), written.stderr
    for bad, words in ((("--since", "昨天"), "不是日期或时间"),
                       (("--meeting", "nope"), "没有这个会议代码"),
                       (("--action", "no_such"), "没有这个动作")):
        refused = _pollday("audit", "list", "--db", audited, *bad, audited)
        assert refused.returncode == 2 and words in refused.stderr, refused.stderr


def test_cli_list_names_the_first_row_that_does_not_verify(audited: Path) -> None:
    rid = tamper_edit(audited, "leave_added")
    got = _pollday("audit", "list", "--db", audited, audited)
    assert got.returncode == 1
    assert f"审计记录不完整：第 {rid} 条起无法核实" in got.stderr
    assert f"{rid:>5}  2026-11-22" in got.stdout and "[无法核实]" in got.stdout
    rows = json.loads(_pollday("audit", "list", "--db", audited, "--json", audited).stdout)
    assert [r["id"] for r in rows if not r["verified"]] == [r["id"] for r in rows if r["id"] >= rid]
