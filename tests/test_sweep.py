"""Sensitivity sweeps and threshold questions."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import detente
from detente.errors import InputError, ScenarioError
from detente.scenario import Scenario, apply_overrides
from detente.simulate import simulate
from detente.simulate.sweep import open_spec, sweep
from detente.simulate.sweep_spec import SweepSpec, sweep_schema

BASE = detente.bundled("six-party-2004")


def _spec(**fields: object) -> SweepSpec:
    return SweepSpec.model_validate({"scenario": "six-party-2004", **fields})


# --- the table -------------------------------------------------------------------------------


def test_a_sweep_is_the_forecasts_of_its_points() -> None:
    """Every design point's forecasts equal a forecast of the hand-made what-if, bit for bit."""
    spec = _spec(
        models=["compromise", "median", "nash", "eum"],
        vary=[
            {"input": "USA.position.disarmament", "values": [60, 80, 100]},
            {"input": "eum.Q", "values": [1.0, 0.5]},
        ],
        tie=[{"input": "ROK.salience", "to": "USA.position.disarmament", "relation": "opposite"}],
    )
    done = sweep(spec, BASE, rng=3)
    assert done.points == 6
    frame = done.to_frame()
    assert len(frame) == 6 * 4
    for p in range(done.points):
        us, q = done.columns[0][p], done.columns[1][p]
        what_if = apply_overrides(
            BASE,
            [f"USA.position.disarmament={us:g}", f"ROK.salience.disarmament={45 + (100 - us):g}"],
        )
        fc = detente.forecast(what_if, list(done.models), options={"eum": {"Q": q}}, rng=0)
        for model in done.models:
            assert done.values[model][p, 0] == fc.value(model, "disarmament"), (p, model)
            row = frame[(frame["point"] == p) & (frame["model"] == model)]
            assert row["value"].item() == fc.value(model, "disarmament")
            assert row["USA.position.disarmament"].item() == us


def test_the_influence_table_ranks_what_moves_a_forecast() -> None:
    spec = _spec(
        models=["compromise"],
        vary=[
            {"input": "USA.position.disarmament", "values": [50, 100]},
            {"input": "RUS.position.disarmament", "values": [25, 30]},
        ],
    )
    rows = sweep(spec, BASE, rng=1).influence()
    assert [r["input"] for r in rows] == ["USA.position.disarmament", "RUS.position.disarmament"]
    # the compromise is linear: 50 points of the US move it by 50 x its weight share
    c, _, S = BASE.arrays()
    w = c * S[:, 0]
    assert rows[0]["effect"] == pytest.approx(50 * w[0] / w.sum(), rel=1e-12)
    assert rows[1]["effect"] == pytest.approx(5 * w[5] / w.sum(), rel=1e-12)


# --- tipping points ----------------------------------------------------------------------------


def _pair(b: float = 50, **scale: object) -> Scenario:
    return Scenario.model_validate(
        {
            "id": "pair",
            "issues": [{"id": "t", **scale}],
            "actors": [
                {"id": "A", "capability": 1, "position": {"t": 0}, "salience": {"t": 40}},
                {"id": "B", "capability": 1, "position": {"t": 100}, "salience": {"t": b}},
            ],
        }
    )


def test_the_median_tips_where_the_weights_balance() -> None:
    """Two actors of capability 1 at 0 and 100, B's salience 50: the weighted (lower) median is
    A's position exactly when A's salience reaches B's, so it tips from 100 to 0 at 50."""
    spec = SweepSpec.model_validate(
        {
            "scenario": "pair",
            "models": ["median"],
            "vary": [{"input": "A.salience.t", "min": 30, "max": 70, "step": 10}],
            "tipping": {"refine": 12},
        }
    )
    labelled = sweep(spec, _pair(scale={0: "A's way", 100: "B's way"}), rng=1)
    (tip,) = labelled.tipping
    assert (tip.model, tip.input, tip.kind) == ("median", "A.salience.t", "label")
    assert tip.low < 50 <= tip.high
    assert tip.high - tip.low == pytest.approx(10 / 2**12)
    assert (tip.before, tip.after) == (100.0, 0.0)
    assert (tip.label_before, tip.label_after) == ("B's way", "A's way")
    for b in (41.3, 48.9):  # the change in the lower, then the upper half of the first step
        (tip,) = sweep(spec, _pair(b, scale={0: "A", 100: "B"}), rng=1).tipping
        assert tip.low < b <= tip.high
        assert tip.high - tip.low == pytest.approx(10 / 2**12)
    no_labels = sweep(spec, _pair(), rng=1)
    assert no_labels.tipping == ()  # no scale labels and no jump asked for: nothing tips
    jumping = SweepSpec.model_validate({**spec.model_dump(), "tipping": {"jump": 50}})
    jumps = sweep(jumping, _pair(), rng=1)
    assert [t.kind for t in jumps.tipping] == ["jump"]


def test_the_bundled_sweep_finds_where_the_eum_leaves_its_plateau() -> None:
    spec, scenario = open_spec("six-party-2004-direct-offer")
    done = sweep(spec, scenario)
    eum = [t for t in done.tipping if t.model == "eum"]
    # coming down from the standing 100, the expected utility model stays at 55 until the US
    # gives way to 90 (with South Korea's salience at 50): there it falls to 30
    top = max(eum, key=lambda t: t.high)
    assert (top.before, top.after) == (30.0, 55.0)
    assert top.low == pytest.approx(90.0, abs=0.01)


def test_a_line_reuses_the_design_only_where_the_seed_cannot_matter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The line through the base shares the design's runs at the points the design holds,
    unless a model draws random numbers there (the line runs every point with one seed)."""
    from detente.simulate import tipping

    asked: list[list[float]] = []
    evaluate = tipping.evaluate

    def counting(plan, columns, seeds):  # type: ignore[no-untyped-def]
        asked.append([float(v) for v in columns[0]])
        return evaluate(plan, columns, seeds)

    monkeypatch.setattr(tipping, "evaluate", counting)
    us = {"input": "USA.position.disarmament", "min": 40, "max": 100, "step": 10}
    rok = {"input": "ROK.salience.disarmament", "values": [30, 45, 70]}  # 45 is its base
    fixed = sweep(_spec(models=["eum"], vary=[us, rok], tipping={"refine": 2}), BASE, rng=1)
    line = [row for row in asked if len(row) == 7]
    assert line == [], "the US line was run again although the design holds it"
    us_line = fixed.lines[0]["forecasts"]["eum"]["disarmament"]
    on_line = [p for p in range(fixed.points) if fixed.columns[1][p] == 45]
    assert us_line == [fixed.values["eum"][p, 0] for p in on_line]
    # the ROK line: the US at its base 100 is on the grid too, so nothing of it runs again
    assert not any(len(row) == 3 for row in asked)

    asked.clear()
    drawn = _spec(models=["eum"], options={"eum": {"conflict": "stochastic"}}, vary=[us])
    sweep(drawn, BASE, rng=1)
    assert asked[0] == [40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]


# --- designs ---------------------------------------------------------------------------------


def test_one_at_a_time_moves_one_input_from_the_base() -> None:
    spec = _spec(
        models=["compromise"],
        design={"kind": "one-at-a-time"},
        vary=[
            {"input": "USA.position.disarmament", "values": [80, 90, 100]},
            {"input": "CHN.capability", "percent": 10, "steps": 3},
        ],
    )
    done = sweep(spec, BASE, rng=1)
    rows = list(zip(*done.columns, strict=True))
    assert rows == [(100.0, 60.0), (80.0, 60.0), (90.0, 60.0), (100.0, 54.0), (100.0, 66.0)]


def test_a_latin_hypercube_puts_one_point_in_each_stratum() -> None:
    spec = _spec(
        models=["compromise"],
        design={"kind": "latin-hypercube", "points": 40},
        vary=[
            {"input": "USA.position.disarmament", "min": 20, "max": 100, "step": 10},
            {"input": "ROK.salience.disarmament", "delta": 20},
        ],
    )
    done = sweep(spec, BASE, rng=7)
    for values, (lo, hi) in zip(done.columns, [(20, 100), (25, 65)], strict=True):
        strata = np.floor((np.asarray(values) - lo) / (hi - lo) * 40).astype(int)
        assert sorted(strata.tolist()) == list(range(40))
    again = sweep(spec, BASE, rng=7)
    assert again.columns == done.columns
    assert sweep(spec, BASE, rng=8).columns != done.columns


def test_every_engine_gives_the_same_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(
        models=["median", "eum"],
        options={"eum": {"conflict": "stochastic"}},
        design={"kind": "random", "points": 30},
        vary=[{"input": "USA.position.disarmament", "min": 40, "max": 100, "step": 1}],
    )
    here = sweep(spec, BASE, rng=5)
    monkeypatch.setattr("detente.simulate.sweep.CHUNK", 7)
    chunked = sweep(spec, BASE, rng=5)
    there = sweep(spec, BASE, rng=5, engine="processes", workers=2)
    for model in here.models:
        assert np.array_equal(here.values[model], chunked.values[model])
        assert np.array_equal(here.values[model], there.values[model])


# --- bad specs ---------------------------------------------------------------------------------


def _grid(actor: str) -> dict[str, object]:
    return {"input": f"{actor}.position", "min": 0, "max": 100, "step": 1}


def _grid(actor: str) -> dict[str, object]:
    return {"input": f"{actor}.position", "min": 0, "max": 100, "step": 1}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"vary": [{"input": "Mars.position", "values": [1]}]}, "vary: Mars.position: no actor"),
        ({"vary": [{"input": "USA.height", "values": [1]}]}, "no field 'height'"),
        ({"vary": [{"input": "USA.position.trade", "values": [1]}]}, "no issue 'trade'"),
        ({"vary": [{"input": "USA.position", "values": [120]}]}, "120 is outside its bounds"),
        ({"vary": [{"input": "nash.Q", "values": [1]}], "models": ["nash"]}, "no option 'Q'"),
        ({"vary": [{"input": "eum.Q", "values": [2]}]}, "model eum: option 'Q'"),
        ({"vary": [{"input": "smp.max_iter", "values": [2]}]}, "model smp is not run"),
        (
            {
                "vary": [{"input": "USA.position", "values": [60]}],
                "tie": [{"input": "ROK.salience", "to": "JPN.position"}],
            },
            "follows JPN.position, which does not vary",
        ),
        (
            {"vary": [_grid(a) for a in ("USA", "DPRK", "ROK", "CHN")]},
            "the design has 104,060,401 points",
        ),
        ({"vary": [{"input": "USA.position", "values": [1]}], "future": "war"}, "no future 'war'"),
        ({"vary": [{"input": "USA.position", "values": [1]}], "issues": ["x"]}, "no issue 'x'"),
    ],
)
def test_a_bad_spec_is_a_clear_error(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        sweep(_spec(**fields), BASE, rng=1)


def test_a_malformed_spec_file_names_its_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text(
        "scenario: six-party-2004\nvary:\n  - input: USA.position\n    valeus: [1, 2]\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        open_spec(path)
    (problem,) = caught.value.problems
    assert problem.line == 4
    result = cli("sweep", str(path), "--no-store")
    assert result.code == 2
    assert f"{path}:4" in result.err
    assert "unknown field 'valeus'" in result.err
    assert cli("sweep", "no-such-sweep").code == 2


def test_the_spec_schema_accepts_the_bundled_example(cli) -> None:  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    from detente.simulate.sweep import bundled_sweeps

    schema = json.loads(cli("sweep", "--schema").out)
    assert schema == json.loads(json.dumps(sweep_schema()))
    for name in bundled_sweeps():
        folder = Path(detente.simulate.__file__).parent / "data"
        jsonschema.validate(YAML(typ="safe").load(folder / f"{name}.yaml"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"scenario": "x", "vary": []}, schema)


# --- the command and the store -----------------------------------------------------------------


def test_the_command_keeps_the_sweep_and_reports_it(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("sweep", "six-party-2004-direct-offer", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "detente.sweep/1"
    assert doc["points"] == 25
    shown = cli("runs", "show", doc["run_id"], "--json")
    stored = json.loads(shown.out)
    assert (stored["kind"], stored["rows"]) == ("sweep", 25 * 4)
    page = tmp_path / "sweep.html"
    made = cli("report", doc["run_id"], "-o", str(page))
    assert made.code == 0, made.err
    text = page.read_text(encoding="utf-8")
    assert "Where the forecast tips" in text
    assert text.count("<svg") == 1  # the line of the US position
    again = tmp_path / "again.html"
    assert cli("report", doc["run_id"], "-o", str(again)).code == 0
    assert again.read_bytes() == page.read_bytes()
    table = cli("sweep", "six-party-2004-direct-offer", "--no-store")
    assert "Tipping points" in table.out


def test_a_killed_sweep_leaves_no_partial_run(tmp_path: Path) -> None:
    spec = tmp_path / "long.yaml"
    spec.write_text(
        "scenario: six-party-2004\nmodels: [eum]\noptions: {eum: {rounds: 200}}\n"
        "design: {kind: random, points: 400000}\n"
        "vary: [{input: USA.position, min: 0, max: 100, step: 1}]\n",
        encoding="utf-8",
    )
    db = tmp_path / "runs.db"
    exe = Path(sys.executable).parent / "detente"
    child = subprocess.Popen(
        [str(exe), "sweep", str(spec)],
        env={"DETENTE_STORE": str(db), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    maps = Path(f"/proc/{child.pid}/maps")
    deadline = time.monotonic() + 60
    while "_multiarray_umath" not in maps.read_text(errors="replace"):
        assert child.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(1.5)  # well into the design's runs
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    if db.exists():
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- threshold questions -------------------------------------------------------------------------


def test_a_question_is_the_share_of_draws_that_meet_it() -> None:
    sim = simulate(BASE, ["compromise", "eum"], draws=300, rng=4, questions=["disarmament >= 60"])
    rows = sim.answers()
    assert len(rows) == 2 * 2  # futures x models
    for row in rows:
        values = sim.outcome(row["future"], row["model"], "disarmament")
        p = float(np.count_nonzero(values >= 60)) / len(values)
        assert row["probability"] == p
        assert row["se"] == pytest.approx(np.sqrt(p * (1 - p) / 300))
    doc = sim.to_json()
    assert doc["questions"] == rows


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("disarmament => 60", "a question looks like"),
        ("trade >= 60", "no issue 'trade'"),
        ("disarmament >= 160", "outside the scale"),
        ("disarmament >= x", "'x' is not a number"),
    ],
)
def test_a_bad_question_is_refused_before_any_draw(question: str, message: str, cli) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        simulate(BASE, ["compromise"], draws=5, rng=1, questions=[question])
    result = cli("simulate", "six-party-2004", "--draws", "5", "--question", question, "--no-store")
    assert result.code == 2
    assert message in result.err


def test_the_simulate_command_answers_questions(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("simulate", "six-party-2004", "-m", "eum", "--draws", "200", "--rng", "1",
                 "-q", ">= 75", "--json", "--no-store")  # fmt: skip
    assert result.code == 0, result.err
    answers = json.loads(result.out)["questions"]
    assert {a["future"] for a in answers} == {"bush-reelected", "kerry-wins"}
    assert all(a["question"] == "disarmament >= 75" for a in answers)
    table = cli("simulate", "six-party-2004", "-m", "eum", "--draws", "50", "--rng", "1",
                "-q", "disarmament < 40", "--no-store")  # fmt: skip
    assert "Threshold questions" in table.out
