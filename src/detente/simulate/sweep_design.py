"""A sweep's plan: its inputs and options resolved against the scenario, its design points,
and every model run on a batch of points.

See :mod:`detente.simulate.sweep` for the rules.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente import models as registry
from detente.errors import InputError
from detente.forecasting import resolve_models
from detente.models import ModelInfo
from detente.scenario.model import SALIENCE_MAX, Scenario
from detente.scenario.overrides import parse_override
from detente.simulate.inputs import CAPABILITY, POSITION, SALIENCE
from detente.simulate.sweep_spec import MAX_POINTS, SweepSpec, Tie, Vary
from detente.simulate.tasks import future_values
from detente.simulate.timeline import Future, futures

__all__ = ["Axis", "Follower", "Plan", "design", "evaluate", "plan", "point_options"]


@dataclass(frozen=True)
class Axis:
    """A varied input (``kind="input"``: an actor's capability, position or salience) or a
    model option (``kind="option"``), with its base value and its values."""

    label: str
    kind: str
    base: Any
    values: tuple[Any, ...]
    actor: int = -1
    field: int = -1
    issue: int = -1
    model: str = ""
    option: str = ""
    low: float = -math.inf
    high: float = math.inf

    @property
    def numeric(self) -> bool:
        return self.kind == "input"


@dataclass(frozen=True)
class Follower:
    """An input tied to an axis: ``base + factor * (leader - leader's base)``."""

    target: Axis
    leader: int
    factor: float


@dataclass(frozen=True)
class Plan:
    """Everything a chunk of design points needs, resolved against the scenario."""

    scenario: Scenario
    future: Future
    models: tuple[tuple[str, Any], ...]
    axes: tuple[Axis, ...]
    followers: tuple[Follower, ...]
    issues: tuple[int, ...]


def plan(spec: SweepSpec, scenario: Scenario) -> Plan:
    """Resolve a spec against its scenario (inputs, options, ties, models, issues, future).

    Raises
    ------
    InputError
        An unknown actor, field, issue, model, option or future; a value off an input's
        bounds; a tie to an input that does not vary.
    """
    infos, parsed = resolve_models(
        spec.models or list(registry.defaults()), spec.options, scenario.model_options
    )
    chosen = _future(spec, scenario)
    axes = tuple(_axis(v, scenario, infos, parsed) for v in spec.vary)
    labels = [a.label for a in axes]
    if len(set(labels)) != len(labels):
        raise InputError(f"vary: an input appears twice ({', '.join(labels)})")
    followers = tuple(_follower(t, scenario, axes) for t in spec.tie)
    if spec.issues is None:
        issues = tuple(range(len(scenario.issues)))
    else:
        for issue in spec.issues:
            if issue not in scenario.issue_ids:
                known = ", ".join(scenario.issue_ids)
                raise InputError(f"issues: no issue '{issue}'; issues are: {known}")
        issues = tuple(scenario.issue_ids.index(i) for i in spec.issues)
    return Plan(
        scenario=scenario,
        future=chosen,
        models=tuple((info.name, parsed[info.name]) for info in infos),
        axes=axes,
        followers=followers,
        issues=issues,
    )


# --- resolving the spec ---------------------------------------------------------------------------


def _future(spec: SweepSpec, scenario: Scenario) -> Future:
    if spec.future is None:
        return Future("inputs as given", None, ())
    try:
        found = futures(scenario)
    except ValueError as err:
        raise InputError(str(err)) from None
    for f in found:
        if f.name == spec.future:
            return f
    known = ", ".join(f.name for f in found)
    raise InputError(f"future: no future '{spec.future}' in {scenario.id}; futures are: {known}")


def _axis(
    vary: Vary, scenario: Scenario, infos: Sequence[ModelInfo], parsed: Mapping[str, Any]
) -> Axis:
    head = vary.input.partition(".")[0]
    names = {info.name for info in infos}
    if head in names and head not in scenario.actor_ids:
        return _option_axis(vary, infos, parsed)
    if head in registry.names() and head not in scenario.actor_ids:
        raise InputError(f"vary: {vary.input}: model {head} is not run; add it to models:")
    o = _target(vary.input, "vary")
    target = _input(scenario, o.actor, o.field, o.issue, f"vary: {vary.input}")
    label, actor, kind, issue, base, low, high = target
    if vary.values is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in vary.values):
            raise InputError(f"vary: {vary.input}: an input's values are numbers")
        values = [float(v) for v in vary.values]
    elif vary.delta is not None:
        values = list(np.linspace(base - vary.delta, base + vary.delta, vary.steps))
    elif vary.percent is not None:
        band = abs(base) * vary.percent / 100.0
        values = list(np.linspace(base - band, base + band, vary.steps))
    else:
        assert vary.min is not None
        assert vary.max is not None
        assert vary.step is not None
        count = math.floor((vary.max - vary.min) / vary.step + 1e-9) + 1
        values = [vary.min + i * vary.step for i in range(count)]
    values = [float(round(v, 12)) for v in values]
    off = [v for v in values if not low <= v <= high]
    if off:
        raise InputError(
            f"vary: {vary.input}: {off[0]:g} is outside its bounds ({low:g} to {high:g})"
        )
    return Axis(label, "input", base, tuple(values), actor, kind, issue, low=low, high=high)


def _option_axis(vary: Vary, infos: Sequence[ModelInfo], parsed: Mapping[str, Any]) -> Axis:
    model, _, option = vary.input.partition(".")
    info = next(i for i in infos if i.name == model)
    if option not in info.options.model_fields:
        known = ", ".join(info.options.model_fields)
        raise InputError(f"vary: {vary.input}: {model} has no option '{option}'; options: {known}")
    if vary.values is None:
        if vary.min is None:
            raise InputError(f"vary: {vary.input}: give an option's values as values: [...]")
        assert vary.max is not None
        assert vary.step is not None
        count = math.floor((vary.max - vary.min) / vary.step + 1e-9) + 1
        values: list[Any] = [round(vary.min + i * vary.step, 12) for i in range(count)]
    else:
        values = list(vary.values)
    base = getattr(parsed[model], option)
    for value in values:  # each value must be one the model accepts
        info.parse_options({**parsed[model].model_dump(), option: value})
    return Axis(vary.input, "option", base, tuple(values), model=model, option=option)


def _target(text: str, where: str) -> Any:
    """``ACTOR.FIELD[.ISSUE]`` read as an override's target (the errors name the spec's key)."""
    try:
        return parse_override(f"{text}=0")
    except InputError as err:
        detail = str(err).split(": ", 1)[-1]
        raise InputError(f"{where}: {text}: {detail}") from None


def _input(
    scenario: Scenario, name: str, field_name: str, issue_id: str | None, where: str
) -> tuple[str, int, int, int, float, float, float]:
    try:
        a = scenario.find_actor(name)
    except InputError as err:
        raise InputError(f"{where}: {err}") from None
    actor = scenario.actor_ids.index(a.id)
    if field_name == "capability":
        return f"{a.id}.capability", actor, CAPABILITY, -1, a.capability, 0.0, math.inf
    if issue_id is None:
        if len(scenario.issues) != 1:
            raise InputError(f"{where}: name the issue (issues: {', '.join(scenario.issue_ids)})")
        issue_id = scenario.issue_ids[0]
    if issue_id not in scenario.issue_ids:
        raise InputError(
            f"{where}: no issue '{issue_id}'; issues are: {', '.join(scenario.issue_ids)}"
        )
    j = scenario.issue_ids.index(issue_id)
    label = f"{a.id}.{field_name}.{issue_id}"
    if field_name == "position":
        scale = scenario.issues[j]
        return label, actor, POSITION, j, a.position[issue_id], scale.min, scale.max
    return label, actor, SALIENCE, j, a.salience[issue_id], 0.0, SALIENCE_MAX


def _follower(tie: Tie, scenario: Scenario, axes: tuple[Axis, ...]) -> Follower:
    leader_label = _target(tie.to, "tie")
    leader = _input(
        scenario, leader_label.actor, leader_label.field, leader_label.issue, f"tie: {tie.to}"
    )[0]
    found = [n for n, a in enumerate(axes) if a.label == leader and a.numeric]
    if not found:
        raise InputError(f"tie: {tie.input} follows {tie.to}, which does not vary; add it to vary:")
    o = _target(tie.input, "tie")
    label, actor, kind, issue, base, low, high = _input(
        scenario, o.actor, o.field, o.issue, f"tie: {tie.input}"
    )
    if label in {a.label for a in axes}:
        raise InputError(f"tie: {tie.input} varies itself; an input cannot also follow another")
    factor = {"equal": 1.0, "opposite": -1.0, "scaled": tie.factor}[tie.relation]
    lead = axes[found[0]]
    for value in lead.values:
        follows = base + factor * (value - lead.base)
        if not low - 1e-9 <= follows <= high + 1e-9:
            raise InputError(
                f"tie: {tie.input} ({tie.relation}) would be {follows:g} when {tie.to} is "
                f"{value:g}, outside its bounds ({low:g} to {high:g})"
            )
    target = Axis(label, "input", base, (), actor, kind, issue, low=low, high=high)
    return Follower(target, found[0], factor)


# --- the design -----------------------------------------------------------------------------------


def design(
    spec: SweepSpec, axes: tuple[Axis, ...], rng: np.random.Generator
) -> tuple[tuple[Any, ...], ...]:
    """Each axis's value at each design point (columns of equal length)."""
    kind = spec.design.kind
    if kind == "full-factorial":
        size = math.prod(len(a.values) for a in axes)
        _check_size(size)
        rows = list(itertools.product(*(a.values for a in axes)))
    elif kind == "one-at-a-time":
        base = tuple(a.base for a in axes)
        rows = [base]
        for n, axis in enumerate(axes):
            rows += [(*base[:n], v, *base[n + 1 :]) for v in axis.values if v != axis.base]
        _check_size(len(rows))
    else:
        size = spec.design.points or 0
        _check_size(size)
        cols = []
        for axis in axes:
            if axis.numeric:
                lo, hi = min(axis.values), max(axis.values)
                if kind == "random":
                    u = rng.random(size)
                else:  # one draw in each stratum, strata in random order
                    u = (rng.permutation(size) + rng.random(size)) / size
                cols.append(tuple(float(v) for v in lo + u * (hi - lo)))
            else:
                picks = rng.integers(len(axis.values), size=size)
                cols.append(tuple(axis.values[int(p)] for p in picks))
        return tuple(cols)
    return tuple(tuple(row[n] for row in rows) for n in range(len(axes)))


def _check_size(size: int) -> None:
    if size > MAX_POINTS:
        raise InputError(
            f"the design has {size:,} points; a sweep runs at most {MAX_POINTS:,}: take coarser "
            "grids or a random design"
        )


# --- evaluation -----------------------------------------------------------------------------------


def evaluate(
    plan: Plan, columns: Sequence[Sequence[Any]], seeds: Sequence[np.random.SeedSequence]
) -> tuple[dict[str, np.ndarray], int]:
    """Every model on a batch of design points: values (points, recorded issues), unsettled."""
    s = plan.scenario
    P = len(seeds)
    c0, X0, S0 = s.arrays()
    c = np.repeat(c0[None], P, axis=0)
    X = np.repeat(X0[None], P, axis=0)
    S = np.repeat(S0[None], P, axis=0)
    numeric = {
        n: np.asarray(col, dtype=float) for n, col in enumerate(columns) if plan.axes[n].numeric
    }
    for n, values in numeric.items():
        _set(plan.axes[n], values, c, X, S)
    for f in plan.followers:
        lead = plan.axes[f.leader]
        _set(f.target, f.target.base + f.factor * (numeric[f.leader] - lead.base), c, X, S)
    option_axes = [n for n, a in enumerate(plan.axes) if not a.numeric]
    keys = [tuple(columns[n][i] for n in option_axes) for i in range(P)]
    generators = [np.random.default_rng(seed) for seed in seeds]
    k = len(s.issues)
    out = {name: np.empty((P, len(plan.issues))) for name, _ in plan.models}
    unsettled = 0
    for key in dict.fromkeys(keys):
        rows = np.array([i for i in range(P) if keys[i] == key])
        for name, options in point_options(plan, key).items():
            values, late = future_values(
                s, plan.future, registry.get(name), options, c[rows], X[rows], S[rows],
                [generators[r] for r in rows],
            )  # fmt: skip
            out[name][rows] = np.asarray(values).reshape(len(rows), k)[:, list(plan.issues)]
            unsettled += late
    return out, unsettled


def point_options(plan: Plan, key: Sequence[Any]) -> dict[str, Any]:
    """Each model's options at a design point whose option axes take the values ``key`` (in
    the order of the axes)."""
    option_axes = [a for a in plan.axes if not a.numeric]
    chosen = {}
    for name, options in plan.models:
        changes = {
            axis.option: v for axis, v in zip(option_axes, key, strict=True) if axis.model == name
        }
        if changes:
            options = registry.get(name).parse_options({**options.model_dump(), **changes})
        chosen[name] = options
    return chosen


def _set(axis: Axis, values: np.ndarray, c: np.ndarray, X: np.ndarray, S: np.ndarray) -> None:
    if axis.field == CAPABILITY:
        c[:, axis.actor] = values
    elif axis.field == POSITION:
        X[:, axis.actor, axis.issue] = values
    else:
        S[:, axis.actor, axis.issue] = values / SALIENCE_MAX
