"""Section 4: the dynamic models round by round, every move and its reason, and the dynamics
over time (crisis incentives, risks, instability and settlement by round or date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from detente.report import charts, time_charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.report.sections.inputs import shown
from detente.scenario.model import Issue

__all__ = ["MAX_MOVES", "MAX_PANELS", "dynamics", "over_time"]

#: Futures drawn in the charts over time at most (one panel each).
MAX_PANELS = 3
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
            f"Positions by round in the {model} model "
            f"({'one line per named actor' if rest else 'one line per actor'}) and its forecast "
            "after each round (dashed)."
            + (
                (
                    f" Round 0 is {rounds[0]['date']}, round {rounds[-1]['round']} "
                    f"{rounds[-1]['date']}."
                    if rounds[0].get("date") and rounds[-1].get("date")
                    else ""
                )
                + (
                    f" The {len(top)} actors with the most capability × salience are named; the "
                    f"other {len(rest)} lie in the grey band (from the lowest to the highest of "
                    "their positions each round)."
                    if rest
                    else ""
                )
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
                "date": r.get("date"),
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
        table = [
            {"round": r["round"], "date": r.get("date"), "forecast": r["forecast"]} for r in rounds
        ]
        total = len(moves)
        if rest and total > MAX_MOVES:  # many actors: the largest moves, in round order
            kept = sorted(range(total), key=lambda n: -abs(moves[n]["new"] - moves[n]["old"]))
            moves = [moves[n] for n in sorted(kept[:MAX_MOVES])]
        out.append(
            {"model": model, "chart": chart, "moves": moves, "moves_total": total, "rounds": table}
        )
    return out


def over_time(
    view: StudyView, issue: Issue, palette: dict[str, str], add: AddChart
) -> dict[str, Any] | None:
    """The dynamics over time of one issue (a stored ``detente.dynamics/1`` document): crisis
    incentives, the risks (misperception, conflict, settlement) and instability by round or
    date with the timeline's events marked, the tables behind them, and ``P(settled by)`` the
    dates that matter. None when the study has none (an older study, or no model with dyads), or
    no round to draw (a round limit of 0)."""
    found = view.analyses(issue.id).get("dynamics")
    if not found or not any(f["rounds"] for f in found["futures"]):
        return None
    label = view.label
    futures = found["futures"][:MAX_PANELS]
    first = futures[0]["rounds"] if futures else []
    # round_dates may end before the rounds do: then the axis counts rounds
    dated = found["calendar"] is not None and all(r.get("date") for r in first)
    x: list[Any] = (
        [dt.date.fromisoformat(r["date"]) for r in first] if dated else [r["round"] for r in first]
    )
    draws = found["draws"]
    ids = list(dict.fromkeys(a["actor"] for f in futures for r in f["rounds"] for a in r["actors"]))
    when = "date" if dated else "round"
    model = found["model"]

    def marks(f: dict[str, Any]) -> list[time_charts.Mark]:
        out = []
        for e in f["events"]:
            if dated and isinstance(e["at"], str):
                out.append(time_charts.Mark(e["name"], dt.date.fromisoformat(e["at"])))
            elif dated and e.get("date"):  # an event given by round: at its round's date
                out.append(time_charts.Mark(e["name"], dt.date.fromisoformat(e["date"])))
            elif not dated:
                out.append(time_charts.Mark(e["name"], e["round"] - 0.5))
        return out

    def actor_lines(f: dict[str, Any], key: str) -> list[time_charts.Line]:
        return [
            time_charts.Line(
                label(a),
                palette.get(a, "#333333"),
                [_value(r, a, key) for r in f["rounds"]],
            )
            for a in ids
        ]

    mean = draws > 0
    incentive_key = "incentive_mean" if mean else "incentive"
    charts = []
    charts.append(
        add(
            f"incentives-{issue.id}",
            f"Crisis incentive by {when} in the {model} model: each actor's largest expected "
            "gain from challenging anyone, as it sees it"
            + (f" (mean over {draws} draws)" if mean else " (the inputs as given)")
            + "; dashed lines mark the timeline's events, one panel per future.",
            time_charts.time_chart(
                x,
                [
                    time_charts.Panel(f["name"], actor_lines(f, incentive_key), marks(f))
                    for f in futures
                ],
                ylabel="best expected gain",
            ),
        )
    )
    risk_lines = [
        ("misperceived pair", "p_misperceived" if mean else "misperceived", "#D55E00"),
        ("expected conflict", "p_conflict" if mean else "conflicts", "#0072B2"),
        ("settled by then", "p_settled_by" if mean else "settled", "#009E73"),
    ]
    if mean:
        charts.append(
            add(
                f"risks-{issue.id}",
                f"Risks by {when} over {draws} draws: the probability of at least one "
                "misperceived pair (the two sides' own views differ), of at least one expected "
                f"conflict, and of positions settled (every actor within {found['tolerance']:g} "
                "of the forecast) by then; dashed lines mark the timeline's events.",
                time_charts.time_chart(
                    x,
                    [
                        time_charts.Panel(
                            f["name"],
                            [
                                time_charts.Line(name, colour, [r[key] for r in f["rounds"]])
                                for name, key, colour in risk_lines
                            ],
                            marks(f),
                        )
                        for f in futures
                    ],
                    ylabel="probability",
                    ylim=(0.0, 1.0),
                ),
            )
        )
    charts.append(
        add(
            f"instability-{issue.id}",
            f"Instability by {when}: for each actor, the share of the issue's capability x "
            "salience held by the actors it is in expected conflict with"
            + (f" (mean over {draws} draws)" if mean else " (the inputs as given)")
            + "; dashed lines mark the timeline's events.",
            time_charts.time_chart(
                x,
                [
                    time_charts.Panel(
                        f["name"],
                        actor_lines(f, "conflict_weight_mean" if mean else "conflict_weight"),
                        marks(f),
                    )
                    for f in futures
                ],
                ylabel="weight of its conflicts",
                ylim=(0.0, 1.0),
            ),
        )
    )
    return {
        "model": model,
        "dated": dated,
        "draws": draws,
        "tolerance": found["tolerance"],
        "charts": charts,
        "actors": [label(a) for a in ids],
        "futures": [
            {
                "name": f["name"],
                "probability": f["probability"],
                "settled_by": [
                    {
                        "by": b["by"],
                        "event": b["event"],
                        "round": b["round"],
                        "date": b["date"],
                        "settled": b["settled"],
                        "p": b["p"],
                        "se": b["se"],
                        "count": b["count"],
                        "draws": b["draws"],
                    }
                    for b in f["settled_by"]
                ],
                "rounds": [
                    {
                        "round": r["round"],
                        "date": r["date"],
                        "events": r["events"],
                        "settled": r["settled"],
                        "p_settled": r["p_settled"],
                        "p_settled_by": r["p_settled_by"],
                        "misperceived": r["misperceived"],
                        "p_misperceived": r["p_misperceived"],
                        "conflicts": r["conflicts"],
                        "p_conflict": r["p_conflict"],
                        "incentives": [_incentive(r, a, label) for a in ids],
                        "instability": [_instability(r, a) for a in ids],
                    }
                    for r in f["rounds"]
                ],
            }
            for f in futures
        ],
    }


def _find(r: dict[str, Any], actor: str) -> dict[str, Any] | None:
    for a in r["actors"]:
        if a["actor"] == actor:
            found: dict[str, Any] = a
            return found
    return None


def _value(r: dict[str, Any], actor: str, key: str) -> float | None:
    a = _find(r, actor)
    return None if a is None or a[key] is None else float(a[key])


def _incentive(r: dict[str, Any], actor: str, label: Any) -> dict[str, Any] | None:
    a = _find(r, actor)
    if a is None:
        return None
    return {
        "gain": a["incentive"],
        "target": label(a["target"]) if a["target"] else None,
        "mean": a["incentive_mean"],
    }


def _instability(r: dict[str, Any], actor: str) -> dict[str, Any] | None:
    a = _find(r, actor)
    if a is None:
        return None
    return {"conflicts": a["conflicts"], "weight": a["conflict_weight"]}
