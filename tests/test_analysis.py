"""Dyads, miscalculation, crisis incentives, coalitions and advice on hand-checkable cases."""

from __future__ import annotations

import json

import numpy as np
import pytest

import detente
from detente.analysis.advice import advise
from detente.analysis.coalitions import cohesion, converging_groups, defections
from detente.analysis.dyads import (
    crisis_incentives,
    dyad_map,
    misperceptions,
    outcome,
    pair_risks,
    round_views,
)
from detente.errors import InputError
from detente.scenario import Scenario


def two_actors(s_a: float, s_b: float) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "pair",
            "issues": [{"id": "t"}],
            "actors": [
                {"id": "A", "capability": 1, "position": {"t": 0}, "salience": {"t": s_a}},
                {"id": "B", "capability": 1, "position": {"t": 100}, "salience": {"t": s_b}},
            ],
        }
    )


def _exponents(s: Scenario) -> list[float]:
    """The risk exponents of the expected utility model's first round (paper-literal)."""
    from detente.models.eum import run

    c, X, S = s.arrays()
    r = run(c, X[:, 0], S[:, 0])[1].r
    assert r is not None
    return [float(v) for v in r]


def test_outcome_regions() -> None:
    assert outcome(0.5, 0.2) == ("conflict", "j")
    assert outcome(0.2, 0.5) == ("conflict", "i")
    assert outcome(0.3, 0.3) == ("conflict", None)
    assert outcome(0.5, -0.2) == ("compromise", "j")
    assert outcome(0.2, -0.5) == ("capitulation", "j")
    assert outcome(-0.2, 0.5) == ("compromise", "i")
    assert outcome(-0.5, 0.2) == ("capitulation", "i")
    assert outcome(-0.5, -0.2) == ("stalemate", None)


def test_every_pairs_outcome_at_once_is_outcome_of_each() -> None:
    from detente.analysis.dyads import _FAMILIES, _outcomes

    # ties, zeros, signed zeros and mirror images: where the comparisons could slip
    values = [-0.5, -0.3, -0.2, -0.0, 0.0, 0.2, 0.3, 0.5]
    a, b = (m.ravel() for m in np.meshgrid(values, values))
    family, side = _outcomes(a, b)
    got = [(_FAMILIES[f], (None, "i", "j")[s]) for f, s in zip(family, side, strict=True)]
    assert got == [outcome(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]


def test_a_misperceived_pair_by_hand() -> None:
    """A (salience 90) and B (50) at 0 and 100, equal capability, paper-literal.

    Votes: P(A beats B) = 0.9 / 1.4. Pass 1 (r = 1): EU(A->B) = 2 - 4 x 0.5 x (1 - 0.642857)
    = 1.285714, EU(B->A) = 2 - 4 x 0.9 x 0.642857 = -0.314286. Security: A's is -0.314 (the
    lowest, R = -1, r = 2), B's 1.286 (R = 1, r = 0.5). A sees at r = 2 (U_sq = 1): its EU
    +0.285714 against B's -1.314286: B capitulates. B sees at r = 0.5 (U_sq = -0.828427): its EU
    +0.514141 against A's +2.114141: a conflict B loses. Different regions: misperceived.
    """
    s = two_actors(90, 50)
    assert _exponents(s) == pytest.approx([2.0, 0.5])
    (rv, *_) = round_views(s)
    (m,) = misperceptions(rv)
    assert (m.i, m.j) == ("A", "B")
    assert m.i_view == ("capitulation", "B")
    assert m.j_view == ("conflict", "B")
    assert m.i_eus == pytest.approx((0.285714, -1.314286), abs=1e-6)
    assert m.j_eus == pytest.approx((0.514141, 2.114141), abs=1e-6)


def test_a_pair_that_is_not_misperceived() -> None:
    """Symmetric actors: equal security, r = 1 for both, both see the same even conflict."""
    s = two_actors(10, 10)
    assert _exponents(s) == [1.0, 1.0]
    (rv, *_) = round_views(s)
    assert misperceptions(rv) == []
    (ab, _) = dyad_map(rv)
    assert (ab.region, ab.gives_way) == ("conflict", None)
    assert ab.eu_i == pytest.approx(1.8)


def test_crisis_incentive_by_hand() -> None:
    (rv, *_) = round_views(two_actors(90, 50))
    best = {ci.actor: ci for ci in crisis_incentives(rv)}
    assert best["A"].target == "B"
    assert best["A"].gain == pytest.approx(0.285714, abs=1e-6)
    assert best["B"].gain == pytest.approx(0.514141, abs=1e-6)


def test_viewpoints_differ() -> None:
    (rv, *_) = round_views(two_actors(90, 50))
    seen_by_a = {(d.i, d.j): d for d in dyad_map(rv, "A")}
    seen_by_b = {(d.i, d.j): d for d in dyad_map(rv, "B")}
    assert seen_by_a["A", "B"].eu_i == pytest.approx(0.285714, abs=1e-6)
    assert seen_by_b["A", "B"].eu_i == pytest.approx(2.114141, abs=1e-6)
    with pytest.raises(InputError, match="no actor 'C'"):
        dyad_map(rv, "C")


def test_timeline_events_are_marked_per_round() -> None:
    rounds = round_views(
        detente.bundled("six-party-2004"),
        future="kerry-wins",
        options=detente.models.eum.EumOptions(rounds=3),
    )
    assert [rv.round for rv in rounds] == [1, 2, 3]
    assert rounds[0].events == ("US presidential election",)
    assert rounds[0].perceptions.before[0] == 80.0  # the Kerry branch sets the US to 80


def test_pair_risks_are_probabilities() -> None:
    risks = pair_risks(detente.bundled("six-party-2004"), draws=30, rng=1)
    assert len(risks) == 15
    for r in risks:
        assert 0.0 <= r.conflict <= 1.0
        assert 0.0 <= r.misperceived <= 1.0
    again = pair_risks(detente.bundled("six-party-2004"), draws=30, rng=1)
    assert risks == again


def test_converging_groups_rule() -> None:
    groups = converging_groups(["A", "B", "C", "D"], np.array([10.0, 13.0, 50.0, 90.0]), width=100)
    assert groups == [("A", "B")]
    chain = converging_groups(["A", "B", "C"], np.array([10.0, 14.0, 18.0]), width=100)
    assert chain == [("A", "B", "C")]


def test_alliance_cohesion_and_defection() -> None:
    s = detente.bundled("six-party-2004")
    (allies,) = s.groups
    c = cohesion(allies, list(s.actor_ids), np.array([100, 10, 55, 35, 90, 30.0]), np.full(6, 55.0))
    assert (c.spread_start, c.spread_end) == (45.0, 0.0)
    rows = defections(s, allies, ["compromise"], "disarmament")
    removed_us = next(r for r in rows if r.member == "USA" and r.how == "removed")
    data = s.model_dump(mode="json")
    data["actors"] = [a for a in data["actors"] if a["id"] != "USA"]
    data["groups"], data["timeline"] = [], []
    expected = detente.forecast(Scenario.model_validate(data), ["compromise"])
    assert removed_us.after == pytest.approx(expected.value("compromise", "disarmament"))
    assert removed_us.change < 0  # without the US the weighted mean falls


def test_advice_on_a_static_model_by_hand() -> None:
    """Compromise model, two equal actors at 0 and 100 with equal weights: forecast 50.

    Announcing x gives (x + 100) / 2, nearest A's ideal 0 at x = 0 (forecast 50). B caring
    less (salience 30): 100 x 30 / 80 = 37.5, 12.5 nearer; B moving 10 toward A: 45, 5 nearer;
    B caring more (70): 100 x 70 / 120 = 58.3, 8.3 further.
    """
    s = two_actors(50, 50)
    a = advise(s, "A", model="compromise")
    assert a.forecast == 50.0
    assert (a.best_position, a.best_forecast) == (0.0, 50.0)
    got = [(lever.change, lever.forecast, lever.gain) for lever in a.levers]
    assert got == [
        ("salience -20", pytest.approx(37.5), pytest.approx(12.5)),
        ("moves -10 toward A", pytest.approx(45.0), pytest.approx(5.0)),
        ("salience +20", pytest.approx(700 / 12), pytest.approx(-25 / 3)),
    ]
    sens = {(x.actor, x.input): x.effect for x in a.sensitivity}
    assert sens["B", "position"] == pytest.approx(2.5)  # half of a 5-point move


def test_advice_unknown_actor() -> None:
    with pytest.raises(InputError, match="no actor 'XX'"):
        advise(detente.bundled("six-party-2004"), "XX")


def test_cli_dyads_and_advise(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("dyads", "six-party-2004", "--viewpoint", "Pyongyang", "--rounds", "3")
    assert result.code == 0, result.err
    assert "Miscalculation risk" in result.out
    assert "Crisis incentive" in result.out
    assert "bush-reelected" in result.out
    assert "kerry-wins" in result.out
    doc = json.loads(
        cli("dyads", "six-party-2004", "--rounds", "2", "--draws", "10", "--rng", "1", "--json").out
    )
    assert doc["schema"] == "detente.dyads/1"
    assert [f["future"] for f in doc["futures"]] == ["bush-reelected", "kerry-wins"]
    assert len(doc["futures"][0]["pair_risks"]) == 15
    advice = cli("advise", "six-party-2004", "--for", "DPRK", "--json")
    assert advice.code == 0, advice.err
    body = json.loads(advice.out)
    assert body["schema"] == "detente.advice/1"
    assert body["focal"] == "DPRK"
    assert body["levers"][0]["gain"] >= body["levers"][-1]["gain"]
    assert cli("advise", "six-party-2004", "--for", "Nobody").code == 2


def test_cli_coalitions(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("coalitions", "six-party-2004", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "detente.coalitions/1"
    (allies,) = doc["cohesion"]
    assert allies["members"] == ["USA", "ROK", "JPN"]
    assert allies["spread_start"] == 45.0  # USA 100, ROK 55, JPN 90
    hows = {(d["member"], d["how"]) for d in doc["leaving"]}
    assert ("ROK", "defects") in hows
    assert len(doc["leaving"]) == 3 * 2 * 4  # members x (removed, defects) x default models
    table = cli("coalitions", "six-party-2004")
    assert "If a member leaves" in table.out


def test_rounds_of_a_given_length_let_an_event_approach() -> None:
    """176 days from as_of (2004-05-10) to the election: with 30-day rounds it falls at round 6."""
    from detente.simulate import futures

    s = detente.bundled("six-party-2004")
    assert [c.round for c in futures(s, round_days=30)[0].changes] == [6, 6]
    rounds = round_views(
        s, future="kerry-wins", round_days=30, options=detente.models.eum.EumOptions(rounds=7)
    )
    assert [rv.events for rv in rounds][4:6] == [(), ("US presidential election",)]
    assert rounds[0].perceptions.before[0] == 100.0  # before the election the US is still at 100


def test_an_actor_added_by_an_event_joins_the_analyses(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from detente.scenario import io

    data = detente.bundled("six-party-2004").model_dump(mode="json")
    data["timeline"] = [
        {
            "at": 2,
            "name": "EU joins",
            "add_actors": [
                {
                    "id": "EU",
                    "capability": 40,
                    "position": {"disarmament": 60},
                    "salience": {"disarmament": 30},
                }
            ],
        }
    ]
    path = tmp_path / "seven.yaml"
    io.save(Scenario.model_validate(data), path)
    result = cli("dyads", str(path), "--round", "3", "--rounds", "3", "--json")
    assert result.code == 0, result.err
    (future,) = json.loads(result.out)["futures"]
    # the EU is in the round-3 dyad map and crisis incentives, and not before it joins at round 2
    assert {d["i"] for d in future["dyads"]} == {*detente.bundled("six-party-2004").actor_ids, "EU"}
    actors = [[c["actor"] for c in r["crisis_incentives"]] for r in future["rounds"]]
    assert ["EU" in who for who in actors] == [False, True, True]
    assert cli("dyads", str(path), "--round", "3", "--rounds", "3").code == 0
    risks = cli(
        "dyads", str(path), "--round", "3", "--rounds", "3", "--draws", "5", "--rng", "1", "--json"
    )
    assert risks.code == 0, risks.err
    pairs = {(r["i"], r["j"]) for r in json.loads(risks.out)["futures"][0]["pair_risks"]}
    assert ("USA", "EU") in pairs


def test_analysis_errors_exit_2(cli) -> None:  # type: ignore[no-untyped-def]
    for args in (
        ["dyads", "six-party-2004", "--issue", "trade"],
        ["dyads", "six-party-2004", "--preset", "bdm"],
        ["dyads", "emission-1994", "--future", "nope"],
        ["advise", "six-party-2004"],
        ["advise", "six-party-2004", "--for", "USA", "--issue", "trade"],
        ["coalitions", "six-party-2004", "--tolerance", "2"],
    ):
        result = cli(*args)
        assert result.code == 2, (args, result.err)
        assert "Traceback" not in result.err
