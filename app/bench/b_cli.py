"""Start-up of the command line: `pollday --version` as a real process (interpreter start, the
launcher, the log file, building the parser). Every `pollday` command pays this before its own
work; a scripted day runs hundreds of them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.bench import median, metric

RUNS = 7


def pollday_command() -> list[str]:
    """The program a user runs: the frozen bundle itself, else the console script installed next
    to this interpreter, else the launcher module (the same code)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]


@metric("cli_startup_s", unit="s", target=0.3, better="lt",
        issue="The counting half of the day from the command line")
def cli_startup(folder: Path) -> float:
    """Median wall time of 7 runs of `pollday --version` (one warm-up run first, so the figure is
    the usual start, not the first after a boot)."""
    cmd = [*pollday_command(), "--version"]
    env = {**os.environ, "POLLDAY_HOME": str(folder)}  # its log file in the scratch folder
    times = []
    for i in range(RUNS + 1):
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
        elapsed = time.perf_counter() - t
        if done.returncode != 0 or "PollDay" not in done.stdout:
            raise RuntimeError(f"pollday --version failed ({done.returncode}): {done.stderr[-500:]}")
        if i:
            times.append(elapsed)
    return median(times)
