"""The result documents of the demo's final stage (a locked party election with a runoff), printed
with `--out DIR`: every certificate's QR code decodes and checks against the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.documents.certificate_payload import Verified, check_in_db, verify_payload
from app.keys import load_or_create
from db.connection import connect
from tests.app.documents.pdf_tools import (
    assert_fonts_embedded,
    decode_qr_codes,
    page_count,
    pdf_text,
    squash,
)

COMMITTEE = ("欧阳红梅", "张喆", "曾凡荣", "李建军", "王淑芬", "单国栋", "陈珺", "刘志强", "马晓东")


def test_demo_final_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.demo import build_demo

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    db = tmp_path / "demo.db"
    conn = connect(db)
    build_demo(conn, stage="final")
    conn.close()
    out = tmp_path / "printed"
    for kind in ("notice", "certificates", "count-report"):
        assert main(["print", kind, "--db", str(db), "--out", str(out), "--meeting", "party",
                     "--at", "2026-11-29T18:00:00+08:00"]) == 0
        assert_fonts_embedded(out / f"{kind}.pdf")
    notice = squash(pdf_text(out / "notice.pdf"))
    for name in COMMITTEE:
        assert name in notice
    assert "另行选举" in notice and "当选为中共新华街道翠湖社区委员会委员的是" in notice
    report = squash(pdf_text(out / "count-report.pdf"))
    assert "选举结果报告单" in report and "中共新华街道翠湖社区纪律检查委员会纪委委员" in report
    certs = out / "certificates.pdf"
    n = page_count(certs)
    payloads = decode_qr_codes(certs, dpi=150)
    assert len(payloads) == n >= 10
    conn = connect(db, create=False)
    fp = load_or_create().fingerprint
    for p in payloads:
        v = verify_payload(p)
        assert isinstance(v, Verified), v
        assert check_in_db(conn, v, fp) == v
    conn.close()
