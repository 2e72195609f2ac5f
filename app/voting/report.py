"""A validated round in words: the lines the 结果 page lists and `pollday validate` prints, so the
page and the command line say the same thing (the rule text of every finding included); and
what the results printed from a validation may show (a round with nothing entered shows no
zeros; the 公告, 报告单 and 当选证书 only from locked results)."""

from __future__ import annotations

from dataclasses import dataclass

from app.voting.model import State, VotingRound
from app.voting.validate import MeetingValidation, RoundValidation


@dataclass(frozen=True, slots=True)
class Line:
    level: str      # "problem" | "error" | "warning" | "settled" | "note" | "ok"
    text: str


def round_lines(v: RoundValidation) -> list[Line]:
    # A locked round can still be found wrong (ELECTED_TO_TWO_POSTS found after the lock).
    head = "✗ 已锁定，但有问题" if v.round.state is State.LOCKED else "✗ 不能锁定"
    ask = {p.code for p in v.needs_decision}   # lockable with a decision recorded in words
    out = [Line("warning", f"! 已按记录的决定锁定：{p.message}") if p.decision
           else Line("warning", f"! 锁定须记录街道（乡镇）选举工作指导机构意见：{p.message}")
           if p.code in ask else Line("problem", f"{head}：{p.message}") for p in v.problems]
    for f in v.findings:
        settled = f.code in v.settled
        level = "settled" if settled else "error" if f.is_error else "warning"
        kind = "已处理" if settled else "错误" if f.is_error else "提示"
        detail = f"（{f.detail_zh}）" if f.detail_zh else ""
        out.append(Line(level, f"{'✗' if f.is_error else '!'} [{kind}] {f.title_zh}{detail}\n"
                               f"    规则：{f.rule_zh}"))
    r = v.round
    if r.no_fill is not None:
        out.append(Line("note", f"会议决定不再补选：{r.no_fill.decided_by}；理由：{r.no_fill.why}"))
    if not out:
        out.append(Line("ok", "✓ 没有发现问题"))
    return out


def box_totals_zh(r: VotingRound) -> str:
    """发出 and 收回 as the scrutineers recorded them on the boxes, in the words 投票计票 and
    `pollday box set` use (发出合计 … 张): never the core's stand-in of 实到 while no box is
    recorded, and never the ballots entered (those are 已录入)."""
    if not r.boxes:
        return "发出、收回：尚未登记票箱"
    return f"发出合计 {r.issued} 张　收回合计 {r.returned} 张"


def not_entered(v: RoundValidation) -> bool:
    """No ballot and no tally sheet entered yet: its counts would all read 0."""
    res = v.result
    return (res is not None and res.count.returned == res.count.valid + res.count.invalid == 0
            and v.round.state is not State.LOCKED)


# The documents printed only from a locked result (app.documents.results_source.locked_result_doc),
# with the word its refusal uses.
NEEDS_LOCK = {"notice": "公告", "count-report": "选举结果报告单", "certificates": "当选证书"}


def not_final(mv: MeetingValidation, what: str) -> str | None:
    """Why `what` cannot be printed from this validation yet (the words of
    locked_result_doc), or None."""
    unvoted = [c.title for c in mv.contests if not c.rounds]
    open_rounds = unlocked(mv)
    if not mv.contests:
        return f"{mv.meeting.title} 没有选举事项，不能打印{what}"
    if not (unvoted or open_rounds):
        return None
    parts = []
    if unvoted:
        parts.append("尚未投票：" + "、".join(unvoted))
    if open_rounds:
        parts.append("尚未锁定：" + "、".join(open_rounds))
    return f"选举结果尚未锁定，不能打印{what}（" + "；".join(parts) + "）。请先完成验证并锁定结果。"


def unlocked(mv: MeetingValidation) -> list[str]:
    """Labels of the rounds not locked yet (their results are not final)."""
    return [v.round.label for c in mv.contests for v in c.rounds if v.round.lock is None]
