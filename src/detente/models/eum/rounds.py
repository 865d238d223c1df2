"""Rounds of the expected utility model as a generator of immutable states.

One round (Scholz et al. 2011, Appendix steps 1-13; ``shared/reference/eum-spec.md`` §1.2):

1. Risk exponents start at 1; compute the median-voter position mu.
2. Pass 1 (r = 1): probabilities P, expected utilities E(U_ij).
3. Security of each actor, then R_i and r_i.
4. Pass 2: P (with risk-weighted votes if so read) and both EU matrices at the new exponents.
5. Classify every ordered dyad; each actor picks at most one offer.
6. Apply every move at once.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np

from detente.models.contract import Changed
from detente.models.eum import steps
from detente.models.eum.options import EumOptions

__all__ = ["BatchState", "Move", "RoundState", "batch_rounds", "rounds", "span_for"]

# offer kinds, in the priority order of Scholz's §6.2
NONE, CONFRONTATION, COMPROMISE, CAPITULATION = 0, 1, 2, 3
KIND_NAMES = ("none", "confrontation", "compromise", "capitulation")


@dataclass(frozen=True)
class Move:
    """One actor's move in a round and the offer that caused it.

    ``eu_mover`` is the mover's expected utility of challenging ``partner``; ``eu_partner`` the
    partner's of challenging the mover, both as seen from ``view`` (``"own"``: the mover's
    perception; ``"partner"``: the partner's, which compels the mover).
    """

    mover: int
    partner: int
    kind: str
    view: str
    eu_mover: float
    eu_partner: float
    old: float
    new: float


@dataclass(frozen=True)
class RoundState:
    """The model after a round: positions after the moves, and what produced them.

    Round 0 is the starting point (positions, median and mean only). In round t >= 1 the
    matrices were computed from round t-1's positions: ``eu_challenge[i, j]`` is i's expected
    utility of challenging j (pass 2, i's exponent); ``eu_perceived[i, j]`` is j's expected
    utility of challenging i as i perceives it; ``regions[i, j]`` the dyad's region from i's
    viewpoint (:data:`~detente.models.eum.steps.REGION_NAMES`), classified from those two
    when first read (not kept by a round nobody asks); ``previous`` the positions
    the round started from, ``P`` its pass-2 probabilities of success and ``mu_challenge``
    the median of pass 2 (what every actor's perception of a dyad is computed from);
    ``capability`` and ``salience`` the inputs the round ran on.
    """

    round: int
    positions: np.ndarray
    median: float
    mean: float
    span: float
    mu: float | None = None
    security: np.ndarray | None = None
    R: np.ndarray | None = None
    r: np.ndarray | None = None
    eu_challenge: np.ndarray | None = None
    eu_perceived: np.ndarray | None = None
    moves: tuple[Move, ...] = field(default=())
    previous: np.ndarray | None = None
    P: np.ndarray | None = None
    mu_challenge: float | None = None
    capability: np.ndarray | None = None
    salience: np.ndarray | None = None

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @cached_property
    def regions(self) -> np.ndarray | None:
        """Region codes of every ordered dyad from the row actor's viewpoint (None without
        the round's EU matrices)."""
        if self.eu_challenge is None or self.eu_perceived is None:
            return None
        codes = steps.classify_dyads(self.eu_challenge, self.eu_perceived)
        codes.flags.writeable = False
        return codes


def rounds(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    options: EumOptions,
    lo: float = 0.0,
    hi: float = 100.0,
    rng: np.random.Generator | None = None,
) -> Generator[RoundState, Changed | None, None]:
    """Yield round 0 and then every round of the model, without end.

    Parameters
    ----------
    c, x, s
        Capabilities, positions and saliences (on 0-1) of the n actors on one issue.
    options
        The reading (see :class:`EumOptions`).
    lo, hi
        The issue's scale (used with ``range="scale"``).
    rng
        Generator for ``conflict="stochastic"`` (one uniform number per actor per round).

    Between rounds, new inputs may be sent in (:class:`~detente.models.contract.Changed`, with
    ``X`` and ``S`` of one column): a timeline event. The range of ``range="initial"`` then
    widens to take in the new positions.
    """
    draws = [np.random.default_rng(rng)] if options.conflict == "stochastic" else None
    steps_ = _steps(c, x, s, options=options, lo=lo, hi=hi, draws=draws)
    step = next(steps_)
    while True:
        received = yield _round_state(step)
        step = steps_.send(received)


@dataclass(frozen=True)
class BatchState:
    """Many independent runs after a round: positions (draws, n), median and mean (draws,).

    ``span`` (draws,) is the range each run's round used.
    """

    round: int
    positions: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    span: np.ndarray | None = None
    capability: np.ndarray | None = None
    salience: np.ndarray | None = None


def batch_rounds(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    options: EumOptions,
    lo: float = 0.0,
    hi: float = 100.0,
    rngs: Sequence[np.random.Generator] | None = None,
) -> Generator[BatchState, Changed | None, None]:
    """Like :func:`rounds`, for a batch of independent scenarios computed together.

    ``c``, ``x`` and ``s`` are (draws, n). ``rngs`` gives each draw its own generator (needed
    only with ``conflict="stochastic"``), so a draw's path does not depend on its batch.
    Yields round 0 first, then every round, without end; accepts new inputs as :func:`rounds`.
    """
    draws = list(rngs) if options.conflict == "stochastic" and rngs is not None else None
    if options.conflict == "stochastic" and draws is None:
        draws = [np.random.default_rng() for _ in range(len(x))]
    steps_ = _steps(c, x, s, options=options, lo=lo, hi=hi, draws=draws)
    step = next(steps_)
    while True:
        received = yield BatchState(
            step.t,
            step.x,
            steps.median_position(step.x, step.w, "median"),
            steps.median_position(step.x, step.w, "mean"),
            step.span,
            step.c,
            step.s,
        )
        step = steps_.send(received)


class _Step(NamedTuple):
    """What the round generators share: round t's inputs, range, positions and computations."""

    t: int
    c: np.ndarray
    s: np.ndarray
    w: np.ndarray
    span: np.ndarray
    x: np.ndarray
    out: _Round | None


def _steps(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    options: EumOptions,
    lo: float,
    hi: float,
    draws: Sequence[np.random.Generator] | None,
) -> Generator[_Step, Changed | None, None]:
    """The rounds of one run or a batch (leading axes), taking new inputs between rounds."""
    c = np.asarray(c, dtype=float)
    x = np.asarray(x, dtype=float).copy()
    s = np.asarray(s, dtype=float)
    w = c * s
    initial = np.asarray(x.max(axis=-1) - x.min(axis=-1))
    received = yield _Step(0, c, s, w, span_for(options, initial, x, lo, hi), x, None)
    t = 0
    while True:
        t += 1
        if received is not None:  # a timeline event before this round
            c = np.asarray(received.c, dtype=float)
            x = np.asarray(received.X, dtype=float)[..., 0].copy()
            s = np.asarray(received.S, dtype=float)[..., 0]
            w = c * s
            initial = np.maximum(initial, x.max(axis=-1) - x.min(axis=-1))
        span = span_for(options, initial, x, lo, hi)
        out = _round(c, x, s, w, span, options, draws)
        x = out.positions
        received = yield _Step(t, c, s, w, span, x, out)


def _round_state(step: _Step) -> RoundState:
    """A single run's round as a :class:`RoundState`."""
    x, w, out = step.x, step.w, step.out
    median = float(steps.median_position(x, w, "median"))
    mean = float(steps.median_position(x, w, "mean"))
    if out is None:
        return RoundState(
            0, x.copy(), median, mean, float(step.span), capability=step.c, salience=step.s
        )
    return RoundState(
        round=step.t,
        positions=out.positions,
        median=median,
        mean=mean,
        span=float(step.span),
        mu=float(out.mu),
        security=out.security,
        R=out.R,
        r=out.r,
        eu_challenge=out.own,
        eu_perceived=out.other,
        moves=_move_records(out, x_before=out.previous),
        previous=out.previous,
        P=out.P,
        mu_challenge=float(out.mu_challenge),
        capability=step.c,
        salience=step.s,
    )


def span_for(
    options: EumOptions, initial: np.ndarray, x: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    """Rng per run (A10); a zero span (everyone at one point) is replaced by 1."""
    if options.range == "initial":
        span = initial
    elif options.range == "current":
        span = x.max(axis=-1) - x.min(axis=-1)
    else:
        span = np.full(x.shape[:-1], hi - lo)
    return np.where(span > 0, span, 1.0)


class _Round(NamedTuple):
    """Everything one round computes, for one run or a batch (leading axes)."""

    previous: np.ndarray
    positions: np.ndarray
    mu: np.ndarray
    security: np.ndarray
    R: np.ndarray
    r: np.ndarray
    own: np.ndarray
    other: np.ndarray
    partner: np.ndarray  # (..., n): the partner of the offer taken, -1 for none
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray
    target: np.ndarray
    own_view: np.ndarray
    moving: np.ndarray
    P: np.ndarray  # pass-2 probabilities
    mu_challenge: np.ndarray  # the mu of pass 2


def _round(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    span: np.ndarray,
    options: EumOptions,
    draws: Sequence[np.random.Generator] | None,
) -> _Round:
    n = x.shape[-1]
    # what every pass of the round shares, computed once: the pairs' distances and where their
    # midpoints fall among the voters
    gap = steps.pairwise(x)
    d = steps.distances(x, span, gap)
    geometry = steps.vote_geometry(x)
    mu1 = steps.median_position(x, w, "median" if options.mu == "median-then-mean" else options.mu)
    mu2 = steps.median_position(x, w, "mean") if options.mu == "median-then-mean" else mu1

    # pass 1, r = 1 (None: no power taken): security, then the risk exponents
    P1 = _probability(x, w, span, None, options, geometry, gap)
    eu1 = _challenge(x, s, P1, d, None, mu1, span, options, gap=gap)
    sec, low, high = _security(x, s, w, span, eu1, P1, mu1, options)
    del eu1
    R, r = steps.risk_exponents(sec, low, high)

    # pass 2, at the new exponents; linear votes give pass 1's probabilities again
    P2 = _probability(x, w, span, r, options, geometry, gap) if options.risk_in_votes else P1
    del geometry
    own = _challenge(x, s, P2, d, r[..., :, None], mu2, span, options, gap=gap)
    # j's EU of challenging i as i sees it: at i's exponent (perceiver) or j's own (owner),
    # with i's salience as the chance of resistance, or j's (Tait's slip, A1)
    exponent = r[..., None, :] if options.perception == "perceiver" else r[..., :, None]
    if options.perception == "owner" and options.resist_salience == "target":
        other = np.swapaxes(own, -1, -2)  # exactly j's own EU (a view: no second matrix)
    else:
        target = "challenger" if options.resist_salience == "challenger" else "target"
        other = np.swapaxes(
            _challenge(x, s, P2, d, exponent, mu2, span, options, target, gap=gap), -1, -2
        )
    del d, gap

    partner, kind, a, b, goal, own_view = _take_offers(x, own, other, options)
    moving = partner >= 0
    if options.conflict == "stochastic" and draws is not None:
        moving &= _won_by_partner(partner, kind, P2, draws)
    if options.reneging:  # whoever saw an offer of theirs accepted stays put
        accepted = np.zeros((*x.shape[:-1], n + 1), dtype=bool)
        np.put_along_axis(accepted, np.where(moving, partner, n), True, axis=-1)
        moving &= ~accepted[..., :n]
    new = np.where(moving, goal, x)
    return _Round(
        x, new, mu1, sec, R, r, own, other, partner, kind, a, b, goal, own_view, moving, P2, mu2
    )


def _won_by_partner(
    partner: np.ndarray, kind: np.ndarray, P: np.ndarray, draws: Sequence[np.random.Generator]
) -> np.ndarray:
    """For confrontations, whether the partner wins (with probability P_ji / (P_ij + P_ji))."""
    n = partner.shape[-1]
    u = np.stack([g.random(n) for g in draws]).reshape(partner.shape)
    j = np.maximum(partner, 0)[..., None]
    p_ij = np.take_along_axis(P, j, axis=-1)[..., 0]
    p_ji = np.take_along_axis(np.swapaxes(P, -1, -2), j, axis=-1)[..., 0]
    total = p_ij + p_ji
    with np.errstate(invalid="ignore", divide="ignore"):
        p_lose = np.where(total > 0, p_ji / np.where(total > 0, total, 1.0), 0.5)
    return np.asarray((kind != CONFRONTATION) | (u < p_lose))


def _move_records(out: _Round, x_before: np.ndarray) -> tuple[Move, ...]:
    """The moves of a single run, with the offers that caused them."""
    return tuple(
        Move(
            mover=int(i),
            partner=int(out.partner[i]),
            kind=KIND_NAMES[int(out.kind[i])],
            view="own" if out.own_view[i] else "partner",
            eu_mover=float(out.a[i]),
            eu_partner=float(out.b[i]),
            old=float(x_before[i]),
            new=float(out.target[i]),
        )
        for i in np.flatnonzero(out.moving)
    )


def _probability(
    x: np.ndarray,
    w: np.ndarray,
    span: np.ndarray,
    r_votes: np.ndarray | None,
    options: EumOptions,
    geometry: steps.VoteGeometry | None = None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """P at the voters' exponents ``r_votes`` (None: linear votes)."""
    return steps.probability_of_success(
        x,
        w,
        span,
        r_votes,
        numerator=options.p_numerator,
        denominator=options.p_denominator,
        voters=options.p_voters,
        geometry=geometry,
        gap=gap,
    )


def _challenge(
    x: np.ndarray,
    s: np.ndarray,
    P: np.ndarray,
    d: np.ndarray,
    exponent: np.ndarray | None,
    mu: np.ndarray,
    span: np.ndarray,
    options: EumOptions,
    resistance: str = "target",
    *,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """E(U_ab) for every ordered pair, a challenging b, with A7 and A9 applied.

    ``resistance`` is whose salience is the chance of resistance: the target's (eq. 6), or the
    challenger's own (A1, only ever for the other side's EU as perceived). ``exponent`` None
    is r = 1 for every pair; ``gap`` is the pairs' distances (:func:`steps.pairwise`) if known.
    """
    target = s[..., None, :] if resistance == "target" else s[..., :, None]
    gap = steps.pairwise(x) if gap is None else gap
    m: np.ndarray | None = None
    T: np.ndarray | float = 0.0
    if options.Q < 1.0:  # the no-challenge terms (A7, A9) weigh nothing at Q = 1
        to_mu = np.abs(x - np.asarray(mu)[..., None])
        if options.no_challenge_distance == "challenger":
            m = to_mu[..., :, None] + gap
        else:
            m = to_mu[..., :, None] + to_mu[..., None, :]
        m /= np.asarray(span)[..., None, None]
        nearer = options.T == "nearer"
        T = (to_mu[..., :, None] < gap).astype(float) if nearer else float(options.T)
    return steps.challenge_eu(
        x, target, P, d, exponent, Q=options.Q, T=T, no_challenge_distance=m, gap=gap
    )


def _security(
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    span: np.ndarray,
    eu1: np.ndarray,
    P1: np.ndarray,
    mu: np.ndarray,
    options: EumOptions,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Security and the bounds R is scaled between (A5).

    ``actors``: min and max over the actors. ``own-positions``: each actor's min and max over
    the distinct positions it could hold, others fixed (BDM's intent; mu kept at its value).
    That variant re-evaluates P per candidate position: O(n^4) per round, for small cases.
    """
    measure = eu1 if options.security_measure == "eu" else P1
    sec = steps.security(measure)
    if options.security_set == "actors":
        return sec, None, None
    low, high = np.empty_like(x), np.empty_like(x)
    for index in np.ndindex(x.shape[:-1]):  # one run at a time: a small-case option
        low[index], high[index] = _own_position_bounds(
            x[index], s[index], w[index], span[index], mu[index], options
        )
    return sec, low, high


def _own_position_bounds(
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    span: np.ndarray,
    mu: np.ndarray,
    options: EumOptions,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(x)
    candidates = np.unique(x)
    low, high = np.empty(n), np.empty(n)
    for i in range(n):  # one actor at a time; pairs and candidates are vectorised inside
        values = []
        for p in candidates:
            moved = x.copy()
            moved[i] = p
            P = _probability(moved, w, span, None, options)
            if options.security_measure == "eu":
                d = steps.distances(moved, span)
                eu = _challenge(moved, s, P, d, None, mu, span, options)
                values.append(np.nansum(eu[:, i]))
            else:
                values.append(P[:, i].sum())
        low[i], high[i] = min(values), max(values)
    return low, high


def _take_offers(
    x: np.ndarray, own: np.ndarray, other: np.ndarray, options: EumOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's offers and the one it takes (A12-A15): per actor, the partner (-1 for
    none), kind, the two EUs, the target position and whether it came from its own view.

    Offers are built and chosen for a block of rows at a time, so memory stays bounded.
    """
    n = x.shape[-1]
    shape = x.shape
    partner = np.full(shape, -1)
    kind = np.zeros(shape, dtype=np.int8)
    a_out, b_out, goal = np.zeros(shape), np.zeros(shape), x.copy()
    own_view = np.ones(shape, dtype=bool)
    # the partner's view can compel the row actor; when every EU is judged at its owner's
    # exponent both views are the same matrices, so there is nothing to add
    both = options.views == "both" and options.perception == "perceiver"
    columns = np.tile(np.arange(n), 2 if both else 1)
    for rows in steps.row_blocks(n, width=len(columns)):
        block = (..., rows, slice(None))
        a_views = [own[block]]
        b_views = [other[block]]
        if both:
            a_views.append(np.swapaxes(other, -1, -2)[block])
            b_views.append(np.swapaxes(own, -1, -2)[block])
        # NaN (the diagonal) read as 0, in place; EUs are otherwise finite (bounded utilities
        # and probabilities), so this is nan_to_num's result with fewer passes
        a = _nan_to_zero(np.concatenate(a_views, axis=-1))
        b = _nan_to_zero(np.concatenate(b_views, axis=-1))
        xi = x[..., rows, None]
        xj = x[..., columns][..., None, :]
        apart = xi != xj

        # the kinds by masked writes (one pass each, not a gather of the masked places)
        k = np.zeros(a.shape, dtype=np.int8)
        np.copyto(k, CONFRONTATION, where=apart & (b > a) & (a > 0))
        j_up = apart & (b > 0) & (a < 0)
        abs_a = np.abs(a)
        np.copyto(k, COMPROMISE, where=j_up & (b > abs_a))
        if options.capitulation:
            np.copyto(k, CAPITULATION, where=j_up & (b <= abs_a))
        with np.errstate(invalid="ignore", divide="ignore"):
            if options.compromise == "ratio":  # eq. 36
                partial = xi + (xj - xi) * abs_a / np.where(b != 0, np.abs(b), 1.0)
            else:  # the |EU|-weighted average of the two positions
                partial = (abs_a * xi + np.abs(b) * xj) / (abs_a + np.abs(b))
        target = np.where(k == COMPROMISE, partial, xj)
        move = np.abs(target - xi)

        if options.offer_choice == "highest-eu":
            # Masad (2013): the receiver takes the offer of whoever wants most to challenge it,
            # then classifies that one offer; it may be one the receiver wins, and then it stays
            col = _choose_offer(apart & (b > 0), k, move, a, b, xi, xj, options)
            picked = np.take_along_axis(k, np.maximum(col, 0)[..., None], axis=-1)[..., 0]
            col = np.where((col >= 0) & (picked != NONE), col, -1)
        else:
            col = _choose_offer(k != NONE, k, move, a, b, xi, xj, options)
        taken = np.maximum(col, 0)
        has = col >= 0
        # where each row's taken column sits in a (..., rows, width) array read flat: one
        # gather per value, without take_along_axis's index grids
        flat = np.arange(taken.size).reshape(taken.shape) * a.shape[-1] + taken

        def pick(values: np.ndarray, flat: np.ndarray = flat) -> np.ndarray:
            return np.ravel(values).take(flat)

        partner[..., rows] = np.where(has, columns[np.maximum(col, 0)], -1)
        kind[..., rows] = np.where(has, pick(k), NONE)
        a_out[..., rows] = pick(a)
        b_out[..., rows] = pick(b)
        goal[..., rows] = np.where(has, pick(np.broadcast_to(target, a.shape)), x[..., rows])
        own_view[..., rows] = np.maximum(col, 0) < n
    return partner, kind, a_out, b_out, goal, own_view


def _nan_to_zero(values: np.ndarray) -> np.ndarray:
    np.copyto(values, 0.0, where=np.isnan(values))
    return values


def _choose_offer(
    valid: np.ndarray,
    kind: np.ndarray,
    move: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    xi: np.ndarray,
    xj: np.ndarray,
    options: EumOptions,
) -> np.ndarray:
    """Column of the offer each actor takes (-1 for none), by the A14 rule; ties go to the first."""
    if options.offer_choice == "scholz-code":
        # confrontations by least move; else compromises by the smallest |EU|-weighted average
        # point (a quirk of Scholz's code that favours lower positions); else capitulations
        with np.errstate(invalid="ignore", divide="ignore"):
            average = (np.abs(a) * xi + np.abs(b) * xj) / (np.abs(a) + np.abs(b))
        keys = [kind, np.where(kind == COMPROMISE, average, move)]
    elif options.offer_choice == "priority":
        keys = [kind, move, -b]
    elif options.offer_choice == "least-move":
        keys = [move, -b]
    else:  # highest-eu
        keys = [-b, move]
    candidate = valid.copy()
    for key in keys:  # the kinds compared as they are, in bytes: an eighth of the traffic
        masked = np.where(
            candidate, key, np.iinfo(key.dtype).max if key.dtype == np.int8 else np.inf
        )
        best = masked.min(axis=-1, keepdims=True)
        candidate &= masked == best
    return np.where(candidate.any(axis=-1), np.argmax(candidate, axis=-1), -1)
