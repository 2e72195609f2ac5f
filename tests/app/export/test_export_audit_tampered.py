"""A tester dropped the trigger audit_no_update with sqlite3 OUTSIDE the program, changed two
audit rows (a staff name, and who co-signed a lock), recreated the trigger: the 审计日志 page
turned red, but the export still said "完整，签名有效", `pollday verify` too, and the district
counted the package. Now: the export refuses naming every changed row and how to proceed, a
package carrying such a log (an older version's, or a forger's with a stolen key) fails
`pollday verify` with 审计链断裂（第 N 条起）, the district refuses to count it, and the audit
check names EVERY row that fails, in Chinese."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.app.export.conftest import AT, Exported
from tests.conftest import pollday_cmd

EDITED = (5, 34)


def tamper_outside(db: Path, rows: tuple[int, ...] = EDITED) -> None:
    """What the tester did in the sqlite3 shell: drop the append-only trigger, rewrite rows,
    put the trigger back (the schema looks untouched afterwards)."""
    conn = sqlite3.connect(db)
    try:
        trigger = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'trigger'"
                               " AND name = 'audit_no_update'").fetchone()[0]
        conn.execute("DROP TRIGGER audit_no_update")
        first, *others = rows
        conn.execute("UPDATE audit SET detail = json_set(detail, '$.name', '钱改名')"
                     " WHERE id = ?", (first,))
        for rid in others:
            conn.execute("UPDATE audit SET actor = '王监二' WHERE id = ?", (rid,))
        conn.execute(trigger)
        conn.commit()
    finally:
        conn.close()


def _run(*args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POLLDAY_HOME=str(home), PYTHONUTF8="1")
    return subprocess.run([*pollday_cmd(), *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=300)


@pytest.fixture
def tampered(exported: Exported, tmp_path: Path) -> Path:
    db = tmp_path / "tampered.db"
    shutil.copyfile(exported.db, db)
    tamper_outside(db)
    return db


def _forged_package(db: Path, folder: Path, home: Path,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """The package an older version (no chain check at export) or a forger holding the key
    writes from the tampered database: genuinely signed, every file's hash right."""
    from app.export import build
    from app.keys import load_or_create

    monkeypatch.setenv("POLLDAY_HOME", str(home))
    monkeypatch.setattr(build, "audit_refusal", lambda _db: None, raising=False)
    built = build.build_package(db, key=load_or_create(), at=AT)
    assert isinstance(built, build.BuiltPackage), built
    folder.mkdir()
    path = folder / built.name
    path.write_bytes(built.data)
    return path


def test_export_refuses_a_log_edited_outside_the_program(tampered: Path, exported: Exported,
                                                         tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    p = _run("export", "--db", tampered, "--to", stick, "--at", AT.isoformat(),
             home=exported.home)
    assert p.returncode != 0, p.stdout
    assert list(stick.iterdir()) == []
    words = p.stderr
    assert "不能导出报送包" in words and "第 5、34 条" in words, words
    assert "第 5 条（" in words and "第 34 条（" in words and "被改动过" in words
    assert "备份" in words and "审计记录完整" in words      # how to proceed
    # The use case, for every caller (GUI, CLI): a refusal with its code.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.export.build import build_package
    from app.keys import InstallationKey

    got = build_package(tampered, key=InstallationKey(Ed25519PrivateKey.generate()), at=AT)
    assert getattr(got, "code", None) == "AUDIT_BROKEN"


def test_an_intact_log_still_exports(exported: Exported) -> None:
    from app.export import verify_package

    v = verify_package(exported.package)
    assert v.ok, v.problems
    assert "完整，签名有效" in "\n".join(v.summary_lines())


def test_verify_reports_the_broken_chain_inside_a_signed_package(
        tampered: Path, exported: Exported, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    package = _forged_package(tampered, tmp_path / "stick", exported.home, monkeypatch)
    p = _run("verify", package, home=exported.home)
    assert p.returncode != 0, p.stdout
    out = p.stdout + p.stderr
    assert "完整，签名有效" not in out
    assert "审计链断裂（第 5 条起）" in out and "第 5、34 条" in out, out
    assert "审计链头：审计链断裂，链头不能作为凭据" in out
    js = json.loads(_run("verify", package, "--json", home=exported.home).stdout)
    assert not js["ok"] and "AUDIT_BROKEN" in [x["code"] for x in js["problems"]]


def test_only_the_jsonl_log_changed_is_caught_too(exported: Exported, tmp_path: Path) -> None:
    """A forger who rewrote events/audit.jsonl (and re-signed) but not the archive."""
    import zipfile

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.export import format as fmt
    from app.export import verify_package
    from app.export.package import assemble
    from app.keys import InstallationKey

    with zipfile.ZipFile(exported.package) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist()}
    manifest = json.loads(files.pop(fmt.MANIFEST))
    files.pop(fmt.SIGNATURE)
    rows = [json.loads(x) for x in files[fmt.EVENTS_AUDIT].decode().splitlines()]
    rows[33]["actor"] = "王监二"
    files[fmt.EVENTS_AUDIT] = fmt.jsonl_bytes(rows)
    fields = {k: v for k, v in manifest.items()
              if k not in ("format", "format_version", "key", "files")}
    forged = tmp_path / "forged.pollday"
    key = InstallationKey(Ed25519PrivateKey.generate())
    forged.write_bytes(assemble(files, fields, key, AT).data)
    v = verify_package(forged)
    assert [p.code for p in v.problems] == ["AUDIT_BROKEN"]
    assert v.problems[0].path == fmt.EVENTS_AUDIT
    assert f"审计链断裂（第 {rows[33]['id']} 条起）" in v.problems[0].message


def test_district_refuses_to_count_it_naming_the_break(
        tampered: Path, exported: Exported, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.district.importing import import_package
    from db import district as store

    package = _forged_package(tampered, tmp_path / "stick", exported.home, monkeypatch)
    dist = tmp_path / "district.db"
    conn = store.connect(dist)
    try:
        got = import_package(conn, package, dt.datetime(2026, 12, 1, 9, 0))
        assert got.result == "rejected", got
        assert got.reason.startswith("审计链断裂（第 5 条起）"), got.reason
        assert "未计入汇总" in got.reason and "备份" in got.reason
        assert conn.execute("SELECT COUNT(*) FROM package").fetchone()[0] == 0
    finally:
        conn.close()
    # The same from the command line, as the clerk runs it.
    p = _run("district", "import", "--db", tmp_path / "district2.db", package,
             home=exported.home)
    assert "审计链断裂（第 5 条起）" in p.stdout + p.stderr, (p.stdout, p.stderr)


def test_audit_verify_and_list_name_every_row_in_chinese(tampered: Path,
                                                         exported: Exported) -> None:
    p = _run("audit", "verify", "--db", tampered, home=exported.home)
    assert p.returncode != 0
    out = p.stdout + p.stderr
    assert "does not match" not in out and "row edited" not in out
    assert "第 5 条审计记录内容与它的校验值不符" in out, out
    assert "第 34 条审计记录内容与它的校验值不符" in out
    p = _run("audit", "list", "--db", tampered, home=exported.home)
    out = p.stdout + p.stderr
    assert "第 5、34 条" in out and "第 34 条（" in out, out[:2000]
    marked = [line for line in p.stdout.splitlines() if "[校验不符]" in line]
    assert [line.split()[0] for line in marked] == ["5", "34"], marked


@pytest.mark.parametrize("kind", ["notice", "count-report"])
def test_paper_never_vouches_for_a_broken_chain(tampered: Path, exported: Exported,
                                                tmp_path: Path, kind: str) -> None:
    """The notice and the count report print the chain head; from a log that does not
    re-verify they say it proves nothing (they printed 一致即说明此前的审计记录未被改写)."""
    out = tmp_path / f"{kind}.pdf"
    p = _run("print", kind, "--db", tampered, "--out", out, "--meeting", "party",
             "--at", AT.isoformat(), home=exported.home)
    assert p.returncode == 0, p.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "")
    assert "一致即说明此前的审计记录未被改写" not in text
    assert "审计链断裂（第5条起）：此链头不能作为凭据" in text, text[-800:]
    assert "第5、34条审计记录无法核实" in text
    good = tmp_path / f"{kind}-good.pdf"
    assert _run("print", kind, "--db", exported.db, "--out", good, "--meeting", "party",
                "--at", AT.isoformat(), home=exported.home).returncode == 0
    intact = subprocess.run(["pdftotext", "-layout", str(good), "-"], capture_output=True,
                            text=True, check=True).stdout.replace(" ", "")
    assert "一致即说明此前的审计记录未被改写" in intact and "审计链断裂" not in intact


def test_audit_report_pdf_marks_every_changed_row(tampered: Path, exported: Exported,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "audit.pdf"
    p = _run("audit", "list", "--db", tampered, "--out", out, home=exported.home)
    assert out.exists(), p.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "").replace("\n", "")
    assert text.count("（校验不符）") == 2, text[:1500]
    assert "审计链断裂（第5条起）：此链头不能作为凭据" in text


def test_district_excludes_the_same_package_counted_before(
        tampered: Path, exported: Exported, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The walker's district database had already counted the package (imported by the
    version that did not check the log): importing the file again now takes it out."""
    from app.district import trust
    from app.district.importing import import_package
    from app.export import verify as verify_module
    from db import district as store

    package = _forged_package(tampered, tmp_path / "stick", exported.home, monkeypatch)
    conn = store.connect(tmp_path / "district.db")
    try:
        with monkeypatch.context() as old:   # the version that did not check the log
            old.setattr(verify_module, "audit_problems", lambda *_a: [], raising=False)
            first = import_package(conn, package, dt.datetime(2026, 12, 1, 9, 0))
        assert first.result == "imported", first
        community = first.community
        assert trust.trust_of(conn, community).current is not None
        again = import_package(conn, package, dt.datetime(2026, 12, 1, 9, 5))
        assert again.result == "rejected", again
        assert again.reason.startswith("审计链断裂（第 5 条起）"), again.reason
        assert "现已排除出汇总" in again.reason and first.short_hash in again.reason
        assert trust.trust_of(conn, community).current is None
        states = trust.trust_of(conn, community).states
        assert [s.status for s in states] == [trust.EXCLUDED]
    finally:
        conn.close()
