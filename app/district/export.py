"""The district's reports as files: the summary XLSX in the layout forwarded upward (汇总 with the
headline figures, 各社区 one row per community, 班子结构 per body type with the previous term and
the changes, 日报), a PDF report, and the 日报 alone (XLSX or PDF). Every text cell is inert
(app.export.content.append_text_row): a name such as `=HYPERLINK(...)` is shown as written.
Every report names the packages and keys still to be looked at (app.district.text.trust_lines):
未核对密钥, quarantined and excluded packages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.district.figures import COMPLETED, STAGES, Report, daily
from app.district.makeup import METRICS
from app.district.text import (
    daily_lines,
    headline_lines,
    makeup_lines,
    pct,
    post_lines,
    summary_paragraph,
)
from app.district.trust import UNVERIFIED
from app.fileio import FileInUse, finish_atomic, temp_path

TITLE = "社区“两委”换届选举工作汇总"
DAILY_TITLE = "社区“两委”换届选举工作日报"
COMMUNITY_HEADER = ("序号", "街道", "社区", "计划日期", "完成日期", "进度", "按期", "一次性选举成功",
                    "另行选举轮次", "应到会党员", "实际到会党员", "党员大会出席率(%)", "登记选民",
                    "参加投票选民", "选民参选率(%)", "书记主任一肩挑", "报送包校验码",
                    "密钥指纹", "报送次数", "备注")
BODY_HEADER = ("班子", "人数", "平均年龄", "大专及以上(%)", "本科及以上(%)", "35岁以下(%)",
               "女性(%)", "上届人数", "上届平均年龄", "上届大专及以上(%)", "上届本科及以上(%)",
               "上届35岁以下(%)", "上届女性(%)", "与上届相比", "大专及以上(人)", "本科及以上(人)",
               "35岁以下(人)", "女性(人)", "兼职委员(人)", "留任(人)", "新提拔/新进(人)",
               "无上届资料(人)")


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")


def _cell(value: Any) -> Any:
    """A figure for a cell: the Decimal itself (a number in the sheet), "" when there is none
    (never `or ""`: a 0.00 rate is a figure)."""
    return "" if value is None else value


def community_rows(report: Report) -> list[tuple[Any, ...]]:
    rows = []
    for i, c in enumerate(report.communities, start=1):
        sent = bool(c.package)
        rows.append((i, c.street, c.community, c.plan_date or "", c.done_date or "", c.stage,
                     _yes(c.on_time), _yes(c.one_pass), c.runoffs,
                     c.party_expected if sent else "", c.party_present if sent else "",
                     _cell(c.party_attendance_rate),
                     c.voter_expected if sent else "", c.voter_present if sent else "",
                     _cell(c.voter_turnout_rate), _yes(c.dual_role), c.package,
                     c.fingerprint, c.packages or "",
                     "；".join(x for x in (c.covers_words(), c.key_flag) if x)))
    return rows


def body_rows(report: Report) -> list[tuple[Any, ...]]:
    """班子结构: a row per body type, per post of a body and for the 两委 (each person once)."""
    rows = []
    groups = [*report.bodies, *report.posts,
              *([report.two_committees] if report.two_committees is not None else [])]
    for b in groups:
        j = b.data()
        prev = j.get("previous", {})
        rows.append((b.label, b.members, *(_cell(j[m]) for m in METRICS[1:]),
                     *(_cell(prev.get(m)) for m in METRICS), "，".join(j.get("changes", [])),
                     b.college, b.bachelor, b.young, b.women, b.part_time, b.retained, b.fresh,
                     b.unknown_previous))
    return rows


def headline_rows(report: Report, day: dt.date) -> list[tuple[Any, ...]]:
    h = report.headline()
    return [("统计日期", day.isoformat()), ("社区总数", h["communities"]),
            *((f"{s}", h["stages"][s]) for s in STAGES),
            ("计划换届社区", h["planned"]), ("按期完成", h["on_time"]),
            ("按期换届率(%)", _cell(h["on_time_rate"])),
            ("已完成", h["completed"]), ("一次性选举成功", h["one_pass"]),
            ("一次性选举成功率(%)", _cell(h["one_pass_rate"])),
            ("应到会党员", h["party_expected"]), ("实际到会党员", h["party_present"]),
            ("党员大会出席率(%)", _cell(h["party_attendance_rate"])),
            ("登记选民", h["voter_expected"]), ("参加投票选民", h["voter_present"]),
            ("选民参选率(%)", _cell(h["voter_turnout_rate"])),
            ("书记主任一肩挑", h["dual_role"]), ("一肩挑比例(%)", _cell(h["dual_role_rate"])),
            ("另行选举轮次", h["runoffs"])]


def _sheet(wb: Any, title: str, header: tuple[str, ...] | None, rows: list[tuple[Any, ...]],
           widths: tuple[int, ...]) -> Any:
    from openpyxl.styles import Font

    from app.export.content import append_text_row

    ws = wb.create_sheet(title)
    if header:
        append_text_row(ws, list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    for r in rows:
        # Community and street names are user text: one beginning with = + - @ tab CR is a text
        # cell (never a formula in Excel or LibreOffice) and reads back unchanged.
        append_text_row(ws, list(r))
        for cell, v in zip(ws[ws.max_row], r, strict=False):
            if isinstance(v, Decimal):
                # Show the decimals published ("50.0", not "50").
                places = -int(v.as_tuple().exponent)
                cell.number_format = "0." + "0" * places if places > 0 else "0"
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    return ws


def _numbers(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Percent and age texts as numbers in the cells (Excel sums them); exact decimals kept."""
    from decimal import InvalidOperation

    out = []
    for r in rows:
        cells: list[Any] = []
        for v in r:
            if isinstance(v, str) and v and v[0].isdigit() and "-" not in v and "." in v:
                try:
                    cells.append(Decimal(v))
                    continue
                except InvalidOperation:
                    pass
            cells.append(v)
        out.append(tuple(cells))
    return out


def write_xlsx(report: Report, path: Path, day: dt.date, *, daily_only: bool = False) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    if not daily_only:
        ws = _sheet(wb, "汇总", None, [(TITLE, ""), *_numbers(headline_rows(report, day)), ("", "")]
                    + [(line, "") for line in headline_lines(report) + makeup_lines(report)
                       + post_lines(report)]
                    + [("", ""), ("换届工作情况", ""), (summary_paragraph(report, day), "")],
                    (24, 16))
        from openpyxl.styles import Font

        ws["A1"].font = Font(bold=True, size=14)
        _sheet(wb, "各社区", COMMUNITY_HEADER, _numbers(community_rows(report)),
               (6, 12, 22, 12, 12, 8, 6, 10, 8, 10, 12, 12, 10, 12, 12, 10, 16, 22, 8, 40))
        _sheet(wb, "班子结构", BODY_HEADER, _numbers(body_rows(report)),
               (14, 8, 10, 12, 12, 12, 10, 8, 10, 12, 12, 12, 10, 60, 10, 10, 10, 8, 10, 8, 12,
                12))
    d = daily(report, day)
    rows: list[tuple[Any, ...]] = [(line, "", "", "") for line in daily_lines(report, day)[:2]]
    rows.append(("", "", "", ""))
    rows.append(("计划日期", "计划社区数", "已完成", "未完成社区"))
    rows += [(r["plan_date"], r["planned"], r["completed"], "、".join(r["remaining"]))
             for r in d["by_plan_date"]]
    _sheet(wb, "日报", None, rows, (14, 12, 10, 60))
    wb.properties.creator = "PollDay"
    wb.save(path)


def footer_time(at: dt.datetime) -> str:
    """The time a report was made, as the office's clock on the wall shows it (this computer's
    time zone; an ISO UTC stamp read as 5 a.m. for a report made after lunch)."""
    local = at.astimezone() if at.tzinfo is not None else at
    return local.strftime("%Y-%m-%d %H:%M")


def write_pdf(report: Report, path: Path, day: dt.date, at: dt.datetime, *,
              daily_only: bool = False) -> None:
    from reportlab.lib.units import mm

    from app.documents import fonts
    from app.documents.page import CONTENT_W, MARGIN, Column, Flow, footer_text

    c = fonts.new_canvas(str(path))
    c.setTitle(DAILY_TITLE if daily_only else TITLE)
    stamp = footer_time(at)
    flow = Flow(c, lambda cv, page: footer_text(cv, f"PollDay 生成于 {stamp}", page))
    flow.text(DAILY_TITLE if daily_only else TITLE, 16, stack=fonts.HEADING_STACK,
              align="center")
    flow.text(f"统计日期：{day.isoformat()}", 10.5, align="center")
    flow.space(3 * mm)
    if not daily_only:
        for line in headline_lines(report):
            flow.text(line, 11)
        flow.space(2 * mm)
        _stage_bars(flow, report, mm)
        flow.space(3 * mm)
        flow.text("新一届班子结构", 12.5, stack=fonts.HEADING_STACK)
        for line in makeup_lines(report):
            flow.text(line, 10.5)
        if report.posts:
            flow.space(2 * mm)
            flow.text("主要职务", 12.5, stack=fonts.HEADING_STACK)
            for line in post_lines(report):
                flow.text(line, 10.5)
        flow.space(3 * mm)
        flow.text("换届工作情况", 12.5, stack=fonts.HEADING_STACK)
        flow.text(summary_paragraph(report, day), 10.5)
        flow.space(3 * mm)
        flow.text("各社区情况", 12.5, stack=fonts.HEADING_STACK)
        widths = (0.19, 0.11, 0.11, 0.08, 0.08, 0.1, 0.1, 0.07, 0.16)
        cols = [Column(t, w * CONTENT_W, "left" if i == 0 else "center") for i, (t, w) in
                enumerate(zip(("社区", "计划日期", "完成日期", "进度", "一次成功", "党员出席率",
                               "选民参选率", "一肩挑", "校验码"), widths, strict=True))]
        flow.table(cols, [(c.community + ("（未核对密钥）" if c.key_status == UNVERIFIED else "")
                           + (f"（{words}）" if (words := c.covers_words()) else ""),
                           c.plan_date or "—", c.done_date or "—", c.stage,
                           _yes(c.one_pass), pct(c.party_attendance_rate),
                           pct(c.voter_turnout_rate), _yes(c.dual_role), c.package or "—")
                          for c in report.communities], size=9)
        flow.space(3 * mm)
    flow.text("日报", 12.5, stack=fonts.HEADING_STACK)
    d = daily(report, day)
    for line in daily_lines(report, day)[:2 if d["overdue"] else 1]:
        flow.text(line, 11, x=MARGIN)
    flow.space(2 * mm)
    cols = [Column("计划日期", 0.16 * CONTENT_W, "center"),
            Column("计划社区", 0.12 * CONTENT_W, "center"),
            Column("已完成", 0.12 * CONTENT_W, "center"),
            Column("未完成的社区", 0.60 * CONTENT_W)]
    flow.table(cols, [(r["plan_date"] or "—", str(r["planned"]), str(r["completed"]),
                       "、".join(r["remaining"]) or "—") for r in d["by_plan_date"]], size=9.5)
    flow.finish()
    c.save()


def _stage_bars(flow: Any, report: Report, mm: float) -> None:
    """Three horizontal bars: 已完成 / 进行中 / 未开始."""
    from app.documents import fonts
    from app.documents.page import CONTENT_W, MARGIN

    total = max(1, len(report.communities))
    colours = {"已完成": (0.20, 0.55, 0.30), "进行中": (0.95, 0.65, 0.15),
               "未开始": (0.65, 0.65, 0.65)}
    bar_w = CONTENT_W - 40 * mm
    for stage in (COMPLETED, "进行中", "未开始"):
        n = len(report.of_stage(stage))
        flow.need(9 * mm)
        flow.y -= 8 * mm
        fonts.draw_text(flow.c, MARGIN, flow.y + 2 * mm, stage, 10.5)
        flow.c.setFillColorRGB(*colours[stage])
        flow.c.rect(MARGIN + 18 * mm, flow.y + 0.5 * mm, bar_w * n / total, 6 * mm, stroke=0,
                    fill=1)
        flow.c.setFillColorRGB(0, 0, 0)
        fonts.draw_text(flow.c, MARGIN + 20 * mm + bar_w * n / total, flow.y + 2 * mm,
                        f"{n} 个", 10.5)


def write_report(report: Report, path: Path, day: dt.date, *, daily_only: bool = False,
                 at: dt.datetime) -> str:
    """Write `path` by its suffix (.xlsx or .pdf); returns a problem message or ""."""
    suffix = path.suffix.lower()
    tmp = temp_path(path)
    if suffix == ".xlsx":
        write_xlsx(report, tmp, day, daily_only=daily_only)
    elif suffix == ".pdf":
        write_pdf(report, tmp, day, at, daily_only=daily_only)
    else:
        return f"不支持的文件类型：{path.name}（请用 .xlsx 或 .pdf）"
    try:
        finish_atomic(tmp, path)
    except FileInUse as e:   # the earlier report is open in Excel or a PDF viewer (Windows)
        return str(e)
    return ""
