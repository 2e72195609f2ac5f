"""One name for one code: the 结果 page names a round's lock hash 本轮锁定校验码 (the value the
当选证书 prints under the same words) and the meeting's hash 结果校验码 (the value the 公告 footer
prints under the same words); `pollday lock` says the same as the page."""

from __future__ import annotations

import re
import subprocess

from PySide6.QtCore import Qt

from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round, open_results


def pdf_text(path) -> str:
    return "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())


def test_lock_code_and_result_code_have_their_own_names(qtbot, tmp_path, shot) -> None:
    db = counting_db(tmp_path / "codes.db")
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    p = open_results(qtbot, db)
    try:
        p.resize(1366, 768)
        qtbot.mouseClick(p.lock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.is_idle() and p.current.round.lock is not None, timeout=5000)
        lock = p.current.round.lock.hash
        assert f"本轮锁定校验码 {lock}" in p.message.text() and "当选证书" in p.message.text()
        assert f"本轮锁定校验码 {lock}" in p.heading.text()
        m = re.search(r"结果校验码 ([0-9a-f]{12})", p.summary.text())
        assert m is not None, p.summary.text()
        code = m.group(1)
        assert code != lock
        for kind in ("notice", "certificates"):
            assert p.print_panel.make_pdf(kind) is not None
            qtbot.waitUntil(lambda k=kind: k not in p.print_panel.tasks, timeout=30000)
        notice = pdf_text(p.print_panel.folder() / "party-notice.pdf")
        assert f"结果校验码{code}" in notice and lock not in notice
        certs = pdf_text(p.print_panel.folder() / "party-certificates.pdf")
        assert f"本轮锁定校验码{lock}" in certs and f"结果校验码{lock}" not in certs
        qtbot.wait(50)
        shot(p, "results-two-codes")
    finally:
        p.close()
        p.ctx.conn.close()
