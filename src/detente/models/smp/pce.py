"""Votes, coalitions, victory probabilities and PCE: KTAB's ``kmodel`` layer for the SMP.

KTAB reduces every model to "voting rule -> coalition strengths -> victory probabilities ->
probabilistic Condorcet election (PCE)" (``Model::vote``, ``coalitions``, ``vProb``,
``probCE2``, ``scalarPCE`` in ``KTAB/kmodel/libsrc/kmodel.cpp``; ``shared/reference/ktab-smp.md``
§2.3-2.4). Pure numpy functions, with leading batch axes where noted.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from detente.models.smp import _accel

__all__ = [
    "MIN_COALITION",
    "TILED_MIN_OPTIONS",
    "coalitions",
    "pce",
    "scalar_pce",
    "victory_probabilities",
    "vote",
]

Array = np.ndarray

#: Floats per temporary array in the chunked kernels (16 MB of float64).
CHUNK = 1 << 21
#: From this many options on, one PCE's coalitions are summed in tiles.
TILED_MIN_OPTIONS = 32
#: ``Model::coalitions``: the empty coalition's strength.
MIN_COALITION = 1e-8


# --- 2.3 votes -----------------------------------------------------------------------------------


def vote(rule: str, w: Array | float, du: Array) -> Array:
    """A voter's vote of weight ``w`` for a utility difference ``du`` (``Model::vote``, §2.3)."""
    if rule == "Prop":
        return w * du
    if rule == "Binary":
        return w * np.clip(du / 1e-8, -1.0, 1.0)
    if rule == "PropBin":
        return w * ((1 - 0.2) * du + 0.2 * np.clip(du / 1e-8, -1.0, 1.0))
    if rule == "PropCbc":
        return np.asarray(w * ((1 - 0.5) * du + 0.5 * (du * du * du)))
    if rule == "Cubic":
        return np.asarray(w * (du * du * du))
    if rule == "ASymProsp":
        return np.where(du < 0.0, w * du, np.where(du > 0.0, (2.0 * w * du) / 3.0, 0.0))
    raise ValueError(f"unknown voting rule {rule!r}")


# --- 2.4 coalitions, victory probabilities, PCE --------------------------------------------------


def coalitions(u: Array, w: Array, rule: str) -> Array:
    """Coalition strengths ``C[..., a, b]`` for option a over b (``Model::coalitions``).

    ``u`` is (..., voters, options), ``w`` (voters,). KTAB scans only pairs a > b and credits a
    negative vote to (b:a); for the asymmetric ``ASymProsp`` rule that order matters, and it is
    kept (every other rule is odd, so C[a, b] is just the sum of positive votes for a over b).
    Chunked over voters; the weighted sum over voters is a matrix product.
    """
    *batch, n_voters, m = u.shape
    if not batch and m >= TILED_MIN_OPTIONS:
        return _coalitions_tiled(u, w, rule)
    odd = rule != "ASymProsp"
    pos = np.zeros((*batch, m, m))
    neg = None if odd else np.zeros((*batch, m, m))
    per_voter = max(1, int(np.prod(batch, dtype=int)) * m * m)
    step = max(1, CHUNK // per_voter)
    ones = np.ones(1)
    # proportional votes: the positive gaps written in one compiled pass, C-ordered as
    # _weighted_sum's reshape makes them from a C-ordered u, so the same matrix product (the
    # same BLAS call) gives the same bits; from another layout numpy's reshape can be a view
    # in another order, which BLAS sums in another order: then the numpy path
    kernels = _accel.kernels(n_voters) if rule == "Prop" and u.flags.c_contiguous else None
    for lo in range(0, n_voters, step):
        hi = min(n_voters, lo + step)
        if kernels is not None:
            gaps = kernels.positive_gaps(u, lo, hi)
            pos += (w[lo:hi] @ gaps).reshape(pos.shape)
            continue
        uk = np.moveaxis(u[..., lo:hi, :], -2, 0)  # (voters, ..., m)
        du = uk[..., :, None] - uk[..., None, :]  # (voters, ..., a, b) = u_a - u_b
        if rule == "Prop":
            wk = w[lo:hi]
            v = du
        else:
            wk = ones
            v = vote(rule, w[lo:hi].reshape((-1,) + (1,) * (du.ndim - 1)), du)
        if neg is not None:
            neg += _weighted_sum(np.maximum(-v, 0.0), wk)
        np.maximum(v, 0.0, out=v)
        pos += _weighted_sum(v, wk)
    off = ~np.eye(m, dtype=bool)
    if neg is None:
        return np.where(off, pos + MIN_COALITION, MIN_COALITION)
    lower = np.tril(np.ones((m, m), dtype=bool), -1)
    c = np.where(lower, pos, np.swapaxes(np.where(lower, neg, 0.0), -1, -2))
    return np.where(off, c + MIN_COALITION, MIN_COALITION)


def _coalitions_tiled(u: Array, w: Array, rule: str) -> Array:
    """:func:`coalitions` for one large option set, in cache-sized tiles of (voters, options).

    With proportional votes, C[a, b] - C[b, a] = sum_k w_k (u_ka - u_kb) is cheap, so only the
    weighted L1 distances sum_k w_k |u_ka - u_kb| over the upper triangle are computed: half
    the work of the direct sum, equal to it up to rounding.
    """
    n, m = u.shape
    nk, ba = 16, 4
    if rule == "Prop":
        VT = np.ascontiguousarray((w[:, None] * u).T)  # (options, voters)
        total = np.sum(VT, axis=1)
        kernels = _accel.kernels(n)
        L1 = kernels.l1_rows(VT) if kernels is not None else _l1_rows(VT)  # upper triangle
        L1 = L1 + L1.T
        c = np.maximum((L1 + (total[:, None] - total[None, :])) / 2.0, 0.0)
    else:
        pos = np.zeros((m, m))
        neg = np.zeros((m, m))
        for k0 in range(0, n, nk):
            uk = u[k0 : k0 + nk]
            wk = w[k0 : k0 + nk, None, None]
            for a0 in range(0, m, ba):
                a1 = min(m, a0 + ba)
                v = vote(rule, wk, uk[:, a0:a1, None] - uk[:, None, :])
                pos[a0:a1] += np.sum(np.maximum(v, 0.0), axis=0)
                neg[a0:a1] += np.sum(np.maximum(-v, 0.0), axis=0)
        lower = np.tril(np.ones((m, m), dtype=bool), -1)
        c = np.where(lower, pos, np.where(lower, neg, 0.0).T)
    off = ~np.eye(m, dtype=bool)
    return np.where(off, c + MIN_COALITION, MIN_COALITION)


def _l1_rows(VT: Array) -> Array:
    """``L1[a, b] = np.sum(np.abs(VT[b] - VT[a]))`` for b > a, zero elsewhere: the numpy path
    of the compiled ``l1_rows`` (the same pairwise sums, so the same bits), in chunks of rows."""
    m, n = VT.shape
    L1 = np.zeros((m, m))
    step = max(1, CHUNK // max(1, n))
    for a in range(m - 1):
        for lo in range(a + 1, m, step):
            hi = min(m, lo + step)
            L1[a, lo:hi] = np.sum(np.abs(VT[lo:hi] - VT[a]), axis=1)
    return L1


def _weighted_sum(v: Array, w: Array) -> Array:
    """Sum over the leading (voter) axis of ``v`` weighted by ``w`` (all ones: a plain sum)."""
    if len(w) == 1 and w[0] == 1.0 and v.shape[0] != 1:
        return np.asarray(np.sum(v, axis=0))
    flat = v.reshape(v.shape[0], -1)
    if len(w) != v.shape[0]:
        return np.asarray(np.sum(v, axis=0))
    return np.asarray((w @ flat).reshape(v.shape[1:]))


def victory_probabilities(c: Array, model: str) -> Array:
    """``P[..., a, b]``, the probability that a beats b, from coalitions (``Model::vProb``)."""
    ct = np.swapaxes(c, -1, -2)
    if model == "Binary":
        thresh = 1.10
        r12 = c / (c + ct)
        ramp = (r12 * (thresh + 1.0) - 1.0) / (thresh - 1.0)
        x1 = np.where(c >= thresh * ct, 1.0, np.where(ct >= thresh * c, 1e-6, ramp))
        x2 = np.where(c >= thresh * ct, 1e-6, np.where(ct >= thresh * c, 1.0, 1 - ramp))
    else:
        power = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}[model]
        x1, x2 = c, ct
        for _ in range(power.bit_length() - 1):
            x1, x2 = x1 * x1, x2 * x2
    p = x1 / (x1 + x2)
    m = c.shape[-1]
    eye = np.eye(m, dtype=bool)
    return np.where(eye, 0.5, p)


def pce(c: Array, vp_model: str, pce_model: str) -> Array:
    """Option probabilities ``p[..., a]`` from coalition strengths (``Model::probCE2``, §2.4)."""
    vp = victory_probabilities(c, vp_model)
    if pce_model == "Conditional":
        p = np.prod(vp, axis=-1)
        return np.asarray(p / np.sum(p, axis=-1, keepdims=True))
    if pce_model == "MarkovUniform":
        return _markov(lambda p: _uniform_step(vp, p), vp.shape[:-1], 1e-6)
    if pce_model == "MarkovIncentive":
        m = c.shape[-1]
        incentive = c * vp + np.where(np.eye(m, dtype=bool), 1e-10, 0.0)
        challenge = incentive / np.sum(incentive, axis=-2, keepdims=True)  # P[i -> j]
        return _markov(lambda p: _incentive_step(vp, challenge, p), vp.shape[:-1], 1e-8)
    raise ValueError(f"unknown PCE model {pce_model!r}")


def _uniform_step(vp: Array, p: Array) -> Array:
    m = vp.shape[-1]
    return np.asarray(np.sum(vp * (p[..., :, None] + p[..., None, :]), axis=-1) / m)


def _incentive_step(vp: Array, challenge: Array, p: Array) -> Array:
    ct = p[..., :, None] * np.swapaxes(challenge, -1, -2)  # ct[i, j] = p_i P[j -> i]
    return np.asarray(np.sum(vp * (ct + np.swapaxes(ct, -1, -2)), axis=-1))


def _markov(step: Callable[[Array], Array], shape: tuple[int, ...], tol: float) -> Array:
    """Damped fixed-point iteration p <- (p + q) / 2, each batch member until its own change
    (before damping) is at most ``tol``, as KTAB iterates one PCE at a time."""
    p = np.full(shape, 1.0 / shape[-1])
    active = np.ones(shape[:-1], dtype=bool)
    for _ in range(100_000):
        q = step(p)
        change = np.max(np.abs(q - p), axis=-1)
        p = np.where(active[..., None], (p + q) / 2.0, p)
        active &= change > tol
        if not active.any():
            return p
    raise RuntimeError("Markov PCE did not converge")


def scalar_pce(u: Array, w: Array, rule: str, vp_model: str, pce_model: str) -> Array:
    """``Model::scalarPCE``: option probabilities from voters' utilities ``u[..., voter, opt]``."""
    return pce(coalitions(u, w, rule), vp_model, pce_model)
