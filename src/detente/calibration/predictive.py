"""Predictive distributions of an outcome: a model's forecast with the errors of its kind.

A model's point forecast says nothing of how far real outcomes fall from forecasts like it. On
DEU III (351 decisions of the EU, :mod:`detente.backtest`) they fall far: about 24 points on a
0-100 scale for the best models. This module turns a forecast into a distribution learned from
those errors. On the issue's scale mapped onto 0-100, the outcome's distribution is a mixture
of three parts, each a cumulative distribution on :data:`GRID`:

1. the model's forecast, blurred by a normal kernel of width ``forecast_width`` (with
   Monte Carlo draws, the average of that kernel over the draws' forecasts);
2. the actors' positions, each weighted by capability x salience, blurred by
   ``position_width`` (outcomes often land on a party's position);
3. the whole scale, evenly (an outcome far from every forecast and position happens).

Mass a kernel puts beyond an end of the scale is held at that end. The weights of the parts
are those that minimise the mean CRPS of the mixture on the training decisions, found exactly:
the CRPS of a mixture is a quadratic form in its weights (:func:`fit_weights`). Two more parts
were tried, the status quo and the two ends of the scale (a third of DEU III's outcomes are at
an end): both got weight 0 for every model, on the development half and on all decisions, and
were left out.

A mixture's central intervals do not hold their nominal share of outcomes when outcomes sit on
atoms (an actor's position, an end of the scale): its 80% interval held over 90% of DEU III's
outcomes. So each nominal level is given the central level of the mixture that held that
share of the training decisions out of fold, in each third of the decisions by the spread of
the actors' positions (:attr:`ModelError.levels`): an "80% interval" is one that held 80% of
decisions like those it was learned on. Every interval is stretched to take in its point
forecast, and the levels are learned with that stretch.

Everything here is numpy: the parameters are learned by :mod:`detente.backtest.model_error`
and shipped in ``data/model_error.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "GRID",
    "INTERVALS",
    "NOMINAL",
    "PARTS",
    "QUANTILE_LEVELS",
    "ModelError",
    "Predictive",
    "components",
    "crps",
    "fit_weights",
    "interval_of",
    "model_error",
    "predictive",
    "shipped",
]

#: Points of the 0-100 scale on which distributions are held (a quarter point apart).
GRID = np.linspace(0.0, 100.0, 401)
_STEP = float(GRID[1] - GRID[0])
#: The names of the mixture's parts, in order.
PARTS = ("forecast", "positions", "uniform")
#: The nominal levels of central intervals a :class:`ModelError` maps (10% to 90%).
NOMINAL = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The most forecasts a distribution is centred on (more draws: their quantiles).
_MOST_CENTRES = 1000
#: Quantile levels a document gives of each calibrated distribution: 0.01 to 0.99.
QUANTILE_LEVELS = tuple(round(0.01 * k, 2) for k in range(1, 100))
#: The intervals every forecast shows.
INTERVALS = (0.5, 0.8, 0.9)


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7)."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.asarray(sign * (1.0 - poly * np.exp(-a * a)))


def _kernel_cdf(centres: np.ndarray, weights: np.ndarray, width: float) -> np.ndarray:
    """CDF on :data:`GRID` of point masses at ``centres`` blurred by a normal of sd ``width``.

    Mass below 0 or above 100 is held at the end it passed (the scale is bounded), so the CDF
    at 0 holds what fell below and the CDF at 100 is 1.
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    x = np.asarray(centres, dtype=float)
    if width <= 0:
        cdf = (w[None, :] * (x[None, :] <= GRID[:, None] + 1e-9)).sum(axis=1)
    else:
        z = (GRID[:, None] - x[None, :]) / (width * np.sqrt(2.0))
        cdf = (w[None, :] * 0.5 * (1.0 + _erf(z))).sum(axis=1)
    cdf[-1] = 1.0
    return np.asarray(np.clip(cdf, 0.0, 1.0))


def components(
    forecasts: Sequence[float] | np.ndarray,
    positions: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray,
    *,
    forecast_width: float,
    position_width: float,
) -> np.ndarray:
    """The mixture's parts for one issue on the 0-100 scale: an array of shape (3, len(GRID)).

    ``forecasts`` is one forecast, or a Monte Carlo sample of them (each weighs the same);
    ``weights`` are the actors' capability x salience (all zero: the actors count alike).
    """
    f = np.atleast_1d(np.asarray(forecasts, dtype=float))
    x = np.asarray(positions, dtype=float)
    w = np.asarray(weights, dtype=float)
    if not np.any(w > 0):
        w = np.ones_like(x)
    return np.stack(
        [
            _kernel_cdf(f, np.ones_like(f), forecast_width),
            _kernel_cdf(x, w, position_width),
            GRID / 100.0,
        ]
    )


def crps(cdf: np.ndarray, outcome: float | np.ndarray) -> np.ndarray:
    """CRPS of distributions given by their CDF on :data:`GRID` (last axis) against outcomes.

    The integral of ``(F(x) - 1{outcome <= x})**2`` over the scale, by the rectangle rule on
    the grid's 401 points: exact for point masses on grid points; for a smooth CDF it is off
    by up to about half a grid step (for the uniform distribution and an outcome at an end,
    33.46 for 33.33), under 1% of the CRPS of a DEU III forecast.
    """
    y = np.asarray(outcome, dtype=float)
    step = (y[..., None] <= GRID).astype(float)
    return np.asarray(((cdf - step) ** 2).sum(axis=-1) * _STEP)


def fit_weights(parts: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Mixture weights (non-negative, summing to 1) with the least mean CRPS, found exactly.

    ``parts`` has shape (decisions, parts, len(GRID)). The mean CRPS of the mixture with weights
    ``a`` is ``a'Qa - 2b'a + c`` (times the grid step), ``Q`` the mean of the parts' CDF
    products over the grid and ``b`` that of the parts against the outcomes' step functions: a
    convex quadratic. Its least on the simplex solves the equality-constrained problem on some
    support; every support of the few parts is tried and the best one with no negative weight
    kept.
    """
    n, k, _ = parts.shape
    if n == 0:
        raise ValueError("no decisions to learn the mixture's weights from")
    steps = (GRID[None, :] >= np.asarray(outcomes, dtype=float)[:, None]).astype(float)
    q = np.einsum("njg,nkg->jk", parts, parts) / n
    b = np.einsum("njg,ng->j", parts, steps) / n
    best, best_value = np.full(k, 1.0 / k), np.inf
    for mask in range(1, 2**k):
        support = [j for j in range(k) if mask >> j & 1]
        m = len(support)
        kkt = np.zeros((m + 1, m + 1))
        kkt[:m, :m] = 2.0 * q[np.ix_(support, support)]
        kkt[:m, m] = kkt[m, :m] = 1.0
        rhs = np.concatenate([2.0 * b[support], [1.0]])
        solution = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:m]
        if np.any(solution < -1e-12) or abs(solution.sum() - 1.0) > 1e-9:
            continue
        a = np.zeros(k)
        a[support] = np.maximum(solution, 0.0)
        a /= a.sum()
        value = float(a @ q @ a - 2.0 * b @ a)
        if value < best_value - 1e-15:
            best, best_value = a, value
    return best


def quantile(cdf: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """The smallest grid point whose CDF reaches ``q`` (last axis of ``cdf`` is the grid)."""
    qs = np.asarray(q, dtype=float)
    flat = cdf.reshape(-1, cdf.shape[-1])
    out = np.array(
        [GRID[np.minimum(np.searchsorted(row, qs - 1e-12), len(GRID) - 1)] for row in flat]
    )
    return out.reshape(cdf.shape[:-1] + qs.shape)


@dataclass(frozen=True)
class ModelError:
    """A model's error distribution, learned on DEU III.

    ``weights`` of the :data:`PARTS`. The decisions are cut in three groups by the spread of
    the actors' positions (standard deviation on 0-100) at ``spread_edges``; for each group,
    ``levels`` maps each of :data:`NOMINAL` to the central level of the mixture that held that
    share of the group's training outcomes out of fold.
    """

    model: str
    forecast_width: float
    position_width: float
    weights: tuple[float, ...]
    spread_edges: tuple[float, float]
    levels: tuple[tuple[float, ...], ...]
    decisions: int

    def group(self, spread: float) -> int:
        """The spread group (0: narrow, 1: middle, 2: wide) of a decision."""
        return int(np.searchsorted(self.spread_edges, spread, side="right"))

    def level(self, nominal: float, spread: float) -> float:
        """The mixture's central level that an interval of ``nominal`` level takes."""
        levels = self.levels[self.group(spread)]
        return float(np.interp(nominal, (0.0, *NOMINAL, 1.0), (0.0, *levels, 1.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "forecast_width": self.forecast_width,
            "position_width": self.position_width,
            "weights": dict(zip(PARTS, self.weights, strict=True)),
            "spread_edges": list(self.spread_edges),
            "levels": [
                {f"{n:g}": lv for n, lv in zip(NOMINAL, group, strict=True)}
                for group in self.levels
            ],
            "decisions": self.decisions,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ModelError:
        return cls(
            model=str(doc["model"]),
            forecast_width=float(doc["forecast_width"]),
            position_width=float(doc["position_width"]),
            weights=tuple(float(doc["weights"][p]) for p in PARTS),
            spread_edges=(float(doc["spread_edges"][0]), float(doc["spread_edges"][1])),
            levels=tuple(tuple(float(group[f"{n:g}"]) for n in NOMINAL) for group in doc["levels"]),
            decisions=int(doc["decisions"]),
        )


@dataclass(frozen=True, eq=False)  # holds an array: compared by identity
class Predictive:
    """One model's calibrated distribution of one issue's outcome, on the issue's scale.

    ``cdf`` is held on :data:`GRID` (the scale mapped onto 0-100); ``point`` is the model's
    forecast (the median of the draws' forecasts under Monte Carlo) and ``spread`` the
    standard deviation of the actors' positions on 0-100, which picks the interval levels.
    """

    cdf: np.ndarray
    low: float
    high: float
    point: float
    spread: float
    error: ModelError

    def _scale(self, x: np.ndarray | float) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(x, dtype=float) / 100.0

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Quantiles of the distribution on the issue's scale."""
        return self._scale(quantile(self.cdf, q))

    def interval(self, nominal: float) -> tuple[float, float]:
        """The calibrated interval of ``nominal`` level (0.8: the 80% interval).

        The central interval of the mixture at the level learned for ``nominal``
        (:meth:`ModelError.level`), stretched to take in the point forecast if it lies
        outside (so every interval contains the forecast it belongs to).
        """
        if not 0.0 < nominal < 1.0:  # NaN fails too
            raise ValueError(f"an interval's level is a fraction between 0 and 1, not {nominal}")
        level = self.error.level(nominal, self.spread)
        lo, hi = self.quantile(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))
        return min(float(lo), self.point), max(float(hi), self.point)

    def to_json(self) -> dict[str, Any]:
        """``kind``, the shown ``intervals`` and the quantiles at :data:`QUANTILE_LEVELS`."""
        return {
            "kind": "calibrated",
            "intervals": {f"{round(lv * 100)}": list(self.interval(lv)) for lv in INTERVALS},
            "levels": list(QUANTILE_LEVELS),
            "quantiles": [float(q) for q in self.quantile(np.array(QUANTILE_LEVELS))],
        }

    def probability(self, *, above: float | None = None, below: float | None = None) -> float:
        """Probability that the outcome is at least ``above`` and at most ``below`` (either
        may be left out), an outcome exactly at a bound included."""
        _check_number(above, "above")
        _check_number(below, "below")
        lo = 0.0 if above is None else self.below(above)
        hi = 1.0 if below is None else self.at_most(below)
        return max(0.0, hi - lo)

    def below(self, x: float) -> float:
        """Probability that the outcome is strictly below ``x`` (on the issue's scale)."""
        _check_number(x, "x")
        return _mass(self.cdf, self._unit(x), strict=True)

    def at_most(self, x: float) -> float:
        """Probability that the outcome is at most ``x`` (on the issue's scale)."""
        _check_number(x, "x")
        return _mass(self.cdf, self._unit(x), strict=False)

    def _unit(self, x: float) -> float:
        return (x - self.low) / (self.high - self.low) * 100.0


def _check_number(x: float | None, name: str) -> None:
    if x is not None and not np.isfinite(x):
        raise ValueError(f"{name} must be a finite number, not {x}")


def _mass(cdf: np.ndarray, x: float, *, strict: bool) -> float:
    """The mass at or below ``x`` (0-100; strictly below with ``strict``) of the distribution
    the CDF holds on :data:`GRID`: its mass sits on the grid points (a point mass at the first
    grid point at or above it), so a bound on a grid point takes in, or leaves out, all of the
    mass held there. A bound within 1e-9 of a grid point is that point."""
    at = x / _STEP
    nearest = round(at)
    if abs(at - nearest) < 1e-9 / _STEP:
        k = int(nearest) - 1 if strict else int(nearest)  # the last grid point counted
    else:
        k = int(np.floor(at))
    if k < 0:
        return 0.0
    if k >= len(GRID) - 1:
        return 1.0
    return float(cdf[k])


def interval_of(
    cdf: np.ndarray, error: ModelError, nominal: float, spread: float, point: float
) -> tuple[float, float]:
    """:meth:`Predictive.interval` on the 0-100 scale (what the backtest scores)."""
    level = error.level(nominal, spread)
    lo, hi = quantile(cdf, np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))
    return min(float(lo), point), max(float(hi), point)


def predictive(
    error: ModelError,
    forecasts: Sequence[float] | np.ndarray,
    positions: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray,
    *,
    low: float,
    high: float,
) -> Predictive:
    """The calibrated distribution of an outcome on the scale from ``low`` to ``high``.

    ``forecasts``: the model's forecast, or its Monte Carlo draws' forecasts; ``positions``
    and ``weights`` (capability x salience) of the actors.
    """
    span = high - low

    def unit(x: Any) -> np.ndarray:
        return np.clip((np.asarray(x, dtype=float) - low) / span * 100.0, 0.0, 100.0)

    f = unit(forecasts)
    if f.size > _MOST_CENTRES:  # a million draws: their quantiles, evenly spaced, suffice
        f = np.quantile(f, (np.arange(_MOST_CENTRES) + 0.5) / _MOST_CENTRES)
    x = unit(positions)
    parts = components(
        f,
        x,
        weights,
        forecast_width=error.forecast_width,
        position_width=error.position_width,
    )
    cdf = np.asarray(error.weights) @ parts
    point = float(np.median(np.atleast_1d(np.asarray(forecasts, dtype=float))))
    # the spread of every actor's position, weight or none: as the levels were learned (DEU III
    # counts the actors that took part, 57 of its issues with one of salience 0)
    return Predictive(
        cdf=cdf, low=low, high=high, point=point, spread=float(np.std(x)), error=error
    )


@cache
def shipped() -> dict[str, Any]:
    """The shipped document: every model's :class:`ModelError` and where they were learned."""
    text = (
        resources.files("detente.calibration").joinpath("data/model_error.json").read_text("utf-8")
    )
    return dict(json.loads(text))


def model_error(model: str) -> ModelError | None:
    """The shipped error distribution of ``model`` (None: the model was not backtested)."""
    for doc in shipped()["models"]:
        if doc["model"] == model:
            return ModelError.from_json(doc)
    return None
