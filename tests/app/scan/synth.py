"""Synthetic scans of PollDay's own scannable ballots, with a fixed seed.

The blank ballot is PollDay's PDF rendered by pdftoppm (200 or 300 dpi, grayscale); on it go
hand-like pen marks (ticks, crosses, open and closed circles, scribbles, heavy dots) in the boxes
the voter meant, sometimes crossing a box edge; then a scanner's distortions: rotation ±3°,
scale ±2 %, shift ±5 mm, blur, noise, JPEG q 60-95, light toner (60 %), an occasional page
upside down. Broken pages (a missing marker, the wrong scale, an unknown layout) are made too.

Every synthetic ballot knows what the voter meant (`Truth`): a reading that differs from it and
was not sent to a human is a silent misread."""

from __future__ import annotations

import math
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from app.rules import ABSTAIN, APPROVE, DISAPPROVE
from app.scan.layout import MARKER_INSET_MM, MARKER_MM, Layout, Rect

SEED = 17


@dataclass(frozen=True)
class Truth:
    marks: str                 # what the voter meant, o x - per candidate
    write_in: bool             # wrote a name in (always goes to a human)
    edge: bool                 # a mark crosses a box edge (a human is expected)
    kind: str                  # "ok" or the broken page's kind (must be refused)
    marks_drawn: tuple[str, ...] = ()   # format B: the mark drawn in each candidate's box


def render_blank(pdf: Path, dpi: int, out_dir: Path) -> np.ndarray:
    """Page 1 of `pdf` rendered by pdftoppm as a grayscale array."""
    stem = out_dir / f"blank-{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(stem)], check=True, timeout=60)
    img = cv2.imread(str(stem) + ".png", cv2.IMREAD_GRAYSCALE)
    assert img is not None
    return img


def _pen(rng: random.Random, px: float) -> tuple[int, int]:
    return max(1, round(rng.uniform(0.35, 1.0) * px)), rng.randint(10, 90)


def _pt(x: float, y: float) -> tuple[int, int]:
    return int(round(x * 16)), int(round(y * 16))      # shift=4 sub-pixel drawing


def draw_mark(img: np.ndarray, box: Rect, px: float, rng: random.Random, *,
              edge: bool = False) -> None:
    """A hand-like mark in `box` (mm), drawn in place; `edge`: it runs over the box edge."""
    cx = (box.x + box.w / 2 + rng.uniform(-1.2, 1.2)) * px
    cy = (box.y + box.h / 2 + rng.uniform(-1.2, 1.2)) * px
    half = rng.uniform(3.0, 4.3) * px
    if edge:
        half = rng.uniform(6.8, 8.5) * px
    width, ink = _pen(rng, px)
    kind = rng.choice(["tick", "cross", "circle", "closed", "scribble", "dot"])
    if edge and kind == "dot":
        kind = "scribble"

    def line(points: list[tuple[float, float]]) -> None:
        pts = np.array([_pt(x, y) for x, y in points], np.int32)
        cv2.polylines(img, [pts], False, ink, width, cv2.LINE_AA, shift=4)

    if kind == "tick":
        a = rng.uniform(-0.3, 0.3)
        line([(cx - half, cy), (cx - half * 0.3, cy + half * (0.8 + a)),
              (cx + half, cy - half)])
    elif kind == "cross":
        t = math.radians(rng.uniform(20, 70))
        for s in (1, -1):
            dx, dy = half * math.cos(t), half * math.sin(t) * s
            line([(cx - dx, cy - dy), (cx + dx, cy + dy)])
    elif kind in ("circle", "closed"):
        gap = 0 if kind == "closed" else rng.uniform(10, 60)
        start = rng.uniform(0, 360)
        pts = []
        r = half * rng.uniform(0.75, 1.0)
        for k in range(48):
            ang = math.radians(start + k * (360 - gap) / 47)
            wob = 1 + 0.06 * math.sin(3 * ang + start)
            pts.append((cx + r * wob * math.cos(ang), cy + r * 0.9 * wob * math.sin(ang)))
        line(pts)
    elif kind == "scribble":
        pts = [(cx + rng.uniform(-half, half), cy + rng.uniform(-half, half)) for _ in range(6)]
        line(pts)
    else:  # a heavy dot, as some voters mark
        rad = rng.uniform(1.6, 2.2) * px
        cv2.circle(img, _pt(cx, cy), int(rad * 16), ink, -1, cv2.LINE_AA, shift=4)


def write_name(img: np.ndarray, area: Rect, px: float, rng: random.Random) -> None:
    """Scrawl standing in for a handwritten name in a write-in area."""
    x = (area.x + 4) * px
    y = (area.y + area.h / 2 + 1) * px
    width, ink = _pen(rng, px)
    for _ in range(3):
        pts = [(x + rng.uniform(0, 6) * px, y + rng.uniform(-3, 3) * px) for _ in range(5)]
        cv2.polylines(img, [np.array([_pt(a, b) for a, b in pts], np.int32)], False, ink,
                      width, cv2.LINE_AA, shift=4)
        x += 7 * px


def light_toner(img: np.ndarray, strength: float) -> np.ndarray:
    """Printed content at `strength` of its darkness (0.6 = light toner)."""
    return (255 - (255 - img.astype(np.float32)) * strength).astype(np.uint8)


def distort(img: np.ndarray, px: float, rng: random.Random, *, scale: float | None = None,
            upside_down: bool = False) -> np.ndarray:
    h, w = img.shape
    angle = rng.uniform(-3, 3)
    s = scale if scale is not None else rng.uniform(0.98, 1.02)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle + (180 if upside_down else 0), s)
    m[0, 2] += rng.uniform(-5, 5) * px
    m[1, 2] += rng.uniform(-5, 5) * px
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    sigma = rng.uniform(0, 1.5)
    if sigma > 0.3:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    cv2.setRNGSeed(rng.randrange(1 << 30))
    noise = np.empty(out.shape, np.int16)
    cv2.randn(noise, 0, rng.uniform(2, 8))
    return np.clip(out.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def streak(img: np.ndarray, x: int, darkness: int = 60, width: int = 3) -> np.ndarray:
    """A scanner's vertical streak (dust on the glass) down the whole page at column x."""
    out = img.copy()
    out[:, x:x + width] = np.minimum(out[:, x:x + width], darkness)
    return out


def jpeg(img: np.ndarray, rng: random.Random) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(60, 95)])
    assert ok
    return bytes(buf.tobytes())


def voter(layout: Layout, rng: random.Random) -> str:
    n = len(layout.candidates)
    while True:
        marks = "".join(rng.choice([APPROVE, APPROVE, DISAPPROVE, ABSTAIN]) for _ in range(n))
        if marks.count(APPROVE) <= layout.seats and marks.strip(ABSTAIN):
            return marks


def ballot(blank: np.ndarray, layout: Layout, dpi: int, rng: random.Random, *,
           edge_rate: float = 0.03, write_in_rate: float = 0.03,
           intent: str | None = None) -> tuple[np.ndarray, Truth]:
    """One marked, distorted page and what the voter meant (`intent`, else a random voter)."""
    px = dpi / 25.4
    img = light_toner(blank, 0.6) if rng.random() < 0.25 else blank.copy()
    marks = intent if intent is not None else voter(layout, rng)
    edge = False
    for i, m in enumerate(marks):
        entry = layout.entries[i]
        box = entry.approve if m == APPROVE else entry.disapprove
        if m == ABSTAIN or box is None:
            continue
        crossing = rng.random() < edge_rate
        edge = edge or crossing
        draw_mark(img, box, px, rng, edge=crossing)
    written = layout.write_ins > 0 and rng.random() < write_in_rate
    if written:
        e = layout.entries[len(layout.candidates)]
        write_name(img, e.name_rect, px, rng)
        draw_mark(img, e.approve, px, rng)
    out = distort(img, px, rng, upside_down=rng.random() < 0.05)
    return out, Truth(marks, written, edge, "ok")


def broken(blank: np.ndarray, layout: Layout, dpi: int, rng: random.Random,
           kind: str) -> np.ndarray:
    """A page that must be refused: "missing_marker", "wrong_scale" (printed at 93-95 %)."""
    px = dpi / 25.4
    img = blank.copy()
    draw_mark(img, layout.entries[0].approve, px, rng)
    if kind == "missing_marker":
        corner = rng.randrange(4)
        far_x = img.shape[1] / px - MARKER_INSET_MM - MARKER_MM
        far_y = img.shape[0] / px - MARKER_INSET_MM - MARKER_MM
        x, y = [(MARKER_INSET_MM, MARKER_INSET_MM), (far_x, MARKER_INSET_MM), (far_x, far_y),
                (MARKER_INSET_MM, far_y)][corner]
        cv2.rectangle(img, (int((x - 1) * px), int((y - 1) * px)),
                      (int((x + MARKER_MM + 1) * px), int((y + MARKER_MM + 1) * px)), 255, -1)
        return distort(img, px, rng)
    if kind == "moved_marker":   # a fold or a curled corner: one marker 1.5 mm off
        far_x = img.shape[1] / px - MARKER_INSET_MM - MARKER_MM
        far_y = img.shape[0] / px - MARKER_INSET_MM - MARKER_MM
        x0, y0 = int((far_x - 1) * px), int((far_y - 1) * px)
        side = int((MARKER_MM + 2) * px)
        patch = img[y0:y0 + side, x0:x0 + side].copy()
        img[y0:y0 + side, x0:x0 + side] = 255
        d = int(1.5 * px)
        img[y0 + d:y0 + d + side, x0 + d:x0 + d + side] = patch
        return distort(img, px, rng)
    if kind == "wrong_scale":
        return distort(img, px, rng, scale=rng.choice([0.93, 0.94, 0.95]))   # "fit to page"
    raise ValueError(kind)


def write_deck(blank: np.ndarray, layout: Layout, dpi: int, folder: Path, n: int, *,
               seed: int = SEED, as_pdf: bool = False, edge_rate: float = 0.03,
               write_in_rate: float = 0.03, prefix: str = "scan",
               intents: list[str] | None = None) -> list[Truth]:
    """n marked ballots as JPEG files (or one PDF of JPEG pages, as an MFP writes) in scan order;
    returns what each voter meant, in the same order."""
    from PIL import Image

    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    truths, images = [], []
    for i in range(n):
        img, truth = ballot(blank, layout, dpi, rng, edge_rate=edge_rate,
                            write_in_rate=write_in_rate,
                            intent=None if intents is None else intents[i])
        truths.append(truth)
        if as_pdf:
            images.append(Image.fromarray(img))
        else:
            (folder / f"{prefix}{i + 1:04d}.jpg").write_bytes(jpeg(img, rng))
    if as_pdf and images:
        images[0].save(folder / f"{prefix}.pdf", save_all=True, append_images=images[1:],
                       resolution=float(dpi), quality=80)
    return truths


# --- Format B: one box per candidate, ○ = 赞成, × = 不赞成, blank = 弃权 -------------------------
# A box's truth is "o", "x", "-" (blank) or "?" (a mark a human must look at: √, a dot, a
# scribble, a mark crossing the box edge). A ballot whose truth holds a "?" and that was not sent
# to a human is a silent misread.
HARD_KINDS = ("tick", "dot", "scribble")


def _poly(img: np.ndarray, points: list[tuple[float, float]], ink: int, width: int,
          closed: bool = False) -> None:
    pts = np.array([_pt(x, y) for x, y in points], np.int32)
    cv2.polylines(img, [pts], closed, ink, width, cv2.LINE_AA, shift=4)


def draw_b(img: np.ndarray, box: Rect, px: float, rng: random.Random, kind: str, *,
           edge: bool = False) -> None:
    """A hand-like format-B mark in `box` (mm): "o_closed", "o_open" (a gap of 10-60°), "x" (at
    20-70°, crossing off-centre), "tick", "dot", "scribble"; `edge`: it runs over the box edge.
    Sizes 6-12 mm, pen 0.3-1.2 mm."""
    width = max(1, round(rng.uniform(0.3, 1.2) * px))
    ink = rng.randint(10, 90)
    size = rng.uniform(6.0, 12.0)
    if kind in ("x", "tick", "scribble"):
        size = rng.uniform(6.0, 11.0)
    if edge:
        size = rng.uniform(24.0, 28.0) if kind == "x" else rng.uniform(18.0, 22.0)
    room = max(0.0, min(1.2, (box.w - size) / 2 - 0.6))
    cx = (box.x + box.w / 2 + rng.uniform(-room, room)) * px
    cy = (box.y + box.h / 2 + rng.uniform(-room, room)) * px
    half = size / 2 * px
    if kind in ("o_closed", "o_open"):
        gap = rng.uniform(10, 60) if kind == "o_open" else -rng.uniform(0, 25)   # < 0: overlap
        start = rng.uniform(0, 360)
        aspect = rng.uniform(0.8, 1.0)
        tilt = math.radians(rng.uniform(0, 180))
        pts = []
        for k in range(64):
            ang = math.radians(start + k * (360 - gap) / 63)
            wob = 1 + 0.05 * math.sin(3 * ang + start)
            u, v = half * wob * math.cos(ang), half * aspect * wob * math.sin(ang)
            pts.append((cx + u * math.cos(tilt) - v * math.sin(tilt),
                        cy + u * math.sin(tilt) + v * math.cos(tilt)))
        _poly(img, pts, ink, width)
    elif kind == "x":
        t = math.radians(rng.uniform(20, 70))
        half /= max(math.cos(t), math.sin(t))          # size: the × spans 6-11 mm
        for s in (1, -1):
            dx, dy = half * math.cos(t), half * math.sin(t) * s
            a, b = (1.0, 1.0) if edge else (rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0))
            bend = rng.uniform(-0.06, 0.06) * half
            _poly(img, [(cx - dx * a, cy - dy * a), (cx + bend, cy - bend),
                        (cx + dx * b, cy + dy * b)], ink, width)
    elif kind == "tick":
        a = rng.uniform(-0.3, 0.3)
        _poly(img, [(cx - half * 0.8, cy), (cx - half * 0.3, cy + half * (0.7 + a)),
                    (cx + half, cy - half)], ink, width)
    elif kind == "scribble":          # a messy back-and-forth of 8-10 strokes
        pts = [(cx + rng.uniform(-half, half), cy + rng.uniform(-half, half))
               for _ in range(rng.randint(9, 11))]
        _poly(img, pts, ink, width)
    elif kind == "dot":
        rad = rng.uniform(0.8, 2.2) * px
        cv2.circle(img, _pt(cx, cy), int(rad * 16), ink, -1, cv2.LINE_AA, shift=4)
    else:
        raise ValueError(kind)


def voter_b(layout: Layout, rng: random.Random) -> str:
    n = len(layout.candidates)
    while True:
        marks = "".join(rng.choice("ooooxxx---") for _ in range(n))
        if marks.count("o") <= layout.seats and marks.strip("-"):
            return marks


def ballot_b(blank: np.ndarray, layout: Layout, dpi: int, rng: random.Random, *,
             hard_rate: float = 0.005, edge_rate: float = 0.005, write_in_rate: float = 0.0,
             kinds: list[str] | None = None) -> tuple[np.ndarray, Truth]:
    """One marked, distorted format-B page and its truth (o x - ? per candidate). `kinds`: the
    mark of each candidate's box ("" for none), instead of a random voter."""
    px = dpi / 25.4
    img = light_toner(blank, 0.6) if rng.random() < 0.25 else blank.copy()
    truth = []
    edge = False
    if kinds is None:
        kinds = []
        for m in voter_b(layout, rng):
            if m == "-":
                kinds.append("")
            elif rng.random() < hard_rate:
                kinds.append(rng.choice(HARD_KINDS))
            elif m == "o":
                kinds.append("o_closed" if rng.random() < 0.6 else "o_open")
            else:
                kinds.append("x")
            if kinds[-1] and rng.random() < edge_rate:
                kinds[-1] += "+edge"
    kinds = list(kinds) + [""] * (len(layout.candidates) - len(kinds))
    for i, kind in enumerate(kinds):
        if not kind:
            truth.append("-")
            continue
        crossing = kind.endswith("+edge")
        base = kind.removesuffix("+edge")
        edge = edge or crossing
        draw_b(img, layout.entries[i].approve, px, rng, base, edge=crossing)
        truth.append("?" if crossing or base in HARD_KINDS else base[0])
    written = layout.write_ins > 0 and rng.random() < write_in_rate
    if written:
        e = layout.entries[len(layout.candidates)]
        write_name(img, e.name_rect, px, rng)
        draw_b(img, e.approve, px, rng, "o_closed")
    out = distort(img, px, rng, upside_down=rng.random() < 0.05)
    return out, Truth("".join(truth), written, edge, "ok", tuple(kinds))
