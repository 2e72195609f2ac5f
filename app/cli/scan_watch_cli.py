"""`pollday scan import --watch FOLDER`: watch the MFP's scan folder (or a USB stick) until Ctrl+C.

Each new scan file, once whole, is read at once and joins the open watched batch; stdout gets one
JSON line per file read or refused and per batch imported or refused (app.scan.watch.Event).
The clerk types each batch's hand count on stdin (a line with the number: the oldest batch
waiting takes it; `放弃` or `skip` sets that batch aside); prompts go to stderr. The same core
(app/scan/watch.py) serves the 扫描认定 tab. A pulled stick stops the watch: the batches already
read still take their counts, then the command ends with status 1."""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from typing import Any

SKIP = ("放弃", "skip")


def _stdin_lines() -> queue.Queue[str | None]:
    """Lines typed on stdin, read in a thread (select() on a console does not work on Windows);
    None once stdin is closed."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            lines.put(line.strip())
        lines.put(None)

    threading.Thread(target=read, name="stdin", daemon=True).start()
    return lines


def _emit(doc: dict[str, Any]) -> None:
    print(json.dumps(doc, ensure_ascii=False), flush=True)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def watch_folder(args: argparse.Namespace, conn: Any, clock: Any, actor: str) -> int:
    from app.scan.batch import import_refused
    from app.scan.watch import FolderWatch

    # Who may not import is told now, in the words the import gives, before a file is read (the
    # import checks again: the staff list can change while the watch runs).
    denied = import_refused(conn, actor)
    if denied is not None:
        _say(f"{denied.message}（{denied.code}）")
        return 1
    watch = FolderWatch(args.watch, args.db, operator=actor, clock=clock)
    try:                    # Ctrl+C at any moment from here ends the watch with status 0
        refused = watch.start()
        if refused is not None:
            _say(f"{refused.message}（{refused.code}）")
            return 1
        if args.existing:
            watch.take_existing()
        _say(f"正在监视 {args.watch}（每 {args.poll:g} 秒查看一次，文件写完后才读取"
             + ("" if args.existing else "；开始前已有的、未导入过的扫描文件不读取（要读取加 --existing）")
             + "）。每批扫完后键入手工清点张数并回车；放弃一批键入“放弃”；Ctrl+C 停止。")
        lines = _stdin_lines()
        said: set[tuple[int, str, int]] = set()
        while True:
            _answer(watch, lines)
            for e in watch.step(conn):
                _emit(e.as_json())
                if e.kind in ("stopped", "existing", "resumed"):
                    _say(e.words)
            view = watch.view()
            for b in view.waiting():
                key = (b.number, b.state, b.pages)
                if b.writing == 0 and key not in said:
                    said.add(key)
                    _say(f"{b.words}：请键入这一批手工清点的张数并回车")
            if not view.watching and not view.waiting() and not watch.asked() and not any(
                    b.state == "counting" for b in view.batches):
                return 1                       # the folder is gone and nothing waits
            time.sleep(args.poll)
    except KeyboardInterrupt:
        left = watch.view().waiting()
        _say(f"已停止监视 {args.watch}"
             + (f"；{len(left)} 批已读出但未导入（没有计入），原文件仍在文件夹中；"
                "再次监视这个文件夹时会重新读出，等待手工清点张数" if left else ""))
        return 0


def _answer(watch: Any, lines: queue.Queue[str | None]) -> None:
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            return
        if not line:
            continue
        waiting = watch.view().waiting()
        if not waiting:
            _say(f"没有等待手工清点张数的批次（键入的“{line}”未使用）")
        elif line in SKIP:
            watch.set_aside(waiting[0].number)
        elif line.isdigit() and int(line) > 0:
            watch.count(waiting[0].number, int(line))
        else:
            _say(f"请键入手工清点的张数（正整数），或“放弃”：“{line}”不是")
