"""Section 8: alliances over time, and what a member's leaving does to the forecasts."""

from __future__ import annotations

from typing import Any

from detente.report.cohesion_chart import cohesion_chart
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.scenario.model import Issue

__all__ = ["coalitions", "missing"]


def missing(view: StudyView, issue: Issue) -> str:
    """Why an issue has no coalitions section."""
    found = view.analyses(issue.id)
    if "alliances" not in found:
        return "this run was made before the report showed coalitions"
    if not view.scenario.groups:
        return "the scenario declares no group (groups: in the scenario file)"
    return "no model in rounds was run, so nobody's positions change"


def coalitions(view: StudyView, issue: Issue, add: AddChart) -> dict[str, Any] | None:
    """Cohesion of each declared group by round (chart and table), the converging chains and
    each member's leaving, as the study found them; None when it has none."""
    found = view.analyses(issue.id).get("alliances")
    if not found:
        return None
    label = view.label
    groups = found["groups"]
    chart = None
    if groups and len(groups[0]["rounds"]) > 1:
        chart = add(
            f"cohesion-{issue.id}",
            f"Cohesion of each declared group in the {found['model']} model: the largest minus "
            "the smallest of its members' positions, round by round (0: the members agree).",
            cohesion_chart(
                groups[0]["rounds"],
                [(g["name"] or g["id"], g["spread"]) for g in groups],
                issue.max - issue.min,
                found["model"],
            ),
        )
    rows = found["leaving"]
    models = list(dict.fromkeys(row["model"] for row in rows))
    ways = list(dict.fromkeys((row["group"], row["member"], row["how"]) for row in rows))
    change = {(r["group"], r["member"], r["how"], r["model"]): r["change"] for r in rows}
    names = {g["id"]: g["name"] or g["id"] for g in groups}
    return {
        "model": found["model"],
        "tolerance": found["tolerance"],
        "converging": [[label(a) for a in chain] for chain in found["converging"]],
        "chart": chart,
        "first_round": groups[0]["rounds"][0] if groups else 0,
        "last_round": groups[0]["rounds"][-1] if groups else 0,
        "groups": [
            {
                "name": g["name"] or g["id"],
                "members": [label(m) for m in g["members"]],
                "start": g["spread"][0],
                "end": g["spread"][-1],
            }
            for g in groups
        ],
        "models": models,
        "leaving": [
            {
                "group": names.get(group, group),
                "member": label(member),
                "how": how,
                "cells": [change.get((group, member, how, m)) for m in models],
            }
            for group, member, how in ways
        ],
        "leaving_missing": found["leaving_missing"],
    }
