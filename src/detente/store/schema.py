"""The run store's SQLite layout, its version, and the migrations between versions.

A new database is created at version 1 and brought up to :data:`SCHEMA_VERSION` by the same
migrations an old database goes through, so a fresh store and a migrated one cannot drift
apart. Each migration runs inside the caller's write transaction: a store is at one version or
the next, never between.

Version history
---------------
1
    ``meta``, ``runs`` (without ``engine`` and ``scenario_name``) and ``rows``.
2
    ``runs.engine`` (where a simulation's draws ran) and ``runs.scenario_name`` (filled in
    from each run's scenario copy).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from detente.errors import DetenteError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "StoreError", "read_version", "upgrade"]

#: Version of the layout this package writes.
SCHEMA_VERSION = 2


class StoreError(DetenteError):
    """The run store cannot be used as it is: a newer layout, or a run's data file is missing."""


_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    created         TEXT NOT NULL,
    started         TEXT NOT NULL,
    finished        TEXT NOT NULL,
    detente_version TEXT NOT NULL,
    scenario_id     TEXT NOT NULL,
    scenario_hash   TEXT NOT NULL,
    scenario_json   TEXT NOT NULL,
    models_json     TEXT NOT NULL,
    seed            TEXT,
    document_json   TEXT NOT NULL,
    columns_json    TEXT NOT NULL,
    parquet_file    TEXT,
    n_rows          INTEGER NOT NULL
);
CREATE INDEX runs_by_created ON runs (created);
CREATE TABLE rows (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    n      INTEGER NOT NULL,
    data   TEXT NOT NULL,
    PRIMARY KEY (run_id, n)
) WITHOUT ROWID;
"""


def _create_v1(conn: sqlite3.Connection) -> None:
    # executescript() would COMMIT the caller's transaction first, so run statement by statement.
    for statement in _V1.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")


def _v1_to_v2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE runs ADD COLUMN engine TEXT")
    conn.execute("ALTER TABLE runs ADD COLUMN scenario_name TEXT NOT NULL DEFAULT ''")
    names = [
        (str(json.loads(text).get("name", "")), run_id)
        for run_id, text in conn.execute("SELECT id, scenario_json FROM runs")
    ]
    conn.executemany("UPDATE runs SET scenario_name = ? WHERE id = ?", names)


#: ``MIGRATIONS[v]`` brings a database at version ``v`` to version ``v + 1``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


def read_version(conn: sqlite3.Connection) -> int:
    """The database's layout version; 0 for an empty database.

    Raises
    ------
    StoreError
        The database has tables but no readable version (it is not a run store).
    """
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        return 0
    if "meta" not in tables:
        raise StoreError("the database is not a detente run store (it has no meta table)")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        return int(row[0])
    except (TypeError, ValueError):
        raise StoreError("the run store's meta table has no valid schema_version") from None


def upgrade(conn: sqlite3.Connection) -> int:
    """Create or migrate the layout to :data:`SCHEMA_VERSION`, inside the caller's transaction.

    Parameters
    ----------
    conn
        A connection inside a write transaction (``BEGIN IMMEDIATE``).

    Returns
    -------
    int
        The version the database had before (0 when it was empty).

    Raises
    ------
    StoreError
        The database was written by a newer detente, or is not a run store.
    """
    before = read_version(conn)
    if before > SCHEMA_VERSION:
        raise StoreError(
            f"the run store has schema version {before}, and this detente reads up to "
            f"{SCHEMA_VERSION}: upgrade detente, or use another store (--store or DETENTE_STORE)"
        )
    version = before
    if version == 0:
        _create_v1(conn)
        version = 1
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](conn)
        version += 1
    if version != before:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )
    return before
