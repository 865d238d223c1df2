"""What the run store keeps: the record of a run going in, and what comes back out.

A :class:`RunRecord` is what a front end hands to :meth:`RunStore.save
<detente.store.RunStore.save>`; a :class:`StoredRun` is what :meth:`RunStore.get
<detente.store.RunStore.get>` returns (the record's fields, the run id and the frame read back);
a :class:`RunSummary` is one line of :meth:`RunStore.list <detente.store.RunStore.list>`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from detente._rng import seed_fields
from detente._version import __version__
from detente.errors import InputError
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from detente.analysis import Dynamics, Study
    from detente.backtest import Backtest
    from detente.forecasting import Forecast
    from detente.simulate.result import Simulation
    from detente.simulate.sweep import Sweep

__all__ = [
    "KINDS",
    "RUNS_SCHEMA",
    "RUN_SCHEMA",
    "RunRecord",
    "RunSubject",
    "RunSummary",
    "StoredRun",
    "headline",
    "record_backtest",
    "record_dynamics",
    "record_forecast",
    "record_simulation",
    "record_study",
    "record_sweep",
]

#: Kinds of run the store accepts.
KINDS: tuple[str, ...] = ("forecast", "simulate", "study", "sweep", "backtest", "dynamics")
#: Version tag of the document ``detente runs show --json`` prints (:meth:`StoredRun.to_json`).
RUN_SCHEMA = "detente.run/1"
#: Version tag of the document ``detente runs list --json`` prints.
RUNS_SCHEMA = "detente.runs/1"


class RunSubject(Protocol):
    """What a run was made on: a :class:`~detente.scenario.Scenario`, or a data set (backtests).

    The store keeps its ``id``, ``name``, its JSON copy and its content hash.
    """

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...

    def content_hash(self) -> str: ...


@dataclass(frozen=True, eq=False)  # holds a DataFrame: compared by identity
class RunRecord:
    """One finished forecast or simulation, as handed to the store.

    Parameters
    ----------
    kind
        ``"forecast"``, ``"simulate"``, ``"study"``, ``"sweep"``, ``"backtest"`` or
        ``"dynamics"``.
    scenario
        The scenario the run used (for a backtest, a description of the data set); the store
        keeps a full copy and its content hash.
    models
        Model name -> its resolved options (JSON-compatible values).
    seed
        The seed the run was given, or ``None``.
    engine
        Where the draws ran (``"in-process"``, ``"processes:2"``, ``"dask:tcp://..."``);
        ``None`` for a forecast.
    started, finished
        Timezone-aware start and end times.
    frame
        The run's tidy result table. Its columns and their dtypes are kept; its index is not.
    document
        The command's JSON output document.
    detente_version
        Version of the package that made the run.
    status
        ``"complete"`` unless the caller says otherwise.
    label, note
        What the user calls the run (one line) and why it was made; ``None`` for none.

    Raises
    ------
    ValueError
        An unknown ``kind``, a naive time, ``finished`` before ``started``, or a label or note
        that :func:`check_label` or :func:`check_note` refuses.
    """

    kind: str
    scenario: Scenario | RunSubject
    models: Mapping[str, Mapping[str, Any]]
    seed: int | None
    engine: str | None
    started: dt.datetime
    finished: dt.datetime
    frame: pd.DataFrame
    document: dict[str, Any]
    detente_version: str = __version__
    status: str = "complete"
    label: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"run kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        for name in ("started", "finished"):
            value = getattr(self, name)
            if not isinstance(value, dt.datetime) or value.utcoffset() is None:
                raise ValueError(f"{name} must be a timezone-aware datetime, not {value!r}")
        if self.finished < self.started:
            raise ValueError(f"finished ({self.finished}) is before started ({self.started})")
        if not self.status:
            raise ValueError("status must not be empty")
        try:
            check_label(self.label)
            check_note(self.note)
        except InputError as err:
            raise ValueError(str(err)) from None


#: Longest label and note a run may carry (characters).
LABEL_MAX = 80
NOTE_MAX = 2000


def check_label(label: str | None) -> str | None:
    """``label`` stripped (``None`` when empty), or an :class:`InputError` saying what is wrong.

    A label is one line of at most :data:`LABEL_MAX` characters.
    """
    if label is None or not label.strip():
        return None
    label = label.strip()
    if not label.isprintable():  # no line breaks, tabs or control characters
        raise InputError(f"a run's label is one line of printable text, not {label!r}")
    if len(label) > LABEL_MAX:
        raise InputError(
            f"a run's label has at most {LABEL_MAX} characters, not {len(label)}; "
            "a longer text is a note (detente runs note)"
        )
    return label


def check_note(note: str | None) -> str | None:
    """``note`` stripped (``None`` when empty), or an :class:`InputError` when too long."""
    if note is None or not note.strip():
        return None
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InputError(f"a run's note has at most {NOTE_MAX} characters, not {len(note)}")
    return note


#: Columns that, when set, mark a frame's row as one draw's, round's or actor's.
DETAIL_COLUMNS = ("draw", "round", "actor")


def headline(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The run's headline: the first forecast in its frame that is not one draw's, round's or
    actor's (the first model's forecast of the first issue), or ``None`` when there is none.

    Returns
    -------
    dict or None
        ``{"model": ..., "issue": ..., "value": ...}``; ``value`` is ``None`` when missing.
    """
    import pandas as pd

    if not {"model", "issue", "quantity", "value"} <= set(frame.columns) or not len(frame):
        return None
    keep = frame["quantity"].astype(str) == "forecast"
    for column in DETAIL_COLUMNS:
        if column in frame.columns:
            keep &= frame[column].isna()
    rows = frame.loc[keep]
    if not len(rows):
        return None
    first = rows.iloc[0]
    value = pd.to_numeric(pd.Series([first["value"]]), errors="coerce").iloc[0]
    return {
        "model": str(first["model"]),
        "issue": str(first["issue"]),
        "value": None if pd.isna(value) else float(value),
    }


@dataclass(frozen=True)
class RunSummary:
    """One stored run, without its scenario copy, frame or document (a line of ``runs list``).

    ``storage`` is ``"rows"`` (the frame is in the database) or ``"parquet"`` (in a file beside
    it); ``n_rows`` is the frame's length. Times are UTC.
    """

    id: str
    kind: str
    status: str
    created: dt.datetime
    started: dt.datetime
    finished: dt.datetime
    detente_version: str
    scenario_id: str
    scenario_name: str
    scenario_hash: str
    models: tuple[str, ...]
    seed: int | None
    engine: str | None
    n_rows: int
    storage: str
    label: str | None = None
    note: str | None = None
    scenario_as_of: str | None = None
    headline: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The summary as one entry of the ``detente.runs/1`` document."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created": self.created.isoformat(),
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "detente_version": self.detente_version,
            "scenario": {
                "id": self.scenario_id,
                "name": self.scenario_name,
                "as_of": self.scenario_as_of,
                "hash": self.scenario_hash,
            },
            "label": self.label,
            "note": self.note,
            "models": list(self.models),
            **seed_fields(self.seed),
            "engine": self.engine,
            "rows": self.n_rows,
            "storage": self.storage,
            "headline": self.headline,
        }


@dataclass(frozen=True, eq=False)  # holds a DataFrame: compared by identity
class StoredRun:
    """A run read back from the store: its record's fields, its id and its result frame.

    ``scenario_data`` is the stored copy of the scenario as plain JSON data; :attr:`scenario`
    validates it into a :class:`~detente.scenario.Scenario`. ``parquet_file`` is the file that
    holds the frame when the run was too large for the database, else ``None``.
    """

    id: str
    kind: str
    status: str
    created: dt.datetime
    started: dt.datetime
    finished: dt.datetime
    detente_version: str
    scenario_hash: str
    scenario_data: dict[str, Any]
    models: dict[str, dict[str, Any]]
    seed: int | None
    engine: str | None
    frame: pd.DataFrame = field(repr=False)
    document: dict[str, Any] = field(repr=False)
    parquet_file: Path | None = None
    label: str | None = None
    note: str | None = None

    @property
    def scenario(self) -> Scenario:
        """The stored scenario copy, validated.

        Raises
        ------
        ScenarioError
            The copy no longer validates (it was stored by a version with another format).
        InputError
            The run is a backtest: it was made on a data set, not on a scenario.
        """
        if self.kind == "backtest":
            raise InputError(
                f"run {self.id} is a backtest of the {self.scenario_data.get('id')} data set, "
                "not a run on a scenario"
            )
        return Scenario.model_validate(self.scenario_data)

    @property
    def n_rows(self) -> int:
        """Rows of the result frame."""
        return len(self.frame)

    @property
    def storage(self) -> str:
        """``"parquet"`` when the frame lives in a Parquet file, else ``"rows"``."""
        return "rows" if self.parquet_file is None else "parquet"

    def to_json(self) -> dict[str, Any]:
        """The ``detente.run/1`` document: the run's metadata and its stored output document."""
        data = self.scenario_data
        return {
            "schema": RUN_SCHEMA,
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created": self.created.isoformat(),
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "duration_s": (self.finished - self.started).total_seconds(),
            "detente_version": self.detente_version,
            "label": self.label,
            "note": self.note,
            "scenario": {
                "id": data.get("id"),
                "name": data.get("name", ""),
                "as_of": data.get("as_of"),
                "hash": self.scenario_hash,
                "copy": data,
            },
            "models": self.models,
            **seed_fields(self.seed),
            "engine": self.engine,
            "rows": self.n_rows,
            "storage": self.storage,
            "parquet_file": None if self.parquet_file is None else str(self.parquet_file),
            "document": self.document,
        }


def record_forecast(fc: Forecast, *, started: dt.datetime, finished: dt.datetime) -> RunRecord:
    """A :class:`RunRecord` of a finished forecast.

    Parameters
    ----------
    fc
        The forecast.
    started, finished
        Timezone-aware times the forecast started and finished.

    Returns
    -------
    RunRecord
        Kind ``"forecast"``, each model's options, the forecast's seed, no engine, the frame of
        :meth:`Forecast.to_frame <detente.forecasting.Forecast.to_frame>` and the document of
        :meth:`Forecast.to_json <detente.forecasting.Forecast.to_json>`.
    """
    return RunRecord(
        kind="forecast",
        scenario=fc.scenario,
        models={run.model: json.loads(json.dumps(dict(run.options))) for run in fc.runs},
        seed=fc.seed,
        engine=None,
        started=started,
        finished=finished,
        frame=fc.to_frame(),
        document=fc.to_json(),
        detente_version=fc.detente_version,
    )


def record_simulation(sim: Simulation, *, started: dt.datetime, finished: dt.datetime) -> RunRecord:
    """A :class:`RunRecord` of a finished Monte Carlo run.

    Kind ``"simulate"``; the frame is every draw's forecast (one row per future, model, issue
    and draw: large runs spill to Parquet), the document the ``detente.simulate/1`` summary.
    """
    return RunRecord(
        kind="simulate",
        scenario=sim.scenario,
        models={name: json.loads(json.dumps(sim.options[name])) for name in sim.models},
        seed=sim.seed,
        engine=sim.engine,
        started=started,
        finished=finished,
        frame=sim.to_frame(),
        document=sim.to_json(),
        detente_version=sim.detente_version,
    )


def record_study(study: Study, *, finished: dt.datetime) -> RunRecord:
    """A :class:`RunRecord` of a finished study (what ``detente report`` keeps).

    Kind ``"study"``; it started when the study was made; the frame is the simulation's (every
    draw) when there is one, else the forecast's; the document is the ``detente.study/1``
    document the report renders.
    """
    sim = study.simulation
    return RunRecord(
        kind="study",
        scenario=study.scenario,
        models={
            run.model: json.loads(json.dumps(dict(run.options))) for run in study.forecast.runs
        },
        seed=study.seed,
        engine=sim.engine if sim is not None else None,
        started=study.made,
        finished=finished,
        frame=sim.to_frame() if sim is not None else study.forecast.to_frame(),
        document=study.to_json(),
        detente_version=study.detente_version,
    )


def record_dynamics(dyn: Dynamics, *, started: dt.datetime, finished: dt.datetime) -> RunRecord:
    """A :class:`RunRecord` of finished dynamics over time (what ``detente dynamics`` keeps).

    Kind ``"dynamics"``; the model's options, the seed, the frame of
    :meth:`Dynamics.to_frame <detente.analysis.Dynamics.to_frame>` and the
    ``detente.dynamics/1`` document (with each draw's first settled round).
    """
    return RunRecord(
        kind="dynamics",
        scenario=dyn.scenario,
        models={dyn.model: dyn.options.model_dump(mode="json")},
        seed=dyn.seed,
        engine=None,
        started=started,
        finished=finished,
        frame=dyn.to_frame(),
        document=dyn.to_json(),
        detente_version=dyn.detente_version,
    )


def record_sweep(sw: Sweep, *, started: dt.datetime, finished: dt.datetime) -> RunRecord:
    """A :class:`RunRecord` of a finished sweep.

    Kind ``"sweep"``; the frame has one row per design point, model and issue (large sweeps
    spill to Parquet), the document is the ``detente.sweep/1`` summary.
    """
    return RunRecord(
        kind="sweep",
        scenario=sw.scenario,
        models={name: json.loads(json.dumps(sw.options[name])) for name in sw.models},
        seed=sw.seed,
        engine=sw.engine,
        started=started,
        finished=finished,
        frame=sw.to_frame(),
        document=sw.to_json(),
        detente_version=sw.detente_version,
    )


def record_backtest(bt: Backtest, *, started: dt.datetime, finished: dt.datetime) -> RunRecord:
    """A :class:`RunRecord` of a finished backtest.

    Kind ``"backtest"``; the subject is the data set (id, citation, SHA-256 of the file); the
    frame has one row per issue and model, the document is the ``detente.backtest/1`` summary.
    """
    return RunRecord(
        kind="backtest",
        scenario=bt.dataset,
        models={name: json.loads(json.dumps(bt.options[name])) for name in bt.models},
        seed=bt.seed,
        engine=None,
        started=started,
        finished=finished,
        frame=bt.frame,
        document=bt.to_json(),
        detente_version=bt.detente_version,
    )
