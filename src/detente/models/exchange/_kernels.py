"""Compiled (numba) kernel of the exchange model's execution loop (§3.6), exact to the numpy
path in :mod:`detente.models.exchange.rounds`.

The numpy path spends most of its time on small array operations: every made exchange
computes a few hundred candidates again. This kernel runs the same loop in compiled code:
DECIDE's list kept as the same heap of ``(-gain, place, id, version)``, the candidates computed
again with the numpy path's expressions operation for operation (no fastmath, no
reassociation), the same bookkeeping of what each demander's exchanges know of (X8, X9). Its
results are bit for bit those of the numpy path (a test compares them), so a run does not
depend on whether numba is installed. Random tie-breaking (``ties="random"``) draws from a
numpy Generator and stays on the numpy path.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["execute"]

Array = np.ndarray

# Rows of the state arrays (``rounds._FLOATS`` and ``rounds._FLAGS``).
CUR_I, CUR_J, FSUM_I, FMIN_I, FMAX_I, FSUM_J, FMIN_J, FMAX_J = 0, 1, 2, 3, 4, 5, 6, 7
LAST_I, LAST_J, Y_I, Y_J, GAIN, O0_I, O1_I, O0_J, O1_J, COMPUTED_AFTER = range(8, 18)
VALID, CAPPED_I, CAPPED_J, EVER_I, EVER_J = 0, 1, 2, 3, 4

_NO_MOVE = 1e-10
_AT = 1e-9


@njit(cache=True, inline="always")
def _ok(move: float, current: float, fsum: float, fmin: float, fmax: float) -> bool:
    size = abs(move)
    new = current + move
    bad = size > 100 or size <= _NO_MOVE or new < 0 or new > 100 or fsum + move > 100
    one_way = (move < 0 and fmax < 0) or (move > 0 and fmin > 0)
    return (not bad) and one_way


@njit(cache=True, inline="always")
def _passes(z: float, before: float, after: float) -> bool:
    if abs(z - before) <= _AT:
        before = z
    if abs(z - after) <= _AT:
        after = z
    return (not (z - before >= 0 and z - after >= 0)) and (not (z - before <= 0 and z - after <= 0))


@njit(cache=True)
def _calc(
    c_i: float, c_j: float, xIp: float, xJq: float, xIq: float, xJp: float, sIp: float,
    sIq: float, sJp: float, sJq: float, wIq: float, wJp: float, WP: float, WQ: float,
    fsum_i: float, fmin_i: float, fmax_i: float, fsum_j: float, fmin_j: float, fmax_j: float,
    known_i: float, own_i: float, w_own_i: float, known_j: float, own_j: float, w_own_j: float,
    cap_on: bool, min_gain: float,
) -> tuple[float, float, float, float, float, float, float, bool, bool, bool, bool]:  # fmt: skip
    """``rounds._calculate`` for one candidate, on scalars (a call that passes arrays costs
    more than the arithmetic): its moves, gain, outcomes, validity, caps and whether it passed
    its checks before the caps.

    ``known_*`` is the sum of ``w x`` with the shifts the side knows of, ``own_*`` the
    supplier's own record among them (NaN: none) and ``w_own_*`` that record's weight times
    its shift (0 without one)."""
    full_j = abs(xIp - c_j)
    full_i = abs(xJq - c_i)
    dp = full_j * wJp / WP
    dq = (sJp + sIp) / (sJq + sIq) * dp
    mi = dq * WQ / wIq
    mj = full_j
    if abs(mi) > full_i:
        dq = full_i * wIq / WQ
        dp = (sIq + sJq) / (sIp + sJp) * dq
        mi = full_i
        mj = dp * WP / wJp
    if c_i > xJq:
        mi = -mi
    if c_j > xIp:
        mj = -mj
    gain = abs(dq * sIq - dp * sIp)
    checked = (
        _ok(mi, c_i, fsum_i, fmin_i, fmax_i)
        and _ok(mj, c_j, fsum_j, fmin_j, fmax_j)
        and gain >= min_gain
    )
    rest_i = known_i - w_own_i
    o0_i = (rest_i + wIq * (c_i - xIq)) / WQ
    o1_i = (rest_i + wIq * (c_i + mi - xIq)) / WQ
    capped_i = checked and _passes(xJq, o0_i, o1_i) and cap_on
    if capped_i:
        mine = wIq * (c_i - xIq) if np.isnan(own_i) else 0.0
        delta = abs((xJq * WQ - (known_i + mine)) / wIq)
        d_q = delta * wIq / WQ
        d_p = (sIq + sJq) / (sIp + sJp) * d_q
        m_j = abs(d_p * WP / wJp)
        mj = -m_j if c_j > xIp else m_j
        mi = -delta if c_i > xJq else delta
        gain = abs(d_p * sJp - d_q * sJq)
        o1_i = (rest_i + wIq * (c_i + mi - xIq)) / WQ
    rest_j = known_j - w_own_j
    o0_j = (rest_j + wJp * (c_j - xJp)) / WP
    o1_j = (rest_j + wJp * (c_j + mj - xJp)) / WP
    capped_j = checked and _passes(xIp, o0_j, o1_j) and cap_on
    if capped_j:
        mine = wJp * (c_j - xJp) if np.isnan(own_j) else 0.0
        delta = abs((xIp * WP - (known_j + mine)) / wJp)
        d_p = delta * wJp / WP
        d_q = (sJp + sIp) / (sJq + sIq) * d_p
        m_i = abs(d_q * WQ / wIq)
        mi = -m_i if c_i > xJq else m_i
        mj = -delta if c_j > xIp else delta
        gain = abs(d_q * sIq - d_p * sIp)
        o1_j = (rest_j + wJp * (c_j + mj - xJp)) / WP
    valid = checked
    if capped_i or capped_j:
        valid = _ok(mi, c_i, fsum_i, fmin_i, fmax_i) and _ok(mj, c_j, fsum_j, fmin_j, fmax_j)
    return mi, mj, gain, o0_i, o1_i, o0_j, o1_j, valid, capped_i, capped_j, checked


@njit(cache=True, inline="always")
def _rounded(gain: float, digits: int) -> float:
    """``rounds._rounded`` (numpy's ``round``: multiply, round half to even, divide)."""
    if digits < 0:
        return gain
    f = 10.0**digits
    rounded: float = np.rint(gain * f) / f
    return rounded


@njit(cache=True)
def _index(keys: Array, ids: Array) -> tuple[Array, Array]:
    order = np.argsort(keys)
    return keys[order], ids[order]


@njit(cache=True)
def _indexes(
    ci: Array, cj: Array, cp: Array, cq: Array, k: int, alive: Array, local: bool
) -> tuple[Array, Array, Array, Array, Array, Array]:
    live = np.flatnonzero(alive)
    ids = np.concatenate((live, live))
    sk, si = _index(np.concatenate((ci[live] * k + cq[live], cj[live] * k + cp[live])), ids)
    dk, di = _index(np.concatenate((ci[live] * k + cp[live], cj[live] * k + cq[live])), ids)
    if local:
        ik, ii = sk[:0], si[:0]
    else:
        ik, ii = _index(np.concatenate((cp[live], cq[live])), ids)
    return sk, si, dk, di, ik, ii


# --- DECIDE's list as a binary heap over arrays: entries (-gain, place, id, version) -------------


@njit(cache=True)
def _down(hk: Array, hp: Array, hr: Array, hv: Array, size: int, at: int) -> None:
    """Sift entry ``at`` down (entries compare by ``(hk, hp)``; written out in one loop, as
    helper calls per level cost more than the comparisons)."""
    while True:
        least, left = at, 2 * at + 1
        right = left + 1
        if left < size and (
            hk[left] < hk[least] or (hk[left] == hk[least] and hp[left] < hp[least])
        ):
            least = left
        if right < size and (
            hk[right] < hk[least] or (hk[right] == hk[least] and hp[right] < hp[least])
        ):
            least = right
        if least == at:
            return
        hk[at], hk[least] = hk[least], hk[at]
        hp[at], hp[least] = hp[least], hp[at]
        hr[at], hr[least] = hr[least], hr[at]
        hv[at], hv[least] = hv[least], hv[at]
        at = least


@njit(cache=True)
def _up(hk: Array, hp: Array, hr: Array, hv: Array, at: int) -> None:
    """Sift entry ``at`` up."""
    while at > 0:
        parent = (at - 1) // 2
        if not (hk[at] < hk[parent] or (hk[at] == hk[parent] and hp[at] < hp[parent])):
            return
        hk[at], hk[parent] = hk[parent], hk[at]
        hp[at], hp[parent] = hp[parent], hp[at]
        hr[at], hr[parent] = hr[parent], hr[at]
        hv[at], hv[parent] = hv[parent], hv[at]
        at = parent


@njit(cache=True)
def _heap(
    key: Array, place: Array, version: Array, alive: Array, capacity: int
) -> tuple[Array, Array, Array, Array, int]:
    live = np.flatnonzero(alive)
    size = live.shape[0]
    capacity = max(capacity, size, 16)
    hk, hp = np.empty(capacity), np.empty(capacity, dtype=np.int64)
    hr, hv = np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.int64)
    for t in range(size):
        r = live[t]
        hk[t], hp[t], hr[t], hv[t] = -key[r], place[r], r, version[r]
    for at in range(size // 2 - 1, -1, -1):
        _down(hk, hp, hr, hv, size, at)
    return hk, hp, hr, hv, size


@njit(cache=True)
def _list_order(rows: Array, key: Array, place: Array) -> Array:
    """``rows`` in the order of DECIDE's list: by gain, highest first, then by place."""
    by_place = rows[np.argsort(place[rows], kind="mergesort")]
    return by_place[np.argsort(-key[by_place], kind="mergesort")]


@njit(cache=True)
def _grow(a: Array, n: int) -> Array:
    """``a``, or a copy twice as long (first axis) when it has no room for row ``n``."""
    if n < a.shape[0]:
        return a
    bigger = np.empty((2 * a.shape[0], *a.shape[1:]), dtype=a.dtype)
    bigger[: a.shape[0]] = a
    return bigger


@njit(cache=True)
def execute(
    ci: Array, cj: Array, cp: Array, cq: Array, fixed: Array, F: Array, B: Array,
    x: Array, w: Array, base: Array, records: Array, shifted: Array, latest: Array,
    moved: Array, local: bool, nearer: bool, cap_on: bool, min_gain: float, digits: int,
) -> tuple[Array, Array, Array, int, Array, Array, Array, Array, int]:  # fmt: skip
    """``rounds._execute`` with list-order ties: the made exchanges (ids, and their state
    when made), and the dropped ones (ids, after which exchange, and their last state).

    ``F``, ``B`` and ``fixed`` are the transposes of the numpy path's state and fixed inputs
    (one row per candidate, so that computing one touches a few cache lines); ``F`` and
    ``B`` are updated in place."""
    m = ci.shape[0]
    k = x.shape[1]
    alive = B[:, VALID].copy()
    key = np.empty(m)
    for t in range(m):
        key[t] = _rounded(F[t, GAIN], digits)
    place = np.arange(m)
    version = np.zeros(m, dtype=np.int64)
    hk, hp, hr, hv, size = _heap(key, place, version, alive, 2 * m)
    stale = 0
    front, back = -1, m
    sk, si, dk, di, ik, ii = _indexes(ci, cj, cp, cq, k, alive, local)
    stamp = np.zeros(m, dtype=np.int64)
    new = np.empty(m)  # the new rounded gains of the candidates computed again
    buf = np.empty(m, dtype=np.int64)  # the candidates an exchange touches
    n_exec, n_drop = 0, 0
    exec_ids = np.empty(16, dtype=np.int64)
    exec_F = np.empty((16, F.shape[1]))
    exec_B = np.empty((16, B.shape[1]), dtype=np.bool_)
    drop_ids = np.empty(16, dtype=np.int64)
    drop_after = np.empty(16, dtype=np.int64)
    drop_F = np.empty((16, F.shape[1]))
    drop_B = np.empty((16, B.shape[1]), dtype=np.bool_)
    while size > 0:
        e = -1
        while size > 0:
            r, v = hr[0], hv[0]
            size -= 1
            if size > 0:
                hk[0], hp[0], hr[0], hv[0] = hk[size], hp[size], hr[size], hv[size]
                _down(hk, hp, hr, hv, size, 0)
            if alive[r] and version[r] == v:
                e = r
                break
            stale -= 1
        if e < 0:
            break
        alive[e] = False
        if n_exec == exec_ids.shape[0]:
            exec_ids, exec_F, exec_B = (
                _grow(exec_ids, n_exec),
                _grow(exec_F, n_exec),
                _grow(exec_B, n_exec),
            )
        exec_ids[n_exec] = e
        exec_F[n_exec] = F[e]
        exec_B[n_exec] = B[e]
        n_exec += 1
        order = n_exec
        Ie, Je, Pe, Qe = ci[e], cj[e], cp[e], cq[e]
        y_i, y_j = F[e, Y_I], F[e, Y_J]
        # what the demanders' other exchanges now know of (X8, X9): rounds._Context.record,
        # written out (a call that passes arrays costs more than the work)
        for side in range(2):
            if side == 0:
                dem, issue, sup, y = Je, Qe, Ie, y_i
            else:
                dem, issue, sup, y = Ie, Pe, Je, y_j
            xs, ws = x[sup, issue], w[sup, issue]
            if local:
                old = records[dem, issue, sup]
                new_y = y
                if not np.isnan(old) and nearer:
                    new_y = min(old, y) if xs <= old else max(old, y)
                shifted[dem, issue] += ws * ((new_y - xs) - (0.0 if np.isnan(old) else old - xs))
                records[dem, issue, sup] = new_y
            else:
                old = latest[issue, sup]
                moved[issue] += ws * ((y - xs) - (0.0 if np.isnan(old) else old - xs))
                latest[issue, sup] = y
        s0, s1 = Ie * k + Qe, Je * k + Pe
        d0, d1 = Je * k + Qe, Ie * k + Pe
        # every live candidate that shares a supplied or demanded actor-issue, once
        count = 0
        for q in range(4 if local else 6):
            if q < 2:
                keys, ids, wanted = sk, si, (s0 if q == 0 else s1)
            elif q < 4:
                keys, ids, wanted = dk, di, (d0 if q == 2 else d1)
            else:
                keys, ids, wanted = ik, ii, (Pe if q == 4 else Qe)
            lo = np.searchsorted(keys, wanted, side="left")
            hi = np.searchsorted(keys, wanted, side="right")
            for t in range(lo, hi):
                r = ids[t]
                if alive[r] and stamp[r] != order:
                    stamp[r] = order
                    buf[count] = r
                    count += 1
        rows = buf[:count].copy()
        rows.sort()
        for r in rows:
            key_i = ci[r] * k + cq[r]
            key_j = cj[r] * k + cp[r]
            shared_i, shared_j = True, True
            if key_i == s0:
                F[r, CUR_I] = y_i
            elif key_i == s1:
                F[r, CUR_I] = y_j
            else:
                shared_i = False
            if key_j == s0:
                F[r, CUR_J] = y_i
            elif key_j == s1:
                F[r, CUR_J] = y_j
            else:
                shared_j = False
            if shared_i:
                last = F[r, LAST_I]
                F[r, FSUM_I] += last
                F[r, FMIN_I] = min(F[r, FMIN_I], last)
                F[r, FMAX_I] = max(F[r, FMAX_I], last)
            if shared_j:
                last = F[r, LAST_J]
                F[r, FSUM_J] += last
                F[r, FMIN_J] = min(F[r, FMIN_J], last)
                F[r, FMAX_J] = max(F[r, FMAX_J], last)
            I, J, P, Q = ci[r], cj[r], cp[r], cq[r]  # noqa: E741
            # what each side knows of the shifts made (X8): rounds._Context.rest
            if local:
                known_i, own_i = base[Q] + shifted[J, Q], records[J, Q, I]
                known_j, own_j = base[P] + shifted[I, P], records[I, P, J]
            else:
                known_i, own_i = base[Q] + moved[Q], latest[Q, I]
                known_j, own_j = base[P] + moved[P], latest[P, J]
            w_own_i = 0.0 if np.isnan(own_i) else w[I, Q] * (own_i - x[I, Q])
            w_own_j = 0.0 if np.isnan(own_j) else w[J, P] * (own_j - x[J, P])
            c_i, c_j = F[r, CUR_I], F[r, CUR_J]
            mi, mj, gain, o0_i, o1_i, o0_j, o1_j, valid, capped_i, capped_j, checked = _calc(
                c_i, c_j, fixed[r, 0], fixed[r, 1], fixed[r, 2], fixed[r, 3], fixed[r, 4],
                fixed[r, 5], fixed[r, 6], fixed[r, 7], fixed[r, 8], fixed[r, 9], fixed[r, 10],
                fixed[r, 11], F[r, FSUM_I], F[r, FMIN_I], F[r, FMAX_I], F[r, FSUM_J],
                F[r, FMIN_J], F[r, FMAX_J], known_i, own_i, w_own_i, known_j, own_j, w_own_j,
                cap_on, min_gain,
            )  # fmt: skip
            F[r, LAST_I], F[r, LAST_J] = mi, mj
            F[r, Y_I], F[r, Y_J] = c_i + mi, c_j + mj
            F[r, GAIN] = gain
            if checked:  # a failed one keeps its last valid outcomes (DECIDE)
                F[r, O0_I], F[r, O1_I], F[r, O0_J], F[r, O1_J] = o0_i, o1_i, o0_j, o1_j
            B[r, VALID] = valid
            B[r, CAPPED_I], B[r, CAPPED_J] = capped_i, capped_j
            B[r, EVER_I] = B[r, EVER_I] or capped_i
            B[r, EVER_J] = B[r, EVER_J] or capped_j
            F[r, COMPUTED_AFTER] = order
        n_gone = 0
        for r in rows:
            if not B[r, VALID]:
                n_gone += 1
        if n_gone:
            gone = np.empty(n_gone, dtype=np.int64)
            t = 0
            for r in rows:
                if not B[r, VALID]:
                    gone[t] = r
                    t += 1
            gone = _list_order(gone, key, place)
            while n_drop + n_gone > drop_ids.shape[0]:
                drop_ids = _grow(drop_ids, drop_ids.shape[0])
                drop_after = _grow(drop_after, drop_after.shape[0])
                drop_F = _grow(drop_F, drop_F.shape[0])
                drop_B = _grow(drop_B, drop_B.shape[0])
            for r in gone:
                drop_ids[n_drop] = r
                drop_after[n_drop] = order
                drop_F[n_drop] = F[r]
                drop_B[n_drop] = B[r]
                n_drop += 1
                alive[r] = False
            stale += n_gone
        n_moved = 0
        for r in rows:
            if B[r, VALID] and _rounded(F[r, GAIN], digits) != key[r]:
                n_moved += 1
        if n_moved:
            moved_rows = np.empty(n_moved, dtype=np.int64)
            t = 0
            for r in rows:
                g = _rounded(F[r, GAIN], digits)
                if B[r, VALID] and g != key[r]:
                    moved_rows[t] = r
                    new[r] = g
                    t += 1
            moved_rows = _list_order(moved_rows, key, place)
            fell = 0
            for r in moved_rows:
                if key[r] > new[r]:
                    fell += 1
            t = 0
            for r in moved_rows:
                if key[r] > new[r]:
                    place[r] = front - fell + 1 + t
                    t += 1
            front -= fell
            for r in moved_rows:
                if not key[r] > new[r]:
                    place[r] = back
                    back += 1
            if size + n_moved > hk.shape[0]:
                hk, hp, hr, hv, size = _heap(key, place, version, alive, 2 * (size + n_moved))
                stale = 0
            for r in moved_rows:
                key[r] = new[r]
                version[r] += 1
                hk[size], hp[size], hr[size], hv[size] = -key[r], place[r], r, version[r]
                _up(hk, hp, hr, hv, size)
                size += 1
            stale += n_moved
        if stale > 1000 and 2 * stale > size:  # (the indexes keep dead rows: cheap here)
            hk, hp, hr, hv, size = _heap(key, place, version, alive, hk.shape[0])
            stale = 0
    return (
        exec_ids[:n_exec], exec_F[:n_exec].T, exec_B[:n_exec].T, n_exec,
        drop_ids[:n_drop], drop_after[:n_drop], drop_F[:n_drop].T, drop_B[:n_drop].T, n_drop,
    )  # fmt: skip
