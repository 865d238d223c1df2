"""Section 4, continued: the trades a model made across issues, and who paid for them."""

from __future__ import annotations

from typing import Any

from detente.report import charts
from detente.report.document import StudyView
from detente.report.sections import AddChart
from detente.report.sections.inputs import MANY_ACTORS

#: Pairs the trade network draws in a report of many actors (the strongest by gain).
TOP_LINKS = 30

__all__ = ["trades"]


def trades(view: StudyView, palette: dict[str, str], add: AddChart) -> list[dict[str, Any]]:
    """Per model that trades: a sentence on its first exchange, the first round's exchanges by
    gain, a chart of who traded with whom, and the third parties' gains and losses."""
    s = view.scenario
    ids = list(s.actor_ids)
    names = {i.id: i.name or i.id for i in s.issues}
    out = []
    for model, found in view.trades().items():
        rows = [
            {
                "gain": e["gain"],
                "sides": [
                    {
                        "actor": view.label(side["actor"]),
                        "issue": names[side["gives"]],
                        "from": side["from"],
                        "to": side["to"],
                        "capped": side["capped"],
                    }
                    for side in (e["i"], e["j"])
                ],
            }
            for e in found["exchanges"]
        ]
        network = list(found["network"])
        cut = ""
        if len(ids) > MANY_ACTORS and len(network) > TOP_LINKS:
            cut = f" The {TOP_LINKS} pairs with the largest gains of {len(network)}."
            network = sorted(network, key=lambda link: -link["gain"])[:TOP_LINKS]
        drawn = [a for a in ids if any(a in (link["a"], link["b"]) for link in network)]
        if len(ids) <= MANY_ACTORS:
            drawn = ids  # every actor on the circle, as always
        links = [
            (drawn.index(link["a"]), drawn.index(link["b"]), link["count"], link["gain"])
            for link in network
        ]
        chart = None
        if links:
            chart = add(
                f"trades-{model}",
                f"Who traded with whom in the {model} model, over every round: a line for "
                "each pair that exchanged, as wide as their gains, marked with how often." + cut,
                charts.trade_network(
                    [view.label(a) for a in drawn], [palette[a] for a in drawn], links
                ),
            )
        third = [
            {
                "actor": view.label(row["actor"]),
                "trades": row["trades"],
                "own": row["own_gain"],
                "gained": row["gained"],
                "lost": row["lost"],
                "net": row["net"],
            }
            for row in found["third_parties"]
        ]
        out.append(
            {
                "model": model,
                "lead": _lead(rows, found),
                "rows": rows,
                "listed_of": found["listed_of"],
                "rounds": found["rounds"],
                "chart": chart,
                "third": third,
            }
        )
    return out


def _lead(rows: list[dict[str, Any]], found: dict[str, Any]) -> str:
    made = sum(r["exchanges"] for r in found["rounds"])
    if not rows:
        return (
            "No exchange holds: no two actors sit on opposite sides of both outcomes with a gain."
        )
    top = rows[0]
    i, j = top["sides"]
    return (
        f"Over {len(found['rounds'])} rounds the model makes {made} exchanges. The most "
        f"profitable of the first round: {i['actor']} gives ground on “{i['issue']}” "
        f"({i['from']:.1f} to {i['to']:.1f}) and {j['actor']} on “{j['issue']}” "
        f"({j['from']:.1f} to {j['to']:.1f}), each gaining {top['gain']:.3f}."
    )
