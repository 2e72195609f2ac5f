"""出席情况报告: 应到, exclusions with their reasons and approvals, 请假, 实到, 出席率, the quorum
rule and whether it is met, the time of the figures, and signature lines.

Each exclusion shows its legal reason (rules.md §1.1) and the approval, not the free-text detail
typed with it: that may name an illness, is kept out of the district's copy of the database
(app/export/format.py) and so stays out of the paper that goes with it.

With a round label the figures are the ones frozen when voting opened for that round
(`attendance.open_voting`); without, the newest round's frozen figures once voting has opened
(what the 报告单 and 公告 print), those who signed in after that freeze listed apart; before any
freeze, the live figures at the time given."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from reportlab.lib.units import mm

from app import attendance as att
from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import CONTENT_W, Column, Flow, footer_text
from app.meetings import Refusal, list_exclusions, list_leaves
from app.model import EXCLUSION_REASON_ZH, Form, Meeting, RuleSet
from app.names import name_sort_key
from db import persons as db_persons
from db.privacy import masked

_EXPECTED_LABEL = {
    Form.ALL: "登记选民数（应参加投票）", Form.HOUSEHOLD: "户数（应参加投票）",
    Form.REPRESENTATIVE: "居民代表数（应参加投票）",
}


def _when(s: str) -> str:
    return s.replace("T", " ")[:16]


def _figures(meeting: Meeting, s: att.Summary, snap: att.Snapshot | None) -> list[list[str]]:
    expected = snap.expected if snap else s.expected
    present = snap.present if snap else s.counted
    met = snap.quorum_met if snap else s.quorum_met
    rule = snap.rule_zh if snap else s.rule
    verdict = "符合规定，会议有效" if met else "不符合规定，不能进行选举"
    if meeting.rules is RuleSet.RESIDENTS:
        verdict = "已达规定人数" if met else "未达规定人数"
        rows = [[_EXPECTED_LABEL[meeting.form], str(expected)],
                ["已签到选民", str(s.present)]]
        if s.represented:
            rows.append(["受委托代为投票（委托人未到）", str(s.represented)])
        rows.append(["计入参加投票人数", str(present)])
    else:
        rows = [["有选举权的人数", str(s.registered)],
                ["经批准不计入应到会人数", str(snap.excluded if snap else s.excluded)],
                ["应到会人数", str(expected)],
                ["请假人数（计入应到）", str(snap.on_leave if snap else s.leave)],
                ["实到会人数", str(present)]]
    rows += [["出席率", f"{att.format_rate(present, expected)}（{present}/{expected}）"],
             ["中途退场（统计时）", str(s.signed_out)] if snap is None else ["冻结轮次", snap.round_label],
             ["列席（无表决权）", str(s.attending)],
             ["法定人数规定", rule],
             ["结论", verdict]]
    return rows


def render_report(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
                  round_label: str | None = None) -> Printed | Refusal:
    snap = att.snapshot(conn, meeting, round_label) if round_label else None
    if round_label and snap is None:
        return Refusal("NO_SUCH_ROUND", f"{round_label} 尚未冻结实到人数（开始投票时冻结）")
    if snap is None:   # voting opened: 实到 is the newest freeze's, as the 报告单 and 公告 print
        taken_all = att.snapshots(conn, meeting)
        snap = taken_all[-1] if taken_all else None
    s = att.attendance_summary(conn, meeting)
    log = att.events(conn, meeting)   # read once: the late arrivals and the lifted exclusions
    late = _late_arrivals(conn, log, s, snap)
    exclusions = sorted(list_exclusions(conn, meeting.id),
                        key=lambda e: (name_sort_key(e.person_name), e.person_id))
    leaves = sorted(list_leaves(conn, meeting.id),
                    key=lambda lv: (name_sort_key(lv.person_name), lv.person_id))
    lifted = [e for e in log if e.kind is att.Kind.LIFT_EXCLUSION]
    names = {e.person_id: e.person_name for e in exclusions}
    names |= {lv.person_id: lv.person_name for lv in leaves}
    for p in db_persons.get_many(conn, [e.person_id for e in lifted]):
        names[p.id] = p.name
    fonts.check_names((f"{n}（名册编号 {pid}）", n) for pid, n in names.items())
    taken = _when(snap.taken_at) if snap else _when(iso(at))

    c = fonts.new_canvas(str(out))
    c.setTitle(f"{meeting.title}出席情况报告")
    c.setCreator("PollDay")
    printed_at = _when(iso(at))
    flow = Flow(c, lambda cv, page: footer_text(cv, f"打印时间 {printed_at}　{meeting.title}", page))
    flow.text(meeting.title, 15, stack=fonts.HEADING_STACK, align="center")
    flow.text("出席情况报告", 18, stack=fonts.HEADING_STACK, align="center", gap=2.0)
    flow.space(3 * mm)
    place = f"　地点：{meeting.venue}" if meeting.venue else ""
    flow.text(f"会议日期：{meeting.date}{place}", 11)
    basis = f"（{snap.round_label}开始投票时冻结）" if snap else "（实时统计）"
    flow.text(f"统计时间：{taken}{basis}", 11)
    flow.space(2 * mm)
    flow.table([Column("项目", 62 * mm), Column("情况", CONTENT_W - 62 * mm)],
               _figures(meeting, s, snap), size=11)

    if meeting.rules is RuleSet.PARTY or exclusions:
        flow.space(5 * mm)
        flow.text(f"经批准不计入应到会人数的人员（{len(exclusions)} 人）", 12,
                  stack=fonts.HEADING_STACK)
        if exclusions:
            flow.table(
                [Column("序号", 12 * mm, "center"), Column("姓名", 28 * mm),
                 Column("原因", 62 * mm), Column("批准文号（日期）", CONTENT_W - 102 * mm)],
                [[str(i + 1), e.person_name,
                  EXCLUSION_REASON_ZH[e.reason],
                  f"{e.approval_ref}（{e.approved_on}）"] for i, e in enumerate(exclusions)],
                who=[e.person_name for e in exclusions])
        else:
            flow.text("无", 10.5)
    if lifted:
        flow.space(4 * mm)
        flow.text(f"到会后撤销不计入应到（{len(lifted)} 人，已计入应到）", 12,
                  stack=fonts.HEADING_STACK)
        flow.table([Column("序号", 12 * mm, "center"), Column("姓名", 34 * mm),
                    Column("原因", CONTENT_W - 86 * mm), Column("时间", 40 * mm)],
                   [[str(i + 1), names.get(e.person_id, str(e.person_id)), masked(e.reason),
                     _when(e.at)] for i, e in enumerate(lifted)])
    flow.space(5 * mm)
    flow.text(f"请假人员（{len(leaves)} 人，计入应到会人数）", 12, stack=fonts.HEADING_STACK)
    if leaves:
        flow.table([Column("序号", 12 * mm, "center"), Column("姓名", 34 * mm),
                    Column("事由", CONTENT_W - 46 * mm)],
                   [[str(i + 1), lv.person_name, masked(lv.reason) or "—"] for i, lv in enumerate(leaves)],
                   who=[lv.person_name for lv in leaves])
    else:
        flow.text("无", 10.5)
    if snap is not None and late:
        flow.space(4 * mm)
        flow.text(f"{snap.round_label}冻结实到后到会人员（{len(late)} 人，不计入{snap.round_label}"
                  "实到人数，该次投票未发选票）", 12, stack=fonts.HEADING_STACK)
        flow.table([Column("序号", 12 * mm, "center"), Column("姓名", 34 * mm),
                    Column("签到台", CONTENT_W - 86 * mm), Column("签到时间", 40 * mm)],
                   [[str(i + 1), n, d, _when(a)] for i, (n, d, a) in enumerate(late)],
                   who=[n for n, _d, _a in late])
    if s.duplicates:
        flow.space(4 * mm)
        flow.text(f"重复签到待处理（{len(s.duplicates)} 起，均只计一次）", 12, stack=fonts.HEADING_STACK)
        for d in s.duplicates:
            flow.text(f"{d.name}：{d.standing.desk} {_when(d.standing.at)} 签到；"
                      f"{d.duplicate.desk} {_when(d.duplicate.at)} 重复签到", 10)
    flow.space(8 * mm)
    flow.signatures(["大会秘书处（签字）", "监票人（签字）", "计票人（签字）", "会议主持人（签字）"])
    flow.space(8 * mm)
    flow.text("日期：　　　　年　　月　　日", 11, stack=fonts.KAI_STACK, align="right")
    pages = flow.finish()
    c.save()
    if snap is not None:
        return Printed(out, pages, snap.present,
                       f"应到 {snap.expected}，实到 {snap.present}（{snap.round_label}冻结）"
                       + (f"，冻结后到会 {len(late)}" if late else ""))
    return Printed(out, pages, s.present, f"应到 {s.expected}，实到 {s.present}")


def _late_arrivals(conn: sqlite3.Connection, log: list[att.Event], s: att.Summary,
                   snap: att.Snapshot | None) -> list[tuple[str, str, str]]:
    """(name, desk, time) of the voters present now who were not in `snap`'s frozen 实到, in
    sign-in order (`log`: the meeting's events)."""
    if snap is None:
        return []
    ids = set(s.present_ids) - set(snap.person_ids)
    if not ids:
        return []
    signed: dict[int, att.Event] = {}
    for e in log:
        if e.kind is att.Kind.SIGN_IN and e.person_id in ids:
            signed[e.person_id] = e
    names = {p.id: p.name for p in db_persons.get_many(conn, sorted(ids))}
    rows = sorted(signed.values(), key=lambda e: (e.at, e.person_id))
    return [(names.get(e.person_id, str(e.person_id)), e.desk, e.at) for e in rows]


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--round", default=None, metavar="LABEL",
                   help="use the figures frozen when voting opened for this round")


@print_kind("attendance-report", "出席情况报告: 应到/不计入/请假/实到/出席率, signatures", _args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    return render_report(conn, meeting, out, at, getattr(args, "round", None))
