"""Running models on a scenario, and the :class:`Forecast` they produce.

A forecast's one source of truth is its tidy table, :meth:`Forecast.to_frame`: every other
view (the JSON contract, the command-line tables) is built from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente import models as _models
from detente._rng import RNG, seed_fields, seeding
from detente._version import __version__
from detente.calibration import Predictive
from detente.calibration.apply import calibrated
from detente.errors import InputError, ModelError
from detente.models import ModelInfo, ModelOptions, Move, Solution
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORECAST_SCHEMA", "Forecast", "ModelRun", "Round", "forecast", "resolve_models"]

#: Version tag of the JSON document :meth:`Forecast.to_json` returns.
FORECAST_SCHEMA = "detente.forecast/1"

#: Columns of :meth:`Forecast.to_frame`, in order.
FRAME_COLUMNS = ("model", "options", "issue", "draw", "round", "actor", "quantity", "value")


@dataclass(frozen=True)
class Round:
    """A dynamic model's round on one issue, as a forecast keeps it.

    ``positions`` follow the scenario's actor order; ``forecast`` is the model's forecast as of
    the round; ``quantities`` its group-level figures in the model's order (``median``,
    ``mean``, ``most_probable``...); ``moves`` the moves that changed this issue (actors by
    index); ``settled`` whether the model's stopping rule held after it (None: no rule).
    """

    round: int
    positions: tuple[float, ...]
    forecast: float
    quantities: tuple[tuple[str, float], ...] = ()
    moves: tuple[Move, ...] = ()
    settled: bool | None = None

    def quantity(self, name: str) -> float | None:
        """The round's ``name`` figure (``median``, ``mean``...), or None if the model has none."""
        return dict(self.quantities).get(name)


@dataclass(frozen=True)
class ModelRun:
    """One model's result on a scenario: a value per issue (in scenario order) and notes.

    Dynamic models also keep their ``rounds`` per issue (empty for static models) and, per
    issue, whether the run ``settled`` by the model's stopping rule (None: a static model, or
    a dynamic one run for a fixed number of rounds). ``calibrated`` holds per issue the
    forecast's distribution with the model's errors on DEU III
    (:mod:`detente.calibration`); empty when none was learned for the model and its options.
    """

    model: str
    options: Mapping[str, Any]
    values: tuple[float, ...]
    notes: tuple[str, ...] = ()
    rounds: tuple[tuple[Round, ...], ...] = ()
    settled: tuple[bool | None, ...] = ()
    calibrated: tuple[Predictive | None, ...] = field(default=(), compare=False)

    @property
    def unsettled(self) -> int:
        """Issues on which the model reached its round limit without settling."""
        return sum(1 for flag in self.settled if flag is False)


@dataclass(frozen=True)
class Forecast:
    """The result of running one or more models on a scenario.

    Examples
    --------
    >>> import detente
    >>> fc = detente.forecast(detente.bundled("emission-1994"), ["compromise", "median"])
    >>> round(fc.value("compromise", "delay"), 2), fc.value("median", "delay")
    (7.39, 7.0)
    """

    scenario: Scenario
    runs: tuple[ModelRun, ...]
    seed: int | None = None
    detente_version: str = __version__
    run_id: str | None = field(default=None)

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(r.model for r in self.runs)

    def value(self, model: str, issue: str) -> float:
        """The forecast of ``model`` on ``issue``."""
        j = self.scenario.issue_ids.index(issue)
        for run in self.runs:
            if run.model == model:
                return run.values[j]
        raise KeyError(model)

    def run(self, model: str) -> ModelRun:
        """The result of ``model``."""
        for run in self.runs:
            if run.model == model:
                return run
        raise KeyError(model)

    def predictive(self, model: str, issue: str) -> Predictive | None:
        """The calibrated distribution of ``model``'s forecast of ``issue`` (None: not learned)."""
        run = self.run(model)
        if not run.calibrated:
            return None
        return run.calibrated[self.scenario.issue_ids.index(issue)]

    def interval(self, model: str, issue: str, level: float = 0.8) -> tuple[float, float] | None:
        """The calibrated interval of ``level`` (0.5, 0.8 or 0.9 as shown; any in (0, 1))."""
        found = self.predictive(model, issue)
        return None if found is None else found.interval(level)

    def probability(
        self, model: str, issue: str, *, above: float | None = None, below: float | None = None
    ) -> float | None:
        """Calibrated probability that the outcome is at least ``above`` and at most ``below``."""
        found = self.predictive(model, issue)
        return None if found is None else found.probability(above=above, below=below)

    def rows(self) -> list[dict[str, Any]]:
        """The tidy table as a list of dicts (what :meth:`to_frame` wraps)."""
        out: list[dict[str, Any]] = []
        actors = self.scenario.actor_ids
        calendar = self.scenario.calendar
        dated = calendar.dated
        for run in self.runs:
            options = json.dumps(dict(run.options), sort_keys=True)

            def row(
                issue: str, rnd: int | None, actor: str | None, quantity: str, value: float
            ) -> None:
                found: dict[str, Any] = {
                    "model": run.model,  # noqa: B023 - used at once, in this iteration
                    "options": options,  # noqa: B023
                    "issue": issue,
                    "draw": None,
                    "round": rnd,
                    "actor": actor,
                    "quantity": quantity,
                    "value": value,
                }
                if dated:
                    found["date"] = None if rnd is None else calendar.date(rnd)
                out.append(found)

            for j, (issue, value) in enumerate(
                zip(self.scenario.issue_ids, run.values, strict=True)
            ):
                for state in run.rounds[j] if run.rounds else ():
                    for quantity, number in state.quantities:
                        row(issue, state.round, None, quantity, number)
                    for actor, position in zip(actors, state.positions, strict=True):
                        row(issue, state.round, actor, "position", position)
                row(issue, None, None, "forecast", value)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One long, tidy table of results.

        Columns: ``model``, ``options`` (JSON), ``issue``, ``draw`` and ``round`` (empty for a
        deterministic static forecast), ``actor`` (empty for group-level quantities),
        ``quantity`` (``forecast``; dynamic models add ``position`` and their round figures,
        such as ``median``, ``mean`` or ``most_probable``) and ``value``. When the scenario
        dates its rounds (``round_days`` or ``round_dates``), a ``date`` column follows
        ``round`` (each round's date; empty where there is no round). The calibrated
        intervals are not rows of it: they follow from the forecast and the shipped
        calibration (:meth:`interval`, and the JSON document's ``calibrated``).
        """
        import pandas as pd

        columns = list(FRAME_COLUMNS)
        if self.scenario.calendar.dated:
            columns.insert(columns.index("round") + 1, "date")
        frame = pd.DataFrame(self.rows(), columns=columns)
        if "date" in frame:
            frame["date"] = pd.to_datetime(frame["date"])
        return frame.astype({"draw": "Int64", "round": "Int64", "value": "float64"})

    def _repr_html_(self) -> str:
        """The forecast in a notebook: per issue and model the forecast, its calibrated 80%
        interval and the nearest scale label; then the models' notes. Runs nothing."""
        from detente import _html

        s = self.scenario
        keys = [(issue, run) for issue in s.issues for run in self.runs]
        rows: list[list[_html.Cell]] = []
        for issue, run in keys[: _html.BRIEF_ROWS]:
            value = self.value(run.model, issue.id)
            band = self.interval(run.model, issue.id, 0.8)
            rows.append(
                [
                    issue.id,
                    run.model,
                    value,
                    _html.interval(band, missing="not learned"),
                    issue.label(value),
                ]
            )
        notes = [note for run in self.runs for note in run.notes]
        unsettled = [
            f"{run.model} did not settle on {_html.count(run.unsettled, 'issue')}"
            for run in self.runs
            if run.unsettled
        ]
        return _html.block(
            f"Forecast of {s.name or s.id}",
            _html.line(
                f"{_html.count(len(self.runs), 'model')}, {_html.count(len(s.issues), 'issue')}"
                + (f", seed {self.seed}" if self.seed is not None else "")
                + (f", run {self.run_id}" if self.run_id else "")
            ),
            _html.table(
                ["Issue", "Model", "Forecast", "Calibrated 80%", "Nearest label"],
                rows,
                caption="Forecasts",
            ),
            *(
                [_html.line(f"{_html.count(len(keys) - len(rows), 'more row')}: see to_frame()")]
                if len(keys) > len(rows)
                else []
            ),
            *(_html.line(note) for note in [*unsettled, *notes]),
        )

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON document (``docs/reference/json-output.md``)."""
        s = self.scenario
        labels = [a.label for a in s.actors]
        names = [i.name or i.id for i in s.issues]
        runs = {run.model: run for run in self.runs}
        by_issue: dict[str, list[dict[str, Any]]] = {i: [] for i in s.issue_ids}
        rounds: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
        for row in self.rows():
            key = (row["model"], row["issue"])
            if row["quantity"] == "forecast":
                issue = s.issue(row["issue"])
                run = runs[row["model"]]
                entry: dict[str, Any] = {
                    "model": row["model"],
                    "options": json.loads(row["options"]),
                    "value": row["value"],
                    "label": issue.label(row["value"]),
                    "notes": [n for n in run.notes if n.startswith(f"{issue.id}:")],
                }
                j = s.issue_ids.index(issue.id)
                found = run.calibrated[j] if run.calibrated else None
                if found is not None:
                    entry["calibrated"] = _calibrated_json(found)
                if run.rounds:
                    entry["rounds"] = [
                        {
                            **rounds[key][state.round],
                            "forecast": state.forecast,
                            "moves": [
                                m.to_json(s.actor_ids) | {"reason": m.reason_named(labels, names)}
                                for m in state.moves
                            ],
                        }
                        for state in run.rounds[j]
                    ]
                by_issue[row["issue"]].append(entry)
                continue
            record = rounds.setdefault(key, {}).setdefault(
                row["round"],
                {"round": row["round"], "positions": {}}
                if row.get("date") is None
                else {"round": row["round"], "date": row["date"].isoformat(), "positions": {}},
            )
            if row["quantity"] == "position":
                record["positions"][row["actor"]] = row["value"]
            else:
                record[row["quantity"]] = row["value"]
        return {
            "schema": FORECAST_SCHEMA,
            "detente_version": self.detente_version,
            "run_id": self.run_id,
            **seed_fields(self.seed),
            "scenario": s.reference(),
            "issues": [
                {
                    "id": issue.id,
                    "name": issue.name,
                    "min": issue.min,
                    "max": issue.max,
                    "status_quo": issue.status_quo,
                    "forecasts": by_issue[issue.id],
                }
                for issue in s.issues
            ],
            "actors": [
                {
                    "id": a.id,
                    "name": a.label,
                    "capability": a.capability,
                    "position": dict(a.position),
                    "salience": dict(a.salience),
                }
                for a in s.actors
            ],
        }


def _calibrated_json(found: Predictive) -> dict[str, Any]:
    """A calibrated distribution in a forecast document: its intervals and 99 quantiles."""
    return found.to_json() | {
        "learned_on": f"DEU III, {found.error.decisions} forecasts scored out of fold"
    }


def resolve_models(
    models: Sequence[str] | None,
    options: Mapping[str, Mapping[str, Any]] | None,
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[ModelInfo], dict[str, ModelOptions]]:
    """The models to run (default: the registry's defaults) and each one's validated options.

    ``defaults`` are a scenario's own option values per model (``Scenario.model_options``,
    e.g. KTAB XML's model parameters); ``options`` override them, and defaults for models not
    run are ignored.

    Raises
    ------
    InputError
        An unknown model, an unknown or invalid option, or options for a model not run.
    """
    names = tuple(models) if models else _models.defaults()
    infos = [_models.get(name) for name in names]
    given = dict(options or {})
    unused = set(given) - set(names)
    if unused:
        raise InputError(f"options given for models not run: {', '.join(sorted(unused))}")
    base = dict(defaults or {})
    return infos, {
        info.name: info.parse_options({**base.get(info.name, {}), **given.get(info.name, {})})
        for info in infos
    }


def forecast(
    scenario: Scenario,
    models: Sequence[str] | None = None,
    *,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    rng: RNG = None,
    calibrate: bool = True,
) -> Forecast:
    """Run models on a scenario.

    Parameters
    ----------
    scenario
        A validated :class:`~detente.scenario.Scenario`.
    models
        Registered model names (default: ``detente.models.defaults()``).
    options
        Per model name, its options (``{"nash": {"utility": "quadratic"}}``), validated
        against the model's declared options.
    rng
        Seed or generator for stochastic models. The forecast records the seed that rebuilds
        it (one is drawn when none is given).
    calibrate
        Give each model's calibrated distribution where one was learned
        (:mod:`detente.calibration`; the backtest, which learns them, turns this off).

    Returns
    -------
    Forecast

    Raises
    ------
    InputError
        An unknown model or option.
    detente.ModelError
        A model produced a non-finite forecast.
    """
    infos, parsed = resolve_models(models, options, scenario.model_options)
    seeds = seeding(rng)
    generator = seeds.generator()
    c, X, S = scenario.arrays()
    lo, hi, sq = scenario.bounds()
    accommodation = scenario.accommodation_matrix()
    k = len(scenario.issues)
    runs = []
    for info in infos:
        opts = parsed[info.name]
        solution = _models.solve(
            info,
            c,
            X,
            S,
            lo=lo,
            hi=hi,
            status_quo=sq,
            options=opts,
            rng=generator,
            accommodation=accommodation,
            keep=True,
        )
        values = solution.values
        if not np.all(np.isfinite(values)):
            raise ModelError(f"model {info.name} gave a non-finite forecast on {scenario.id}")
        notes = (
            info.notes(
                c, X, S, lo=lo, hi=hi, status_quo=sq, options=opts, issues=scenario.issue_ids
            )
            if info.notes
            else []
        )
        dumped = opts.model_dump(mode="json")
        runs.append(
            ModelRun(
                model=info.name,
                options=dumped,
                values=tuple(float(v) for v in values),
                calibrated=calibrated(info.name, dumped, scenario, list(values))
                if calibrate
                else (),
                notes=tuple(notes),
                rounds=_issue_paths(solution, k),
                settled=_settled(solution, k, info.iterative),
            )
        )
    return Forecast(scenario=scenario, runs=tuple(runs), seed=seeds.seed)


def _issue_paths(solution: Solution, k: int) -> tuple[tuple[Round, ...], ...]:
    """Each issue's rounds, from the trajectories a solution kept (none for a static model)."""
    if not solution.paths:
        return ()
    out: list[tuple[Round, ...]] = [() for _ in range(k)]
    for path, columns in solution.paths:
        for at, j in enumerate(columns):
            out[j] = tuple(
                Round(
                    round=int(state.round),
                    positions=tuple(float(p) for p in state.positions[:, at]),
                    forecast=float(state.forecast[at]),
                    quantities=tuple((q, float(v[at])) for q, v in state.quantities.items()),
                    moves=tuple(
                        m for m in (mv.on_issue(at) for mv in state.moves) if m is not None
                    ),
                    settled=None if state.settled is None else bool(state.settled[at]),
                )
                for state in path.rounds
            )
    return tuple(out)


def _settled(solution: Solution, k: int, dynamic: bool) -> tuple[bool | None, ...]:
    if not dynamic:
        return ()
    if solution.settled is None:
        return (None,) * k
    return tuple(bool(v) for v in solution.settled)
