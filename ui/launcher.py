"""The `pollday` entry point. With no command it opens the GUI (on the database used last, else
the demo venue; `--demo` the demo venue); with
`--district DB` the district office's dashboard; otherwise it runs a sub-command from app/cli
(Qt-free) or ui/ (commands that need Qt: selftest, bench).

Every process writes its warnings and uncaught exceptions to the per-user log file (app/logs.py);
the windows also show an uncaught exception in a dialog (ui/errors.py)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app import cli, logs, scratch

PACKAGES = ("app.cli", "ui")
# A command that fails by a bug exits 70 (BSD EX_SOFTWARE), so a script tells it from a refusal
# (1) and a usage error (2).
EXIT_INTERNAL_ERROR = 70


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    scratch.sweep()  # work copies a killed process left behind (they hold ID numbers)
    if args and args[0] == "--district":
        # District mode: the 区（街道）换届办 dashboard on its own database (district_page).
        logs.setup("district")
        from ui import errors
        from ui.app_main import make_app
        from ui.pages.district_page import run_district

        make_app()
        errors.install()
        return errors.run_guarded(lambda: run_district(args[1:]))
    if not args or args[0] in ("gui", "--demo") or (args[0].startswith("--db")):
        from ui.app_main import run_gui  # Qt is imported only when the GUI is wanted

        return run_gui(args[1:] if args and args[0] == "gui" else args)
    logs.setup(f"cli {args[0]}" if not args[0].startswith("-") else "cli")
    logs.install_cli_hooks()
    try:
        return cli.main(args, PACKAGES)
    except Exception:   # a bug, not a refusal: said, logged, and told apart by the exit status
        sys.excepthook(*sys.exc_info())
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
