"""The 审计日志 on paper (PDF) and as a spreadsheet (XLSX): the chain check at the top (intact,
or the first row that does not verify, and a printed head compared), the filter in words, then
one row per audit record in words (app.audit_catalogue). The PDF also prints the chain head as
it is now (app/documents/audit_anchor.py), so the printout itself anchors the log.

A character no shipped font has (a hand-edited row, a rare name) is printed as its code point
〔U+XXXX〕 rather than refusing the whole log or leaving a blank."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from app.audit_log import ChainCheck, Entry
from app.fileio import FileInUse, finish_atomic, temp_path

TITLE = "审计日志"
HEADER = ("序号", "时间", "人员", "动作", "类别", "会议", "详情", "结果", "动作代码", "记录的操作人",
          "校验值")


def _printable(text: str) -> str:
    from app.documents import fonts

    for ch in fonts.missing_chars(text):
        text = text.replace(ch, f"〔U+{ord(ch):04X}〕")
    return text


def _stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def write_pdf(entries: Sequence[Entry], check: ChainCheck, path: Path, at: dt.datetime, *,
              community: str = "", filter_words: str = "全部记录") -> int:
    """Write the PDF; returns the number of pages."""
    from reportlab.lib.units import mm

    from app.documents import fonts
    from app.documents.audit_anchor import draw_audit_anchor
    from app.documents.page import CONTENT_W, Column, Flow, footer_text

    c = fonts.new_canvas(str(path))
    c.setTitle(f"{community}{TITLE}")
    stamp = _stamp(at)
    flow = Flow(c, lambda cv, page: footer_text(cv, f"PollDay {TITLE} · 生成于 {stamp}", page))
    flow.text(_printable(f"{community}{TITLE}"), 16, stack=fonts.HEADING_STACK, align="center")
    flow.text(f"生成时间：{stamp}　　范围：{_printable(filter_words)}　　"
              f"列出 {len(entries)} 条（共 {check.rows} 条）", 9.5, align="center")
    flow.space(2 * mm)
    lines = check.lines()
    colour = (0.10, 0.45, 0.20) if check.ok else (0.75, 0.10, 0.10)
    c.setFillColorRGB(*colour)
    flow.text(lines[0], 13, stack=fonts.HEADING_STACK)
    c.setFillColorRGB(0, 0, 0)
    for line in lines[1:]:
        flow.text(_printable(line), 9.5)
    flow.space(1 * mm)
    draw_audit_anchor(flow, check.head)
    flow.space(2 * mm)
    legend = {e.meeting_code: e.meeting for e in entries if e.meeting_code}
    if legend:
        flow.text(_printable("会议代码：" + "；".join(f"{k} = {v}" for k, v in legend.items())),
                  8.5)
        flow.space(1 * mm)
    widths = (0.06, 0.19, 0.11, 0.12, 0.08, 0.44)
    cols = [Column(t, w * CONTENT_W, "center" if i == 0 else "left") for i, (t, w) in
            enumerate(zip(("序号", "时间", "人员", "动作", "会议", "详情"), widths, strict=True))]
    rows = []
    bad = set(check.broken_rows)   # every row that fails, not only the first
    for e in entries:
        mark = "" if check.broken_at is None or e.id < check.broken_at else (
            "（校验不符）" if e.id in bad else "（无法核实）")
        rows.append((str(e.id), e.time, _printable(e.operator), _printable(e.words + mark),
                     _printable(e.meeting_code), _printable(e.text)))
    if rows:
        flow.table(cols, rows, size=8.5)
    else:
        flow.text("（没有符合条件的记录）", 10.5)
    pages = flow.finish()
    c.save()
    return pages


def write_xlsx(entries: Sequence[Entry], check: ChainCheck, path: Path, at: dt.datetime, *,
               community: str = "", filter_words: str = "全部记录") -> None:
    """One sheet 审计日志: title, the chain check in words, the filter, then one row a record.
    Every text is a text cell (a detail beginning with = stays text: app.export.content)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from app.export.content import append_text_row

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = TITLE
    append_text_row(ws, [f"{community}{TITLE}"])
    ws["A1"].font = Font(bold=True, size=14)
    append_text_row(ws, [f"生成时间：{_stamp(at)}；范围：{filter_words}；"
                         f"列出 {len(entries)} 条（共 {check.rows} 条）"])
    for i, line in enumerate(check.lines()):
        append_text_row(ws, [line])
        if i == 0:
            ws.cell(ws.max_row, 1).font = Font(bold=True, color="1A7333" if check.ok else "B00000")
    append_text_row(ws, [])
    append_text_row(ws, list(HEADER))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8D7DA")
    for e in entries:
        append_text_row(ws, [e.id, e.time, e.operator, e.words, e.group, e.meeting, e.text,
                             "" if e.outcome == "ok" else e.outcome, e.action, e.actor, e.hash])
        if check.broken_at is not None and e.id >= check.broken_at:
            for cell in ws[ws.max_row]:
                cell.fill = red
    ws.freeze_panes = f"A{header_row + 1}"
    for col, width in zip("ABCDEFGHIJK", (6, 19, 12, 16, 10, 24, 80, 10, 24, 16, 20), strict=True):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "PollDay"
    wb.save(path)


def write_report(entries: Sequence[Entry], check: ChainCheck, path: Path, at: dt.datetime, *,
                 community: str = "", filter_words: str = "全部记录") -> str:
    """Write `path` by its suffix (.pdf or .xlsx) under a temporary name, then rename; returns
    a problem in words, or ""."""
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        return f"不支持的文件类型：{path.name}（请用 .pdf 或 .xlsx）"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(path)
    try:
        if suffix == ".pdf":
            write_pdf(entries, check, tmp, at, community=community, filter_words=filter_words)
        else:
            write_xlsx(entries, check, tmp, at, community=community, filter_words=filter_words)
    except BaseException:
        tmp.unlink(missing_ok=True)   # no half-written file left beside the printouts
        raise
    try:
        finish_atomic(tmp, path)
    except FileInUse as e:   # the earlier copy is open in a viewer or Excel (Windows)
        return f"{e}（新生成的文件没有保存）"
    return ""
