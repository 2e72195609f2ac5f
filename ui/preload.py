"""Import the pages' modules in the background once the window is up.

Pages are built the first time their step is opened (ui.pages); importing a step's modules
(widgets, renderers, the sync stack) held the GUI thread 50-800 ms on that first click. A
background thread imports them after the window has been shown for a moment: importing only
defines classes and functions (no widget is made there), Python's import locks keep a module
the GUI thread asks for meanwhile from being loaded twice, and the GUI thread gets the
interpreter back every few milliseconds. The first open of a step then only builds widgets.
Then what is alive is frozen out of the garbage collector's full passes (settle_garbage)."""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import threading

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

START_AFTER_MS = 800
PACKAGES = ("ui.widgets", "ui.pages", "ui.pages.counting")
SKIP = ("ui.pages.district_page", "ui.pages.district_charts")  # the district app's own window
_started = threading.Event()


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


def settle_garbage() -> None:
    """Freeze what is alive (modules, classes, the window) out of Python's full garbage
    collections, which otherwise walk all of it again and again: 70-110 ms each on the GUI
    thread during the demo day (whichever thread allocates runs them). No collection first:
    it would hold the interpreter for ~200 ms itself; the few cycles frozen with the rest are
    a one-time cost in memory."""
    gc.freeze()


def start(owner: QObject) -> None:
    """Once per process, a moment after `owner` (the main window) was made."""
    if _started.is_set():
        return
    _started.set()

    def go() -> None:
        settle_garbage()  # before the imports too: a full collection during them held ~190 ms
        threading.Thread(target=_import_all, args=(modules(),), name="preload",
                         daemon=True).start()

    QTimer.singleShot(START_AFTER_MS, owner, go)
