"""detente: forecast multi-party negotiations.

Describe a negotiation as a :class:`Scenario` (actors with capability, positions and saliences on
labelled issues), run registered models on it with :func:`forecast`, and read the result as one
tidy table (:meth:`Forecast.to_frame`) or as versioned JSON (:meth:`Forecast.to_json`).

>>> import detente
>>> fc = detente.forecast(detente.bundled("emission-1994"))
>>> fc.models
('compromise', 'median', 'nash', 'eum')
"""

from detente import models
from detente._version import __version__
from detente.errors import DetenteError, InputError, ModelError, ScenarioError
from detente.forecast import Forecast, forecast
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
