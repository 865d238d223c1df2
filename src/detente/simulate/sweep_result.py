"""The result of a sweep: every model's forecast at every design point, and what it shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from detente._rng import seed_fields
from detente._version import __version__
from detente.scenario.model import Scenario
from detente.simulate.questions import Question
from detente.simulate.sweep_design import Axis
from detente.simulate.sweep_spec import SweepSpec, Tie
from detente.simulate.tipping import TippingPoint

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SWEEP_SCHEMA", "Sweep"]

#: Version tag of :meth:`Sweep.to_json`.
SWEEP_SCHEMA = "detente.sweep/1"


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Sweep:
    """Every model's forecast at every design point, with the tipping points and their lines.

    ``columns`` holds each axis's value at every point (in ``axes`` order); ``values[model]``
    is (points, issues) for the recorded ``issues``; ``lines`` the runs along each numeric
    input through the base point.
    """

    spec: SweepSpec
    scenario: Scenario
    axes: tuple[Axis, ...]
    ties: tuple[Tie, ...]
    columns: tuple[tuple[Any, ...], ...]
    models: tuple[str, ...]
    options: dict[str, dict[str, Any]]
    issues: tuple[str, ...]
    values: dict[str, np.ndarray]
    lines: tuple[dict[str, Any], ...]
    tipping: tuple[TippingPoint, ...]
    questions: tuple[Question, ...]
    seed: int | None
    engine: str
    unsettled: int = 0
    detente_version: str = __version__
    run_id: str | None = field(default=None)

    @property
    def points(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per design point, model and issue, with each axis's value."""
        import pandas as pd

        P, k = self.points, len(self.issues)
        frames = []
        for model in self.models:
            data: dict[str, Any] = {"point": np.repeat(np.arange(P), k)}
            for axis, column in zip(self.axes, self.columns, strict=True):
                data[axis.label] = np.repeat(np.asarray(column, dtype=object), k)
            data["model"] = model
            data["issue"] = np.tile(np.array(self.issues, dtype=object), P)
            data["value"] = self.values[model].reshape(-1)
            frames.append(pd.DataFrame(data))
        frame = pd.concat(frames, ignore_index=True)
        for axis in self.axes:
            if axis.numeric:
                frame[axis.label] = frame[axis.label].astype("float64")
            else:
                frame[axis.label] = frame[axis.label].astype(str)
        return frame.astype({"point": "int64", "value": "float64"})

    def influence(self) -> list[dict[str, Any]]:
        """Per model and issue, how far each input moves the mean forecast, largest first."""
        rows: list[dict[str, Any]] = []
        for model in self.models:
            for j, issue in enumerate(self.issues):
                values = self.values[model][:, j]
                for axis, column in zip(self.axes, self.columns, strict=True):
                    means = _level_means(column, values, axis.numeric)
                    rows.append(
                        {
                            "model": model,
                            "issue": issue,
                            "input": axis.label,
                            "effect": float(max(means) - min(means)) if means else 0.0,
                        }
                    )
        rows.sort(key=lambda r: (r["model"], r["issue"], -r["effect"]))
        return rows

    def answers(self) -> list[dict[str, Any]]:
        """Per question and model, the share of design points whose forecast meets it."""
        out = []
        for q in self.questions:
            j = self.issues.index(q.issue) if q.issue in self.issues else None
            for model in self.models:
                share = float(q.met(self.values[model][:, j]).mean()) if j is not None else None
                out.append({"question": q.text, "model": model, "share_of_points": share})
        return out

    def heatmaps(self) -> list[dict[str, Any]]:
        """With exactly two numeric inputs in a full-factorial design: each model's mean forecast
        of each issue at every pair of their values (rows: the first input's values)."""
        numeric = [n for n, a in enumerate(self.axes) if a.numeric]
        if self.spec.design.kind != "full-factorial" or len(numeric) != 2:
            return []
        first, second = numeric
        xs = sorted(set(self.columns[first]))
        ys = sorted(set(self.columns[second]))
        a = np.asarray(self.columns[first], dtype=float)
        b = np.asarray(self.columns[second], dtype=float)
        out = []
        for model in self.models:
            for t, issue in enumerate(self.issues):
                v = self.values[model][:, t]
                grid = [[float(v[(a == x) & (b == y)].mean()) for y in ys] for x in xs]
                out.append(
                    {
                        "model": model,
                        "issue": issue,
                        "rows": self.axes[first].label,
                        "columns": self.axes[second].label,
                        "row_values": xs,
                        "column_values": ys,
                        "mean": grid,
                    }
                )
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``detente.sweep/1`` document (the points themselves are in the run's table)."""
        s = self.scenario
        return {
            "schema": SWEEP_SCHEMA,
            "detente_version": self.detente_version,
            "run_id": self.run_id,
            "name": self.spec.name,
            "scenario": s.reference() | {"copy": s.model_dump(mode="json")},
            "spec": self.spec.model_dump(mode="json"),
            "design": self.spec.design.kind,
            "points": self.points,
            **seed_fields(self.seed),
            "engine": self.engine,
            "models": [{"model": m, "options": self.options[m]} for m in self.models],
            "issues": list(self.issues),
            "axes": [
                {
                    "input": a.label,
                    "kind": a.kind,
                    "base": a.base,
                    "values": list(a.values),
                }
                for a in self.axes
            ],
            "ties": [t.model_dump(mode="json") for t in self.ties],
            "influence": self.influence(),
            "tipping": [{**vars(t), "at": t.at} for t in self.tipping],
            "lines": list(self.lines),
            "heatmaps": self.heatmaps(),
            "questions": self.answers(),
            "unsettled_runs": self.unsettled,
        }


def _level_means(column: Sequence[Any], values: np.ndarray, numeric: bool) -> list[float]:
    keys = np.asarray(column, dtype=float if numeric else object)
    levels = list(dict.fromkeys(column))
    if numeric and len(levels) > 50:  # a sampled design: deciles of the input's range
        edges = np.quantile(keys, np.linspace(0, 1, 11))
        bins = np.clip(np.searchsorted(edges, keys, side="right") - 1, 0, 9)
        return [float(values[bins == b].mean()) for b in range(10) if np.any(bins == b)]
    return [float(values[keys == level].mean()) for level in levels]
