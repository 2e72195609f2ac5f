"""The district's input spreadsheets: the plan (社区, 计划日期[, 街道]) and the previous term's
make-up (班子, 人数, 平均年龄, 大专及以上, 本科及以上, 35岁以下, 女性[, 一肩挑]), the active visible
sheet, a header row then one row per community / body. Headers are matched by the words in them, so "计划换届日期"
and "计划日期" both work. Bad rows are reported, one message each, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def _body(text: str) -> str:
    t = text.strip()
    if t in makeup.BODY_ORDER:
        return t
    if "党" in t and "纪" not in t:
        return makeup.PARTY
    if "居委" in t:
        return makeup.RESIDENTS
    return makeup.body_type(t)


def read_previous(path: Path) -> list[tuple[str, str, str]] | SheetProblems:
    rows = _rows(path)
    if isinstance(rows, SheetProblems):
        return rows
    if not rows:
        return SheetProblems(("上届班子结构表是空的",))
    header = rows[0]
    columns: dict[int, str] = {}
    for i, h in enumerate(header[1:], start=1):
        for word, metric in _PREVIOUS_WORDS:
            if word in str(h or ""):
                columns[i] = metric
                break
    if not columns:
        return SheetProblems(("上届班子结构表第1行应为表头：" + "、".join(PREVIOUS_HEADER),))
    out: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for n, r in enumerate(rows[1:], start=2):
        body = _body(str(r[0] or ""))
        for i, metric in columns.items():
            raw = r[i] if i < len(r) else None
            if raw in (None, ""):
                continue
            value = rates.parse(raw)
            if value is None:
                problems.append(f"第{n}行（{body}）{header[i]}：不是数字：{raw}")
                continue
            out.append((body, metric, str(value)))
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


def load_sheet(conn: Any, kind: str, path: Path, at: str) -> list[tuple[str, str, str]] | \
        SheetProblems:
    """Read the plan (`kind` "plan") or the previous term ("previous") and store it whole."""
    from db import district as store

    rows = (read_plan if kind == "plan" else read_previous)(path)
    if isinstance(rows, SheetProblems):
        return rows
    (store.replace_plan if kind == "plan" else store.replace_previous)(conn, rows, at)
    return rows
