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

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente import models
from detente._rng import RNG, generator, seed_fields, seeding
from detente.analysis._document import headed_document
from detente.errors import InputError
from detente.models import ModelInfo, ModelOptions, Perceptions, Round
from detente.models.stopping import run as run_to_end
from detente.scenario.model import Scenario
from detente.simulate.inputs import input_plan, sample_inputs
from detente.simulate.tasks import timeline_events
from detente.simulate.timeline import Future, actors_after, apply_change, check_futures, futures

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DYADS_SCHEMA",
    "MAX_ROUND",
    "CrisisIncentive",
    "Dyad",
    "Misperception",
    "PairRisk",
    "RoundViews",
    "check_draws",
    "check_issue",
    "check_round",
    "crisis_incentives",
    "dyad_map",
    "dyads_document",
    "dyads_model",
    "future_json",
    "future_names",
    "misperceptions",
    "outcome",
    "pair_risks",
    "round_views",
    "summary_json",
    "to_round",
]

#: Version tag of :func:`dyads_document`.
DYADS_SCHEMA = "detente.dyads/1"

#: The latest round a dyad map or a pair risk is asked for: the cap of the models' own round
#: limit (``rounds`` takes at most 10,000), which a later ``--round`` raises.
MAX_ROUND = 10_000


def _shown(n: int) -> str:
    return f"{n:,}" if n < 10**30 else f"a {len(str(n))}-digit number"


def check_draws(draws: int) -> None:
    """Refuse draws for :func:`pair_risks` outside 1..:data:`detente.simulate.MAX_DRAWS`, the
    bound of ``simulate``."""
    from detente.simulate import MAX_DRAWS

    if not 1 <= draws <= MAX_DRAWS:
        raise InputError(f"--draws is {_shown(draws)}; give 1 to {MAX_DRAWS:,} draws")


def check_round(round: int) -> None:
    """Refuse a round outside 1..:data:`MAX_ROUND` (the model runs to it: unbounded work)."""
    if round < 1:
        raise InputError(f"--round must be at least 1, not {round}")
    if round > MAX_ROUND:
        raise InputError(
            f"--round is {_shown(round)}; at most {MAX_ROUND:,} (the models run at most "
            f"{MAX_ROUND:,} rounds)"
        )


def outcome(a: float, b: float) -> tuple[str, str | None]:
    """Region family and who gives way (``"i"``, ``"j"``, None) given i's EU ``a``, j's ``b``."""
    if a > 0 and b > 0:
        return "conflict", ("j" if a > b else "i" if b > a else None)
    if a > 0 > b:
        return ("compromise", "j") if a > -b else ("capitulation", "j")
    if b > 0 > a:
        return ("compromise", "i") if b > -a else ("capitulation", "i")
    return "stalemate", None


#: Region families by code, as :func:`_outcomes` gives them; sides: 0 nobody, 1 i, 2 j.
_FAMILIES = ("stalemate", "conflict", "compromise", "capitulation")


def _outcomes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`outcome` of every pair at once: family codes (:data:`_FAMILIES`) and who gives
    way (0 nobody, 1 i, 2 j), by the same comparisons."""
    family = np.zeros(a.shape, dtype=np.int8)
    side = np.zeros(a.shape, dtype=np.int8)
    conflict = (a > 0) & (b > 0)
    family[conflict] = 1
    side[conflict & (a > b)] = 2
    side[conflict & (b > a)] = 1
    for up, down, gives in ((a, b, 2), (b, a, 1)):  # up's side has the upper hand
        upper = (up > 0) & (down < 0)
        family[upper] = np.where(up[upper] > -down[upper], 2, 3)
        side[upper] = gives
    return family, side


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
    """A round of a dynamic model with every actor's perceptions of every dyad."""

    round: int
    actors: tuple[str, ...]
    perceptions: Perceptions
    events: tuple[str, ...] = ()
    #: The round's date by the scenario's round calendar; None when rounds are numbered.
    date: dt.date | None = None

    def to_frame(self) -> pd.DataFrame:
        """Every ordered dyad of the round from every view, as one tidy table.

        Columns: ``round``, ``viewpoint`` (an actor id; empty for the objective view),
        ``i``, ``j``, ``eu_i`` (i's expected utility of challenging j), ``eu_j`` (j's of
        challenging i), ``region`` and ``gives_way`` (an actor id, empty when nobody does):
        :func:`dyad_map` objectively, then from each actor in turn, so n actors give
        (n + 1) n (n - 1) rows. Misperceptions are the pairs whose two own views differ. The
        rounds of :func:`round_views` concatenated (``pandas.concat``) are the dyads over time.
        When the scenario dates its rounds, a ``date`` column follows ``round``.
        """
        import pandas as pd

        rows = [
            (self.round, viewpoint, d.i, d.j, d.eu_i, d.eu_j, d.region, d.gives_way)
            for viewpoint in (None, *self.actors)
            for d in dyad_map(self, viewpoint)
        ]
        frame = pd.DataFrame(
            rows,
            columns=["round", "viewpoint", "i", "j", "eu_i", "eu_j", "region", "gives_way"],
        ).astype({"round": "int64", "eu_i": "float64", "eu_j": "float64"})
        if self.date is not None:
            frame.insert(1, "date", pd.Timestamp(self.date))
        return frame

    def _repr_html_(self) -> str:
        """The round in a notebook: each pair's objective dyad and the misperceived pairs."""
        from detente import _html

        pairs = [d for d in dyad_map(self) if self.actors.index(d.i) < self.actors.index(d.j)]
        wrong = misperceptions(self)
        shown = pairs[: _html.BRIEF_ROWS]
        return _html.block(
            f"Dyads at round {self.round}"
            + (f" ({self.date.isoformat()})" if self.date else "")
            + (f" (events: {', '.join(self.events)})" if self.events else ""),
            _html.table(
                ["i", "j", "EU i->j", "EU j->i", "Region", "Gives way"],
                ([d.i, d.j, d.eu_i, d.eu_j, d.region, d.gives_way or "-"] for d in shown),
                caption="Each pair, objective view",
                digits=3,
            ),
            *(
                [_html.line(f"{_html.count(len(pairs) - len(shown), 'more pair')}")]
                if len(pairs) > len(shown)
                else []
            ),
            _html.table(
                ["i", "j", "i's view", "j's view"],
                (
                    [m.i, m.j, _view_text(m.i_view), _view_text(m.j_view)]
                    for m in wrong[: _html.BRIEF_ROWS]
                ),
                caption=f"Misperceived pairs ({len(wrong)})",
            )
            if wrong
            else _html.line("No pair is misperceived"),
        )


def _view_text(view: tuple[str, str | None]) -> str:
    return view[0] + (f", {view[1]} gives way" if view[1] else "")


def dyads_model(model: str | None = None) -> ModelInfo:
    """The model whose dyads are analysed: ``model``, or the first registered model with them.

    Raises
    ------
    InputError
        ``model`` has no dyads (no perceptions in its contract), or is unknown.
    """
    able = models.with_capability("perceptions")
    name = model or able[0]
    info = models.get(name)
    if info.perceptions is None:
        raise InputError(
            f"model {name} has no dyads (perceptions of each pair); models with them: "
            f"{', '.join(able)}"
        )
    return info


def to_round(info: ModelInfo, options: ModelOptions, at_round: int) -> ModelOptions:
    """``options`` of the model ``info`` with its round limit raised to ``at_round`` where it
    is lower, so that the model runs to the round a dyad map is asked for."""
    limit = info.round_limit
    if limit is not None and at_round > getattr(options, limit):
        return options.model_copy(update={limit: at_round})
    return options


def round_views(
    scenario: Scenario,
    issue: str | None = None,
    *,
    options: ModelOptions | None = None,
    future: str | None = None,
    round_days: float | None = None,
    rng: RNG = None,
    model: str | None = None,
) -> list[RoundViews]:
    """Run a model with dyads on one issue, keeping every round's perceptions.

    ``model`` is a model with perceptions (default: the expected utility model, the first
    such model). ``future`` names a future of the scenario's timeline (see
    :func:`detente.simulate.futures`); its events apply at their rounds. Default: the first
    future. ``round_days`` gives rounds a length in days (replacing the scenario's own round
    calendar, if any), so that dated events come after some rounds (how things change as an
    event approaches) and each round carries its date; without a calendar dated events happen
    at rounds 1, 2, 3, ... Every round up to the model's round limit is run (the stopping rule is
    not applied); ``rng`` drives a stochastic option.
    """
    info = dyads_model(model)
    options = options or info.options()
    scenario = scenario.with_round_days(round_days)
    issue = check_issue(scenario, issue)
    chosen = _future(scenario, future)
    c, X, S = scenario.arrays()
    return _views(scenario, info, options, issue, chosen, c, X, S, generator(rng))


def _views(
    scenario: Scenario,
    info: ModelInfo,
    options: ModelOptions,
    issue: str,
    chosen: Future,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    rng: np.random.Generator,
) -> list[RoundViews]:
    """:func:`round_views` on one run's arrays."""
    _, rounds = _rounds(scenario, info, options, issue, chosen, c, X, S, rng)
    return [views for _, views in rounds]


def _rounds(
    scenario: Scenario,
    info: ModelInfo,
    options: ModelOptions,
    issue: str,
    chosen: Future,
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    rng: np.random.Generator,
) -> tuple[Round, list[tuple[Round, RoundViews]]]:
    """One run on one issue: round 0 (the inputs), then every round 1, 2, ...: the model's
    round (positions, forecast, the inputs it ran on; without its detail) and its dyads, dated
    by the scenario's round calendar."""
    assert info.trajectory is not None
    assert info.perceptions is not None
    j = scenario.issue_ids.index(issue)
    ids = list(scenario.actor_ids)
    for change in (ch for ch in chosen.changes if ch.round == 0):
        ids, c, X, S = apply_change(change, scenario, ids, c, X, S)
    later = [ch for ch in chosen.changes if ch.round > 0]
    lo, hi, sq = scenario.bounds()
    path = run_to_end(
        info.trajectory(
            c,
            X[:, j : j + 1],
            S[:, j : j + 1],
            lo=lo[j : j + 1],
            hi=hi[j : j + 1],
            status_quo=sq[j : j + 1],
            options=options,
            rng=rng,
            accommodation=scenario.accommodation_matrix(ids),
        ),
        events={t: _at(event, j) for t, event in timeline_events(scenario, later, ids).items()},
        slim=False,
        stop=False,
    )
    calendar = scenario.calendar
    out = []
    for state in path.rounds[1:]:
        happening = [ch for ch in later if ch.round == state.round]
        for change in happening:
            ids = actors_after(change, ids)
        out.append(
            (
                state.slim(),
                RoundViews(
                    state.round,
                    tuple(ids),
                    info.perceptions(state, options=options),
                    tuple(sorted({ch.event for ch in happening})),
                    calendar.date(state.round),
                ),
            )
        )
    return path.rounds[0].slim(), out


def _at(event: Any, j: int) -> Any:
    return lambda state: event(state, (j,))


def check_issue(scenario: Scenario, issue: str | None) -> str:
    """``issue``, or the first issue; an InputError naming the issues if it is unknown."""
    if issue is None:
        return scenario.issue_ids[0]
    if issue not in scenario.issue_ids:
        known = ", ".join(scenario.issue_ids)
        raise InputError(f"no issue '{issue}' in {scenario.id}; issues are: {known}")
    return issue


def future_names(scenario: Scenario, round_days: float | None = None) -> list[str]:
    """The names of the scenario's futures (InputError when round_days needs an as_of)."""
    try:
        return [f.name for f in futures(scenario, round_days)]
    except ValueError as err:
        raise InputError(str(err)) from None


def _future(scenario: Scenario, name: str | None, round_days: float | None = None) -> Future:
    try:
        found = futures(scenario, round_days)
    except ValueError as err:
        raise InputError(str(err)) from None
    check_futures(scenario, round_days)
    if name is None:
        return found[0]
    for f in found:
        if f.name == name:
            return f
    raise InputError(f"no future '{name}'; futures are: {', '.join(f.name for f in found)}")


def dyad_map(rv: RoundViews, viewpoint: str | None = None) -> list[Dyad]:
    """Every ordered dyad from ``viewpoint`` (an actor id) or objectively (None)."""
    ids = rv.actors
    eu = np.nan_to_num(
        rv.perceptions.objective
        if viewpoint is None
        else rv.perceptions.seen_by(_index(ids, viewpoint))
    )
    families, sides = (m.tolist() for m in _outcomes(eu, eu.T))  # every pair at once
    values = eu.tolist()  # once for the matrix, not per cell (the series over time ask for many)
    rows = []
    for i, a_id in enumerate(ids):
        for k, b_id in enumerate(ids):
            if i == k:
                continue
            who = (None, a_id, b_id)[sides[i][k]]
            rows.append(
                Dyad(a_id, b_id, values[i][k], values[k][i], _FAMILIES[families[i][k]], who)
            )
    return rows


def misperceptions(rv: RoundViews) -> list[Misperception]:
    """Pairs whose two sides' own views put their dyad in different regions."""
    ids = rv.actors
    # the two own views of each pair only (O(n^2) of the O(n^3) perceptions): mine[a, b] is
    # a's EU of challenging b as a sees it, theirs[a, b] b's EU of challenging a as a sees it
    mine = np.nan_to_num(rv.perceptions.objective)
    theirs = np.nan_to_num(rv.perceptions.counter)
    family, side = _outcomes(mine, theirs)
    # the two views of pair (i, k) differ in region, or in who gives way: i's view names i
    # (side 1) or k (side 2), k's view the other way round
    swapped = np.array([0, 2, 1], dtype=np.int8)[side.T]
    differ = np.triu((family != family.T) | (side != swapped), k=1)
    out = []
    for i, k in zip(*np.nonzero(differ), strict=True):  # row by row, as the pairs are listed
        a_id, b_id = ids[i], ids[k]
        out.append(
            Misperception(
                a_id,
                b_id,
                (_FAMILIES[family[i, k]], (None, a_id, b_id)[side[i, k]]),
                (_FAMILIES[family[k, i]], (None, b_id, a_id)[side[k, i]]),
                (float(mine[i, k]), float(theirs[i, k])),
                (float(mine[k, i]), float(theirs[k, i])),
            )
        )
    return out


def crisis_incentives(rv: RoundViews) -> list[CrisisIncentive]:
    """Each actor's largest EU of challenging anyone (its own view), and the target.

    Coincident positions count as 0 (nothing to gain); when every gain is 0 or less the target
    is the first actor with the largest value.
    """
    ids = rv.actors
    own = np.where(np.eye(len(ids), dtype=bool), -np.inf, np.nan_to_num(rv.perceptions.own))
    best = np.argmax(own, axis=1)
    return [
        CrisisIncentive(actor, float(own[i, best[i]]), ids[int(best[i])])
        for i, actor in enumerate(ids)
    ]


def _index(ids: tuple[str, ...], actor: str) -> int:
    if actor not in ids:
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
                **({"date": rv.date.isoformat()} if rv.date else {}),
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


def future_json(
    future: str,
    rounds: list[RoundViews],
    viewpoint: str | None,
    at_round: int,
    *,
    draws: int = 0,
    seed: int | None = None,
    risks: list[PairRisk] | None = None,
) -> dict[str, Any]:
    """One future's part of :func:`dyads_document`: :func:`summary_json` of its rounds, and
    the pair risks over ``draws`` draws from ``seed`` (none without draws)."""
    return {
        "future": future,
        **summary_json(rounds, viewpoint, at_round),
        "draws": draws,
        **seed_fields(seed),
        "pair_risks": [vars(r) for r in risks or []],
    }


def dyads_document(
    scenario: Scenario,
    issue: str,
    model: str,
    options: ModelOptions,
    futures: list[dict[str, Any]],
) -> dict[str, Any]:
    """The ``detente.dyads/1`` document, as ``detente dyads --json`` prints it and the
    workbench serves it: ``futures`` holds each future's :func:`future_json`."""
    body = {
        "issue": issue,
        "model": model,
        "options": options.model_dump(mode="json"),
        "futures": futures,
    }
    return headed_document(DYADS_SCHEMA, scenario, body)


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
    options: ModelOptions | None = None,
    future: str | None = None,
    round: int = 1,
    draws: int = 200,
    rng: RNG = None,
    spread: float = 0.0,
    round_days: float | None = None,
    model: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[PairRisk]:
    """Probability of each pair being in conflict and being misperceived at ``round``.

    Each draw samples the scenario's uncertain inputs (as :func:`detente.simulate.simulate`,
    one child seed per draw) and runs the model to that round; a loop over draws, for small
    scenarios (each draw keeps every actor's view, O(n^3)). ``progress`` is called with 1
    after each draw.

    Raises
    ------
    InputError
        ``round`` outside 1..:data:`MAX_ROUND`, or ``draws`` outside
        1..:data:`detente.simulate.MAX_DRAWS`.
    """
    check_round(round)
    check_draws(draws)
    info = dyads_model(model)
    limit = info.round_limit
    assert limit is not None
    options = (options or info.options()).model_copy(update={limit: max(round, 1)})
    scenario = scenario.with_round_days(round_days)
    issue = check_issue(scenario, issue)
    chosen = _future(scenario, future)
    plan = input_plan(scenario, spread)
    seeds = seeding(rng).sequence.spawn(draws)
    c, X, S, _ = sample_inputs(scenario, plan, [np.random.default_rng(s) for s in seeds])
    conflict: dict[tuple[str, str], int] = {}
    wrong: dict[tuple[str, str], int] = {}
    for d in range(draws):
        rv = _views(
            scenario,
            info,
            options,
            issue,
            chosen,
            c[d],
            X[d],
            S[d],
            np.random.default_rng(seeds[d]),
        )[round - 1]
        ids = rv.actors  # the round's actors (a timeline may add or remove some)
        for dyad in dyad_map(rv):
            if ids.index(dyad.i) < ids.index(dyad.j):  # each pair once
                key = (dyad.i, dyad.j)
                conflict[key] = conflict.get(key, 0) + (dyad.region == "conflict")
        for m in misperceptions(rv):
            wrong[(m.i, m.j)] = wrong.get((m.i, m.j), 0) + 1
        if progress is not None:
            progress(1)
    order = list(dict.fromkeys([*scenario.actor_ids, *(a for pair in conflict for a in pair)]))
    pairs = [(a, b) for n, a in enumerate(order) for b in order[n + 1 :] if (a, b) in conflict]
    return [
        PairRisk(a, b, conflict.get((a, b), 0) / draws, wrong.get((a, b), 0) / draws)
        for a, b in pairs
    ]
