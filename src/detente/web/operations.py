"""What the workbench does, over detente's public API: one function per operation.

The HTML pages and the JSON API both call these, so that a page and an endpoint give the same
numbers. The JSON documents are the CLI's: ``Forecast.to_json``, ``Simulation.to_json``,
``StoredRun.to_json`` and the ``detente.advice/1`` and ``detente.coalitions/1`` documents
assembled as ``detente advise --json`` and ``detente coalitions --json`` assemble them.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.errors import InputError

if TYPE_CHECKING:
    from detente.forecasting import Forecast
    from detente.scenario import Scenario
    from detente.store import RunStore, StoredRun
    from detente.web.jobs import Job, Jobs
    from detente.web.workspace import Workspace

__all__ = [
    "MAX_WEB_ACTORS",
    "MAX_WEB_DRAWS",
    "Ref",
    "advice_document",
    "check_actors",
    "check_simulation",
    "coalitions_document",
    "dynamic_models",
    "run_forecast",
    "static_models",
    "what_if",
]

#: The most draws a simulation started from the workbench may ask for.
MAX_WEB_DRAWS = 100_000
#: The most actors any model run from the workbench may have (a forecast of 1,000 takes
#: seconds and grows with the square).
MAX_WEB_ACTORS = 1000
#: The most work a simulation from the workbench may ask for, as draws x actors^2 (what its
#: rounds cost): the largest bundled scenario (13 actors) at 100,000 draws asks 16,900,000,
#: a few minutes on one core; 100 actors may have 2,000 draws.
MAX_WEB_WORK = 20_000_000


@dataclass(frozen=True)
class Ref:
    """A scenario of the library: bundled (read-only) or in the workspace."""

    where: str  # "bundled" or "workspace"
    name: str

    @property
    def url(self) -> str:
        return f"/s/{self.where}/{self.name}"

    def load(self, workspace: Workspace) -> Scenario:
        """The scenario, read again only when its file changed (a Scenario is immutable)."""
        if self.where == "bundled":
            return _bundled(self.name)
        if self.where == "workspace":
            path = workspace.path(self.name)
            try:
                stat = path.stat()
            except OSError:
                return workspace.load(self.name)  # missing: its error
            return _read(workspace, self.name, (stat.st_mtime_ns, stat.st_size, stat.st_ino))
        raise InputError(f"'{self.where}' is not a library: bundled or workspace")

    def text(self, workspace: Workspace) -> str:
        if self.where == "bundled":
            from importlib import resources

            from detente.scenario.bundled import bundled_names

            if self.name not in bundled_names():
                raise InputError(f"no bundled scenario '{self.name}'")
            resource = resources.files("detente.scenario.data") / f"{self.name}.yaml"
            return resource.read_text(encoding="utf-8")
        return workspace.text(self.name)


@lru_cache(maxsize=16)
def _bundled(name: str) -> Scenario:
    from detente.scenario.bundled import bundled

    return bundled(name)


@lru_cache(maxsize=64)
def _read(workspace: Workspace, name: str, stamp: tuple[int, int, int]) -> Scenario:
    """The workspace's scenario ``name`` as it was at ``stamp`` (modified time, size, inode)."""
    return workspace.load(name)


def check_actors(scenario: Scenario) -> None:
    """Refuse to run models on more actors than the workbench takes, before any work."""
    if len(scenario.actors) > MAX_WEB_ACTORS:
        raise InputError(
            f"the scenario has {len(scenario.actors):,} actors; the workbench runs models on "
            f"at most {MAX_WEB_ACTORS:,} (use the command line)"
        )


def static_models() -> list[str]:
    """The registered models that give a point without rounds (the what-if runs them live)."""
    from detente import models

    return [info.name for info in models.registered() if not info.iterative]


def dynamic_models() -> list[str]:
    """The default models that run in rounds (the what-if runs them on a button)."""
    from detente import models

    return [name for name in models.defaults() if models.get(name).iterative]


def run_forecast(
    scenario: Scenario,
    models: list[str] | None = None,
    *,
    store: RunStore | None = None,
    seed: int | None = None,
    calibrate: bool = True,
) -> Forecast:
    """Every chosen model's forecast; kept in ``store`` when one is given.

    ``calibrate=False`` leaves out the calibrated distributions (the what-if shows points).
    """
    from detente.forecasting import forecast

    check_actors(scenario)
    started = dt.datetime.now(dt.UTC)
    fc = forecast(scenario, models or None, rng=seed, calibrate=calibrate)
    if store is not None:
        from detente.store import record_forecast

        record = record_forecast(fc, started=started, finished=dt.datetime.now(dt.UTC))
        fc = replace(fc, run_id=store.save(record))
    return fc


#: The static models' points on saved scenarios, by content hash and models (a few kept).
_SAVED: dict[tuple[str, tuple[str, ...]], Forecast] = {}
_SAVED_KEPT = 32


def _saved_points(scenario: Scenario, models: tuple[str, ...]) -> Forecast:
    check_actors(scenario)
    key = (scenario.content_hash(), models)
    found = _SAVED.get(key)
    if found is None:
        found = run_forecast(scenario, list(models), calibrate=False)
        while len(_SAVED) >= _SAVED_KEPT:
            _SAVED.pop(next(iter(_SAVED)))
        _SAVED[key] = found
    return found


def what_if_forecasts(
    scenario: Scenario, changes: dict[str, float], models: list[str]
) -> tuple[Forecast, Forecast]:
    """The models' points on the saved scenario (computed once per scenario) and with the
    changes (``ACTOR.position.ISSUE`` and so on -> value)."""
    saved = _saved_points(scenario, tuple(models))
    changed = run_forecast(what_if(scenario, changes), models, calibrate=False)
    return saved, changed


def what_if(scenario: Scenario, changes: dict[str, float]) -> Scenario:
    """``scenario`` with inputs set (``ACTOR.position.ISSUE`` and so on -> value), as ``--set``."""
    from detente.scenario import apply_overrides

    overrides = [f"{key}={_plain(value)}" for key, value in changes.items()]
    return apply_overrides(scenario, overrides) if overrides else scenario


def _plain(value: float) -> str:
    """A number as an override writes it: ``60`` for 60.0, every digit otherwise."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def check_simulation(scenario: Scenario, draws: int, engine: str) -> None:
    """Refuse a simulation larger than the workbench runs, before any work."""
    from detente.simulate import ENGINES

    if not 1 <= draws <= MAX_WEB_DRAWS:
        raise InputError(
            f"draws is {draws:,}: give 1 to {MAX_WEB_DRAWS:,} in the workbench (the command "
            "line's detente simulate takes more)"
        )
    check_actors(scenario)
    n = len(scenario.actors)
    if draws * n * n > MAX_WEB_WORK:
        most = MAX_WEB_WORK // (n * n)
        raise InputError(
            f"{draws:,} draws of {n:,} actors is more than the workbench runs: at most "
            f"{most:,} draws for {n:,} actors (the work grows with draws x actors squared; "
            "the command line's detente simulate takes more)"
        )
    if engine not in ENGINES or engine == "dask":
        raise InputError(f"engine '{engine}': the workbench runs in-process or processes")


def advice_document(scenario: Scenario, actor: str, model: str | None = None) -> dict[str, Any]:
    """The ``detente.advice/1`` document, as ``detente advise --for ACTOR --json`` prints it."""
    from detente.analysis.advice import advise
    from detente.analysis.dyads import dyads_model

    check_actors(scenario)
    who = scenario.find_actor(actor).id
    name = model or dyads_model().name
    return advise(scenario, who, model=name).document(scenario)


def coalitions_document(
    scenario: Scenario, issue: str | None = None, tolerance: float = 0.05
) -> dict[str, Any]:
    """The ``detente.coalitions/1`` document, as ``detente coalitions --json`` prints it."""
    from detente.analysis.coalitions import coalitions, convergence_model
    from detente.analysis.dyads import check_issue

    check_actors(scenario)
    issue = check_issue(scenario, issue)
    name = convergence_model(None).name
    return coalitions(scenario, issue, model=name, tolerance=tolerance).document(scenario)


def dyads_document(
    scenario: Scenario, viewpoint: str = "objective", issue: str | None = None, at_round: int = 1
) -> dict[str, Any]:
    """The ``detente.dyads/1`` document, as ``detente dyads --json`` prints it (no draws)."""
    from detente.analysis.dyads import (
        check_issue,
        check_round,
        dyads_document,
        dyads_model,
        future_json,
        future_names,
        round_views,
        to_round,
    )

    check_actors(scenario)
    check_round(at_round)
    info = dyads_model(None)
    options = to_round(info, info.parse_options({}), at_round)
    point = None if viewpoint == "objective" else scenario.find_actor(viewpoint).id
    issue = check_issue(scenario, issue)
    documents = []
    for name in future_names(scenario):
        rounds = round_views(scenario, issue, options=options, future=name, model=info.name)
        documents.append(future_json(name, rounds, point, at_round))
    return dyads_document(scenario, issue, info.name, options, documents)


def report_html(run: StoredRun) -> str:
    """The HTML report of a stored study (the report package renders it)."""
    from detente.report.render import render_html

    with _DRAWING:
        return render_html(report_of(run))


def study_document(scenario: Scenario, *, store: RunStore | None, seed: int = 1) -> dict[str, Any]:
    """Everything the report shows (``detente.study/1``), kept in ``store`` when given."""
    from detente.analysis import study

    check_actors(scenario)
    done = study(scenario, draws=0, rng=seed)
    if store is not None:
        from detente.store import record_study

        done = done.kept_as(store.save(record_study(done, finished=dt.datetime.now(dt.UTC))))
    return done.to_json()


def write_export(store: RunStore, run_id: str, folder: Path) -> Path:
    """A run's result table as CSV in ``folder`` (the store's own export)."""
    return store.export(run_id, folder / f"{run_id}.csv", "csv")


def start_simulation(
    jobs: Jobs,
    scenario: Scenario,
    draws: int,
    seed: int | None,
    engine: str,
    store: RunStore | None,
) -> Job:
    """A simulation in a background job (one of the few that run at once), kept in ``store``
    when it completes (None: not kept)."""
    from detente.simulate import simulate

    def work(job: Job) -> tuple[Any, str | None]:
        from detente.store import record_simulation

        started = dt.datetime.now(dt.UTC)
        sim = simulate(scenario, draws=draws, rng=seed, engine=engine, progress=jobs.progress(job))
        if store is None:
            return sim, None
        record = record_simulation(sim, started=started, finished=dt.datetime.now(dt.UTC))
        return sim, store.save(record)

    return jobs.start(f"{draws:,} draws of {scenario.name or scenario.id}", draws, work)


_DETAIL = ("draw", "round", "actor")
_RESULT = ["model", "issue", "quantity", "value"]


def headline_rows(run: StoredRun) -> list[dict[str, Any]]:
    """A stored run's group-level results (no draw, round or actor), as ``runs compare`` reads
    them: model (with the future of a simulation), issue, quantity, value."""
    frame = run.frame
    if not set(_RESULT) <= set(frame.columns):
        return []
    keep = frame.index == frame.index
    for column in _DETAIL:
        if column in frame.columns:
            keep &= frame[column].isna().to_numpy()
    rows = frame.loc[keep]
    out, seen = [], set()
    for record in rows.to_dict("records"):
        model = str(record["model"])
        if "future" in rows.columns:
            model += f" [{record['future']}]"
        key = (model, str(record["issue"]), str(record["quantity"]))
        if key in seen:
            continue
        seen.add(key)
        try:
            value = float(record["value"])
        except (TypeError, ValueError):
            value = float("nan")
        out.append({"model": key[0], "issue": key[1], "quantity": key[2], "value": value})
    return out


def compare_rows(a: StoredRun, b: StoredRun) -> list[dict[str, Any]]:
    """The results two runs share, side by side with the difference."""
    right = {(r["model"], r["issue"], r["quantity"]): r["value"] for r in headline_rows(b)}
    rows = []
    for r in headline_rows(a):
        key = (r["model"], r["issue"], r["quantity"])
        if key in right:
            rows.append(r | {"a": r["value"], "b": right[key], "change": right[key] - r["value"]})
    return rows


#: Reports built from stored studies, by run id (building draws every chart: keep a few).
_REPORTS: dict[str, Any] = {}
#: matplotlib draws in one thread at a time (the server answers requests in several).
_DRAWING = threading.RLock()
_REPORTS_KEPT = 4


#: The kinds of stored run a report is made of (as ``detente report RUN`` makes it).
REPORTABLE = ("study", "forecast", "simulate")


def report_of(run: StoredRun) -> Any:
    """The :class:`~detente.report.Report` of a stored study (charts drawn once per run)."""
    from detente.analysis.study import restudy
    from detente.report import build

    if run.kind not in REPORTABLE:
        raise InputError(f"run {run.id} is a {run.kind}; make a report from its scenario page")
    if run.status != "complete":
        raise InputError(f"run {run.id} is {run.status}, not complete: nothing to report")
    with _DRAWING:
        found = _REPORTS.get(run.id)
        if found is None:
            if run.kind != "study":
                check_actors(run.scenario)
            document = (
                dict(run.document) | {"run_id": run.id}
                if run.kind == "study"
                else restudy(run).to_json()
            )
            found = build(document)
            while len(_REPORTS) >= _REPORTS_KEPT:
                _REPORTS.pop(next(iter(_REPORTS)))
            _REPORTS[run.id] = found
        return found


def chart_file(run: StoredRun, name: str, fmt: str) -> bytes:
    """One chart of a stored study's report as SVG or PNG (drawn by the report package)."""
    from detente.report.layout import png, style, svg

    charts = report_of(run).charts
    if name not in charts or fmt not in ("svg", "png"):
        raise InputError(f"run {run.id} has no chart '{name[:40]}.{fmt[:8]}'")
    chart = charts[name]
    with _DRAWING, style():
        if fmt == "png":
            return bytes(png(chart.figure))
        drawing = svg(chart.figure, f"{name}-", chart.caption)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + drawing).encode("utf-8")


def with_branch(
    scenario: Scenario,
    event: int,
    branch: str,
    changes: dict[str, float],
    probability: float | None = None,
) -> Scenario:
    """``scenario`` with a what-if's changes added as branch ``branch`` of its ``event``-th
    timeline event (validated as any scenario).

    When the event's branches have probabilities, the new one needs one too and the others are
    scaled to share the rest in the same proportions.

    Raises
    ------
    InputError
        No such event, a branch of that id already there, no change to keep, or a probability
        missing (or given) where the other branches have (or have not) one.
    """
    from detente.scenario import Scenario

    if not changes:
        raise InputError("the what-if changes nothing: move an input first")
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    events = data.get("timeline", [])
    if not 0 <= event < len(events):
        raise InputError(f"no timeline event {event + 1}: the scenario has {len(events)}")
    branches = events[event].setdefault("branches", {})
    if branch in branches:
        raise InputError(f"event {event + 1} has a branch '{branch}' already")
    new: dict[str, Any] = {"set": dict(changes)}
    weighted = any("probability" in b for b in branches.values())
    if weighted:
        if probability is None or not 0 < probability < 1:
            raise InputError(
                "the event's branches have probabilities: give the new branch one between 0 "
                "and 1 (the others share the rest in the same proportions)"
            )
        for other in branches.values():
            other["probability"] = other.get("probability", 0.0) * (1 - probability)
        new["probability"] = probability
    elif probability is not None:
        raise InputError("the event's branches have no probabilities: leave it empty")
    branches[branch] = new
    return Scenario.model_validate(data)
