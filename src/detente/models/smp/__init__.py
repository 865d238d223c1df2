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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente._rng import generator
from detente.models.contract import Move, Round, Trajectory, scales
from detente.models.registry import ModelInfo, register
from detente.models.smp import steps
from detente.models.smp.options import KTAB_PARAMETER_ORDER, SmpOptions
from detente.models.smp.rounds import Bargain, SmpState, rounds
from detente.models.smp.rounds import Move as TurnMove
from detente.models.stopping import run as _run_to_end

__all__ = [
    "KTAB_PARAMETER_ORDER",
    "Bargain",
    "SmpMove",
    "SmpOptions",
    "SmpState",
    "TurnMove",
    "rounds",
    "run",
    "steps",
    "stopped",
    "trajectory",
]


def stopped(state: SmpState, options: SmpOptions) -> bool:
    """KTAB's stopping rule after ``state`` (``smpStopFn``, §2.7)."""
    return state.round >= options.max_iter or _settled(state, options)


def _settled(state: SmpState, options: SmpOptions) -> bool:
    """The turn moved positions little enough, late enough, for KTAB to stop by its rule."""
    ratio = state.fractional_change
    return state.round >= options.min_iter and ratio is not None and ratio < options.min_delta_ratio


@dataclass(frozen=True)
class SmpMove(Move):
    """A move of the SMP: the bargain that caused it and the probability its queue gave it."""

    bargain: int = -1
    initiated: bool = False
    probability: float = 1.0

    def reason(self, labels: Sequence[str]) -> str:
        who = "its own proposal to" if self.initiated else "the proposal of"
        return (
            f"bargain {self.bargain}, {who} {labels[self.partner]}, chosen with probability "
            f"{self.probability:.3f}"
        )

    def explain(self, labels: Sequence[str]) -> str:
        old = ", ".join(f"{v:.3f}" for v in self.old)
        new = ", ".join(f"{v:.3f}" for v in self.new)
        return f"{self.reason(labels)}: {old} -> {new}"

    def details(self) -> dict[str, Any]:
        return {
            "bargain": self.bargain,
            "initiated": self.initiated,
            "probability": self.probability,
        }


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
    path = _run_to_end(
        trajectory(c, X, S, lo=lo, hi=hi, options=options, accommodation=accommodation, rng=rng),
        slim=False,
    )
    return tuple(state.detail for state in path.rounds)


def trajectory(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: SmpOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> Trajectory:
    """The model's turns on all issues jointly (the contract's trajectory), for one run.

    The forecast of each turn is the capability x salience weighted mean per issue; a turn is
    settled by KTAB's rule (from ``min_iter`` on, a turn that moved positions less than
    ``min_delta_ratio`` times the first). The trajectory ends after ``max_iter`` turns. Each
    turn's detail is its :class:`SmpState`. ``status_quo`` is not used; new inputs cannot be
    sent in between turns (the SMP takes timeline events only before its first turn).

    Warns
    -----
    RuntimeWarning
        When the run reaches ``max_iter`` turns without settling.
    """
    options = options or SmpOptions()
    k = np.shape(X)[-1]
    low, high, _ = scales(k, lo, hi, status_quo)
    _check(c, X, S, accommodation)
    c, X, S = (np.asarray(a, dtype=float) for a in (c, X, S))
    states = rounds(
        c, X, S, lo=low, hi=high, options=options, accommodation=accommodation, rng=generator(rng)
    )
    for state in states:
        settled = None if state.round == 0 else np.full(k, _settled(state, options))
        received = yield Round(
            round=state.round,
            positions=state.positions,
            forecast=state.mean,
            settled=settled,
            quantities={"mean": state.mean, "most_probable": state.most_probable},
            moves=tuple(
                SmpMove(
                    m.mover,
                    m.partner,
                    "bargain",
                    m.old,
                    m.new,
                    m.bargain,
                    m.initiated,
                    m.probability,
                )
                for m in state.moves
            ),
            detail=state,
            capability=c,
            salience=S,
        )
        if received is not None:
            raise ValueError("smp takes timeline events only before its first turn")
        if state.round >= options.max_iter:
            ratio = state.fractional_change
            if not (ratio is not None and ratio < options.min_delta_ratio):
                warnings.warn(
                    f"smp: positions were still moving after max_iter={options.max_iter} turns "
                    f"(last fractional change {ratio:.4f}, target "
                    f"{options.min_delta_ratio:g}); the forecast is the last turn's",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return


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


def _draws(options: SmpOptions) -> bool:
    return options.StateTransitions == "Stochastic"


#: From this many runs x actors^2 on, a batch of runs loads the compiled kernels even below
#: ``_accel.COMPILED_MIN_ACTORS`` actors: loading them (numba and the cached kernels) costs
#: about a second of CPU once, and they halve each run's time (at 60 actors a run takes about
#: 0.3 s on the numpy path), so a batch this size repays it (60 actors: 5 runs).
PREPARE_MIN_WORK = 4 * 64 * 64


def _prepare(runs: int, actors: int) -> None:
    """Load the compiled kernels before a batch of runs big enough to repay the loading (the
    kernels give the numpy path's bits: no result depends on this)."""
    from detente.models._compiled import numba_installed
    from detente.models.smp import _accel

    if runs * actors * actors >= PREPARE_MIN_WORK and numba_installed():
        _accel.kernels()  # without numba, nothing to prepare and nothing to warn about yet


INFO = register(
    ModelInfo(
        name="smp",
        title="Spatial Model of Politics (KTAB)",
        summary="KTAB's multi-dimensional challenge-and-bargain model in turns; all nine KTAB "
        "options.",
        reference="KTAB (KAPSARC Toolkit for Behavioral Analysis), Wise et al. 2015-2017",
        options=SmpOptions,
        trajectory=trajectory,
        stochastic=True,  # same rng, same result
        random_when=_draws,
        dimensions="multi",
        batched=False,
        takes_events=False,
        round_limit="max_iter",
        prepare=_prepare,
    )
)
