"""Fonts on paper (embedded, per-character fallback, refusal) and the fast QR encoder."""

from __future__ import annotations

import secrets
import subprocess

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from app.documents import fonts, qr


def test_fallback_runs_pick_the_font_that_has_the_glyph() -> None:
    runs = fonts.runs("王䶮𠮷祥", fonts.SANS_STACK)
    assert runs == [(fonts.SANS, "王"), (fonts.KAI, "䶮𠮷"), (fonts.SANS, "祥")]
    assert fonts.missing_chars("阿依古丽·买买提 欧阳娜娜") == []


def test_unprintable_character_is_refused_naming_person_and_char() -> None:
    with pytest.raises(fonts.GlyphMissing) as e:
        fonts.check_printable("张\U000f0001三", "张三（名册编号 7）")
    assert e.value.char == "\U000f0001"
    assert "张三（名册编号 7）" in str(e.value) and "U+F0001" in str(e.value)


def test_pdf_embeds_fonts_and_extracts_rare_names(tmp_path) -> None:
    path = tmp_path / "t.pdf"
    c = fonts.new_canvas(str(path))
    fonts.draw_text(c, 50, 700, "王䶮 𠮷祥 欧阳娜娜 阿依古丽·买买提", 16)
    c.showPage()
    c.save()
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows), listing
    assert "Helvetica" not in listing
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "王䶮 𠮷祥 欧阳娜娜 阿依古丽·买买提" in text


@pytest.mark.parametrize("text", ["a", "tok00001", "x" * 26, "ABCdef-_123"]
                         + [secrets.token_urlsafe(12) for _ in range(30)])
def test_fast_qr_matches_qrcode_library(text: str) -> None:
    q = qrcode.QRCode(version=2, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    q.add_data(text.encode(), optimize=0)
    q.make(fit=False)
    assert qr.qr_matrix(text) == [[bool(v) for v in row] for row in q.get_matrix()]


def test_long_text_falls_back_and_decodes(tmp_path) -> None:
    from tests.app.documents.pdf_tools import decode_qr_codes

    path = tmp_path / "q.pdf"
    c = fonts.new_canvas(str(path))
    long = "PollDay-" + "长文本" * 10
    qr.draw_qr(c, 100, 500, 150, long)
    qr.draw_qr(c, 300, 500, 60, "tok00001")
    c.showPage()
    c.save()
    assert sorted(decode_qr_codes(path)) == sorted([long, "tok00001"])
