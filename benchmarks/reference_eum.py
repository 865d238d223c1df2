"""A deliberately plain, loop-based reading of the expected utility model.

Written straight from ``shared/reference/eum-spec.md`` with Python lists and triple loops, for
two uses: the speed-up baseline of ``make bench``, and an independent cross-check of the
vectorised model in the tests. It covers the ``scholz-code`` and ``paper-literal`` readings at
any Q (T by the "nearer" rule), and nothing else. It is not part of the package.
"""

from __future__ import annotations


def weighted_median(x: list[float], w: list[float]) -> float:
    order = sorted(range(len(x)), key=lambda i: x[i])
    half = 0.5 * sum(w)
    total = 0.0
    for i in order:
        total += w[i]
        if total >= half * (1 - 1e-12):
            return x[i]
    return x[order[-1]]


def probabilities(
    x: list[float], w: list[float], span: float, r: list[float], global_norm: bool
) -> list[list[float]]:
    n = len(x)

    def u(k: int, y: float) -> float:
        return (abs(x[k] - y) / span) ** r[k]

    top = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            for k in range(n):
                top[i][j] += w[k] * max(0.0, u(k, x[j]) - u(k, x[i]))
    if global_norm:
        total = 0.0
        for k in range(n):
            for a in range(n):
                for b in range(n):
                    total += abs(w[k] * (u(k, x[b]) - u(k, x[a])))
    P = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            bottom = total if global_norm else top[i][j] + top[j][i]
            P[i][j] = top[i][j] / bottom if bottom > 0 and x[i] != x[j] else 0.0
    return P


def expected_utility(
    a: int,
    b: int,
    x: list[float],
    s: list[float],
    P: list[list[float]],
    span: float,
    r: float,
    Q: float,
    mu: float,
) -> float:
    """a challenging b, at exponent r, target salience s_b (eqs. 5-7, 15-24)."""
    if x[a] == x[b]:
        return 0.0
    d = abs(x[a] - x[b]) / span
    us = 2 - 4 * (0.5 - 0.5 * d) ** r
    uf = 2 - 4 * (0.5 + 0.5 * d) ** r
    usq = 2 - 4 * 0.5**r
    challenge = s[b] * (P[a][b] * us + (1 - P[a][b]) * uf) + (1 - s[b]) * us
    m = (abs(x[a] - mu) + abs(x[a] - x[b])) / span
    ub = 2 - 4 * (0.5 - 0.25 * m) ** r
    uw = 2 - 4 * (0.5 + 0.25 * m) ** r
    T = 1.0 if abs(x[a] - mu) < abs(x[a] - x[b]) else 0.0
    return challenge - (Q * usq + (1 - Q) * (T * ub + (1 - T) * uw))


def run(
    c: list[float], x: list[float], s: list[float], *, preset: str, rounds: int, Q: float = 1.0
) -> list[list[float]]:
    """Positions after each round (round 0 first)."""
    scholz = preset == "scholz-code"
    n = len(x)
    x = list(x)
    w = [c[i] * s[i] for i in range(n)]
    span = (max(x) - min(x)) or 1.0
    history = [list(x)]
    for _ in range(rounds):
        mu = weighted_median(x, w)
        ones = [1.0] * n
        P1 = probabilities(x, w, span, ones, scholz)
        sec = [0.0] * n
        for i in range(n):
            for j in range(n):
                if j != i:
                    sec[i] += expected_utility(j, i, x, s, P1, span, 1.0, Q, mu)
        lo, hi = min(sec), max(sec)
        r = []
        for i in range(n):
            R = (2 * sec[i] - hi - lo) / (hi - lo) if hi > lo else 0.0
            r.append((1 - R / 3) / (1 + R / 3))
        P2 = probabilities(x, w, span, r if scholz else ones, scholz)
        new = list(x)
        for i in range(n):
            best = None
            for j in range(n):
                if j == i or x[j] == x[i]:
                    continue
                a = expected_utility(i, j, x, s, P2, span, r[i], Q, mu)
                b = expected_utility(j, i, x, s, P2, span, r[i] if scholz else r[j], Q, mu)
                if b > a > 0:
                    kind, target = 1, x[j]
                elif b > 0 > a and b > abs(a):
                    kind, target = 2, x[i] + (x[j] - x[i]) * abs(a) / b
                elif b > 0 > a and not scholz:
                    kind, target = 3, x[j]
                else:
                    continue
                if scholz:
                    average = (abs(a) * x[i] + b * x[j]) / (abs(a) + b)
                    key = (kind, average if kind == 2 else abs(target - x[i]))
                else:
                    key = (kind, abs(target - x[i]), -b)
                if best is None or key < best[0]:
                    best = (key, target)
            if best is not None:
                new[i] = best[1]
        x = new
        history.append(list(x))
    return history
