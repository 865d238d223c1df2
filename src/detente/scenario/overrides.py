"""What-if: a scenario with some inputs changed or some actors left out, without editing a file.

An override names one input of one actor and a new value::

    USA.position.disarmament=80      set the position to 80
    DPRK.salience.disarmament=+10    add 10 (a leading - subtracts)
    CHN.capability=*1.2              multiply by 1.2
    RUS.position.disarmament=(-5)    set a negative value (in parentheses: a bare -5 subtracts)

The actor is its id, name or alias (any letter case); ``position`` and ``salience`` name an
issue, which may be left out when the scenario has one. A drop (``--drop RUS``) takes an actor
out of the negotiation: its groups, accommodation weights and timeline changes go with it.

The result is a new, fully validated :class:`~detente.scenario.Scenario`. Where the changed
input has a declared uncertainty range, the range moves with the value (shifted by the change,
or scaled), kept within the input's bounds. The new scenario records where it came from in
``variant_of``: the base scenario's content hash and every override applied, so that a stored
run says which what-if it ran. Every problem names the override at fault.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from detente.errors import InputError, ScenarioError
from detente.scenario.io import validate_data
from detente.scenario.model import Scenario
from detente.scenario.units import SALIENCE_MAX, plain_number

__all__ = ["Override", "apply_overrides", "parse_override", "with_input"]

_FIELDS = ("capability", "position", "salience")
_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?"
_VALUE = re.compile(
    rf"^(?:(?P<op>[+\-*])\s*(?P<amount>{_NUMBER})|\(\s*(?P<paren>-?{_NUMBER})\s*\)|"
    rf"(?P<plain>{_NUMBER}))$"
)


@dataclass(frozen=True)
class Override:
    """One what-if change: ``actor``'s ``field`` (on ``issue``) set, shifted or scaled.

    ``how`` is ``"set"``, ``"shift"`` or ``"scale"``; ``text`` is the override as given.
    """

    actor: str
    field: str
    issue: str | None
    how: str
    amount: float
    text: str

    def __str__(self) -> str:
        target = ".".join(p for p in (self.actor, self.field, self.issue) if p)
        if self.how == "shift":
            return f"{target}={self.amount:+g}"
        if self.how == "scale":
            return f"{target}=*{self.amount:g}"
        return f"{target}={self.amount:g}" if self.amount >= 0 else f"{target}=({self.amount:g})"


def parse_override(text: str) -> Override:
    """Read ``ACTOR.FIELD[.ISSUE]=VALUE`` (names are resolved against a scenario later).

    Raises
    ------
    InputError
        The override does not have that shape, or its value is not a number.
    """
    target, eq, raw = text.partition("=")
    parts = [p.strip() for p in target.split(".")]
    if not eq or not all(parts) or len(parts) not in (2, 3):
        raise InputError(
            f"--set {text}: an override looks like ACTOR.capability=VALUE or "
            "ACTOR.position.ISSUE=VALUE (or salience); VALUE is a number, +N or -N to add, *N "
            "to multiply"
        )
    field = parts[1].lower()
    if field not in _FIELDS:
        raise InputError(
            f"--set {text}: no field '{parts[1]}'; the fields are capability, position and salience"
        )
    if field == "capability" and len(parts) == 3:
        raise InputError(f"--set {text}: capability is one number per actor, with no issue")
    match = _VALUE.match(raw.strip())
    if match is None:
        raise InputError(
            f"--set {text}: '{raw}' is not a value; give a number (80), a change (+10, -10) "
            "or a factor (*1.2); a negative number in parentheses: (-5)"
        )
    if match["op"] == "*":
        how, amount = "scale", float(match["amount"])
    elif match["op"]:
        how, amount = "shift", float(match["amount"]) * (-1 if match["op"] == "-" else 1)
    else:
        how, amount = "set", float(match["paren"] or match["plain"])
    if not math.isfinite(amount):
        raise InputError(f"--set {text}: the value must be a finite number")
    return Override(parts[0], field, parts[2] if len(parts) == 3 else None, how, amount, text)


def apply_overrides(
    scenario: Scenario,
    overrides: Sequence[str | Override] = (),
    drop: Sequence[str] = (),
) -> Scenario:
    """``scenario`` with the overrides applied and the ``drop`` actors left out.

    Parameters
    ----------
    scenario
        The base scenario (itself perhaps a variant: the overrides are then added to its own).
    overrides
        ``"ACTOR.FIELD[.ISSUE]=VALUE"`` strings or :class:`Override` values, applied in order.
    drop
        Actors (id, name or alias) to leave out.

    Returns
    -------
    Scenario
        Validated, with ``variant_of`` recording the base's hash and every change.

    Raises
    ------
    InputError
        An unknown actor, field or issue, or a value the scenario's rules refuse (off the
        scale, a negative capability...); the message names the override.

    Examples
    --------
    >>> import detente
    >>> base = detente.bundled("six-party-2004")
    >>> what_if = apply_overrides(base, ["USA.position.disarmament=80"], drop=["Russia"])
    >>> what_if.actor("USA").position["disarmament"], "RUS" in what_if.actor_ids
    (80.0, False)
    >>> what_if.variant_of.overrides
    ['drop RUS', 'USA.position.disarmament=80']
    """
    if not overrides and not drop:
        return scenario
    parsed = [o if isinstance(o, Override) else parse_override(o) for o in overrides]
    data = scenario.model_dump(mode="json")
    dropped = [_actor_id(scenario, name, f"--drop {name}") for name in drop]
    applied = [f"drop {actor}" for actor in dropped]
    for actor_id in dropped:
        _drop(data, actor_id)
    for o in parsed:
        actor_id = _actor_id(scenario, o.actor, f"--set {o.text}")
        if actor_id in dropped:
            raise InputError(f"--set {o.text}: {actor_id} is left out by --drop")
        issue = _issue_id(scenario, o) if o.field != "capability" else None
        actor = next(a for a in data["actors"] if a["id"] == actor_id)
        key = o.field if issue is None else f"{o.field}.{issue}"
        old = float(actor[o.field] if issue is None else actor[o.field][issue])
        new = o.amount if o.how == "set" else old + o.amount if o.how == "shift" else old * o.amount
        if issue is None:
            actor[o.field] = new
        else:
            actor[o.field][issue] = new
        _move_range(actor, key, old, new, o.how, o.amount, scenario, issue)
        applied.append(str(Override(actor_id, o.field, issue, o.how, o.amount, o.text)))
    base = scenario.variant_of
    data["variant_of"] = {
        "base": base.base if base else scenario.content_hash(),
        "base_id": base.base_id if base else scenario.id,
        "overrides": [*(base.overrides if base else []), *applied],
    }
    try:
        return validate_data(data, f"what-if of {scenario.id}")
    except ScenarioError as err:
        problems = "; ".join(
            f"{p.where}: {p.message}" if p.where else p.message for p in err.problems
        )
        raise InputError(f"{_describe(overrides, drop)}: {problems}") from None


def with_input(scenario: Scenario, key: str, value: float) -> Scenario:
    """``scenario`` with one input set to ``value``, validated again.

    ``key`` is ``ACTOR.capability``, ``ACTOR.position.ISSUE`` or ``ACTOR.salience.ISSUE``
    (the actor by id, name or alias; the issue may be left out when there is one). A scenario
    is read-only: this, or :func:`apply_overrides` (``--set`` on the command line), is the way
    to change an input. A declared uncertainty range moves with the value, kept within the
    input's bounds; the result records the change in ``variant_of``.

    Raises
    ------
    InputError
        An unknown actor, field or issue, or a value the scenario's rules refuse (off the
        scale, a negative capability...).

    Examples
    --------
    >>> import detente
    >>> from detente.scenario import with_input
    >>> s = with_input(detente.bundled("six-party-2004"), "USA.position.disarmament", 80)
    >>> s.actor("USA").position["disarmament"], s.variant_of.overrides
    (80.0, ['USA.position.disarmament=80'])
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{key}: the value must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{key}: the value must be a finite number, not {value!r}")
    shown = repr(plain_number(number))
    override = parse_override(f"{key}={shown}" if number >= 0 else f"{key}=({shown})")
    return apply_overrides(scenario, [override])


def _describe(overrides: Sequence[str | Override], drop: Sequence[str]) -> str:
    said = [f"--set {o.text if isinstance(o, Override) else o}" for o in overrides]
    said += [f"--drop {d}" for d in drop]
    if len(said) > 5:  # hundreds of overrides would bury the problem
        return ", ".join(said[:5]) + f" and {len(said) - 5} more"
    return ", ".join(said)


def _actor_id(scenario: Scenario, name: str, where: str) -> str:
    try:
        return scenario.find_actor(name).id
    except InputError as err:
        raise InputError(f"{where}: {err}") from None


def _issue_id(scenario: Scenario, o: Override) -> str:
    if o.issue is None:
        if len(scenario.issues) == 1:
            return scenario.issue_ids[0]
        known = ", ".join(scenario.issue_ids)
        raise InputError(
            f"--set {o.text}: {scenario.id} has {len(scenario.issues)} issues; name one, as in "
            f"{o.actor}.{o.field}.ISSUE (issues: {known})"
        )
    if o.issue in scenario.issue_ids:
        return o.issue
    known = ", ".join(scenario.issue_ids)
    raise InputError(f"--set {o.text}: no issue '{o.issue}' in {scenario.id}; issues are: {known}")


def _move_range(
    actor: dict[str, Any],
    key: str,
    old: float,
    new: float,
    how: str,
    amount: float,
    scenario: Scenario,
    issue: str | None,
) -> None:
    """Carry a declared uncertainty range along with its changed value, within its bounds."""
    declared = actor.get("uncertainty", {}).get(key)
    if not declared:
        return
    if issue is None:
        low, high = 0.0, math.inf
    elif key.startswith("position"):
        low, high = scenario.issue(issue).min, scenario.issue(issue).max
    else:
        low, high = 0.0, SALIENCE_MAX
    if how == "scale":
        moved = [v * amount for v in declared]
    else:
        moved = [v + (new - old) for v in declared]
    actor["uncertainty"][key] = [min(high, max(low, v)) for v in moved]


def _drop(data: dict[str, Any], actor_id: str) -> None:
    """Leave an actor out, with its groups' memberships, accommodation and timeline changes."""
    data["actors"] = [a for a in data["actors"] if a["id"] != actor_id]
    for group in data.get("groups", []):
        group["members"] = [m for m in group["members"] if m != actor_id]
    data["groups"] = [g for g in data.get("groups", []) if g["members"]]
    accommodation = data.get("accommodation", {})
    accommodation.pop(actor_id, None)
    for row in accommodation.values():
        row.pop(actor_id, None)
    for event in data.get("timeline", []):
        for branch in [event, *event.get("branches", {}).values()]:
            for verb in ("set", "shift"):
                branch[verb] = {
                    k: v for k, v in branch.get(verb, {}).items() if k.split(".")[0] != actor_id
                }
            branch["remove_actors"] = [a for a in branch.get("remove_actors", []) if a != actor_id]
