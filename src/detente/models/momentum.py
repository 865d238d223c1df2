"""The momentum model: a compromise that leans on capability and moves on past the status quo.

Built for the DEU III backtest (issue: "a model that earns its keep") and chosen on its
development half only, by two hypotheses stated before they were tested:

1. *Salience is over-weighted.* Saliences are the noisiest input experts give; the mean of
   positions weighted by ``c_i * s_ij ** salience_power`` with a power below 1 should forecast
   better than the compromise's power of 1.
2. *Outcomes overshoot the compromise, away from the status quo.* A proposal that changes the
   status quo tends to go further than the weighted mean of positions (the agenda setter writes
   the text). The forecast moves on by ``push`` times the distance from the status quo to the
   weighted mean, then is kept on the scale.

    m   = sum_i c_i s_ij^p x_ij / sum_i c_i s_ij^p          (over actors with s_ij > 0)
    x*  = clip(m + push * (m - q_j), min_i x_ij, max_i x_ij)  (no push without a status quo)

An actor with zero salience carries no weight, as in every detente model, and the forecast stays
within the positions of the actors that carry weight (unanimity is a fixed point).

The defaults (``salience_power=0.25``, ``push=0.05``) minimise the mean absolute error on the
development half averaged over the three capability sources; see
``docs/explanation/momentum.md`` for the search, the cross-validated figures and the one-time
score on the test half. With ``salience_power=1`` and ``push=0`` it is the compromise model.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field

from detente.models.contract import scales
from detente.models.registry import ModelInfo, ModelOptions, register

__all__ = ["MomentumOptions", "point"]


class MomentumOptions(ModelOptions):
    """Options of the momentum model (defaults chosen on the DEU III development half)."""

    salience_power: Annotated[float, Field(ge=0, le=4, allow_inf_nan=False)] = 0.25
    push: Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] = 0.05


def point(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: MomentumOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted mean with tempered salience, pushed on away from the status quo.

    Parameters
    ----------
    c : (..., n) capabilities; X : (..., n, k) positions; S : (..., n, k) saliences on 0-1.
    lo, hi, status_quo : (k,) scale ends and status quo (NaN where an issue has none; default
    0, 100 and none). options : :class:`MomentumOptions`.
    rng, accommodation : unused.

    Returns
    -------
    (..., k) forecast per issue.

    Examples
    --------
    >>> import numpy as np
    >>> c, X, S = np.array([1.0, 1.0]), np.array([[20.0], [60.0]]), np.array([[1.0], [1.0]])
    >>> lo, hi = np.array([0.0]), np.array([100.0])
    >>> point(c, X, S, lo=lo, hi=hi, status_quo=np.array([0.0]))  # 40 + 0.05 * (40 - 0)
    array([42.])
    >>> point(c, X, S, lo=lo, hi=hi, status_quo=np.array([np.nan]))
    array([40.])
    """
    opts = options or MomentumOptions()
    _, _, status_quo = scales(np.shape(X)[-1], lo, hi, status_quo)
    X = np.asarray(X, dtype=float)
    S = np.asarray(S, dtype=float)
    tempered = np.where(S > 0, np.abs(S) ** opts.salience_power, 0.0)
    w = np.asarray(c, dtype=float)[..., :, None] * tempered
    m = (w * X).sum(axis=-2) / w.sum(axis=-2)
    q = np.asarray(status_quo, dtype=float)
    moved = np.where(np.isnan(q), m, m + opts.push * (m - np.nan_to_num(q)))
    weighted = w > 0
    low = np.where(weighted, X, np.inf).min(axis=-2)
    high = np.where(weighted, X, -np.inf).max(axis=-2)
    return np.asarray(np.clip(moved, low, high))


INFO = register(
    ModelInfo(
        name="momentum",
        title="Momentum (compromise past the status quo)",
        summary="Capability-weighted mean with tempered salience, pushed on away from the "
        "status quo; chosen on the DEU III development half.",
        reference="detente (2026), docs/explanation/momentum.md; after Achen (2006)",
        options=MomentumOptions,
        point=point,
    )
)
