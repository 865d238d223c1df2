"""Tipping points: where a model's forecast crosses a scale label or jumps, as one input moves.

For each numeric input of a sweep, a line through the base point (the other inputs at their
base values, tied inputs following) is run; every step of the line at which a forecast changes
its nearest scale label, or moves by more than ``tipping.jump`` points, is narrowed by
bisection (``tipping.refine`` halvings; each halving of every line's brackets is one batch of
runs) to the interval the change happens in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente import models as registry
from detente.simulate.sweep_design import Plan, evaluate, point_options
from detente.simulate.sweep_spec import SweepSpec

__all__ = ["LINE_POINTS", "TippingPoint", "tipping_points"]

#: Points of the line through the base when an input has no grid (sampled designs).
LINE_POINTS = 21


@dataclass(frozen=True)
class TippingPoint:
    """Where ``model``'s forecast of ``issue`` tips as ``input`` moves from ``low`` to ``high``:
    from ``before`` to ``after`` (``kind``: ``label``, the nearest label changes, or ``jump``)."""

    model: str
    issue: str
    input: str
    low: float
    high: float
    before: float
    after: float
    kind: str
    label_before: str = ""
    label_after: str = ""

    @property
    def at(self) -> float:
        """The middle of the interval the change happens in."""
        return 0.5 * (self.low + self.high)


def tipping_points(
    spec: SweepSpec,
    plan: Plan,
    rng: np.random.Generator,
    ran: tuple[Sequence[Sequence[Any]], Mapping[str, np.ndarray]] | None = None,
) -> tuple[tuple[dict[str, Any], ...], tuple[TippingPoint, ...]]:
    """Run a line through the base point along each numeric input, and narrow every step at
    which a forecast tips (see the module's rules).

    ``ran`` is the design already run (its columns, and each model's values): a point of a line
    that the design holds is taken from it rather than run again, when no model draws random
    numbers at the base point (the line runs every point with one seed, the design one seed per
    point, and only a forecast that does not depend on its seed can be shared).
    """
    s = plan.scenario
    base = [a.base for a in plan.axes]
    seed = int(rng.integers(2**53))

    def run(points: Sequence[tuple[int, float]]) -> dict[str, np.ndarray]:
        """Forecasts at points of the lines, each ``(axis, value)``: the other inputs at base."""
        cols = [[base[m]] * len(points) for m in range(len(plan.axes))]
        for i, (n, value) in enumerate(points):
            cols[n][i] = value
        seeds = [np.random.SeedSequence(seed) for _ in points]  # the same draws everywhere
        return evaluate(plan, cols, seeds)[0]

    grids = {}
    for n, axis in enumerate(plan.axes):
        if not axis.numeric:
            continue
        grid = sorted(set(axis.values))
        if spec.design.kind in ("random", "latin-hypercube") or len(grid) < 2:
            grid = [float(v) for v in np.linspace(min(axis.values), max(axis.values), LINE_POINTS)]
        grids[n] = grid
    runs = _lines(plan, grids, base, run, ran)
    lines = [
        {
            "input": plan.axes[n].label,
            "values": grid,
            "forecasts": {
                m: {s.issue_ids[j]: runs[n][m][:, t].tolist() for t, j in enumerate(plan.issues)}
                for m, _ in plan.models
            },
        }
        for n, grid in grids.items()
    ]
    return tuple(lines), tuple(_narrow(spec, plan, grids, runs, run))


def _lines(
    plan: Plan,
    grids: Mapping[int, list[float]],
    base: list[Any],
    run: Callable[[Sequence[tuple[int, float]]], dict[str, np.ndarray]],
    ran: tuple[Sequence[Sequence[Any]], Mapping[str, np.ndarray]] | None,
) -> dict[int, dict[str, np.ndarray]]:
    """Each line's forecasts (axis -> model -> (points, issues)), sharing the design's runs
    where ``tipping_points`` allows it, and running the other points in one batch."""
    key = [base[m] for m, axis in enumerate(plan.axes) if not axis.numeric]
    options = point_options(plan, key)
    draws = any(registry.get(model).draws(o) for model, o in options.items())
    columns, values = ran if ran is not None and not draws else ((), {})
    shared = {
        n: _design_rows(plan, n, grid, base, columns) if columns else [None] * len(grid)
        for n, grid in grids.items()
    }
    missing = [
        (n, value)
        for n, grid in grids.items()
        for value, row in zip(grid, shared[n], strict=True)
        if row is None
    ]
    fresh = run(missing) if missing else {}
    runs: dict[int, dict[str, np.ndarray]] = {}
    at = 0
    for n, grid in grids.items():
        runs[n] = {name: np.empty((len(grid), len(plan.issues))) for name, _ in plan.models}
        for i, row in enumerate(shared[n]):
            for name, _ in plan.models:
                if row is None:
                    runs[n][name][i] = fresh[name][at]
                else:
                    runs[n][name][i] = values[name][row]
            at += row is None
    return runs


def _design_rows(
    plan: Plan, n: int, grid: Sequence[float], base: list[Any], columns: Sequence[Sequence[Any]]
) -> list[int | None]:
    """The design's row of each point of axis ``n``'s line (the other axes at base), if any."""
    on_line = np.ones(len(columns[n]), dtype=bool)
    for m, axis in enumerate(plan.axes):
        if m == n:
            continue
        if axis.numeric:
            on_line &= np.asarray(columns[m], dtype=float) == base[m]
        else:
            on_line &= np.array([v == base[m] for v in columns[m]], dtype=bool)
    rows = {float(columns[n][i]): i for i in np.flatnonzero(on_line).tolist()}
    return [rows.get(float(v)) for v in grid]


def _narrow(
    spec: SweepSpec,
    plan: Plan,
    grids: Mapping[int, list[float]],
    runs: Mapping[int, Mapping[str, np.ndarray]],
    run: Callable[[Sequence[tuple[int, float]]], dict[str, np.ndarray]],
) -> list[TippingPoint]:
    """Bisect every step of every line at which a forecast tips; each halving of all the
    brackets is one batch of runs."""
    s = plan.scenario
    tip = spec.tipping
    brackets = []  # [axis, model, column, issue, a, b, fa, fb]
    for n, grid in grids.items():
        for model, _ in plan.models:
            for t, j in enumerate(plan.issues):
                f = runs[n][model][:, t]
                issue = s.issues[j]
                for i in range(len(grid) - 1):
                    if _tips(issue, f[i], f[i + 1], tip.labels, tip.jump):
                        brackets.append([n, model, t, issue, grid[i], grid[i + 1], f[i], f[i + 1]])
    open_ = list(brackets)  # brackets still narrowing (a change spread over both halves stops)
    for _ in range(tip.refine):
        if not open_:
            break
        middles = [(b[0], 0.5 * (b[4] + b[5])) for b in open_]
        evaluated = run(middles)
        still = []
        for idx, (b, (_, m)) in enumerate(zip(open_, middles, strict=True)):
            fm = evaluated[b[1]][idx, b[2]]
            if _tips(b[3], b[6], fm, tip.labels, tip.jump):
                b[5], b[7] = m, fm
                still.append(b)
            elif _tips(b[3], fm, b[7], tip.labels, tip.jump):
                b[4], b[6] = m, fm
                still.append(b)
        open_ = still
    out = []
    for n, model, _, issue, a, b, fa, fb in brackets:
        kind = "label" if tip.labels and issue.label(fa) != issue.label(fb) else "jump"
        out.append(
            TippingPoint(
                model,
                issue.id,
                plan.axes[n].label,
                float(a),
                float(b),
                float(fa),
                float(fb),
                kind,
                issue.label(fa),
                issue.label(fb),
            )
        )
    return out


def _tips(issue: Any, a: float, b: float, labels: bool, jump: float | None) -> bool:
    if labels and issue.scale and issue.label(a) != issue.label(b):
        return True
    return jump is not None and abs(b - a) > jump
