"""KTAB's Spatial Model of Politics (SMP): multi-dimensional challenges and bargains, in turns.

Actors with a capability, a position and a salience on every issue (jointly, not issue by
issue) challenge the actor whose defeat would gain them most, propose a bargain that
interpolates the two positions by their chances and saliences, and each actor's queue of
bargains is settled by a probabilistic Condorcet election (PCE) among all actors. Turns repeat
until a turn moves positions less than 2 % as much as the first did. With KTAB's default
options this reproduces KTAB's reference logs exactly (``docs/explanation/smp.md``).

Algorithm (one turn; :func:`rounds` yields them, :func:`run` applies the stopping rule;
section numbers of ``shared/reference/ktab-smp.md``)
--------------------------------------------------------------------------------------------
1. Distances from ideals, risk-neutral PCE, risk attitudes, perspective estimates (§2.1-2.2).
2. Every actor's most advantageous target, evaluated with third parties (§2.5, §2.6.1).
3. Bargains interpolated between initiator and target (§2.6.2).
4. Each actor's queue settled by a PCE over the bargains (§2.6.3-4).
5. Ideals follow positions through the accommodation matrix (§2.6.5); stop rule (§2.7).

The point forecast per issue is the capability x salience weighted mean of the final
positions; every state also reports its most probable position.

References
----------
Wise, B. et al. (2015-2017). KTAB, the KAPSARC Toolkit for Behavioral Analysis (MIT licence),
``examples/smp``: ``smp.cpp``, ``smpbcn.cpp``; ``KTAB/kmodel/libsrc/kmodel.cpp``.
Efird, B., Lester, S. & Wise, B. (2016). China's SOE reform. *Journal of East Asian Studies* 16.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente.models.registry import ModelInfo, register
from detente.models.smp import steps
from detente.models.smp.options import KTAB_PARAMETER_ORDER, SmpOptions
from detente.models.smp.rounds import Bargain, Move, SmpState, rounds

__all__ = [
    "KTAB_PARAMETER_ORDER",
    "Bargain",
    "IssueMove",
    "IssueRound",
    "Move",
    "SmpOptions",
    "SmpState",
    "point",
    "rounds",
    "run",
    "steps",
    "stopped",
    "trajectory",
]


def stopped(state: SmpState, options: SmpOptions) -> bool:
    """KTAB's stopping rule after ``state`` (``smpStopFn``, §2.7)."""
    t = state.round
    if t >= options.max_iter:
        return True
    ratio = state.fractional_change
    return t >= options.min_iter and ratio is not None and ratio < options.min_delta_ratio


def run(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    options: SmpOptions | None = None,
    accommodation: np.ndarray | None = None,
    rng: int | np.random.SeedSequence | np.random.Generator | None = None,
) -> tuple[SmpState, ...]:
    """Run the model until its stopping rule; the starting state first.

    Parameters
    ----------
    c, X, S
        Capabilities (n), positions (n x k) and saliences (n x k, on 0-1; an actor's saliences
        should sum to at most 1, as in KTAB, and are scaled down to sum to 1 if they do not).
    lo, hi
        Each issue's scale (default 0 and 100).
    options
        :class:`SmpOptions`; default KTAB's defaults.
    accommodation
        The n x n ideal-accommodation matrix (default identity).
    rng
        Seed or generator; used only with ``StateTransitions="Stochastic"``.

    Warns
    -----
    RuntimeWarning
        When the run stops at ``max_iter`` rather than by settling.

    Examples
    --------
    KTAB's ``dummyData_3Dim``: 11 states, the last turn moving 0.45 % as much as the first.

    >>> import detente
    >>> c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    >>> states = run(c, X, S)
    >>> len(states), round(states[-1].fractional_change, 4)
    (11, 0.0045)
    """
    options = options or SmpOptions()
    k = np.shape(X)[1]
    lo = np.zeros(k) if lo is None else np.asarray(lo, dtype=float)
    hi = np.full(k, 100.0) if hi is None else np.asarray(hi, dtype=float)
    _check(c, X, S, accommodation)
    generator = rounds(
        np.asarray(c, float),
        np.asarray(X, float),
        np.asarray(S, float),
        lo=lo,
        hi=hi,
        options=options,
        accommodation=accommodation,
        rng=np.random.default_rng(rng),
    )
    states = [next(generator)]
    for state in generator:
        states.append(state)
        if stopped(state, options):
            break
    last = states[-1]
    if last.round >= options.max_iter and not (
        last.fractional_change is not None and last.fractional_change < options.min_delta_ratio
    ):
        warnings.warn(
            f"smp: positions were still moving after max_iter={options.max_iter} turns "
            f"(last fractional change {last.fractional_change:.4f}, target "
            f"{options.min_delta_ratio:g}); the forecast is the last turn's",
            RuntimeWarning,
            stacklevel=2,
        )
    return tuple(states)


def _check(c: Any, X: Any, S: Any, accommodation: Any) -> None:
    from detente.errors import InputError

    c, X, S = np.asarray(c, float), np.asarray(X, float), np.asarray(S, float)
    n = len(c)
    if X.ndim != 2 or S.shape != X.shape or X.shape[0] != n:
        raise InputError(
            f"smp: c, X and S must be (n,), (n, k) and (n, k); got {c.shape}, "
            f"{X.shape} and {S.shape}"
        )
    if n < 2:
        raise InputError("smp: the model needs at least two actors")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(X)) and np.all(np.isfinite(S))):
        raise InputError("smp: capabilities, positions and saliences must be finite")
    if np.any(c < 0) or np.any(S < 0):
        raise InputError("smp: capabilities and saliences must not be negative")
    if accommodation is not None:
        A = np.asarray(accommodation, dtype=float)
        if A.shape != (n, n):
            raise InputError(f"smp: the accommodation matrix must be {n} x {n}, not {A.shape}")
        if np.any(A < 0) or np.any(A.sum(axis=1) > 1 + 1e-10) or not np.all(np.isfinite(A)):
            raise InputError(
                "smp: accommodation weights must be >= 0 with every row summing to at most 1"
            )


@dataclass(frozen=True)
class IssueMove:
    """One actor's move seen on one issue (the per-issue view of :class:`Move`)."""

    mover: int
    partner: int
    bargain: int
    initiated: bool
    probability: float
    old: float
    new: float
    kind: str = "bargain"

    def to_json(self, ids: tuple[str, ...] | list[str]) -> dict[str, Any]:
        return {
            "mover": ids[self.mover],
            "kind": self.kind,
            "toward": ids[self.partner],
            "bargain": self.bargain,
            "initiated": self.initiated,
            "probability": self.probability,
            "from": self.old,
            "to": self.new,
        }

    def explain(self, labels: list[str]) -> str:
        who = "its own proposal to" if self.initiated else "the proposal of"
        return (
            f"bargain {self.bargain}, {who} {labels[self.partner]}, chosen with probability "
            f"{self.probability:.3f}: {self.old:.3f} -> {self.new:.3f}"
        )


@dataclass(frozen=True)
class IssueRound:
    """One state seen on one issue: what :class:`~detente.forecast.Round` stores."""

    round: int
    mean: float
    most_probable: float
    positions: np.ndarray
    moves: tuple[IssueMove, ...]
    median: None = None

    @property
    def extra(self) -> tuple[tuple[str, float], ...]:
        return (("most_probable", self.most_probable),)


def trajectory(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: SmpOptions | None = None,
    rng: int | np.random.Generator | None = None,
    accommodation: np.ndarray | None = None,
) -> list[tuple[IssueRound, ...]]:
    """:func:`run` on a scenario's arrays, split into one path of rounds per issue."""
    states = run(c, X, S, lo=lo, hi=hi, options=options, accommodation=accommodation, rng=rng)
    paths = []
    for j in range(np.shape(X)[1]):
        paths.append(
            tuple(
                IssueRound(
                    round=st.round,
                    mean=float(st.mean[j]),
                    most_probable=float(st.most_probable[j]),
                    positions=st.positions[:, j],
                    moves=tuple(
                        IssueMove(
                            m.mover,
                            m.partner,
                            m.bargain,
                            m.initiated,
                            m.probability,
                            m.old[j],
                            m.new[j],
                        )
                        for m in st.moves
                        if m.old[j] != m.new[j]
                    ),
                )
                for st in states
            )
        )
    return paths


def point(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: SmpOptions | None = None,
    rng: int | np.random.Generator | None = None,
) -> np.ndarray:
    """The final c x s weighted mean per issue; leading draw axes are run one draw at a time."""
    c, X, S = np.asarray(c, float), np.asarray(X, float), np.asarray(S, float)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    if X.ndim == 2:
        return np.asarray(run(c, X, S, lo=lo, hi=hi, options=options, rng=generator)[-1].mean)
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


INFO = register(
    ModelInfo(
        name="smp",
        title="Spatial Model of Politics (KTAB)",
        summary="KTAB's multi-dimensional challenge-and-bargain model in turns; all nine KTAB "
        "options.",
        reference="KTAB (KAPSARC Toolkit for Behavioral Analysis), Wise et al. 2015-2017",
        options=SmpOptions,
        point=point,
        iterative=True,
        stochastic=True,  # only with StateTransitions=Stochastic; same rng, same result
        dimensions="multi",
        trajectory=trajectory,
        forecast="mean",
        scenario_inputs=("accommodation",),
    )
)
