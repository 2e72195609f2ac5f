"""A4 page furniture shared by the renderers: margins, a flowing cursor, wrapped text, ruled
tables that continue on the next page with their header, and signature lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.documents import fonts

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
CONTENT_W = PAGE_W - 2 * MARGIN


# What never breaks across lines: a figure with its sign, decimals, percent and unit
# ("60.7%", "-0.82岁", "1119人", "3999/4999"), or a run of Latin letters and digits (a hash).
_UNBREAKABLE = re.compile(
    r"[-+]?[A-Za-z0-9][A-Za-z0-9_\-]*(?:[.,:/][A-Za-z0-9_\-]+)*%?[人岁名个]?|.", re.S)


_CLOSING = frozenset("，。；：、）」》！？,.;:)%")


def wrap(text: str, width: float, size: float,
         stack: Sequence[str] = fonts.SANS_STACK) -> list[str]:
    """Greedy line breaks by character (Chinese has no spaces to break at), never inside a figure
    ("女性 60.7%" once broke after "6"); a figure wider than the line breaks by character."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        toks: list[str] = []      # the tokens of `line`
        for token in _UNBREAKABLE.findall(para):
            if line and fonts.text_width(line + token, size, stack) > width:
                carry = _carried(toks) if token in _CLOSING else 0
                # A line never starts with "，" "；" "）": the word before (and the closing marks
                # after it) go down with it.
                lines.append("".join(toks[:len(toks) - carry]))
                toks = toks[len(toks) - carry:]
                line = "".join(toks)
            if len(token) > 1 and fonts.text_width(token, size, stack) > width:
                for ch in token:
                    if line and fonts.text_width(line + ch, size, stack) > width:
                        lines.append(line)
                        line, toks = "", []
                    line += ch
                    toks.append(ch)
                continue
            line += token
            toks.append(token)
        lines.append(line)
    return lines


def _carried(toks: list[str]) -> int:
    """How many tokens at the end of a line go down with a closing mark: the closing marks there
    and the token before them; 0 when that would empty the line."""
    n = 0
    while n < len(toks) and toks[len(toks) - 1 - n] in _CLOSING:
        n += 1
    n += 1
    return n if n < len(toks) else 0


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float            # points
    align: str = "left"     # left / center / right


class Flow:
    """A top-down cursor over pages; `footer` is drawn on every page when it ends."""

    def __init__(self, c: Canvas, footer: Callable[[Canvas, int], None]) -> None:
        self.c = c
        self.footer = footer
        self.page = 1
        self.y = PAGE_H - MARGIN

    def need(self, height: float) -> bool:
        """Start a new page when `height` does not fit; True when it did."""
        if self.y - height >= MARGIN + 10 * mm:
            return False
        self.new_page()
        return True

    def new_page(self) -> None:
        self.footer(self.c, self.page)
        self.c.showPage()
        self.page += 1
        self.y = PAGE_H - MARGIN

    def finish(self) -> int:
        self.footer(self.c, self.page)
        self.c.showPage()
        return self.page

    def text(self, text: str, size: float = 10.5, *, stack: Sequence[str] = fonts.SANS_STACK,
             align: str = "left", gap: float = 1.6, x: float = MARGIN,
             width: float = CONTENT_W) -> None:
        for line in wrap(text, width, size, stack):
            self.need(size * gap)
            self.y -= size * gap
            ax = {"left": x, "center": x + width / 2, "right": x + width}[align]
            fonts.draw_text(self.c, ax, self.y + size * 0.3, line, size, stack, align=align)

    def space(self, height: float) -> None:
        self.y -= height

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
              size: float = 10.0, who: Sequence[str] | None = None) -> None:
        """A ruled table; long cells wrap; the header repeats after a page break."""
        pad = 1.6 * mm
        line_h = size * 1.45

        def header() -> None:
            h = line_h + 2 * pad
            self.need(h)
            self._row([c.title for c in columns], columns, h, size, fonts.HEADING_STACK, "")
            self.y -= h

        header()
        for i, row in enumerate(rows):
            wrapped = [wrap(cell, col.width - 2 * pad, size) for cell, col in
                       zip(row, columns, strict=True)]
            h = max(len(w) for w in wrapped) * line_h + 2 * pad
            if self.need(h):
                header()
            self._row(["\n".join(w) for w in wrapped], columns, h, size, fonts.SANS_STACK,
                      who[i] if who else "")
            self.y -= h

    def _row(self, cells: Sequence[str], columns: Sequence[Column], h: float, size: float,
             stack: Sequence[str], who: str) -> None:
        c = self.c
        x = MARGIN
        top = self.y
        pad = 1.6 * mm
        c.setLineWidth(0.6)
        for cell, col in zip(cells, columns, strict=True):
            c.rect(x, top - h, col.width, h, stroke=1, fill=0)
            ty = top - pad - size
            for line in cell.split("\n"):
                ax = {"left": x + pad, "center": x + col.width / 2,
                      "right": x + col.width - pad}[col.align]
                fonts.draw_text(c, ax, ty + size * 0.15, line, size, stack, align=col.align,
                                who=who)
                ty -= size * 1.45
            x += col.width

    def signatures(self, labels: Sequence[str], size: float = 11.0) -> None:
        """Signature lines, two to a row: 「label：________」."""
        self.need(3 * size * 2.4)
        half = CONTENT_W / 2
        for i, label in enumerate(labels):
            if i % 2 == 0:
                self.y -= size * 2.6
                self.need(size * 2.6)
            x = MARGIN + (i % 2) * half
            w = fonts.draw_text(self.c, x, self.y, label + "：", size, fonts.KAI_STACK)
            self.c.setLineWidth(0.6)
            self.c.line(x + w + 2, self.y - 2, x + half - 8 * mm, self.y - 2)


def footer_text(c: Canvas, text: str, page: int, pages: int | None = None) -> None:
    """Print time and page number at the foot of a page."""
    num = f"第 {page} 页" if pages is None else f"第 {page} / {pages} 页"
    fonts.draw_text(c, MARGIN, MARGIN - 4 * mm, text, 8)
    fonts.draw_text(c, PAGE_W - MARGIN, MARGIN - 4 * mm, num, 8, align="right")
