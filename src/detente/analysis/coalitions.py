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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente import models as registry
from detente.analysis._document import headed_document
from detente.errors import InputError
from detente.forecasting import forecast
from detente.models import ModelInfo
from detente.scenario.model import Group, Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COALITIONS_SCHEMA",
    "Coalitions",
    "Cohesion",
    "Defection",
    "coalitions",
    "cohesion",
    "convergence_model",
    "converging_groups",
    "defections",
]

#: Version tag of :meth:`Coalitions.document`.
COALITIONS_SCHEMA = "detente.coalitions/1"


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


@dataclass(frozen=True)
class Coalitions:
    """Who converges on ``issue`` in ``model``'s run, how cohesive the declared groups are, and
    what each member's leaving does to every model's forecast (:func:`coalitions`).

    ``converging`` holds the chains of actors whose final positions lie within ``tolerance`` of
    the scale of a neighbour's, with their spreads at the start and after ``rounds`` rounds
    (named ``converging-1``, ``converging-2``... from the lowest position up); ``declared``
    the scenario's groups; ``leaving`` the forecasts with each member removed or defecting.
    """

    issue: str
    model: str
    tolerance: float
    rounds: int
    converging: tuple[Cohesion, ...]
    declared: tuple[Cohesion, ...]
    leaving: tuple[Defection, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "issue": self.issue,
            "model": self.model,
            "tolerance": self.tolerance,
            "converging": [list(g.members) for g in self.converging],
            "cohesion": [vars(c) for c in self.declared],
            "leaving": [{**vars(d), "change": d.change} for d in self.leaving],
        }

    def document(self, scenario: Scenario) -> dict[str, Any]:
        """The ``detente.coalitions/1`` document of these coalitions on ``scenario``, as
        ``detente coalitions --json`` prints it and the workbench serves it."""
        return headed_document(COALITIONS_SCHEMA, scenario, self.to_json())

    def to_frame(self) -> pd.DataFrame:
        """One row per member of each group, converging chains first.

        Columns: ``group`` (its id, or ``converging-N``), ``declared`` (False for a chain
        found in the run), ``member``, ``spread_start`` and ``spread_end`` (the group's spread
        of positions at the start and after the run, on the issue's scale, repeated on each
        member's row).
        """
        import pandas as pd

        rows = [
            (g.group, declared, member, g.spread_start, g.spread_end)
            for declared, groups in ((False, self.converging), (True, self.declared))
            for g in groups
            for member in g.members
        ]
        return pd.DataFrame(
            rows, columns=["group", "declared", "member", "spread_start", "spread_end"]
        ).astype({"declared": "bool", "spread_start": "float64", "spread_end": "float64"})

    def leaving_frame(self) -> pd.DataFrame:
        """One row per declared group, member, way of leaving and model.

        Columns: ``group``, ``member``, ``how`` (``removed`` or ``defects``), ``model``,
        ``before`` and ``after`` (the model's forecast of the issue) and ``change``.
        """
        import pandas as pd

        return pd.DataFrame(
            [
                (d.group, d.member, d.how, d.model, d.before, d.after, d.change)
                for d in self.leaving
            ],
            columns=["group", "member", "how", "model", "before", "after", "change"],
        ).astype({"before": "float64", "after": "float64", "change": "float64"})

    def _repr_html_(self) -> str:
        """The coalitions in a notebook: the converging chains, the declared groups' spreads
        and each member's leaving (change of each model's forecast)."""
        from detente import _html

        groups = [(False, g) for g in self.converging] + [(True, g) for g in self.declared]
        models = list(dict.fromkeys(d.model for d in self.leaving))
        ways = list(dict.fromkeys((d.member, d.how) for d in self.leaving))
        change = {(d.member, d.how, d.model): d.change for d in self.leaving}
        parts = [
            _html.line(
                f"Final positions of {self.model} after {_html.count(self.rounds, 'round')}, "
                f"within {self.tolerance:g} of the scale"
            ),
            _html.table(
                ["Group", "Kind", "Members", "Spread at start", "Spread at end"],
                (
                    [
                        g.group,
                        "declared" if declared else "converging",
                        ", ".join(g.members),
                        g.spread_start,
                        g.spread_end,
                    ]
                    for declared, g in groups
                ),
                caption="Groups",
            )
            if groups
            else _html.line("Nobody converges and no group is declared"),
        ]
        if ways:
            parts.append(
                _html.table(
                    ["Member", "How", *models],
                    (
                        [member, how, *(change.get((member, how, m)) for m in models)]
                        for member, how in ways
                    ),
                    caption="If a member leaves: change of each forecast",
                )
            )
        return _html.block(f"Coalitions on {self.issue}", *parts)


def coalitions(
    scenario: Scenario,
    issue: str | None = None,
    *,
    model: str | None = None,
    tolerance: float = 0.05,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Coalitions:
    """Who converges, how cohesive the declared groups are and who matters to them (the
    module's rules), as ``detente coalitions`` shows them.

    ``model`` is a model that runs in rounds (default: :func:`convergence_model`); the
    members' leaving is run with every default model and it. ``issue`` defaults to the first.

    Raises
    ------
    InputError
        ``model`` does not run in rounds, or ``issue`` is unknown.
    """
    from detente.analysis.dyads import check_issue

    issue = check_issue(scenario, issue)
    name = convergence_model(model).name
    models = list(dict.fromkeys([*registry.defaults(), name]))
    settings = {k: dict(v) for k, v in (options or {}).items()}
    path = (
        forecast(scenario, [name], options=settings, calibrate=False)
        .run(name)
        .rounds[scenario.issue_ids.index(issue)]
    )
    start, end = np.array(path[0].positions), np.array(path[-1].positions)
    scale = scenario.issue(issue)
    ids = list(scenario.actor_ids)
    chains = converging_groups(ids, end, width=scale.max - scale.min, tolerance=tolerance)
    return Coalitions(
        issue=issue,
        model=name,
        tolerance=tolerance,
        rounds=path[-1].round,
        converging=tuple(
            cohesion(Group(id=f"converging-{n}", members=list(chain)), ids, start, end)
            for n, chain in enumerate(chains, start=1)
        ),
        declared=tuple(cohesion(g, ids, start, end) for g in scenario.groups),
        leaving=tuple(
            d for g in scenario.groups for d in defections(scenario, g, models, issue, settings)
        ),
    )
