"""Reading one scanned page of a format-A ballot: markers -> homography -> box scores -> a
decision in bands. Refuse, never guess: a page without its four markers, with a bad fit, at the
wrong scale, of an unknown layout or of another election is refused with the reason in words.

Scores are kept per box (ink fraction inside the box, light-ink fraction, ink in the ring just
outside the box, the ink's extent in mm) so every machine decision can be checked later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.rules import ABSTAIN, APPROVE, DISAPPROVE
from app.scan.layout import (
    CORNER_WINDOW_MM,
    MARKER_MM,
    PAGE_W_MM,
    TABLE_TOP_MM,
    Layout,
    Rect,
    marker_corners,
    split_marker,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

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
    state: str                # blank / marked / doubt

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "ink": round(self.ink, 4), "light": round(self.light, 4),
                "ring": round(self.ring, 4), "extent_mm": round(self.extent_mm, 2),
                "state": self.state}


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


@dataclass(frozen=True, slots=True)
class PageRefused:
    reason: str


def to_gray(img: NDArray[Any]) -> NDArray[np.uint8]:
    import cv2
    import numpy as np

    if img.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        img = cv2.cvtColor(img, code)
    if img.dtype != np.uint8:
        if img.dtype == np.bool_:
            img = img.astype(np.uint8) * 255
        else:
            img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    return np.ascontiguousarray(img)


def _detector() -> Any:
    import cv2

    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_6X6_1000)
    return cv2.aruco.ArucoDetector(dictionary, params)


_DETECTOR: list[Any] = []


def find_markers(gray: NDArray[np.uint8], px_mm: float) -> dict[int, NDArray[np.float32]]:
    """Marker id -> its 4 corners in image pixels, searched in the four corner windows."""
    import numpy as np

    if not _DETECTOR:
        _DETECTOR.append(_detector())
    h, w = gray.shape
    win = int(CORNER_WINDOW_MM * px_mm)
    found: dict[int, NDArray[np.float32]] = {}
    for x0, y0 in ((0, 0), (max(0, w - win), 0), (max(0, w - win), max(0, h - win)),
                   (0, max(0, h - win))):
        crop = gray[y0:y0 + win, x0:x0 + win]
        corners, ids, _rej = _DETECTOR[0].detectMarkers(crop)
        if ids is None:
            continue
        for c, i in zip(corners, ids.flatten(), strict=True):
            found[int(i)] = (c.reshape(4, 2) + np.array([x0, y0], np.float32)).astype(np.float32)
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
    """(layout, homography image px -> mm, residual mm, upside down) or the refusal's words."""
    import cv2
    import numpy as np

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
    src = np.concatenate([corners[k] for k in range(4)]).astype(np.float64)
    dst = np.array([p for k in range(4) for p in marker_corners(k)], np.float64)
    hom, _ = cv2.findHomography(src, dst, 0)
    if hom is None:
        return "定位标记无法拟合（纸张严重变形）"
    mapped = cv2.perspectiveTransform(src.reshape(-1, 1, 2), hom).reshape(-1, 2)
    residual = float(np.max(np.linalg.norm(mapped - dst, axis=1)))
    if residual > MAX_RESIDUAL_MM:
        return f"定位标记拟合误差{residual:.2f}毫米，超过{MAX_RESIDUAL_MM}毫米（纸张折叠、卷曲或变形）"
    centre = {k: corners[k].mean(axis=0) for k in range(4)}
    spans_px = [float(np.linalg.norm(centre[a] - centre[b])) for a, b in ((0, 2), (1, 3))]
    spans_mm = [float(np.linalg.norm(dst[4 * a:4 * a + 4].mean(axis=0)
                                     - dst[4 * b:4 * b + 4].mean(axis=0))) for a, b in ((0, 2), (1, 3))]
    scale = sum(spans_px) / sum(spans_mm) / px_mm
    if abs(scale - 1) > MAX_SCALE_ERROR:
        return (f"比例不对：定位标记间距是应有的{scale * 100:.1f}%（选票缩放打印或扫描，"
                "须按100%打印、扫描）")
    side = float(np.mean([np.linalg.norm(corners[k][0] - corners[k][1]) for k in range(4)]))
    if abs(side / (MARKER_MM * px_mm) - 1) > 0.15:
        return "定位标记大小不对（比例不对）"
    upside_down = bool(centre[0][1] > gray.shape[0] / 2)
    return layout, np.asarray(hom, np.float64), residual, upside_down


def _canonical(gray: NDArray[np.uint8], hom: NDArray[np.float64],
               bottom_mm: float) -> NDArray[np.uint8]:
    """The table region, warped to PX_MM px per mm, origin at (0, TABLE_TOP_MM - 6)."""
    import cv2
    import numpy as np

    top = TABLE_TOP_MM - 6
    shift = np.array([[PX_MM, 0, 0], [0, PX_MM, -top * PX_MM], [0, 0, 1]], np.float64)
    size = (int(PAGE_W_MM * PX_MM), int((bottom_mm - top) * PX_MM))
    out = cv2.warpPerspective(gray, shift @ hom, size, flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return np.asarray(out, np.uint8)


def _px(r: Rect, inset: float) -> tuple[int, int, int, int]:
    top = TABLE_TOP_MM - 6
    return (int(round((r.x + inset) * PX_MM)), int(round((r.y - top + inset) * PX_MM)),
            int(round((r.x + r.w - inset) * PX_MM)), int(round((r.y - top + r.h - inset) * PX_MM)))


def _score(img: NDArray[np.uint8], r: Rect, key: str, dark: float, light: float,
           ring: bool = True, skip_top: float = 0.0) -> BoxScore:
    import numpy as np

    x0, y0, x1, y1 = _px(r, INNER_INSET_MM)
    y0 += int(skip_top * PX_MM)
    inner = img[y0:y1, x0:x1]
    ink = inner < dark
    f = float(ink.mean())
    lf = float((inner < light).mean())
    extent = 0.0
    if ink.any():
        ys, xs = np.nonzero(ink)
        extent = max(int(xs.max() - xs.min()), int(ys.max() - ys.min())) / PX_MM
    rf = 0.0
    if ring:
        ox0, oy0, ox1, oy1 = _px(r, -RING_TO_MM)
        ix0, iy0, ix1, iy1 = _px(r, -RING_FROM_MM)
        outer = img[oy0:oy1, ox0:ox1] < dark
        total = int(outer.sum()) - int(outer[iy0 - oy0:iy1 - oy0, ix0 - ox0:ix1 - ox0].sum())
        area = outer.size - (iy1 - iy0) * (ix1 - ix0)
        rf = total / max(1, area)
    if f >= MARKED_INK and extent >= MARKED_EXTENT_MM:
        state = MARKED
    elif f < BLANK_INK and lf < BLANK_LIGHT:
        state = BLANK
    else:
        state = DOUBT
    return BoxScore(key, f, lf, rf, extent, state)


def read_boxes(gray: NDArray[np.uint8], layout: Layout,
               hom: NDArray[np.float64]) -> tuple[BoxScore, ...]:
    import numpy as np

    bottom = max(e.approve.y + e.approve.h for e in layout.entries) + 6
    img = _canonical(gray, hom, bottom)
    paper = float(np.percentile(img[::4, ::4], 90))
    dark, light = paper * DARK, paper * LIGHT
    out = []
    for e in layout.entries:
        if e.write_in:
            out.append(_score(img, e.approve, f"w{e.index}a", dark, light))
            out.append(_score(img, e.name_rect, f"w{e.index}n", dark, light, ring=False,
                              skip_top=NAME_LABEL_MM - INNER_INSET_MM))
        else:
            out.append(_score(img, e.approve, f"c{e.index}a", dark, light))
            assert e.disapprove is not None
            out.append(_score(img, e.disapprove, f"c{e.index}d", dark, light))
    return tuple(out)


def decide(layout: Layout, scores: tuple[BoxScore, ...]
           ) -> tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]]:
    """(marks, write-in rows with ink, flags) from the box scores."""
    by = {s.key: s for s in scores}
    flags: list[tuple[str, str]] = []
    marks = []
    for i, name in enumerate(layout.candidates):
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
    approvals = marks.count(APPROVE) + sum(1 for k in written if by[f"w{k}a"].state == MARKED)
    if approvals > layout.seats:
        flags.append((OVERVOTE_FLAG, f"多选：赞成{approvals}人，多于应选{layout.seats}名"))
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
    marks, written, flags = decide(layout, scores)
    return PageRead(layout.code, dpi, residual, upside_down, marks, written, scores,
                    tuple(flags))


def check_qr(gray: NDArray[np.uint8], hom: NDArray[np.float64], layout: Layout,
             election: str) -> str:
    """"" when the QR names this election and layout, else the refusal's words."""
    import cv2
    import numpy as np

    from app.scan.layout import qr_text
    from app.scan.printing import QR_MM, QR_X_MM, QR_Y_MM

    pad = 5.0
    detector = cv2.QRCodeDetector()
    text = ""
    # A blurred 200-dpi scan defeats one sampling now and then: try a few, plain and binarised.
    for k, otsu in ((8.0, False), (8.0, True), (6.0, False), (10.0, True), (6.0, True)):
        shift = np.array([[k, 0, -(QR_X_MM - pad) * k], [0, k, -(QR_Y_MM - pad) * k], [0, 0, 1]])
        side = int((QR_MM + 2 * pad) * k)
        crop = cv2.warpPerspective(gray, shift @ hom, (side, side), flags=cv2.INTER_LINEAR,
                                   borderValue=255)
        if otsu:
            crop = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
        text = detector.detectAndDecode(crop)[0]
        if text:
            break
    if not text:
        return "选票上的二维码无法读取"
    if text != qr_text(election, layout.code):
        return "二维码不属于本次选举（选举校验码或版式不符）：可能是其他社区或其他数据库打印的选票"
    return ""
