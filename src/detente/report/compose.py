"""Build a report from a study document: template data and charts, section by section.

:func:`build` reads a ``detente.study/1`` document (what :meth:`detente.analysis.Study.to_json`
gives and the run store keeps) and returns a :class:`Report`: a dictionary for the template and
the charts as matplotlib figures. It runs no model and reads neither the clock nor random
numbers, so the same document gives the same report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from detente.report import charts
from detente.report.accuracy import load_accuracy
from detente.report.document import StudyView
from detente.report.layout import colours, style
from detente.report.page import Chart, Report
from detente.report.sections import (
    advice,
    branches,
    coalitions,
    dyads,
    dynamics,
    forecasts,
    header,
    inputs,
    judgments,
    track,
    trades,
)
from detente.report.sections import methods as notes

__all__ = ["Chart", "Report", "build"]


def build(document: Mapping[str, Any]) -> Report:
    """Every section of the report of a study (or a sweep) document.

    Raises
    ------
    InputError
        ``document`` is neither a ``detente.study/1`` nor a ``detente.sweep/1`` document.
    """
    if document.get("schema") == "detente.sweep/1":
        from detente.report.sweep import build_sweep

        return build_sweep(document)
    view = StudyView.of(document)
    s = view.scenario
    # the actors the charts name come first, so that each has a colour of its own
    top = inputs.shown(s)
    palette = colours([*top, *(a for a in inputs.all_actor_ids(s) if a not in set(top))])
    kept: dict[str, Chart] = {}

    def add(name: str, caption: str, figure: Figure) -> str:
        kept[name] = Chart(name, caption, figure)
        return name

    sections = []
    accuracy = load_accuracy()
    held = notes.reliability(view)
    with style():
        for issue in s.issues:
            found = view.analyses(issue.id)
            section = inputs.question(view, issue, palette, add)
            section |= inputs.power(view, issue, palette, add)
            section |= forecasts.forecasts(view, issue, add)
            section["dynamics"] = dynamics.dynamics(view, issue, palette, add)
            section["over_time"] = dynamics.over_time(view, issue, palette, add)
            # left out with dyads run (over the bound on work): say why
            section["over_time_missing"] = (
                found.get("dynamics_missing") if found.get("dyads") else None
            )
            section["dyads"] = dyads.dyads(view, issue, palette, add)
            section["dyads_missing"] = found.get("dyads_missing")
            section["branches"] = branches.branches(view, issue, add)
            section["sensitivity"] = advice.sensitivity(view, issue)
            section["advice"] = advice.advice(view, issue)
            section["coalitions"] = coalitions.coalitions(view, issue, add)
            section["coalitions_missing"] = coalitions.missing(view, issue)
            sections.append(section)
        traded = trades.trades(view, palette, add)
        if held["rows"]:
            held["chart"] = add(
                "reliability",
                "How far the calibrated intervals held on DEU III: for each nominal level, the "
                f"share of the {held['decisions']} EU decisions whose outcome fell inside the "
                f"model's interval (10-fold cross-validation by proposal, mean of "
                f"{held['repeats']} fold assignments, under three capability readings). On the "
                "dashed diagonal an interval holds what it says; the band is 3 points either side.",
                charts.reliability_chart(
                    held["nominal"], {row["model"]: row["observed"] for row in held["rows"]}
                ),
            )
        record = track.track_record(document.get("track_record"), add)
    data = {
        "title": s.name or s.id,
        "header": header.header(view),
        "warnings": list(document.get("warnings", [])),
        "legend": [
            {"id": a.id, "label": a.label, "colour": palette[a.id]}
            for a in s.actors
            if a.id in set(top)
        ],
        "unnamed": len(s.actors) - len(top),
        "many": len(s.actors) > inputs.MANY_ACTORS,
        "actors": inputs.actors(s, palette),
        "actors_csv": inputs.actors_csv(s) if len(s.actors) > inputs.MANY_ACTORS else None,
        "issues": sections,
        "trades": traded,
        "methods": notes.methods(view),
        "left_out": notes.left_out(view),
        "accuracy": accuracy,
        "judgments": [judgments.key_judgments(view, i, accuracy, held) for i in s.issues],
        "reliability": held,
        "has_simulation": view.simulation is not None,
        "track_record": record,
    }
    return Report(data=data, charts=kept)
