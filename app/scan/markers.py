"""The ArUco corner markers, found and decoded with numpy alone (OpenCV would add ~200 MB to the
bundle): the marker patterns are OpenCV's DICT_6X6_1000 (resources/scan/aruco_6x6_1000.txt).

Finding one marker in a corner window: a coarse search on a 4 px/mm copy for the 10 mm square
that is dark inside and white around; then, at full resolution, the four outer edges located to
a fraction of a pixel (threshold crossings along rows and columns, a line fitted to each side);
the corners are where the lines meet; the 6 x 6 inner cells are sampled through the marker's own
homography and looked up in the dictionary in all four rotations (at most one cell wrong)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from app.resources import resource_path

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MARKER_MM = 10.0
COARSE_PX_MM = 4.0
MAX_BIT_ERRORS = 1


@cache
def codes() -> tuple[int, ...]:
    """The 36 inner bits (row-major, 1 = black) of each marker id."""
    text = resource_path("scan", "aruco_6x6_1000.txt").read_text(encoding="ascii")
    return tuple(int(line, 16) for line in text.splitlines() if line and not line.startswith("#"))


def bits_of(mid: int) -> list[list[int]]:
    v = codes()[mid]
    return [[(v >> (35 - (6 * r + k))) & 1 for k in range(6)] for r in range(6)]


@cache
def _table() -> tuple[Any, Any, Any]:
    """(bit rows of every id in each rotation: (4000, 36), ids, rotations)."""
    import numpy as np

    base = np.array([bits_of(i) for i in range(len(codes()))], np.uint8)
    rows, ids, rots = [], [], []
    for k in range(4):
        rows.append(np.rot90(base, k, axes=(1, 2)).reshape(len(base), 36))
        ids.append(np.arange(len(base)))
        rots.append(np.full(len(base), k))
    return np.concatenate(rows), np.concatenate(ids), np.concatenate(rots)


def decode(bits: NDArray[Any]) -> tuple[int, int] | None:
    """(id, k) of a 6 x 6 bit matrix as seen in the image: np.rot90(marker, k) == bits."""
    import numpy as np

    table, ids, rots = _table()
    dist = np.count_nonzero(table != bits.reshape(1, 36).astype(np.uint8), axis=1)
    best = int(np.argmin(dist))
    if dist[best] > MAX_BIT_ERRORS:
        return None
    return int(ids[best]), int(rots[best])


def homography(src: NDArray[Any], dst: NDArray[Any]) -> NDArray[np.float64] | None:
    """The 3 x 3 projective map taking src points (N x 2) to dst (least squares, normalised
    direct linear transform)."""
    import numpy as np

    def norm(p: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        c = p.mean(axis=0)
        s = np.sqrt(2) / max(1e-12, float(np.mean(np.linalg.norm(p - c, axis=1))))
        t = np.array([[s, 0, -s * c[0]], [0, s, -s * c[1]], [0, 0, 1]])
        return (p - c) * s, t

    a, ta = norm(np.asarray(src, np.float64))
    b, tb = norm(np.asarray(dst, np.float64))
    rows = []
    for (x, y), (u, v) in zip(a, b, strict=True):
        rows.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    _u, _s, vt = np.linalg.svd(np.array(rows))
    h = vt[-1].reshape(3, 3)
    h = np.linalg.inv(tb) @ h @ ta
    if abs(h[2, 2]) < 1e-12:
        return None
    return np.asarray(h / h[2, 2], np.float64)


def project(h: NDArray[Any], pts: NDArray[Any]) -> NDArray[np.float64]:
    import numpy as np

    p = np.asarray(pts, np.float64)
    q = np.c_[p, np.ones(len(p))] @ h.T
    return np.asarray(q[:, :2] / q[:, 2:3], np.float64)


def _coarse(win: NDArray[np.uint8], px_mm: float) -> tuple[float, float, float] | None:
    """(x, y, side) in window pixels of the most marker-like dark square, or None."""
    import numpy as np

    f = max(1, int(round(px_mm / COARSE_PX_MM)))
    h, w = (win.shape[0] // f) * f, (win.shape[1] // f) * f
    small = win[:h, :w].reshape(h // f, f, w // f, f).mean(axis=(1, 3))
    paper = float(np.percentile(small[::2, ::2], 90))
    dark = (small < paper * 0.55).astype(np.float64)
    ii = np.zeros((dark.shape[0] + 1, dark.shape[1] + 1))
    ii[1:, 1:] = dark.cumsum(0).cumsum(1)
    s = int(round(MARKER_MM * px_mm / f))
    m = max(2, int(round(2.0 * px_mm / f)))
    big = s + 2 * m
    if dark.shape[0] < big + 1 or dark.shape[1] < big + 1:
        return None

    def box(size: int, off: int) -> NDArray[Any]:
        n0, n1 = dark.shape[0] - big + 1, dark.shape[1] - big + 1
        return np.asarray(ii[off + size:off + size + n0, off + size:off + size + n1]
                          - ii[off:off + n0, off + size:off + size + n1]
                          - ii[off + size:off + size + n0, off:off + n1]
                          + ii[off:off + n0, off:off + n1])

    inner = box(s, m) / (s * s)
    outer = (box(big, 0) - box(s, m)) / (big * big - s * s)
    score = inner - 2 * outer
    y, x = np.unravel_index(int(np.argmax(score)), score.shape)
    if inner[y, x] < 0.3 or outer[y, x] > 0.12:
        return None
    return float((x + m) * f), float((y + m) * f), float(s * f)


def _edge(profile: NDArray[Any], thr: float) -> float | None:
    """Sub-pixel index where a row first drops below thr (from index 0)."""
    import numpy as np

    below = np.nonzero(profile < thr)[0]
    if not len(below) or below[0] == 0:
        return None
    i = int(below[0])
    a, b = float(profile[i - 1]), float(profile[i])
    return i - 1 + (a - thr) / max(1e-6, a - b)


def _fit(along: list[float], across: list[float]) -> tuple[float, float] | None:
    """across = k * along + c, fitted twice (outliers beyond 1.5 px dropped)."""
    import numpy as np

    if len(along) < 5:
        return None
    t, u = np.array(along), np.array(across)
    k, c = np.polyfit(t, u, 1)
    keep = np.abs(u - (k * t + c)) < 1.5
    if keep.sum() < 5:
        return None
    k, c = np.polyfit(t[keep], u[keep], 1)
    return float(k), float(c)


def _refine(win: NDArray[np.uint8], x: float, y: float, s: float
            ) -> NDArray[np.float64] | None:
    """The marker's outer corners in window pixels, image order (TL, TR, BR, BL)."""
    import numpy as np

    pad = int(s * 0.3)
    x0, y0 = max(0, int(x) - pad), max(0, int(y) - pad)
    x1, y1 = min(win.shape[1], int(x + s) + pad), min(win.shape[0], int(y + s) + pad)
    reg = win[y0:y1, x0:x1].astype(np.float64)
    paper, ink = float(np.percentile(reg, 95)), float(np.percentile(reg, 3))
    if paper - ink < 40:
        return None
    thr = (paper + ink) / 2
    cx, cy = x + s / 2 - x0, y + s / 2 - y0
    lines = {}
    span = range(int(cy - 0.3 * s), int(cy + 0.3 * s))
    cols = range(int(cx - 0.3 * s), int(cx + 0.3 * s))
    for side in ("left", "right", "top", "bottom"):
        along: list[float] = []
        across: list[float] = []
        for t in (span if side in ("left", "right") else cols):
            if side == "left":
                prof = reg[t, :int(cx)]
            elif side == "right":
                prof = reg[t, int(cx):][::-1]
            elif side == "top":
                prof = reg[:int(cy), t]
            else:
                prof = reg[int(cy):, t][::-1]
            e = _edge(prof, thr)
            if e is None:
                continue
            if side == "right":
                e = reg.shape[1] - 1 - e
            elif side == "bottom":
                e = reg.shape[0] - 1 - e
            along.append(float(t))
            across.append(e)
        fitted = _fit(along, across)
        if fitted is None:
            return None
        lines[side] = fitted

    def meet(vertical: tuple[float, float], horizontal: tuple[float, float]) -> list[float]:
        a, b = vertical         # x = a * y + b
        c, d = horizontal       # y = c * x + d
        yy = (c * b + d) / (1 - a * c)
        return [a * yy + b + x0, yy + y0]

    return np.array([meet(lines["left"], lines["top"]), meet(lines["right"], lines["top"]),
                     meet(lines["right"], lines["bottom"]), meet(lines["left"], lines["bottom"])],
                    np.float64)


def _bits(win: NDArray[np.uint8], corners: NDArray[np.float64]) -> NDArray[Any] | None:
    import numpy as np

    h = homography(np.array([[0, 0], [8, 0], [8, 8], [0, 8]], np.float64), corners)
    if h is None:
        return None
    cells = np.array([[k + 0.5, r + 0.5] for r in range(8) for k in range(8)], np.float64)
    pts = project(h, cells)
    cell_px = float(np.linalg.norm(corners[1] - corners[0])) / 8
    rad = max(1, int(cell_px / 4))
    vals = []
    for px, py in pts:
        xi, yi = int(round(px)), int(round(py))
        patch = win[max(0, yi - rad):yi + rad + 1, max(0, xi - rad):xi + rad + 1]
        if patch.size == 0:
            return None
        vals.append(float(patch.mean()))
    v = np.array(vals).reshape(8, 8)
    thr = (float(np.percentile(win[::4, ::4], 95)) + float(v.min())) / 2
    dark = v < thr
    border = np.r_[dark[0], dark[7], dark[:, 0], dark[:, 7]]
    if border.mean() < 0.9:
        return None
    return np.asarray(dark[1:7, 1:7], np.uint8)


def find_in_window(win: NDArray[np.uint8], px_mm: float) -> tuple[int, NDArray[np.float64]] | None:
    """(marker id, its corners in ArUco order — the marker's own TL, TR, BR, BL — in window
    pixels) of the marker in this window, or None."""
    import numpy as np

    # Paper round the window: a page skewed 3° and shifted 5 mm brings a marker within ~1 mm of
    # the image's edge, closer than the quiet margin the search looks for.
    pad = int(round(3.0 * px_mm))
    paper = int(np.percentile(win[::4, ::4], 90))
    win = np.pad(win, pad, mode="constant", constant_values=paper)
    coarse = _coarse(win, px_mm)
    if coarse is None:
        return None
    corners = _refine(win, *coarse)
    if corners is None:
        return None
    bits = _bits(win, corners)
    if bits is None:
        return None
    found = decode(bits)
    if found is None:
        return None
    mid, k = found
    # np.rot90(marker, k) is what the image shows: the marker's corner j is the image's (j - k).
    return mid, np.asarray(corners[[(j - k) % 4 for j in range(4)]], np.float64) - pad
