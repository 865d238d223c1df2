"""The forecast distribution a seal freezes: one function, so that calibrated quantiles plug in.

:func:`distribution_of` is the one place that decides what a stored run's forecast of an issue
is, for one model and one branch:

``"calibrated"``
    The run's output document carries the model's calibrated distribution
    (:mod:`detente.calibration`: its errors on DEU III): in a forecast document, the
    ``calibrated`` object of the model's entry under ``issues[].forecasts[]``; in a simulation
    document, that of the ``results[]`` entry of the future, model and issue (the errors around
    every draw's forecast). Its quantiles at 0.01, ..., 0.99 are sealed as they are.
``"monte-carlo draws"``
    A simulation's draws of the model's forecast, for the branch, as quantiles at the levels
    0.01, 0.02, ..., 0.99 (:data:`LEVELS`); the point is the draws' median.
``"point"``
    A forecast run without draws: the point forecast only. Its CRPS is its absolute error
    (the CRPS of a point mass), and it has no intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import InputError

if TYPE_CHECKING:
    from detente.store import StoredRun

__all__ = ["KINDS", "LEVELS", "Distribution", "distribution_of", "forecast_keys"]

#: Quantile levels a simulation's draws are sealed at: 0.01, 0.02, ..., 0.99.
LEVELS: tuple[float, ...] = tuple(round(k / 100, 2) for k in range(1, 100))
#: Kinds of sealed distribution.
KINDS: tuple[str, ...] = ("calibrated", "monte-carlo draws", "point")
#: Run kinds that can be sealed.
SEALABLE: tuple[str, ...] = ("forecast", "simulate")


@dataclass(frozen=True)
class Distribution:
    """A forecast of one issue by one model in one branch: a point and, but for ``"point"``,
    quantiles at ``levels``."""

    kind: str
    point: float
    levels: tuple[float, ...] = ()
    quantiles: tuple[float, ...] = ()
    draws: int | None = None
    intervals: tuple[tuple[str, tuple[float, float]], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The distribution as sealed: ``{"kind", "levels", "quantiles"[, "draws"]
        [, "intervals"]}``; a calibrated one keeps its shown intervals (``"50"``, ``"80"``,
        ``"90"``), whose levels were learned out of fold, and these are the ones scored."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "levels": list(self.levels),
            "quantiles": list(self.quantiles),
        }
        if self.draws is not None:
            out["draws"] = self.draws
        if self.intervals:
            out["intervals"] = {name: list(ends) for name, ends in self.intervals}
        return out


def forecast_keys(run: StoredRun) -> list[tuple[str, str | None, str]]:
    """Every ``(model, branch, issue)`` the run forecasts, in the frame's order; the branch is
    ``None`` for a forecast run (it has none)."""
    _check_kind(run)
    frame = _forecast_rows(run)
    columns = ["model", "future", "issue"] if "future" in frame.columns else ["model", "issue"]
    keys: list[tuple[str, str | None, str]] = []
    for row in frame[columns].drop_duplicates().itertuples(index=False):
        values = [str(v) for v in row]
        keys.append(
            (values[0], values[1], values[2]) if len(values) == 3 else (values[0], None, values[1])
        )
    return keys


def distribution_of(run: StoredRun, model: str, issue_id: str, branch: str | None) -> Distribution:
    """The forecast to seal: ``model``'s forecast of ``issue_id`` in ``branch`` of ``run``.

    Parameters
    ----------
    run
        A stored forecast or simulation.
    model, issue_id
        The model and issue.
    branch
        The future (a timeline branch, e.g. ``"bush-reelected"``) of a simulation; ``None`` for
        a forecast run.

    Returns
    -------
    Distribution
        Calibrated quantiles when the run's document carries them, else the simulation's draws
        as quantiles at :data:`LEVELS`, else the point forecast alone.

    Raises
    ------
    InputError
        The run is not a forecast or simulation, or has no forecast of that model, issue and
        branch.
    """
    _check_kind(run)
    calibrated = _calibrated(run.document, model, issue_id, branch)
    frame = _forecast_rows(run)
    keep = (frame["model"].astype(str) == model) & (frame["issue"].astype(str) == issue_id)
    if "future" in frame.columns:
        if branch is None:
            raise InputError(f"run {run.id} is a simulation: name the branch (future) to seal")
        keep &= frame["future"].astype(str) == branch
    elif branch is not None:
        raise InputError(f"run {run.id} is a forecast of the scenario as given: it has no branch")
    rows = frame.loc[keep]
    where = f"model '{model}', issue '{issue_id}'" + (f", branch '{branch}'" if branch else "")
    if not len(rows):
        raise InputError(f"run {run.id} has no forecast of {where}")
    if "draw" in rows.columns and rows["draw"].notna().any():
        draws = rows.loc[rows["draw"].notna(), "value"].to_numpy(dtype=float)
        draws = draws[np.isfinite(draws)]
        if not len(draws):
            raise InputError(f"run {run.id}: every draw of {where} is missing")
        point = float(np.median(draws))
        if calibrated is not None:
            return Distribution("calibrated", point, *calibrated[:2], intervals=calibrated[2])
        quantiles = np.quantile(draws, LEVELS)
        return Distribution(
            "monte-carlo draws",
            point,
            LEVELS,
            tuple(float(q) for q in quantiles),
            draws=len(draws),
        )
    point = float(rows["value"].iloc[0])
    if not np.isfinite(point):
        raise InputError(f"run {run.id}: the forecast of {where} is missing")
    if calibrated is not None:
        return Distribution("calibrated", point, *calibrated[:2], intervals=calibrated[2])
    return Distribution("point", point)


def _check_kind(run: StoredRun) -> None:
    if run.kind not in SEALABLE:
        raise InputError(
            f"run {run.id} is a {run.kind} run: only forecast and simulate runs can be sealed"
        )


def _forecast_rows(run: StoredRun) -> Any:
    """The frame's forecasts: every draw's (a simulation), or the final ones (a forecast run:
    not a round's, actor's or draw's)."""
    frame = run.frame
    keep = frame["quantity"].astype(str) == "forecast"
    if "future" not in frame.columns:
        for column in ("draw", "round", "actor"):
            if column in frame.columns:
                keep &= frame[column].isna()
    return frame.loc[keep]


def _calibrated(
    document: dict[str, Any], model: str, issue_id: str, branch: str | None
) -> (
    tuple[tuple[float, ...], tuple[float, ...], tuple[tuple[str, tuple[float, float]], ...]] | None
):
    """The calibrated levels and quantiles of ``model`` for ``issue_id`` (and ``branch``, in a
    simulation), if the document has them (see the module's docstring for where)."""
    entry: Any = None
    for issue in document.get("issues") or []:  # a forecast document
        if isinstance(issue, dict) and issue.get("id") == issue_id:
            for found in issue.get("forecasts") or []:
                if isinstance(found, dict) and found.get("model") == model:
                    entry = found.get("calibrated")
    for result in document.get("results") or []:  # a simulation document
        if (
            isinstance(result, dict)
            and result.get("model") == model
            and result.get("issue") == issue_id
            and result.get("future") == branch
        ):
            entry = result.get("calibrated")
    if not isinstance(entry, dict):
        return None
    levels, quantiles = entry.get("levels"), entry.get("quantiles")
    if not isinstance(levels, list) or not isinstance(quantiles, list):
        return None
    if len(levels) != len(quantiles) or not levels:
        raise InputError(
            f"the calibrated quantiles of model '{model}' for issue '{issue_id}' do not match "
            "their levels"
        )
    given = entry.get("intervals")
    shown: dict[str, Any] = given if isinstance(given, dict) else {}
    intervals = tuple(
        (str(name), (float(ends[0]), float(ends[1]))) for name, ends in sorted(shown.items())
    )
    return tuple(float(x) for x in levels), tuple(float(x) for x in quantiles), intervals
