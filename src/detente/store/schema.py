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
3
    ``runs.label`` and ``runs.note`` (what the user calls a run and why it was made),
    ``runs.scenario_as_of`` (the scenario's date, from each run's scenario copy) and
    ``runs.headline_json`` (the first forecast of the run, for ``runs list``: filled in from
    each older run's rows where they are at hand, else left empty).
4
    ``questions`` (what is forecast, by when, and the resolution rubric written before the
    fact), ``seals`` (a stored run frozen as a forecast of a question, with its digest) and
    ``resolutions`` (each outcome recorded, the replaced ones kept with ``current = 0``).

A read-only store is never migrated: :data:`FALLBACKS` gives, for each column a later version
added, what to read in its place from an older store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from detente.errors import InputError

__all__ = [
    "FALLBACKS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "StoreError",
    "check_layout",
    "check_readable",
    "read_version",
    "upgrade",
]

#: Version of the layout this package writes.
SCHEMA_VERSION = 4


class StoreError(InputError):
    """The run store cannot be used as it is: not a run store, a newer layout, or damaged.

    A user's file, not a fault of the program: the command line exits with status 2.
    """


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


def _v2_to_v3(conn: sqlite3.Connection) -> None:
    for column in ("label", "note", "scenario_as_of", "headline_json"):
        conn.execute(f"ALTER TABLE runs ADD COLUMN {column} TEXT")
    updates = []
    for run_id, text, columns, parquet_file, n_rows in conn.execute(
        "SELECT id, scenario_json, columns_json, parquet_file, n_rows FROM runs"
    ).fetchall():
        updates.append(
            (_as_of(text), _old_headline(conn, run_id, columns, parquet_file, n_rows), run_id)
        )
    conn.executemany("UPDATE runs SET scenario_as_of = ?, headline_json = ? WHERE id = ?", updates)


def _as_of(scenario_json: str) -> str | None:
    try:
        value = json.loads(scenario_json).get("as_of")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


#: Older runs with more rows than this in the database get no headline when migrated.
_HEADLINE_ROWS = 50_000


def _old_headline(
    conn: sqlite3.Connection, run_id: str, columns: str, parquet_file: str | None, n_rows: int
) -> str | None:
    """The headline of a run stored before version 3, from its rows; None when not at hand."""
    from detente.store import frames, records

    if parquet_file is not None or n_rows > _HEADLINE_ROWS:
        return None  # its file may be anywhere by now, and reading it is no job for a migration
    try:
        types = [frames.ColumnType.from_json(item) for item in json.loads(columns)]
        data = (
            text
            for (text,) in conn.execute(
                "SELECT data FROM rows WHERE run_id = ? ORDER BY n", (run_id,)
            )
        )
        found = records.headline(frames.decode_rows(types, data))
    except (ValueError, TypeError, KeyError, IndexError):  # a damaged run keeps no headline
        return None
    return None if found is None else json.dumps(found, allow_nan=False)


_V4 = """
CREATE TABLE questions (
    id            TEXT PRIMARY KEY,
    created       TEXT NOT NULL,
    document_json TEXT NOT NULL
);
CREATE TABLE seals (
    id            TEXT PRIMARY KEY,
    question_id   TEXT NOT NULL REFERENCES questions (id),
    run_id        TEXT NOT NULL,
    sealed        TEXT NOT NULL,
    recorded      TEXT NOT NULL,
    digest        TEXT NOT NULL,
    document_json TEXT NOT NULL
);
CREATE INDEX seals_by_question ON seals (question_id, sealed);
CREATE INDEX seals_by_run ON seals (run_id);
CREATE TABLE resolutions (
    n             INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id   TEXT NOT NULL REFERENCES questions (id),
    reading       TEXT NOT NULL,
    recorded      TEXT NOT NULL,
    current       INTEGER NOT NULL,
    document_json TEXT NOT NULL
);
CREATE INDEX resolutions_by_question ON resolutions (question_id, reading, current)
"""


def _v3_to_v4(conn: sqlite3.Connection) -> None:
    # seals.run_id has no foreign key: a sealed run is refused deletion by the store itself,
    # with a message, and a damaged store (a run deleted by hand) is reported by verify
    for statement in _V4.split(";"):
        if statement.strip():
            conn.execute(statement)


#: ``MIGRATIONS[v]`` brings a database at version ``v`` to version ``v + 1``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
}

#: Columns of ``runs`` that every version has.
CORE_COLUMNS = frozenset(
    {
        "id",
        "kind",
        "status",
        "created",
        "started",
        "finished",
        "detente_version",
        "scenario_id",
        "scenario_hash",
        "scenario_json",
        "models_json",
        "seed",
        "document_json",
        "columns_json",
        "parquet_file",
        "n_rows",
    }
)

#: What to read from an older store (never migrated when opened read-only) in place of each
#: column a later version added.
FALLBACKS: dict[str, str] = {
    "engine": "NULL",
    "scenario_name": "COALESCE(json_extract(scenario_json, '$.name'), '')",
    "label": "NULL",
    "note": "NULL",
    "scenario_as_of": "NULL",
    "headline_json": "NULL",
}


def check_layout(conn: sqlite3.Connection) -> frozenset[str]:
    """The columns of ``runs``, once the tables a run store needs are seen to be there.

    Raises
    ------
    StoreError
        A table, or a column every version has, is missing (the store is damaged).
    """
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = sorted({"meta", "runs", "rows"} - tables)
    if missing:
        raise StoreError(f"the run store is damaged: its table {', '.join(missing)} is missing")
    columns = frozenset(str(row[1]) for row in conn.execute("PRAGMA table_info(runs)"))
    lost = sorted(CORE_COLUMNS - columns)
    if lost:
        raise StoreError(
            f"the run store is damaged: the runs table has no column {', '.join(lost)}"
        )
    return columns


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


def check_readable(version: int) -> None:
    """Refuse a layout newer than this package reads.

    Raises
    ------
    StoreError
        ``version`` is above :data:`SCHEMA_VERSION`.
    """
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the run store has schema version {version}, and this detente reads up to "
            f"{SCHEMA_VERSION}: upgrade detente, or use another store (--store or DETENTE_STORE)"
        )


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
    check_readable(before)
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
