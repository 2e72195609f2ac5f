"""扫描认定: importing a batch of scans (off the GUI thread), the queue of flagged ballots of the
round with the page image and the boxes that sent each one to a human, the two-person decision,
and counting the scanned ballots into entry A (app/scan does all of it; this only shows)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMargins, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.meetings import Refusal
from app.scan.multi import keys_of_reading
from app.voting import State, VotingRound
from ui import filedialogs
from ui.tasks import Outcome, Task

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

GREEN, RED = "#1b7f3b", "#c62828"


class ScanTab(QWidget):
    def __init__(self, page: CountingPage) -> None:
        super().__init__()
        self.page = page
        self.task: Task | None = None
        self.view_task: Task | None = None   # the page image being read (None: none running)
        self.view_serial = 0
        self.dialog: QWidget | None = None
        self.pages: list[Any] = []     # ScannedPage of the round still waiting
        self.import_button = QPushButton("导入扫描文件夹…")
        self.import_button.setToolTip("一批扫描文件（PDF、JPEG、PNG、TIFF，200–300 dpi）所在的文件夹")
        self.import_button.clicked.connect(self.ask_import)
        self.watch_button = QPushButton("监视文件夹…")
        self.watch_button.setToolTip("一体机的扫描文件夹或 U 盘：此后新出现的扫描文件写完后自动读出，"
                                     "每批输入手工清点张数后导入；文件夹中的文件不移动、不删除")
        self.watch_button.clicked.connect(lambda: self.watch_panel.ask())
        self.cancel_button = QPushButton("取消导入")
        self.cancel_button.setToolTip("停止读取这一批：整批不导入（数据库和原件存档都不留下任何部分），可重新导入")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.cancel_button.hide()
        self.hand_count = QSpinBox()
        self.hand_count.setRange(0, 100000)
        self.hand_count.setAccessibleName("手工清点张数")
        self.hand_count.setToolTip("这一批扫描前手工清点的选票张数：扫描页数必须与它相等")
        self.count_button = QPushButton("计入录入组 A")
        self.count_button.setToolTip("全部认定后，把本轮读出的扫描选票计入录入组 A")
        self.count_button.clicked.connect(self.count)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        # The folder import's count: hidden while a folder is watched (its batch has its own)
        self.folder_import = [QLabel("手工清点："), self.hand_count, QLabel("张"),
                              self.import_button]
        for w in self.folder_import:
            top.addWidget(w)
        top.addWidget(self.watch_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.count_button)
        top.addWidget(self.summary, 1)
        self.queue = QListWidget()
        self.queue.setAccessibleName("待认定的选票")
        self.queue.setMaximumWidth(300)
        self.queue.currentRowChanged.connect(self._show)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = self.scroll = QScrollArea()
        scroll.setWidget(self.image)
        scroll.setWidgetResizable(True)
        self.reading = QLabel()
        self.reading.setWordWrap(True)
        self.reading.setStyleSheet("font-size: 12pt;")
        self.keys = QLineEdit()
        self.keys.setAccessibleName("认定结果")
        self.keys.setPlaceholderText("每名候选人一位：1 赞成，2 不赞成，0 弃权")
        self.write_in = QLineEdit()
        self.write_in.setPlaceholderText("另选他人的姓名（赞成），多人用、分开")
        self.no_write_in = QCheckBox("另选他人不计")
        self.no_write_in.setToolTip("另选他人栏的书写不是姓名或无法辨认：不计任何人")
        self.invalid = QCheckBox("无效票")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("无效的原因")
        self.first = QLineEdit()     # the person using the desk: shown, never typed here
        self.first.setAccessibleName("认定人")
        self.first.setReadOnly(True)
        self.first.setPlaceholderText("先在顶部填写值班人")
        self.first.setToolTip("认定人是使用本机的人：顶部的值班人，或登录的工作人员")
        self.second = QLineEdit()
        self.second.setAccessibleName("第二认定人")
        self.second.setPlaceholderText("存疑或无效须两人认定")
        # Where a staff list exists the second person signs on with their PIN when 认定 is
        # pressed (as for the lock of a result): no name is typed here.
        self.second_note = QLabel("按“认定”后由第二人输入姓名和PIN")
        self.second_note.setStyleSheet("color: #555;")
        self.second_note.hide()
        self.person_dialog: QWidget | None = None   # the second person's sign-on
        self.rights = QLabel()   # who may do what here, when the person at the desk may not
        self.rights.setAccessibleName("操作权限")
        self.rights.setWordWrap(True)
        self.rights.setMaximumWidth(300)
        self.rights.setStyleSheet("color: #8a4b00;")
        self.rights.hide()
        self.decide_button = QPushButton("认定")
        self.decide_button.clicked.connect(self.decide)
        self.keys.returnPressed.connect(self.decide)
        form = QFormLayout()
        form.addRow("认定结果：", self.keys)
        self.write_in_button = QPushButton("从名册选…")
        self.write_in_button.setToolTip("另选他人的姓名从名册补全（拼音、首字母也可）")
        self.write_in_button.clicked.connect(self.ask_write_in)
        write_in = QHBoxLayout()
        write_in.addWidget(self.write_in, 1)
        write_in.addWidget(self.write_in_button)
        write_in.addWidget(self.no_write_in)
        form.addRow("另选他人：", write_in)
        invalid = QHBoxLayout()
        invalid.addWidget(self.invalid)
        invalid.addWidget(self.reason, 1)
        form.addRow("", invalid)
        people = QHBoxLayout()
        people.addWidget(self.first)
        people.addWidget(QLabel("第二认定人："))
        people.addWidget(self.second)
        people.addWidget(self.second_note)
        people.addWidget(self.decide_button)
        form.addRow("认定人：", people)
        # A faint mark is hard to see in the fitted strip: 放大 (a click on the image, or Space
        # in the list) shows the boxes at 2.5 times, scrolled in the frame.
        self.zoomed = False
        self.shown_view: Any = None     # the PageView on screen (None: none)
        self.zoom_button = QPushButton("放大")
        self.zoom_button.setCheckable(True)
        self.zoom_button.setToolTip("放大查看选票上的方格（点击图片或在列表中按空格键也可）")
        self.zoom_button.toggled.connect(self._zoom)
        self.image.installEventFilter(self)
        self.queue.installEventFilter(self)
        reading_row = QHBoxLayout()
        reading_row.addWidget(self.reading, 1)
        reading_row.addWidget(self.zoom_button, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addLayout(reading_row)
        right.addLayout(form)
        self.refused = QLabel()   # the pages the reader refused: of no known contest
        self.refused.setAccessibleName("拒读页")
        self.refused.setWordWrap(True)
        self.refused.setMaximumWidth(300)
        self.refused.setStyleSheet("color: #8a4b00;")   # a note, not an order: maybe rescanned
        self.refused.hide()
        left = QVBoxLayout()
        left.addWidget(self.queue, 1)
        left.addWidget(self.refused)
        left.addWidget(self.rights)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addLayout(right, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        from ui.pages.counting.scan_watch import WatchPanel

        self.watch_panel = WatchPanel(self)     # the watched scan folder, hidden until used
        lay.addWidget(self.watch_panel)
        lay.addLayout(body, 1)
        page.round_changed.connect(lambda _r: self.refresh() if self.isVisible() else None)
        page.ctx.message.connect(lambda _t: self._show_adjudicator())   # 值班人 typed at the top
        page.ctx.actor_changed.connect(lambda _a: self.refresh() if self.isVisible()
                                       else self._show_adjudicator())
        self._show_adjudicator()
        from ui.pages.counting.follow import follow_changes

        # A decision or an import made elsewhere (the command line) shows here.
        self.follow = follow_changes(self, lambda: page.ctx.conn, self.refresh)

    def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        from PySide6.QtCore import QEvent

        if obj is self.image and event.type() == QEvent.Type.MouseButtonPress:
            self.zoom_button.toggle()
            return True
        if (obj is self.queue and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Space):
            self.zoom_button.toggle()
            return True
        return super().eventFilter(obj, event)

    def _zoom(self, on: bool) -> None:
        self.zoomed = on
        self.zoom_button.setText("还原" if on else "放大")
        self._paint_view()

    def _paint_view(self) -> None:
        view = self.shown_view
        if view is None:
            return
        size = self.scroll.maximumViewportSize()   # as without scroll bars: the same fit always
        if self.zoomed:
            size = QSize(int(size.width() * 2.5), int(size.height() * 2.5))
        pix = _pixmap(view, size)
        self.image.setPixmap(pix)
        self.image.setMinimumSize(pix.size() if self.zoomed else QSize(0, 0))

    def show_folder_import(self, shown: bool) -> None:
        for w in self.folder_import:
            w.setVisible(shown)

    def adjudicator(self) -> str:
        """Who decides first: the signed-on member where a staff list exists, else the header's
        值班人 as it is now; "" while nobody has written a name (the placeholder is no name)."""
        from app.session import UNNAMED

        actor = self.page.ctx.actor
        return "" if str.strip(actor) in ("", UNNAMED) else actor

    def _show_adjudicator(self) -> None:
        self.first.setText(str.strip(self.adjudicator()))

    @property
    def round(self) -> VotingRound | None:
        return self.page.round

    def focus_first(self) -> None:
        self.refresh()
        self.queue.setFocus()

    def _say(self, text: str, tone: str = GREEN) -> None:
        self.page.say(text, ok=tone != RED)

    def refresh(self) -> None:
        from app.scan.adjudicate import reconciliation, refused_words, round_scan

        r = self.round
        ctx = self.page.ctx
        self._show_adjudicator()
        self.setEnabled(r is not None)
        if r is None:
            return
        scan = round_scan(ctx.conn, r.id)
        recon = reconciliation(ctx.conn, r.id)
        if isinstance(scan, Refusal) or isinstance(recon, Refusal):
            return
        row = self.queue.currentRow()
        keep = self.pages[row].id if 0 <= row < len(self.pages) else None
        self.pages = list(scan.pending)
        # Refused pages name no contest: said once beside the queue, not in this round's figures.
        refused = refused_words(ctx.conn)
        self.refused.setText(refused)
        self.refused.setVisible(bool(refused))
        self.summary.setText(
            f"本轮扫描 {recon['scanned_pages']} 张，待认定 {recon['pending']}，尚未计入 "
            f"{recon['not_counted']}。收回 {recon['returned']} ＝ "
            f"扫描计入 {recon['counted_from_scan']} ＋ 键盘录入 {recon['entered_by_keyboard']}："
            + (f"<b style='color:{GREEN}'>相符</b>" if recon["balanced"]
               else f"<b style='color:{RED}'>尚不相符</b>")
            + (f"<br><b style='color:#8a4b00'>{deck}</b>" if (deck := _deck_warning(ctx.conn, r.id, scan))
               else ""))
        self.count_button.setEnabled(r.state is State.OPEN and not self.pages
                                     and recon["not_counted"] > 0)
        self.import_button.setEnabled(self.task is None)
        self.queue.blockSignals(True)
        self.queue.clear()
        for p in self.pages:
            item = QListWidgetItem(f"第{p.batch}批第{p.position}张"
                                   + ("（两人）" if p.needs_two else "") + "\n"
                                   + "；".join(t for _c, t in p.flags))
            item.setToolTip(f"{p.file} 第{p.page}页")
            self.queue.addItem(item)
        same = next((i for i, p in enumerate(self.pages) if p.id == keep), None)
        if same is not None:   # the ballot being decided stays, with what was typed
            self.queue.setCurrentRow(same)
        self.queue.blockSignals(False)
        if self.pages and same is None:
            self.queue.setCurrentRow(0)
            self._show(0)
        elif same is None:
            self._clear_detail()
        elif self.image.pixmap().isNull() and self.view_task is None:
            self._show(same)   # kept, but never shown (the image was not read): show it now
        self._enable_detail()
        self._rights()

    def _clear_detail(self) -> None:
        """No ballot chosen: nothing shown, nothing to decide."""
        self.shown_view = None
        self.image.setMinimumSize(QSize(0, 0))
        self.image.clear()
        self.reading.setText("没有待认定的选票。" if not self.pages else "请在左侧选择一张选票。")
        self.keys.clear()
        self.write_in.clear()
        self.invalid.setChecked(False)
        self.reason.clear()

    def _enable_detail(self) -> None:
        """认定 and its fields only while a ballot is shown (the row chosen in the list)."""
        shown = 0 <= self.queue.currentRow() < len(self.pages)
        for w in (self.keys, self.write_in, self.write_in_button, self.invalid, self.reason,
                  self.decide_button):
            w.setEnabled(shown)
        if not shown:
            self.no_write_in.setEnabled(False)

    def _rights(self) -> None:
        """Who may, said before the work (app.permissions decides): where a staff list exists,
        the buttons the person at the desk may not use are off, and the note and their
        tooltips name who may; in open mode nothing changes."""
        from app import permissions

        conn, actor = self.page.ctx.conn, self.page.ctx.actor
        enforced = permissions.enforced(conn)
        self.second.setVisible(not enforced)
        self.second_note.setVisible(enforced)
        words = []
        enter = permissions.check(conn, "enter_ballots", actor)
        for w, tip in ((self.import_button, "一批扫描文件（PDF、JPEG、PNG、TIFF，200–300 dpi）所在的文件夹"),
                       (self.watch_button, self.watch_button.toolTip().split("\n（")[0]),
                       (self.count_button, "全部认定后，把本轮读出的扫描选票计入录入组 A"),
                       (self.hand_count, "这一批扫描前手工清点的选票张数：扫描页数必须与它相等")):
            w.setToolTip(tip if enter is None else f"{tip}\n（{enter.message}）")
            if enter is not None:
                w.setEnabled(False)
        self.hand_count.setEnabled(enter is None)
        self.watch_button.setEnabled(enter is None)
        if enter is not None:
            words.append(f"导入扫描、计入录入组A：{who_may(enter.code)}")
        judge = permissions.check(conn, "adjudicate_ballot", actor)
        self.decide_button.setToolTip(
            "存疑票、无效票：认定人（本机登录的监票人或总监票人）认定后，第二人输入姓名和PIN确认"
            if enforced else "存疑票、无效票须填写第二认定人")
        if judge is not None:
            for w in (self.keys, self.write_in, self.write_in_button, self.invalid, self.reason,
                      self.no_write_in, self.decide_button):
                w.setEnabled(False)
            self.decide_button.setToolTip(judge.message)
            words.append(f"认定选票：{who_may(judge.code)}")
        row = self.queue.currentRow()
        if enforced and 0 <= row < len(self.pages):
            # The round's named 监票人 and the 总监票人 (app.scan.adjudicate decides who).
            from app.scan.adjudicate import deciders

            names = deciders(conn, self.pages[row].id)
            words.append("可认定这张选票的：" + ("、".join(names) or "名单中没有可以认定的监票人"))
        self.rights.setText("；".join(words))
        self.rights.setVisible(bool(words))

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.pages):
            self._clear_detail()
            self._enable_detail()
            return
        self._enable_detail()
        p = self.pages[row]
        ctx = self.page.ctx
        self._reading(p, [])
        self.shown_view = None
        self.image.setMinimumSize(QSize(0, 0))
        self.image.clear()
        self.image.setText("正在读取扫描原件…")
        # A candidate the reader doubted is keyed by the person deciding, never taken over from
        # the machine with one click: such a ballot starts blank (the reading is shown above).
        doubted = _doubted(p)
        self.keys.setText("" if doubted else keys_of_reading(p.marks))   # one run per contest
        self.keys.setPlaceholderText(
            f"机读 {keys_of_reading(p.marks)}，其中有存疑的标记：请看原件，键入每名候选人一位"
            "（1 赞成，2 不赞成，0 弃权）" if doubted else "每名候选人一位：1 赞成，2 不赞成，0 弃权")
        self.write_in.clear()
        self.no_write_in.setChecked(False)
        self.no_write_in.setEnabled(any(c == "WRITE_IN" for c, _t in p.flags))
        self.invalid.setChecked(False)
        self.reason.clear()
        self._show_adjudicator()
        if self.rights.isVisible() or self.second_note.isVisible():
            self._rights()   # who may decide this ballot
        db_path, page_id = ctx.db_path, p.id

        def work(_progress: Any, _cancel: Any) -> Any:
            # Decoding a 300-dpi page and finding its markers takes ~0.2 s: not on the GUI thread.
            from app.scan.setup import known_layouts
            from app.scan.view import page_view
            from db.connection import connect

            conn = connect(db_path, create=False)
            try:
                layouts = {c: k.layout for c, k in known_layouts(conn).items()}
                return page_view(conn, db_path, page_id, layouts)
            finally:
                conn.close()

        task = Task(work, self)
        self.view_serial += 1
        task.finished.connect(lambda outcome, n=self.view_serial: self._shown(p, outcome, n))
        self.view_task = task
        task.start()

    def _shown(self, p: Any, outcome: Outcome, serial: int = 0) -> None:
        from shiboken6 import isValid

        if not isValid(self.queue):
            return          # the page was closed while the image was read
        if serial == self.view_serial:
            self.view_task = None   # the latest reading is done
        row = self.queue.currentRow()
        if not (0 <= row < len(self.pages) and self.pages[row].id == p.id):
            return          # another ballot was chosen meanwhile
        view = outcome.result
        if not outcome.ok or isinstance(view, Refusal):
            self.image.setText(view.message if isinstance(view, Refusal) else outcome.error)
            return
        self.shown_view = view
        self._paint_view()
        self._reading(p, [o.label for o in view.outlines])

    def _reading(self, p: Any, labels: list[str]) -> None:
        self.reading.setText(
            f"{p.file} 第{p.page}页（第{p.batch}批第{p.position}张）　机读：{p.marks}"
            + ("　" + "；".join(labels) if labels else "") + "<br>"
            + "；".join(t for _c, t in p.flags))

    def ask_write_in(self) -> None:
        from app.search import search
        from ui.widgets.ballot_entry import WriteInDialog

        dialog = WriteInDialog(self, lambda text: [p.name for p in search(
            self.page.ctx.conn, text, 10)])
        dialog.accepted.connect(lambda: self.write_in.setText(
            "、".join(x for x in (self.write_in.text().strip(), dialog.text()) if x)))
        self.dialog = dialog
        dialog.open()

    def decide(self) -> None:
        from app.scan.adjudicate import decide

        row = self.queue.currentRow()
        if not 0 <= row < len(self.pages):
            return
        p = self.pages[row]
        ctx = self.page.ctx
        # An invalid ballot needs only its reason (the marks of a ballot that counts for
        # nobody are not asked for).
        if _doubted(p) and not self.keys.text().strip() and not self.invalid.isChecked():
            self._say(f"第{p.batch}批第{p.position}张有存疑的标记：请看原件后键入认定结果"
                      "（每名候选人一位），再认定。", RED)
            self.keys.setFocus()
            return
        first = self.adjudicator()
        self._show_adjudicator()
        if not first:
            self._say("认定人是使用本机的人：请先在页面顶部填写值班人的姓名（或由工作人员登录），"
                      "再认定。", RED)
            return
        names = [w.strip() for w in self.write_in.text().replace("，", "、").split("、")
                 if w.strip()]
        invalid = self.invalid.isChecked()
        keys = self.keys.text().strip()
        args: dict[str, Any] = dict(
            write_ins=names, invalid=invalid, reason=self.reason.text(),
            no_write_in=self.no_write_in.isChecked(), clock=ctx.clock)
        marks = keys if keys or invalid else "0"   # an invalid ballot needs only its reason
        from app import permissions

        if permissions.enforced(ctx.conn):
            # The reading and the first person's right first: nobody types a PIN for nothing.
            ready = decide(ctx.conn, p.id, marks, first=first, check_only=True, **args)
            if isinstance(ready, Refusal):
                self._say(ready.message, RED)
                return
            if p.needs_two or invalid:
                self._ask_second(p, marks, first, args)
                return
            second = ""
        else:
            second = self.second.text()
        self._record(p, marks, first, second, args)

    def _ask_second(self, p: Any, marks: str, first: str, args: dict[str, Any]) -> None:
        """The second person of a doubtful or invalid ballot signs on with name and PIN (the
        dialog of the results' lock), then the decision is recorded under both."""
        from app import permissions
        from app.scan.adjudicate import deciders
        from ui import signon

        ctx = self.page.ctx

        def second_ok(second: permissions.Actor) -> str | None:
            refused = permissions.check_two(ctx.conn, "adjudicate_ballot", first, second)
            return refused.message if refused else None

        what = "无效票" if args["invalid"] else "存疑选票"
        names = deciders(ctx.conn, p.id, but=str.__str__(first))
        self._say(f"第{p.batch}批第{p.position}张是{what}，须两人认定：请第二人（不是 {first}）"
                  "选择本人姓名并输入PIN")
        self.person_dialog = signon.ask_person(
            self, ctx.conn, ctx.clock, title=f"认定{what}：第二认定人",
            question=f"第{p.batch}批第{p.position}张（{what}）须由两人认定：第一人 {first}"
                     + (f"（{first.roles_zh()}）" if isinstance(first, permissions.Actor) else "")
                     + "。可以作第二人的：" + ("、".join(names) or "（名单中没有其他可认定的人）")
                     + "。请第二人选择本人姓名并输入PIN。",
            ok_text="确认认定", check=second_ok, names=names,
            on_done=lambda second: self._record(p, marks, first, second, args))

    def _record(self, p: Any, marks: str, first: str, second: str,
                args: dict[str, Any]) -> None:
        from app.scan.adjudicate import decide

        ctx = self.page.ctx
        got = decide(ctx.conn, p.id, marks, first=first, second=second, **args)
        if isinstance(got, Refusal):
            self._say(got.message, RED)   # what was typed stays
            return
        self._say(f"已认定第{p.batch}批第{p.position}张"
                  + (f"（{first}、{second}）" if second else "")
                  + (f"：已更改此前的认定（原为{got.replaced}）。" if got.replaced else "。"))
        self.refresh()

    def count(self) -> None:
        from app.scan.adjudicate import count_round

        r = self.round
        if r is None:
            return
        got = count_round(self.page.ctx.conn, r.id, operator=str(self.page.ctx.actor),
                          clock=self.page.ctx.clock)
        if isinstance(got, Refusal):
            self._say(got.message, RED)
            return
        warn = _deck_warning(self.page.ctx.conn, r.id)
        self._say(f"扫描选票 {got} 张已计入录入组 A。" + (f"\n{warn}" if warn else ""))
        self.page.refresh_round()
        self.refresh()

    def ask_import(self) -> None:
        if self.hand_count.value() < 1:
            self._say("请先填写这一批手工清点的张数。", RED)
            self.hand_count.setFocus()
            return
        from app.scan.watch import start_folder

        folder = filedialogs.get_existing_directory(self, "选择一批扫描文件所在的文件夹",
                                                    start_folder(self.page.ctx.conn))
        if folder:
            self.start_import(Path(folder))

    def start_import(self, folder: Path) -> Task:
        from app.clock import Clock

        db_path, count, actor = self.page.ctx.db_path, self.hand_count.value(), \
            str(self.page.ctx.actor)
        clock: Clock = self.page.ctx.clock

        def work(progress: Any, cancel: Any) -> Any:
            from app.scan.batch import import_batch
            from db.connection import connect

            conn = connect(db_path, create=False)
            try:
                return import_batch(conn, db_path, folder, count, operator=actor, clock=clock,
                                    progress=lambda d, t: (progress(d, t), not cancel())[1])
            finally:
                conn.close()

        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._say(f"正在读取 {folder} …", "#555")
        task = Task(work, self)
        task.progress.connect(lambda d, t, _m: None if task.cancel_token() else
                              self._say(f"正在读取第 {d} / {t} 页…", "#555"))
        task.finished.connect(self._imported)
        self.task = task
        task.start()
        return task

    def cancel_import(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self._say("正在取消导入…", "#555")

    def _imported(self, outcome: Outcome) -> None:
        from app.scan.batch import describe_refused

        self.task = None
        self.import_button.setEnabled(True)
        self.cancel_button.hide()
        got = outcome.result
        if not outcome.ok:
            self._say(outcome.error or "已取消", RED)
        elif isinstance(got, Refusal):
            self._say(got.message, RED)
        else:
            refused = describe_refused(got.refused)
            r = self.round
            warn = _deck_warning(self.page.ctx.conn, r.id) if r is not None else ""
            self._say(f"第{got.batch_id}批：{got.pages}页，读出{got.read}张，须人工认定{got.flagged}张，"
                      f"拒读{len(got.refused)}张" + ("：" + "；".join(refused) if refused else "")
                      + (f"\n{warn}" if warn else ""), RED if refused else GREEN)
        self.refresh()


def _deck_warning(conn: Any, round_id: int, scan: Any = None) -> str:
    """The scanner not trusted without its test (app/scan/deck_gate.py): "" when tested.
    `scan`: the round's RoundScan just read (not read again)."""
    from app.scan.deck_gate import gate

    g = gate(conn, round_id, scan)
    return g.warning() if g is not None else ""


def who_may(code: str) -> str:
    """只有<who may, from app.permissions>可以操作 (the 扫描核对 tab says it too)."""
    from app.permissions import PERMISSIONS

    return f"只有{PERMISSIONS[code].who_zh}可以操作"


def _doubted(p: Any) -> bool:
    """The reader doubted a candidate's mark (doubtful, over the edge, both boxes, overvote)."""
    from app.scan.read import TWO_PEOPLE

    return any(code in TWO_PEOPLE for code, _t in p.flags)


def _pixmap(view: Any, size: QSize) -> QPixmap:
    """The table of boxes of the page, fitted into `size`, the flagged boxes outlined in red."""
    gray = view.gray
    h, w = gray.shape
    img = QImage(gray.data, w, h, int(gray.strides[0]), QImage.Format.Format_Grayscale8).copy()
    pix = QPixmap.fromImage(img.convertToFormat(QImage.Format.Format_RGB32))
    painter = QPainter(pix)
    pen = QPen(QColor(RED))
    pen.setWidth(max(3, w // 300))
    painter.setPen(pen)
    for o in view.outlines:
        painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in o.points]))
    painter.end()
    if view.crop is not None:
        x0, y0, x1, y1 = view.crop
        pix = pix.copy(QRect(x0, y0, x1 - x0, y1 - y0))
    return pix.scaled(size.shrunkBy(QMargins(4, 4, 4, 4)), Qt.AspectRatioMode.KeepAspectRatio,
                      Qt.TransformationMode.SmoothTransformation)
