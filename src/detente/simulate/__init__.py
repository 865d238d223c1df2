"""Monte Carlo over uncertain inputs, timeline branches, and the engines that run the draws.

:func:`simulate` draws every uncertain input of a scenario (declared ranges, or a global
``spread``), applies each future of its timeline, and runs the models on every draw. Seeds are
spawned per draw (``SeedSequence.spawn``) before any work is dispatched, so the same ``rng``
gives bit-identical results in this process, in local worker processes and on a Dask cluster,
with any number of workers.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from detente._rng import RNG, seeding
from detente.errors import InputError
from detente.forecasting import resolve_models
from detente.models import ModelInfo
from detente.scenario.model import Scenario
from detente.simulate.engines import ENGINES, check_engine, describe, execute
from detente.simulate.inputs import InputPlan, input_plan, sample_inputs
from detente.simulate.questions import Question, parse_question
from detente.simulate.result import SIMULATE_SCHEMA, Simulation
from detente.simulate.tasks import Task
from detente.simulate.timeline import BASELINE, Future, check_futures, futures

__all__ = [
    "BASELINE",
    "ENGINES",
    "MAX_DRAWS",
    "MAX_RESULT_BYTES",
    "SIMULATE_SCHEMA",
    "Future",
    "InputPlan",
    "Question",
    "Simulation",
    "check_events",
    "futures",
    "input_plan",
    "local_engine",
    "parse_question",
    "sample_inputs",
    "simulate",
]

#: The most draws a simulation takes (per future).
MAX_DRAWS = 10_000_000
#: The most memory a simulation's results may take (values per future, model, issue and draw,
#: and the sampled inputs): checked before any work.
MAX_RESULT_BYTES = 1024**3

#: Elements of one n x n matrix summed over a chunk's draws kept near this (memory per chunk).
_CHUNK_ELEMENTS = 4_000_000
#: Draws x actors^2 from which :func:`local_engine` spreads the draws of models run draw by
#: draw over local processes: 50 draws at 60 actors, about 15 s of a single core's work that
#: two cores halve, against about a second of CPU to start each worker.
PARALLEL_MIN_WORK = 50 * 60 * 60
#: The most worker processes :func:`local_engine` starts.
LOCAL_MAX_WORKERS = 4


def local_engine(
    scenario: Scenario, models: Sequence[str], draws: int, spread: float = 0.0
) -> tuple[str, int]:
    """The engine and workers for ``draws`` draws of ``models`` on this machine.

    ``processes`` with one worker per usable core (at most :data:`LOCAL_MAX_WORKERS`) when a
    model runs draw by draw (a dynamic model that is not batched), the draws' inputs differ
    (some input is uncertain: identical draws run once) and draws x actors^2 reaches
    :data:`PARALLEL_MIN_WORK`; else ``in-process``. Every engine gives the same numbers.
    """
    from detente.models import get

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = len(scenario.actors)
    by_draw = any(get(name).iterative and not get(name).batched for name in models)
    if (
        (cores or 1) < 2
        or not by_draw
        or draws * n * n < PARALLEL_MIN_WORK
        or not len(input_plan(scenario, spread))
    ):
        return "in-process", 1
    return "processes", min(cores or 1, LOCAL_MAX_WORKERS)


def simulate(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    draws: int = 1000,
    rng: RNG = None,
    spread: float = 0.0,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    branches: str = "each",
    engine: str = "in-process",
    workers: int = 2,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int], None] | None = None,
    questions: Sequence[str] = (),
) -> Simulation:
    """Run models on many draws of a scenario's uncertain inputs, under each future.

    Parameters
    ----------
    scenario
        The scenario; its ``uncertainty`` ranges and ``timeline`` are used.
    models
        Registered model names (default: the static models and ``eum``).
    draws
        Number of draws.
    rng
        Seed (int), ``SeedSequence`` or ``Generator``; one child seed is spawned per draw.
        With None, fresh entropy is drawn and recorded in :attr:`Simulation.seed`.
    spread
        For inputs without a declared range: a uniform range of +/- this fraction of the
        issue's scale (positions), of 0-100 (saliences) or of the value (capabilities).
    options
        Per model name, its options (as for :func:`detente.forecast`).
    branches
        ``each``: run every future of the timeline side by side; ``draw``: each draw picks
        one future by the branches' probabilities (equal when unstated), one distribution.
    engine, workers, scheduler
        ``in-process``, ``processes`` (``workers`` local processes) or ``dask`` (the
        scheduler address, or a local cluster of ``workers`` processes).
    chunk_size
        Draws per task (default: sized to the scenario, at most 2,000).
    progress
        Called with the number of draws each finished task computed.
    questions
        Threshold questions (``"disarmament >= 75"``), checked before any draw is made and
        answered in :meth:`Simulation.answers` and the JSON document.

    Returns
    -------
    Simulation

    Warns
    -----
    RuntimeWarning
        When a dynamic model with ``stop="stable"`` did not settle on some draws.

    Examples
    --------
    >>> import detente
    >>> from detente.simulate import simulate
    >>> sim = simulate(detente.bundled("six-party-2004"), ["compromise"], draws=200, rng=1)
    >>> sim.future_names
    ('bush-reelected', 'kerry-wins')
    >>> s = sim.summary("kerry-wins", "compromise", "disarmament")
    >>> s["interval_80"][0] < s["median"] < s["interval_80"][1]
    True
    """
    check_engine(engine, workers, scheduler)
    if draws < 1:
        raise InputError("draws must be at least 1")
    if draws > MAX_DRAWS:
        raise InputError(
            f"{draws:,} draws asked for; at most {MAX_DRAWS:,} are allowed (10,000 give "
            "probabilities to within about 1 percentage point)"
        )
    if branches not in ("each", "draw"):
        raise InputError(f"branches must be 'each' or 'draw', not '{branches}'")
    if not 0.0 <= spread <= 1.0:
        raise InputError(f"spread must be a fraction between 0 and 1, not {spread}")
    infos, parsed = resolve_models(models, options, scenario.model_options)
    names = tuple(info.name for info in infos)
    asked = tuple(parse_question(text, scenario) for text in questions)

    seeds = seeding(rng)
    root = seeds.sequence
    try:
        all_futures = tuple(futures(scenario))
    except ValueError as err:
        raise InputError(str(err)) from None
    check_events(infos, all_futures)
    check_futures(scenario)
    if branches == "draw" and len(all_futures) > 1:
        runs: list[tuple[int, str]] = [(-1, "mixed")]
    else:
        runs = [(n, f.name) for n, f in enumerate(all_futures)]
    plan = input_plan(scenario, spread)
    _check_memory(draws, len(runs), len(names), len(scenario.issues), len(plan))
    size = chunk_size or _chunk_size(scenario, draws, engine, workers)
    tasks = [
        Task(
            scenario=scenario,
            futures=all_futures,
            future=n,
            mode="draw" if n < 0 else "each",
            models=tuple((name, parsed[name]) for name in names),
            spread=spread,
            entropy=root.entropy,  # type: ignore[arg-type]
            spawn_key=tuple(root.spawn_key),
            start=start,
            count=min(size, draws - start),
        )
        for n, _ in runs
        for start in range(0, draws, size)
    ]
    results = execute(tasks, engine=engine, workers=workers, scheduler=scheduler, progress=progress)

    k = len(scenario.issues)
    values = {(name, m): np.empty((draws, k)) for _, name in runs for m in names}
    inputs = np.empty((draws, len(plan)))
    picks = np.full(draws, -1) if branches == "draw" and len(all_futures) > 1 else None
    unsettled = 0
    for task, result in zip(tasks, results, strict=True):
        rows = slice(result.start, result.start + task.count)
        label = "mixed" if task.future < 0 else all_futures[task.future].name
        for m in names:
            values[label, m][rows] = result.values[m]
        inputs[rows] = result.inputs
        if picks is not None:
            picks[rows] = result.picks
        unsettled += result.unsettled
    if unsettled:
        warnings.warn(
            f"{unsettled} dynamic-model runs (draw x issue x future) did not settle under "
            "stop='stable'; their forecast is the last round's median",
            RuntimeWarning,
            stacklevel=2,
        )
    return Simulation(
        scenario=scenario,
        futures=all_futures,
        mode=branches,
        models=names,
        options={name: parsed[name].model_dump(mode="json") for name in names},
        draws=draws,
        seed=seeds.seed,
        spread=spread,
        engine=describe(engine, workers, scheduler),
        input_labels=plan.labels,
        inputs=inputs,
        values=values,
        picks=picks,
        unsettled=unsettled,
        questions=asked,
    )


def _check_memory(draws: int, futures: int, models: int, issues: int, inputs: int) -> None:
    """Refuse, before any work, a run whose results would not fit :data:`MAX_RESULT_BYTES`."""
    per_draw = 8 * (futures * models * issues + inputs)
    need = draws * per_draw
    if need > MAX_RESULT_BYTES:
        most = MAX_RESULT_BYTES // per_draw
        raise InputError(
            f"{draws:,} draws x {futures} future(s) x {models} model(s) x {issues} issue(s) (and "
            f"{inputs} uncertain inputs) would hold {need / 1024**3:.1f} GB of results; the "
            f"limit is {MAX_RESULT_BYTES / 1024**3:.0f} GB: ask for at most {most:,} draws, or "
            "fewer models"
        )


def check_events(infos: Sequence[ModelInfo], all_futures: Sequence[Future]) -> None:
    """Refuse, before any work, a model that cannot take a future's events during its run.

    Raises
    ------
    InputError
        A dynamic model that takes events only before its first round, and an event at a
        later round.
    """
    late = [change for future in all_futures for change in future.changes if change.round > 0]
    if not late:
        return
    for info in infos:
        if info.iterative and not info.takes_events:
            raise InputError(
                f"{info.name}: events during the run are not supported (event "
                f"'{late[0].event}' at round {late[0].round}); {info.name} takes timeline events "
                "only before its first round: give such events at: 0, or leave the model out"
            )


def _chunk_size(scenario: Scenario, draws: int, engine: str, workers: int) -> int:
    n = len(scenario.actors)
    by_memory = max(1, _CHUNK_ELEMENTS // (n * n))
    size = min(2000, by_memory, draws)
    if engine != "in-process":  # give every worker several tasks
        size = min(size, max(1, math.ceil(draws / (4 * workers))))
    return size
