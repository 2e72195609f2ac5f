"""Where this installation keeps its per-user files (key, logs, settings). A module of its own, with
nothing but the standard library, because every `pollday` process asks it first (the log file) and
app.keys loads the cryptography stack."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def data_home() -> Path:
    """Per-user data folder (POLLDAY_HOME overrides it, e.g. in tests)."""
    override = os.environ.get("POLLDAY_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "PollDay"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "PollDay"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "PollDay"
