"""Section 5: the dyads from a viewpoint, miscalculation risk and crisis incentives."""

from __future__ import annotations

from typing import Any

from detente.report import charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.scenario.model import Issue

__all__ = ["MAX_PANELS", "dyads"]

#: Quad maps side by side at most (one per future).
MAX_PANELS = 3


def dyads(
    view: StudyView, issue: Issue, palette: dict[str, str], add: AddChart
) -> dict[str, Any] | None:
    """The dyad section of one issue, or None when the study has no dyads for it."""
    found = view.analyses(issue.id).get("dyads")
    if not found:
        return None
    label = view.label
    focus = found["viewpoint"]
    futures = []
    panels: list[tuple[str, list[tuple[str, float, float]]]] = []
    for f in found["futures"]:
        if len(panels) < MAX_PANELS:
            panels.append(
                (f["name"], [(d["other"], d["eu_mine"], d["eu_theirs"]) for d in f["quad"]])
            )
        futures.append(
            {
                "name": f["name"],
                "events": f["events"],
                "dyads": [
                    {
                        "other": label(d["other"]),
                        "eu_mine": d["eu_mine"],
                        "eu_theirs": d["eu_theirs"],
                        "region": d["region"],
                        "gives_way": label(d["gives_way"]) if d["gives_way"] else None,
                    }
                    for d in f["quad"]
                ],
                "misperceptions": [
                    {
                        "i": label(m["i"]),
                        "j": label(m["j"]),
                        "i_view": _view(m["i_view"], label),
                        "j_view": _view(m["j_view"], label),
                        "first": m["first"],
                        "rounds": m["rounds"],
                    }
                    for m in f["misperceptions"]
                ],
                "incentives": [
                    {"actor": label(c["actor"]), "gain": c["gain"], "target": label(c["target"])}
                    for c in f["incentives"]
                ],
                "n_rounds": f["rounds"],
            }
        )
    chart = None
    if panels:
        who = label(focus)
        names = {a: label(a) for a in palette}
        chart = add(
            f"quad-{issue.id}",
            f"The quad map from {charts.possessive(who)} viewpoint in round 1: for every other "
            f"actor, what {who} expects to gain by challenging it (across) and what it expects "
            f"to gain by challenging {who} (up), as {who} sees them.",
            charts.quad_chart(who, panels, palette, names),
        )
    return {
        "model": found["model"],
        "viewpoint": label(focus),
        "viewpoint_id": focus,
        "chart": chart,
        "futures": futures,
    }


def _view(view: dict[str, Any], label: Any) -> str:
    who = view["gives_way"]
    return f"{view['region']}, {label(who)} gives way" if who else view["region"]
