"""What the desk's feedback panel says for each attendance Result: tone, headline, the name,
one or two lines of detail, and the action button when the clerk must confirm something.

Wording only: every decision was taken by app.attendance; this module turns its Result into
words a clerk reads from a metre away.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.attendance import Outcome, Result
from app.electorate import NO_VOTE_ZH
from app.model import EXCLUSION_REASON_ZH, Person
from ui.widgets.feedback import Tone

LIFT_ACTION = "确认到会：撤销不计入并签到…"
REVOKE_ACTION = "主持人：撤销委托并签到…"
OTHER_DESK_ACTION = "仍在本台签到 (F9)"
# What a clerk can type when a search found nobody.
TYPE_HINT = ("可输入：姓名，姓名拼音（如 zhangsan，或名字的拼音 san），拼音首字母（如 zs），"
             "身份证号后4位以上，或扫描二维码")


@dataclass(frozen=True, slots=True)
class Answer:
    tone: Tone
    headline: str
    title: str
    detail: str = ""
    action: str | None = None


def where(p: Person) -> str:
    """Branch and residents' group, as the clerk knows them."""
    return " / ".join(x for x in (p.branch, p.resident_group) if x) or "—"


def hhmm(at: str) -> str:
    """'2026-11-29T08:31:05+08:00' → '08:31'."""
    return at[11:16]


def answer(r: Result, ref: str | Person, desk: str = "") -> Answer:
    p = r.person
    if r.outcome is Outcome.NOT_ALLOWED:   # the signed-on member's role may not: who may
        shown = p.name if p is not None else ref.name if isinstance(ref, Person) else ref
        return Answer(Tone.RED, "✘ 没有权限，未办理", shown, r.message)
    if p is None:
        shown = ref.name if isinstance(ref, Person) else ref
        if isinstance(ref, str) and ref.strip().isalpha():   # typed: a name or pinyin
            return Answer(Tone.GREY, f"没有找到与“{ref.strip()}”相符的人", "未签到", TYPE_HINT)
        return Answer(Tone.GREY, "名册中没有此人", shown, "请核对证件或二维码，或请工作人员查名册")
    if r.outcome is Outcome.OTHER_DESK:
        # Found on the register, served by another desk: one key signs in here anyway.
        return Answer(Tone.AMBER, f"{r.home}", p.name,
                      f"不在 {desk} 的负责范围，未签到。\n请到该签到台签到；"
                      "确需在本台签到的，按 F9（记入审计日志）", OTHER_DESK_ACTION)
    if r.outcome is Outcome.SIGNED_IN and r.late_for:   # after 实到 was frozen: no ballot
        return Answer(Tone.AMBER, f"⚠ 投票已开始 · {r.late_words}不发选票", p.name,
                      f"{where(p)}\n{r.message.split('：', 1)[-1]}")
    if r.outcome is Outcome.SIGNED_IN:
        detail = where(p)
        if r.proxies_for:  # the use case's words: 发选票 N 张（本人 1 + 委托 N：…）
            detail += "\n" + r.message.split("，", 1)[-1]
        elif r.proxy_problems:
            detail += "\n" + "；".join(r.proxy_problems)
        headline = f"✔ 签到成功 · 发选票 {r.ballots} 张" if r.ballots > 1 else "✔ 签到成功"
        return Answer(Tone.GREEN, headline, p.name, detail)
    if r.outcome is Outcome.DELEGATED:
        if r.standing is not None:   # the holder took the ballot: no second one
            return Answer(Tone.RED, "✘ 已委托他人投票，不发选票", p.name, r.message)
        return Answer(Tone.AMBER, "已委托他人投票", p.name, r.message, action=REVOKE_ACTION)
    if r.outcome is Outcome.ALREADY_SIGNED_IN and r.standing is not None:
        s = r.standing
        return Answer(Tone.RED, "✘ 已经签到过", p.name,
                      f"{hhmm(s.at)} 在 {s.desk} 签到，不能重复签到")
    if r.outcome is Outcome.NO_VOTE:
        why = NO_VOTE_ZH[r.no_vote] if r.no_vote is not None else "无表决权"
        if r.written:
            return Answer(Tone.AMBER, "列席 · 无表决权", p.name,
                          f"{why}\n已登记列席，不计入实到，不发选票")
        return Answer(Tone.AMBER, "不参加本次会议表决", p.name, f"{why}\n未签到")
    if r.outcome is Outcome.EXCLUDED:
        ex = r.exclusion
        why = EXCLUSION_REASON_ZH[ex.reason] if ex is not None else ""
        ref_no = f"（批准：{ex.approval_ref}）" if ex is not None else ""
        return Answer(Tone.AMBER, "已批准不计入应到", p.name,
                      f"{why}{ref_no}\n本人到会要参加选举的，须确认后撤销不计入再签到",
                      action=LIFT_ACTION)
    if r.outcome is Outcome.SIGNED_OUT:
        return Answer(Tone.GREY, "已登记中途退场", p.name, "不计入实到，返回会场时再登记")
    if r.outcome is Outcome.RETURNED:
        return Answer(Tone.GREEN, "✔ 已返回会场", p.name, where(p))
    if r.outcome is Outcome.UNDONE:
        return Answer(Tone.GREY, "已撤销签到", p.name, f"原因：{r.event.reason}" if r.event else "")
    return Answer(Tone.GREY, r.message, p.name)
