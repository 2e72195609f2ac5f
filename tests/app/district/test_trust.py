"""District trust (issue 13, finding 3): the community's registered key decides. A package from
another key is quarantined (listed with the reason, never counted) until a person approves it with
a reason; any package can be excluded and re-included (audited); a community's first package,
with no key registered, counts but is marked 未核对密钥 in every report until a person confirms
the fingerprint against the paper slip."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.export.package import assemble
from app.keys import InstallationKey
from tests.app.district.conftest import cli, import_lines

TZ = dt.timezone(dt.timedelta(hours=8))
GENUINE = InstallationKey(Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33))))
IMPOSTOR = InstallationKey(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def _resign(src: Path, key: InstallationKey, at: dt.datetime, out: Path) -> Path:
    with zipfile.ZipFile(src) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {n: zf.read(n) for n in zf.namelist() if n not in ("manifest.json",
                                                                     "manifest.sig")}
    fields = {k: v for k, v in manifest.items()
              if k not in ("files", "key", "format", "format_version")}
    fields["exported_at"] = at.isoformat(timespec="seconds")
    out.write_bytes(assemble(files, fields, key, at).data)
    return out


def _report(db: Path) -> dict[str, Any]:
    return dict(json.loads(cli("district", "report", "--db", db, "--json")))


def _community(report: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(next(c for c in report["per_community"] if c["community"] == name))


@pytest.fixture()
def source(demo_dir: Path) -> Path:
    return sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)[0]


def test_impostor_with_registered_key_is_quarantined_not_counted(source: Path,
                                                                 tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    genuine = _resign(source, GENUINE, dt.datetime(2026, 12, 1, 9, tzinfo=TZ),
                      tmp_path / "genuine.pollday")
    impostor = _resign(source, IMPOSTOR, dt.datetime(2099, 1, 1, 9, tzinfo=TZ),
                       tmp_path / "impostor.pollday")
    later = _resign(source, GENUINE, dt.datetime(2026, 12, 5, 9, tzinfo=TZ),
                    tmp_path / "later.pollday")
    first = import_lines(db, genuine)[0]
    community = str(first["community"])
    cli("district", "key", "--db", db, community, GENUINE.fingerprint)
    line = import_lines(db, impostor)[0]
    assert line["result"] == "quarantined", line
    assert IMPOSTOR.fingerprint in str(line["reason"]) and GENUINE.fingerprint in str(
        line["reason"])
    report = _report(db)
    c = _community(report, community)
    assert c["package"] == first["short_hash"]          # the genuine package still counts
    assert c["fingerprint"] == GENUINE.fingerprint
    assert [q["short_hash"] for q in report["quarantined"]] == [line["short_hash"]]
    again = import_lines(db, later)[0]
    assert again["result"] == "superseded", again        # counted, replaces the first genuine
    assert _community(_report(db), community)["package"] == again["short_hash"]
    # A person approves the quarantined package with a reason: it counts (latest export).
    cli("district", "approve", "--db", db, str(line["short_hash"]), "--reason",
        "电话核实：换了笔记本", "--by", "王干事")
    assert _community(_report(db), community)["package"] == line["short_hash"]
    audit = [json.loads(x) for x in cli("district", "audit", "--db", db).splitlines()]
    assert [a["action"] for a in audit][-1] == "approve"
    assert audit[-1]["reason"] == "电话核实：换了笔记本" and audit[-1]["by"] == "王干事"


def test_approve_needs_a_reason(source: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    a = import_lines(db, _resign(source, GENUINE, dt.datetime(2026, 12, 1, 9, tzinfo=TZ),
                                 tmp_path / "a.pollday"))[0]
    b = import_lines(db, _resign(source, IMPOSTOR, dt.datetime(2026, 12, 2, 9, tzinfo=TZ),
                                 tmp_path / "b.pollday"))[0]
    assert b["result"] == "quarantined"   # not the key of the community's first package
    cli("district", "approve", "--db", db, str(b["short_hash"]), "--reason", " ", ok=(1,))
    assert _community(_report(db), str(a["community"]))["package"] == a["short_hash"]


def test_exclude_and_include_again(source: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    a = import_lines(db, _resign(source, GENUINE, dt.datetime(2026, 12, 1, 9, tzinfo=TZ),
                                 tmp_path / "a.pollday"))[0]
    b = import_lines(db, _resign(source, GENUINE, dt.datetime(2026, 12, 2, 9, tzinfo=TZ),
                                 tmp_path / "b.pollday"))[0]
    community = str(a["community"])
    assert _community(_report(db), community)["package"] == b["short_hash"]
    cli("district", "exclude", "--db", db, str(b["short_hash"]), "--reason", "报送有误")
    report = _report(db)
    assert _community(report, community)["package"] == a["short_hash"]
    assert [x["short_hash"] for x in report["excluded"]] == [b["short_hash"]]
    cli("district", "exclude", "--db", db, str(a["short_hash"]), "--reason", "也有误")
    c = _community(_report(db), community)
    assert c["package"] == "" and c["stage"] == "未开始"
    cli("district", "include", "--db", db, str(b["short_hash"]), "--reason", "核实无误")
    assert _community(_report(db), community)["package"] == b["short_hash"]
    actions = [json.loads(x)["action"] for x in cli("district", "audit", "--db", db).splitlines()]
    assert actions == ["exclude", "exclude", "include"]


def test_first_package_is_marked_unverified_until_confirmed(source: Path,
                                                              tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    line = import_lines(db, _resign(source, GENUINE, dt.datetime(2026, 12, 1, 9, tzinfo=TZ),
                                    tmp_path / "a.pollday"))[0]
    assert line["result"] == "imported" and "未核对密钥" in str(line["reason"])
    community = str(line["community"])
    report = _report(db)
    assert _community(report, community)["key_status"] == "未核对密钥"
    assert report["unverified_key"] == [community]
    text = cli("district", "report", "--db", db)
    assert "未核对密钥" in text and community in text
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    cli("district", "report", "--db", db, "--out", xlsx)
    cli("district", "report", "--db", db, "--out", pdf)
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if v is not None]
    assert any("未核对密钥" in v for v in cells)
    pdftext = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert "未核对密钥" in pdftext
    # The wrong fingerprint from the slip is refused; the right one confirms.
    cli("district", "confirm-key", "--db", db, community, IMPOSTOR.fingerprint, ok=(1,))
    cli("district", "confirm-key", "--db", db, community, GENUINE.fingerprint)
    report = _report(db)
    assert _community(report, community)["key_status"] == "已核对"
    assert report["unverified_key"] == []
    assert "未核对密钥" not in cli("district", "report", "--db", db)
    actions = [json.loads(x)["action"] for x in cli("district", "audit", "--db", db).splitlines()]
    assert actions == ["confirm_key"]


def test_version_2_district_database_upgrades_keeping_history(source: Path,
                                                               tmp_path: Path) -> None:
    """A district database of schema 2 (before trust) keeps its attempts, packages and keys."""
    import sqlite3

    from db.connection import migration_files
    from db.district import connect

    db = tmp_path / "v2.db"
    conn = sqlite3.connect(db)
    for _v, sql in migration_files("district_migrations")[:2]:
        conn.executescript(sql)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO import_attempt (at, file_name, result, reason) VALUES "
                 "('2026-12-01T09:00:00', 'x.pollday', 'rejected', '不是 zip')")
    community = json.loads(zipfile.ZipFile(source).read("manifest.json"))["community"]
    conn.execute("INSERT INTO registered_key VALUES (?, '0000-1111-2222-AAAA', 'x')",
                 (community,))
    conn.commit()
    conn.close()
    c = connect(db)
    assert c.execute("PRAGMA user_version").fetchone()[0] == 4
    assert c.execute("SELECT result, reason FROM import_attempt").fetchall() == [
        ("rejected", "不是 zip")]
    assert c.execute("SELECT source FROM registered_key").fetchall() == [("slip",)]
    with pytest.raises(sqlite3.DatabaseError):
        c.execute("INSERT INTO decision (at, by, action, community, reason) VALUES "
                  "('t', 'x', 'register_key', '某社区', ' ')")    # a reason is required
    c.execute("INSERT INTO decision (at, by, action, community, reason) VALUES "
              "('t', 'x', 'register_key', '某社区', '交接单')")
    with pytest.raises(sqlite3.DatabaseError):
        c.execute("DELETE FROM decision")                            # append-only
    c.close()
    line = import_lines(db, source)[0]
    assert line["result"] == "quarantined"   # the key registered under schema 2 still decides
