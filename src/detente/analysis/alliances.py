"""Alliances over a run, for the report: each declared group's spread of positions round by round
and what each member's leaving does to the forecasts (:mod:`detente.analysis.coalitions`'s
rules, read from a forecast already made instead of a new run).

Rules used here, beyond those of :mod:`detente.analysis.coalitions`:

* the rounds are those of the first model run that has rounds (the expected utility model by
  default); the chains that converge are read from its last round;
* a member's leaving is run with every model of the forecast, with their options;
* leaving is left out when the groups' members number more than :data:`MAX_LEAVING` (each
  member costs two forecasts), with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from detente.analysis.coalitions import converging_groups, defections
from detente.forecasting import Forecast
from detente.scenario.model import Scenario

__all__ = ["MAX_LEAVING", "alliances"]

#: Above this many group members in all, nobody's leaving is run.
MAX_LEAVING = 24


def alliances(
    scenario: Scenario,
    issue: str,
    fc: Forecast,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    tolerance: float = 0.05,
) -> dict[str, Any] | None:
    """Cohesion of each declared group by round, converging chains, and each member's leaving.

    None when the forecast has no model in rounds.
    """
    j = scenario.issue_ids.index(issue)
    model = next((run.model for run in fc.runs if run.rounds and run.rounds[j]), None)
    if model is None:
        return None
    path = fc.run(model).rounds[j]
    ids = list(scenario.actor_ids)
    positions = np.array([state.positions for state in path])  # (rounds, actors)
    scale = scenario.issue(issue)
    chains = converging_groups(ids, positions[-1], width=scale.max - scale.min, tolerance=tolerance)
    groups = []
    for group in scenario.groups:
        idx = [ids.index(m) for m in group.members if m in ids]
        spread = np.ptp(positions[:, idx], axis=1) if idx else np.zeros(len(path))
        groups.append(
            {
                "id": group.id,
                "name": group.name,
                "members": list(group.members),
                "rounds": [int(state.round) for state in path],
                "spread": [float(v) for v in spread],
                "mean": [float(v) for v in positions[:, idx].mean(axis=1)] if idx else [],
            }
        )
    members = sum(len(g.members) for g in scenario.groups)
    leaving: list[dict[str, Any]] = []
    leaving_missing = None
    if members > MAX_LEAVING:
        leaving_missing = f"the groups have {members} members, more than {MAX_LEAVING}"
    else:
        settings = {k: dict(v) for k, v in (options or {}).items()}
        for group in scenario.groups:
            for d in defections(scenario, group, list(fc.models), issue, settings):
                leaving.append(
                    {
                        "group": d.group,
                        "member": d.member,
                        "how": d.how,
                        "model": d.model,
                        "before": d.before,
                        "after": d.after,
                        "change": d.change,
                    }
                )
    return {
        "model": model,
        "tolerance": tolerance,
        "converging": [list(c) for c in chains],
        "groups": groups,
        "leaving": leaving,
        "leaving_missing": leaving_missing,
    }
