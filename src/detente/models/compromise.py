"""The compromise model: the capability x salience weighted mean of positions.

Achen (2006) found this simple model forecast EU Council decisions (DEU I) as well as or better
than every bargaining model it was compared with; it is the benchmark a bargaining model must
beat.

    x* = sum_i c_i s_i x_i / sum_i c_i s_i                           (Achen 2006, eq. 1)

References
----------
Achen, C. H. (2006). Evaluating political decision-making models. In Thomson, Stokman, Achen &
König (eds.), *The European Union Decides*, ch. 10. Cambridge University Press.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.models._weights import effective_power
from detente.models.registry import ModelInfo, ModelOptions, register

__all__ = ["CompromiseOptions", "point"]


class CompromiseOptions(ModelOptions):
    """The compromise model has no options."""


def point(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: CompromiseOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted mean of positions per issue, weights ``c_i * s_ij``.

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
    >>> import numpy as np
    >>> point(np.array([1.0, 3.0]), np.array([[0.0], [100.0]]), np.array([[1.0], [1.0]]))
    array([75.])
    """
    w = effective_power(c, S)
    X = np.asarray(X, dtype=float)
    return np.asarray((w * X).sum(axis=-2) / w.sum(axis=-2))


INFO = register(
    ModelInfo(
        name="compromise",
        title="Compromise (weighted mean)",
        summary="Capability x salience weighted mean of the actors' positions.",
        reference="Achen (2006), 'Evaluating political decision-making models', in The European "
        "Union Decides, ch. 10",
        options=CompromiseOptions,
        point=point,
    )
)
