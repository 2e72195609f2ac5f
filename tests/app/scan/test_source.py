"""Page images out of the scanner's files: multi-page TIFF, PNG, a bitonal scan refused with the
reason, a PDF without a scanned image (PollDay's own PDF) refused; the page count without decoding."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
from PIL import Image

from app.scan.layout import build_layout
from app.scan.printing import render_scan_ballots
from app.scan.source import count_pages, pages_of


def _page(value: int) -> Image.Image:
    a = np.full((2339, 1654), value, np.uint8)      # A4 at 200 dpi
    a[100:200, 100:300] = 20
    return Image.fromarray(a)


def test_a_multi_page_tiff_gives_each_page_with_its_resolution() -> None:
    buf = io.BytesIO()
    _page(250).save(buf, format="TIFF", save_all=True, append_images=[_page(240)],
                    dpi=(200, 200))
    data = buf.getvalue()
    assert count_pages(Path("scan.tif"), data) == 2
    pages = list(pages_of(Path("scan.tif"), data))
    assert [p.page for p in pages] == [1, 2] and all(p.dpi == 200 for p in pages)
    assert pages[1].gray is not None and int(pages[1].gray[0, 0]) == 240


def test_colour_png_is_read_as_gray_and_a_bitonal_scan_is_refused() -> None:
    buf = io.BytesIO()
    _page(250).convert("RGB").save(buf, format="PNG")
    (page,) = pages_of(Path("a.png"), buf.getvalue())
    assert page.gray is not None and page.gray.ndim == 2 and page.dpi is None
    buf = io.BytesIO()
    _page(250).convert("1").save(buf, format="PNG")
    (page,) = pages_of(Path("b.png"), buf.getvalue())
    assert page.gray is None and "黑白二值" in page.problem


def test_a_pdf_without_a_scanned_image_is_refused_page_by_page(tmp_path: Path) -> None:
    layout = build_layout(3, "委员选举选票", 1, ("张三", "李四"), 1)
    assert not isinstance(layout, str)
    pdf = tmp_path / "printed.pdf"
    render_scan_ballots([(layout, 2)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    data = pdf.read_bytes()
    assert count_pages(pdf, data) == 2
    assert [p.problem for p in pages_of(pdf, data)] == ["PDF 页面上没有扫描图像（不是扫描件）"] * 2
