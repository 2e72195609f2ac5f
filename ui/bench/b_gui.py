"""GUI benchmarks.

register_filter_p95_ms: the 准备 · 名册 page on a 20,000-person register (the desk benchmark's
database), offscreen: for each step of typing a query (names, pinyin, initials, ID digits,
prefix by prefix) the time for the query, the model reset and the repaint of the table. p95 in
milliseconds; the GUI thread must stay under ~50 ms per keystroke.

startup_to_window_s: from starting the `pollday` process to its main window shown (offscreen)
on an existing demo database, median of 3 runs. The demo database is built once beforehand and
not counted; the clock starts before the process is spawned, so interpreter start-up, imports,
font registration and opening the database are all inside the figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.bench import median, metric, p95

RUNS = 3
TIMEOUT_S = 60


def pollday_command() -> list[str]:
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: the executable is pollday
        return [sys.executable]
    return [sys.executable, "-m", "ui.launcher"]


def child_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1")
    if not getattr(sys, "frozen", False):
        root = str(Path(__file__).resolve().parent.parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def time_to_window(db: Path) -> float:
    """Seconds from spawning `pollday --db DB` to its 'window-shown' line."""
    started = time.perf_counter()
    proc = subprocess.Popen([*pollday_command(), "--db", str(db), "--quit-after-show"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(),
                            text=True, encoding="utf-8")
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("window-shown"):
                elapsed = time.perf_counter() - started
                break
        else:
            _out, err = proc.communicate(timeout=TIMEOUT_S)
            raise RuntimeError(f"pollday exited ({proc.wait()}) without showing its window: {err}")
        proc.communicate(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    if proc.returncode != 0:
        raise RuntimeError(f"pollday exited with {proc.returncode}")
    return elapsed


def demo_database(folder: Path) -> Path:
    from app.demo import build_demo
    from db.connection import connect

    path = folder / "demo.db"
    conn = connect(path)
    try:
        build_demo(conn)
    finally:
        conn.close()
    return path


@metric("startup_to_window_s", "s", 2.5, "lt", issue="Foundation")
def startup_to_window_s(scratch: Path) -> float:
    db = demo_database(scratch)
    return median([time_to_window(db) for _ in range(RUNS)])


QUERIES = ("wang", "zhang", "zhangw", "lij", "ouyang", "zfr", "王", "王芳", "张伟", "欧阳", "123", "0012",
           "34x", "x")


@metric("register_filter_p95_ms", "ms", 50.0, "lt", issue="Foundation")
def register_filter_p95_ms(scratch: Path) -> float:
    from PySide6.QtCore import QEventLoop

    from ui.app_main import make_app, open_main_window
    from ui.bench.b_desk import desk_database

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication exists
    make_app()
    window = open_main_window(desk_database(scratch))
    if window is None:
        raise RuntimeError("the window did not open")
    try:
        window.resize(1280, 800)
        window.show()
        page = window.show_step("prepare")
        deadline = time.monotonic() + 30
        loop = QEventLoop()
        while not page.is_loaded():
            if time.monotonic() > deadline:
                raise RuntimeError("the register did not load")
            loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        times: list[float] = []
        for query in QUERIES:
            for end in range(1, len(query) + 1):
                started = time.perf_counter()
                page.filter.setText(query[:end])
                page.apply_filter()
                page.table.viewport().repaint()
                times.append((time.perf_counter() - started) * 1000)
        return p95(times)
    finally:
        window.close()
