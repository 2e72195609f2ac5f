"""Barcode / QR scanners that act as a keyboard, recognised wherever the focus is.

A scanner "types" its token far faster than a person (a few ms per key) and ends with Enter.
An application-level event filter holds printable keystrokes for `gap_ms`; when the next key
comes sooner the run grows, and a run of at least `min_len` characters ended by Enter is a
scan: `scanned(token)` is emitted and none of its keys reach the focused widget. Anything else
(a person typing, a short fast pair, a run that stops without Enter) is replayed, unchanged and
in order, to the widget it was meant for, so typing is delayed by at most `gap_ms`.

The input method never fights it. Clerks type Chinese names in the same box, so an input
method is often on when a card is scanned:
- digits (the tokens printed now are digits only) pass an input method as key events, or, in
  full-width mode, as one-character commits (１): those commits are held like keys, folded to
  ASCII (NFKC) in the token, and the burst ends with Enter as usual;
- letters (tokens printed before) start a composition: the input method shows them as preedit
  text and commits them all at once when the scanner's Enter arrives (the Enter itself never
  reaches the widget). A commit of at least `min_len` ASCII characters that ends a fast run of
  composition updates (each within `gap_ms`) is a scan: the composition is cleared and
  `scanned` emitted. A person composing pinyin is far slower.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication

GAP_MS = 30
MIN_LEN = 4

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# A scanner presses Shift around upper-case letters like a keyboard does: part of the burst.
_SHIFT = (Qt.Key.Key_Shift, Qt.Key.Key_CapsLock)
_PASS_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


class _Held:
    __slots__ = ("target", "event", "text")

    def __init__(self, target: QObject, event: QKeyEvent | QInputMethodEvent, text: str) -> None:
        self.target = target
        self.event = event
        self.text = text


def _ascii(text: str) -> str:
    """Full-width forms an input method commits (１２３, ＡＢＣ) as ASCII."""
    return unicodedata.normalize("NFKC", text)


def _commit_copy(event: QInputMethodEvent) -> QInputMethodEvent:
    copy = QInputMethodEvent(event.preeditString(), event.attributes())
    copy.setCommitString(event.commitString(), event.replacementStart(),
                         event.replacementLength())
    return copy


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
        self._im_run = 0          # composition updates in the current fast run
        self._im_last_ms = -1e9
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
        if etype == QEvent.Type.InputMethod and not self._replaying and obj.isWidgetType():
            assert isinstance(event, QInputMethodEvent)
            return self._input_method(obj, event)
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
                token = _ascii("".join(h.text for h in self._held))
                self._held.clear()
                self._timer.stop()
                self.scanned.emit(token)
                return True
            self.flush()
            return False
        if not self._is_candidate(event):
            self.flush()
            return False
        self._hold(obj, QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(),
                                  event.isAutoRepeat(), event.count()), event.text(), now)
        return True

    def _hold(self, obj: QObject, event: QKeyEvent | QInputMethodEvent, text: str,
              now: float) -> None:
        self._held.append(_Held(obj, event, text))
        self._last_ms = now
        self._timer.start(self.gap_ms + 1)

    def _input_method(self, obj: QObject, event: QInputMethodEvent) -> bool:
        """A scanner's keys as an input method passes them on (see the module's words)."""
        if not self._active():
            return False
        now = self._now()
        commit, preedit = _ascii(event.commitString()), event.preeditString()
        printable = bool(commit) and all(0x21 <= ord(c) <= 0x7E for c in commit)
        if preedit and not commit:  # a composition growing: count the fast run
            fast = now - self._im_last_ms <= self.gap_ms
            self._im_run = self._im_run + 1 if fast else 1
            self._im_last_ms = now
            return False
        fast_run = (now - self._im_last_ms <= self.gap_ms and self._im_run + 1 >= self.min_len)
        self._im_run = 0
        if printable and not preedit and len(commit) >= self.min_len and fast_run:
            self.flush()
            # The composition on screen is cleared; the token goes to the desk, not the box.
            QApplication.sendEvent(obj, QInputMethodEvent())
            self.scanned.emit(commit)
            return True
        if printable and not preedit and len(commit) == 1:
            fast = bool(self._held) and (now - self._last_ms) <= self.gap_ms
            if self._held and not fast:
                self.flush()
            self._hold(obj, _commit_copy(event), commit, now)
            return True
        self.flush()
        return False

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
                event = h.event
                if isinstance(event, QInputMethodEvent):
                    event = _commit_copy(event)  # one delivery per event object
                QApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False
