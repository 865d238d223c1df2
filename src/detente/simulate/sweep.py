"""Sensitivity sweeps: every model's forecast over a design of input and option values.

:func:`sweep` reads a :class:`~detente.simulate.sweep_spec.SweepSpec`, resolves each varied
input against the scenario (its base value, its values, its bounds), builds the design points,
and runs every model on every point, in chunks, on any engine (the same numbers on every
engine: each point's seed is fixed before dispatch). Points are run as one batch per chunk and
set of option values, so a static model takes one call per chunk and the expected utility
model one batched run.

Then, for each numeric input, a line through the base point (the other inputs at their base
values, tied inputs following) is run, and every step of the line at which a model's forecast
crosses a scale label (changes its nearest label) or jumps by more than ``tipping.jump`` is
narrowed by bisection: a **tipping point**, reported as the interval the change happens in.

Rules used here:

* *base point*: every input at the scenario's value; every option at the spec's ``options``,
  else the model's default;
* *one-at-a-time*: the base point, then each input over its values with the others at base;
* *random*, *latin-hypercube*: each numeric input uniform between its smallest and largest
  value (Latin hypercube: one draw in each of ``points`` equal strata, strata shuffled), each
  other input one of its values;
* *influence*: per model, issue and input, the spread (largest minus smallest) of the mean
  forecast over the input's values (deciles of its range for sampled designs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from detente._rng import RNG, seeding
from detente.errors import InputError
from detente.scenario.model import Scenario
from detente.simulate.engines import check_engine, describe, execute
from detente.simulate.questions import parse_question
from detente.simulate.sweep_design import Plan, design, evaluate, plan
from detente.simulate.sweep_result import SWEEP_SCHEMA, Sweep
from detente.simulate.sweep_spec import SweepSpec
from detente.simulate.tipping import TippingPoint, tipping_points

__all__ = [
    "SWEEP_SCHEMA",
    "Sweep",
    "SweepSpec",
    "TippingPoint",
    "bundled_sweeps",
    "open_spec",
    "plan",
    "sweep",
]

#: Design points per task (bounded memory, and several tasks per worker).
CHUNK = 2_000


@dataclass(frozen=True)
class _Chunk:
    """Design points ``start`` to ``start + count`` and their seeds: an engine's task."""

    plan: Plan
    columns: tuple[tuple[Any, ...], ...]
    start: int
    entropy: int | tuple[int, ...]
    spawn_key: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.columns[0])

    def run(self) -> tuple[int, dict[str, np.ndarray], int]:
        seeds = [
            np.random.SeedSequence(self.entropy, spawn_key=(*self.spawn_key, i))
            for i in range(self.start, self.start + self.count)
        ]
        values, unsettled = evaluate(self.plan, self.columns, seeds)
        return self.start, values, unsettled


def sweep(
    spec: SweepSpec,
    scenario: Scenario,
    *,
    rng: RNG = None,
    engine: str = "in-process",
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sweep:
    """Run a sweep.

    Parameters
    ----------
    spec
        The specification (:class:`~detente.simulate.sweep_spec.SweepSpec`).
    scenario
        Its scenario, opened by the caller (the spec names it).
    rng
        The seed of the design (random designs) and of stochastic options; default the
        spec's ``rng``, else drawn and recorded.
    engine, workers, scheduler
        As for :func:`detente.simulate.simulate`: the same numbers on every engine.
    progress
        Called with the number of design points each finished chunk computed.

    Raises
    ------
    InputError
        A problem with the spec against the scenario, or a design of more than
        :data:`~detente.simulate.sweep_spec.MAX_POINTS` points.

    Examples
    --------
    >>> import detente
    >>> from detente.simulate.sweep_spec import SweepSpec
    >>> spec = SweepSpec.model_validate({
    ...     "scenario": "six-party-2004", "models": ["median"],
    ...     "vary": [{"input": "USA.position.disarmament", "min": 50, "max": 100, "step": 10}]})
    >>> done = sweep(spec, detente.bundled("six-party-2004"), rng=1)
    >>> done.points, done.values["median"][:, 0].tolist()
    (6, [50.0, 55.0, 55.0, 55.0, 55.0, 55.0])
    """
    check_engine(engine, workers, scheduler)
    resolved = plan(spec, scenario)
    questions = tuple(parse_question(q, scenario) for q in spec.questions)
    seeds = seeding(spec.rng if rng is None else rng)
    design_rng, line_rng = (np.random.default_rng(s) for s in seeds.sequence.spawn(2))
    columns = design(spec, resolved.axes, design_rng)
    P = len(columns[0])
    root = np.random.SeedSequence(seeds.sequence.entropy, spawn_key=(*seeds.sequence.spawn_key, 2))
    size = CHUNK if engine == "in-process" else max(1, min(CHUNK, -(-P // (4 * workers))))
    tasks = [
        _Chunk(
            resolved,
            tuple(tuple(col[start : start + size]) for col in columns),
            start,
            root.entropy,  # type: ignore[arg-type]
            tuple(root.spawn_key),
        )
        for start in range(0, P, size)
    ]
    results = execute(tasks, engine=engine, workers=workers, scheduler=scheduler, progress=progress)
    k = len(resolved.issues)
    values = {name: np.empty((P, k)) for name, _ in resolved.models}
    unsettled = 0
    for start, chunk, late in results:
        for name, array in chunk.items():
            values[name][start : start + len(array)] = array
        unsettled += late
    lines, tipping = tipping_points(spec, resolved, line_rng, (columns, values))
    return Sweep(
        spec=spec,
        scenario=scenario,
        axes=resolved.axes,
        ties=tuple(spec.tie),
        columns=columns,
        models=tuple(name for name, _ in resolved.models),
        options={name: opts.model_dump(mode="json") for name, opts in resolved.models},
        issues=tuple(scenario.issue_ids[j] for j in resolved.issues),
        values=values,
        lines=lines,
        tipping=tipping,
        questions=questions,
        seed=seeds.seed,
        engine=describe(engine, workers, scheduler),
        unsettled=unsettled,
    )


def bundled_sweeps() -> tuple[str, ...]:
    """The names of the example sweeps that ship with detente (``detente sweep NAME``)."""
    folder = resources.files("detente.simulate") / "data"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def open_spec(ref: str | Path) -> tuple[SweepSpec, Scenario]:
    """Read a spec (a file, or a bundled example's name) and open its scenario (a bundled
    scenario's name, or a file path relative to the spec's folder).

    Raises
    ------
    ScenarioError
        The spec file is malformed (every problem, with its line).
    InputError
        No such file or bundled example.
    """
    from detente.scenario.bundled import bundled_names, open_scenario
    from detente.scenario.io import read_document, validate_model

    path = Path(ref)
    if not path.exists() and str(ref) in bundled_sweeps():
        path = Path(str(resources.files("detente.simulate") / "data" / f"{ref}.yaml"))
    elif not path.exists():
        raise InputError(
            f"'{ref}' is neither a sweep file nor a bundled sweep; bundled sweeps are: "
            f"{', '.join(bundled_sweeps())}"
        )
    data, lines = read_document(path)
    spec = validate_model(SweepSpec, data, str(path), lines)
    ref = spec.scenario
    beside = path.parent / ref
    scenario = open_scenario(beside if ref not in bundled_names() else ref)
    return spec, scenario
