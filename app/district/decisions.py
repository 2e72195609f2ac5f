"""A person's decisions on the district's packages, each written to the append-only decision log
(who, when, what, why): approve a quarantined package, exclude a package from the figures and
include it again, register a community's key from the paper slip, confirm the fingerprint of its
first package against the slip. Each returns an Outcome (refusals are values, in words)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass

from app.clock import iso
from app.district import trust
from db import district as store

FINGERPRINT = re.compile(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}")


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    message: str


def normal_fingerprint(text: str) -> str:
    """`994f aaab-fc9c b86e` -> `994F-AAAB-FC9C-B86E` ("" when it is not a fingerprint)."""
    digits = re.sub(r"[\s\-－—]", "", text).upper()
    if not re.fullmatch(r"[0-9A-F]{16}", digits):
        return ""
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def _state(conn: sqlite3.Connection, ref: str) -> trust.PackageState | Outcome:
    found = store.find_packages(conn, ref)
    if not found:
        return Outcome(False, f"没有校验码或编号为 {ref} 的报送包")
    if len(found) > 1:
        return Outcome(False, f"校验码 {ref} 对应多个报送包，请用编号（#{found[0].id} …）")
    p = found[0]
    return next(s for s in trust.trust_of(conn, p.community).states if s.package.id == p.id)


def decide(conn: sqlite3.Connection, action: str, ref: str, *, reason: str, by: str,
           at: dt.datetime) -> Outcome:
    """approve | exclude | include the package `ref` (short hash or id) with `reason`."""
    reason = reason.strip()
    if not reason:
        return Outcome(False, "请写明理由（记入操作记录）")
    state = _state(conn, ref)
    if isinstance(state, Outcome):
        return state
    p = state.package
    name = f"{p.community} 的报送包（校验码 {p.short_hash}，导出于 {p.exported_at}）"
    refused = {"approve": f"{name} 未被隔离（{trust.STATUS_ZH[state.status]}），无须批准",
               "exclude": f"{name} 已被排除",
               "include": f"{name} 未被排除（{trust.STATUS_ZH[state.status]}）"}
    if action not in refused:
        raise ValueError(action)
    if not trust.may(action, state):
        return Outcome(False, refused[action])
    store.add_decision(conn, at=iso(at), by=by.strip() or "未署名", action=action,
                       community=p.community, package_id=p.id, fingerprint=p.fingerprint,
                       reason=reason)
    after = trust.trust_of(conn, p.community)
    current = after.current
    now = (f"；{p.community} 现计入校验码 {current.package.short_hash} 的报送包" if current
           else f"；{p.community} 现无计入汇总的报送包")
    verb = {"approve": "已批准", "exclude": "已排除", "include": "已恢复计入"}[action]
    return Outcome(True, f"{verb}：{name}{now}")


def register_key(conn: sqlite3.Connection, community: str, fingerprint: str, *, by: str,
                 at: dt.datetime) -> Outcome:
    """The key from the paper slip: from now on only packages signed by it count (others are
    quarantined, including ones already imported)."""
    fp = normal_fingerprint(fingerprint)
    community = community.strip()
    if not fp:
        return Outcome(False, f"密钥指纹应为 4 组 4 位十六进制数，如 994F-AAAB-FC9C-B86E：{fingerprint}")
    if not community:
        return Outcome(False, "请写明社区名称")
    store.register_key(conn, community, fp, iso(at), source="slip", by=by)
    quarantined = [s.package.short_hash for s in trust.trust_of(conn, community).states
                   if s.status == trust.QUARANTINED]
    note = (f"；该社区已导入的报送包中 {'、'.join(quarantined)} 不是此密钥所签，已隔离"
            if quarantined else "")
    return Outcome(True, f"已登记：{community} 的签名密钥 {fp}{note}")


def confirm_key(conn: sqlite3.Connection, community: str, fingerprint: str, *, by: str,
                at: dt.datetime) -> Outcome:
    """A person read the fingerprint on the paper slip: equal to the key of the community's
    first package, it becomes the registered key and 未核对密钥 goes away; else refused."""
    fp = normal_fingerprint(fingerprint)
    if not fp:
        return Outcome(False, f"密钥指纹应为 4 组 4 位十六进制数，如 994F-AAAB-FC9C-B86E：{fingerprint}")
    t = trust.trust_of(conn, community.strip())
    if not t.states:
        return Outcome(False, f"没有收到 {community} 的报送包")
    if t.keys:
        return Outcome(False, f"{community} 已登记密钥 {'、'.join(t.keys)}，无须核对")
    if fp != t.provisional:
        return Outcome(False, f"纸质交接单上的指纹 {fp} 与 {community} 报送包的密钥 {t.provisional} "
                              "不符：未确认。请与社区核实，必要时排除该报送包")
    store.register_key(conn, t.community, fp, iso(at), source="confirmed", by=by,
                       reason=f"与纸质交接单核对一致：{fp}")
    return Outcome(True, f"已核对：{t.community} 的签名密钥 {fp} 与纸质交接单一致，已登记")
