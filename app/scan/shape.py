"""Telling a hand-drawn ○ from a × in one box (format B), with numpy only.

The ink inside the box (a boolean image at `px_mm` pixels per mm) is measured two ways:

- ring-ness (○-score): a circle is fitted to the ink (algebraic least squares, so an open ○ with
  a gap fits as well as a closed one); a ○ has its ink in a thin ring around that centre
  (`ring`), all round it (`coverage`: the share of 15° sectors with ink on the ring; a gap of
  up to ~60° still covers 5/6) and nothing in the middle (`fill`: ink in the disc of half the
  radius). The score is the product of the three, each mapped to 0..1.
- cross-ness (×-score): Radon-like projections of the ink at 4° steps find the straightest band
  of ink (a stroke), then, away from it (≥ 30°), the second; a × is two strokes that hold most
  of the ink (`explained`) and cross near their middles (`balance`: the smaller share of each
  stroke on either side of the crossing). A √ is two strokes meeting at an end (balance ≈ 0),
  two tangents of a ○ meet outside it (balance ≈ 0): neither scores as a ×.

The margin is ○-score − ×-score. The reader (app/scan/read.py) decides in bands: a ○ or a ×
only when one score is high, the other low and the margin wide; everything else (√, dots,
scribbles, filled boxes, half-drawn marks) goes to a human. Every figure is stored with the page
so a decision can be checked later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

SECTORS = 24
ANGLE_STEP_DEG = 4
BAND_MM = 1.5             # a stroke's band: pen (0.3-1.2 mm) plus blur
BIN_MM = 0.25
MIN_SEPARATION_DEG = 34
MAX_POINTS = 4000


@dataclass(frozen=True, slots=True)
class Shape:
    o: float                  # ○-score 0..1
    x: float                  # ×-score 0..1
    radius_mm: float
    ring: float               # share of the ink within the ring around the fitted circle
    coverage: float           # share of sectors round the centre with ink on the ring
    fill: float               # ink in the disc of half the radius (a ○'s middle is empty)
    explained: float          # share of the ink in the two straightest strokes
    balance: float            # the smaller side share of the two strokes about their crossing
    separation_deg: float     # the angle between the two strokes
    solidity: float = 0.0     # ink over its bounding rectangle: a dot or a filled box is solid
    arms: int = 0             # strokes leaving the crossing (a × has 4), counted on a circle
    shortest_arm_mm: float = 0.0

    @property
    def margin(self) -> float:
        return self.o - self.x


NOTHING = Shape(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
MIN_RADIUS_MM = 2.4       # a ○ of 6 mm or more (a smaller loop is a stray mark)
MIN_ARM_MM = 1.6          # each arm of a × leaves the crossing by this much at least


def _clamp(v: float) -> float:
    return 0.0 if v < 0 else 1.0 if v > 1 else float(v)


def shape_of(ink: NDArray[np.bool_], px_mm: float) -> Shape:
    import numpy as np

    ys, xs = np.nonzero(ink)
    n = len(xs)
    if n < 12:
        return NOTHING
    step = max(1, n // MAX_POINTS)
    x = ((xs[::step] + 0.5) / px_mm).astype(np.float64)
    y = ((ys[::step] + 0.5) / px_mm).astype(np.float64)
    o, radius, ring, coverage, fill = _ringness(ink, x, y, px_mm)
    xs_score, explained, balance, sep, arms, shortest = _crossness(x, y, ink, px_mm)
    solidity = n / float((xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1))
    return Shape(o, xs_score, radius, ring, coverage, fill, explained, balance, sep, solidity,
                 arms, shortest)


def _ringness(ink: NDArray[np.bool_], x: NDArray[np.float64], y: NDArray[np.float64],
              px_mm: float) -> tuple[float, float, float, float, float]:
    import numpy as np

    a = np.c_[x, y, np.ones(len(x))]
    sol, *_ = np.linalg.lstsq(a, x * x + y * y, rcond=None)
    cx, cy = sol[0] / 2, sol[1] / 2
    r2 = sol[2] + cx * cx + cy * cy
    h, w = ink.shape[0] / px_mm, ink.shape[1] / px_mm
    if r2 <= 0:
        return 0.0, 0.0, 0.0, 0.0, 1.0
    r = float(np.sqrt(r2))
    if not (MIN_RADIUS_MM <= r <= 0.6 * max(h, w)) or not (0 <= cx <= w and 0 <= cy <= h):
        return 0.0, r, 0.0, 0.0, 1.0
    d = np.hypot(x - cx, y - cy)
    tol = max(0.28 * r, 0.9)
    on = np.abs(d - r) < tol
    ring = float(on.mean())
    ang = np.arctan2(y[on] - cy, x[on] - cx)
    sec = np.floor((ang + np.pi) / (2 * np.pi) * SECTORS).astype(np.int64) % SECTORS
    coverage = float(np.count_nonzero(np.bincount(sec, minlength=SECTORS))) / SECTORS
    # ink in the middle disc, as a share of the disc's pixels
    rr = 0.5 * r
    gy, gx = np.mgrid[0:ink.shape[0], 0:ink.shape[1]]
    disc = np.hypot((gx + 0.5) / px_mm - cx, (gy + 0.5) / px_mm - cy) < rr
    fill = float(ink[disc].mean()) if disc.any() else 1.0
    o = _clamp((coverage - 0.62) / 0.25) * _clamp((ring - 0.75) / 0.2) * _clamp(1 - fill / 0.12)
    return o, r, ring, coverage, fill


def _strongest(x: NDArray[np.float64], y: NDArray[np.float64], angles: NDArray[np.float64]
               ) -> tuple[int, float, int]:
    """(angle index, band centre offset mm, ink count) of the densest band over `angles`."""
    import numpy as np

    proj = np.outer(-np.sin(angles), x).T + np.outer(np.cos(angles), y).T  # n x k
    lo = float(proj.min())
    bins = np.floor((proj - lo) / BIN_MM).astype(np.int64)
    nb = int(bins.max()) + 1
    k = len(angles)
    hist = np.bincount((bins + np.arange(k) * nb).ravel(), minlength=k * nb).reshape(k, nb)
    width = max(1, int(round(BAND_MM / BIN_MM)))
    c = np.concatenate([np.zeros((k, 1), np.int64), np.cumsum(hist, axis=1)], axis=1)
    band = c[:, width:] - c[:, :-width] if nb >= width else c[:, -1:]
    idx = int(np.argmax(band))
    ai, bi = divmod(idx, band.shape[1])
    return ai, lo + (bi + width / 2) * BIN_MM, int(band[ai, bi])


def _runs(ink: NDArray[np.bool_], px_mm: float, cx: float, cy: float, r: float) -> int:
    """How many separate runs of ink a circle of radius r mm about (cx, cy) mm crosses."""
    import numpy as np

    t = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    col = np.clip(((cx + r * np.cos(t)) * px_mm).astype(np.int64), 0, ink.shape[1] - 1)
    row = np.clip(((cy + r * np.sin(t)) * px_mm).astype(np.int64), 0, ink.shape[0] - 1)
    on = ink[row, col]
    if on.all():
        return 1
    return int(np.count_nonzero(on & ~np.roll(on, 1)))


def _crossness(x: NDArray[np.float64], y: NDArray[np.float64], ink: NDArray[np.bool_],
               px_mm: float) -> tuple[float, float, float, float, int, float]:
    import numpy as np

    n = len(x)
    angles = np.deg2rad(np.arange(0, 180, ANGLE_STEP_DEG, dtype=np.float64))
    a1, s1, n1 = _strongest(x, y, angles)
    t1 = float(angles[a1])
    off1 = -np.sin(t1) * x + np.cos(t1) * y
    in1 = np.abs(off1 - s1) <= BAND_MM / 2
    rest = ~in1
    if rest.sum() < 6:
        return 0.0, n1 / n, 0.0, 0.0, 0, 0.0
    diff = np.abs((np.rad2deg(angles) - np.rad2deg(t1) + 90) % 180 - 90)
    allowed = angles[diff >= MIN_SEPARATION_DEG]
    a2, s2, n2 = _strongest(x[rest], y[rest], allowed)
    t2 = float(allowed[a2])
    explained = (n1 + n2) / n
    sep = float(abs((np.rad2deg(t2 - t1) + 90) % 180 - 90))
    # the crossing: -sin t x + cos t y = s for both strokes
    m = np.array([[-np.sin(t1), np.cos(t1)], [-np.sin(t2), np.cos(t2)]])
    px, py = np.linalg.solve(m, np.array([s1, s2]))
    off2 = -np.sin(t2) * x + np.cos(t2) * y
    in2 = np.abs(off2 - s2) <= BAND_MM / 2
    balances, reach = [], []
    for inside, t in ((in1, t1), (in2, t2)):
        along = np.cos(t) * (x[inside] - px) + np.sin(t) * (y[inside] - py)
        left = int(np.count_nonzero(along < -BAND_MM / 2))
        right = int(np.count_nonzero(along > BAND_MM / 2))
        balances.append(min(left, right) / max(1, left + right))
        reach += [float(-along.min()) if len(along) else 0.0,
                  float(along.max()) if len(along) else 0.0]
    balance = min(balances)
    shortest = max(0.0, min(reach))
    # A × has four arms: a circle about the crossing, well inside the shortest arm, crosses
    # four separate strokes (a Z, a tick or two tangents of a ○ do not).
    arms = 0
    if shortest >= MIN_ARM_MM:
        arms = min(_runs(ink, px_mm, float(px), float(py), rad)
                   for rad in (0.6 * shortest, 0.85 * shortest))
    ratio = min(n1, n2) / max(1, max(n1, n2))
    score = (_clamp((explained - 0.88) / 0.08) * (1.0 if arms == 4 else 0.0) * _clamp((balance - 0.25) / 0.15)
             * _clamp(ratio / 0.45) * (1.0 if sep >= MIN_SEPARATION_DEG else 0.0))
    return score, explained, balance, sep, arms, shortest
