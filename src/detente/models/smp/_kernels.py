"""Compiled (numba) kernels for the SMP's hot loops, exact to the numpy path they replace.

Each kernel repeats the numpy expressions it replaces operation for operation (no fastmath, no
reassociation), and sums with numpy's own pairwise summation (``pairwise_sum`` in numpy's
``loops_utils.h``), so its results are bit-for-bit those of the numpy code: the SMP's
trajectories, and KTAB's near-tie breaks, do not depend on which path ran.
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit, prange

__all__ = ["ADJUST_CODES", "COMMIT_CODES", "l1_rows", "third_party_sums"]

Array = np.ndarray

#: ``BigRAdjust`` and ``ThirdPartyCommit`` values as the kernels' integer codes.
ADJUST_CODES = {"None": 0, "OneThird": 1, "Half": 2, "TwoThirds": 3, "Full": 4}
COMMIT_CODES = {"NoCommit": 0, "SemiCommit": 1, "FullCommit": 2}

#: numpy's ``PW_BLOCKSIZE``: pairwise summation splits blocks longer than this.
_PW_BLOCKSIZE = 128


@njit(cache=True)
def _block_sum(a: Array, lo: int, n: int) -> float:
    """numpy's pairwise summation of a block of at most ``_PW_BLOCKSIZE`` values."""
    if n < 8:
        res = 0.0
        for t in range(lo, lo + n):
            res += a[t]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    t = 8
    stop = n - (n % 8)
    while t < stop:
        b = lo + t
        r0 += a[b]
        r1 += a[b + 1]
        r2 += a[b + 2]
        r3 += a[b + 3]
        r4 += a[b + 4]
        r5 += a[b + 5]
        r6 += a[b + 6]
        r7 += a[b + 7]
        t += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while t < n:
        res += a[lo + t]
        t += 1
    return float(res)


@njit(cache=True)
def _pairwise_stack(a: Array, lo: int, n: int) -> float:
    """:func:`_pairwise_sum` of a long run: numpy's halving tree walked with an explicit stack
    (numba's cache mishandles recursive functions: cached recursive kernels crashed)."""
    # frames: (start, length, stage); stage 0 = not expanded, 1 = left half summed
    starts = np.empty(64, dtype=np.int64)
    lengths = np.empty(64, dtype=np.int64)
    stages = np.empty(64, dtype=np.int64)
    partial = np.empty(64)
    depth = 0
    starts[0], lengths[0], stages[0] = lo, n, 0
    result = 0.0
    while depth >= 0:
        s0, n0 = starts[depth], lengths[depth]
        if n0 <= _PW_BLOCKSIZE:
            value = _block_sum(a, s0, n0)
            depth -= 1
            # hand the value to the parent frame
            while depth >= 0:
                if stages[depth] == 0:
                    partial[depth] = value
                    stages[depth] = 1
                    half = lengths[depth] // 2
                    half -= half % 8
                    depth += 1
                    starts[depth] = starts[depth - 1] + half
                    lengths[depth] = lengths[depth - 1] - half
                    stages[depth] = 0
                    break
                value = partial[depth] + value
                depth -= 1
            else:
                result = value
            continue
        half = n0 // 2
        half -= half % 8
        depth += 1
        starts[depth], lengths[depth], stages[depth] = s0, half, 0
    return result


# numpy's halving, unrolled over a few levels without recursion or allocation (enough for
# some thousands of values); longer sums fall back to the explicit stack.


@njit(cache=True)
def _pw1(a: Array, lo: int, n: int) -> float:
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    return _pairwise_stack(a, lo, n)


@njit(cache=True)
def _pw2(a: Array, lo: int, n: int) -> float:
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    half = n // 2
    half -= half % 8
    return _pw1(a, lo, half) + _pw1(a, lo + half, n - half)


@njit(cache=True)
def _pw3(a: Array, lo: int, n: int) -> float:
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    half = n // 2
    half -= half % 8
    return _pw2(a, lo, half) + _pw2(a, lo + half, n - half)


@njit(cache=True)
def _pw4(a: Array, lo: int, n: int) -> float:
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    half = n // 2
    half -= half % 8
    return _pw3(a, lo, half) + _pw3(a, lo + half, n - half)


@njit(cache=True)
def _pw5(a: Array, lo: int, n: int) -> float:
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    half = n // 2
    half -= half % 8
    return _pw4(a, lo, half) + _pw4(a, lo + half, n - half)


@njit(cache=True)
def _pairwise_sum(a: Array, lo: int, n: int) -> float:
    """``numpy.add.reduce`` of ``a[lo:lo + n]`` (contiguous), in numpy's order of additions:
    blocks of at most ``_PW_BLOCKSIZE`` summed with 8 accumulators, a longer run halved (the
    first half a multiple of 8) and the halves' sums added."""
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    half = n // 2
    half -= half % 8
    return _pw5(a, lo, half) + _pw5(a, lo + half, n - half)


@njit(cache=True)
def _estimate_risk(r_h: float, r_i: float, code: int) -> float:
    """:func:`detente.models.smp.steps.estimate_risk` for one pair."""
    if code == 4:
        return r_i
    if code == 3:
        return (r_h + (2.0 * r_i)) / 3.0
    if code == 2:
        return (r_h + r_i) / 2
    if code == 1:
        return ((2.0 * r_h) + r_i) / 3.0
    return r_h


@njit(cache=True)
def _utility(d: float, R: float) -> float:
    """:func:`detente.models.smp.steps.utility` for one value."""
    if d <= 1.0:
        return (1.0 - d) * (1.0 + d * R)
    return (1.0 - d) * (1.0 + R)


def _third_party_sums(
    h: Array,
    i: Array,
    j: Array,
    c_ij: Array,
    c_ji: Array,
    dT: Array,
    r: Array,
    weight: Array,
    diag: Array,
    diag_any: bool,
    adjust: int,
    commit: int,
) -> tuple[Array, Array]:
    """The third parties' votes in ``challenge`` (§2.5 step 2) under proportional voting.

    For each quadruple m, ``pos[m]`` is the sum of the positive votes of the third parties
    for i and ``neg[m]`` that of the negative ones, as
    ``np.sum(np.maximum(vn, 0.0), axis=1)`` and ``np.sum(np.minimum(vn, 0.0), axis=1)``.
    """
    m = len(i)
    n = len(r)
    pos = np.empty(m)
    neg = np.empty(m)
    for row in prange(m):
        hh, ii, jj = h[row], i[row], j[row]
        rh = r[hh]
        cij, cji = c_ij[row], c_ji[row]
        vp = np.empty(n)
        vq = np.empty(n)
        for t in range(n):
            r_hn = _estimate_risk(rh, r[t], adjust)
            uni = _utility(dT[ii, t], r_hn)
            unj = _utility(dT[jj, t], r_hn)
            unn = _utility(diag[t], r_hn) if diag_any else 1.0
            v0 = weight[t] * (uni - unj)
            cni = (v0 if (v0 >= 0.0 or v0 != v0) else 0.0) + cij
            cnj = cji - (v0 if (v0 <= 0.0 or v0 != v0) else 0.0)
            pin = cni / (cni + cnj)
            pjn = 1.0 - pin
            two_i = uni + uni
            two_j = unj + unj
            if commit == 2:
                ik_def_j, j_def_ik = two_i + uni, two_j + unj
                i_def_jk, jk_def_i = two_i + uni, two_j + unj
            elif commit == 1:
                ik_def_j, j_def_ik = two_i + unn, two_j + unj
                i_def_jk, jk_def_i = two_i + uni, two_j + unn
            else:
                ik_def_j, j_def_ik = two_i + unn, two_j + unn
                i_def_jk, jk_def_i = two_i + unn, two_j + unn
            u_ik_j = pin * ik_def_j + pjn * j_def_ik
            u_i_jk = pin * i_def_jk + pjn * jk_def_i
            vn = weight[t] * (u_ik_j - u_i_jk)
            if t == ii or t == jj:  # noqa: SIM109 (plain comparisons for numba)
                vn = 0.0
            vp[t] = vn if (vn >= 0.0 or vn != vn) else 0.0
            vq[t] = vn if (vn <= 0.0 or vn != vn) else 0.0
        pos[row] = _pairwise_sum(vp, 0, n)
        neg[row] = _pairwise_sum(vq, 0, n)
    return pos, neg


@njit(cache=True)
def _l1_row(VT: Array, L1: Array, a: int, buf: Array) -> None:
    """Row a of :func:`_l1_rows`' upper triangle."""
    m, n = VT.shape
    for b in range(a + 1, m):
        for t in range(n):
            buf[t] = abs(VT[b, t] - VT[a, t])
        L1[a, b] = _pairwise_sum(buf, 0, n)


def _l1_rows(VT: Array) -> Array:
    """``L1[a, b] = np.sum(np.abs(VT[b] - VT[a]))`` for b > a (zero elsewhere)."""
    m, n = VT.shape
    L1 = np.zeros((m, m))
    rows = m - 1
    for q in prange((rows + 1) // 2):  # rows q and rows - 1 - q together: balanced work
        buf = np.empty(n)
        _l1_row(VT, L1, q, buf)
        if rows - 1 - q != q:
            _l1_row(VT, L1, rows - 1 - q, buf)
    return L1


# Only the parallel versions are cached: numba's cache is keyed by the Python function, so two
# cached compilations of one function (serial and parallel) would load each other's code.
_third_party_sums_parallel = njit(cache=True, parallel=True)(_third_party_sums)
_l1_rows_parallel = njit(cache=True, parallel=True)(_l1_rows)
_third_party_sums_serial = njit(_third_party_sums)
_l1_rows_serial = njit(_l1_rows)


def _in_main_thread() -> bool:
    """numba's parallel loops only from the main thread: its fallback threading layer
    (``workqueue``, when neither TBB nor OpenMP is present) must not be entered concurrently."""
    return threading.current_thread() is threading.main_thread()


def third_party_sums(
    h: Array,
    i: Array,
    j: Array,
    c_ij: Array,
    c_ji: Array,
    dT: Array,
    r: Array,
    weight: Array,
    diag: Array,
    adjust: str,
    commit: str,
) -> tuple[Array, Array]:
    """The third parties' votes in ``challenge`` (section 2.5 step 2), proportional voting.

    For each quadruple m, ``pos[m]`` and ``neg[m]`` are the sums of the positive and of the
    negative votes of the third parties (every actor but i and j), as
    ``np.sum(np.maximum(vn, 0.0), axis=1)`` and ``np.sum(np.minimum(vn, 0.0), axis=1)``.
    """
    kernel = _third_party_sums_parallel if _in_main_thread() else _third_party_sums_serial
    index = np.dtype(np.int64)
    pos, neg = kernel(
        np.ascontiguousarray(h, dtype=index),
        np.ascontiguousarray(i, dtype=index),
        np.ascontiguousarray(j, dtype=index),
        np.ascontiguousarray(c_ij, dtype=float),
        np.ascontiguousarray(c_ji, dtype=float),
        np.ascontiguousarray(dT, dtype=float),
        np.ascontiguousarray(r, dtype=float),
        np.ascontiguousarray(weight, dtype=float),
        np.ascontiguousarray(diag, dtype=float),
        bool(diag.any()),
        ADJUST_CODES[adjust],
        COMMIT_CODES[commit],
    )
    return pos, neg


def l1_rows(VT: Array) -> Array:
    """``L1[a, b] = np.sum(np.abs(VT[b] - VT[a]))`` for b > a, zero elsewhere."""
    kernel = _l1_rows_parallel if _in_main_thread() else _l1_rows_serial
    return np.asarray(kernel(np.ascontiguousarray(VT, dtype=float)))
