"""The run store: every forecast and simulation, kept in one SQLite file.

The database is in WAL mode, so readers never block the writer, and every connection waits
(``busy_timeout``) rather than failing when another process is writing. A run is written in one
``BEGIN IMMEDIATE ... COMMIT`` transaction: it is either all there or absent.

A frame longer than the store's row limit goes to a Parquet file in the folder
``<database stem>-parquet`` beside the database. The file is written under a temporary name,
renamed to ``<run id>.parquet`` inside the transaction and only then is the run's row committed.
A crash can therefore leave an orphan file (a temporary one, or a renamed one whose transaction
never committed) but never a run whose data is missing.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from detente._files import atomic_write, check_output, new_file_mode, temporary_beside
from detente.errors import DetenteError, InputError
from detente.store import frames, ledger
from detente.store.records import (
    RunRecord,
    RunSummary,
    StoredRun,
    check_label,
    check_note,
    headline,
)
from detente.store.schema import (
    FALLBACKS,
    SCHEMA_VERSION,
    StoreError,
    check_layout,
    check_readable,
    read_version,
    upgrade,
)

__all__ = ["EXPORT_FORMATS", "ROW_LIMIT", "MissingStoreError", "RunStore", "default_store_path"]

#: Frames with more rows than this are stored as Parquet files beside the database.
ROW_LIMIT = 200_000
#: SQLite's largest INTEGER: a larger LIMIT is an OverflowError, and means "all" anyway.
_SQLITE_MAX = 2**63 - 1
#: Formats :meth:`RunStore.export` writes.
EXPORT_FORMATS: tuple[str, ...] = ("csv", "parquet")
#: Seconds a connection waits for another process's write to finish before giving up.
BUSY_TIMEOUT_S = 60.0

_SUMMARY_COLUMNS = (
    "id",
    "kind",
    "status",
    "created",
    "started",
    "finished",
    "detente_version",
    "scenario_id",
    "scenario_name",
    "scenario_hash",
    "models_json",
    "seed",
    "engine",
    "n_rows",
    "parquet_file",
    "label",
    "note",
    "scenario_as_of",
    "headline_json",
)
_RUN_COLUMNS = (
    "id",
    "kind",
    "status",
    "created",
    "started",
    "finished",
    "detente_version",
    "scenario_hash",
    "scenario_json",
    "models_json",
    "seed",
    "engine",
    "document_json",
    "columns_json",
    "parquet_file",
    "label",
    "note",
)


def default_store_path() -> Path:
    """Where the run store lives when no path is given.

    ``DETENTE_STORE`` when it is set; otherwise ``detente/runs.db`` in the user data directory:
    ``$XDG_DATA_HOME`` (when set to an absolute path) or ``~/.local/share`` on Linux and macOS,
    ``%LOCALAPPDATA%`` on Windows.

    Returns
    -------
    Path
        The database file (it need not exist yet).
    """
    configured = os.environ.get("DETENTE_STORE", "").strip()
    if configured:
        return Path(configured).expanduser()
    return _user_data_dir() / "detente" / "runs.db"


def _user_data_dir() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
        return Path(base) if base else Path.home() / "AppData" / "Local"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative path
        return Path(xdg)
    return Path.home() / ".local" / "share"


class MissingStoreError(StoreError):
    """The run store named (or the default one) does not exist, and is not to be created."""


def _origin(path: str | Path | None) -> tuple[Path, str]:
    """The store's file, and where that path came from: ``"given"``, ``"env"`` or ``"default"``."""
    if path is not None:
        return Path(path).expanduser(), "given"
    if os.environ.get("DETENTE_STORE", "").strip():
        return default_store_path(), "env"
    return default_store_path(), "default"


class RunStore:
    """The stored runs of forecasts and simulations, in one SQLite database.

    Parameters
    ----------
    path
        The database file; ``None`` for :func:`default_store_path`.
    readonly
        Open the database read-only (``mode=ro``): nothing is written, not even the journal
        mode, so a store on a read-only file or folder can be listed, shown and exported. An
        older layout is read as it is, without migrating it. The file must exist.
    create
        Create the database when it does not exist (ignored when ``readonly``). Missing folders
        are created only for the default location in the user data directory: a path given
        here or in ``DETENTE_STORE`` must be in a folder that exists, so that a typo does not
        start a new store somewhere unexpected.
    row_limit
        Frames with more rows than this are written to a Parquet file beside the database.
    timeout
        Seconds to wait for another process's write before giving up.

    Raises
    ------
    MissingStoreError
        The file does not exist and is not to be created, or its folder does not exist.
    StoreError
        The file is not an SQLite database or not a run store, is damaged, is a newer layout
        than this package reads, or cannot be opened (an :class:`~detente.errors.InputError`:
        every message names the file).

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> import detente
    >>> from detente.store import RunStore, record_forecast
    >>> folder = tempfile.TemporaryDirectory()
    >>> store = RunStore(f"{folder.name}/runs.db")
    >>> start = dt.datetime.now(dt.timezone.utc)
    >>> fc = detente.forecast(detente.bundled("emission-1994"), ["median"])
    >>> run_id = store.save(record_forecast(fc, started=start, finished=start))
    >>> [run.id == run_id for run in RunStore(store.path, readonly=True).list()]
    [True]
    >>> store.get(run_id[:17]).frame.equals(fc.to_frame())
    True
    >>> folder.cleanup()
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        readonly: bool = False,
        create: bool = True,
        row_limit: int = ROW_LIMIT,
        timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        if row_limit < 0:
            raise ValueError(f"row_limit must be 0 or more, not {row_limit}")
        self._path, self._origin = _origin(path)
        self._readonly = readonly
        self._immutable = False
        self._row_limit = row_limit
        self._timeout = timeout
        self._columns: frozenset[str] = frozenset()
        #: True when this object created the database file.
        self.created = False
        self._prepare_file(create and not readonly)
        try:
            if readonly:
                self._open_readonly()
            else:
                self._open()
        except StoreError as err:
            raise StoreError(f"{self._path}: {err}") from None
        except sqlite3.Error as err:
            if "readonly" in str(err):  # opened to change it, but the file or folder is not
                raise StoreError(
                    f"the run store {self._path} is read-only: it can be listed, shown and "
                    "exported, not changed"
                ) from err
            raise StoreError(f"cannot use {self._path} as a run store: {err}") from err

    def __repr__(self) -> str:
        return f"RunStore({str(self._path)!r})"

    def _where(self) -> str:
        return {
            "env": " (the path DETENTE_STORE gives)",
            "given": "",
            "default": " (the default location)",
        }[self._origin]

    def _prepare_file(self, create: bool) -> None:
        """Check the file is there, or that it may be created where it is to be."""
        path = self._path
        if path.is_dir():
            raise StoreError(f"the run store {path}{self._where()} is a folder, not a file")
        if path.exists():
            return
        if not create:
            hint = (
                "no run has been kept yet"
                if self._origin == "default"
                else "check the path, or run a forecast to start a store there"
            )
            raise MissingStoreError(f"there is no run store at {path}{self._where()}: {hint}")
        if self._origin == "default":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(
                    f"cannot create the run store's folder {path.parent}: {err.strerror or err}"
                ) from err
        elif not path.parent.is_dir():
            problem = (
                f"{path.parent} is not a folder"
                if path.parent.exists()
                else f"the folder {path.parent} does not exist"
            )
            raise MissingStoreError(
                f"cannot create the run store {path}{self._where()}: {problem} "
                "(a store is created in a folder that exists, never in new ones)"
            )
        self.created = True

    def _open(self) -> None:
        """Switch the database to WAL and bring its layout up to date, waiting out other openers.

        Two processes creating the same new store race to switch its journal mode; SQLite reports
        the loser as locked at once, without calling its busy handler, so retry until the timeout.
        """
        deadline = time.monotonic() + self._timeout
        delay = 0.01
        while True:
            try:
                with self._connect() as conn:
                    conn.execute("PRAGMA journal_mode = WAL")
                    if read_version(conn) != SCHEMA_VERSION:
                        with _transaction(conn, write=True):
                            upgrade(conn)
                    self._columns = check_layout(conn)
                return
            except sqlite3.OperationalError as err:
                locked = "locked" in str(err) or "busy" in str(err)
                if not locked or time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _open_readonly(self) -> None:
        """Check the layout through a read-only connection; nothing is written.

        A WAL database whose ``-shm`` file is gone cannot be opened read-only in a folder that
        cannot be written; it is then opened as immutable, which is safe there: no other
        process can write to it either.
        """
        try:
            self._check_readonly()
        except sqlite3.OperationalError as err:
            if "unable to open" not in str(err) and "readonly" not in str(err):
                raise
            self._immutable = True
            self._check_readonly()

    def _check_readonly(self) -> None:
        with self._connect() as conn:
            version = read_version(conn)
            if version == 0:
                raise StoreError("the database is empty: it holds no run store")
            check_readable(version)
            self._columns = check_layout(conn)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def readonly(self) -> bool:
        """Whether the store was opened read-only."""
        return self._readonly

    @property
    def parquet_dir(self) -> Path:
        """The folder beside the database that holds the frames of large runs."""
        return self._path.parent / f"{self._path.stem}-parquet"

    # --- writing ---------------------------------------------------------------------------

    def save(self, record: RunRecord) -> str:
        """Store a run in one transaction and return its new id.

        Parquet temporaries left by killed writers, and Parquet files whose run was never
        committed, are removed first.

        Parameters
        ----------
        record
            The run. Its frame goes into the database, or into a Parquet file when it has more
            than the store's row limit of rows.

        Returns
        -------
        str
            The run id, ``YYYYMMDDTHHMMSSZ-xxxxxx`` (UTC time of saving, then 6 random hex
            digits): ids sort by time, and any unique prefix names the run.

        Raises
        ------
        TypeError, ValueError
            The frame has a column the store cannot keep, or the document, scenario or options
            are not JSON data.
        StoreError
            The store is read-only, damaged, or its database or folder cannot be written.
        """
        self._writable()
        types = frames.frame_types(record.frame)
        as_of = getattr(record.scenario, "as_of", None)
        found = headline(record.frame)
        texts = {
            "scenario": _dumps(record.scenario.model_dump(mode="json")),
            "models": _dumps({name: dict(opts) for name, opts in record.models.items()}),
            "document": _dumps(record.document),
            "columns": _dumps([column.to_json() for column in types]),
            "hash": record.scenario.content_hash(),
            "as_of": None if as_of is None else as_of.isoformat(),
            "headline": None if found is None else _dumps(found),
        }
        spill = len(record.frame) > self._row_limit
        with self._failing("cannot keep the run"):
            return self._save(record, texts, spill)

    def _save(self, record: RunRecord, texts: dict[str, str | None], spill: bool) -> str:
        temporary: Path | None = None
        renamed: Path | None = None
        try:
            with ExitStack() as stack:
                if spill:  # the slow write happens before the lock is taken
                    self.parquet_dir.mkdir(exist_ok=True)
                    frames.remove_stale_parquet(self.parquet_dir)
                    temporary = stack.enter_context(
                        temporary_beside(self.parquet_dir / "run.parquet", suffix=".parquet")
                    )
                    frames.write_parquet(record.frame, temporary)
                with self._connect() as conn:
                    with _transaction(conn, write=True):
                        if self.parquet_dir.is_dir():  # nobody else is mid-save: orphans are old
                            frames.remove_orphans(self.parquet_dir, _run_ids(conn))
                        created = dt.datetime.now(dt.UTC)
                        run_id = _free_id(conn, created)
                        if "run_id" in record.document and record.document["run_id"] is None:
                            # the output document names its run: fill in the id just made
                            texts["document"] = _dumps({**record.document, "run_id": run_id})
                        parquet_file: str | None = None
                        if temporary is not None:
                            renamed = self.parquet_dir / f"{run_id}.parquet"
                            os.chmod(temporary, new_file_mode())
                            os.replace(temporary, renamed)
                            temporary = None
                            parquet_file = renamed.relative_to(self._path.parent).as_posix()
                        _insert_run(conn, record, run_id, created, texts, parquet_file)
                        if not spill:
                            conn.executemany(
                                "INSERT INTO rows (run_id, n, data) VALUES (?, ?, ?)",
                                ((run_id, n, data) for n, data in frames.encode_rows(record.frame)),
                            )
                    renamed = None  # committed: the file belongs to the run now
        except BaseException:
            if renamed is not None:
                with suppress(OSError):
                    renamed.unlink(missing_ok=True)
            raise
        return run_id

    def delete(self, run_id: str) -> None:
        """Remove a run (and its Parquet file, if it has one) in one transaction.

        Parameters
        ----------
        run_id
            The run's id or a unique prefix of it.

        Raises
        ------
        InputError
            No run, or more than one, has that id or prefix; the store is read-only or damaged.
        """
        self._writable()
        with (
            self._failing("cannot delete the run"),
            self._connect() as conn,
            _transaction(conn, write=True),
        ):
            found = self._resolve(conn, run_id)
            ledger.check_not_sealed(conn, found, "delete")
            (parquet_file,) = conn.execute(
                "SELECT parquet_file FROM runs WHERE id = ?", (found,)
            ).fetchone()
            conn.execute("DELETE FROM rows WHERE run_id = ?", (found,))
            conn.execute("DELETE FROM runs WHERE id = ?", (found,))
        if parquet_file is not None:  # only once the deletion is committed
            with suppress(OSError):
                (self._path.parent / parquet_file).unlink(missing_ok=True)

    def set_label(self, run_id: str, label: str | None) -> str:
        """Give a run a label (one line, shown by ``runs list``); ``None`` or ``""`` removes it.

        Returns
        -------
        str
            The run's full id.

        Raises
        ------
        InputError
            No run, or more than one, has that id or prefix; the label is not one line of at
            most 80 characters; the store is read-only or damaged.
        """
        return self._annotate(run_id, "label", check_label(label))

    def set_note(self, run_id: str, note: str | None) -> str:
        """Give a run a note (why it was made, what it showed); ``None`` or ``""`` removes it.

        Returns
        -------
        str
            The run's full id.

        Raises
        ------
        InputError
            No run, or more than one, has that id or prefix; the note is longer than 2,000
            characters; the store is read-only or damaged.
        """
        return self._annotate(run_id, "note", check_note(note))

    def _annotate(self, run_id: str, column: str, text: str | None) -> str:
        self._writable()
        with (
            self._failing(f"cannot set the run's {column}"),
            self._connect() as conn,
            _transaction(conn, write=True),
        ):
            found = self._resolve(conn, run_id)
            ledger.check_not_sealed(conn, found, f"set the {column} of")
            conn.execute(f"UPDATE runs SET {column} = ? WHERE id = ?", (text, found))
        return found

    # --- the track record: questions, seals, resolutions --------------------------------------

    def add_question(self, question_id: str, document: dict[str, Any]) -> None:
        """Keep a question (its ``detente.question/1`` document) in one transaction.

        Raises
        ------
        InputError
            A question with that id exists already; the store is read-only or damaged.
        """
        self._writable()
        with (
            self._failing("cannot keep the question"),
            self._connect() as conn,
            _transaction(conn, write=True),
        ):
            ledger.add_question(conn, question_id, document)

    def question(self, question_id: str) -> dict[str, Any]:
        """One question's document.

        Raises
        ------
        InputError
            No question has that id.
        """
        with self._failing("cannot read the question"), self._connect() as conn:
            return ledger.read_question(conn, question_id)

    def questions(self) -> builtins.list[dict[str, Any]]:
        """Every question's document, oldest first (none in a store older than layout 4)."""
        with self._failing("cannot read the questions"), self._connect() as conn:
            return ledger.read_questions(conn)

    def add_seal(self, document: dict[str, Any]) -> ledger.SealRecord:
        """Keep a sealed forecast (a ``detente.seal/1`` document) in one transaction.

        The document names its seal (``id``), its question and its run; the store checks that
        both exist and keeps the document as it is (its digest is computed by
        :mod:`detente.track`). From then on the run is refused deletion and changes.

        Raises
        ------
        InputError
            No such question or run, or the seal is stored already.
        """
        self._writable()
        with (
            self._failing("cannot keep the seal"),
            self._connect() as conn,
            _transaction(conn, write=True),
        ):
            run_id = self._resolve(conn, str(document["run"]["id"]))
            ledger.add_seal(
                conn, str(document["id"]), str(document["question"]["id"]), run_id, document
            )
            (found,) = ledger.read_seals(conn, seal_id=str(document["id"]))
        return found

    def seals(self, question_id: str | None = None) -> builtins.list[ledger.SealRecord]:
        """The sealed forecasts (of one question, or all), oldest seal first."""
        with self._failing("cannot read the seals"), self._connect() as conn:
            return ledger.read_seals(conn, question_id)

    def seal(self, seal_id: str) -> ledger.SealRecord:
        """The seal whose id is ``seal_id`` or starts with it.

        Raises
        ------
        InputError
            No seal, or more than one, has that id or prefix.
        """
        ref = seal_id.strip()
        if not ref:
            raise InputError("a seal id must not be empty")
        with self._failing("cannot read the seal"), self._connect() as conn:
            found = ledger.read_seals(conn, seal_id=ref)
        exact = [seal for seal in found if seal.id == ref]
        if exact:
            return exact[0]
        if not found:
            raise InputError(
                f"no seal '{ref}' in the store {self._path} (`detente track` lists them)"
            )
        if len(found) > 1:
            raise InputError(f"seal id '{ref}' is ambiguous ({', '.join(s.id for s in found[:3])})")
        return found[0]

    def add_resolution(
        self, question_id: str, reading: str, document: dict[str, Any], *, replace: bool = False
    ) -> int:
        """Record a question's outcome (one reading of it) in one transaction.

        Returns
        -------
        int
            How many resolutions it replaced (0 or 1); the replaced one stays in the history.

        Raises
        ------
        InputError
            No such question, or that reading is resolved already and ``replace`` is False.
        """
        self._writable()
        with (
            self._failing("cannot record the resolution"),
            self._connect() as conn,
            _transaction(conn, write=True),
        ):
            return ledger.add_resolution(conn, question_id, reading, document, replace=replace)

    def resolutions(
        self, question_id: str | None = None, *, history: bool = False
    ) -> builtins.list[ledger.ResolutionRecord]:
        """The current resolutions (``history``: the replaced ones too), oldest first."""
        with self._failing("cannot read the resolutions"), self._connect() as conn:
            return ledger.read_resolutions(conn, question_id, history=history)

    def _writable(self) -> None:
        if self._readonly:
            raise StoreError(f"the run store {self._path} was opened read-only")

    @contextmanager
    def _failing(self, doing: str, run_id: str | None = None) -> Iterator[None]:
        """Turn a failure of the database or its files into a :class:`StoreError` naming them."""
        try:
            yield
        except DetenteError:
            raise
        except sqlite3.Error as err:
            if "readonly" in str(err):
                raise StoreError(
                    f"{doing}: the run store {self._path} is read-only: it can be listed, shown "
                    "and exported, not changed"
                ) from err
            raise StoreError(
                f"{doing}: the run store {self._path} cannot be used ({err}); it may be damaged, "
                "locked for too long or on a read-only disk"
            ) from err
        except OSError as err:
            where = err.filename or self._path
            raise StoreError(f"{doing}: {where}: {err.strerror or err}") from err
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
            if run_id is None:  # an unreadable record somewhere in the store
                raise StoreError(
                    f"{doing}: the run store {self._path} is damaged ({type(err).__name__}: {err})"
                ) from err
            raise StoreError(
                f"{doing}: run {run_id} in the run store {self._path} is damaged "
                f"({type(err).__name__}: {err})"
            ) from err

    # --- reading ---------------------------------------------------------------------------

    def list(
        self, *, limit: int | None = None, kind: str | None = None
    ) -> builtins.list[RunSummary]:
        """The stored runs, newest first.

        Parameters
        ----------
        limit
            At most this many runs (more than SQLite's largest integer lists them all).
        kind
            Only runs of this kind (``"forecast"`` or ``"simulate"``).

        Returns
        -------
        list of RunSummary

        Raises
        ------
        StoreError
            The store is damaged.
        """
        sql = f"SELECT {self._select(_SUMMARY_COLUMNS)} FROM runs"
        params: builtins.list[Any] = []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY created DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(min(max(limit, 0), _SQLITE_MAX))  # a larger int overflows SQLite
        with self._failing("cannot list the runs"), self._connect() as conn:
            return [_summary(row) for row in conn.execute(sql, params)]

    def get(self, run_id: str) -> StoredRun:
        """One run with its scenario copy, options, frame and document.

        Parameters
        ----------
        run_id
            The run's id or a unique prefix of it.

        Returns
        -------
        StoredRun

        Raises
        ------
        InputError
            No run, or more than one, has that id or prefix.
        StoreError
            The run's Parquet file is missing, or the run or its file is damaged.
        """
        with (
            self._failing("cannot read the run", run_id),
            self._connect() as conn,
            _transaction(conn, write=False),
        ):
            found = self._resolve(conn, run_id)
            with self._failing("cannot read the run", found):
                return self._get(conn, found)
        raise AssertionError("unreachable")  # pragma: no cover (for mypy)

    def _get(self, conn: sqlite3.Connection, found: str) -> StoredRun:
        row = conn.execute(
            f"SELECT {self._select(_RUN_COLUMNS)} FROM runs WHERE id = ?", (found,)
        ).fetchone()
        types = [frames.ColumnType.from_json(item) for item in json.loads(row[13])]
        parquet_file = None if row[14] is None else self._path.parent / row[14]
        if parquet_file is None:
            data = (
                text
                for (text,) in conn.execute(
                    "SELECT data FROM rows WHERE run_id = ? ORDER BY n", (found,)
                )
            )
            frame = frames.decode_rows(types, data)
        elif not parquet_file.is_file():
            raise StoreError(f"run {found}: its data file {parquet_file} is missing")
        else:
            frame = frames.read_parquet(parquet_file, types)
        scenario_data = json.loads(row[8])
        models = json.loads(row[9])
        document = json.loads(row[12])
        for name, value, kind in (
            ("scenario copy", scenario_data, dict),
            ("models", models, dict),
            ("document", document, dict),
        ):
            if not isinstance(value, kind):
                raise ValueError(f"its {name} is not a JSON object")
        return StoredRun(
            id=row[0],
            kind=row[1],
            status=row[2],
            created=_parse_time(row[3]),
            started=_parse_time(row[4]),
            finished=_parse_time(row[5]),
            detente_version=row[6],
            scenario_hash=row[7],
            scenario_data=scenario_data,
            models=models,
            seed=None if row[10] is None else int(row[10]),
            engine=row[11],
            frame=frame,
            document=document,
            parquet_file=parquet_file,
            label=row[15],
            note=row[16],
        )

    def resolve(self, run_id: str) -> str:
        """The full id of the run that ``run_id`` names (a full id or a unique prefix).

        Raises
        ------
        InputError
            No run, or more than one, has that id or prefix.
        """
        with self._failing("cannot find the run"), self._connect() as conn:
            return self._resolve(conn, run_id)

    def export(self, run_id: str, path: str | Path, fmt: str = "csv") -> Path:
        """Write a run's frame to a CSV or Parquet file (whole or not at all).

        The file gets the permissions of any new file under the user's umask.

        Parameters
        ----------
        run_id
            The run's id or a unique prefix of it.
        path
            The file to write; its folder must exist.
        fmt
            ``"csv"`` or ``"parquet"``.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        InputError
            An unknown format or run, or a path that cannot be written (a folder, a folder that
            does not exist, a name too long, no permission).
        """
        fmt = fmt.lower()
        if fmt not in EXPORT_FORMATS:
            raise InputError(f"export writes {' or '.join(EXPORT_FORMATS)}, not '{fmt}'")
        check_output(path)
        frame = self.get(run_id).frame
        if fmt == "csv":
            return atomic_write(path, lambda temporary: frame.to_csv(temporary, index=False))
        return atomic_write(path, lambda temporary: frame.to_parquet(temporary, index=False))

    # --- plumbing --------------------------------------------------------------------------

    def _select(self, columns: tuple[str, ...]) -> str:
        """The column list, with what an older store has in place of a column it lacks."""
        return ", ".join(
            name if name in self._columns else f"{FALLBACKS[name]} AS {name}" for name in columns
        )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: transactions are opened and closed by hand, never implicitly.
        if self._readonly:
            query = "mode=ro&immutable=1" if self._immutable else "mode=ro"
            target: str | Path = f"{self._path.resolve().as_uri()}?{query}"
        else:
            target = self._path
        with closing(
            sqlite3.connect(target, timeout=self._timeout, isolation_level=None, uri=self._readonly)
        ) as conn:
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn

    def _resolve(self, conn: sqlite3.Connection, ref: str) -> str:
        ref = ref.strip()
        if not ref:
            raise InputError("a run id must not be empty")
        matches: builtins.list[str] = [
            str(found)
            for (found,) in conn.execute(
                "SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 4",
                (len(ref), ref),
            )
        ]
        if ref in matches:
            return ref
        if not matches:
            raise InputError(
                f"no run '{ref}' in the store {self._path} (`detente runs list` shows its runs)"
            )
        if len(matches) > 1:
            shown = ", ".join(matches[:3]) + (", ..." if len(matches) > 3 else "")
            raise InputError(f"run id '{ref}' is ambiguous ({shown}): give more of it")
        return matches[0]


def _run_ids(conn: sqlite3.Connection) -> set[str]:
    return {str(run_id) for (run_id,) in conn.execute("SELECT id FROM runs")}


@contextmanager
def _transaction(conn: sqlite3.Connection, *, write: bool) -> Iterator[None]:
    """One transaction: committed if the block ends normally, rolled back otherwise."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _free_id(conn: sqlite3.Connection, created: dt.datetime) -> str:
    stamp: str = created.strftime("%Y%m%dT%H%M%SZ")
    while True:  # inside the write lock, so a free id stays free until the commit
        run_id = f"{stamp}-{secrets.token_hex(3)}"
        if conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            return run_id


def _insert_run(
    conn: sqlite3.Connection,
    record: RunRecord,
    run_id: str,
    created: dt.datetime,
    texts: dict[str, str | None],
    parquet_file: str | None,
) -> None:
    conn.execute(
        "INSERT INTO runs (id, kind, status, created, started, finished, detente_version, "
        "scenario_id, scenario_name, scenario_hash, scenario_json, models_json, seed, engine, "
        "document_json, columns_json, parquet_file, n_rows, label, note, scenario_as_of, "
        "headline_json) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            record.kind,
            record.status,
            _time_text(created),
            _time_text(record.started),
            _time_text(record.finished),
            record.detente_version,
            record.scenario.id,
            record.scenario.name,
            texts["hash"],
            texts["scenario"],
            texts["models"],
            None if record.seed is None else str(int(record.seed)),
            record.engine,
            texts["document"],
            texts["columns"],
            parquet_file,
            len(record.frame),
            check_label(record.label),
            check_note(record.note),
            texts["as_of"],
            texts["headline"],
        ),
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _time_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _summary(row: tuple[Any, ...]) -> RunSummary:
    return RunSummary(
        id=row[0],
        kind=row[1],
        status=row[2],
        created=_parse_time(row[3]),
        started=_parse_time(row[4]),
        finished=_parse_time(row[5]),
        detente_version=row[6],
        scenario_id=row[7],
        scenario_name=row[8],
        scenario_hash=row[9],
        models=tuple(json.loads(row[10])),
        seed=None if row[11] is None else int(row[11]),
        engine=row[12],
        n_rows=row[13],
        storage="rows" if row[14] is None else "parquet",
        label=row[15],
        note=row[16],
        scenario_as_of=row[17],
        headline=None if row[18] is None else json.loads(row[18]),
    )
