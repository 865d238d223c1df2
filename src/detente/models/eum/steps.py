"""The steps of one round of the expected utility model, as small array functions.

Equation numbers are those of Scholz, Calbert & Smith (2011, ICAART); ``§`` refers to
``shared/reference/eum-spec.md``. Arrays: ``x`` positions (..., n), ``w = c * s`` voting weights
(..., n), ``s`` saliences on 0-1 (..., n), ``r`` risk exponents (..., n), ``span`` the range
(...,). Matrices are (..., n, n) with row i, column j. Any leading axes are independent
scenarios (Monte Carlo draws) computed together; nothing loops over pairs or third parties in
Python.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from detente.models.median import point as _weighted_median

__all__ = [
    "challenge_eu",
    "classify_dyads",
    "distances",
    "median_position",
    "pairwise",
    "probability_of_success",
    "region_name",
    "risk_exponents",
    "row_blocks",
    "security",
    "vote_geometry",
    "vote_numerators",
]

#: Rows per block are chosen so one temporary (rows x width float64) stays near 16 MB.
BLOCK_ELEMENTS = 1 << 21


def row_blocks(n: int, width: int | None = None) -> list[slice]:
    """Slices of ``range(n)`` such that a (rows x width) temporary stays within BLOCK_ELEMENTS."""
    step = max(1, BLOCK_ELEMENTS // max(1, width or n))
    return [slice(start, min(start + step, n)) for start in range(0, n, step)]


# Dyad regions from the row actor's viewpoint (§1.9, Scholz Fig. 6).
STALEMATE, CONFLICT_WIN, CONFLICT_LOSS = 0, 1, 2
COMPROMISE_WIN, COMPROMISE_LOSS = 3, 4
COMPEL, CAPITULATE, CONFLICT_EVEN = 5, 6, 7
REGION_NAMES = (
    "stalemate",
    "conflict (j gives in)",
    "conflict (i gives in)",
    "compromise (i has the upper hand)",
    "compromise (j has the upper hand)",
    "i compels j",
    "i capitulates",
    "conflict (even)",
)


def _span(span: np.ndarray | float) -> np.ndarray:
    """``span`` shaped to divide (..., n, n) matrices."""
    return np.asarray(span, dtype=float)[..., None, None]


def pairwise(x: np.ndarray) -> np.ndarray:
    """``|x_i - x_j|`` for every pair: (..., n) -> (..., n, n)."""
    gap: np.ndarray = np.abs(x[..., :, None] - x[..., None, :])
    return gap


def distances(x: np.ndarray, span: np.ndarray | float, gap: np.ndarray | None = None) -> np.ndarray:
    """``d_ij = |x_i - x_j| / Rng`` (§1.5); ``gap`` is :func:`pairwise` of ``x`` if known."""
    d: np.ndarray = (pairwise(x) if gap is None else gap) / _span(span)
    return d


def _powered(base: np.ndarray, exponent: np.ndarray | None) -> np.ndarray:
    """``base ** exponent`` in place, where None is an exponent of 1 (nothing to do: a power
    of 1 is the base itself, bit for bit)."""
    if exponent is not None:
        base **= exponent
    return base


def median_position(x: np.ndarray, w: np.ndarray, how: str) -> np.ndarray:
    """The position unchallenged actors drift to (A8), per leading index: (..., n) -> (...).

    ``median``: the Condorcet winner under linear votes, i.e. the weighted (lower) median
    (eqs. 26-29). ``mean``: the weighted mean. ``max-margin``: the first position of the pair
    with the largest total margin ``v^{jk} = V(x_k) - V(x_j)`` with ``V(y) = sum_i w_i |x_i - y|``,
    i.e. the first actor position minimising ``V``.
    """
    if how == "mean":
        return np.asarray((w * x).sum(axis=-1) / w.sum(axis=-1))
    if how == "max-margin":
        loss = (w[..., None, :] * pairwise(x)).sum(axis=-1)
        first = np.argmin(loss, axis=-1)[..., None]
        return np.asarray(np.take_along_axis(x, first, axis=-1)[..., 0])
    return np.asarray(_weighted_median(w, x[..., None], np.ones((*x.shape, 1)))[..., 0])


class VoteGeometry(NamedTuple):
    """Where each pair's midpoint falls among the voters: shared by every vote of a round.

    ``order`` sorts the actors by position, ``xs`` are the sorted positions and ``cut[i, j]``
    counts the voters strictly below the midpoint of x_i and x_j (symmetric).
    """

    order: np.ndarray
    xs: np.ndarray
    cut: np.ndarray


def vote_geometry(x: np.ndarray) -> VoteGeometry:
    """The :class:`VoteGeometry` of positions ``x`` (one sorted search per unordered pair)."""
    n = x.shape[-1]
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    i, j = np.triu_indices(n, k=1)
    cut = np.zeros((*x.shape, n), dtype=np.intp)
    if x.ndim == 1:
        # pairs in position order: each row's midpoints then rise, and a sorted search of
        # rising keys narrows from the last answer (the same midpoints: x_i + x_j = x_j + x_i)
        a, b = order[i], order[j]
        cut[a, b] = np.searchsorted(xs, 0.5 * (xs[i] + xs[j]), side="left")
        cut[b, a] = cut[a, b]
        return VoteGeometry(order, xs, cut)
    mids = 0.5 * (x[..., i] + x[..., j])
    if n <= 32:  # few actors, many draws: count the voters below each midpoint directly
        cut[..., i, j] = (xs[..., None, :] < mids[..., :, None]).sum(axis=-1)
    else:
        for index in np.ndindex(x.shape[:-1]):
            cut[(*index, i, j)] = np.searchsorted(xs[index], mids[index], side="left")
    cut[..., j, i] = cut[..., i, j]
    return VoteGeometry(order, xs, cut)


def _utility(base: np.ndarray, exponent: np.ndarray | None) -> np.ndarray:
    """``2 - 4 base**exponent`` (eqs. 15-16, 22-23) in place in ``base``."""
    _powered(base, exponent)
    base *= 4.0
    np.subtract(2.0, base, out=base)
    return base


def vote_numerators(
    x: np.ndarray,
    w: np.ndarray,
    span: np.ndarray | float,
    r_votes: np.ndarray | None,
    geometry: VoteGeometry | None = None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """``N_ij = sum_k w_k max(0, u_k(x_j) - u_k(x_i))`` with ``u_k(y) = (|x_k - y| / Rng)**r_k``.

    The votes actor i gets against j (eq. 31's numerator; with ``r_k = 1`` the linear votes of
    eq. 28, otherwise Scholz's risk-weighted votes, A4). A voter's term is positive exactly when
    it is closer to x_i than to x_j, a contiguous run of voters in position order, so the sum is
    a difference of prefix sums: O(n^2) time and memory instead of O(n^3). (Voters exactly at
    the midpoint are equidistant and contribute nothing on either side.) ``r_votes`` None
    means linear votes (every ``r_k = 1``); ``gap`` is :func:`pairwise` of ``x`` if known.
    """
    n = x.shape[-1]
    order, xs, cut = geometry if geometry is not None else vote_geometry(x)
    # prefix[..., m, y]: the first m voters' (in position order) weighted, risk-weighted
    # distance to actor y's position
    prefix = np.zeros((*x.shape[:-1], n + 1, n))
    body = prefix[..., 1:, :]
    np.subtract(xs[..., :, None], x[..., None, :], out=body)
    np.abs(body, out=body)
    body /= _span(span)
    if r_votes is not None:
        body **= np.take_along_axis(r_votes, order, axis=-1)[..., :, None]
    body *= np.take_along_axis(w, order, axis=-1)[..., :, None]
    np.cumsum(body, axis=-2, out=body)
    total = prefix[..., -1, :]
    N = np.empty((*x.shape, n))
    flat = prefix.reshape(-1)  # gathered from by flat index: no take_along_axis index grids
    runs = np.arange(int(np.prod(x.shape[:-1], dtype=int))).reshape(*x.shape[:-1], 1, 1)
    for rows in row_blocks(n):  # bounded temporaries for large n
        start = cut[..., rows, :] * n  # where row cut_ij of each run's prefix begins
        start += runs * ((n + 1) * n)
        below_j = flat.take(start + np.arange(n))  # [..., i, j] = prefix[cut_ij, j]
        below_i = flat.take(start + np.arange(n)[rows, None])  # [..., i, j] = prefix[cut_ij, i]
        lower = x[..., rows, None] < x[..., None, :]  # i below j: its voters lie below the mid
        # i below j: below_j - below_i; else (total_j - below_j) - (total_i - below_i), the
        # same operations written into the blocks' own buffers
        out = N[..., rows, :]
        np.subtract(below_j, below_i, out=out)
        np.subtract(total[..., None, :], below_j, out=below_j)
        np.subtract(total[..., rows, None], below_i, out=below_i)
        np.subtract(below_j, below_i, out=below_j)
        np.copyto(out, below_j, where=~lower)
    N[(pairwise(x) if gap is None else gap) == 0] = 0.0
    return np.asarray(np.maximum(N, 0.0, out=N))


def _global_vote_total(
    x: np.ndarray,
    w: np.ndarray,
    span: np.ndarray | float,
    r_votes: np.ndarray | None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """``sum_k sum_a sum_b |w_k (u_k(x_b) - u_k(x_a))|`` over all ordered pairs (Scholz's code).

    Per voter, the sum of |differences| over ordered pairs of its sorted values u_(b) is
    ``2 sum_b u_(b) (2b - n + 1)``. Returns one total per leading index.
    """
    n = x.shape[-1]
    U = _powered(
        (pairwise(x) if gap is None else gap) / _span(span),
        None if r_votes is None else r_votes[..., :, None],
    )
    U.sort(axis=-1)
    ranks = 2.0 * np.arange(n) - n + 1
    return np.asarray(2.0 * (w * (U * ranks).sum(axis=-1)).sum(axis=-1))


def probability_of_success(
    x: np.ndarray,
    w: np.ndarray,
    span: np.ndarray | float,
    r_votes: np.ndarray | None,
    *,
    numerator: str,
    denominator: str,
    voters: str = "all",
    geometry: VoteGeometry | None = None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """``P_ij``, the probability that i prevails when it challenges j (eqs. 30-31; A2, A4).

    ``numerator``: ``positive`` sums the votes of everyone closer to i (eq. 31, i and j
    included); ``net`` is ``max(0, sum_k w_k (u_k(x_j) - u_k(x_i)))`` (Masad 2013).
    ``denominator``: ``pair`` is the pair's total vote, so ``P_ij + P_ji = 1`` (eq. 31);
    ``global`` is the total over every ordered pair of actors (Scholz's code).
    ``voters``: ``all`` (eq. 31), ``exclude-challenger`` or ``exclude-pair`` (i's and j's own
    votes left out; they always vote for themselves). P is 0 for coincident positions.
    ``r_votes`` None means linear votes (every ``r_k = 1``); ``gap`` is :func:`pairwise` of
    ``x`` if known.
    """
    gap = pairwise(x) if gap is None else gap
    N = vote_numerators(x, w, span, r_votes, geometry, gap)
    drop_i = voters in ("exclude-challenger", "exclude-pair")
    drop_j = voters == "exclude-pair"
    own = own_t = N  # only read below when a voter's own vote is needed
    if drop_i or drop_j or numerator == "net":
        # U[k, y] = u_k(x_y); own[i, j] = w_i u_i(x_j): voter i's vote for itself against j
        # (it never votes for j)
        U = _powered(gap / _span(span), None if r_votes is None else r_votes[..., :, None])
        own = w[..., :, None] * U
        own_t = np.swapaxes(own, -1, -2)
    N_t = np.swapaxes(N, -1, -2)
    for_i = N - own if drop_i else N  # votes for i against j
    for_j = N_t - own_t if drop_j else N_t  # votes for j against i
    if numerator == "net":
        support = own.sum(axis=-2)  # sum_k w_k u_k(x_y), per position y
        net = support[..., None, :] - support[..., :, None]
        net = net - own * drop_i + own_t * drop_j
        top = np.maximum(net, 0.0)
    else:
        top = for_i
    if denominator == "global":
        total = _global_vote_total(x, w, span, r_votes, gap)
        bottom = np.broadcast_to(total[..., None, None], N.shape)
    else:
        bottom = for_i + for_j
    with np.errstate(invalid="ignore", divide="ignore"):
        P = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), 0.0)
    return np.asarray(P)


def challenge_eu(
    x: np.ndarray,
    s_target: np.ndarray,
    P: np.ndarray,
    d: np.ndarray,
    exponent: np.ndarray | None,
    *,
    Q: float,
    T: np.ndarray | float,
    no_challenge_distance: np.ndarray | None,
    gap: np.ndarray | None = None,
) -> np.ndarray:
    """``E(U_ab)``: a's expected utility of challenging b, for every ordered pair (eqs. 5-7).

    ``E = s_b [P U_s + (1 - P) U_f] + (1 - s_b) U_s - {Q U_sq + (1 - Q) [T U_b + (1 - T) U_w]}``
    with the utilities of eqs. 15-16 and 22-24 at the exponent given per pair (the challenger's
    own r, or the perceiver's; A3). ``s_target`` is the salience read as the probability of
    resistance, per pair (A1). Coincident positions give exactly 0; the diagonal is NaN.
    ``exponent`` None is an exponent of 1 for every pair (no power is taken: bit for bit the
    same); ``no_challenge_distance`` is read only when ``Q < 1``; ``gap`` is :func:`pairwise`
    of ``x`` if known.
    """
    shape = x.shape + x.shape[-1:]
    s_target, P, d = (np.broadcast_to(v, shape) for v in (s_target, P, d))
    if exponent is None:
        r_all: np.ndarray | None = None
        U_sq_all: np.ndarray | float = 2.0 - 4.0 * 0.5  # eq. 24 at r = 1
    else:
        # eq. 24 depends on the exponent alone: one power per exponent, not one per pair
        U_sq_all = np.broadcast_to(2.0 - 4.0 * 0.5**exponent, shape)
        r_all = np.broadcast_to(exponent, shape)
    if Q < 1.0:
        assert no_challenge_distance is not None
        m = np.broadcast_to(no_challenge_distance, shape)
        T_all = np.broadcast_to(np.asarray(T, dtype=float), shape)
    eu = np.empty(shape)
    for rows in row_blocks(x.shape[-1]):  # bounded temporaries for large n
        block = (..., rows, slice(None))
        r = None if r_all is None else r_all[block]
        dd, pp, st = d[block], P[block], s_target[block]
        U_sq = U_sq_all if isinstance(U_sq_all, float) else U_sq_all[block]
        # the equations' operations in their order, into a few buffers (fewer large
        # temporaries to allocate and fault in; the same numbers bit for bit)
        U_s = _utility(np.subtract(0.5, np.multiply(0.5, dd)), r)  # eq. 15
        U_f = _utility(np.add(0.5, np.multiply(0.5, dd)), r)  # eq. 16
        challenge = np.multiply(pp, U_s)  # eq. 6: s_b [P U_s + (1 - P) U_f] + (1 - s_b) U_s
        lose = np.subtract(1.0, pp)
        lose *= U_f
        challenge += lose
        np.multiply(st, challenge, out=challenge)
        np.subtract(1.0, st, out=lose)
        lose *= U_s
        challenge += lose
        if Q < 1.0:
            mm, tt = m[block], T_all[block]
            U_b = 2.0 - 4.0 * _powered(0.5 - 0.25 * mm, r)  # eq. 22
            U_w = 2.0 - 4.0 * _powered(0.5 + 0.25 * mm, r)  # eq. 23
            eu[block] = challenge - (Q * U_sq + (1.0 - Q) * (tt * U_b + (1.0 - tt) * U_w))
        else:
            np.subtract(challenge, U_sq, out=eu[block])
    eu[(pairwise(x) if gap is None else gap) == 0] = 0.0
    diagonal = np.arange(x.shape[-1])
    eu[..., diagonal, diagonal] = np.nan
    return eu


def security(eu_or_p: np.ndarray) -> np.ndarray:
    """``Sec_i = sum_{j != i} E(U_ji)``: what all others expect from challenging i (eq. 32)."""
    return np.asarray(np.nansum(eu_or_p, axis=-2))


def risk_exponents(
    sec: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``R_i`` (eqs. 32/34) and ``r_i = (1 - R_i/3) / (1 + R_i/3)`` in [0.5, 2] (eq. 33).

    ``low``/``high`` default to the minimum and maximum security over the actors; where they
    coincide, R = 0 and r = 1 (§1.12).
    """
    lo = sec.min(axis=-1, keepdims=True) if low is None else low
    hi = sec.max(axis=-1, keepdims=True) if high is None else high
    spread = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        R = np.where(spread > 0, (2.0 * sec - hi - lo) / np.where(spread > 0, spread, 1.0), 0.0)
    R = np.clip(R, -1.0, 1.0)
    return R, (1.0 - R / 3.0) / (1.0 + R / 3.0)


def region_name(a: float, b: float) -> str:
    """The region of one dyad seen by an actor whose EU is ``a`` against its rival's ``b``."""
    code = classify_dyads(
        np.array([[np.nan, a], [b, np.nan]]), np.array([[np.nan, b], [a, np.nan]])
    )
    return REGION_NAMES[int(code[0, 1])]


def classify_dyads(own: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Region of every ordered dyad from the row actor's viewpoint (§1.9).

    ``own[i, j]`` is i's EU of challenging j, ``other[i, j]`` j's EU of challenging i as i sees
    it. Returns int8 codes indexing :data:`REGION_NAMES`.
    """
    a, b = np.nan_to_num(own), np.nan_to_num(other)
    region = np.zeros(a.shape, dtype=np.int8)
    both = (a > 0) & (b > 0)
    region[both & (a > b)] = CONFLICT_WIN
    region[both & (b > a)] = CONFLICT_LOSS
    region[both & (a == b)] = CONFLICT_EVEN  # equal resolve: a conflict nobody concedes
    # an EU of exactly 0 is indifference, not a wish to avoid a challenge: such a dyad is a
    # stalemate, as in Scholz's code, where a compromise needs e_ij < 0 < e_ji
    i_up = (a > 0) & (b < 0)
    region[i_up & (a > np.abs(b))] = COMPROMISE_WIN
    region[i_up & (a <= np.abs(b))] = COMPEL
    j_up = (b > 0) & (a < 0)
    region[j_up & (b > np.abs(a))] = COMPROMISE_LOSS
    region[j_up & (b <= np.abs(a))] = CAPITULATE
    diagonal = np.arange(a.shape[-1])
    region[..., diagonal, diagonal] = STALEMATE
    return region
