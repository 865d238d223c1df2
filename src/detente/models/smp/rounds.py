"""Turns of the Spatial Model of Politics as a generator of immutable states.

One turn (KTAB's ``SMPState::doBCN``; ``shared/reference/ktab-smp.md`` §2.6):

1. Assess the state: distances from ideals, risk attitudes from a risk-neutral PCE (§2.2), every
   actor's perspective on every actor's risk attitude.
2. Each actor picks its most advantageous target, if any (§2.5, §2.6 step 1).
3. Each initiator proposes a bargain to its target (§2.6 step 2).
4. Each actor's queue (its status quo and every bargain it is party to) is resolved by a PCE
   over the bargains, voted by every actor's capability (§2.6 steps 3-4).
5. Ideals move toward the new positions through the accommodation matrix (§2.6 step 5).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from detente.models.smp import steps
from detente.models.smp.options import SmpOptions

__all__ = ["Assessment", "Bargain", "Move", "SmpState", "assess", "rounds", "to_unit"]


@dataclass(frozen=True)
class Bargain:
    """A proposed bargain: new positions for its initiator and receiver (scenario scale).

    ``view`` is whose estimate built it (``initiator``, ``receiver`` or ``compromise``);
    ``p_init`` the probability of the initiator winning used to build it; ``gain`` the
    initiator's expected gain from challenging the receiver, which made it pick the target.
    """

    id: int
    initiator: int
    receiver: int
    init_position: tuple[float, ...]
    rcvr_position: tuple[float, ...]
    view: str
    p_init: float
    gain: float


@dataclass(frozen=True)
class Move:
    """An actor's change of position in a turn, and the bargain that caused it.

    ``partner`` is the other party to the bargain; ``initiated`` whether the mover proposed it.
    ``old`` and ``new`` are positions on every issue (scenario scale).
    """

    mover: int
    partner: int
    bargain: int
    initiated: bool
    probability: float
    old: tuple[float, ...]
    new: tuple[float, ...]


@dataclass(frozen=True)
class SmpState:
    """The model after a turn (turn 0: the input), with what produced it.

    Attributes
    ----------
    round
        Turn number; 0 is the starting state.
    positions, ideals
        (n, k) on the scenario's scales.
    probability
        Each actor's position's PCE probability from the actors' own perspectives (KTAB's
        "History of actors' winning probabilities"; actors sharing a position share it).
    unique, unique_probability
        The distinct positions (indices of the first actor holding each) and their
        probabilities (these sum to 1).
    risk
        Each actor's risk attitude R inferred in this state.
    mean
        Per issue, the capability x salience weighted mean of the positions.
    most_probable
        Per issue, the most probable position.
    bargains
        The bargains proposed in the turn that led here (empty in turn 0).
    chosen
        Per actor, the id of the bargain its queue chose (-1: its status quo).
    queues
        Per actor, its queue: the bargain ids (-1 for the status quo) and their probabilities.
    moves
        The actors whose position changed, and why.
    change
        Sum over actors of the distance moved this turn (0-1 scale; KTAB's ``stateDist``).
    fractional_change
        ``change`` over the first turn's (plus ``min_sig_delta``): the stopping statistic.
    """

    round: int
    positions: np.ndarray
    ideals: np.ndarray
    probability: np.ndarray
    unique: np.ndarray
    unique_probability: np.ndarray
    risk: np.ndarray
    mean: np.ndarray
    most_probable: np.ndarray
    bargains: tuple[Bargain, ...] = ()
    chosen: np.ndarray | None = None
    queues: tuple[tuple[tuple[int, ...], tuple[float, ...]], ...] = ()
    moves: tuple[Move, ...] = field(default=())
    change: float | None = None
    fractional_change: float | None = None

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False


@dataclass(frozen=True)
class Assessment:
    """What a state implies (§2.2), on the 0-1 scale: KTAB's ``setAllAUtil`` and ``pDist``."""

    d: np.ndarray  # d[i, j]: distance from i's ideal to j's position
    risk: np.ndarray
    own: np.ndarray  # own[i, j] = U[i](i, j): i's utility of j's position, its own R
    unique: np.ndarray
    unique_probability: np.ndarray
    probability: np.ndarray


def to_unit(
    c: np.ndarray, X: np.ndarray, S: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs on KTAB's scale: positions on [0, 1] per issue; saliences summing to at most 1.

    KTAB refuses an actor whose saliences sum to more than 1 (100 %); here such an actor's
    saliences are divided by their sum, keeping their proportions.
    """
    span = np.where(hi > lo, hi - lo, 1.0)
    x = (X - lo) / span
    total = np.sum(S, axis=1, keepdims=True)
    s = np.where(total > 1.0, S / np.where(total > 1.0, total, 1.0), S)
    return np.asarray(c, dtype=float), x, s


def assess(
    c: np.ndarray, x: np.ndarray, q: np.ndarray, s: np.ndarray, options: SmpOptions
) -> Assessment:
    """Distances, risk attitudes and position probabilities of a state (§2.2, §2.8)."""
    d = steps.distances(q, x, s)
    neutral = steps.utility(d, 0.0)
    p_all = steps.scalar_pce(
        neutral, c, options.VotingRule, options.VictoryProbModel, options.PCEModel
    )
    risk = steps.risk_from_probabilities(p_all, options.BigRRange)
    own = steps.utility(d, risk[:, None])
    unique, same = steps.unique_positions(x, options.pos_tol)
    p_unique, p_actor = steps.position_probabilities(
        own, c, unique, same, vp_model=options.VictoryProbModel, pce_model=options.PCEModel
    )
    return Assessment(d, risk, own, unique, p_unique, p_actor)


def rounds(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    options: SmpOptions | None = None,
    accommodation: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> Iterator[SmpState]:
    """Yield the starting state, then one state per turn, without end.

    Parameters
    ----------
    c, X, S
        Capabilities (n), positions (n x k, scenario scale) and saliences (n x k, 0-1).
    lo, hi
        Each issue's scale.
    options
        :class:`SmpOptions` (default: KTAB's defaults).
    accommodation
        The n x n ideal-accommodation matrix (default: identity, KTAB's "cynical" model).
    rng
        Generator for ``StateTransitions="Stochastic"``: each turn spawns one child generator
        per actor's queue, so a queue's draw does not depend on the others.
    """
    options = options or SmpOptions()
    c, x, s = to_unit(c, np.asarray(X, float), np.asarray(S, float), lo, hi)
    n = len(c)
    span = np.where(hi > lo, hi - lo, 1.0)
    A = np.eye(n) if accommodation is None else np.asarray(accommodation, dtype=float)
    identity = bool(np.array_equal(A, np.eye(n)))
    if options.StateTransitions == "Stochastic" and rng is None:
        rng = np.random.default_rng()
    weight = np.sum(s, axis=1) * c  # S_i c_i: weight in challenges
    total_salience = np.sum(s, axis=1)
    q = x.copy()
    here = assess(c, x, q, s, options)
    yield _state(0, c, x, q, s, lo, span, here)
    first: float | None = None
    next_id = 0
    turn = 0
    while True:
        turn += 1
        target, p_win, gain = steps.best_targets(
            here.d,
            here.risk,
            weight,
            total_salience,
            big_r_adjust=options.BigRAdjust,
            rule=options.VotingRule,
            commit=options.ThirdPartyCommit,
        )
        init, rcvr, pos_i, pos_r, view, p_used, gains = _propose(
            target, p_win, gain, x, s, c, total_salience, here, weight, options
        )
        ids = np.arange(next_id, next_id + len(init))
        next_id += len(init)
        new_x, chosen, queues, probs = _resolve(
            c, x, s, here, init, rcvr, pos_i, pos_r, options, rng
        )
        new_q = new_x.copy() if identity else _new_ideals(A, new_x, q)
        change = float(np.sum(np.sqrt(np.sum((new_x - x) ** 2, axis=1))))
        if first is None:
            first = change
        fractional = change / (first + options.min_sig_delta)
        # the records of the turn, converted to Python numbers a whole array at a time
        # (tolist gives the floats float() gives, without a numpy scalar per value)
        bargains = tuple(
            Bargain(
                id=b_id,
                initiator=b_init,
                receiver=b_rcvr,
                init_position=tuple(at_i),
                rcvr_position=tuple(at_r),
                view=b_view,
                p_init=b_p,
                gain=b_gain,
            )
            for b_id, b_init, b_rcvr, at_i, at_r, b_view, b_p, b_gain in zip(
                ids.tolist(),
                init.tolist(),
                rcvr.tolist(),
                (lo + span * pos_i).tolist(),
                (lo + span * pos_r).tolist(),
                view,
                p_used.tolist(),
                gains.tolist(),
                strict=True,
            )
        )
        movers = np.nonzero(np.any(new_x != x, axis=1))[0]
        by = chosen[movers]
        initiated = init[by] == movers
        moves = [
            Move(
                mover=k,
                partner=partner,
                bargain=bargain,
                initiated=own,
                probability=p,
                old=tuple(old),
                new=tuple(new),
            )
            for k, partner, bargain, own, p, old, new in zip(
                movers.tolist(),
                np.where(initiated, rcvr[by], init[by]).tolist(),
                ids[by].tolist(),
                initiated.tolist(),
                probs[movers].tolist(),
                (lo + span * x[movers]).tolist(),
                (lo + span * new_x[movers]).tolist(),
                strict=True,
            )
        ]
        x, q = new_x, new_q
        here = assess(c, x, q, s, options)
        chosen_ids = np.where(chosen >= 0, ids[np.maximum(chosen, 0)] if len(ids) else -1, -1)
        yield _state(
            turn,
            c,
            x,
            q,
            s,
            lo,
            span,
            here,
            bargains=bargains,
            chosen=chosen_ids,
            queues=_queues(queues, ids),
            moves=tuple(moves),
            change=change,
            fractional_change=fractional,
        )


def _queues(
    queues: list[tuple[np.ndarray, np.ndarray]], ids: np.ndarray
) -> tuple[tuple[tuple[int, ...], tuple[float, ...]], ...]:
    """Each queue's bargain ids (-1: the status quo) and probabilities, as Python numbers."""
    names = ids.tolist()
    done: dict[int, tuple[tuple[int, ...], tuple[float, ...]]] = {}  # by id: shared queues
    out = []
    for queue, p in queues:
        key = id(queue)
        if key not in done:
            named = tuple(names[b] if b >= 0 else -1 for b in queue.tolist())
            done[key] = (named, tuple(p.tolist()))
        out.append(done[key])
    return tuple(out)


def _state(
    turn: int,
    c: np.ndarray,
    x: np.ndarray,
    q: np.ndarray,
    s: np.ndarray,
    lo: np.ndarray,
    span: np.ndarray,
    here: Assessment,
    **extra: object,
) -> SmpState:
    w = c[:, None] * s
    total = np.sum(w, axis=0)
    mean01 = np.where(
        total > 0, np.sum(w * x, axis=0) / np.where(total > 0, total, 1.0), x.mean(axis=0)
    )
    best = here.unique[int(np.argmax(here.unique_probability))]
    return SmpState(
        round=turn,
        positions=lo + span * x,
        ideals=lo + span * q,
        probability=here.probability,
        unique=here.unique,
        unique_probability=here.unique_probability,
        risk=here.risk,
        mean=lo + span * mean01,
        most_probable=lo + span * x[best],
        **extra,  # type: ignore[arg-type]
    )


def _propose(
    target: np.ndarray,
    p_win: np.ndarray,
    gain: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    c: np.ndarray,
    total_salience: np.ndarray,
    here: Assessment,
    weight: np.ndarray,
    options: SmpOptions,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """The bargains of this turn, in initiator order (§2.6 step 2, ``BargnModel``)."""
    i = np.nonzero(target >= 0)[0]
    j = target[i]
    p = p_win[i]
    g = gain[i]
    method = options.InterVecBrgn
    mine_i, mine_j = steps.interpolate(x[i], s[i], p, x[j], s[j], 1 - p, method)
    model = options.BargnModel
    if model == "InitOnlyInterp":
        return i, j, mine_i, mine_j, ["initiator"] * len(i), p, g
    # j's estimate, as KTAB computes it: the second value of probEduChlg(j, i, i, j), which is
    # j's estimate of i's expected *gain*, not of i's chance (§ "Inferred behaviour" in the docs)
    _, p_j = steps.challenge(
        j,
        i,
        i,
        j,
        d=here.d,
        r=here.risk,
        weight=weight,
        total_salience=total_salience,
        big_r_adjust=options.BigRAdjust,
        rule=options.VotingRule,
        commit=options.ThirdPartyCommit,
    )
    theirs_i, theirs_j = steps.interpolate(x[i], s[i], p_j, x[j], s[j], 1 - p_j, method)
    if model == "InitRcvrInterp":
        init = np.repeat(i, 2)
        rcvr = np.repeat(j, 2)
        pos_i = np.stack([mine_i, theirs_i], axis=1).reshape(-1, x.shape[1])
        pos_j = np.stack([mine_j, theirs_j], axis=1).reshape(-1, x.shape[1])
        views = [v for _ in range(len(i)) for v in ("initiator", "receiver")]
        p_used = np.stack([p, p_j], axis=1).ravel()
        return init, rcvr, pos_i, pos_j, views, p_used, np.repeat(g, 2)
    # PWCompInterp: KTAB weights both bargains by the initiator's capability (its
    # brgnJIJ->actInit is i), times the initiator's and the receiver's total salience
    wi = (c[i] * total_salience[i])[:, None]
    wj = (c[i] * total_salience[j])[:, None]
    pos_i = (wi * mine_i + wj * theirs_i) / (wi + wj)
    pos_j = (wi * mine_j + wj * theirs_j) / (wi + wj)
    return i, j, pos_i, pos_j, ["compromise"] * len(i), p, g


def _resolve(
    c: np.ndarray,
    x: np.ndarray,
    s: np.ndarray,
    here: Assessment,
    init: np.ndarray,
    rcvr: np.ndarray,
    pos_i: np.ndarray,
    pos_r: np.ndarray,
    options: SmpOptions,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Each actor's queue resolved by a PCE over its bargains (§2.6 steps 3-4).

    Returns the new positions, each actor's chosen bargain (-1: status quo), each queue (bargain
    indices with -1 for the status quo, and probabilities) and the chosen bargain's probability.
    """
    n = len(c)
    nb = len(init)
    u_b = steps.bargain_utilities(here.own, x, s, here.risk, init, rcvr, pos_i, pos_r)
    u_sq = np.sum(here.own, axis=1) / n
    # queue k: its status quo first, then its bargains in the order they were proposed
    member = np.zeros((n, nb), dtype=bool)
    if nb:
        member[init, np.arange(nb)] = True
        member[rcvr, np.arange(nb)] = True
    sizes = member.sum(axis=1) + 1
    chosen = np.full(n, -1)
    chosen_p = np.ones(n)
    queues: list[tuple[np.ndarray, np.ndarray]] = [(np.array([-1]), np.ones(1))] * n
    children = rng.spawn(n) if options.StateTransitions == "Stochastic" and rng is not None else []
    for size in np.unique(sizes):
        group = np.nonzero(sizes == size)[0]
        if size == 1:
            continue  # only the status quo: nothing to decide
        # each queue's bargains in the order they were proposed (a row's nonzeros, in order)
        members = np.nonzero(member[group])[1].reshape(len(group), size - 1)
        u = np.empty((len(group), n, size))
        u[:, :, 0] = u_sq[None, :]
        u[:, :, 1:] = np.moveaxis(u_b[:, members], 1, 0)
        p = steps.scalar_pce(u, c, options.VotingRule, options.VictoryProbModel, options.PCEModel)
        labels = np.concatenate([np.full((len(group), 1), -1), members], axis=1)
        if options.StateTransitions == "Stochastic":
            picks = np.empty(len(group), dtype=np.intp)
            for g, k in enumerate(group):
                cum = np.cumsum(p[g])
                draw = np.searchsorted(cum, children[k].random(), side="right")
                picks[g] = min(int(draw), size - 1)
        else:
            picks = np.argmax(p, axis=1)
        rows = np.arange(len(group))
        chosen[group] = labels[rows, picks]
        chosen_p[group] = p[rows, picks]
        for g, actor in enumerate(group.tolist()):
            queues[actor] = (labels[g], p[g])
    new_x = x.copy()
    movers = np.nonzero(chosen >= 0)[0]
    b = chosen[movers]
    new_x[movers] = np.where((init[b] == movers)[:, None], pos_i[b], pos_r[b])
    return new_x, chosen, queues, chosen_p


def _new_ideals(A: np.ndarray, x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``q_i <- sum_j a_ij x_j + (1 - sum_j a_ij) q_i`` (``SMPState::newIdeals``, §2.6 step 5)."""
    lag = 1.0 - np.minimum(1.0, A.sum(axis=1))
    return np.asarray(A @ x + lag[:, None] * q)
