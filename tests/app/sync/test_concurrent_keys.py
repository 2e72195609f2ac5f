"""Two laptops that wrote different events under one desk:seq key (a desk whose database was put
back to an older copy numbers its next sign-ins with seqs the host already holds). Yjs orders
the two entries by client id: the higher one is the value, the other is integrated as already
deleted, with no map event. The gate refuses the other side's entry whichever one Yjs would keep
— at the host (its own acknowledged event stays, the desk's is never taken) and at the desk (it
learns at once that its history and the host's part, instead of calling itself caught up) —
and it sees what its own laptop wrote after the gate was made. Fixed client ids, no network
(end to end: tests/e2e/test_sync_rolled_back_desk.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Map

from app.sync.gate import Gate
from app.sync.identity import Registry, new_private_key, public_of, sign_event
from app.sync.yupdate import entries
from db.connection import connect
from tests.app.sync.rogue import body, unsigned

HOST_ID = 5_000          # the client id of the desk's earlier run, whose events the host holds
KEY = new_private_key()  # the room's authority: signs the events of desks no registry names
REGISTRY = Registry(public_of(KEY), {})


def _event(seq: int, token: str) -> str:
    text = unsigned(body("一号台", seq, 1_839_667_749_888_000 + seq, "sign_in", token))
    return text[:-1] + f',"{sign_event(KEY, text)}"]'


def _doc(client: int, events: dict[str, str], base: Doc[Any] | None = None) -> Doc[Any]:
    doc: Doc[Any] = Doc(client_id=client)
    if base is not None:
        doc.apply_update(base.get_update())
    m = doc.get("events", type=Map)
    with doc.transaction():
        for k, v in events.items():
            m[k] = v
    return doc


def _value(doc: Doc[Any], key: str) -> str:
    return str(doc.get("events", type=Map)[key])


@pytest.fixture
def conn(tmp_path):
    c = connect(tmp_path / "x.db")
    yield c
    c.close()


# the rolled-back desk's new run: below the host's client id (its entries lose) and above (win)
@pytest.mark.parametrize("desk_id", [HOST_ID - 1, HOST_ID + 1])
def test_another_event_under_a_held_key_is_refused_whoever_yjs_keeps(conn, desk_id) -> None:
    first = _doc(1_000, {"一号台:1": _event(1, "t1"), "一号台:2": _event(2, "t2")})
    backup = _doc(9_999, {}, first)                             # the copy put back later
    host = _doc(HOST_ID, {"一号台:3": _event(3, "t3"), "一号台:4": _event(4, "t4")}, first)
    desk = _doc(desk_id, {"一号台:3": _event(3, "t5"), "一号台:4": _event(4, "t6")}, backup)
    held = _value(host, "一号台:3")

    # at the host: the desk's entries are refused, the lowest key named; the host keeps its own
    host_gate = Gate(conn, host)
    sent = desk.get_update(host.get_state())
    refusal = host_gate.admit(sent, REGISTRY)
    assert refusal is not None and (refusal.reason, refusal.key) == ("overwrite", "一号台:3")
    assert _value(host, "一号台:3") == held

    # at the desk: the host's entries are refused too, so the desk never calls itself caught up
    desk_gate = Gate(conn, desk)
    refusal = desk_gate.admit(host.get_update(desk.get_state()), REGISTRY)
    assert refusal is not None and (refusal.reason, refusal.key) == ("overwrite", "一号台:3")

    # the same events again (a desk restarted before it stored its own update) still pass
    again = _doc(desk_id, dict(host.get("events", type=Map).items()), first)
    assert Gate(conn, host).admit(again.get_update(host.get_state()), REGISTRY) is None


@pytest.mark.parametrize("desk_id", [HOST_ID - 1, HOST_ID + 1])
def test_what_this_laptop_wrote_after_the_gate_was_made_is_checked(conn, desk_id) -> None:
    """A desk that starts offline signs in (written into its real document, not through the
    gate), then the host's entries under the same keys arrive: refused, the desk's own kept."""
    first = _doc(1_000, {"一号台:1": _event(1, "t1")})
    host = _doc(HOST_ID, {"一号台:2": _event(2, "t2")}, first)
    desk = _doc(desk_id, {}, first)
    gate = Gate(conn, desk)
    mine = _event(2, "t9")
    desk.get("events", type=Map)["一号台:2"] = mine      # its own sign-in, after the gate
    refusal = gate.admit(host.get_update(first.get_state()), REGISTRY)
    assert refusal is not None and (refusal.reason, refusal.key) == ("overwrite", "一号台:2")
    assert _value(desk, "一号台:2") == mine


def test_an_update_split_in_two_is_refused_in_the_part_that_carries_the_entry(conn) -> None:
    """The desk's entries arrive one update at a time, the later one first, and the clashing
    one loses to the host's in Yjs (nothing visible changes): refused all the same, and the
    other part, a new key, is taken."""
    first = _doc(1_000, {"一号台:1": _event(1, "t1")})
    host = _doc(HOST_ID, {"一号台:2": _event(2, "t2"), "一号台:3": _event(3, "t3")}, first)
    desk = _doc(HOST_ID - 1, {}, first)
    updates: list[bytes] = []
    desk.observe(lambda e: updates.append(bytes(e.update)))
    m = desk.get("events", type=Map)
    m["一号台:4"] = _event(4, "t4")
    m["一号台:3"] = _event(3, "t8")
    gate = Gate(conn, host)
    refusal = gate.admit(updates[1], REGISTRY)
    assert refusal is not None and (refusal.reason, refusal.key) == ("overwrite", "一号台:3")
    assert gate.admit(updates[0], REGISTRY) is None            # a new key: taken


def test_the_entries_read_from_an_update_are_what_the_document_holds() -> None:
    doc = _doc(77, {"一号台:1": _event(1, "t1"), "二号台:1": "x", "n": 1})   # type: ignore[dict-item]
    got = {e.key: e.value for e in entries(doc.get_update())}
    assert got == dict(doc.get("events", type=Map).items())
    with pytest.raises(ValueError):
        entries(doc.get_update()[:-3])


def test_a_losing_entry_beside_a_new_key_never_lets_the_new_key_in(conn) -> None:
    """The reported failure: the host held 一号台:3 but not :4 (the desk had called itself
    shared before its last sign-in left). The put-back desk's :3 loses to the host's in Yjs,
    its :4 is a key the host lacks: the update used to pass whole, and the host counted the
    desk's offline sign-in as 一号台:4 in place of the one it never got."""
    first = _doc(1_000, {"一号台:1": _event(1, "t1"), "一号台:2": _event(2, "t2")})
    host = _doc(HOST_ID, {"一号台:3": _event(3, "t3")}, first)
    desk = _doc(HOST_ID - 1, {"一号台:3": _event(3, "t5"), "一号台:4": _event(4, "t6")}, first)
    refusal = Gate(conn, host).admit(desk.get_update(host.get_state()), REGISTRY)
    assert refusal is not None and (refusal.reason, refusal.key) == ("overwrite", "一号台:3")
    assert "一号台:4" not in host.get("events", type=Map)
