"""Reading one scanned page of a scannable ballot (format A: 赞成/不赞成 boxes; format B: one box
for ○ / ×): markers -> homography -> box scores -> a decision in bands. Refuse, never guess: a page without its four markers, with a bad fit, at the
wrong scale, of an unknown layout or of another election is refused with the reason in words.

Scores are kept per box (ink fraction inside the box, light-ink fraction, ink in the ring just
outside the box, the ink's extent in mm) so every machine decision can be checked later; a format-B box also keeps its ○-score, ×-score,
their margin and the shape figures they come from (app/scan/shape.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.rules import ABSTAIN, APPROVE, DISAPPROVE
from app.scan.layout import (
    CORNER_WINDOW_MM,
    FORMAT_B,
    MARKER_MM,
    PAGE_W_MM,
    Layout,
    Part,
    Rect,
    marker_corners,
    split_marker,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from app.scan.shape import Shape

PX_MM = 8.0                   # the canonical image the boxes are read from: 8 px per mm
MAX_RESIDUAL_MM = 0.5
MAX_SCALE_ERROR = 0.04        # 4 %: a ballot printed "fit to page" (~94 %) is refused
MIN_DPI, MAX_DPI = 190.0, 310.0
INNER_INSET_MM = 1.2          # inside the box line
RING_FROM_MM, RING_TO_MM = 0.9, 2.4   # outside the box line
DARK = 0.62                   # ink: darker than 62 % of the paper's white
LIGHT = 0.84                  # faint ink (pencil, light pen): darker than 84 %
MARKED_INK = 0.03
MARKED_EXTENT_MM = 3.0
BLANK_INK = 0.004
BLANK_LIGHT = 0.02
RING_INK = 0.004
NAME_INK = 0.01
NAME_LABEL_MM = 4.5           # the printed 另选他人 label at the top of a write-in name area

BLANK, MARKED, DOUBT = "blank", "marked", "doubt"
# Format B: a box reads ○ or × only in these bands; anything between goes to a human.
O_MARK, X_MARK = "o", "x"
SHAPE_MIN = 0.6               # the winning score at least
SHAPE_OTHER_MAX = 0.15        # the other score at most
SHAPE_MARGIN = 0.5            # and the margin between them at least
MARKED_INK_B = 0.02           # a thin 6 mm ○ covers ~3-5 % of the box
COMPACT_MM = 5.0              # ink spanning less is a dot or a stray mark: a human looks
SOLID = 0.72                  # ink filling more of its bounding rectangle is a blob: a human looks
# Why a ballot goes to a human. A doubtful mark, a mark over the edge, both boxes and an overvote
# are decided by two people (监票人); a write-in name and a blank ballot are confirmed by one.
DOUBT_FLAG, EDGE_FLAG, BOTH_FLAG = "DOUBTFUL_MARK", "MARK_OVER_EDGE", "BOTH_BOXES"
WRITE_IN_FLAG, OVERVOTE_FLAG, BLANK_FLAG = "WRITE_IN", "OVERVOTE", "BLANK_BALLOT"
TWO_PEOPLE = frozenset({DOUBT_FLAG, EDGE_FLAG, BOTH_FLAG, OVERVOTE_FLAG})


@dataclass(frozen=True, slots=True)
class BoxScore:
    key: str                  # c<i>a / c<i>d: candidate i 赞成 / 不赞成; w<i>a / w<i>n: write-in
    ink: float
    light: float
    ring: float
    extent_mm: float
    state: str                # blank / marked / doubt; format B: blank / o / x / doubt
    shape: Shape | None = None  # format B: ○-score, ×-score and the figures behind them

    def as_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"key": self.key, "ink": round(self.ink, 4),
                             "light": round(self.light, 4), "ring": round(self.ring, 4),
                             "extent_mm": round(self.extent_mm, 2), "state": self.state}
        if self.shape is not None:
            sh = self.shape
            d.update({"o": round(sh.o, 3), "x": round(sh.x, 3), "margin": round(sh.margin, 3),
                      "shape": {"radius_mm": round(sh.radius_mm, 2), "ring": round(sh.ring, 3),
                                "coverage": round(sh.coverage, 3), "fill": round(sh.fill, 3),
                                "explained": round(sh.explained, 3),
                                "balance": round(sh.balance, 3),
                                "separation_deg": round(sh.separation_deg, 1),
                                "solidity": round(sh.solidity, 3), "arms": sh.arms,
                                "shortest_arm_mm": round(sh.shortest_arm_mm, 2)}})
        return d


@dataclass(frozen=True, slots=True)
class PageRead:
    layout_code: int
    dpi: float
    residual_mm: float
    upside_down: bool
    marks: str                          # the machine's reading, one of o x - per candidate
    write_in_boxes: tuple[int, ...]     # write-in rows with ink (box or name)
    scores: tuple[BoxScore, ...]
    flags: tuple[tuple[str, str], ...] = field(default=())   # (code, words): why a human looks
    # A page of several contests: the block each flag is about (same order as flags): a flag
    # holds back the count of its own contest only (app/scan/adjudicate.py RoundScan.pending).
    flag_blocks: tuple[int, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PageRefused:
    reason: str


def to_gray(img: NDArray[Any]) -> NDArray[np.uint8]:
    """A 2-D uint8 image from what a decoder gave (RGB, RGBA, bool, 16-bit)."""
    import numpy as np

    a = np.asarray(img)
    if a.ndim == 3:
        a = a[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif a.dtype != np.uint8:
        a = a.astype(np.float64)
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) * (255.0 / max(1e-9, hi - lo))
    return np.ascontiguousarray(a, dtype=np.uint8)


def find_markers(gray: NDArray[np.uint8], px_mm: float) -> dict[int, NDArray[np.float64]]:
    """Marker id -> its 4 corners (ArUco order) in image pixels, from the four corner windows."""
    import numpy as np

    from app.scan.markers import find_in_window

    h, w = gray.shape
    win = int(CORNER_WINDOW_MM * px_mm)
    found: dict[int, NDArray[np.float64]] = {}
    for x0, y0 in ((0, 0), (max(0, w - win), 0), (max(0, w - win), max(0, h - win)),
                   (0, max(0, h - win))):
        got = find_in_window(gray[y0:y0 + win, x0:x0 + win], px_mm)
        if got is not None:
            mid, corners = got
            found[mid] = corners + np.array([x0, y0], np.float64)
    return found


def dpi_of(gray: NDArray[np.uint8], hint: float | None) -> float:
    short = min(gray.shape)
    return float(hint) if hint else short * 25.4 / PAGE_W_MM


def _is_bitonal(gray: NDArray[np.uint8]) -> bool:
    import numpy as np

    sample = gray[::7, ::7]
    return int(np.count_nonzero(np.bincount(sample.ravel(), minlength=256))) <= 2


def locate(gray: NDArray[np.uint8], dpi: float,
           layouts: Mapping[int, Layout]) -> tuple[Layout, NDArray[np.float64], float, bool] | str:
    """(layout, homography page mm -> image px, residual mm, upside down) or the refusal's
    words."""
    import numpy as np

    from app.scan.markers import homography, project

    px_mm = dpi / 25.4
    found = find_markers(gray, px_mm)
    if not found:
        return "找不到四角的定位标记（不是可扫描选票，或扫描不全）"
    codes = {split_marker(i)[0] for i in found}
    if len(codes) > 1:
        return "定位标记属于不同版式（" + "、".join(str(c) for c in sorted(codes)) + "）"
    code = codes.pop()
    corners = {split_marker(i)[1]: pts for i, pts in found.items()}
    if len(corners) < 4:
        missing = "、".join(("左上", "右上", "右下", "左下")[k] for k in range(4) if k not in corners)
        return f"缺少定位标记：{missing}（找到{len(corners)}个，须4个）"
    layout = layouts.get(code)
    if layout is None:
        return f"版式编号{code}未知：不是本数据库为本次选举打印的选票"
    img = np.concatenate([corners[k] for k in range(4)])
    page = np.array([p for k in range(4) for p in marker_corners(k)], np.float64)
    to_mm = homography(img, page)
    to_img = homography(page, img)
    if to_mm is None or to_img is None:
        return "定位标记无法拟合（纸张严重变形）"
    # The fit is judged by an affine map (what a flatbed or feeder does: rotation, scale, skew,
    # shift): a homography would bend to follow one marker moved by a fold or a curled corner.
    affine, *_ = np.linalg.lstsq(np.c_[img, np.ones(len(img))], page, rcond=None)
    residual = float(np.max(np.linalg.norm(np.c_[img, np.ones(len(img))] @ affine - page,
                                           axis=1)))
    residual = max(residual, float(np.max(np.linalg.norm(project(to_mm, img) - page, axis=1))))
    if residual > MAX_RESIDUAL_MM:
        return f"定位标记拟合误差{residual:.2f}毫米，超过{MAX_RESIDUAL_MM}毫米（纸张折叠、卷曲或变形）"
    centre = {k: corners[k].mean(axis=0) for k in range(4)}
    spans_px = [float(np.linalg.norm(centre[a] - centre[b])) for a, b in ((0, 2), (1, 3))]
    spans_mm = [float(np.linalg.norm(page[4 * a:4 * a + 4].mean(axis=0)
                                     - page[4 * b:4 * b + 4].mean(axis=0))) for a, b in ((0, 2), (1, 3))]
    scale = sum(spans_px) / sum(spans_mm) / px_mm
    if abs(scale - 1) > MAX_SCALE_ERROR:
        return (f"比例不对：定位标记间距是应有的{scale * 100:.1f}%（选票缩放打印或扫描，"
                "须按100%打印、扫描）")
    side = float(np.mean([np.linalg.norm(corners[k][0] - corners[k][1]) for k in range(4)]))
    if abs(side / (MARKER_MM * px_mm) - 1) > 0.15:
        return "定位标记大小不对（比例不对）"
    upside_down = bool(centre[0][1] > gray.shape[0] / 2)
    return layout, to_img, residual, upside_down


def sample(gray: NDArray[np.uint8], to_img: NDArray[np.float64], x_mm: float, y_mm: float,
           w_mm: float, h_mm: float, px_mm: float = PX_MM) -> NDArray[np.float64]:
    """The page region (mm) resampled at px_mm through the homography (bilinear; white outside
    the image)."""
    import numpy as np

    nx, ny = max(1, int(round(w_mm * px_mm))), max(1, int(round(h_mm * px_mm)))
    u = x_mm + (np.arange(nx) + 0.5) / px_mm
    v = y_mm + (np.arange(ny) + 0.5) / px_mm
    uu, vv = np.meshgrid(u, v)
    den = to_img[2, 0] * uu + to_img[2, 1] * vv + to_img[2, 2]
    xs = (to_img[0, 0] * uu + to_img[0, 1] * vv + to_img[0, 2]) / den
    ys = (to_img[1, 0] * uu + to_img[1, 1] * vv + to_img[1, 2]) / den
    h, w = gray.shape
    x0 = np.clip(np.floor(xs).astype(np.int64), 0, w - 2)
    y0 = np.clip(np.floor(ys).astype(np.int64), 0, h - 2)
    fx, fy = np.clip(xs - x0, 0, 1), np.clip(ys - y0, 0, 1)
    g = gray
    out = (g[y0, x0] * (1 - fx) * (1 - fy) + g[y0, x0 + 1] * fx * (1 - fy)
           + g[y0 + 1, x0] * (1 - fx) * fy + g[y0 + 1, x0 + 1] * fx * fy)
    outside = (xs < 0) | (ys < 0) | (xs > w - 1) | (ys > h - 1)
    out[outside] = 255
    return np.asarray(out, np.float64)


def _score(img: NDArray[np.float64], r: Rect, key: str, dark: float, light: float,
           ring: bool = True, skip_top: float = 0.0, shape: bool = False) -> BoxScore:
    """Scores of box r; img is the patch around r, from (r.x - RING_TO_MM, r.y - RING_TO_MM)."""
    import numpy as np

    def px(mm: float) -> int:
        return int(round(mm * PX_MM))

    o = RING_TO_MM
    inner = img[px(o + INNER_INSET_MM + skip_top):px(o + r.h - INNER_INSET_MM),
                px(o + INNER_INSET_MM):px(o + r.w - INNER_INSET_MM)]
    ink = inner < dark
    f = float(ink.mean())
    lf = float((inner < light).mean())
    extent = 0.0
    if ink.any():
        ys, xs = np.nonzero(ink)
        extent = max(int(xs.max() - xs.min()), int(ys.max() - ys.min())) / PX_MM
    rf = 0.0
    if ring:
        outer = img < dark
        a = px(o - RING_FROM_MM)
        b0, b1 = px(o + r.h + RING_FROM_MM), px(o + r.w + RING_FROM_MM)
        hole = outer[a:b0, a:b1]
        total = int(outer.sum()) - int(hole.sum())
        rf = total / max(1, outer.size - hole.size)
    if shape:
        return _score_b(ink, key, f, lf, rf, extent)
    if f >= MARKED_INK and extent >= MARKED_EXTENT_MM:
        state = MARKED
    elif f < BLANK_INK and lf < BLANK_LIGHT:
        state = BLANK
    else:
        state = DOUBT
    return BoxScore(key, f, lf, rf, extent, state)


def _score_b(ink: NDArray[np.bool_], key: str, f: float, lf: float, rf: float,
             extent: float) -> BoxScore:
    """A format-B box: blank, ○, × or doubt, in bands of the ○- and ×-scores."""
    from app.scan.shape import NOTHING, shape_of

    if f < BLANK_INK and lf < BLANK_LIGHT:
        return BoxScore(key, f, lf, rf, extent, BLANK, NOTHING)
    sh = shape_of(ink, PX_MM)
    state = DOUBT
    if f >= MARKED_INK_B and extent >= COMPACT_MM and sh.solidity <= SOLID:
        if sh.o >= SHAPE_MIN and sh.x <= SHAPE_OTHER_MAX and sh.margin >= SHAPE_MARGIN:
            state = O_MARK
        elif sh.x >= SHAPE_MIN and sh.o <= SHAPE_OTHER_MAX and -sh.margin >= SHAPE_MARGIN:
            state = X_MARK
    return BoxScore(key, f, lf, rf, extent, state, sh)


def read_boxes(gray: NDArray[np.uint8], layout: Layout,
               to_img: NDArray[np.float64]) -> tuple[BoxScore, ...]:
    import numpy as np

    o = RING_TO_MM
    # (key, box, ring, skip top, format B): a page of several contests keys each block's boxes
    # with its prefix (p<k>.) and reads each block in its own format.
    regions: list[tuple[str, Rect, bool, float, bool]] = []
    for part in layout.blocks():
        b, pre = part.format == FORMAT_B, part.prefix
        for e in part.entries:
            if b and not e.write_in:
                regions.append((f"{pre}c{e.index}m", e.approve, True, 0.0, b))
            elif e.write_in:
                regions.append((f"{pre}w{e.index}a", e.approve, True, 0.0, b))
                regions.append((f"{pre}w{e.index}n", e.name_rect, False,
                                NAME_LABEL_MM - INNER_INSET_MM, b))
            else:
                assert e.disapprove is not None
                regions.append((f"{pre}c{e.index}a", e.approve, True, 0.0, b))
                regions.append((f"{pre}c{e.index}d", e.disapprove, True, 0.0, b))
    patches = [sample(gray, to_img, r.x - o, r.y - o, r.w + 2 * o, r.h + 2 * o)
               for _k, r, _ring, _skip, _b in regions]
    paper = float(np.percentile(np.concatenate([p[::3, ::3].ravel() for p in patches]), 90))
    dark, light = paper * DARK, paper * LIGHT
    return tuple(_score(p, r, key, dark, light, ring=ring, skip_top=skip,
                        shape=b and key[-1] in "am")
                 for p, (key, r, ring, skip, b) in zip(patches, regions, strict=True))


PART_SEP = "|"                # marks of a page of several contests: one run per block
PART_ROWS = 100               # its write-in rows with ink: 100 x block + row


@dataclass(frozen=True, slots=True)
class PartReading:
    """The reading of one contest's block of a page."""

    part: Part
    marks: str
    written: tuple[int, ...]
    flags: tuple[tuple[str, str], ...]


def decide_parts(layout: Layout, scores: tuple[BoxScore, ...]) -> tuple[PartReading, ...]:
    """Each contest block read on its own: its marks, write-in rows with ink and flags (a page
    of several contests: each flag's words start with the contest's heading)."""
    out = []
    for part in layout.blocks():
        pre = part.prefix
        mine = tuple(BoxScore(s.key[len(pre):], s.ink, s.light, s.ring, s.extent_mm, s.state,
                              s.shape) for s in scores if s.key.startswith(pre)
                     and (pre or "." not in s.key))
        marks, written, flags = _decide_part(part, mine)
        if layout.multi:
            flags = tuple((c, f"【{part.heading}】{t}") for c, t in flags)
        out.append(PartReading(part, marks, written, flags))
    return tuple(out)


def decide(layout: Layout, scores: tuple[BoxScore, ...]
           ) -> tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]]:
    """(marks, write-in rows with ink, flags) from the box scores. A page of several contests:
    the blocks' marks joined by PART_SEP, write-in rows as PART_ROWS x block + row, every
    block's flags (naming the contest)."""
    return _joined(layout, decide_parts(layout, scores))


def _joined(layout: Layout, parts: tuple[PartReading, ...]
            ) -> tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]]:
    if not layout.multi:
        return parts[0].marks, parts[0].written, parts[0].flags
    return (PART_SEP.join(p.marks for p in parts),
            tuple(PART_ROWS * k + r for k, p in enumerate(parts) for r in p.written),
            tuple(f for p in parts for f in p.flags))


def _decide_part(layout: Part, scores: tuple[BoxScore, ...]
                 ) -> tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]]:
    """One contest's (marks, write-in rows with ink, flags), from its boxes' scores (keys
    without the block's prefix)."""
    by = {s.key: s for s in scores}
    flags: list[tuple[str, str]] = []
    marks = []
    b = layout.format == FORMAT_B
    for i, name in enumerate(layout.candidates):
        if b:
            m = by[f"c{i}m"]
            if m.state == DOUBT:
                sh = m.shape
                flags.append((DOUBT_FLAG, f"{name}：方格内的符号不能确认为○或×（○{sh.o if sh else 0:.2f}，"
                              f"×{sh.x if sh else 0:.2f}）：√、点、涂画或不完整的符号由监票人认定"))
            if m.ring > RING_INK:
                flags.append((EDGE_FLAG, f"{name}：标记越出方格边线"))
            marks.append(APPROVE if m.state == O_MARK else
                         DISAPPROVE if m.state == X_MARK else ABSTAIN)
            continue
        a, d = by[f"c{i}a"], by[f"c{i}d"]
        if DOUBT in (a.state, d.state):
            flags.append((DOUBT_FLAG, f"{name}：方格内有存疑的标记（淡、小或零星的墨迹）"))
        if a.ring > RING_INK or d.ring > RING_INK:
            flags.append((EDGE_FLAG, f"{name}：标记越出方格边线"))
        if a.state == MARKED and d.state == MARKED:
            flags.append((BOTH_FLAG, f"{name}：赞成、不赞成两格都有标记"))
            marks.append(ABSTAIN)
        elif a.state == MARKED:
            marks.append(APPROVE)
        elif d.state == MARKED:
            marks.append(DISAPPROVE)
        else:
            marks.append(ABSTAIN)
    written = []
    for k in range(layout.write_ins):
        box, area = by[f"w{k}a"], by[f"w{k}n"]
        if box.state != BLANK or box.ring > RING_INK or area.ink > NAME_INK or \
                area.light > BLANK_LIGHT * 2:
            written.append(k)
    if written:
        flags.append((WRITE_IN_FLAG, "另选他人：有书写或标记，须人工填写姓名并认定"))
    approvals = marks.count(APPROVE) + sum(
        1 for k in written if by[f"w{k}a"].state == (O_MARK if b else MARKED))
    if approvals > layout.seats:
        flags.append((OVERVOTE_FLAG, f"多选：赞成{approvals}人，多于应选{layout.seats}名"))
    # A blank ballot is valid (rules.md §1.4: it abstains on every candidate) but goes to a
    # human by default (issue 17 item 3): a person confirms nobody marked faintly. On a page of
    # several contests this runs per block: a voter who skipped ONE contest cast a blank
    # ballot of that contest, so only that contest's count waits for the confirmation; the
    # page's other contests are not blank ballots and count from the reading.
    if not written and all(s.state == BLANK and s.ring <= RING_INK for s in scores):
        flags.append((BLANK_FLAG, "空白票：没有任何标记"))
    return "".join(marks), tuple(written), tuple(flags)


def read_page(gray: NDArray[np.uint8], layouts: Mapping[int, Layout], *,
              dpi_hint: float | None = None, election: str = "",
              qr_layouts: frozenset[int] = frozenset()) -> PageRead | PageRefused:
    """Read one page image (grayscale uint8). `qr_layouts`: layout codes printed with a QR,
    whose QR must name `election` and the layout."""
    if _is_bitonal(gray):
        return PageRefused("黑白二值（或抖动）扫描：请改用灰度或彩色、200–300 dpi 重新扫描")
    dpi = dpi_of(gray, dpi_hint)
    if not MIN_DPI <= dpi <= MAX_DPI:
        return PageRefused(f"分辨率{dpi:.0f} dpi，须在200–300 dpi之间")
    located = locate(gray, dpi, layouts)
    if isinstance(located, str):
        return PageRefused(located)
    layout, hom, residual, upside_down = located
    if layout.code in qr_layouts:
        problem = check_qr(gray, hom, layout, election)
        if problem:
            return PageRefused(problem)
    scores = read_boxes(gray, layout, hom)
    parts = decide_parts(layout, scores)
    marks, written, flags = _joined(layout, parts)
    blocks = (tuple(k for k, p in enumerate(parts) for _f in p.flags) if layout.multi else ())
    return PageRead(layout.code, dpi, residual, upside_down, marks, written, scores,
                    tuple(flags), blocks)


def check_qr(gray: NDArray[np.uint8], to_img: NDArray[np.float64], layout: Layout,
             election: str) -> str:
    """"" when the printed QR is the one for this election and layout, else the refusal's words.
    The QR is not decoded: its modules are sampled where they were printed and compared with
    the QR PollDay prints for (election, layout) — a QR of another election differs in about
    half of them."""
    import numpy as np

    from app.documents.qr import qr_modules
    from app.scan.layout import qr_text
    from app.scan.printing import QR_MM, QR_X_MM, QR_Y_MM

    rows = qr_modules(qr_text(election, layout.code))
    n = len(rows)
    cell = QR_MM / n
    k = 8.0
    img = sample(gray, to_img, QR_X_MM, QR_Y_MM, QR_MM, QR_MM, k)
    paper, ink = float(np.percentile(img, 95)), float(np.percentile(img, 5))
    if paper - ink < 60:
        return "选票上没有可辨认的二维码（本版式印有二维码）"
    thr = (paper + ink) / 2
    agree = 0
    for r, row in enumerate(rows):
        for c, bit in enumerate(row):
            y, x = int(((r + 0.5) * cell) * k), int(((c + 0.5) * cell) * k)
            seen = float(img[max(0, y - 1):y + 2, max(0, x - 1):x + 2].mean()) < thr
            agree += seen == (bit == "1")
    if agree < 0.9 * n * n:
        return "二维码不属于本次选举（选举校验码或版式不符）：可能是其他社区或其他数据库打印的选票"
    return ""
