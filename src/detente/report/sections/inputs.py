"""Sections 1 and 2: each issue's scale, the actors' inputs and evidence, mountains of power."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from typing import Any

from detente.report import charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.scenario.model import Issue, Scenario

__all__ = [
    "MANY_ACTORS",
    "TOP_ACTORS",
    "actors",
    "actors_csv",
    "all_actor_ids",
    "by_weight",
    "power",
    "question",
    "shown",
]

#: Above this many actors the report is cut to size: charts name the top actors, full tables
#: are folded away and the evidence goes to an appendix.
MANY_ACTORS = 20
#: Actors a chart names when there are many (one colour each).
TOP_ACTORS = 12


def by_weight(s: Scenario) -> list[str]:
    """The actors by capability x salience summed over the issues, largest first (ties: file
    order)."""
    weight = {a.id: a.capability * sum(a.salience.values()) for a in s.actors}
    return sorted(s.actor_ids, key=lambda a: -weight[a])


def shown(s: Scenario) -> list[str]:
    """The actors the charts draw one by one: all of them, or the top by weight when many."""
    if len(s.actors) <= MANY_ACTORS:
        return list(s.actor_ids)
    top = set(by_weight(s)[:TOP_ACTORS])
    return [a for a in s.actor_ids if a in top]


def _of_many(s: Scenario) -> str:
    if len(s.actors) <= MANY_ACTORS:
        return ""
    return (
        f" Of the {len(s.actors)} actors, the {TOP_ACTORS} with the most capability × salience "
        "are named; every actor is in the inputs table."
    )


def all_actor_ids(s: Scenario) -> list[str]:
    """The scenario's actors, then any a timeline branch adds (each keeps one colour)."""
    ids = list(s.actor_ids)
    for event in s.timeline:
        for branch in [event, *event.branches.values()]:
            ids += [a.id for a in branch.add_actors if a.id not in ids]
    return ids


def question(
    view: StudyView, issue: Issue, palette: dict[str, str], add: AddChart
) -> dict[str, Any]:
    """The issue's scale, and where each actor stands on it."""
    s = view.scenario
    top = set(shown(s))
    named = [a for a in s.actors if a.id in top]
    return {
        "id": issue.id,
        "name": issue.name or issue.id,
        "description": issue.description,
        "min": issue.min,
        "max": issue.max,
        "unit": issue.unit,
        "status_quo": issue.status_quo,
        "scale": [{"anchor": a, "label": issue.scale[a]} for a in sorted(issue.scale)],
        "chart_scale": add(
            f"scale-{issue.id}",
            f"The scale of “{issue.name or issue.id}” and where each actor stands on it."
            + _of_many(s),
            charts.scale_chart(
                issue,
                [a.label for a in named],
                [a.position[issue.id] for a in named],
                [palette[a.id] for a in named],
            ),
        ),
    }


def power(view: StudyView, issue: Issue, palette: dict[str, str], add: AddChart) -> dict[str, Any]:
    """Mountains of power: capability x salience piled up at each position, with the first cut."""
    s = view.scenario
    cut = view.analyses(issue.id)["first_cut"]
    weights = cut["weights"]
    top = set(shown(s))
    named = [a for a in s.actors if a.id in top]
    rest = [a for a in s.actors if a.id not in top]
    return {
        "first_cut": {"median": cut["median"], "mean": cut["mean"]},
        "chart_power": add(
            f"power-{issue.id}",
            "Mountains of power: each actor's capability × salience piled up at its position; "
            "the weighted median is Bueno de Mesquita's first cut, the weighted mean the "
            "compromise."
            + (
                f" The other {len(rest)} actors are piled together in grey at the foot of the "
                f"ridge; the {len(named)} with the most capability × salience are named."
                if rest
                else ""
            ),
            charts.power_chart(
                issue,
                [a.label for a in named],
                [a.position[issue.id] for a in named],
                [weights[a.id] for a in named],
                [palette[a.id] for a in named],
                median=cut["median"],
                mean=cut["mean"],
                others=(
                    [a.position[issue.id] for a in rest],
                    [weights[a.id] for a in rest],
                ),
            ),
        ),
    }


def actors(s: Scenario, palette: dict[str, str]) -> list[dict[str, Any]]:
    """Each actor's inputs, their ranges and the evidence behind them."""
    sources = {src.id: src for src in s.sources}
    rows = []
    for a in s.actors:
        evidence = []
        for ev in a.evidence:
            src = sources.get(ev.source)
            cite = ev.source
            if src is not None:
                parts = [src.author, src.publisher, src.date.isoformat() if src.date else ""]
                cite = ", ".join(p for p in parts if p) or ev.source
            evidence.append(
                {"supports": ev.supports, "quote": ev.quote, "note": ev.note, "cite": cite}
            )
        rows.append(
            {
                "id": a.id,
                "label": a.label,
                "colour": palette[a.id],
                "description": a.description,
                "capability": a.capability,
                "uncertainty": {k: "–".join(f"{v:g}" for v in r) for k, r in a.uncertainty.items()},
                "issues": [
                    {
                        "id": issue.id,
                        "position": a.position[issue.id],
                        "salience": a.salience[issue.id],
                        "position_range": _range(a.uncertainty.get(f"position.{issue.id}")),
                        "salience_range": _range(a.uncertainty.get(f"salience.{issue.id}")),
                    }
                    for issue in s.issues
                ],
                "capability_range": _range(a.uncertainty.get("capability")),
                "evidence": evidence,
            }
        )
    return rows


def actors_csv(s: Scenario) -> str:
    """Every actor's inputs as a ``data:`` URI of a CSV file (UTF-8, one row an actor, in file
    order), for a report of many actors to offer beside its folded table: a download that needs
    no network and no second file. Ranges are low and high (and the mode, when given) as the
    scenario gives them; a cell is empty where it gives none."""
    header = ["id", "name", "capability", "capability_range"]
    for issue in s.issues:
        header += [f"position.{issue.id}", f"position_range.{issue.id}"]
        header += [f"salience.{issue.id}", f"salience_range.{issue.id}"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for a in s.actors:
        row = [a.id, a.label, f"{a.capability:g}", _cell(a.uncertainty.get("capability"))]
        for issue in s.issues:
            row += [f"{a.position[issue.id]:g}", _cell(a.uncertainty.get(f"position.{issue.id}"))]
            row += [f"{a.salience[issue.id]:g}", _cell(a.uncertainty.get(f"salience.{issue.id}"))]
        writer.writerow(row)
    # a byte-order mark, so that a spreadsheet reads the names as UTF-8
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")


def _cell(values: Sequence[float] | None) -> str:
    return " ".join(f"{v:g}" for v in values) if values else ""


def _range(values: Sequence[float] | None) -> str:
    if not values:
        return ""
    return f"{values[0]:g}–{values[-1]:g}" + (f" (mode {values[1]:g})" if len(values) == 3 else "")
