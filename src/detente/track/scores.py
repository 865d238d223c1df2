"""Scores of a sealed forecast against its outcome: absolute error, CRPS, Brier, interval hits.

Every score reads the sealed distribution (quantiles at fixed levels, or a point) and the
outcome, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "brier",
    "crps_from_quantiles",
    "interval",
    "pinball_loss",
    "probability_met",
]

_OPS = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
}


def pinball_loss(level: float, quantile: float, outcome: float) -> float:
    """The pinball (quantile) loss of ``quantile`` as the ``level`` quantile, at ``outcome``.

    ``rho_tau(y, q) = (1{y < q} - tau) (q - y)``: ``tau (y - q)`` when the outcome is above the
    quantile, ``(1 - tau) (q - y)`` when below.
    """
    below = 1.0 if outcome < quantile else 0.0
    return (below - level) * (quantile - outcome)


def crps_from_quantiles(
    levels: Sequence[float], quantiles: Sequence[float], outcome: float
) -> float:
    """The continuous ranked probability score of a distribution given by its quantiles.

    The CRPS is the integral of the pinball loss over all levels,
    ``CRPS(F, y) = 2 * integral_0^1 rho_tau(y, F^-1(tau)) d tau`` (Gneiting & Raftery 2007,
    eq. 21; Laio & Tamea 2007), which evenly spaced levels ``tau_1..tau_m`` approximate by

        CRPS ~= (2 / m) * sum_i rho_{tau_i}(y, q_i)

    that is, twice the mean pinball loss over the levels. With the 99 levels 0.01..0.99 the
    approximation leaves out the 1% tails; for a normal distribution it is within 2% of the
    exact value (the tests check it on a large normal sample). A point alone is not scored
    here: :func:`detente.track.record.score` gives it its absolute error, the CRPS of a point
    mass.

    Parameters
    ----------
    levels
        Quantile levels in (0, 1), evenly spaced.
    quantiles
        The distribution's quantile at each level (non-decreasing).
    outcome
        The outcome on the issue's scale.

    Returns
    -------
    float
        The CRPS, in the units of the scale (lower is better).

    Examples
    --------
    >>> crps_from_quantiles([0.25, 0.5, 0.75], [40.0, 50.0, 60.0], 50.0)
    3.3333333333333335
    """
    tau = np.asarray(levels, dtype=float)
    q = np.asarray(quantiles, dtype=float)
    if tau.shape != q.shape or tau.ndim != 1 or not len(tau):
        raise ValueError("levels and quantiles must be two lists of the same, non-zero length")
    below = (outcome < q).astype(float)
    loss = (below - tau) * (q - outcome)
    return float(2.0 * loss.mean())


def interval(
    levels: Sequence[float], quantiles: Sequence[float], coverage: float
) -> tuple[float, float] | None:
    """The central interval of ``coverage`` (0.5 for 25%-75%), or None when the levels lack
    its ends."""
    low, high = (1.0 - coverage) / 2.0, (1.0 + coverage) / 2.0
    tau = np.asarray(levels, dtype=float)
    ends = []
    for end in (low, high):
        at = np.flatnonzero(np.isclose(tau, end, atol=1e-9))
        if not len(at):
            return None
        ends.append(float(quantiles[int(at[0])]))
    return ends[0], ends[1]


def probability_met(
    levels: Sequence[float], quantiles: Sequence[float], op: str, value: float
) -> float:
    """The probability that the outcome meets ``op value``, read from the quantiles.

    Each level stands for an equal share of the distribution; the share of quantiles meeting the
    threshold is the probability (a single point gives 0 or 1).
    """
    q = np.asarray(quantiles, dtype=float)
    return float(np.mean(_OPS[op](q, value)))


def brier(probability: float, happened: bool) -> float:
    """The Brier score ``(p - o)^2`` of one probability forecast (0 best, 1 worst)."""
    return (probability - (1.0 if happened else 0.0)) ** 2


def met(op: str, outcome: float, value: float) -> bool:
    """Whether ``outcome op value`` holds."""
    return bool(_OPS[op](outcome, value))
