"""Section 8: the models, those left out and why, and their accuracy on DEU III."""

from __future__ import annotations

from typing import Any

from detente import models as registry
from detente.report.document import StudyView

__all__ = ["left_out", "methods"]


def methods(view: StudyView) -> list[dict[str, Any]]:
    """What each model run does, and its published source."""
    out = []
    for name, entry in view.doc["models"].items():
        info = registry.get(name)
        out.append(
            {
                "name": info.name,
                "title": info.title,
                "summary": info.summary,
                "reference": info.reference,
                "iterative": info.iterative,
                "preset": entry["options"].get("preset"),
            }
        )
    return out


def left_out(view: StudyView) -> list[dict[str, str]]:
    """The registered models the study did not run, and why."""
    return [dict(entry) for entry in view.doc.get("left_out", [])]
