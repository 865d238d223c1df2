"""Running a trajectory to its end: the one stopping rule every caller of a dynamic model uses.

A dynamic model's trajectory (:mod:`detente.models.contract`) yields rounds until its own round
limit, and marks each round :attr:`~detente.models.contract.Round.settled` when its stopping
rule holds (the expected utility model: a median that has stopped moving; KTAB's SMP: a turn
that moved positions little compared with the first). :func:`run` consumes a trajectory:

1. Round 0 is the inputs; its forecast is the forecast of a run that never moves.
2. Before round t, if a timeline event falls on round t, its new inputs are sent in.
3. After round t, every run (and issue) that has not stopped takes round t's forecast; one
   whose stopping rule holds stops there, unless an event is still to come (a run may not
   stop before its last event).
4. When every run has stopped, or the trajectory ends at its round limit, the run is over.
   Runs that never stopped are *unsettled*: their forecast is the last round's.

A model without a stopping rule (``settled`` is None, e.g. the expected utility model with
``stop="fixed"``) runs to its round limit and is never unsettled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from detente.models.contract import Changed, Round, Trajectory

__all__ = ["Event", "Path", "run"]

#: Builds the inputs of a timeline event from the last round (its positions, its actors).
Event = Callable[[Round], Changed]


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Path:
    """A trajectory run to its end.

    ``rounds`` are the rounds run (without the models' detail; empty unless kept), ``last``
    the final round, ``forecast`` (..., k) each run's forecast, ``settled`` (..., k) whether
    each run stopped by its model's rule (None for a model without one).
    """

    rounds: tuple[Round, ...]
    last: Round
    forecast: np.ndarray
    settled: np.ndarray | None

    @property
    def unsettled(self) -> int:
        """How many runs (and issues) reached the round limit without settling."""
        return 0 if self.settled is None else int(np.size(self.settled) - np.sum(self.settled))


def run(
    trajectory: Trajectory,
    *,
    events: Mapping[int, Event] | None = None,
    keep: bool = True,
    slim: bool = True,
    stop: bool = True,
) -> Path:
    """Consume ``trajectory`` by the rule above.

    Parameters
    ----------
    trajectory
        A dynamic model's generator of rounds, not yet started.
    events
        Round number -> the event happening before that round (round 1 or later; events at
        round 0 are the caller's to apply to the inputs before starting).
    keep
        Keep every round in :attr:`Path.rounds`; a Monte Carlo batch keeps only the last.
    slim
        Drop the models' detail from the rounds kept (what a stored path keeps).
    stop
        Apply the stopping rule; without it every round up to the model's limit is run (for
        analyses that look at every round), and ``forecast`` is the last round's.
    """
    events = dict(events or {})
    hold = max(events, default=0)
    state = next(trajectory)
    kept = [state.slim() if slim else state] if keep else []
    forecast = np.array(state.forecast, dtype=float)
    stopped: np.ndarray | None = None
    while True:
        t = state.round + 1
        changed = events[t](state) if t in events else None
        try:
            state = trajectory.send(changed)
        except StopIteration:
            break
        if keep:
            kept.append(state.slim() if slim else state)
        if state.settled is None or not stop:
            forecast = np.array(state.forecast, dtype=float)
            continue
        if stopped is None:
            stopped = np.zeros(np.shape(state.settled), dtype=bool)
        forecast = np.where(stopped, forecast, state.forecast)
        if t >= hold:
            stopped = stopped | state.settled
        if stopped.all():
            trajectory.close()
            break
    return Path(tuple(kept), state, forecast, stopped)
