"""Trades across issues: what a model that trades (the exchange model) did, and who paid.

:func:`trades` runs such a model on a scenario's inputs as given and summarises its exchanges
for a report: the first round's exchanges by gain (who gave what on which issue, to whom, for
what), the network of who traded with whom over all rounds, and what the exchanges did to the
actors that took no part in them (their externalities, Dijkstra, Van Assen & Stokman 2008).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from detente import models as registry
from detente._rng import RNG, generator
from detente.errors import InputError
from detente.scenario.model import Scenario

__all__ = ["MAX_LISTED", "trades"]

#: At most this many exchanges of the first round are listed (the network counts them all).
MAX_LISTED = 40


def trades(
    scenario: Scenario,
    model: str = "exchange",
    *,
    options: Mapping[str, Any] | None = None,
    rng: RNG = None,
) -> dict[str, Any]:
    """The exchanges ``model`` makes on ``scenario`` (inputs as given), as JSON data.

    Returns
    -------
    dict
        ``model``; ``rounds`` (per round, how many exchanges); ``exchanges`` (the first
        round's, highest gain first, at most :data:`MAX_LISTED`; each with both sides' actor,
        issue given ground on, from and to, the gain and whether a side was cut at its
        partner); ``listed_of`` (how many the first round made); ``network`` (per pair of
        actors that traded: how often and their gains, all rounds); ``third_parties`` (per
        actor: what other actors' exchanges gained and cost it, all rounds).

    Raises
    ------
    InputError
        ``model`` does not trade across issues, or the scenario has one issue.
    """
    from detente.models.exchange import ExchangeRound
    from detente.models.stopping import run

    info = registry.get(model)
    if not info.joint or info.trajectory is None:
        raise InputError(f"{model} does not trade across issues")
    if len(scenario.issues) < 2:
        raise InputError(f"{scenario.id} has one issue: there is nothing to trade across")
    given = {**scenario.model_options.get(model, {}), **dict(options or {})}
    opts = info.parse_options(given)
    c, X, S = scenario.arrays()
    lo, hi, sq = scenario.bounds()
    path = run(
        info.trajectory(c, X, S, lo=lo, hi=hi, status_quo=sq, options=opts, rng=generator(rng)),
        keep=True,
        slim=False,
    )
    ids, issues = list(scenario.actor_ids), list(scenario.issue_ids)
    n = len(ids)
    pairs: dict[tuple[int, int], dict[str, float]] = {}
    gains, losses, own = np.zeros(n), np.zeros(n), np.zeros(n)
    count = np.zeros(n, dtype=int)
    per_round, first = [], []
    for state in path.rounds[1:]:
        detail = state.detail
        if not isinstance(detail, ExchangeRound):
            continue
        executed = detail.result.executed
        per_round.append({"round": state.round, "exchanges": len(executed)})
        for e in executed:
            a, b = sorted((e.i.actor, e.j.actor))
            pair = pairs.setdefault((a, b), {"count": 0, "gain": 0.0})
            pair["count"] += 1
            pair["gain"] += 2 * e.gain
            count[[e.i.actor, e.j.actor]] += 1
            own[[e.i.actor, e.j.actor]] += e.gain
            if e.externalities is not None:
                third = np.ones(n, dtype=bool)
                third[[e.i.actor, e.j.actor]] = False
                value = np.where(third, e.externalities, 0.0)
                gains += np.where(value > 0, value, 0.0)
                losses += np.where(value < 0, value, 0.0)
            if state.round == 1:
                first.append(_exchange(e, detail, ids, issues))
    first.sort(key=lambda row: -row["gain"])
    return {
        "model": model,
        "options": opts.model_dump(mode="json"),
        "rounds": per_round,
        "listed_of": len(first),
        "exchanges": first[:MAX_LISTED],
        "network": [
            {"a": ids[a], "b": ids[b], "count": v["count"], "gain": v["gain"]}
            for (a, b), v in sorted(pairs.items(), key=lambda item: -item[1]["gain"])
        ],
        "third_parties": sorted(
            (
                {
                    "actor": ids[k],
                    "trades": int(count[k]),
                    "own_gain": float(own[k]),
                    "gained": float(gains[k]),
                    "lost": float(losses[k]),
                    "net": float(gains[k] + losses[k]),
                }
                for k in range(n)
            ),
            key=lambda row: row["net"],
        ),
    }


def _exchange(e: Any, detail: Any, ids: list[str], issues: list[str]) -> dict[str, Any]:
    def side(s: Any) -> dict[str, Any]:
        return {
            "actor": ids[s.actor],
            "gives": issues[s.supply],
            "from": detail.on_scale(s.before, s.supply),
            "to": detail.on_scale(s.y, s.supply),
            "capped": s.capped,
        }

    return {"order": e.order, "gain": e.gain, "i": side(e.i), "j": side(e.j)}
