"""A model's calibrated distributions on a scenario's issues, when they apply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from detente.calibration.predictive import (
    ModelError,
    Predictive,
    model_error,
    predictive,
    shipped,
)
from detente.scenario.model import Scenario

__all__ = ["calibrated", "calibrated_issue", "learned_options"]


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
    error = _learned(model, options)
    if error is None:
        return ()
    return tuple(
        _on_issue(error, scenario, issue.id, values)
        for issue, values in zip(scenario.issues, forecasts, strict=True)
    )


def calibrated_issue(
    model: str,
    options: Mapping[str, Any],
    scenario: Scenario,
    issue: str,
    forecasts: np.ndarray | float,
) -> Predictive | None:
    """:func:`calibrated` for one issue only (None where nothing was learned)."""
    error = _learned(model, options)
    return None if error is None else _on_issue(error, scenario, issue, forecasts)


def _learned(model: str, options: Mapping[str, Any]) -> ModelError | None:
    """The model's shipped error distribution, if it was learned with these options."""
    error = model_error(model)
    learned = learned_options(model)
    if error is None or learned is None or dict(options) != learned:
        return None
    return error


def _on_issue(
    error: ModelError, scenario: Scenario, issue_id: str, forecasts: np.ndarray | float
) -> Predictive:
    issue = scenario.issue(issue_id)
    return predictive(
        error,
        np.atleast_1d(np.asarray(forecasts, dtype=float)),
        [a.position[issue_id] for a in scenario.actors],
        [a.capability * a.salience[issue_id] for a in scenario.actors],
        low=issue.min,
        high=issue.max,
    )
