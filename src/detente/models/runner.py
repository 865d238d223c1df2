"""Any registered model on the contract's arrays: one call for static and dynamic models alike.

:func:`solve` is what every layer above ``models/`` uses to run a model. It reads the model's
:class:`~detente.models.registry.ModelInfo` (never its name) to decide how:

* a static model's ``point`` is called once, on every run at once;
* a dynamic model's trajectory is run by :func:`detente.models.stopping.run`: one issue at a
  time for a ``per-issue`` model (in issue order, drawing from the same ``rng`` in turn), all
  issues at once for a ``multi`` model; a batch of runs at once when the model is ``batched``,
  else run by run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from detente._rng import generator
from detente.errors import InputError
from detente.models.contract import Changed, Round, scales
from detente.models.registry import ModelInfo, get
from detente.models.stopping import Event, Path, run

__all__ = ["IssueEvent", "Solution", "solve"]

#: A timeline event for :func:`solve`: the last round and the scenario issues (column indexes)
#: the trajectory runs on -> the new inputs on those issues.
IssueEvent = Callable[[Round, tuple[int, ...]], Changed]


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Solution:
    """A model's forecast of every run and issue, and how it got there.

    ``values`` (..., k) is the forecast; ``settled`` (..., k) whether each dynamic run stopped
    by its model's rule (None for a static model, or a dynamic one without a rule);
    ``paths`` pairs each trajectory run (single runs with ``keep=True`` only) with the issues
    it covered.
    """

    values: np.ndarray
    settled: np.ndarray | None = None
    paths: tuple[tuple[Path, tuple[int, ...]], ...] = ()

    @property
    def unsettled(self) -> int:
        """How many runs (and issues) reached the round limit without settling."""
        return 0 if self.settled is None else int(self.settled.size - self.settled.sum())


def solve(
    model: str | ModelInfo,
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
    events: Mapping[int, IssueEvent] | None = None,
    keep: bool = False,
) -> Solution:
    """Run ``model`` on the contract's arrays (leading axes: independent runs).

    Parameters
    ----------
    model
        A registered name or its :class:`ModelInfo`.
    c, X, S, lo, hi, status_quo, options, accommodation
        As in :mod:`detente.models.contract`; ``options`` default to the model's defaults.
    rng
        A seed or generator shared by every run in turn, or a sequence of generators, one per
        run (flattened leading axes), so that a run's numbers do not depend on its batch.
    events
        Round (1 or later) -> the timeline event before it; only dynamic models that take
        events accept events (a static model takes the inputs as they are).
    keep
        Keep each trajectory's rounds (single runs only).

    Raises
    ------
    InputError
        Events for a model that cannot take them during the run.
    """
    info = model if isinstance(model, ModelInfo) else get(model)
    opts = options if options is not None else info.options()
    c, X, S = (np.asarray(a, dtype=float) for a in (c, X, S))
    k = X.shape[-1]
    lo, hi, status_quo = scales(k, lo, hi, status_quo)
    if info.point is not None:
        values = info.point(
            c,
            X,
            S,
            lo=lo,
            hi=hi,
            status_quo=status_quo,
            options=opts,
            rng=rng,
            accommodation=accommodation,
        )
        return Solution(np.asarray(values, dtype=float))
    if events and not info.takes_events:
        first = min(events)
        raise InputError(
            f"{info.name}: timeline events during the run are not supported (an event at round "
            f"{first}); {info.name} takes events only before its first round"
        )
    # slices, not index lists: a view keeps the memory layout, and with it numpy's summation order
    groups = (
        [slice(j, j + 1) for j in range(k)] if info.dimensions == "per-issue" else [slice(0, k)]
    )
    lead = X.shape[:-2]
    if lead and int(np.prod(lead)) == 0:  # no runs: nothing to run, whatever the model
        return Solution(np.empty((*lead, k)))
    if info.batched or not lead:
        runs = [((), rng)]
    else:
        per_run = _per_run(rng, int(np.prod(lead)))
        runs = list(zip(np.ndindex(lead), per_run, strict=True))
        if info.prepare is not None:
            info.prepare(len(runs), X.shape[-2])
    values = np.empty((*X.shape[:-2], k))
    settled: np.ndarray | None = None
    paths: list[tuple[Path, tuple[int, ...]]] = []
    for index, r in runs:
        shared = generator(r) if not isinstance(r, Sequence) else r
        for cols in groups:
            trajectory = info.trajectory(  # type: ignore[misc]
                c[index],
                X[index][..., cols],
                S[index][..., cols],
                lo=lo[cols],
                hi=hi[cols],
                status_quo=status_quo[cols],
                options=opts,
                rng=shared,
                accommodation=accommodation,
            )
            columns = tuple(range(k))[cols]
            path = run(trajectory, events=_bind(events, columns), keep=keep and not lead)
            values[(*index, ..., cols)] = path.forecast
            if path.settled is not None:
                if settled is None:
                    settled = np.ones(values.shape, dtype=bool)
                settled[(*index, ..., cols)] = path.settled
            if keep and not lead:
                paths.append((path, columns))
    return Solution(values, settled, tuple(paths))


def _bind(events: Mapping[int, IssueEvent] | None, cols: tuple[int, ...]) -> dict[int, Event]:
    """The events of one trajectory, told which issues it runs on."""

    def bound(event: IssueEvent) -> Event:
        return lambda state: event(state, cols)

    return {t: bound(event) for t, event in (events or {}).items() if t >= 1}


def _per_run(rng: Any, count: int) -> list[Any]:
    """One generator (or seed) per run: a sequence is split, anything else is shared."""
    if isinstance(rng, Sequence) and not isinstance(rng, str):
        if len(rng) != count:
            raise ValueError(f"rng: {len(rng)} generators for {count} runs")
        return list(rng)
    shared = generator(rng)
    return [shared] * count
