"""The exchange model of voting positions (Stokman & Van Oosten 1994; equal gain), in rounds.

Actors care about several issues, unequally. Two actors on opposite sides of the expected
outcome on two issues can each give ground on the issue they care about relatively less (their
*supply* issue) in return for the other's ground on the issue they care about more (their
*demand* issue). What moves is the *voting position*; the outcome forecast is the capability x
salience weighted mean of voting positions. The rate of exchange gives both partners the same
gain in utility (*equal gain*), utility being linear in the distance to the outcome. Exchanges
are made one at a time, the most profitable first; each moves the outcome for third parties too
(*externalities*). Between rounds, an actor that supplied moves its own preference part of the
way to its voting position, and the procedure repeats (Decide's multi-round dynamic).

Algorithm (one round; ``shared/reference/exchange/README.md`` §3, implemented in
:mod:`detente.models.exchange.rounds`)
----------------------------------------------------------------------------------------
1. The expected outcome of every issue: the capability x salience weighted mean (§3.1).
2. For every pair of issues, the actors on opposite sides of both outcomes: every pair of
   them is a candidate, oriented so that each demands the issue it holds relatively more
   salient (§3.2-3.3).
3. Each candidate's shifts: one partner moves all the way to the other, the other as far as
   equal gain asks, never past its partner (§3.4); an outcome carried past the demander is cut
   back to it (§3.5).
4. The most profitable candidate is made; every candidate sharing an actor-issue with it is
   computed again, and dropped if it no longer holds; repeat until none is left (§3.6).
5. Voting positions are the last made shift of each actor-issue; their weighted mean is the
   round's forecast (§3.7). Each supplying actor-issue's preference moves
   ``0.1 + 0.4 (1 - salience)`` of the way to its voting position (§3.8).

Every ambiguity of the published model is an option (:class:`ExchangeOptions`, X1-X19 of the
reference), with the choice of DECIDE, the open implementation the golden vectors come from, as
its default. Capability is the actor's, as in the papers (DECIDE allows one per actor-issue);
an actor-issue of salience 0 takes no part in exchanges on that issue.

References
----------
Stokman, F. N. & Van Oosten, R. (1994). The exchange of voting positions: an object-oriented
model of policy networks. In B. Bueno de Mesquita & F. N. Stokman (eds.), *European Community
Decision Making*, Yale UP, 105-127.
Dijkstra, J., Van Assen, M. & Stokman, F. (2008). Outcomes of collective decisions with
externalities predicted. *Journal of Theoretical Politics* 20(4).
DECIDE, ``foarsitter/decide-exchange-model`` (GPL-3.0), the behaviour reproduced here; no code
of it is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente._rng import generator
from detente.models.contract import Changed, Move, Round, Trajectory, possessive, scales
from detente.models.exchange.options import ExchangeOptions
from detente.models.exchange.rounds import (
    Dropped,
    Exchange,
    RoundResult,
    Side,
    classify,
    exchange_round,
    weighted_mean,
)
from detente.models.registry import ModelInfo, register

__all__ = [
    "Dropped",
    "Exchange",
    "ExchangeMove",
    "ExchangeOptions",
    "ExchangeRound",
    "RoundResult",
    "Side",
    "classify",
    "exchange_round",
    "trajectory",
]


@dataclass(frozen=True)
class ExchangeMove(Move):
    """One half of an exchange: the mover gives ground on its supply issue (the only issue
    whose position changes) in return for the partner's ground on its demand issue."""

    order: int = 0
    supply: int = -1
    demand: int = -1
    gain: float = 0.0
    supply_from: float = 0.0
    supply_to: float = 0.0
    partner_from: float = 0.0
    partner_to: float = 0.0
    capped: bool = False

    def reason(self, labels: Sequence[str]) -> str:
        return self.reason_named(labels, ())

    def reason_named(self, labels: Sequence[str], issues: Sequence[str]) -> str:
        def issue(j: int) -> str:
            return issues[j] if j < len(issues) else f"issue {j + 1}"

        cut = f"; cut so that the outcome stops at {labels[self.partner]}" if self.capped else ""
        return (
            f"exchange {self.order} with {labels[self.partner]}: gives ground on "
            f"{issue(self.supply)} ({self.supply_from:.3f} -> {self.supply_to:.3f}) "
            f"for {possessive(labels[self.partner])} on {issue(self.demand)} "
            f"({self.partner_from:.3f} -> "
            f"{self.partner_to:.3f}); each gains {self.gain:.4f}{cut}"
        )

    def explain(self, labels: Sequence[str]) -> str:
        return self.reason_named(labels, ())

    def explain_named(self, labels: Sequence[str], issues: Sequence[str]) -> str:
        return self.reason_named(labels, issues)

    def details(self) -> dict[str, Any]:
        return {
            "exchange": self.order,
            "supply_index": self.supply,
            "demand_index": self.demand,
            "gain": self.gain,
            "partner_from": self.partner_from,
            "partner_to": self.partner_to,
            "capped": self.capped,
        }


@dataclass(frozen=True, eq=False)
class ExchangeRound:
    """A round's detail: what :func:`~detente.models.exchange.rounds.exchange_round` did (on
    0-100), and the issues' scales (``lo``, ``hi``) to read it on."""

    result: RoundResult
    lo: np.ndarray
    hi: np.ndarray
    salience: np.ndarray
    weight: np.ndarray

    def on_scale(self, value: float, issue: int) -> float:
        """A position on 0-100 read on issue ``issue``'s scale."""
        return float(self.lo[issue] + (self.hi[issue] - self.lo[issue]) * value / 100)

    def classes(self, exchange: Exchange) -> tuple[str, ...]:
        """Every actor's kind of externality from ``exchange`` (``own``, ``inner_positive``...)."""
        return classify(exchange, self.result.groups)


def trajectory(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
    options: ExchangeOptions | None = None,
    rng: Any = None,
    accommodation: np.ndarray | None = None,
) -> Trajectory:
    """The model's rounds (:mod:`detente.models.contract`): round 0 the inputs, then one round
    of exchanges after another up to ``options.rounds`` (a fixed number, X14; a round that
    makes no exchange is repeated without being computed again).

    Each round's ``positions`` are the preferences the next round starts from; its
    ``forecast`` the outcome ``options.forecast`` names, and ``quantities`` both outcomes
    (``voting`` and ``preference``); its ``moves`` both halves of every exchange made, in
    order; its ``detail`` an :class:`ExchangeRound`. ``rng`` is used only with
    ``ties="random"``. ``accommodation`` does not apply (actors move by exchange only).

    Leading axes of ``c`` (..., n), ``X`` and ``S`` (..., n, k) are independent runs (Monte
    Carlo draws), run round by round side by side, each exactly as its own single run (with
    ``ties="random"``, ``rng`` is then one generator per run, flattened, or one shared by the
    runs in turn); a batch's rounds record no moves and no detail.

    Examples
    --------
    >>> import numpy as np
    >>> from detente.models.stopping import run
    >>> c = np.array([1.0, 1.0, 0.5])
    >>> X = np.array([[0.0, 0.0], [100.0, 100.0], [40.0, 60.0]])
    >>> S = np.array([[0.8, 0.2], [0.3, 0.9], [0.5, 0.5]])
    >>> path = run(trajectory(c, X, S, options=ExchangeOptions(rounds=1)))
    >>> [round(float(v), 4) for v in path.forecast]
    [14.8148, 92.5926]
    """
    options = options if options is not None else ExchangeOptions()
    c, X, S = (np.asarray(a, dtype=float) for a in (c, X, S))
    if X.ndim < 2:
        raise ValueError("exchange: positions must be n x k, with any leading axes of runs")
    low, high, _ = scales(X.shape[-1], lo, hi, status_quo)
    if X.ndim > 2:
        return (yield from _batch(c, X, S, low, high, options, rng))
    draws = generator(rng) if options.ties == "random" else None
    return (yield from _rounds(c, X, S, low, high, options, draws, record=True))


def _rounds(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    options: ExchangeOptions,
    draws: np.random.Generator | None,
    *,
    record: bool,
) -> Trajectory:
    """One run's rounds; with ``record``, each round's moves and detail as well (a batch
    records neither)."""
    span = high - low
    x = (X - low) / span * 100
    w = c[:, None] * S
    start = weighted_mean(x, w)
    both = {"voting": low + span * start / 100, "preference": low + span * start / 100}
    changed: Changed | None = yield Round(
        round=0,
        positions=X.copy(),
        forecast=both[options.forecast],
        quantities=both,
        capability=c,
        salience=S,
    )
    quiet: Round | None = None  # the last round, when it made no exchange
    for t in range(1, options.rounds + 1):
        if changed is not None:
            c, S = np.asarray(changed.c, dtype=float), np.asarray(changed.S, dtype=float)
            x = (np.asarray(changed.X, dtype=float) - low) / span * 100
            w = c[:, None] * S
            quiet = None
        if quiet is not None:
            changed = yield Round(
                round=t,
                positions=quiet.positions.copy(),
                forecast=quiet.forecast.copy(),
                quantities=dict(quiet.quantities),
                detail=quiet.detail,
                capability=c,
                salience=S,
            )
            continue
        result = exchange_round(x, w, S, options, draws)
        voting = low + span * result.voting_outcome / 100
        preference = low + span * weighted_mean(result.next, w) / 100
        both = {"voting": voting, "preference": preference}
        state = Round(
            round=t,
            positions=low + span * result.next / 100,
            forecast=both[options.forecast],
            quantities=both,
            moves=_moves(result, x, low, span) if record else (),
            detail=ExchangeRound(result, low, high, S, w) if record else None,
            capability=c,
            salience=S,
        )
        quiet = state if not len(result.made) else None
        changed = yield state
        x = result.next


def _batch(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    options: ExchangeOptions,
    rng: Any,
) -> Trajectory:
    """Independent runs over the leading axes of ``X`` (Monte Carlo draws), round by round:
    each run's numbers are those of its own single run, bit for bit (the same rounds, and
    with ``ties="random"`` the same generator: ``rng`` one generator per run, or one shared
    by the runs in turn, as :func:`detente.models.solve` shares it); no moves or details are
    recorded, as for any batch."""
    lead = X.shape[:-2]
    n, k = X.shape[-2:]
    count = int(np.prod(lead))
    cs, Xs, Ss = c.reshape(count, n), X.reshape(count, n, k), S.reshape(count, n, k)
    in_turn = False
    draws: list[np.random.Generator | None] = [None] * count
    if options.ties == "random":
        if isinstance(rng, Sequence) and not isinstance(rng, str):
            if len(rng) != count:
                raise ValueError(f"exchange: {len(rng)} generators for {count} runs")
            draws = [generator(r) for r in rng]
        else:
            draws = [generator(rng)] * count
            in_turn = True
    runs = [
        _rounds(cs[r], Xs[r], Ss[r], low, high, options, draws[r], record=False)
        for r in range(count)
    ]
    if in_turn:  # one run after another, each to its end, as the shared generator is drawn
        for together in zip(*[list(run_) for run_ in runs], strict=True):
            if (yield _stacked(together, lead)) is not None:
                raise ValueError(
                    "exchange: an event during a batch of runs with ties='random' needs one "
                    "generator per run (rng: a sequence of generators)"
                )
        return
    states = [next(run_) for run_ in runs]
    while True:
        changed = yield _stacked(states, lead)
        try:
            states = [
                run_.send(None if changed is None else _one(changed, r, count))
                for r, run_ in enumerate(runs)
            ]
        except StopIteration:  # every run has the same number of rounds
            return


def _stacked(states: Sequence[Round], lead: tuple[int, ...]) -> Round:
    """The rounds of a batch's runs as one round with the batch's leading axes."""

    def stack(values: Sequence[np.ndarray]) -> np.ndarray:
        out = np.stack(values)
        return out.reshape(*lead, *out.shape[1:])

    first = states[0]
    return Round(
        round=first.round,
        positions=stack([s.positions for s in states]),
        forecast=stack([s.forecast for s in states]),
        quantities={name: stack([s.quantities[name] for s in states]) for name in first.quantities},
        capability=stack([np.asarray(s.capability) for s in states]),
        salience=stack([np.asarray(s.salience) for s in states]),
    )


def _one(changed: Changed, r: int, count: int) -> Changed:
    """Run ``r``'s part of new inputs for a batch of ``count`` runs."""
    c, X, S = (np.asarray(a, dtype=float) for a in (changed.c, changed.X, changed.S))
    n, k = X.shape[-2:]
    return Changed(c.reshape(count, n)[r], X.reshape(count, n, k)[r], S.reshape(count, n, k)[r])


def notes(
    c: np.ndarray,
    X: np.ndarray,
    S: np.ndarray,
    *,
    lo: np.ndarray,
    hi: np.ndarray,
    status_quo: np.ndarray,
    options: ExchangeOptions | None,
    issues: tuple[str, ...],
) -> list[str]:
    """Say so when there is nothing to trade: one issue, or no actor with a stake in two."""
    if len(issues) < 2:
        return [
            f"{issues[0]}: one issue, so nothing to trade across; the exchange model's "
            "forecast is the capability x salience weighted mean of positions"
        ]
    if not np.any((np.asarray(S) > 0).sum(axis=-1) >= 2):
        return ["no actor has a stake in two issues, so nothing is traded"]
    return []


def _moves(
    result: RoundResult, x: np.ndarray, low: np.ndarray, span: np.ndarray
) -> tuple[ExchangeMove, ...]:
    """Both halves of every exchange of the round, in order, on the issues' scales (from the
    round's arrays: its :class:`Exchange` records are built only when read)."""
    ids = result.made
    if not len(ids):
        return ()
    state, cand = result.made_state, result.candidates
    rows = (low + span * x / 100).tolist()  # each actor's start, on the scales

    def scaled(value: np.ndarray, issue: np.ndarray) -> list[float]:
        out: list[float] = (low[issue] + span[issue] * value / 100).tolist()
        return out

    I, J, P, Q = cand.i[ids], cand.j[ids], cand.p[ids], cand.q[ids]  # noqa: E741
    # i supplies q (from cur_i to y_i), j supplies p (from cur_j to y_j)
    i_from, i_to = scaled(state["cur_i"], Q), scaled(state["y_i"], Q)
    j_from, j_to = scaled(state["cur_j"], P), scaled(state["y_j"], P)
    gain = state["gain"].tolist()
    capped_i, capped_j = state["capped_i"].tolist(), state["capped_j"].tolist()
    I_, J_, P_, Q_ = I.tolist(), J.tolist(), P.tolist(), Q.tolist()
    moves = []
    for n in range(len(I_)):
        halves = (
            (I_[n], J_[n], Q_[n], P_[n], i_from[n], i_to[n], j_from[n], j_to[n], capped_i[n]),
            (J_[n], I_[n], P_[n], Q_[n], j_from[n], j_to[n], i_from[n], i_to[n], capped_j[n]),
        )
        for actor, partner, e, d, before, after, other_from, other_to, capped in halves:
            old, new = list(rows[actor]), list(rows[actor])
            old[e], new[e] = before, after
            moves.append(
                ExchangeMove(
                    mover=actor,
                    partner=partner,
                    kind="exchange",
                    old=tuple(old),
                    new=tuple(new),
                    order=n + 1,
                    supply=e,
                    demand=d,
                    gain=gain[n],
                    supply_from=before,
                    supply_to=after,
                    partner_from=other_from,
                    partner_to=other_to,
                    capped=capped,
                )
            )
    return tuple(moves)


INFO = register(
    ModelInfo(
        name="exchange",
        title="Exchange model of voting positions (Stokman)",
        summary="Actors trade ground across issues at equal gain, the most profitable "
        "exchange first; forecasts the outcome of the voting positions.",
        reference="Stokman & Van Oosten (1994); Dijkstra, Van Assen & Stokman (2008); DECIDE",
        options=ExchangeOptions,
        trajectory=trajectory,
        stochastic=True,  # same rng, same result
        random_when=lambda options: options.ties == "random",
        dimensions="multi",
        batched=True,
        takes_events=True,
        joint=True,
        round_limit="rounds",
        notes=notes,
    )
)
