"""Calibration: are the Monte Carlo intervals of a model as wide as its errors?

DEU III gives no uncertainty on its inputs, so every position and salience is drawn within
+/- ``spread`` of the scale (and every capability within +/- ``spread`` of its value), the global
``--spread`` of ``detente simulate``. The spread was chosen on the development half only, by
:func:`tune_spread`: the value of :data:`SPREAD_GRID` with the lowest mean CRPS of the
``compromise`` model, with equal capabilities, 200 draws and seed 0. It is kept here as
:data:`DEU3_SPREAD` so that scoring the test half never looks at the test half to choose it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente.backtest.capability import capabilities
from detente.backtest.deu3 import Deu3, Deu3Issue
from detente.backtest.score import crps, reliability
from detente.models import REFERENCE
from detente.simulate import BASELINE, simulate

__all__ = ["DEU3_SPREAD", "SPREAD_GRID", "Calibration", "calibrate", "tune_spread"]

#: The spreads :func:`tune_spread` tries.
SPREAD_GRID: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
#: The global spread chosen on the development half (see the module's docstring).
DEU3_SPREAD = 0.3


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class Calibration:
    """Scores of one model's Monte Carlo distributions against the outcomes.

    ``frame`` has one row per issue: the 10/25/50/75/90% quantiles of the draws, the outcome,
    whether the 50% and 80% intervals covered it, and the CRPS. ``reliability`` lists nominal
    against observed coverage of central intervals.
    """

    model: str
    draws: int
    spread: float
    frame: pd.DataFrame
    reliability: tuple[dict[str, float], ...]

    def summary(self) -> dict[str, Any]:
        """Coverage of the 50% and 80% intervals, mean CRPS, and the point MAE of the median."""
        f = self.frame
        return {
            "model": self.model,
            "draws": self.draws,
            "spread": self.spread,
            "n": len(f),
            "coverage_50": float(f["in_50"].mean()),
            "coverage_80": float(f["in_80"].mean()),
            "crps": float(f["crps"].mean()),
            "mae_of_median": float(np.abs(f["q50"] - f["outcome"]).mean()),
        }


def calibrate(
    data: Deu3,
    issues: Sequence[Deu3Issue],
    *,
    model: str = REFERENCE,
    capability: str = "equal",
    draws: int = 200,
    spread: float = DEU3_SPREAD,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """Simulate ``model`` on each issue and score its distributions against the outcomes.

    Returns
    -------
    Calibration
        Per-issue quantiles, interval coverage and CRPS, and the reliability table.
    """
    seeds = np.random.SeedSequence([seed, 1]).spawn(len(issues))
    samples = np.empty((len(issues), draws))
    for k, (issue, child) in enumerate(zip(issues, seeds, strict=True)):
        scenario = issue.to_scenario(capabilities(issue, capability, data))
        sim = simulate(scenario, [model], draws=draws, rng=child, spread=spread, options=options)
        samples[k] = sim.outcome(BASELINE, model, scenario.issues[0].id)
        if progress is not None:
            progress(1)
    outcome = np.array([i.outcome for i in issues], dtype=float)
    q = np.quantile(samples, [0.1, 0.25, 0.5, 0.75, 0.9], axis=1)
    frame = pd.DataFrame(
        {
            "proposal": [i.proposal for i in issues],
            "issue": [i.issue for i in issues],
            "q10": q[0],
            "q25": q[1],
            "q50": q[2],
            "q75": q[3],
            "q90": q[4],
            "outcome": outcome,
            "in_50": (outcome >= q[1]) & (outcome <= q[3]),
            "in_80": (outcome >= q[0]) & (outcome <= q[4]),
            "crps": crps(samples, outcome),
        }
    )
    return Calibration(
        model=model,
        draws=draws,
        spread=spread,
        frame=frame,
        reliability=tuple(reliability(samples, outcome)),
    )


def tune_spread(
    data: Deu3, *, grid: Sequence[float] = SPREAD_GRID, draws: int = 200, seed: int = 0
) -> dict[float, float]:
    """Mean CRPS of ``compromise`` on the development half for each spread of ``grid``."""
    issues = data.select("dev")
    return {
        s: float(calibrate(data, issues, draws=draws, spread=s, seed=seed).frame["crps"].mean())
        for s in grid
    }
