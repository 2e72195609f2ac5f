"""The geometry of a scannable ballot (format A or B): A4 portrait, mm from the top-left corner.

Four ArUco markers (DICT_6X6_1000), 10 mm square, 14 mm from the paper's edges. Marker id =
4 x layout code + corner (0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left): each marker
alone names the corner it belongs to and the layout, so a page read upside down or with its QR
turned off still tells its layout. Codes 1..249 are handed out per database as layouts are
printed; code 0 is never used.

Rows: the candidates in ballot order, then the write-in rows (另选他人), two entries to a row.
A candidate entry is [name][赞成 box][不赞成 box]; a write-in entry is [name area][赞成 box].
Boxes are 12 mm squares; nothing else is printed within 3 mm of a box, so ink there is a mark
that crosses the box edge. Every copy of a layout is the same: no number, no mark.

Format B is the traditional ballot: one box per candidate, ○ in it = 赞成, × = 不赞成, nothing =
弃权; a write-in entry is [name area][box] (○ in the box = a vote for the name written). Its boxes
are 15 mm squares (a hand-drawn ○ of 6-12 mm fits inside), three entries to a row of 20 mm.

A page may hold several contests of one round (build_page_layout): one block per contest under
its own sub-heading (应选, 候选人), each block with its own boxes and write-in rows in its own
format (A or B), one under the other from MULTI_TOP_MM; box keys of block k start "p<k>.". The
layout code in the markers names the whole page. A page that does not fit one A4 sheet is
refused with the reason: a ballot of more than one page cannot be scanned."""

from __future__ import annotations

import json
from dataclasses import dataclass

PAGE_W_MM = 210.0
PAGE_H_MM = 297.0
MARKER_MM = 10.0
MARKER_INSET_MM = 14.0        # from the paper edge to the marker's outer edge
CORNER_WINDOW_MM = 45.0       # markers are searched only in these corner windows
BOX_MM = 12.0
ROW_PITCH_MM = 16.0
TABLE_TOP_MM = 96.0
TABLE_BOTTOM_MM = 250.0       # above the bottom corner windows
LEFT_MM = 27.0
GROUP_W_MM = 78.0             # one entry: name + boxes; two groups side by side
GROUP_GAP_MM = 0.0
NAME_W_MM = 34.0
CELL_W_MM = 22.0              # each box is centred in a 22 mm cell
MAX_CODE = 249
APPROVE_BOX = "approve"
DISAPPROVE_BOX = "disapprove"
FORMAT_A = "A"
FORMAT_B = "B"
FORMATS = (FORMAT_A, FORMAT_B)
FORMAT_WORDS = {
    FORMAT_A: "格式A：每名候选人“赞成”“不赞成”两个方格，在方格内画符号；两格都不画为弃权",
    FORMAT_B: "格式B（传统选票）：每名候选人一个方格，画○为赞成，画×为不赞成，不画为弃权；"
              "另选他人在其姓名右边方格内画○",
}
# A page of several contests: general instructions, then one block per contest.
MULTI_TOP_MM = 88.0
PART_HEAD_MM = 13.0           # the block's sub-heading line and its column labels
PART_GAP_MM = 3.0
FORMAT_MULTI = "M"            # Layout.format of a page of several contests (never stored)
# Format B: one box per entry, three entries to a row.
BOX_B_MM = 15.0
ROW_PITCH_B_MM = 20.0
GROUP_B_W_MM = 52.0
NAME_B_W_MM = 32.0
CELL_B_W_MM = 20.0


def max_entries(fmt: str = FORMAT_A) -> int:
    if fmt == FORMAT_B:
        return int((TABLE_BOTTOM_MM - TABLE_TOP_MM) // ROW_PITCH_B_MM) * 3
    rows = int((TABLE_BOTTOM_MM - TABLE_TOP_MM) // ROW_PITCH_MM)
    return rows * 2


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def as_list(self) -> list[float]:
        return [round(self.x, 3), round(self.y, 3), round(self.w, 3), round(self.h, 3)]


@dataclass(frozen=True, slots=True)
class Entry:
    """One row entry: a candidate (name given) or a write-in (name "" and a name area)."""

    index: int                  # candidate position (0-based) or write-in number (0-based)
    write_in: bool
    name: str
    name_rect: Rect
    approve: Rect               # format B: the one box (○ 赞成, × 不赞成)
    disapprove: Rect | None     # write-ins and format B have only the one box


@dataclass(frozen=True, slots=True)
class Part:
    """One contest's block of a page: its own candidates, write-in rows, format and boxes."""

    contest_id: int             # 0 on a single-contest layout (its scan_layout row names it)
    round_no: int
    format: str
    heading: str
    seats: int
    candidates: tuple[str, ...]
    write_ins: int
    entries: tuple[Entry, ...]
    prefix: str = ""            # the block's box keys start with it ("" on one contest)
    top_mm: float = TABLE_TOP_MM   # where its boxes begin (labels above)


@dataclass(frozen=True, slots=True)
class PartSpec:
    """What build_page_layout needs of one contest."""

    contest_id: int
    round_no: int
    format: str
    heading: str
    seats: int
    candidates: tuple[str, ...]
    write_ins: int


@dataclass(frozen=True, slots=True)
class Layout:
    code: int
    format: str                 # A or B; FORMAT_MULTI for a page of several contests
    heading: str
    seats: int                  # a page of several contests: 0 (each block has its own)
    candidates: tuple[str, ...]   # of every block, in page order
    write_ins: int
    entries: tuple[Entry, ...]    # of every block, in page order
    parts: tuple[Part, ...] = ()  # a page of several contests: its blocks

    @property
    def multi(self) -> bool:
        return bool(self.parts)

    def blocks(self) -> tuple[Part, ...]:
        """The page's contest blocks: its parts, or the one contest of a single layout."""
        if self.parts:
            return self.parts
        return (Part(0, 0, self.format, self.heading, self.seats, self.candidates,
                     self.write_ins, self.entries),)

    def markers(self) -> dict[int, tuple[float, float]]:
        """Marker id -> the marker's top-left corner in mm (the printed orientation)."""
        return {marker_id(self.code, k): xy for k, xy in enumerate(marker_origins())}

    def geometry_json(self) -> str:
        if self.parts:
            return json.dumps({"heading": self.heading, "parts": [
                {"contest_id": p.contest_id, "round_no": p.round_no, "format": p.format,
                 "heading": p.heading, "seats": p.seats, "candidates": list(p.candidates),
                 "write_ins": p.write_ins} for p in self.parts]},
                ensure_ascii=False, sort_keys=True)
        return json.dumps({"format": self.format, "heading": self.heading, "seats": self.seats,
                           "candidates": list(self.candidates), "write_ins": self.write_ins},
                          ensure_ascii=False, sort_keys=True)


def marker_id(code: int, corner: int) -> int:
    return 4 * code + corner


def split_marker(mid: int) -> tuple[int, int]:
    """(layout code, corner) of a marker id."""
    return mid // 4, mid % 4


def marker_origins() -> tuple[tuple[float, float], ...]:
    far_x = PAGE_W_MM - MARKER_INSET_MM - MARKER_MM
    far_y = PAGE_H_MM - MARKER_INSET_MM - MARKER_MM
    return ((MARKER_INSET_MM, MARKER_INSET_MM), (far_x, MARKER_INSET_MM), (far_x, far_y),
            (MARKER_INSET_MM, far_y))


def marker_corners(corner: int) -> list[tuple[float, float]]:
    """The four corners of a marker in mm, in ArUco's order (clockwise from its top-left)."""
    x, y = marker_origins()[corner]
    m = MARKER_MM
    return [(x, y), (x + m, y), (x + m, y + m), (x, y + m)]


def build_layout(code: int, heading: str, seats: int, candidates: tuple[str, ...],
                 write_ins: int, fmt: str = FORMAT_A) -> Layout | str:
    """The layout, or why it cannot be one scannable page."""
    if not 1 <= code <= MAX_CODE:
        return f"版式编号 {code} 超出 1–{MAX_CODE}"
    if fmt not in FORMATS:
        return f"选票格式“{fmt}”未知（须为A或B）"
    n = len(candidates) + write_ins
    if n > max_entries(fmt):
        return (f"候选人{len(candidates)}名加另选他人{write_ins}栏共{n}栏，一页格式{fmt}可扫描选票最多"
                f"{max_entries(fmt)}栏：多于一页的选票不能扫描计票")
    if fmt == FORMAT_B:
        return Layout(code, FORMAT_B, heading, seats, tuple(candidates), write_ins,
                      _entries_b(candidates, write_ins, TABLE_TOP_MM))
    return Layout(code, FORMAT_A, heading, seats, tuple(candidates), write_ins,
                  _entries_a(candidates, write_ins, TABLE_TOP_MM))


def _entries_a(candidates: tuple[str, ...], write_ins: int, top: float) -> tuple[Entry, ...]:
    entries = []
    for i in range(len(candidates) + write_ins):
        row, col = divmod(i, 2)
        x0 = LEFT_MM + col * (GROUP_W_MM + GROUP_GAP_MM)
        y0 = top + row * ROW_PITCH_MM
        by = y0 + (ROW_PITCH_MM - BOX_MM) / 2
        name_rect = Rect(x0, y0 + 1.5, NAME_W_MM, ROW_PITCH_MM - 3)
        approve = Rect(x0 + NAME_W_MM + (CELL_W_MM - BOX_MM) / 2, by, BOX_MM, BOX_MM)
        write_in = i >= len(candidates)
        disapprove = None if write_in else Rect(
            x0 + NAME_W_MM + CELL_W_MM + (CELL_W_MM - BOX_MM) / 2, by, BOX_MM, BOX_MM)
        index = i - len(candidates) if write_in else i
        entries.append(Entry(index, write_in, "" if write_in else candidates[i], name_rect,
                             approve, disapprove))
    return tuple(entries)


def _entries_b(candidates: tuple[str, ...], write_ins: int, top: float) -> tuple[Entry, ...]:
    entries = []
    left = (PAGE_W_MM - 3 * GROUP_B_W_MM) / 2
    for i in range(len(candidates) + write_ins):
        row, col = divmod(i, 3)
        x0 = left + col * GROUP_B_W_MM
        y0 = top + row * ROW_PITCH_B_MM
        name_rect = Rect(x0, y0 + 2.0, NAME_B_W_MM, ROW_PITCH_B_MM - 4)
        box = Rect(x0 + NAME_B_W_MM + (CELL_B_W_MM - BOX_B_MM) / 2,
                   y0 + (ROW_PITCH_B_MM - BOX_B_MM) / 2, BOX_B_MM, BOX_B_MM)
        write_in = i >= len(candidates)
        index = i - len(candidates) if write_in else i
        entries.append(Entry(index, write_in, "" if write_in else candidates[i], name_rect, box,
                             None))
    return tuple(entries)


def part_height(fmt: str, entries: int) -> float:
    """The height of a contest's block on a page of several contests (mm)."""
    per_row, pitch = (3, ROW_PITCH_B_MM) if fmt == FORMAT_B else (2, ROW_PITCH_MM)
    return PART_HEAD_MM + -(-entries // per_row) * pitch + PART_GAP_MM


def build_page_layout(code: int, heading: str, specs: tuple[PartSpec, ...]) -> Layout | str:
    """A page of several contests of one round, one block each, or why it cannot be one
    scannable page (A4)."""
    if not 1 <= code <= MAX_CODE:
        return f"版式编号 {code} 超出 1–{MAX_CODE}"
    if len(specs) < 2:
        return "一页多项选举的选票须至少有两项选举（一项选举用单项选票）"
    rounds = {s.round_no for s in specs}
    if len(rounds) > 1:
        return "同一张选票上的各项选举须是同一轮次"
    top = MULTI_TOP_MM
    parts = []
    for k, s in enumerate(specs):
        if s.format not in FORMATS:
            return f"{s.heading}：选票格式“{s.format}”未知（须为A或B）"
        n = len(s.candidates) + s.write_ins
        build = _entries_b if s.format == FORMAT_B else _entries_a
        entries = build(s.candidates, s.write_ins, top + PART_HEAD_MM)
        parts.append(Part(s.contest_id, s.round_no, s.format, s.heading, s.seats, s.candidates,
                          s.write_ins, entries, f"p{k}.", top + PART_HEAD_MM))
        top += part_height(s.format, n)
    if top - PART_GAP_MM > TABLE_BOTTOM_MM:
        need = top - PART_GAP_MM - MULTI_TOP_MM
        room = TABLE_BOTTOM_MM - MULTI_TOP_MM
        return ("、".join(s.heading for s in specs) + f"共{len(specs)}项选举印在一页须{need:.0f}毫米，"
                f"一页A4可扫描选票只有{room:.0f}毫米：多于一页的选票不能扫描计票"
                "（请分项印制选票）")
    return Layout(code, FORMAT_MULTI, heading, 0,
                  tuple(c for p in parts for c in p.candidates), sum(p.write_ins for p in parts),
                  tuple(e for p in parts for e in p.entries), tuple(parts))


def layout_from_json(code: int, text: str) -> Layout:
    d = json.loads(text)
    if "parts" in d:
        specs = tuple(PartSpec(int(p["contest_id"]), int(p["round_no"]), str(p["format"]),
                               str(p["heading"]), int(p["seats"]),
                               tuple(str(c) for c in p["candidates"]), int(p["write_ins"]))
                      for p in d["parts"])
        multi = build_page_layout(code, str(d["heading"]), specs)
        if isinstance(multi, str):
            raise ValueError(multi)
        return multi
    got = build_layout(code, str(d["heading"]), int(d["seats"]),
                       tuple(str(c) for c in d["candidates"]), int(d["write_ins"]),
                       str(d.get("format", FORMAT_A)))
    if isinstance(got, str):
        raise ValueError(got)
    return got


def qr_text(election: str, code: int) -> str:
    """What the optional QR says: the election hash and the layout code, nothing else."""
    return f"PDSCAN1|{election}|{code}"
