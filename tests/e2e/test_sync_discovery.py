"""`pollday serve` with its defaults advertises by mDNS (on the loopback interface only, as it is
bound to 127.0.0.1) and stays up: the field failure was a host that died of zeroconf's
EventLoopBlocked ~11 s after starting whenever mDNS was on. Real processes through the real
`pollday` command; desks whose pairing code has a stale port find the host by its certificate
with discovery restricted to 127.0.0.1, so nothing is sent beyond loopback."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from app.sync import read_pairing
from tests.app.sync.sync_venue import Procs, free_port, make_assembly, summary

HOST_LIFE_S = 31.0


@pytest.fixture
def procs(request):
    p = Procs(real_cli=True)
    request.addfinalizer(p.kill_all)
    return p


def _desk(procs: Procs, db: Path, pairing: Path, name: str, persons: list[str]
          ) -> tuple[int, list[dict[str, Any]], str]:
    p = procs.start("desk", "--db", str(db), "--pairing", str(pairing), "--desk", name,
                    "--mdns-interface", "127.0.0.1", "--sync-timeout", "15", "--", *persons)
    out, err = p.communicate(timeout=60)
    return p.returncode, [json.loads(x) for x in out.splitlines() if x.strip()], err


def _acknowledged(lines: list[dict[str, Any]], err: str) -> set[str]:
    """The desk's sign-ins (desk:seq) once its last status says the host has every one of them
    (unshared 0); the test fails, naming the status, when any is still unshared."""
    status = json.loads(err.strip().splitlines()[-1])
    assert status["unshared"] == 0 and status["shared"], err
    return {x["event"] for x in lines if x["result"] == "signed_in"}


def _host_events(db: Path) -> set[str]:
    return set(summary(db)["events"])


@pytest.mark.slow
def test_serve_with_defaults_lives_on_while_desks_join_by_discovery(procs, tmp_path):
    host_db, pairing = tmp_path / "host.db", tmp_path / "pairing.txt"
    _m, tokens = make_assembly(host_db, 20)
    started = time.monotonic()
    host = procs.start("serve", "--db", str(host_db), "--port", "0", "--pairing-out", str(pairing))
    assert host.stdout is not None
    listening = json.loads(host.stdout.readline())
    assert listening["listening"].startswith("127.0.0.1:") and listening["mdns"] == "starting"
    assert json.loads(host.stdout.readline()) == {"mdns": "on", "interfaces": "127.0.0.1"}
    real = read_pairing(pairing)
    stale = tmp_path / "stale.txt"          # the host moved: the code's port answers no more
    stale.write_text(dataclasses.replace(real, port=free_port()).code(), encoding="utf-8")
    found = f"已在会场网络找到主机 127.0.0.1:{real.port}"

    rc, lines, err = _desk(procs, tmp_path / "d1.db", stale, "一号台", tokens[:5])
    assert rc == 0 and found in err, err
    assert [x["result"] for x in lines] == ["signed_in"] * 5
    acked = _acknowledged(lines, err)

    time.sleep(max(0.0, started + 15 - time.monotonic()))   # past the old death at ~11 s
    assert host.poll() is None
    rc, lines, err = _desk(procs, tmp_path / "d2.db", stale, "二号台", tokens[5:10])
    assert rc == 0 and found in err and [x["result"] for x in lines] == ["signed_in"] * 5, err
    acked |= _acknowledged(lines, err)

    time.sleep(max(0.0, started + HOST_LIFE_S - time.monotonic()))
    assert host.poll() is None, host.stderr.read() if host.stderr else ""
    rc, lines, err = _desk(procs, tmp_path / "d1.db", stale, "一号台", tokens[10:12])
    assert rc == 0 and found in err and [x["result"] for x in lines] == ["signed_in"] * 2, err
    acked |= _acknowledged(lines, err)
    lived = time.monotonic() - started
    assert host.poll() is None and lived >= HOST_LIFE_S

    # every sign-in a desk was told the host has is in the host's database (an ack follows the
    # host's durable commit, so no waiting is needed), and the host counts all 12 present
    assert len(acked) == 12 and _host_events(host_db) == acked
    assert summary(host_db)["present_tokens"] == sorted(tokens[:12])   # it served them all
    if os.name != "nt":   # Windows has no SIGTERM to send: a stop there is a kill
        host.send_signal(signal.SIGTERM)
        assert host.wait(20) == 0                        # advert withdrawn, host closed cleanly
        assert "Traceback" not in (host.stderr.read() if host.stderr else "")


def test_serve_goes_on_when_mdns_fails_and_says_so(procs, tmp_path):
    """mDNS that cannot start (an interface this machine does not have) is reported on its own
    JSON line; the host keeps serving and a desk joins by the code's address."""
    host_db, pairing = tmp_path / "host.db", tmp_path / "pairing.txt"
    _m, tokens = make_assembly(host_db, 5)
    host = procs.start("serve", "--db", str(host_db), "--port", "0", "--pairing-out",
                       str(pairing), "--mdns-interface", "203.0.113.7")
    assert host.stdout is not None
    assert json.loads(host.stdout.readline())["mdns"] == "starting"
    said = json.loads(host.stdout.readline())
    assert said["mdns"] == "failed" and "未能开启" in said["error"]
    p = procs.start("desk", "--db", str(tmp_path / "d.db"), "--pairing", str(pairing),
                    "--desk", "一号台", "--sync-timeout", "15", "--", tokens[0])
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0 and '"signed_in"' in out, err
    assert host.poll() is None
