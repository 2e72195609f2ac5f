"""The district's input spreadsheets: the plan (社区, 计划日期[, 街道]) and the previous term's
make-up (班子[, 职务], 人数, 平均年龄, 大专及以上, 本科及以上, 35岁以下, 女性[, 一肩挑]): one row per
body (职务 empty) or per post of a body (党组织委员会 + 书记; 两委 for both committees together), the
active visible sheet, a header row then one row per community / body / post. Headers are matched by the words in them, so "计划换届日期"
and "计划日期" both work. Bad rows are reported, one message each, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import posts
from app.district import makeup, rates

PLAN_HEADER = ("社区", "计划日期", "街道")
PREVIOUS_HEADER = ("班子", "人数", "平均年龄", "大专及以上(%)", "本科及以上(%)", "35岁以下(%)",
                   "女性(%)", "书记主任一肩挑(%)")
_PREVIOUS_WORDS = (("一肩挑", "dual_role_pct"), ("人数", "members"), ("平均年龄", "average_age"),
                   ("大专", "college_pct"), ("本科", "bachelor_pct"), ("35", "under35_pct"),
                   ("女", "women_pct"))
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True, slots=True)
class SheetProblems:
    messages: tuple[str, ...]


def _rows(path: Path) -> list[tuple[Any, ...]] | SheetProblems:
    """The non-empty rows of the active visible sheet, read under the register's limits
    (app.register.limits). Error cells (#REF!, #DIV/0! ...) are refused by cell; merged ranges
    below the header are refused naming the range (these sheets are small and made from our own
    template: one value per cell is asked for rather than guessed)."""
    from app.register.grid import read_grid
    from app.register.limits import column_letter, is_error
    from app.register.sheets import Unreadable

    got = read_grid(path)
    if isinstance(got, Unreadable):
        return SheetProblems((f"{got.file}：{got.reason}",))
    problems = [f"{column_letter(c)}{n} 是表格的错误值 {str(v).strip()}（公式出错或引用失效），请改正后再导入"
                for n, values in got.rows for c, v in enumerate(values) if is_error(v)]
    header_no = got.rows[0][0] if got.rows else 0
    problems += [f"{r.ref} 是合并单元格（合并后只有左上角的格子有内容），请取消合并并在每一格填写"
                 for r in got.merged if r.max_row > header_no
                 and (r.max_row > r.min_row or r.max_col > r.min_col)]
    if problems:
        return SheetProblems(tuple(f"{path.name}（工作表「{got.sheet}」）{p}" for p in problems))
    return [tuple(values) for _n, values in got.rows]


def parse_date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    m = _DATE.match(str(value or ""))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def _column(header: tuple[Any, ...], *words: str) -> int | None:
    for i, h in enumerate(header):
        if any(w in str(h or "") for w in words):
            return i
    return None


def read_plan(path: Path) -> list[tuple[str, str, str]] | SheetProblems:
    from app.register.fields import format_control

    rows = _rows(path)
    if isinstance(rows, SheetProblems):
        return rows
    if not rows:
        return SheetProblems(("计划表是空的",))
    header = rows[0]
    ci, di = _column(header, "社区"), _column(header, "日期", "计划")
    si = _column(header, "街道", "乡镇")
    if ci is None or di is None:
        return SheetProblems(("计划表第1行应为表头，含“社区”和“计划日期”两列",))
    out: list[tuple[str, str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, r in enumerate(rows[1:], start=2):
        name = str(r[ci] or "").strip() if ci < len(r) else ""
        date = parse_date(r[di]) if di < len(r) else None
        street = str(r[si] or "").strip() if si is not None and si < len(r) else ""
        control = format_control(name)
        if not name:
            problems.append(f"第{n}行：没有社区名称")
        elif control:
            problems.append(f"第{n}行：社区名称含有不可见的格式控制字符 {control}，请删除后再导入")
        elif date is None:
            problems.append(f"第{n}行（{name}）：计划日期无法识别：{r[di] if di < len(r) else ''}")
        elif name in seen:
            problems.append(f"第{n}行（{name}）：社区重复出现")
        else:
            seen.add(name)
            out.append((name, date, street))
    return SheetProblems(tuple(problems)) if problems else out


_BODY_WORDS = (("两委", makeup.TWO_COMMITTEES), ("纪委", makeup.DISCIPLINE),
               ("纪律检查", makeup.DISCIPLINE), ("居务监督", makeup.SUPERVISORY),
               ("居委", makeup.RESIDENTS), ("居民委员会", makeup.RESIDENTS),
               ("监事会", makeup.COOP_SUPERVISORS), ("理事会", makeup.COOP_BOARD),
               ("党组织", makeup.PARTY), ("党委", makeup.PARTY), ("党总支", makeup.PARTY),
               ("党支部", makeup.PARTY))
BODY_CHOICES = (*makeup.BODY_ORDER, makeup.TWO_COMMITTEES)


def _body(text: str) -> str | None:
    """The body type a cell names (党组织委员会, 居委会, 两委 …), or None (e.g. a post typed as a
    body: 书记)."""
    t = text.strip()
    if t in BODY_CHOICES:
        return t
    for word, body in _BODY_WORDS:
        if word in t:
            return body
    return None


def _post(text: str) -> str | None:
    t = text.strip()
    if t in ("", posts.MEMBER, "全体", "班子"):
        return ""
    return t if t in posts.POSTS else None


def read_previous(path: Path) -> list[tuple[str, str, str, str]] | SheetProblems:
    """(body, post, metric, value) of each figure; post "" for a body as a whole. A row whose
    班子 or 职务 is not recognised is refused with its number and the reason (a 书记 row once
    became a body of its own with no members)."""
    rows = _rows(path)
    if isinstance(rows, SheetProblems):
        return rows
    if not rows:
        return SheetProblems(("上届班子结构表是空的",))
    header = rows[0]
    post_col = next((i for i, h in enumerate(header) if "职务" in str(h or "")), None)
    columns: dict[int, str] = {}
    for i, h in enumerate(header[1:], start=1):
        if i == post_col:
            continue
        for word, metric in _PREVIOUS_WORDS:
            if word in str(h or ""):
                columns[i] = metric
                break
    if not columns:
        return SheetProblems(("上届班子结构表第1行应为表头：" + "、".join(PREVIOUS_HEADER),))
    out: list[tuple[str, str, str, str]] = []
    problems: list[str] = []
    for n, r in enumerate(rows[1:], start=2):
        cell = str(r[0] or "").strip()
        post_cell = str(r[post_col] or "").strip() if post_col is not None and \
            post_col < len(r) else ""
        body, post = _body(cell), _post(post_cell)
        if body is None:
            hint = ("；“" + cell + "”是职务，请在“班子”列写班子（如 党组织委员会），在“职务”列写"
                    + cell) if cell in posts.POSTS else ""
            problems.append(f"第{n}行：班子“{cell}”无法识别（应为 {'、'.join(BODY_CHOICES)}）"
                            + hint + "，整张表未导入")
            continue
        if post is None:
            problems.append(f"第{n}行（{body}）：职务“{post_cell}”无法识别（应为 "
                            f"{'、'.join(posts.POSTS)}，或留空表示整个班子），整张表未导入")
            continue
        for i, metric in columns.items():
            raw = r[i] if i < len(r) else None
            if raw in (None, ""):
                continue
            value = rates.parse(raw)
            if value is None:
                problems.append(f"第{n}行（{body}{post}）{header[i]}：不是数字：{raw}")
                continue
            if metric == "dual_role_pct":
                out.append(("", "", metric, str(value)))
            else:
                out.append((body, post, metric, str(value)))
    return SheetProblems(tuple(problems)) if problems else out


def write_sheet(path: Path, header: tuple[str, ...], rows: list[tuple[Any, ...]],
                title: str) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)


def load_sheet(conn: Any, kind: str, path: Path, at: str) -> \
        list[tuple[str, str, str]] | list[tuple[str, str, str, str]] | SheetProblems:
    """Read the plan (`kind` "plan") or the previous term ("previous") and store it whole."""
    from db import district as store

    if kind == "plan":
        plan = read_plan(path)
        if not isinstance(plan, SheetProblems):
            store.replace_plan(conn, plan, at)
        return plan
    prev = read_previous(path)
    if not isinstance(prev, SheetProblems):
        store.replace_previous(conn, prev, at)
    return prev
