"""Dynamics over time: crisis incentives, miscalculation, expected conflicts, instability and
settlement, round by round (and date by date), under every future of the timeline.

For a model with dyads (the expected utility model; see :func:`detente.analysis.dyads`), each
round of each run gives, with the rules of :mod:`detente.analysis.dyads`:

* each actor's **crisis incentive**: its largest expected utility of challenging anyone, from
  its own view, and that target (no target when nothing is to be gained);
* the **misperceived** pairs (the two sides' own views put their dyad in different regions)
  and the **expected conflicts** (pairs in the conflict region, objective view);
* **instability** per actor: how many of its pairs are expected conflicts, and their
  *weight*, the share of the issue's capability x salience (the round's inputs) that its
  opponents in those conflicts hold;
* whether the run is **settled**: every actor's position within ``tolerance`` scale points of
  the round's forecast (the model's point forecast, the EUM's median).

The run on the inputs as given is the *point* run; ``draws`` Monte Carlo draws of the
uncertain inputs (one child seed per draw, as :func:`detente.analysis.dyads.pair_risks`) give
the probabilities: of a misperceived pair, of an expected conflict, of a settled round, and
``P(settled by D)``, the share of draws settled at some round on or before date (or round) D,
with its Monte Carlo error ``sqrt(p (1 - p) / draws)``. Dates come from the scenario's round
calendar (``round_days`` or ``round_dates``); without one, rounds are numbered.

Every round up to the model's round limit is run (the stopping rule is not applied), so that
the rounds reach past the timeline's events.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._rng import RNG, seed_fields, seeding
from detente._version import __version__
from detente.analysis._series import SettledBy, _FutureResult, _iso, _run, _settled_by, _summarise
from detente.analysis.dyads import _future, check_draws, check_issue, dyads_model
from detente.errors import InputError
from detente.models import ModelOptions
from detente.scenario.model import Scenario
from detente.simulate.inputs import input_plan, sample_inputs
from detente.simulate.timeline import futures as all_futures

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_TOLERANCE",
    "DYNAMICS_SCHEMA",
    "MAX_ACTORS",
    "MAX_BY",
    "Dynamics",
    "SettledBy",
    "dynamics",
]

#: Version tag of :meth:`Dynamics.to_json`.
DYNAMICS_SCHEMA = "detente.dynamics/1"
#: Scale points within which every actor must be of the round's forecast for it to be settled.
DEFAULT_TOLERANCE = 5.0
#: Above this many actors the analysis is refused (each round keeps every actor's view: n^3).
MAX_ACTORS = 40
#: The most ``by`` dates (or rounds) one analysis answers.
MAX_BY = 100
#: The most run-rounds (draws + 1, times futures, times rounds) one analysis may ask for.
MAX_WORK = 2_000_000


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Dynamics:
    """Crisis incentives, miscalculation, conflicts, instability and settlement over the rounds
    of one model on one issue, under each future (see :func:`dynamics`)."""

    scenario: Scenario
    issue: str
    model: str
    options: ModelOptions
    draws: int
    seed: int | None
    tolerance: float
    futures: tuple[_FutureResult, ...]
    run_id: str | None = field(default=None)
    detente_version: str = __version__

    @property
    def future_names(self) -> list[str]:
        return [f.name for f in self.futures]

    def _find(self, future: str | None) -> _FutureResult:
        if future is None:
            return self.futures[0]
        for f in self.futures:
            if f.name == future:
                return f
        raise KeyError(future)

    def rounds(self, future: str | None = None) -> list[dict[str, Any]]:
        """The rounds of ``future`` (default the first) as the JSON document gives them."""
        return [dict(r) for r in self._find(future).rounds]

    def settled_by(self, future: str | None, at: dt.date | int) -> SettledBy:
        """``P(settled by at)`` under ``future``: a date of the calendar, or a round number.

        Raises
        ------
        InputError
            ``at`` is a date and the rounds carry no dates.
        """
        found = self._find(future)
        return _settled_by(
            self.scenario, at, None, found.deviation, found.point_deviation, self.tolerance
        )

    def deviation(self, future: str | None = None) -> np.ndarray:
        """Per draw and round (round 0 first), the largest distance of a position from the
        round's forecast (draws, rounds + 1): a round is settled where it is within the
        tolerance."""
        return np.array(self._find(future).deviation)

    def to_json(self) -> dict[str, Any]:
        """The ``detente.dynamics/1`` document (``docs/reference/json-output.md``)."""
        s = self.scenario
        calendar = s.calendar
        return {
            "schema": DYNAMICS_SCHEMA,
            "detente_version": self.detente_version,
            "run_id": self.run_id,
            **seed_fields(self.seed),
            "scenario": s.reference(),
            "issue": self.issue,
            "model": self.model,
            "options": self.options.model_dump(mode="json"),
            "draws": self.draws,
            "tolerance": self.tolerance,
            "calendar": {
                "as_of": _iso(s.as_of),
                "round_days": s.round_days,
                "round_dates": [d.isoformat() for d in s.round_dates] or None,
            }
            if calendar.dated
            else None,
            "futures": [
                {
                    "name": f.name,
                    "probability": f.probability,
                    "events": [dict(e) for e in f.events],
                    "rounds": [dict(r) for r in f.rounds],
                    "settled_by": [b.to_json() for b in f.settled_by],
                    "first_settled": f.first_settled(self.tolerance) if self.draws else [],
                    "highlights": f.highlights(),
                }
                for f in self.futures
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """One long, tidy table of the series over time.

        Columns: ``future``, ``round``, ``date`` (empty when rounds are numbered), ``actor``
        (empty for the group's figures), ``target`` (the actor's best target, on its
        ``incentive`` rows), ``quantity`` and ``value``. Group quantities: ``settled`` (point
        run, 0 or 1), ``p_settled``, ``p_settled_by``, ``misperceived``,
        ``misperceived_mean``, ``p_misperceived``, ``conflicts``, ``conflicts_mean`` and
        ``p_conflict``; actor quantities: ``incentive``, ``incentive_mean``, ``incentive_se``,
        ``p_target``, ``conflicts``, ``conflict_weight``, ``conflicts_mean`` and
        ``conflict_weight_mean``. Monte Carlo quantities are left out without draws.
        """
        import pandas as pd

        group = (
            "settled",
            "p_settled",
            "p_settled_by",
            "misperceived",
            "misperceived_mean",
            "p_misperceived",
            "conflicts",
            "conflicts_mean",
            "p_conflict",
        )
        each = (
            "incentive",
            "incentive_mean",
            "incentive_se",
            "p_target",
            "conflicts",
            "conflict_weight",
            "conflicts_mean",
            "conflict_weight_mean",
        )
        rows: list[tuple[Any, ...]] = []
        for f in self.futures:
            for r in f.rounds:
                day = pd.Timestamp(r["date"]) if r["date"] else pd.NaT
                for name in group:
                    if r[name] is not None:
                        rows.append((f.name, r["round"], day, None, None, name, float(r[name])))
                for a in r["actors"]:
                    for name in each:
                        if a[name] is not None:
                            target = a["target"] if name == "incentive" else None
                            rows.append(
                                (f.name, r["round"], day, a["actor"], target, name, float(a[name]))
                            )
        frame = pd.DataFrame(
            rows, columns=["future", "round", "date", "actor", "target", "quantity", "value"]
        )
        frame["date"] = pd.to_datetime(frame["date"])
        return frame.astype({"round": "int64", "value": "float64"})

    def _repr_html_(self) -> str:
        """The series in a notebook: per future, each round's date, settlement, misperceived
        pairs, conflicts and the largest crisis incentive; then P(settled by) each date."""
        from detente import _html

        parts = [
            _html.line(
                f"{self.model} on {self.issue}, "
                + (
                    f"{_html.count(self.draws, 'draw')} per future"
                    if self.draws
                    else "the inputs as given (no draws)"
                )
                + f", settled within {self.tolerance:g} of the forecast"
            )
        ]
        for f in self.futures:
            rows: list[list[_html.Cell]] = []
            for r in f.rounds[: _html.BRIEF_ROWS]:
                top = max(r["actors"], key=lambda a: a["incentive"], default=None)
                rows.append(
                    [
                        r["round"],
                        r["date"] or "-",
                        ", ".join(r["events"]) or "",
                        "yes" if r["settled"] else "no",
                        r["p_settled_by"],
                        r["misperceived"],
                        r["p_misperceived"],
                        r["conflicts"],
                        f"{top['actor']} -> {top['target']} ({top['incentive']:.3g})"
                        if top and top["target"]
                        else "-",
                    ]
                )
            parts.append(
                _html.table(
                    [
                        "Round",
                        "Date",
                        "Events",
                        "Settled",
                        "P(settled by)",
                        "Misperceived",
                        "P(misperceived)",
                        "Conflicts",
                        "Largest crisis incentive",
                    ],
                    rows,
                    caption=f"Future {f.name}",
                    digits=2,
                )
            )
            for b in f.settled_by:
                parts.append(
                    _html.line(
                        f"P(settled by {_by_text(b)}) = "
                        + (
                            f"{b.p:.3f} +/- {b.se:.3f}"
                            if b.p is not None and b.se is not None
                            else ("yes" if b.settled else "no") + " (inputs as given)"
                        )
                    )
                )
        return _html.block(f"Dynamics of {self.scenario.name or self.scenario.id}", *parts)


def _by_text(b: SettledBy) -> str:
    at = b.by if isinstance(b.by, int) else b.by.isoformat()
    what = f"round {at}" if isinstance(b.by, int) else str(at)
    return f"{what}, {b.event}" if b.event else what


def check_tolerance(tolerance: float) -> None:
    """Refuse a tolerance that is negative or not a number."""
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise InputError(f"--tolerance is {tolerance}; give a number of scale points, 0 or more")


def dynamics(
    scenario: Scenario,
    issue: str | None = None,
    *,
    model: str | None = None,
    options: ModelOptions | None = None,
    draws: int = 200,
    rng: RNG = None,
    spread: float = 0.0,
    tolerance: float = DEFAULT_TOLERANCE,
    by: Iterable[dt.date | int] = (),
    round_days: float | None = None,
    futures: Sequence[str] | None = None,
) -> Dynamics:
    """Crisis incentives, miscalculation, conflicts, instability and settlement over time.

    Parameters
    ----------
    scenario
        The scenario; its round calendar (``round_days`` or ``round_dates``) dates the rounds.
    issue
        The issue (default: the first).
    model, options
        A model with dyads (default: the first, the expected utility model) and its options;
        every round up to its round limit is run.
    draws
        Monte Carlo draws per future (0: the point run only, and no probabilities).
    rng
        The seed (one is drawn and recorded when none is given).
    spread
        Uncertainty of inputs without a declared range (as for :func:`detente.simulate.simulate`).
    tolerance
        Scale points: a round is settled when every actor is within this of its forecast.
    by
        Dates (with a dated calendar) or round numbers to give ``P(settled by ...)`` for, besides
        the timeline's events (by an event: at some round before the event's round).
    round_days
        Rounds of this many days from ``as_of``, replacing the scenario's own calendar.
    futures
        Names of the futures to analyse (default: every future of the timeline).

    Returns
    -------
    Dynamics
        The series per future (:meth:`Dynamics.to_json`, :meth:`Dynamics.to_frame`).

    Raises
    ------
    InputError
        An unknown issue, model or future; ``draws`` or ``tolerance`` out of range; a date in
        ``by`` with numbered rounds; more than :data:`MAX_ACTORS` actors; or more work than
        :data:`MAX_WORK` run-rounds.

    Examples
    --------
    >>> import detente
    >>> from detente.analysis import dynamics
    >>> s = detente.bundled("six-party-2004").with_round_days(30)
    >>> d = dynamics(s, draws=0, rng=1)
    >>> d.future_names
    ['bush-reelected', 'kerry-wins']
    >>> d.rounds("bush-reelected")[0]["date"]
    '2004-06-09'
    """
    if draws:
        check_draws(draws)
    elif draws < 0:
        raise InputError(f"--draws is {draws}; give 0 (none) or more")
    check_tolerance(tolerance)
    asked = list(by)
    if len(asked) > MAX_BY:
        raise InputError(f"{len(asked)} --by dates; at most {MAX_BY}")
    scenario = scenario.with_round_days(round_days)
    calendar = scenario.calendar
    for at in asked:
        if isinstance(at, dt.date) and not calendar.dated:
            raise InputError(
                f"--by {at.isoformat()} is a date, and the rounds of {scenario.id} carry none: "
                "give --round-days (or round_days/round_dates in the scenario), or a round number"
            )
        if isinstance(at, int) and at < 0:
            raise InputError(f"--by {at}: a round number is 0 or more")
    info = dyads_model(model)
    options = options or info.options()
    issue = check_issue(scenario, issue)
    if len(scenario.actors) > MAX_ACTORS:
        raise InputError(
            f"{len(scenario.actors)} actors; the dynamics over time keep every actor's view of "
            f"every pair each round, and are computed for at most {MAX_ACTORS} actors"
        )
    names = list(futures) if futures else [f.name for f in _all(scenario)]
    chosen = [_future(scenario, name) for name in names]
    limit = info.round_limit
    assert limit is not None
    rounds = int(getattr(options, limit))
    work = (draws + 1) * len(chosen) * max(rounds, 1)
    if work > MAX_WORK:
        raise InputError(
            f"{draws:,} draws x {len(chosen)} futures x {rounds:,} rounds is {work:,} "
            f"model rounds; at most {MAX_WORK:,}: give fewer draws or rounds"
        )
    seeds_of = seeding(rng)
    seeds = seeds_of.sequence.spawn(draws) if draws else []
    plan = input_plan(scenario, spread)
    if draws:
        c, X, S, _ = sample_inputs(scenario, plan, [np.random.default_rng(s) for s in seeds])
    c0, X0, S0 = scenario.arrays()
    j = scenario.issue_ids.index(issue)
    results = []
    for future in chosen:

        def run(cd: np.ndarray, Xd: np.ndarray, Sd: np.ndarray, gen: np.random.Generator) -> Any:
            return _run(scenario, info, options, issue, future, cd, Xd, Sd, gen, j, tolerance)  # noqa: B023

        point = run(c0, X0, S0, seeds_of.generator())
        drawn = [run(c[d], X[d], S[d], np.random.default_rng(seeds[d])) for d in range(draws)]
        results.append(_summarise(scenario, future, point, drawn, asked, tolerance))
    return Dynamics(
        scenario=scenario,
        issue=issue,
        model=info.name,
        options=options,
        draws=draws,
        seed=seeds_of.seed,
        tolerance=tolerance,
        futures=tuple(results),
    )


def _all(scenario: Scenario) -> list[Any]:
    try:
        return list(all_futures(scenario))
    except ValueError as err:
        raise InputError(str(err)) from None
