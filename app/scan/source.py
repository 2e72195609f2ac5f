"""Page images out of the scanner's files: PDF (the embedded page image, extracted with pypdfium2,
never rendered), JPEG, PNG and TIFF (multi-page too). Grayscale and colour are read as grayscale;
the resolution is the file's own (PDF: image pixels over the page's size), else from the pixel
size of an A4 page."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

SUFFIXES = {".pdf": "pdf", ".jpg": "image", ".jpeg": "image", ".png": "image", ".tif": "tiff",
            ".tiff": "tiff"}


@dataclass
class PageImage:
    page: int                           # 1-based within the file
    gray: NDArray[np.uint8] | None
    dpi: float | None
    problem: str = ""                   # why there is no image to read


def kind_of(path: Path) -> str | None:
    return SUFFIXES.get(path.suffix.lower())


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def count_pages(path: Path, data: bytes) -> int:
    """Pages in the file, without decoding them."""
    kind = kind_of(path)
    if kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            return len(pdf)
        finally:
            pdf.close()
    if kind == "tiff":
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return int(getattr(im, "n_frames", 1))
    return 1


def pages_of(path: Path, data: bytes) -> Iterator[PageImage]:
    kind = kind_of(path)
    if kind == "pdf":
        yield from _pdf_pages(data)
    elif kind == "tiff":
        yield from _tiff_pages(data)
    else:
        yield _image(data)


def _dpi_info(info: Mapping[Any, Any]) -> float | None:
    dpi = info.get("dpi")
    if isinstance(dpi, tuple) and dpi and float(dpi[0]) > 1:
        return float(dpi[0])
    return None


def _decode(data: bytes, page: int) -> PageImage:
    """One image file's pixels as grayscale (JPEG decoded straight to gray)."""
    import io

    import numpy as np
    from PIL import Image

    from app.scan.read import to_gray

    try:
        with Image.open(io.BytesIO(data)) as im:
            dpi = _dpi_info(im.info)
            if im.mode == "1":
                return PageImage(page, None, dpi, "黑白二值扫描：请改用灰度或彩色、200–300 dpi 重新扫描")
            if im.format == "JPEG":
                im.draft("L", im.size)
            gray = to_gray(np.asarray(im.convert("L")))
    except (OSError, ValueError) as exc:
        return PageImage(page, None, None, f"无法读取图像（{exc}）")
    return PageImage(page, gray, dpi)


def _image(data: bytes) -> PageImage:
    return _decode(data, 1)


def _tiff_pages(data: bytes) -> Iterator[PageImage]:
    import io

    import numpy as np
    from PIL import Image, ImageSequence

    from app.scan.read import to_gray

    with Image.open(io.BytesIO(data)) as im:
        for k, frame in enumerate(ImageSequence.Iterator(im), 1):
            dpi = _dpi_info(frame.info)
            if frame.mode == "1":
                yield PageImage(k, None, dpi, "黑白二值扫描：请改用灰度或彩色、200–300 dpi 重新扫描")
                continue
            yield PageImage(k, to_gray(np.asarray(frame.convert("L"))), dpi)


def _pdf_pages(data: bytes) -> Iterator[PageImage]:
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from app.scan.read import to_gray

    pdf = pdfium.PdfDocument(data)
    try:
        for k in range(len(pdf)):
            page = pdf[k]
            width_pt, _h = page.get_size()
            images = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3))
            if not images:
                yield PageImage(k + 1, None, None, "PDF 页面上没有扫描图像（不是扫描件）")
                continue
            img = max(images, key=lambda o: o.get_px_size()[0] * o.get_px_size()[1])
            left, _b, right, _t = img.get_bounds()
            if (right - left) < 0.9 * width_pt:
                yield PageImage(k + 1, None, None, "PDF 页面上的图像没有覆盖整页（不是整页扫描）")
                continue
            px_w, _ph = img.get_px_size()
            dpi = px_w / ((right - left) / 72.0)
            if img.get_filters() == ["DCTDecode"]:   # a JPEG page: decode it straight to gray
                got = _decode(bytes(img.get_data(decode_simple=False)), k + 1)
                yield PageImage(k + 1, got.gray, dpi, got.problem)
                continue
            bitmap = img.get_bitmap(render=False)
            yield PageImage(k + 1, to_gray(np.asarray(bitmap.to_numpy())), dpi)
    finally:
        pdf.close()
