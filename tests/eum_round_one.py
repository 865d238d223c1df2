"""Round one of the expected utility model with plain loops, for every reading option A1-A10.

Written from ``shared/reference/eum-spec.md`` (§1.2-1.12) and the option definitions, with
Python lists and nested loops and none of the package's code (no prefix sums, no vote geometry),
so that the tests can check what each option does rather than only that it changes something.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class RoundOne:
    """Pass-1 security, the risk exponents, pass-2 P, and both EU matrices of round 1."""

    security: list[float]
    r: list[float]
    P: list[list[float]]
    own: list[list[float]]
    other: list[list[float]]


def _median(x: list[float], w: list[float]) -> float:
    order = sorted(range(len(x)), key=lambda i: x[i])
    half, total = 0.5 * sum(w), 0.0
    for i in order:
        total += w[i]
        if total >= half * (1 - 1e-12):
            return x[i]
    return x[order[-1]]


def _mean(x: list[float], w: list[float]) -> float:
    return sum(a * b for a, b in zip(x, w, strict=True)) / sum(w)


def _max_margin(x: list[float], w: list[float]) -> float:
    loss = [sum(w[k] * abs(x[k] - x[y]) for k in range(len(x))) for y in range(len(x))]
    return x[loss.index(min(loss))]


def _probabilities(
    x: list[float], w: list[float], span: float, r: list[float], o: Any
) -> list[list[float]]:
    n = len(x)

    def u(k: int, y: float) -> float:
        return float((abs(x[k] - y) / span) ** r[k])

    P = [[0.0] * n for _ in range(n)]
    total = 0.0
    if o.p_denominator == "global":
        for k in range(n):
            for a in range(n):
                for b in range(n):
                    total += abs(w[k] * (u(k, x[b]) - u(k, x[a])))
    for i in range(n):
        for j in range(n):
            if x[i] == x[j]:
                continue
            voters = [
                k
                for k in range(n)
                if not (o.p_voters != "all" and k == i)
                and not (o.p_voters == "exclude-pair" and k == j)
            ]
            for_i = sum(w[k] * max(0.0, u(k, x[j]) - u(k, x[i])) for k in voters)
            for_j = sum(w[k] * max(0.0, u(k, x[i]) - u(k, x[j])) for k in voters)
            if o.p_numerator == "net":
                top = max(0.0, sum(w[k] * (u(k, x[j]) - u(k, x[i])) for k in voters))
            else:
                top = for_i
            bottom = total if o.p_denominator == "global" else for_i + for_j
            P[i][j] = top / bottom if bottom > 0 else 0.0
    return P


def _eu(
    a: int, b: int, x: list[float], s_res: float, P: float, span: float, r: float, mu: float, o: Any
) -> float:
    """a challenging b (eqs. 5-7, 15-24), at exponent r, with s_res the chance of resistance."""
    if x[a] == x[b]:
        return 0.0
    d = abs(x[a] - x[b]) / span
    us = 2 - 4 * (0.5 - 0.5 * d) ** r
    uf = 2 - 4 * (0.5 + 0.5 * d) ** r
    usq = 2 - 4 * 0.5**r
    challenge = s_res * (P * us + (1 - P) * uf) + (1 - s_res) * us
    if o.no_challenge_distance == "challenger":
        m = (abs(x[a] - mu) + abs(x[a] - x[b])) / span
    else:
        m = (abs(x[a] - mu) + abs(x[b] - mu)) / span
    ub = 2 - 4 * (0.5 - 0.25 * m) ** r
    uw = 2 - 4 * (0.5 + 0.25 * m) ** r
    T = (1.0 if abs(x[a] - mu) < abs(x[a] - x[b]) else 0.0) if o.T == "nearer" else float(o.T)
    return float(challenge - (o.Q * usq + (1 - o.Q) * (T * ub + (1 - T) * uw)))


def round_one(
    c: list[float], x: list[float], s: list[float], o: Any, lo: float, hi: float
) -> RoundOne:
    """Round 1 of the model on one issue under options ``o`` (an ``EumOptions``)."""
    n = len(x)
    w = [c[i] * s[i] for i in range(n)]
    span = (hi - lo) if o.range == "scale" else (max(x) - min(x))
    span = span if span > 0 else 1.0
    first = {"median": _median, "mean": _mean, "max-margin": _max_margin}
    mu1 = first["median" if o.mu == "median-then-mean" else o.mu](x, w)
    mu2 = _mean(x, w) if o.mu == "median-then-mean" else mu1
    ones = [1.0] * n

    # pass 1, r = 1, and security (A5)
    P1 = _probabilities(x, w, span, ones, o)

    def eu1(a: int, b: int, xs: list[float], P: list[list[float]]) -> float:
        return _eu(a, b, xs, s[b], P[a][b], span, 1.0, mu1, o)

    def measure(i: int, xs: list[float], P: list[list[float]]) -> float:
        if o.security_measure == "eu":
            return sum(eu1(j, i, xs, P) for j in range(n) if j != i)
        return sum(P[j][i] for j in range(n) if j != i)

    security = [measure(i, x, P1) for i in range(n)]
    if o.security_set == "actors":
        low, high = [min(security)] * n, [max(security)] * n
    else:
        low, high = [], []
        for i in range(n):
            values = []
            for p in sorted(set(x)):
                moved = list(x)
                moved[i] = p
                values.append(measure(i, moved, _probabilities(moved, w, span, ones, o)))
            low.append(min(values))
            high.append(max(values))
    r = []
    for i in range(n):
        spread = high[i] - low[i]
        R = (2 * security[i] - high[i] - low[i]) / spread if spread > 0 else 0.0
        R = min(1.0, max(-1.0, R))
        r.append((1 - R / 3) / (1 + R / 3))

    # pass 2
    P2 = _probabilities(x, w, span, r if o.risk_in_votes else ones, o)
    own = [[math.nan] * n for _ in range(n)]
    other = [[math.nan] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            own[i][j] = _eu(i, j, x, s[j], P2[i][j], span, r[i], mu2, o)
            # j's EU of challenging i as i sees it (A3: whose exponent; A1: whose salience)
            exponent = r[i] if o.perception == "perceiver" else r[j]
            resist = s[i] if o.resist_salience == "target" else s[j]
            other[i][j] = _eu(j, i, x, resist, P2[j][i], span, exponent, mu2, o)
    return RoundOne(security, r, P2, own, other)
