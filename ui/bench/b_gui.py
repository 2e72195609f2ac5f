"""GUI benchmarks.

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

from app.bench import median, metric

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
