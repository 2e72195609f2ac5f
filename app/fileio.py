"""Writing files the way every platform PollDay runs on needs it: the one module for it.

- `write_atomic`: temporary name beside the target, write, flush, fsync the *writable* handle
  (Windows refuses FlushFileBuffers on a read-only handle), `os.replace` with a few retries
  (Windows refuses to replace a file another program holds open: a PDF viewer, Excel, the
  antivirus, the search indexer), then fsync the folder where the OS can. When the target stays
  held, the clerk gets `FileInUse` naming the file, and the temporary file is removed.
- `finish_atomic`: the same end for a temporary file another writer filled by path (reportlab,
  openpyxl, SQLite): fsync it, replace the target with retry, fsync the folder.
- `fsync_file`: make a file that was written by someone else (SQLite's VACUUM INTO) durable.
- `safe_filename`: a file name from any user text (a meeting code, a desk name, a community):
  no path separators, no characters Windows forbids (<>:"/\\|?* and controls), no invisible
  format or bidi characters, no reserved device names (CON, PRN, AUX, NUL, COM0-9, LPT0-9), no
  trailing dot or space, bounded length (in characters and in UTF-8 bytes).

The replacer, the opener and the fsync are looked up when called, so a test can put a fake in
their place that refuses the way Windows does (`monkeypatch.setattr(fileio, "_replace", ...)`),
or pass one in.

Secrets are not protected by file modes here: Windows ignores them. Files that hold a secret are
still created 0600 where modes exist (`private=True`), which is all a mode can do.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

WINDOWS = sys.platform == "win32"
REPLACE_TRIES = 6
REPLACE_WAIT_S = 0.25          # Windows: the viewer / antivirus usually lets go within a second
MAX_NAME = 80                  # characters of a name part; the whole path stays well under 260
MAX_NAME_BYTES = 180           # UTF-8 bytes (ext4 allows 255 for the whole name, with suffixes)

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Controls and line/paragraph separators become a space; format characters (bidi overrides that
# make "txt.exe" read as "exe.txt", zero-width spaces, soft hyphens) are dropped; a lone
# surrogate (undecodable bytes) cannot be written as UTF-8 and becomes "_".
_AS_SPACE = ("Cc", "Zl", "Zp")
RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                  *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
                  "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}
# What a file held open elsewhere gives on Windows: ERROR_ACCESS_DENIED (5, also a read-only
# target), ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33).
_HELD = (5, 32, 33)


class FileInUse(OSError):
    """The target is held open by another program and could not be replaced."""

    def __init__(self, path: Path, cause: OSError) -> None:
        super().__init__(cause.errno, f"文件 {path} 正被其他程序打开（例如 PDF 阅读器、Excel 或杀毒"
                         "软件），无法覆盖。请关闭该文件后重试，或换一个文件名保存。", str(path))
        self.path = path
        self.cause = cause

    def __str__(self) -> str:
        return str(self.strerror)


Replacer = Callable[[Path, Path], None]
Opener = Callable[[Path, int], int]
Syncer = Callable[[int], None]


def _replace(src: Path, dst: Path) -> None:
    os.replace(src, dst)


def _open(path: Path, flags: int) -> int:
    return os.open(path, flags)


def _fsync(fd: int) -> None:
    os.fsync(fd)


def _in_use(exc: OSError) -> bool:
    """True when `exc` is what Windows says while another program holds the file. On POSIX a
    rename over an open file succeeds, so a PermissionError there is a real permission problem
    and is not retried."""
    if getattr(exc, "winerror", None) in _HELD:
        return True
    return WINDOWS and isinstance(exc, PermissionError)


def replace_with_retry(tmp: Path, target: Path, *, replacer: Replacer | None = None,
                       tries: int | None = None, wait: float | None = None) -> None:
    """`os.replace(tmp, target)`, retried while the target is held open elsewhere; then
    `FileInUse` (tmp removed). Other errors (disk gone, no room) pass through at once, tmp kept
    for the caller to report or remove."""
    replace = replacer or _replace
    tries = REPLACE_TRIES if tries is None else tries
    wait = REPLACE_WAIT_S if wait is None else wait
    for attempt in range(max(1, tries)):
        try:
            replace(tmp, target)
            return
        except OSError as exc:
            if not _in_use(exc):
                raise
            if attempt >= tries - 1:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise FileInUse(target, exc) from exc
            time.sleep(wait)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); Windows cannot open a folder for that and
    NTFS/FAT journal the rename with the file's own flush."""
    if WINDOWS:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path, *, opener: Opener | None = None, syncer: Syncer | None = None) -> None:
    """Flush a file written by another writer (SQLite's VACUUM INTO, reportlab) to the disk.
    Opened for writing (without truncating): Windows refuses to flush a read-only handle. Never
    call this on a live database file: closing any descriptor on it drops SQLite's POSIX locks."""
    fd = (opener or _open)(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        (syncer or _fsync)(fd)
    finally:
        os.close(fd)


def temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.\d+\.tmp$")


def shown_path(path: str | os.PathLike[str]) -> str:
    """The file a clerk asked for, when `path` is one of our temporary names for it (an error
    while writing `.出席.pdf.4711.tmp` is about 出席.pdf); other paths unchanged."""
    p = Path(os.fsdecode(path))
    m = _TEMP_NAME.match(p.name)
    return str(p.with_name(m.group("name"))) if m else str(p)


def _in_place(tmp: Path, target: Path, fill: Callable[[], None],
              replacer: Replacer | None) -> None:
    """fill() (it leaves `tmp` written and flushed to the disk), then `tmp` in place of `target`
    and the folder flushed. On any failure `tmp` is removed."""
    try:
        fill()
        replace_with_retry(tmp, target, replacer=replacer)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(target.parent)


def finish_atomic(tmp: Path, target: Path, *, replacer: Replacer | None = None) -> None:
    """Put `tmp`, filled by another writer, in place of `target` durably (see module doc).
    On any failure `tmp` is removed; `FileInUse` when the target stays held open."""
    _in_place(tmp, target, lambda: fsync_file(tmp), replacer)


def write_atomic(target: Path, data: bytes | str, *, private: bool = False,
                 replacer: Replacer | None = None) -> None:
    """Write `data` (str as UTF-8) to `target` so that a reader sees the old file or the whole
    new one, never a part, and the new one survives a power cut once this returns."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = temp_path(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)

    def fill() -> None:
        fd = os.open(tmp, flags, 0o600 if private else 0o666)
        with open(fd, "wb") as f:
            f.write(raw)
            f.flush()
            _fsync(f.fileno())

    _in_place(tmp, target, fill, replacer)


def _visible(c: str) -> str:
    cat = unicodedata.category(c)
    return " " if cat in _AS_SPACE else "" if cat == "Cf" else "_" if cat == "Cs" else c


def _bounded(name: str, max_len: int) -> str:
    name = name[:max_len]
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name


def safe_filename(text: str, *, fallback: str = "未命名", max_len: int = MAX_NAME) -> str:
    """A file-name part from user text, valid on Windows and Linux and never a path. Text that
    is already a good name comes back unchanged."""
    name = unicodedata.normalize("NFC", text or "")
    name = "".join(_visible(c) for c in name)
    name = _FORBIDDEN.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip().rstrip(". ").lstrip(". ")
    name = _bounded(name, max_len).rstrip(". ")
    if not name:
        name = fallback
    if name.split(".", 1)[0].strip().upper() in RESERVED_NAMES:
        name = "_" + name
    return name
