"""Desk mode on the desk page: the link to the host runs in the sync core's own thread
(app.sync.DeskService); `DeskSync` polls its status (attributes only, no I/O) and
`OfflineBanner` says, while the host cannot be reached, since when and how many of this desk's
sign-ins are not yet shared. The desk goes on signing in from its own database meanwhile.

A database is a desk's when it joined a host (app.sync.join); the pairing code it joined with is
kept next to it (`pairing_file`), written by the join dialog, so the desk reconnects by itself
the next time the app opens it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.fileio import write_atomic
from app.sync import BadPairing, DeskService, DeskStatus, read_pairing

POLL_MS = 500


def pairing_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".pairing")


def save_pairing(db_path: Path, code: str) -> Path:
    """Keep the pairing code next to the desk's database (owner-only: it holds the secret)."""
    path = pairing_file(db_path)
    write_atomic(path, code.strip() + "\n", private=True)
    return path


def banner_text(st: DeskStatus) -> str:
    """'' while the host is reachable; otherwise what the clerk must know."""
    if st.refused:
        return f"主机拒绝连接：{st.banner()}。本机继续签到，{st.unshared} 条未共享"
    if st.conflict:   # this database is older than what it shared: said even while online
        return f"{st.unshared} 条签到没有同步到主机：{st.banner()}"
    if st.online:
        return ""
    since = f" 自 {st.offline_since[11:16]}" if st.offline_since else ""
    return f"离线{since}，{st.unshared} 条未共享（本机已保存，联网后自动共享）"


def link_text(st: DeskStatus, host: str) -> str:
    """The band's whole line: which host this desk is joined to and whether it is online."""
    at = f"主机 {host}" if host else "主机"
    offline = banner_text(st)
    if offline:
        return f"{offline} · 本机为签到台“{st.desk}”，{at}"
    waiting = f"，{st.unshared} 条正在共享" if st.unshared else "，签到已全部共享"
    return f"在线 · 本机为签到台“{st.desk}”，已加入{at}{waiting}"


class DeskSync(QObject):
    """The desk's link to the host while the page lives: start, poll, stop."""

    status_changed = Signal(object)  # DeskStatus

    def __init__(self, db_path: Path, desk: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.desk = desk
        self.service: DeskService | None = None
        self.status: DeskStatus | None = None
        self.error = ""
        self.host = ""   # address:port of the host this desk joined (from its pairing code)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> bool:
        try:
            pairing = read_pairing(pairing_file(self.db_path))
        except (OSError, BadPairing) as exc:
            self.error = f"找不到加入主机时的配对码（{exc}）"
            return False
        self.host = f"{pairing.address}:{pairing.port}"
        # Opening the desk's own connection takes a few ms; the network runs on its thread.
        self.service = DeskService(self.db_path, pairing).start()
        self._timer.start()
        self.poll()
        return True

    def poll(self) -> None:
        if self.service is None or self.service.link is None:
            return
        st = self.service.status()
        if st != self.status:
            self.status = st
            self.status_changed.emit(st)

    def notify(self) -> None:
        """A sign-in was committed here: share it now rather than at the next poll."""
        if self.service is not None:
            self.service.notify()

    def stop(self) -> None:
        self._timer.stop()
        if self.service is not None:
            self.service.stop()
            self.service = None


class OfflineBanner(QLabel):
    """A band at the top of a desk's page: which host it joined and whether it is online —
    green and small while online, red and large while the host cannot be reached. Hidden on a
    database that is no desk's."""

    ONLINE = ("#offlineBanner { background: #e8f5e9; color: #1b5e20; font-size: 11pt;"
              " padding: 4px 14px; border-radius: 6px; }")
    OFFLINE = ("#offlineBanner { background: #c62828; color: white; font-size: 14pt;"
               " font-weight: bold; padding: 8px 14px; border-radius: 6px; }")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        self.setWordWrap(True)
        self.setStyleSheet(self.OFFLINE)
        self.unshared = 0
        self.online = False
        self.host = ""
        self.hide()

    def follow(self, sync: DeskSync) -> None:
        """Show `sync`'s link: its host's address and each status it reports."""
        sync.status_changed.connect(lambda st: self.set_status(st, sync.host))

    def set_status(self, st: DeskStatus, host: str = "") -> None:
        self.unshared = st.unshared
        self.host = host or self.host
        self.online = st.online and not st.refused and not st.conflict
        self.setStyleSheet(self.ONLINE if self.online else self.OFFLINE)
        self.setText(link_text(st, self.host))
        self.show()
