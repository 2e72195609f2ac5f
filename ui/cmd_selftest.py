"""`pollday selftest`: check that this installation works, offscreen, in a temporary folder.

Starts Qt (offscreen unless a platform is set), checks the Qt binding, registers the shipped
fonts, builds the demo database, opens every registered page of the main window, writes and
reads the database (a name with a rare character), renders a PDF with Chinese text in the
shipped fonts, and says where the log file is (and that it can be written). One line per check; exit status 0 only when every check passed. Uses only what
is shipped (app.resources.resource_path), so it runs the same in the frozen bundle — it is the
first thing to run on a new venue laptop.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

COMMANDS = ("selftest",)

RARE_NAME = "王䶮吉𠮷"
PDF_TEXT = "选举结果公告 当选人：欧阳红梅 张喆 王䶮 吉𠮷"
PAGE_TIMEOUT_S = 20


class CheckFailed(Exception):
    pass


def register(sub: Any) -> None:
    p = sub.add_parser("selftest", help="自检：字体、数据库、各页面、PDF (self test of this installation)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--keep", action="store_true", help="keep the temporary folder and print it")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="pollday-selftest-"))
    state: dict[str, Any] = {"folder": folder}
    checks: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("Qt 启动", check_qt),
        ("Qt 绑定", check_binding),
        ("字体", check_fonts),
        ("演示数据库", check_demo),
        ("主窗口各页面", check_pages),
        ("数据库写入与读取", check_write_read),
        ("PDF 中文输出", check_pdf),
        ("日志文件", check_log),
    ]
    failed = 0
    try:
        for title, check in checks:
            started = time.perf_counter()
            try:
                detail = check(state)
                print(f"[通过] {title}：{detail}（{time.perf_counter() - started:.2f} 秒）", flush=True)
            except Exception as exc:  # every failure is reported, then the next check runs
                failed += 1
                print(f"[失败] {title}：{exc or type(exc).__name__}", flush=True)
                if not isinstance(exc, CheckFailed):
                    traceback.print_exc(file=sys.stderr)
    finally:
        window = state.get("window")
        if window is not None:
            window.close()
        conn = state.get("conn")
        if conn is not None:
            conn.close()
        if args.keep:
            print(f"临时文件保留在 {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    total = len(checks)
    if failed:
        print(f"自检未通过：{failed}/{total} 项失败")
        return 1
    print(f"自检通过：{total}/{total} 项")
    return 0


def check_qt(state: dict[str, Any]) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    from ui.app_main import make_app

    app = make_app()
    state["app"] = app
    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    if cancel != "取消":
        raise CheckFailed(f"Qt 的中文翻译未加载，对话框按钮会显示“{cancel}”")
    return f"PySide6 {pyside_version}，平台 {QGuiApplication.platformName()}，中文界面"


def check_binding(state: dict[str, Any]) -> str:
    """Some binding builds (PySide6 6.12.0 on Python 3.11) drop a reference to None on every
    call of a method returning nothing; the process then dies minutes later. Catch it here."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for i in range(500):
        label.setText(str(i))
        label.update()
    lost = before - sys.getrefcount(None)
    if lost > 100:
        raise CheckFailed(f"Qt 绑定每次调用丢失 None 的引用（1000 次调用丢失 {lost} 个），"
                          "程序运行中会崩溃；请更换 PySide6 版本")
    return "引用计数正常"


def check_fonts(state: dict[str, Any]) -> str:
    from ui import fonts

    registered = fonts.register_fonts()
    families = sorted({f for fams in registered.values() for f in fams})
    for family in fonts.FAMILIES:
        if family not in families:
            raise CheckFailed(f"字体 {family} 未能加载（已加载：{families}）")
    missing = fonts.missing_glyphs(RARE_NAME)
    if missing:
        raise CheckFailed(f"屏幕字体缺少字符 {'、'.join(missing)}")
    return f"{' + '.join(fonts.FAMILIES)}，可显示“{RARE_NAME}”"


def check_demo(state: dict[str, Any]) -> str:
    from app import meetings
    from db import persons as db_persons
    from ui.app_main import build_demo, open_database

    path = build_demo(state["folder"] / "demo.db")
    conn = open_database(path)
    state["db"] = path
    state["conn"] = conn
    count = db_persons.count_persons(conn)
    current = meetings.current_meeting(conn)
    if count == 0 or current is None:
        raise CheckFailed(f"演示数据库不完整：名册 {count} 人，当前会议 {current}")
    return f"名册 {count} 人，当前会议“{current.title}”"


def check_pages(state: dict[str, Any]) -> str:
    from ui import pages
    from ui.main_window import MainWindow
    from ui.widgets.notice import PageFailed, PlannedNotice

    errors: list[str] = []
    old_hook = sys.excepthook
    # Exceptions in Qt slots and overrides reach sys.excepthook, not the caller: collect them.
    sys.excepthook = lambda t, v, tb: errors.append("".join(traceback.format_exception(t, v, tb)))
    try:
        window = MainWindow(state["conn"], state["db"])
        state["window"] = window
        window.show()
        built, planned = 0, 0
        for step in pages.STEPS:
            for spec in pages.pages_of(step.key)[::-1]:  # each tab built (opened), first last
                window.show_step(step.key, tab=spec.title)
            window.show_step(step.key)
            spin(0.05)
            page = window.stack.currentWidget()  # the step's page, or the tabs of its pages
            failed = ([page] if isinstance(page, PageFailed) else []) + page.findChildren(PageFailed)
            errors += [f"{step.title}：{f.error}" for f in failed]
            if isinstance(page, PlannedNotice):
                planned += 1
            else:
                built += len(pages.pages_of(step.key))
        register = window.show_step("prepare", tab="名册")
        loaded = getattr(register, "is_loaded", None)
        if loaded is not None and not spin_until(loaded, PAGE_TIMEOUT_S):
            raise CheckFailed("名册页面未能在限定时间内载入")
    finally:
        sys.excepthook = old_hook
    if errors:
        raise CheckFailed("页面出错：\n" + "\n".join(errors))
    return f"{len(pages.STEPS)} 个步骤，已完成页面 {built} 个，待建步骤 {planned} 个"


def check_write_read(state: dict[str, Any]) -> str:
    from app import search
    from app.register.store import PersonRecord, add_persons
    from db import persons as db_persons
    from db.audit import verify_chain

    conn = state["conn"]
    before = db_persons.count_persons(conn)
    [pid] = add_persons(conn, [PersonRecord(name=RARE_NAME, gender="F", branch="自检")],
                        "2026-01-01T00:00:00+08:00", actor="selftest", source="selftest")
    person = db_persons.get_person(conn, pid)
    found = [p.id for p in search.search(conn, RARE_NAME, limit=5)]
    if person is None or person.name != RARE_NAME or pid not in found:
        raise CheckFailed(f"写入的人员“{RARE_NAME}”读不回来（读到 {person}，查找结果 {found}）")
    if db_persons.count_persons(conn) != before + 1:
        raise CheckFailed("名册人数不对")
    problems = verify_chain(conn)
    if problems:
        raise CheckFailed(f"审计日志校验失败：{problems[:3]}")
    return f"写入并按姓名找回“{RARE_NAME}”，审计日志完整"


def check_pdf(state: dict[str, Any]) -> str:
    from app.documents import fonts as pdf_fonts

    path = state["folder"] / "selftest.pdf"
    canvas = pdf_fonts.new_canvas(str(path))
    pdf_fonts.draw_text(canvas, 72, 760, PDF_TEXT, 16, pdf_fonts.KAI_STACK)
    canvas.showPage()
    canvas.save()
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or len(data) < 2000:
        raise CheckFailed(f"PDF 文件不完整（{len(data)} 字节）")
    if b"/FontFile2" not in data:
        raise CheckFailed("PDF 中没有嵌入字体")
    if b"Helvetica" in data:
        raise CheckFailed("PDF 引用了未嵌入的 Helvetica 字体")
    return f"{len(data) // 1024} KB，字体已嵌入，含“王䶮 吉𠮷”"


def check_log(state: dict[str, Any]) -> str:
    from app import logs

    path, problem = logs.check_writable()
    if problem:
        raise CheckFailed(f"日志文件 {path} 无法写入：{problem}")
    return f"{path}（可写入；出错时的详细记录在这里）"


def spin(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def spin_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        spin(0.02)
    return True
