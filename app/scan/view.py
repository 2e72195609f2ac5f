"""What the adjudication page shows of a flagged ballot: the page image from the archive (the
original file, only read) and the outlines, in image pixels, of the boxes that sent it to a
human, with the machine's scores."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.meetings import Refusal
from app.scan.layout import Layout, Rect
from app.scan.read import BLANK, RING_INK
from db import scan as q

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Outline:
    points: tuple[tuple[float, float], ...]   # image pixels, clockwise
    label: str                                # e.g. 张三 赞成：墨迹 12%


@dataclass(frozen=True, slots=True)
class PageView:
    gray: NDArray[np.uint8]
    outlines: tuple[Outline, ...]
    file: str
    page: int
    crop: tuple[int, int, int, int] | None = None   # the table of boxes, image pixels x0 y0 x1 y1


def _rect_of(layout: Layout, key: str) -> tuple[Rect, str]:
    entries, head = layout.entries, ""
    if "." in key:                         # a page of several contests: p<k>.<key of block k>
        pre, key = key.split(".", 1)
        block = layout.blocks()[int(pre[1:])]
        entries, head = block.entries, f"【{block.heading}】"
    kind, index, part = key[0], int(key[1:-1]), key[-1]
    if kind == "c" and part == "m":        # format B: the one box for ○ / ×
        return entries[index].approve, f"{head}{entries[index].name} 方格"
    if kind == "c":
        e = entries[index]
        box = e.approve if part == "a" else e.disapprove
        assert box is not None
        return box, f"{head}{e.name} {'赞成' if part == 'a' else '不赞成'}"
    e = next(x for x in entries if x.write_in and x.index == index)
    return (e.approve, f"{head}另选他人{index + 1} 赞成") if part == "a" else \
        (e.name_rect, f"{head}另选他人{index + 1} 姓名")


def page_view(conn: sqlite3.Connection, db_path: Path, page_id: int,
              layouts: dict[int, Layout]) -> PageView | Refusal:
    from app.scan.read import dpi_of, locate
    from app.scan.source import pages_of

    row = q.page(conn, page_id)
    where = q.file_of_page(conn, page_id)
    if row is None or where is None:
        return Refusal("NO_SUCH_PAGE", f"没有编号为{page_id}的扫描选票")
    name, archived, _sha = where
    path = db_path.parent / str(archived)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Refusal("ARCHIVE_MISSING", f"扫描原件 {path} 无法读取（{exc.strerror or exc}）")
    page_no = int(row[4])
    img = next((p for p in pages_of(path, data) if p.page == page_no), None)
    if img is None or img.gray is None:
        return Refusal("PAGE_MISSING", f"{name} 没有第{page_no}页的图像")
    code = row[7]
    outlines: list[Outline] = []
    crop = None
    if code is not None and int(code) in layouts:
        layout = layouts[int(code)]
        located = locate(img.gray, dpi_of(img.gray, img.dpi), {layout.code: layout})
        if not isinstance(located, str):
            outlines = _outlines(layout, located[1], row[13])
            crop = _table_crop(layout, located[1], img.gray.shape)
            if located[3]:        # fed upside down: shown the right way up
                return _turned(PageView(img.gray, tuple(outlines), str(name), page_no, crop))
    return PageView(img.gray, tuple(outlines), str(name), page_no, crop)


def _turned(view: PageView) -> PageView:
    """The page turned half a turn, its outlines and crop with it."""
    import numpy as np

    h, w = view.gray.shape[:2]
    outlines = tuple(Outline(tuple((w - 1 - x, h - 1 - y) for x, y in o.points), o.label)
                     for o in view.outlines)
    crop = None
    if view.crop is not None:
        x0, y0, x1, y1 = view.crop
        crop = (w - x1, h - y1, w - x0, h - y0)
    return PageView(np.ascontiguousarray(view.gray[::-1, ::-1]), outlines, view.file, view.page,
                    crop)


def _table_crop(layout: Layout, to_img: Any, shape: tuple[int, ...]
                ) -> tuple[int, int, int, int]:
    """The region of the page holding the names and boxes, in image pixels."""
    import numpy as np

    from app.scan.layout import LEFT_MM, PAGE_W_MM, TABLE_TOP_MM
    from app.scan.markers import project

    bottom = max(e.approve.y + e.approve.h for e in layout.entries) + 4
    mm = np.array([[LEFT_MM - 4, TABLE_TOP_MM - 10], [PAGE_W_MM - LEFT_MM + 4, TABLE_TOP_MM - 10],
                   [PAGE_W_MM - LEFT_MM + 4, bottom], [LEFT_MM - 4, bottom]])
    pts = project(to_img, mm)
    x0, y0 = (max(0, int(v)) for v in pts.min(axis=0))
    x1, y1 = int(min(shape[1], pts[:, 0].max())), int(min(shape[0], pts[:, 1].max()))
    return x0, y0, x1, y1


def _outlines(layout: Layout, to_img: Any, scores_json: object) -> list[Outline]:
    import json

    import numpy as np

    from app.scan.markers import project

    out = []
    for s in json.loads(str(scores_json)):
        if s["state"] == BLANK and s["ring"] <= RING_INK:
            continue
        rect, words = _rect_of(layout, str(s["key"]))
        corners = np.array([[rect.x, rect.y], [rect.x + rect.w, rect.y],
                            [rect.x + rect.w, rect.y + rect.h], [rect.x, rect.y + rect.h]])
        pts = project(to_img, corners)
        out.append(Outline(tuple((float(x), float(y)) for x, y in pts), box_words(words, s)))
    return out


def box_words(words: str, s: dict[str, Any]) -> str:
    """A box's machine reading in words: ink, and for a format-B box the ○-score, the ×-score
    and their margin (○ − ×) with what the reader made of it."""
    text = f"{words}：墨迹{s['ink'] * 100:.0f}%"
    if "o" in s:
        seen = {"o": "读作○", "x": "读作×", "doubt": "不能确认", "blank": "空白"}.get(
            str(s["state"]), str(s["state"]))
        text += f"，○分{s['o']:.2f}，×分{s['x']:.2f}，差{s['margin']:+.2f}（{seen}）"
    return text + ("，越出方格" if s["ring"] > RING_INK else "")


def box_readings(layout: Layout, scores_json: str) -> list[str]:
    """Every marked box of a page (format B: with ○-score, ×-score and margin), in words."""
    import json

    out = []
    for s in json.loads(scores_json):
        if s["state"] == BLANK and s["ring"] <= RING_INK:
            continue
        _rect, words = _rect_of(layout, str(s["key"]))
        out.append(box_words(words, s))
    return out
