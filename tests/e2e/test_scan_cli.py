"""Format A end to end through `pollday` as real processes: print the scannable ballot, mark and
"scan" every copy (synthetic scans of the printed PDF, tests/app/scan/synth.py), import two
batches (JPEG files at 300 dpi, a scanner's PDF at 200 dpi with a page that must be refused),
adjudicate the flagged ballots (two people for doubtful ones), enter the refused ballot by
keyboard, count, reconcile, close, validate and lock; the locked tally equals what the voters
meant."""

from __future__ import annotations

import json
import random
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.scan.setup import known_layouts
from app.voting.entry import keys_for
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.scan.synth import broken, jpeg, render_blank, write_deck

TOOL = "pdftoppm"
ACTOR = "选举工作人员"
WRITE_IN = "王大锤"


def pollday(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *(str(a) for a in args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def ok(*args: object) -> str:
    done = pollday(*args)
    assert done.returncode == 0, (args[:3], done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def refused(*args: object) -> str:
    done = pollday(*args)
    assert done.returncode == 1, (args[:3], done.stdout[-2000:], done.stderr[-2000:])
    return done.stderr


def _intents(n: int, seats: int, names: int) -> list[str]:
    """What each voter means: most approve the first `seats` candidates, some disapprove."""
    rng = random.Random(1717)
    out = []
    for _ in range(n):
        marks = ["o" if k < seats and rng.random() < 0.8 else
                 ("x" if rng.random() < 0.3 else "-") for k in range(names)]
        out.append("".join(marks))
    return out


@pytest.mark.slow
def test_format_a_from_print_to_lock_through_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    from tests.e2e.test_scan_check_cli import signed_in_meeting  # it imports this module

    voters = signed_in_meeting(tmp_path, db, 160, 17)
    cands = [p for p in voters if p["status"] == "full"][:4]
    others = [p for p in voters if p not in cands]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 3, "--code", "committee",
       "--operator", ACTOR)
    for c in cands:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    # Printing scannable ballots is refused until the meeting has decided to print markers.
    assert "未设定打印扫描标记" in refused("print", "scan-ballots", "--db", db, "--out",
                                          tmp_path / "x.pdf", "--contest", "committee")
    ok("scan", "setup", "--db", db, "--markers", "--qr", "--operator", ACTOR)
    pdf = tmp_path / "ballots.pdf"
    ok("print", "scan-ballots", "--db", db, "--out", pdf, "--contest", "committee", "--count", 3)
    ok("round", "open", "--db", db, "--contest", "committee", "--single-entry", "--operator", ACTOR)
    names = json.loads(ok("round", "list", "--db", db, "--contest", "committee", "--json"))[0][
        "candidates"]
    ok("officials", "set", "--db", db, "--contest", "committee", "--scrutineers",
       f"{others[0]['name']}、{others[1]['name']}", "--counters", others[2]["name"])
    conn = connect(db)
    layout = known_layouts(conn)[1].layout
    conn.close()
    assert layout.candidates == tuple(names)

    n = len(voters)
    intents = _intents(n, 3, len(names))
    first = n // 2
    scans1 = tmp_path / "scans1"
    truths = write_deck(render_blank(pdf, 300, tmp_path), layout, 300, scans1, first,
                        intents=intents[:first], edge_rate=0.04, write_in_rate=0.08)
    scans2 = tmp_path / "scans2"
    blank200 = render_blank(pdf, 200, tmp_path)
    truths += write_deck(blank200, layout, 200, scans2, n - first - 1, seed=29, as_pdf=True,
                         intents=intents[first:n - 1], edge_rate=0.04, write_in_rate=0.0)
    rng = random.Random(5)
    (scans2 / "z-broken.jpg").write_bytes(jpeg(broken(blank200, layout, 200, rng,
                                                      "missing_marker"), rng))
    keyboard = intents[n - 1]          # the voter's ballot behind the broken page

    # Batch 1; a wrong hand count or the same files again are refused whole.
    assert "HAND_COUNT_MISMATCH" in refused("scan", "import", "--db", db, "--count", first - 1,
                                            scans1)
    b1 = json.loads(ok("scan", "import", "--db", db, "--count", first, "--json", scans1))
    assert b1["pages"] == first and not b1["refused"]
    assert "ALREADY_IMPORTED" in refused("scan", "import", "--db", db, "--count", first, scans1)
    b2 = json.loads(ok("scan", "import", "--db", db, "--count", n - first, "--json", scans2))
    assert [(r["file"], r["page"], r["position"]) for r in b2["refused"]] == \
        [("z-broken.jpg", 1, n - first)], b2["refused"]
    assert "缺少定位标记" in b2["refused"][0]["reason"]
    archived = sorted(p.name for p in (tmp_path / "day-scans").rglob("*") if p.is_file())
    assert len(archived) == first + 2
    assert (scans1 / "scan0001.jpg").read_bytes() in \
        [p.read_bytes() for p in (tmp_path / "day-scans" / "batch-0001").iterdir()]

    # Nothing counts while a flag is pending.
    waiting = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]
    assert waiting, "the deck has write-ins and marks over box edges"
    assert "FLAGS_PENDING" in refused("scan", "count", "--db", db, "--contest", "committee")
    by_position = {(1, i + 1): t for i, t in enumerate(truths[:first])}
    by_position |= {(2, i + 1): t for i, t in enumerate(truths[first:])}
    for w in waiting:
        truth = by_position[(w["batch"], w["position"])]
        args: list[object] = ["scan", "adjudicate", "--db", db, "--page", w["page_id"],
                              "--marks", keys_for(truth.marks) or "0", "--operator",
                              others[0]["name"]]
        if truth.write_in:
            args += ["--write-in", WRITE_IN]
        elif "WRITE_IN" in [f["code"] for f in w["flags"]]:   # ink there, no name: said so
            args += ["--no-write-in"]
        if w["two_people"]:
            assert "TWO_PEOPLE" in refused(*args)
            args += ["--second", others[1]["name"]]
        ok(*args)
    assert json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"] == []
    # Imported, decided, not yet counted: validation says so (a lock is refused meanwhile).
    done = pollday("validate", "--db", db)
    assert done.returncode == 1 and f"尚有{n - 1}张未计入" in done.stdout, done.stdout[-2000:]
    # Unflagged pages were read as meant: no silent misread.
    pages = {(p["batch"], p["position"]): p for p in _pages(db)}
    for key, truth in by_position.items():
        if pages[key]["status"] == "read":
            assert pages[key]["machine"] == truth.marks, key

    done = subprocess.run([*pollday_cmd(), "ballot", "enter", "--db", str(db), "--contest",
                           "committee", "--clerk", "A", "-"], input=keys_for(keyboard) or "0",
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "committee", "--json"))
    assert counted["entered"] == n - 1 and counted["entered_by_keyboard"] == 1
    ok("box", "set", "--db", db, "--contest", "committee", "--printed", n + 5, "--issued", n,
       "--returned", n)
    status = json.loads(ok("scan", "status", "--db", db, "--json"))
    assert status["rounds"][0]["balanced"] and status["rounds"][0]["returned"] == n
    ok("round", "close", "--db", db, "--contest", "committee")
    # No test deck passed: the lock is refused, naming the way out; the 总监票人 accepts the scan
    # count in words, and the finding stays in the results with the acknowledgement.
    err = refused("lock", "--db", db, "--operator", ACTOR)
    assert "扫描测试选票未通过" in err and "--acknowledge-untested" in err, err
    assert "REASON_MISSING" in refused("scan", "testdeck", "--db", db, "--contest", "committee",
                                       "--acknowledge-untested", "x", "--operator", ACTOR)
    ok("scan", "testdeck", "--db", db, "--contest", "committee", "--acknowledge-untested",
       "扫描仪无法测试，已核对", "--operator", ACTOR)   # no test deck was scanned
    ok("lock", "--db", db, "--operator", ACTOR)
    doc = json.loads(ok("results", "--db", db, "--json"))
    r = doc["contests"][0]["rounds"][0]
    assert r["state"] == "locked"
    said = [p for p in r["problems"] if p["code"] == "SCAN_TEST_DECK_NOT_PASSED"]
    assert len(said) == 1 and "扫描仪无法测试，已核对" in said[0]["message"], r["problems"]
    tally = {t["name"]: t for t in r["output"]["contests"][0]["tally"]}
    # What the voters meant; a ballot approving more persons than the 3 seats is invalid.
    meant = [(t.marks, t.write_in) for t in truths] + [(keyboard, False)]
    valid = [(m, w) for m, w in meant if m.count("o") + w <= 3]
    assert r["output"]["contests"][0]["ballots"]["invalid"] == len(meant) - len(valid)
    for k, name in enumerate(names):
        c = Counter(m[k] for m, _w in valid)
        assert (tally[name]["approve"], tally[name]["disapprove"]) == (c["o"], c["x"]), name
    written = sum(1 for _m, w in valid if w)
    assert tally.get(WRITE_IN, {"approve": 0})["approve"] == written
    # Ballots of the locked round found later are refused whole, naming the round.
    scans3 = tmp_path / "scans3"
    write_deck(render_blank(pdf, 300, tmp_path), layout, 300, scans3, 2, seed=31,
               intents=intents[:2])
    said = refused("scan", "import", "--db", db, "--count", 2, scans3)
    assert "该轮已锁定" in said and "委员第1轮" in said, said
    assert not (tmp_path / "day-scans" / "batch-0003").exists()
    assert len(json.loads(ok("scan", "status", "--db", db, "--json"))["batches"]) == 2
    # The backup carries the scan originals beside it, each checked against its SHA-256.
    said = ok("backup", "--db", db, "--to", tmp_path / "stick", "--operator", ACTOR)
    copied = sorted(p.relative_to(tmp_path / "stick") for p in
                    (tmp_path / "stick" / "day-scans").rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(tmp_path) for p in
                            (tmp_path / "day-scans").rglob("*") if p.is_file()), said
    assert f"扫描原件{len(copied)}个文件" in said and "核对校验值无误" in said


def _pages(db: Path) -> list[dict[str, Any]]:
    from app.scan.adjudicate import all_pages

    conn = connect(db)
    try:
        return [p.as_json() for p in all_pages(conn)]
    finally:
        conn.close()
