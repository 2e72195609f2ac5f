"""A whole election day through the command line only: a new database, the register, the meeting,
sign-ins, the contest and its candidates, the round, 200 ballots entered twice (A and B) with
deliberate differences resolved by a third person, validation, the lock, the papers, the package
and its verification — every step a `pollday` process. Then the same day is driven through the
use cases the GUI pages call (the same functions, in the order the pages call them) on a second
database, and `pollday results --json` must be the same for both."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
from pathlib import Path
from typing import Any

from app import attendance, meetings, voting
from app.bench.data import register_rows, write_csv
from app.clock import FixedClock
from app.meetings import Refusal
from app.model import ContestKind, Form, Organisation, RuleSet
from app.register.importer import ImportStatus, import_register
from app.results import results
from app.voting.entry import make_entry_ballot
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd

TZ = dt.timezone(dt.timedelta(hours=8))
T = {"register": "2026-11-22T07:30:00+08:00", "sign_in": "2026-11-22T08:40:00+08:00",
     "open": "2026-11-22T09:30:00+08:00", "officials": "2026-11-22T09:31:00+08:00",
     "box": "2026-11-22T10:10:00+08:00", "enter_a": "2026-11-22T10:40:00+08:00",
     "enter_b": "2026-11-22T10:41:00+08:00", "resolve": "2026-11-22T11:00:00+08:00",
     "close": "2026-11-22T11:05:00+08:00", "lock": "2026-11-22T11:10:00+08:00",
     "print": "2026-11-22T11:20:00+08:00", "export": "2026-11-22T11:30:00+08:00"}
ACTOR = "秘书处"
SEATS = 5
BALLOTS = 200
# seq: (what clerk B typed instead of A's line, how the third person resolves it)
DIFFERENCES = {17: ("22", ("take", "A")), 64: ("+{write_in}", ("take", "B")),
               120: ("!有识别投票人的记号", ("reading", "11111")), 199: ("0", ("take", "A"))}


def clock(step: str) -> FixedClock:
    return FixedClock(dt.datetime.fromisoformat(T[step]))


TRANSCRIPT: list[str] = []   # printed at the end (pytest -s): each command, status, first line


def pollday(*args: object, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*pollday_cmd(), *(str(a) for a in args)], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=180)
    shown = " ".join(str(a) if " " not in str(a) else repr(str(a)) for a in args
                     if not isinstance(a, Path))
    first = (done.stdout.strip() or done.stderr.strip()).splitlines()[:1]
    TRANSCRIPT.append(f"pollday {shown} -> {done.returncode}  {first[0][:90] if first else ''}")
    return done


def ok(*args: object, stdin: str | None = None) -> str:
    done = pollday(*args, stdin=stdin)
    assert done.returncode == 0, (args[:2], done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def ballot_lines(names: list[str], write_in: str) -> list[str]:
    """200 ballots in the plain format: most approve the five front-runners, some mix, some
    disapprove, a few write-ins, blanks, over-marked and declared invalid."""
    rng = random.Random(1122)
    front = names[:SEATS]
    lines = []
    for i in range(BALLOTS):
        r = rng.random()
        if i % 50 == 7:
            lines.append("1" * len(names))                     # over-marked: invalid
        elif i % 67 == 3:
            lines.append("!无法辨认选票意图")
        elif i % 40 == 11:
            lines.append("0")                                   # blank
        else:
            chosen = set(front) if r < 0.65 else set(rng.sample(names, SEATS - 1))
            keys = "".join("1" if n in chosen else ("2" if rng.random() < 0.1 else "0")
                           for n in names).rstrip("0")
            if i % 23 == 5:
                keys = keys.replace("1", "0", 1) + f" +{write_in}"
            lines.append(keys or "0")
    return lines


def cli_day(folder: Path, register_csv: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    db = folder / "day.db"
    ok("import-register", "--db", db, register_csv)
    ok("meeting", "create", "--db", db, "--code", "party", "--title", "翠湖社区党员大会",
       "--community", "翠湖社区", "--organisation", "party_committee", "--rules", "party-2020",
       "--form", "assembly", "--date", "2026-11-22", "--current", "--operator", ACTOR)
    people = json.loads(ok("register", "--db", db, "--json"))
    assert all("education" in p for p in people)
    voters = [p for p in people if p["votes"]]
    present = voters[: len(voters) - 6]
    signed = ok("sign-in", "--db", db, "--desk", "主签到台", "--operator", "签到员",
                "--at", T["sign_in"], "-", stdin="\n".join(p["token"] for p in present))
    assert len(signed.splitlines()) == len(present)
    names_seen: set[str] = set()
    cands = []
    for p in voters[::9]:
        if p["name"] not in names_seen and p["status"] == "full":
            names_seen.add(p["name"])
            cands.append(p)
        if len(cands) == 7:
            break
    others = [p for p in present if p["name"] not in names_seen]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", SEATS, "--code", "committee",
       "--operator", ACTOR)
    for c in cands:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    ok("round", "open", "--db", db, "--contest", "committee", "--at", T["open"],
       "--operator", ACTOR)
    rnd = json.loads(ok("round", "list", "--db", db, "--contest", "committee", "--json"))[0]
    names = rnd["candidates"]
    ok("officials", "set", "--db", db, "--contest", "committee",
       "--scrutineers", f"{others[0]['name']}、{others[1]['name']}", "--counters",
       others[2]["name"], "--at", T["officials"], "--operator", ACTOR)
    ok("box", "set", "--db", db, "--contest", "committee", "--name", "主票箱",
       "--printed", len(present) + 10, "--issued", len(present), "--returned", BALLOTS,
       "--at", T["box"], "--operator", ACTOR)
    write_in = others[3]["name"]
    a_lines = ballot_lines(names, write_in)
    b_lines = list(a_lines)
    for seq, (typed, _how) in DIFFERENCES.items():
        b_lines[seq - 1] = typed.format(write_in=write_in)
    (folder / "a.txt").write_text("# 录入组A\n" + "\n".join(a_lines) + "\n", encoding="utf-8")
    (folder / "b.txt").write_text("\n".join(b_lines) + "\n", encoding="gbk")
    for clerk, file, at in (("A", "a.txt", T["enter_a"]), ("B", "b.txt", T["enter_b"])):
        out = json.loads(ok("ballot", "enter", "--db", db, "--contest", "committee", "--clerk",
                            clerk, "--at", at, "--json", folder / file))
        assert out["entered"] == BALLOTS and (out["first"], out["last"]) == (1, BALLOTS)
    diff = json.loads(ok("compare", "--db", db, "--contest", "committee"))
    assert diff["pending"] == len(DIFFERENCES)
    assert [d["seq"] for d in diff["differences"]] == sorted(DIFFERENCES)
    assert all(d["a"]["line"] == a_lines[d["seq"] - 1] for d in diff["differences"])
    # Closing the count is refused while differences stand, in the core's words.
    refused = pollday("round", "close", "--db", db, "--contest", "committee")
    assert refused.returncode == 1 and "尚未处理" in refused.stderr, refused.stderr
    for seq, (_typed, (how, value)) in DIFFERENCES.items():
        ok("resolve", "--db", db, "--contest", "committee", "--seq", seq, f"--{how}", value,
           "--reason", "核对原始选票", "--operator", "监票人", "--at", T["resolve"])
    assert json.loads(ok("compare", "--db", db, "--contest", "committee"))["pending"] == 0
    ok("round", "close", "--db", db, "--contest", "committee", "--at", T["close"],
       "--operator", ACTOR)
    validation = json.loads(ok("validate", "--db", db, "--json"))
    locked = ok("lock", "--db", db, "--at", T["lock"], "--operator", ACTOR)
    papers = folder / "papers"
    for kind in ("count-report", "notice", "tally-record"):
        ok("print", kind, "--db", db, "--out", papers, "--at", T["print"])
        assert (papers / f"{kind}.pdf").stat().st_size > 1000
    stick = folder / "stick"
    stick.mkdir()
    exported = ok("export", "--db", db, "--to", stick, "--at", T["export"])
    package = next(stick.glob("*.pollday"))
    assert package.name in exported
    verified = ok("verify", package)
    assert "结果：完整，签名有效" in verified and "翠湖社区党员大会" in verified
    doc = json.loads(ok("results", "--db", db, "--json"))
    day = {"names": names, "a_lines": a_lines, "present": present, "cands": cands,
           "others": others, "write_in": write_in, "validation": validation,
           "locked": locked, "verified": verified}
    return db, doc, day


def gui_day(folder: Path, register_csv: Path, day: dict[str, Any]) -> dict[str, Any]:
    """The same day through the use cases the pages call (准备 · 名册 / 会议设置 / 选举事项,
    签到台, 投票计票 · 设置 / 逐张录入 / 双录比对, 结果), on another database."""
    conn = connect(folder / "gui.db")
    got = import_register(conn, register_csv, now=T["register"], actor=ACTOR)
    assert got.status is ImportStatus.IMPORTED
    m = meetings.create_meeting(conn, code="party", title="翠湖社区党员大会", community="翠湖社区",
                                organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                                form=Form.ASSEMBLY, date="2026-11-22", make_current=True,
                                clock=clock("register"), actor=ACTOR)
    assert not isinstance(m, Refusal)
    for p in day["present"]:   # tokens are drawn afresh by each import: found by register id
        r = attendance.sign_in(conn, m, str(p["id"]), "主签到台", "签到员", clock("sign_in"))
        assert r.outcome == "signed_in"
    contest = meetings.add_contest(conn, m.id, code="committee", title="委员",
                                   kind=ContestKind.COMMITTEE, seats=SEATS,
                                   clock=clock("register"), actor=ACTOR)
    assert not isinstance(contest, Refusal)
    for c in day["cands"]:
        added = meetings.add_candidate(conn, contest.id, name=c["name"], person_id=c["id"],
                                       gender=c["gender"], clock=clock("register"), actor=ACTOR)
        assert not isinstance(added, Refusal), added
    r = voting.open_round(conn, contest.id, actor=ACTOR, clock=clock("open"))
    assert isinstance(r, voting.VotingRound) and list(r.names) == day["names"]
    others = day["others"]
    assert not isinstance(voting.set_officials(
        conn, r.id, scrutineers=[others[0]["name"], others[1]["name"]],
        counters=[others[2]["name"]], actor=ACTOR, clock=clock("officials")), Refusal)
    present = len(day["present"])
    assert not isinstance(voting.record_box(
        conn, r.id, "主票箱", printed=present + 10, issued=present, returned=BALLOTS, spoiled=0,
        actor=ACTOR, clock=clock("box")), Refusal)
    from app.cli.ballot_lines import parse_line

    def enter(entry: str, line: str, step: str) -> None:
        parsed = parse_line(line)       # the keys a clerk types; F2 names, F4 reason
        assert not isinstance(parsed, str)
        b = make_entry_ballot(r, parsed.keys, write_ins=parsed.write_ins,
                              invalid=parsed.invalid_reason is not None,
                              reason=parsed.invalid_reason or "")
        assert not isinstance(b, voting.KeyProblem)
        assert not isinstance(voting.enter_ballot(conn, r.id, entry, b, clerk=f"录入组{entry}",
                                                  clock=clock(step)), Refusal)

    for i, line in enumerate(day["a_lines"], 1):
        enter("A", line, "enter_a")
        typed = DIFFERENCES.get(i, (line,))[0].format(write_in=day["write_in"])
        enter("B", typed, "enter_b")
    for seq, (_typed, (how, value)) in DIFFERENCES.items():
        reading = None
        if how == "reading":
            parsed = parse_line(value)
            assert not isinstance(parsed, str)
            reading = make_entry_ballot(r, parsed.keys)
            assert not isinstance(reading, voting.KeyProblem)
        done = voting.resolve_difference(conn, r.id, seq, value if how == "take" else "paper",
                                         why="核对原始选票", actor="监票人", clock=clock("resolve"),
                                         reading=reading)
        assert not isinstance(done, Refusal), done
    assert not isinstance(voting.close_round(conn, r.id, actor=ACTOR, clock=clock("close")),
                          Refusal)
    assert not isinstance(voting.lock_round(conn, r.id, actor=ACTOR, clock=clock("lock")),
                          Refusal)
    doc = results(conn, m)
    conn.close()
    return doc


def test_whole_day_through_the_command_line_equals_the_gui_path(tmp_path: Path) -> None:
    register_csv = write_csv(register_rows(1000, seed=1122), tmp_path / "名册.csv")
    db, cli_doc, day = cli_day(tmp_path, register_csv)
    v = day["validation"]
    assert v["may_lock"] and v["complete"], v
    assert not v["contests"][0]["rounds"][0]["problems"]
    contest = cli_doc["contests"][0]
    assert contest["complete"] and len(contest["elected"]) == SEATS
    r = contest["rounds"][0]
    assert r["hash"] and r["hash"] in day["locked"]
    out = r["output"]["contests"][0]
    assert out["status"] == "elected"
    gui_doc = gui_day(tmp_path, register_csv, day)
    print("\n".join(TRANSCRIPT))
    assert cli_doc == gui_doc
