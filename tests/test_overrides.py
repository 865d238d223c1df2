"""What-if overrides: the same as editing the file, relative and scaled changes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.errors import InputError
from detente.scenario import Scenario, apply_overrides, parse_override

BASE = "six-party-2004"


def _edited(**changes: object) -> Scenario:
    """six-party-2004 edited by hand: the value changed, and its uncertainty range deleted (a
    range must contain its value; ranges play no part in a forecast)."""
    data = detente.bundled(BASE).model_dump(mode="json")
    actors = {a["id"]: a for a in data["actors"]}
    for key, value in changes.items():
        actor, field, *issue = key.split("__")
        if issue:
            actors[actor][field][issue[0]] = value
        else:
            actors[actor][field] = value
        actors[actor]["uncertainty"].pop(".".join([field, *issue]), None)
    return Scenario.model_validate(data)


def _same_inputs(a: Scenario, b: Scenario) -> None:
    for x, y in zip(a.arrays(), b.arrays(), strict=True):
        np.testing.assert_array_equal(x, y)
    fa, fb = detente.forecast(a, rng=1), detente.forecast(b, rng=1)
    assert [r.values for r in fa.runs] == [r.values for r in fb.runs]


@pytest.mark.parametrize(
    ("override", "hand"),
    [
        ("USA.position.disarmament=80", {"USA__position__disarmament": 80.0}),
        ("ROK.salience.disarmament=20", {"ROK__salience__disarmament": 20.0}),
        ("CHN.capability=120", {"CHN__capability": 120.0}),
        ("ROK.salience.disarmament=+10", {"ROK__salience__disarmament": 55.0}),  # 45 + 10
        ("JPN.position.disarmament=-15", {"JPN__position__disarmament": 75.0}),  # 90 - 15
        ("CHN.capability=*1.5", {"CHN__capability": 90.0}),  # 60 x 1.5
        ("usa.position=70", {"USA__position__disarmament": 70.0}),  # one issue: may be left out
        ("United States.position.disarmament=(0)", {"USA__position__disarmament": 0.0}),
    ],
)
def test_an_override_is_the_hand_edited_scenario(override: str, hand: dict[str, float]) -> None:
    what_if = apply_overrides(detente.bundled(BASE), [override])
    _same_inputs(what_if, _edited(**hand))


def test_dropping_an_actor_is_deleting_it_with_its_memberships() -> None:
    base = detente.bundled(BASE)
    what_if = apply_overrides(base, drop=["JPN"])
    data = base.model_dump(mode="json")
    data["actors"] = [a for a in data["actors"] if a["id"] != "JPN"]
    data["groups"][0]["members"] = ["USA", "ROK"]
    _same_inputs(what_if, Scenario.model_validate(data))
    assert what_if.groups[0].members == ["USA", "ROK"]


def test_a_what_if_records_its_base_and_changes_and_chains() -> None:
    base = detente.bundled(BASE)
    first = apply_overrides(base, ["USA.position.disarmament=80"], drop=["Russia"])
    assert first.variant_of is not None
    assert first.variant_of.base == base.content_hash()
    assert first.variant_of.overrides == ["drop RUS", "USA.position.disarmament=80"]
    second = apply_overrides(first, ["ROK.salience.disarmament=+5"])
    assert second.variant_of is not None
    assert second.variant_of.base == base.content_hash()  # the original base, not the first
    assert second.variant_of.overrides[-1] == "ROK.salience.disarmament=+5"
    assert apply_overrides(base) is base  # no change: the scenario itself


def test_an_uncertainty_range_moves_with_its_value() -> None:
    base = detente.bundled(BASE)  # USA's salience 60 in [45, 75]; DPRK's capability 25 in 15-35
    moved = apply_overrides(base, ["USA.salience.disarmament=-10", "DPRK.capability=*2"])
    assert moved.actor("USA").uncertainty["salience.disarmament"] == [35.0, 65.0]
    assert moved.actor("DPRK").uncertainty["capability"] == [30.0, 70.0]
    edge = apply_overrides(base, ["DPRK.salience.disarmament=100"])  # 80-100 shifted: 90-110
    assert edge.actor("DPRK").uncertainty["salience.disarmament"] == [90.0, 100.0]  # on 0-100


@pytest.mark.parametrize(
    ("sets", "drops", "message"),
    [
        (["USA.position"], [], "an override looks like ACTOR.capability=VALUE"),
        (["USA=80"], [], "an override looks like"),
        (["USA.power=80"], [], "no field 'power'"),
        (["USA.capability.disarmament=8"], [], "capability is one number per actor"),
        (["USA.position.disarmament=high"], [], "'high' is not a value"),
        (["USA.position.disarmament=*-2"], [], "'*-2' is not a value"),
        (["Mars.capability=1"], [], "no actor 'Mars' in six-party-2004"),
        (["USA.position.trade=1"], [], "no issue 'trade' in six-party-2004"),
        (["USA.position.disarmament=120"], [], "position 120 is outside the scale"),
        (["USA.position.disarmament=+50"], [], "position 150 is outside the scale"),
        (["USA.salience.disarmament=101"], [], "salience"),
        (["USA.capability=(-1)"], [], "capability"),
        ([], ["Atlantis"], "--drop Atlantis: no actor 'Atlantis'"),
        (["RUS.capability=1"], ["Russia"], "RUS is left out by --drop"),
    ],
)
def test_every_bad_override_is_a_clear_error(
    sets: list[str], drops: list[str], message: str, cli
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message.replace("*", r"\*").replace("(", r"\(")):
        apply_overrides(detente.bundled(BASE), sets, drops)
    args = [a for s in sets for a in ("--set", s)] + [a for d in drops for a in ("--drop", d)]
    result = cli("forecast", BASE, *args, "--no-store")
    assert result.code == 2
    assert result.err.startswith("error: --")  # the override at fault comes first
    assert message in result.err
    assert "Traceback" not in result.err


def test_an_issue_must_be_named_on_a_scenario_with_several() -> None:
    with pytest.raises(InputError, match=r"has 3 issues; name one, as in SActor-00\.position"):
        apply_overrides(detente.bundled("ktab-dummy-3d"), ["SActor-00.position=50"])
    assert parse_override("A.position.x=(-2)").amount == -2.0
    assert str(parse_override("A.salience.x=-2")) == "A.salience.x=-2"


def test_an_override_that_breaks_a_timeline_event_says_so() -> None:
    """The 2004 election shifts the US salience by +10/+15: from 95 it would leave 0-100."""
    with pytest.raises(InputError, match="shifting 95 by 15 gives 110"):
        apply_overrides(detente.bundled(BASE), ["USA.salience.disarmament=95"])


def test_every_command_that_runs_models_takes_overrides(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    what_if = ["--set", "USA.position.disarmament=80", "--drop", "RUS"]
    shown = cli("forecast", BASE, *what_if, "--no-store")
    assert shown.code == 0, shown.err
    assert "what-if on six-party-2004" in shown.out
    assert "drop RUS; USA.position.disarmament=80" in shown.out
    doc = json.loads(cli("forecast", BASE, *what_if, "--json").out)
    assert doc["scenario"]["variant_of"]["overrides"] == ["drop RUS", "USA.position.disarmament=80"]
    assert doc["scenario"]["variant_of"]["base"] == detente.bundled(BASE).content_hash()
    assert [a["id"] for a in doc["actors"]] == ["USA", "DPRK", "ROK", "CHN", "JPN"]
    stored = cli("runs", "show", doc["run_id"])
    assert "USA.position.disarmament=80" in stored.out
    sim = json.loads(cli("simulate", BASE, *what_if, "--draws", "5", "--json", "--no-store").out)
    assert sim["scenario"]["variant_of"]["overrides"][-1] == "USA.position.disarmament=80"
    for command in (["dyads"], ["advise", "--for", "USA"], ["coalitions"]):
        result = cli(*command, BASE, *what_if, "--json")
        assert result.code == 0, (command, result.err)
        assert json.loads(result.out)["scenario"]["variant_of"]["overrides"][0] == "drop RUS"
    page = tmp_path / "r.html"
    made = cli("report", BASE, *what_if, "--draws", "0", "-o", str(page))
    assert made.code == 0, made.err
    text = page.read_text(encoding="utf-8")
    assert "What-if" in text
    assert "<code>USA.position.disarmament=80</code>" in text
