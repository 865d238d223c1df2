"""The rounds of one future, summarised: what :func:`detente.analysis.dynamics` computes per
run (each round's facts) and over the draws (counts, means, shares, P(settled by)); the rules
are in :mod:`detente.analysis.dynamics`."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.analysis.dyads import (
    RoundViews,
    _rounds,
    crisis_incentives,
    dyad_map,
    misperceptions,
)
from detente.errors import InputError
from detente.models import ModelOptions, Round
from detente.scenario.model import Scenario

__all__ = ["SettledBy"]

_Pair = tuple[str, str]


@dataclass(frozen=True)
class SettledBy:
    """``P(settled by`` a date or round ``)`` under one future.

    ``by`` is the date (or round number) asked about and ``event`` the timeline event it comes
    from (None for one asked for); ``round`` is the last round that counts (rounds on or before
    the date, or before the event's round, and no later than the last round run; None when none
    does) and ``date`` its date.
    ``settled`` is the point run's answer; ``p = count / draws`` the share of draws settled at
    some round up to ``round``, ``se`` its Monte Carlo error (both None without draws).
    """

    by: dt.date | int
    event: str | None
    round: int | None
    date: dt.date | None
    settled: bool
    p: float | None
    se: float | None
    count: int
    draws: int

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by if isinstance(self.by, int) else self.by.isoformat(),
            "event": self.event,
            "round": self.round,
            "date": _iso(self.date),
            "settled": self.settled,
            "p": self.p,
            "se": self.se,
            "count": self.count,
            "draws": self.draws,
        }


@dataclass(frozen=True)
class _Facts:
    """What one round of one run shows (the rules in the module's docstring)."""

    actors: tuple[str, ...]
    deviation: float
    misperceived: frozenset[_Pair]
    conflicts: frozenset[_Pair]
    incentives: dict[str, tuple[float, str | None]]
    instability: dict[str, tuple[int, float]]


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class _FutureResult:
    name: str
    probability: float | None
    events: tuple[dict[str, Any], ...]
    rounds: tuple[dict[str, Any], ...]
    settled_by: tuple[SettledBy, ...]
    deviation: np.ndarray  # (draws, rounds + 1): max |position - forecast|, round 0 first
    point_deviation: np.ndarray  # (rounds + 1,)

    def highlights(self) -> dict[str, Any]:
        incentive = None
        for r in self.rounds:
            for a in r["actors"]:
                if a["target"] is not None and (incentive is None or a["incentive"] > incentive[0]):
                    incentive = (a["incentive"], a["actor"], a["target"], r["round"], r["date"])
        wrong = None
        for r in self.rounds:
            for p in r["pairs"]:
                chance = p["p_misperceived"]
                key = chance if chance is not None else (1.0 if p["misperceived"] else None)
                if key is not None and key > 0 and (wrong is None or key > wrong[0]):
                    wrong = (key, p["i"], p["j"], chance, r["round"], r["date"])
        return {
            "incentive": None
            if incentive is None
            else {
                "actor": incentive[1],
                "target": incentive[2],
                "gain": incentive[0],
                "round": incentive[3],
                "date": incentive[4],
            },
            "miscalculation": None
            if wrong is None
            else {"i": wrong[1], "j": wrong[2], "p": wrong[3], "round": wrong[4], "date": wrong[5]},
        }

    def first_settled(self, tolerance: float) -> list[int | None]:
        out: list[int | None] = []
        for row in self.deviation:
            hits = np.flatnonzero(row <= tolerance)
            out.append(int(hits[0]) if hits.size else None)
        return out


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _run(
    scenario: Scenario,
    info: Any,
    options: ModelOptions,
    issue: str,
    future: Any,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    rng: np.random.Generator,
    j: int,
    tolerance: float,
) -> tuple[float, list[_Facts]]:
    """One run: round 0's deviation, and each later round's facts."""
    first, rounds = _rounds(scenario, info, options, issue, future, c, X, S, rng)
    return _deviation(first), [_facts(state, views) for state, views in rounds]


def _deviation(state: Round) -> float:
    """The largest distance of an actor's position from the round's forecast (one issue)."""
    positions = np.asarray(state.positions, dtype=float)[..., 0]
    return float(np.max(np.abs(positions - float(np.asarray(state.forecast).ravel()[0]))))


def _facts(state: Round, rv: RoundViews) -> _Facts:
    ids = rv.actors
    wrong = frozenset((m.i, m.j) for m in misperceptions(rv))
    fights = frozenset(
        (d.i, d.j)
        for d in dyad_map(rv)
        if d.region == "conflict" and ids.index(d.i) < ids.index(d.j)
    )
    incentives = {
        ci.actor: (ci.gain, ci.target if ci.gain > 0 else None) for ci in crisis_incentives(rv)
    }
    c = np.asarray(state.capability, dtype=float) if state.capability is not None else None
    s = np.asarray(state.salience, dtype=float)[..., 0] if state.salience is not None else None
    power = c * s if c is not None and s is not None and len(c) == len(ids) else np.ones(len(ids))
    total = float(power.sum())
    instability = {}
    for actor in ids:
        others = [ids.index(b if a == actor else a) for a, b in fights if actor in (a, b)]
        weight = float(power[others].sum()) / total if total > 0 and others else 0.0
        instability[actor] = (len(others), weight)
    return _Facts(ids, _deviation(state), wrong, fights, incentives, instability)


def _settled_by(
    scenario: Scenario,
    at: dt.date | int,
    event: str | None,
    deviation: np.ndarray,
    point: np.ndarray,
    tolerance: float,
    before: int | None = None,
) -> SettledBy:
    """``P(settled by at)`` from the stored deviations (draws, rounds + 1); ``before``: the
    round of the event ``at`` comes from, which does not count (its moves are the event's, even
    when it falls on the event's date)."""
    calendar = scenario.calendar
    last: int | None
    if isinstance(at, int):
        last = at
    else:
        if not calendar.dated:
            raise InputError(
                f"{at.isoformat()} is a date, and the rounds of {scenario.id} carry none"
            )
        last = calendar.last_round_by(at)
    if before is not None and last is not None:
        last = min(last, before - 1)
    if last is not None and last < 0:
        last = None
    rounds = point.shape[0] - 1
    upto = None if last is None else min(last, rounds)
    settled = bool(upto is not None and np.any(point[: upto + 1] <= tolerance))
    n = deviation.shape[0]
    # a date or round past the rounds run counts the rounds run, and says so
    if n == 0:
        return SettledBy(at, event, upto, _date(calendar, upto), settled, None, None, 0, 0)
    count = (
        0 if upto is None else int(np.sum(np.any(deviation[:, : upto + 1] <= tolerance, axis=1)))
    )
    p = count / n
    return SettledBy(
        at, event, upto, _date(calendar, upto), settled, p, math.sqrt(p * (1 - p) / n), count, n
    )


def _date(calendar: Any, t: int | None) -> dt.date | None:
    return None if t is None else calendar.date(t)


def _summarise(
    scenario: Scenario,
    future: Any,
    point: tuple[float, list[_Facts]],
    drawn: list[tuple[float, list[_Facts]]],
    asked: list[dt.date | int],
    tolerance: float,
) -> _FutureResult:
    calendar = scenario.calendar
    n = len(drawn)
    point0, point_rounds = point
    point_dev = np.array([point0, *(f.deviation for f in point_rounds)])
    deviation = np.array(
        [[d0, *(f.deviation for f in facts)] for d0, facts in drawn], dtype=float
    ).reshape(n, len(point_rounds) + 1)
    settled_rows = deviation <= tolerance
    ever = np.logical_or.accumulate(settled_rows, axis=1) if n else settled_rows
    happening: dict[int, list[str]] = {}
    events = []
    labels = {e.name or str(e.at): e for e in scenario.timeline}
    for change in future.changes:
        if change.event in happening.get(change.round, []):
            continue
        happening.setdefault(change.round, []).append(change.event)
        source = labels.get(change.event)
        at = source.at if source is not None else change.round
        events.append(
            {
                "name": change.event,
                "at": at if isinstance(at, int) else at.isoformat(),
                "round": change.round,
                "date": _iso(calendar.date(change.round)),
            }
        )
    rounds = []
    for t, facts in enumerate(point_rounds, start=1):
        ids = facts.actors
        each = [d[1][t - 1] for d in drawn]
        pairs = [(a, b) for k, a in enumerate(ids) for b in ids[k + 1 :]]
        actors = []
        for actor in ids:
            gain, target = facts.incentives[actor]
            fights, weight = facts.instability[actor]
            row: dict[str, Any] = {
                "actor": actor,
                "incentive": gain,
                "target": target,
                "incentive_mean": None,
                "incentive_se": None,
                "p_target": None,
                "conflicts": fights,
                "conflict_weight": weight,
                "conflicts_mean": None,
                "conflict_weight_mean": None,
            }
            if n:
                gains = np.array([e.incentives[actor][0] for e in each])
                row["incentive_mean"] = float(gains.mean())
                row["incentive_se"] = float(gains.std(ddof=1) / math.sqrt(n)) if n > 1 else None
                row["p_target"] = sum(e.incentives[actor][1] == target for e in each) / n
                row["conflicts_mean"] = float(np.mean([e.instability[actor][0] for e in each]))
                row["conflict_weight_mean"] = float(
                    np.mean([e.instability[actor][1] for e in each])
                )
            actors.append(row)
        rounds.append(
            {
                "round": t,
                "date": _iso(calendar.date(t)),
                "events": happening.get(t, []),
                "settled": bool(facts.deviation <= tolerance),
                "deviation": facts.deviation,
                "p_settled": float(settled_rows[:, t].mean()) if n else None,
                "p_settled_by": float(ever[:, t].mean()) if n else None,
                "misperceived": len(facts.misperceived),
                "misperceived_mean": float(np.mean([len(e.misperceived) for e in each]))
                if n
                else None,
                "p_misperceived": float(np.mean([bool(e.misperceived) for e in each]))
                if n
                else None,
                "conflicts": len(facts.conflicts),
                "conflicts_mean": float(np.mean([len(e.conflicts) for e in each])) if n else None,
                "p_conflict": float(np.mean([bool(e.conflicts) for e in each])) if n else None,
                "actors": actors,
                "pairs": [
                    {
                        "i": a,
                        "j": b,
                        "misperceived": (a, b) in facts.misperceived,
                        "conflict": (a, b) in facts.conflicts,
                        "p_misperceived": sum((a, b) in e.misperceived for e in each) / n
                        if n
                        else None,
                        "p_conflict": sum((a, b) in e.conflicts for e in each) / n if n else None,
                    }
                    for a, b in pairs
                ],
            }
        )
    # by an event: at some round before the event's round (dated: and on or before its date)
    wanted: list[tuple[dt.date | int, str | None, int | None]] = []
    for event in events:
        source = labels.get(event["name"])
        if source is None:
            continue
        if isinstance(source.at, dt.date) and calendar.dated:
            wanted.append((source.at, event["name"], event["round"]))
        else:  # numbered rounds
            wanted.append((event["round"] - 1, event["name"], None))
    wanted += [(at, None, None) for at in asked]
    by = [
        _settled_by(scenario, at, event, deviation, point_dev, tolerance, before)
        for at, event, before in dict.fromkeys(wanted)
    ]
    return _FutureResult(
        future.name,
        future.probability,
        tuple(events),
        tuple(rounds),
        tuple(by),
        deviation,
        point_dev,
    )
