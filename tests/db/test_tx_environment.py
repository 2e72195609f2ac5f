"""db.tx.transaction when the environment fails: SQLite's own rollback is not followed by a
second ROLLBACK that hides the error; a failed COMMIT leaves no transaction open; a database
file deleted or replaced under the connection is refused before anything is committed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.connection import connect
from db.identity import DatabaseFileChanged
from db.tx import transaction


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    c = connect(tmp_path / "t.db", migrate_schema=False)
    c.execute("CREATE TABLE t (x INTEGER)")
    yield c
    c.close()


def _count(c: sqlite3.Connection) -> int:
    return int(c.execute("SELECT count(*) FROM t").fetchone()[0])


def test_the_real_error_surfaces_when_sqlite_rolled_back_itself(conn: sqlite3.Connection) -> None:
    """An interrupted write (like a full disk or an I/O error) makes SQLite roll the whole
    transaction back; ROLLBACK then fails with 'no transaction is active' and used to replace
    the error that mattered."""
    conn.set_progress_handler(lambda: 1, 1000)
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
            conn.execute("INSERT INTO t WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                         " FROM r WHERE i < 100000) SELECT i FROM r")
    conn.set_progress_handler(None, 0)
    assert not conn.in_transaction
    assert _count(conn) == 0
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
    assert _count(conn) == 1


def test_an_ordinary_error_still_rolls_back(conn: sqlite3.Connection) -> None:
    with pytest.raises(ZeroDivisionError):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
            _ = 1 / 0
    assert not conn.in_transaction and _count(conn) == 0


def test_a_deleted_file_is_refused_naming_it(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows does not let an open database file be deleted")
    path = tmp_path / "选举.db"
    c = connect(path, migrate_schema=False)
    c.execute("CREATE TABLE t (x INTEGER)")
    path.unlink()
    with pytest.raises(DatabaseFileChanged) as got:
        with transaction(c):
            c.execute("INSERT INTO t VALUES (1)")
    assert got.value.deleted and str(path) in str(got.value)
    assert not c.in_transaction
    c.close()


def test_a_file_replaced_inside_the_transaction_commits_nothing(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows does not let an open database file be replaced")
    path = tmp_path / "选举.db"
    c = connect(path, migrate_schema=False)
    c.execute("CREATE TABLE t (x INTEGER)")
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, tmp_path / "copy.db")
    with pytest.raises(DatabaseFileChanged) as got:
        with transaction(c):
            c.execute("INSERT INTO t VALUES (1)")
            os.replace(tmp_path / "copy.db", path)  # swapped while the write is under way
    assert not got.value.deleted
    assert _count(c) == 0  # rolled back in the file the connection holds
    c.close()


def test_a_failed_commit_on_a_full_disk_leaves_no_open_transaction(tmp_path: Path) -> None:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root on Linux")
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        c = connect(mount / "t.db", migrate_schema=False)
        c.execute("CREATE TABLE t (x BLOB)")
        with open(mount / "filler", "ab", buffering=0) as f:
            for size in (65536, 4096, 1):
                try:
                    while True:
                        f.write(b"\0" * size)
                except OSError:
                    pass
        with pytest.raises(sqlite3.Error) as got:
            with transaction(c):
                # Small enough to stay in the page cache: the WAL is written at COMMIT.
                for _ in range(4):
                    c.execute("INSERT INTO t VALUES (randomblob(65536))")
        (mount / "filler").unlink()
        assert "full" in str(got.value).lower(), got.value
        assert "no transaction is active" not in str(got.value)
        assert not c.in_transaction  # a later write starts its own transaction
        c.execute("DELETE FROM t")
        with transaction(c):
            c.execute("INSERT INTO t VALUES (x'01')")
        assert c.execute("SELECT count(*) FROM t").fetchone()[0] == 1
        c.close()
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
