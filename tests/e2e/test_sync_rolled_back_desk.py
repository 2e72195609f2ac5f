"""A desk whose database is older than what it already shared (a backup put back, a copy of the
file taken while it was open, a laptop that lost its last writes) numbers its next sign-ins with
seqs the host already holds for that desk. They used to be counted as acknowledged (unshared 0,
even 'shared') although the host kept its own events under those keys and never received them:
persons signed in on screen, absent at the host, nothing said. Now the desk sees that the host's
events of its own name differ from its own, counts every sign-in from there on as not shared and
says what happened. Real `pollday serve` and `pollday desk` processes on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json

import pytest

from app.sync import read_pairing
from tests.app.sync.sync_venue import (
    Procs,
    copy_db,
    desk,
    free_port,
    make_assembly,
    serve,
    served_room,
    summary,
)


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


@pytest.mark.slow
def test_a_desk_put_back_to_an_older_copy_never_counts_a_sign_in_the_host_lacks(procs, tmp_path):
    host_db, tokens, pairing = served_room(procs, tmp_path, 20)
    a = tmp_path / "a.db"
    assert desk(procs, a, pairing, "一号台", tokens[:2])[2]["shared"]
    copy_db(a, tmp_path / "backup.db")                       # 一号台:1..2
    assert desk(procs, a, pairing, "一号台", tokens[2:4])[2]["shared"]   # 一号台:3..4 at the host
    copy_db(tmp_path / "backup.db", a)                       # the older copy is put back

    # offline, it signs two more in: numbered 一号台:3 and :4 again
    offline = tmp_path / "offline.txt"
    offline.write_text(dataclasses.replace(read_pairing(pairing), port=free_port()).code(),
                       encoding="utf-8")
    p = procs.start("desk", "--db", str(a), "--pairing", str(offline), "--desk", "一号台",
                    "--connect-timeout", "0.3", "--sync-timeout", "0.3", "--", *tokens[4:6])
    out, err = p.communicate(timeout=60)
    assert [json.loads(x)["event"] for x in out.splitlines()] == ["一号台:3", "一号台:4"], err

    # back online: the host has other events under those keys; the desk must not call its two
    # sign-ins shared, and says why
    p = procs.start("desk", "--db", str(a), "--pairing", str(pairing), "--desk", "一号台",
                    "--sync-timeout", "4", "--")
    out, err = p.communicate(timeout=60)
    st = json.loads(err.strip().splitlines()[-1])
    host = summary(host_db)
    assert not set(tokens[4:6]) & set(host["present_tokens"])    # they are not at the host ...
    assert not st["shared"] and st["unshared"] >= 2, st          # ... and the desk says so
    assert st["conflict"] == "一号台:3" and "备份" in st["banner"], st


@pytest.mark.slow
def test_a_desk_put_back_that_signs_in_while_the_host_is_down_is_told_when_it_comes_back(
        procs, tmp_path):
    """The same desk process signs in while the host is down and is still running when the host
    is back: its sign-ins went into its document after its gate was made, and the host's events
    under the same keys must neither replace them there nor pass for them (either entry may win
    in Yjs: the client ids are random)."""
    host_db = tmp_path / "host.db"
    _m, tokens = make_assembly(host_db, 20)
    pairing, port = tmp_path / "pairing.txt", free_port()
    host = serve(procs, host_db, port, pairing)
    a = tmp_path / "a.db"
    assert desk(procs, a, pairing, "一号台", tokens[:2])[2]["shared"]
    copy_db(a, tmp_path / "backup.db")
    assert desk(procs, a, pairing, "一号台", tokens[2:4])[2]["shared"]   # 一号台:3..4 at the host
    copy_db(tmp_path / "backup.db", a)
    host.kill()                                               # the host is down
    host.wait(10)

    p = procs.start("desk", "--db", str(a), "--pairing", str(pairing), "--desk", "一号台",
                    "--connect-timeout", "0.3", "--sync-timeout", "6", "-", stdin=True)
    got = []
    for t in tokens[4:6]:
        p.stdin.write(t + "\n")
        p.stdin.flush()
        got.append(json.loads(p.stdout.readline())["event"])
    assert got == ["一号台:3", "一号台:4"]
    serve(procs, host_db, port, pairing)                      # back, the desk still running
    _out, err = p.communicate(timeout=60)                     # (its standard input closed)
    st = json.loads(err.strip().splitlines()[-1])
    host_now, here = summary(host_db), summary(a)
    assert set(tokens[2:4]) <= set(host_now["present_tokens"])      # the host keeps its own
    assert not set(tokens[4:6]) & set(host_now["present_tokens"])
    assert set(tokens[4:6]) <= set(here["present_tokens"])          # so does the desk
    assert not st["shared"] and st["unshared"] >= 2, st
    assert st["conflict"] == "一号台:3" and "备份" in st["banner"], st
