"""Import the pages' modules in the background once the window is up.

Pages are built the first time their step is opened (ui.pages); importing a step's modules
(widgets, renderers, the sync stack) held the GUI thread 50-800 ms on that first click. A
background thread imports them after the window has been shown for a moment: importing only
defines classes and functions (no widget is made there), Python's import locks keep a module
the GUI thread asks for meanwhile from being loaded twice, and the GUI thread gets the
interpreter back every few milliseconds. The first open of a step then only builds widgets.
Then what is alive is frozen out of the garbage collector's full passes (settle_garbage).

PySide makes a Qt class's Python enums the first time the class is used: the first QTableWidget
made ~100 of them (23 ms). WarmEnums touches every enum of the Qt modules loaded, on the GUI
thread (they are shared with it) in slices of a few milliseconds while nobody clicks."""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import sys
import threading
import time
from collections.abc import Iterator

from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger(__name__)

START_AFTER_MS = 800
PACKAGES = ("ui.widgets", "ui.pages", "ui.pages.counting")
SKIP = ("ui.pages.district_page", "ui.pages.district_charts")  # the district app's own window
_started = threading.Event()
_imported = threading.Event()  # the background imports are done


def finished() -> bool:
    """The pages' modules are imported (or preloading never started: nothing to wait for)."""
    return _imported.is_set() or not _started.is_set()


def modules() -> list[str]:
    names: list[str] = []
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                  if not m.ispkg]
    return [n for n in names if n not in SKIP]


def _import_all(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the page imports it again when opened, and says so
            log.warning("preloading %s failed", name, exc_info=True)
    settle_garbage()
    _imported.set()


def settle_garbage() -> None:
    """Freeze what is alive (modules, classes, the window) out of Python's full garbage
    collections, which otherwise walk all of it again and again: 70-110 ms each on the GUI
    thread during the demo day (whichever thread allocates runs them). No collection first:
    it would hold the interpreter for ~200 ms itself; the few cycles frozen with the rest are
    a one-time cost in memory."""
    gc.freeze()


QT_MODULES = ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtCore")  # first; then the others
SLICE_S = 0.003
SLICE_EVERY_MS = 15


def _qt_enums() -> Iterator[None]:
    """Touch the enums of every class of the Qt modules loaded, one per step."""
    seen: set[str] = set()
    while True:
        loaded = [n for n in QT_MODULES if n in sys.modules] + sorted(
            n for n in list(sys.modules) if n.startswith("PySide6.Qt") and n not in QT_MODULES)
        todo = [n for n in loaded if n not in seen]
        if not todo:
            return
        for name in todo:
            seen.add(name)
            module = sys.modules[name]
            for cname in dir(module):
                cls = getattr(module, cname, None)
                if not isinstance(cls, type):
                    continue
                for attr in dir(cls):
                    if attr[:1].isupper():
                        try:
                            getattr(cls, attr)
                        except Exception:  # noqa: BLE001, S112 - a warm-up: nothing depends on it
                            continue
                        yield


class WarmEnums(QObject):
    """Makes PySide's enums in short slices on the GUI thread (see the module's text)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.steps = _qt_enums()
        self.timer = QTimer(self)
        self.timer.setInterval(SLICE_EVERY_MS)
        self.timer.timeout.connect(self.slice)

    def slice(self) -> None:
        if not _imported.is_set():  # after the imports: the two would share the interpreter
            return
        end = time.perf_counter() + SLICE_S
        for _ in self.steps:
            if time.perf_counter() > end:
                return
        self.timer.stop()


def start(owner: QObject) -> None:
    """Once per process, a moment after `owner` (the main window) was made; also when that
    window was closed meanwhile (the next one waits for these imports: `finished`)."""
    if _started.is_set():
        return
    _started.set()
    app = QCoreApplication.instance()

    def go() -> None:
        settle_garbage()  # before the imports too: a full collection during them held ~190 ms
        threading.Thread(target=_import_all, args=(modules(),), name="preload",
                         daemon=True).start()
        WarmEnums(app if app is not None else owner).timer.start()

    QTimer.singleShot(START_AFTER_MS, app if app is not None else owner, go)
