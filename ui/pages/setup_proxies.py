"""准备 · 委托: residents' written proxies (rules.md §2.2) recorded before the day through
app.proxies: forms `all` and `household` only, the proxy a registered voter, at most 3
appointments, never a candidate. A refusal is shown under the form with its reason; revoking
asks for a reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import proxies
from app.meetings import Refusal
from app.rules import proxies as rule
from ui import output_folder
from ui.pages.context import PageContext
from ui.pages.print_pdf import save_pdf
from ui.pages.setup_common import (
    GREEN,
    RED,
    PersonPicker,
    fill,
    make_table,
    message_label,
    say,
    two_columns,
)
from ui.widgets.reason_dialog import ReasonDialog

REVOKE_REASONS = ("委托人本人到会", "委托人书面撤回", "录入错误")


class ProxiesPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ProxiesPage")
        self.rows: list[proxies.Proxy] = []
        self.dialog: ReasonDialog | None = None
        self._build()
        ctx.meeting_changed.connect(lambda _m: self.reload())
        ctx.register_changed.connect(self.reload)
        self.reload()

    def _build(self) -> None:
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("font-size: 12pt;")
        self.principal = PersonPicker(self.ctx, "委托人（不能到会的选民）(&W)：")
        self.holder = PersonPicker(self.ctx, "受托人（代为投票的选民）(&S)：")
        self.document = QLineEdit()
        self.document.setPlaceholderText("委托书编号（可不填）")
        self.add_button = QPushButton("登记委托(&A)")
        self.message = message_label()
        self.form_group = QGroupBox("登记书面委托")
        g = QVBoxLayout(self.form_group)
        g.addWidget(self.principal)
        g.addWidget(self.holder)
        f = QFormLayout()
        f.addRow("委托书编号：", self.document)
        g.addLayout(f)
        g.addWidget(self.add_button)
        g.addWidget(self.message)
        left = QVBoxLayout()
        left.addWidget(self.form_group)
        left.addStretch(1)
        self.table = make_table(["委托人", "受托人", "委托书编号", "登记时间"])
        self.revoke_button = QPushButton("撤销委托…")
        self.problems = message_label()
        right = QVBoxLayout()
        right.addWidget(QLabel("已登记的委托："))
        right.addWidget(self.table, 1)
        right.addWidget(self.problems)
        self.print_button = QPushButton("打印委托名单（PDF）…")
        self.box: QMessageBox | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        right.addLayout(buttons)
        two_columns(self, self.note, left, right)
        self.add_button.clicked.connect(self.add_proxy)
        self.print_button.clicked.connect(self.print_list)
        output_folder.attach(self.print_button, self.ctx)  # the tooltip names where it goes
        self.document.returnPressed.connect(self.add_proxy)
        self.revoke_button.clicked.connect(self.ask_revoke)
        # Keyboard first: Enter on the 委托人 goes on to the 受托人, then to the document number.
        self.principal.picked.connect(lambda p: p is not None and self.holder.box.setFocus())
        self.holder.picked.connect(lambda p: p is not None and self.document.setFocus())

    def reload(self) -> None:
        m = self.ctx.meeting
        if m is None:
            self.rows = []
            self.note.setText("尚未设置会议：请先在“会议设置”中建立会议。")
            allowed = False
        else:
            allowed = proxies.proxies_allowed(m)
            if allowed:
                self.note.setText(f"选民因外出等原因不能参加投票的，可书面委托本社区其他有选举权的选民代为投票；"
                                  f"每一选民接受委托不得超过{proxies.MAX_APPOINTMENTS}人，"
                                  "候选人不能接受委托。")
            else:
                found = rule.check_proxy(m.rules, m.form, "", 0)
                self.note.setText("本会议不能委托投票：" + (found.rule_zh if found else ""))
            self.rows = proxies.list_proxies(self.ctx.conn, m)
        say(self.note, self.note.text(), "#1b3550" if allowed else RED)
        self.form_group.setEnabled(allowed)
        self.print_button.setEnabled(allowed)
        fill(self.table, [[p.principal.name, p.proxy.name, p.document_ref, p.recorded_at[:16]
                           .replace("T", " ")] for p in self.rows])
        self.revoke_button.setEnabled(bool(self.rows))
        found_now = proxies.proxy_findings(self.ctx.conn, m) if m is not None and allowed else []
        say(self.problems, "\n".join(f"⚠ {msg}" for _c, msg in found_now), RED)

    def add_proxy(self) -> proxies.Proxy | None:
        m = self.ctx.meeting
        if m is None:
            return None
        a, b = self.principal.person, self.holder.person
        if a is None or b is None:
            which = "委托人" if a is None else "受托人"
            say(self.message, f"✗ {which}：请先查找并选择一人（回车选第一个）", RED)
            (self.principal if a is None else self.holder).box.setFocus()
            return None
        got = proxies.add_proxy(self.ctx.conn, m, a, b, document_ref=self.document.text(),
                                clock=self.ctx.clock, actor=self.ctx.actor)
        if isinstance(got, Refusal):
            say(self.message, f"✗ 不能登记：{got.message}", RED)
            return None
        say(self.message, f"✓ 已登记：{got.principal.name} 委托 {got.proxy.name}", GREEN)
        self.ctx.message.emit(self.message.text())
        self.principal.clear()
        self.holder.clear()
        self.document.clear()
        self.principal.box.setFocus()
        self.reload()
        return got

    def ask_revoke(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            say(self.message, "✗ 请先在表中选择要撤销的委托", RED)
            return
        p = self.rows[row]
        self.dialog = ReasonDialog(self, "撤销委托",
                                   f"撤销 {p.principal.name} 对 {p.proxy.name} 的委托？\n须填写原因，记入审计日志。",
                                   REVOKE_REASONS, ok_text="撤销委托")
        self.dialog.reason_accepted.connect(lambda why: self.revoke(p, why))
        self.dialog.open()

    def revoke(self, p: proxies.Proxy, why: str) -> None:
        m = self.ctx.meeting
        if m is None:
            return
        got = proxies.revoke_proxy(self.ctx.conn, m, p.principal, why=why, clock=self.ctx.clock,
                                   actor=self.ctx.actor)
        if isinstance(got, Refusal):
            say(self.message, f"✗ {got.message}", RED)
            return
        say(self.message, f"✓ 已撤销：{p.principal.name} 委托 {p.proxy.name}", GREEN)
        self.reload()


    def print_list(self) -> None:
        save_pdf(self, self.ctx, "proxy-list", "委托投票名单", shown=self._printed)

    def _printed(self, box: QMessageBox) -> None:
        self.box = box


def create(ctx: PageContext) -> QWidget:
    return ProxiesPage(ctx)
