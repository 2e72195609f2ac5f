"""A validated round in words: the lines the 结果 page lists and `pollday validate` prints, so the
page and the command line say the same thing (the rule text of every finding included)."""

from __future__ import annotations

from dataclasses import dataclass

from app.voting.validate import RoundValidation


@dataclass(frozen=True, slots=True)
class Line:
    level: str      # "problem" | "error" | "warning" | "settled" | "note" | "ok"
    text: str


def round_lines(v: RoundValidation) -> list[Line]:
    out = [Line("problem", f"✗ 不能锁定：{p.message}") for p in v.problems]
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
