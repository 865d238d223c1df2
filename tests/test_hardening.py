"""Inputs that cannot lie: ambiguous saliences, read-only scenarios, evidence that is checked.

Each test guards a class of quiet wrong answers found by an audit: an input that changed a
forecast without a word, or a check that switched itself off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.errors import ScenarioError
from detente.scenario import load, loads

ZERO_ONE = """\
issues: [{id: x}]
actors:
  - {id: A, capability: 2, position: {x: 20}, salience: {x: 0.5}}
  - {id: B, capability: 1, position: {x: 80}, salience: {x: 1}}
  - id: C
    capability: 1
    position: {x: 60}
    salience: {x: 0.8}
    uncertainty: {salience.x: [0.6, 0.8, 0.9]}
timeline:
  - at: 1
    set: {A.salience.x: 0.7}
    shift: {C.salience.x: 0.1}
    add_actors:
      - {id: D, capability: 1, position: {x: 40}, salience: {x: 0.3}}
"""


# --- saliences on 0-1 ----------------------------------------------------------------------------


def test_saliences_that_look_like_0_1_are_refused_with_the_way_out() -> None:
    with pytest.raises(ScenarioError) as info:
        loads(ZERO_ONE, name="s.yaml")
    (problem,) = info.value.problems
    assert problem.file == "s.yaml"
    assert problem.line == 2
    assert "every salience is at most 1 (the largest is 1)" in str(problem)
    assert "salience_scale: 1" in str(problem)
    assert "salience_scale: 100" in str(problem)


def test_salience_scale_1_multiplies_every_salience_input_by_100() -> None:
    s = loads("salience_scale: 1\n" + ZERO_ONE)
    assert [a.salience["x"] for a in s.actors] == [50, 100, 80]
    assert s.actor("C").uncertainty["salience.x"] == [60, 80, 90]
    event = s.timeline[0]
    assert event.set == {"A.salience.x": 70}
    assert event.shift == {"C.salience.x": pytest.approx(10)}
    assert event.add_actors[0].salience == {"x": 30}
    assert s.salience_scale == 100, "recorded as read: a saved copy is on 0-100"
    again = loads(detente.scenario.dump_yaml(s))
    assert again == s


def test_the_forecast_is_the_one_of_the_same_scenario_on_0_100() -> None:
    on_0_1 = loads("salience_scale: 1\n" + ZERO_ONE)
    on_0_100 = loads(
        "salience_scale: 100\n"
        + ZERO_ONE.replace("{x: 0.5}", "{x: 50}")
        .replace("{x: 1}", "{x: 100}")
        .replace("{x: 0.8}", "{x: 80}")
        .replace("[0.6, 0.8, 0.9]", "[60, 80, 90]")
        .replace("A.salience.x: 0.7", "A.salience.x: 70")
        .replace("C.salience.x: 0.1", "C.salience.x: 10")
        .replace("{x: 0.3}", "{x: 30}")
    )
    for model in ("eum", "smp", "compromise"):
        assert detente.forecast(on_0_1, [model]).value(model, "x") == pytest.approx(
            detente.forecast(on_0_100, [model]).value(model, "x"), abs=1e-12
        )


def test_saliences_of_0_and_1_only_are_read_on_0_100() -> None:
    """Nothing strictly between 0 and 1: no sign of a 0-1 scale (and 1 of 100 is valid)."""
    text = ZERO_ONE.replace("[0.6, 0.8, 0.9]", "[0, 1, 1]").replace("0.5", "1").replace("0.8", "1")
    text = text.replace("0.7", "0").replace("0.1", "0").replace("0.3", "0")
    s = loads(text)
    assert s.actor("A").salience == {"x": 1}


def test_a_0_1_scenario_file_through_the_cli_exits_2(tmp_path: Path, cli) -> None:
    path = tmp_path / "zero-one.yaml"
    path.write_text(ZERO_ONE, encoding="utf-8")
    result = cli("forecast", str(path), "--no-store")
    assert result.code == 2
    assert f"{path}:2: salience_scale: every salience is at most 1" in result.err
    path.write_text("salience_scale: 1\n" + ZERO_ONE, encoding="utf-8")
    assert cli("forecast", str(path), "--no-store").code == 0


def test_json_scenarios_take_the_same_rule(tmp_path: Path) -> None:
    import json

    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(ZERO_ONE)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="every salience is at most 1"):
        load(path)
    path.write_text(json.dumps({"salience_scale": 1, **data}), encoding="utf-8")
    assert load(path).actor("B").salience == {"x": 100}
