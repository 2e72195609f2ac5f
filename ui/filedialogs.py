"""Every file dialog and file-system model of the GUI, built so that none of them opens a file.

Why: on Linux (and every POSIX system) closing ANY file descriptor a process holds on a file
releases ALL of that process's fcntl locks on it, SQLite's included (sqlite.org, "How To Corrupt
An SQLite Database File", §2.2). Qt's own file dialog and QFileSystemModel work out the type
column and the icon of each file with QMimeDatabase, which opens files whose name it does not
know (`election.db`, `election.db-wal`, `election.db-shm`) to read their first bytes, then closes
them. With the GUI's connection open, merely showing the database's folder in a dialog therefore
dropped the GUI's locks; the next `pollday sign-in` believed it was the last connection,
checkpointed and deleted the WAL on exit, and the GUI went on writing into the deleted WAL: a
sign-in the CLI had reported vanished and the GUI's 实到 stopped following the file.

The rule (see README, "多个程序同时打开同一个数据库"): the GUI process opens a database file only
through SQLite. Every QFileDialog in ui/ goes through the functions below (a test checks the
source of ui/ for any other), which use Qt's own dialog with `NoSniffIconProvider` everywhere but
Windows. Windows locks (LockFileEx) belong to the handle that took them, so another handle's
close releases nothing there and the native dialog is kept.

Multi-process rule: the GUI owns the database it shows; other PollDay processes (`pollday
sign-in`, `pollday attendance`, a second window) may read and write the same file at the same time
through SQLite, which is safe because nothing in the GUI process touches the file outside SQLite.
The GUI's pages follow such writes by polling PRAGMA data_version (desk page and 会场 page, every
2 s).

No second guard refuses the CLI while the GUI is open: (1) refusing would forbid real uses (two
`pollday sign-in` desks on one file, `pollday attendance --open-voting` beside the 会场 page, the
GUI's own host mode); (2) whether the GUI's SQLite locks still stand is known only to the GUI's
SQLite, which has no API to ask, and another process could only look by opening the database
file outside SQLite itself, once, at start, while the locks can be lost at any later moment;
(3) Windows, the target, cannot lose them this way. The protection is structural and tested
instead (tests/gui/test_one_owner.py): no QFileDialog, QFileSystemModel, QFileIconProvider,
QMimeDatabase or QFile anywhere in ui/ but here, each helper shows Qt's dialog with this
provider, the GUI's locks survive a dialog over the folder, and the GUI + CLI sequence loses
nothing over 20 repetitions.

A dialog is also where a clerk could pick the open database itself as a register to import or a
PDF to overwrite; reading or replacing it would do the same harm. Each page context registers its
database with `protect`, and the dialogs here refuse those files (and their -wal/-shm) in words,
except the 打开/新建数据库 dialogs, whose choice is opened through SQLite.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QFileInfo, QIdentityProxyModel, QLocale, QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFileDialog,
    QFileIconProvider,
    QFileSystemModel,
    QHeaderView,
    QMessageBox,
    QSplitter,
    QTreeView,
    QWidget,
)

# What the type column says, by suffix: the name alone decides, never the contents.
TYPE_NAMES = {
    "db": "PollDay 数据库",
    "sqlite": "SQLite 数据库",
    "db-wal": "数据库日志（勿动）",
    "db-shm": "数据库日志（勿动）",
    "pollday": "报送包",
    "pollday-entry": "录入文件",
    "pdf": "PDF 文件",
    "xlsx": "Excel 表格",
    "xls": "Excel 表格（旧版）",
    "csv": "CSV 表格",
    "txt": "文本文件",
    "json": "JSON 文件",
    "zip": "压缩包",
}
NATIVE = sys.platform == "win32"


class NoSniffIconProvider(QFileIconProvider):
    """Icons and type names from the file's name and kind (stat), never from its contents."""

    def __init__(self) -> None:
        super().__init__()
        self.setOptions(QFileIconProvider.Option.DontUseCustomDirectoryIcons)
        kinds = QFileIconProvider.IconType
        # Made once on the GUI thread; handing out copies is cheap and thread-safe.
        self._icons = {k: QFileIconProvider.icon(self, k)
                       for k in (kinds.File, kinds.Folder, kinds.Drive, kinds.Computer,
                                 kinds.Desktop, kinds.Trashcan, kinds.Network)}

    def icon(self, what: QFileInfo | QFileIconProvider.IconType) -> QIcon:  # both Qt overloads in one
        kinds = QFileIconProvider.IconType
        if not isinstance(what, QFileInfo):
            return self._icons.get(what, self._icons[kinds.File])
        if what.isRoot():
            return self._icons[kinds.Drive]
        return self._icons[kinds.Folder if what.isDir() else kinds.File]

    def type(self, info: QFileInfo) -> str:
        if info.isRoot():
            return "驱动器"
        if info.isDir():
            return "文件夹"
        name = info.fileName().lower()
        for suffix, label in TYPE_NAMES.items():
            if name.endswith("." + suffix):
                return label
        ext = info.suffix()
        return f"{ext.upper()} 文件" if ext else "文件"


_PROVIDER: NoSniffIconProvider | None = None


def provider() -> NoSniffIconProvider:
    """The one provider of the process (a dialog or model does not own it: kept alive here)."""
    global _PROVIDER
    if _PROVIDER is None:
        _PROVIDER = NoSniffIconProvider()
    return _PROVIDER


def file_system_model(parent: QWidget | None = None) -> QFileSystemModel:
    """A QFileSystemModel that never opens the files it lists."""
    model = QFileSystemModel(parent)
    model.setIconProvider(provider())
    model.setOption(QFileSystemModel.Option.DontUseCustomDirectoryIcons)
    return model


def data_size(n: int) -> str:
    """A file size in Chinese words (Qt formats it with the OS locale: "1 bytes" on Linux)."""
    if n < 1024:
        return f"{n} 字节"
    for unit in ("KB", "MB", "GB", "TB"):
        n_f = n / 1024
        if n_f < 1024 or unit == "TB":
            return f"{n_f:.1f} {unit}"
        n = int(n_f)
    return f"{n} TB"  # pragma: no cover - the loop returns


class ChineseColumns(QIdentityProxyModel):
    """The dialog's size and date columns in Chinese. Why: QFileSystemModel formats them with
    QLocale::system(), the operating system's locale, not the locale the app sets nor Qt's
    translations, so on a Linux laptop without a zh_CN locale the detail view read "1 bytes" and
    "6 12 2026 05:18" (the C locale's short date) under Chinese headers."""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and index.column() in (1, 3):
            source = self.sourceModel()
            if isinstance(source, QFileSystemModel):
                info = source.fileInfo(self.mapToSource(index))
                if index.column() == 3:
                    return QLocale(QLocale.Language.Chinese, QLocale.Country.China).toString(
                        info.lastModified(), "yyyy-MM-dd HH:mm")
                return "" if info.isDir() else data_size(info.size())
        return super().data(index, role)


def make_dialog(parent: QWidget | None, caption: str, directory: str = "",
                name_filter: str = "") -> QFileDialog:
    """A QFileDialog with the app's provider set before it lists anything (Qt asks the provider
    lazily, on the GUI thread, when the view paints; nothing is painted before exec)."""
    dlg = QFileDialog(parent, caption, directory, name_filter)
    if not NATIVE:
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
        dlg.setIconProvider(provider())
        dlg.setProxyModel(ChineseColumns(dlg))
    dlg.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons)
    _fit(dlg)
    return dlg


def _fit(dlg: QFileDialog) -> None:
    """Qt's dialog, made readable: the two labels Qt's Chinese strings lack, a sidebar wide
    enough for its names, and detail columns that show the whole type name and date."""
    dlg.setLabelText(QFileDialog.DialogLabel.LookIn, "位置：")
    dlg.setLabelText(QFileDialog.DialogLabel.FileType, "文件类型：")
    splitter = dlg.findChild(QSplitter, "splitter")
    if splitter is not None:
        splitter.setSizes([180, 700])
    tree = dlg.findChild(QTreeView, "treeView")
    if tree is not None:
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, header.count()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)


_LIVE: set[Path] = set()  # databases this process has open (a page context registers its own)
DB_COMPANIONS = ("", "-wal", "-shm", "-journal")


def protect(db_path: Path) -> None:
    """Make the dialogs below refuse `db_path` and its companion files."""
    _LIVE.add(Path(os.path.abspath(db_path)))


def live_database(chosen: str | Path) -> Path | None:
    """The open database `chosen` is (or is a companion file of), else None. Compares by stat
    (same device and inode, so another spelling of the path is caught), never by opening."""
    target = Path(os.path.abspath(chosen))
    for db in _LIVE:
        for suffix in DB_COMPANIONS:
            candidate = db.with_name(db.name + suffix)
            if candidate == target:
                return db
            try:
                if os.path.samefile(candidate, target):
                    return db
            except OSError:
                continue  # one of them does not exist
    return None


def _run(dlg: QFileDialog, database: bool = False) -> tuple[list[str], str]:
    """Show the dialog; (chosen paths, the filter in use). An open database (unless `database`)
    is refused in words and counts as no choice."""
    parent = dlg.parentWidget()
    try:
        accepted = dlg.exec() == QFileDialog.DialogCode.Accepted
        chosen, used = (dlg.selectedFiles() if accepted else []), dlg.selectedNameFilter()
    finally:
        dlg.deleteLater()
    live = None if database else next(filter(None, map(live_database, chosen)), None)
    if live is not None:
        QMessageBox.warning(parent, "不能选择这个文件",
                            f"“{live.name}”是本程序正在使用的选举数据库（{live.parent}）。\n"
                            "在这里读取或覆盖它会损坏正在记录的签到，请选择别的文件。")
        return [], used
    return chosen, used


def get_open_file_name(parent: QWidget | None, caption: str = "", directory: str = "",
                       name_filter: str = "", *, database: bool = False) -> tuple[str, str]:
    """Like QFileDialog.getOpenFileName: (chosen path or "", the filter in use). `database`: the
    choice is a database to open through SQLite, so an open one may be chosen."""
    dlg = make_dialog(parent, caption, directory, name_filter)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen, used = _run(dlg, database)
    return (chosen[0] if chosen else "", used)


def get_open_file_names(parent: QWidget | None, caption: str = "", directory: str = "",
                        name_filter: str = "") -> tuple[list[str], str]:
    """Like QFileDialog.getOpenFileNames."""
    dlg = make_dialog(parent, caption, directory, name_filter)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _run(dlg)


def get_save_file_name(parent: QWidget | None, caption: str = "", directory: str = "",
                       name_filter: str = "", *, database: bool = False) -> tuple[str, str]:
    """Like QFileDialog.getSaveFileName (asks before overwriting an existing file)."""
    dlg = make_dialog(parent, caption, directory, name_filter)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.setFileMode(QFileDialog.FileMode.AnyFile)
    chosen, used = _run(dlg, database)
    return (chosen[0] if chosen else "", used)


def get_existing_directory(parent: QWidget | None, caption: str = "",
                           directory: str = "") -> str:
    """Like QFileDialog.getExistingDirectory."""
    dlg = make_dialog(parent, caption, directory)
    dlg.setFileMode(QFileDialog.FileMode.Directory)
    dlg.setOption(QFileDialog.Option.ShowDirsOnly)
    chosen, _used = _run(dlg)
    return str(Path(chosen[0])) if chosen else ""
