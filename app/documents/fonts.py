"""The shipped fonts on paper: registration with reportlab, per-character fallback, refusal.

reportlab has no font fallback: a character missing from the current font prints as an empty
box, silently. Every string PollDay prints is therefore split into runs, each drawn in the first
font of a *stack* whose cmap has the character (LXGW WenKai has 䶮 and 𠮷, WenQuanYi Micro Hei
does not). A character no shipped font has is refused with `GlyphMissing`, naming the person and
the character, before anything is drawn: a ballot or sign-in sheet with a blank where a name's
character should be is worse than no sheet.

Two more reportlab details are fixed here:
- `rl_config.canvas_basefontname` (and the canvas's initial font) is a shipped TrueType font, so
  no unembedded Helvetica is referenced by any page;
- reportlab writes the ToUnicode map of a subset with `%04X`, which is wrong above U+FFFF
  (𠮷 U+20BB7 became "₻" in extracted text); the map is written with UTF-16 surrogate pairs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen.canvas import Canvas

from app.resources import resource_path

SANS = "PollDay-Sans"        # WenQuanYi Micro Hei: compact, for tables
KAI = "PollDay-Kai"          # LXGW WenKai Regular: wide coverage, for names and titles
KAI_BOLD = "PollDay-KaiBold"  # LXGW WenKai Bold: headings

# (reportlab name, file under resources/fonts, sub-font index of a .ttc)
FONT_FILES: tuple[tuple[str, str, int], ...] = (
    (SANS, "wqy-microhei.ttc", 0),
    (KAI, "LXGWWenKai-Regular.ttf", 0),
    (KAI_BOLD, "LXGWWenKai-Bold.ttf", 0),
)

# Stacks: the first font with a glyph draws it.
SANS_STACK: tuple[str, ...] = (SANS, KAI)
KAI_STACK: tuple[str, ...] = (KAI, SANS)
HEADING_STACK: tuple[str, ...] = (KAI_BOLD, KAI, SANS)

# Characters that are layout, not glyphs: drawn in whatever font the run has.
_NEUTRAL = frozenset(" \u3000")

_lock = threading.Lock()
_registered: dict[str, frozenset[int]] = {}


class GlyphMissing(Exception):
    """A character of a text to be printed is in no shipped font."""

    def __init__(self, text: str, char: str, who: str = "") -> None:
        self.text = text
        self.char = char
        self.who = who or text
        code = f"U+{ord(char):04X}"
        super().__init__(
            f"无法打印“{self.who}”：字符“{char}”（{code}）不在任何随附字体中，"
            f"请核对名册或改用规范字 (no shipped font has {code} in {text!r})")


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's makeToUnicodeCMap with UTF-16BE targets (surrogate pairs above U+FFFF)."""
    def utf16(v: int) -> str:
        return chr(v).encode("utf-16-be", "surrogatepass").hex().upper()

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(subset)} beginbfchar",
    ]
    lines += [f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def register_fonts() -> dict[str, frozenset[int]]:
    """Register the shipped fonts once per process; returns font name -> code points it has."""
    with _lock:
        if _registered:
            return _registered
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see module doc: UTF-16 above U+FFFF
        for name, filename, index in FONT_FILES:
            font = ttfonts.TTFont(name, str(resource_path("fonts", filename)), subfontIndex=index)
            pdfmetrics.registerFont(font)
            cmap: dict[int, int] = font.face.charToGlyph
            _registered[name] = frozenset(c for c, g in cmap.items() if g)
        rl_config.canvas_basefontname = SANS
        # Binary (not ASCII85) streams: smaller files, and the pure-Python encoder is slow.
        rl_config.useA85 = 0
        return _registered


def has_glyph(font: str, char: str) -> bool:
    return ord(char) in register_fonts()[font]


def missing_chars(text: str, stack: Sequence[str] = SANS_STACK) -> list[str]:
    """Characters of `text` that no font of the stack can draw, in order of appearance."""
    fonts = register_fonts()
    out: list[str] = []
    for ch in text:
        if ch in _NEUTRAL or ch in out:
            continue
        if not any(ord(ch) in fonts[f] for f in stack):
            out.append(ch)
    return out


def check_printable(text: str, who: str = "", stack: Sequence[str] = SANS_STACK) -> None:
    """Raise GlyphMissing naming `who` (default: the text) and the first unprintable character."""
    missing = missing_chars(text, stack)
    if missing:
        raise GlyphMissing(text, missing[0], who)


def check_names(names: Iterable[tuple[str, str]], stack: Sequence[str] = SANS_STACK) -> None:
    """Check (who, text) pairs before a document is drawn."""
    for who, text in names:
        check_printable(text, who, stack)


@lru_cache(maxsize=65536)
def _runs_cached(text: str, stack: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    fonts = register_fonts()
    runs: list[tuple[str, str]] = []
    cur_font = ""
    buf: list[str] = []
    for ch in text:
        if ch in _NEUTRAL and cur_font:
            buf.append(ch)
            continue
        font = next((f for f in stack if ord(ch) in fonts[f]), "")
        if not font:
            raise GlyphMissing(text, ch)
        if font != cur_font and buf:
            runs.append((cur_font, "".join(buf)))
            buf = []
        cur_font = font
        buf.append(ch)
    if buf:
        runs.append((cur_font or stack[0], "".join(buf)))
    return tuple(runs)


def runs(text: str, stack: Sequence[str] = SANS_STACK, who: str = "") -> list[tuple[str, str]]:
    """(font, substring) runs that draw `text`; GlyphMissing when a character has no font."""
    try:
        return list(_runs_cached(text, tuple(stack)))
    except GlyphMissing as e:
        raise GlyphMissing(text, e.char, who) from None


def _width(parts: Iterable[tuple[str, str]], size: float) -> float:
    return float(sum(pdfmetrics.stringWidth(s, f, size) for f, s in parts))


def text_width(text: str, size: float, stack: Sequence[str] = SANS_STACK) -> float:
    return _width(runs(text, stack), size)


def fit_size(text: str, max_width: float, size: float, min_size: float = 6.0,
             stack: Sequence[str] = SANS_STACK) -> float:
    """The largest size <= `size` (down to `min_size`) at which `text` fits `max_width`."""
    width = text_width(text, size, stack)
    if width <= max_width or width == 0:
        return size
    return max(min_size, size * max_width / width)


def draw_text(c: Canvas, x: float, y: float, text: str, size: float,
              stack: Sequence[str] = SANS_STACK, *, align: str = "left", who: str = "",
              max_width: float | None = None) -> float:
    """Draw `text` with per-character fallback; `align` left / center / right of x. A text
    wider than `max_width` is drawn smaller (never cut). Returns the width drawn."""
    if max_width is not None:
        size = fit_size(text, max_width, size, stack=stack)
    parts = runs(text, stack, who)
    width = _width(parts, size)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    t = c.beginText(x, y)
    for font, s in parts:
        t.setFont(font, size)
        t.textOut(s)
    c.drawText(t)
    return width


def new_canvas(path: str, **kwargs: Any) -> Canvas:
    """A canvas whose initial font is a shipped, embedded font (never Helvetica). `invariant`
    output: the same input gives the same bytes (renderers print their own time)."""
    register_fonts()
    kwargs.setdefault("invariant", 1)
    c = Canvas(path, initialFontName=SANS, **kwargs)
    c.setFont(SANS, 10)
    return c
