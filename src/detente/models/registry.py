"""The model registry: every forecasting model declares its metadata here, once.

The command line's model list, the docs' model table and the contract tests all read this
registry (as Axelrod's classifier does for strategies), so a new model is one module plus one
:func:`register` call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from detente.errors import InputError

__all__ = ["ModelInfo", "ModelOptions", "PointFunction", "get", "names", "register", "registered"]


class ModelOptions(BaseModel):
    """Base of every model's options: immutable, unknown names refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PointFunction(Protocol):
    """A static model: arrays in, one point per issue out (leading draw axes allowed).

    ``c`` is (..., n), ``X`` and ``S`` are (..., n, k) with saliences on 0-1; ``lo``, ``hi`` and
    ``status_quo`` are (k,), with NaN where an issue has no status quo. Returns (..., k).
    """

    def __call__(
        self,
        c: np.ndarray,
        X: np.ndarray,
        S: np.ndarray,
        *,
        lo: np.ndarray,
        hi: np.ndarray,
        status_quo: np.ndarray,
        options: Any,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray: ...


#: Explains a single forecast: (c, X, S, lo, hi, status_quo, options, issue ids) -> notes.
NotesFunction = Callable[..., list[str]]
#: A dynamic model's rounds per issue: (c, X, S, lo, hi, status_quo, options, rng) -> states.
TrajectoryFunction = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class ModelInfo:
    """What a model is and how to call it.

    Attributes
    ----------
    name
        Registry key, as typed on the command line (``--model nash``).
    title, summary, reference
        For listings and docs: a title, one sentence, and the published source.
    iterative, stochastic
        Whether the model runs in rounds, and whether it draws random numbers.
    dimensions
        ``"per-issue"`` (each issue forecast on its own) or ``"multi"`` (issues jointly).
    options
        The pydantic model of the model's options (its defaults are the model's defaults).
    point
        The array function computing the forecast.
    notes
        Optional: explains a forecast in words (e.g. why Nash returned the status quo).
    trajectory
        Dynamic models: the round states per issue (each with ``round``, ``positions``,
        ``median`` (or None), ``mean`` and ``moves``, and optionally ``extra``: more
        ``(quantity, value)`` pairs); the forecast is the last round's ``forecast`` quantity.
    forecast
        Dynamic models: which round quantity is the forecast (``"median"`` or ``"mean"``).
    scenario_inputs
        Further scenario inputs the model's ``trajectory`` takes as keyword arguments
        (``"accommodation"``: :meth:`Scenario.accommodation_matrix`).
    """

    name: str
    title: str
    summary: str
    reference: str
    options: type[ModelOptions]
    point: PointFunction
    iterative: bool = False
    stochastic: bool = False
    dimensions: str = "per-issue"
    notes: NotesFunction | None = field(default=None, compare=False)
    trajectory: TrajectoryFunction | None = field(default=None, compare=False)
    forecast: str = "median"
    scenario_inputs: tuple[str, ...] = ()

    def parse_options(self, values: Mapping[str, Any] | None = None) -> ModelOptions:
        """Validate user-given options (strings from the command line are coerced)."""
        try:
            return self.options.model_validate(dict(values or {}))
        except ValidationError as err:
            problems = []
            for e in err.errors(include_url=False):
                name = ".".join(str(p) for p in e["loc"])
                if e["type"] == "extra_forbidden":
                    allowed = ", ".join(self.options.model_fields) or "none"
                    problems.append(f"unknown option '{name}' (options of {self.name}: {allowed})")
                else:
                    problems.append(f"option '{name}': {e['msg']}")
            raise InputError(f"model {self.name}: " + "; ".join(problems)) from None


_REGISTRY: dict[str, ModelInfo] = {}


def register(info: ModelInfo) -> ModelInfo:
    """Add a model to the registry (names are unique)."""
    if info.name in _REGISTRY:
        raise ValueError(f"model {info.name!r} is already registered")
    _REGISTRY[info.name] = info
    return info


def names() -> tuple[str, ...]:
    """Names of every registered model: static models first, each group in registration order."""
    return tuple(info.name for info in registered())


def registered() -> tuple[ModelInfo, ...]:
    """Every registered model, static models first, each group in registration order."""
    return tuple(sorted(_REGISTRY.values(), key=lambda info: info.iterative))


def get(name: str) -> ModelInfo:
    """The model called ``name``; an :class:`InputError` listing the models if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown model '{name}'; models are: {', '.join(names())}") from None
