"""The median model: the capability x salience weighted median of positions.

Under linear (absolute-distance) vote margins,
``v^{jk} = sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|)``, the weighted median actor position
beats or ties every other actor position in a pairwise vote: it is the Condorcet winner
(Black 1948), Bueno de Mesquita's "first cut" forecast and the median-voter position of his
expected utility model (Scholz et al. 2011, eqs. 26-29).

Algorithm
---------
1. Sort the actors by position (stable, so tied positions keep their order).
2. Accumulate the weights ``w_i = c_i s_i`` along the sorted positions.
3. Take the first position where the cumulative weight reaches half of the total.

Tie rule: when the cumulative weight reaches exactly one half at a position (within a relative
``1e-12`` for rounding), that lower position is the forecast (the "lower median", as in Scholz's
code), not the midpoint of the two middle positions. Actors with zero weight are never chosen.

References
----------
Black, D. (1948). On the rationale of group decision-making. *Journal of Political Economy*
56(1), 23-34. Scholz, Calbert & Smith (2011), ICAART, §1.3 of ``reference/eum-spec.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.models._weights import effective_power
from detente.models.registry import ModelInfo, ModelOptions, register

__all__ = ["HALF_TOLERANCE", "MedianOptions", "point"]

#: Relative slack below one half still counted as reaching it (guards summation order).
HALF_TOLERANCE = 1e-12


class MedianOptions(ModelOptions):
    """The median model has no options."""


def point(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: MedianOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted (lower) median of positions per issue, weights ``c_i * s_ij``.

    Parameters
    ----------
    c : (..., n) capabilities; X : (..., n, k) positions; S : (..., n, k) saliences on 0-1.
    lo, hi, status_quo, options, rng, accommodation : unused; accepted so every model has one
    signature.

    Returns
    -------
    (..., k) forecast per issue.

    Examples
    --------
    Two equal halves: the lower median.

    >>> import numpy as np
    >>> point(np.ones(2), np.array([[30.0], [70.0]]), np.ones((2, 1)))
    array([30.])
    """
    w = effective_power(c, S)
    X = np.asarray(X, dtype=float)
    X, w = np.broadcast_arrays(X, w)
    order = np.argsort(X, axis=-2, kind="stable")
    xs = np.take_along_axis(X, order, axis=-2)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-2), axis=-2)
    total = cum[..., -1:, :]
    reached = cum >= 0.5 * total * (1.0 - HALF_TOLERANCE)
    first = np.argmax(reached, axis=-2)[..., None, :]
    return np.asarray(np.take_along_axis(xs, first, axis=-2)[..., 0, :])


INFO = register(
    ModelInfo(
        name="median",
        title="Weighted median",
        summary="Capability x salience weighted median position: the Condorcet winner under "
        "linear votes.",
        reference="Black (1948); Bueno de Mesquita (1994), the 'first cut'",
        options=MedianOptions,
        point=point,
    )
)
