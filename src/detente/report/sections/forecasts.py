"""Section 3: every model's forecast, and its distribution under each future's draws."""

from __future__ import annotations

from typing import Any

from detente.report import charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.scenario.model import Issue

__all__ = ["forecasts"]


def forecasts(view: StudyView, issue: Issue, add: AddChart) -> dict[str, Any]:
    """The forecast table, the Monte Carlo table, band probabilities and the chart."""
    prefix = f"{issue.id}:"
    rows = [
        {
            "model": entry["model"],
            "value": entry["value"],
            "label": entry["label"],
            "i80": (entry.get("calibrated") or {}).get("intervals", {}).get("80"),
            "notes": [n.split(":", 1)[1].strip() for n in entry["notes"] if n.startswith(prefix)],
        }
        for entry in view.forecasts(issue.id)
    ]
    intervals: dict[str, list[charts.Interval]] = {}
    mc = []
    for model in view.simulated_models:
        intervals[model] = []
        for future in view.futures:
            summary = view.result(future, model, issue.id)
            if summary is None:
                continue
            intervals[model].append(
                charts.Interval(
                    future=future,
                    median=summary["median"],
                    i50=(summary["interval_50"][0], summary["interval_50"][1]),
                    i80=(summary["interval_80"][0], summary["interval_80"][1]),
                    counts=tuple(summary["histogram"]["counts"]),
                    edges=tuple(summary["histogram"]["edges"]),
                )
            )
            mc.append(
                {
                    "model": model,
                    "future": future,
                    "median": summary["median"],
                    "i50": summary["interval_50"],
                    "i80": summary["interval_80"],
                    "c80": (summary.get("calibrated") or {}).get("intervals", {}).get("80"),
                    "label": issue.label(summary["median"]),
                    "bands": summary["bands"],
                }
            )
    anchors: list[dict[str, Any]] = []
    bands: list[dict[str, Any]] = []
    if mc and mc[0]["bands"]:
        anchors = [
            {"anchor": band["anchor"], "from": band["from"], "to": band["to"]}
            for band in mc[0]["bands"]
        ]
        bands = [
            {
                "model": row["model"],
                "future": row["future"],
                "cells": [band["probability"] for band in row["bands"]],
                "calibrated": [band.get("calibrated_probability") for band in row["bands"]],
            }
            for row in mc
        ]
    simulated = view.simulation is not None
    models = [row["model"] for row in rows]
    drawn = {row["model"] for row in mc}
    undrawn = [m for m in models if m not in drawn] if simulated else []
    return {
        "forecasts": rows,
        "calibrated": any(row["i80"] is not None for row in rows),
        "mc": mc,
        "bands": {"anchors": anchors, "rows": bands},
        "chart_forecasts": add(
            f"forecasts-{issue.id}",
            "Every model's forecast: the diamond is the forecast from the inputs as given"
            + (
                ", the dashed line its calibrated 80% interval (80% of EU decisions with "
                "forecasts like it landed in such an interval)"
                if any(row["i80"] is not None for row in rows)
                else ""
            )
            + (
                "; bars show where the Monte Carlo draws fell under each future (thick: the "
                "middle 50%, thin: the middle 80%, circle: the median; shading: the histogram)."
                + (
                    f" {', '.join(undrawn)}: no draws (see the warning at the top)."
                    if undrawn
                    else ""
                )
                if simulated
                else "."
            ),
            charts.forecasts_chart(
                issue,
                models,
                [view.value(m, issue.id) for m in models],
                intervals,
                {row["model"]: row["i80"] for row in rows},
            ),
        ),
    }
