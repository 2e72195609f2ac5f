"""Private scratch folders for work files that must not outlive their process (the export's
working copy of the database, which holds ID numbers and phone numbers).

They live under `<data folder>/scratch/` (created 0700), never in the system temp folder. Each
holds a lock file its process keeps locked while it works; a crash or kill -9 releases the lock
with the process, and `sweep()` (at every start of PollDay and before each new scratch folder)
removes every folder whose lock nobody holds. `scratch_dir` removes its own folder in `finally`.
Older PollDay versions left `pollday-export-*` in the system temp folder: those are swept too.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

LOCK_NAME = ".owner.lock"
LEGACY_PREFIX = "pollday-export-"
LEGACY_AGE_S = 600.0      # an older version's export in progress is never that old
UNLOCKED_AGE_S = 60.0     # a folder whose creator died before it could take its lock


class ScratchError(Exception):
    """The scratch folder cannot hold the work (full disk, read-only data folder); the message
    speaks to the clerk and names the folder."""


def scratch_root() -> Path:
    from app.home import data_home

    return data_home() / "scratch"


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _abandoned(folder: Path) -> bool:
    lock = folder / LOCK_NAME
    try:
        handle = open(lock, "r+b")  # noqa: SIM115 - closed below, after the lock test
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > UNLOCKED_AGE_S
        except OSError:
            return False
    except OSError:
        return False
    try:
        return _try_lock(handle)
    finally:
        handle.close()  # releases the lock we may have taken


def sweep(root: Path | None = None) -> list[Path]:
    """Remove scratch folders no living process owns (and old legacy export folders).
    Returns what was removed. Never raises: a folder that cannot go now goes next time."""
    removed: list[Path] = []
    base = root if root is not None else scratch_root()
    with suppress(OSError):
        for folder in base.iterdir():
            if folder.is_dir() and _abandoned(folder):
                _remove(folder)
                removed.append(folder)
    with suppress(OSError):
        now = time.time()
        for folder in Path(tempfile.gettempdir()).glob(f"{LEGACY_PREFIX}*"):
            with suppress(OSError):
                if folder.is_dir() and now - folder.stat().st_mtime > LEGACY_AGE_S:
                    _remove(folder)
                    removed.append(folder)
    return removed


@contextmanager
def scratch_dir(prefix: str, root: Path | None = None) -> Iterator[Path]:
    """A new private folder, locked by this process, removed when the block ends."""
    base = root if root is not None else scratch_root()
    sweep(base)
    folder: Path | None = None
    handle: IO[bytes] | None = None
    try:
        try:
            base.mkdir(parents=True, exist_ok=True)
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))  # 0700
            handle = open(folder / LOCK_NAME, "w+b")  # noqa: SIM115 - held for the block
            handle.write(str(os.getpid()).encode("ascii"))
            handle.flush()
        except OSError as e:
            raise ScratchError(_words(base, e)) from e
        _try_lock(handle)
        yield folder
    finally:
        if handle is not None:
            with suppress(OSError):
                handle.close()
        if folder is not None:
            _remove(folder)


def _words(base: Path, e: OSError) -> str:
    from app.logs import environment_words

    return (f"PollDay 无法在 {base} 存放临时文件：{environment_words(e) or e}"
            "（刚才的操作没有进行）")
