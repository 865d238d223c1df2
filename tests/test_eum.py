"""The expected utility model against its published and reference numbers.

Expected values come from ``shared/reference/eum-spec.md`` (typed from its tables) and from the
machine-readable golden file ``shared/reference/eum/emission-scholz-code.json``; none is
computed by the code under test.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.models.eum import PRESETS, EumOptions, run, steps
from eum_round_one import round_one

NAMES = ["Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy", "UK", "Ireland",
         "Denmark", "Greece"]  # fmt: skip
C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
X = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
S = np.array([80, 40, 20, 80, 60, 60, 90, 10, 100, 70]) / 100


def emission(preset: str, **options: object) -> tuple:  # type: ignore[type-arg]
    return run(C, X, S, options=EumOptions(preset=preset, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def golden(shared: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((shared / "reference" / "eum" / "emission-scholz-code.json").read_text())


def matrix(rows: list[list[float | None]]) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in rows])


# --- scholz-code: the golden trajectory -----------------------------------------------------------


def test_golden_inputs_are_the_bundled_case(golden: dict) -> None:  # type: ignore[type-arg]
    assert golden["actor_order"] == NAMES
    assert [a["capability"] for a in golden["actors"]] == C.tolist()
    assert [a["position"] for a in golden["actors"]] == X.tolist()
    assert [a["salience"] for a in golden["actors"]] == pytest.approx(S.tolist())
    s = detente.bundled("emission-1994")
    c, x, sal = s.arrays()
    assert c.tolist() == C.tolist()
    assert x[:, 0].tolist() == X.tolist()
    assert sal[:, 0] == pytest.approx(S)


def test_scholz_code_round_one_to_four_decimals(golden: dict) -> None:  # type: ignore[type-arg]
    state = emission("scholz-code", rounds=1)[1]
    ref = golden["rounds"][1]
    np.testing.assert_allclose(state.security, ref["security"], atol=5e-5)
    np.testing.assert_allclose(state.R, ref["R"], atol=5e-5)
    np.testing.assert_allclose(state.r, ref["r"], atol=5e-5)
    np.testing.assert_allclose(state.eu_challenge, matrix(ref["eu_i_challenges_j"]), atol=5e-5)
    np.testing.assert_allclose(
        state.eu_perceived, matrix(ref["eu_j_challenges_i_as_seen_by_i"]), atol=5e-5
    )


def test_scholz_code_every_round_and_move(golden: dict) -> None:  # type: ignore[type-arg]
    states = emission("scholz-code", rounds=10)
    assert len(states) == 11
    for state, ref in zip(states, golden["rounds"], strict=True):
        assert state.round == ref["round"]
        np.testing.assert_allclose(state.positions, ref["positions"], atol=5e-6)
        assert state.median == pytest.approx(ref["median"], abs=5e-6)
        assert state.mean == pytest.approx(ref["mean"], abs=5e-6)
        if ref["round"] == 0:
            continue
        np.testing.assert_allclose(state.r, ref["r"], atol=5e-5)
        np.testing.assert_allclose(state.security, ref["security"], atol=5e-5)
        got = [(NAMES[m.mover], m.kind, NAMES[m.partner], round(m.new, 5)) for m in state.moves]
        want = [
            (m["mover"], m["kind"], m["toward"], round(m["new_position"], 5)) for m in ref["moves"]
        ]
        assert got == want, f"round {ref['round']}"
        for move, m in zip(state.moves, ref["moves"], strict=True):
            assert move.eu_mover == pytest.approx(m["eu_mover"], abs=5e-5)
            assert move.eu_partner == pytest.approx(m["eu_other"], abs=5e-5)


def test_scholz_code_global_normaliser() -> None:
    """§2.3: the global P denominator is 28.233 at r = 1; P x 1000 for 4 vs 7 is 4.39."""
    w = C * S
    P = steps.probability_of_success(
        X, w, 6.0, np.ones(10), numerator="positive", denominator="global"
    )
    assert P[0, 1] * 1000 == pytest.approx(4.39, abs=0.005)
    assert P[0, 4] * 1000 == pytest.approx(8.78, abs=0.005)
    assert P[1, 0] * 1000 == pytest.approx(7.60, abs=0.005)
    assert P[4, 0] * 1000 == pytest.approx(11.90, abs=0.005)
    numerator = steps.vote_numerators(X, w, 6.0, np.ones(10))[0, 1]
    assert numerator / P[0, 1] == pytest.approx(28.233, abs=5e-4)


def test_scholz_table_2() -> None:
    """Scholz et al. Table 2: medians truncated to 1 dp match in 7 of 8 rounds; means within 0.1.

    Round 2 is the documented exception (§2.3): the code gives 9.61 where the paper prints 9.9.
    """
    medians = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6]
    means = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6]
    states = emission("scholz-code", rounds=8)[1:]
    truncated = [math.floor(s.median * 10) / 10 for s in states]
    matches = [t == pytest.approx(m) for t, m in zip(truncated, medians, strict=True)]
    assert matches == [True, False, True, True, True, True, True, True]
    assert truncated[1] == pytest.approx(9.6)
    for state, mean in zip(states, means, strict=True):
        assert abs(state.mean - mean) <= 0.1


# --- paper-literal: §2.4 ---------------------------------------------------------------


def test_paper_literal_risk_exponents_and_security() -> None:
    state = emission("paper-literal", rounds=1)[1]
    r0 = [1.1172, 1.0044, 0.5000, 1.1172, 1.0176, 1.0176, 2.0000, 0.6483, 1.4537, 1.5569]
    sec = [3.1649, 3.7634, 7.5412, 3.1649, 3.6900, 3.6900, 0.0350, 6.1908, 1.7062, 1.3359]
    np.testing.assert_allclose(state.r, r0, atol=5e-5)
    np.testing.assert_allclose(state.security, sec, atol=5e-5)


def test_paper_literal_probabilities() -> None:
    P = steps.probability_of_success(
        X, C * S, 6.0, np.ones(10), numerator="positive", denominator="pair"
    )
    # 4 vs 7, 4 vs 10, 7 vs 4, 7 vs 10, 10 vs 4, 10 vs 7 (NL=4, BE=7, FR=10)
    got = [P[0, 1], P[0, 4], P[1, 0], P[1, 4], P[4, 0], P[4, 1]]
    assert got == pytest.approx([0.366, 0.425, 0.634, 0.504, 0.575, 0.496], abs=5e-4)


M16_ORDER = ["Belgium", "Denmark", "France", "Germany", "Greece", "Ireland", "Italy",
             "Luxembourg", "Netherlands", "UK"]  # fmt: skip
M16_TABLE = [  # §2.4, row challenging column at the row's own r; None on the diagonal
    [None, 0.27, 0.40, 0.41, 0.00, 0.00, 0.40, 0.85, 0.41, 0.11],
    [0.39, None, 0.08, 0.00, -0.00, 0.79, 0.08, 0.00, 0.00, -0.61],
    [0.60, 0.28, None, 0.62, 0.29, 0.90, 0.00, 1.64, 0.62, 0.00],
    [0.47, 0.00, 0.46, None, 0.08, 0.86, 0.46, 0.00, 0.00, -0.23],
    [0.00, 0.13, 0.27, 0.28, None, 0.00, 0.27, 0.74, 0.28, -0.04],
    [0.00, 0.30, 0.42, 0.43, 0.00, None, 0.42, 0.80, 0.43, 0.17],
    [0.60, 0.28, 0.00, 0.62, 0.29, 0.90, None, 1.64, 0.62, 0.00],
    [0.46, 0.00, 1.45, 0.00, 0.18, 0.74, 1.45, None, 0.00, 0.76],
    [0.47, 0.00, 0.46, 0.00, 0.08, 0.86, 0.46, 0.00, None, -0.23],
    [0.35, -0.70, 0.00, -0.36, 0.04, 0.65, 0.00, 0.66, -0.36, None],
]


def test_paper_literal_eu_table_to_two_decimals() -> None:
    state = emission("paper-literal", rounds=1)[1]
    order = [NAMES.index(name) for name in M16_ORDER]
    got = state.eu_challenge[np.ix_(order, order)]
    np.testing.assert_allclose(got, matrix(M16_TABLE), atol=0.005 + 1e-9)


# --- net-vote: §2.5 --------------------------------------------------------------------


def test_net_vote_risk_exponents() -> None:
    state = emission("net-vote", rounds=1)[1]
    r = [1.1272, 0.7809, 0.5000, 1.1272, 1.0779, 1.0779, 2.0000, 0.5248, 1.4717, 1.1405]
    np.testing.assert_allclose(state.r, r, atol=5e-5)


def test_net_vote_belgium_and_uk_expected_utilities() -> None:
    state = emission("net-vote", rounds=1)[1]
    belgium = {
        "Netherlands": -0.1055,
        "Luxembourg": 0.7035,
        "Germany": -0.1055,
        "France": -0.1229,
        "Italy": -0.1229,
        "UK": -0.6709,
        "Ireland": 0.0,
        "Denmark": -0.3752,
        "Greece": 0.0,
    }
    uk = {
        "Netherlands": -1.7178,
        "Belgium": -0.0500,
        "Luxembourg": 0.3205,
        "Germany": -1.7178,
        "France": 0.0,
        "Italy": 0.0,
        "Ireland": 0.5500,
        "Denmark": -2.3973,
        "Greece": -0.6500,
    }
    for actor, row in (("Belgium", belgium), ("UK", uk)):
        i = NAMES.index(actor)
        for other, value in row.items():
            assert state.eu_challenge[i, NAMES.index(other)] == pytest.approx(value, abs=5e-5)


def test_net_vote_round_one() -> None:
    """Luxembourg loses a confrontation to France, Ireland compromises with France."""
    state = emission("net-vote", rounds=1)[1]
    moves = [(NAMES[m.mover], m.kind, NAMES[m.partner]) for m in state.moves]
    assert moves == [("Luxembourg", "confrontation", "France"), ("Ireland", "compromise", "France")]
    assert state.median == 10.0
    assert state.mean == pytest.approx(7.444520, abs=5e-7)


def test_scratchpad_probabilities_exclude_the_challenger() -> None:
    """§2.5: pass-1 P from the Netherlands (Masad's scratchpad) omits the challenger's votes."""
    P = steps.probability_of_success(
        X,
        C * S,
        6.0,
        np.ones(10),
        numerator="positive",
        denominator="pair",
        voters="exclude-challenger",
    )
    for j in ("Belgium", "Greece", "Ireland"):
        assert P[0, NAMES.index(j)] == pytest.approx(0.30016, abs=5e-6)
    for j in ("France", "Italy", "UK"):
        assert P[0, NAMES.index(j)] == pytest.approx(0.35385, abs=5e-6)


# --- hand-computed cases and edge cases (§5, item 5) -------------------------------------------


def two_actors(c2: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.array([0.05, c2]), np.array([0.0, 10.0]), np.array([0.1, 0.1])


def test_two_symmetric_actors_paper_probability() -> None:
    c, x, s = two_actors()
    P = steps.probability_of_success(
        x, c * s, 10.0, np.ones(2), numerator="positive", denominator="pair"
    )
    assert P[0, 1] == pytest.approx(0.5)
    assert P[1, 0] == pytest.approx(0.5)
    c, x, s = two_actors(c2=0.10)
    P = steps.probability_of_success(
        x, c * s, 10.0, np.ones(2), numerator="positive", denominator="pair"
    )
    assert P[1, 0] == pytest.approx(2 / 3)
    assert P[0, 1] == pytest.approx(1 / 3)


def test_two_symmetric_actors_expected_utility() -> None:
    """EU = 0.1 (0.5 x 2 + 0.5 x -2) + 0.9 x 2 - 0 = 1.8 each; equal security gives r = 1."""
    c, x, s = two_actors()
    state = run(c, x, s, options=EumOptions(preset="paper-literal", rounds=1))[1]
    assert state.eu_challenge[0, 1] == pytest.approx(1.8)
    assert state.eu_challenge[1, 0] == pytest.approx(1.8)
    assert state.r.tolist() == [1.0, 1.0]  # max Sec = min Sec: R = 0
    assert state.moves == ()  # an even conflict: neither concedes


def test_two_symmetric_actors_global_probability() -> None:
    """Scholz's global normaliser gives 0.25 for this pair (§5)."""
    c, x, s = two_actors()
    P = steps.probability_of_success(
        x, c * s, 10.0, np.ones(2), numerator="positive", denominator="global"
    )
    assert P[0, 1] == pytest.approx(0.25)


def test_all_actors_at_one_position() -> None:
    states = run(
        np.ones(4),
        np.full(4, 30.0),
        np.full(4, 0.5),
        options=EumOptions(preset="scholz-code", rounds=3),
    )
    for state in states[1:]:
        assert state.moves == ()
        assert state.median == 30.0
        assert np.all(np.isfinite(state.r))
        assert state.r.tolist() == [1.0] * 4


def test_q_below_one_with_the_median_at_an_endpoint() -> None:
    """Q = 0.5, two actors at 0 and 10, mu = 0 (lower median), pass 1 at r = 1.

    A challenging B: T = 1 (mu nearer A than B is), U_b = 2 - 4 (0.5 - 0.25 (0 + 10)/10) = 1,
    EU = 1.8 - (0.5 x 0 + 0.5 x 1) = 1.3. B challenging A: T = 0, U_w = 2 - 4 (0.5 + 0.5) = -2,
    EU = 1.8 - 0.5 x -2 = 2.8. Security is what the others expect from challenging you.
    """
    c, x, s = two_actors()
    state = run(c, x, s, options=EumOptions(preset="paper-literal", Q=0.5, rounds=1))[1]
    assert state.mu == 0.0
    assert state.security.tolist() == pytest.approx([2.8, 1.3])
    assert state.r.tolist() == pytest.approx([0.5, 2.0])


# --- vectorised sums against plain loops --------------------------------------------------------


def test_vote_numerators_match_a_plain_triple_loop() -> None:
    rng = np.random.default_rng(5)
    n = 9
    x = rng.choice([0.0, 10.0, 25.0, 40.0, 55.5, 70.0, 100.0], size=n)  # with ties
    w = rng.uniform(0.1, 2, n)
    r = rng.uniform(0.5, 2, n)
    span = 100.0
    fast = steps.vote_numerators(x, w, span, r)
    for i in range(n):
        for j in range(n):
            slow = sum(
                w[k]
                * max(0.0, (abs(x[k] - x[j]) / span) ** r[k] - (abs(x[k] - x[i]) / span) ** r[k])
                for k in range(n)
            )
            assert fast[i, j] == pytest.approx(slow, abs=1e-12)
    total = sum(
        abs(w[k] * ((abs(x[k] - x[b]) / span) ** r[k] - (abs(x[k] - x[a]) / span) ** r[k]))
        for k in range(n)
        for a in range(n)
        for b in range(n)
    )
    P = steps.probability_of_success(x, w, span, r, numerator="positive", denominator="global")
    nonzero = fast > 0
    np.testing.assert_allclose(fast[nonzero] / P[nonzero], total, rtol=1e-12)


# --- readings, options, stopping ----------------------------------------------------------------


def test_every_preset_sets_every_reading_option() -> None:
    reading = set(PRESETS["scholz-code"])
    fields = set(EumOptions.model_fields) - {"preset", "rounds", "stop", "tolerance", "patience"}
    assert reading == fields
    for values in PRESETS.values():
        assert set(values) == reading


def test_user_options_override_the_preset() -> None:
    options = EumOptions(preset="scholz-code", Q=0.5)
    assert options.Q == 0.5
    assert options.p_denominator == "global"
    assert options.changed() == {"Q": 0.5}


def test_default_preset_is_paper_literal() -> None:
    assert EumOptions().preset == "paper-literal"
    assert EumOptions().p_denominator == "pair"


@pytest.mark.parametrize("preset", ["paper-literal", "net-vote"])
def test_mirror_symmetric_readings(preset: str) -> None:
    """Flipping the scale flips the forecast (readings with no direction-dependent rule)."""
    rng = np.random.default_rng(8)
    for _ in range(5):
        c, x, s = rng.uniform(0.1, 1, 7), rng.uniform(0, 100, 7), rng.uniform(0.1, 1, 7)
        up = run(c, x, s, options=EumOptions(preset=preset, rounds=5))
        down = run(c, 100 - x, s, options=EumOptions(preset=preset, rounds=5))
        for a, b in zip(up, down, strict=True):
            np.testing.assert_allclose(a.positions, 100 - b.positions, atol=1e-9)


def test_scholz_code_is_not_mirror_symmetric() -> None:
    """Its compromise choice (smallest weighted-average point) favours lower positions."""
    up = emission("scholz-code", rounds=4)[-1].positions
    down = run(C, 14 - X, S, options=EumOptions(preset="scholz-code", rounds=4))[-1].positions
    assert not np.allclose(up, 14 - down)


def test_stable_stop_ends_early() -> None:
    states = run(C, X, S, options=EumOptions(preset="paper-literal", stop="stable", rounds=50))
    assert len(states) < 51
    medians = [s.median for s in states[-4:]]
    assert max(medians) - min(medians) <= 1e-6 * 6


def test_unsettled_median_warns() -> None:
    with pytest.warns(RuntimeWarning, match="did not settle"):
        run(C, X, S, options=EumOptions(preset="scholz-code", stop="stable", rounds=10, patience=3))


def test_fixed_rounds_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(emission("scholz-code", rounds=3)) == 4


def test_stochastic_conflict_is_reproducible() -> None:
    opts = EumOptions(preset="paper-literal", conflict="stochastic", rounds=6)
    a = run(C, X, S, options=opts, rng=7)
    b = run(C, X, S, options=opts, rng=7)
    for x, y in zip(a, b, strict=True):
        assert x.positions.tolist() == y.positions.tolist()
    others = [run(C, X, S, options=opts, rng=seed)[-1].positions.tolist() for seed in range(8)]
    assert len({tuple(o) for o in others}) > 1  # the draws matter


def test_states_are_immutable() -> None:
    state = emission("scholz-code", rounds=1)[1]
    with pytest.raises(ValueError, match="read-only"):
        state.positions[0] = 0.0
    with pytest.raises(AttributeError):
        state.median = 0.0  # type: ignore[misc]


def test_regions_of_a_dyad() -> None:
    assert steps.region_name(0.5, 0.2) == "conflict (j gives in)"
    assert steps.region_name(0.2, 0.5) == "conflict (i gives in)"
    assert steps.region_name(0.5, -0.2) == "compromise (i has the upper hand)"
    assert steps.region_name(-0.2, 0.5) == "compromise (j has the upper hand)"
    assert steps.region_name(0.2, -0.5) == "i compels j"
    assert steps.region_name(-0.5, 0.2) == "i capitulates"
    assert steps.region_name(-0.5, -0.2) == "stalemate"


OTHER_VALUES = {
    "resist_salience": "challenger",
    "p_numerator": "net",
    "p_denominator": "global",
    "p_voters": "exclude-pair",
    "perception": "perceiver",
    "risk_in_votes": True,
    "security_set": "own-positions",
    "security_measure": "probability",
    "Q": 0.5,
    "range": "scale",
    "capitulation": False,
    "offer_choice": "highest-eu",
    "reneging": True,
}
#: options that act on who moves, not on round 1's quantities (tested on the moves below)
MOVE_OPTIONS = ("capitulation", "offer_choice", "reneging")
# options that only act when the status quo is not certain (Q < 1)
WITH_Q_HALF = {"T": 0.5, "no_challenge_distance": "both-to-median", "mu": "mean"}


def trajectory(preset: str = "paper-literal", **options: object) -> np.ndarray:
    opts = EumOptions(preset=preset, rounds=6, **options)  # type: ignore[arg-type]
    states = run(C, X, S, options=opts, lo=0.0, hi=14.0)
    return np.array([[*s.positions, s.median] for s in states] + [[*states[1].r, 0.0]])


# the reading options whose effect shows in round 1's quantities, and the moves' options
ROUND_ONE_OPTIONS = {k: v for k, v in OTHER_VALUES.items() if k not in MOVE_OPTIONS}


def _assert_round_one(options: EumOptions) -> None:
    """Round 1 of the model is the loop-built round of tests/eum_round_one.py (A1-A10)."""
    state = run(C, X, S, options=options, lo=0.0, hi=14.0)[1]
    ref = round_one(C.tolist(), X.tolist(), S.tolist(), options, 0.0, 14.0)
    np.testing.assert_allclose(state.security, ref.security, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.r, ref.r, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.P, ref.P, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.eu_challenge, ref.own, rtol=0, atol=1e-12)
    np.testing.assert_allclose(state.eu_perceived, ref.other, rtol=0, atol=1e-12)


@pytest.mark.parametrize(("name", "value"), ROUND_ONE_OPTIONS.items())
def test_every_reading_option_does_what_it_says(name: str, value: object) -> None:
    """Set away from paper-literal, each of A1-A10 gives the round its definition gives (an
    independent loop-built round), and that round differs from paper-literal's."""
    assert getattr(EumOptions(), name) != value
    _assert_round_one(EumOptions(rounds=1, **{name: value}))  # type: ignore[arg-type]
    assert not np.allclose(trajectory(), trajectory(**{name: value}))


def test_the_loop_built_round_is_paper_literal_s() -> None:
    _assert_round_one(EumOptions(rounds=1))
    state = run(C, X, S, options=EumOptions(rounds=1))[1]
    assert state.r[NAMES.index("UK")] == pytest.approx(2.0)  # §2.4, the least secure


@pytest.mark.parametrize(("name", "value"), WITH_Q_HALF.items())
def test_no_challenge_options_matter_when_q_is_below_one(name: str, value: object) -> None:
    _assert_round_one(EumOptions(rounds=1, Q=0.5, **{name: value}))  # type: ignore[arg-type]
    base = trajectory(Q=0.5)
    changed = trajectory(Q=0.5, **{name: value})
    assert not np.allclose(base, changed)
    assert np.allclose(trajectory(), trajectory(**{name: value}))  # no effect at Q = 1


def _moves(**options: object) -> list[tuple]:  # type: ignore[type-arg]
    states = run(C, X, S, options=EumOptions(rounds=6, **options), lo=0.0, hi=14.0)  # type: ignore[arg-type]
    return [(state.round, m) for state in states[1:] for m in state.moves]


def test_without_capitulation_nobody_capitulates() -> None:
    assert any(m.kind == "capitulation" for _, m in _moves())
    assert not any(m.kind == "capitulation" for _, m in _moves(capitulation=False))


def test_reneging_keeps_an_actor_whose_offer_was_taken() -> None:
    """A14 (Masad 2016): whoever saw an offer of theirs accepted does not move that round."""

    def clashes(moves: list[tuple]) -> int:  # type: ignore[type-arg]
        by_round: dict[int, list] = {}  # type: ignore[type-arg]
        for t, m in moves:
            by_round.setdefault(t, []).append(m)
        return sum(len({m.mover for m in ms} & {m.partner for m in ms}) for ms in by_round.values())

    assert clashes(_moves()) > 0  # without reneging, a partner moves in the same round
    assert clashes(_moves(reneging=True)) == 0


def test_highest_eu_takes_the_offer_of_whoever_wants_most_to_challenge() -> None:
    """A14 (Masad 2013): each mover's partner is the actor with the largest EU of challenging
    it (as the mover sees it), among those with a positive one."""
    state = run(C, X, S, options=EumOptions(rounds=1, offer_choice="highest-eu"))[1]
    assert state.moves
    for m in state.moves:
        others = np.nan_to_num(state.eu_perceived[m.mover], nan=-np.inf)
        assert m.partner == int(np.argmax(others))
        assert m.eu_partner == pytest.approx(others.max())
    base = emission("paper-literal", rounds=1)[1]
    assert [m.partner for m in state.moves] != [m.partner for m in base.moves]


def test_views_matter_only_with_the_perceivers_exponent() -> None:
    assert not np.allclose(
        trajectory("scholz-code", views="mover"), trajectory("scholz-code", views="both")
    )
    assert np.allclose(trajectory(views="mover"), trajectory(views="both"))


def test_compromise_size_option() -> None:
    """Scholz's code compromises (Belgium with France); the weighted average moves it further."""
    ratio = run(C, X, S, options=EumOptions(preset="scholz-code", rounds=1))[1]
    average = run(
        C, X, S, options=EumOptions(preset="scholz-code", rounds=1, compromise="weighted-average")
    )[1]
    belgium = NAMES.index("Belgium")
    a, b = -0.11483050347300794, 0.2432965945234421  # golden round-1 EUs, Belgium vs France
    assert ratio.positions[belgium] == pytest.approx(7 + 3 * abs(a) / b, abs=1e-9)
    assert average.positions[belgium] == pytest.approx(
        (abs(a) * 7 + b * 10) / (abs(a) + b), abs=1e-9
    )


def test_max_margin_breaks_ties_by_actor_order() -> None:
    """With two equal halves the lower median is 30; the first max-margin position is 70."""
    x = np.array([70.0, 30.0])
    w = np.ones(2)
    assert steps.median_position(x, w, "median") == 30.0
    assert steps.median_position(x, w, "max-margin") == 70.0
    assert steps.median_position(X, C * S, "max-margin") == 7.0  # the weighted median here


def test_range_current_follows_the_positions() -> None:
    states = run(C, X, S, options=EumOptions(preset="scholz-code", range="current", rounds=3))
    assert [s.span for s in states[1:]] == [6.0, 6.0, 6.0]  # emission positions keep 4 and 10
    states = run(
        np.ones(3),
        np.array([0.0, 50.0, 60.0]),
        np.full(3, 0.9),
        options=EumOptions(range="current", rounds=2),
    )
    assert states[1].span == 60.0


def test_range_scale_is_the_issue_scale() -> None:
    states = run(
        C, X, S, options=EumOptions(preset="scholz-code", range="scale", rounds=2), lo=0.0, hi=14.0
    )
    assert [s.span for s in states] == [14.0, 14.0, 14.0]
