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
from detente._version import __version__
from detente.errors import InputError, ModelError
from detente.models.registry import ModelInfo, ModelOptions
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_MODELS", "FORECAST_SCHEMA", "Forecast", "ModelRun", "Round", "forecast"]

#: Models run when none are named.
DEFAULT_MODELS: tuple[str, ...] = ("compromise", "median", "nash", "eum")
#: Version tag of the JSON document :meth:`Forecast.to_json` returns.
FORECAST_SCHEMA = "detente.forecast/1"

#: Columns of :meth:`Forecast.to_frame`, in order.
FRAME_COLUMNS = ("model", "options", "issue", "draw", "round", "actor", "quantity", "value")


@dataclass(frozen=True)
class Round:
    """A dynamic model's state after one round, as stored in a forecast.

    ``positions`` follow the scenario's actor order; each move names actors by index.
    ``median`` is None for a model without one (``smp``); ``extra`` holds a model's further
    group-level quantities, such as ``smp``'s most probable position.
    """

    round: int
    median: float | None
    mean: float
    positions: tuple[float, ...]
    moves: tuple[Any, ...] = ()
    extra: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class ModelRun:
    """One model's result on a scenario: a value per issue (in scenario order) and notes.

    Dynamic models also keep their ``rounds`` per issue (empty for static models).
    """

    model: str
    options: Mapping[str, Any]
    values: tuple[float, ...]
    notes: tuple[str, ...] = ()
    rounds: tuple[tuple[Round, ...], ...] = ()


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

    def rows(self) -> list[dict[str, Any]]:
        """The tidy table as a list of dicts (what :meth:`to_frame` wraps)."""
        out: list[dict[str, Any]] = []
        actors = self.scenario.actor_ids
        for run in self.runs:
            options = json.dumps(dict(run.options), sort_keys=True)

            def row(
                issue: str, rnd: int | None, actor: str | None, quantity: str, value: float
            ) -> None:
                out.append(
                    {
                        "model": run.model,  # noqa: B023 - used at once, in this iteration
                        "options": options,  # noqa: B023
                        "issue": issue,
                        "draw": None,
                        "round": rnd,
                        "actor": actor,
                        "quantity": quantity,
                        "value": value,
                    }
                )

            for j, (issue, value) in enumerate(
                zip(self.scenario.issue_ids, run.values, strict=True)
            ):
                for state in run.rounds[j] if run.rounds else ():
                    if state.median is not None:
                        row(issue, state.round, None, "median", state.median)
                    row(issue, state.round, None, "mean", state.mean)
                    for quantity, number in state.extra:
                        row(issue, state.round, None, quantity, number)
                    for actor, position in zip(actors, state.positions, strict=True):
                        row(issue, state.round, actor, "position", position)
                row(issue, None, None, "forecast", value)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One long, tidy table of results.

        Columns: ``model``, ``options`` (JSON), ``issue``, ``draw`` and ``round`` (empty for a
        deterministic static forecast), ``actor`` (empty for group-level quantities),
        ``quantity`` (``forecast``; dynamic models add ``median``, ``mean``, ``position``, and
        ``smp`` adds ``most_probable``) and
        ``value``.
        """
        import pandas as pd

        frame = pd.DataFrame(self.rows(), columns=list(FRAME_COLUMNS))
        return frame.astype({"draw": "Int64", "round": "Int64", "value": "float64"})

    def _moves_json(self, moves: tuple[Any, ...]) -> list[dict[str, Any]]:
        ids = self.scenario.actor_ids
        if moves and hasattr(moves[0], "to_json"):
            return [m.to_json(ids) for m in moves]
        return [
            {
                "mover": ids[m.mover],
                "kind": m.kind,
                "toward": ids[m.partner],
                "view": m.view,
                "eu_mover": m.eu_mover,
                "eu_other": m.eu_partner,
                "from": m.old,
                "to": m.new,
            }
            for m in moves
        ]

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON document (``docs/reference/json-output.md``)."""
        s = self.scenario
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
                if run.rounds:
                    j = s.issue_ids.index(issue.id)
                    entry["rounds"] = [
                        {**rounds[key][state.round], "moves": self._moves_json(state.moves)}
                        for state in run.rounds[j]
                    ]
                by_issue[row["issue"]].append(entry)
                continue
            record = rounds.setdefault(key, {}).setdefault(
                row["round"], {"round": row["round"], "positions": {}}
            )
            if row["quantity"] == "position":
                record["positions"][row["actor"]] = row["value"]
            else:
                record[row["quantity"]] = row["value"]
        return {
            "schema": FORECAST_SCHEMA,
            "detente_version": self.detente_version,
            "run_id": self.run_id,
            "seed": self.seed,
            "scenario": {"id": s.id, "name": s.name, "hash": s.content_hash()},
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


def resolve_models(
    models: Sequence[str] | None,
    options: Mapping[str, Mapping[str, Any]] | None,
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[ModelInfo], dict[str, ModelOptions]]:
    """The models to run (default :data:`DEFAULT_MODELS`) and each one's validated options.

    ``defaults`` are a scenario's own option values per model (``Scenario.model_options``,
    e.g. KTAB XML's model parameters); ``options`` override them, and defaults for models not
    run are ignored.

    Raises
    ------
    InputError
        An unknown model, an unknown or invalid option, or options for a model not run.
    """
    names = tuple(models) if models else DEFAULT_MODELS
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
    rng: int | np.random.SeedSequence | np.random.Generator | None = None,
) -> Forecast:
    """Run models on a scenario.

    Parameters
    ----------
    scenario
        A validated :class:`~detente.scenario.Scenario`.
    models
        Registered model names (default :data:`DEFAULT_MODELS`).
    options
        Per model name, its options (``{"nash": {"utility": "quadratic"}}``), validated
        against the model's declared options.
    rng
        Seed or generator for stochastic models; recorded in the forecast when an int.

    Returns
    -------
    Forecast

    Raises
    ------
    InputError
        An unknown model or option.
    ModelError
        A model produced a non-finite forecast.
    """
    infos, parsed = resolve_models(models, options, scenario.model_options)
    seed = int(rng) if isinstance(rng, int | np.integer) else None
    generator = np.random.default_rng(rng)
    c, X, S = scenario.arrays()
    lo, hi, sq = scenario.bounds()
    runs = []
    for info in infos:
        opts = parsed[info.name]
        stored: tuple[tuple[Round, ...], ...] = ()
        if info.trajectory is not None:
            extra: dict[str, Any] = {}
            if "accommodation" in info.scenario_inputs:
                extra["accommodation"] = scenario.accommodation_matrix()
            paths = info.trajectory(
                c, X, S, lo=lo, hi=hi, status_quo=sq, options=opts, rng=generator, **extra
            )
            stored = tuple(tuple(_round(state) for state in path) for path in paths)
            values = np.array([getattr(path[-1], info.forecast) for path in stored])
        else:
            values = info.point(c, X, S, lo=lo, hi=hi, status_quo=sq, options=opts, rng=generator)
        if not np.all(np.isfinite(values)):
            raise ModelError(f"model {info.name} gave a non-finite forecast on {scenario.id}")
        notes = (
            info.notes(
                c, X, S, lo=lo, hi=hi, status_quo=sq, options=opts, issues=scenario.issue_ids
            )
            if info.notes
            else []
        )
        runs.append(
            ModelRun(
                model=info.name,
                options=opts.model_dump(mode="json"),
                values=tuple(float(v) for v in values),
                notes=tuple(notes),
                rounds=stored,
            )
        )
    return Forecast(scenario=scenario, runs=tuple(runs), seed=seed)


def _round(state: Any) -> Round:
    return Round(
        round=int(state.round),
        median=None if state.median is None else float(state.median),
        mean=float(state.mean),
        positions=tuple(float(p) for p in state.positions),
        moves=tuple(state.moves),
        extra=tuple((name, float(v)) for name, v in getattr(state, "extra", ())),
    )
