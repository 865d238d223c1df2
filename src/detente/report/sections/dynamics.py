"""Section 4: the dynamic models round by round, every move and its reason."""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.report import charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.report.sections.inputs import shown
from detente.scenario.model import Issue

__all__ = ["MAX_MOVES", "dynamics"]

#: Moves listed in a report of many actors (the largest; every move is in the run's JSON).
MAX_MOVES = 200


def dynamics(
    view: StudyView, issue: Issue, palette: dict[str, str], add: AddChart
) -> list[dict[str, Any]]:
    """Per dynamic model: the positions chart, the moves with their reasons, and each round."""
    s = view.scenario
    ids = list(s.actor_ids)
    top = shown(s)
    rest = [a for a in ids if a not in set(top)]
    out = []
    for entry in view.forecasts(issue.id):
        rounds = entry.get("rounds")
        if not rounds:
            continue
        model = entry["model"]
        positions = np.array([[r["positions"][a] for a in top] for r in rounds])
        chart = add(
            f"rounds-{model}-{issue.id}",
            f"Positions by round in the {model} model (one line per actor) and its forecast "
            "after each round (dashed)."
            + (
                f" The {len(top)} actors with the most capability × salience are named; the "
                f"other {len(rest)} are the thin grey lines."
                if rest
                else ""
            ),
            charts.rounds_chart(
                issue,
                [view.label(a) for a in top],
                [palette[a] for a in top],
                positions,
                [float(r["forecast"]) for r in rounds],
                model=model,
                others=np.array([[r["positions"][a] for a in rest] for r in rounds])
                if rest
                else None,
            ),
        )
        moves = [
            {
                "round": r["round"],
                "mover": view.label(m["mover"]),
                "partner": view.label(m["toward"]),
                "kind": m["kind"],
                "old": m["from"],
                "new": m["to"],
                "reason": m["reason"],
            }
            for r in rounds[1:]
            for m in r["moves"]
        ]
        table = [{"round": r["round"], "forecast": r["forecast"]} for r in rounds]
        total = len(moves)
        if rest and total > MAX_MOVES:  # many actors: the largest moves, in round order
            kept = sorted(range(total), key=lambda n: -abs(moves[n]["new"] - moves[n]["old"]))
            moves = [moves[n] for n in sorted(kept[:MAX_MOVES])]
        out.append(
            {"model": model, "chart": chart, "moves": moves, "moves_total": total, "rounds": table}
        )
    return out
