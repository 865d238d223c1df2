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
from detente.models import Changed, ModelInfo, Round
from detente.models.runner import IssueEvent, Solution
from detente.scenario.model import Scenario
from detente.simulate.inputs import input_plan, sample_inputs
from detente.simulate.timeline import Change, Future, actors_after, apply_change

__all__ = ["ChunkResult", "Task", "future_forecast", "future_values", "run_task"]


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

    def run(self) -> ChunkResult:
        """Compute this task (what every engine calls)."""
        return run_task(self)

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
            # a run that draws no random numbers is a function of its inputs alone: identical
            # draws (no uncertain input, or spread 0) of a dynamic model are run once and
            # copied (a static model is vectorised over draws: finding them would cost more)
            runs, copies = (
                _distinct(c[rows], X[rows], S[rows])
                if info.iterative and not info.draws(options)
                else (np.arange(len(rows)), np.arange(len(rows)))
            )
            once = rows[runs]
            gens = [generators[r] for r in once]
            solution = _future_solution(
                task.scenario, future, info, options, c[once], X[once], S[once], gens
            )
            values[name][rows] = np.asarray(solution.values)[copies]
            if solution.settled is not None:
                unsettled += int((~solution.settled)[copies].sum())
    return ChunkResult(task.start, task.future, values, drawn, picks, unsettled)


def _distinct(c: np.ndarray, X: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first of each group of identical draws, and each draw's group.

    Draws are identical when their inputs are equal bytes (``-0.0`` and ``0.0``, or two NaNs
    of different payloads, count as different: a run is copied only onto exactly its inputs).
    Returns ``runs`` (indexes of the draws to run, in order) and ``copies`` (per draw, the
    position in ``runs`` of the run it equals).
    """
    first: dict[bytes, int] = {}
    runs: list[int] = []
    copies = np.empty(len(c), dtype=np.intp)
    for d in range(len(c)):
        key = c[d].tobytes() + X[d].tobytes() + S[d].tobytes()
        if key not in first:
            first[key] = len(runs)
            runs.append(d)
        copies[d] = first[key]
    return np.asarray(runs, dtype=np.intp), copies


def future_values(
    scenario: Scenario,
    future: Future,
    info: ModelInfo,
    options: Any,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    rng: Any,
) -> tuple[np.ndarray, int]:
    """One model's forecast of a batch of draws under one future, and how many did not settle.

    ``c`` (draws, n), ``X`` and ``S`` (draws, n, k) are the drawn inputs; ``rng`` one generator
    per draw. A static model takes every event of the future before the forecast; a dynamic
    model takes the events at round 0 before its first round and the others at their rounds.
    Returns the forecast (draws, k) and the number of (draw, issue) runs that reached the
    model's round limit without settling (the models' own warnings about them are silenced:
    the caller reports the count).
    """
    solution = _future_solution(scenario, future, info, options, c, X, S, rng)
    return solution.values, solution.unsettled


def _future_solution(
    scenario: Scenario,
    future: Future,
    info: ModelInfo,
    options: Any,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    rng: Any,
) -> Solution:
    """:func:`future_values` as the runner's :class:`Solution` (which runs settled)."""
    ids = list(scenario.actor_ids)
    later = [change for change in future.changes if info.iterative and change.round > 0]
    for change in future.changes:
        if not (info.iterative and change.round > 0):
            ids, c, X, S = apply_change(change, scenario, ids, c, X, S)
    lo, hi, sq = scenario.bounds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        solution = _models.solve(
            info,
            c,
            X,
            S,
            lo=lo,
            hi=hi,
            status_quo=sq,
            options=options,
            rng=rng,
            accommodation=scenario.accommodation_matrix(ids),
            events=timeline_events(scenario, later, ids),
        )
    return solution


def timeline_events(
    scenario: Scenario, changes: list[Change], ids: list[str]
) -> dict[int, IssueEvent]:
    """The changes of rounds 1 and later as events of a dynamic model's trajectory.

    ``ids`` are the actors at the start of the run; the actors before each event follow from
    the changes alone, so each event knows whom its round's positions belong to.
    """
    by_round: dict[int, list[Change]] = {}
    for change in changes:
        by_round.setdefault(change.round, []).append(change)
    events: dict[int, IssueEvent] = {}
    for t in sorted(by_round):
        events[t] = _event(scenario, by_round[t], list(ids))
        for change in by_round[t]:
            ids = actors_after(change, ids)
    return events


def _event(scenario: Scenario, changes: list[Change], ids: list[str]) -> IssueEvent:
    def happen(state: Round, columns: tuple[int, ...]) -> Changed:
        assert state.capability is not None
        assert state.salience is not None
        who, c, X, S = ids, state.capability, state.positions, state.salience
        for change in changes:
            who, c, X, S = apply_change(change, scenario, who, c, X, S, columns)
        return Changed(c, X, S)

    return happen


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
        values, _ = future_values(
            scenario, future, _models.get(name), options, c, X, S, [np.random.default_rng(rng)]
        )
        out[name] = np.asarray(values)[0]
    return out
