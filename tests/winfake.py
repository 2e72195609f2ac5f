"""Fakes that refuse the way Windows does, for the file-writing paths (app/fileio.py).

On Windows, `os.replace` onto a file another program holds open (a PDF viewer, Excel, the
antivirus) fails with PermissionError carrying winerror 5 (access denied) or 32 (sharing
violation); on Linux the same rename succeeds, so these fakes stand in for the other program.
"""

from __future__ import annotations

import os
from pathlib import Path


def windows_refusal(path: Path, winerror: int = 32) -> PermissionError:
    """The exception Windows raises for a replace onto a held file (winerror kept on Linux)."""
    text = {5: "拒绝访问。", 32: "另一个程序正在使用此文件，进程无法访问。"}.get(winerror, "")
    exc = PermissionError(13, text, str(path))
    exc.winerror = winerror  # type: ignore[attr-defined]  # set by CPython on Windows only
    return exc


class Viewer:
    """A program holding files open: replacing a held file is refused until it lets go
    (`release_after` refusals, None: never), then the real `os.replace` runs."""

    def __init__(self, *held: Path, winerror: int = 5, release_after: int | None = None) -> None:
        self.held = {p.resolve() for p in held}
        self.winerror = winerror
        self.release_after = release_after
        self.refused = 0
        self.calls: list[tuple[Path, Path]] = []

    def hold(self, path: Path) -> None:
        self.held.add(path.resolve())

    def replace(self, src: Path, dst: Path) -> None:
        self.calls.append((Path(src), Path(dst)))
        if Path(dst).resolve() in self.held and (self.release_after is None
                                                 or self.refused < self.release_after):
            self.refused += 1
            raise windows_refusal(Path(dst), self.winerror)
        os.replace(src, dst)
