"""An acknowledged sign-in is never taken out of 实到 by a sign-out that did not see it.

The fuzz (tests/e2e/test_sync_fuzz.py) once ended with two of the honest desk's sign-ins
acknowledged by the host (unshared 0) and yet not counted there. The events were at the host: what
took the persons out of 实到 was a valid sign-out the paired rogue desk had signed in its own name
EARLIER, for persons nobody had signed in yet, with a clock above the honest desk's. A desk that
signs in without having caught up with the room (offline, or online but still waiting for the
host's state) takes its next clock from what it knows; the merge order (clock, desk, seq) then put
the rogue's sign-out after the sign-in, and the fold applied a sign-out to whatever sign-in stood.
Real processes on 127.0.0.1: `pollday serve`, `pollday desk` (offline, then online) and the rogue
of tests/app/sync/rogue.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.clock import AHEAD_LIMIT, hlc_of
from app.sync import read_pairing
from tests.app.sync.rogue import Rogue, body, signed
from tests.app.sync.sync_venue import Procs, desk, free_port, served_room, summary


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def _ahead_clock() -> int:
    """A clock the host admits (within app.clock.AHEAD_LIMIT of its wall time) that orders after
    every event an honest desk writes in the next minutes: a minute short of that limit."""
    return hlc_of(dt.datetime.now(dt.UTC) + AHEAD_LIMIT - dt.timedelta(minutes=1))


def test_a_sign_out_that_never_saw_the_sign_in_does_not_end_it(procs, tmp_path):
    host_db, tokens, pairing_file = served_room(procs, tmp_path, 40)
    pairing = read_pairing(pairing_file)
    a = tmp_path / "a.db"
    rc, _lines, st = desk(procs, a, pairing_file, "一号台", tokens[:3])
    assert rc == 0 and st["shared"]

    # the paired rogue desk signs out, in its own name and validly signed, two persons nobody
    # has signed in (naming 一号台:1 as the fuzz does, the sign-in of someone else), ahead in time
    rogue = Rogue.joined(tmp_path / "rogue.db", pairing, "二号台")
    clock = _ahead_clock()
    for seq, token in ((1, tokens[3]), (2, tokens[4])):
        value = signed(rogue, body("二号台", seq, clock + seq, "sign_out", token, ref="一号台:1"))
        answers = rogue.attack(lambda ev, k=f"二号台:{seq}", v=value: ev.__setitem__(k, v), 0.5)
        assert not [x for x in answers if x.get("t") == "rejected"], answers
    assert {"二号台:1", "二号台:2"} <= set(summary(host_db)["events"])
    assert summary(host_db)["present"] == 3

    # 一号台 signs the two in while it cannot reach the host (its code names a closed port) ...
    offline = tmp_path / "offline.txt"
    offline.write_text(dataclasses.replace(pairing, port=free_port()).code(), encoding="utf-8")
    p = procs.start("desk", "--db", str(a), "--pairing", str(offline), "--desk", "一号台",
                    "--connect-timeout", "0.5", "--sync-timeout", "0.5", "--", *tokens[3:5])
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0 and out.count('"signed_in"') == 2, err
    # ... then shares them: the host acknowledges both
    rc, _lines, st = desk(procs, a, pairing_file, "一号台", [])
    assert rc == 0 and st["shared"] and st["unshared"] == 0, st
    host = summary(host_db)
    assert {"一号台:4", "一号台:5"} <= set(host["events"])

    # both acknowledged sign-ins count on the host and on the desk alike
    assert host["present_tokens"] == sorted(tokens[:5]), host
    assert summary(a)["present_tokens"] == host["present_tokens"]
