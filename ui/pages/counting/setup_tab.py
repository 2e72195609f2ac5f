"""监票人 · 计票人 and the boxes (发票/收票记录) of the current round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import permissions, staff, voting
from app.meetings import Refusal
from app.voting import Box, State, VotingRound, split_names
from ui.widgets.table_rows import show_at_least

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

BOX_NAMES = ("主票箱", "流动票箱1", "流动票箱2", "流动票箱3")
BOX_HEADERS = ("票箱", "类型", "印制", "发出", "收回", "作废", "登记人", "时间")


class SetupTab(QWidget):
    def __init__(self, page: CountingPage) -> None:
        super().__init__()
        self.page = page
        self.scrutineers = QLineEdit()
        # Short placeholders: whole in the box at 1280 px; the wording in full is the tooltip.
        self.scrutineers.setPlaceholderText("例如：张三、李四")
        self.scrutineers.setToolTip("监票人姓名，用顿号分隔，如：张三、李四")
        self.counters = QLineEdit()
        self.counters.setPlaceholderText("例如：王五、赵六")
        self.counters.setToolTip("计票人姓名，用顿号分隔，如：王五、赵六")
        for e in (self.scrutineers, self.counters):
            e.setStyleSheet("font-size: 14pt;")
            pal = e.palette()   # a plain grey hint, never mistaken for names typed in
            pal.setColor(QPalette.ColorRole.PlaceholderText, QColor("#9a9a9a"))
            e.setPalette(pal)
        self.officials_button = QPushButton("登记监票人、计票人")
        self.officials_button.clicked.connect(self.save_officials)
        self.officials_state = QLabel()
        # One line for both lists and the button: the box table below keeps the height.
        officials = QGroupBox("监票人、计票人（经大会通过，不得由候选人担任）")
        o_lay = QVBoxLayout(officials)
        row = QHBoxLayout()
        row.addWidget(QLabel("监票人："))
        row.addWidget(self.scrutineers, 1)
        row.addWidget(QLabel("计票人："))
        row.addWidget(self.counters, 1)
        row.addWidget(self.officials_button)
        row.addWidget(self.officials_state)
        o_lay.addLayout(row)

        self.boxes = QTableWidget(0, len(BOX_HEADERS))
        self.boxes.setHorizontalHeaderLabels(BOX_HEADERS)
        self.boxes.verticalHeader().hide()
        self.boxes.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.boxes.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.boxes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.boxes.horizontalHeader().setStretchLastSection(True)
        self.boxes.setStyleSheet("font-size: 13pt;")
        self.boxes.cellClicked.connect(lambda row, _c: self._edit_box(row))
        self.box_name = QComboBox()
        self.box_name.setEditable(True)
        self.box_name.addItems(BOX_NAMES)
        self.mobile = QCheckBox("流动票箱")
        self.box_name.currentTextChanged.connect(self._box_named)
        self._filled: tuple[int, str, str] | None = None  # round, box, registered at (shown)
        self.printed, self.issued, self.returned, self.spoiled = (QSpinBox() for _ in range(4))
        for s in (self.printed, self.issued, self.returned, self.spoiled):
            s.setRange(0, 999_999)
            s.setMinimumWidth(90)
        self.box_button = QPushButton("登记 / 更新此票箱")
        self.box_button.clicked.connect(self.save_box)
        self.totals = QLabel()
        self.totals.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1b3550;")
        line = QHBoxLayout()
        for label, w in (("票箱", self.box_name), ("", self.mobile), ("印制", self.printed),
                         ("发出", self.issued), ("收回", self.returned), ("作废", self.spoiled)):
            if label:
                line.addWidget(QLabel(label))
            line.addWidget(w)
        line.addWidget(self.box_button)
        line.addStretch(1)
        boxes = QGroupBox("票箱：印制、发出、收回、作废（发出选票数应等于实到人数）")
        b_lay = QVBoxLayout(boxes)
        b_lay.addWidget(self.boxes, 1)
        b_lay.addLayout(line)
        b_lay.addWidget(self.totals)

        show_at_least(self.boxes, 8)
        # On a small screen the tab scrolls rather than squeezing the table or the entry line.
        inner = QWidget()
        i_lay = QVBoxLayout(inner)
        i_lay.setContentsMargins(6, 4, 6, 4)
        i_lay.addWidget(officials)
        i_lay.addWidget(boxes, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)
        # Who may, before the work: the officials are the 主持人's (round_manage), the boxes'
        # figures the 监票人's (box_figures); off for anyone else, the tooltip saying who may.
        for w in (self.scrutineers, self.counters, self.officials_button):
            page.gate.add(w, "round_manage")
        # A closed round refuses box records (app.voting.record_box): greyed, not refused.
        for w in (self.box_name, self.mobile, self.printed, self.issued, self.returned,
                  self.spoiled, self.box_button):
            page.gate.add(w, "box_figures", self._box_open)
        page.round_changed.connect(self.show_round)

    def _box_open(self) -> bool:
        return self.page.round is not None and self.page.round.state is State.OPEN

    def _box_tips(self, r: VotingRound | None) -> None:
        """Greyed because counting is closed: the button's tooltip says so and the way back."""
        closed = r is not None and r.state is not State.OPEN
        self.page.gate.set_tip(self.box_button,
                               "计票已结束，不能再改票箱记录（须由主持人“重新开放计票”）"
                               if closed else "")

    def person_left(self) -> None:
        """Another person signed on (or the screen locked): names and figures typed and not
        registered are not the next person's; the form shows what is registered."""
        self._filled = None
        self._clear_figures()
        self.show_round(self.page.round)

    def focus_first(self) -> None:
        self.scrutineers.setFocus()

    def _staff_hints(self) -> None:
        """Where a staff list exists the officials come from it: the fields say who is on it."""
        conn = self.page.ctx.conn
        if not permissions.enforced(conn):
            return
        members = staff.list_staff(conn)
        for box, role, what in ((self.scrutineers, permissions.Role.SCRUTINEER, "监票人"),
                                (self.counters, permissions.Role.TELLER, "计票人")):
            names = "、".join(m.name for m in members if role in m.roles)
            # "例如：" and the grey hint colour: the names are a hint, not values filled in.
            box.setPlaceholderText(f"例如：{names}" if names else f"工作人员名单中没有{what}")
            box.setToolTip(f"从工作人员名单中选择{what}，用顿号分隔"
                           + (f"（名单中的{what}：{names}）" if names else ""))

    def show_round(self, r: VotingRound | None) -> None:
        self.setEnabled(r is not None and r.state is not State.LOCKED)
        self._box_tips(r)
        if r is None:
            self.boxes.setRowCount(0)
            self.totals.setText("")
            self.officials_state.setText("")
            return
        self._staff_hints()
        o = r.officials
        self.scrutineers.setText("、".join(o.scrutineers))
        self.counters.setText("、".join(o.counters))
        self.officials_state.setText(f"已登记（{o.at[11:16]}）" if o.complete else "尚未登记")
        self.boxes.setRowCount(len(r.boxes))
        for row, b in enumerate(r.boxes):
            cells = (b.name, "流动" if b.mobile else "固定", b.printed, b.issued, b.returned,
                     b.spoiled, b.actor, b.at[11:16])
            for col, v in enumerate(cells):
                self.boxes.setItem(row, col, QTableWidgetItem(str(v)))
        present = r.snapshot.present
        self.totals.setText(f"发出合计 {r.issued} 张（冻结实到 {present} 人）　"
                            f"收回合计 {r.returned} 张")
        if not r.boxes:
            self.issued.setValue(present)
            self.printed.setValue(max(self.printed.value(), present))
        self._fill_registered()

    def _registered(self, name: str) -> Box | None:
        r = self.page.round
        return next((b for b in r.boxes if b.name == name.strip()), None) if r else None

    def _fill_registered(self) -> None:
        """The form shows what is registered for the box it names (reopened, the form showed
        0/0/0 for a registered 主票箱: 登记 / 更新 would have written zeros nobody typed); filled
        again only when the round, the box or its registered figures change, so figures being
        typed survive a refresh."""
        r, b = self.page.round, self._registered(self.box_name.currentText())
        if r is None or b is None:
            return
        key = (r.id, b.name, b.at)
        if key != self._filled:
            self._show_box(b)
            self._filled = key

    def _box_named(self, name: str) -> None:
        b = self._registered(name)
        if b is not None:
            self._show_box(b)
            r = self.page.round
            self._filled = (r.id, b.name, b.at) if r is not None else None
            return
        self.mobile.setChecked(name.startswith("流动"))
        if self._filled is not None:   # leaving a registered box: its figures are not this one's
            self._clear_figures()
            self._filled = None

    def _clear_figures(self) -> None:
        for w in (self.printed, self.issued, self.returned, self.spoiled):
            w.setValue(0)

    def _show_box(self, b: Box) -> None:
        self.mobile.setChecked(b.mobile)
        self.printed.setValue(b.printed)
        self.issued.setValue(b.issued)
        self.returned.setValue(b.returned)
        self.spoiled.setValue(b.spoiled)

    def _edit_box(self, row: int) -> None:
        r = self.page.round
        if r is None or not 0 <= row < len(r.boxes):
            return
        b = r.boxes[row]
        self.box_name.setCurrentText(b.name)
        self._show_box(b)

    def save_officials(self) -> VotingRound | None:
        r = self.page.round
        if r is None or self.page.refuse_early("round_manage", "登记监票人、计票人"):
            return None
        got = voting.set_officials(self.page.ctx.conn, r.id,
                                   scrutineers=split_names(self.scrutineers.text()),
                                   counters=split_names(self.counters.text()),
                                   actor=self.page.ctx.actor, clock=self.page.ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return None
        self.page.say("监票人、计票人已登记：" + "、".join(got.officials.scrutineers) + "（监票）；"
                      + "、".join(got.officials.counters) + "（计票）")
        self.page.refresh_round()
        return got

    def save_box(self) -> VotingRound | None:
        r = self.page.round
        if r is None or self.page.refuse_early("box_figures", "登记票箱"):
            return None
        got = voting.record_box(self.page.ctx.conn, r.id, self.box_name.currentText(),
                                printed=self.printed.value(), issued=self.issued.value(),
                                returned=self.returned.value(), spoiled=self.spoiled.value(),
                                mobile=self.mobile.isChecked(), actor=self.page.ctx.actor,
                                clock=self.page.ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return None
        self.page.say(f"{self.box_name.currentText()} 已登记")
        self.page.refresh_round()
        return got
