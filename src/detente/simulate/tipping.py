"""Tipping points: where a model's forecast crosses a scale label or jumps, as one input moves.

For each numeric input of a sweep, a line through the base point (the other inputs at their
base values, tied inputs following) is run; every step of the line at which a forecast changes
its nearest scale label, or moves by more than ``tipping.jump`` points, is narrowed by
bisection (``tipping.refine`` halvings, each one batch of runs) to the interval the change
happens in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.simulate.sweep_design import Plan, evaluate
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
    spec: SweepSpec, plan: Plan, rng: np.random.Generator
) -> tuple[tuple[dict[str, Any], ...], tuple[TippingPoint, ...]]:
    """Run a line through the base point along each numeric input, and narrow every step at
    which a forecast tips (see the module's rules)."""
    s = plan.scenario
    base = [a.base for a in plan.axes]
    lines: list[dict[str, Any]] = []
    found: list[TippingPoint] = []
    seed = int(rng.integers(2**53))
    for n, axis in enumerate(plan.axes):
        if not axis.numeric:
            continue
        grid = sorted(set(axis.values))
        if spec.design.kind in ("random", "latin-hypercube") or len(grid) < 2:
            grid = [float(v) for v in np.linspace(min(axis.values), max(axis.values), LINE_POINTS)]

        def at(points: Sequence[float], n: int = n) -> dict[str, np.ndarray]:
            cols = [[base[m]] * len(points) for m in range(len(plan.axes))]
            cols[n] = list(points)
            seeds = [np.random.SeedSequence(seed) for _ in points]  # the same draws everywhere
            return evaluate(plan, cols, seeds)[0]

        runs = at(grid)
        lines.append(
            {
                "input": axis.label,
                "values": grid,
                "forecasts": {
                    m: {s.issue_ids[j]: runs[m][:, t].tolist() for t, j in enumerate(plan.issues)}
                    for m, _ in plan.models
                },
            }
        )
        found += _narrow(spec, plan, axis.label, grid, runs, at)
    return tuple(lines), tuple(found)


def _narrow(
    spec: SweepSpec,
    plan: Plan,
    label: str,
    grid: list[float],
    runs: dict[str, np.ndarray],
    at: Callable[[Sequence[float]], dict[str, np.ndarray]],
) -> list[TippingPoint]:
    s = plan.scenario
    tip = spec.tipping
    brackets = []  # (model, column, issue, a, b, fa, fb)
    for model, _ in plan.models:
        for t, j in enumerate(plan.issues):
            f = runs[model][:, t]
            issue = s.issues[j]
            for i in range(len(grid) - 1):
                if _tips(issue, f[i], f[i + 1], tip.labels, tip.jump):
                    brackets.append([model, t, issue, grid[i], grid[i + 1], f[i], f[i + 1]])
    open_ = list(brackets)  # brackets still narrowing (a change spread over both halves stops)
    for _ in range(tip.refine):
        if not open_:
            break
        middles = [0.5 * (b[3] + b[4]) for b in open_]
        evaluated = at(middles)
        still = []
        for idx, (b, m) in enumerate(zip(open_, middles, strict=True)):
            fm = evaluated[b[0]][idx, b[1]]
            if _tips(b[2], b[5], fm, tip.labels, tip.jump):
                b[4], b[6] = m, fm
                still.append(b)
            elif _tips(b[2], fm, b[6], tip.labels, tip.jump):
                b[3], b[5] = m, fm
                still.append(b)
        open_ = still
    out = []
    for model, _, issue, a, b, fa, fb in brackets:
        kind = "label" if tip.labels and issue.label(fa) != issue.label(fb) else "jump"
        out.append(
            TippingPoint(
                model,
                issue.id,
                label,
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
