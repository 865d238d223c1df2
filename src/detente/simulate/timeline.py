"""Timeline events and branches: the futures a scenario allows, and how they change inputs.

An event changes inputs (``set`` or ``shift`` a capability, position or salience; add or remove
actors). It happens at a round of a dynamic model: ``at: 3`` is round 3, and dated events
happen at rounds 1, 2, 3, ... in date order (several events on one date share a round). Static
models apply every event, in order, before the forecast.

Branches are alternative futures. Each combination of one branch per branched event is a
future (the six-party 2004 election gives two: ``bush-reelected`` and ``kerry-wins``); events
without branches belong to every future. A scenario with events but no branches has one
future, ``as-scheduled``; one without events has ``baseline``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from detente.errors import Problem, ScenarioError
from detente.scenario.calendar import Calendar
from detente.scenario.model import SALIENCE_MAX, Actor, Branch, Scenario

__all__ = [
    "BASELINE",
    "SCHEDULED",
    "Change",
    "Future",
    "actors_after",
    "apply_change",
    "check_futures",
    "futures",
    "round_of",
]

BASELINE = "baseline"
#: The one future of a timeline whose events have no branches.
SCHEDULED = "as-scheduled"
#: At most this many futures are run side by side; beyond it, draw among them instead.
MAX_FUTURES = 64


@dataclass(frozen=True)
class Change:
    """What one event (or one branch of it) does, and at which round."""

    round: int
    event: str
    set: Mapping[str, float] = field(default_factory=dict)
    shift: Mapping[str, float] = field(default_factory=dict)
    add_actors: tuple[Actor, ...] = ()
    remove_actors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Future:
    """One combination of branches: its name, probability and changes.

    The probability is the product of the chosen branches' (an event whose branches state none
    gives each an equal share); None for a future without branches.
    """

    name: str
    probability: float | None
    changes: tuple[Change, ...]


def round_of(scenario: Scenario, at: int | dt.date, round_days: float | None = None) -> int:
    """The round at which an event dated or numbered ``at`` happens.

    With a round calendar (``round_days`` given here, else the scenario's own ``round_days`` or
    ``round_dates``; see :class:`detente.scenario.calendar.Calendar`) a dated event happens at
    the first round on or after its date, so an event 176 days after ``as_of`` with 30-day
    rounds happens at round 6 (rounds 1-5 come before it). Without one, dated events happen at
    rounds 1, 2, 3, ... in date order (several events on one date share a round).
    """
    if isinstance(at, int):
        return at
    calendar = scenario.calendar
    if round_days is not None:
        if scenario.as_of is None:
            raise ValueError("rounds of a given length need the scenario's as_of date")
        calendar = Calendar(scenario.as_of, round_days)
    if calendar.dated:
        found = calendar.round_at(at)
        if found is None:  # refused by the scenario's checks; kept safe for a hand-built one
            raise ValueError(f"no round of the scenario's round_dates falls on or after {at}")
        return found
    dates = sorted({e.at for e in scenario.timeline if isinstance(e.at, dt.date)})
    return dates.index(at) + 1


def futures(scenario: Scenario, round_days: float | None = None) -> list[Future]:
    """Every combination of branches, each with the changes it makes, in timeline order.

    ``round_days``: see :func:`round_of`.
    """
    events = sorted(
        enumerate(scenario.timeline),
        key=lambda pair: (round_of(scenario, pair[1].at, round_days), pair[0]),
    )
    choices: list[list[tuple[str, float | None, Branch | None]]] = []
    for _, event in events:
        if event.branches:
            choices.append([(name, b.probability, b) for name, b in event.branches.items()])
    combos = list(itertools.product(*choices)) if choices else [()]
    if len(combos) > MAX_FUTURES:
        raise ValueError(
            f"{len(combos)} combinations of branches; at most {MAX_FUTURES} can be run: "
            "give fewer branched events"
        )
    out = []
    for combo in combos:
        picks = iter(combo)
        changes = []
        probability: float | None = 1.0
        for _, event in events:
            at = round_of(scenario, event.at, round_days)
            name = event.name or str(event.at)
            changes.append(_change(at, name, event))
            if event.branches:
                _, p, branch = next(picks)
                assert branch is not None
                changes.append(_change(at, name, branch))
                if p is None:
                    p = 1.0 / len(event.branches)
                probability = None if probability is None else probability * p
        label = "+".join(pick[0] for pick in combo) or (SCHEDULED if events else BASELINE)
        out.append(Future(label, probability if combo else None, tuple(changes)))
    return out


def _change(at: int, name: str, branch: Branch) -> Change:
    return Change(
        round=at,
        event=name,
        set=dict(branch.set),
        shift=dict(branch.shift),
        add_actors=tuple(branch.add_actors),
        remove_actors=tuple(branch.remove_actors),
    )


def apply_change(
    change: Change,
    scenario: Scenario,
    ids: list[str],
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    columns: tuple[int, ...] | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Apply one change to a batch of inputs: ``c`` (draws, n), ``X`` and ``S`` (draws, n, k).

    ``columns`` are the scenario's issues (by index) that ``X`` and ``S`` hold, in order
    (default: every issue); changes to other issues are not applied. Positions are clipped to
    the issue's scale and saliences to 0-100 after a shift. Returns the new actor ids and
    arrays (the inputs are not modified).
    """
    columns = tuple(range(len(scenario.issues))) if columns is None else tuple(columns)
    column = {scenario.issues[j].id: at for at, j in enumerate(columns)}
    lo = np.array([scenario.issues[j].min for j in columns])
    hi = np.array([scenario.issues[j].max for j in columns])
    kept = [scenario.issues[j].id for j in columns]
    ids, c, X, S = list(ids), c.copy(), X.copy(), S.copy()
    for actor in change.add_actors:
        ids.append(actor.id)
        c = np.concatenate([c, np.full((*c.shape[:-1], 1), actor.capability)], axis=-1)
        x_new = np.array([actor.position[i] for i in kept])
        s_new = np.array([actor.salience[i] for i in kept]) / SALIENCE_MAX
        X = np.concatenate([X, np.broadcast_to(x_new, (*X.shape[:-2], 1, len(x_new)))], axis=-2)
        S = np.concatenate([S, np.broadcast_to(s_new, (*S.shape[:-2], 1, len(s_new)))], axis=-2)
    for verb, values in (("set", change.set), ("shift", change.shift)):
        for key, value in values.items():
            actor_id, _, rest = key.partition(".")
            if actor_id not in ids:
                continue  # removed earlier, or added only in another branch
            n = ids.index(actor_id)
            kind, _, issue_id = rest.partition(".")
            if kind == "capability":
                c[..., n] = value if verb == "set" else np.maximum(c[..., n] + value, 0.0)
                continue
            if issue_id not in column:
                continue  # an issue this run does not hold
            j = column[issue_id]
            if kind == "position":
                new = value if verb == "set" else X[..., n, j] + value
                X[..., n, j] = np.clip(new, lo[j], hi[j])
            else:
                new = value / SALIENCE_MAX if verb == "set" else S[..., n, j] + value / SALIENCE_MAX
                S[..., n, j] = np.clip(new, 0.0, 1.0)
    if change.remove_actors:
        keep = [n for n, actor_id in enumerate(ids) if actor_id not in change.remove_actors]
        ids = [ids[n] for n in keep]
        c, X, S = c[..., keep], X[..., keep, :], S[..., keep, :]
    return ids, c, X, S


def actors_after(change: Change, ids: list[str]) -> list[str]:
    """The actor ids after ``change`` (those added joined, those removed gone)."""
    out = [*ids, *(a.id for a in change.add_actors)]
    return [a for a in out if a not in change.remove_actors]


def check_futures(scenario: Scenario, round_days: float | None = None) -> None:
    """Refuse, before any work, a timeline that leaves a future without a negotiation.

    Each future's changes are applied in turn to the inputs as given; after each, at least two
    actors must remain, and on every issue one with capability > 0 and salience > 0 (what a
    scenario itself must have: without it the models have no weights, and their forecasts are
    not numbers).

    Raises
    ------
    ScenarioError
        One problem per future at fault, at the event (``timeline[N]``) that ends it.
    """
    if not scenario.timeline:
        return
    try:
        found = futures(scenario, round_days)
    except ValueError:
        return  # too many futures, or dates without as_of: refused where the futures are run
    c, X, S = scenario.arrays()
    problems: dict[str, Problem] = {}
    for future in found:
        ids, cf, Xf, Sf = list(scenario.actor_ids), c[None], X[None], S[None]
        for change in future.changes:
            ids, cf, Xf, Sf = apply_change(change, scenario, ids, cf, Xf, Sf)
            why = _unusable(scenario, ids, cf[0], Sf[0])
            if why:
                n = _event_index(scenario, change.event)
                message = f"after event '{change.event}' (round {change.round}), {why}"
                if message not in problems:
                    problems[message] = Problem(
                        f"timeline[{n}]",
                        f"in the future '{future.name}', {message}",
                        ("timeline", n),
                    )
                break
    if problems:
        raise ScenarioError(list(problems.values()))


def _unusable(scenario: Scenario, ids: list[str], c: np.ndarray, S: np.ndarray) -> str:
    if len(ids) < 2:
        left = f"only {ids[0]} is left" if ids else "no actor is left"
        return f"{left}; a negotiation needs at least 2 actors"
    for j, issue in enumerate(scenario.issue_ids):
        if not np.any((c > 0) & (S[:, j] > 0)):
            return (
                f"no actor with capability > 0 has a salience > 0 on issue '{issue}', so no "
                "model can weigh the positions"
            )
    return ""


def _event_index(scenario: Scenario, label: str) -> int:
    for n, event in enumerate(scenario.timeline):
        if (event.name or str(event.at)) == label:
            return n
    return 0
