"""Scores of point forecasts and of forecast distributions against known outcomes.

Point forecasts: mean absolute error (MAE), root mean square error, median absolute error and
the share of issues within 5, 10 and 20 points (on the 0-100 scale), as the DEU III README
prescribes. Differences between two models are given with a paired bootstrap interval that
resamples *proposals* (the issues of one proposal are decided together, so they are not
independent draws).

Distributions (from Monte Carlo draws): coverage of the central 50% and 80% intervals, the
continuous ranked probability score (CRPS, in points: the MAE of a point forecast is its CRPS),
and a reliability table of nominal against observed coverage.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "CRPS_LEVELS",
    "RELIABILITY_LEVELS",
    "WITHIN",
    "crps",
    "paired_bootstrap",
    "point_scores",
    "reliability",
]

#: Thresholds of the "share within" scores, in points.
WITHIN: tuple[int, ...] = (5, 10, 20)
#: Nominal coverages of the central intervals in the reliability table.
RELIABILITY_LEVELS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CRPS_LEVELS = RELIABILITY_LEVELS


def point_scores(errors: np.ndarray) -> dict[str, Any]:
    """MAE, RMSE, median absolute error and shares within 5/10/20 of absolute errors.

    Examples
    --------
    >>> s = point_scores(np.array([0.0, 4.0, 12.0, 30.0]))
    >>> s["n"], s["mae"], s["median_ae"], s["within_5"], s["within_20"]
    (4, 11.5, 8.0, 0.5, 0.75)
    """
    e = np.abs(np.asarray(errors, dtype=float))
    if e.size == 0:
        nan = float("nan")
        return {"n": 0, "mae": nan, "rmse": nan, "median_ae": nan} | {
            f"within_{w}": nan for w in WITHIN
        }
    return {
        "n": int(e.size),
        "mae": float(e.mean()),
        "rmse": float(np.sqrt(np.mean(e**2))),
        "median_ae": float(np.median(e)),
    } | {f"within_{w}": float(np.mean(e <= w)) for w in WITHIN}


def paired_bootstrap(
    errors: np.ndarray,
    baseline: np.ndarray,
    clusters: np.ndarray,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[float, float, float]:
    """MAE difference (model minus baseline) and its 95% percentile interval.

    Parameters
    ----------
    errors, baseline
        Absolute errors of the model and of the baseline on the same issues.
    clusters
        The proposal of each issue: whole proposals are resampled.
    n_boot
        Bootstrap replicates.
    rng
        The generator that draws the replicates.

    Returns
    -------
    tuple of float
        The observed difference, and the 2.5% and 97.5% points of its bootstrap distribution.
        A negative difference means the model's errors are smaller.
    """
    diff = np.abs(errors) - np.abs(baseline)
    labels, index = np.unique(clusters, return_inverse=True)
    sums = np.bincount(index, weights=diff, minlength=labels.size)
    counts = np.bincount(index, minlength=labels.size).astype(float)
    picks = rng.integers(0, labels.size, size=(n_boot, labels.size))
    boot = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return float(diff.mean()), float(lo), float(hi)


def crps(draws: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """CRPS of each issue's sample (issues, draws) against its outcome (issues,).

    Uses the sample form E|X - y| - E|X - X'| / 2, computed from the sorted draws in
    O(draws log draws).

    Examples
    --------
    >>> float(crps(np.array([[50.0, 50.0]]), np.array([40.0]))[0])  # a point: its error
    10.0
    """
    x = np.sort(np.asarray(draws, dtype=float), axis=-1)
    m = x.shape[-1]
    first = np.mean(np.abs(x - outcome[:, None]), axis=-1)
    # sum_{i,j} |x_i - x_j| = 2 * sum_k (2k - m + 1) x_(k) for sorted x, k from 0
    weights = 2 * np.arange(m) - m + 1
    spread = 2 * (x * weights).sum(axis=-1) / m**2
    return np.asarray(first - spread / 2)


def reliability(draws: np.ndarray, outcome: np.ndarray) -> list[dict[str, float]]:
    """Observed share of outcomes inside each nominal central interval of the draws."""
    rows = []
    for level in RELIABILITY_LEVELS:
        lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=-1)
        inside = (outcome >= lo) & (outcome <= hi)
        rows.append({"nominal": level, "observed": float(inside.mean())})
    return rows
