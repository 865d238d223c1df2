"""Section 9 (when the run is sealed): the track record of the questions it is a forecast of.

Reads the ``track_record`` list the front end puts into the document (each entry one
question's record from :func:`detente.track.record.question_record`: its vintages, their
intervals and their scores, already computed) and draws the vintages over time against the
outcome. Computes no score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from detente.report.sections import AddChart
from detente.report.track_chart import Row, track_chart

__all__ = ["track_record"]


def track_record(
    entries: Sequence[Mapping[str, Any]] | None, add: AddChart
) -> list[dict[str, Any]]:
    """Template data (and a chart) per question: its rubric, resolutions and vintages."""
    out = []
    for n, entry in enumerate(entries or []):
        question = entry["question"]
        readings = [r["reading"] for r in entry["resolutions"]]
        rows: list[dict[str, Any]] = []
        drawn: list[Row] = []
        for vintage in entry["vintages"]:
            for f in vintage["forecasts"]:
                rows.append(
                    {
                        "sealed": vintage["sealed_at"][:10],
                        "seal": vintage["seal"],
                        "verified": vintage["verified"],
                        "model": f["model"],
                        "branch": f["branch"],
                        "point": f["point"],
                        "i50": f["interval_50"],
                        "i80": f["interval_80"],
                        "distribution": f["distribution"],
                        "scores": f["scores"],
                    }
                )
                drawn.append(
                    Row(
                        label=f"{vintage['sealed_at'][:10]} {f['model']}"
                        + (f" ({f['branch']})" if f["branch"] else ""),
                        point=float(f["point"]),
                        i50=None if f["interval_50"] is None else tuple(f["interval_50"]),
                        i80=None if f["interval_80"] is None else tuple(f["interval_80"]),
                    )
                )
        outcomes = [
            (r["reading"], float(r["outcome"]))
            for r in entry["resolutions"]
            if r["outcome"] is not None
        ]
        chart = None
        if drawn:
            issue = question["issue"]
            chart = add(
                f"track-record-{n}",
                f"Question {question['id']}: each sealed vintage's forecast by model and branch "
                "(diamond: the point; thick bar: the 50% interval; thin bar: the 80% interval), "
                "oldest seal at the top"
                + ("; dashed lines: the outcome of each reading." if outcomes else "."),
                track_chart(
                    drawn, outcomes, (float(issue["min"]), float(issue["max"])), issue["name"]
                ),
            )
        out.append(
            {
                "question": question,
                "resolutions": entry["resolutions"],
                "replaced": entry.get("replaced", []),
                "readings": readings,
                "rows": rows,
                "chart": chart,
                "problems": [p for v in entry["vintages"] for p in v["problems"]],
            }
        )
    return out
