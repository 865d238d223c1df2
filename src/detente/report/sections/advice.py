"""Section 7: what the forecast hangs on, and advice for the viewpoint's actor."""

from __future__ import annotations

from typing import Any

from detente.report.document import StudyView
from detente.scenario.model import Issue

__all__ = ["advice", "sensitivity"]


def sensitivity(view: StudyView, issue: Issue) -> dict[str, Any] | None:
    """The inputs each model's outcome is most rank-correlated with (as the study found)."""
    found: dict[str, Any] | None = view.analyses(issue.id).get("sensitivity")
    return found


def advice(view: StudyView, issue: Issue) -> dict[str, Any] | None:
    """The position to announce and whom to persuade, for the viewpoint's actor."""
    found = view.analyses(issue.id).get("advice")
    if not found:
        return None
    return {
        "focal": view.label(found["focal"]),
        "model": found["model"],
        "ideal": found["ideal"],
        "forecast": found["forecast"],
        "best_position": found["best_position"]["position"],
        "best_forecast": found["best_position"]["forecast"],
        "gain": found["gain"],
        "levers": [
            {
                "actor": view.label(lever["actor"]),
                "change": lever["change"],
                "forecast": lever["forecast"],
                "gain": lever["gain"],
            }
            for lever in found["levers"]
        ],
    }
