"""Compiled (numba) kernels for the SMP's hot loops, exact to the numpy path they replace.

Each kernel repeats the numpy expressions it replaces operation for operation (no fastmath, no
reassociation), and sums with numpy's own pairwise summation (``pairwise_sum`` in numpy's
``loops_utils.h``), so its results are bit-for-bit those of the numpy code: the SMP's
trajectories, and KTAB's near-tie breaks, do not depend on which path ran.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from numba import njit, prange

__all__ = [
    "ADJUST_CODES",
    "BARGAIN_MAX_ISSUES",
    "COMMIT_CODES",
    "bargain_utilities",
    "greedy_unique",
    "l1_rows",
    "pairwise_plan",
    "positive_gaps",
    "third_party_sums",
]

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


@njit(cache=True)
def _third_party_row(
    row: int,
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
    vp: Array,
    vq: Array,
) -> tuple[float, float]:
    """Quadruple ``row`` of :func:`_third_party_sums`: its positive and negative sums."""
    n = len(r)
    hh, ii, jj = h[row], i[row], j[row]
    rh = r[hh]
    cij, cji = c_ij[row], c_ji[row]
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
    return _pairwise_sum(vp, 0, n), _pairwise_sum(vq, 0, n)


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
        vp = np.empty(n)
        vq = np.empty(n)
        pos[row], neg[row] = _third_party_row(
            row, h, i, j, c_ij, c_ji, dT, r, weight, diag, diag_any, adjust, commit, vp, vq
        )
    return pos, neg


@njit(cache=True)
def _third_party_sums_serial(
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
    """:func:`_third_party_sums` on one thread (its own function: numba caches by function)."""
    m = len(i)
    n = len(r)
    pos = np.empty(m)
    neg = np.empty(m)
    vp = np.empty(n)
    vq = np.empty(n)
    for row in range(m):
        pos[row], neg[row] = _third_party_row(
            row, h, i, j, c_ij, c_ji, dT, r, weight, diag, diag_any, adjust, commit, vp, vq
        )
    return pos, neg


def pairwise_plan(n: int) -> tuple[Array, Array, Array, int]:
    """numpy's pairwise summation tree for ``n`` values, as a postfix program.

    Returns the leaves' starts and lengths (blocks of at most ``_PW_BLOCKSIZE`` values, summed
    as :func:`_block_sum` does), the program (``k >= 0``: push leaf k's sum; ``-1``: replace the
    two top sums by left + right) and the deepest stack it needs. Summing the leaves and then
    running the program adds in numpy's order, so gives numpy's bits.
    """
    starts: list[int] = []
    lengths: list[int] = []
    program: list[int] = []

    def walk(lo: int, length: int) -> None:
        if length <= _PW_BLOCKSIZE:
            program.append(len(starts))
            starts.append(lo)
            lengths.append(length)
            return
        half = length // 2
        half -= half % 8
        walk(lo, half)
        walk(lo + half, length - half)
        program.append(-1)

    walk(0, n)
    depth = top = 0
    for op in program:
        top += 1 if op >= 0 else -1
        depth = max(depth, top)
    as_int = np.dtype(np.int64)
    return (
        np.array(starts, dtype=as_int),
        np.array(lengths, dtype=as_int),
        np.array(program, dtype=as_int),
        depth,
    )


#: Columns per pass of :func:`_l1_leaf`: the running sums of a block of rows stay in cache.
_L1_COLUMNS = 128
#: Rows a per pass of :func:`_l1_leaf`: each value of U read serves this many rows, instead of
#: U being streamed from memory once per row (at 1,000 options U is 8 MB, larger than the
#: caches; the sums were bound by that traffic: 2-3x faster blocked).
_L1_ROWS = 8


@njit(cache=True)
def _l1_leaf(U: Array, a0: int, na: int, b0: int, lo: int, n: int, acc: Array, out: Array) -> None:
    """``out[x, b - b0] = sum_t |U[t, b] - U[t, a0 + x]|`` over ``t`` in ``lo .. lo + n`` for
    the rows ``x < na`` and every ``b >= b0`` at once, each (a, b) summed as :func:`_block_sum`
    sums one block: eight running sums, then the rest one by one. The loops over b are
    independent, so they vectorise without reordering any b's additions (views that start
    where the loop does and loops from 0: numba's code for them vectorises, unlike loops from
    an offset); the loops over rows share each loaded row of U."""
    m = U.shape[1]
    for c0 in range(b0, m, _L1_COLUMNS):
        c1 = min(m, c0 + _L1_COLUMNS)
        width = c1 - c0
        if n < 8:
            for x in range(na):
                res = out[x, c0 - b0 : c1 - b0]
                for b in range(width):
                    res[b] = 0.0
            for t in range(lo, lo + n):
                row = U[t, c0:c1]
                for x in range(na):
                    res = out[x, c0 - b0 : c1 - b0]
                    ua = U[t, a0 + x]
                    for b in range(width):
                        res[b] += abs(row[b] - ua)
            continue
        for k in range(8):
            row = U[lo + k, c0:c1]
            for x in range(na):
                ua = U[lo + k, a0 + x]
                ak = acc[x, k]
                for b in range(width):
                    ak[b] = abs(row[b] - ua)
        t = 8
        stop = n - (n % 8)
        while t < stop:
            for k in range(8):
                row = U[lo + t + k, c0:c1]
                for x in range(na):
                    ua = U[lo + t + k, a0 + x]
                    ak = acc[x, k]
                    for b in range(width):
                        ak[b] += abs(row[b] - ua)
            t += 8
        for x in range(na):
            res = out[x, c0 - b0 : c1 - b0]
            a0_, a1_, a2_, a3_ = acc[x, 0], acc[x, 1], acc[x, 2], acc[x, 3]
            a4_, a5_, a6_, a7_ = acc[x, 4], acc[x, 5], acc[x, 6], acc[x, 7]
            for b in range(width):
                res[b] = ((a0_[b] + a1_[b]) + (a2_[b] + a3_[b])) + (
                    (a4_[b] + a5_[b]) + (a6_[b] + a7_[b])
                )
        while t < n:
            row = U[lo + t, c0:c1]
            for x in range(na):
                res = out[x, c0 - b0 : c1 - b0]
                ua = U[lo + t, a0 + x]
                for b in range(width):
                    res[b] += abs(row[b] - ua)
            t += 1


@njit(cache=True)
def _l1_block(
    U: Array,
    L1: Array,
    a0: int,
    na: int,
    starts: Array,
    lengths: Array,
    program: Array,
    acc: Array,
    stack: Array,
) -> None:
    """Rows ``a0 .. a0 + na`` of :func:`_l1_rows`' upper triangle, by the plan: every b from
    ``a0 + 1`` on is summed for each row (the few b <= a of the block are dropped)."""
    b0 = a0 + 1
    m = U.shape[1]
    width = m - b0
    top = -1
    for op in program:
        if op >= 0:
            top += 1
            _l1_leaf(U, a0, na, b0, starts[op], lengths[op], acc, stack[top])
        else:
            for x in range(na):
                left, right = stack[top - 1, x], stack[top, x]
                for b in range(width):
                    left[b] = left[b] + right[b]
            top -= 1
    for x in range(na):
        a = a0 + x
        row = L1[a, a + 1 :]
        result = stack[0, x, a - a0 :]
        for b in range(m - 1 - a):
            row[b] = result[b]


def _l1_rows(U: Array, starts: Array, lengths: Array, program: Array, depth: int) -> Array:
    """``L1[a, b] = np.sum(np.abs(U[:, b] - U[:, a]))`` for b > a (zero elsewhere); ``U`` is
    (values, columns), so each row's sums run down contiguous rows of U."""
    m = U.shape[1]
    L1 = np.zeros((m, m))
    rows = m - 1
    blocks = (rows + _L1_ROWS - 1) // _L1_ROWS
    for q in prange((blocks + 1) // 2):  # blocks q and blocks - 1 - q together: balanced work
        acc = np.empty((_L1_ROWS, 8, _L1_COLUMNS))
        stack = np.empty((max(1, depth), _L1_ROWS, m))
        a0 = q * _L1_ROWS
        _l1_block(U, L1, a0, min(_L1_ROWS, rows - a0), starts, lengths, program, acc, stack)
        last = blocks - 1 - q
        if last != q:
            a0 = last * _L1_ROWS
            _l1_block(U, L1, a0, min(_L1_ROWS, rows - a0), starts, lengths, program, acc, stack)
    return L1


@njit(cache=True)
def _l1_rows_serial(U: Array, starts: Array, lengths: Array, program: Array, depth: int) -> Array:
    """:func:`_l1_rows` on one thread (its own function: numba caches by function)."""
    m = U.shape[1]
    L1 = np.zeros((m, m))
    acc = np.empty((_L1_ROWS, 8, _L1_COLUMNS))
    stack = np.empty((max(1, depth), _L1_ROWS, m))
    for a0 in range(0, m - 1, _L1_ROWS):
        _l1_block(U, L1, a0, min(_L1_ROWS, m - 1 - a0), starts, lengths, program, acc, stack)
    return L1


@njit(cache=True)
def _positive_gaps(u: Array, lo: int, hi: int) -> Array:
    """``out[v, g, a, b] = max(u[g, lo + v, a] - u[g, lo + v, b], 0)``, C-ordered."""
    batch, _, m = u.shape
    out = np.empty((hi - lo, batch, m, m))
    for v in range(hi - lo):
        for g in range(batch):
            row = u[g, lo + v]
            for a in range(m):
                ua = row[a]
                gaps = out[v, g, a]
                for b in range(m):
                    x = ua - row[b]
                    gaps[b] = x if (x > 0.0 or x != x) else 0.0  # np.maximum(x, 0.0)
    return out


def positive_gaps(u: Array, lo: int, hi: int) -> Array:
    """The voters ``lo .. hi`` of ``np.maximum(u[..., :, None] - u[..., None, :], 0.0)`` with
    the voter axis first, as the C-ordered matrix (voters, everything else) that
    :func:`detente.models.smp.pce.coalitions` weights by the voters' capabilities: one pass
    that writes it, instead of numpy's difference, maximum and reordering copy.

    ``u`` is (..., voters, options); the result (hi - lo, prod(...) * options ** 2).
    """
    n, m = u.shape[-2:]
    flat = np.ascontiguousarray(u, dtype=float).reshape(-1, n, m)
    return np.asarray(_positive_gaps(flat, lo, hi)).reshape(hi - lo, -1)


@njit(cache=True)
def _point_utility(x: Array, y: Array, s: Array, s2: float, R: float) -> float:
    """:func:`detente.models.smp.steps.utility` of ``point_distances(x, y, s)`` (one pair)."""
    total = 0.0
    for d in range(len(x)):
        diff = (x[d] - y[d]) * s[d]
        total += diff * diff
    dist = np.sqrt(total / (s2 if s2 > 0 else 1.0)) if s2 > 0 else 0.0
    return _utility(dist, R)


@njit(cache=True)
def _bargain_utilities(
    own: Array,
    positions: Array,
    saliences: Array,
    r: Array,
    initiator: Array,
    receiver: Array,
    pos_init: Array,
    pos_rcvr: Array,
    row_sum: Array,
) -> Array:
    n, k = positions.shape
    nb = len(initiator)
    out = np.empty((n, nb))
    for m in range(n):
        x, s, R = positions[m], saliences[m], r[m]
        s2 = 0.0
        for d in range(k):
            s2 += s[d] * s[d]
        for b in range(nb):
            ua = _point_utility(x, pos_init[b], s, s2, R)
            ub = _point_utility(x, pos_rcvr[b], s, s2, R)
            rest = row_sum[m] - own[m, initiator[b]] - own[m, receiver[b]]
            out[m, b] = (ua + ub + rest) / n
    return out


#: Issues up to which :func:`bargain_utilities` repeats numpy's sums over issues (below 8,
#: numpy adds them one by one, as the kernel does; from 8 on it adds in blocks).
BARGAIN_MAX_ISSUES = 7


def bargain_utilities(
    own: Array,
    positions: Array,
    saliences: Array,
    r: Array,
    initiator: Array,
    receiver: Array,
    pos_init: Array,
    pos_rcvr: Array,
    row_sum: Array,
) -> Array:
    """:func:`detente.models.smp.steps.bargain_utilities` in one pass, for at most
    :data:`BARGAIN_MAX_ISSUES` issues (the caller checks); ``row_sum`` is ``own``'s row sums."""
    index = np.dtype(np.int64)
    return np.asarray(
        _bargain_utilities(
            np.ascontiguousarray(own, dtype=float),
            np.ascontiguousarray(positions, dtype=float),
            np.ascontiguousarray(saliences, dtype=float),
            np.ascontiguousarray(r, dtype=float),
            np.ascontiguousarray(initiator, dtype=index),
            np.ascontiguousarray(receiver, dtype=index),
            np.ascontiguousarray(pos_init, dtype=float),
            np.ascontiguousarray(pos_rcvr, dtype=float),
            np.ascontiguousarray(row_sum, dtype=float),
        )
    )


@njit(cache=True)
def _greedy_unique(same: Array) -> Array:
    n = same.shape[0]
    found = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        new = True
        for u in range(count):
            if same[i, found[u]]:
                new = False
                break
        if new:
            found[count] = i
            count += 1
    return found[:count].copy()


def greedy_unique(same: Array) -> Array:
    """KTAB's greedy unique positions (``ueIndices``): each actor, in order, that is not
    ``same`` as one found before it (the loop of ``steps.unique_positions``)."""
    return np.asarray(_greedy_unique(np.ascontiguousarray(same, dtype=np.bool_)))


# numba's cache is keyed by the Python function: the one-thread versions are functions of their
# own (above), sharing the per-row code, so that both are cached.
_third_party_sums_parallel = njit(cache=True, parallel=True)(_third_party_sums)
_l1_rows_parallel = njit(cache=True, parallel=True)(_l1_rows)

#: Below this much work (element operations) a kernel runs on one thread: a parallel region
#: that short costs more in waking and waiting threads than it saves (KTAB-sized inputs stay
#: on one thread throughout, so busy cores elsewhere cannot stall them).
PARALLEL_MIN_WORK = 1 << 22


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
    parallel = _in_main_thread() and len(i) * len(r) >= PARALLEL_MIN_WORK
    kernel = _third_party_sums_parallel if parallel else _third_party_sums_serial
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
    m, n = np.shape(VT)
    parallel = _in_main_thread() and m * m * n // 2 >= PARALLEL_MIN_WORK
    kernel = _l1_rows_parallel if parallel else _l1_rows_serial
    U = np.ascontiguousarray(np.asarray(VT, dtype=float).T)
    starts, lengths, program, depth = _plan(U.shape[0])
    return np.asarray(kernel(U, starts, lengths, program, depth))


@functools.cache
def _plan(n: int) -> tuple[Array, Array, Array, int]:
    return pairwise_plan(n)
