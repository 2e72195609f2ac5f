"""Which decision applies to a package and how many things wait for a person (app.district.trust
may / to_check): the district window enables its buttons and titles its tab from these, and
decide() refuses by the same rule."""

from __future__ import annotations

import datetime as dt

from app.district import trust
from app.district.decisions import decide
from db import district as store


def _row(i: int, community: str) -> store.PackageRow:
    return store.PackageRow(id=i, manifest_sha256="0" * 64, short_hash=f"h{i}", community=community,
                            street="", exported_at="2026-12-01T09:00:00+08:00", exported_utc="",
                            fingerprint="994F-AAAB-FC9C-B86E", file_name=f"{i}.pollday",
                            file_sha256="", imported_at="", key_flag="", manifest="", results="",
                            elected="")


def _state(status: str, i: int = 1, community: str = "翠湖社区") -> trust.PackageState:
    return trust.PackageState(_row(i, community), status, reason="")


def test_each_decision_applies_to_its_states() -> None:
    offered = {status: [a for a in ("approve", "exclude", "include") if trust.may(a, _state(status))]
               for status in (trust.COUNTED, trust.HISTORY, trust.QUARANTINED, trust.EXCLUDED)}
    assert offered == {trust.COUNTED: ["exclude"], trust.HISTORY: ["exclude"],
                       trust.QUARANTINED: ["approve", "exclude"], trust.EXCLUDED: ["include"]}


def test_to_check_counts_quarantined_packages_and_unchecked_keys() -> None:
    unchecked = trust.CommunityTrust("翠湖社区", keys=(), provisional="994F-AAAB-FC9C-B86E",
                                     states=(_state(trust.COUNTED), _state(trust.QUARANTINED, 2)))
    checked = trust.CommunityTrust("新华社区", keys=("994F-AAAB-FC9C-B86E",), provisional="",
                                   states=(_state(trust.QUARANTINED, 3, "新华社区"),
                                           _state(trust.QUARANTINED, 4, "新华社区"),
                                           _state(trust.EXCLUDED, 5, "新华社区")))
    empty = trust.CommunityTrust("空社区", keys=(), provisional="", states=())
    assert trust.to_check([unchecked, checked, empty]) == 4     # 3 quarantined + 1 key
    assert trust.to_check([]) == 0


def test_decide_refuses_what_may_does_not_offer(imported_db, tmp_path) -> None:
    import shutil

    db = tmp_path / "d.db"
    shutil.copy(imported_db, db)
    conn = store.connect(db)
    try:
        t = next(iter(trust.all_trust(conn).values()))
        s = t.current
        assert s is not None and not trust.may("approve", s) and not trust.may("include", s)
        at = dt.datetime(2026, 12, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        out = decide(conn, "approve", s.package.short_hash, reason="试", by="王干事", at=at)
        assert not out.ok and "未被隔离" in out.message
        out = decide(conn, "include", s.package.short_hash, reason="试", by="王干事", at=at)
        assert not out.ok and "未被排除" in out.message
        out = decide(conn, "exclude", s.package.short_hash, reason="重复报送", by="王干事", at=at)
        assert out.ok, out
        after = next(x for x in trust.trust_of(conn, t.community).states
                     if x.package.id == s.package.id)
        assert after.status == trust.EXCLUDED and trust.may("include", after)
        out = decide(conn, "exclude", s.package.short_hash, reason="再排除", by="王干事", at=at)
        assert not out.ok and "已被排除" in out.message
    finally:
        conn.close()
