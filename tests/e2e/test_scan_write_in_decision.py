"""A ballot with writing in its 另选他人 rows is decided with the name written there or an explicit
--no-write-in (never silently as no write-in); deciding a page again says it changed the earlier
decision, and the audit keeps both."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from app.bench.data import register_rows, write_csv
from app.scan.setup import known_layouts
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.scan.synth import render_blank, write_deck
from tests.e2e.test_scan_cli import ACTOR, ok, refused

TOOL = "pdftoppm"


def test_a_write_in_needs_a_name_or_no_write_in_and_a_change_is_said(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    ok("import-register", "--db", db, write_csv(register_rows(20, seed=17), tmp_path / "名册.csv"))
    ok("meeting", "create", "--db", db, "--code", "party", "--title", "示例社区党员大会",
       "--community", "示例社区", "--organisation", "party_committee", "--rules", "party-2020",
       "--form", "assembly", "--date", "2026-11-22", "--current", "--operator", ACTOR)
    people = [p for p in json.loads(ok("register", "--db", db, "--json")) if p["votes"]]
    done = subprocess.run([*pollday_cmd(), "sign-in", "--db", str(db), "--desk", "主签到台",
                           "--operator", "签到员", "-"], input="\n".join(p["token"] for p in people),
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    cands = [p for p in people if p["status"] == "full"][:3]
    others = [p for p in people if p not in cands]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 2, "--code", "committee",
       "--operator", ACTOR)
    for c in cands:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--operator", ACTOR)
    pdf = tmp_path / "ballots.pdf"
    ok("print", "scan-ballots", "--db", db, "--out", pdf, "--contest", "committee", "--count", 1)
    ok("round", "open", "--db", db, "--contest", "committee", "--single-entry", "--operator", ACTOR)
    conn = connect(db)
    layout = known_layouts(conn)[1].layout
    conn.close()
    scans = tmp_path / "scans"
    write_deck(render_blank(pdf, 200, tmp_path), layout, 200, scans, 1, intents=["o--"],
               edge_rate=0.0, write_in_rate=1.0)
    ok("scan", "import", "--db", db, "--count", 1, scans, "--operator", ACTOR)
    waiting = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]
    assert len(waiting) == 1 and "WRITE_IN" in [f["code"] for f in waiting[0]["flags"]]
    page = waiting[0]["page_id"]
    who = others[0]["name"]
    decide = ["scan", "adjudicate", "--db", db, "--page", page, "--marks", "1", "--operator", who]
    if waiting[0]["two_people"]:
        decide += ["--second", others[1]["name"]]
    assert "WRITE_IN_MISSING" in refused(*decide)          # no name, no 不计: refused
    assert "只能选一种" in refused(*decide, "--write-in", "何平", "--no-write-in")
    first = ok(*decide, "--no-write-in")
    assert "已认定" in first and "已更改" not in first
    again = ok(*decide, "--write-in", "何平")
    assert "已更改此前的认定（原为o--" in again, again
    conn = connect(db)
    details = [json.loads(d) for (d,) in conn.execute(
        "SELECT detail FROM audit WHERE action = 'scan_decision' ORDER BY id")]
    conn.close()
    assert [d.get("write_ins") for d in details] == [[], ["何平"]]
    assert details[0].get("write_in_not_counted") and "replaced" not in details[0]
    assert details[1]["replaced"].startswith("o--")
