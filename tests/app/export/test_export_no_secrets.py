"""No secret leaves the venue: a 报送包 made after a day in host mode holds no key material and
none of the database's own secrets, in any file, in any form.

The day as users have it: the demo venue (8,169 persons) served by a real `pollday serve` on
127.0.0.1 (its defaults), two desks joining with `pollday desk` and signing people in, a backup
to the stick, then `pollday export` from the host's database and from a desk's. Every file of the
packages is scanned: the zip entries' bytes, the PDFs' text (pdftotext), the XLSX's inner files,
and the SQLite snapshot twice: every cell of every table, and the raw file bytes (free pages
included). The staff list's PIN hashes and salts are searched for too (hex, raw, base64). The
backup is the venue's full copy and keeps them (README says so).
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.export import format as fmt
from tests.app.export.test_export_package import find_secrets
from tests.app.sync.sync_venue import Procs, desk, free_port, serve

AT = "2026-11-29T18:00:00+08:00"
PEM_MARKERS = (b"-----BEGIN", b"PRIVATE KEY", b"BEGIN CERTIFICATE")
# Columns that hold a secret by their name (whatever table a later schema adds them to).
SECRET_COLUMN = re.compile(r"(^|_)(secret|password|passwd|token|pin|pin_hash|key_pem|private)"
                           r"(_|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Day:
    host_db: Path
    desk_db: Path
    home: Path
    stick: Path
    host_package: Path
    desk_package: Path
    backup: Path
    exact: set[bytes]       # secrets searched as byte strings anywhere
    runs: set[bytes]        # secrets of [0-9A-Za-z_-] searched inside runs (find_secrets)


def _pollday(*args: str | Path) -> str:
    import contextlib

    from app.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in args])
    assert code == 0, (args, out.getvalue())
    return out.getvalue()


def _absent_tokens(db: Path, n: int) -> list[str]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT token FROM person WHERE party_status = 'full' AND id NOT IN"
        " (SELECT person_id FROM attendance_event) AND id NOT IN (SELECT person_id FROM"
        " exclusion) AND id NOT IN (SELECT person_id FROM leave) ORDER BY id LIMIT ?",
        (n,)).fetchall()
    conn.close()
    return [str(r[0]) for r in rows]


def _pem_needles(pem: str) -> tuple[set[bytes], set[bytes]]:
    """A PEM private key as it could leak: the whole text, each base64 line, the DER bytes, and
    the raw private bytes where the key type has them (Ed25519)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    exact = {pem.encode(), pem.strip().encode()}
    body = [ln for ln in pem.strip().splitlines() if not ln.startswith("-----")]
    runs = {ln.encode() for ln in body if len(ln) >= 16}
    exact |= runs | {"".join(body).encode()}
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    exact.add(der)
    if isinstance(key, Ed25519PrivateKey):
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        exact |= {raw, base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"="),
                  raw.hex().encode(), raw.hex().upper().encode()}
    return exact, runs


def _secrets_of(dbs: list[Path], home: Path) -> tuple[set[bytes], set[bytes]]:
    """What must never travel: the host's pairing (secret, TLS key), the desks' sync state,
    every person's sign-in token, full ID number and phone, every value of a column named like a
    secret, and the installation's signing key."""
    exact: set[bytes] = set()
    runs: set[bytes] = set()
    for db in dbs:
        conn = sqlite3.connect(db)
        for secret, key_pem, room in conn.execute("SELECT secret, key_pem, room FROM sync_host"):
            runs |= {secret.encode()}
            exact |= {secret.encode(), room.encode()}
            e, r = _pem_needles(key_pem)
            exact |= e
            runs |= r
        for (instance,) in conn.execute("SELECT instance FROM sync_peer UNION ALL"
                                        " SELECT instance FROM sync_desk"):
            exact.add(instance.encode())
        exact |= {bytes(d) for (d,) in conn.execute("SELECT data FROM sync_update")
                  if len(d) >= 24}
        runs |= {str(v).encode() for row in conn.execute(
            "SELECT id_number, phone, token FROM person") for v in row if v}
        exact |= _pin_needles(conn)
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_schema WHERE type ="
                                             " 'table' AND name NOT LIKE 'sqlite_%'")]
        for t in tables:
            for c in conn.execute(f'PRAGMA table_info("{t}")'):
                if not SECRET_COLUMN.search(str(c[1])):
                    continue
                for (v,) in conn.execute(f'SELECT "{c[1]}" FROM "{t}"'):
                    b = v if isinstance(v, bytes) else str(v or "").encode()
                    if len(b) >= 6:
                        (runs if re.fullmatch(rb"[0-9A-Za-z_-]+", b) else exact).add(b)
        conn.close()
    e, r = _pem_needles((home / "installation-ed25519.pem").read_text())
    return exact | e, runs | r


def _staff_list(conn: sqlite3.Connection) -> None:
    """The venue's staff with their PINs (stored as scrypt hashes: what must not travel)."""
    import datetime as dt

    from app.clock import FixedClock
    from app.staff import add_staff

    clock = FixedClock(dt.datetime.fromisoformat(AT))
    for name, role, pin in (("主持人甲", "主持人", "246810"), ("签到员乙", "签到员", "135792")):
        got = add_staff(conn, name, [role], pin, actor="", clock=clock)
        assert not hasattr(got, "code"), got


def _pin_needles(conn: sqlite3.Connection) -> set[bytes]:
    """Each staff PIN hash and salt as it could leak: hex (both cases), raw bytes, base64."""
    out: set[bytes] = set()
    for h, salt in conn.execute("SELECT pin_hash, pin_salt FROM staff WHERE pin_hash != ''"):
        for hexed in (str(h), str(salt)):
            raw = bytes.fromhex(hexed)
            out |= {hexed.encode(), hexed.upper().encode(), raw, base64.b64encode(raw),
                    base64.urlsafe_b64encode(raw).rstrip(b"=")}
    return out


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    from app.demo import build_demo
    from db.connection import connect

    root = tmp_path_factory.mktemp("venue-day")
    home = root / "home"
    procs = Procs()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLLDAY_HOME", str(home))
        host_db = root / "host.db"
        conn = connect(host_db)
        build_demo(conn, stage="final")
        _staff_list(conn)
        conn.close()
        tokens = _absent_tokens(host_db, 6)
        pairing = root / "pairing.txt"
        try:
            serve(procs, host_db, free_port(), pairing)
            desks = [root / "desk2.db", root / "desk3.db"]
            for db, name, who in ((desks[0], "二号台", tokens[:3]), (desks[1], "三号台", tokens[3:])):
                code, lines, _status = desk(procs, db, pairing, name, who, timeout=60)
                assert code == 0, lines
                assert [x.get("result") for x in lines] == ["signed_in"] * 3, lines
        finally:
            for p in procs.procs:     # a clean stop, as the chair closes host mode
                p.terminate()
            procs.kill_all()
        hc = sqlite3.connect(host_db)
        assert hc.execute("SELECT count(*) FROM sync_host").fetchone()[0] == 1
        assert hc.execute("SELECT count(*) FROM sync_desk").fetchone()[0] == 2
        assert hc.execute("SELECT count(*) FROM sync_update").fetchone()[0] > 0
        hc.close()
        stick = root / "stick"
        _pollday("backup", "--db", host_db, "--to", stick, "--at", AT)
        (backup,) = stick.glob("pollday-backup-*.db")
        host_package = Path(_pollday("export", "--db", host_db, "--to", stick / "host",
                                     "--at", AT).splitlines()[0])
        desk_package = Path(_pollday("export", "--db", desks[0], "--to", stick / "desk",
                                     "--at", AT).splitlines()[0])
        exact, runs = _secrets_of([host_db, *desks], home)
    return Day(host_db, desks[0], home, stick, host_package, desk_package, backup, exact, runs)


def _entries(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _leaks(name: str, hay: bytes, day: Day) -> list[str]:
    found = [f"{name}: {m.decode()}" for m in PEM_MARKERS if m in hay]
    found += [f"{name}: exact {s[:24]!r}" for s in day.exact if s in hay]
    found += [f"{name}: {s[:24]!r}" for s in find_secrets(hay, day.runs)]
    return found


def _sqlite_leaks(name: str, data: bytes, day: Day, folder: Path) -> list[str]:
    """Every cell of every table, then the raw bytes (free pages and all)."""
    path = folder / "scan.sqlite"
    path.write_bytes(data)
    found = _leaks(f"{name} (raw bytes)", data, day)
    conn = sqlite3.connect(path)
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    for t in tables:
        rows = conn.execute(f'SELECT * FROM "{t}"').fetchall()
        if t.startswith("sync_") and rows:
            found.append(f"{name}: table {t} holds {len(rows)} rows")
        # Every cell, one table at a time: cells joined by a separator no secret contains.
        cells = b"\n\x00\n".join(v if isinstance(v, bytes) else str(v).encode()
                                  for row in rows for v in row if v is not None)
        found += _leaks(f"{name} table {t}", cells, day)
    conn.close()
    return found


def _scan(package: Path, day: Day, folder: Path) -> list[str]:
    from tests.app.documents.pdf_tools import pdf_text

    found: list[str] = []
    entries = _entries(package)
    assert fmt.SNAPSHOT in entries or package.name.endswith(fmt.EXTENSION)
    for name, data in entries.items():
        found += _leaks(name, data, day)
        if name.endswith(".pdf"):
            pdf = folder / "scan.pdf"
            pdf.write_bytes(data)
            found += _leaks(f"{name} (text)", pdf_text(pdf).encode(), day)
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as x:
                for inner in x.infolist():
                    found += _leaks(f"{name}/{inner.filename}", x.read(inner), day)
        if name.endswith(".sqlite"):
            found += _sqlite_leaks(name, data, day, folder)
    return found


def _report(found: list[str]) -> str:
    from collections import Counter

    where = Counter(f.split(": ", 1)[0] for f in found)
    return f"{len(found)} leaks: {dict(where)}; e.g. {found[:6]}"


def test_the_scan_finds_what_it_looks_for(day: Day, tmp_path: Path) -> None:
    """The backup is the venue's full copy: it keeps the pairing and the tokens, and the scan
    says so (a scan that cannot fail proves nothing)."""
    assert len(day.runs) > 16000 and len(day.exact) > 10
    found = _sqlite_leaks("backup", day.backup.read_bytes(), day, tmp_path)
    assert any("sync_host holds 1 rows" in f for f in found)
    backup = sqlite3.connect(day.backup)
    hashes = _pin_needles(backup)
    backup.close()
    assert len(hashes) >= 10 and hashes <= day.exact
    assert any("table staff" in f for f in found)       # the PIN hashes are found where kept
    assert any("PRIVATE KEY" in f for f in found)
    assert any("person" in f for f in found)


def test_host_package_holds_no_secret(day: Day, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed: the PDFs' text cannot be scanned")
    found = _scan(day.host_package, day, tmp_path)
    assert found == [], _report(found)


def test_desk_package_holds_no_secret(day: Day, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed: the PDFs' text cannot be scanned")
    found = _scan(day.desk_package, day, tmp_path)
    assert found == [], _report(found)


def test_package_still_verifies_and_imports(day: Day, tmp_path: Path) -> None:
    lines = _pollday("district", "import", "--db", tmp_path / "district.db", day.host_package)
    assert json.loads(lines.splitlines()[0])["result"] == "imported", lines
