"""The plain text of a 正字计票单 for `pollday tally enter` and `pollday resolve --sheet`, the
fields of the GUI's 计票单 tab:

    有效 195        valid ballots (有效票 too)
    无效 5          invalid ballots (无效票 too)
    张三 120 30     a candidate of the round: 赞成 then 不赞成
    +王五 3         另选他人 and the ballots that wrote them in with ○ (＋ too)
    # a comment    skipped, and so are empty lines

Every candidate of the round once, in any order; numbers are whole and not negative. Whether the
figures can be (approvals above valid × seats, …) is the core's check (app.voting.tally).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_VALID = ("有效", "有效票")
_INVALID = ("无效", "无效票")
_NUMBER = re.compile(r"\d+")


@dataclass
class SheetText:
    valid: int | None = None
    invalid: int | None = None
    approve: dict[str, int] = field(default_factory=dict)
    disapprove: dict[str, int] = field(default_factory=dict)
    write_ins: dict[str, int] = field(default_factory=dict)


def _numbers(parts: Sequence[str], want: int, what: str) -> list[int] | str:
    if len(parts) != want or not all(_NUMBER.fullmatch(p) for p in parts):
        return f"{what}须写 {want} 个整数"
    return [int(p) for p in parts]


def parse_sheet(text: str, candidates: Sequence[str]) -> SheetText | list[str]:
    """The sheet, or every problem as "第N行：why" (and the missing lines)."""
    sheet = SheetText()
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, *rest = line.split()
        problem = ""
        if head[0] in "+＋":
            name = head[1:]
            got = _numbers(rest, 1, f"另选他人“{name}”后")
            if not name:
                problem = "“+”后须写另选他人的姓名，再写票数，如：+王五 3"
            elif isinstance(got, str):
                problem = got + "（票数）"
            elif name in candidates:
                problem = f"{name} 是本轮候选人，请写在候选人行（姓名 赞成 不赞成），不用 +"
            else:
                sheet.write_ins[name] = sheet.write_ins.get(name, 0) + got[0]
                continue
        elif head in _VALID or head in _INVALID:
            got = _numbers(rest, 1, f"“{head}”后")
            key = "有效" if head in _VALID else "无效"
            if isinstance(got, str):
                problem = got + "（张数）"
            elif key in seen:
                problem = f"“{key}”已在第{seen[key]}行写过"
            else:
                seen[key] = number
                if key == "有效":
                    sheet.valid = got[0]
                else:
                    sheet.invalid = got[0]
                continue
        elif head in candidates:
            got = _numbers(rest, 2, f"候选人 {head} 后")
            if isinstance(got, str):
                problem = got + "（赞成 不赞成）"
            elif head in seen:
                problem = f"候选人 {head} 已在第{seen[head]}行写过"
            else:
                seen[head] = number
                sheet.approve[head], sheet.disapprove[head] = got
                continue
        else:
            problem = (f"“{head}”不是本轮候选人（{'、'.join(candidates)}）；"
                       f"另选他人请写 +{head} 票数，有效/无效票请写 有效 N、无效 N")
        problems.append(f"第{number}行：{problem}")
    missing = [n for n in ("有效", "无效", *candidates) if n not in seen]
    if missing:
        problems.append("缺少：" + "、".join(missing) + "（每名候选人一行：姓名 赞成 不赞成）")
    return problems or sheet
