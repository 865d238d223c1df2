"""One answer weighted over a timeline's futures: what a brief gives when the branches differ.

Rules used here:

* each future weighs its probability (the product of its branches', equal shares where an event
  states none; :func:`detente.simulate.futures`);
* *with Monte Carlo draws*, the combined outcome is the mixture of the futures' draws, each
  future's draws sharing its probability equally; the point is that mixture's median, and the
  calibrated interval that of the mixture of the futures' calibrated distributions
  (:meth:`detente.simulate.Simulation.predictive`) with the same weights;
* *without draws*, the point is the probability-weighted mean of the futures' forecasts from the
  inputs as given (an expected value), with no interval;
* a simulation that drew its branch per draw (``branches="draw"``) is already one mixture: its
  one future's median and calibrated interval are the combined answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from detente.simulate import Simulation

__all__ = ["combined", "weighted_median"]


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at which the weights' running share reaches one half.

    >>> weighted_median(np.array([1.0, 2.0, 10.0]), np.array([0.2, 0.2, 0.6]))
    10.0
    >>> weighted_median(np.array([3.0, 1.0, 2.0]), np.ones(3))
    2.0
    """
    order = np.argsort(values, kind="stable")
    share = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][np.searchsorted(share, 0.5 - 1e-12)])


def combined(
    issue: str,
    branches: Sequence[Mapping[str, Any]] | None,
    sim: Simulation | None,
) -> dict[str, Any] | None:
    """Per model, one answer on ``issue`` weighted over the futures (the module's rules).

    ``branches`` are the study's per-future forecasts from the inputs as given (``future``,
    ``probability``, ``points``). None when the scenario has fewer than two futures.
    """
    if sim is not None and sim.mode == "draw":
        return {
            "weights": {},
            "draws": True,
            "models": {
                model: _entry(
                    float(np.median(sim.outcome(sim.future_names[0], model, issue))),
                    sim.predictive(sim.future_names[0], model, issue),
                )
                for model in sim.models
            },
        }
    if not branches or len(branches) < 2:
        return None
    weights = {b["future"]: float(b["probability"] or 0.0) for b in branches}
    total = sum(weights.values())
    if total <= 0:
        return None
    weights = {name: p / total for name, p in weights.items()}
    models: dict[str, dict[str, Any]] = {}
    drawn = set(sim.models) if sim is not None else set()
    for model in branches[0]["points"]:
        if sim is not None and model in drawn:
            models[model] = _mixed(sim, model, issue, weights)
        else:
            point = sum(weights[b["future"]] * float(b["points"][model]) for b in branches)
            models[model] = {"point": point, "interval_80": None, "draws": False}
    return {"weights": weights, "draws": sim is not None, "models": models}


def _mixed(sim: Simulation, model: str, issue: str, weights: Mapping[str, float]) -> dict[str, Any]:
    values, shares, cdf, first = [], [], None, None
    for future, p in weights.items():
        drawn = sim.outcome(future, model, issue)
        values.append(drawn)
        shares.append(np.full(len(drawn), p / len(drawn)))
        found = sim.predictive(future, model, issue)
        if found is not None:
            first = first or found
            cdf = p * found.cdf if cdf is None else cdf + p * found.cdf
    point = weighted_median(np.concatenate(values), np.concatenate(shares))
    mixture = None if first is None or cdf is None else replace(first, cdf=cdf, point=point)
    return _entry(point, mixture)


def _entry(point: float, found: Any) -> dict[str, Any]:
    return {
        "point": point,
        "interval_80": None if found is None else list(replace(found, point=point).interval(0.8)),
        "draws": True,
    }
