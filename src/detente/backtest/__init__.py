"""Accuracy on real decisions: DEU III, capability sources, the backtest and its calibration.

>>> from detente.backtest import backtest, load_deu3
>>> data = load_deu3()
>>> bt = backtest(data, split="all", models=["compromise"], capability="gdp", n_boot=200)
>>> round(float(bt.scores().set_index("model").loc["compromise", "mae"]), 2)
23.21
"""

from __future__ import annotations

from detente.backtest.accuracy import ACCURACY_SCHEMA, accuracy_document, bundled_accuracy
from detente.backtest.calibrate import (
    DEU3_SPREAD,
    SPREAD_GRID,
    Calibration,
    calibrate,
    tune_spread,
)
from detente.backtest.capability import CAPABILITY_SOURCES, capabilities, council_regime
from detente.backtest.deu3 import ACTORS, CITATION, SPLITS, Deu3, Deu3Issue, load_deu3
from detente.backtest.run import (
    BACKTEST_SCHEMA,
    BASELINES,
    REFERENCE,
    Backtest,
    DatasetRef,
    backtest,
    default_models,
)

__all__ = [
    "ACCURACY_SCHEMA",
    "ACTORS",
    "BACKTEST_SCHEMA",
    "BASELINES",
    "CAPABILITY_SOURCES",
    "CITATION",
    "DEU3_SPREAD",
    "REFERENCE",
    "SPLITS",
    "SPREAD_GRID",
    "Backtest",
    "Calibration",
    "DatasetRef",
    "Deu3",
    "Deu3Issue",
    "accuracy_document",
    "backtest",
    "bundled_accuracy",
    "calibrate",
    "capabilities",
    "council_regime",
    "default_models",
    "load_deu3",
    "tune_spread",
]
