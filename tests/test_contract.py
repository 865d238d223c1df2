"""The model contract: every dynamic model's rounds, the one stopping rule, and a new model that
reaches every command through the registry alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from pydantic import Field

import detente
from detente import models
from detente.errors import InputError
from detente.models import Changed, Move, Round
from detente.models.contract import Trajectory
from detente.models.registry import ModelInfo, ModelOptions
from detente.models.stopping import run

DYNAMIC = [info.name for info in models.registered() if info.iterative]


# --- every dynamic model's trajectory ------------------------------------------------------------


@pytest.mark.parametrize("name", DYNAMIC)
def test_a_trajectory_yields_typed_rounds(name: str) -> None:
    info = models.get(name)
    s = detente.bundled("ktab-soe-pol-comp")
    c, X, S = s.arrays()
    columns = slice(0, 1) if info.dimensions == "per-issue" else slice(None)
    X, S = X[:, columns], S[:, columns]
    n, k = X.shape
    limit = 6
    options = info.parse_options({info.round_limit: limit})  # type: ignore[dict-item]
    assert info.trajectory is not None
    rounds = list(info.trajectory(c, X, S, options=options))
    assert [r.round for r in rounds] == list(range(len(rounds)))
    assert 1 < len(rounds) <= limit + 1
    assert rounds[0].moves == ()
    labels = [a.label for a in s.actors]
    for r in rounds:
        assert isinstance(r, Round)
        assert r.positions.shape == (n, k)
        assert r.forecast.shape == (k,)
        assert r.settled is None or r.settled.shape == (k,)
        assert all(v.shape == (k,) for v in r.quantities.values())
        assert not r.positions.flags.writeable
        for m in r.moves:
            assert isinstance(m, Move)
            text = m.explain(labels)
            assert labels[m.partner] in text
            assert labels[m.partner] in m.reason(labels)
            doc = json.loads(json.dumps(m.to_json(s.actor_ids)))
            assert doc["mover"] == s.actor_ids[m.mover]
            assert doc["toward"] == s.actor_ids[m.partner]
    assert any(r.moves for r in rounds), "the case moves somebody"


@pytest.mark.parametrize("name", DYNAMIC)
def test_metadata_names_real_options(name: str) -> None:
    info = models.get(name)
    assert info.round_limit in info.options.model_fields
    for preset in info.presets:
        assert info.parse_options({"preset": preset})


@pytest.mark.parametrize(
    ("name", "drawing", "fixed"),
    [
        ("eum", {"conflict": "stochastic"}, {"conflict": "deterministic"}),
        ("smp", {"StateTransitions": "Stochastic"}, {"StateTransitions": "Deterministic"}),
    ],
)
def test_a_model_says_which_options_draw_random_numbers(
    name: str, drawing: dict[str, str], fixed: dict[str, str]
) -> None:
    info = models.get(name)
    assert info.draws(info.parse_options(drawing))
    assert not info.draws(info.parse_options(fixed))
    assert not models.get("nash").draws(models.get("nash").parse_options())


def test_a_model_that_takes_no_events_refuses_them_before_any_work() -> None:
    from detente.simulate import simulate

    # six-party-2004's election falls during the run; smp takes events only before it starts
    with pytest.raises(InputError, match=r"smp: events during the run are not supported"):
        simulate(detente.bundled("six-party-2004"), ["smp"], draws=2, rng=1)


def test_an_event_with_unchanged_inputs_changes_nothing() -> None:
    c, X, S = detente.bundled("emission-1994").arrays()
    info = models.get("eum")
    assert info.trajectory is not None
    plain = run(info.trajectory(c, X, S))

    def same(state: Round) -> Changed:
        assert state.capability is not None
        assert state.salience is not None
        return Changed(state.capability, state.positions, state.salience)

    sent = run(info.trajectory(c, X, S), events={3: same, 6: same})
    assert [r.forecast.tolist() for r in sent.rounds] == [r.forecast.tolist() for r in plain.rounds]


# --- the one stopping rule, on a trajectory made by hand ----------------------------------------


def _scripted(
    forecasts: list[list[float]], settled: list[list[bool] | None], received: list[Any]
) -> Trajectory:
    """Rounds with the given forecasts and settled flags; records what is sent in."""
    for t, (value, flag) in enumerate(zip(forecasts, settled, strict=True)):
        got = yield Round(
            round=t,
            positions=np.zeros((2, len(value))),
            forecast=np.array(value),
            settled=None if flag is None else np.array(flag),
        )
        received.append((t + 1, got))


def test_each_issue_keeps_the_forecast_of_the_round_it_settled_in() -> None:
    forecasts = [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]]
    flags = [None, [False, False], [True, False], [False, True], [False, False]]
    path = run(_scripted(forecasts, flags, []))
    assert path.forecast.tolist() == [2, 3]
    assert path.settled is not None
    assert path.settled.tolist() == [True, True]
    assert path.last.round == 3  # every issue had stopped: the run is over
    assert path.unsettled == 0


def test_a_run_that_never_settles_is_counted_and_keeps_its_last_forecast() -> None:
    forecasts = [[0.0], [1.0], [2.0]]
    path = run(_scripted(forecasts, [None, [False], [False]], []))
    assert path.forecast.tolist() == [2.0]
    assert path.unsettled == 1
    assert len(path.rounds) == 3


def test_a_model_without_a_stopping_rule_runs_to_its_limit_and_is_never_unsettled() -> None:
    path = run(_scripted([[0.0], [1.0], [2.0]], [None, None, None], []))
    assert path.forecast.tolist() == [2.0]
    assert path.settled is None
    assert path.unsettled == 0


def test_a_run_does_not_stop_before_its_last_event() -> None:
    received: list[Any] = []
    changed = Changed(np.ones(2), np.zeros((2, 1)), np.ones((2, 1)))
    forecasts = [[0.0], [1.0], [2.0], [3.0], [4.0]]
    flags = [None, [True], [True], [True], [True]]
    path = run(_scripted(forecasts, flags, received), events={3: lambda state: changed})
    assert path.forecast.tolist() == [3.0]  # settled at 1, but an event was still to come at 3
    assert [t for t, got in received if got is changed] == [3]
    unstopped = run(_scripted(forecasts, flags, []), stop=False)
    assert unstopped.forecast.tolist() == [4.0]


# --- a new model, through every layer, by its registration alone --------------------------------


class DriftOptions(ModelOptions):
    """Options of the toy drift model."""

    rate: float = Field(default=0.5, gt=0, le=1)
    rounds: int = Field(default=20, ge=0)
    tolerance: float = 1e-3


@dataclass(frozen=True)
class DriftMove(Move):
    def reason(self, labels: Any) -> str:
        return f"drifts toward the weighted mean, pulled by {labels[self.partner]}"


def drift(
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
) -> Iterator[Round]:
    """Every actor moves ``rate`` of the way to the c x s weighted mean, round by round."""
    options = options or DriftOptions()
    c, X, S = (np.asarray(a, dtype=float) for a in (c, X, S))
    t = 0
    settled = None
    previous = X
    while True:
        w = c[..., :, None] * S
        mean = (w * X).sum(axis=-2) / w.sum(axis=-2)
        got = yield Round(
            round=t,
            positions=X,
            forecast=mean,
            settled=settled,
            quantities={"mean": mean},
            moves=_moves(X, previous) if t and X.ndim == 2 else (),
            capability=c,
            salience=S,
        )
        if t >= options.rounds:
            return
        if got is not None:
            c, X, S = got.c, got.X, got.S
        previous = X
        X = X + options.rate * (mean[..., None, :] - X)
        settled = np.abs(X - previous).max(axis=-2) < options.tolerance
        t += 1


def _moves(X: np.ndarray, before: np.ndarray) -> tuple[DriftMove, ...]:
    strongest = 0
    return tuple(
        DriftMove(i, strongest, "drift", tuple(before[i]), tuple(X[i]))
        for i in range(len(X))
        if i != strongest and np.any(X[i] != before[i])
    )


@pytest.fixture
def drift_model(monkeypatch: pytest.MonkeyPatch) -> str:
    from detente.models import registry

    info = ModelInfo(
        name="drift",
        title="Drift (a test model)",
        summary="Actors drift to the weighted mean.",
        reference="this test",
        options=DriftOptions,
        trajectory=drift,
        dimensions="multi",
        batched=True,
        takes_events=True,
        round_limit="rounds",
    )
    monkeypatch.setitem(registry._REGISTRY, "drift", info)
    monkeypatch.setattr(registry, "_ORDER", [*registry._ORDER, "drift"])
    return "drift"


def test_a_new_model_forecasts_explains_and_is_stored(drift_model: str, cli) -> None:
    fc = detente.forecast(detente.bundled("emission-1994"), [drift_model])
    assert fc.value(drift_model, "delay") == pytest.approx(7.39, abs=0.01)  # the weighted mean
    assert fc.runs[0].settled == (True,)
    doc = fc.to_json()["issues"][0]["forecasts"][0]
    assert doc["rounds"][1]["moves"][0]["reason"].startswith("drifts toward the weighted mean")
    result = cli("forecast", "emission-1994", "--model", drift_model, "--rounds", "2", "--explain",
                 "Belgium")  # fmt: skip
    assert result.code == 0, result.err
    assert "drift by round" in result.out
    assert "round 1: drift with " in result.out


def test_a_new_model_runs_monte_carlo_with_events_on_every_engine(drift_model: str) -> None:
    from detente.simulate import simulate

    s = detente.bundled("six-party-2004")
    here = simulate(s, [drift_model], draws=12, rng=4, spread=0.1)
    there = simulate(s, [drift_model], draws=12, rng=4, spread=0.1, chunk_size=5)
    assert here.future_names == ("bush-reelected", "kerry-wins")
    for key, values in here.values.items():
        np.testing.assert_array_equal(values, there.values[key])
    # the election moves the United States in one branch only
    assert not np.array_equal(
        here.outcome("bush-reelected", drift_model, "disarmament"),
        here.outcome("kerry-wins", drift_model, "disarmament"),
    )


def test_a_new_model_appears_in_a_study_and_its_report(drift_model: str) -> None:
    from detente.analysis import study
    from detente.report import html

    done = study(detente.bundled("six-party-2004"), [drift_model, "compromise"], draws=8, rng=1)
    page = html(done.to_json())
    assert "Positions by round in the drift model" in page
    assert "drifts toward the weighted mean" in page
    assert "no dyad analysis" in page  # the toy model has no perceptions
