"""KTAB's Spatial Model of Politics: reproduction of KTAB's reference logs, options, contract.

The expected values come from KTAB's own 2017 reference logs in ``shared/reference/ktab/``,
read by the small parser below (never transcribed by hand). KTAB prints positions to 0.1 on
the 0-100 scale and probabilities and fractional changes to 4 decimals, so a value matches when
it rounds to the printed one: it lies within half a unit of the last printed digit (plus 1e-9
for the binary representation of the printed decimal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.models import smp
from detente.models.smp import steps
from detente.scenario import ktab

KTAB = Path(__file__).resolve().parents[1] / "../shared/reference/ktab"


# --- a parser for KTAB's text logs ---------------------------------------------------------------


@dataclass(frozen=True)
class KtabLog:
    """What a KTAB ``smpc`` log says about a run."""

    states: int
    fractional_changes: list[float]
    positions: dict[str, list[list[float]]]  # actor -> dimension -> value per state
    probabilities: dict[str, list[float]]  # actor -> value per state
    bargains: list[tuple[int, int, str, list[float], list[float]]]  # turn-0 bargain lines


def parse_log(path: Path) -> KtabLog:
    text = path.read_text()
    states = int(re.search(r"There were (\d+) states", text).group(1))  # type: ignore[union-attr]
    fractional = [
        float(v) for v in re.findall(r"Fractional change compared to first step: (\S+)", text)
    ]
    tail = text.split("History of actor positions over time:")[1]
    position_block, probability_block = tail.split("History of actors' winning probabilities:")
    positions: dict[str, list[list[float]]] = {}
    for line in position_block.strip().splitlines():
        m = re.match(r"^(.+?), (.+?):\s+([-\d.\s]+)$", line.strip())
        assert m, line
        positions.setdefault(m.group(1), []).append([float(v) for v in m.group(3).split()])
    probabilities: dict[str, list[float]] = {}
    for line in probability_block.splitlines():
        m = re.match(r"^(.+?), prob :\s+([-\d.\s]+)$", line.strip())
        if m:
            probabilities[m.group(1)] = [float(v) for v in m.group(2).split()]
    # the first turn's bargains: "Bargain [id, i:j] from X's perspective (brgnIIJ)" blocks and
    # "Power-weighted compromise [id, i:j] bargain (brgnIJ)", each followed by two coordinate
    # lines (initiator's, receiver's)
    first_turn = text.split("Starting Model::run iteration 2")[0]
    bargains = []
    pattern = re.compile(
        r"(?:Bargain \[\d+, (\d+):(\d+)\] from (\d+)'s perspective|"
        r"Power-weighted compromise \[\d+, (\d+):(\d+)\] bargain)[^\n]*\n"
        r"[^\n]*adopt:([^\n]*)\n[^\n]*adopt:([^\n]*)\n"
    )
    for m in pattern.finditer(first_turn):
        if m.group(1) is not None:
            i, j = int(m.group(1)), int(m.group(2))
            view = "initiator" if int(m.group(3)) == i else "receiver"
        else:
            i, j, view = int(m.group(4)), int(m.group(5)), "compromise"
        bargains.append(
            (
                i,
                j,
                view,
                [float(v) for v in m.group(6).split()],
                [float(v) for v in m.group(7).split()],
            )
        )
    return KtabLog(states, fractional, positions, probabilities, bargains)


CASES = [
    ("dummyData_3Dim.csv", "20170530_ref-dummyData_3Dim.txt", "ktab-dummy-3d", 11),
    ("SOE-Pol-Comp.csv", "20170530_ref-SOE-Pol-Comp.txt", "ktab-soe-pol-comp", 28),
]


def _printed(value: float, printed: float, decimals: int) -> bool:
    return abs(value - printed) <= 0.5 * 10.0**-decimals + 1e-9


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def reproduction(request: pytest.FixtureRequest, shared: Path):  # type: ignore[no-untyped-def]
    csv, log_name, bundled, n_states = request.param
    log = parse_log(KTAB / log_name)
    s = ktab.read(KTAB / csv)
    c, X, S = s.arrays()
    lo, hi, _ = s.bounds()
    states = smp.run(c, X, S, lo=lo, hi=hi)
    return s, log, states, n_states, bundled


def test_number_of_states(reproduction) -> None:  # type: ignore[no-untyped-def]
    _, log, states, n_states, _ = reproduction
    assert log.states == n_states
    assert len(states) == log.states


def test_every_position_to_the_printed_tenth(reproduction) -> None:  # type: ignore[no-untyped-def]
    s, log, states, _, _ = reproduction
    checked = 0
    for i, actor in enumerate(s.actors):
        rows = log.positions[actor.name or actor.id]
        assert len(rows) == len(s.issues)
        for d, printed in enumerate(rows):
            assert len(printed) == len(states)
            for t, value in enumerate(printed):
                got = states[t].positions[i, d]
                assert _printed(got, value, 1), (actor.id, d, t, got, value)
                checked += 1
    assert checked == len(s.actors) * len(s.issues) * len(states)


def test_every_fractional_change_to_4_decimals(reproduction) -> None:  # type: ignore[no-untyped-def]
    _, log, states, _, _ = reproduction
    assert len(log.fractional_changes) == len(states) - 1
    for state, printed in zip(states[1:], log.fractional_changes, strict=True):
        assert state.fractional_change is not None
        assert _printed(state.fractional_change, printed, 4), (state.round, printed)


def test_every_win_probability_to_4_decimals(reproduction) -> None:  # type: ignore[no-untyped-def]
    s, log, states, _, _ = reproduction
    for i, actor in enumerate(s.actors):
        printed = log.probabilities[actor.name or actor.id]
        assert len(printed) == len(states)
        for t, value in enumerate(printed):
            assert _printed(states[t].probability[i], value, 4), (actor.id, t, value)


def test_bundled_scenario_runs_the_same(reproduction) -> None:  # type: ignore[no-untyped-def]
    _, _, states, _, bundled = reproduction
    fc = detente.forecast(detente.bundled(bundled), ["smp"])
    run = fc.run("smp")
    assert len(run.rounds[0]) == len(states)
    np.testing.assert_allclose(run.values, states[-1].mean, rtol=0, atol=1e-12)


def test_tiled_coalitions_reproduce_the_log_too(shared: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Large PCEs use another summation (tiles, L1 distances); forced here on the small case."""
    monkeypatch.setattr(steps, "TILED_MIN_OPTIONS", 2)
    log = parse_log(KTAB / "20170530_ref-SOE-Pol-Comp.txt")
    s = ktab.read(KTAB / "SOE-Pol-Comp.csv")
    c, X, S = s.arrays()
    states = smp.run(c, X, S)
    assert len(states) == log.states
    for state, printed in zip(states[1:], log.fractional_changes, strict=True):
        assert _printed(state.fractional_change, printed, 4)  # type: ignore[arg-type]
    for i, actor in enumerate(s.actors):
        for t, value in enumerate(log.probabilities[actor.name or actor.id]):
            assert _printed(states[t].probability[i], value, 4)
