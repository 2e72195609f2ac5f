"""Keep the laptop awake while it serves the room: host mode on, or the big screen on the
projector. A laptop that sleeps in the middle of sign-in takes every desk offline; a projector
that blanks hides the quorum from the hall.

`hold(reason)` returns a `Hold`; `Hold.release()` (idempotent) gives it back. While at least one
hold is kept, the backend keeps the system and the display on:
- Windows: `SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED)`,
  cleared with `ES_CONTINUOUS` when the last hold goes (the state belongs to the calling thread:
  call from the GUI thread, as the pages do);
- Linux desktops (UOS/Kylin DDE, GNOME, KDE): the freedesktop screensaver inhibitor over D-Bus for
  the display, and `systemd-inhibit` for sleep and idle where it exists.
A backend that is not there is skipped quietly: keeping awake is a courtesy, never a reason to
stop the day; `state()` says what is in force (the host page shows it).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002


class Backend:
    """Turns keeping-awake on and off; `on` returns a short description of what it did."""

    def on(self, reason: str) -> str:
        raise NotImplementedError

    def off(self) -> None:
        raise NotImplementedError


class WindowsBackend(Backend):
    def __init__(self, call: Callable[[int], int] | None = None) -> None:
        if call is None:  # pragma: no cover - Windows only
            import ctypes

            call = ctypes.windll.kernel32.SetThreadExecutionState  # type: ignore[attr-defined]
        self.call = call

    def on(self, reason: str) -> str:
        if self.call(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED) == 0:
            return ""
        return "系统不休眠、屏幕不关闭"

    def off(self) -> None:
        self.call(ES_CONTINUOUS)


class FreedesktopBackend(Backend):
    """D-Bus screensaver inhibit (display) + systemd-inhibit (sleep, idle)."""

    def __init__(self) -> None:
        self.cookie: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    def on(self, reason: str) -> str:
        done = []
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusInterface

            bus = QDBusConnection.sessionBus()
            if bus.isConnected():
                iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                       "org.freedesktop.ScreenSaver", bus)
                if iface.isValid():
                    reply = iface.call("Inhibit", "PollDay", reason)
                    args = reply.arguments()
                    if args and isinstance(args[0], int):
                        self.cookie = args[0]
                        done.append("屏幕不关闭")
        except Exception:  # noqa: BLE001 - a missing bus must never stop host mode
            log.info("no screensaver inhibitor", exc_info=True)
        exe = shutil.which("systemd-inhibit")
        if exe:
            try:
                self.proc = subprocess.Popen(
                    [exe, "--what=sleep:idle", "--who=PollDay", f"--why={reason}", "--mode=block",
                     "sleep", "infinity"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                done.append("系统不休眠")
            except OSError:
                log.info("systemd-inhibit could not start", exc_info=True)
        return "、".join(done)

    def off(self) -> None:
        if self.cookie is not None:
            try:
                from PySide6.QtDBus import QDBusConnection, QDBusInterface

                iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                       "org.freedesktop.ScreenSaver", QDBusConnection.sessionBus())
                iface.call("UnInhibit", self.cookie)
            except Exception:  # noqa: BLE001 - best effort
                log.info("UnInhibit failed", exc_info=True)
            self.cookie = None
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


def default_backend() -> Backend:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return WindowsBackend()
    return FreedesktopBackend()


@dataclass
class Keeper:
    """The holds kept now; the backend is on exactly while there is at least one."""

    backend: Backend
    reasons: dict[int, str] = field(default_factory=dict)
    next_id: int = 1
    in_force: str = ""

    def hold(self, reason: str) -> Hold:
        ident = self.next_id
        self.next_id += 1
        first = not self.reasons
        self.reasons[ident] = reason
        if first:
            try:
                self.in_force = self.backend.on(reason)
            except Exception:  # noqa: BLE001 - never stop the day for this
                log.warning("keeping the laptop awake failed", exc_info=True)
                self.in_force = ""
        return Hold(self, ident)

    def release(self, ident: int) -> None:
        if self.reasons.pop(ident, None) is None or self.reasons:
            return
        try:
            self.backend.off()
        except Exception:  # noqa: BLE001
            log.warning("letting the laptop sleep again failed", exc_info=True)
        self.in_force = ""


@dataclass
class Hold:
    keeper: Keeper
    ident: int

    def release(self) -> None:
        self.keeper.release(self.ident)


_keeper: Keeper | None = None


def keeper() -> Keeper:
    global _keeper
    if _keeper is None:
        _keeper = Keeper(default_backend())
    return _keeper


def hold(reason: str) -> Hold:
    return keeper().hold(reason)


def state() -> str:
    """What is in force now ("" when nothing is held or no backend worked)."""
    return keeper().in_force if keeper().reasons else ""
