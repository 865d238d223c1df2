"""Learning each model's error distribution on DEU III, and scoring it out of fold.

:mod:`detente.calibration` turns a forecast into a distribution; this module learns its
parameters from the DEU III decisions and measures, by cross-validation by proposal, whether
its intervals hold what they say. See ``docs/explanation/forecast-intervals.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente.backtest.capability import CAPABILITY_SOURCES, capabilities
from detente.backtest.deu3 import Deu3
from detente.calibration.predictive import (
    NOMINAL,
    ModelError,
    components,
    crps,
    fit_weights,
    interval_of,
    quantile,
)
from detente.errors import InputError

__all__ = [
    "FORECAST_WIDTHS",
    "POSITION_WIDTHS",
    "Decisions",
    "cross_validate",
    "decisions",
    "fit",
    "folds_by_proposal",
]

#: Widths of the forecast's kernel tried by the choice on the development half.
FORECAST_WIDTHS: tuple[float, ...] = (0.0, 3.0, 8.0, 15.0, 25.0)
#: Widths of the positions' kernel tried likewise.
POSITION_WIDTHS: tuple[float, ...] = (0.0, 3.0, 8.0)
_LEVEL_GRID = np.linspace(0.0, 1.0, 201)
_INNER_FOLDS = 10


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Decisions:
    """One model's forecasts of DEU III decisions with what the error layer reads of each.

    ``frame`` has a row per decision and capability source: ``code``, ``proposal``, ``split``,
    ``wave``, ``procedure``, ``capability``, ``forecast``, ``outcome`` and ``spread`` (the
    standard deviation of the actors' positions, 0-100).
    ``positions`` and ``weights`` (capability x salience) are a list per row.
    """

    model: str
    frame: pd.DataFrame
    positions: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, ...]

    def parts(self, forecast_width: float, position_width: float) -> np.ndarray:
        """The mixture's parts of every row: shape (rows, parts, grid)."""
        f = self.frame
        return np.stack(
            [
                components([fc], x, w, forecast_width=forecast_width, position_width=position_width)
                for fc, x, w in zip(f["forecast"], self.positions, self.weights, strict=True)
            ]
        )

    def subset(self, mask: np.ndarray) -> Decisions:
        rows = np.flatnonzero(mask)
        return Decisions(
            model=self.model,
            frame=self.frame.iloc[rows].reset_index(drop=True),
            positions=tuple(self.positions[r] for r in rows),
            weights=tuple(self.weights[r] for r in rows),
        )


def decisions(
    data: Deu3,
    forecasts: pd.DataFrame,
    model: str,
    sources: Iterable[str] = CAPABILITY_SOURCES,
) -> Decisions:
    """One model's rows of backtest frames (``forecasts`` with a ``capability`` column)."""
    by_code = {issue.code: issue for issue in data.select("all")}
    rows: list[dict[str, Any]] = []
    positions: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for source in sources:
        mine = forecasts[(forecasts["model"] == model) & (forecasts["capability"] == source)]
        for code, value in zip(mine["code"], mine["forecast"], strict=True):
            issue = by_code[code]
            caps = capabilities(issue, source, data)
            rows.append(
                {
                    "code": code,
                    "proposal": issue.proposal,
                    "split": issue.split,
                    "wave": issue.wave,
                    "procedure": issue.procedure,
                    "capability": source,
                    "forecast": float(value),
                    "outcome": float(issue.outcome),  # type: ignore[arg-type]  # scoreable
                    "spread": float(np.std(issue.positions)),
                }
            )
            positions.append(np.asarray(issue.positions, dtype=float))
            weights.append(np.asarray(caps, dtype=float) * np.asarray(issue.saliences, dtype=float))
    return Decisions(model, pd.DataFrame(rows), tuple(positions), tuple(weights))


def folds_by_proposal(proposals: Sequence[int] | np.ndarray, k: int, seed: int) -> np.ndarray:
    """A fold number (0 to k-1) per row; every row of a proposal in the same fold."""
    props = np.asarray(proposals)
    unique = np.unique(props)
    order = np.random.default_rng(seed).permutation(len(unique))
    fold_of = dict(zip(unique[order].tolist(), (np.arange(len(unique)) % k).tolist(), strict=True))
    return np.array([fold_of[p] for p in props.tolist()])


def _levels(cdfs: np.ndarray, outcomes: np.ndarray, points: np.ndarray) -> tuple[float, ...]:
    """For each nominal level, the least central level of the mixtures whose intervals,
    stretched to take in their point forecast as every shown interval is, cover as many."""
    los = np.minimum(quantile(cdfs, (1.0 - _LEVEL_GRID) / 2.0), points[:, None])
    his = np.maximum(quantile(cdfs, (1.0 + _LEVEL_GRID) / 2.0), points[:, None])
    covered = ((los <= outcomes[:, None]) & (outcomes[:, None] <= his)).mean(axis=0)
    covered = np.maximum.accumulate(covered)
    out = []
    for nominal in NOMINAL:
        at = int(np.searchsorted(covered, nominal - 1e-12))
        out.append(float(_LEVEL_GRID[min(at, len(_LEVEL_GRID) - 1)]))
    return tuple(out)


def _fit_parts(
    model: str,
    parts: np.ndarray,
    outcomes: np.ndarray,
    proposals: np.ndarray,
    spreads: np.ndarray,
    points: np.ndarray,
    forecast_width: float,
    position_width: float,
) -> ModelError:
    weights = fit_weights(parts, outcomes)
    inner = folds_by_proposal(proposals, _INNER_FOLDS, seed=0)
    cdfs = np.empty((len(outcomes), parts.shape[2]))
    for k in range(_INNER_FOLDS):
        test = inner == k
        w = fit_weights(parts[~test], outcomes[~test])
        cdfs[test] = np.einsum("j,njg->ng", w, parts[test])
    lower, upper = np.quantile(np.unique(spreads), [1.0 / 3.0, 2.0 / 3.0])
    group = np.searchsorted([lower, upper], spreads, side="right")
    pooled = _levels(cdfs, outcomes, points)
    return ModelError(
        model=model,
        forecast_width=forecast_width,
        position_width=position_width,
        weights=tuple(float(w) for w in weights),
        spread_edges=(float(lower), float(upper)),
        levels=tuple(
            _levels(cdfs[group == g], outcomes[group == g], points[group == g])
            if np.any(group == g)
            else pooled  # no training decision in this third: the levels of them all
            for g in range(3)
        ),
        decisions=len(outcomes),
    )


def fit(rows: Decisions, forecast_width: float, position_width: float) -> ModelError:
    """The model's error distribution learned on ``rows`` (levels from an inner 10-fold CV)."""
    f = rows.frame
    return _fit_parts(
        rows.model,
        rows.parts(forecast_width, position_width),
        f["outcome"].to_numpy(),
        f["proposal"].to_numpy(),
        f["spread"].to_numpy(),
        f["forecast"].to_numpy(),
        forecast_width,
        position_width,
    )


def cross_validate(
    rows: Decisions,
    folds: np.ndarray,
    forecast_width: float,
    position_width: float,
    *,
    parts: np.ndarray | None = None,
) -> pd.DataFrame:
    """Out-of-fold predictions: per row, the calibrated interval at every nominal level, CRPS.

    Columns: ``lo10`` ... ``hi90`` (the intervals of :data:`~detente.calibration.NOMINAL`),
    ``crps``, with the rows' ``frame`` before them. ``folds`` gives each row's fold.
    """
    f = rows.frame
    outcomes = f["outcome"].to_numpy()
    proposals = f["proposal"].to_numpy()
    spreads = f["spread"].to_numpy()
    points = f["forecast"].to_numpy()
    if parts is None:
        parts = rows.parts(forecast_width, position_width)
    out = f.copy()
    columns: dict[str, np.ndarray] = {}
    for n in NOMINAL:
        columns[f"lo{round(n * 100)}"] = np.empty(len(f))
        columns[f"hi{round(n * 100)}"] = np.empty(len(f))
    scores = np.empty(len(f))
    for k in np.unique(folds):
        test = folds == k
        if test.all():
            raise InputError(
                "cross-validation needs decisions of at least two folds (proposals or waves) "
                f"to learn from; the {rows.model} decisions here fall in one"
            )
        error = _fit_parts(
            rows.model,
            parts[~test],
            outcomes[~test],
            proposals[~test],
            spreads[~test],
            points[~test],
            forecast_width,
            position_width,
        )
        cdf = np.einsum("j,njg->ng", np.asarray(error.weights), parts[test])
        scores[test] = crps(cdf, outcomes[test])
        for at, row in enumerate(np.flatnonzero(test)):
            for n in NOMINAL:
                lo, hi = interval_of(cdf[at], error, n, spreads[row], points[row])
                columns[f"lo{round(n * 100)}"][row] = lo
                columns[f"hi{round(n * 100)}"][row] = hi
    for name, values in columns.items():
        out[name] = values
    out["crps"] = scores
    return out


def coverage(oof: pd.DataFrame) -> dict[str, float]:
    """Share of outcomes inside each nominal interval, the mean CRPS and the mean 80% width."""
    y = oof["outcome"]
    out = {
        f"cover{round(n * 100)}": float(
            ((oof[f"lo{round(n * 100)}"] <= y) & (y <= oof[f"hi{round(n * 100)}"])).mean()
        )
        for n in NOMINAL
    }
    out["crps"] = float(oof["crps"].mean())
    out["width80"] = float((oof["hi80"] - oof["lo80"]).mean())
    return out


#: Version tag of the shipped document :func:`build` writes.
MODEL_ERROR_SCHEMA = "detente.model-error/1"
#: Fold assignments of the repeated 10-fold cross-validation (seeds 1 to 20).
REPEATS = 20
#: The intervals whose coverage the evaluation reports in full.
_SHOWN = (0.5, 0.8, 0.9)


def choose_widths(
    rows: Decisions, *, progress: Callable[[int], None] | None = None
) -> tuple[tuple[float, float], dict[str, float]]:
    """The kernel widths with the least mean CRPS by 10-fold CV on the development half only.

    Returns the chosen ``(forecast_width, position_width)`` and every pair's CRPS.
    """
    dev = rows.subset((rows.frame["split"] == "dev").to_numpy())
    if dev.frame["proposal"].nunique() < 2:
        raise InputError(
            "choosing the kernel widths needs decisions of at least two proposals of the "
            "development half (odd proposal numbers)"
        )
    folds = folds_by_proposal(dev.frame["proposal"].to_numpy(), 10, seed=0)
    scores: dict[str, float] = {}
    best: tuple[float, tuple[float, float]] | None = None
    for h1 in FORECAST_WIDTHS:
        for h2 in POSITION_WIDTHS:
            value = float(cross_validate(dev, folds, h1, h2)["crps"].mean())
            scores[f"{h1:g}/{h2:g}"] = value
            if best is None or value < best[0] - 1e-12:
                best = (value, (h1, h2))
            if progress is not None:
                progress(1)
    assert best is not None
    return best[1], scores


def summarise(oof: pd.DataFrame, edges: tuple[float, float]) -> dict[str, Any]:
    """Coverage, CRPS and 80% width overall, and by spread tercile, procedure, wave, source."""
    out: dict[str, Any] = {"all": coverage(oof)}
    tercile = np.searchsorted(edges, oof["spread"].to_numpy(), side="right")
    out["spread"] = {
        name: coverage(oof[tercile == g])
        for g, name in enumerate(("narrow", "middle", "wide"))
        if np.any(tercile == g)
    }
    for column in ("procedure", "wave", "capability"):
        out[column] = {str(key): coverage(group) for key, group in oof.groupby(column, sort=True)}
    return out


def spread_terciles(rows: Decisions) -> tuple[float, float]:
    """Tercile edges of the decisions' actor spread (each decision once)."""
    unique = rows.frame.drop_duplicates("code")["spread"].to_numpy()
    lower, upper = np.quantile(unique, [1.0 / 3.0, 2.0 / 3.0])
    return float(lower), float(upper)


def evaluate(
    rows: Decisions,
    widths: tuple[float, float],
    *,
    repeats: int = REPEATS,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Repeated 10-fold CV by proposal over all decisions, and leave-one-wave-out.

    ``repeated`` gives the mean over ``repeats`` fold assignments of every figure of
    :func:`summarise`, with the least and greatest coverage of the 50/80/90% intervals;
    ``waves`` the same figures when each wave is scored by a fit on the other two (None when
    the decisions come from one wave).
    """
    parts = rows.parts(*widths)
    edges = spread_terciles(rows)
    runs = []
    for seed in range(1, repeats + 1):
        folds = folds_by_proposal(rows.frame["proposal"].to_numpy(), 10, seed=seed)
        runs.append(summarise(cross_validate(rows, folds, *widths, parts=parts), edges))
        if progress is not None:
            progress(1)
    wave = rows.frame["wave"].to_numpy()
    waves = (
        summarise(cross_validate(rows, wave, *widths, parts=parts), edges)
        if len(np.unique(wave)) > 1
        else None
    )
    return {
        "repeated": _mean_of(runs),
        "range": {
            f"cover{round(n * 100)}": [
                min(r["all"][f"cover{round(n * 100)}"] for r in runs),
                max(r["all"][f"cover{round(n * 100)}"] for r in runs),
            ]
            for n in _SHOWN
        },
        "waves": waves,
        "spread_edges": list(edges),
    }


def _mean_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The element-wise mean of nested dicts of floats with the same keys."""
    first = runs[0]
    if isinstance(first, dict):
        keys = [k for k in first if all(k in r for r in runs)]
        return {k: _mean_of([r[k] for r in runs]) for k in keys}
    return float(np.mean(runs))


def test_half(rows: Decisions, widths: tuple[float, float]) -> dict[str, Any] | None:
    """Figures on the test half of a fit on the development half (computed once, reported);
    None when either half has no decision."""
    split = rows.frame["split"].to_numpy()
    if not (np.any(split == "test") and np.any(split == "dev")):
        return None
    folds = np.where(split == "test", 0, 1)
    oof = cross_validate(rows, folds, *widths)
    return summarise(oof[split == "test"].reset_index(drop=True), spread_terciles(rows))


def oof_frame(rows: Decisions, widths: tuple[float, float]) -> pd.DataFrame:
    """Out-of-fold intervals of one 10-fold assignment (seed 1), to ship beside the fit."""
    folds = folds_by_proposal(rows.frame["proposal"].to_numpy(), 10, seed=1)
    oof = cross_validate(rows, folds, *widths)
    keep = ["code", "capability", "split", "wave", "procedure", "spread", "forecast", "outcome"]
    bounds = [f"{side}{round(n * 100)}" for n in NOMINAL for side in ("lo", "hi")]
    out = oof[keep + bounds + ["crps"]].copy()
    out.insert(0, "model", rows.model)
    return out


def forecasts_of(
    data: Deu3,
    models: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every model's forecast of every scoreable decision under each capability source.

    Returns the backtest frames with a ``capability`` column, and each model's options.
    """
    from detente.backtest.run import backtest  # the backtest imports this module's layer

    frames = []
    options: dict[str, Any] = {}
    for source in CAPABILITY_SOURCES:
        bt = backtest(
            data, split="all", models=models, capability=source, n_boot=100, progress=progress
        )
        frames.append(bt.frame.assign(capability=source))
        options = dict(bt.options)
    return pd.concat(frames, ignore_index=True), options


def build(
    data: Deu3,
    *,
    models: Sequence[str],
    repeats: int = REPEATS,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Learn every model's error distribution and evaluate it: the shipped document and the
    out-of-fold intervals shipped beside it.

    For each model: the kernel widths chosen on the development half (:func:`choose_widths`);
    the fit on all decisions of the three capability sources (what forecasts use); the
    evaluation (:func:`evaluate`); and the test half's figures of a fit on the development
    half (:func:`test_half`).
    """
    forecasts, options = forecasts_of(data, models, progress=progress)
    entries: list[dict[str, Any]] = []
    oofs: list[pd.DataFrame] = []
    for model in models:
        rows = decisions(data, forecasts, model)
        widths, choice = choose_widths(rows, progress=progress)
        error = fit(rows, *widths)
        entries.append(
            error.to_json()
            | {
                "options": options.get(model, {}),
                "choice": choice,
                "evaluation": evaluate(rows, widths, repeats=repeats, progress=progress),
                "test_half": test_half(rows, widths),
                "point_mae": float(np.abs(rows.frame["forecast"] - rows.frame["outcome"]).mean()),
            }
        )
        oofs.append(oof_frame(rows, widths))
    doc = {
        "schema": MODEL_ERROR_SCHEMA,
        "data_sha256": data.sha256,
        "decisions": int(forecasts["code"].nunique()),
        "capability_sources": list(CAPABILITY_SOURCES),
        "forecast_widths": list(FORECAST_WIDTHS),
        "position_widths": list(POSITION_WIDTHS),
        "repeats": repeats,
        "models": entries,
    }
    return doc, pd.concat(oofs, ignore_index=True)
