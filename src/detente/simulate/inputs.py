"""Uncertain inputs: which ones, their distributions, and one draw of them per seed.

Each uncertain input (an actor's capability, or its position or salience on an issue) is drawn
from a uniform ``[low, high]`` or a triangular ``[low, mode, high]`` distribution, as declared
in the scenario's ``uncertainty``; inputs without a declaration get a uniform range of
``+/- spread`` (a fraction of the issue's scale for positions, of 0-100 for saliences, and of
the value itself for capabilities) when ``spread > 0``. A range of zero width is not uncertain.

Every draw has its own generator, built from its own child seed: the uniforms it needs are
taken from that generator alone, so a draw's inputs do not depend on how draws are batched or
which worker computes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detente.scenario.model import SALIENCE_MAX, Scenario

__all__ = ["InputPlan", "input_plan", "sample_inputs"]

CAPABILITY, POSITION, SALIENCE = 0, 1, 2


@dataclass(frozen=True)
class InputPlan:
    """The uncertain inputs of a scenario, one entry per input.

    ``field`` is 0 (capability), 1 (position) or 2 (salience, on 0-100); ``issue`` is -1 for
    capability; ``mode`` is NaN for a uniform distribution.
    """

    labels: tuple[str, ...]
    actor: np.ndarray
    field: np.ndarray
    issue: np.ndarray
    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def input_plan(scenario: Scenario, spread: float = 0.0) -> InputPlan:
    """The uncertain inputs of ``scenario``: declared ranges, then ``spread`` for the rest."""
    if not 0.0 <= spread <= 1.0:
        raise ValueError("spread must be a fraction between 0 and 1")
    rows: list[tuple[str, int, int, int, float, float, float]] = []
    for n, actor in enumerate(scenario.actors):
        inputs = [("capability", CAPABILITY, -1, actor.capability, 0.0, np.inf)]
        for j, issue in enumerate(scenario.issues):
            inputs.append(
                (
                    f"position.{issue.id}",
                    POSITION,
                    j,
                    actor.position[issue.id],
                    issue.min,
                    issue.max,
                )
            )
            inputs.append(
                (f"salience.{issue.id}", SALIENCE, j, actor.salience[issue.id], 0.0, SALIENCE_MAX)
            )
        for key, field, j, value, lo, hi in inputs:
            declared = actor.uncertainty.get(key)
            if declared is not None:
                low, high = declared[0], declared[-1]
                mode = declared[1] if len(declared) == 3 else np.nan
            elif spread > 0:
                width = value if field == CAPABILITY else (hi - lo)
                low, high = max(lo, value - spread * width), min(hi, value + spread * width)
                mode = np.nan
            else:
                continue
            if high > low:
                rows.append((f"{actor.id}.{key}", n, field, j, low, mode, high))
    return InputPlan(
        labels=tuple(r[0] for r in rows),
        actor=np.array([r[1] for r in rows], dtype=int),
        field=np.array([r[2] for r in rows], dtype=int),
        issue=np.array([r[3] for r in rows], dtype=int),
        low=np.array([r[4] for r in rows], dtype=float),
        mode=np.array([r[5] for r in rows], dtype=float),
        high=np.array([r[6] for r in rows], dtype=float),
    )


def sample_inputs(
    scenario: Scenario, plan: InputPlan, generators: Sequence[np.random.Generator]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One draw of every uncertain input per generator.

    Returns ``c`` (draws, n), ``X`` (draws, n, k), ``S`` (draws, n, k) on 0-1, and the drawn
    values of the plan's inputs (draws, m), in the plan's order and units.
    """
    c0, X0, S0 = scenario.arrays()
    D = len(generators)
    m = len(plan)
    u = np.stack([g.random(m) for g in generators]) if m else np.zeros((D, 0))
    values = _inverse_cdf(u, plan)
    c = np.broadcast_to(c0, (D, *c0.shape)).copy()
    X = np.broadcast_to(X0, (D, *X0.shape)).copy()
    S = np.broadcast_to(S0, (D, *S0.shape)).copy()
    for q in range(m):
        a, f, j = plan.actor[q], plan.field[q], plan.issue[q]
        if f == CAPABILITY:
            c[:, a] = values[:, q]
        elif f == POSITION:
            X[:, a, j] = values[:, q]
        else:
            S[:, a, j] = values[:, q] / SALIENCE_MAX
    return c, X, S, values


def _inverse_cdf(u: np.ndarray, plan: InputPlan) -> np.ndarray:
    """Uniform and triangular quantiles of ``u`` (draws, m), input by input."""
    low, mode, high = plan.low, plan.mode, plan.high
    uniform = low + u * (high - low)
    tri_mode = np.where(np.isnan(mode), low, mode)
    width = high - low
    cut = (tri_mode - low) / width
    left = low + np.sqrt(u * width * (tri_mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - tri_mode))
    triangular = np.where(u < cut, left, right)
    return np.asarray(np.where(np.isnan(mode), uniform, triangular))
