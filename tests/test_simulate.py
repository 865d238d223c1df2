"""Monte Carlo, timelines and engines: reproducible, exact at zero width, faithful to events."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import detente
from detente.errors import InputError
from detente.scenario import Scenario
from detente.simulate import futures, input_plan, simulate


def without_uncertainty(name: str) -> dict[str, Any]:
    data = detente.bundled(name).model_dump(mode="json")
    for actor in data["actors"]:
        actor["uncertainty"] = {}
    return data


def same(a: Any, b: Any) -> bool:
    return all(np.array_equal(a.values[key], b.values[key]) for key in a.values) and np.array_equal(
        a.inputs, b.inputs
    )


# --- reproducibility ----------------------------------------------------------------------------


def test_same_seed_same_draws_whatever_the_chunking() -> None:
    s = detente.bundled("six-party-2004")
    one = simulate(s, ["compromise", "eum"], draws=120, rng=5)
    chunked = simulate(s, ["compromise", "eum"], draws=120, rng=5, chunk_size=7)
    assert same(one, chunked)
    other = simulate(s, ["compromise", "eum"], draws=120, rng=6)
    assert not same(one, other)


def test_engines_give_bit_identical_results() -> None:
    """In-process, 2 local processes and a real 2-worker Dask LocalCluster agree exactly."""
    s = detente.bundled("six-party-2004")
    kwargs: dict[str, Any] = {"draws": 200, "rng": 11}
    base = simulate(s, ["compromise", "nash", "eum"], **kwargs)
    processes = simulate(s, ["compromise", "nash", "eum"], engine="processes", workers=2, **kwargs)
    dask = simulate(s, ["compromise", "nash", "eum"], engine="dask", workers=2, **kwargs)
    assert same(base, processes)
    assert same(base, dask)
    assert processes.engine == "processes:2"
    assert dask.engine == "dask:local-cluster:2"


def test_dask_scheduler_address() -> None:
    """--scheduler tcp://HOST:PORT: a running scheduler (here a LocalCluster's) is used as is."""
    import logging

    from distributed import LocalCluster

    s = detente.bundled("six-party-2004")
    base = simulate(s, ["compromise"], draws=80, rng=4)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        address = cluster.scheduler_address
        remote = simulate(s, ["compromise"], draws=80, rng=4, engine="dask", scheduler=address)
    assert same(base, remote)
    assert remote.engine == f"dask:{address}"


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(
        InputError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        simulate(
            detente.bundled("emission-1994"),
            ["compromise"],
            draws=2,
            engine="dask",
            scheduler="tcp://127.0.0.1:9",
        )


def test_stochastic_model_options_are_reproducible_across_engines() -> None:
    s = detente.bundled("emission-1994")
    options = {"eum": {"conflict": "stochastic", "preset": "paper-literal"}}
    kwargs: dict[str, Any] = {"draws": 60, "rng": 2, "spread": 0.1, "options": options}
    a = simulate(s, ["eum"], chunk_size=60, **kwargs)
    b = simulate(s, ["eum"], engine="processes", workers=2, chunk_size=9, **kwargs)
    assert same(a, b)


def test_task_seeds_are_the_spawned_children() -> None:
    """A task rebuilds draw i's seed as child i of the root, exactly as SeedSequence.spawn."""
    from detente.simulate.tasks import Task

    root = np.random.SeedSequence(12345)
    task = Task(
        scenario=detente.bundled("emission-1994"), futures=(), future=0, mode="each", models=(),
        spread=0.0, entropy=root.entropy, spawn_key=(), start=3, count=4,
    )  # fmt: skip
    children = np.random.SeedSequence(12345).spawn(7)[3:]
    for mine, theirs in zip(task.seeds(), children, strict=True):
        assert mine.generate_state(4).tolist() == theirs.generate_state(4).tolist()


def test_seed_is_recorded_when_none_given() -> None:
    s = detente.bundled("emission-1994")
    sim = simulate(s, ["compromise"], draws=20, spread=0.1)
    assert isinstance(sim.seed, int)
    again = simulate(s, ["compromise"], draws=20, spread=0.1, rng=sim.seed)
    assert same(sim, again)


# --- inputs -------------------------------------------------------------------------------------


def test_zero_width_uncertainty_gives_the_point_forecast_exactly() -> None:
    data = without_uncertainty("emission-1994")
    for actor in data["actors"]:
        value = actor["salience"]["delay"]
        actor["uncertainty"] = {"salience.delay": [value, value]}
    s = Scenario.model_validate(data)
    assert len(input_plan(s)) == 0
    sim = simulate(s, ["compromise", "median", "nash", "eum"], draws=25, rng=1)
    point = detente.forecast(s)
    for model in sim.models:
        assert np.all(sim.outcome("baseline", model, "delay") == point.value(model, "delay"))


def test_declared_ranges_and_spread() -> None:
    s = detente.bundled("six-party-2004")
    declared = input_plan(s)
    assert "USA.salience.disarmament" in declared.labels
    assert "USA.capability" not in declared.labels  # the US capability has no range
    spread = input_plan(s, 0.1)
    assert "USA.capability" in spread.labels
    q = spread.labels.index("USA.capability")
    assert (spread.low[q], spread.high[q]) == pytest.approx((90.0, 110.0))


def test_triangular_and_uniform_draws_stay_in_range() -> None:
    s = detente.bundled("six-party-2004")
    sim = simulate(s, ["compromise"], draws=3000, rng=4)
    plan = input_plan(s)
    assert np.all(sim.inputs >= plan.low - 1e-12)
    assert np.all(sim.inputs <= plan.high + 1e-12)
    # USA position is triangular [80, 100, 100]: its mean is (80 + 100 + 100) / 3
    q = plan.labels.index("USA.position.disarmament")
    assert sim.inputs[:, q].mean() == pytest.approx(280 / 3, abs=0.4)
    # DPRK salience is uniform [80, 100]: mean 90, variance 400 / 12
    q = plan.labels.index("DPRK.salience.disarmament")
    assert sim.inputs[:, q].mean() == pytest.approx(90, abs=0.4)
    assert sim.inputs[:, q].var() == pytest.approx(400 / 12, rel=0.1)


@settings(max_examples=25, deadline=None)
@given(
    widths=st.tuples(st.floats(0.0, 0.2), st.floats(0.0, 0.2)).map(sorted),
    seed=st.integers(0, 1000),
)
def test_intervals_widen_when_ranges_widen(widths: list[float], seed: int) -> None:
    """With common seeds, the compromise forecast moves linearly with the positions' spread."""
    s = Scenario.model_validate(without_uncertainty("six-party-2004"))
    narrow, wide = (
        simulate(s, ["compromise"], draws=200, rng=seed, spread=w).summary(
            "kerry-wins", "compromise", "disarmament"
        )
        for w in widths
    )
    for key in ("interval_50", "interval_80"):
        assert wide[key][1] - wide[key][0] >= narrow[key][1] - narrow[key][0] - 1e-9


# --- timeline -----------------------------------------------------------------------------------


def test_six_party_2004_futures() -> None:
    found = futures(detente.bundled("six-party-2004"))
    assert [(f.name, f.probability) for f in found] == [
        ("bush-reelected", 0.5),
        ("kerry-wins", 0.5),
    ]
    assert [c.round for c in found[1].changes] == [1, 1]


def test_six_party_2014_provocations_run_in_order() -> None:
    s = detente.bundled("six-party-2014")
    (future,) = futures(s)
    assert future.name == "as-scheduled"
    assert [c.round for c in future.changes] == [1, 2, 3]
    sim = simulate(s, draws=50, rng=1)
    assert sim.future_names == ("as-scheduled",)
    # static models see every provocation: saliences after the last event (January 2014)
    data = without_uncertainty("six-party-2014")
    january = {"USA": 80, "DPRK": 90, "ROK": 80, "CHN": 70, "JPN": 70, "RUS": 45}
    for actor in data["actors"]:
        actor["salience"]["resumption"] = january[actor["id"]]
    data["actors"][3]["position"]["resumption"] = 40  # China, moved by the nuclear test
    data["actors"][5]["position"]["resumption"] = 20  # Russia, moved by the rocket launch
    data["timeline"] = []
    after = Scenario.model_validate(data)
    base = Scenario.model_validate(without_uncertainty("six-party-2014"))
    point = simulate(base, ["compromise"], draws=3, rng=1)
    expected = detente.forecast(after, ["compromise"]).value("compromise", "resumption")
    assert np.all(point.outcome("as-scheduled", "compromise", "resumption") == expected)


def test_branch_changes_match_a_hand_edited_scenario() -> None:
    base = Scenario.model_validate(without_uncertainty("six-party-2004"))
    sim = simulate(base, ["compromise", "eum"], draws=4, rng=1)
    data = without_uncertainty("six-party-2004")
    data["actors"][0]["position"]["disarmament"] = 80  # kerry-wins: set 80
    data["actors"][0]["salience"]["disarmament"] = 70  # and shift salience by +10
    data["timeline"] = []
    kerry = detente.forecast(Scenario.model_validate(data), ["compromise", "eum"])
    for model in ("compromise", "eum"):  # the event is at round 1: before the first round
        assert np.all(
            sim.outcome("kerry-wins", model, "disarmament") == kerry.value(model, "disarmament")
        )


def test_an_event_after_the_last_round_changes_nothing_for_the_eum() -> None:
    data = without_uncertainty("six-party-2004")
    data["timeline"][0]["at"] = 4
    s = Scenario.model_validate(data)
    sim = simulate(s, ["eum"], draws=2, rng=1, options={"eum": {"rounds": 3}})
    plain = detente.forecast(s, ["eum"], options={"eum": {"rounds": 3}})
    for future in sim.future_names:
        assert np.all(
            sim.outcome(future, "eum", "disarmament") == plain.value("eum", "disarmament")
        )


def test_removing_an_actor() -> None:
    data = without_uncertainty("six-party-2004")
    data["timeline"] = [{"at": 1, "name": "Russia leaves", "remove_actors": ["RUS"]}]
    sim = simulate(Scenario.model_validate(data), ["compromise"], draws=2, rng=1)
    data_without = without_uncertainty("six-party-2004")
    data_without["actors"] = [a for a in data_without["actors"] if a["id"] != "RUS"]
    data_without["timeline"] = []
    data_without["groups"] = []
    expected = detente.forecast(Scenario.model_validate(data_without), ["compromise"])
    assert np.all(
        sim.outcome("as-scheduled", "compromise", "disarmament")
        == expected.value("compromise", "disarmament")
    )


def test_drawing_among_branches() -> None:
    s = detente.bundled("six-party-2004")
    sim = simulate(s, ["compromise"], draws=4000, rng=3, branches="draw")
    assert sim.future_names == ("mixed",)
    assert sim.picks is not None
    share = (sim.picks == 1).mean()
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 4000)


def test_summary_contents() -> None:
    sim = simulate(detente.bundled("six-party-2004"), ["compromise"], draws=500, rng=9)
    summary = sim.summary("bush-reelected", "compromise", "disarmament")
    assert summary["interval_80"][0] <= summary["interval_50"][0] <= summary["median"]
    assert summary["median"] <= summary["interval_50"][1] <= summary["interval_80"][1]
    assert sum(summary["histogram"]["counts"]) == 500
    assert sum(b["probability"] for b in summary["bands"]) == pytest.approx(1.0)
    at_least = {a["anchor"]: a["probability"] for a in summary["at_least"]}
    assert at_least[0] == 1.0
    assert at_least[25] >= at_least[50] >= at_least[75] >= at_least[100]
    assert summary["tornado"][0]["actor"] in detente.bundled("six-party-2004").actor_ids
    frame = sim.to_frame()
    assert (frame["quantity"] == "forecast").sum() == 2 * 500  # two futures, one model, one issue
    assert set(frame.columns) >= {"future", "model", "issue", "draw", "value"}


def test_unsettled_runs_warn() -> None:
    s = detente.bundled("emission-1994")
    with pytest.warns(RuntimeWarning, match="did not settle"):
        simulate(
            s, ["eum"], draws=5, rng=1, options={"eum": {"preset": "scholz-code", "stop": "stable"}}
        )


def test_bad_arguments() -> None:
    s = detente.bundled("emission-1994")
    with pytest.raises(InputError, match="unknown engine 'gpu'"):
        simulate(s, ["compromise"], draws=2, engine="gpu")
    with pytest.raises(InputError, match="draws must be at least 1"):
        simulate(s, ["compromise"], draws=0)
    with pytest.raises(InputError, match="branches must be 'each' or 'draw'"):
        simulate(s, ["compromise"], draws=2, branches="some")


# --- command line -------------------------------------------------------------------------------


def test_cli_simulate_prints_both_election_branches(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("simulate", "six-party-2004", "--model", "eum", "--draws", "10000", "--rng", "1")
    assert result.code == 0, result.err
    assert "10,000 draws, seed 1" in result.out
    assert "bush-reelected" in result.out
    assert "kerry-wins" in result.out
    assert "Probability of each labelled band" in result.out
    assert "What drives the eum forecast" in result.out


def test_cli_simulate_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "simulate", "six-party-2004", "-m", "compromise", "--draws", "300", "--rng", "2", "--json"
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "detente.simulate/1"
    assert doc["draws"] == 300
    assert doc["seed"] == 2
    assert [f["name"] for f in doc["futures"]] == ["bush-reelected", "kerry-wins"]
    assert {r["future"] for r in doc["results"]} == {"bush-reelected", "kerry-wins"}
    first = doc["results"][0]
    assert first["model"] == "compromise"
    assert len(first["histogram"]["counts"]) == 20


def test_cli_simulate_bad_engine(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("simulate", "emission-1994", "--engine", "gpu")
    assert result.code == 2
    assert "unknown engine 'gpu'" in result.err


def test_ctrl_c_stops_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C during a long simulation: status 130, "interrupted", no traceback.

    The signal is sent once the child has loaded numpy, which it does only inside the command
    line's handler of Ctrl-C (a fixed sleep raced the child's start-up on a busy machine).
    """
    exe = Path(sys.executable).parent / "detente"
    proc = subprocess.Popen(
        [str(exe), "simulate", "six-party-2004", "--model", "eum", "--draws", "2000000",
         "--rng", "1", "--no-store"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 60
    while "_multiarray_umath" not in maps.read_text(errors="replace"):
        assert proc.poll() is None, "the simulation ended before it could be interrupted"
        assert time.monotonic() < deadline, "the child never loaded numpy"
        time.sleep(0.02)
    time.sleep(0.2)  # well into the command
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err
    assert "Traceback" not in err + out


def test_ctrl_c_while_starting_is_quiet_too(tmp_path: Path) -> None:
    """An interrupt while the application itself is being imported ends the same way."""
    code = (
        "import signal, builtins, os\n"
        "real = builtins.__import__\n"
        "def hook(name, *args, **kwargs):\n"
        "    if name == 'detente.cli.app':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = hook\n"
        "from detente.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "interrupted"


def test_a_stable_stop_waits_for_the_last_event() -> None:
    data = without_uncertainty("six-party-2004")
    data["timeline"][0]["at"] = 4
    s = Scenario.model_validate(data)
    options = {"eum": {"stop": "stable", "patience": 1, "rounds": 10}}
    fixed = simulate(s, ["eum"], draws=2, rng=1, options={"eum": {"rounds": 10}})
    stable = simulate(s, ["eum"], draws=2, rng=1, options=options)
    # paper-literal settles at 55 by round 3, before the election at round 4; the branches
    # must still differ as they do when every round is run
    for future in ("bush-reelected", "kerry-wins"):
        assert np.array_equal(
            stable.outcome(future, "eum", "disarmament"),
            fixed.outcome(future, "eum", "disarmament"),
        )


def test_spearman_averages_tied_ranks() -> None:
    from detente.simulate.result import _spearman

    inputs = np.array([[1.0], [2.0], [3.0], [4.0]])
    outcome = np.array([1.0, 1.0, 2.0, 2.0])  # ranks 0.5, 0.5, 2.5, 2.5
    # Pearson correlation of (0,1,2,3) with (0.5,0.5,2.5,2.5) = 4 / sqrt(5 * 4) = 0.894...
    assert _spearman(inputs, outcome)[0] == pytest.approx(4 / np.sqrt(20))


def test_simulation_frame_has_summary_rows_for_the_store(cli) -> None:  # type: ignore[no-untyped-def]
    sim = simulate(detente.bundled("six-party-2004"), ["compromise"], draws=100, rng=1)
    frame = sim.to_frame()
    summary = frame[frame["draw"].isna()]
    assert set(summary["quantity"]) == {"median", "mean", "p10", "p25", "p75", "p90"}
    kerry = summary[(summary["future"] == "kerry-wins") & (summary["quantity"] == "median")]
    assert kerry["value"].item() == sim.summary("kerry-wins", "compromise", "disarmament")["median"]
    a = json.loads(
        cli(
            "simulate",
            "six-party-2004",
            "-m",
            "compromise",
            "--draws",
            "100",
            "--rng",
            "1",
            "--json",
        ).out
    )["run_id"]
    b = json.loads(
        cli(
            "simulate",
            "six-party-2004",
            "-m",
            "compromise",
            "--draws",
            "100",
            "--rng",
            "2",
            "--json",
        ).out
    )["run_id"]
    shown = cli("runs", "show", a)
    assert "compromise [kerry-wins]" in shown.out
    compared = cli("runs", "compare", a, b)
    assert "bush-reelected" in compared.out  # the model column wraps at 80 columns
    assert "no results in common" not in compared.out


def test_negative_seed_is_a_usage_error(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("simulate", "emission-1994", "--rng", "-1").code == 2
    assert cli("forecast", "emission-1994", "--rng", "-1").code == 2


def test_cli_simulate_runs_smp(cli) -> None:  # type: ignore[no-untyped-def]
    """KTAB's SMP through the Monte Carlo command: zero-width draws give the forecast exactly."""
    result = cli("simulate", "ktab-dummy-3d", "--model", "smp", "--draws", "3", "--rng", "2",
                 "--json", "--no-store")  # fmt: skip
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "detente.simulate/1"
    assert [m["model"] for m in doc["models"]] == ["smp"]
    s = detente.bundled("ktab-dummy-3d")
    point = detente.forecast(s, ["smp"])
    for row in doc["results"]:
        assert row["model"] == "smp"
        assert row["median"] == point.value("smp", row["issue"])  # no uncertain input: the same
    spread = cli("simulate", "ktab-dummy-3d", "--model", "smp", "--draws", "3", "--rng", "2",
                 "--spread", "0.1", "--no-store")  # fmt: skip
    assert spread.code == 0, spread.err
    assert "smp" in spread.out


def test_cli_simulate_refuses_smp_with_events_during_the_run(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("simulate", "six-party-2004", "--model", "smp", "--draws", "3", "--no-store")
    assert result.code == 2
    assert "smp: events during the run are not supported" in result.err
    assert "US presidential election" in result.err
    assert "Traceback" not in result.err


# --- identical draws run once -------------------------------------------------------------------

_REUSE_MODELS = ["compromise", "nash", "eum", "smp", "exchange"]
_REUSE_OPTIONS: dict[str, Any] = {
    "smp": {"max_iter": 2},  # two turns do not settle: the count of unsettled runs is checked
    "eum": {"preset": "scholz-code", "stop": "stable"},
}


def _runs_per_model(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the draws each model is actually run on (a spy: the real solver still runs)."""
    from detente.simulate import tasks

    counts: dict[str, int] = {}
    real = tasks._future_solution

    def spy(scenario: Any, future: Any, info: Any, options: Any, c: Any, *rest: Any) -> Any:
        counts[info.name] = counts.get(info.name, 0) + len(c)
        return real(scenario, future, info, options, c, *rest)

    monkeypatch.setattr(tasks, "_future_solution", spy)
    return counts


def _every_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the reuse off: every draw is its own run."""
    from detente.simulate import tasks

    def each(c: np.ndarray, X: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.arange(len(c)), np.arange(len(c))

    monkeypatch.setattr(tasks, "_distinct", each)


def _reuse_run(spread: float) -> tuple[Any, list[str]]:
    s = Scenario.model_validate(without_uncertainty("emission-1994"))
    with pytest.warns(RuntimeWarning, match="did not settle") as caught:
        sim = simulate(
            s, _REUSE_MODELS, draws=12, rng=3, spread=spread, options=_REUSE_OPTIONS, chunk_size=5
        )
    return sim, [str(w.message) for w in caught]


def test_identical_draws_are_run_once_with_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counts = _runs_per_model(monkeypatch)
    reused, warned = _reuse_run(spread=0.0)
    # no uncertain input and no spread: one run per chunk (5 + 5 + 2 draws) for every dynamic
    # model; static models are vectorised over the draws and run on all of them
    assert counts == {"compromise": 12, "nash": 12, "eum": 3, "smp": 3, "exchange": 3}
    counts.clear()
    _every_draw(monkeypatch)
    each, warned_each = _reuse_run(spread=0.0)
    assert counts == dict.fromkeys(_REUSE_MODELS, 12)
    assert same(reused, each)
    # the runs that did not settle are counted once per draw, as when every draw runs
    assert warned == warned_each
    assert any(m.startswith("24 dynamic-model runs") for m in warned)  # smp: 12 draws x 2 issues


def test_draws_with_different_inputs_all_run(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _runs_per_model(monkeypatch)
    _reuse_run(spread=0.1)
    assert counts == dict.fromkeys(_REUSE_MODELS, 12)


# --- a big study's draws on the machine's cores ---------------------------------------------------


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def test_local_engine_takes_processes_only_for_many_differing_draws_run_one_by_one() -> None:
    from detente.simulate import PARALLEL_MIN_WORK, local_engine

    if _cores() < 2:
        pytest.skip("one core: every study runs in this process")
    s = Scenario.model_validate(without_uncertainty("emission-1994"))
    n = len(s.actors)
    enough = -(-PARALLEL_MIN_WORK // (n * n))  # the fewest draws with draws x n^2 >= the bound
    parallel = ("processes", min(_cores(), 4))
    assert local_engine(s, ["compromise", "smp"], enough, spread=0.1) == parallel
    assert local_engine(s, ["smp"], enough - 1, spread=0.1) == ("in-process", 1)
    # identical draws (nothing uncertain) run once: no processes to start
    assert local_engine(s, ["smp"], enough, spread=0.0) == ("in-process", 1)
    # models batched over draws (or static) are run at once
    assert local_engine(s, ["compromise", "eum"], enough, spread=0.1) == ("in-process", 1)


@pytest.mark.slow
def test_a_study_on_local_processes_has_the_numbers_of_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from detente import simulate as simulate_module
    from detente.analysis import study

    if _cores() < 2:
        pytest.skip("one core: every study runs in this process")
    s = Scenario.model_validate(without_uncertainty("emission-1994"))
    kwargs: dict[str, Any] = {"draws": 6, "rng": 4, "spread": 0.1}
    serial = study(s, ["compromise", "smp"], **kwargs).simulation
    monkeypatch.setattr(simulate_module, "PARALLEL_MIN_WORK", 0)
    unasked = study(s, ["compromise", "smp"], **kwargs).simulation
    parallel = study(s, ["compromise", "smp"], parallel=True, **kwargs).simulation
    assert unasked is not None
    assert unasked.engine == "in-process"  # a library caller's study stays in its process
    assert serial is not None
    assert parallel is not None
    assert serial.engine == "in-process"
    assert parallel.engine.startswith("processes:")
    assert same(serial, parallel)


def test_a_study_of_too_many_futures_is_an_input_error() -> None:
    from detente.analysis import study

    data = without_uncertainty("emission-1994")
    data["timeline"] = [
        {
            "at": t,
            "name": f"event {t}",
            "branches": {
                "up": {"probability": 0.5, "set": {"Netherlands.position.delay": 10}},
                "down": {"probability": 0.5, "set": {"Netherlands.position.delay": 4}},
            },
        }
        for t in range(1, 8)  # 2^7 = 128 futures, more than can be run
    ]
    s = Scenario.model_validate(data)
    with pytest.raises(InputError, match="128 combinations of branches"):
        study(s, ["compromise"], draws=2, rng=1)


SCRIPT_ONE_LONG_TASK = """
import sys
import detente
from detente.simulate import simulate
if __name__ == "__main__":
    try:
        simulate(detente.bundled("six-party-2004"), ["eum"], draws=2_000_000, rng=1,
                 engine="processes", workers=2, chunk_size=2_000_000)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
"""


@pytest.mark.slow
def test_ctrl_c_at_a_terminal_stops_worker_processes_without_tracebacks(tmp_path: Path) -> None:
    """A terminal sends Ctrl-C to the whole process group, workers included: they ignore it
    (one of the two is idle here: one task), the parent stops them at once, and no worker
    prints a traceback."""
    script = tmp_path / "long.py"
    script.write_text(SCRIPT_ONE_LONG_TASK, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 120
    while len(children.read_text().split()) < 3:  # the resource tracker and two workers
        assert proc.poll() is None, "the simulation ended before it could be interrupted"
        assert time.monotonic() < deadline, "no worker processes started"
        time.sleep(0.05)
    time.sleep(4)  # the workers have started: one runs the task, the other waits
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)  # not the hours the task would take
    assert proc.returncode == 130
    assert "interrupted" in err
    assert "Traceback" not in err + out
