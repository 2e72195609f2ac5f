"""Which package of a community counts, and why the others do not (issue: district trust).

The community's KEY decides: the fingerprints registered for it (typed from the paper hand-over
slip, or confirmed by a person comparing the first package's fingerprint with the slip) or, while
none is registered, the key of its first package, which then counts but is marked 未核对密钥
("key not checked") in every report. A package signed by any other key is QUARANTINED: listed with
the reason, never counted, until a person approves it with a reason. Any package can be EXCLUDED
and included again (with a reason). Among the packages left, the latest export counts; the others
are history. All of this is computed from the packages, the keys and the decision log, so a new
key registered from the slip quarantines an earlier impostor at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from db import district as store

UNVERIFIED = "未核对密钥"
VERIFIED = "已核对"
COUNTED, HISTORY, QUARANTINED, EXCLUDED = "counted", "history", "quarantined", "excluded"
STATUS_ZH = {COUNTED: "计入汇总", HISTORY: "历史（已被取代）", QUARANTINED: "已隔离（不计入）",
             EXCLUDED: "已排除（不计入）"}


@dataclass(frozen=True, slots=True)
class PackageState:
    package: store.PackageRow      # light row (no JSON)
    status: str                    # counted | history | quarantined | excluded
    reason: str                    # why quarantined / excluded ("" otherwise)
    approved: str = ""             # the approval's reason when a person approved another key

    def json(self) -> dict[str, object]:
        p = self.package
        return {"id": p.id, "community": p.community, "short_hash": p.short_hash,
                "fingerprint": p.fingerprint, "exported_at": p.exported_at,
                "imported_at": p.imported_at, "file_name": p.file_name, "status": self.status,
                "status_zh": STATUS_ZH[self.status], "reason": self.reason,
                "approved": self.approved}


@dataclass(frozen=True, slots=True)
class CommunityTrust:
    community: str
    keys: tuple[str, ...]          # registered fingerprints (empty: none yet)
    provisional: str               # the first package's key while none is registered
    states: tuple[PackageState, ...]

    @property
    def key_status(self) -> str:
        if self.keys:
            return VERIFIED
        return UNVERIFIED if self.states else ""

    @property
    def current(self) -> PackageState | None:
        return next((s for s in self.states if s.status == COUNTED), None)


def may(action: str, state: PackageState) -> bool:
    """Whether a person's decision `action` applies to the package: approve a quarantined one,
    exclude one not excluded yet, include an excluded one again."""
    return {"approve": state.status == QUARANTINED, "exclude": state.status != EXCLUDED,
            "include": state.status == EXCLUDED}[action]


def to_check(trusts: Iterable[CommunityTrust]) -> int:
    """How many things wait for a person: quarantined packages and keys not checked yet."""
    trusts = list(trusts)
    return (sum(1 for t in trusts for s in t.states if s.status == QUARANTINED)
            + sum(1 for t in trusts if t.key_status == UNVERIFIED))


def key_reason(fingerprint: str, keys: Iterable[str], provisional: str) -> str:
    """Why a package's key is not the community's, or "" when it is."""
    keys = list(keys)
    if keys:
        if fingerprint in keys:
            return ""
        return (f"签名密钥 {fingerprint} 不是为该社区登记的密钥（{'、'.join(keys)}）")
    if provisional and fingerprint != provisional:
        return (f"签名密钥 {fingerprint} 与该社区第一个报送包的密钥 {provisional} 不同"
                "（该社区尚未登记密钥）")
    return ""


def community_trust(packages: list[store.PackageRow], keys: list[str],
                    decisions: list[store.Decision]) -> CommunityTrust:
    """The states of one community's packages (any order in, id order out)."""
    packages = sorted(packages, key=lambda p: p.id)
    provisional = packages[0].fingerprint if packages and not keys else ""
    last_toggle: dict[int, store.Decision] = {}
    approval: dict[int, store.Decision] = {}
    for d in decisions:
        if d.package_id is None:
            continue
        if d.action in ("exclude", "include"):
            last_toggle[d.package_id] = d
        elif d.action == "approve":
            approval[d.package_id] = d
    states: list[PackageState] = []
    for p in packages:
        toggle = last_toggle.get(p.id)
        approved = approval.get(p.id)
        why = key_reason(p.fingerprint, keys, provisional)
        if toggle is not None and toggle.action == "exclude":
            states.append(PackageState(p, EXCLUDED, f"{toggle.by} 于 {toggle.at} 排除：{toggle.reason}"))
        elif why and approved is None:
            states.append(PackageState(p, QUARANTINED, why))
        else:
            states.append(PackageState(p, HISTORY, "", approved.reason if approved and why else ""))
    eligible = [s for s in states if s.status == HISTORY]
    if eligible:
        top = max(eligible, key=lambda s: (s.package.exported_utc, s.package.id))
        states = [PackageState(s.package, COUNTED, s.reason, s.approved) if s is top else s
                  for s in states]
    community = packages[0].community if packages else ""
    return CommunityTrust(community, tuple(keys), provisional, tuple(states))


def all_trust(conn: sqlite3.Connection) -> dict[str, CommunityTrust]:
    """Per community (that sent a package) its trust, from one read of the database."""
    by_community: dict[str, list[store.PackageRow]] = {}
    for p in store.packages(conn, light=True):
        by_community.setdefault(p.community, []).append(p)
    by_package = {p.id: p.community for ps in by_community.values() for p in ps}
    decided: dict[str, list[store.Decision]] = {c: [] for c in by_community}
    for d in store.decisions(conn):
        if d.package_id is not None and d.package_id in by_package:
            decided[by_package[d.package_id]].append(d)
    return {community: community_trust(ps, store.registered_keys(conn, community),
                                       decided[community])
            for community, ps in by_community.items()}


def trust_of(conn: sqlite3.Connection, community: str) -> CommunityTrust:
    ps = store.packages(conn, community, light=True)
    ids = {p.id for p in ps}
    mine = [d for d in store.decisions(conn) if d.package_id in ids]
    return community_trust(ps, store.registered_keys(conn, community), mine)
