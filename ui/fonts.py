"""Register the shipped fonts with Qt and make them the application font.

Screen and paper use the same files (resources/fonts, also registered with reportlab), so a name
that shows on screen also prints. WenQuanYi Micro Hei is the compact UI face; it lacks rare name
characters such as 䶮 and 𠮷, so LXGW WenKai follows it in the family list and Qt falls back to it
per character. The system's fonts are not relied on: the venue laptops may have none with CJK.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication

from app.resources import resource_path

UI_FAMILY = "WenQuanYi Micro Hei"
FALLBACK_FAMILY = "LXGW WenKai"
FAMILIES = [UI_FAMILY, FALLBACK_FAMILY]
FONT_FILES = ("wqy-microhei.ttc", "LXGWWenKai-Regular.ttf", "LXGWWenKai-Bold.ttf")
POINT_SIZE = 11

_registered: dict[str, list[str]] = {}


def register_fonts() -> dict[str, list[str]]:
    """Add the shipped font files to Qt's database (once). Returns file -> families.

    Raises FileNotFoundError naming a missing or unreadable file: a build without its fonts
    would print empty boxes for names, which must not go unnoticed.
    """
    for name in FONT_FILES:
        if name in _registered:
            continue
        path = resource_path("fonts", name)
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            raise FileNotFoundError(f"无法加载字体文件 {path}")
        _registered[name] = QFontDatabase.applicationFontFamilies(font_id)
    return dict(_registered)


def app_font(point_size: int = POINT_SIZE) -> QFont:
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPointSize(point_size)
    return font


def install(app: QApplication, point_size: int = POINT_SIZE) -> QFont:
    """Register the fonts and set the application font; returns it."""
    register_fonts()
    font = app_font(point_size)
    app.setFont(font)
    return font


def missing_glyphs(text: str, font: QFont | None = None) -> list[str]:
    """Characters of `text` that no family of the font's family list can draw."""
    font = font or app_font()
    # QRawFont of one family reads that font's own cmap; QFontMetrics would count the system's
    # fallback fonts too, which the venue laptops may not have.
    raws = [QRawFont.fromFont(_single(font, f)) for f in font.families() or [font.family()]]
    return [ch for ch in text
            if not ch.isspace() and not any(r.supportsCharacter(ord(ch)) for r in raws)]


def _single(font: QFont, family: str) -> QFont:
    f = QFont(font)
    f.setFamilies([family])
    return f
