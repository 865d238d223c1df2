"""One round of the exchange model, step by step (``shared/reference/exchange/README.md`` §3).

Positions are on 0-100 here (the caller maps each issue's scale onto it, X1); ``w = c * s`` is
each actor-issue's weight in the outcome, zero where an actor has no stake in an issue (it is
then out of that issue's outcome and of every exchange on it).

Step 3.1, the expected outcome, and 3.2-3.5, every candidate exchange with its equal-gain
shifts, caps and checks, are computed for all candidates at once. Step 3.6 is sequential by
nature: the most profitable exchange is made, then every candidate that shares one of its
actor-issues is computed again (all of them at once) and dropped if it no longer holds. The
order of equal gains follows DECIDE's list semantics exactly (X10): DECIDE keeps one list and
stable-sorts it by gain before every pick, so among equal gains the one earlier in the list
goes first, and an exchange computed again keeps its place until the next sort. Here a heap
holds ``(-gain, place)``, where ``place`` orders the exchanges of one gain as DECIDE's list
does: an exchange whose gain fell joins the front of its new gain's block (it sat above that
block), one whose gain rose joins the back, in the order they had.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.errors import InputError
from detente.models._compiled import numba_installed
from detente.models.exchange import _accel
from detente.models.exchange.options import ExchangeOptions

__all__ = [
    "COMPILED_FROM",
    "MAX_CANDIDATES",
    "Candidates",
    "Dropped",
    "Exchange",
    "RoundResult",
    "Side",
    "exchange_round",
]

#: A move of this size or smaller is no move (X7).
_NO_MOVE = 1e-10
#: Rounds with at least this many candidates run their execution loop in the compiled kernel
#: (when numba is installed); smaller ones take the numpy path, which needs no numba (the two
#: give the same results, bit for bit), until numba is loaded anyway or the numpy path has
#: taken :data:`NUMPY_BUDGET` seconds in the process (:func:`_kernel_for`).
COMPILED_FROM = 3000
#: A round considers at most this many candidate exchanges (about 2 GB of memory: 2,400 actors
#: on 3 issues, 2.2 million candidates, took 4.5 GB); more is refused before any is computed.
#: 100 actors on 5 issues give about 12,000; 1,000 on 3 about 375,000.
MAX_CANDIDATES = 1_000_000
#: Positions and outcomes this close (on 0-100) are the same point: exact arithmetic would
#: make them equal, and float rounding must not decide a side or a cap (X2, §3.5).
_AT = 1e-9
#: The four groups of an issue pair (§3.2): side on p, side on q (True = left).
_GROUPS = ("a", "b", "c", "d")


@dataclass(frozen=True)
class Side:
    """One actor's half of an exchange: it supplies ``supply`` and demands ``demand``.

    Positions are on the issue's own scale. ``before`` is where the actor stood on its supply
    issue when the exchange was computed (its start, moved by earlier exchanges of the round);
    ``y`` its voting position after this exchange; ``outcome_before``/``outcome_after`` the
    outcome of the supply issue the exchange computed without and with the shift (X8);
    ``capped`` says the shift was cut so that the outcome stops at the partner (§3.5);
    ``capped_before`` that it was in some computation of this exchange in the round (DECIDE's
    flag, never reset when the exchange is computed again).
    """

    actor: int
    supply: int
    demand: int
    salience_supply: float
    salience_demand: float
    capability: float
    start: float
    before: float
    move: float
    y: float
    partner_position: float
    outcome_before: float
    outcome_after: float
    capped: bool
    capped_before: bool = False


@dataclass(frozen=True)
class Exchange:
    """An exchange of voting positions: ``i`` demands ``pair[0]`` and supplies ``pair[1]``,
    ``j`` the reverse; both gain ``gain`` (equal gain).

    ``order`` is its place in the round's executions (1 first; 0 for a candidate not made);
    ``recalculated`` says it was computed again after the exchange made just before it (for a
    dropped one: after the exchange that dropped it).
    ``groups`` are the two groups of the issue pair the partners come from (``a``-``d`` or
    ``b``-``c``). ``externalities`` (executed exchanges only) is every actor's utility change
    from the exchange's shift of the two outcomes, measured from its position at the start of
    the round (§3.10; for the partners this differs from ``gain`` once they have moved in
    the round, and DECIDE's totals count ``gain`` for them instead).
    """

    order: int
    i: Side
    j: Side
    gain: float
    valid: bool
    pair: tuple[int, int]
    groups: tuple[str, str]
    recalculated: bool
    externalities: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def delta_outcome(self) -> tuple[float, float]:
        """How far the exchange moves the outcomes of ``pair[0]`` (``j``'s supply) and
        ``pair[1]`` (``i``'s), as it computed them."""
        return (
            abs(self.j.outcome_after - self.j.outcome_before),
            abs(self.i.outcome_after - self.i.outcome_before),
        )

    @property
    def rate(self) -> float:
        """Points of its supply issue ``i`` gives up per point ``j`` gives up on its own."""
        return abs(self.i.move) / abs(self.j.move) if self.j.move else float("inf")

    def sides(self) -> tuple[Side, Side]:
        return self.i, self.j

    def describe(self, labels: Sequence[str], issues: Sequence[str]) -> str:
        """The exchange in one sentence (positions on 0-100), e.g. ``United States gives
        ground on reward (25.0 -> 82.3) and North Korea on disarmament (10.0 -> 100.0); each
        gains 2.2861``."""
        i, j = self.i, self.j
        return (
            f"{labels[i.actor]} gives ground on {issues[i.supply]} ({i.before:.1f} -> "
            f"{i.y:.1f}) and {labels[j.actor]} on {issues[j.supply]} ({j.before:.1f} -> "
            f"{j.y:.1f}); each gains {self.gain:.4f}"
        )

    def third_parties(
        self, labels: Sequence[str], classes: Sequence[str]
    ) -> list[tuple[int, float, str, str]]:
        """Every actor outside the exchange that it moved: (actor, externality, class, why)."""
        if self.externalities is None:
            return []
        out = []
        for k, (value, kind) in enumerate(zip(self.externalities.tolist(), classes, strict=True)):
            if kind == "own" or value == 0:
                continue
            way = "nearer to" if value > 0 else "away from"
            group = "one of the partners' groups" if kind.startswith("inner") else "the others"
            why = (
                f"{labels[k]} {'gains' if value > 0 else 'loses'} {abs(value):.4f}: the exchange "
                f"moves the outcomes {way} it on balance ({group})"
            )
            out.append((k, value, kind, why))
        return out

    def to_json(
        self, ids: Sequence[str], issues: Sequence[str], classes: Sequence[str] = ()
    ) -> dict[str, Any]:
        """The exchange as JSON values (actors and issues by id, positions on 0-100)."""

        def side(s: Side) -> dict[str, Any]:
            return {
                "actor": ids[s.actor],
                "supplies": issues[s.supply],
                "demands": issues[s.demand],
                "from": s.before,
                "to": s.y,
                "capped": s.capped,
                "outcome_before": s.outcome_before,
                "outcome_after": s.outcome_after,
            }

        doc: dict[str, Any] = {
            "order": self.order,
            "gain": self.gain,
            "rate": self.rate,
            "i": side(self.i),
            "j": side(self.j),
            "groups": list(self.groups),
        }
        if self.externalities is not None:
            doc["externalities"] = [
                {"actor": ids[k], "value": float(v), **({"class": classes[k]} if classes else {})}
                for k, v in enumerate(self.externalities.tolist())
            ]
        return doc


@dataclass(frozen=True)
class Dropped:
    """A candidate that no longer held after the ``after``-th execution of the round (§3.6),
    as it was computed last."""

    after: int
    exchange: Exchange

    def cause(self) -> str:
        """Why it no longer holds, as far as its last computation shows."""
        i, j = self.exchange.i, self.exchange.j
        if min(abs(i.move), abs(j.move)) <= _NO_MOVE:
            return "a partner has nothing left to give: it already stands at its partner's position"
        if self.exchange.gain < 1e-10:
            return "its gain has vanished"
        return (
            "a partner's shift would reverse a move it already made this round, or leave the "
            "scale (DECIDE's move checks)"
        )

    def describe(self, labels: Sequence[str], issues: Sequence[str]) -> str:
        """Why the exchange was dropped, in one sentence."""
        e = self.exchange
        return (
            f"{labels[e.i.actor]} and {labels[e.j.actor]} on {issues[e.i.supply]} and "
            f"{issues[e.j.supply]}: dropped after exchange {self.after}, as {self.cause()}"
        )

    def to_json(self, ids: Sequence[str], issues: Sequence[str]) -> dict[str, Any]:
        return {"after": self.after, "cause": self.cause(), **self.exchange.to_json(ids, issues)}


@dataclass(frozen=True, eq=False)
class Candidates:
    """Every candidate exchange of a round, as first computed (struct of arrays, one row each).

    Actor ``i`` demands issue ``p`` and supplies ``q``; actor ``j`` the reverse. ``state``
    holds each candidate's computed quantities by name (``gain``, ``valid``, ``y_i``...).
    Positions are on 0-100.
    """

    i: np.ndarray
    j: np.ndarray
    p: np.ndarray
    q: np.ndarray
    pair: np.ndarray
    kind: np.ndarray  # 0: groups a and d; 1: groups b and c
    state: dict[str, np.ndarray] = field(repr=False)

    def __len__(self) -> int:
        return len(self.i)


@dataclass(frozen=True, eq=False)
class RoundResult:
    """What one round did, on 0-100 (the caller maps it back to the issues' scales).

    ``start`` (n, k) the positions the round started from; ``outcome`` (k) their expected
    outcome; ``voting`` (n, k) the voting positions after the exchanges and ``voting_outcome``
    their outcome; ``next`` (n, k) the positions the next round starts from (§3.8).
    ``candidates`` every candidate as first computed (``valid`` says which could be made);
    ``groups`` per issue pair, the actors of each group. ``made`` the ids of the candidates
    made, in order, and ``made_state`` their state when made (by name, one value each);
    ``dropped_ids``, ``dropped_after`` and ``dropped_state`` the same of the dropped ones, in
    the order they were dropped, with the execution that dropped each. ``salience`` and
    ``weight`` (n, k) are the round's inputs.

    :attr:`executed` (every exchange made, as :class:`Exchange`) and :attr:`dropped` (per
    exchange that dropped some, its place, the candidates' ids and their last state; as
    :class:`Dropped` from :func:`dropped_exchanges`) are built from these arrays the first
    time they are read: a Monte Carlo draw reads neither, and building them cost more than
    the round itself.
    """

    start: np.ndarray
    outcome: np.ndarray
    voting: np.ndarray
    voting_outcome: np.ndarray
    next: np.ndarray
    candidates: Candidates
    groups: dict[tuple[int, int], dict[str, tuple[int, ...]]]
    made: np.ndarray
    made_state: dict[str, np.ndarray] = field(repr=False)
    dropped_ids: np.ndarray = field(repr=False)
    dropped_after: np.ndarray = field(repr=False)
    dropped_state: dict[str, np.ndarray] = field(repr=False)
    salience: np.ndarray = field(repr=False)
    weight: np.ndarray = field(repr=False)

    @functools.cached_property
    def executed(self) -> tuple[Exchange, ...]:
        """The exchanges made, in order, with every actor's externality (§3.10)."""
        if not len(self.made):
            return ()
        return tuple(
            _made(self.start, self.salience, self.weight, self.candidates, self.made,
                  self.made_state)
        )  # fmt: skip

    @functools.cached_property
    def dropped(self) -> tuple[tuple[int, np.ndarray, dict[str, np.ndarray]], ...]:
        """Per exchange that dropped candidates, in order: its place among the round's
        executions, the candidates' ids (in list order) and their last state by name."""
        after = self.dropped_after
        starts = [0, *(np.flatnonzero(np.diff(after)) + 1).tolist()]
        ends = [*starts[1:], len(after)]
        return tuple(
            (
                int(after[lo]),
                self.dropped_ids[lo:hi],
                {name: values[lo:hi] for name, values in self.dropped_state.items()},
            )
            for lo, hi in zip(starts, ends, strict=True)
            if hi > lo
        )


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The expected outcome of every issue (§3.1): ``sum(w x) / sum(w)``, 0 where ``sum(w)``
    is 0 (as DECIDE)."""
    W = w.sum(axis=0)
    total = (w * x).sum(axis=0)
    mean: np.ndarray = np.divide(total, W, out=np.zeros_like(total), where=W > 0)
    return mean


# --- the round ---------------------------------------------------------------------------------


def exchange_round(
    x: np.ndarray,
    w: np.ndarray,
    s: np.ndarray,
    options: ExchangeOptions,
    rng: np.random.Generator | None = None,
) -> RoundResult:
    """One round of exchanges from positions ``x`` (n, k, on 0-100), weights ``w = c * s``
    (n, k; 0 where an actor has no stake) and saliences ``s`` (n, k, on 0-1)."""
    present = w > 0
    W = w.sum(axis=0)
    O = weighted_mean(x, w)  # noqa: E741
    cands, groups = _generate(x, s, present, O, options)
    cands.settle(x, s, w, W)
    ctx = _Context(x, w, s, W, (w * x).sum(axis=0), options)
    state = _initial_state(cands, x)
    everything = np.arange(len(cands.i))
    _calculate(ctx, cands, state, everything)
    first = {name: values.copy() for name, values in state.items()}
    compiled = _kernel_for(len(cands.i), options)
    began = time.perf_counter()
    if compiled is None:
        made, drops = _execute(ctx, cands, state, rng)
        _spent_on_numpy(time.perf_counter() - began)
    else:
        made, drops = _execute_compiled(compiled, ctx, cands, state)
    made_ids, made_floats, made_flags = made
    made_state = {**dict(zip(_FLOATS, made_floats, strict=True)),
                  **dict(zip(_FLAGS, made_flags, strict=True))}  # fmt: skip
    drop_ids, drop_after, drop_floats, drop_flags = drops
    dropped_state = {**dict(zip(_FLOATS, drop_floats, strict=True)),
                     **dict(zip(_FLAGS, drop_flags, strict=True))}  # fmt: skip
    voting, nxt = _ends(x, s, made_ids, made_state, cands, options)
    return RoundResult(
        start=x,
        outcome=O,
        voting=voting,
        voting_outcome=weighted_mean(voting, w),
        next=nxt,
        candidates=Candidates(cands.i, cands.j, cands.p, cands.q, cands.pair, cands.kind, first),
        groups=groups,
        made=made_ids,
        made_state=made_state,
        dropped_ids=drop_ids,
        dropped_after=drop_after,
        dropped_state=dropped_state,
        salience=s,
        weight=w,
    )


def _ends(
    x: np.ndarray,
    s: np.ndarray,
    ids: np.ndarray,
    state: dict[str, np.ndarray],
    c: _Cands,
    options: ExchangeOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """The voting positions after the exchanges made (``ids``, in order, and their state when
    made) and the positions the next round starts from (§3.7-3.8): each supplying
    actor-issue takes the voting position of the last exchange it supplied in."""
    voting = x.copy()
    nxt = x.copy()
    if not len(ids):
        return voting, nxt
    k = x.shape[1]
    # both sides of every exchange, in order (i then j); the last one of each actor-issue wins
    actor = np.column_stack((c.i[ids], c.j[ids])).ravel()
    issue = np.column_stack((c.q[ids], c.p[ids])).ravel()
    y = np.column_stack((state["y_i"], state["y_j"])).ravel()
    _, first_from_end = np.unique((actor * k + issue)[::-1], return_index=True)
    last = len(actor) - 1 - first_from_end
    a, d, y = actor[last], issue[last], y[last]
    drift = options.fixed_weight + options.salience_weight * (1 - s[a, d])
    voting[a, d] = y
    nxt[a, d] = x[a, d] + drift * (y - x[a, d])
    return voting, nxt


#: After this many seconds on the numpy path in one process, every round takes the compiled
#: kernel, whatever its size: many small rounds (a Monte Carlo run of a few dozen actors) then
#: pay for loading numba, which costs about as much.
NUMPY_BUDGET = 0.5
_NUMPY_SECONDS = [0.0]


def _spent_on_numpy(seconds: float) -> None:
    _NUMPY_SECONDS[0] += seconds


def _kernel_for(m: int, options: ExchangeOptions) -> Any:
    """The compiled kernel's module for a round of ``m`` candidates, or None for the numpy
    path (the same results, bit for bit): the kernel for a large round, and for any round once
    numba is loaded (by another model, or by this one) or the process has spent
    :data:`NUMPY_BUDGET` seconds on the numpy path; random ties always take the numpy path."""
    if options.ties != "list-order":
        return None
    if m >= max(COMPILED_FROM, 1) or sys.modules.get("numba") is not None:
        return _accel.kernels()
    if _NUMPY_SECONDS[0] >= NUMPY_BUDGET and numba_installed():  # no warning when it is not
        return _accel.kernels()
    return None


# --- 3.2-3.3: candidates -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Cands:
    i: np.ndarray
    j: np.ndarray
    p: np.ndarray
    q: np.ndarray
    pair: np.ndarray
    kind: np.ndarray
    fixed: np.ndarray | None = None

    def settle(self, x: np.ndarray, s: np.ndarray, w: np.ndarray, W: np.ndarray) -> None:
        """Each candidate's fixed inputs, gathered once for the round (rows: ``_FIXED``)."""
        I, J, P, Q = self.i, self.j, self.p, self.q  # noqa: E741
        object.__setattr__(self, "fixed", np.array([
            x[I, P], x[J, Q], x[I, Q], x[J, P], s[I, P], s[I, Q], s[J, P], s[J, Q], w[I, Q],
            w[J, P], W[P], W[Q],
        ]))  # fmt: skip


def _generate(
    x: np.ndarray,
    s: np.ndarray,
    present: np.ndarray,
    outcome: np.ndarray,
    options: ExchangeOptions,
) -> tuple[_Cands, dict[tuple[int, int], dict[str, tuple[int, ...]]]]:
    """Every pair of actors on opposite sides of the outcome on both issues of a pair, in
    DECIDE's order (issue pairs in order, then a x d, then b x c, actors in input order), each
    oriented so that ``I`` demands the issue it holds relatively more salient (§3.2-3.3)."""
    k = x.shape[1]
    at = np.abs(x - outcome) <= _AT
    if options.side_test == "strict":
        left, right = (x < outcome) & ~at, (x > outcome) & ~at
    else:
        left, right = (x <= outcome) | at, (x > outcome) & ~at
    parts: list[tuple[np.ndarray, ...]] = []
    groups: dict[tuple[int, int], dict[str, tuple[int, ...]]] = {}
    total = 0
    for number, (p, q) in enumerate(itertools.combinations(range(k), 2)):
        both = (
            present[:, p] & present[:, q] & (left[:, p] | right[:, p]) & (left[:, q] | right[:, q])
        )
        lp, lq = left[:, p], left[:, q]
        members = {
            "a": np.flatnonzero(both & ~lp & ~lq),
            "b": np.flatnonzero(both & lp & ~lq),
            "c": np.flatnonzero(both & ~lp & lq),
            "d": np.flatnonzero(both & lp & lq),
        }
        groups[(p, q)] = {g: tuple(int(a) for a in members[g]) for g in _GROUPS}
        total += len(members["a"]) * len(members["d"]) + len(members["b"]) * len(members["c"])
        if total > MAX_CANDIDATES:
            raise InputError(
                f"exchange: {len(x)} actors on {k} issues give more than {MAX_CANDIDATES:,} "
                "candidate exchanges in a round (every pair of actors on every pair of issues); "
                "run it on fewer actors or issues"
            )
        for kind, (g, h) in enumerate((("a", "d"), ("b", "c"))):
            first, second = members[g], members[h]
            if not len(first) or not len(second):
                continue
            K = np.repeat(first, len(second))
            L = np.tile(second, len(first))
            # s[k,p]/s[k,q] < s[l,p]/s[l,q]: l is i (it holds p relatively more salient)
            swap = s[K, p] / s[K, q] < s[L, p] / s[L, q]
            I = np.where(swap, L, K)  # noqa: E741
            J = np.where(swap, K, L)
            count = len(K)
            parts.append(
                (
                    I,
                    J,
                    np.full(count, p),
                    np.full(count, q),
                    np.full(count, number),
                    np.full(count, kind),
                )
            )
    if parts:
        cols = [np.concatenate(col) for col in zip(*parts, strict=True)]
    else:
        cols = [np.empty(0, dtype=int) for _ in range(6)]
    return _Cands(*cols), groups


# --- 3.4-3.5: computing an exchange -------------------------------------------------------------


class _Context:
    """The round's fixed inputs, and what executed exchanges have done so far (X8, X9)."""

    def __init__(
        self,
        x: np.ndarray,
        w: np.ndarray,
        s: np.ndarray,
        W: np.ndarray,
        base: np.ndarray,
        options: ExchangeOptions,
    ) -> None:
        self.x, self.w, self.s, self.W, self.base = x, w, s, W, base
        self.options = options
        n, k = x.shape
        self.local = options.bookkeeping == "local"
        if self.local:
            # records[b, e, a]: the voting position of supplier a that demander b's exchanges
            # on issue e know of (NaN: none); shifted[b, e] = sum of w (record - x) over them
            self.records = np.full((n, k, n), np.nan)
            self.shifted = np.zeros((n, k))
        else:
            # every supplier's latest voting position on each issue
            self.latest = np.full((k, n), np.nan)
            self.moved = np.zeros(k)

    def record(self, demander: int, issue: int, supplier: int, start: float, y: float) -> None:
        """An executed shift of ``supplier`` on ``issue`` towards ``demander``."""
        x, w = self.x[supplier, issue], self.w[supplier, issue]
        if not self.local:
            old = self.latest[issue, supplier]
            self.moved[issue] += w * ((y - x) - (0.0 if np.isnan(old) else old - x))
            self.latest[issue, supplier] = y
            return
        old = self.records[demander, issue, supplier]
        new = y
        if not np.isnan(old) and self.options.merge == "nearer-start":
            # DECIDE's update_updates: of the old record and the new position, the nearer start
            new = min(old, y) if start <= old else max(old, y)
        self.shifted[demander, issue] += w * ((new - x) - (0.0 if np.isnan(old) else old - x))
        self.records[demander, issue, supplier] = new

    def rest(
        self, A: np.ndarray, B: np.ndarray, e: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For supplier ``A`` on issue ``e`` towards demander ``B``: ``sum(w x)`` over the
        issue with the shifts the exchange knows of (X8), then the same without ``A``'s own
        record among them, and that record (NaN: none). The outcome with ``A`` at ``y`` is
        ``(rest + w (y - x)) / W`` (DECIDE's ``adjusted_nbs``: the known positions first, then
        ``A``'s)."""
        if self.local:
            shifted, own = self.shifted[B, e], self.records[B, e, A]
        else:
            shifted, own = self.moved[e], self.latest[e, A]
        known = self.base[e] + shifted
        own_shift = np.where(np.isnan(own), 0.0, self.w[A, e] * (own - self.x[A, e]))
        return known, known - own_shift, own

    @staticmethod
    def shift_to(
        known: np.ndarray,
        own: np.ndarray,
        w: np.ndarray,
        x: np.ndarray,
        current: np.ndarray,
        target: np.ndarray,
        W: np.ndarray,
    ) -> np.ndarray:
        """How far the supplier must shift from ``current`` for the outcome to reach ``target``
        (DECIDE's ``adjusted_nbs_by_position``: the supplier at ``current`` first, then the known
        positions, its own record included)."""
        mine = np.where(np.isnan(own), w * (current - x), 0.0)
        shift: np.ndarray = np.abs((target * W - (known + mine)) / w)
        return shift


_FLOATS = (
    "cur_i", "cur_j", "fsum_i", "fmin_i", "fmax_i", "fsum_j", "fmin_j", "fmax_j",  # inputs
    "last_i", "last_j", "y_i", "y_j", "gain", "o0_i", "o1_i", "o0_j", "o1_j",
    "computed_after",  # the execution after which the candidate was last computed (0: none)
)  # fmt: skip
#: The state a computation starts from: the first rows of ``_FLOATS``.
_INPUTS = 8
_FLAGS = ("valid", "capped_i", "capped_j", "ever_i", "ever_j")


class _State(dict[str, np.ndarray]):
    """Every candidate's changing state by name; the names are rows of two arrays (floats and
    flags), so that a set of candidates is gathered in two operations."""

    def __init__(self, m: int) -> None:
        self.floats = np.zeros((len(_FLOATS), m))
        self.flags = np.zeros((len(_FLAGS), m), dtype=bool)
        super().__init__(zip(_FLOATS, self.floats, strict=True))
        self.update(zip(_FLAGS, self.flags, strict=True))


def _initial_state(c: _Cands, x: np.ndarray) -> _State:
    state = _State(len(c.i))
    state["cur_i"][:] = x[c.i, c.q]
    state["cur_j"][:] = x[c.j, c.p]
    for side in ("i", "j"):  # the frozen part of each side's move history (X7)
        state[f"fmin_{side}"][:] = np.inf
        state[f"fmax_{side}"][:] = -np.inf
    return state


def _moves_ok(
    move: np.ndarray,
    current: np.ndarray,
    fsum: np.ndarray,
    fmin: np.ndarray,
    fmax: np.ndarray,
) -> np.ndarray:
    """DECIDE's move checks (X7) on a side whose history is its frozen moves and ``move``."""
    size = np.abs(move)
    new = current + move
    bad = (size > 100) | (size <= _NO_MOVE) | (new < 0) | (new > 100) | (fsum + move > 100)
    # every move of the history on one side of zero (empty: fmin = inf, fmax = -inf)
    one_way = ((move < 0) & (fmax < 0)) | ((move > 0) & (fmin > 0))
    ok: np.ndarray = ~bad & one_way
    return ok


def _calculate(ctx: _Context, c: _Cands, st: _State, rows: np.ndarray) -> None:
    """Compute the exchanges ``rows`` from their current state (§3.4-3.5; DECIDE's
    ``EqualGainExchange.calculate`` and ``check_nbs``)."""
    if not len(rows):
        return
    I, J, P, Q = c.i[rows], c.j[rows], c.p[rows], c.q[rows]  # noqa: E741
    ci, cj, *history = st.floats[:_INPUTS, rows]
    assert c.fixed is not None
    # what each demands (its partner's position at round start), where each supplies from
    # (at round start), saliences, weights in the outcome and the issues' total weights
    xIp, xJq, xIq, xJp, sIp, sIq, sJp, sJq, wIq, wJp, WP, WQ = c.fixed[:, rows]
    # 3.4: j moves all the way to i on p; equal gain gives i's shift on q ...
    full_j = np.abs(xIp - cj)
    full_i = np.abs(xJq - ci)
    dp = full_j * wJp / WP
    dq = (sJp + sIp) / (sJq + sIq) * dp
    mi = dq * WQ / wIq
    mj = full_j.copy()
    # ... unless that carries i past j: then i moves all the way to j on q
    over = np.abs(mi) > full_i
    if over.any():
        dq = np.where(over, full_i * wIq / WQ, dq)
        dp = np.where(over, (sIq + sJq) / (sIp + sJp) * dq, dp)
        mi = np.where(over, full_i, mi)
        mj = np.where(over, dp * WP / wJp, mj)
    mi = np.where(ci > xJq, -mi, mi)
    mj = np.where(cj > xIp, -mj, mj)
    gain = np.abs(dq * sIq - dp * sIp)

    def moves_ok(at: Any) -> np.ndarray:
        fsum_i, fmin_i, fmax_i, fsum_j, fmin_j, fmax_j = (h[at] for h in history)
        ok: np.ndarray = _moves_ok(mi[at], ci[at], fsum_i, fmin_i, fmax_i) & _moves_ok(
            mj[at], cj[at], fsum_j, fmin_j, fmax_j
        )
        return ok

    checked = moves_ok(slice(None)) & (gain >= ctx.options.min_gain)
    valid = checked.copy()
    # 3.5: the outcome cap on i's side (it supplies q to j), then on j's (it supplies p to i)
    known_i, rest_i, own_i = ctx.rest(I, J, Q)
    o0_i = (rest_i + wIq * (ci - xIq)) / WQ
    o1_i = (rest_i + wIq * (ci + mi - xIq)) / WQ
    capped_i = checked & _passes(xJq, o0_i, o1_i) & ctx.options.outcome_cap
    if capped_i.any():
        at = capped_i
        delta = ctx.shift_to(known_i[at], own_i[at], wIq[at], xIq[at], ci[at], xJq[at], WQ[at])
        d_q = delta * wIq[at] / WQ[at]
        d_p = (sIq[at] + sJq[at]) / (sIp[at] + sJp[at]) * d_q
        m_j = np.abs(d_p * WP[at] / wJp[at])
        mj[at] = np.where(cj[at] > xIp[at], -m_j, m_j)
        mi[at] = np.where(ci[at] > xJq[at], -delta, delta)
        gain[at] = np.abs(d_p * sJp[at] - d_q * sJq[at])
        o1_i[at] = (rest_i[at] + wIq[at] * (ci[at] + mi[at] - xIq[at])) / WQ[at]
    known_j, rest_j, own_j = ctx.rest(J, I, P)
    o0_j = (rest_j + wJp * (cj - xJp)) / WP
    o1_j = (rest_j + wJp * (cj + mj - xJp)) / WP
    capped_j = checked & _passes(xIp, o0_j, o1_j) & ctx.options.outcome_cap
    if capped_j.any():
        # i's outcome after the shift is not computed again: DECIDE reports it as it was
        at = capped_j
        delta = ctx.shift_to(known_j[at], own_j[at], wJp[at], xJp[at], cj[at], xIp[at], WP[at])
        d_p = delta * wJp[at] / WP[at]
        d_q = (sJp[at] + sIp[at]) / (sJq[at] + sIq[at]) * d_p
        m_i = np.abs(d_q * WQ[at] / wIq[at])
        mi[at] = np.where(ci[at] > xJq[at], -m_i, m_i)
        mj[at] = np.where(cj[at] > xIp[at], -delta, delta)
        gain[at] = np.abs(d_q * sIq[at] - d_p * sIp[at])
        o1_j[at] = (rest_j[at] + wJp[at] * (cj[at] + mj[at] - xJp[at])) / WP[at]
    again = capped_i | capped_j  # the checks again where a cap changed the shifts
    if again.any():
        valid[again] = moves_ok(again)
    st["last_i"][rows], st["last_j"][rows] = mi, mj
    st["y_i"][rows], st["y_j"][rows] = ci + mi, cj + mj
    st["gain"][rows] = gain
    st["valid"][rows] = valid
    st["capped_i"][rows], st["capped_j"][rows] = capped_i, capped_j
    st["ever_i"][rows] |= capped_i
    st["ever_j"][rows] |= capped_j
    # an exchange that fails its checks keeps the outcomes of its last valid computation, as
    # DECIDE reports them (it computes them only for exchanges that pass)
    for name, value in (("o0_i", o0_i), ("o1_i", o1_i), ("o0_j", o0_j), ("o1_j", o1_j)):
        st[name][rows] = np.where(checked, value, st[name][rows])


def _passes(z: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """The shift carries the outcome past the demander at ``z`` (strictly between, §3.5; an
    outcome within :data:`_AT` of ``z`` is at ``z``)."""
    before = np.where(np.abs(z - before) <= _AT, z, before)
    after = np.where(np.abs(z - after) <= _AT, z, after)
    past: np.ndarray = ~((z - before >= 0) & (z - after >= 0)) & ~(
        (z - before <= 0) & (z - after <= 0)
    )
    return past


# --- 3.6: which exchanges happen ------------------------------------------------------------------


class _Index:
    """The candidates (``ids``) with each key (an actor-issue ``actor * k + issue``)."""

    def __init__(self, keys: np.ndarray, ids: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.ids = ids[order]

    def __call__(self, key: int) -> np.ndarray:
        lo, hi = self.keys.searchsorted((key, key + 1))
        return self.ids[lo:hi]


class _Queue:
    """DECIDE's list of candidate exchanges, as a heap of ``(-gain, place, id, version)``.

    ``place`` orders equal gains as DECIDE's stable-sorted list does (module docstring). An
    entry whose candidate was dropped or computed again is stale and skipped when it comes up;
    the heap is rebuilt from the live candidates when more than half of it is stale.
    """

    def __init__(self, gain: np.ndarray, alive: np.ndarray, digits: int | None) -> None:
        self.digits = digits
        self.alive = alive
        m = len(gain)
        self.key = _rounded(gain, digits)
        self.place = np.arange(m)
        self.version = np.zeros(m, dtype=np.int64)
        self.front, self.back = -1, m
        self.heap: list[tuple[float, int, int, int]] = []
        self.rebuild()

    def rebuild(self) -> None:
        live = np.flatnonzero(self.alive)
        self.heap = list(
            zip(
                (-self.key[live]).tolist(),
                self.place[live].tolist(),
                live.tolist(),
                self.version[live].tolist(),
                strict=True,
            )
        )
        heapq.heapify(self.heap)
        self.stale = 0

    def pop(self, random: bool, rng: np.random.Generator | None) -> int:
        """The candidate at the top of the list (-1: none left), taken off it; with
        ``random``, one of those tied at the top, drawn from ``rng``."""
        heap, alive, version = self.heap, self.alive, self.version
        while heap:
            entry = heapq.heappop(heap)
            if alive[entry[2]] and version[entry[2]] == entry[3]:
                break
            self.stale -= 1
        else:
            return -1
        if random:
            tied = [entry]
            while heap and heap[0][0] == entry[0]:
                other = heapq.heappop(heap)
                if alive[other[2]] and version[other[2]] == other[3]:
                    tied.append(other)
                else:
                    self.stale -= 1
            if len(tied) > 1:
                if rng is None:
                    raise ValueError("ties='random' needs an rng")
                chosen = int(rng.integers(len(tied)))
                for n, other in enumerate(tied):
                    if n != chosen:
                        heapq.heappush(heap, other)
                entry = tied[chosen]
        alive[entry[2]] = False
        return entry[2]

    def in_list_order(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` in the order they have in DECIDE's list."""
        return rows[np.lexsort((self.place[rows], -self.key[rows]))]

    def drop(self, rows: np.ndarray) -> None:
        self.alive[rows] = False
        self.stale += len(rows)

    def update(self, rows: np.ndarray, gain: np.ndarray) -> None:
        """New gains of live candidates ``rows``: each moves in the list as a stable sort by
        gain would move it."""
        new = _rounded(gain, self.digits)
        moved = self.key[rows] != new
        if not moved.any():
            return
        rows, new = rows[moved], new[moved]
        order = np.lexsort((self.place[rows], -self.key[rows]))
        rows, new = rows[order], new[order]
        fell = self.key[rows] > new
        count = int(fell.sum())
        self.place[rows[fell]] = np.arange(self.front - count + 1, self.front + 1)
        self.front -= count
        rose = rows[~fell]
        self.place[rose] = np.arange(self.back, self.back + len(rose))
        self.back += len(rose)
        self.key[rows] = new
        self.version[rows] += 1
        self.stale += len(rows)
        for r in rows.tolist():
            heapq.heappush(self.heap, (-float(self.key[r]), int(self.place[r]), r,
                                       int(self.version[r])))  # fmt: skip

    def crowded(self) -> bool:
        return self.stale > 1000 and 2 * self.stale > len(self.heap)


class _Near:
    """The live candidates that supply or demand each actor-issue (``actor * k + issue``)."""

    def __init__(self, c: _Cands, k: int, alive: np.ndarray) -> None:
        self.c, self.k = c, k
        self.rebuild(alive)

    def rebuild(self, alive: np.ndarray) -> None:
        c, k = self.c, self.k
        live = np.flatnonzero(alive)
        ids = np.concatenate([live, live])
        self.supplies = _Index(
            np.concatenate([c.i[live] * k + c.q[live], c.j[live] * k + c.p[live]]), ids
        )
        self.demands = _Index(
            np.concatenate([c.i[live] * k + c.p[live], c.j[live] * k + c.q[live]]), ids
        )
        self.on_issue = _Index(np.concatenate([c.p[live], c.q[live]]), ids)


#: The exchanges made: ids in order, their floats and flags when made (one column each).
_Made = tuple[np.ndarray, np.ndarray, np.ndarray]
#: The exchanges dropped: ids in order, after which execution, their last floats and flags.
_Drops = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _execute(
    ctx: _Context, c: _Cands, st: _State, rng: np.random.Generator | None
) -> tuple[_Made, _Drops]:
    """Make the most profitable exchange, compute again every candidate it touches, drop the
    ones that no longer hold, until none is left (§3.6)."""
    k = ctx.x.shape[1]
    options = ctx.options
    alive = st["valid"].copy()
    queue = _Queue(st["gain"], alive, options.tie_digits)
    near = _Near(c, k, alive)
    made: list[int] = []
    made_floats: list[np.ndarray] = []
    made_flags: list[np.ndarray] = []
    dropped: list[tuple[int, np.ndarray]] = []
    while True:
        e = queue.pop(options.ties == "random", rng)
        if e < 0:
            break
        made.append(e)
        made_floats.append(st.floats[:, e].copy())
        made_flags.append(st.flags[:, e].copy())
        order = len(made)
        Ie, Je, Pe, Qe = int(c.i[e]), int(c.j[e]), int(c.p[e]), int(c.q[e])
        y_i, y_j = float(st["y_i"][e]), float(st["y_j"][e])
        # what the demanders' other exchanges now know of (X8, X9)
        ctx.record(Je, Qe, Ie, float(ctx.x[Ie, Qe]), y_i)
        ctx.record(Ie, Pe, Je, float(ctx.x[Je, Pe]), y_j)
        supply_keys = (Ie * k + Qe, Je * k + Pe)
        demand_keys = (Je * k + Qe, Ie * k + Pe)
        touched = [*map(near.supplies, supply_keys), *map(near.demands, demand_keys)]
        if not ctx.local:  # every exchange on the two issues sees the outcomes move
            touched += [near.on_issue(Pe), near.on_issue(Qe)]
        rows = np.concatenate(touched)
        rows = np.unique(rows[alive[rows]])
        if not len(rows):
            continue
        si = c.i[rows] * k + c.q[rows]
        sj = c.j[rows] * k + c.p[rows]
        shared_i = (si == supply_keys[0]) | (si == supply_keys[1])
        shared_j = (sj == supply_keys[0]) | (sj == supply_keys[1])
        st["cur_i"][rows] = np.where(
            si == supply_keys[0], y_i, np.where(si == supply_keys[1], y_j, st["cur_i"][rows])
        )
        st["cur_j"][rows] = np.where(
            sj == supply_keys[0], y_i, np.where(sj == supply_keys[1], y_j, st["cur_j"][rows])
        )
        for side, shared in (("i", shared_i), ("j", shared_j)):
            # a side that was moved keeps its last move in its history (X7)
            frozen = rows[shared]
            last = st[f"last_{side}"][frozen]
            st[f"fsum_{side}"][frozen] += last
            st[f"fmin_{side}"][frozen] = np.minimum(st[f"fmin_{side}"][frozen], last)
            st[f"fmax_{side}"][frozen] = np.maximum(st[f"fmax_{side}"][frozen], last)
        _calculate(ctx, c, st, rows)
        st["computed_after"][rows] = order
        valid = st["valid"][rows]
        gone = rows[~valid]
        if len(gone):
            gone = queue.in_list_order(gone)
            dropped.append((order, gone))
            queue.drop(gone)
        kept = rows[valid]
        queue.update(kept, st["gain"][kept])
        if queue.crowded():
            queue.rebuild()
            near.rebuild(alive)
    if made:
        done = (np.array(made), np.column_stack(made_floats), np.column_stack(made_flags))
    else:
        done = (np.empty(0, dtype=np.int64), st.floats[:, :0].copy(), st.flags[:, :0].copy())
    gone = np.concatenate([ids for _, ids in dropped]) if dropped else np.empty(0, np.int64)
    after = np.concatenate([np.full(len(ids), order) for order, ids in dropped] or [gone])
    # (a candidate is dropped once: its last state is its state when dropped)
    return done, (gone, after, st.floats[:, gone], st.flags[:, gone])


def _rounded(gain: np.ndarray, digits: int | None) -> np.ndarray:
    """Gains rounded to ``digits`` decimals as numpy's ``round`` does (multiply, round half
    to even, divide), spelled out so that the compiled kernel does exactly the same."""
    if digits is None:
        return gain.copy()
    f = 10.0**digits
    rounded: np.ndarray = np.rint(gain * f) / f
    return rounded


def _execute_compiled(kernel: Any, ctx: _Context, c: _Cands, st: _State) -> tuple[_Made, _Drops]:
    """:func:`_execute` in the compiled kernel (list-order ties), the same results."""
    nothing3, nothing2, nothing1 = np.empty((1, 1, 1)), np.empty((1, 1)), np.empty(1)
    local = ctx.local
    assert c.fixed is not None
    floats, flags = np.ascontiguousarray(st.floats.T), np.ascontiguousarray(st.flags.T)
    digits = ctx.options.tie_digits
    out = kernel.execute(
        c.i, c.j, c.p, c.q, np.ascontiguousarray(c.fixed.T), floats, flags, ctx.x, ctx.w,
        ctx.base,
        ctx.records if local else nothing3, ctx.shifted if local else nothing2,
        nothing2 if local else ctx.latest, nothing1 if local else ctx.moved,
        local, ctx.options.merge == "nearer-start", ctx.options.outcome_cap,
        float(ctx.options.min_gain), -1 if digits is None else digits,
    )  # fmt: skip
    exec_ids, exec_F, exec_B, _, drop_ids, drop_after, drop_F, drop_B, _ = out
    st.floats[...] = floats.T
    st.flags[...] = flags.T
    return (exec_ids, exec_F, exec_B), (drop_ids, drop_after, drop_F, drop_B)


# --- records ----------------------------------------------------------------------------------


def _made(
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    c: Candidates,
    ids: np.ndarray,
    state: dict[str, np.ndarray],
) -> list[Exchange]:
    """The exchanges made, in order (``ids``, and their state when made, by name), with
    every actor's externality (§3.10), on 0-100 (``x`` the round's start)."""
    F = {name: state[name] for name in _FLOATS}
    B = {name: state[name] for name in _FLAGS}
    I, J, P, Q = c.i[ids], c.j[ids], c.p[ids], c.q[ids]  # noqa: E741
    xp, xq, sp, sq = x[:, P].T, x[:, Q].T, s[:, P].T, s[:, Q].T  # (made, actors)
    value = sp * (np.abs(F["o0_j"][:, None] - xp) - np.abs(F["o1_j"][:, None] - xp)) + sq * (
        np.abs(F["o0_i"][:, None] - xq) - np.abs(F["o1_i"][:, None] - xq)
    )
    both = ((w[:, P] > 0) & (w[:, Q] > 0)).T
    externalities = np.where(both, value, 0.0)
    externalities.flags.writeable = False
    order = np.arange(1, len(ids) + 1)
    recalculated = (F["computed_after"] > 0) & (F["computed_after"] >= order - 1)
    col = {name: values.tolist() for name, values in (*F.items(), *B.items())}
    I_, J_, P_, Q_ = I.tolist(), J.tolist(), P.tolist(), Q.tolist()
    sIq, sIp, sJp, sJq = s[I, Q].tolist(), s[I, P].tolist(), s[J, P].tolist(), s[J, Q].tolist()
    cI, cJ = (w[I, Q] / s[I, Q]).tolist(), (w[J, P] / s[J, P]).tolist()
    xIq, xJp, xJq, xIp = x[I, Q].tolist(), x[J, P].tolist(), x[J, Q].tolist(), x[I, P].tolist()
    kinds = c.kind[ids].tolist()
    out = []
    for n in range(len(ids)):
        i = Side(
            I_[n], Q_[n], P_[n], sIq[n], sIp[n], cI[n], xIq[n], col["cur_i"][n],
            col["last_i"][n], col["y_i"][n], xJq[n], col["o0_i"][n], col["o1_i"][n],
            col["capped_i"][n], col["ever_i"][n],
        )  # fmt: skip
        j = Side(
            J_[n], P_[n], Q_[n], sJp[n], sJq[n], cJ[n], xJp[n], col["cur_j"][n],
            col["last_j"][n], col["y_j"][n], xIp[n], col["o0_j"][n], col["o1_j"][n],
            col["capped_j"][n], col["ever_j"][n],
        )  # fmt: skip
        out.append(
            Exchange(
                order=n + 1,
                i=i,
                j=j,
                gain=col["gain"][n],
                valid=col["valid"][n],
                pair=(P_[n], Q_[n]),
                groups=("a", "d") if kinds[n] == 0 else ("b", "c"),
                recalculated=bool(recalculated[n]),
                externalities=externalities[n],
            )
        )
    return out


def _exchange(
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    c: _Cands | Candidates,
    row: dict[str, Any],
    r: int,
    order: int,
) -> Exchange:
    """Candidate ``r`` in the state ``row`` as an :class:`Exchange` (not made: ``order`` 0,
    no externalities), on 0-100."""
    I, J, P, Q = int(c.i[r]), int(c.j[r]), int(c.p[r]), int(c.q[r])  # noqa: E741
    i = Side(
        I, Q, P, float(s[I, Q]), float(s[I, P]), float(w[I, Q] / s[I, Q]), float(x[I, Q]),
        float(row["cur_i"]),
        float(row["last_i"]), float(row["y_i"]), float(x[J, Q]), float(row["o0_i"]),
        float(row["o1_i"]), bool(row["capped_i"]), bool(row["ever_i"]),
    )  # fmt: skip
    j = Side(
        J, P, Q, float(s[J, P]), float(s[J, Q]), float(w[J, P] / s[J, P]), float(x[J, P]),
        float(row["cur_j"]),
        float(row["last_j"]), float(row["y_j"]), float(x[I, P]), float(row["o0_j"]),
        float(row["o1_j"]), bool(row["capped_j"]), bool(row["ever_j"]),
    )  # fmt: skip
    return Exchange(
        order=order,
        i=i,
        j=j,
        gain=float(row["gain"]),
        valid=bool(row["valid"]),
        pair=(P, Q),
        groups=("a", "d") if int(c.kind[r]) == 0 else ("b", "c"),
        recalculated=bool(row["computed_after"]) and row["computed_after"] >= order - 1,
    )


def classify(
    exchange: Exchange, groups: dict[tuple[int, int], dict[str, tuple[int, ...]]]
) -> tuple[str, ...]:
    """Each actor's kind of externality from an executed exchange (§3.10): ``own`` for the
    partners, else ``inner`` (in one of the partners' two groups of the issue pair) or
    ``outer``, and ``_positive`` or ``_negative`` (zero counts as negative, as in DECIDE)."""
    if exchange.externalities is None:
        return ()
    members = groups[exchange.pair]
    inner = set(members[exchange.groups[0]]) | set(members[exchange.groups[1]])
    kinds = []
    for actor, value in enumerate(exchange.externalities.tolist()):
        if actor in (exchange.i.actor, exchange.j.actor):
            kinds.append("own")
        else:
            where = "inner" if actor in inner else "outer"
            kinds.append(f"{where}_{'positive' if value > 0 else 'negative'}")
    return tuple(kinds)


def dropped_exchanges(
    result: RoundResult, x: np.ndarray, s: np.ndarray, w: np.ndarray
) -> list[Dropped]:
    """The round's dropped candidates, in the order they were dropped."""
    out = []
    for after, ids, state in result.dropped:
        for n, r in enumerate(ids.tolist()):
            row = {name: values[n] for name, values in state.items()}
            out.append(Dropped(after, _exchange(x, s, w, result.candidates, row, r, 0)))
    return out


def candidate_exchanges(result: RoundResult, s: np.ndarray, w: np.ndarray) -> list[Exchange]:
    """The round's valid candidates as first computed, highest gain first (ties in list
    order)."""
    cand = result.candidates
    valid = np.flatnonzero(cand.state["valid"])
    order = valid[np.argsort(-cand.state["gain"][valid], kind="stable")]
    out = []
    for r in order.tolist():
        row = {name: values[r] for name, values in cand.state.items()}
        out.append(_exchange(result.start, s, w, cand, row, r, 0))
    return out
