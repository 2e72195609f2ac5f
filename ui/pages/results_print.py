"""The 结果 page's documents: each kind of app/documents rendered to PDF off the GUI thread, and
the results printed through the system print dialog.

PySide6-Essentials has no QtPdf, so a PDF cannot be rendered onto a printer page without another
library (and pdftoppm is not on the clerks' Windows laptops). The printer therefore gets the same
content drawn with QPainter from the same validation (figures, every person's votes, the elected,
the signature lines), while the PDF buttons give the official layout.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from app.documents.kinds import Printed, discover
from app.fileio import FileInUse, finish_atomic, safe_filename, temp_path
from app.meetings import Refusal, get_meeting
from app.rules import STATUS_ZH
from app.voting import MeetingValidation
from app.voting.report import NEEDS_LOCK, box_totals_zh, not_entered, not_final, unlocked
from ui import output_folder
from ui.tasks import Outcome, Task

if TYPE_CHECKING:
    from ui.pages.results_page import ResultsPage

# The documents of this step, in the order they are needed on the spot.
KINDS = (("notice", "计票结果公告"), ("count-report", "选举结果报告单"),
         ("certificates", "当选证书"), ("tally-record", "发票收票记录"),
         ("attendance-report", "出席情况报告"))


def render_work(db_path: Path, meeting_id: int, kind_name: str, out: Path,
                at: dt.datetime, argv: Sequence[str] = (),
                operator: str | None = None) -> Callable[..., Any]:
    """Work for ui.tasks: render one document kind to `out` (temporary name, then renamed);
    `argv` are the kind's own options as on the command line (`--contest wy`); `operator`: the
    person printing as signed on (an Actor: a name typed in argv would not be verified)."""

    def work(_progress: Callable[..., None], _cancel: object) -> Printed | Refusal:
        from app.documents.fonts import GlyphMissing
        from db.connection import connect

        kind = discover()[kind_name]
        parser = argparse.ArgumentParser()
        if kind.add_arguments is not None:
            kind.add_arguments(parser)
        args = parser.parse_args(list(argv))
        args.out, args.meeting, args.at = out, None, at.isoformat()
        if operator is not None:
            args.operator = operator
        conn = connect(db_path, create=False)
        tmp = temp_path(out)
        try:
            meeting = get_meeting(conn, meeting_id)
            if meeting is None:
                return Refusal("NO_SUCH_MEETING", "会议不存在")
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                result = kind.render(conn, meeting, tmp, at, args)
            except GlyphMissing as e:
                return Refusal("GLYPH_MISSING", str(e))
            if isinstance(result, Refusal):
                return result
            try:
                finish_atomic(tmp, out)
            except FileInUse as e:   # the earlier copy is open in a PDF viewer (Windows)
                return Refusal("FILE_IN_USE", f"{e}（新生成的文件没有保存）")
            return result
        finally:
            tmp.unlink(missing_ok=True)
            conn.close()

    return work


def report_lines(mv: MeetingValidation) -> list[tuple[str, int, bool]]:
    """(text, point size, bold) lines of the printed results, from the validation."""
    m = mv.meeting
    lines: list[tuple[str, int, bool]] = [(m.title, 16, True), (f"{m.community}　{m.date}", 11,
                                                                   False), ("", 8, False)]
    for c in mv.contests:
        for v in c.rounds:
            r, res = v.round, v.result
            lines.append((r.label + (f"　校验码 {r.lock.hash}" if r.lock
                                     else "　（未锁定，不是最终结果）"), 13, True))
            s = r.snapshot
            if res is None or not_entered(v):   # never a round with no entries as zeros
                why = "尚未录入选票，计票未完成" if res is not None else "计票未完成"
                lines.append((f"应到 {s.expected}　实到 {s.present}　{why}", 11, False))
                continue
            n = res.count
            # The same figures in the same words as the 结果 page's header (box_totals_zh).
            lines.append((f"应到 {s.expected}　实到 {s.present}　{box_totals_zh(r)}　已录入 "
                          f"{n.returned}（有效 {n.valid}　无效 {n.invalid}）　应选 {r.seats} 名",
                          11, False))
            lines.append((STATUS_ZH[res.status], 11, True))
            for t in n.tally:
                mark = "　当选" if t.name in res.elected else ""
                lines.append((f"　{t.name}{'（另选）' if t.write_in else ''}　赞成 {t.approve}　"
                              f"不赞成 {t.disapprove}　弃权 {t.abstain}{mark}", 11, False))
            lines.append((f"监票人：{'、'.join(r.officials.scrutineers)}　"
                          f"计票人：{'、'.join(r.officials.counters)}", 11, False))
            lines.append(("签字：______________　______________　______________", 11, False))
            lines.append(("", 8, False))
        lines.append((f"{c.title}当选：{'、'.join(c.elected) or '无'}", 12, True))
        lines.append(("", 8, False))
    return lines


def paint_report(printer: QPrinter, mv: MeetingValidation) -> int:
    """Draw the results on the printer's pages; returns the number of pages."""
    painter = QPainter(printer)
    page = printer.pageLayout().paintRectPixels(printer.resolution())
    y, pages = 0.0, 1
    for text, size, bold in report_lines(mv):
        font = QFont()
        font.setPointSize(size)
        font.setBold(bold)
        painter.setFont(font)
        h = painter.fontMetrics().height() * 1.35
        if y + h > page.height():
            printer.newPage()
            y, pages = 0.0, pages + 1
        painter.drawText(QRectF(0, y, page.width(), h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        y += h
    painter.end()
    return pages


class PrintPanel(QGroupBox):
    def __init__(self, page: ResultsPage) -> None:
        super().__init__(self.title_words())
        self.page = page
        self.tasks: dict[str, Task] = {}
        self.last: dict[str, Printed | Refusal | str] = {}
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for kind, title in KINDS:
            b = QPushButton(f"{title} PDF")
            b.clicked.connect(lambda _c=False, k=kind: self.make_pdf(k))
            if kind not in NEEDS_LOCK:  # those: follow() says why greyed, then the folder
                output_folder.attach(b, page.ctx)  # the tooltip names where the PDF goes
            self.buttons[kind] = b
            row.addWidget(b)
        self.print_button = QPushButton("打印到打印机…")
        self.print_button.setToolTip("通过系统打印对话框打印本次结果（与 PDF 内容相同，排版从简）")
        self.print_button.clicked.connect(self.ask_print)
        row.addWidget(self.print_button)
        row.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("打开文件夹")
        self.open_folder_button.setToolTip("打开打印文件所在的文件夹")
        self.open_folder_button.clicked.connect(
            lambda: output_folder.open_path(self.printed_to or self.folder(), self))
        self.printed_to: Path | None = None
        self.open_folder_button.hide()  # until a PDF was made
        self.change_folder_button = QPushButton("更改输出文件夹…")
        self.change_folder_button.clicked.connect(
            lambda: output_folder.change(self, self.page.ctx))
        under = QHBoxLayout()
        under.addWidget(self.status, 1)
        under.addWidget(self.open_folder_button)
        under.addWidget(self.change_folder_button)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addLayout(under)
        self.dialog: QPrintDialog | None = None
        self.box: QMessageBox | None = None
        output_folder.hub().changed.connect(self._folder_changed)  # a method: gone with us
        self.follow()

    @staticmethod
    def title_words() -> str:
        """Which documents wait for the lock and which do not (it said 打印（结果锁定后） over
        all five, while 发票收票记录 and 出席情况报告 print before the lock)."""
        lock = "、".join(t for k, t in KINDS if k in NEEDS_LOCK)
        free = "、".join(t for k, t in KINDS if k not in NEEDS_LOCK)
        return f"打印：{lock}须结果锁定后；{free}锁定前也可打印"

    LOCK_TIP = "须结果锁定后才能打印"

    def follow(self) -> None:
        """The documents that need a locked result greyed until the page's validation shows every
        round locked (app.voting.report.not_final), the tooltip saying why; a PDF being made
        stays greyed."""
        base = output_folder.tip(self.page.ctx)
        for kind, b in self.buttons.items():
            why = self._not_final(kind)
            b.setEnabled(kind not in self.tasks and why is None)
            if kind in NEEDS_LOCK:
                b.setToolTip(f"{self.LOCK_TIP}：{why}\n{base}" if why
                             else f"{self.LOCK_TIP}（已锁定）。\n{base}")

    def _not_final(self, kind: str) -> str | None:
        """Why `kind` cannot be printed yet from the page's validation (of the meeting shown; a
        document that needs the lock, NEEDS_LOCK), or None."""
        mv, m = self.page.validation, self.page.ctx.meeting
        if kind not in NEEDS_LOCK or mv is None or m is None or mv.meeting.id != m.id:
            return None
        return not_final(mv, NEEDS_LOCK[kind])

    def _folder_changed(self, _key: str) -> None:
        self.follow()

    def person_left(self) -> None:
        """Another person signed on: a refusal said to the last one is not theirs."""
        if "#c62828" in self.status.styleSheet():
            self.status.clear()

    def folder(self) -> Path:
        """Where the PDFs go (ui.output_folder: the clerk's choice for this database)."""
        ctx = self.page.ctx
        return output_folder.current(ctx) or output_folder.suggested(ctx)

    def make_pdf(self, kind: str) -> Task | None:
        m = self.page.ctx.meeting
        if m is None or kind in self.tasks:
            return None
        refused = self._not_final(kind)
        if refused:   # said before the output folder is asked for, not after
            self.last[kind] = Refusal("NOT_LOCKED", refused)
            self.status.setStyleSheet("color: #c62828; font-size: 13pt;")
            self.status.setText(f"{dict(KINDS)[kind]} 未能生成：{refused}")
            return None
        folder = output_folder.ensure(self, self.page.ctx)
        if folder is None:
            return None
        out = folder / f"{safe_filename(m.code)}-{kind}.pdf"
        task = Task(render_work(self.page.ctx.db_path, m.id, kind, out, self.page.ctx.clock.now()),
                    self)
        task.finished.connect(lambda outcome, k=kind, o=out: self._done(k, o, outcome))
        self.tasks[kind] = task
        self.buttons[kind].setEnabled(False)
        self.status.setText(f"正在生成 {dict(KINDS)[kind]}…")
        task.start()
        return task

    def _done(self, kind: str, out: Path, outcome: Outcome) -> None:
        self.tasks.pop(kind, None)
        self.follow()
        title = dict(KINDS)[kind]
        result = outcome.result if outcome.ok else outcome.error
        self.last[kind] = result
        if isinstance(result, Printed):
            self.status.setStyleSheet("color: #1b7f3b; font-size: 13pt;")
            self.status.setText(f"已生成 {title}：{out}（{result.pages} 页）")
            self.printed_to = out.parent
            self.open_folder_button.show()
        else:
            text = result.message if isinstance(result, Refusal) else str(result)
            self.status.setStyleSheet("color: #c62828; font-size: 13pt;")
            self.status.setText(f"{title} 未能生成：{text}")

    def ask_print(self) -> None:
        """Before the lock the clerk is told the printout is not final, and asked."""
        mv = self.page.validation
        if mv is None:
            return
        open_rounds = unlocked(mv)
        if not open_rounds:
            self._print_dialog()
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning, "结果尚未锁定",
            "以下轮次的结果尚未锁定，不是最终结果：" + "、".join(open_rounds[:6])
            + ("等" if len(open_rounds) > 6 else "")
            + "。\n打印件上将注明“未锁定，不是最终结果”；尚未录入选票的轮次不打印票数。\n"
            "正式公告请在验证、锁定后打印。仍要现在打印吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("仍要打印…")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.accepted.connect(self._print_dialog)
        self.box = box
        box.open()

    def _print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(QPageLayout.Orientation.Portrait)
        dialog = QPrintDialog(printer, self)
        dialog.accepted.connect(lambda: self.print_to(printer))
        self.dialog = dialog
        QDialog.open(dialog)  # QPrintDialog.open(receiver, member) hides the plain one in C++

    def print_to(self, printer: QPrinter) -> int:
        mv = self.page.validation
        if mv is None:
            return 0
        pages = paint_report(printer, mv)
        self.status.setStyleSheet("color: #1b7f3b; font-size: 13pt;")
        self.status.setText(f"已送打印机：{pages} 页")
        return pages
