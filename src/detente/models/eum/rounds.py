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

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from detente.models.eum import steps
from detente.models.eum.options import EumOptions

__all__ = ["Move", "RoundState", "rounds"]

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
    viewpoint (:data:`~detente.models.eum.steps.REGION_NAMES`).
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
    regions: np.ndarray | None = None
    moves: tuple[Move, ...] = field(default=())

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False


def rounds(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    *,
    options: EumOptions,
    lo: float = 0.0,
    hi: float = 100.0,
    rng: np.random.Generator | None = None,
) -> Iterator[RoundState]:
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
        Generator for ``conflict="stochastic"``; one child seed is spawned per round.
    """
    c = np.asarray(c, dtype=float)
    x = np.asarray(x, dtype=float).copy()
    s = np.asarray(s, dtype=float)
    w = c * s
    initial_span = float(x.max() - x.min())
    seeds = (
        np.random.SeedSequence(np.random.default_rng(rng).integers(2**63))
        if (options.conflict == "stochastic")
        else None
    )
    yield _summary(0, x, w, _span(options, initial_span, x, lo, hi))
    t = 0
    while True:
        t += 1
        span = _span(options, initial_span, x, lo, hi)
        draw = np.random.default_rng(seeds.spawn(1)[0]) if seeds is not None else None
        state = _one_round(t, c, x, s, w, span, options, draw)
        x = state.positions.copy()
        yield state


def _span(options: EumOptions, initial: float, x: np.ndarray, lo: float, hi: float) -> float:
    """Rng (A10); a zero span (everyone at one point) is replaced by 1, as distances are all 0."""
    span = {"initial": initial, "current": float(x.max() - x.min()), "scale": hi - lo}[
        options.range
    ]
    return span if span > 0 else 1.0


def _summary(t: int, x: np.ndarray, w: np.ndarray, span: float) -> RoundState:
    return RoundState(
        round=t,
        positions=x.copy(),
        median=steps.median_position(x, w, "median"),
        mean=steps.median_position(x, w, "mean"),
        span=span,
    )


def _one_round(
    t: int,
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    span: float,
    options: EumOptions,
    draw: np.random.Generator | None,
) -> RoundState:
    n = len(x)
    ones = np.ones(n)
    d = steps.distances(x, span)
    mu1 = steps.median_position(x, w, "median" if options.mu == "median-then-mean" else options.mu)
    mu2 = steps.median_position(x, w, "mean") if options.mu == "median-then-mean" else mu1

    # pass 1, r = 1: security, then the risk exponents
    geometry = steps.vote_geometry(x)
    P1 = _probability(x, w, span, ones, options, geometry)
    eu1 = _challenge(x, s, P1, d, ones[:, None], mu1, span, options)
    sec, low, high = _security(x, c, s, w, span, eu1, P1, mu1, options)
    R, r = steps.risk_exponents(sec, low, high)

    # pass 2, at the new exponents
    P2 = _probability(x, w, span, r if options.risk_in_votes else ones, options, geometry)
    own = _challenge(x, s, P2, d, r[:, None], mu2, span, options)
    # j's EU of challenging i as i sees it: at i's exponent (perceiver) or j's own (owner),
    # with i's salience as the chance of resistance, or j's (Tait's slip, A1)
    exponent = r[None, :] if options.perception == "perceiver" else r[:, None]
    if options.perception == "owner" and options.resist_salience == "target":
        other = own.T.copy()  # exactly j's own EU
    else:
        target = "challenger" if options.resist_salience == "challenger" else "target"
        other = _challenge(x, s, P2, d, exponent, mu2, span, options, target).T
    regions = steps.classify_dyads(own, other)

    moves = _moves(x, own, other, P2, options, draw)
    new = x.copy()
    for move in moves:
        new[move.mover] = move.new
    return RoundState(
        round=t,
        positions=new,
        median=steps.median_position(new, w, "median"),
        mean=steps.median_position(new, w, "mean"),
        span=span,
        mu=mu1,
        security=sec,
        R=R,
        r=r,
        eu_challenge=own,
        eu_perceived=other,
        regions=regions,
        moves=moves,
    )


def _probability(
    x: np.ndarray,
    w: np.ndarray,
    span: float,
    r_votes: np.ndarray,
    options: EumOptions,
    geometry: steps.VoteGeometry | None = None,
) -> np.ndarray:
    return steps.probability_of_success(
        x,
        w,
        span,
        r_votes,
        numerator=options.p_numerator,
        denominator=options.p_denominator,
        voters=options.p_voters,
        geometry=geometry,
    )


def _challenge(
    x: np.ndarray,
    s: np.ndarray,
    P: np.ndarray,
    d: np.ndarray,
    exponent: np.ndarray,
    mu: float,
    span: float,
    options: EumOptions,
    resistance: str = "target",
) -> np.ndarray:
    """E(U_ab) for every ordered pair, a challenging b, with A7 and A9 applied.

    ``resistance`` is whose salience is the chance of resistance: the target's (eq. 6), or the
    challenger's own (A1, only ever for the other side's EU as perceived).
    """
    n = len(x)
    target = s[None, :] if resistance == "target" else s[:, None]
    to_mu = np.abs(x - mu)
    if options.no_challenge_distance == "challenger":
        m = (to_mu[:, None] + np.abs(x[:, None] - x[None, :])) / span
    else:
        m = (to_mu[:, None] + to_mu[None, :]) / span
    if options.T == "nearer":
        T: np.ndarray | float = (to_mu[:, None] < np.abs(x[:, None] - x[None, :])).astype(float)
    else:
        T = float(options.T)
    return steps.challenge_eu(
        x,
        np.broadcast_to(target, (n, n)),
        P,
        d,
        np.broadcast_to(exponent, (n, n)),
        Q=options.Q,
        T=T,
        no_challenge_distance=m,
    )


def _security(
    x: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    span: float,
    eu1: np.ndarray,
    P1: np.ndarray,
    mu: float,
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
    n = len(x)
    candidates = np.unique(x)
    low, high = np.empty(n), np.empty(n)
    ones = np.ones(n)
    for i in range(n):  # one actor at a time; pairs and candidates are vectorised inside
        values = []
        for p in candidates:
            moved = x.copy()
            moved[i] = p
            P = _probability(moved, w, span, ones, options)
            if options.security_measure == "eu":
                d = steps.distances(moved, span)
                eu = _challenge(moved, s, P, d, ones[:, None], mu, span, options)
                values.append(np.nansum(eu[:, i]))
            else:
                values.append(P[:, i].sum())
        low[i], high[i] = min(values), max(values)
    return sec, low, high


@dataclass(frozen=True)
class _Offer:
    """The offer a row actor takes: its partner, kind, the two EUs, the target and the view."""

    partner: int
    kind: int
    a: float
    b: float
    target: float
    view: str


def _moves(
    x: np.ndarray,
    own: np.ndarray,
    other: np.ndarray,
    P: np.ndarray,
    options: EumOptions,
    draw: np.random.Generator | None,
) -> tuple[Move, ...]:
    """Each actor's offers, the one it takes (A11-A15), and the resulting moves.

    Offers are built and chosen for a block of rows at a time, so memory stays bounded.
    """
    taken: dict[int, _Offer] = {}
    for rows in steps.row_blocks(len(x), width=2 * len(x)):
        taken.update(_take_offers(x, own, other, rows, options))
    movers = sorted(taken)
    moving = dict.fromkeys(movers, True)
    if options.conflict == "stochastic" and draw is not None:
        for i in movers:
            offer = taken[i]
            if offer.kind == CONFRONTATION:
                j = offer.partner
                total = P[i, j] + P[j, i]
                moving[i] = draw.random() < (P[j, i] / total if total > 0 else 0.5)
    if options.reneging:  # whoever saw an offer of theirs accepted stays put
        accepted_from = {taken[i].partner for i in movers if moving[i]}
        for i in movers:
            moving[i] = moving[i] and i not in accepted_from
    return tuple(
        Move(
            mover=i,
            partner=taken[i].partner,
            kind=KIND_NAMES[taken[i].kind],
            view=taken[i].view,
            eu_mover=taken[i].a,
            eu_partner=taken[i].b,
            old=float(x[i]),
            new=taken[i].target,
        )
        for i in movers
        if moving[i]
    )


def _take_offers(
    x: np.ndarray, own: np.ndarray, other: np.ndarray, rows: slice, options: EumOptions
) -> dict[int, _Offer]:
    """The offers open to the actors in ``rows`` and the one each takes."""
    n = len(x)
    a_views = [own[rows]]
    b_views = [other[rows]]
    # the partner's view can compel the row actor; when every EU is judged at its owner's
    # exponent both views are the same matrices, so there is nothing to add
    if options.views == "both" and options.perception == "perceiver":
        a_views.append(other.T[rows])
        b_views.append(own.T[rows])
    a = np.nan_to_num(np.concatenate(a_views, axis=1))
    b = np.nan_to_num(np.concatenate(b_views, axis=1))
    partner = np.tile(np.arange(n), len(a_views))
    xi = x[rows][:, None]
    xj = x[partner][None, :]
    apart = xi != xj

    kind = np.full(a.shape, NONE)
    kind[apart & (b > a) & (a > 0)] = CONFRONTATION
    j_up = apart & (b > 0) & (a < 0)
    kind[j_up & (b > np.abs(a))] = COMPROMISE
    if options.capitulation:
        kind[j_up & (b <= np.abs(a))] = CAPITULATION

    with np.errstate(invalid="ignore", divide="ignore"):
        if options.compromise == "ratio":  # eq. 36
            partial = xi + (xj - xi) * np.abs(a) / np.where(b != 0, np.abs(b), 1.0)
        else:  # the |EU|-weighted average of the two positions
            partial = (np.abs(a) * xi + np.abs(b) * xj) / (np.abs(a) + np.abs(b))
    target = np.where(kind == COMPROMISE, partial, xj)
    move = np.abs(target - xi)

    if options.offer_choice == "highest-eu":
        # Masad (2013): the receiver takes the offer of whoever wants most to challenge it,
        # then classifies that one offer; it may be one the receiver wins, and then it stays
        open_ = apart & (b > 0)
        choice = _choose_offer(open_, kind, move, a, b, xi, xj, options)
        picked = kind[np.arange(len(choice)), np.maximum(choice, 0)]
        choice = np.where((choice >= 0) & (picked != NONE), choice, -1)
    else:
        choice = _choose_offer(kind != NONE, kind, move, a, b, xi, xj, options)
    first = rows.start or 0
    return {
        first + r: _Offer(
            partner=int(partner[col]),
            kind=int(kind[r, col]),
            a=float(a[r, col]),
            b=float(b[r, col]),
            target=float(target[r, col]),
            view="own" if col < n else "partner",
        )
        for r, col in enumerate(choice)
        if col >= 0
    }


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
        keys = [kind.astype(float), np.where(kind == COMPROMISE, average, move)]
    elif options.offer_choice == "priority":
        keys = [kind.astype(float), move, -b]
    elif options.offer_choice == "least-move":
        keys = [move, -b]
    else:  # highest-eu
        keys = [-b, move]
    candidate = valid.copy()
    for key in keys:
        masked = np.where(candidate, key, np.inf)
        best = masked.min(axis=1, keepdims=True)
        candidate &= masked == best
    return np.where(candidate.any(axis=1), np.argmax(candidate, axis=1), -1)
