"""Who fights whom: dyad regions, miscalculation risk and crisis incentives (the EUM).

Every ordered dyad (i, j) falls in a region of Scholz et al.'s Fig. 6 given i's expected
utility of challenging j (``a``) and j's of challenging i (``b``), as some actor perceives them:

* **conflict**: both positive; the side that expects less gives in (equal: nobody does);
* **compromise**: one positive and larger than the other's loss; the other side moves part way;
* **capitulation**: one positive, the other's loss at least as large; the other gives in fully;
* **stalemate**: neither gains (or one is indifferent).

Rules used here (stated so that results can be checked):

* *viewpoint*: an actor k perceives every EU at its own risk exponent r_k; the *objective*
  view takes each EU at its owner's exponent.
* *miscalculation*: a pair is at risk when i's own view and j's own view of the dyad differ in
  region family or in who gives way (e.g. i expects j to capitulate while j expects a fight).
* *crisis incentive*: an actor's largest expected utility of challenging anyone, from its own
  view, and that target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.models import eum
from detente.models.eum.options import EumOptions
from detente.scenario.model import Scenario
from detente.simulate.timeline import Future, apply_change, futures

__all__ = [
    "CrisisIncentive",
    "Dyad",
    "Misperception",
    "RoundViews",
    "crisis_incentives",
    "dyad_map",
    "misperceptions",
    "outcome",
    "round_views",
]


def outcome(a: float, b: float) -> tuple[str, str | None]:
    """Region family and who gives way (``"i"``, ``"j"``, None) given i's EU ``a``, j's ``b``."""
    if a > 0 and b > 0:
        return "conflict", ("j" if a > b else "i" if b > a else None)
    if a > 0 > b:
        return ("compromise", "j") if a > -b else ("capitulation", "j")
    if b > 0 > a:
        return ("compromise", "i") if b > -a else ("capitulation", "i")
    return "stalemate", None


@dataclass(frozen=True)
class Dyad:
    """An ordered dyad as seen from a viewpoint: both EUs, the region and who gives way."""

    i: str
    j: str
    eu_i: float
    eu_j: float
    region: str
    gives_way: str | None


@dataclass(frozen=True)
class Misperception:
    """A pair whose two sides see their dyad differently (each view in the pair's own terms)."""

    i: str
    j: str
    i_view: tuple[str, str | None]
    j_view: tuple[str, str | None]
    i_eus: tuple[float, float]
    j_eus: tuple[float, float]


@dataclass(frozen=True)
class CrisisIncentive:
    """An actor's best expected gain from challenging anyone, and whom."""

    actor: str
    gain: float
    target: str


@dataclass(frozen=True)
class RoundViews:
    """A round of the expected utility model with every actor's perceptions."""

    round: int
    actors: tuple[str, ...]
    views: eum.Views
    events: tuple[str, ...] = ()


def round_views(
    scenario: Scenario,
    issue: str | None = None,
    *,
    options: EumOptions | None = None,
    future: str | None = None,
    round_days: float | None = None,
    rng: int | np.random.Generator | None = None,
) -> list[RoundViews]:
    """Run the expected utility model on one issue, keeping every round's perceptions.

    ``future`` names a future of the scenario's timeline (see :func:`detente.simulate.futures`);
    its events apply at their rounds. Default: the first future. ``round_days`` gives rounds a
    length in days, so that dated events come after some rounds (how things change as an
    event approaches); by default dated events happen at rounds 1, 2, 3, ... Exactly
    ``options.rounds`` rounds are run (the stopping rule is not applied); ``rng`` drives
    ``conflict="stochastic"``.
    """
    options = options or EumOptions()
    issue = check_issue(scenario, issue)
    generator = np.random.default_rng(rng) if options.conflict == "stochastic" else None
    j = scenario.issue_ids.index(issue)
    chosen = _future(scenario, future, round_days)
    ids = list(scenario.actor_ids)
    c0, X0, S0 = scenario.arrays()
    c, X, S = c0[None], X0[None], S0[None]
    for change in (ch for ch in chosen.changes if ch.round == 0):
        ids, c, X, S = apply_change(change, scenario, ids, c, X, S)
    x = X[0, :, j]
    initial = float(x.max() - x.min())
    lo, hi = scenario.issue(issue).min, scenario.issue(issue).max
    out = []
    for t in range(1, options.rounds + 1):
        happening = [ch for ch in chosen.changes if ch.round == t]
        if happening:
            X = X.copy()
            X[0, :, j] = x
            for change in happening:
                ids, c, X, S = apply_change(change, scenario, ids, c, X, S)
            x = X[0, :, j]
            initial = max(initial, float(x.max() - x.min()))
        span = float(eum.span_for(options, np.asarray(initial), x, lo, hi))
        view = eum.views(c[0], x, S[0, :, j], span=span, options=options, rng=generator)
        out.append(RoundViews(t, tuple(ids), view, tuple(sorted({ch.event for ch in happening}))))
        x = view.after
    return out


def check_issue(scenario: Scenario, issue: str | None) -> str:
    """``issue``, or the first issue; an InputError naming the issues if it is unknown."""
    if issue is None:
        return scenario.issue_ids[0]
    if issue not in scenario.issue_ids:
        from detente.errors import InputError

        known = ", ".join(scenario.issue_ids)
        raise InputError(f"no issue '{issue}' in {scenario.id}; issues are: {known}")
    return issue


def future_names(scenario: Scenario, round_days: float | None = None) -> list[str]:
    """The names of the scenario's futures (InputError when round_days needs an as_of)."""
    try:
        return [f.name for f in futures(scenario, round_days)]
    except ValueError as err:
        from detente.errors import InputError

        raise InputError(str(err)) from None


def _future(scenario: Scenario, name: str | None, round_days: float | None = None) -> Future:
    try:
        found = futures(scenario, round_days)
    except ValueError as err:
        from detente.errors import InputError

        raise InputError(str(err)) from None
    if name is None:
        return found[0]
    for f in found:
        if f.name == name:
            return f
    from detente.errors import InputError

    raise InputError(f"no future '{name}'; futures are: {', '.join(f.name for f in found)}")


def dyad_map(rv: RoundViews, viewpoint: str | None = None) -> list[Dyad]:
    """Every ordered dyad from ``viewpoint`` (an actor id) or objectively (None)."""
    ids = rv.actors
    eu = rv.views.objective if viewpoint is None else rv.views.seen[_index(ids, viewpoint)]
    rows = []
    for i, a_id in enumerate(ids):
        for k, b_id in enumerate(ids):
            if i == k:
                continue
            a, b = float(np.nan_to_num(eu[i, k])), float(np.nan_to_num(eu[k, i]))
            family, side = outcome(a, b)
            rows.append(Dyad(a_id, b_id, a, b, family, _who(side, a_id, b_id)))
    return rows


def misperceptions(rv: RoundViews) -> list[Misperception]:
    """Pairs whose two sides' own views put their dyad in different regions."""
    ids = rv.actors
    seen = np.nan_to_num(rv.views.seen)
    out = []
    for i, a_id in enumerate(ids):
        for k in range(i + 1, len(ids)):
            b_id = ids[k]
            i_eus = (float(seen[i, i, k]), float(seen[i, k, i]))
            j_eus = (float(seen[k, k, i]), float(seen[k, i, k]))
            family_i, side_i = outcome(*i_eus)
            family_j, side_j = outcome(*j_eus)
            i_view = (family_i, _who(side_i, a_id, b_id))
            j_view = (family_j, _who(side_j, b_id, a_id))
            if i_view != j_view:
                out.append(Misperception(a_id, b_id, i_view, j_view, i_eus, j_eus))
    return out


def crisis_incentives(rv: RoundViews) -> list[CrisisIncentive]:
    """Each actor's largest EU of challenging anyone (its own view), and the target.

    Coincident positions count as 0 (nothing to gain); when every gain is 0 or less the target
    is the first actor with the largest value.
    """
    ids = rv.actors
    own = np.where(np.eye(len(ids), dtype=bool), -np.inf, np.nan_to_num(rv.views.own))
    best = np.argmax(own, axis=1)
    return [
        CrisisIncentive(actor, float(own[i, best[i]]), ids[int(best[i])])
        for i, actor in enumerate(ids)
    ]


def _who(side: str | None, i_id: str, j_id: str) -> str | None:
    return None if side is None else (i_id if side == "i" else j_id)


def _index(ids: tuple[str, ...], actor: str) -> int:
    if actor not in ids:
        from detente.errors import InputError

        raise InputError(f"no actor '{actor}' in this round; actors are: {', '.join(ids)}")
    return ids.index(actor)


def summary_json(rounds: list[RoundViews], viewpoint: str | None, at_round: int) -> dict[str, Any]:
    """The dyad map at ``at_round``, and misperceptions and crisis incentives of every round."""
    chosen = next((rv for rv in rounds if rv.round == at_round), rounds[0])
    return {
        "viewpoint": viewpoint or "objective",
        "round": chosen.round,
        "dyads": [vars(d) for d in dyad_map(chosen, viewpoint)],
        "rounds": [
            {
                "round": rv.round,
                "events": list(rv.events),
                "misperceptions": [
                    {
                        "i": m.i,
                        "j": m.j,
                        "i_view": {"region": m.i_view[0], "gives_way": m.i_view[1]},
                        "j_view": {"region": m.j_view[0], "gives_way": m.j_view[1]},
                        "i_eus": list(m.i_eus),
                        "j_eus": list(m.j_eus),
                    }
                    for m in misperceptions(rv)
                ],
                "crisis_incentives": [vars(ci) for ci in crisis_incentives(rv)],
            }
            for rv in rounds
        ],
    }


@dataclass(frozen=True)
class PairRisk:
    """Under Monte Carlo: how often a pair is in conflict (objective view) and misperceived."""

    i: str
    j: str
    conflict: float
    misperceived: float


def pair_risks(
    scenario: Scenario,
    issue: str | None = None,
    *,
    options: EumOptions | None = None,
    future: str | None = None,
    round: int = 1,
    draws: int = 200,
    rng: int | None = None,
    spread: float = 0.0,
    round_days: float | None = None,
) -> list[PairRisk]:
    """Probability of each pair being in conflict and being misperceived at ``round``.

    Each draw samples the scenario's uncertain inputs (as :func:`detente.simulate.simulate`,
    one child seed per draw) and runs the model to that round; a loop over draws, for small
    scenarios (each draw keeps every actor's view, O(n^3)).
    """
    from detente.simulate.inputs import input_plan, sample_inputs

    options = (options or EumOptions()).model_copy(update={"rounds": max(round, 1)})
    plan = input_plan(scenario, spread)
    seeds = np.random.SeedSequence(rng).spawn(draws)
    c, X, S, _ = sample_inputs(scenario, plan, [np.random.default_rng(s) for s in seeds])
    data = scenario.model_dump(mode="json")
    conflict: dict[tuple[str, str], int] = {}
    wrong: dict[tuple[str, str], int] = {}
    for d in range(draws):
        for n, actor in enumerate(data["actors"]):
            actor["capability"] = float(c[d, n])
            for k, issue_id in enumerate(scenario.issue_ids):
                actor["position"][issue_id] = float(X[d, n, k])
                actor["salience"][issue_id] = float(S[d, n, k] * 100.0)
            actor["uncertainty"] = {}
        drawn = Scenario.model_validate(data)
        rv = round_views(
            drawn,
            issue,
            options=options,
            future=future,
            round_days=round_days,
            rng=np.random.default_rng(seeds[d]),
        )[round - 1]
        ids = rv.actors  # the round's actors (a timeline may add or remove some)
        for dyad in dyad_map(rv):
            if ids.index(dyad.i) < ids.index(dyad.j):  # each pair once
                key = (dyad.i, dyad.j)
                conflict[key] = conflict.get(key, 0) + (dyad.region == "conflict")
        for m in misperceptions(rv):
            wrong[(m.i, m.j)] = wrong.get((m.i, m.j), 0) + 1
    order = list(dict.fromkeys([*scenario.actor_ids, *(a for pair in conflict for a in pair)]))
    pairs = [(a, b) for n, a in enumerate(order) for b in order[n + 1 :] if (a, b) in conflict]
    return [
        PairRisk(a, b, conflict.get((a, b), 0) / draws, wrong.get((a, b), 0) / draws)
        for a, b in pairs
    ]
