"""Schema migrations: fresh create, upgrade of a kept file of every released schema (all rows
kept), refusal of a newer database."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from pdtest import FIXTURES

from db.connection import SchemaTooNew, connect, latest_version


def test_fresh_database_is_latest_with_pragmas(db_path) -> None:
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    strict = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type='table'").fetchall()
    for name, sql in strict:
        if name.startswith("sqlite_"):
            continue
        assert "STRICT" in sql, f"table {name} is not STRICT"


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: [str(c[1]) for c in conn.execute(f'PRAGMA table_info("{t}")')] for t in names}


def _rows(conn: sqlite3.Connection, table: str, cols: list[str]) -> list[tuple[object, ...]]:
    quoted = ", ".join(f'"{c}"' for c in cols)
    return sorted(conn.execute(f'SELECT {quoted} FROM "{table}"').fetchall(), key=repr)


def test_a_kept_database_for_every_released_schema() -> None:
    """Releasing schema N means keeping a file of it (tests/fixtures/make_schema.py N)."""
    missing = [v for v in range(1, latest_version() + 1)
               if not (FIXTURES / f"schema-v{v}.db").exists()]
    assert not missing, f"no tests/fixtures/schema-v{missing}.db: run make_schema.py for it"


@pytest.mark.parametrize("version", range(1, latest_version() + 1))
def test_every_kept_schema_upgrades_keeping_all_data(tmp_path, version: int) -> None:
    src = FIXTURES / f"schema-v{version}.db"
    if not src.exists():
        pytest.fail(f"{src.name} missing (see test_a_kept_database_for_every_released_schema)")
    path = tmp_path / src.name
    shutil.copy(src, path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == version
    before = {t: _rows(raw, t, cols) for t, cols in _tables(raw).items()}
    columns = _tables(raw)
    raw.close()
    assert sum(map(len, before.values())) > 0
    if version > 1:   # the fixtures from make_schema.py fill every table of their version
        assert [t for t, rows in before.items() if not rows] == []
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    after = _tables(conn)
    for table, rows in before.items():
        assert table in after, f"schema v{version}: table {table} lost in the upgrade"
        assert _rows(conn, table, columns[table]) == rows, f"v{version}: {table} changed"
    from db.audit import verify_chain

    assert verify_chain(conn) == []
    conn.close()


def test_upgrade_kept_v1_database(tmp_path) -> None:
    src = FIXTURES / "schema-v1.db"
    path = tmp_path / "old.db"
    shutil.copy(src, path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    persons_before = raw.execute("SELECT count(*) FROM person").fetchone()[0]
    raw.close()
    assert persons_before > 0
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("SELECT count(*) FROM person").fetchone()[0] == persons_before
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_newer_database_is_refused(db_path) -> None:
    conn = connect(db_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew) as e:
        connect(db_path)
    assert str(db_path) in str(e.value)


def test_failed_migration_leaves_database_unchanged(db_path, monkeypatch) -> None:
    import db.connection as dc

    good = dc.migration_files()
    broken = [*good, (len(good) + 1, "CREATE TABLE x (a INTEGER) STRICT;\nTHIS IS NOT SQL;")]
    connect(db_path).close()
    monkeypatch.setattr(dc, "migration_files", lambda *a, **k: broken)
    with pytest.raises(sqlite3.OperationalError):
        dc.connect(db_path)
    monkeypatch.undo()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(good)
    assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE name='x'").fetchone()[0] == 0


def test_audit_log_is_append_only_and_chained(db_path) -> None:
    from db import audit

    conn = connect(db_path)
    conn.execute("BEGIN")
    for i in range(3):
        audit.append(conn, at=f"2026-11-22T08:0{i}:00+08:00", actor="clerk", action="test",
                     detail={"i": i, "名": "张三"})
    conn.execute("COMMIT")
    assert audit.verify_chain(conn) == []
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE audit SET actor='x' WHERE id=2")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM audit WHERE id=2")
    # An edit made behind the triggers' back is still detected by the chain.
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET actor='mallory' WHERE id=2")
    problems = audit.verify_chain(conn)
    assert problems and "第 2 条审计记录" in problems[0]
