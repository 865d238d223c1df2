"""Forecasting models, each a module of pure numpy functions, registered by name.

Every model follows one contract (:mod:`detente.models.contract`): static models give a point
per issue, dynamic models a trajectory of typed rounds. :func:`solve` runs any of them;
:mod:`detente.models.stopping` is the one stopping rule. Model modules are imported the first
time their model is used (``models.get("eum")``, or ``models.eum``), so importing this package
is cheap.

>>> from detente import models
>>> models.names()
('compromise', 'median', 'momentum', 'nash', 'eum', 'smp', 'exchange')
>>> models.get("eum").iterative, models.get("nash").iterative
(True, False)
"""

from __future__ import annotations

import importlib
from types import ModuleType

from detente.models.contract import Changed, Move, Perceptions, Round
from detente.models.registry import (
    BUILTIN,
    FIRST_CUT,
    MEAN,
    REFERENCE,
    ModelInfo,
    ModelOptions,
    defaults,
    get,
    names,
    register,
    registered,
    with_capability,
)
from detente.models.runner import Solution, solve
from detente.models.stopping import Path

__all__ = [
    "FIRST_CUT",
    "MEAN",
    "REFERENCE",
    "Changed",
    "ModelInfo",
    "ModelOptions",
    "Move",
    "Path",
    "Perceptions",
    "Round",
    "Solution",
    "defaults",
    "get",
    "names",
    "register",
    "registered",
    "solve",
    "with_capability",
]


def __getattr__(name: str) -> ModuleType:
    """A built-in model's module (``models.eum``), imported on first use."""
    if name in BUILTIN:
        return importlib.import_module(BUILTIN[name])
    raise AttributeError(f"module 'detente.models' has no attribute {name!r}")
