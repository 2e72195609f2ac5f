"""Explicit transactions. `with db.conn:` does not roll back sqlite-utils writes; this does."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from db import identity


@contextmanager
def transaction(db: sqlite_utils.Database | sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT (durable: synchronous=FULL), ROLLBACK on any exception.

    The database file is checked before the writes and again before COMMIT (db/identity.py):
    a file deleted or replaced under a running app raises DatabaseFileChanged and nothing is
    committed into the orphaned file."""
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    if conn.in_transaction:
        # Nested use joins the outer transaction: the outer block commits or rolls back.
        yield
        return
    identity.check(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        identity.check(conn)  # again, now that no other writer can get in
        yield
        identity.check(conn)
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    """ROLLBACK when a transaction is still open. SQLite rolls back on its own after some
    errors (disk full, interrupted, I/O error): a second ROLLBACK would fail ("no transaction
    is active") and hide the error that matters, so it is not issued then; a failing ROLLBACK
    is likewise not allowed to replace the original error."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the original exception is re-raised by the caller
