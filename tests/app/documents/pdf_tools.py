"""Reading PDFs back the way a person or a scanner would: pdftotext, pdffonts, pdftoppm + zbar."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def squash(text: str) -> str:
    """Text without whitespace: pdftotext spaces CJK runs and wraps lines as it likes."""
    return "".join(text.split())


def pdf_fonts(path: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return out.splitlines()[2:]


def assert_fonts_embedded(path: Path) -> None:
    rows = pdf_fonts(path)
    assert rows, "no fonts"
    for r in rows:
        # columns: name type encoding emb sub uni object ID
        assert r.split()[-5] == "yes", f"font not embedded: {r}"
        assert "Helvetica" not in r


def page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def render_pages(path: Path, out_dir: Path, dpi: int = 100, first: int | None = None,
                 last: int | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = ["pdftoppm", "-r", str(dpi), "-gray", "-png"]
    if first is not None:
        cmd += ["-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    subprocess.run([*cmd, str(path), str(out_dir / "page")], check=True)
    return sorted(out_dir.glob("page-*.png"))


def decode_qr_codes(path: Path, dpi: int = 100, first: int | None = None,
                    last: int | None = None) -> list[str]:
    """Every QR code on the pages, decoded by zbar from the rendered page images."""
    pngs = render_pages(path, path.parent / f"{path.stem}-png", dpi, first, last)
    out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", *map(str, pngs)],
                         capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]
