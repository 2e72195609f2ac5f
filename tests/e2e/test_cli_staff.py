"""`pollday staff` and `--operator` with a PIN, as real processes: where the database has a staff
list the command's operator signs on (POLLDAY_PIN), a two-person lock takes --second with
POLLDAY_PIN2, and a refused command exits 1 with the reason and writes nothing."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
from pathlib import Path

from app import attendance as att
from app.clock import FixedClock
from app.meetings import Refusal
from app.model import RuleSet
from app.staff import add_staff, sign_on
from app.voting import VotingRound, close_round, enter_ballot, open_round, record_box, set_officials
from db.connection import connect
from tests.app.voting.voting_venue import small_meeting
from tests.pdtest import pollday_cmd

T0 = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PIN = "246810"


def run(*args: object, pin: str | None = None, pin2: str | None = None, new_pin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLLDAY_PIN")}
    env.pop("POLLDAY_NEW_PIN", None)
    for key, value in (("POLLDAY_PIN", pin), ("POLLDAY_PIN2", pin2), ("POLLDAY_NEW_PIN", new_pin)):
        if value is not None:
            env[key] = value
    return subprocess.run([*pollday_cmd(), *(str(a) for a in args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def counts(path: Path) -> tuple[int, ...]:
    raw = sqlite3.connect(path)
    try:
        return tuple(raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("audit", "staff", "round_event", "attendance_event"))
    finally:
        raw.close()


def _venue(path: Path) -> int:
    clock = FixedClock(T0, 1.0)
    conn = connect(path)
    s = small_meeting(conn, clock, RuleSet.PARTY, voters=6, candidates=["甲一", "乙二"], seats=1)
    host: str = ""
    for name, roles, chief in (("赵主持", ["主持人"], False), ("钱签到", ["签到员"], False),
                               ("孙计票", ["计票人"], False), ("周监票", ["监票人"], False),
                               ("吴总监", ["监票人"], True)):
        got = add_staff(conn, name, roles, PIN, actor=host, clock=clock, chief=chief)
        assert not isinstance(got, Refusal), got
        if not host:
            signed = sign_on(conn, name, PIN, clock=clock)
            assert not isinstance(signed, Refusal)
            host = signed
    who = {n: sign_on(conn, n, PIN, clock=clock) for n in ("钱签到", "孙计票", "周监票")}
    for pid in s.voter_ids[:5]:
        att.sign_in(conn, s.meeting, pid, "一号台", who["钱签到"], clock)
    r = open_round(conn, s.contest.id, actor=host, clock=clock, double_entry=False)
    assert isinstance(r, VotingRound)
    for _ in range(5):
        enter_ballot(conn, r.id, "A", "1", clerk=who["孙计票"], clock=clock)
    record_box(conn, r.id, "主票箱", printed=6, issued=5, returned=5, actor=who["周监票"],
               clock=clock)
    set_officials(conn, r.id, scrutineers=["周监票", "吴总监"], counters=["孙计票"], actor=host,
                  clock=clock)
    close_round(conn, r.id, actor=host, clock=clock)
    person = s.voter_ids[5]
    conn.close()
    return person


def test_staff_commands_and_pins_through_real_processes(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    person = _venue(db)
    listed = run("staff", "--db", db, "list")
    assert listed.returncode == 0 and "吴总监\t监票人（总监票人）" in listed.stdout
    assert PIN not in listed.stdout

    before = counts(db)
    clerk = run("staff", "--db", db, "--operator", "钱签到", "add", "新人", "--role", "签到员",
                pin=PIN, new_pin="135792")
    assert clerk.returncode == 1 and "「管理工作人员名单」只有主持人可以操作" in clerk.stderr
    no_pin = run("staff", "--db", db, "--operator", "赵主持", "add", "新人", "--role", "签到员",
                 new_pin="135792")
    assert no_pin.returncode == 1 and "POLLDAY_PIN" in no_pin.stderr
    assert counts(db) == before
    wrong = run("staff", "--db", db, "--operator", "赵主持", "add", "新人", "--role", "签到员",
                pin="999999", new_pin="135792")
    assert wrong.returncode == 1 and "PIN不正确" in wrong.stderr
    assert counts(db)[1:] == before[1:]         # only the audit row of the wrong PIN
    added = run("staff", "--db", db, "--operator", "赵主持", "add", "新人", "--role", "签到员",
                pin=PIN, new_pin="135792")
    assert added.returncode == 0 and "新人（签到员）已加入工作人员名单" in added.stdout, added.stderr

    before = counts(db)
    teller = run("sign-in", "--db", db, "--desk", "一号台", "--operator", "孙计票", person,
                 pin=PIN)
    assert teller.returncode == 1 and "「签到」只有签到员或主持人可以操作" in teller.stdout
    nobody = run("sign-in", "--db", db, "--desk", "一号台", person)
    assert nobody.returncode == 1 and "--operator" in nobody.stdout
    assert counts(db) == before
    clerk_ok = run("sign-in", "--db", db, "--desk", "一号台", "--operator", "新人", person,
                   pin="135792")
    assert clerk_ok.returncode == 0, clerk_ok.stdout + clerk_ok.stderr

    before = counts(db)
    alone = run("lock", "--db", db, "--contest", "committee", "--operator", "周监票", pin=PIN)
    assert alone.returncode == 1 and "还需要第二个人输入PIN" in alone.stderr
    twice = run("lock", "--db", db, "--contest", "committee", "--operator", "周监票",
                "--second", "周监票", pin=PIN, pin2=PIN)
    assert twice.returncode == 1 and "两个人必须不同" in twice.stderr
    assert counts(db)[1:] == before[1:]
    locked = run("lock", "--db", db, "--contest", "committee", "--operator", "周监票",
                 "--second", "吴总监", pin=PIN, pin2=PIN)
    assert locked.returncode == 0, locked.stderr
    unlock = run("unlock", "--db", db, "--contest", "committee", "--operator", "周监票",
                 "--reason", "复核", pin=PIN)
    assert unlock.returncode == 1 and "「解锁结果」只有总监票人" in unlock.stderr
    chief = run("unlock", "--db", db, "--contest", "committee", "--operator", "吴总监",
                "--reason", "复核", pin=PIN)
    assert chief.returncode == 0, chief.stderr
    raw = sqlite3.connect(db)
    detail = raw.execute("SELECT actor, detail FROM audit WHERE action = 'round_locked'").fetchone()
    assert detail[0] == "周监票" and '"second":"吴总监"' in detail[1]
    assert raw.execute("SELECT count(*) FROM audit WHERE instr(detail, ?) > 0",
                       (PIN,)).fetchone()[0] == 0


def test_backup_export_and_host_mode_need_the_host(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _venue(db)
    stick = tmp_path / "stick"
    before = counts(db)
    clerk = run("backup", "--db", db, "--to", stick, "--operator", "钱签到", pin=PIN)
    assert clerk.returncode == 1 and "「备份数据库」只有主持人可以操作" in clerk.stderr
    assert not stick.exists() or not list(stick.iterdir())
    serve = run("serve", "--db", db, "--port", "0", "--pairing-out", tmp_path / "p.txt",
                "--operator", "周监票", pin=PIN)
    assert serve.returncode == 1 and "「开启联网签到主机」只有主持人" in serve.stderr
    assert not (tmp_path / "p.txt").exists()
    export = run("export", "--db", db, "--to", stick, "--operator", "钱签到", pin=PIN)
    assert export.returncode == 1 and "「导出报送包」只有主持人" in export.stderr
    assert counts(db) == before
    host = run("backup", "--db", db, "--to", stick, "--operator", "赵主持", pin=PIN)
    assert host.returncode == 0 and len(list(stick.glob("*.db"))) == 1, host.stderr


def test_a_desk_signs_its_staff_on_with_the_hashes_it_received(tmp_path: Path,
                                                              monkeypatch) -> None:
    """The host's staff list reaches a desk joining over the LAN (127.0.0.1); the desk's clerk
    signs on there with their PIN; a 计票人, whose PIN hash never goes to a desk, cannot sign on
    there at all."""
    import json

    from tests.app.sync.sync_venue import Procs, free_port, make_assembly

    host_db = tmp_path / "host.db"
    _m, tokens = make_assembly(host_db, 6)
    conn = connect(host_db)
    clock = FixedClock(T0)
    assert not isinstance(add_staff(conn, "赵主持", ["主持人"], PIN, actor="", clock=clock), Refusal)
    host = sign_on(conn, "赵主持", PIN, clock=clock)
    for name, role in (("钱签到", "签到员"), ("孙计票", "计票人")):
        assert not isinstance(add_staff(conn, name, [role], PIN, actor=host, clock=clock), Refusal)
    conn.close()
    monkeypatch.setenv("POLLDAY_PIN", PIN)
    procs = Procs()
    try:
        pairing = tmp_path / "pairing.txt"
        p = procs.start("serve", "--db", str(host_db), "--port", str(free_port()),
                        "--pairing-out", str(pairing), "--operator", "赵主持")
        assert p.stdout is not None
        line = p.stdout.readline()
        assert line and json.loads(line)["listening"], p.stderr.read() if p.stderr else ""
        for db, who, person, result in ((tmp_path / "d1.db", "钱签到", tokens[0], "signed_in"),
                                        (tmp_path / "d2.db", "孙计票", tokens[1], None)):
            d = procs.start("desk", "--db", str(db), "--pairing", str(pairing), "--desk", db.stem,
                            "--sync-timeout", "15", "--operator", who, "--", person)
            out, err = d.communicate(timeout=60)
            lines = [json.loads(x) for x in out.splitlines() if x.strip().startswith("{")]
            got = [x.get("result") for x in lines if "result" in x]
            assert got == ([result] if result else []), (out, err)
            if result is None:
                assert "孙计票 不在签到台登录" in out + err, (out, err)
    finally:
        for proc in procs.procs:
            proc.terminate()
        procs.kill_all()
