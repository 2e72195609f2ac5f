"""What scanning needs before counting: the meeting's decision to print the markers (and the
QR), the election hash, and the layouts printed for each round.

Whether corner markers and a layout QR are "规定的项目" that a ballot may carry is for the
supervising office (区（街道）换届办) to say: they are printed only for a meeting whose setting
says so, and the setting is recorded and audited with who set it."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

from app.clock import Clock, iso
from app.meetings import Refusal
from app.meetings.core import setup_refused
from app.scan.layout import (
    FORMAT_A,
    FORMAT_WORDS,
    FORMATS,
    MAX_CODE,
    Layout,
    build_layout,
    layout_from_json,
)
from db import scan as q
from db import settings
from db.audit import append
from db.tx import transaction

ELECTION_KEY = "scan.election"
OFF, MARKERS, MARKERS_QR = "off", "markers", "markers+qr"


@dataclass(frozen=True, slots=True)
class PrintSetting:
    markers: bool
    qr: bool

    @property
    def words(self) -> str:
        if not self.markers:
            return "不打印扫描标记（选票只能键盘录入）"
        return "打印四角定位标记" + ("和版式二维码" if self.qr else "（不印二维码）")


def _key(meeting_id: int) -> str:
    return f"scan.print.{meeting_id}"


def print_setting(conn: sqlite3.Connection, meeting_id: int) -> PrintSetting:
    value = settings.get(conn, _key(meeting_id)) or OFF
    return PrintSetting(value in (MARKERS, MARKERS_QR), value == MARKERS_QR)


def marked_print_setting(conn: sqlite3.Connection, meeting_id: int, title: str
                         ) -> PrintSetting | Refusal:
    """The print setting of a scannable ballot, refused while no markers are set."""
    setting = print_setting(conn, meeting_id)
    if not setting.markers:
        return Refusal("SCAN_NOT_SET", f"{title}未设定打印扫描标记：选票上印定位标记、二维码须先"
                       "征得区（街道）换届办同意，再用 pollday scan setup --markers 设定")
    return setting


def set_print_setting(conn: sqlite3.Connection, meeting_id: int, *, markers: bool, qr: bool,
                      actor: str, clock: Clock) -> PrintSetting | Refusal:
    if qr and not markers:
        return Refusal("QR_WITHOUT_MARKERS", "二维码只能与四角定位标记一起打印")
    value = MARKERS_QR if qr else (MARKERS if markers else OFF)
    with transaction(conn):
        denied = setup_refused(conn, actor)   # what the ballots print: the 主持人's setup
        if denied is not None:
            return denied
        settings.put(conn, _key(meeting_id), value)
        election_hash(conn)
        append(conn, at=iso(clock.now()), actor=actor, action="scan_print_setting",
               meeting_id=meeting_id, detail={"setting": value})
    return print_setting(conn, meeting_id)


def _format_key(contest_id: int) -> str:
    return f"scan.format.{contest_id}"


def contest_format(conn: sqlite3.Connection, contest_id: int) -> str:
    """The scannable ballot format of a contest: A (赞成/不赞成 boxes, the default) or B (one box
    for ○ / ×)."""
    value = settings.get(conn, _format_key(contest_id)) or FORMAT_A
    return value if value in FORMATS else FORMAT_A


def set_contest_format(conn: sqlite3.Connection, meeting_id: int, contest_id: int, fmt: str, *,
                       contest: str, actor: str, clock: Clock) -> str | Refusal:
    """Choose the contest's scannable ballot format; returns the rule in words. Ballots already
    printed in the other format keep their layout and are still read."""
    if fmt not in FORMATS:
        return Refusal("UNKNOWN_FORMAT", f"选票格式“{fmt}”未知：须为A（赞成、不赞成两格）或B（一格画○或×）")
    with transaction(conn):
        denied = setup_refused(conn, actor)   # what the ballots print: the 主持人's setup
        if denied is not None:
            return denied
        settings.put(conn, _format_key(contest_id), fmt)
        append(conn, at=iso(clock.now()), actor=actor, action="scan_format_setting",
               meeting_id=meeting_id, detail={"contest_id": contest_id, "contest": contest, "format": fmt})
    return FORMAT_WORDS[fmt]


def election_hash(conn: sqlite3.Connection) -> str:
    """A random 12-hex name of this election database, printed in the QR (made once)."""
    value = settings.get(conn, ELECTION_KEY)
    if value is None:
        value = secrets.token_hex(6)
        settings.put(conn, ELECTION_KEY, value)
    return value


@dataclass(frozen=True, slots=True)
class KnownLayout:
    layout: Layout
    contest_id: int
    round_no: int
    qr: bool
    test_deck: bool


def known_layouts(conn: sqlite3.Connection) -> dict[int, KnownLayout]:
    out = {}
    for code, contest_id, round_no, _fmt, geometry, qr, test_deck, _a, _t in q.layouts(conn):
        out[int(code)] = KnownLayout(layout_from_json(int(code), str(geometry)), int(contest_id),
                                     int(round_no), bool(qr), bool(test_deck))
    return out


def layout_code(conn: sqlite3.Connection, contest_id: int, round_no: int, fmt: str,
                geometry: str, *, qr: bool, actor: str, at: str) -> tuple[int, bool] | Refusal:
    """The code of the layout with this geometry already printed for the round, else a new code
    recorded for it (by the 主持人 where a staff list exists: printing scannable ballots is setup),
    with whether it is new."""
    with transaction(conn):
        row = q.layout_for(conn, contest_id, round_no, geometry, int(qr))
        if row is not None:
            return int(row[0]), False
        denied = setup_refused(conn, actor)   # a new layout: printing scannable ballots is setup
        if denied is not None:
            return denied
        code = q.next_layout_code(conn)
        if code > MAX_CODE:
            return Refusal("LAYOUTS_EXHAUSTED", f"本数据库已印过{MAX_CODE}种可扫描选票版式，不能再增加")
        q.insert_layout(conn, code, contest_id, round_no, fmt, geometry, int(qr), actor, at)
    return code, True


def layout_for_round(conn: sqlite3.Connection, contest_id: int, round_no: int, heading: str, seats: int,
                     candidates: tuple[str, ...], write_ins: int, *, qr: bool, actor: str,
                     at: str, fmt: str = FORMAT_A) -> Layout | Refusal:
    """The layout of this round's ballot: the one already printed, else a new code (written by
    the 主持人 where a staff list exists: printing scannable ballots is setup)."""
    probe = build_layout(1, heading, seats, candidates, write_ins, fmt)
    if isinstance(probe, str):
        return Refusal("NOT_SCANNABLE", f"{heading}：{probe}")
    geometry = probe.geometry_json()
    got = layout_code(conn, contest_id, round_no, probe.format, geometry, qr=qr, actor=actor,
                      at=at)
    if isinstance(got, Refusal):
        return got
    code, new = got
    if not new:
        return layout_from_json(code, geometry)
    made = build_layout(code, heading, seats, candidates, write_ins, fmt)
    assert not isinstance(made, str)
    return made
