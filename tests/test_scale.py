"""The fast paths of issue 20 give main's numbers: advice in one batch, the EUM's shared passes.

``snapshots/scale-main-331e38f.json`` was written by main at commit 331e38f, before these
changes (advice as separate batches of full re-runs; every EUM round recomputing its distances,
probabilities and powers): the advice of a 12-actor random scenario under two presets, and
every matrix of two EUM rounds on 16 actors (two pairs at the same position) under the three
presets. Nothing expected here is computed by the code under test; the comparisons are exact.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from detente.analysis.advice import advise
from detente.models.eum import EumOptions, run
from detente.scenario import io

SNAPSHOT = json.loads(
    (Path(__file__).parent / "snapshots" / "scale-main-331e38f.json").read_text(encoding="utf-8")
)
NAN = -999.0  # how the snapshot writes NaN (the EU matrices' diagonal)


def scenario_data(n: int, k: int = 2, seed: int = 12) -> dict[str, object]:
    """The snapshot's random scenario (as main's generator wrote it)."""
    rng = np.random.default_rng([seed, n, k])
    return {
        "id": f"random-{n}",
        "issues": [{"id": f"i{j}"} for j in range(k)],
        "actors": [
            {
                "id": f"A{i:02d}",
                "capability": round(float(rng.uniform(1, 100)), 2),
                "position": {f"i{j}": round(float(rng.uniform(0, 100)), 1) for j in range(k)},
                "salience": {f"i{j}": round(float(rng.uniform(10, 100)), 1) for j in range(k)},
            }
            for i in range(n)
        ],
    }


@pytest.mark.parametrize("preset", ["paper-literal", "scholz-code"])
def test_advice_in_one_batch_equals_mains_separate_reruns(preset: str) -> None:
    scenario = io.validate_data(scenario_data(12), "test")
    calls: list[tuple[int, int]] = []
    got = advise(
        scenario,
        "A03",
        issue="i1",
        options={"preset": preset},
        progress=lambda done, total: calls.append((done, total)),
    ).to_json()
    assert got == SNAPSHOT["advice"][preset]
    # progress: counts rise to the total (101 positions, the levers, two probes per input)
    total = 101 + len(got["levers"]) + 2 * len(got["sensitivity"])
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize("preset", ["paper-literal", "scholz-code", "net-vote"])
def test_eum_rounds_equal_mains_bit_for_bit(preset: str) -> None:
    inputs = SNAPSHOT["inputs"]
    c, x, s = (np.array(inputs[key]) for key in ("c", "x", "s"))
    states = run(c, x, s, options=EumOptions(preset=preset, rounds=2))
    for state, expected in zip(states[1:], SNAPSHOT["eum"][preset], strict=True):
        assert state.median == expected["median"]
        for field in ("positions", "eu_challenge", "eu_perceived", "P", "regions"):
            value = np.nan_to_num(np.asarray(getattr(state, field), dtype=float), nan=NAN)
            np.testing.assert_array_equal(value, np.array(expected[field]), err_msg=field)


def test_run_without_matrices_keeps_the_rest() -> None:
    inputs = SNAPSHOT["inputs"]
    c, x, s = (np.array(inputs[key]) for key in ("c", "x", "s"))
    options = EumOptions(preset="scholz-code", rounds=2)
    slim = run(c, x, s, options=options, keep_matrices=False)
    for state, expected in zip(slim[1:], SNAPSHOT["eum"]["scholz-code"], strict=True):
        assert state.eu_challenge is None
        assert state.eu_perceived is None
        assert state.P is None
        assert state.regions is None
        np.testing.assert_array_equal(state.positions, expected["positions"])
        assert state.moves  # the moves and the offers behind them are kept
