"""KTAB's Spatial Model of Politics: reproduction of KTAB's reference logs, options, contract.

The expected values come from KTAB's own 2017 reference logs in ``shared/reference/ktab/``,
read by the small parser below (never transcribed by hand). KTAB prints positions to 0.1 on
the 0-100 scale and probabilities and fractional changes to 4 decimals, so a value matches when
it rounds to the printed one: it lies within half a unit of the last printed digit (plus 1e-9
for the binary representation of the printed decimal).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.errors import InputError, ScenarioError
from detente.models import smp
from detente.models.smp import _kernels, pce, steps
from detente.models.smp.options import SmpOptions
from detente.scenario import Scenario, files, ktab, ktab_xml

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
    monkeypatch.setattr(pce, "TILED_MIN_OPTIONS", 2)
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


@pytest.mark.parametrize("layout", ["scattered", "runs", "runs on both threads"])
@pytest.mark.parametrize("own", [False, True])
@pytest.mark.parametrize("commit", ["NoCommit", "SemiCommit", "FullCommit"])
@pytest.mark.parametrize("adjust", ["None", "OneThird", "Half", "TwoThirds", "Full"])
def test_compiled_challenge_is_bit_for_bit_the_numpy_one(
    adjust: str, commit: str, own: bool, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The numba kernel for proportional votes repeats the numpy arithmetic exactly, with the
    quadruples scattered or in runs that share h and i (as best_targets sends them), on one
    thread and on both."""
    rng = np.random.default_rng([7, len(adjust), len(commit), own, len(layout)])
    n, m = 150, 700
    x, q = rng.uniform(0, 1, (n, 2)), rng.uniform(0, 1, (n, 2))
    s = rng.uniform(0.1, 0.5, (n, 2))
    d = steps.distances(q, x, s) * 2.0  # beyond 1 too
    r, w = rng.uniform(-1, 1, n), s.sum(axis=1) * rng.uniform(10, 200, n)
    h, k, i, j = (rng.integers(0, n, m) for _ in range(4))
    if layout != "scattered":
        i = np.sort(rng.integers(0, n // 10, m))  # runs of about ten quadruples
        h = i if own else np.sort(rng.integers(0, n // 20, m))
    if layout == "runs on both threads":
        monkeypatch.setattr(_kernels, "PARALLEL_MIN_WORK", 0)
    h, k = (i, i) if own else (h, k)
    kw = {"d": d, "r": r, "weight": w, "total_salience": s.sum(axis=1), "own": own}
    compiled = steps.challenge(h, k, i, j, big_r_adjust=adjust, rule="Prop", commit=commit, **kw)
    monkeypatch.setattr(_kernels, "ADJUST_CODES", {})  # forces the numpy path
    plain = steps.challenge(h, k, i, j, big_r_adjust=adjust, rule="Prop", commit=commit, **kw)
    for a, b in zip(compiled, plain, strict=True):
        assert np.array_equal(a, b)


def test_compiled_l1_sums_are_bit_for_bit_numpys() -> None:
    VT = np.random.default_rng(3).standard_normal((40, 1300)) * 1e3
    L1 = _kernels.l1_rows(VT)
    for a in range(len(VT) - 1):
        assert np.array_equal(L1[a, a + 1 :], np.sum(np.abs(VT[a + 1 :] - VT[a]), axis=1))
    assert not np.any(np.tril(L1))


@pytest.mark.parametrize("shape", [(5, 3), (9, 7), (6, 8), (12, 129), (7, 300)])
def test_compiled_l1_sums_follow_numpys_tree_for_every_length(shape: tuple[int, int]) -> None:
    """Runs shorter than 8, one block, a block plus a rest, and halved runs."""
    VT = np.random.default_rng(shape).uniform(-1, 1, shape) * 1e3
    L1 = _kernels.l1_rows(VT)
    for a in range(len(VT) - 1):
        assert np.array_equal(L1[a, a + 1 :], np.sum(np.abs(VT[a + 1 :] - VT[a]), axis=1))


@pytest.mark.parametrize("shape", [(2, 9), (9, 130), (37, 300)])
def test_compiled_l1_sums_on_both_threads_are_numpys(
    shape: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parallel kernel (blocks of rows, the last one short) gives numpy's sums too."""
    monkeypatch.setattr(_kernels, "PARALLEL_MIN_WORK", 0)
    VT = np.random.default_rng(shape).uniform(-1, 1, shape) * 1e3
    L1 = _kernels.l1_rows(VT)
    for a in range(len(VT) - 1):
        assert np.array_equal(L1[a, a + 1 :], np.sum(np.abs(VT[a + 1 :] - VT[a]), axis=1))
    assert not np.any(np.tril(L1))


def _without_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.models.smp import _accel

    monkeypatch.setattr(_accel, "kernels", lambda actors=None: None)


@pytest.mark.parametrize("shape", [(9, 4), (3, 40, 5), (1, 60, 40), (30, 2, 2)])
def test_compiled_queue_coalitions_are_bit_for_bit_numpys(
    shape: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled gaps feed the same matrix product (batched PCEs, as the queues are)."""
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    u = rng.uniform(-1, 1, shape)
    u[..., 0, 1] = u[..., 0, 0]  # ties: zero gaps
    w = rng.uniform(10, 200, shape[-2])
    compiled = pce.coalitions(u, w, "Prop")
    from_f_order = pce.coalitions(np.asfortranarray(u), w, "Prop")  # the numpy path's layout
    _without_kernels(monkeypatch)
    assert np.array_equal(compiled, pce.coalitions(u, w, "Prop"))
    assert np.array_equal(from_f_order, pce.coalitions(np.asfortranarray(u), w, "Prop"))


@pytest.mark.parametrize("issues", [1, 2, 3, 7, 8])
def test_compiled_bargain_utilities_are_bit_for_bit_numpys(
    issues: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(issues)
    n, nb = 17, 23
    x = rng.uniform(0, 1, (n, issues))
    s = rng.uniform(0, 0.6, (n, issues))
    s[0] = 0.0  # an actor with no salience: indifferent
    r = rng.uniform(-1, 1, n)
    own = steps.utility(steps.distances(x, x, s), r[:, None])
    init, rcvr = rng.integers(0, n, nb), rng.integers(0, n, nb)
    far = rng.uniform(-1, 2, (nb, issues))  # distances beyond 1 too
    args = (own, x, s, r, init, rcvr, far, rng.uniform(0, 1, (nb, issues)))
    compiled = steps.bargain_utilities(*args)
    _without_kernels(monkeypatch)
    assert np.array_equal(compiled, steps.bargain_utilities(*args))


def test_compiled_unique_positions_are_numpys(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.round(np.random.default_rng(4).uniform(0, 1, (60, 2)), 1)  # many shared positions
    unique, same = steps.unique_positions(x, 0.05)
    assert 1 < len(unique) < 60
    _without_kernels(monkeypatch)
    plain, plain_same = steps.unique_positions(x, 0.05)
    assert np.array_equal(unique, plain)
    assert unique.dtype == plain.dtype
    assert np.array_equal(same, plain_same)


def test_the_first_turns_bargains_match_the_log_from_every_view(shared: Path) -> None:
    """KTAB prints, for each first-turn challenge, the bargain from the initiator's view, from the
    receiver's view (KTAB builds it from the receiver's estimate of the initiator's *gain*) and
    their power-weighted compromise (weighted by the initiator's capability twice): the
    ``InitRcvrInterp`` and ``PWCompInterp`` bargains, which the default run does not use."""
    log = parse_log(KTAB / "20170530_ref-dummyData_3Dim.txt")
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    seen = {}
    for model in ("InitRcvrInterp", "PWCompInterp"):
        gen = smp.rounds(
            c, X, S, lo=np.zeros(3), hi=np.full(3, 100.0), options=SmpOptions(BargnModel=model)
        )
        next(gen)
        for b in next(gen).bargains:
            seen[b.initiator, b.receiver, b.view] = (b.init_position, b.rcvr_position)
    assert len(log.bargains) == 3 * 7  # every actor challenged someone in the first turn
    for i, j, view, init, rcvr in log.bargains:
        got_init, got_rcvr = seen[i, j, view]
        for got, printed in zip(got_init + got_rcvr, init + rcvr, strict=True):
            assert _printed(got, printed, 3), (i, j, view, got, printed)


# --- kernels on hand-checkable cases, one per option value ---------------------------------------


@pytest.mark.parametrize(
    ("rule", "gain", "loss"),
    [
        ("Prop", 1.0, -1.0),  # w du
        ("Binary", 2.0, -2.0),  # w sign(du) beyond the 1e-8 ramp
        ("PropBin", 2 * (0.8 * 0.5 + 0.2), -2 * (0.8 * 0.5 + 0.2)),
        ("PropCbc", 2 * (0.25 + 0.0625), -2 * (0.25 + 0.0625)),
        ("Cubic", 0.25, -0.25),  # w du^3: small differences count for less
        ("ASymProsp", 2 * 0.5 * 2 / 3, -1.0),  # gains count 2/3 of losses
    ],
)
def test_voting_rules(rule: str, gain: float, loss: float) -> None:
    assert steps.vote(rule, 2.0, np.array(0.5)) == pytest.approx(gain)
    assert steps.vote(rule, 2.0, np.array(-0.5)) == pytest.approx(loss)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("Linear", 2 / 3),
        ("Square", 4 / 5),
        ("Quartic", 16 / 17),
        ("Octic", 256 / 257),
        ("Binary", 1 / (1 + 1e-6)),
    ],
)
def test_victory_probability_models(model: str, expected: float) -> None:
    """A 2:1 coalition wins 2/3 of the time (Linear), more with steeper laws, surely (Binary)."""
    p = steps.victory_probabilities(np.array([[1e-8, 2.0], [1.0, 1e-8]]), model)
    assert p[0, 1] == pytest.approx(expected, rel=1e-12)
    assert p[1, 0] == pytest.approx(1 - expected, rel=1e-12)
    assert p[0, 0] == 0.5


def test_binary_victory_ramps_inside_ten_percent() -> None:
    p = steps.victory_probabilities(np.array([[1e-8, 1.05], [1.0, 1e-8]]), "Binary")
    r = 1.05 / 2.05
    assert p[0, 1] == pytest.approx((r * 2.1 - 1) / 0.1)


C3 = np.array([[1e-8, 3.0, 4.0], [1.0, 1e-8, 2.0], [1.0, 1.0, 1e-8]])


def test_conditional_pce_by_hand() -> None:
    # P(0>1) = 3/4, P(0>2) = 4/5, P(1>2) = 2/3; p_a ~ prod_b P(a>b), with P(a>a) = 1/2
    p = steps.pce(C3, "Linear", "Conditional")
    np.testing.assert_allclose(p, [0.72, 0.2, 0.08], rtol=1e-6)


@pytest.mark.parametrize("model", ["MarkovUniform", "MarkovIncentive"])
def test_markov_pces_are_fixed_points_and_less_sure_than_conditional(model: str) -> None:
    vp = steps.victory_probabilities(C3, "Linear")
    p = steps.pce(C3, "Linear", model)
    assert p.sum() == pytest.approx(1.0)
    assert np.argmax(p) == 0
    if model == "MarkovUniform":  # p_a = (1/N) sum_b P(a>b)(p_a + p_b)
        np.testing.assert_allclose((vp * (p[:, None] + p[None, :])).sum(1) / 3, p, atol=1e-5)
        assert p[0] < steps.pce(C3, "Linear", "Conditional")[0]
    else:  # challengers come in proportion to C(a,b) P(a>b): the winner keeps more
        assert p[0] > steps.pce(C3, "Linear", "MarkovUniform")[0]
    # two options: every PCE gives the pairwise probability
    two = steps.pce(np.array([[1e-8, 2.0], [1.0, 1e-8]]), "Linear", model)
    assert two[0] == pytest.approx(2 / 3, abs=1e-5)


@pytest.mark.parametrize(
    ("big_r_range", "expected"),
    [("Min", [0.0, 0.4, 1.0]), ("Mid", [-0.5, 0.1, 1.0]), ("Max", [-1.0, -0.2, 1.0])],
)
def test_big_r_range(big_r_range: str, expected: list[float]) -> None:
    """The most probable position's holder is the most risk-averse (R = 1)."""
    r = steps.risk_from_probabilities(np.array([0.1, 0.3, 0.6]), big_r_range)
    np.testing.assert_allclose(r, expected, atol=1e-12)


def test_equal_probabilities_mean_risk_neutral() -> None:
    assert np.all(steps.risk_from_probabilities(np.full(4, 0.25), "Mid") == 0.0)


@pytest.mark.parametrize(
    ("adjust", "expected"),
    [("None", 1.0), ("OneThird", 0.5), ("Half", 0.25), ("TwoThirds", 0.0), ("Full", -0.5)],
)
def test_big_r_adjust(adjust: str, expected: float) -> None:
    """h (R = 1) estimates i (R = -1/2) by anchoring on itself, more or less."""
    assert steps.estimate_risk(np.array(1.0), np.array(-0.5), adjust) == pytest.approx(expected)


def _three_on_a_line() -> dict[str, np.ndarray]:
    # i at 0, j at 1, third party n at 1 with j; one dimension, all risk-neutral, weights 1
    x = np.array([[0.0], [1.0], [1.0]])
    d = steps.distances(x, x, np.ones((3, 1)))
    return {"d": d, "r": np.zeros(3), "weight": np.ones(3), "total_salience": np.ones(3)}


@pytest.mark.parametrize(
    ("commit", "expected"), [("NoCommit", 0.5), ("FullCommit", 0.5), ("SemiCommit", 4 / 7)]
)
def test_third_party_commitment(commit: str, expected: float) -> None:
    """The principals' votes cancel (1 each). Under Full and No commitment a third party's two
    expected outcomes are equal sums, so it abstains: P = 1/2. Under SemiCommit the third party
    at j's position first sees i's chance as 1/3 (its own vote -1 joins j), then expects
    1/3 * (1 - 0) + 2/3 * (1 - 1) = +1/3 from siding with i: P = (4/3) / (4/3 + 1) = 4/7."""
    idx = np.array([0])
    p, gain = steps.challenge(
        idx,
        idx,
        idx,
        np.array([1]),
        big_r_adjust="OneThird",
        rule="Prop",
        commit=commit,
        **_three_on_a_line(),
    )
    assert p[0] == pytest.approx(expected, rel=1e-9)
    # k = i: gain = (1 - S_j) 2u_ii + S_j (2P u_ii + 2(1-P) u_ij) - u_ii - u_ij = 2P - 1
    assert gain[0] == pytest.approx(2 * expected - 1, rel=1e-9)


@pytest.mark.parametrize(
    ("method", "init", "rcvr"),
    [("S2P2", 0.26, 0.26), ("S1P1", 0.35, 0.35), ("S2PMax", 0.2, 0.5)],
)
def test_bargain_interpolation(method: str, init: float, rcvr: float) -> None:
    """i at 0.2 (P = 3/4), j at 0.8, saliences 1/2: S2P2 weights (sP)^2 = 9:1 so both meet at
    0.26; S1P1 weights sP = 3:1, 0.35; S2PMax moves only the likelier loser, by the gap 1/2."""
    one = np.array([[0.5]])
    bi, bj = steps.interpolate(
        np.array([[0.2]]), one, np.array([0.75]), np.array([[0.8]]), one, np.array([0.25]), method
    )
    assert bi[0, 0] == pytest.approx(init, abs=1e-5)
    assert bj[0, 0] == pytest.approx(rcvr, abs=1e-5)


# --- options on the model ------------------------------------------------------------------------

NON_DEFAULTS = (
    [("VictoryProbModel", v) for v in ("Square", "Quartic", "Octic", "Binary")]
    + [("PCEModel", v) for v in ("MarkovIncentive", "MarkovUniform")]
    + [("VotingRule", v) for v in ("Binary", "PropBin", "PropCbc", "Cubic", "ASymProsp")]
    + [("BigRAdjust", v) for v in ("None", "Half", "TwoThirds", "Full")]
    + [("BigRRange", v) for v in ("Min", "Max")]
    + [("ThirdPartyCommit", v) for v in ("NoCommit", "FullCommit")]
    + [("InterVecBrgn", v) for v in ("S1P1", "S2PMax")]
    + [("BargnModel", v) for v in ("InitRcvrInterp", "PWCompInterp")]
    + [("StateTransitions", "Stochastic")]
)


#: Where each option takes effect: the step function (of smp.steps) that receives its value.
RECEIVERS = {
    "VictoryProbModel": "scalar_pce",
    "PCEModel": "scalar_pce",
    "VotingRule": "best_targets",
    "BigRAdjust": "best_targets",
    "BigRRange": "risk_from_probabilities",
    "ThirdPartyCommit": "best_targets",
    "InterVecBrgn": "interpolate",
}


@pytest.mark.parametrize(("name", "value"), NON_DEFAULTS)
def test_every_non_default_option_reaches_its_step_and_changes_the_trajectory(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each option, set away from KTAB's default, is what its step receives on every call (the
    steps' own semantics are checked by hand above), and the run it gives differs."""
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    base = smp.run(c, X, S)
    seen: dict[str, list[set[str]]] = {}
    for function in set(RECEIVERS.values()):
        real = getattr(steps, function)

        def spy(*args: object, _real=real, _name=function, **kwargs: object) -> object:  # type: ignore[no-untyped-def]
            words = {v for v in (*args, *kwargs.values()) if isinstance(v, str)}
            seen.setdefault(_name, []).append(words)
            return _real(*args, **kwargs)

        monkeypatch.setattr(steps, function, spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        other = smp.run(c, X, S, options=SmpOptions(**{name: value}), rng=1)
    if name in RECEIVERS:
        calls = seen[RECEIVERS[name]]
        default = SmpOptions.model_fields[name].default
        assert calls
        assert all(value in words and default not in words for words in calls)
    elif name == "BargnModel":
        views = {b.view for state in other for b in state.bargains}
        assert views == ({"initiator", "receiver"} if value == "InitRcvrInterp" else {"compromise"})
    else:  # StateTransitions: the same seed, the same draws; another seed, other draws
        again = smp.run(c, X, S, options=SmpOptions(**{name: value}), rng=1)
        assert [s.chosen.tolist() for s in again[1:]] == [s.chosen.tolist() for s in other[1:]]
    assert all(np.all(np.isfinite(s.positions)) for s in other)
    assert all(s.unique_probability.sum() == pytest.approx(1.0) for s in other)
    changed = len(other) != len(base) or any(
        not np.array_equal(a.positions, b.positions) for a, b in zip(base, other, strict=False)
    )
    assert changed


def test_receiver_interpolation_offers_two_bargains_per_challenge() -> None:
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        one = smp.run(c, X, S, options=SmpOptions(max_iter=1))[1]
        two = smp.run(c, X, S, options=SmpOptions(max_iter=1, BargnModel="InitRcvrInterp"))[1]
    assert len(two.bargains) == 2 * len(one.bargains)
    assert [b.view for b in two.bargains[:2]] == ["initiator", "receiver"]


def test_stochastic_transitions_are_reproducible_for_a_seed() -> None:
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    options = SmpOptions(StateTransitions="Stochastic", max_iter=15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        runs = {seed: smp.run(c, X, S, options=options, rng=seed) for seed in range(5)}
        again = smp.run(c, X, S, options=options, rng=3)
    assert [s.positions.tolist() for s in again] == [s.positions.tolist() for s in runs[3]]
    finals = {tuple(np.round(r[-1].positions, 6).ravel()) for r in runs.values()}
    assert len(finals) > 1  # the draws matter
    # deterministic transitions ignore the rng
    a = smp.run(c, X, S, rng=1)
    b = smp.run(c, X, S, rng=2)
    assert [s.positions.tolist() for s in a] == [s.positions.tolist() for s in b]


def test_accommodation_matrix_moves_ideals() -> None:
    """A = I: ideals jump to positions (KTAB's default); A = 0: ideals never move; A = I/2:
    the ideal goes half way to the new position each turn."""
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    n = len(c)
    cynical = smp.run(c, X, S)
    assert all(np.array_equal(s.ideals, s.positions) for s in cynical)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ideal = smp.run(c, X, S, accommodation=np.zeros((n, n)), options=SmpOptions(max_iter=3))
    for s in ideal:
        np.testing.assert_allclose(s.ideals, X, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        half = smp.run(c, X, S, accommodation=0.5 * np.eye(n), options=SmpOptions(max_iter=1))
    np.testing.assert_allclose(half[1].ideals, 0.5 * half[1].positions + 0.5 * X, atol=1e-12)


def test_bad_accommodation_is_refused() -> None:
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    with pytest.raises(InputError, match="accommodation"):
        smp.run(c, X, S, accommodation=np.ones((7, 7)))
    with pytest.raises(InputError, match="7 x 7"):
        smp.run(c, X, S, accommodation=np.eye(3))


def test_stopping_constants_are_options() -> None:
    c, X, S = detente.bundled("ktab-dummy-3d").arrays()
    # fractional changes 0.9999, 0.7631, 0.1780, 0.0801, 0.0853, ... (the log)
    assert len(smp.run(c, X, S, options=SmpOptions(min_delta_ratio=0.1))) == 5
    assert len(smp.run(c, X, S, options=SmpOptions(min_delta_ratio=0.1, min_iter=5))) == 6
    with pytest.warns(RuntimeWarning, match="still moving after max_iter=3"):
        assert len(smp.run(c, X, S, options=SmpOptions(max_iter=3))) == 4
    with pytest.raises(InputError, match="max_iter"):
        smp.INFO.parse_options({"max_iter": 0})


# --- contract and properties ---------------------------------------------------------------------


def test_forecast_reports_mean_and_most_probable_position() -> None:
    fc = detente.forecast(detente.bundled("ktab-soe-pol-comp"), ["smp"])
    frame = fc.to_frame()
    last = frame[(frame["round"] == 27) & (frame["quantity"].isin(["mean", "most_probable"]))]
    assert set(last["quantity"]) == {"mean", "most_probable"}
    # ktab-smp.md 6.4: the c x s weighted mean moves from (36.3, 38.9) to (37.3, 36.9)
    assert [round(v, 1) for v in fc.run("smp").values] == [37.3, 36.9]
    first = frame[(frame["round"] == 0) & (frame["quantity"] == "mean")]["value"]
    assert [round(v, 1) for v in first] == [36.3, 38.9]
    assert "median" not in set(frame["quantity"])


def test_moves_name_the_bargain_that_caused_them() -> None:
    c, X, S = detente.bundled("ktab-soe-pol-comp").arrays()
    states = smp.run(c, X, S)
    for state in states[1:]:
        ids = {b.id: b for b in state.bargains}
        moved = {m.mover for m in state.moves}
        assert moved == set(
            np.nonzero(np.any(state.positions != states[state.round - 1].positions, axis=1))[0]
        )
        for m in state.moves:
            b = ids[m.bargain]
            assert m.mover in (b.initiator, b.receiver)
            side = b.init_position if m.mover == b.initiator else b.rcvr_position
            np.testing.assert_allclose(state.positions[m.mover], side, atol=1e-9)


def test_saliences_above_one_are_scaled_and_zero_capability_is_allowed() -> None:
    c = np.array([1.0, 0.0, 2.0])
    X = np.array([[10.0, 20.0], [50.0, 50.0], [90.0, 70.0]])
    S = np.array([[0.9, 0.9], [0.5, 0.5], [0.2, 0.1]])
    a = smp.run(c, X, S)
    b = smp.run(c, X, S / np.array([[1.8], [1.0], [1.0]]))
    assert [s.positions.tolist() for s in a] == [s.positions.tolist() for s in b]


def test_unanimity_does_not_move() -> None:
    states = smp.run(np.arange(1.0, 5.0), np.full((4, 2), 42.0), np.full((4, 2), 0.4))
    assert np.all(states[-1].positions == 42.0)
    assert states[0].unique_probability.tolist() == [1.0]


# --- KTAB XML ------------------------------------------------------------------------------------


def _ktab_xml(s: Scenario, parameters: str = "", adjust: str = "") -> str:
    """KTAB XML for a scenario, element by element as ``smpSchema.xsd`` lays it out."""
    dims = "".join(f"<dName>{i.name}</dName>" for i in s.issues)
    actors = "".join(
        f"<Actor><name>{a.name}</name><description>{a.description}</description>"
        f"<capability>{a.capability!r}</capability><Position>"
        + "".join(f"<dCoord>{a.position[i]!r}</dCoord>" for i in s.issue_ids)
        + "</Position><Salience>"
        + "".join(f"<dSal>{a.salience[i]!r}</dSal>" for i in s.issue_ids)
        + "</Salience></Actor>"
        for a in s.actors
    )
    return (
        f'<?xml version="1.0"?>\n<Scenario><name>{s.name}</name><desc>{s.description}</desc>'
        f"<prngSeed>15455440707583219804</prngSeed>{parameters}"
        f"<Dimensions>{dims}</Dimensions><Actors>{actors}</Actors>{adjust}</Scenario>"
    )


def test_ktab_xml_without_adjustments_runs_like_the_csv(shared: Path) -> None:
    """ktab-smp.md 6.6: KTAB's own dummyData_3Dim.xml lacks IdealAdjustment (its reader then
    fails); read by the schema, the XML reproduces the CSV run."""
    csv = ktab.read(KTAB / "dummyData_3Dim.csv")
    s = ktab_xml.loads(_ktab_xml(csv), scenario_id=csv.id)
    assert s.arrays()[0].tolist() == csv.arrays()[0].tolist()
    assert s.accommodation == {}
    assert s.model_options == {}
    a, b = detente.forecast(s, ["smp"]), detente.forecast(csv, ["smp"])
    assert a.run("smp").rounds == b.run("smp").rounds


PARAMETERS = (
    "<ModelParameters><VictoryProbModel>Square</VictoryProbModel><PCEModel>MarkovIncentive"
    "</PCEModel><StateTransitions>Deterministic</StateTransitions><VotingRule>PropCbc"
    "</VotingRule><BigRAdjust>No</BigRAdjust><BigRRange>Max</BigRRange><ThirdPartyCommit>"
    "FullCommit</ThirdPartyCommit><InterVecBrgn>S1P1</InterVecBrgn><BargnModel>PWCompInterp"
    "</BargnModel></ModelParameters>"
)
ADJUSTMENTS = (
    "<IdealAdjustment>"
    "<iaPair><adjustingIdeal>SActor-01</adjustingIdeal><referencePos>SActor-00</referencePos>"
    "<adjust>0.07</adjust></iaPair>"
    "<iaPair><adjustingIdeal>SActor-01</adjustingIdeal><referencePos>SActor-01</referencePos>"
    "<adjust>0.5</adjust></iaPair></IdealAdjustment>"
)


def test_ktab_xml_model_parameters_and_ideal_adjustment(shared: Path, tmp_path: Path) -> None:
    csv = ktab.read(KTAB / "dummyData_3Dim.csv")
    s = ktab_xml.loads(_ktab_xml(csv, PARAMETERS, ADJUSTMENTS))
    assert s.model_options["smp"]["BigRAdjust"] == "None"  # the schema's "No"
    assert s.accommodation == {"SActor-01": {"SActor-00": 0.07, "SActor-01": 0.5}}
    A = s.accommodation_matrix()
    assert A is not None
    assert A[1, 0] == 0.07
    assert A[1, 1] == 0.5
    assert A[0, 0] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fc = detente.forecast(s, ["smp"])
        explicit = smp.run(
            *s.arrays(), options=SmpOptions(**s.model_options["smp"]), accommodation=A
        )
    run = fc.run("smp")
    assert run.options["PCEModel"] == "MarkovIncentive"
    assert run.options["BargnModel"] == "PWCompInterp"
    assert [r.positions for r in run.rounds[0]] == [
        tuple(st.positions[:, 0].tolist()) for st in explicit
    ]
    # SActor-01's ideal mixes 7 % of SActor-00's position, half its own and 43 % of its old ideal
    assert not np.allclose(explicit[1].ideals[1], explicit[1].positions[1])
    # the scenario file keeps both (YAML round trip)
    path = tmp_path / "s.yaml"
    files.write(s, path)
    assert files.read(path) == s


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda t: t.replace("<dCoord>6.37</dCoord>", ""), ScenarioError, "2 Position.dCoord"),
        (lambda t: t.replace("</Dimensions>", "</Dimensions"), ScenarioError, "not well-formed"),
        (
            lambda t: t.replace("</Actors>", "</Actors>" + ADJUSTMENTS.replace("-00", "-99")),
            ScenarioError,
            "'SActor-99' is not an actor",
        ),
        (
            lambda t: t.replace("</Actors>", "</Actors>" + ADJUSTMENTS.replace("0.5", "0.95")),
            ScenarioError,
            "sum to 1.02",
        ),
        (
            lambda t: t.replace("<prngSeed>", PARAMETERS.replace("Square", "Cubic") + "<prngSeed>"),
            ScenarioError,
            "VictoryProbModel: is 'Cubic'; KTAB's values are Linear, Square",
        ),
    ],
)
def test_bad_ktab_xml_is_refused_clearly(edit, error, message, shared: Path) -> None:  # type: ignore[no-untyped-def]
    text = edit(_ktab_xml(ktab.read(KTAB / "dummyData_3Dim.csv")))
    with pytest.raises(error, match=message):
        ktab_xml.loads(text)


def test_cli_imports_ktab_xml_and_forecasts_it(cli, shared: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    xml = tmp_path / "soe.xml"
    xml.write_text(
        _ktab_xml(
            ktab.read(KTAB / "SOE-Pol-Comp.csv"),
            ADJUSTMENTS.replace("SActor-01", "XJ").replace("SActor-00", "LK"),
        )
    )
    out = tmp_path / "soe.yaml"
    result = cli("import", str(xml), "-o", str(out))
    assert result.code == 0, result.err
    assert "13 actors" in result.err
    result = cli("forecast", str(out), "--model", "smp", "--no-store")
    assert result.code == 0, result.err
    assert "smp by round" in result.out
    bad = cli("import", str(tmp_path / "missing.xml"), "-o", str(tmp_path / "x.yaml"))
    assert bad.code == 2
    assert "Traceback" not in bad.err
