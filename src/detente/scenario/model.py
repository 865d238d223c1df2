"""The scenario: actors, issues on labelled scales, evidence, uncertainty and timeline.

Values are immutable pydantic models, validated once when built. Field-level problems (a
missing or unknown field, a non-number, NaN) come from pydantic; consistency problems (an
unknown issue, a position off the scale, a duplicate id) are collected by
:func:`_consistency_problems` and raised together as one :class:`~detente.errors.ScenarioError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from detente.errors import Problem, ScenarioError

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
]

#: Saliences are given on 0-100; models receive them divided by 100.
SALIENCE_MAX = 100.0

Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Number = Annotated[float, Field(allow_inf_nan=False)]
#: ``[low, high]`` (uniform) or ``[low, mode, high]`` (triangular).
Range = Annotated[list[Number], Field(min_length=2, max_length=3)]


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
    file: Text | None = None
    url: Text | None = None


class Issue(_Value):
    """One policy dimension on a labelled scale from ``min`` to ``max`` (0-100 by default)."""

    id: Id
    name: Text = ""
    description: Text = ""
    unit: Text = ""
    min: Number = 0.0
    max: Number = 100.0
    scale: dict[Number, Text] = Field(default_factory=dict)
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
    aliases: list[Text] = Field(default_factory=list)
    description: Text = ""
    capability: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    position: dict[Text, Number]
    salience: dict[Text, Number]
    uncertainty: dict[Text, Range] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The display name: ``name`` if given, else the id."""
        return self.name or self.id


class Group(_Value):
    """A declared alliance or bloc, such as the US, South Korea and Japan."""

    id: Id
    name: Text = ""
    description: Text = ""
    members: list[Id] = Field(min_length=1)


class Branch(_Value):
    """One alternative future at an event: changes to inputs, with an optional probability.

    ``set`` and ``shift`` map ``ACTOR.capability``, ``ACTOR.position.ISSUE`` or
    ``ACTOR.salience.ISSUE`` to a new value or to an amount added.
    """

    name: Text = ""
    description: Text = ""
    probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    set: dict[Text, Number] = Field(default_factory=dict)
    shift: dict[Text, Number] = Field(default_factory=dict)
    add_actors: list[Actor] = Field(default_factory=list)
    remove_actors: list[Id] = Field(default_factory=list)


class Event(Branch):
    """Something that happens at a round (an int) or a date, optionally with branches."""

    at: Annotated[int, Field(ge=0)] | dt.date
    branches: dict[Id, Branch] = Field(default_factory=dict)


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
    sources: list[Source] = Field(default_factory=list)
    issues: list[Issue] = Field(min_length=1)
    actors: list[Actor]
    groups: list[Group] = Field(default_factory=list)
    timeline: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = list(_consistency_problems(self))
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

    def content_hash(self) -> str:
        """``sha256:`` digest of the scenario's canonical JSON (key order and layout ignored)."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plain_number(x: float) -> float | int:
    """``4.0`` as ``4``, other numbers unchanged (for tidy YAML keys and messages)."""
    return int(x) if float(x).is_integer() else x


# --- consistency checks ------------------------------------------------------------------------


def _consistency_problems(s: Scenario) -> Iterator[Problem]:
    issues = {i.id: i for i in s.issues}
    yield from _duplicates("sources", [x.id for x in s.sources])
    yield from _duplicates("issues", [x.id for x in s.issues])
    yield from _duplicates("actors", [x.id for x in s.actors])
    yield from _duplicates("groups", [x.id for x in s.groups])
    for j, issue in enumerate(s.issues):
        yield from _issue_problems(issue, ("issues", j), f"issues[{issue.id}]")

    if not s.actors:
        yield Problem(
            "actors", "the scenario has no actors; a negotiation needs at least 2", ("actors",)
        )
    elif len(s.actors) == 1:
        yield Problem(
            "actors",
            f"only one actor ({s.actors[0].id}); a negotiation needs at least 2",
            ("actors",),
        )
    sources = {x.id for x in s.sources}
    for n, actor in enumerate(s.actors):
        yield from _actor_problems(actor, ("actors", n), issues, sources)

    if s.actors and all(a.capability == 0 for a in s.actors):
        yield Problem(
            "actors", "every actor has capability 0; at least one must be > 0", ("actors",)
        )
    for j, issue in enumerate(s.issues):
        weights = [a.capability * a.salience.get(issue.id, 0.0) for a in s.actors]
        if len(s.actors) > 1 and all(w == 0 for w in weights):
            yield Problem(
                f"issues[{issue.id}]",
                "every actor has salience 0 (or capability 0) on this issue, so no model can weigh "
                "the positions; give at least one actor with capability > 0 a salience > 0",
                ("issues", j),
            )

    actor_ids = {a.id for a in s.actors}
    for g, group in enumerate(s.groups):
        for m, member in enumerate(group.members):
            if member not in actor_ids:
                yield Problem(
                    f"groups[{group.id}].members",
                    f"unknown actor '{member}'; actors are: {_listing(actor_ids)}",
                    ("groups", g, "members", m),
                )
    yield from _timeline_problems(s, issues, sources)


def _duplicates(field: str, ids: list[str]) -> Iterator[Problem]:
    counts = Counter(ids)
    for index, value in enumerate(ids):
        if counts[value] > 1 and ids.index(value) != index:
            yield Problem(
                f"{field}[{index}].id",
                f"duplicate id '{value}' (also used by {field}[{ids.index(value)}]); "
                "ids must be unique",
                (field, index, "id"),
            )


def _issue_problems(issue: Issue, path: tuple[str | int, ...], where: str) -> Iterator[Problem]:
    if issue.min >= issue.max:
        yield Problem(
            f"{where}.max",
            f"the scale's max ({issue.max:g}) must be greater than its min ({issue.min:g})",
            (*path, "max"),
        )
        return
    for anchor in issue.scale:
        if not issue.min <= anchor <= issue.max:
            yield Problem(
                f"{where}.scale",
                f"label at {anchor:g} is outside the scale ({_span(issue)})",
                (*path, "scale", str(plain_number(anchor))),
            )
    if issue.status_quo is not None and not issue.min <= issue.status_quo <= issue.max:
        yield Problem(
            f"{where}.status_quo",
            f"status quo {issue.status_quo:g} is outside the scale ({_span(issue)})",
            (*path, "status_quo"),
        )


def _actor_problems(
    actor: Actor,
    path: tuple[str | int, ...],
    issues: dict[str, Issue],
    sources: set[str],
    where: str | None = None,
) -> Iterator[Problem]:
    where = where or f"actors[{actor.id}]"
    for field in ("position", "salience"):
        values: dict[str, float] = getattr(actor, field)
        for issue_id, value in values.items():
            if issue_id not in issues:
                yield Problem(
                    f"{where}.{field}.{issue_id}",
                    f"{field} given for unknown issue '{issue_id}'; issues are: {_listing(issues)}",
                    (*path, field, issue_id),
                )
                continue
            message = _out_of_range(field, value, issues[issue_id])
            if message:
                yield Problem(f"{where}.{field}.{issue_id}", message, (*path, field, issue_id))
        for issue_id in issues:
            if issue_id not in values:
                yield Problem(
                    f"{where}.{field}",
                    f"no {field} for issue '{issue_id}'; "
                    f"every actor needs a {field} on every issue",
                    (*path, field),
                )

    for key, bounds in actor.uncertainty.items():
        yield from _uncertainty_problems(actor, key, bounds, issues, (*path, "uncertainty", key))

    for e, item in enumerate(actor.evidence):
        epath = (*path, "evidence", e)
        if item.source not in sources:
            known = _listing(sources) if sources else "none are declared under 'sources'"
            yield Problem(
                f"{where}.evidence[{e}].source",
                f"unknown source id '{item.source}'; sources are: {known}",
                (*epath, "source"),
            )
        if not _valid_input_key(item.supports, issues, allow_bare=True):
            yield Problem(
                f"{where}.evidence[{e}].supports",
                f"'{item.supports}' is not an input; use capability, position, salience, "
                f"position.ISSUE or salience.ISSUE with ISSUE one of: {_listing(issues)}",
                (*epath, "supports"),
            )


def _uncertainty_problems(
    actor: Actor,
    key: str,
    bounds: list[float],
    issues: dict[str, Issue],
    path: tuple[str | int, ...],
) -> Iterator[Problem]:
    where = f"actors[{actor.id}].uncertainty.{key}"
    if not _valid_input_key(key, issues, allow_bare=False):
        yield Problem(
            where,
            f"'{key}' is not an input; use capability, position.ISSUE or salience.ISSUE with "
            f"ISSUE one of: {_listing(issues)}",
            path,
        )
        return
    if list(bounds) != sorted(bounds):
        shape = "[low, mode, high]" if len(bounds) == 3 else "[low, high]"
        yield Problem(where, f"{_numbers(bounds)} is not in order; give {shape}", path)
        return
    point = _input_value(actor, key)
    low, high = bounds[0], bounds[-1]
    if not low <= point <= high:
        yield Problem(
            where,
            f"range {_numbers(bounds)} does not contain the value it qualifies ({point:g}); "
            "the range must include the point value",
            path,
        )
    field, _, issue_id = key.partition(".")
    for end in (low, high):
        issue = issues.get(issue_id)
        message = (
            _out_of_range(field, end, issue)
            if issue is not None
            else ("capability must be >= 0" if end < 0 else "")
        )
        if message:
            yield Problem(where, f"range end {message}", path)
            break


def _timeline_problems(
    s: Scenario, issues: dict[str, Issue], sources: set[str]
) -> Iterator[Problem]:
    """Events and branches refer to known actors and inputs, and keep values in range.

    ``set`` values are checked against the scale; ``shift`` amounts against the scenario's
    starting values (shifts that compound over several events are checked when run).
    """
    base = {a.id: a for a in s.actors}
    known = set(base)
    for e, event in enumerate(s.timeline):
        path: tuple[str | int, ...] = ("timeline", e)
        where = f"timeline[{event.name or e}]"
        context = _Context(issues, sources, known, base)
        yield from _branch_problems(event, path, where, context)
        for name, branch in event.branches.items():
            yield from _branch_problems(
                branch, (*path, "branches", name), f"{where}.branches.{name}", context
            )
        probabilities = [b.probability for b in event.branches.values()]
        given = [p for p in probabilities if p is not None]
        if given and len(given) != len(probabilities):
            yield Problem(
                f"{where}.branches",
                "give a probability for every branch or for none",
                (*path, "branches"),
            )
        elif given and not math.isclose(sum(given), 1.0, abs_tol=1e-9):
            yield Problem(
                f"{where}.branches",
                f"branch probabilities sum to {sum(given):g}; they must sum to 1",
                (*path, "branches"),
            )
        for branch in (event, *event.branches.values()):
            known |= {a.id for a in branch.add_actors}


@dataclass(frozen=True)
class _Context:
    issues: dict[str, Issue]
    sources: set[str]
    actors: set[str]
    base: dict[str, Actor]


def _branch_problems(
    branch: Branch, path: tuple[str | int, ...], where: str, context: _Context
) -> Iterator[Problem]:
    issues, actors = context.issues, context.actors
    added = {a.id for a in branch.add_actors}
    for verb in ("set", "shift"):
        changes: dict[str, float] = getattr(branch, verb)
        for key, value in changes.items():
            actor_id, _, field = key.partition(".")
            if actor_id not in actors | added:
                yield Problem(
                    f"{where}.{verb}.{key}",
                    f"unknown actor '{actor_id}'; actors are: {_listing(actors | added)}",
                    (*path, verb, key),
                )
            elif not _valid_input_key(field, issues, allow_bare=False):
                yield Problem(
                    f"{where}.{verb}.{key}",
                    "expected ACTOR.capability, ACTOR.position.ISSUE or ACTOR.salience.ISSUE "
                    f"with ISSUE one of: {_listing(issues)}",
                    (*path, verb, key),
                )
            else:
                kind, _, issue_id = field.partition(".")
                issue = issues.get(issue_id)
                start = context.base.get(actor_id)
                prefix = ""
                if verb == "set":
                    new = value
                elif start is None:
                    continue  # shifting an actor the event adds: checked when the event runs
                else:
                    old = _input_value(start, field)
                    new = old + value
                    prefix = f"shifting {old:g} by {value:g} gives {new:g}: "
                message = (
                    _out_of_range(kind, new, issue)
                    if issue is not None
                    else ("capability must be >= 0" if new < 0 else "")
                )
                if message:
                    yield Problem(f"{where}.{verb}.{key}", prefix + message, (*path, verb, key))
    for r, actor_id in enumerate(branch.remove_actors):
        if actor_id not in actors:
            yield Problem(
                f"{where}.remove_actors",
                f"unknown actor '{actor_id}'; actors are: {_listing(actors)}",
                (*path, "remove_actors", r),
            )
    for a, actor in enumerate(branch.add_actors):
        apath = (*path, "add_actors", a)
        awhere = f"{where}.add_actors[{actor.id}]"
        if actor.id in actors:
            yield Problem(
                f"{awhere}.id",
                f"actor '{actor.id}' already exists; an added actor needs a new id",
                (*apath, "id"),
            )
        yield from _actor_problems(actor, apath, issues, context.sources, awhere)


def _valid_input_key(key: str, issues: dict[str, Issue], *, allow_bare: bool) -> bool:
    field, dot, issue_id = key.partition(".")
    if field == "capability":
        return not dot
    if field in ("position", "salience"):
        return issue_id in issues if dot else allow_bare
    return False


def _input_value(actor: Actor, key: str) -> float:
    field, _, issue_id = key.partition(".")
    if field == "capability":
        return actor.capability
    values: dict[str, float] = getattr(actor, field)
    return values.get(issue_id, math.nan)


def _out_of_range(field: str, value: float, issue: Issue) -> str:
    if field == "position" and issue.min < issue.max and not issue.min <= value <= issue.max:
        return f"position {value:g} is outside the scale of issue '{issue.id}' ({_span(issue)})"
    if field == "salience" and not 0 <= value <= SALIENCE_MAX:
        return f"salience {value:g} is outside 0 to {SALIENCE_MAX:g}"
    return ""


def _span(issue: Issue) -> str:
    return f"{issue.min:g} to {issue.max:g}"


def _numbers(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _listing(names: Any) -> str:
    return ", ".join(sorted(names)) or "(none)"
