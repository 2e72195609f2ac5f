"""Explicit transactions. `with db.conn:` does not roll back sqlite-utils writes; this does."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


@contextmanager
def transaction(db: sqlite_utils.Database | sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT (durable: synchronous=FULL), ROLLBACK on any exception."""
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    if conn.in_transaction:
        # Nested use joins the outer transaction: the outer block commits or rolls back.
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
