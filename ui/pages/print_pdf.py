"""One document kind of app/documents saved as PDF from a button: into the database's one output
folder (ui.output_folder: asked at the first print, then remembered), the renderer in a worker
behind the progress/cancel dialog (ui.widgets.progress.start_with_progress: the slot returns at
once; same render_work as the 结果 page and the ballots), then a message with the path, 打开,
打开文件夹 and 更改输出文件夹…, or the reason it was refused (a name no font can print names the
person)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.fileio import safe_filename
from app.meetings import Refusal
from ui import output_folder
from ui.pages.context import PageContext
from ui.tasks import Outcome
from ui.widgets.progress import start_with_progress


def save_pdf(parent: QWidget, ctx: PageContext, kind: str, title: str,
             argv: Sequence[str] = (),
             shown: Callable[[QMessageBox], None] = lambda _box: None,
             operator: str | None = None) -> bool:
    """Render `kind` there off the GUI thread behind the progress dialog (the slot returns at
    once), then show the outcome in a non-modal message box passed to `shown`. False when there
    is no meeting or the folder dialog was cancelled."""
    from ui.pages.results_print import render_work

    m = ctx.meeting
    if m is None:
        return False
    folder = output_folder.ensure(parent, ctx)
    if folder is None:
        return False
    out = folder / f"{safe_filename(f'{m.code}-{title}')}.pdf"

    def done(outcome: Outcome) -> None:
        shown(_answer(parent, ctx, title, out, folder, outcome))

    start_with_progress(parent, f"打印{title}", f"正在生成{title}…",
                        render_work(ctx.db_path, m.id, kind, out, ctx.clock.now(), argv, operator),
                        done)
    return True


def _answer(parent: QWidget, ctx: PageContext, title: str, out: Path, folder: Path,
            outcome: Outcome) -> QMessageBox:
    from app.documents.kinds import Printed

    got = outcome.result if outcome.ok else outcome.error
    if outcome.status == "cancelled":
        box = QMessageBox(QMessageBox.Icon.Information, title, f"已取消，{title}未生成。",
                          QMessageBox.StandardButton.Ok, parent)
    elif isinstance(got, Printed):
        box = QMessageBox(QMessageBox.Icon.Information, title,
                          f"已生成{title}（{got.pages} 页）：\n{out}",
                          QMessageBox.StandardButton.Close, parent)
        open_button = box.addButton("打开", QMessageBox.ButtonRole.AcceptRole)
        open_button.clicked.connect(
            lambda: output_folder.open_path(out, parent))
        output_folder.add_buttons(box, ctx, folder)
    else:
        text = got.message if isinstance(got, Refusal) else str(got)
        box = QMessageBox(QMessageBox.Icon.Warning, title, f"{title}未能生成：\n{text}",
                          QMessageBox.StandardButton.Ok, parent)
    box.open()
    return box
