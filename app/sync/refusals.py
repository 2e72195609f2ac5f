"""Connection attempts the host refused: how many are written to the audit log, and how the
dashboard reads them back.

Each refusal is an audit row (`sync_refused`: address, reason, desk name offered). A client that
keeps trying (a misconfigured desk in a loop, or someone probing the port) would fill the audit
log, so per address at most `PER_WINDOW` rows are written per `WINDOW_S`; the rest of that window
are counted and written as one `sync_refused_more` row (count and reasons) when it ends, or when
host mode stops. A host killed outright loses at most the count of one unfinished window, never
a written row. The dashboard (`refused_attempts`) reads the rows, so any window or process on the
host shows them, also after a restart."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from db import sync as q

# What each refusal reason means, in the words the host page and a desk show.
REASON_ZH = {
    "bad_secret": "配对码（密钥）不对", "other_meeting": "属于另一场会议",
    "desk_name_taken": "签到台名称已被另一台电脑使用", "bad_desk": "签到台名称不合规",
    "no_hello": "握手失败（首帧不是合规的握手，或 JSON 嵌套超过 32 层）", "too_many": "连接数已满",
    "bad_seq": "握手中的序号超出范围（须小于 2^31）",
    "no_desk_key": "签到台没有签名密钥（旧版本）", "desk_revoked": "签到台已被吊销",
    "desk_key_mismatch": "签到台密钥与登记的不符（可能有人冒用此台名）",
    "bad_frame": "数据帧不合规（序号超出范围、JSON 嵌套过深或帧格式错误），已断开该连接",
    "bad_update": "同步数据无法解析", "other_root": "同步数据含签到记录以外的内容",
    "overwrite": "试图改写或删除已有的签到记录", "bad_event": "签到记录格式不合规",
    "seq_range": "签到记录序号超出范围", "clock_ahead": "签到记录的时间比本机快一天以上：请核对该电脑的日期和时间",
    "unknown_signer": "签名者不是登记的签到台（如冒用不存在的台名）",
    "bad_signature": "签名不符：不是记录所写签到台本身签的（冒用他台名义）",
}

PER_WINDOW = 10
WINDOW_S = 60.0
ONE = "sync_refused"
MORE = "sync_refused_more"


def client_ip(address: str) -> str:
    """'192.168.1.7:50312' -> '192.168.1.7' (each attempt comes from a new port)."""
    host, sep, port = address.rpartition(":")
    return host if sep and port.isdigit() else address


@dataclass(slots=True)
class _Window:
    start: float
    first_at: str = ""          # of the first attempt held back
    written: int = 0
    held: Counter[str] = field(default_factory=Counter)
    last_at: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    """Refusals of one address counted but not written one by one: one summary row."""

    address: str
    count: int
    reasons: dict[str, int]
    first_at: str
    last_at: str

    def detail(self) -> dict[str, Any]:
        return {"address": self.address, "count": self.count, "reasons": self.reasons,
                "from": self.first_at, "to": self.last_at}


class RefusalLimiter:
    """Per client address, at most `per_window` audit rows per `window` seconds (`now` is a
    monotonic time, `at` the wall-clock text for the rows)."""

    def __init__(self, per_window: int = PER_WINDOW, window: float = WINDOW_S) -> None:
        self.per_window, self.window = per_window, window
        self._windows: dict[str, _Window] = {}
        self._ready: list[Held] = []

    def admit(self, address: str, reason: str, now: float, at: str) -> bool:
        """True: write this refusal's own row. False: it is counted for the summary row."""
        ip = client_ip(address)
        w = self._windows.get(ip)
        if w is not None and now - w.start >= self.window:
            self._close(ip, w)
            w = None
        if w is None:
            w = self._windows[ip] = _Window(now)
        if w.written < self.per_window:
            w.written += 1
            return True
        if not w.held:
            w.first_at = at
        w.held[reason] += 1
        w.last_at = at
        return False

    def _close(self, ip: str, w: _Window) -> None:
        del self._windows[ip]
        if w.held:
            self._ready.append(Held(ip, sum(w.held.values()), dict(sorted(w.held.items())),
                                    w.first_at, w.last_at))

    def due(self, now: float, everything: bool = False) -> list[Held]:
        """Summaries of the windows that have ended (all of them when `everything`); ended
        windows are forgotten, so the table stays as small as the set of recent addresses."""
        for ip, w in list(self._windows.items()):
            if everything or now - w.start >= self.window:
                self._close(ip, w)
        out, self._ready = self._ready, []
        return out

    @property
    def held(self) -> int:
        return (sum(sum(w.held.values()) for w in self._windows.values())
                + sum(h.count for h in self._ready))


@dataclass(frozen=True, slots=True)
class RefusedAttempt:
    at: str          # ISO time on the host (of the last attempt, for a summary row)
    address: str
    reason: str      # bad_secret, other_meeting, ... or several joined by "," in a summary
    desk: str
    count: int       # 1 for a row of its own, the number of attempts of a summary row
    event: str = ""  # the refused event (desk:seq) of an update a paired desk sent

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at, "address": self.address, "reason": self.reason,
                "desk": self.desk, "count": self.count, "event": self.event}


def refused_attempts(conn: sqlite3.Connection, limit: int = 200) -> list[RefusedAttempt]:
    """The refused connection attempts in this host's audit log, newest first (at most
    `limit` rows; a summary row stands for `count` attempts)."""
    out: list[RefusedAttempt] = []
    for action, at, detail_s in q.select_refusals(conn, (ONE, MORE), limit):
        d = json.loads(detail_s)
        if action == MORE:
            reasons = d.get("reasons") or {}
            out.append(RefusedAttempt(str(d.get("to") or at), str(d.get("address", "")),
                                      ",".join(sorted(reasons)), "", int(d.get("count", 0))))
        else:
            out.append(RefusedAttempt(at, str(d.get("address", "")), str(d.get("reason", "")),
                                      str(d.get("desk", "")), 1, str(d.get("event", ""))))
    return out


def refused_total(conn: sqlite3.Connection) -> int:
    """Every refused attempt ever recorded (summary rows counted by their count)."""
    ones, more = q.count_refusals(conn, ONE, MORE)
    return ones + more
