"""The one folder every printout of a database goes to: chosen by the clerk once (the first print
asks, suggesting `打印文件` beside the database), remembered in the database's `setting` table
(app.session; kept out of the hand-over package), named in every print button's tooltip, and
shown after each print with 打开文件夹 and 更改输出文件夹….

Before this, the 结果 page and the ballots wrote to `<database folder>/打印文件` without saying so
and the sign-in sheets, attendance report and proxy list asked with a save dialog opening in
Documents: three places, and a clerk who found one printout could not find the next.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from app import session
from ui import filedialogs
from ui.pages.context import PageContext

DEFAULT_NAME = "打印文件"
CAPTION = "选择打印文件的输出文件夹（本数据库以后的打印件都放在这里）"
_MEMORY: dict[str, str] = {}  # when the database cannot be written (read-only media)


class _Hub(QObject):
    changed = Signal(str)  # the database (absolute path) whose folder changed


_HUB: _Hub | None = None


def hub() -> _Hub:
    global _HUB
    if _HUB is None:
        _HUB = _Hub()
    return _HUB


def _key(ctx: PageContext) -> str:
    return os.path.abspath(ctx.db_path)


def suggested(ctx: PageContext) -> Path:
    return ctx.db_path.parent / DEFAULT_NAME


def current(ctx: PageContext) -> Path | None:
    """The chosen folder, or None before the first print asked."""
    got = session.output_folder(ctx.conn) or _MEMORY.get(_key(ctx), "")
    return Path(got) if got else None


def choose_folder(parent: QWidget | None, suggestion: Path) -> str:
    """The dialog (through ui.filedialogs); "" when cancelled. Tests of other things replace this
    to take the suggestion as a clerk pressing 选择 would."""
    try:
        suggestion.mkdir(parents=True, exist_ok=True)  # so the dialog can open inside it
    except OSError:
        suggestion = suggestion.parent
    return filedialogs.get_existing_directory(parent, CAPTION, str(suggestion))


def remember(ctx: PageContext, folder: Path) -> None:
    if not session.set_output_folder(ctx.conn, str(folder)):
        _MEMORY[_key(ctx)] = str(folder)
    hub().changed.emit(_key(ctx))


def change(parent: QWidget | None, ctx: PageContext) -> Path | None:
    """更改输出文件夹…: ask (starting at the present folder); None when cancelled."""
    got = choose_folder(parent, current(ctx) or suggested(ctx))
    if not got:
        return None
    remember(ctx, Path(got))
    return Path(got)


def ensure(parent: QWidget | None, ctx: PageContext) -> Path | None:
    """The folder for the next printout: the remembered one (made again if it was removed, e.g.
    a USB stick re-inserted elsewhere asks anew), else asked once. None: the clerk cancelled."""
    folder = current(ctx)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        except OSError:
            pass  # gone (a removed drive): ask again
    return change(parent, ctx)


def tip(ctx: PageContext, base: str = "") -> str:
    folder = current(ctx)
    where = (f"输出到：{folder}" if folder is not None
             else f"第一次打印时请选择输出文件夹（建议：{suggested(ctx)}）")
    return f"{base}\n{where}" if base else where


class _Tip(QObject):
    """Keeps one button's tooltip naming the folder (a child of the button: dies with it)."""

    def __init__(self, button: QAbstractButton, ctx: PageContext, base: str) -> None:
        super().__init__(button)
        self.button, self.ctx, self.base = button, ctx, base
        hub().changed.connect(self.update)
        self.update(_key(ctx))

    def update(self, key: str) -> None:
        if key == _key(self.ctx):
            self.button.setToolTip(tip(self.ctx, self.base))


def attach(button: QAbstractButton, ctx: PageContext) -> None:
    """Name the output folder in `button`'s tooltip (after its own text), now and on change."""
    _Tip(button, ctx, button.toolTip())


def open_path(path: Path, parent: QWidget | None = None) -> bool:
    """打开 / 打开文件夹: the system's program for `path`. Where none is found (a laptop with no PDF
    reader) a message says so and where the file is; before, the button did nothing at all."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    what = "文件夹" if path.is_dir() else "文件"
    advice = ("请在文件管理器中打开它。" if path.is_dir()
              else "请在文件管理器中找到它，或安装PDF阅读器后再试。")
    box = QMessageBox(QMessageBox.Icon.Warning, "未能打开",
                      f"本机没有找到能打开这个{what}的程序：\n{path}\n\n{advice}",
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("notOpenedBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
    return False


def add_buttons(box: QMessageBox, ctx: PageContext, folder: Path) -> None:
    """打开文件夹 and 更改输出文件夹… on a message box that says a printout was made."""
    opener = box.addButton("打开文件夹", QMessageBox.ButtonRole.ActionRole)
    opener.clicked.connect(lambda: open_path(folder, box.parentWidget()))
    changer = box.addButton("更改输出文件夹…", QMessageBox.ButtonRole.ActionRole)
    changer.clicked.connect(lambda: change(box.parentWidget(), ctx))
