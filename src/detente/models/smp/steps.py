"""The kernels of one SMP turn: pure numpy functions, named after KTAB's steps.

Everything is on KTAB's internal scale: positions and saliences in [0, 1]. Section numbers refer
to ``shared/reference/ktab-smp.md``. Votes, coalitions and PCEs (§2.3-2.4) are in
:mod:`detente.models.smp.pce` and re-exported here. The arithmetic follows KTAB's
expressions term by term (the order of additions included, where it is cheap) so that
near-ties break as KTAB's do.

Memory is bounded by chunking: no function builds more than about :data:`CHUNK` floats per
temporary array, whatever the number of actors.
"""

from __future__ import annotations

import numpy as np

from detente.models.smp import _accel
from detente.models.smp.pce import coalitions, pce, scalar_pce, victory_probabilities, vote

__all__ = [
    "CHUNK",
    "bargain_utilities",
    "best_targets",
    "challenge",
    "coalitions",
    "distances",
    "estimate_risk",
    "interpolate",
    "pce",
    "position_probabilities",
    "risk_from_probabilities",
    "scalar_pce",
    "unique_positions",
    "utility",
    "victory_probabilities",
    "vote",
]

#: Floats per temporary array in the chunked kernels (16 MB of float64).
CHUNK = 1 << 21
#: Floats per temporary in the kernels that make many passes over their temporaries (256 kB,
#: so that they stay in cache: several times faster than :data:`CHUNK` there).
CACHE_CHUNK = 1 << 15
#: ``SMPState::probEduChlg``: the empty coalition's strength when a challenge is evaluated.
MIN_CHALLENGE_COALITION = 1e-10
#: ``SMPState::bestChallenge``: the smallest expected gain worth a challenge.
MIN_SIGNIFICANT_GAIN = 1e-5
#: ``interpBrgnSnPm`` and ``interpBrgnS2PMax``: bias toward each side's own position.
MIN_BARGAIN_WEIGHT = 1e-6

Array = np.ndarray


# --- 2.1 distance and utility --------------------------------------------------------------------


def distances(ideals: Array, positions: Array, saliences: Array) -> Array:
    """``d[i, j]``: salience-weighted normalised distance from i's ideal to j's position (§2.1).

    ``d_ij = sqrt(sum_d (s_id (q_id - x_jd))^2 / sum_d s_id^2)``; an actor with no salience at
    all is indifferent (distance 0 to everything; KTAB refuses such an actor).
    """
    n = len(ideals)
    s2 = np.sum(saliences * saliences, axis=1)
    safe = np.where(s2 > 0, s2, 1.0)
    out = np.empty((n, len(positions)))
    step = max(1, CHUNK // max(1, len(positions) * ideals.shape[1]))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        diff = (ideals[lo:hi, None, :] - positions[None, :, :]) * saliences[lo:hi, None, :]
        out[lo:hi] = np.sqrt(np.sum(diff * diff, axis=2) / safe[lo:hi, None])
    out[s2 <= 0] = 0.0
    return out


def point_distances(origins: Array, points: Array, saliences: Array) -> Array:
    """Row-wise distance from ``origins[m]`` to ``points[m]`` weighted by ``saliences[m]``."""
    s2 = np.sum(saliences * saliences, axis=-1)
    diff = (origins - points) * saliences
    d = np.sqrt(np.sum(diff * diff, axis=-1) / np.where(s2 > 0, s2, 1.0))
    return np.where(s2 > 0, d, 0.0)


def utility(d: Array, R: Array | float) -> Array:
    """``u(d, R) = (1 - d)(1 + R d)`` for d <= 1, ``(1 - d)(1 + R)`` beyond (``bsUtil``)."""
    d = np.asarray(d, dtype=float)
    return np.where(d <= 1.0, (1.0 - d) * (1.0 + d * R), (1.0 - d) * (1.0 + R))


# --- 2.2 risk attitudes --------------------------------------------------------------------------


def risk_from_probabilities(p: Array, big_r_range: str) -> Array:
    """Risk attitudes from position probabilities (``Model::bigRfromProb``, §2.2 step 3).

    When every probability is equal (e.g. everyone at one position) KTAB divides 0 by 0; here
    every actor is then risk-neutral (R = 0).
    """
    p_min = float(np.min(p))
    p_max = float(np.max(p))
    span = p_max - p_min
    if not span > 0:
        return np.zeros_like(p)
    if big_r_range == "Min":
        return (p - p_min) / span
    if big_r_range == "Mid":
        return (3 * p - (p_max + 2 * p_min)) / (2 * span)
    return (2 * p - (p_max + p_min)) / span


def estimate_risk(r_h: Array, r_i: Array, big_r_adjust: str) -> Array:
    """h's estimate of i's risk attitude, anchored on its own (``Model::estNRA``, §2.2 step 4)."""
    if big_r_adjust == "Full":
        return np.broadcast_to(r_i, np.broadcast_shapes(np.shape(r_h), np.shape(r_i))).copy()
    if big_r_adjust == "TwoThirds":
        return (r_h + (2.0 * r_i)) / 3.0
    if big_r_adjust == "Half":
        return np.asarray((r_h + r_i) / 2)
    if big_r_adjust == "OneThird":
        return np.asarray(((2.0 * r_h) + r_i) / 3.0)
    return np.broadcast_to(r_h, np.broadcast_shapes(np.shape(r_h), np.shape(r_i))).copy()


# --- 2.5 evaluating challenges -------------------------------------------------------------------


def challenge(
    h: Array,
    k: Array,
    i: Array,
    j: Array,
    *,
    d: Array,
    r: Array,
    weight: Array,
    total_salience: Array,
    big_r_adjust: str,
    rule: str,
    commit: str,
    own: bool = False,
) -> tuple[Array, Array]:
    """h's estimate of "i challenges j": P(i wins) and k's expected gain (``probEduChlg``, §2.5).

    ``h, k, i, j`` are equal-length index arrays; ``d`` the ideal-to-position distances, ``r``
    the risk attitudes, ``weight`` each actor's S c. Third parties are a vector axis; the
    quadruples are chunked so no temporary exceeds :data:`CHUNK` floats. ``own=True`` promises
    h = k = i (each actor's own view), so what depends on i alone is computed once per i.
    """
    n = len(r)
    m = len(h)
    prob = np.empty(m)
    gain = np.empty(m)
    # proportional votes: the third parties in a compiled kernel, all quadruples at once (when
    # numba is installed; the numpy branch below gives the same bits)
    kernels = _accel.kernels(n) if rule == "Prop" else None
    if kernels is not None and (
        big_r_adjust not in kernels.ADJUST_CODES or commit not in kernels.COMMIT_CODES
    ):
        kernels = None
    compiled = kernels is not None
    step = max(1, m) if compiled else max(1, CACHE_CHUNK // max(1, n))
    dT = np.ascontiguousarray(d.T)  # dT[x, n] = d[n, x]: third party n's distance to x
    diag = np.diagonal(d)
    inside = bool(np.max(d, initial=0.0) <= 1.0)  # then u = (1 - d)(1 + R d) throughout

    def util(dist: Array, R: Array) -> Array:
        if inside:
            out = dist * R
            out += 1.0
            out *= 1.0 - dist
            return np.asarray(out)
        return utility(dist, R)

    for lo in range(0, m, step):
        sl = slice(lo, min(m, lo + step))
        hh, kk, ii, jj = h[sl], k[sl], i[sl], j[sl]
        rows = np.arange(len(hh))
        rh = r[hh]

        def u(x: Array, y: Array) -> Array:
            return utility(d[x, y], estimate_risk(rh, r[x], big_r_adjust))  # noqa: B023

        uii, uij, uji, ujj = u(ii, ii), u(ii, jj), u(jj, ii), u(jj, jj)
        uki, ukj = u(kk, ii), u(kk, jj)
        # the principals' own votes (2.5 step 1)
        vi = vote(rule, weight[ii], uii - uij)
        vj = vote(rule, weight[jj], uji - ujj)
        c_ij = MIN_CHALLENGE_COALITION + np.where(vi > 0, vi, 0.0)
        c_ij = c_ij + np.where(vj > 0, vj, 0.0)
        c_ji = MIN_CHALLENGE_COALITION - np.where(vi < 0, vi, 0.0)
        c_ji = c_ji - np.where(vj < 0, vj, 0.0)
        # third parties (2.5 step 2), each against the principals alone: h's estimate of n's
        # utilities for i's, j's and its own position
        if kernels is not None:
            pos, neg = kernels.third_party_sums(
                hh, ii, jj, c_ij, c_ji, dT, r, weight, diag, big_r_adjust, commit
            )
            c_ij = c_ij + pos
            c_ji = c_ji - neg
        else:
            if own:  # h = i: the estimates of third parties' attitudes and uni depend on i only
                first, inverse = np.unique(ii, return_inverse=True)
                r_first = estimate_risk(r[first][:, None], r[None, :], big_r_adjust)
                uni = util(dT[first], r_first)[inverse]
                r_hn = r_first[inverse]
                unn_first = 1.0 if not diag.any() else util(diag[None, :], r_first)
                unn = unn_first if isinstance(unn_first, float) else unn_first[inverse]
            else:
                r_hn = estimate_risk(rh[:, None], r[None, :], big_r_adjust)
                uni = util(dT[ii], r_hn)
                unn = 1.0 if not diag.any() else util(diag[None, :], r_hn)
            unj = util(dT[jj], r_hn)
            wn = weight[None, :]
            v0 = vote(rule, wn, uni - unj)
            cni = np.maximum(v0, 0.0)
            cni += c_ij[:, None]
            cnj = np.minimum(v0, 0.0)
            np.subtract(c_ji[:, None], cnj, out=cnj)
            pin = cni / (cni + cnj)
            pjn = 1.0 - pin
            two_i, two_j = uni + uni, unj + unj
            if commit == "FullCommit":
                ik_def_j, j_def_ik = two_i + uni, two_j + unj
                i_def_jk, jk_def_i = two_i + uni, two_j + unj
            elif commit == "SemiCommit":
                ik_def_j, j_def_ik = two_i + unn, two_j + unj
                i_def_jk, jk_def_i = two_i + uni, two_j + unn
            else:
                ik_def_j, j_def_ik = two_i + unn, two_j + unn
                i_def_jk, jk_def_i = two_i + unn, two_j + unn
            u_ik_j = pin * ik_def_j
            u_ik_j += pjn * j_def_ik
            u_i_jk = pin * i_def_jk
            u_i_jk += pjn * jk_def_i
            vn = vote(rule, wn, u_ik_j - u_i_jk)
            vn[rows, ii] = 0.0  # the principals are not third parties
            vn[rows, jj] = 0.0
            c_ij = c_ij + np.sum(np.maximum(vn, 0.0), axis=1)
            c_ji = c_ji - np.sum(np.minimum(vn, 0.0), axis=1)
        # 2.5 steps 3-4
        p_ij = c_ij / (c_ij + c_ji)
        p_ji = c_ji / (c_ij + c_ji)
        sj = total_salience[jj]
        eu_sq = uki + ukj
        eu_vict = uki + uki
        eu_contest = p_ij * eu_vict + p_ji * (ukj + ukj)
        eu_challenge = (1 - sj) * eu_vict + sj * eu_contest
        prob[sl] = p_ij
        gain[sl] = eu_challenge - eu_sq
    return prob, gain


def best_targets(
    d: Array,
    r: Array,
    weight: Array,
    total_salience: Array,
    *,
    big_r_adjust: str,
    rule: str,
    commit: str,
) -> tuple[Array, Array, Array]:
    """Each actor's most advantageous target (``bestChallenge``, §2.6 step 1).

    Returns ``target`` (-1 for none), ``p`` (its estimated chance of winning) and ``gain``.
    The gain is linear in the chance of winning, so its values at P = 0 and P = 1 bound it
    before the O(n) sum over third parties. Each actor's targets are evaluated exactly in
    order of decreasing upper bound, in growing batches, until no remaining target's bound
    reaches the best gain found; the first best j wins, as in KTAB's scan.
    """
    n = len(r)
    ri = estimate_risk(r, r, big_r_adjust)  # an actor's estimate of itself is its own R
    own = utility(d, ri[:, None])  # own[i, x] = U[i](i, x)
    uii = np.diagonal(own)[:, None]
    sj = total_salience[None, :]
    bound0 = (1 - sj) * (uii + uii) + sj * (own + own) - (uii + own)
    bound1 = (1 - sj) * (uii + uii) + sj * (uii + uii) - (uii + own)
    upper = np.maximum(bound0, bound1)
    np.fill_diagonal(upper, -np.inf)
    order = np.argsort(-upper, axis=1, kind="stable")
    sorted_upper = np.take_along_axis(upper, order, axis=1)
    slack = 1e-12  # bounds and exact values differ by rounding only
    best_gain = np.full(n, -np.inf)
    best_j = np.full(n, n)
    best_p = np.full(n, np.nan)
    done = 0
    batch = 8
    active = sorted_upper[:, 0] > MIN_SIGNIFICANT_GAIN - slack
    while done < n - 1 and active.any():
        stop = min(n, done + batch)
        rows = np.nonzero(active)[0]
        cols = order[rows, done:stop]
        keep = (
            sorted_upper[rows, done:stop]
            >= np.maximum(best_gain[rows], MIN_SIGNIFICANT_GAIN)[:, None] - slack
        )
        ii = np.repeat(rows, stop - done).reshape(len(rows), -1)[keep]
        jj = cols[keep]
        if len(ii):
            p, g = challenge(
                ii,
                ii,
                ii,
                jj,
                d=d,
                r=r,
                weight=weight,
                total_salience=total_salience,
                big_r_adjust=big_r_adjust,
                rule=rule,
                commit=commit,
                own=True,
            )
            # the best per actor in this batch: highest gain, then lowest j
            rank = np.lexsort((jj, -g, ii))
            first = np.ones(len(rank), dtype=bool)
            first[1:] = ii[rank][1:] != ii[rank][:-1]
            top = rank[first]
            ti, tj, tg, tp = ii[top], jj[top], g[top], p[top]
            better = (tg > best_gain[ti]) | ((tg == best_gain[ti]) & (tj < best_j[ti]))
            ti, tj, tg, tp = ti[better], tj[better], tg[better], tp[better]
            best_gain[ti], best_j[ti], best_p[ti] = tg, tj, tp
        done = stop
        batch *= 2
        if done < n:
            nxt = sorted_upper[:, done]
            active = nxt >= np.maximum(best_gain, MIN_SIGNIFICANT_GAIN) - slack
    has = best_gain > MIN_SIGNIFICANT_GAIN
    return (
        np.where(has, best_j, -1),
        np.where(has, best_p, np.nan),
        np.where(has, best_gain, np.nan),
    )


# --- 2.6 bargains --------------------------------------------------------------------------------


def _round4(x: Array) -> Array:
    return np.trunc(0.5 + x * 10000.0) / 10000.0


def interpolate(
    xi: Array, si: Array, pi: Array, xj: Array, sj: Array, pj: Array, method: str
) -> tuple[Array, Array]:
    """Proposed positions for i and j, per dimension (``interpolateBrgn``, §2.6 step 2).

    ``xi``, ``si``, ``xj``, ``sj`` are (m, k); ``pi``, ``pj`` (m,). S2P2 and S1P1 round to four
    decimals like KTAB, and the result is kept within the two positions (KTAB's rounding cannot
    leave them for positions given to two decimals on 0-100, but can for arbitrary inputs).
    """
    pi = pi[:, None]
    pj = pj[:, None]
    if method == "S2PMax":
        di = np.where(pj > pi, pj - pi, 0.0)
        dj = np.where(pi > pj, pi - pj, 0.0)
        si2, sj2 = si * si, sj * sj
        dik = (di * sj2) / ((di * sj2) + MIN_BARGAIN_WEIGHT + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + MIN_BARGAIN_WEIGHT + ((1 - dj) * sj2))
        bi = xi + dik * (xj - xi)
        bj = xj + djk * (xi - xj)
    else:
        if method == "S2P2":
            wi = (si * si) * (pi * pi)
            wj = (sj * sj) * (pj * pj)
        else:
            wi = si * pi
            wj = sj * pj
        total = wi + MIN_BARGAIN_WEIGHT + wj
        bi = _round4(((wi + MIN_BARGAIN_WEIGHT) * xi + wj * xj) / total)
        bj = _round4((wi * xi + (MIN_BARGAIN_WEIGHT + wj) * xj) / total)
    lo, hi = np.minimum(xi, xj), np.maximum(xi, xj)
    return np.clip(bi, lo, hi), np.clip(bj, lo, hi)


def bargain_utilities(
    own: Array,
    positions: Array,
    saliences: Array,
    r: Array,
    initiator: Array,
    receiver: Array,
    pos_init: Array,
    pos_rcvr: Array,
) -> Array:
    """``u[m, b]``: actor m's average utility over all positions after bargain b (§2.6 step 4).

    ``own[m, x]`` is m's utility of x's position (its own risk attitude, from its ideal). The
    proposed positions are valued from m's current *position* (``SMPActor::posUtil``); with the
    identity accommodation matrix, ideal and position coincide.
    """
    n = own.shape[0]
    nb = len(initiator)
    row_sum = np.sum(own, axis=1)
    kernels = _accel.kernels(n)
    if kernels is not None and positions.shape[1] <= kernels.BARGAIN_MAX_ISSUES:
        return kernels.bargain_utilities(
            own, positions, saliences, r, initiator, receiver, pos_init, pos_rcvr, row_sum
        )
    out = np.empty((n, nb))
    step = max(1, CHUNK // max(1, n * positions.shape[1]))
    for lo in range(0, nb, step):
        sl = slice(lo, min(nb, lo + step))
        a, b = initiator[sl], receiver[sl]
        ua = utility(
            point_distances(positions[:, None, :], pos_init[None, sl, :], saliences[:, None, :]),
            r[:, None],
        )
        ub = utility(
            point_distances(positions[:, None, :], pos_rcvr[None, sl, :], saliences[:, None, :]),
            r[:, None],
        )
        rest = row_sum[:, None] - own[:, a] - own[:, b]
        out[:, sl] = (ua + ub + rest) / n
    return out


# --- 2.8 reported probabilities ------------------------------------------------------------------


def unique_positions(positions: Array, tol: float) -> tuple[Array, Array]:
    """KTAB's greedy unique positions (``ueIndices``) and the pairwise equivalence matrix."""
    n = len(positions)
    gap = np.empty((n, n))
    step = max(1, CHUNK // max(1, n * positions.shape[1]))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        diff = positions[lo:hi, None, :] - positions[None, :, :]
        gap[lo:hi] = np.sqrt(np.sum(diff * diff, axis=2))
    same = gap < tol
    kernels = _accel.kernels(n) if n > 1 else None
    if kernels is not None:
        return kernels.greedy_unique(same).astype(int), same
    unique: list[int] = []
    for i in range(n):  # each actor against the uniques found so far (vectorised)
        if not unique or not same[i, unique].any():
            unique.append(i)
    return np.array(unique, dtype=int), same


def position_probabilities(
    own: Array, c: Array, unique: Array, same: Array, *, vp_model: str, pce_model: str
) -> tuple[Array, Array]:
    """PCE over the unique positions, every actor from its own perspective (``pDist(-1)``).

    KTAB uses proportional voting here whatever the model's voting rule. Returns the
    probability of each unique position and each actor's (its position's; KTAB's ``posProb``
    takes the last equivalent unique position).
    """
    p_unique = scalar_pce(own[:, unique], c, "Prop", vp_model, pce_model)
    match = same[:, unique]
    last = match.shape[1] - 1 - np.argmax(match[:, ::-1], axis=1)
    return p_unique, p_unique[last]
