"""The track record's tables: questions, sealed forecasts and resolutions (layout version 4).

Plain functions over a connection that :class:`~detente.store.RunStore` opens in its own
transactions; the store keeps documents and never computes them (the seal's digest, the
scores and the checks of a question against its scenario belong to :mod:`detente.track`).

A sealed run is refused deletion, relabelling and a new note by the store; a question is
refused a second resolution of the same reading unless it replaces the first, whose row is
kept (``current = 0``) as the history.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from detente.errors import InputError

__all__ = [
    "ResolutionRecord",
    "SealRecord",
    "SealedRunError",
    "add_question",
    "add_resolution",
    "add_seal",
    "check_not_sealed",
    "has_tables",
    "read_question",
    "read_questions",
    "read_resolutions",
    "read_seals",
]

_TABLES = frozenset({"questions", "seals", "resolutions"})


class SealedRunError(InputError):
    """A sealed run was to be deleted or changed: a sealed forecast stays as it was sealed."""


@dataclass(frozen=True)
class SealRecord:
    """One sealed forecast as stored: ``document`` is the ``detente.seal/1`` document."""

    id: str
    question_id: str
    run_id: str
    sealed: str
    recorded: str
    digest: str
    document: dict[str, Any]


@dataclass(frozen=True)
class ResolutionRecord:
    """One recorded outcome; ``current`` is False once a later one replaced it."""

    n: int
    question_id: str
    reading: str
    recorded: str
    current: bool
    document: dict[str, Any]


def has_tables(conn: sqlite3.Connection) -> bool:
    """Whether the database has the track record's tables (layout 4 or later)."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return names >= _TABLES


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def check_not_sealed(conn: sqlite3.Connection, run_id: str, doing: str) -> None:
    """Refuse to change a sealed run.

    Raises
    ------
    SealedRunError
        ``run_id`` is sealed as a forecast of some question.
    """
    if not has_tables(conn):
        return
    rows = conn.execute(
        "SELECT id, question_id FROM seals WHERE run_id = ? ORDER BY id LIMIT 3", (run_id,)
    ).fetchall()
    if rows:
        seals = ", ".join(f"{seal} (question {question})" for seal, question in rows)
        raise SealedRunError(
            f"cannot {doing} run {run_id}: it is sealed as a forecast ({seals}); a sealed run "
            "stays as it was sealed, so that `detente verify` can check it"
        )


def add_question(conn: sqlite3.Connection, question_id: str, document: dict[str, Any]) -> None:
    """Insert a question, refusing an id already taken."""
    if conn.execute("SELECT 1 FROM questions WHERE id = ?", (question_id,)).fetchone():
        raise InputError(
            f"question '{question_id}' already exists: a question is written once, before the "
            "fact (choose another id)"
        )
    conn.execute(
        "INSERT INTO questions (id, created, document_json) VALUES (?, ?, ?)",
        (question_id, _now(), _dumps(document)),
    )


def read_question(conn: sqlite3.Connection, question_id: str) -> dict[str, Any]:
    """The question's document.

    Raises
    ------
    InputError
        No question has that id.
    """
    row = (
        conn.execute("SELECT document_json FROM questions WHERE id = ?", (question_id,)).fetchone()
        if has_tables(conn)
        else None
    )
    if row is None:
        raise InputError(
            f"no question '{question_id}' in the store (`detente question list` shows them)"
        )
    document: dict[str, Any] = json.loads(row[0])
    return document


def read_questions(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every question's document, in the order they were added."""
    if not has_tables(conn):
        return []
    return [
        json.loads(text)
        for (text,) in conn.execute("SELECT document_json FROM questions ORDER BY created, id")
    ]


def add_seal(
    conn: sqlite3.Connection,
    seal_id: str,
    question_id: str,
    run_id: str,
    document: dict[str, Any],
) -> None:
    """Insert a sealed forecast; the same seal (same id: same digest) twice is refused, and so
    is a seal of a question resolved already (checked in the same transaction as the insert,
    so a resolution recorded at the same moment by another process cannot slip in between)."""
    read_question(conn, question_id)
    if conn.execute(
        "SELECT 1 FROM resolutions WHERE question_id = ? LIMIT 1", (question_id,)
    ).fetchone():
        raise InputError(
            f"question {question_id} is resolved already: a forecast is sealed before the fact"
        )
    if conn.execute("SELECT 1 FROM seals WHERE id = ?", (seal_id,)).fetchone():
        raise InputError(f"seal {seal_id} is already in the store")
    conn.execute(
        "INSERT INTO seals (id, question_id, run_id, sealed, recorded, digest, document_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            seal_id,
            question_id,
            run_id,
            str(document["sealed_at"]),
            _now(),
            str(document["digest"]),
            _dumps(document),
        ),
    )


def read_seals(
    conn: sqlite3.Connection, question_id: str | None = None, seal_id: str | None = None
) -> list[SealRecord]:
    """The seals of one question (or all, or the one whose id starts with ``seal_id``), oldest
    first."""
    if not has_tables(conn):
        return []
    sql = "SELECT id, question_id, run_id, sealed, recorded, digest, document_json FROM seals"
    where: list[str] = []
    params: list[Any] = []
    if question_id is not None:
        where.append("question_id = ?")
        params.append(question_id)
    if seal_id is not None:
        where.append("substr(id, 1, ?) = ?")
        params.extend([len(seal_id), seal_id])
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY sealed, id"
    return [
        SealRecord(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))
        for row in conn.execute(sql, params)
    ]


def add_resolution(
    conn: sqlite3.Connection,
    question_id: str,
    reading: str,
    document: dict[str, Any],
    *,
    replace: bool,
) -> int:
    """Record an outcome; with ``replace`` the current one of the same reading is kept as
    history. Returns the number of resolutions it replaced (0 or 1).

    Raises
    ------
    InputError
        No such question, or the reading is resolved already and ``replace`` is False.
    """
    read_question(conn, question_id)
    current = conn.execute(
        "SELECT n FROM resolutions WHERE question_id = ? AND reading = ? AND current = 1",
        (question_id, reading),
    ).fetchall()
    if current and not replace:
        raise InputError(
            f"question '{question_id}' is resolved already (reading '{reading}'): give --replace "
            "to record a new outcome (the old one is kept in its history)"
        )
    conn.execute(
        "UPDATE resolutions SET current = 0 WHERE question_id = ? AND reading = ?",
        (question_id, reading),
    )
    conn.execute(
        "INSERT INTO resolutions (question_id, reading, recorded, current, document_json) "
        "VALUES (?, ?, ?, 1, ?)",
        (question_id, reading, _now(), _dumps(document)),
    )
    return len(current)


def read_resolutions(
    conn: sqlite3.Connection, question_id: str | None = None, *, history: bool = False
) -> list[ResolutionRecord]:
    """The current resolutions (with ``history``, the replaced ones too), oldest first."""
    if not has_tables(conn):
        return []
    sql = "SELECT n, question_id, reading, recorded, current, document_json FROM resolutions"
    where: list[str] = [] if history else ["current = 1"]
    params: list[Any] = []
    if question_id is not None:
        where.append("question_id = ?")
        params.append(question_id)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY n"
    return [
        ResolutionRecord(row[0], row[1], row[2], row[3], bool(row[4]), json.loads(row[5]))
        for row in conn.execute(sql, params)
    ]
