"""The report of a sweep: what varied, what moves each forecast, where it tips, and the charts.

Rendered from a stored ``detente.sweep/1`` document (the lines through the base point and the
heat map's means are in it): nothing here runs a model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from detente._version import __version__
from detente.errors import InputError
from detente.report.layout import style
from detente.report.page import Chart, Report
from detente.report.sweep_charts import heatmap_chart, line_chart
from detente.scenario.model import Scenario

__all__ = ["SWEEP_SCHEMA", "build_sweep"]

SWEEP_SCHEMA = "detente.sweep/1"


def build_sweep(document: Mapping[str, Any]) -> Report:
    """The sections and charts of a sweep's report.

    Raises
    ------
    InputError
        ``document`` is not a ``detente.sweep/1`` document.
    """
    if document.get("schema") != SWEEP_SCHEMA:
        raise InputError(f"not a {SWEEP_SCHEMA} document: {document.get('schema')!r}")
    s = Scenario.model_validate(document["scenario"]["copy"])
    kept: dict[str, Chart] = {}

    def add(name: str, caption: str, figure: Figure) -> str:
        kept[name] = Chart(name, caption, figure)
        return name

    tips = document["tipping"]
    lines = []
    with style():
        for line in document["lines"]:
            for issue in s.issues:
                series = {
                    model: values[issue.id]
                    for model, values in line["forecasts"].items()
                    if issue.id in values
                }
                if not series:
                    continue
                marks = [
                    (t["model"], t["at"])
                    for t in tips
                    if t["input"] == line["input"] and t["issue"] == issue.id
                ]
                name = add(
                    f"line-{line['input']}-{issue.id}".replace(".", "-"),
                    f"Each model's forecast of “{issue.name or issue.id}” as {line['input']} moves "
                    "(every other input at its base value, tied inputs following); dotted: the "
                    "tipping points.",
                    line_chart(issue, line["input"], line["values"], series, marks),
                )
                lines.append(
                    {"input": line["input"], "issue": issue.name or issue.id, "chart": name}
                )
        heat = []
        for h in document.get("heatmaps", []):
            issue = s.issue(h["issue"])
            name = add(
                f"heat-{h['model']}-{h['issue']}",
                f"The {h['model']} model's mean forecast of “{issue.name or issue.id}” at each "
                f"pair of values of {h['rows']} (up) and {h['columns']} (across).",
                heatmap_chart(
                    h["rows"],
                    h["columns"],
                    h["row_values"],
                    h["column_values"],
                    h["mean"],
                    issue=issue,
                ),
            )
            heat.append({"model": h["model"], "issue": issue.name or issue.id, "chart": name})
    made = document.get("made")
    data = {
        "title": document.get("name") or f"Sweep of {s.name or s.id}",
        "scenario": s.reference() | {"as_of": s.as_of.isoformat() if s.as_of else None},
        "run_id": document.get("run_id"),
        "version": document["detente_version"],
        "rendered_by": __version__ if __version__ != document["detente_version"] else None,
        "made": dt.datetime.fromisoformat(made).strftime("%Y-%m-%d %H:%M UTC") if made else None,
        "design": document["design"],
        "points": document["points"],
        "seed": document["seed"],
        "models": document["models"],
        "axes": document["axes"],
        "ties": document["ties"],
        "influence": document["influence"],
        "tipping": tips,
        "questions": document["questions"],
        "lines": lines,
        "heatmaps": heat,
        "unsettled": document.get("unsettled_runs", 0),
    }
    return Report(data=data, charts=kept, template="sweep.html.j2")
