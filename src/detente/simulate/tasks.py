"""One unit of Monte Carlo work: a chunk of draws under one future, for every model.

A :class:`Task` carries everything a worker needs (the scenario, the futures, the models and
their options, and the chunk's child seeds), so the same task gives the same numbers in this
process, in a local worker process or on a Dask worker.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente import models as _models
from detente.models import eum, smp
from detente.models.eum.options import EumOptions
from detente.scenario.model import Scenario
from detente.simulate.inputs import input_plan, sample_inputs
from detente.simulate.timeline import Change, Future, apply_change

__all__ = ["ChunkResult", "Task", "future_forecast", "run_task"]


@dataclass(frozen=True)
class Task:
    """A chunk of draws ``start`` to ``start + count`` of one simulation.

    Draw ``i`` uses child ``i`` of the simulation's root ``SeedSequence``: the seed with the
    root's entropy and spawn key ``root.spawn_key + (i,)``, exactly what ``root.spawn`` would
    give it. The child seeds are fixed before dispatch; a task rebuilds its own from these
    numbers rather than carrying a million seed objects.

    With ``mode="each"`` every draw runs under ``futures[future]``; with ``mode="draw"`` each
    draw first picks its future by the futures' probabilities (equal when unstated).
    """

    scenario: Scenario
    futures: tuple[Future, ...]
    future: int
    mode: str
    models: tuple[tuple[str, Any], ...]
    spread: float
    entropy: int | tuple[int, ...]
    spawn_key: tuple[int, ...]
    start: int
    count: int

    def seeds(self) -> list[np.random.SeedSequence]:
        """The child seeds of this task's draws."""
        return [
            np.random.SeedSequence(self.entropy, spawn_key=(*self.spawn_key, i))
            for i in range(self.start, self.start + self.count)
        ]


@dataclass(frozen=True)
class ChunkResult:
    """What a task computed: per model, the forecast per draw and issue (draws, k)."""

    start: int
    future: int
    values: dict[str, np.ndarray]
    inputs: np.ndarray
    picks: np.ndarray
    unsettled: int


def run_task(task: Task) -> ChunkResult:
    """Compute a task: sample each draw's inputs, apply its future, run every model."""
    generators = [np.random.default_rng(seed) for seed in task.seeds()]
    D = len(generators)
    if task.mode == "draw":
        weights = np.array([f.probability for f in task.futures], dtype=float)
        weights = np.where(np.isnan(weights), 1.0, weights)
        cumulative = np.cumsum(weights / weights.sum())
        picks = np.searchsorted(cumulative, [g.random() for g in generators], side="right")
        picks = np.minimum(picks, len(task.futures) - 1)
    else:
        picks = np.full(D, task.future)
    plan = input_plan(task.scenario, task.spread)
    c, X, S, drawn = sample_inputs(task.scenario, plan, generators)
    k = len(task.scenario.issues)
    values = {name: np.empty((D, k)) for name, _ in task.models}
    unsettled = 0
    for index in np.unique(picks):
        rows = np.flatnonzero(picks == index)
        future = task.futures[index]
        for name, options in task.models:
            info = _models.get(name)
            gens = [generators[r] for r in rows]
            if info.name == "smp":
                out, late = _run_smp(
                    task.scenario, future, c[rows], X[rows], S[rows], options, gens
                )
                unsettled += late
            elif info.iterative:
                out, late = _run_dynamic(
                    task.scenario, future, c[rows], X[rows], S[rows], options, gens
                )
                unsettled += late
            else:
                out = _run_static(task.scenario, future, c[rows], X[rows], S[rows], info, options)
            values[name][rows] = out
    return ChunkResult(task.start, task.future, values, drawn, picks, unsettled)


def future_forecast(
    scenario: Scenario,
    future: Future,
    models: tuple[tuple[str, Any], ...],
    rng: int | None = None,
) -> dict[str, np.ndarray]:
    """Every model's forecast (k,) on the scenario's inputs as given, under one future.

    The deterministic counterpart of a draw: the future's changes apply exactly as in the Monte
    Carlo run (static models before the forecast, dynamic models at their rounds).
    """
    c, X, S = (a[None] for a in scenario.arrays())
    out = {}
    for name, options in models:
        info = _models.get(name)
        if info.iterative:
            gens = [np.random.default_rng(rng)]
            values, _ = _run_dynamic(scenario, future, c, X, S, options, gens)
        else:
            values = _run_static(scenario, future, c, X, S, info, options)
        out[name] = np.asarray(values)[0]
    return out


def _run_static(
    scenario: Scenario,
    future: Future,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    info: Any,
    options: Any,
) -> np.ndarray:
    ids = list(scenario.actor_ids)
    for change in future.changes:
        ids, c, X, S = apply_change(change, scenario, ids, c, X, S)
    lo, hi, sq = scenario.bounds()
    return np.asarray(info.point(c, X, S, lo=lo, hi=hi, status_quo=sq, options=options))


def _run_smp(
    scenario: Scenario,
    future: Future,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    options: Any,
    generators: list[np.random.Generator],
) -> tuple[np.ndarray, int]:
    """KTAB's SMP on each draw (all issues jointly), the future's changes applied at the start.

    Returns the final c x s weighted mean per draw and issue, and the number of draws that were
    still moving after ``max_iter`` turns.
    """
    from detente.errors import InputError

    late = [change for change in future.changes if change.round > 0]
    if late:
        raise InputError(
            "smp: events during the run (at round > 0) are not supported yet; the SMP runs all "
            f"issues jointly in turns (event at round {late[0].round}); use events at the start"
        )
    ids = list(scenario.actor_ids)
    for change in future.changes:
        ids, c, X, S = apply_change(change, scenario, ids, c, X, S)
    accommodation = scenario.accommodation_matrix(ids)
    lo, hi, _ = scenario.bounds()
    out = np.empty((len(X), X.shape[-1]))
    unsettled = 0
    for d in range(len(X)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            states = smp.run(
                c[d],
                X[d],
                S[d],
                lo=lo,
                hi=hi,
                options=options,
                accommodation=accommodation,
                rng=generators[d],
            )
        last = states[-1]
        settled = last.fractional_change is not None and (
            last.fractional_change < options.min_delta_ratio
        )
        if last.round >= options.max_iter and not settled:
            unsettled += 1
        out[d] = last.mean
    return out, unsettled


def _run_dynamic(
    scenario: Scenario,
    future: Future,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    options: EumOptions,
    generators: list[np.random.Generator],
) -> tuple[np.ndarray, int]:
    """The expected utility model per issue, with the future's changes at their rounds.

    Returns the final median per draw and issue, and the number of (draw, issue) runs that did
    not settle under ``stop="stable"`` (a run does not stop before the future's last event).
    """
    lo, hi, _ = scenario.bounds()
    out = np.empty(X.shape[:1] + X.shape[2:])
    unsettled = 0
    by_round: dict[int, list[Change]] = {}
    for change in future.changes:
        by_round.setdefault(change.round, []).append(change)
    rngs = generators if options.conflict == "stochastic" else None
    last_event = max(by_round, default=0)  # a run may not stop early before its last event
    for j in range(X.shape[-1]):
        ids = list(scenario.actor_ids)
        cc, XX, SS = c, X, S
        for change in by_round.get(0, []):
            ids, cc, XX, SS = apply_change(change, scenario, ids, cc, XX, SS)
        x = XX[..., j]
        initial = x.max(axis=-1) - x.min(axis=-1)
        median = eum.steps.median_position(x, cc * SS[..., j], "median")
        final = median.copy()
        calm = np.zeros(len(x), dtype=int)
        stopped = np.zeros(len(x), dtype=bool)
        for t in range(1, options.rounds + 1):
            if t in by_round:
                XX = XX.copy()
                XX[..., j] = x
                for change in by_round[t]:
                    ids, cc, XX, SS = apply_change(change, scenario, ids, cc, XX, SS)
                x = XX[..., j]
                initial = np.maximum(initial, x.max(axis=-1) - x.min(axis=-1))
            span = eum.span_for(options, initial, x, float(lo[j]), float(hi[j]))
            x = eum.advance(cc, x, SS[..., j], span=span, options=options, rngs=rngs)
            new_median = eum.steps.median_position(x, cc * SS[..., j], "median")
            calm = np.where(np.abs(new_median - median) <= options.tolerance * span, calm + 1, 0)
            median = new_median
            if options.stop == "stable":
                final = np.where(stopped, final, median)
                if t >= last_event:
                    stopped |= calm >= options.patience
            else:
                final = median
        if options.stop == "stable" and options.rounds > 0:
            unsettled += int((~stopped).sum())
        out[:, j] = final
    return out, unsettled
