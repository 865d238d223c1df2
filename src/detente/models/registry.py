"""The model registry: every model's metadata, read by everything that lists or runs models.

The command line's model list, the docs' model table and the contract tests all read this
registry (as Axelrod's classifier does for strategies). It is lazy: :data:`BUILTIN` names each
built-in model's module, and a module is imported the first time its model is asked for, so
importing :mod:`detente` loads no model. A model module declares one :class:`ModelInfo` as
``INFO``; ``docs/how-to/add-a-model.md`` is the checklist for adding one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from detente.errors import InputError
from detente.models.contract import PerceptionsFunction, PointFunction, TrajectoryFunction

__all__ = [
    "BUILTIN",
    "DEFAULTS",
    "FIRST_CUT",
    "MEAN",
    "REFERENCE",
    "ModelInfo",
    "ModelOptions",
    "defaults",
    "get",
    "names",
    "register",
    "registered",
    "with_capability",
]

#: Built-in models and their modules, static models first (the order of every listing).
BUILTIN: dict[str, str] = {
    "compromise": "detente.models.compromise",
    "median": "detente.models.median",
    "momentum": "detente.models.momentum",
    "nash": "detente.models.nash",
    "eum": "detente.models.eum",
    "smp": "detente.models.smp",
    "exchange": "detente.models.exchange",
}
#: Models run when none are named.
DEFAULTS: tuple[str, ...] = ("compromise", "median", "nash", "eum")
#: The benchmark every model is compared with on DEU III (Achen 2006).
REFERENCE = "compromise"
#: The weighted median of positions: Bueno de Mesquita's "first cut".
FIRST_CUT = "median"
#: The capability x salience weighted mean of positions.
MEAN = "compromise"


class ModelOptions(BaseModel):
    """Base of every model's options: immutable, unknown names refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def changed(self) -> dict[str, Any]:
        """The options that differ from their defaults (as JSON values), for labels and reports.

        A model whose options start from a preset compares with the preset's values instead.
        """
        defaults = type(self)().model_dump(mode="json")
        return {k: v for k, v in self.model_dump(mode="json").items() if defaults.get(k) != v}


#: How a dynamic model handles the issues of a scenario.
Dimensions = Literal["per-issue", "multi"]

#: A function explaining a forecast in words: (c, X, S, lo, hi, status_quo, options, issues).
NotesFunction = Any


@dataclass(frozen=True)
class ModelInfo:
    """What a model is and how to call it.

    Attributes
    ----------
    name
        Registry key, as typed on the command line (``--model nash``).
    title, summary, reference
        For listings and docs: a title, one sentence, and the published source.
    options
        The pydantic model of the model's options (its defaults are the model's defaults).
    point
        A static model's array function (:class:`~detente.models.contract.PointFunction`).
    trajectory
        A dynamic model's rounds (:class:`~detente.models.contract.TrajectoryFunction`).
        Exactly one of ``point`` and ``trajectory`` is given.
    stochastic
        Whether the model (with some option) draws random numbers from ``rng``.
    random_when
        Optional, for a stochastic model: whether a run with the given options draws random
        numbers (when it does not, its forecast does not depend on ``rng``). Without it, every
        run of a stochastic model is taken to draw.
    dimensions
        A dynamic model's issues: ``per-issue`` (each run on its own: its trajectory takes one
        issue at a time) or ``multi`` (all issues jointly).
    batched
        Whether the trajectory runs a batch of independent runs at once (leading axes, with
        ``rng`` one generator per run); otherwise runs are made one at a time.
    takes_events
        Whether the trajectory accepts new inputs between rounds (timeline events during the
        run); otherwise events can only happen before its first round.
    joint
        Whether the model forecasts a decision's issues together, trading across them (it
        needs them all at once): the DEU III backtest runs it on every issue of a proposal
        in one scenario.
    round_limit
        The option that caps a dynamic model's rounds (``--rounds`` on the command line).
    presets
        Named presets of the options (``--preset``), when the model has them.
    notes
        Optional: explains a forecast in words (e.g. why Nash returned the status quo).
    perceptions
        Optional: every actor's view of every dyad in a round
        (:class:`~detente.models.contract.PerceptionsFunction`); the dyad analyses, advice and
        the report's quad map use the models that have it.
    prepare
        Optional, for a model that is not ``batched``: ``prepare(runs, actors)`` is called
        before ``runs`` runs of ``actors`` actors are made one at a time, so the model can load
        what pays off only over many runs (the SMP's compiled kernels). It must not change any
        result.
    """

    name: str
    title: str
    summary: str
    reference: str
    options: type[ModelOptions]
    point: PointFunction | None = field(default=None, compare=False)
    trajectory: TrajectoryFunction | None = field(default=None, compare=False)
    stochastic: bool = False
    random_when: Callable[[Any], bool] | None = field(default=None, compare=False)
    dimensions: Dimensions = "per-issue"
    batched: bool = False
    takes_events: bool = False
    joint: bool = False
    round_limit: str | None = None
    presets: tuple[str, ...] = ()
    notes: NotesFunction | None = field(default=None, compare=False)
    perceptions: PerceptionsFunction | None = field(default=None, compare=False)
    prepare: Callable[[int, int], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if (self.point is None) == (self.trajectory is None):
            raise ValueError(f"model {self.name}: give exactly one of point and trajectory")
        if self.trajectory is not None and self.round_limit is None:
            raise ValueError(f"model {self.name}: a dynamic model names its round_limit option")

    @property
    def iterative(self) -> bool:
        """Whether the model runs in rounds (a dynamic model)."""
        return self.trajectory is not None

    def draws(self, options: Any) -> bool:
        """Whether a run with ``options`` draws random numbers (its forecast depends on ``rng``)."""
        if not self.stochastic:
            return False
        return self.random_when is None or bool(self.random_when(options))

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
                elif name:
                    problems.append(f"option '{name}': {e['msg']}")
                else:
                    problems.append(e["msg"].removeprefix("Value error, "))
            raise InputError(f"model {self.name}: " + "; ".join(problems)) from None


_REGISTRY: dict[str, ModelInfo] = {}
_ORDER: list[str] = list(BUILTIN)


def register(info: ModelInfo) -> ModelInfo:
    """Add a model to the registry (names are unique); a built-in module calls it for itself."""
    if info.name in _REGISTRY:
        raise ValueError(f"model {info.name!r} is already registered")
    _REGISTRY[info.name] = info
    if info.name not in _ORDER:
        _ORDER.append(info.name)
    return info


def names() -> tuple[str, ...]:
    """Names of every model: the built-in ones (static first), then any registered later."""
    return tuple(_ORDER)


def get(name: str) -> ModelInfo:
    """The model called ``name`` (its module is imported on first use).

    Raises
    ------
    InputError
        There is no such model; the message lists the models.
    """
    if name not in _REGISTRY and name in BUILTIN:
        importlib.import_module(BUILTIN[name])  # the module registers its INFO
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown model '{name}'; models are: {', '.join(names())}") from None


def registered() -> tuple[ModelInfo, ...]:
    """Every model, in :func:`names` order (imports every model module)."""
    return tuple(get(name) for name in names())


def defaults() -> tuple[str, ...]:
    """The models run when none are named."""
    return DEFAULTS


def with_capability(capability: str) -> tuple[str, ...]:
    """Models that have an optional capability (``perceptions``, ``notes``), in order."""
    return tuple(info.name for info in registered() if getattr(info, capability) is not None)
