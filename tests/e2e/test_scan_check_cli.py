"""The scanner as one of the two clerks, sample mode, through `pollday` as real processes: 120
scanned ballots counted into entry A; the app draws a blind sample of 100 (at least 100, at least
5 %) named by batch and position; the clerk keys them by `pollday scan check --enter` without
seeing the machine's reading; a typing slip resolved in favour of the scan stands, but a
difference the paper gives to the clerk (the scan misread it) forces full entry: the round
cannot be closed until entry B holds every ballot and the differences are resolved."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.bench.data import register_rows, write_csv
from app.scan.setup import known_layouts
from app.voting.entry import keys_for
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.scan.synth import broken, jpeg, render_blank, write_deck
from tests.e2e.test_scan_cli import ACTOR, ok, refused

N = 120


def feed(*args: object, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *(str(a) for a in args)], input=text,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def signed_in_meeting(tmp_path: Path, db: Path, people: int, seed: int, *,
                      first: int | None = None) -> list[dict[str, object]]:
    """A register of `people` (register_rows, `seed`) imported into `db`, the current party
    meeting created and its voters (the first `first` of them) signed in at 主签到台; the voters."""
    ok("import-register", "--db", db, write_csv(register_rows(people, seed=seed),
                                                 tmp_path / "名册.csv"))
    ok("meeting", "create", "--db", db, "--code", "party", "--title", "示例社区党员大会",
       "--community", "示例社区", "--organisation", "party_committee", "--rules", "party-2020",
       "--form", "assembly", "--date", "2026-11-22", "--current", "--operator", ACTOR)
    voters = [p for p in json.loads(ok("register", "--db", db, "--json")) if p["votes"]][:first]
    done = feed("sign-in", "--db", db, "--desk", "主签到台", "--operator", "签到员", "-",
                text="\n".join(str(p["token"]) for p in voters))
    assert done.returncode == 0, done.stderr
    return voters


def _scanned_round(tmp_path: Path, *, refused_page: bool = False
                   ) -> tuple[Path, list[str], list[dict[str, object]]]:
    """A 120-ballot round whose scan is counted into entry A; (db, what each ballot means in
    scan order, the voters). `refused_page`: one more ballot whose page the reader refuses
    (a marker missing), keyed into entry A by a person ("o-o")."""
    db = tmp_path / "day.db"
    voters = signed_in_meeting(tmp_path, db, N + 20, 41, first=N)
    cands = [p for p in voters if p["status"] == "full"][:3]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 2, "--code", "committee",
       "--operator", ACTOR)
    for c in cands:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--operator", ACTOR)
    pdf = tmp_path / "ballots.pdf"
    ok("print", "scan-ballots", "--db", db, "--out", pdf, "--contest", "committee", "--count", 1)
    ok("round", "open", "--db", db, "--contest", "committee", "--operator", ACTOR)
    others = [p for p in voters if p not in cands]
    ok("officials", "set", "--db", db, "--contest", "committee", "--scrutineers",
       f"{others[0]['name']}、{others[1]['name']}", "--counters", others[2]["name"])
    conn = connect(db)
    layout = known_layouts(conn)[1].layout
    conn.close()
    rng = random.Random(4117)
    intents = [rng.choice(["oo-", "o-o", "-oo", "ox-", "x-o", "oxx", "-xo", "o--"])
               for _ in range(N)]
    scans = tmp_path / "scans"
    blank = render_blank(pdf, 200, tmp_path)
    write_deck(blank, layout, 200, scans, N, intents=intents,
               edge_rate=0.04, write_in_rate=0.0)      # marks over a box edge: to a human
    if refused_page:
        rng2 = random.Random(6)
        (scans / "z-broken.jpg").write_bytes(jpeg(broken(blank, layout, 200, rng2,
                                                        "missing_marker"), rng2))
        done = feed("ballot", "enter", "--db", db, "--contest", "committee", "--clerk", "A",
                    "-", text="101")
        assert done.returncode == 0, done.stderr
    ok("scan", "import", "--db", db, "--count", N + refused_page, scans)
    for w in json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]:
        ok("scan", "adjudicate", "--db", db, "--page", w["page_id"], "--marks",
           keys_for(intents[w["position"] - 1]) or "0", "--operator", others[0]["name"],
           "--second", others[1]["name"])
    ok("scan", "count", "--db", db, "--contest", "committee")
    ok("box", "set", "--db", db, "--contest", "committee", "--printed", N + 5, "--issued",
       N + refused_page, "--returned", N + refused_page)
    return db, intents, voters


@pytest.mark.slow
def test_a_scan_misread_found_in_the_blind_sample_forces_full_entry(tmp_path: Path) -> None:
    db, intents, _voters = _scanned_round(tmp_path)
    R = ("--db", db, "--contest", "committee")
    # A double-entry round without a chosen mode is full entry: clerk B has keyed nothing.
    assert "DIFFERENCES_PENDING" in refused("round", "close", *R)
    ok("scan", "check", *R, "--mode", "sample", "--operator", ACTOR)
    assert "SAMPLE_NOT_DRAWN" in refused("round", "close", *R)
    drawn = json.loads(ok("scan", "check", *R, "--draw", "--operator", ACTOR, "--json"))
    unflagged = drawn["population"]
    assert unflagged > 100 and drawn["size"] == 100 == len(drawn["sample"])
    sample = drawn["sample"]
    # Named by batch and position, in scan order, without the machine's reading (blind).
    assert [(s["batch"], s["position"]) for s in sample] == sorted(
        (s["batch"], s["position"]) for s in sample)
    assert all(set(s) == {"seq", "page_id", "batch", "position", "file", "page", "keyed"}
               for s in sample)
    listed = ok("scan", "check", *R)
    assert "第1批第" in listed and "待录" in listed and "o" not in listed.replace("录入序号", "")
    assert "SAMPLE_NOT_KEYED" in refused("round", "close", *R)
    assert "NOTHING_TO_DRAW" in refused("scan", "check", *R, "--draw", "--operator", ACTOR)

    # The clerk pulls each from the stack and keys what the paper says; two keyed wrongly.
    typed = [intents[int(s["position"]) - 1] for s in sample]
    slip, misread = 3, 40
    flip = {"o": "x", "x": "-", "-": "o"}
    for k in (slip, misread):
        typed[k] = flip[typed[k][0]] + typed[k][1:]
    keyed = json.loads(_enter(R, [keys_for(t) or "0" for t in typed[:60]]))
    assert [e["seq"] for e in keyed["entered"]] == [s["seq"] for s in sample[:60]]
    _enter(R, [keys_for(t) or "0" for t in typed[60:]])
    assert "TOO_MANY" in _enter(R, ["1"], code=1)
    assert "DIFFERENCES_PENDING" in refused("round", "close", *R)
    diffs = json.loads(ok("compare", *R))
    assert sorted(d["seq"] for d in diffs["differences"]) == \
        sorted([sample[slip]["seq"], sample[misread]["seq"]]), diffs
    # A third person looks at the paper: the slip was the clerk's (the scan stands) ...
    third = ("--operator", "总监票人", "--reason", "核对原始选票")
    ok("resolve", *R, "--seq", sample[slip]["seq"], "--take", "A", *third)
    # ... the other the scanner's: the scan misread it, so every ballot must be keyed.
    ok("resolve", *R, "--seq", sample[misread]["seq"], "--take", "B", *third)
    err = refused("round", "close", *R)
    assert "FULL_ENTRY_REQUIRED" in err and "须全部键盘录入" in err, err
    state = json.loads(ok("scan", "check", *R, "--json"))
    assert state["full_required"] and state["misread"] == [sample[misread]["seq"]]
    todo = state["to_key"]
    assert len(todo) == N - 100
    # Full entry: clerk B keys every other ballot, pulled by batch and position.
    _enter(R, [keys_for(intents[int(t["position"]) - 1]) or "0" for t in todo])
    assert json.loads(ok("scan", "check", *R, "--json"))["to_key"] == []
    diffs = json.loads(ok("compare", *R))
    assert len(diffs["differences"]) == 2 and diffs["pending"] == 0, diffs
    ok("round", "close", *R)
    ok("scan", "testdeck", "--db", db, "--contest", "committee", "--acknowledge-untested",
       "扫描仪无法测试，已核对", "--operator", ACTOR)   # no test deck was scanned
    ok("lock", "--db", db, "--operator", ACTOR)
    # The count report says how the scan was checked.
    report = tmp_path / "report.pdf"
    ok("print", "count-report", "--db", db, "--out", report)
    text = subprocess.run(["pdftotext", "-layout", str(report), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "")
    assert f"键盘录入0张；核对：随机抽查100张（抽自{unflagged}张），扫描读错1张，因此全部键盘录入比对" \
        in text.replace("\n", ""), text
    assert "未做扫描测试" in text


@pytest.mark.slow
def test_a_clean_blind_sample_lets_the_round_close(tmp_path: Path) -> None:
    db, intents, _voters = _scanned_round(tmp_path, refused_page=True)
    R = ("--db", db, "--contest", "committee")
    ok("scan", "check", *R, "--mode", "sample", "--operator", ACTOR)
    sample = json.loads(ok("scan", "check", *R, "--draw", "--operator", ACTOR,
                           "--json"))["sample"]
    # The ballot keyed by a person after the reader refused its page is keyed by B too.
    todo = json.loads(ok("scan", "check", *R, "--json"))["to_key"]
    assert [t["seq"] for t in todo] == [s["seq"] for s in sample] + [1]
    assert todo[-1]["batch"] == 0
    _enter(R, [keys_for(intents[int(s["position"]) - 1]) or "0" for s in sample])
    assert "SAMPLE_NOT_KEYED" in refused("round", "close", *R)
    _enter(R, ["101"])
    ok("round", "close", *R)
    doc = json.loads(ok("results", "--db", db, "--json"))
    assert doc["contests"][0]["rounds"][0]["output"]["contests"][0]["ballots"]["returned"] == \
        N + 1
    ok("scan", "testdeck", "--db", db, "--contest", "committee", "--acknowledge-untested",
       "扫描仪无法测试，已核对", "--operator", ACTOR)   # no test deck was scanned
    ok("lock", "--db", db, "--operator", ACTOR)

    # The package carries every scanned ballot's record and the adjudicated ballots' images.
    out = tmp_path / "stick"
    ok("export", "--db", db, "--to", out)
    package = next(out.glob("*.pollday"))
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        records = [json.loads(x) for x in zf.read("scan/ballots.jsonl").splitlines()]
        images = {n: zf.read(n) for n in zf.namelist() if n.startswith("scan/images/")}
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert manifest["format_version"] == 4 and manifest["counts"]["scan_ballots"] == N + 1
    assert [r["position"] for r in records] == list(range(1, N + 2))
    assert records[-1]["status"] == "refused" and records[-1]["decided_by"] == "refused: keyboard entry"
    records = records[:-1]
    decided = [r for r in records if r["decision"] is not None]
    assert decided and manifest["counts"]["scan_images"] == len(decided) == len(images)
    for r in records:
        assert r["layout"]["code"] == 1 and r["scores"] and r["counted"]["entry"] == "A"
        assert r["final"]["marks"] == intents[r["position"] - 1]
        if r["decision"] is None:
            assert r["status"] == "read" and r["decided_by"] == "machine" and r["image"] is None
        else:
            assert r["decided_by"] == "people" and len(r["decision"]["by"]) == 2
            img = r["image"]
            assert img["original"] and listed[img["path"]] == img["sha256"]
            assert hashlib.sha256(images[img["path"]]).hexdigest() == r["file"]["sha256"]
    assert sum(r["in_sample"] for r in records) == len(sample)
    local = [json.loads(x) for x in ok("scan", "records", "--db", db).splitlines()]
    assert [r["page_id"] for r in local[:-1]] == [r["page_id"] for r in records]
    ok("verify", package)
    district = tmp_path / "district.db"
    line = json.loads(ok("district", "import", "--db", district, package).splitlines()[0])
    assert line["result"] == "imported", line


def _enter(R: tuple[object, ...], lines: list[str], code: int = 0) -> str:
    done = feed("scan", "check", *R, "--enter", "-", "--operator", "计票员乙", "--json",
                text="\n".join(lines))
    assert done.returncode == code, done.stderr
    return done.stdout if code == 0 else done.stderr
