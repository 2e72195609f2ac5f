"""签到表, 出席情况报告 and 委托名单 read back as a person and a scanner would."""

from __future__ import annotations

import datetime as dt
import subprocess

from app import attendance as att
from app import proxies
from app.documents.attendance_report import render_report
from app.documents.proxy_list import render_proxy_list
from app.documents.signin_sheets import ROWS_PER_PAGE, render_sheets, sheet_rows
from app.names import name_sort_key
from app.register.store import PersonRecord, add_persons
from db import persons
from tests.app.attendance.attendance_venue import (
    pollday_cmd,
    venue_fixture,  # noqa: F401  (fixture "venue")
)
from tests.app.documents.pdf_tools import (
    assert_fonts_embedded,
    decode_qr_codes,
    page_count,
    pdf_text,
    squash,
)

AT = dt.datetime(2026, 11, 22, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RARE = ("王䶮", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提")


def test_sheets_list_everyone_with_a_decodable_token(venue, tmp_path) -> None:
    c, m = venue.conn, venue.party
    out = tmp_path / "sheets.pdf"
    printed = render_sheets(c, m, out, AT)
    rows = sheet_rows(c, m)
    everyone = [r.person for g in rows.values() for r in g]
    assert printed.items == len(everyone) == 10          # 8 full members + 2 列席
    assert printed.pages == 3                             # one section per branch
    assert_fonts_embedded(out)
    text = pdf_text(out)
    for p in everyone:
        assert p.name in text, p.name
    for name in RARE:
        assert name in text
    assert "不计入应到" in text and "请假" in text and "预备党员·列席" in text
    assert "2026-11-22 07:30" in text                    # the time given, not the clock
    for head in ("序号", "姓名", "签名", "时间"):
        assert head in text
    codes = decode_qr_codes(out)
    assert sorted(codes) == sorted(p.token for p in everyone)
    assert all(p.id_number is None or p.id_number not in codes for p in everyone)
    for group in rows.values():
        names = [r.person.name for r in group]
        assert names == sorted(names, key=name_sort_key)


def test_sheets_paginate_and_every_qr_decodes(venue, tmp_path) -> None:
    c, m = venue.conn, venue.party
    from app.model import PartyStatus

    n = ROWS_PER_PAGE + 3
    add_persons(c, [PersonRecord(f"第四{i:02d}", branch="第四支部", party_status=PartyStatus.FULL)
                    for i in range(n)], "2026-11-22T08:00:00+08:00")
    out = tmp_path / "fourth.pdf"
    printed = render_sheets(c, m, out, AT, groups=["第四支部"])
    assert (printed.items, printed.pages) == (n, 2) and page_count(out) == 2
    text = squash(pdf_text(out))
    assert "第1/2页" in text and "第2/2页" in text
    tokens = {p.token for p in persons.list_persons(c) if p.branch == "第四支部"}
    assert set(decode_qr_codes(out)) == tokens and len(decode_qr_codes(out)) == n


def test_unprintable_name_is_refused_by_the_cli(venue, tmp_path, db_path) -> None:
    c = venue.conn
    from app.model import PartyStatus

    pid = add_persons(c, [PersonRecord("李\U000f0002明", branch="第一支部",
                                       party_status=PartyStatus.FULL)],
                      "2026-11-22T08:00:00+08:00")[0]
    out = tmp_path / "refused.pdf"
    r = subprocess.run([*pollday_cmd(), "print", "signin-sheets", "--db", str(db_path), "--out",
                        str(out)], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 1
    assert f"名册编号 {pid}" in r.stderr and "U+F0002" in r.stderr and "李" in r.stderr
    assert not out.exists() and not list(tmp_path.glob(".refused*"))


def test_print_cli_writes_signin_sheets(venue, tmp_path, db_path) -> None:
    out = tmp_path / "cli.pdf"
    r = subprocess.run([*pollday_cmd(), "print", "signin-sheets", "--db", str(db_path), "--out",
                        str(out), "--group", "第二支部", "--at", "2026-11-22T07:00:00+08:00"],
                       capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "1 页" in r.stdout
    text = pdf_text(out)
    assert "王䶮" in text and "张三" not in text and "2026-11-22 07:00" in text


def test_attendance_report_live_and_frozen(venue, fixed_clock, tmp_path) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    for name in ("张三", "李四", "王䶮", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提"):
        att.sign_in(c, m, ids[name], "一号台", "clerk", fixed_clock)
    att.sign_in(c, m, ids["赵预备"], "一号台", "clerk", fixed_clock)
    att.sign_out(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    live = tmp_path / "live.pdf"   # before voting opens: the live figures
    render_report(c, m, live, AT)
    assert_fonts_embedded(live)
    text = pdf_text(live)
    for words in ("出席情况报告", "应到会人数", "实到会人数", "出席率", "71.43%（5/7）",
                  "孙病假", "年老体弱卧床不起", "街党工委〔2026〕12号", "周请假", "出差",
                  "超过应到会人数的五分之四", "不符合规定", "监票人（签字）", "2026-11-22 07:30",
                  "实时统计"):
        assert words in text, words
    assert "脑梗" not in text   # the legal reason is printed, not the illness typed with it
    att.return_(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    snap = att.open_voting(c, m, "第一轮", "秘书处", fixed_clock)
    assert isinstance(snap, att.Snapshot), snap
    frozen = tmp_path / "frozen.pdf"
    render_report(c, m, frozen, AT, "第一轮")
    text = pdf_text(frozen)
    assert "85.71%（6/7）" in text and "符合规定，会议有效" in text
    assert snap.taken_at[:16].replace("T", " ") in text and "第一轮开始投票时冻结" in text
    assert render_report(c, m, tmp_path / "x.pdf", AT, "第九轮").code == "NO_SUCH_ROUND"


def test_proxy_list(venue, fixed_clock, tmp_path) -> None:
    c, m = venue.conn, venue.residents
    p = {n: persons.get_person(c, i) for n, i in venue.ids.items()}
    proxies.add_proxy(c, m, p["𠮷祥"], p["阿依古丽·买买提"], document_ref="WT-001",
                      clock=fixed_clock, actor="t")
    proxies.add_proxy(c, m, p["欧阳娜娜"], p["阿依古丽·买买提"], document_ref="WT-002",
                      clock=fixed_clock, actor="t")
    out = tmp_path / "proxy.pdf"
    printed = render_proxy_list(c, m, out, AT)
    assert printed.items == 2
    assert_fonts_embedded(out)
    text = squash(pdf_text(out))
    for words in ("委托投票名单", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提", "WT-001", "不得超过三人"):
        assert words in text, words
    assert render_proxy_list(c, venue.party, out, AT).code == "PROXY_NOT_ALLOWED"


def test_same_input_same_bytes(venue, tmp_path) -> None:
    """Renderers take the time as an argument: a reprint is byte-identical."""
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_sheets(venue.conn, venue.party, a, AT)
    render_sheets(venue.conn, venue.party, b, AT)
    assert a.read_bytes() == b.read_bytes()
    render_report(venue.conn, venue.party, a, AT)
    render_report(venue.conn, venue.party, b, AT)
    assert a.read_bytes() == b.read_bytes()


def test_a_long_name_goes_on_two_lines_never_cut(venue, tmp_path) -> None:
    from app.documents.signin_sheets import split_name
    from app.model import PartyStatus

    long = "努尔兰·别克·阿不都热合曼·买买提明"
    assert split_name(long) == ("努尔兰·别克·", "阿不都热合曼·买买提明")
    assert split_name("张三丰") == ("张三", "丰")
    add_persons(venue.conn, [PersonRecord(long, branch="第一支部", party_status=PartyStatus.FULL)],
                "2026-11-22T08:00:00+08:00")
    out = tmp_path / "long.pdf"
    render_sheets(venue.conn, venue.party, out, AT, groups=["第一支部"])
    assert long in squash(pdf_text(out))


def test_print_cli_writes_the_attendance_report(venue, fixed_clock, tmp_path, db_path) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    for name in ("张三", "李四", "王䶮"):
        att.sign_in(c, m, ids[name], "一号台", "clerk", fixed_clock)
    att.open_voting(c, m, "第一轮", "秘书处", fixed_clock)
    c.close()
    out = tmp_path / "report.pdf"
    r = subprocess.run([*pollday_cmd(), "print", "attendance-report", "--db", str(db_path),
                        "--out", str(out), "--at", "2026-11-22T09:00:00+08:00", "--round", "第一轮"],
                       capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "应到 7，实到 3" in r.stdout
    assert_fonts_embedded(out)
    text = pdf_text(out)
    for words in ("出席情况报告", "应到会人数", "实到会人数", "出席率", "42.86%（3/7）", "孙病假",
                  "街党工委〔2026〕12号", "第一轮开始投票时冻结", "监票人（签字）", "2026-11-22 09:00"):
        assert words in text, words


def test_the_report_printed_after_the_freeze_uses_the_frozen_present(venue, fixed_clock, tmp_path,
                                                                       db_path) -> None:
    """Walk finding: printed after voting opened, the 出席情况报告 said 实到 51 (89.47%) while the
    locked 报告单 and 公告 said the frozen 50. Printed without a round after the freeze, it takes
    the newest round's frozen figures and lists those who came after the freeze apart."""
    c, m, ids = venue.conn, venue.party, venue.ids
    for name in ("张三", "李四", "王䶮", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提"):
        att.sign_in(c, m, ids[name], "一号台", "clerk", fixed_clock)
    snap = att.open_voting(c, m, "第一轮", "秘书处", fixed_clock)
    assert isinstance(snap, att.Snapshot) and snap.present == 6
    late = att.sign_in(c, m, ids["周请假"], "二号台", "clerk", fixed_clock)
    assert late.outcome is att.Outcome.SIGNED_IN and late.late_for == "第一轮"
    c.close()
    out = tmp_path / "report.pdf"
    r = subprocess.run([*pollday_cmd(), "print", "attendance-report", "--db", str(db_path),
                        "--out", str(out), "--at", "2026-11-22T10:00:00+08:00"],
                       capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "应到 7，实到 6（第一轮冻结），冻结后到会 1" in r.stdout
    text = pdf_text(out)
    assert "85.71%（6/7）" in text and "第一轮开始投票时冻结" in text, text
    assert "100.00%" not in text and "实时统计" not in text
    flat = squash(text)
    assert "第一轮冻结实到后到会人员（1人" in flat and "周请假" in flat and "二号台" in flat
