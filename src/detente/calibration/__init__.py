"""Calibrated forecast distributions: each model's errors on real decisions, as a distribution.

See :mod:`detente.calibration.predictive` and ``docs/explanation/forecast-intervals.md``.
"""

from detente.calibration.predictive import (
    GRID,
    INTERVALS,
    NOMINAL,
    PARTS,
    QUANTILE_LEVELS,
    ModelError,
    Predictive,
    components,
    crps,
    fit_weights,
    model_error,
    predictive,
    shipped,
)

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
    "model_error",
    "predictive",
    "shipped",
]
