"""The package's snapshot.sqlite is the district's archive, built from an allowlist
(db/snapshot.py ARCHIVE): every table and column of the schema is decided, the withheld ones are
empty, and the archive does what it is kept for: PollDay opens it and recounts every meeting to
the results the package reports, and its audit chain verifies."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

from app.export import format as fmt
from db import snapshot
from tests.app.export.conftest import Exported


def _archive(exported: Exported, folder: Path) -> Path:
    with zipfile.ZipFile(exported.package) as zf:
        data = zf.read(fmt.SNAPSHOT)
    path = folder / "archive.sqlite"
    path.write_bytes(data)
    return path


def _columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                                         " AND name NOT LIKE 'sqlite_%'")]
    return {t: {str(c[1]) for c in conn.execute(f'PRAGMA table_info("{t}")')} for t in tables}


def test_every_table_and_column_of_the_schema_is_decided(tmp_path: Path) -> None:
    """A table or column a new migration adds fails here until it is listed in ARCHIVE or
    withheld with a reason: nothing travels by default, and nothing is forgotten."""
    from db.connection import connect

    conn = connect(tmp_path / "fresh.db")
    schema = _columns(conn)
    conn.close()
    assert not set(snapshot.ARCHIVE) & set(snapshot.WITHHELD_TABLES)
    undecided = sorted(set(schema) - set(snapshot.ARCHIVE) - set(snapshot.WITHHELD_TABLES))
    assert undecided == [], f"tables neither archived nor withheld: {undecided}"
    for table, allowed in snapshot.ARCHIVE.items():
        withheld = set(snapshot.WITHHELD_COLUMNS.get(table, {}))
        assert not set(allowed) & withheld, table
        assert set(allowed) | withheld == schema[table], (
            f"{table}: undecided {sorted(schema[table] - set(allowed) - withheld)}, "
            f"unknown {sorted(set(allowed) | withheld - schema[table])}")


def test_archive_holds_the_allowlist_only(exported: Exported, tmp_path: Path) -> None:
    from db.connection import latest_version

    conn = sqlite3.connect(_archive(exported, tmp_path))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    for table in snapshot.WITHHELD_TABLES:      # present (PollDay opens it), empty
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == 0, table
    assert conn.execute("SELECT count(*) FROM person WHERE token <> '' OR phone <> ''"
                        " OR note <> ''").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM exclusion WHERE detail <> ''").fetchone()[0] == 0
    src = sqlite3.connect(exported.db)
    for table in ("person", "attendance_event", "ballot_entry", "tally_sheet", "voting_round",
                  "round_event", "audit", "exclusion", "leave", "proxy"):
        n = src.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
    src.close()
    conn.close()


def test_archive_recounts_to_the_package_results(exported: Exported, tmp_path: Path) -> None:
    """What the archive is for: PollDay itself recomputes every meeting from it."""
    from app.meetings import list_meetings
    from app.results import results
    from db.audit import verify_chain
    from db.connection import connect

    conn = connect(_archive(exported, tmp_path), create=False)
    try:
        meetings = list_meetings(conn)
        assert [m.code for m in meetings] == ["party", "plenary", "residents"]
        with zipfile.ZipFile(exported.package) as zf:
            for m in meetings:
                reported = json.loads(zf.read(fmt.results_path(m.code)))
                assert json.loads(json.dumps(results(conn, m))) == reported, m.code
        assert verify_chain(conn) == []
    finally:
        conn.close()


def test_settings_travel_by_allowlist_and_bytes_repeat(exported: Exported,
                                                       tmp_path: Path) -> None:
    import shutil

    source = tmp_path / "source.sqlite"
    shutil.copyfile(exported.db, source)
    c = sqlite3.connect(source)
    c.executemany("INSERT INTO setting VALUES (?, ?)", [
        ("community.street", "新华街道"), ("signing_key.0000-1111-2222-3333", "cHVibGlj"),
        ("sync.register_version", "abc"), ("venue.code", "1234"), ("export.last_package", "{}"),
        ("desk.pin_hash", "scrypt$..."), ("backup.folder", "/media/stick")])
    c.commit()
    c.close()
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    snapshot.build_archive(source, a)
    snapshot.build_archive(source, b)
    assert a.read_bytes() == b.read_bytes()
    conn = sqlite3.connect(a)
    assert dict(conn.execute("SELECT key, value FROM setting")) == {
        "community.street": "新华街道", "signing_key.0000-1111-2222-3333": "cHVibGlj"}
    conn.close()


def test_archive_of_a_kept_v4_database_leaves_its_secrets_home(tmp_path: Path) -> None:
    """A real schema-4 file (host pairing, desks, shared document, tokens, phones), upgraded as
    PollDay opens it: the archive keeps the register masked and none of the secrets, in any
    byte of the file."""
    import shutil

    from pdtest import FIXTURES

    from db.connection import connect

    db = tmp_path / "v4.db"
    shutil.copy(FIXTURES / "schema-v4.db", db)
    connect(db).close()
    out = tmp_path / "archive.sqlite"
    snapshot.build_archive(db, out)
    raw = out.read_bytes()
    for secret in (b"fixture-secret-0123456789", b"PRIVATE KEY", b"PLACEHOLDER", b"fixture-token-",
                   b"13800000001", b"110101196503021234", b"inst-1", b"\x01\x02\x03\x04\x05",
                   "住院".encode(), "备注".encode()):
        assert secret not in raw, secret
    conn = sqlite3.connect(out)
    assert dict(conn.execute("SELECT name, id_number FROM person WHERE id_number IS NOT NULL")) \
        == {"张三": "1101**********1234", "欧阳娜娜": "1101**********002X",
            "王五": "1101**********0013"}
    assert conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0] == 4
    conn.close()
