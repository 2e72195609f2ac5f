"""A desk whose own events differ from the host's under the same keys (its database is older
than what it shared): the gate names the lowest such key, and the desk's status counts every
sign-in from there on as not shared and says why (end to end:
tests/e2e/test_sync_rolled_back_desk.py)."""

from __future__ import annotations

from pycrdt import Doc, Map

from app.sync.desk import DeskStatus
from app.sync.gate import Gate
from db.connection import connect


def test_the_gate_names_the_lowest_overwritten_key(tmp_path) -> None:
    conn = connect(tmp_path / "x.db")
    real: Doc = Doc()
    events = real.get("events", type=Map)
    for seq in (3, 10, 4):
        events[f"一号台:{seq}"] = f"host {seq}"
    gate = Gate(conn, real)
    other: Doc = Doc()
    other.apply_update(real.get_update())
    theirs = other.get("events", type=Map)
    before = other.get_state()
    for seq in (10, 4, 3):
        theirs[f"一号台:{seq}"] = f"desk {seq}"
    refusal = gate.admit(other.get_update(before))
    assert refusal is not None and (refusal.reason, refusal.key) == ("overwrite", "一号台:3")
    conn.close()


def test_a_conflict_is_never_shared_and_is_said() -> None:
    st = DeskStatus("一号台", True, None, 2, "x", True, conflict="一号台:3")
    assert not st.as_json()["shared"] and st.as_json()["conflict"] == "一号台:3"
    assert "一号台:3" in st.banner() and "备份" in st.banner() and "重新加入" in st.banner()
