"""Section 8: the models, those left out and why, and their accuracy on DEU III."""

from __future__ import annotations

from typing import Any

from detente import models as registry
from detente.report.document import StudyView

__all__ = ["left_out", "methods", "reliability"]


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


def reliability(view: StudyView) -> dict[str, Any]:
    """How far each model's calibrated intervals held on DEU III (the shipped evaluation)."""
    from detente.calibration import NOMINAL, shipped

    doc = shipped()
    rows = []
    for entry in doc["models"]:
        run = view.doc["models"].get(entry["model"])
        if run is None or dict(run.get("options", {})) != dict(entry.get("options", {})):
            continue  # not in the study, or run with options its errors were not learned with
        figures = entry["evaluation"]["repeated"]["all"]
        rows.append(
            {
                "model": entry["model"],
                "observed": [figures[f"cover{round(n * 100)}"] for n in NOMINAL],
                "crps": figures["crps"],
                "width80": figures["width80"],
                "point_mae": entry["point_mae"],
            }
        )
    return {
        "nominal": list(NOMINAL),
        "rows": rows,
        "decisions": doc["decisions"],
        "repeats": doc["repeats"],
    }
