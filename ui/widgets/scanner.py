"""Barcode / QR scanners that act as a keyboard, recognised wherever the focus is.

A scanner "types" its token far faster than a person (a few ms per key) and ends with Enter.
An application-level event filter holds printable keystrokes for `gap_ms`; when the next key
comes sooner the run grows, and a run of at least `min_len` characters ended by Enter is a
scan: `scanned(token)` is emitted and none of its keys reach the focused widget. Anything else
(a person typing, a short fast pair, a run that stops without Enter) is replayed, unchanged and
in order, to the widget it was meant for, so typing is delayed by at most `gap_ms`.

Key events only: text entered through an input method (Chinese) never passes through here.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

GAP_MS = 30
MIN_LEN = 4

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# A scanner presses Shift around upper-case letters like a keyboard does: part of the burst.
_SHIFT = (Qt.Key.Key_Shift, Qt.Key.Key_CapsLock)
_PASS_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


class _Held:
    __slots__ = ("target", "event")

    def __init__(self, target: QObject, event: QKeyEvent) -> None:
        self.target = target
        self.event = event


class ScannerFilter(QObject):
    """Install with `QApplication.instance().installEventFilter(f)` (done by `install`).

    `active` decides, per key, whether the filter looks at keys at all (the desk page turns it
    on while it is shown). The clock is injectable so tests can drive it without sleeping.
    """

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, gap_ms: int = GAP_MS,
                 min_len: int = MIN_LEN, active: Callable[[], bool] | None = None,
                 now_ms: Callable[[], float] | None = None) -> None:
        super().__init__(parent)
        self.gap_ms = gap_ms
        self.min_len = min_len
        self._active = active or (lambda: True)
        self._now = now_ms or (lambda: time.perf_counter() * 1000.0)
        self._held: list[_Held] = []
        self._last_ms = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)

    def install(self) -> ScannerFilter:
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        return self

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.flush()

    # --- the filter ---------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        etype = event.type()
        if etype not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) or self._replaying:
            return False
        # Key events propagate from the focus widget to its parents and pass here once per
        # receiver; only the first delivery (to a widget, the window handle comes before) counts.
        if not obj.isWidgetType():
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() in _SHIFT:
            return False
        if etype == QEvent.Type.KeyRelease:
            # Releases of held keys are dropped with them; a replayed press needs no release.
            return bool(self._held) and self._is_candidate(event)
        if not self._active():
            self.flush()
            return False
        now = self._now()
        fast = bool(self._held) and (now - self._last_ms) <= self.gap_ms
        if self._held and not fast:
            self.flush()
        if event.key() in _ENTER and not event.isAutoRepeat():
            if fast and len(self._held) >= self.min_len:
                token = "".join(h.event.text() for h in self._held)
                self._held.clear()
                self._timer.stop()
                self.scanned.emit(token)
                return True
            self.flush()
            return False
        if not self._is_candidate(event):
            self.flush()
            return False
        self._held.append(_Held(obj, QKeyEvent(event.type(), event.key(), event.modifiers(),
                                               event.text(), event.isAutoRepeat(), event.count())))
        self._last_ms = now
        self._timer.start(self.gap_ms + 1)
        return True

    def _is_candidate(self, event: QKeyEvent) -> bool:
        text = event.text()
        return (len(text) == 1 and 0x21 <= ord(text) <= 0x7E and not event.isAutoRepeat()
                and not (event.modifiers() & ~_PASS_MODIFIERS))

    def flush(self) -> None:
        """Give held keys to the widgets they were meant for (a person was typing)."""
        self._timer.stop()
        held, self._held = self._held, []
        if not held:
            return
        self._replaying = True
        try:
            for h in held:
                target = h.target
                focus = QApplication.focusWidget()
                # Focus may have moved while the key was held (a click): follow it, as the key
                # would have gone there had it not been held.
                receiver = focus if focus is not None else target
                QApplication.sendEvent(receiver, h.event)
        finally:
            self._replaying = False
