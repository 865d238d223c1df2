"""The Nash bargaining model: the asymmetric Nash bargaining solution on each issue.

Each actor's gain from an outcome ``x`` is its utility of ``x`` minus its utility of the
disagreement point ``d``; the asymmetric Nash solution maximises the product of the gains, each
raised to the actor's bargaining power ``w_i = c_i s_i`` (Nash 1950; Kalai 1977; as applied to EU
decisions by Schneider, Finke & Bailer 2010):

    x* = argmax_x  prod_i (u_i(x) - u_i(d)) ** w_i,   over x with u_i(x) > u_i(d) for all i

Utilities are linear, ``u_i(x) = -|x - x_i|`` (default), or quadratic, ``-(x - x_i)**2``.

Algorithm
---------
1. Weights ``w_i = c_i s_i``; actors with ``w_i = 0`` do not bargain (factor ``g**0 = 1``).
2. Disagreement: the issue's status quo when it has one (``disagreement="auto"``); otherwise,
   or with ``disagreement="worst"``, each actor's worst point on the scale (the scale end
   furthest from its position).
3. The feasible set: outcomes on the scale that every bargaining actor strictly prefers to
   disagreement. On a line this is an interval (the intersection of balls around the actors).
4. If it is empty, **no point improves on the status quo for every actor** (actors sit on both
   sides of it, or one sits at it): the solution is the status quo itself, the disagreement
   point, and :func:`notes` says so. This is the textbook answer, and common when a status quo
   lies inside the actors' range.
5. Otherwise maximise ``sum_i w_i log g_i(x)``, a strictly concave function on the interval, by
   bisection on the sign of its derivative (to machine precision, vectorised over issues and
   draws).

References
----------
Nash, J. (1950). The bargaining problem. *Econometrica* 18(2), 155-162.
Kalai, E. (1977). Nonsymmetric Nash solutions and replications of 2-person bargaining.
*International Journal of Game Theory* 6(3), 129-133.
Schneider, G., Finke, D. & Bailer, S. (2010). Bargaining power in the European Union.
*Political Studies* 58(1), 85-103.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from detente.errors import InputError
from detente.models._weights import effective_power
from detente.models.contract import scales
from detente.models.registry import ModelInfo, ModelOptions, register

__all__ = ["NashOptions", "deadlocked", "notes", "point"]

_MAX_BISECTIONS = 200


class NashOptions(ModelOptions):
    """Options of the Nash bargaining model.

    Attributes
    ----------
    disagreement
        ``auto``: the status quo where the issue has one, else each actor's worst point;
        ``status-quo``: require a status quo; ``worst``: always each actor's worst point.
    utility
        ``linear`` (``-|x - x_i|``) or ``quadratic`` (``-(x - x_i)**2``).
    """

    disagreement: Literal["auto", "status-quo", "worst"] = "auto"
    utility: Literal["linear", "quadratic"] = "linear"


def point(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: NashOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> np.ndarray:
    """Asymmetric Nash bargaining solution per issue.

    Parameters
    ----------
    c : (..., n) capabilities; X : (..., n, k) positions; S : (..., n, k) saliences on 0-1.
    lo, hi : (k,) scale bounds (default 0 and 100). status_quo : (k,), NaN where an issue has
    none (default: none). options : :class:`NashOptions`.
    rng, accommodation : unused (the model is deterministic and takes no accommodation).

    Returns
    -------
    (..., k) forecast per issue; the status quo where no outcome improves on it for everyone.

    Raises
    ------
    InputError
        With ``disagreement="status-quo"`` on an issue that has no status quo.

    Examples
    --------
    Everyone is above a status quo of 0: the stronger actor pulls the bargain its way.

    >>> import numpy as np
    >>> x = point(np.array([3.0, 1.0]), np.array([[60.0], [20.0]]), np.ones((2, 1)),
    ...           lo=np.array([0.0]), hi=np.array([100.0]), status_quo=np.array([0.0]))
    >>> round(float(x[0]), 9)
    30.0
    """
    options = options or NashOptions()
    lo, hi, status_quo = scales(np.shape(X)[-1], lo, hi, status_quo)
    w, X, d, D = _bargaining_problem(c, X, S, lo, hi, status_quo, options)
    quadratic = options.utility == "quadratic"
    left, right = _feasible_interval(w, X, D, lo, hi)
    stuck = left >= right
    a = np.where(stuck, d, left)
    b = np.where(stuck, d, right)
    for _ in range(_MAX_BISECTIONS):
        m = 0.5 * (a + b)
        with np.errstate(divide="ignore", invalid="ignore"):  # deadlocked issues: gain 0 at d
            rising = _log_product_slope(m, w, X, D, quadratic) > 0
        a = np.where(rising, m, a)
        b = np.where(rising, b, m)
        if np.all(b - a <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(b))):
            break
    return np.where(stuck, d, 0.5 * (a + b))


def deadlocked(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: NashOptions | None = None,
) -> np.ndarray:
    """(..., k) booleans: True where no outcome improves on disagreement for every actor."""
    options = options or NashOptions()
    w, X, _, D = _bargaining_problem(c, X, S, lo, hi, status_quo, options)
    left, right = _feasible_interval(w, X, D, lo, hi)
    return np.asarray(left >= right)


def notes(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: NashOptions | None,
    issues: tuple[str, ...],
) -> list[str]:
    """Explain, per issue, when the solution is the status quo or uses the worst points."""
    options = options or NashOptions()
    stuck = deadlocked(c, X, S, lo=lo, hi=hi, status_quo=status_quo, options=options)
    out = []
    for j, issue in enumerate(issues):
        if stuck[j]:
            out.append(
                f"{issue}: no outcome improves on the status quo ({status_quo[j]:g}) for every "
                "actor, since actors sit on both sides of it (or at it); the Nash solution is the "
                "status quo"
            )
        elif np.isnan(status_quo[j]):
            out.append(
                f"{issue}: no status quo, so each actor's disagreement point is its worst outcome"
            )
        elif options.disagreement == "worst":
            out.append(
                f"{issue}: with disagreement=worst, each actor's disagreement point is its worst "
                "outcome, not the status quo"
            )
    return out


# --- steps ---------------------------------------------------------------------------------------


def _bargaining_problem(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: NashOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weights, positions, disagreement point and each actor's distance to disagreement."""
    w = effective_power(c, S)
    X = np.broadcast_to(np.asarray(X, dtype=float), w.shape)
    sq = np.asarray(status_quo, dtype=float)
    if options.disagreement == "status-quo" and np.isnan(sq).any():
        raise InputError(
            "nash: disagreement=status-quo needs a status quo on every issue; "
            "use disagreement=auto or worst, or give each issue a status_quo"
        )
    use_sq = ~np.isnan(sq) if options.disagreement != "worst" else np.zeros(sq.shape, dtype=bool)
    worst = np.maximum(X - lo, hi - X)
    D = np.where(use_sq, np.abs(X - np.where(use_sq, sq, 0.0)), worst)
    d = np.broadcast_to(np.where(use_sq, sq, np.nan), w.shape[:-2] + w.shape[-1:])
    return w, X, d, D


def _feasible_interval(
    w: np.ndarray, X: np.ndarray, D: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes that every actor with weight strictly prefers: ``|x - x_i| < D_i``, on the scale."""
    active = w > 0
    left = np.where(active, X - D, -np.inf).max(axis=-2)
    right = np.where(active, X + D, np.inf).min(axis=-2)
    return np.maximum(left, lo), np.minimum(right, hi)


def _log_product_slope(
    x: np.ndarray, w: np.ndarray, X: np.ndarray, D: np.ndarray, quadratic: bool
) -> np.ndarray:
    """Derivative of ``sum_i w_i log g_i(x)`` (a subgradient at kinks), inside the feasible set."""
    delta = X - x[..., None, :]
    if quadratic:
        gain = D**2 - delta**2
        pull = 2.0 * delta
    else:
        gain = D - np.abs(delta)
        pull = np.sign(delta)
    active = w > 0
    terms = np.where(active, w * pull / np.where(active, gain, 1.0), 0.0)
    return np.asarray(terms.sum(axis=-2))


INFO = register(
    ModelInfo(
        name="nash",
        title="Nash bargaining solution",
        summary="Asymmetric Nash bargaining solution, status quo as disagreement point, "
        "weights c x s.",
        reference="Nash (1950); Kalai (1977); Schneider, Finke & Bailer (2010)",
        options=NashOptions,
        point=point,
        notes=notes,
    )
)
