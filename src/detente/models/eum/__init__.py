"""Bueno de Mesquita's expected utility model, as reconstructed by Scholz, Calbert & Smith (2011).

Each round, every actor weighs challenging every other (eqs. 5-7: the chance of prevailing, from
everyone's votes, against the utility of the status quo), is made more or less risk-averse by
how exposed it is to challenges (eqs. 32-34), and then concedes, compromises or holds firm
according to how it and its rival see their dyad (Scholz §6). The forecast is the median-voter
position after the last round.

The printed model leaves fifteen choices open (A1-A15, ``shared/reference/eum-spec.md``
§1.13); each is an option of :class:`EumOptions`, and three presets fix them to the published
readings: ``scholz-code`` (reproduces Scholz et al.'s Table 2), ``paper-literal`` (the
equations as printed; the default) and ``net-vote`` (Masad 2013).

Algorithm (one round; :func:`rounds` yields them, :func:`run` applies the stopping rule)
----------------------------------------------------------------------------------------
1. mu, the Condorcet winner (weighted median) of the current positions (eqs. 26-29).
2. Pass 1 at r = 1: P_ij (eqs. 30-31) and E(U_ij) (eqs. 5-7, 15-24).
3. Security Sec_i = sum_j E(U_ji); R_i and r_i (eqs. 32-34).
4. Pass 2: P and both EU matrices at the new exponents.
5. Classify every ordered dyad (Fig. 6); each actor takes at most one offer (§6.2).
6. Apply the moves at once.

References
----------
Bueno de Mesquita, B. (1994). Political forecasting: an expected utility method. In Bueno de
Mesquita & Stokman (eds.), *European Community Decision Making*, 71-104. Yale University Press.
Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). Unravelling Bueno de Mesquita's group
decision model. *Journal of Theoretical Politics* 23(4), 510-531 (ICAART 2011, 18-30).
Masad, D. (2013, 2016): BDM_DecisionModel_Replication; *Agents in Conflict* (GMU dissertation).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from detente.models.eum import steps
from detente.models.eum.options import DEFAULT_PRESET, PRESETS, EumOptions
from detente.models.eum.rounds import (
    BatchState,
    Move,
    RoundState,
    batch_rounds,
    rounds,
    span_for,
)
from detente.models.eum.rounds import _challenge as _challenge_views
from detente.models.eum.rounds import _round as _one_round
from detente.models.registry import ModelInfo, register

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "BatchState",
    "EumOptions",
    "Move",
    "RoundState",
    "Views",
    "advance",
    "batch_rounds",
    "point",
    "rounds",
    "run",
    "span_for",
    "trajectory",
    "views",
]


def run(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    options: EumOptions | None = None,
    lo: float = 0.0,
    hi: float = 100.0,
    rng: int | np.random.Generator | None = None,
    keep_matrices: bool = True,
) -> tuple[RoundState, ...]:
    """Run the model on one issue until its stopping rule; round 0 first.

    Parameters
    ----------
    c, x, s
        Capabilities, positions and saliences (0-1) of the actors on the issue.
    options
        :class:`EumOptions` (default: the ``paper-literal`` preset, 10 rounds).
    lo, hi
        The issue's scale.
    rng
        Seed or generator (used only with ``conflict="stochastic"``).
    keep_matrices
        Keep each round's n x n matrices (EUs, regions); without them a long run of a large
        scenario holds O(n) memory per round instead of O(n^2).

    Warns
    -----
    RuntimeWarning
        With ``stop="stable"``, when the median has not settled within ``rounds`` rounds.

    Examples
    --------
    BDM's 1994 emission-standards case under Scholz's reading: Belgium compromises with
    France in round 1 and the median moves from 7 to 8.416.

    >>> import numpy as np
    >>> c = np.array([.08, .08, .03, .16, .16, .16, .16, .05, .05, .08])
    >>> x = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7.0])
    >>> s = np.array([.8, .4, .2, .8, .6, .6, .9, .1, 1, .7])
    >>> states = run(c, x, s, options=EumOptions(preset="scholz-code", rounds=2))
    >>> [round(state.median, 3) for state in states]
    [7.0, 8.416, 9.611]
    """
    options = options or EumOptions()
    generator = rounds(c, x, s, options=options, lo=lo, hi=hi, rng=_generator(rng))
    states = [next(generator)]
    calm = 0
    for state in _limited(generator, options.rounds):
        settled = abs(state.median - states[-1].median) <= options.tolerance * state.span
        calm = calm + 1 if settled else 0
        if not keep_matrices:
            state = replace(state, eu_challenge=None, eu_perceived=None, regions=None)
        states.append(state)
        if options.stop == "stable" and calm >= options.patience:
            break
    else:
        if options.stop == "stable" and options.rounds > 0:
            warnings.warn(
                f"eum: the median did not settle (moves of at most {options.tolerance:g} of the "
                f"range for {options.patience} rounds) within {options.rounds} rounds; the "
                "forecast is the last round's median",
                RuntimeWarning,
                stacklevel=2,
            )
    return tuple(states)


def trajectory(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: EumOptions | None = None,
    rng: int | np.random.Generator | None = None,
) -> list[tuple[RoundState, ...]]:
    """:func:`run` on every issue of a scenario's arrays (issues are independent).

    The rounds keep their positions, medians, means, risk exponents and moves, not their n x n
    matrices (use :func:`run` or :func:`rounds` for those).
    """
    generator = _generator(rng)
    return [
        run(
            c,
            X[:, j],
            S[:, j],
            options=options,
            lo=float(lo[j]),
            hi=float(hi[j]),
            rng=generator,
            keep_matrices=False,
        )
        for j in range(X.shape[1])
    ]


def point(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: EumOptions | None = None,
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """The final median per issue; leading draw axes are run one draw at a time."""
    c, X, S = np.asarray(c, float), np.asarray(X, float), np.asarray(S, float)
    if X.ndim == 2:
        paths = trajectory(c, X, S, lo=lo, hi=hi, status_quo=status_quo, options=options, rng=rng)
        return np.array([path[-1].median for path in paths])
    generator = _generator(rng)
    c, X, S = np.broadcast_arrays(c[..., :, None], X, S)
    flat = [
        point(cc[:, 0], xx, ss, lo=lo, hi=hi, status_quo=status_quo, options=options, rng=generator)
        for cc, xx, ss in zip(
            c.reshape(-1, *c.shape[-2:]),
            X.reshape(-1, *X.shape[-2:]),
            S.reshape(-1, *S.shape[-2:]),
            strict=True,
        )
    ]
    return np.array(flat).reshape(X.shape[:-2] + X.shape[-1:])


def advance(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    span: np.ndarray,
    options: EumOptions,
    rngs: list[np.random.Generator] | None = None,
) -> np.ndarray:
    """Positions after one round, for a batch: ``c``, ``x``, ``s`` are (draws, n).

    The building block for callers that change inputs between rounds (timelines): ``span`` is
    the range per draw (A10), ``rngs`` one generator per draw for ``conflict="stochastic"``.
    """
    c = np.asarray(c, dtype=float)
    s = np.asarray(s, dtype=float)
    out = _one_round(c, np.asarray(x, dtype=float), s, c * s, span, options, rngs)
    return np.asarray(out.positions)


@dataclass(frozen=True)
class Views:
    """One round as every actor sees it (single run; O(n^3) memory, for analysis).

    ``seen[k, a, b]`` is a's expected utility of challenging b as actor k perceives it (at k's
    risk exponent); ``own[i, j] = seen[i, i, j]``. ``positions`` are the round's starting
    positions, ``after`` the positions its moves lead to.
    """

    positions: np.ndarray
    after: np.ndarray
    r: np.ndarray
    own: np.ndarray
    seen: np.ndarray
    objective: np.ndarray  # EU(a -> b) at a's own exponent


def views(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    span: float,
    options: EumOptions,
    rng: np.random.Generator | None = None,
) -> Views:
    """Every actor's perception of every dyad in one round (plus the round's moves)."""
    c = np.asarray(c, dtype=float)
    x = np.asarray(x, dtype=float)
    s = np.asarray(s, dtype=float)
    n = len(x)
    spans = np.asarray(float(span))
    out = _one_round(c, x, s, c * s, spans, options, [rng] if rng is not None else None)
    stacked = np.broadcast_to(x, (n, n))
    seen = _challenge_views(
        stacked,
        np.broadcast_to(s, (n, n)),
        np.broadcast_to(out.P, (n, n, n)),
        np.broadcast_to(steps.distances(x, spans), (n, n, n)),
        np.broadcast_to(out.r[:, None, None], (n, n, n)),
        np.broadcast_to(out.mu_challenge, (n,)),
        np.broadcast_to(spans, (n,)),
        options,
    )
    objective = _challenge_views(
        x, s, out.P, steps.distances(x, spans), out.r[:, None], out.mu_challenge, spans, options
    )
    return Views(
        positions=x.copy(),
        after=np.asarray(out.positions),
        r=np.asarray(out.r),
        own=np.asarray(out.own),
        seen=seen,
        objective=objective,
    )


def _generator(rng: Any) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _limited(generator: Iterator[RoundState], n: int) -> Iterator[RoundState]:
    for _ in range(n):
        yield next(generator)


INFO = register(
    ModelInfo(
        name="eum",
        title="Expected utility model (Bueno de Mesquita)",
        summary="Bueno de Mesquita's expected utility model in rounds; presets for each "
        "published reading.",
        reference="Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011)",
        options=EumOptions,
        point=point,
        iterative=True,
        stochastic=True,  # only with conflict=stochastic; same rng, same result
        trajectory=trajectory,
    )
)
