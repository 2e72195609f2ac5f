"""The package of the demo's final stage: contents, manifest, privacy, reproducibility."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.export import format as fmt
from app.export import short_hash, verify_package
from tests.app.export.conftest import AT, Exported
from tests.conftest import pollday_cmd


def _read(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_package_holds_what_the_format_says(exported: Exported) -> None:
    files = _read(exported.package)
    names = list(files)
    assert names[:2] == [fmt.MANIFEST, fmt.SIGNATURE]
    assert names[2:] == sorted(names[2:])
    manifest = json.loads(files[fmt.MANIFEST])
    assert manifest["format"] == "pollday-package" and manifest["format_version"] == 4
    assert manifest["community"] == "新华街道翠湖社区" and manifest["street"] == "新华街道"
    assert manifest["exported_at"] == "2026-11-29T18:00:00+08:00"
    assert [m["code"] for m in manifest["meetings"]] == ["party", "plenary", "residents"]
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(names[2:])
    for path, entry in listed.items():
        assert entry["size"] == len(files[path])
        assert entry["sha256"] == fmt.sha256_hex(files[path])
    for required in (fmt.SNAPSHOT, fmt.ELECTED, fmt.SUMMARY_CSV, fmt.SUMMARY_XLSX,
                     fmt.EVENTS_ATTENDANCE, fmt.EVENTS_BALLOTS, fmt.EVENTS_AUDIT,
                     "results/party.json", "results/residents.json"):
        assert required in listed
    party = manifest["meetings"][0]
    assert set(party["documents"]) == {"attendance-report", "tally-record", "count-report",
                                       "notice", "certificates"}
    assert "proxy-list" in party["documents_missing"]
    assert "锁定" in manifest["meetings"][2]["documents_missing"]["notice"]
    for path in party["documents"].values():
        assert files[path].startswith(b"%PDF")
    assert len(party["result_hashes"]) == 3
    assert manifest["key"]["fingerprint"] == exported.built.fingerprint  # type: ignore[attr-defined]
    assert short_hash(files[fmt.MANIFEST]) == exported.built.short_hash  # type: ignore[attr-defined]
    assert manifest["counts"]["files"] == len(listed)
    assert manifest["counts"]["attendance_events"] == files[fmt.EVENTS_ATTENDANCE].count(b"\n")


def test_results_json_is_pollday_results(exported: Exported, home: Path) -> None:
    files = _read(exported.package)
    out = subprocess.run([*pollday_cmd(), "results", "--db", str(exported.db), "--meeting",
                          "party", "--json"], capture_output=True, check=True)
    assert json.loads(files["results/party.json"]) == json.loads(out.stdout)


def test_elected_for_the_district_statistics(exported: Exported) -> None:
    elected = json.loads(_read(exported.package)[fmt.ELECTED])
    party = elected["meetings"][0]
    committee = party["contests"][0]
    assert committee["title"] == "委员" and committee["body"] == "中共新华街道翠湖社区委员会"
    assert committee["post"] == "委员"      # format 4: the post chosen in setup
    assert len(committee["elected"]) == 7
    for person in committee["elected"]:
        assert set(person) == {"name", "person_id", "gender", "birth_year", "birth_month",
                               "education", "party_status", "part_time", "previous"}
        assert person["gender"] in ("M", "F") and 1940 < person["birth_year"] < 2008
        assert 1 <= person["birth_month"] <= 12 and person["part_time"] is False
        assert person["party_status"] in ("full", "probationary")


def test_summary_csv_and_xlsx_agree(exported: Exported) -> None:
    from openpyxl import load_workbook

    files = _read(exported.package)
    csv_rows = [line.split(",") for line in
                files[fmt.SUMMARY_CSV].decode("utf-8-sig").strip().split("\r\n")]
    wb = load_workbook(io.BytesIO(files[fmt.SUMMARY_XLSX]), read_only=True)
    ws = wb.active
    assert ws is not None
    xlsx_rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    assert csv_rows == xlsx_rows
    assert csv_rows[1][:2] == ["party", "中共新华街道翠湖社区委员会换届选举党员大会"]
    assert csv_rows[1][6:9] == ["1119", "1040", "92.94%"]


def find_secrets(hay: bytes, secrets: set[bytes]) -> list[bytes]:
    """Every secret (ID number, phone, token) found anywhere in `hay`, even run into other
    text as in SQLite records: each run of candidate characters is checked at every offset."""
    found: list[bytes] = []
    for length in sorted({len(s) for s in secrets}):
        for m in re.finditer(rb"[0-9A-Za-z_-]{%d,}" % length, hay):
            run = m.group()
            found += [run[i:i + length] for i in range(len(run) - length + 1)
                      if run[i:i + length] in secrets]
    return found


def test_no_full_id_number_phone_or_token_anywhere(exported: Exported) -> None:
    from tests.app.documents.pdf_tools import pdf_text

    conn = sqlite3.connect(exported.db)
    secrets = {str(r).encode() for row in conn.execute(
        "SELECT id_number, phone, token FROM person") for r in row if r}
    n_ids = conn.execute("SELECT count(id_number) FROM person").fetchone()[0]
    conn.close()
    assert n_ids > 8000 and len(secrets) > 16000
    files = _read(exported.package)
    for name, data in files.items():
        hay = data
        if name.endswith(".pdf"):
            tmp = exported.package.parent / "scan.pdf"
            tmp.write_bytes(data)
            hay += pdf_text(tmp).encode()
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as x:
                hay += b"".join(x.read(i) for i in x.infolist())
        found = find_secrets(hay, secrets)
        assert not found, f"{name} holds {found[:3]}"
    assert find_secrets(b"xx" + next(iter(secrets)) + b"yy", secrets)  # the scan can fail
    # the masked form is kept: first 4 and last 4
    snap = exported.package.parent / "snap.sqlite"
    snap.write_bytes(files[fmt.SNAPSHOT])
    c = sqlite3.connect(snap)
    masked = dict(c.execute("SELECT id, id_number FROM person WHERE id_number IS NOT NULL"))
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("PRAGMA user_version").fetchone()[0] >= 3
    assert c.execute("SELECT count(*) FROM person_key WHERE kind = 'id_rev'").fetchone()[0] == 0
    assert c.execute("SELECT count(*) FROM person WHERE length(birth_date) > 7").fetchone()[0] == 0
    n_ballots = c.execute("SELECT count(*) FROM ballot_entry").fetchone()[0]
    c.close()
    src = sqlite3.connect(exported.db)
    for pid, full in src.execute("SELECT id, id_number FROM person WHERE id_number IS NOT NULL"):
        assert masked[pid] == full[:4] + "*" * 10 + full[-4:]
    assert n_ballots == src.execute("SELECT count(*) FROM ballot_entry").fetchone()[0]
    src.close()


def test_same_database_and_time_give_the_same_bytes(exported: Exported, home: Path) -> None:
    from app.export.build import build_package
    from app.keys import load_or_create

    again = build_package(exported.db, key=load_or_create(), at=AT)
    assert not hasattr(again, "code")
    first = json.loads(_read(exported.package)[fmt.MANIFEST])
    assert again.manifest == first  # type: ignore[union-attr]
    assert again.data == exported.package.read_bytes()  # type: ignore[union-attr]


def test_one_meeting_only_and_unknown_meeting(exported: Exported, home: Path,
                                              tmp_path: Path) -> None:
    from app.export.build import build_package
    from app.keys import load_or_create
    from app.meetings import Refusal

    one = build_package(exported.db, key=load_or_create(), at=AT, meeting_code="party")
    assert not isinstance(one, Refusal)
    assert [m["code"] for m in one.manifest["meetings"]] == ["party"]
    (tmp_path / one.name).write_bytes(one.data)
    assert verify_package(tmp_path / one.name).ok
    none = build_package(exported.db, key=load_or_create(), at=AT, meeting_code="nope")
    assert isinstance(none, Refusal) and "nope" in none.message


@pytest.mark.parametrize("community,expected", [
    ("新华街道翠湖社区", "新华街道翠湖社区-20261129-180000.pollday"),
    ('a/b:c*d?"e<f>g|h i', "a_b_c_d_e_f_g_h_i-20261129-180000.pollday"),
])
def test_package_name(community: str, expected: str) -> None:
    from app.export.build import package_name

    assert package_name(community, AT) == expected


def chain_problems(rows: list[dict], db: Path) -> list[str]:
    """db.audit.verify_chain over the package's audit rows, loaded into a new database."""
    from db.audit import verify_chain
    from db.connection import connect

    conn = connect(db)
    conn.executemany(
        "INSERT INTO audit (id, at, actor, action, meeting_id, detail, outcome, prev_hash, hash)"
        " VALUES (:id, :at, :actor, :action, :meeting_id, :detail, :outcome, :prev_hash, :hash)",
        rows)
    problems = verify_chain(conn)
    conn.close()
    return problems


def test_audit_log_in_the_package_reverifies_its_chain(exported: Exported, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in
            _read(exported.package)[fmt.EVENTS_AUDIT].decode().splitlines()]
    assert len(rows) > 100 and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert chain_problems(rows, tmp_path / "chain.db") == []
    rows[5]["actor"] = "someone else"
    assert chain_problems(rows, tmp_path / "chain2.db") == [
        f"第 {rows[5]['id']} 条审计记录内容与它的校验值不符（写入后被改动过）"]


def test_results_text_speaks_the_results_pages_words(exported: Exported, home: Path) -> None:
    """`pollday results` without --json: the round's kind, decision and state in words and
    every candidate's votes (a CLI walk saw '第1轮 first：elected，closed' and no counts)."""
    doc = json.loads(subprocess.run([*pollday_cmd(), "results", "--db", str(exported.db),
                                     "--meeting", "party", "--json"], capture_output=True,
                                    check=True).stdout)
    text = subprocess.run([*pollday_cmd(), "results", "--db", str(exported.db), "--meeting",
                           "party"], capture_output=True, text=True, check=True).stdout
    assert "第1轮（选举）：选举产生，已锁定" in text
    for word in ("first", "elected", "closed", "locked"):
        assert word not in text
    tally = doc["contests"][0]["rounds"][0]["output"]["contests"][0]["tally"][0]
    assert f"{tally['name']}：赞成 {tally['approve']}，不赞成 {tally['disapprove']}" in text
