"""The scenario: actors, issues on labelled scales, evidence, uncertainty and timeline.

Values are immutable pydantic models, validated once when built. Field-level problems (a
missing or unknown field, a non-number, NaN) come from pydantic; consistency problems (an
unknown issue, a position off the scale, a duplicate id) are collected by
:func:`detente.scenario.checks.consistency_problems` and raised together as one
:class:`~detente.errors.ScenarioError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

from detente.errors import InputError, ScenarioError
from detente.scenario.calendar import Calendar
from detente.scenario.checks import consistency_problems
from detente.scenario.frozen import FrozenDict, FrozenList, ReadOnlyDict, ReadOnlyList
from detente.scenario.units import SALIENCE_MAX, plain_number

__all__ = [
    "SALIENCE_MAX",
    "Actor",
    "Branch",
    "Event",
    "Evidence",
    "Group",
    "Issue",
    "Scenario",
    "Source",
    "plain_number",
]

Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Number = Annotated[float, Field(allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
#: ``[low, high]`` (uniform) or ``[low, mode, high]`` (triangular).
Range = Annotated[list[Number], Field(min_length=2, max_length=3), ReadOnlyList]
#: The longest round a scenario may give, in days (a century): longer is surely a typo.
MAX_ROUND_DAYS = 36_525
#: The most round dates a scenario may list (the models run at most 10,000 rounds).
MAX_ROUND_DATES = 10_000


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(_Value):
    """A document the scenario's inputs are drawn from.

    ``file`` is a path relative to the scenario file; quotes are checked against it when it is
    at hand. Bundled scenarios ship the citation, not the document.
    """

    id: Id
    title: Text = ""
    author: Text = ""
    publisher: Text = ""
    date: dt.date | None = None
    file: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    url: Text | None = None


class Issue(_Value):
    """One policy dimension on a labelled scale from ``min`` to ``max`` (0-100 by default)."""

    id: Id
    name: Text = ""
    description: Text = ""
    unit: Text = ""
    min: Number = 0.0
    max: Number = 100.0
    scale: Annotated[dict[Number, Text], ReadOnlyDict] = Field(default_factory=FrozenDict)
    status_quo: Number | None = None

    def label(self, value: float) -> str:
        """The scale label nearest ``value`` ("" when the scale has none)."""
        if not self.scale or not math.isfinite(value):
            return ""
        anchor = min(self.scale, key=lambda a: (abs(a - value), a))
        return self.scale[anchor]


class Evidence(_Value):
    """A verbatim quote from a source, tied to the input it supports.

    ``supports`` names an input as ``capability``, ``position.ISSUE`` or ``salience.ISSUE``
    (``position`` or ``salience`` alone means every issue).
    """

    source: Id
    supports: Text
    quote: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    note: Text = ""


class Actor(_Value):
    """A party to the negotiation.

    ``position`` and ``salience`` map each issue id to a number: the position on the issue's
    scale and the salience on 0-100. ``uncertainty`` maps an input (``capability``,
    ``position.ISSUE``, ``salience.ISSUE``) to ``[low, high]`` or ``[low, mode, high]``.
    """

    id: Id
    name: Text = ""
    aliases: Annotated[list[Text], ReadOnlyList] = Field(default_factory=FrozenList)
    description: Text = ""
    capability: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    position: Annotated[dict[Text, Number], ReadOnlyDict]
    salience: Annotated[dict[Text, Number], ReadOnlyDict]
    uncertainty: Annotated[dict[Text, Range], ReadOnlyDict] = Field(default_factory=FrozenDict)
    evidence: Annotated[list[Evidence], ReadOnlyList] = Field(default_factory=FrozenList)

    @property
    def label(self) -> str:
        """The display name: ``name`` if given, else the id."""
        return self.name or self.id


class Group(_Value):
    """A declared alliance or bloc, such as the US, South Korea and Japan."""

    id: Id
    name: Text = ""
    description: Text = ""
    members: Annotated[list[Id], Field(min_length=1), ReadOnlyList]


class Branch(_Value):
    """One alternative future at an event: changes to inputs, with an optional probability.

    ``set`` and ``shift`` map ``ACTOR.capability``, ``ACTOR.position.ISSUE`` or
    ``ACTOR.salience.ISSUE`` to a new value or to an amount added.
    """

    name: Text = ""
    description: Text = ""
    probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    set: Annotated[dict[Text, Number], ReadOnlyDict] = Field(default_factory=FrozenDict)
    shift: Annotated[dict[Text, Number], ReadOnlyDict] = Field(default_factory=FrozenDict)
    add_actors: Annotated[list[Actor], ReadOnlyList] = Field(default_factory=FrozenList)
    remove_actors: Annotated[list[Id], ReadOnlyList] = Field(default_factory=FrozenList)


class Event(Branch):
    """Something that happens at a round (an int) or a date, optionally with branches."""

    at: Annotated[int, Field(ge=0, strict=True)] | dt.date  # strict: `at: true` is no round
    branches: Annotated[dict[Id, Branch], ReadOnlyDict] = Field(default_factory=FrozenDict)


class Variant(_Value):
    """Where a what-if scenario came from: its base's content hash and id, and every change.

    ``overrides`` are as applied, in order: ``ACTOR.FIELD[.ISSUE]=VALUE`` (``+N``/``-N`` added,
    ``*N`` multiplied) and ``drop ACTOR`` (see :mod:`detente.scenario.overrides`).
    """

    base: Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]
    base_id: Id
    overrides: Annotated[list[Text], ReadOnlyList] = Field(default_factory=FrozenList)


class Scenario(_Value):
    """A negotiation: actors with capability, positions and saliences on labelled issues.

    Examples
    --------
    >>> from detente.scenario import Scenario
    >>> s = Scenario.model_validate({
    ...     "id": "toy", "name": "Toy",
    ...     "issues": [{"id": "tax"}],
    ...     "actors": [
    ...         {"id": "A", "capability": 2, "position": {"tax": 20}, "salience": {"tax": 50}},
    ...         {"id": "B", "capability": 1, "position": {"tax": 80}, "salience": {"tax": 100}},
    ...     ],
    ... })
    >>> s.actor_ids, s.issue_ids
    (('A', 'B'), ('tax',))
    """

    id: Id = "scenario"
    name: Text = ""
    as_of: dt.date | None = None
    description: Text = ""
    sources: Annotated[list[Source], ReadOnlyList] = Field(default_factory=FrozenList)
    issues: Annotated[list[Issue], Field(min_length=1), ReadOnlyList]
    actors: Annotated[list[Actor], ReadOnlyList]
    groups: Annotated[list[Group], ReadOnlyList] = Field(default_factory=FrozenList)
    timeline: Annotated[list[Event], ReadOnlyList] = Field(default_factory=FrozenList)
    accommodation: Annotated[dict[Id, Annotated[dict[Id, Weight], ReadOnlyDict]], ReadOnlyDict] = (
        Field(default_factory=FrozenDict)
    )
    model_options: Annotated[dict[Text, Annotated[dict[Text, Any], ReadOnlyDict]], ReadOnlyDict] = (
        Field(default_factory=FrozenDict)
    )
    variant_of: Variant | None = None
    #: The scale the file gives saliences on: ``100`` (detente's 0-100) or ``1`` (0-1, as KTAB
    #: and Bueno de Mesquita write them; multiplied by 100 when read, and then recorded as 100).
    #: Needed only when every salience is at most 1, which is otherwise refused as ambiguous.
    salience_scale: Literal[1, 100] | None = None
    #: The round calendar (optional): each round lasts ``round_days`` days from ``as_of``, or
    #: rounds 1, 2, ... fall on ``round_dates``. Without either, rounds are numbered only.
    round_days: Annotated[float, Field(gt=0, le=MAX_ROUND_DAYS, allow_inf_nan=False)] | None = None
    round_dates: Annotated[list[dt.date], Field(max_length=MAX_ROUND_DATES), ReadOnlyList] = Field(
        default_factory=FrozenList
    )

    @model_serializer(mode="wrap")
    def _calendar_only_when_given(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        # a scenario without a round calendar dumps (and hashes) as it did before calendars
        # existed, so stored runs, seals and exports keep their hashes
        data = handler(self)
        if isinstance(data, dict):
            if data.get("round_days") is None:
                data.pop("round_days", None)
            if not data.get("round_dates"):
                data.pop("round_dates", None)
        return data

    @model_validator(mode="before")
    @classmethod
    def _salience_on_0_100(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("salience_scale") == 1:
            return _scaled_saliences(data, SALIENCE_MAX) | {"salience_scale": 100}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = list(consistency_problems(self))
        if problems:
            raise ScenarioError(problems)
        return self

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.actors)

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.issues)

    def issue(self, issue_id: str) -> Issue:
        """The issue with id ``issue_id``."""
        for issue in self.issues:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def actor(self, actor_id: str) -> Actor:
        """The actor with id ``actor_id``."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)

    def find_actor(self, ref: str) -> Actor:
        """The actor ``ref`` names: its id exactly, else its id, name or an alias in any letter
        case, when that names one actor only.

        Raises
        ------
        InputError
            No actor, or several, answer to ``ref`` (the message lists the ids).
        """
        for actor in self.actors:
            if actor.id == ref:
                return actor
        wanted = ref.casefold()
        by_id = [a for a in self.actors if a.id.casefold() == wanted]
        found = by_id or [
            a for a in self.actors if any(n.casefold() == wanted for n in (a.name, *a.aliases) if n)
        ]
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(a.id for a in found)
            raise InputError(f"'{ref}' names several actors of {self.id} ({ids}); give an id")
        known = ", ".join(self.actor_ids)
        raise InputError(f"no actor '{ref}' in {self.id}; actors are: {known}")

    def accommodation_matrix(self, ids: Sequence[str] | None = None) -> np.ndarray | None:
        """The ideal-accommodation matrix over ``ids`` (default the actors), or None if unset.

        ``accommodation[a][b]`` is the weight a's ideal gives b's new position each round
        (KTAB's ``IdealAdjustment``); unlisted pairs are KTAB's default, the identity.
        """
        if not self.accommodation:
            return None
        ids = list(self.actor_ids if ids is None else ids)
        index = {actor_id: n for n, actor_id in enumerate(ids)}
        A = np.eye(len(ids))
        for a, row in self.accommodation.items():
            for b, weight in row.items():
                if a in index and b in index:
                    A[index[a], index[b]] = weight
        return A

    @property
    def calendar(self) -> Calendar:
        """The round calendar: dates of rounds from ``round_days`` or ``round_dates``."""
        return Calendar(self.as_of, self.round_days, tuple(self.round_dates))

    def with_round_days(self, days: float | None) -> Scenario:
        """This scenario with rounds of ``days`` days from ``as_of`` (replacing any round
        dates); ``None`` returns it unchanged.

        Raises
        ------
        InputError
            The scenario has no ``as_of`` date, or ``days`` is not a number of days in
            (0, 36525].
        """
        if days is None:
            return self
        if not (math.isfinite(days) and 0 < days <= MAX_ROUND_DAYS):
            raise InputError(
                f"--round-days is {days}; give a number of days above 0, at most {MAX_ROUND_DAYS:,}"
            )
        if self.as_of is None:
            raise InputError(
                f"--round-days needs the scenario's as_of date (the date of round 0); "
                f"{self.id} has none"
            )
        data = self.model_dump(mode="json") | {"round_days": days, "round_dates": []}
        return Scenario.model_validate(data)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Capability ``c`` (n), positions ``X`` (n x k), saliences ``S`` (n x k, on 0-1)."""
        c = np.array([a.capability for a in self.actors], dtype=float)
        X = np.array([[a.position[i] for i in self.issue_ids] for a in self.actors], dtype=float)
        S = np.array([[a.salience[i] for i in self.issue_ids] for a in self.actors], dtype=float)
        return c, X, S / SALIENCE_MAX

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per issue: scale minimum, maximum and status quo (NaN where none is given)."""
        lo = np.array([i.min for i in self.issues], dtype=float)
        hi = np.array([i.max for i in self.issues], dtype=float)
        sq = np.array([np.nan if i.status_quo is None else i.status_quo for i in self.issues])
        return lo, hi, sq.astype(float)

    def reference(self) -> dict[str, Any]:
        """How a JSON document names the scenario: ``id``, ``name``, content ``hash``, and for a
        what-if its ``variant_of`` (the base's hash and the overrides applied)."""
        ref: dict[str, Any] = {"id": self.id, "name": self.name, "hash": self.content_hash()}
        if self.variant_of is not None:
            ref["variant_of"] = self.variant_of.model_dump(mode="json")
        return ref

    def _repr_html_(self) -> str:
        """The scenario in a notebook: issues and the actors' inputs (the 12 weightiest of a
        larger scenario), every name escaped."""
        from detente.scenario._display import scenario_html

        return scenario_html(self)

    def content_hash(self) -> str:
        """``sha256:`` digest of the scenario's canonical JSON (key order and layout ignored)."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _scaled_saliences(data: dict[str, Any], factor: float) -> dict[str, Any]:
    """Raw scenario data with every salience input multiplied by ``factor``: the actors'
    saliences and their ranges, and the timeline's set, shift and added actors. Values that are
    not numbers are left for validation to report."""

    def times(value: Any) -> Any:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return value * factor if number else value

    def is_salience(key: Any) -> bool:
        return isinstance(key, str) and "salience" in key.split(".")

    def actor(raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        out = dict(raw)
        if isinstance(raw.get("salience"), dict):
            out["salience"] = {k: times(v) for k, v in raw["salience"].items()}
        if isinstance(raw.get("uncertainty"), dict):
            out["uncertainty"] = {
                k: [times(x) for x in v] if is_salience(k) and isinstance(v, list) else v
                for k, v in raw["uncertainty"].items()
            }
        return out

    def branch(raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        out = dict(raw)
        for how in ("set", "shift"):
            if isinstance(raw.get(how), dict):
                out[how] = {k: times(v) if is_salience(k) else v for k, v in raw[how].items()}
        if isinstance(raw.get("add_actors"), list):
            out["add_actors"] = [actor(a) for a in raw["add_actors"]]
        if isinstance(raw.get("branches"), dict):
            out["branches"] = {k: branch(b) for k, b in raw["branches"].items()}
        return out

    out = dict(data)
    if isinstance(data.get("actors"), list):
        out["actors"] = [actor(a) for a in data["actors"]]
    if isinstance(data.get("timeline"), list):
        out["timeline"] = [branch(e) for e in data["timeline"]]
    return out
