"""The report's header: what was run, on what, when, with which options and seed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from detente._version import __version__
from detente.report.document import StudyView

__all__ = ["header"]


def header(view: StudyView) -> dict[str, Any]:
    """The header's facts."""
    s = view.scenario
    doc = view.doc
    sim = view.simulation
    models = []
    for name, entry in doc["models"].items():
        options = dict(entry["options"])
        changed = [f"{k}={v}" for k, v in entry["changed"].items() if k != "preset"]
        models.append(
            {
                "name": name,
                "preset": options.get("preset"),
                "changed": changed,
                "options": json.dumps(options, sort_keys=True),
            }
        )
    made = dt.datetime.fromisoformat(doc["made"]).astimezone(dt.UTC)
    version = doc["detente_version"]
    return {
        "scenario_id": s.id,
        "scenario_name": s.name,
        "as_of": s.as_of.isoformat() if s.as_of else None,
        "description": s.description,
        "hash": doc["scenario"]["hash"],
        "what_if": s.variant_of.model_dump(mode="json") if s.variant_of else None,
        "made": made.strftime("%Y-%m-%d %H:%M UTC"),
        "run_id": doc.get("run_id"),
        "version": version,
        "rendered_by": __version__ if __version__ != version else None,
        "seed": doc.get("seed"),
        "draws": sim["draws"] if sim else 0,
        "spread": sim["spread"] if sim else 0.0,
        "branches": sim["branches"] if sim else None,
        "futures": view.futures,
        "models": models,
        "sources": [
            {
                "id": src.id,
                "title": src.title,
                "author": src.author,
                "publisher": src.publisher,
                "date": src.date.isoformat() if src.date else "",
                "url": src.url or "",
                "file": src.file or "",
            }
            for src in s.sources
        ],
    }
