"""`pollday selftest`: passes on a working installation, fails loudly when a check fails."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

from tests.conftest import pollday_cmd


def test_selftest_passes_in_a_fresh_process(tmp_path):
    env = dict(os.environ, PYTHONUTF8="1", POLLDAY_HOME=str(tmp_path / "home"))
    env.pop("QT_QPA_PLATFORM", None)  # the command sets offscreen itself
    r = subprocess.run([*pollday_cmd(), "selftest"], capture_output=True, text=True,
                       encoding="utf-8", env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert sum(line.startswith("[通过]") for line in lines) == 8
    assert not any(line.startswith("[失败]") for line in lines)
    assert lines[-1] == "自检通过：8/8 项"
    assert any("主窗口各页面" in line and "6 个步骤" in line for line in lines)
    log = tmp_path / "home" / "logs" / "pollday.log"
    assert any(line.startswith(f"[通过] 日志文件：{log}（可写入") for line in lines), lines


def test_a_failing_check_is_reported_and_exits_1(qapp, monkeypatch, capsys, tmp_path):
    from app.documents import fonts as pdf_fonts
    from ui import cmd_selftest

    # A renderer that draws nothing: the PDF is then an empty page without the fonts.
    monkeypatch.setattr(pdf_fonts, "draw_text", lambda *a, **k: 0.0)
    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path))
    hook = sys.excepthook
    assert cmd_selftest.run(argparse.Namespace(keep=False)) == 1
    out = capsys.readouterr().out.splitlines()
    failed = [line for line in out if line.startswith("[失败]")]
    assert len(failed) == 1 and re.fullmatch(r"\[失败\] PDF 中文输出：PDF 文件不完整（\d+ 字节）", failed[0])
    assert out[-1] == "自检未通过：1/8 项失败"
    assert sum(line.startswith("[通过]") for line in out) == 7
    assert sys.excepthook is hook  # the page check put back the hook it borrowed


def test_a_page_that_fails_to_build_fails_the_selftest(qapp, monkeypatch, capsys, tmp_path):
    from ui import cmd_selftest, pages

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path))
    monkeypatch.setattr(pages, "PAGES", (*pages.PAGES,
                                         pages.PageSpec("prepare", "坏页面", "ui.pages.no_such_page")))
    assert cmd_selftest.run(argparse.Namespace(keep=False)) == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("[失败]")]
    assert len(failed) == 1 and failed[0].startswith("[失败] 主窗口各页面：页面出错")
