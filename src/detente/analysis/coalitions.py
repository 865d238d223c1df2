"""Coalitions: who converges over a run, how cohesive declared alliances are, who matters to them.

Rules used here:

* *converging group*: actors whose final positions lie within ``tolerance`` (a fraction of the
  scale, default 0.05) of a neighbour's, linked in a chain (single linkage), two or more actors.
* *cohesion* of a declared group: the spread (largest minus smallest) of its members' positions
  at the start and after the run, on the issue's scale.
* *leaving the group*: a member either leaves the negotiation (removed) or defects to the
  capability x salience weighted mean of the non-members' positions; the forecast is run again
  and the change reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente import models as registry
from detente.errors import InputError
from detente.forecasting import forecast
from detente.models import ModelInfo
from detente.scenario.model import Group, Scenario

__all__ = [
    "Cohesion",
    "Defection",
    "cohesion",
    "convergence_model",
    "converging_groups",
    "defections",
]


def convergence_model(model: str | None = None) -> ModelInfo:
    """The model whose final positions show who converges: ``model`` (one that runs in rounds),
    or the first default model that does.

    Raises
    ------
    InputError
        ``model`` does not run in rounds, or is unknown.
    """
    if model is None:
        model = next(name for name in registry.defaults() if registry.get(name).iterative)
    info = registry.get(model)
    if not info.iterative:
        dynamic = [i.name for i in registry.registered() if i.iterative]
        raise InputError(
            f"model {model} does not run in rounds, so nobody converges in it; models in "
            f"rounds: {', '.join(dynamic)}"
        )
    return info


def converging_groups(
    actors: Sequence[str], positions: np.ndarray, *, width: float, tolerance: float = 0.05
) -> list[tuple[str, ...]]:
    """Chains of actors whose positions lie within ``tolerance * width`` of a neighbour."""
    order = np.argsort(positions, kind="stable")
    groups: list[list[str]] = []
    previous: float | None = None
    for n in order:
        if previous is None or positions[n] - previous > tolerance * width:
            groups.append([])
        groups[-1].append(actors[n])
        previous = float(positions[n])
    return [tuple(g) for g in groups if len(g) > 1]


@dataclass(frozen=True)
class Cohesion:
    """A declared group's spread of positions at the start and at the end of a run."""

    group: str
    members: tuple[str, ...]
    spread_start: float
    spread_end: float


def cohesion(group: Group, actors: Sequence[str], start: np.ndarray, end: np.ndarray) -> Cohesion:
    """Spread of the members' positions before and after (absent members skipped)."""
    idx = [actors.index(m) for m in group.members if m in actors]
    return Cohesion(
        group.id,
        tuple(group.members),
        float(np.ptp(start[idx])) if idx else 0.0,
        float(np.ptp(end[idx])) if idx else 0.0,
    )


@dataclass(frozen=True)
class Defection:
    """The forecast's change when ``member`` leaves (``how``: removed, or defects)."""

    group: str
    member: str
    how: str
    model: str
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def defections(
    scenario: Scenario,
    group: Group,
    models: Sequence[str],
    issue: str,
    options: dict[str, Any] | None = None,
) -> list[Defection]:
    """Re-run the models with each member removed, and with each member defecting."""
    base = forecast(scenario, models, options=options, calibrate=False)
    members = set(group.members)
    others = [a for a in scenario.actors if a.id not in members]
    weights = np.array([a.capability * a.salience[issue] for a in others])
    places = [a.position[issue] for a in others]
    outside: float | None
    if not others:
        outside = None  # the group is everyone: nobody to defect to
    elif weights.sum() > 0:
        outside = float(np.average(places, weights=weights))
    else:
        outside = float(np.mean(places))
    out = []
    data = scenario.model_dump(mode="json")
    for member in group.members:
        removed = {**data, "actors": [a for a in data["actors"] if a["id"] != member]}
        removed["groups"] = []
        removed["timeline"] = []
        moved = {**data, "groups": [], "timeline": []}
        moved["actors"] = [
            {**a, "position": {**a["position"], issue: outside}, "uncertainty": {}}
            if a["id"] == member
            else a
            for a in data["actors"]
        ]
        for how, variant in (("removed", removed), ("defects", moved)):
            if len(variant["actors"]) < 2 or (how == "defects" and outside is None):
                continue
            fc = forecast(
                Scenario.model_validate(variant), models, options=options, calibrate=False
            )
            for model in models:
                out.append(
                    Defection(
                        group.id,
                        member,
                        how,
                        model,
                        base.value(model, issue),
                        fc.value(model, issue),
                    )
                )
    return out
