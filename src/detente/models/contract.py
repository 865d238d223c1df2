"""The model contract: what every model is given, and what it gives back.

Every model takes the same arrays and keyword arguments::

    c (..., n)       capabilities
    X (..., n, k)    positions on each issue's scale
    S (..., n, k)    saliences on 0-1
    lo, hi           (k,) each issue's scale (default 0 and 100)
    status_quo       (k,) NaN where an issue has none (default: no status quo)
    options          the model's options (default: its defaults)
    rng              seed or generator, for models that draw random numbers
    accommodation    (n, n) ideal-accommodation weights, or None (the identity)

Leading axes of ``c``, ``X`` and ``S`` are independent runs (Monte Carlo draws).

**Static models** give ``point(...) -> (..., k)``: one forecast per issue.

**Dynamic models** give ``trajectory(...)``: a generator of :class:`Round` values, round 0 (the
inputs) first, ending when the model's own round limit is reached. Each round says where
every actor stands, the model's point forecast, the moves that led there (each a
:class:`Move` that explains itself in words and as JSON) and whether the model's stopping rule
holds (:attr:`Round.settled`). Between two rounds the caller may ``send`` the generator new
inputs (a timeline event: :class:`Changed`); a model that cannot take them mid-run says so in
its :class:`~detente.models.registry.ModelInfo` (``takes_events=False``).
:mod:`detente.models.stopping` runs a trajectory to its end; nothing outside ``models/`` needs to
know which model it is running.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Protocol

import numpy as np

__all__ = [
    "Changed",
    "Move",
    "Perceptions",
    "PerceptionsFunction",
    "PointFunction",
    "Round",
    "Trajectory",
    "TrajectoryFunction",
    "possessive",
    "scales",
]


@dataclass(frozen=True)
class Move:
    """An actor's change of position in one round, and why.

    ``old`` and ``new`` are the mover's positions on each issue of the run (one value for a
    model run issue by issue). A model subclasses this with the facts behind its moves and says
    in :meth:`reason` why the move happened.
    """

    mover: int
    partner: int
    kind: str
    old: tuple[float, ...]
    new: tuple[float, ...]

    def reason(self, labels: Sequence[str]) -> str:
        """Why the move happened, as a sentence; ``labels`` names the actors by index."""
        return f"{self.kind} with {labels[self.partner]}"

    def explain(self, labels: Sequence[str]) -> str:
        """What happened and why, in one line."""
        return (
            f"{self.kind} with {labels[self.partner]}, {_positions(self.old)} -> "
            f"{_positions(self.new)}. {self.reason(labels)}"
        )

    def reason_named(self, labels: Sequence[str], issues: Sequence[str]) -> str:
        """:meth:`reason`, for a caller that can also name the run's issues (a move of a
        multi-issue model may mention another issue than the one it is shown on)."""
        return self.reason(labels)

    def explain_named(self, labels: Sequence[str], issues: Sequence[str]) -> str:
        """:meth:`explain`, for a caller that can also name the run's issues."""
        return self.explain(labels)

    def details(self) -> dict[str, Any]:
        """The model's own facts about the move, as JSON values (in a stable order)."""
        return {}

    def to_json(self, ids: Sequence[str]) -> dict[str, Any]:
        """The move in the JSON documents: ids for actors, ``from``/``to`` on the issue(s)."""
        one = len(self.old) == 1
        return {
            "mover": ids[self.mover],
            "kind": self.kind,
            "toward": ids[self.partner],
            **self.details(),
            "from": self.old[0] if one else list(self.old),
            "to": self.new[0] if one else list(self.new),
        }

    def on_issue(self, j: int) -> Move | None:
        """The move seen on issue ``j`` alone, or None when it did not change that issue.

        A move of a one-issue run is that issue's move, whatever its size.
        """
        if len(self.old) == 1:
            return self
        if self.old[j] == self.new[j]:
            return None
        return replace(self, old=(self.old[j],), new=(self.new[j],))


def possessive(name: str) -> str:
    """``China's``, or ``United States'`` for a name ending in s (for moves' reasons)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _positions(values: tuple[float, ...]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Round:
    """A dynamic model after one round (round 0: the inputs), for one run or a batch.

    Attributes
    ----------
    round
        0 for the starting point, then 1, 2, ...
    positions
        (..., n, k): every actor's position after the round's moves.
    forecast
        (..., k): the model's point forecast as of this round.
    settled
        (..., k) booleans: the model's stopping rule holds after this round (the run has
        settled); None when the model runs a fixed number of rounds and has no such rule.
    quantities
        Group-level figures of the round, each (..., k): a model's median, mean, most probable
        position... (names as in the tidy tables).
    moves
        The moves of the round (single runs only; a batch records none).
    detail
        The model's own state of the round (its paper-shaped quantities), for the model's own
        functions, such as its :class:`PerceptionsFunction`; other code does not read it.
    capability, salience
        (..., n) and (..., n, k): the inputs the round ran on (a timeline event builds the next
        inputs from them and from :attr:`positions`).
    """

    round: int
    positions: np.ndarray
    forecast: np.ndarray
    settled: np.ndarray | None = None
    quantities: Mapping[str, np.ndarray] = field(default_factory=dict)
    moves: tuple[Move, ...] = ()
    detail: Any = field(default=None, repr=False)
    capability: np.ndarray | None = None
    salience: np.ndarray | None = None

    def __post_init__(self) -> None:
        arrays = (self.positions, self.forecast, self.settled, *self.quantities.values())
        for value in arrays:
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def slim(self) -> Round:
        """This round without the model's detail (what a stored path keeps)."""
        return self if self.detail is None else replace(self, detail=None)


@dataclass(frozen=True, eq=False)
class Changed:
    """New inputs sent into a running trajectory (a timeline event between two rounds).

    ``c`` (..., n), ``X`` (..., n, k) and ``S`` (..., n, k) replace the model's inputs from the
    next round on; ``X`` starts from the positions the actors had reached (the caller builds
    it from the last round's positions). ``n`` may change (actors added or removed).
    """

    c: np.ndarray
    X: np.ndarray
    S: np.ndarray


#: A dynamic model's rounds: yields :class:`Round`, accepts :class:`Changed` (or None) by send.
Trajectory = Generator[Round, Changed | None, None]


class PointFunction(Protocol):
    """A static model: the contract's arrays in, one forecast per issue out, ``(..., k)``."""

    def __call__(
        self,
        c: np.ndarray,
        X: np.ndarray,
        S: np.ndarray,
        *,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
        status_quo: np.ndarray | None = None,
        options: Any = None,
        rng: Any = None,
        accommodation: np.ndarray | None = None,
    ) -> np.ndarray: ...


class TrajectoryFunction(Protocol):
    """A dynamic model: the contract's arrays in, its rounds out (see :class:`Round`)."""

    def __call__(
        self,
        c: np.ndarray,
        X: np.ndarray,
        S: np.ndarray,
        *,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
        status_quo: np.ndarray | None = None,
        options: Any = None,
        rng: Any = None,
        accommodation: np.ndarray | None = None,
    ) -> Trajectory: ...


@dataclass(frozen=True, eq=False)
class Perceptions:
    """Every actor's view of every ordered dyad in one round (a model that has dyads).

    ``seen[k, a, b]`` is a's expected utility of challenging b as actor k perceives it;
    ``own[a, b] = seen[a, a, b]``; ``objective[a, b]`` is a's expected utility of challenging
    b at a's own footing (each utility judged by its owner). ``before`` are the positions the
    round started from, ``after`` those its moves led to. For one issue and one run.

    ``seen`` holds n^3 numbers (8 GB a round at 1,000 actors), so it is made only when read:
    what an analysis needs comes in O(n^2) from ``seen_by(k)``, actor k's view (``seen[k]``),
    and ``counter``, each actor's view of its rivals' challenges (``counter[a, b] =
    seen[a, b, a]``, b's EU of challenging a as a sees it), the same numbers bit for bit.
    """

    before: np.ndarray
    after: np.ndarray
    own: np.ndarray
    objective: np.ndarray
    seen_by: Callable[[int], np.ndarray]
    counter: np.ndarray

    @cached_property
    def seen(self) -> np.ndarray:
        """Every actor's view, ``seen[k] = seen_by(k)`` (n, n, n)."""
        return np.stack([self.seen_by(k) for k in range(len(self.before))])


class PerceptionsFunction(Protocol):
    """A model's dyads: the :class:`Perceptions` behind one round of its trajectory.

    Given round ``t``'s :class:`Round` of a single run on one issue (with its detail) and the
    model's options, returns what every actor perceived when it chose the round's moves.
    """

    def __call__(self, state: Round, *, options: Any) -> Perceptions: ...


def scales(
    k: int,
    lo: np.ndarray | None = None,
    hi: np.ndarray | None = None,
    status_quo: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The contract's defaults filled in: scale ends 0 and 100, no status quo (NaN)."""
    low = np.zeros(k) if lo is None else np.asarray(lo, dtype=float)
    high = np.full(k, 100.0) if hi is None else np.asarray(hi, dtype=float)
    quo = np.full(k, np.nan) if status_quo is None else np.asarray(status_quo, dtype=float)
    return low, high, quo
