"""Section 6: each future of the timeline side by side."""

from __future__ import annotations

from typing import Any

from detente.report import charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.scenario.model import Issue, Scenario

__all__ = ["branches"]


def branches(view: StudyView, issue: Issue, add: AddChart) -> dict[str, Any] | None:
    """Every model's forecast under each future (and as given), with the Monte Carlo medians."""
    found = view.analyses(issue.id).get("branches")
    if found is None:
        return None
    # a model that takes events only before its first round has no forecast under later events
    models = [
        entry["model"]
        for entry in view.forecasts(issue.id)
        if all(entry["model"] in future["points"] for future in found)
    ]
    descriptions = _descriptions(view.scenario)
    rows: list[dict[str, Any]] = [
        {
            "future": "inputs as given",
            "probability": None,
            "description": "No event of the timeline happens.",
            "points": {m: view.value(m, issue.id) for m in models},
            "mc": {},
        }
    ]
    for future in found:
        mc = {}
        for m in models:
            summary = view.result(future["future"], m, issue.id)
            if summary is not None:
                mc[m] = {"median": summary["median"], "i80": summary["interval_80"]}
        rows.append(
            {
                "future": future["future"],
                "probability": future["probability"],
                "description": " ".join(
                    descriptions.get(part, "") for part in future["future"].split("+")
                ).strip(),
                "points": future["points"],
                "mc": mc,
            }
        )
    chart = add(
        f"branches-{issue.id}",
        "Each future of the timeline side by side: every model's forecast from the inputs as "
        "given, with the future's events applied.",
        charts.branches_chart(
            issue,
            [r["future"] for r in rows],
            models,
            {m: [r["points"][m] for r in rows] for m in models},
        ),
    )
    return {"rows": rows, "models": models, "chart": chart}


def _descriptions(s: Scenario) -> dict[str, str]:
    out = {}
    for event in s.timeline:
        for name, branch in event.branches.items():
            changes = [f"{k} = {v:g}" for k, v in branch.set.items()]
            changes += [f"{k} {v:+g}" for k, v in branch.shift.items()]
            changes += [f"{a.id} joins" for a in branch.add_actors]
            changes += [f"{a} leaves" for a in branch.remove_actors]
            when = event.name or str(event.at)
            text = f"{when}: {name}"
            if changes:
                text += f" ({'; '.join(changes)})"
            out[name] = text + "."
    return out
