"""A study of a scenario: every result a report shows, computed once, by the layers that own them.

:func:`study` runs the models (:func:`detente.forecast`), the Monte Carlo draws
(:func:`detente.simulate.simulate`) and, per issue, the analyses: the first cut (the weighted
median and mean of the positions, from the registry's median and mean models), the dyads of a
model that has them (the quad map from a viewpoint, miscalculation and crisis incentives under
every future), the same over time (:func:`detente.analysis.dynamics`: per round and date,
crisis incentives, misperception, conflicts, instability and the probability of settlement,
with at most :data:`DYNAMICS_DRAWS` draws), advice for the viewpoint's actor, each future's
forecast and what the forecast hangs on (rank correlations over the draws).
:meth:`Study.to_json` is the ``detente.study/1`` document: the run store keeps it, and the HTML
report renders it without computing anything.

Rules used here, beyond those of the analyses themselves:

* *models*: by default every registered model that can run the scenario's timeline (a model
  that takes events only before its first round is left out, with the reason, when an event
  falls later);
* *viewpoint*: the actor given, else on each issue the actor with the most capability x
  salience;
* *dyads and advice* are left out above :data:`MAX_DYAD_ACTORS` actors (their cost grows with
  the cube of the actors), or when no model with dyads was run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from detente import models as registry
from detente._rng import RNG, seed_fields, seeding
from detente._version import __version__
from detente.analysis.advice import advise
from detente.analysis.alliances import alliances
from detente.analysis.combined import combined
from detente.analysis.dyads import (
    crisis_incentives,
    dyad_map,
    future_names,
    misperceptions,
    round_views,
)
from detente.analysis.trades import trades
from detente.errors import InputError
from detente.forecasting import Forecast, forecast, resolve_models
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    from detente.simulate import Simulation
    from detente.store import StoredRun

__all__ = [
    "DYNAMICS_DRAWS",
    "MAX_DYAD_ACTORS",
    "STUDY_SCHEMA",
    "TOP_ROWS",
    "Study",
    "default_models",
    "differences",
    "restudy",
    "study",
]

#: Relative difference tolerated between a stored result and the same result rebuilt.
REBUILD_TOLERANCE = 1e-9

#: Version tag of :meth:`Study.to_json`.
STUDY_SCHEMA = "detente.study/1"
#: Above this many actors the dyad analyses and advice (O(n^3) and many runs) are left out.
MAX_DYAD_ACTORS = 40
#: Rows kept of the sensitivity table and of the advice's levers.
TOP_ROWS = 8
#: Monte Carlo draws (per future) of the dynamics over time at most (each keeps every view).
DYNAMICS_DRAWS = 200


@dataclass(frozen=True, eq=False)  # holds results with arrays: compared by identity
class Study:
    """Everything a report shows, computed once.

    Attributes
    ----------
    forecast
        Every model on the scenario's inputs as given (rounds and moves of dynamic models).
    simulation
        The Monte Carlo run over uncertain inputs and timeline futures, or None.
    issues
        Per issue (scenario order), the analyses as JSON data (see :meth:`to_json`).
    left_out
        Registered models not run, each with the reason.
    made
        When the study started (UTC): the report's date.
    seed
        The seed of the draws and of stochastic options.
    run_id
        The stored run's id, once kept.
    warnings
        Things the reader should know (e.g. a rebuilt result that differs from the stored one).
    trades
        Per model that trades across issues (the exchange model), its exchanges and who paid
        for them (:func:`detente.analysis.trades.trades`).
    """

    forecast: Forecast
    simulation: Simulation | None
    issues: tuple[dict[str, Any], ...]
    left_out: tuple[tuple[str, str], ...]
    made: dt.datetime
    seed: int | None
    run_id: str | None = None
    detente_version: str = __version__
    warnings: tuple[str, ...] = field(default=())
    trades: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        return self.forecast.scenario

    def kept_as(self, run_id: str | None) -> Study:
        """This study once kept in the run store as ``run_id``."""
        fc = replace(self.forecast, run_id=run_id)
        sim = replace(self.simulation, run_id=run_id) if self.simulation is not None else None
        return replace(self, forecast=fc, simulation=sim, run_id=run_id)

    def _repr_html_(self) -> str:
        """The study in a notebook: the forecast's table, the first cut and the dyads'
        viewpoint per issue, the models left out and the warnings. Computes nothing."""
        from detente import _html

        s = self.scenario
        facts = f"{_html.count(len(self.forecast.runs), 'model')}, seed {self.seed}" + (
            ""
            if self.simulation is None
            else f", {_html.count(self.simulation.draws, 'draw')} per future"
        )
        rows: list[list[_html.Cell]] = []
        for entry in self.issues:
            first, dyads = entry["first_cut"], entry.get("dyads")
            rows.append(
                [
                    entry["id"],
                    first["median"],
                    first["mean"],
                    f"{dyads['viewpoint']} ({dyads['model']})"
                    if dyads
                    else f"none: {entry.get('dyads_missing') or 'not computed'}",
                ]
            )
        return _html.block(
            f"Study of {s.name or s.id}" + (f", run {self.run_id}" if self.run_id else ""),
            _html.line(facts + f", made {self.made.isoformat(timespec='seconds')}"),
            self.forecast._repr_html_(),
            _html.table(
                ["Issue", "Weighted median", "Weighted mean", "Dyads from"],
                rows,
                caption="First cut and dyads per issue",
            ),
            *(_html.line(f"Left out: {model} ({why})") for model, why in self.left_out),
            *(_html.line(f"Warning: {text}") for text in self.warnings),
        )

    def to_json(self) -> dict[str, Any]:
        """The ``detente.study/1`` document: self-contained, what the report renders."""
        s = self.scenario
        return {
            "schema": STUDY_SCHEMA,
            "detente_version": self.detente_version,
            "run_id": self.run_id,
            "made": self.made.isoformat(),
            **seed_fields(self.seed),
            "scenario": s.reference() | {"copy": s.model_dump(mode="json")},
            "models": {
                run.model: {"options": dict(run.options), "changed": _changed(run)}
                for run in self.forecast.runs
            },
            "left_out": [{"model": m, "reason": why} for m, why in self.left_out],
            "forecast": self.forecast.to_json(),
            "simulation": None if self.simulation is None else self.simulation.to_json(),
            "issues": list(self.issues),
            "trades": dict(self.trades),
            "warnings": list(self.warnings),
        }


def default_models(scenario: Scenario) -> tuple[list[str], list[tuple[str, str]]]:
    """Every registered model that can run the scenario's timeline, and those left out (why)."""
    late = _has_late_events(scenario)
    run, left = [], []
    for info in registry.registered():
        if info.joint and len(scenario.issues) < 2:
            left.append(
                (
                    info.name,
                    "it trades across issues and this scenario has one; ask for it with --model "
                    "on a scenario of two issues or more",
                )
            )
        elif late and info.iterative and not info.takes_events:
            left.append(
                (
                    info.name,
                    "it takes timeline events only before its first round, and this scenario "
                    "has events later; ask for it with --model on a scenario without them",
                )
            )
        else:
            run.append(info.name)
    return run, left


def _has_late_events(scenario: Scenario) -> bool:
    """Whether some future of the scenario's timeline changes an input after round 0."""
    from detente.simulate import futures

    try:
        return any(change.round > 0 for future in futures(scenario) for change in future.changes)
    except ValueError:
        return False


def _events_only_first(name: str) -> bool:
    info = registry.get(name)
    return info.iterative and not info.takes_events


def study(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    draws: int = 200,
    rng: RNG = None,
    spread: float = 0.0,
    branches: str = "each",
    viewpoint: str | None = None,
    made: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
    parallel: bool = False,
) -> Study:
    """Compute everything a report shows.

    Parameters
    ----------
    scenario
        The scenario.
    models
        Registered model names (default: :func:`default_models`).
    options
        Per model, its options (as for :func:`detente.forecast`).
    draws
        Monte Carlo draws per future; 0 for none.
    rng
        The seed (one is drawn and recorded when none is given).
    spread, branches
        As for :func:`detente.simulate.simulate`.
    viewpoint
        The actor (id) whose view the dyads take; default per issue the actor with the most
        capability x salience.
    made
        The study's time (default now, UTC).
    progress
        Called with the name of each step as it starts (``forecast``, ``draws 0/400`` and
        then the draws done so far, ``analyses of ISSUE``, ``trades of MODEL``).
    parallel
        Run many differing draws of a model that runs draw by draw on local worker processes,
        one per core (:func:`detente.simulate.local_engine` decides when; the same numbers).
        Off by default: worker processes need the caller's script to be importable (an
        ``if __name__ == "__main__"`` guard), and a server keeps its own limit on work;
        ``detente report`` turns it on.

    Raises
    ------
    InputError
        An unknown model, option or viewpoint.
    """
    step = progress or (lambda name: None)
    if viewpoint is not None and viewpoint not in scenario.actor_ids:
        known = ", ".join(scenario.actor_ids)
        raise InputError(f"no actor '{viewpoint}' in {scenario.id}; actors are: {known}")
    if models:
        names = list(models)
        left: list[tuple[str, str]] = [
            (name, "not asked for") for name in registry.names() if name not in names
        ]
    else:
        names, left = default_models(scenario)
    seed = seeding(rng).seed
    if seed is None:
        raise InputError("a study records its seed: give rng as an int, or leave it out")
    from detente.simulate.timeline import check_futures

    check_futures(scenario)  # every future must stay a negotiation: refused before any work
    when = made or dt.datetime.now(dt.UTC)
    step("forecast")
    fc = forecast(scenario, names, options=options, rng=seed)
    sim = None
    warnings: list[str] = []
    drawn = names
    if draws > 0 and _has_late_events(scenario):
        # a stored run may hold such a model (a forecast is the base case, without events):
        # its forecast is reported, and the draws, which follow the timeline, leave it out
        drawn = [name for name in names if not _events_only_first(name)]
        warnings += [
            f"{name} is left out of the Monte Carlo draws: it takes timeline events only before "
            "its first round, and this scenario has events later; its forecast is the base case "
            "without them"
            for name in names
            if name not in drawn
        ]
    if draws > 0 and drawn:
        from detente.simulate import futures, local_engine, simulate

        try:
            total = draws * (1 if branches == "draw" else len(futures(scenario)))
        except ValueError as err:  # too many branches, dates without as_of: as simulate says
            raise InputError(str(err)) from None
        counted = [0]

        def drawn_more(count: int) -> None:
            counted[0] += count
            step(f"draws {counted[0]}/{total}")

        step(f"draws 0/{total}")
        engine, workers = (
            local_engine(scenario, drawn, draws, spread) if parallel else ("in-process", 1)
        )
        sim = simulate(
            scenario,
            drawn,
            draws=draws,
            rng=seed,
            spread=spread,
            options=options,
            branches=branches,
            progress=drawn_more,
            engine=engine,
            workers=workers,
        )
    issues = []
    for issue in scenario.issue_ids:
        step(f"analyses of {issue}")
        issues.append(_issue(scenario, issue, fc, sim, seed, viewpoint, draws, spread))
    traded = {}
    if len(scenario.issues) > 1:
        for name in fc.models:
            if registry.get(name).joint:
                step(f"trades of {name}")
                given = (options or {}).get(name)
                traded[name] = trades(scenario, name, options=given, rng=seed)
    return Study(
        forecast=fc,
        simulation=sim,
        issues=tuple(issues),
        left_out=tuple(left),
        made=when,
        seed=seed,
        warnings=tuple(warnings),
        trades=traded,
    )


def differences(
    rebuilt: Study, stored: Mapping[str, Any], *, run_id: str, version: str
) -> tuple[str, ...]:
    """Stored results that a rebuilt study did not reproduce, in words (none: empty).

    ``stored`` is the stored run's document: a study, a forecast or a simulation. Forecasts are
    compared model by model and issue by issue; a simulation's medians future by future.
    """
    import math

    fc, sim = rebuilt.forecast, rebuilt.simulation
    kind = stored.get("schema", "")
    forecast_doc = stored.get("forecast") if kind == STUDY_SCHEMA else stored
    sim_doc = stored.get("simulation") if kind == STUDY_SCHEMA else stored
    pairs: list[tuple[str, float, float]] = []
    if sim is not None and sim_doc and "results" in sim_doc:
        for row in sim_doc["results"]:
            label = f"{row['model']} on {row['issue']} ({row['future']}), median"
            try:
                again = float(np.median(sim.outcome(row["future"], row["model"], row["issue"])))
            except (KeyError, ValueError):
                again = math.nan
            pairs.append((label, float(row["median"]), again))
    elif forecast_doc and "issues" in forecast_doc:
        for issue in forecast_doc["issues"]:
            for entry in issue.get("forecasts", []):
                label = f"{entry['model']} on {issue['id']}"
                try:
                    again = fc.value(entry["model"], issue["id"])
                except (KeyError, ValueError):
                    again = math.nan
                pairs.append((label, float(entry["value"]), again))
    off = [
        f"{label}: stored {old:.6g}, rebuilt {new:.6g}"
        for label, old, new in pairs
        if not math.isclose(old, new, rel_tol=REBUILD_TOLERANCE, abs_tol=REBUILD_TOLERANCE)
    ]
    if not off:
        return ()
    return (
        f"Run {run_id} was made by detente {version}; rebuilt by {__version__}, "
        f"{len(off)} result(s) differ from the stored ones, and this report shows the rebuilt "
        "results: " + "; ".join(off[:5]) + ("; ..." if len(off) > 5 else ""),
    )


def restudy(
    run: StoredRun,
    viewpoint: str | None = None,
    progress: Callable[[str], None] | None = None,
    parallel: bool = False,
) -> Study:
    """The study of a stored study, forecast or simulation, made again from its stored scenario,
    models, options, seed and draws (which give the same numbers), seen from ``viewpoint`` (an
    actor id; default: as :func:`study` chooses), as ``detente report RUN`` and the workbench's
    report make it (``progress`` and ``parallel`` as for :func:`study`). Any result that comes
    out differently is noted in its warnings; it keeps the run's id, seed and version and is not
    stored again.

    Raises
    ------
    InputError
        The run has draws but no seed, so its draws cannot be rebuilt.
    """
    doc = run.document
    sim = doc.get("simulation") if run.kind == "study" else doc if run.kind == "simulate" else None
    draws = int(sim["draws"]) if sim else 0
    if draws and run.seed is None:
        raise InputError(f"run {run.id} has no seed, so its draws cannot be rebuilt")
    done = study(
        run.scenario,
        list(run.models),
        options={name: dict(opts) for name, opts in run.models.items()},
        draws=draws,
        rng=run.seed if run.seed is not None else 0,
        spread=float(sim.get("spread", 0.0)) if sim else 0.0,
        branches=str(sim.get("branches", "each")) if sim else "each",
        viewpoint=viewpoint,
        made=run.started,
        progress=progress,
        parallel=parallel,
    )
    return replace(
        done.kept_as(run.id),
        seed=run.seed,
        detente_version=run.detente_version,
        warnings=done.warnings + differences(done, doc, run_id=run.id, version=run.detente_version),
    )


def _changed(run: Any) -> dict[str, Any]:
    info = registry.get(run.model)
    return info.parse_options(dict(run.options)).changed()


# --- per issue ----------------------------------------------------------------------------------


def _issue(
    s: Scenario,
    issue: str,
    fc: Forecast,
    sim: Simulation | None,
    seed: int,
    viewpoint: str | None,
    draws: int = 0,
    spread: float = 0.0,
) -> dict[str, Any]:
    j = s.issue_ids.index(issue)
    c, _X, S = s.arrays()
    power = c * S[:, j]
    out: dict[str, Any] = {
        "id": issue,
        "first_cut": _first_cut(s, j, power),
        "dyads": None,
        "dyads_missing": None,
        "advice": None,
        "branches": _branches(s, issue, fc, seed),
        "sensitivity": _sensitivity(sim, issue),
        "dynamics": None,
        "dynamics_missing": None,
    }
    out["combined"] = combined(issue, out["branches"], sim)
    out["alliances"] = (
        alliances(s, issue, fc, {r.model: dict(r.options) for r in fc.runs}) if s.groups else None
    )
    dynamic = [m for m in fc.models if registry.get(m).perceptions is not None]
    if not dynamic:
        able = ", ".join(registry.with_capability("perceptions"))
        out["dyads_missing"] = f"no model with dyads ({able}) was run"
        out["dynamics_missing"] = out["dyads_missing"]
    elif len(s.actors) > MAX_DYAD_ACTORS:
        out["dyads_missing"] = f"more than {MAX_DYAD_ACTORS} actors"
        out["dynamics_missing"] = out["dyads_missing"]
    else:
        focus = viewpoint or s.actor_ids[int(np.argmax(power))]
        model = dynamic[0]
        out["dyads"] = _dyads(s, issue, fc, model, focus, seed)
        out["advice"] = _advice(s, issue, fc, model, focus)
        try:
            out["dynamics"] = _dynamics(s, issue, fc, model, seed, draws, spread)
        except InputError as err:  # over the dynamics' bound on work: left out, with the reason
            out["dynamics_missing"] = str(err)
    return out


def _dynamics(
    s: Scenario, issue: str, fc: Forecast, model: str, seed: int, draws: int, spread: float
) -> dict[str, Any]:
    """The series over time (:func:`detente.analysis.dynamics`) with at most
    :data:`DYNAMICS_DRAWS` draws, as its JSON document."""
    from detente.analysis.dynamics import dynamics

    options = registry.get(model).parse_options(dict(fc.run(model).options))
    found = dynamics(
        s,
        issue,
        model=model,
        options=options,
        draws=min(draws, DYNAMICS_DRAWS),
        rng=seed,
        spread=spread,
    )
    doc = found.to_json()
    doc.pop("run_id", None)  # the study's own run id names the run
    return doc


def _first_cut(s: Scenario, j: int, power: np.ndarray) -> dict[str, Any]:
    """The weighted median and mean of the positions, from the registry's models."""
    c, X, S = s.arrays()
    lo, hi, _sq = s.bounds()
    cols = slice(j, j + 1)

    def value(name: str) -> float:
        solution = registry.solve(name, c, X[:, cols], S[:, cols], lo=lo[cols], hi=hi[cols])
        return float(solution.values[0])

    return {
        "median": value(registry.FIRST_CUT),
        "mean": value(registry.MEAN),
        "median_model": registry.FIRST_CUT,
        "mean_model": registry.MEAN,
        "weights": {a: float(w) for a, w in zip(s.actor_ids, power, strict=True)},
    }


def _dyads(
    s: Scenario, issue: str, fc: Forecast, model: str, focus: str, seed: int
) -> dict[str, Any]:
    info = registry.get(model)
    options = info.parse_options(dict(fc.run(model).options))
    futures = []
    for name in future_names(s):
        rounds = round_views(s, issue, options=options, future=name, rng=seed, model=model)
        if not rounds:
            continue
        first = rounds[0]
        mapped = (
            [d for d in dyad_map(first, focus) if d.i == focus] if focus in first.actors else []
        )
        wrong: dict[tuple[str, str], list[int]] = {}
        first_views: dict[tuple[str, str], Any] = {}
        for rv in rounds:
            for m in misperceptions(rv):
                wrong.setdefault((m.i, m.j), []).append(rv.round)
                first_views.setdefault((m.i, m.j), m)
        futures.append(
            {
                "name": name,
                "rounds": len(rounds),
                "events": [
                    {"round": rv.round, "events": list(rv.events)} for rv in rounds if rv.events
                ],
                "quad": [
                    {
                        "other": d.j,
                        "eu_mine": d.eu_i,
                        "eu_theirs": d.eu_j,
                        "region": d.region,
                        "gives_way": d.gives_way,
                    }
                    for d in mapped
                ],
                "misperceptions": [
                    {
                        "i": i,
                        "j": j,
                        "i_view": _view(first_views[(i, j)].i_view),
                        "j_view": _view(first_views[(i, j)].j_view),
                        "first": found[0],
                        "rounds": len(found),
                    }
                    for (i, j), found in wrong.items()
                ],
                "incentives": [
                    {"actor": ci.actor, "gain": ci.gain, "target": ci.target}
                    for ci in sorted(crisis_incentives(first), key=lambda ci: -ci.gain)
                ],
            }
        )
    return {"model": model, "viewpoint": focus, "round": 1, "futures": futures}


def _view(view: tuple[str, str | None]) -> dict[str, Any]:
    return {"region": view[0], "gives_way": view[1]}


def _advice(s: Scenario, issue: str, fc: Forecast, model: str, focus: str) -> dict[str, Any]:
    result = advise(s, focus, model=model, issue=issue, options=dict(fc.run(model).options))
    gain = abs(result.forecast - result.ideal) - abs(result.best_forecast - result.ideal)
    doc = result.to_json()
    doc["gain"] = gain
    doc["levers"] = [lever for lever in doc["levers"][:TOP_ROWS] if lever["gain"] > 0]
    doc["sensitivity"] = doc["sensitivity"][:TOP_ROWS]
    return doc


def _branches(s: Scenario, issue: str, fc: Forecast, seed: int) -> list[dict[str, Any]] | None:
    """Each future's forecast from the inputs as given (the events applied, no draws)."""
    from detente.simulate import futures as all_futures
    from detente.simulate.tasks import future_forecast

    if not s.timeline:
        return None
    j = s.issue_ids.index(issue)
    _, parsed = resolve_models(list(fc.models), {r.model: dict(r.options) for r in fc.runs})
    late = _has_late_events(s)
    shown = [name for name in fc.models if not (late and _events_only_first(name))]
    chosen = tuple((name, parsed[name]) for name in shown)
    rows = []
    for future in all_futures(s):
        values = future_forecast(s, future, chosen, rng=seed)
        rows.append(
            {
                "future": future.name,
                "probability": future.probability,
                "points": {m: float(values[m][j]) for m in shown},
            }
        )
    return rows


def _sensitivity(sim: Simulation | None, issue: str) -> dict[str, Any] | None:
    """The inputs each model's outcome is most rank-correlated with (first future)."""
    if sim is None or not sim.input_labels:
        return None
    future = sim.future_names[0]
    rhos = {m: sim.rank_correlations(future, m, issue) for m in sim.models}
    strength = {label: max(abs(rhos[m][label]) for m in sim.models) for label in sim.input_labels}
    top = sorted(sim.input_labels, key=lambda label: -strength[label])[:TOP_ROWS]
    return {
        "future": future,
        "models": list(sim.models),
        "rows": [
            {"input": label, "cells": [rhos[m][label] for m in sim.models]}
            for label in top
            if strength[label] > 0
        ],
    }
