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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from detente._rng import generator
from detente.models.contract import (
    Changed,
    Move,
    Perceptions,
    Round,
    Trajectory,
    possessive,
    scales,
)
from detente.models.eum import steps
from detente.models.eum.options import DEFAULT_PRESET, PRESETS, EumOptions
from detente.models.eum.rounds import (
    BatchState,
    RoundState,
    batch_rounds,
    rounds,
    span_for,
)
from detente.models.eum.rounds import Move as RoundMove
from detente.models.eum.rounds import _challenge as _challenge_views
from detente.models.registry import ModelInfo, register
from detente.models.stopping import run as _run_to_end

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "BatchState",
    "EumMove",
    "EumOptions",
    "RoundMove",
    "RoundState",
    "batch_rounds",
    "perceptions",
    "rounds",
    "run",
    "span_for",
    "trajectory",
]


@dataclass(frozen=True)
class EumMove(Move):
    """A move of the expected utility model: the offer that caused it, from whose view.

    ``eu_mover`` is the mover's expected utility of challenging ``partner``; ``eu_partner`` the
    partner's of challenging the mover, both as seen from ``view`` (``"own"``: the mover's
    perception; ``"partner"``: the partner's, which compels the mover).
    """

    view: str = "own"
    eu_mover: float = 0.0
    eu_partner: float = 0.0

    def reason(self, labels: Sequence[str]) -> str:
        mover, partner = labels[self.mover], labels[self.partner]
        seen = mover if self.view == "own" else partner
        region = (
            steps.region_name(self.eu_mover, self.eu_partner)
            .replace("(j ", f"({partner} ")
            .replace("(i ", f"({mover} ")
            .replace("i c", f"{mover} c")
        )
        return (
            f"As {seen} sees the dyad: {possessive(mover)} EU of challenging {partner} is "
            f"{self.eu_mover:+.4f}, {possessive(partner)} EU of challenging {mover} is "
            f"{self.eu_partner:+.4f} (region: {region})"
        )

    def details(self) -> dict[str, Any]:
        return {"view": self.view, "eu_mover": self.eu_mover, "eu_other": self.eu_partner}


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
        Keep each round's n x n matrices (EUs, probabilities); without them a long run of a
        large scenario holds O(n) memory per round instead of O(n^2), and each round's
        matrices are let go as soon as the next round starts.

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
    inner = rounds(
        np.asarray(c, dtype=float),
        np.asarray(x, dtype=float),
        np.asarray(s, dtype=float),
        options=options,
        lo=float(lo),
        hi=float(hi),
        rng=generator(rng),
    )
    path = _run_to_end(
        _contract_rounds(inner if keep_matrices else _without_matrices(inner), options, True),
        slim=False,
    )
    return tuple(state.detail for state in path.rounds)


def _without_matrices(inner: Any) -> Any:
    """:func:`rounds` with each state's n x n matrices dropped as it is yielded."""
    state = next(inner)
    while True:
        received = yield replace(state, eu_challenge=None, eu_perceived=None, P=None)
        state = inner.send(received)


def trajectory(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: EumOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> Trajectory:
    """The model's rounds on one issue (the contract's trajectory; ``X`` and ``S`` have one
    column), for one run or a batch of runs (leading axes).

    The forecast of each round is its median; under ``stop="stable"`` a round is settled once
    the median has moved by at most ``tolerance`` of the range for ``patience`` rounds in a
    row. A single run's rounds carry its moves and, as their detail, the :class:`RoundState`.
    ``rng`` drives ``conflict="stochastic"``: a generator (or seed) for a single run, one
    generator per run for a batch (or one shared by all). ``status_quo`` and
    ``accommodation`` are not used.

    Warns
    -----
    RuntimeWarning
        With ``stop="stable"``, when a run has not settled within ``rounds`` rounds.
    """
    options = options or EumOptions()
    c, X, S = (np.asarray(a, dtype=float) for a in (c, X, S))
    if X.shape[-1] != 1:
        raise ValueError(f"eum runs one issue at a time: X must have one column, not {X.shape}")
    low, high, _ = scales(1, lo, hi, status_quo)
    single = X.ndim == 2
    x, s = X[..., 0], S[..., 0]
    if single:
        inner: Any = rounds(
            c, x, s, options=options, lo=float(low[0]), hi=float(high[0]), rng=generator(rng)
        )
    else:
        runs = int(np.prod(x.shape[:-1]))
        per_run = list(rng) if isinstance(rng, Sequence) else [generator(rng)] * runs
        inner = _flat_batch(c, x, s, options, float(low[0]), float(high[0]), per_run)
    return _contract_rounds(inner, options, single)


def _flat_batch(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    options: EumOptions,
    lo: float,
    hi: float,
    rngs: list[np.random.Generator],
) -> Any:
    """:func:`batch_rounds` on any leading axes (flattened to one and restored)."""
    lead = x.shape[:-1]
    c, x, s = np.broadcast_arrays(c, x, s)
    inner = batch_rounds(
        c.reshape(-1, c.shape[-1]),
        x.reshape(-1, x.shape[-1]),
        s.reshape(-1, s.shape[-1]),
        options=options,
        lo=lo,
        hi=hi,
        rngs=rngs,
    )
    state = next(inner)
    while True:
        received = yield _unflatten(state, lead)
        if received is not None:
            n = received.X.shape[-2]
            received = Changed(
                np.broadcast_to(received.c, (*lead, n)).reshape(-1, n),
                np.broadcast_to(received.X, (*lead, n, 1)).reshape(-1, n, 1),
                np.broadcast_to(received.S, (*lead, n, 1)).reshape(-1, n, 1),
            )
        state = inner.send(received)


def _unflatten(state: BatchState, lead: tuple[int, ...]) -> BatchState:
    def back(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a.reshape(*lead, *a.shape[1:])

    return BatchState(
        state.round,
        back(state.positions),  # type: ignore[arg-type]
        back(state.median),  # type: ignore[arg-type]
        back(state.mean),  # type: ignore[arg-type]
        back(state.span),
        back(state.capability),
        back(state.salience),
    )


def _contract_rounds(inner: Any, options: EumOptions, single: bool) -> Trajectory:
    """The contract's rounds over :func:`rounds` or :func:`batch_rounds`, with the stable rule."""
    state = next(inner)
    calm = np.zeros(np.shape(state.median), dtype=int)
    stable = options.stop == "stable"
    settled = None
    while True:
        median = np.asarray(state.median, dtype=float)
        c = state.capability
        received = yield Round(
            round=state.round,
            positions=np.asarray(state.positions)[..., None],
            forecast=median[..., None],
            settled=None if settled is None else settled[..., None],
            quantities={"median": median[..., None], "mean": np.asarray(state.mean)[..., None]},
            moves=_moves(state) if single else (),
            detail=state if single else None,
            capability=c,
            salience=None if state.salience is None else np.asarray(state.salience)[..., None],
        )
        if state.round >= options.rounds:
            if stable and options.rounds > 0 and settled is not None and not settled.all():
                warnings.warn(
                    f"eum: the median did not settle (moves of at most {options.tolerance:g} of "
                    f"the range for {options.patience} rounds) within {options.rounds} rounds; "
                    "the forecast is the last round's median",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return
        state = inner.send(received)
        moved = np.abs(np.asarray(state.median) - median)
        calm = np.where(moved <= options.tolerance * np.asarray(state.span), calm + 1, 0)
        if stable:
            settled = calm >= options.patience


def _moves(state: RoundState) -> tuple[EumMove, ...]:
    return tuple(
        EumMove(
            mover=m.mover,
            partner=m.partner,
            kind=m.kind,
            old=(m.old,),
            new=(m.new,),
            view=m.view,
            eu_mover=m.eu_mover,
            eu_partner=m.eu_partner,
        )
        for m in state.moves
    )


def perceptions(state: Round, *, options: EumOptions) -> Perceptions:
    """Every actor's perception of every dyad in a round of a single run (O(n^2) memory; the
    O(n^3) ``seen`` only when read).

    ``seen[k, a, b]`` is a's expected utility of challenging b as actor k perceives it (at k's
    risk exponent, from the round's pass-2 probabilities); ``objective[a, b]`` is the same at
    a's own exponent.
    """
    detail = state.detail
    if not isinstance(detail, RoundState) or detail.previous is None or detail.P is None:
        raise ValueError("perceptions need a round (t >= 1) of a single run, with its detail")
    assert detail.r is not None
    assert detail.mu_challenge is not None
    assert detail.salience is not None
    assert detail.eu_challenge is not None
    x, s, P, r = detail.previous, detail.salience, detail.P, detail.r
    n = len(x)
    span = np.asarray(detail.span)
    mu = np.asarray(detail.mu_challenge)
    d = steps.distances(x, span)

    def at(exponent: np.ndarray) -> np.ndarray:
        """Every pair's EU at ``exponent`` (broadcast to (n, n))."""
        return _challenge_views(x, s, P, d, np.broadcast_to(exponent, (n, n)), mu, span, options)

    return Perceptions(
        before=np.array(x),
        after=np.array(detail.positions),
        own=np.array(detail.eu_challenge),
        objective=at(r[:, None]),  # a's EU of challenging b at a's own exponent
        seen_by=lambda k: at(r[k]),  # every EU at k's exponent
        counter=at(r[None, :]).T,  # [b, a]: b's EU of challenging a at a's exponent, turned
    )


def _draws(options: EumOptions) -> bool:
    return options.conflict == "stochastic"


INFO = register(
    ModelInfo(
        name="eum",
        title="Expected utility model (Bueno de Mesquita)",
        summary="Bueno de Mesquita's expected utility model in rounds; presets for each "
        "published reading.",
        reference="Bueno de Mesquita (1994); Scholz, Calbert & Smith (2011)",
        options=EumOptions,
        trajectory=trajectory,
        stochastic=True,  # same rng, same result
        random_when=_draws,
        dimensions="per-issue",
        batched=True,
        takes_events=True,
        round_limit="rounds",
        presets=tuple(PRESETS),
        perceptions=perceptions,
    )
)
