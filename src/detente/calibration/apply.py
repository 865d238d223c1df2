"""A model's calibrated distributions on a scenario's issues, when they apply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from detente.calibration.predictive import Predictive, model_error, predictive, shipped
from detente.scenario.model import Scenario

__all__ = ["SOURCE_LINE", "calibrated", "learned_options"]

#: The line every table of calibrated intervals carries.
SOURCE_LINE = (
    "Intervals: {share} of the EU decisions of DEU III with forecasts like this one landed in "
    "the {share} interval (learned out of fold on {n} decisions); a negotiation unlike EU "
    "legislation may fall outside what was learned."
)


def learned_options(model: str) -> Mapping[str, Any] | None:
    """The options the model's error distribution was learned with (None: none shipped)."""
    for doc in shipped()["models"]:
        if doc["model"] == model:
            return dict(doc.get("options", {}))
    return None


def calibrated(
    model: str,
    options: Mapping[str, Any],
    scenario: Scenario,
    forecasts: Sequence[np.ndarray | float],
) -> tuple[Predictive | None, ...]:
    """Per issue (scenario order), the calibrated distribution of ``model``'s forecast.

    ``forecasts`` holds, per issue, the forecast or its Monte Carlo draws' forecasts. Empty
    when the model has no shipped error distribution or was run with other options than it
    was learned with (its errors were not measured).
    """
    error = model_error(model)
    learned = learned_options(model)
    if error is None or learned is None or dict(options) != learned:
        return ()
    out: list[Predictive | None] = []
    for issue, values in zip(scenario.issues, forecasts, strict=True):
        positions = [a.position[issue.id] for a in scenario.actors]
        weights = [a.capability * a.salience[issue.id] for a in scenario.actors]
        out.append(
            predictive(
                error,
                np.atleast_1d(np.asarray(values, dtype=float)),
                positions,
                weights,
                low=issue.min,
                high=issue.max,
            )
        )
    return tuple(out)
