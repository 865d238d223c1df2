"""Consistency checks of a scenario: the rules that span fields (ids, scales, references).

Field-level problems (types, missing fields, NaN) come from pydantic; these checks run on a
scenario whose fields are valid and report every problem with its location, so that
:class:`~detente.errors.ScenarioError` can point at the file and line.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detente.errors import Problem
from detente.scenario.units import SALIENCE_MAX, plain_number

if TYPE_CHECKING:
    from detente.scenario.model import Actor, Branch, Issue, Scenario

__all__ = ["consistency_problems"]


def consistency_problems(s: Scenario) -> Iterator[Problem]:
    """Every cross-field problem of ``s``, each with its path into the document."""
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

    yield from _accommodation_problems(s)
    yield from _naming_problems(s)
    yield from _salience_scale_problems(s)
    yield from _calendar_problems(s)
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


#: Scale ends and capabilities stay within this: the models square and multiply them, and far
#: larger numbers overflow (no negotiation's scale or weight needs more digits).
LARGEST = 1e12
#: The narrowest scale: positions on a narrower one are not told apart in floating point.
NARROWEST = 1e-12


def _issue_problems(issue: Issue, path: tuple[str | int, ...], where: str) -> Iterator[Problem]:
    for end in ("min", "max"):
        value = getattr(issue, end)
        if abs(value) > LARGEST:
            yield Problem(
                f"{where}.{end}",
                f"the scale's {end} ({value:g}) is beyond ±{LARGEST:g}; rescale the issue (for "
                "example to 0-100, or to thousands or millions of the unit)",
                (*path, end),
            )
            return
    if issue.min >= issue.max:
        yield Problem(
            f"{where}.max",
            f"the scale's max ({issue.max:g}) must be greater than its min ({issue.min:g})",
            (*path, "max"),
        )
        return
    if issue.max - issue.min < max(NARROWEST, 1e-9 * max(abs(issue.min), abs(issue.max))):
        yield Problem(
            f"{where}.max",
            f"the scale from {issue.min:g} to {issue.max:g} is too narrow to tell positions apart "
            f"(at least {NARROWEST:g}, and a billionth of its ends); rescale the issue",
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
    if actor.capability > LARGEST:
        yield Problem(
            f"{where}.capability", _capability_range(actor.capability), (*path, "capability")
        )
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
        message = _out_of_range(field, end, issue) if issue is not None else _capability_range(end)
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
                    _out_of_range(kind, new, issue) if issue is not None else _capability_range(new)
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


def _capability_range(value: float) -> str:
    if value < 0:
        return "capability must be >= 0"
    if value > LARGEST:
        return (
            f"capability {value:g} is beyond {LARGEST:g}; capabilities are relative: rescale them"
        )
    return ""


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


def _accommodation_problems(s: Scenario) -> Iterator[Problem]:
    """Accommodation rows name actors, and each row's weights (identity unless listed) sum to
    at most 1: an ideal is a weighted mix of positions and the old ideal."""
    ids = set(s.actor_ids)
    for a, row in s.accommodation.items():
        where = f"accommodation[{a}]"
        if a not in ids:
            yield Problem(where, f"'{a}' is not an actor of the scenario", ("accommodation", a))
            continue
        for b in row:
            if b not in ids:
                yield Problem(
                    f"{where}[{b}]",
                    f"'{b}' is not an actor of the scenario",
                    ("accommodation", a, b),
                )
        total = sum(row.values()) + (0.0 if a in row else 1.0)
        if total > 1 + 1e-9:
            yield Problem(
                where,
                f"weights sum to {total:g} (an unlisted own weight counts as 1, KTAB's default); "
                "they must sum to at most 1",
                ("accommodation", a),
            )


def _salience_scale_problems(s: Scenario) -> Iterator[Problem]:
    """Saliences that look like 0-1 (KTAB's and Bueno de Mesquita's convention) in a scenario
    that did not say its scale: read as 0-100 they would mean that nobody cares, and every
    model's forecast changes (they are not quietly rescaled: the file must say which)."""
    if s.salience_scale is not None:
        return
    actors = list(s.actors)
    for event in s.timeline:
        actors += event.add_actors
        for branch in event.branches.values():
            actors += branch.add_actors
    values = [v for a in actors for v in a.salience.values()]
    if values and max(values) <= 1 and any(0 < v < 1 for v in values):
        yield Problem(
            "salience_scale",
            f"every salience is at most 1 (the largest is {max(values):g}): saliences are read "
            "on 0-100, where these would mean the actors barely care. If they are on 0-1 "
            "(KTAB's and Bueno de Mesquita's convention), add 'salience_scale: 1' at the top of "
            "the file to have them multiplied by 100; if they are on 0-100, add "
            "'salience_scale: 100'",
            ("actors",),
        )


def _naming_problems(s: Scenario) -> Iterator[Problem]:
    """A name or alias that is another actor's id would make ``--drop B`` or ``--for B`` point
    at the wrong actor."""
    ids = {a.id for a in s.actors}
    for n, actor in enumerate(s.actors):
        for field, values in (("name", [actor.name]), ("aliases", list(actor.aliases))):
            for value in values:
                other = value if value in ids else None  # ids differing in case are distinct
                if other is not None and other != actor.id:
                    yield Problem(
                        f"actors[{actor.id}].{field}",
                        f"'{value}' is the id of another actor ({other}); a name or alias must "
                        "not be another actor's id",
                        ("actors", n, field),
                    )


def _calendar_problems(s: Scenario) -> Iterator[Problem]:
    """A round calendar must be one of its two forms, anchored and in order."""
    if s.round_days is not None and s.round_dates:
        yield Problem(
            "round_days",
            "give round_days or round_dates, not both",
            ("round_days",),
        )
        return
    if s.round_days is not None and s.as_of is None:
        yield Problem(
            "round_days",
            "round_days needs the scenario's as_of date (the date of round 0, from which rounds "
            "are counted)",
            ("round_days",),
        )
    dates = list(s.round_dates)
    for n in range(1, len(dates)):
        if dates[n] <= dates[n - 1]:
            yield Problem(
                f"round_dates[{n}]",
                f"{dates[n].isoformat()} is not after the round before it "
                f"({dates[n - 1].isoformat()}); round dates must be in increasing order",
                ("round_dates", n),
            )
            return
    if dates and s.as_of is not None and dates[0] <= s.as_of:
        yield Problem(
            "round_dates[0]",
            f"round 1 falls on {dates[0].isoformat()}, not after as_of "
            f"({s.as_of.isoformat()}, the date of round 0)",
            ("round_dates", 0),
        )
    if dates:
        for n, event in enumerate(s.timeline):
            if not isinstance(event.at, int) and event.at > dates[-1]:
                yield Problem(
                    f"timeline[{n}].at",
                    f"{event.at.isoformat()} is after the last of round_dates "
                    f"({dates[-1].isoformat()}), so no round falls on or after it; add a "
                    "round date",
                    ("timeline", n, "at"),
                )
