"""Advice for one actor: what to announce, whom to persuade, and what the forecast hangs on.

Rules used here (the forecast is the chosen model's, on one issue):

* *best announced position*: the focal actor's position is tried on a grid over the scale (101
  points); the best is the one whose forecast lies nearest the actor's own ideal (its current
  position), ties to the point nearest that ideal.
* *persuasion*: for every other actor, three changes are tried one at a time: move its position
  ``move`` points toward the focal actor's ideal, lower its salience by ``salience`` points,
  raise it by ``salience`` points (kept within the scales). Each is scored by how much nearer
  to the focal ideal the forecast gets.
* *sensitivity*: the forecast's change when one input of one actor changes by ``step`` (a
  position by ``step`` points of the scale, a salience by ``step`` points, a capability by
  ``step`` per cent), computed as a centred difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from detente import models
from detente.analysis._document import headed_document
from detente.analysis.dyads import check_issue, dyads_model
from detente.errors import InputError
from detente.forecasting import resolve_models
from detente.scenario.model import SALIENCE_MAX, Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ADVICE_SCHEMA", "Advice", "Lever", "Sensitivity", "advise"]

#: Version tag of :meth:`Advice.document`.
ADVICE_SCHEMA = "detente.advice/1"

#: Levers and sensitivities a notebook shows (the strongest; ``to_frame`` has them all).
SHOWN_ROWS = 8


@dataclass(frozen=True)
class Lever:
    """A change to one other actor and what it does to the forecast."""

    actor: str
    change: str
    forecast: float
    gain: float  # reduction of the distance from the forecast to the focal ideal


@dataclass(frozen=True)
class Sensitivity:
    """Change in the forecast per ``step`` of one input."""

    actor: str
    input: str
    effect: float


@dataclass(frozen=True)
class Advice:
    """Advice for ``focal`` on ``issue`` under ``model``."""

    focal: str
    issue: str
    model: str
    ideal: float
    forecast: float
    best_position: float
    best_forecast: float
    levers: tuple[Lever, ...]
    sensitivity: tuple[Sensitivity, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "focal": self.focal,
            "issue": self.issue,
            "model": self.model,
            "ideal": self.ideal,
            "forecast": self.forecast,
            "best_position": {"position": self.best_position, "forecast": self.best_forecast},
            "levers": [vars(lever) for lever in self.levers],
            "sensitivity": [vars(item) for item in self.sensitivity],
        }

    def document(self, scenario: Scenario) -> dict[str, Any]:
        """The ``detente.advice/1`` document of this advice on ``scenario``, as
        ``detente advise --json`` prints it and the workbench serves it."""
        return headed_document(ADVICE_SCHEMA, scenario, self.to_json())

    def to_frame(self) -> pd.DataFrame:
        """The advice as one tidy table, strongest first within each kind.

        Columns: ``focal``, ``issue``, ``model`` (the same on every row), ``kind``,
        ``actor``, ``change``, ``forecast`` and ``effect``. One ``announce`` row (the focal
        actor's best position to announce: ``change`` says it, ``forecast`` is the forecast
        with it, ``effect`` :attr:`announcement_gain`); a ``lever`` row per lever (``effect``
        its gain: how much nearer the focal ideal the forecast gets); a ``sensitivity`` row
        per actor and input (``change`` the input, ``forecast`` empty, ``effect`` the
        forecast's change per step).
        """
        import pandas as pd

        rows: list[tuple[str, str, str, float, float]] = [
            (
                "announce",
                self.focal,
                f"announce {self.best_position:g}",
                self.best_forecast,
                self.announcement_gain,
            )
        ]
        rows += [("lever", v.actor, v.change, v.forecast, v.gain) for v in self.levers]
        rows += [
            ("sensitivity", v.actor, v.input, float("nan"), v.effect) for v in self.sensitivity
        ]
        frame = pd.DataFrame(rows, columns=["kind", "actor", "change", "forecast", "effect"])
        frame.insert(0, "model", self.model)
        frame.insert(0, "issue", self.issue)
        frame.insert(0, "focal", self.focal)
        return frame.astype({"forecast": "float64", "effect": "float64"})

    def _repr_html_(self) -> str:
        """The advice in a notebook: the best announcement, the helpful levers and the inputs
        the forecast is most sensitive to (the strongest :data:`SHOWN_ROWS` of each)."""
        from detente import _html

        helpful = [v for v in self.levers if v.gain > 0]
        return _html.block(
            f"Advice for {self.focal} on {self.issue} ({self.model})",
            _html.line(
                f"Ideal {self.ideal:.1f}, forecast {self.forecast:.1f}; announcing "
                f"{self.best_position:.1f} gives {self.best_forecast:.1f} "
                f"({self.announcement_gain:+.1f} nearer the ideal)"
            ),
            _html.table(
                ["Actor", "Change", "Forecast", "Gain"],
                ([v.actor, v.change, v.forecast, v.gain] for v in helpful[:SHOWN_ROWS]),
                caption=f"Whom to persuade ({len(helpful)} helpful of {len(self.levers)})",
            )
            if helpful
            else _html.line("No persuasion helps"),
            _html.table(
                ["Actor", "Input", "Change of the forecast per step"],
                ([v.actor, v.input, v.effect] for v in self.sensitivity[:SHOWN_ROWS]),
                caption="Sensitivity",
                digits=2,
            ),
        )

    @property
    def announcement_gain(self) -> float:
        """How much nearer the ideal the forecast gets with the best announced position (0
        when announcing the ideal itself is best)."""
        return abs(self.forecast - self.ideal) - abs(self.best_forecast - self.ideal)


#: Elements of one n x n matrix over a chunk of variants kept near this: memory per chunk is
#: bounded, and a round's matrices (0.8 MB each) stay in the processor's cache (a chunk ten
#: times larger ran advise on 60 actors a third slower, bound by memory traffic).
_CHUNK_ELEMENTS = 100_000


def advise(
    scenario: Scenario,
    focal: str,
    *,
    model: str | None = None,
    issue: str | None = None,
    options: dict[str, Any] | None = None,
    move: float = 10.0,
    salience: float = 20.0,
    step: float = 5.0,
    grid: int = 101,
    progress: Callable[[int, int], None] | None = None,
) -> Advice:
    """Advice for actor ``focal`` (see the module's rules); every variant is one batch of runs.

    ``model`` defaults to the model of the dyad analyses (the expected utility model). The
    variants (announced positions, persuasions, sensitivity probes) run together as one batch
    over a leading axis, a chunk at a time; ``progress`` is called after each chunk with the
    variants done and their total.

    Raises
    ------
    InputError
        ``focal`` or ``issue`` is unknown, ``move``, ``salience`` or ``step`` is negative or not
        finite, or ``grid`` has fewer than 2 points.
    """
    for name, points in (("move", move), ("salience", salience), ("step", step)):
        if not (np.isfinite(points) and points >= 0):
            raise InputError(f"{name} must be a finite number of points, 0 or more, not {points}")
    if grid < 2:
        raise InputError(f"grid must have 2 points or more, not {grid}")
    if focal not in scenario.actor_ids:
        known = ", ".join(scenario.actor_ids)
        raise InputError(f"no actor '{focal}' in {scenario.id}; actors are: {known}")
    issue = check_issue(scenario, issue)
    model = model or dyads_model().name
    infos, parsed = resolve_models([model], {model: options} if options else None)
    info, opts = infos[0], parsed[model]
    j = scenario.issue_ids.index(issue)
    f = scenario.actor_ids.index(focal)
    scale = scenario.issue(issue)
    c, X, S = scenario.arrays()
    lo, hi, sq = scenario.bounds()
    accommodation = scenario.accommodation_matrix()
    ideal = float(X[f, j])
    # a model that forecasts each issue on its own is run on this issue alone
    cols = slice(j, j + 1) if info.dimensions == "per-issue" else slice(None)
    at = 0 if info.dimensions == "per-issue" else j

    def solve(cs: np.ndarray, Xs: np.ndarray, Ss: np.ndarray) -> np.ndarray:
        solution = models.solve(
            info,
            cs,
            Xs[..., cols],
            Ss[..., cols],
            lo=lo[cols],
            hi=hi[cols],
            status_quo=sq[cols],
            options=opts,
            accommodation=accommodation,
        )
        return np.asarray(solution.values)[..., at]

    # the variants of a batch are run a chunk at a time, so that memory stays bounded however
    # many actors there are (a model's round holds n x n matrices per variant)
    chunk = max(1, _CHUNK_ELEMENTS // len(c) ** 2)

    def run(cs: np.ndarray, Xs: np.ndarray, Ss: np.ndarray) -> np.ndarray:
        parts = []
        for k in range(0, len(cs), chunk):
            parts.append(solve(cs[k : k + chunk], Xs[k : k + chunk], Ss[k : k + chunk]))
            if progress is not None:
                progress(min(k + chunk, len(cs)), len(cs))
        return np.concatenate(parts) if parts else np.zeros(0)

    base = float(solve(c, X, S))

    def weighted(cs: np.ndarray, Ss: np.ndarray) -> bool:
        """Whether every issue the model sees keeps an actor with capability and salience (a
        change that leaves none has no forecast: it is no lever, and no probe)."""
        return bool(np.all(np.any((cs[:, None] > 0) & (Ss[:, cols] > 0), axis=0)))

    # (a) the position to announce
    candidates = np.linspace(scale.min, scale.max, grid)
    Xg = np.repeat(X[None], grid, axis=0)
    Xg[:, f, j] = candidates

    # (b) whom to persuade
    variants: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]] = []
    for n, actor in enumerate(scenario.actors):
        if n == f:
            continue
        toward = np.sign(ideal - X[n, j]) * min(move, abs(ideal - X[n, j]))
        for label, dx, ds in (
            (f"moves {toward:+g} toward {focal}", toward, 0.0),
            (f"salience {-salience:+g}", 0.0, -salience),
            (f"salience {salience:+g}", 0.0, salience),
        ):
            Xv, Sv = X.copy(), S.copy()
            Xv[n, j] = np.clip(X[n, j] + dx, scale.min, scale.max)
            Sv[n, j] = np.clip(S[n, j] + ds / SALIENCE_MAX, 0.0, 1.0)
            if Xv[n, j] == X[n, j] and Sv[n, j] == S[n, j]:
                continue  # the change is not possible (already at the ideal or a bound)
            if ds:  # the salience change actually possible within 0-100
                label = f"salience {(Sv[n, j] - S[n, j]) * SALIENCE_MAX:+g}"
            if weighted(c, Sv):
                variants.append((actor.id, label, c, Xv, Sv))

    # (c) sensitivity to each input
    probes = []
    for n, actor in enumerate(scenario.actors):
        for name in ("position", "salience", "capability"):
            up_c, up_X, up_S = c.copy(), X.copy(), S.copy()
            dn_c, dn_X, dn_S = c.copy(), X.copy(), S.copy()
            if name == "position":
                up_X[n, j] = min(X[n, j] + step, scale.max)
                dn_X[n, j] = max(X[n, j] - step, scale.min)
                width = up_X[n, j] - dn_X[n, j]
            elif name == "salience":
                up_S[n, j] = min(S[n, j] + step / SALIENCE_MAX, 1.0)
                dn_S[n, j] = max(S[n, j] - step / SALIENCE_MAX, 0.0)
                width = (up_S[n, j] - dn_S[n, j]) * SALIENCE_MAX
            else:
                up_c[n] = c[n] * (1 + step / 100)
                dn_c[n] = c[n] * (1 - step / 100)
                width = 2 * step
            if not weighted(dn_c, dn_S):  # the last weight gone: measure on the side up only
                dn_c, dn_X, dn_S = c, X, S
                width = (
                    up_X[n, j] - X[n, j]
                    if name == "position"
                    else (up_S[n, j] - S[n, j]) * SALIENCE_MAX
                    if name == "salience"
                    else step
                )
            probes.append((actor.id, name, width, (up_c, up_X, up_S), (dn_c, dn_X, dn_S)))

    # every variant of (a)-(c) in one batch: one pass of the model over a leading axis
    inputs: list[tuple[np.ndarray, ...]] = [
        (np.repeat(c[None], grid, axis=0), Xg, np.repeat(S[None], grid, axis=0))
    ]
    if variants:
        inputs.append(tuple(np.stack([v[k] for v in variants]) for k in (2, 3, 4)))
    inputs += [tuple(np.stack([p[side][k] for p in probes]) for k in range(3)) for side in (3, 4)]
    everything = run(*(np.concatenate(parts) for parts in zip(*inputs, strict=True)))
    results, everything = np.split(everything, [grid])
    outs, everything = np.split(everything, [len(variants)])
    ups, downs = np.split(everything, 2)
    score = np.lexsort((np.abs(candidates - ideal), np.abs(results - ideal)))
    best = int(score[0])
    levers = sorted(
        (
            Lever(actor, label, float(value), abs(base - ideal) - abs(float(value) - ideal))
            for (actor, label, *_), value in zip(variants, outs, strict=True)
        ),
        key=lambda lever: -lever.gain,
    )
    sensitivity = tuple(
        Sensitivity(actor, name, float((u - d) / width * step) if width > 0 else 0.0)
        for (actor, name, width, *_), u, d in zip(probes, ups, downs, strict=True)
    )
    return Advice(
        focal=focal,
        issue=issue,
        model=model,
        ideal=ideal,
        forecast=base,
        best_position=float(candidates[best]),
        best_forecast=float(results[best]),
        levers=tuple(levers),
        sensitivity=tuple(sorted(sensitivity, key=lambda s: -abs(s.effect))),
    )
