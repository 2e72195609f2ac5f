"""PyInstaller runtime hook (runs in the frozen app before ui/launcher.py).

pollday.exe is a console program so that its commands can print. When it is started from
Explorer (a double-click, no arguments) Windows gives it a console window of its own; that
window is closed here so that only the GUI shows. When started from a terminal the console is
shared with the shell (more than one process attached) and is kept.

Without a console nothing printed is seen: stderr (tracebacks, libraries' warnings) then goes
to the per-user log file (app/logs.py), stdout nowhere.
"""

import os
import sys


def _route_output() -> None:
    try:
        from app import logs

        role = f"cli {sys.argv[1]}" if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "gui"
        logs.route_stderr_to_log(role)
    except Exception:  # the log folder may be unwritable: the app must still start
        devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  # lives as long as the app
        sys.stdout = sys.stderr = devnull


def _detach_own_console() -> None:
    if sys.platform != "win32" or len(sys.argv) > 1:
        return
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]  # Windows only
        pids = (ctypes.c_uint32 * 4)()
        if kernel32.GetConsoleProcessList(pids, 4) != 1:
            return  # a shell shares this console: keep it
        kernel32.FreeConsole()
    except Exception:  # never stop the app from starting over a cosmetic window
        return
    _route_output()


_detach_own_console()
if sys.stderr is None:  # a windowed build, or started by a program that gave no streams
    _route_output()
