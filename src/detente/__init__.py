"""detente: forecast multi-party negotiations.

Describe a negotiation as a :class:`Scenario` (actors with capability, positions and saliences on
labelled issues), run registered models on it with :func:`forecast`, and read the result as one
tidy table (:meth:`Forecast.to_frame`) or as versioned JSON (:meth:`Forecast.to_json`).

Importing the package is cheap: each name below is imported the first time it is used.

>>> import detente
>>> fc = detente.forecast(detente.bundled("emission-1994"))
>>> fc.models
('compromise', 'median', 'nash', 'eum')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from detente._version import __version__
from detente.errors import DetenteError, InputError, ModelError, ScenarioError

if TYPE_CHECKING:
    from detente import models
    from detente.forecasting import Forecast, forecast
    from detente.scenario import Actor, Issue, Scenario, load, save
    from detente.scenario.bundled import bundled, bundled_names, open_scenario

__all__ = [
    "Actor",
    "DetenteError",
    "Forecast",
    "InputError",
    "Issue",
    "ModelError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "bundled",
    "bundled_names",
    "forecast",
    "load",
    "models",
    "open_scenario",
    "save",
]

#: Where each lazily imported name lives.
_LAZY = {
    "Actor": "detente.scenario",
    "Forecast": "detente.forecasting",
    "Issue": "detente.scenario",
    "Scenario": "detente.scenario",
    "bundled": "detente.scenario.bundled",
    "bundled_names": "detente.scenario.bundled",
    "forecast": "detente.forecasting",
    "load": "detente.scenario",
    "open_scenario": "detente.scenario.bundled",
    "save": "detente.scenario",
}


def __getattr__(name: str) -> Any:
    if name == "models":
        return importlib.import_module("detente.models")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
