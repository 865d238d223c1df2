"""The run store: round trips, Parquet spill, crash safety, concurrency, migration and CLI.

Every test uses a store under ``tmp_path`` (never the user's own) and real SQLite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import detente
from detente.cli.runs import runs_app
from detente.errors import InputError
from detente.scenario import Scenario
from detente.store import (
    ROW_LIMIT,
    RUN_SCHEMA,
    RUNS_SCHEMA,
    SCHEMA_VERSION,
    MissingStoreError,
    RunRecord,
    RunStore,
    StoreError,
    default_store_path,
    record_forecast,
)

START = dt.datetime(2026, 11, 23, 6, 25, 0, 123456, tzinfo=dt.UTC)
END = START + dt.timedelta(seconds=2.5)


def _forecast(**kwargs: object) -> detente.Forecast:
    """A forecast of emission-1994 with seed 7 (a forecast records its seed, drawn if not given)."""
    kwargs.setdefault("rng", 7)
    return detente.forecast(detente.bundled("emission-1994"), **kwargs)  # type: ignore[arg-type]


def _record(kind: str = "forecast", frame: pd.DataFrame | None = None) -> RunRecord:
    fc = _forecast(models=["compromise", "median"])
    return RunRecord(
        kind=kind,
        scenario=fc.scenario,
        models={"compromise": {}, "median": {}},
        seed=None,
        engine="in-process" if kind == "simulate" else None,
        started=START,
        finished=END,
        frame=fc.to_frame() if frame is None else frame,
        document=fc.to_json(),
    )


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# --- round trips -----------------------------------------------------------------------------


def test_forecast_round_trip(tmp_path: Path) -> None:
    fc = _forecast(models=["compromise", "nash", "eum"], rng=42)
    store = RunStore(tmp_path / "runs.db")
    run_id = store.save(record_forecast(fc, started=START, finished=END))

    run = store.get(run_id)
    assert run.id == run_id
    assert (run.kind, run.status, run.engine, run.seed) == ("forecast", "complete", None, 42)
    assert (run.started, run.finished) == (START, END)
    assert run.detente_version == detente.__version__
    pd.testing.assert_frame_equal(run.frame, fc.to_frame())  # dtypes included (Int64, floats)
    assert run.document == {**fc.to_json(), "run_id": run_id}  # the store names the run
    assert Scenario.model_validate(run.scenario_data) == fc.scenario
    assert run.scenario == fc.scenario
    assert run.scenario_hash == fc.scenario.content_hash()
    assert run.models == {r.model: dict(r.options) for r in fc.runs}
    assert run.models["eum"]["preset"] == "paper-literal"
    assert run.storage == "rows"
    assert run.parquet_file is None
    assert _count(store.path, "SELECT count(*) FROM rows") == len(fc.to_frame())
    assert store.path.with_name("runs-parquet").exists() is False


def _typed_frame(n: int) -> pd.DataFrame:
    i = np.arange(n)
    frame = pd.DataFrame(
        {
            "count": i.astype("int64"),
            "draw": pd.array([None if k % 3 == 0 else k for k in i], dtype="Int64"),
            "value": np.where(i % 4 == 0, np.nan, i / 7),
            "big": i.astype("int64") * 2**40,
            "flag": i % 2 == 0,
            "maybe": pd.array([None if k % 5 == 0 else bool(k % 2) for k in i], dtype="boolean"),
            "label": pd.Series([None if k % 6 == 0 else f"x{k}" for k in i], dtype="string"),
            "when": pd.date_range("2026-01-01", periods=n, freq="h", tz="UTC"),
            "group": pd.Series([f"g{k % 3}" for k in i]).astype("category"),
            "note": pd.Series([None if k % 2 else 'é ☃ "quoted"' for k in i], dtype=object),
        }
    )
    frame["text"] = [None if k % 7 == 0 else f"t{k}" for k in i]  # the default string dtype
    return frame


@pytest.mark.parametrize("row_limit", [1_000, 0], ids=["rows", "parquet"])
def test_frame_dtypes_round_trip(tmp_path: Path, row_limit: int) -> None:
    frame = _typed_frame(40)
    store = RunStore(tmp_path / "runs.db", row_limit=row_limit)
    run = store.get(store.save(_record("simulate", frame)))
    pd.testing.assert_frame_equal(run.frame, frame)
    assert run.storage == ("rows" if row_limit else "parquet")
    assert run.engine == "in-process"


def test_empty_frame_round_trip(tmp_path: Path) -> None:
    frame = _typed_frame(5).iloc[:0].reset_index(drop=True)
    store = RunStore(tmp_path / "runs.db")
    back = store.get(store.save(_record(frame=frame))).frame
    assert list(back.columns) == list(frame.columns)
    assert list(back.dtypes) == list(frame.dtypes)
    assert len(back) == 0


def test_frame_the_store_cannot_keep_is_refused_before_writing(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    spans = pd.DataFrame({"span": pd.to_timedelta([1, 2], unit="s")})
    with pytest.raises(TypeError, match="span"):
        store.save(_record(frame=spans))
    with pytest.raises(TypeError, match="column names must be strings"):
        store.save(_record(frame=pd.DataFrame({0: [1.0]})))
    assert store.list() == []


def test_record_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(_record(), started=START.replace(tzinfo=None))
    with pytest.raises(ValueError, match="kind"):
        dataclasses.replace(_record(), kind="forcast")
    with pytest.raises(ValueError, match="before started"):
        dataclasses.replace(_record(), finished=START - dt.timedelta(seconds=1))


# --- listing, ids, deleting, exporting -----------------------------------------------------------


def test_list_is_newest_first_and_filters(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    ids = [store.save(_record(kind)) for kind in ("forecast", "simulate", "forecast")]
    runs = store.list()
    assert [r.id for r in runs] == ids[::-1]
    assert [r.id for r in store.list(limit=2)] == ids[:0:-1]
    assert [r.id for r in store.list(limit=10**23)] == ids[::-1]
    assert [r.id for r in store.list(kind="simulate")] == [ids[1]]
    first = runs[-1]
    assert first.models == ("compromise", "median")
    assert first.scenario_id == "emission-1994"
    assert first.scenario_name.startswith("EC emission standards")
    assert (first.n_rows, first.storage, first.seed) == (2, "rows", None)
    assert first.to_json()["scenario"]["hash"] == detente.bundled("emission-1994").content_hash()


def test_ids_sort_by_time_and_prefixes_name_runs(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    a, b = store.save(_record()), store.save(_record())
    stamp = dt.datetime.strptime(a[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert abs(stamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    shared = next(n for n, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
    common = a[:shared]  # the two ids' common start: names both runs
    assert store.get(a[: shared + 1]).id == a
    assert store.resolve(b[: shared + 1]) == b
    with pytest.raises(InputError, match="ambiguous"):
        store.get(common)
    with pytest.raises(InputError, match="no run 'nope'"):
        store.get("nope")
    with pytest.raises(InputError, match="empty"):
        store.get("  ")


def test_delete(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    keep, gone = store.save(_record()), store.save(_record())
    store.delete(gone)
    assert [r.id for r in store.list()] == [keep]
    assert _count(store.path, f"SELECT count(*) FROM rows WHERE run_id = '{gone}'") == 0
    assert _count(store.path, "SELECT count(*) FROM rows") == 2
    with pytest.raises(InputError):
        store.get(gone)
    with pytest.raises(InputError):
        store.delete(gone)


def test_export_csv_and_parquet(tmp_path: Path) -> None:
    fc = _forecast(models=["median", "eum"])
    store = RunStore(tmp_path / "runs.db")
    run_id = store.save(record_forecast(fc, started=START, finished=END))
    frame = fc.to_frame()

    written = store.export(run_id, tmp_path / "out.parquet", "parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(written), frame)

    csv = pd.read_csv(store.export(run_id, tmp_path / "out.csv"))
    assert list(csv.columns) == list(frame.columns)
    assert len(csv) == len(frame)
    np.testing.assert_allclose(csv["value"], frame["value"], rtol=1e-15)
    assert csv.loc[csv["quantity"] == "forecast", "model"].tolist() == ["median", "eum"]

    with pytest.raises(InputError, match="csv or parquet"):
        store.export(run_id, tmp_path / "out.xlsx", "xlsx")
    with pytest.raises(InputError, match="does not exist"):
        store.export(run_id, tmp_path / "missing" / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_large_frame_goes_to_parquet_beside_the_database(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db", row_limit=10)
    small = _record(frame=_typed_frame(10))
    large = _record(frame=_typed_frame(50))
    small_id, large_id = store.save(small), store.save(large)

    run = store.get(large_id)
    assert run.parquet_file == tmp_path / "runs-parquet" / f"{large_id}.parquet"
    assert run.parquet_file.is_file()
    pd.testing.assert_frame_equal(run.frame, large.frame)
    assert store.get(small_id).parquet_file is None
    assert {r.id: r.storage for r in store.list()} == {small_id: "rows", large_id: "parquet"}
    assert _count(store.path, f"SELECT count(*) FROM rows WHERE run_id = '{large_id}'") == 0
    assert _count(store.path, f"SELECT n_rows FROM runs WHERE id = '{large_id}'") == 50
    assert [p.name for p in store.parquet_dir.iterdir()] == [f"{large_id}.parquet"]

    store.delete(large_id)
    assert list(store.parquet_dir.iterdir()) == []

    missing = store.save(large)
    (store.parquet_dir / f"{missing}.parquet").unlink()
    with pytest.raises(StoreError, match="missing"):
        store.get(missing)


# --- crash safety and concurrency ----------------------------------------------------------------

# A child that saves a run whose 3rd row stalls while being encoded, i.e. inside the save's
# transaction, after the run's row and two result rows were inserted.
STALLING_CHILD = """
import datetime as dt, sys, time
import pandas as pd
import detente
from detente.store import RunRecord, RunStore

class Stall(dt.date):
    def isoformat(self):
        if self.day == 3:
            print("inside", flush=True)
            time.sleep(60)
        return super().isoformat()

s = detente.bundled("emission-1994")
t = dt.datetime.now(dt.timezone.utc)
frame = pd.DataFrame({"n": range(5), "day": [Stall(2026, 1, d) for d in range(1, 6)]})
store = RunStore(sys.argv[1])
store.save(RunRecord("forecast", s, {}, None, None, t, t, frame, {"partial": True}))
print("saved", flush=True)
"""


def _write_lock_held(db: Path) -> bool:
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as err:
        if "locked" not in str(err):
            raise
        return True
    finally:
        conn.close()


def test_run_killed_mid_save_leaves_no_trace(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    store = RunStore(db)
    before = store.save(_record())
    child = subprocess.Popen(
        [sys.executable, "-c", STALLING_CHILD, str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "inside", child.stderr.read() if child.stderr else ""
        assert _write_lock_held(db)  # the child is inside its transaction
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    reopened = RunStore(db)
    assert [r.id for r in reopened.list()] == [before]
    assert _count(db, "SELECT count(*) FROM rows") == 2
    assert _integrity(db) == "ok"
    after = reopened.save(_record())
    assert [r.id for r in reopened.list()] == [after, before]
    assert reopened.get(after).document == {**_record().document, "run_id": after}


WRITER_CHILD = """
import datetime as dt, pathlib, sys, time
import detente
from detente.store import RunStore, record_forecast

db, go = sys.argv[1], pathlib.Path(sys.argv[2])
s = detente.bundled("emission-1994")
fc = detente.forecast(s, ["compromise", "median"], rng=int(sys.argv[3]))
print("waiting", flush=True)
while not go.exists():
    time.sleep(0.002)
store = RunStore(db)  # both open a store that does not exist yet
for _ in range(20):
    t = dt.datetime.now(dt.timezone.utc)
    store.save(record_forecast(fc, started=t, finished=t))
print("done", flush=True)
"""


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    # both create the same new store (its folder exists: a store never creates a given folder)
    db, go = tmp_path / "runs.db", tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CHILD, str(db), str(go), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in (1, 2)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "waiting"
        go.touch()
        results = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    for child, (out, err) in zip(children, results, strict=True):
        assert child.returncode == 0, err
        assert out.strip() == "done"
    runs = RunStore(db).list()
    assert len(runs) == 40
    assert len({r.id for r in runs}) == 40
    assert sorted(r.seed for r in runs) == [1] * 20 + [2] * 20
    assert _count(db, "SELECT count(*) FROM rows") == 40 * 2
    assert _integrity(db) == "ok"


# --- schema versions -----------------------------------------------------------------------------

# The version-1 layout, written out here (not imported) so that a change to it is caught.
V1_LAYOUT = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT NOT NULL, detente_version TEXT NOT NULL,
    scenario_id TEXT NOT NULL, scenario_hash TEXT NOT NULL, scenario_json TEXT NOT NULL,
    models_json TEXT NOT NULL, seed TEXT, document_json TEXT NOT NULL,
    columns_json TEXT NOT NULL, parquet_file TEXT, n_rows INTEGER NOT NULL
);
CREATE INDEX runs_by_created ON runs (created);
CREATE TABLE rows (
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, n)
) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema_version', '1');
"""


def _old_store(db: Path) -> None:
    """A store as detente 0.0.9 wrote it (layout version 1), with one forecast of two rows."""
    s = detente.bundled("emission-1994")
    columns = [
        ["model", "object"],
        ["issue", "object"],
        ["quantity", "object"],
        ["value", "float64"],
    ]
    conn = sqlite3.connect(db)
    conn.executescript(V1_LAYOUT)
    conn.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            "20250101T000000Z-abcdef",
            "forecast",
            "complete",
            "2025-01-01T00:00:00.000000+00:00",
            "2025-01-01T00:00:00.000000+00:00",
            "2025-01-01T00:00:01.000000+00:00",
            "0.0.9",
            s.id,
            s.content_hash(),
            json.dumps(s.model_dump(mode="json")),
            json.dumps({"median": {}, "compromise": {}}),
            "7",
            json.dumps({"schema": "detente.forecast/1"}),
            json.dumps(columns),
            None,
            2,
        ),
    )
    conn.executemany(
        "INSERT INTO rows VALUES ('20250101T000000Z-abcdef', ?, ?)",
        [(0, '["median","delay","forecast",7.0]'), (1, '["compromise","delay","forecast",null]')],
    )
    conn.commit()
    conn.close()


def test_version_1_store_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_store(db)
    s = detente.bundled("emission-1994")
    store = RunStore(db)
    assert _count(db, "SELECT value FROM meta WHERE key = 'schema_version'") == SCHEMA_VERSION
    with sqlite3.connect(db) as check:
        names = {row[1] for row in check.execute("PRAGMA table_info(runs)")}
    assert {"engine", "scenario_name", "label", "note", "scenario_as_of", "headline_json"} <= names
    [summary] = store.list()
    assert summary.scenario_name == s.name
    assert (summary.engine, summary.seed, summary.detente_version) == (None, 7, "0.0.9")
    assert (summary.label, summary.note, summary.scenario_as_of) == (None, None, None)
    # the headline is filled in from the old run's rows: the first model's forecast
    assert summary.headline == {"model": "median", "issue": "delay", "value": 7.0}
    run = store.get("20250101")
    expected = pd.DataFrame(
        {
            "model": ["median", "compromise"],
            "issue": ["delay", "delay"],
            "quantity": ["forecast", "forecast"],
            "value": [7.0, np.nan],
        },
        dtype=object,
    ).astype({"value": "float64"})
    pd.testing.assert_frame_equal(run.frame, expected)
    assert run.scenario == s
    assert run.finished - run.started == dt.timedelta(seconds=1)
    new = store.save(_record("simulate"))
    assert store.get(new).engine == "in-process"
    store.set_label("2025", "old one")
    assert store.get("2025").label == "old one"
    assert _integrity(db) == "ok"


def test_store_from_a_newer_detente_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    RunStore(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        RunStore(db)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="cannot use"):
        RunStore(junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a detente run store"):
        RunStore(other)


# --- where the store lives -----------------------------------------------------------------------


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "mine.db"))
    assert default_store_path() == tmp_path / "mine.db"
    monkeypatch.setenv("DETENTE_STORE", "~/runs/x.db")
    assert default_store_path() == tmp_path / "home" / "runs" / "x.db"
    monkeypatch.delenv("DETENTE_STORE")
    if sys.platform == "win32":
        return
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_store_path() == tmp_path / "data" / "detente" / "runs.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert default_store_path() == tmp_path / "home" / ".local" / "share" / "detente" / "runs.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_store_path() == tmp_path / "home" / ".local" / "share" / "detente" / "runs.db"


def test_store_without_a_path_uses_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.db"))
    store = RunStore()
    assert store.path == tmp_path / "runs.db"
    assert store.path.is_file()
    assert store.created
    assert sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not RunStore().created


def test_a_mistyped_store_path_starts_no_store_in_new_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cli: Any
) -> None:
    """A path from DETENTE_STORE or --store: never new folders, and reading never creates."""
    typo = tmp_path / "deep" / "folder" / "runs.db"
    monkeypatch.setenv("DETENTE_STORE", str(typo))
    with pytest.raises(MissingStoreError, match=r"folder .*deep.*folder does not exist"):
        RunStore()
    with pytest.raises(MissingStoreError, match="DETENTE_STORE"):
        RunStore(readonly=True)
    with pytest.raises(MissingStoreError, match="no run store at"):
        RunStore(tmp_path / "runs.db", readonly=True)
    with pytest.raises(MissingStoreError):
        RunStore(tmp_path / "runs.db", create=False)
    assert list(tmp_path.iterdir()) == []
    for args in (("list",), ("list", "--json"), ("show", "2026"), ("export", "2026")):
        result = cli("runs", *args)
        assert result.code == 2, args
        assert result.err.startswith(f"error: there is no run store at {typo}"), args
    result = cli("report", "20261123T0625", "-o", str(tmp_path / "r.html"))
    assert result.code == 2
    assert f"there is no run store at {typo}" in result.err
    result = cli("forecast", "emission-1994", "-m", "median", "--json")
    assert result.code == 0
    assert json.loads(result.out)["run_id"] is None  # shown, not kept, and the folder says why
    assert result.err.startswith("warning: the run was not kept in the store")
    assert f"the folder {typo.parent} does not exist" in result.err
    assert list(tmp_path.iterdir()) == []
    # in a folder that exists, a new store is started, and the user is told
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.db"))
    result = cli("forecast", "emission-1994", "-m", "median", "--json")
    assert json.loads(result.out)["run_id"] is not None
    assert result.err == f"note: started a new run store at {tmp_path / 'runs.db'}\n"
    assert cli("forecast", "emission-1994", "-m", "median", "--json").err == ""
    (tmp_path / "runs.db").unlink()
    for extra in ("-wal", "-shm"):
        (tmp_path / f"runs.db{extra}").unlink(missing_ok=True)
    # the default location (no DETENTE_STORE) is created, folders and all, on the first save
    monkeypatch.delenv("DETENTE_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = cli("runs", "list", "--json")
    assert result.code == 0
    assert json.loads(result.out)["runs"] == []
    assert list(tmp_path.iterdir()) == []
    store = RunStore()
    assert store.path == tmp_path / "data" / "detente" / "runs.db"
    assert store.created


# --- the `runs` commands -------------------------------------------------------------------------


def _invoke(*args: str) -> tuple[int, str, BaseException | None]:
    from detente.cli import _console

    # 200 columns, whatever width the console took when it was made (rich fixes it then when
    # COLUMNS is set, as it is in pytest-xdist's workers)
    saved = _console.stdout._width
    _console.stdout._width = 200
    try:
        result = CliRunner().invoke(runs_app, list(args), env={"COLUMNS": "200"})
    finally:
        _console.stdout._width = saved
    return result.exit_code, result.output, result.exception


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[str, str, str]:
    """A store with two forecasts of emission-1994 that differ in one Nash option."""
    store = RunStore(tmp_path / "runs.db")
    a = _forecast(models=["median", "nash"])
    b = _forecast(models=["median", "nash"], options={"nash": {"utility": "quadratic"}})
    ids = [store.save(record_forecast(fc, started=START, finished=END)) for fc in (a, b)]
    return str(store.path), ids[0], ids[1]


def test_runs_list(two_runs: tuple[str, str, str]) -> None:
    db, a, b = two_runs
    code, out, _ = _invoke("list", "--store", db)
    assert code == 0
    assert a in out
    assert b in out
    assert out.index(b) < out.index(a)
    assert "emission-1994" in out

    code, out, _ = _invoke("list", "--json", "--limit", "1", "--store", db)
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == RUNS_SCHEMA
    assert [r["id"] for r in doc["runs"]] == [b]
    assert doc["runs"][0]["models"] == ["median", "nash"]

    # an OverflowError (SQLite INTEGER) before the limit was clamped: now every run
    code, out, err = _invoke("list", "--json", "--limit", "99999999999999999999999", "--store", db)
    assert code == 0, err
    assert [r["id"] for r in json.loads(out)["runs"]] == [b, a]


def test_runs_show(two_runs: tuple[str, str, str]) -> None:
    db, a, _ = two_runs
    stored = RunStore(db).get(a)
    code, out, _ = _invoke("show", a, "--json", "--store", db)
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == RUN_SCHEMA
    assert doc["id"] == a
    assert doc["document"] == stored.document
    assert doc["scenario"]["hash"] == detente.bundled("emission-1994").content_hash()
    assert Scenario.model_validate(doc["scenario"]["copy"]) == detente.bundled("emission-1994")
    assert doc["models"]["nash"]["utility"] == "linear"
    assert (doc["seed"], doc["engine"], doc["rows"], doc["storage"]) == (7, None, 2, "rows")
    assert doc["duration_s"] == 2.5

    code, out, _ = _invoke("show", a[:-2], "--store", db)
    assert code == 0
    assert a in out
    nash = detente.forecast(detente.bundled("emission-1994"), ["nash"]).value("nash", "delay")
    assert f"{nash:.3f}" in out
    assert 'utility="linear"' in out


def test_runs_compare(two_runs: tuple[str, str, str]) -> None:
    db, a, b = two_runs
    code, out, _ = _invoke("compare", a, b, "--store", db)
    assert code == 0
    assert "identical" in out
    assert '"linear"' in out
    assert '"quadratic"' in out
    s = detente.bundled("emission-1994")
    linear = detente.forecast(s, ["nash"]).value("nash", "delay")
    quadratic = detente.forecast(s, ["nash"], options={"nash": {"utility": "quadratic"}}).value(
        "nash", "delay"
    )
    assert linear != pytest.approx(quadratic)
    row = next(line for line in out.splitlines() if "nash" in line and "forecast" in line)
    assert f"{linear:.3f}" in row
    assert f"{quadratic:.3f}" in row
    assert f"{quadratic - linear:+.3f}" in row
    median_row = next(line for line in out.splitlines() if "median" in line and "forecast" in line)
    assert "+0.000" in median_row


def test_runs_compare_reports_a_different_scenario(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    a = store.save(_record())
    other = detente.forecast(detente.bundled("six-party-2004"), ["median"])
    b = store.save(record_forecast(other, started=START, finished=END))
    code, out, _ = _invoke("compare", a, b, "--store", str(store.path))
    assert code == 0
    assert "scenarios differ" in out
    assert "no results in common" in out


def test_runs_delete_and_export(two_runs: tuple[str, str, str], tmp_path: Path) -> None:
    db, a, b = two_runs
    target = tmp_path / "a.parquet"
    code, _, _ = _invoke("export", a, "--format", "parquet", "-o", str(target), "--store", db)
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_parquet(target), RunStore(db).get(a).frame)
    code, _, _ = _invoke("export", b, "-o", str(tmp_path / "b.csv"), "--store", db)
    assert code == 0
    assert len(pd.read_csv(tmp_path / "b.csv")) == 2

    code, _, _ = _invoke("delete", a, "--store", db)
    assert code == 0
    assert [r.id for r in RunStore(db).list()] == [b]


def test_runs_errors_are_input_errors(two_runs: tuple[str, str, str], tmp_path: Path) -> None:
    db, a, _ = two_runs
    for args in (
        ("show", "nope"),
        ("delete", "nope"),
        ("compare", a, "nope"),
        ("list", "--kind", "bogus"),
        ("export", a, "--format", "xlsx", "-o", str(tmp_path / "x.xlsx")),
    ):
        code, _, error = _invoke(*args, "--store", db)
        assert code != 0
        assert isinstance(error, InputError), args


def test_runs_compare_a_forecast_with_a_simulation(tmp_path: Path) -> None:
    """Only what both runs have is compared: here the median model's forecast."""
    store = RunStore(tmp_path / "runs.db")
    fc = _forecast(models=["median", "nash"])
    a = store.save(record_forecast(fc, started=START, finished=END))
    draws = pd.DataFrame(
        {
            "model": ["median"] * 5,
            "issue": ["delay"] * 5,
            "draw": pd.array([0, 1, None, None, None], dtype="Int64"),
            "quantity": ["value", "value", "forecast", "median", "p05"],
            "value": [6.0, 8.0, 7.25, 7.0, 6.1],
        }
    )
    b = store.save(_record("simulate", draws))
    code, out, _ = _invoke("compare", a, b, "--store", str(store.path))
    assert code == 0
    lines = [line for line in out.splitlines() if "delay" in line]
    assert len(lines) == 1
    assert "median" in lines[0]
    assert "+0.250" in lines[0]
    assert "Results in A only: 1; in B only: 2." in out

    code, out, _ = _invoke("show", b, "--store", str(store.path))
    assert code == 0
    assert "Summaries" in out
    assert "p05" in out
    assert "6.100" in out
    assert "8.000" not in out  # per-draw rows are not summaries


# --- a store that cannot be written: the result is never lost -------------------------------------


def test_a_store_missing_a_table_still_shows_the_forecast(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    RunStore(db).save(_record())
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE rows")
    monkeypatch.setenv("DETENTE_STORE", str(db))
    result = cli("forecast", "emission-1994", "-m", "median", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["run_id"] is None
    assert doc["issues"][0]["forecasts"][0]["value"] == 7.0
    assert result.err.startswith("warning: the run was not kept in the store:")
    assert f"{db}: the run store is damaged: its table rows is missing" in result.err


def test_any_failure_while_saving_is_a_warning(
    cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Even a failure the store does not foresee: the forecast is printed, the run not kept."""
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.db"))

    def broken(self: RunStore, record: RunRecord) -> str:
        raise RuntimeError("disk controller on fire")

    monkeypatch.setattr(RunStore, "save", broken)
    result = cli("forecast", "emission-1994", "-m", "median")
    assert result.code == 0
    assert "median" in result.out
    assert result.err == "warning: the run was not kept in the store: disk controller on fire\n"


# --- damaged and foreign stores: one rule, exit 2 naming the file ---------------------------------


def _damage(db: Path, how: str) -> None:
    if how == "garbage file":
        db.write_bytes(b"this is not sqlite" * 100)
    elif how == "not a run store":
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE t (x)")
    elif how == "empty database":
        db.write_bytes(b"")
        sqlite3.connect(db).close()
    else:
        store = RunStore(db, row_limit=1 if how == "bad parquet file" else ROW_LIMIT)
        run_id = store.save(_record())
        with sqlite3.connect(db) as conn:
            if how == "newer schema":
                conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
            elif how == "missing table":
                conn.execute("DROP TABLE rows")
            elif how == "missing column":
                conn.execute("ALTER TABLE runs DROP COLUMN models_json")
            elif how == "bad json":
                conn.execute("UPDATE runs SET models_json = '{oops', document_json = '[1'")
            elif how == "bad time":
                conn.execute("UPDATE runs SET created = 'yesterday'")
            elif how == "bad row":
                conn.execute("UPDATE rows SET data = 'not json'")
            elif how == "bad parquet file":
                (store.parquet_dir / f"{run_id}.parquet").write_bytes(b"PAR1 broken")
        if how == "truncated":
            db.write_bytes(db.read_bytes()[:5000])


DAMAGES = [
    "garbage file",
    "not a run store",
    "newer schema",
    "missing table",
    "missing column",
    "bad json",
    "bad time",
    "bad row",
    "bad parquet file",
    "truncated",
]


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_or_foreign_store_is_an_input_error(cli: Any, tmp_path: Path, how: str) -> None:
    db = tmp_path / "runs.db"
    _damage(db, how)
    for args in (["list"], ["list", "--json"], ["show", "2"], ["show", "2", "--json"]):
        result = cli("runs", *args, "--store", str(db))
        if how in ("bad row", "bad parquet file") and args[0] == "list":
            assert result.code == 0, (args, result.err)  # the list never reads the frames
            continue
        assert result.code == 2, (args, result.err)
        assert "internal error" not in result.err, args
        assert str(db) in result.err, (args, result.err)
        assert result.out == "", args


@pytest.mark.parametrize("how", ["garbage file", "not a run store", "newer schema"])
def test_every_unusable_store_is_a_store_error(tmp_path: Path, how: str) -> None:
    db = tmp_path / "runs.db"
    _damage(db, how)
    for readonly in (False, True):
        with pytest.raises(StoreError, match=str(db)) as caught:
            RunStore(db, readonly=readonly)
        assert isinstance(caught.value, InputError)


# --- read-only stores --------------------------------------------------------------------------

READ_ONLY_CHILD = """
import json, sys
from detente.store import RunStore
store = RunStore(sys.argv[1], readonly=True)
runs = store.list()
frame = store.get(runs[0].id).frame
store.export(runs[0].id, sys.argv[2])
print(json.dumps({"runs": len(runs), "rows": len(frame)}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize(
    "locked",
    ["file", pytest.param("folder", marks=pytest.mark.slow)],  # each spawns 4 processes
)
def test_a_read_only_store_can_be_listed_shown_and_exported(tmp_path: Path, locked: str) -> None:
    from test_files import without_root_powers

    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "runs.db"
    store = RunStore(db, row_limit=1)
    first, second = store.save(_record()), store.save(_record(frame=_typed_frame(3)))
    del store
    assert sorted(p.name for p in folder.iterdir()) == ["runs-parquet", "runs.db"]
    before = db.read_bytes()
    db.chmod(0o444)
    if locked == "folder":
        folder.chmod(0o555)
    out = tmp_path / "out.csv"
    exe = Path(sys.executable).parent / "detente"
    try:
        child = subprocess.run(
            [sys.executable, "-c", READ_ONLY_CHILD, str(db), str(out)],
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=without_root_powers,
        )
        assert child.returncode == 0, child.stderr
        assert json.loads(child.stdout) == {"runs": 2, "rows": 3}
        listed = subprocess.run(
            [str(exe), "runs", "list", "--json", "--store", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=without_root_powers,
        )
        assert listed.returncode == 0, listed.stderr
        assert {r["id"] for r in json.loads(listed.stdout)["runs"]} == {first, second}
        for args in (["label", first, "x"], ["delete", first]):
            refused = subprocess.run(
                [str(exe), "runs", *args, "--store", str(db)],
                capture_output=True,
                text=True,
                timeout=120,
                preexec_fn=without_root_powers,
            )
            assert refused.returncode == 2, refused.stderr
            assert f"the run store {db} is read-only" in refused.stderr
            assert "internal error" not in refused.stderr
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert db.read_bytes() == before
    assert len(pd.read_csv(out)) == 3


def test_read_only_opening_reads_an_old_layout_without_migrating_it(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _old_store(db)
    store = RunStore(db, readonly=True)
    [summary] = store.list()
    assert summary.scenario_name == detente.bundled("emission-1994").name
    assert (summary.engine, summary.label, summary.headline) == (None, None, None)
    assert store.get("2025").frame["value"].iloc[0] == 7.0
    assert _count(db, "SELECT value FROM meta WHERE key = 'schema_version'") == 1
    with pytest.raises(StoreError, match="read-only"):
        store.save(_record())


# --- leftovers of killed saves ------------------------------------------------------------------


def test_saving_removes_leftover_parquet_files(tmp_path: Path) -> None:
    from detente._files import _prefix

    store = RunStore(tmp_path / "runs.db", row_limit=1)
    kept = store.save(_record())
    folder = store.parquet_dir
    two_hours_ago = time.time() - 7200
    old_style = folder / ".tmp-abc123.parquet"  # as detente 0.x named them: judged by age
    old_style.write_bytes(b"x")
    os.utime(old_style, (two_hours_ago, two_hours_ago))
    young_old_style = folder / ".tmp-def456.parquet"
    young_old_style.write_bytes(b"x")
    prefix = _prefix(folder / "run.parquet")
    dead = folder / f"{prefix.replace(f'-{os.getpid()}-', '-999999999-')}x.parquet"
    dead.write_bytes(b"x")
    alive = folder / f"{prefix}y.parquet"  # this process's: a save in progress
    alive.write_bytes(b"x")
    orphan = folder / "20250101T000000Z-abcdef.parquet"  # renamed, never committed
    orphan.write_bytes(b"x")
    new = store.save(_record())
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{kept}.parquet", f"{new}.parquet", young_old_style.name, alive.name]
    )
    assert stat.S_IMODE((folder / f"{new}.parquet").stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- what differs, labels, notes, and what runs list says ----------------------------------------


def test_runs_compare_names_the_inputs_that_differ(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    base = detente.bundled("emission-1994")
    data = base.model_dump(mode="json")
    moved = data["actors"][0]["id"]
    data["actors"][0]["position"]["delay"] = 9.5
    changed = Scenario.model_validate(data)
    a = store.save(record_forecast(_forecast(models=["median"]), started=START, finished=END))
    fc = detente.forecast(changed, ["median"], rng=7)
    b = store.save(record_forecast(fc, started=START, finished=END))
    code, out, _ = _invoke("compare", a, b, "--store", str(store.path))
    assert code == 0
    assert "The scenarios differ: 1 input" in out
    [row] = [line for line in out.splitlines() if f"actors[{moved}].position.delay" in line]
    cells = [cell.strip() for cell in row.strip("│ ").split("│")]
    original = base.actor(moved).position["delay"]
    assert cells == [f"actors[{moved}].position.delay", str(original), "9.5"]


def test_runs_compare_counts_the_differences_it_does_not_show(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    data = detente.bundled("emission-1994").model_dump(mode="json")
    assert len(data["actors"]) == 10
    for actor in data["actors"]:  # 10 positions, 2 capabilities, a name and a date: 14 inputs
        actor["position"]["delay"] = 4.0 if actor["position"]["delay"] != 4.0 else 5.0
    for actor in data["actors"][:2]:
        actor["capability"] *= 2
    data["name"] = "renamed"
    data["as_of"] = "1989-06-01"
    changed = Scenario.model_validate(data)
    a = store.save(record_forecast(_forecast(models=["median"]), started=START, finished=END))
    fc = detente.forecast(changed, ["median"], rng=7)
    b = store.save(record_forecast(fc, started=START, finished=END))
    code, out, _ = _invoke("compare", a, b, "--store", str(store.path))
    assert code == 0
    assert "The scenarios differ: 14 inputs" in out
    table = out[out.index("The scenarios differ") : out.index("... and")]
    inputs = [line.split("│")[1].strip() for line in table.splitlines() if line.count("│") == 4]
    assert inputs[:2] == ["name", "as_of"]  # in the order of the scenario file
    assert len(inputs) == 12
    assert sum(".position.delay" in name or ".capability" in name for name in inputs) == 10
    assert "... and 2 more differences" in out


def test_runs_can_be_labelled_and_noted(cli: Any, two_runs: tuple[str, str, str]) -> None:
    db, a, b = two_runs
    # the shortest prefix of a that b does not share (two runs of one second share "...Z-")
    prefix = next(a[:n] for n in range(17, len(a) + 1) if not b.startswith(a[:n]))
    assert cli("runs", "label", prefix, "baseline, May inputs", "--store", db).code == 0
    assert cli("runs", "note", a, "USA from the 12 May briefing", "--store", db).code == 0
    shown = json.loads(cli("runs", "show", a, "--json", "--store", db).out)
    assert (shown["label"], shown["note"]) == (
        "baseline, May inputs",
        "USA from the 12 May briefing",
    )
    listed = json.loads(cli("runs", "list", "--json", "--store", db).out)["runs"]
    assert {r["id"]: r["label"] for r in listed} == {a: "baseline, May inputs", b: None}
    table = _invoke("list", "--store", db)[1]
    assert "baseline, May" in next(line for line in table.splitlines() if a in line)
    text = _invoke("show", a, "--store", db)[1]
    assert "USA from the 12 May briefing" in text
    for bad in ("two\nlines", "x" * 81):
        refused = cli("runs", "label", a, bad, "--store", db)
        assert refused.code == 2
        assert refused.err.startswith("error: a run's label")
    assert cli("runs", "label", a, "", "--store", db).code == 0
    assert RunStore(db).get(a).label is None
    assert RunStore(db).get(a).note == "USA from the 12 May briefing"


def test_a_record_can_carry_a_label(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    run_id = store.save(dataclasses.replace(_record(), label="  first  ", note="why"))
    [summary] = store.list()
    assert (summary.id, summary.label, summary.note) == (run_id, "first", "why")
    with pytest.raises(ValueError, match="label"):
        dataclasses.replace(_record(), label="a\nb")


def test_runs_list_shows_the_scenario_date_and_the_headline(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    s = detente.bundled("six-party-2004")
    fc = detente.forecast(s, ["nash", "median"], rng=1)
    run_id = store.save(record_forecast(fc, started=START, finished=END))
    code, out, _ = _invoke("list", "--store", str(store.path))
    assert code == 0
    nash = detente.forecast(s, ["nash"]).value("nash", "disarmament")
    block = out[out.index(run_id) :]
    assert "(2004-05-10)" in block
    assert f"disarmament: {nash:.3f}" in " ".join(block.split())
    code, out, _ = _invoke("list", "--json", "--store", str(store.path))
    [listed] = json.loads(out)["runs"]
    assert listed["scenario"]["as_of"] == "2004-05-10"
    assert listed["headline"] == {"model": "nash", "issue": "disarmament", "value": nash}


# --- seeds that survive any JSON tool -------------------------------------------------------------


def test_large_seeds_round_trip_through_json_tools(cli: Any, tmp_path: Path, monkeypatch) -> None:
    """jq 1.6 and JavaScript read numbers as doubles: seed_text carries the seed exactly."""
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.db"))
    seed = 2**125 + 12345  # a SeedSequence's entropy is 128 bits
    as_doubles = {"parse_int": float}  # what a double-based JSON reader sees
    out = cli("forecast", "emission-1994", "-m", "median", "--rng", str(seed), "--json").out
    doc = json.loads(out, **as_doubles)
    assert int(doc["seed"]) != seed  # the plain number loses digits in such a tool...
    assert doc["seed_text"] == str(seed)  # ...the text does not
    for args in (["runs", "list", "--json"], ["runs", "show", doc["run_id"], "--json"]):
        shown = json.loads(cli(*args).out, **as_doubles)
        entry = shown["runs"][0] if "runs" in shown else shown
        assert entry["seed_text"] == str(seed), args
        assert json.loads(cli(*args).out).get("seed", entry.get("seed")) is not None
    assert RunStore().get(doc["run_id"]).seed == seed
    again = cli("forecast", "emission-1994", "-m", "median", "--rng", doc["seed_text"], "--json")
    assert json.loads(again.out)["issues"] == json.loads(out)["issues"]
    small = json.loads(cli("forecast", "emission-1994", "-m", "median", "--json").out)
    assert small["seed_text"] == str(small["seed"])
