"""What a report is made from: a forecast, an optional Monte Carlo run, and the run's record.

A report is always rendered from a :class:`ReportRun`. ``detente report SCENARIO`` computes one
(:func:`compute`), keeps it in the run store and renders it; ``detente report RUN_ID`` rebuilds
it from the stored run (:func:`from_stored`). The store keeps the scenario, every model's
options, the seed and the Monte Carlo settings, and every model is deterministic given those
(the seed drives the draws and any stochastic option), so a stored run rebuilds to the same
numbers, and the same run id renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._version import __version__
from detente.errors import InputError
from detente.forecast import Forecast, forecast
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    from detente.simulate import Simulation
    from detente.store import RunRecord, StoredRun

__all__ = ["ReportRun", "compute", "from_stored", "record"]

#: Relative difference tolerated between a stored result and the same result rebuilt.
_REBUILD_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class ReportRun:
    """Everything a report shows: results and where they came from.

    Parameters
    ----------
    forecast
        Every model on the scenario's inputs as given (rounds and moves of dynamic models).
    simulation
        The Monte Carlo run over uncertain inputs and timeline futures, or None.
    run_id
        The stored run's id (None when the run was not kept).
    made
        When the run started (UTC): the report's date, so that a stored run renders the same
        bytes whenever it is rendered.
    detente_version
        The version that made the run.
    seed
        The seed of the draws and of stochastic options.
    warnings
        Things the reader should know (e.g. a rebuilt result that differs from the stored one).
    """

    forecast: Forecast
    simulation: Simulation | None
    run_id: str | None
    made: dt.datetime
    detente_version: str = __version__
    seed: int | None = None
    warnings: tuple[str, ...] = ()

    @property
    def scenario(self) -> Scenario:
        return self.forecast.scenario


def compute(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    options: dict[str, dict[str, Any]] | None = None,
    draws: int = 200,
    seed: int | None = None,
    spread: float = 0.0,
) -> ReportRun:
    """Run every model, and ``draws`` Monte Carlo draws under each future (0: none).

    Parameters
    ----------
    scenario
        The scenario.
    models
        Registered model names (default: every registered model).
    options
        Per model, its options (as for :func:`detente.forecast`).
    draws
        Monte Carlo draws per future; 0 for none.
    seed
        The seed; when None one is drawn from fresh entropy and recorded.
    spread
        Uncertainty of inputs without a declared range (as for ``detente simulate``).

    Returns
    -------
    ReportRun
        Not yet stored: ``run_id`` is None and ``made`` is now.
    """

    names = list(models) if models else _default_models(scenario)
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        seed = int(entropy) if isinstance(entropy, int) else None
    made = dt.datetime.now(dt.UTC)
    fc = forecast(scenario, names, options=options, rng=seed)
    sim = None
    if draws > 0:
        from detente.simulate import simulate

        sim = simulate(scenario, names, draws=draws, rng=seed, spread=spread, options=options)
    return ReportRun(forecast=fc, simulation=sim, run_id=None, made=made, seed=seed)


def _default_models(scenario: Scenario) -> list[str]:
    """Every registered model that can run the scenario's timeline.

    ``smp`` runs all issues jointly and takes events only before its first turn, so it is left
    out of a report on a scenario with events during the run (ask for it with ``--model``).
    """
    from detente import models as registry
    from detente.simulate import futures

    try:
        late = any(change.round > 0 for future in futures(scenario) for change in future.changes)
    except ValueError:
        late = False
    return [name for name in registry.names() if not (late and name == "smp")]


def record(run: ReportRun, finished: dt.datetime | None = None) -> RunRecord:
    """The run-store record of a report's run: a simulation when there is one, else a forecast.

    The forecast is not stored beside a simulation: it is rebuilt from the same scenario,
    options and seed.
    """
    from detente.store import record_forecast, record_simulation

    end = finished or dt.datetime.now(dt.UTC)
    if run.simulation is not None:
        return record_simulation(run.simulation, started=run.made, finished=end)
    return record_forecast(run.forecast, started=run.made, finished=end)


def stored(run: ReportRun, run_id: str) -> ReportRun:
    """``run`` once kept in the store as ``run_id``."""
    fc = replace(run.forecast, run_id=run_id)
    sim = replace(run.simulation, run_id=run_id) if run.simulation is not None else None
    return replace(run, forecast=fc, simulation=sim, run_id=run_id)


def from_stored(kept: StoredRun) -> ReportRun:
    """Rebuild a stored forecast or simulation, to report on it.

    Every model is run again on the stored scenario copy with the stored options and seed; a
    simulation is run again with its stored draws, spread and branch mode (on this process:
    every engine gives the same numbers for the same seed). The rebuilt results are checked
    against the stored ones; a difference (a run made by another version) becomes a warning.

    Raises
    ------
    InputError
        The run is incomplete, or holds no seed where its results depend on one.
    """
    if kept.status != "complete":
        raise InputError(f"run {kept.id} is {kept.status}, not complete: nothing to report")
    scenario = kept.scenario
    names = list(kept.models)
    options = {name: dict(opts) for name, opts in kept.models.items()}
    doc = kept.document
    fc = forecast(scenario, names, options=options, rng=kept.seed)
    fc = replace(fc, run_id=kept.id, detente_version=kept.detente_version)
    sim = None
    if kept.kind == "simulate":
        if kept.seed is None:
            raise InputError(f"run {kept.id} has no seed, so its draws cannot be rebuilt")
        from detente.simulate import simulate

        sim = simulate(
            scenario,
            names,
            draws=int(doc["draws"]),
            rng=kept.seed,
            spread=float(doc.get("spread", 0.0)),
            options=options,
            branches=str(doc.get("branches", "each")),
        )
        sim = replace(sim, run_id=kept.id, detente_version=kept.detente_version)
    warnings = _differences(kept, fc, sim)
    return ReportRun(
        forecast=fc,
        simulation=sim,
        run_id=kept.id,
        made=kept.started,
        detente_version=kept.detente_version,
        seed=kept.seed,
        warnings=warnings,
    )


def _differences(kept: StoredRun, fc: Forecast, sim: Simulation | None) -> tuple[str, ...]:
    """Stored results that the rebuild did not reproduce, in words."""
    doc = kept.document
    pairs: list[tuple[str, float, float]] = []
    if sim is None:
        for issue in doc.get("issues", []):
            for entry in issue.get("forecasts", []):
                label = f"{entry['model']} on {issue['id']}"
                pairs.append((label, float(entry["value"]), fc.value(entry["model"], issue["id"])))
    else:
        for row in doc.get("results", []):
            label = f"{row['model']} on {row['issue']} ({row['future']}), median"
            try:
                again = float(np.median(sim.outcome(row["future"], row["model"], row["issue"])))
            except (KeyError, ValueError):
                pairs.append((label, float(row["median"]), math.nan))
                continue
            pairs.append((label, float(row["median"]), again))
    off = [
        f"{label}: stored {old:.6g}, rebuilt {new:.6g}"
        for label, old, new in pairs
        if not math.isclose(old, new, rel_tol=_REBUILD_TOLERANCE, abs_tol=_REBUILD_TOLERANCE)
    ]
    if not off:
        return ()
    return (
        f"Run {kept.id} was made by detente {kept.detente_version}; rebuilt by {__version__}, "
        f"{len(off)} result(s) differ from the stored ones, and this report shows the rebuilt "
        "results: " + "; ".join(off[:5]) + ("; ..." if len(off) > 5 else ""),
    )
