"""The result of a Monte Carlo run: the forecast of every draw, and summaries of them."""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._rng import seed_fields
from detente._version import __version__
from detente.calibration import Predictive
from detente.calibration.apply import calibrated_issue
from detente.scenario.model import Issue, Scenario
from detente.simulate.questions import Question
from detente.simulate.timeline import Future

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SIMULATE_SCHEMA", "Simulation"]

#: Version tag of the JSON document :meth:`Simulation.to_json` returns.
SIMULATE_SCHEMA = "detente.simulate/1"
HISTOGRAM_BINS = 20
TORNADO_ROWS = 10


@dataclass(frozen=True, eq=False)
class Simulation:
    """Forecasts of every draw under every future, for every model and issue.

    ``values[(future, model)]`` is (draws, issues). The draws share their inputs across
    futures (the same seeds), so futures are compared on common random numbers (a future's
    ``probability`` is the product of its branches', equal shares where none is stated). With
    ``mode="draw"`` there is one future, ``mixed``, and ``picks`` says which branch each draw
    drew.
    """

    scenario: Scenario
    futures: tuple[Future, ...]
    mode: str
    models: tuple[str, ...]
    options: dict[str, dict[str, Any]]
    draws: int
    seed: int | None
    spread: float
    engine: str
    input_labels: tuple[str, ...]
    inputs: np.ndarray
    values: dict[tuple[str, str], np.ndarray]
    picks: np.ndarray | None = None
    unsettled: int = 0
    questions: tuple[Question, ...] = ()
    detente_version: str = __version__
    run_id: str | None = field(default=None)
    _summaries: dict[tuple[str, str, str], dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def future_names(self) -> tuple[str, ...]:
        return tuple(key[0] for key in self.values if key[1] == self.models[0])

    def outcome(self, future: str, model: str, issue: str) -> np.ndarray:
        """The forecast of every draw (draws,)."""
        return self.values[future, model][:, self.scenario.issue_ids.index(issue)]

    def predictive(self, future: str, model: str, issue: str) -> Predictive | None:
        """The calibrated distribution of the outcome: the model's errors on DEU III
        (:mod:`detente.calibration`) around every draw's forecast, averaged over the draws.

        The part of the distribution that stands on the actors' positions reads the
        scenario's stated inputs (not each draw's, nor a future's changes). None when
        no error distribution was learned for the model and its options.
        """
        return calibrated_issue(
            model, self.options[model], self.scenario, issue, self.outcome(future, model, issue)
        )

    def summary(self, future: str, model: str, issue: str) -> dict[str, Any]:
        """Median, mean, intervals, histogram, band probabilities and the tornado table.

        ``interval_50`` and ``interval_80`` are the draws' own (input uncertainty only);
        ``calibrated`` the intervals of :meth:`predictive` (None when not learned). Computed
        once per future, model and issue (the tables, the JSON and the report all ask); each
        call returns its own copy.
        """
        key = (future, model, issue)
        if key not in self._summaries:
            self._summaries[key] = self._summary(future, model, issue)
        return copy.deepcopy(self._summaries[key])

    def _summary(self, future: str, model: str, issue: str) -> dict[str, Any]:
        values = self.outcome(future, model, issue)
        found = self.predictive(future, model, issue)
        scale = self.scenario.issue(issue)
        q10, q25, q50, q75, q90 = np.quantile(values, [0.1, 0.25, 0.5, 0.75, 0.9])
        counts, edges = np.histogram(values, bins=HISTOGRAM_BINS, range=(scale.min, scale.max))
        return {
            "future": future,
            "model": model,
            "issue": issue,
            "draws": len(values),
            "median": float(q50),
            "mean": float(values.mean()),
            "sd": float(values.std()),
            "interval_50": [float(q25), float(q75)],
            "interval_80": [float(q10), float(q90)],
            "calibrated": None if found is None else found.to_json(),
            "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
            "bands": _bands(values, scale, found),
            "at_least": [
                {"anchor": a, "label": label, "probability": float((values >= a).mean())}
                for a, label in sorted(scale.scale.items())
            ],
            "tornado": self._tornado(values),
        }

    def answers(self, question: Question | None = None) -> list[dict[str, Any]]:
        """Each threshold question's probability per future and model, with its Monte Carlo
        standard error (all the simulation's questions, or the one given)."""
        out = []
        for q in (question,) if question is not None else self.questions:
            for future in self.future_names:
                for model in self.models:
                    p, se = q.answer(self.outcome(future, model, q.issue))
                    found = self.predictive(future, model, q.issue)
                    out.append(
                        {
                            "question": q.text,
                            "future": future,
                            "model": model,
                            "probability": p,
                            "se": se,
                            "calibrated_probability": q.calibrated(found),
                            "draws": self.draws,
                        }
                    )
        return out

    def rank_correlations(self, future: str, model: str, issue: str) -> dict[str, float]:
        """Spearman rank correlation of every uncertain input with the outcome (0 if constant)."""
        values = self.outcome(future, model, issue)
        if not self.input_labels or np.ptp(values) == 0:
            return dict.fromkeys(self.input_labels, 0.0)
        rho = _spearman(self.inputs, values)
        return {label: float(r) for label, r in zip(self.input_labels, rho, strict=True)}

    def _tornado(self, values: np.ndarray) -> list[dict[str, Any]]:
        """Spearman rank correlation of each uncertain input with the outcome, largest first."""
        if not self.input_labels or np.ptp(values) == 0:
            return []
        rho = _spearman(self.inputs, values)
        order = np.argsort(-np.abs(rho), kind="stable")[:TORNADO_ROWS]
        return [
            {
                "input": self.input_labels[q],
                "actor": self.input_labels[q].split(".", 1)[0],
                "rho": float(rho[q]),
            }
            for q in order
        ]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one ``forecast`` row per future, model, issue and draw, then per
        future, model and issue the summary rows (``draw`` empty): ``median``, ``mean``,
        ``p10``, ``p25``, ``p75`` and ``p90``."""
        import pandas as pd

        frames = []
        issues = np.array(self.scenario.issue_ids)
        for (future, model), array in self.values.items():
            draws, k = array.shape
            options = json.dumps(self.options[model], sort_keys=True)
            frames.append(
                pd.DataFrame(
                    {
                        "future": future,
                        "model": model,
                        "options": options,
                        "issue": np.repeat(issues, draws),
                        "draw": np.tile(np.arange(draws), k),
                        "quantity": "forecast",
                        "value": array.T.reshape(-1),
                    }
                )
            )
            quantiles = np.quantile(array, [0.1, 0.25, 0.5, 0.75, 0.9], axis=0)  # (5, k)
            stats = {
                "median": quantiles[2],
                "mean": array.mean(axis=0),
                "p10": quantiles[0],
                "p25": quantiles[1],
                "p75": quantiles[3],
                "p90": quantiles[4],
            }
            frames.append(
                pd.DataFrame(
                    {
                        "future": future,
                        "model": model,
                        "options": options,
                        "issue": np.tile(issues, len(stats)),
                        "draw": None,
                        "quantity": np.repeat(list(stats), k),
                        "value": np.concatenate(list(stats.values())),
                    }
                )
            )
        frame = pd.concat(frames, ignore_index=True)
        return frame.astype({"draw": "Int64", "value": "float64"})

    def _repr_html_(self) -> str:
        """The simulation in a notebook: per future, model and issue the median, the draws' 50%
        and 80% intervals and the calibrated 80% interval (the first
        :data:`detente._html.BRIEF_ROWS` rows; :meth:`to_frame` has them all)."""
        from detente import _html

        s = self.scenario
        keys = [
            (future, model, issue)
            for future in self.future_names
            for model in self.models
            for issue in s.issue_ids
        ]
        rows: list[list[_html.Cell]] = []
        for future, model, issue in keys[: _html.BRIEF_ROWS]:
            values = self.outcome(future, model, issue)
            q10, q25, q50, q75, q90 = np.quantile(values, [0.1, 0.25, 0.5, 0.75, 0.9])
            found = self.predictive(future, model, issue)
            rows.append(
                [
                    future,
                    model,
                    issue,
                    float(q50),
                    _html.interval((float(q25), float(q75))),
                    _html.interval((float(q10), float(q90))),
                    _html.interval(
                        None if found is None else found.interval(0.8), missing="not learned"
                    ),
                ]
            )
        more = len(keys) - len(rows)
        return _html.block(
            f"Simulation of {s.name or s.id}",
            _html.line(
                f"{_html.count(self.draws, 'draw')} under "
                f"{_html.count(len(self.future_names), 'future')}, spread {self.spread:g}"
                + (f", seed {self.seed}" if self.seed is not None else "")
                + (f", run {self.run_id}" if self.run_id else "")
            ),
            _html.table(
                [
                    "Future",
                    "Model",
                    "Issue",
                    "Median",
                    "50% of draws",
                    "80% of draws",
                    "Calibrated 80%",
                ],
                rows,
                caption="Outcomes over the draws",
            ),
            *([_html.line(f"{_html.count(more, 'more row')}: see to_frame()")] if more else []),
            *(
                [_html.line(f"{_html.count(self.unsettled, 'run')} did not settle")]
                if self.unsettled
                else []
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """The versioned JSON document (``docs/reference/json-output.md``)."""
        s = self.scenario
        return {
            "schema": SIMULATE_SCHEMA,
            "detente_version": self.detente_version,
            "run_id": self.run_id,
            **seed_fields(self.seed),
            "draws": self.draws,
            "spread": self.spread,
            "engine": self.engine,
            "branches": self.mode,
            "scenario": s.reference(),
            "futures": [
                {"name": f.name, "probability": f.probability}
                for f in self.futures
                if f.name in self.future_names
            ]
            or [{"name": name, "probability": None} for name in self.future_names],
            "models": [{"model": m, "options": self.options[m]} for m in self.models],
            "results": [
                self.summary(future, model, issue)
                for future in self.future_names
                for model in self.models
                for issue in s.issue_ids
            ],
            "unsettled_runs": self.unsettled,
            "questions": self.answers(),
        }


def _bands(
    values: np.ndarray, issue: Issue, found: Predictive | None = None
) -> list[dict[str, Any]]:
    """Probability of each labelled band: the outcomes nearest to each scale label; the share
    of draws, and with ``found`` the calibrated probability (None without it)."""
    anchors = sorted(issue.scale)
    if not anchors:
        return []
    cuts = [issue.min] + [(a + b) / 2 for a, b in itertools.pairwise(anchors)]
    cuts.append(issue.max)
    out = []
    for n, anchor in enumerate(anchors):
        low, high = cuts[n], cuts[n + 1]
        inside = (values >= low) & ((values < high) | (n == len(anchors) - 1) & (values <= high))
        out.append(
            {
                "anchor": anchor,
                "label": issue.scale[anchor],
                "from": float(low),
                "to": float(high),
                "probability": float(inside.mean()),
                "calibrated_probability": None
                if found is None
                else (1.0 if n == len(anchors) - 1 else found.below(high)) - found.below(low),
            }
        )
    return out


def _spearman(inputs: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Rank correlation of each column of ``inputs`` (draws, m) with ``outcome`` (draws,)."""

    def ranks(a: np.ndarray) -> np.ndarray:  # (draws, m) -> ranks per column, ties averaged
        out = np.empty_like(a, dtype=float)
        for q in range(a.shape[1]):
            _, inverse, counts = np.unique(a[:, q], return_inverse=True, return_counts=True)
            first = np.cumsum(counts) - counts  # rank of each distinct value's first copy
            out[:, q] = (first + (counts - 1) / 2.0)[inverse]
        return out

    x = ranks(inputs)
    y = ranks(outcome[:, None])[:, 0]
    x -= x.mean(axis=0)
    y -= y.mean()
    denominator = np.sqrt((x**2).sum(axis=0) * (y**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (x * y[:, None]).sum(axis=0) / denominator
    return np.asarray(np.nan_to_num(rho))
