"""The track record: questions, sealed forecasts, verification, resolutions and scores."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import detente
from detente.errors import InputError
from detente.store import RunStore, SealedRunError, record_forecast, record_simulation
from detente.store.schema import SCHEMA_VERSION
from detente.track import (
    LEVELS,
    check_against_run,
    check_document,
    crps_from_quantiles,
    distribution_of,
    make_question,
    pinball_loss,
    seal_document,
    worked_example,
)

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
SRC = Path(__file__).resolve().parents[1] / "src"

RUBRIC = ["--rubric", "the first agreement's terms, read on the scale's labels"]
NO_OUTCOME = ["--no-outcome", "no agreement by the date"]
ANCHOR = ["--anchor", "75=commits to abandon everything up front"]


# --- scores ---------------------------------------------------------------------------------


def test_pinball_loss_by_hand() -> None:
    assert pinball_loss(0.25, 40.0, 50.0) == pytest.approx(2.5)  # above: 0.25 x 10
    assert pinball_loss(0.75, 60.0, 50.0) == pytest.approx(2.5)  # below: 0.25 x 10
    assert pinball_loss(0.9, 60.0, 50.0) == pytest.approx(1.0)  # below: 0.1 x 10


def test_crps_from_quantiles_by_hand() -> None:
    # y = 70: losses 0.25 x 30 = 7.5, 0.5 x 20 = 10, 0.75 x 10 = 7.5; 2 x mean = 2 x 25/3
    assert crps_from_quantiles([0.25, 0.5, 0.75], [40.0, 50.0, 60.0], 70.0) == pytest.approx(50 / 3)
    # y = 50: 2.5 + 0 + 2.5, twice the mean = 10/3
    assert crps_from_quantiles([0.25, 0.5, 0.75], [40.0, 50.0, 60.0], 50.0) == pytest.approx(10 / 3)


def test_crps_from_quantiles_matches_a_normal_sample() -> None:
    rng = np.random.default_rng(11)
    sample = rng.normal(50.0, 10.0, 200_000)
    y = 58.0
    quantiles = np.quantile(sample, LEVELS)
    got = crps_from_quantiles(LEVELS, quantiles, y)
    # the sample CRPS, E|X - y| - E|X - X'| / 2, the latter from the sorted sample
    xs = np.sort(sample)
    n = len(xs)
    pairs = 2.0 * np.sum((2 * np.arange(1, n + 1) - n - 1) * xs) / (n * n)
    sample_crps = float(np.mean(np.abs(sample - y)) - pairs / 2.0)
    # the closed form for a normal (Gneiting & Raftery 2007, eq. 5)
    z = (y - 50.0) / 10.0
    phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
    closed = 10.0 * (z * (2 * cdf - 1) + 2 * phi - 1 / math.sqrt(math.pi))
    assert sample_crps == pytest.approx(closed, rel=0.01)
    # 99 levels leave out the 1% tails: within 2% of the exact value
    assert got == pytest.approx(sample_crps, rel=0.02)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "runs.db"
    monkeypatch.setenv("DETENTE_STORE", str(path))
    return path


#: Options no error distribution was learned with: a run with them has no calibrated one.
UNLEARNED = {"nash": {"utility": "quadratic"}}


def _simulation_run(
    store: RunStore,
    draws: int = 60,
    models: tuple[str, ...] = ("compromise",),
    options: dict[str, dict[str, Any]] | None = None,
) -> str:
    from detente.simulate import simulate

    sim = simulate(
        detente.bundled("six-party-2004"), list(models), draws=draws, rng=3, options=options
    )
    return store.save(record_simulation(sim, started=START, finished=START))


def _forecast_run(
    store: RunStore,
    models: tuple[str, ...] = ("compromise", "median"),
    options: dict[str, dict[str, Any]] | None = None,
) -> str:
    fc = detente.forecast(detente.bundled("six-party-2004"), list(models), options=options)
    return store.save(record_forecast(fc, started=START, finished=START))


def _question(question_id: str = "q1", what: str = "disarmament") -> dict[str, Any]:
    return make_question(
        question_id,
        detente.bundled("six-party-2004"),
        what,
        resolves_by=dt.date(2005, 12, 31),
        rubric="read the agreement on the scale's labels",
        anchors={75.0: "commits to abandon everything up front"},
        no_outcome="no agreement",
    )


# --- distribution -----------------------------------------------------------------------------


def test_a_simulation_is_sealed_as_quantiles_of_its_draws(db: Path) -> None:
    """Without a calibrated distribution (a model run with options it was not backtested
    with), a simulation's draws are sealed."""
    store = RunStore(db)
    run = store.get(_simulation_run(store, models=("nash",), options=UNLEARNED))
    found = distribution_of(run, "nash", "disarmament", "kerry-wins")
    frame = run.frame
    draws = frame.loc[
        (frame["future"] == "kerry-wins")
        & (frame["model"] == "nash")
        & (frame["quantity"] == "forecast")
        & frame["draw"].notna(),
        "value",
    ].to_numpy()
    assert len(draws) == 60
    assert found.kind == "monte-carlo draws"
    assert len(found.levels) == 99
    assert found.levels[0] == 0.01
    assert found.levels[-1] == 0.99
    assert found.quantiles[49] == pytest.approx(np.median(draws))
    assert found.quantiles[9] == pytest.approx(np.quantile(draws, 0.1))
    assert found.point == pytest.approx(np.median(draws))
    with pytest.raises(InputError, match="name the branch"):
        distribution_of(run, "nash", "disarmament", None)
    with pytest.raises(InputError, match="no forecast of model 'median'"):
        distribution_of(run, "median", "disarmament", "kerry-wins")


def test_a_forecast_run_is_sealed_as_its_point(db: Path) -> None:
    store = RunStore(db)
    run = store.get(_forecast_run(store, ("nash",), UNLEARNED))
    found = distribution_of(run, "nash", "disarmament", None)
    assert found.kind == "point"
    assert found.levels == ()
    value = next(f["value"] for f in run.document["issues"][0]["forecasts"] if f["model"] == "nash")
    assert found.point == value


def test_calibrated_quantiles_are_sealed_when_the_document_has_them(db: Path) -> None:
    store = RunStore(db)
    run = store.get(_forecast_run(store))
    fc = detente.forecast(detente.bundled("six-party-2004"), ["compromise", "median"])
    expected = fc.predictive("median", "disarmament")
    assert expected is not None
    found = distribution_of(run, "median", "disarmament", None)
    assert found.kind == "calibrated"
    assert found.levels == tuple(round(k / 100, 2) for k in range(1, 100))
    assert found.quantiles == tuple(float(q) for q in expected.quantile(np.array(found.levels)))
    assert found.point == fc.value("median", "disarmament")
    # a forecast document without them (a model run with options it was not backtested with)
    for issue in run.document["issues"]:
        for entry in issue["forecasts"]:
            entry.pop("calibrated", None)
    assert distribution_of(run, "compromise", "disarmament", None).kind == "point"


def test_a_simulation_is_sealed_with_its_calibrated_distribution(db: Path) -> None:
    store = RunStore(db)
    run = store.get(_simulation_run(store))
    future = next(iter(run.document["results"]))["future"]
    found = distribution_of(run, "compromise", "disarmament", future)
    entry = next(
        r for r in run.document["results"] if r["future"] == future and r["model"] == "compromise"
    )
    assert found.kind == "calibrated"
    assert list(found.quantiles) == entry["calibrated"]["quantiles"]


# --- store layout ------------------------------------------------------------------------------


def test_a_store_at_layout_3_is_migrated_to_4_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store = RunStore(path)
    run_id = _forecast_run(store)
    with sqlite3.connect(path) as conn:  # back to layout 3: version 4 only added three tables
        for table in ("questions", "seals", "resolutions"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    old = RunStore(path, readonly=True)  # read as it is, not migrated
    assert old.questions() == []
    assert old.seals() == []
    assert SCHEMA_VERSION == 4
    migrated = RunStore(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone()[0] == "4"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"questions", "seals", "resolutions"} <= tables
    assert migrated.get(run_id).id == run_id
    migrated.add_question("q1", _question())
    assert [q["id"] for q in migrated.questions()] == ["q1"]


# --- sealing and verifying -----------------------------------------------------------------------


def test_a_sealed_run_cannot_be_deleted_or_changed(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    store.add_question("q1", _question())
    sealed = cli("seal", run_id, "--question", "q1")
    assert sealed.code == 0, sealed.err
    for call in (
        lambda: store.delete(run_id),
        lambda: store.set_label(run_id, "x"),
        lambda: store.set_note(run_id, "y"),
    ):
        with pytest.raises(SealedRunError, match=f"run {run_id}: it is sealed"):
            call()
    for args in (("delete", run_id), ("label", run_id, "x"), ("note", run_id, "y")):
        refused = cli("runs", *args)
        assert refused.code == 2
        assert "it is sealed as a forecast" in refused.err
        assert "Traceback" not in refused.err
    assert store.get(run_id).label is None
    unsealed = _forecast_run(store)
    store.delete(unsealed)  # an unsealed run still can be


def test_seal_verify_and_export(db: Path, cli: Any, tmp_path: Path) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store, models=("compromise", "median"))
    store.add_question("q1", _question())
    out = cli("seal", run_id[:18], "-q", "q1", "--json")
    assert out.code == 0, out.err
    document = json.loads(out.out)
    assert document["schema"] == "detente.seal/1"
    assert document["run"]["id"] == run_id
    assert sorted((f["model"], f["branch"]) for f in document["forecasts"]) == [
        ("compromise", "bush-reelected"),
        ("compromise", "kerry-wins"),
        ("median", "bush-reelected"),
        ("median", "kerry-wins"),
    ]
    assert {f["distribution"]["kind"] for f in document["forecasts"]} == {"calibrated"}
    # the digest is SHA-256 over the canonical JSON of the document less its id and digest
    rest = {k: v for k, v in document.items() if k not in ("id", "digest")}
    text = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib

    assert document["digest"] == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    verified = cli("verify", document["id"])
    assert verified.code == 0, verified.err
    assert "verified" in verified.out
    exported = tmp_path / "seal.json"
    assert cli("track", "--export", document["id"], "-o", str(exported)).code == 0
    assert json.loads(exported.read_text()) == document
    alone = cli("verify", str(exported), "--json")
    assert alone.code == 0
    assert json.loads(alone.out)["ok"] is True
    # a changed point in the exported file is a digest mismatch
    document["forecasts"][0]["point"] += 1.0
    exported.write_text(json.dumps(document))
    changed = cli("verify", str(exported))
    assert changed.code == 1
    assert "digest mismatch" in changed.err


def test_a_point_only_run_is_sealed_with_a_note(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _forecast_run(store, ("nash",), UNLEARNED)
    store.add_question("q1", _question())
    out = cli("seal", run_id, "-q", "q1")
    assert out.code == 0
    assert "only its points are sealed" in out.err
    (found,) = store.seals("q1")
    assert {f["distribution"]["kind"] for f in found.document["forecasts"]} == {"point"}
    assert {f["branch"] for f in found.document["forecasts"]} == {None}


@pytest.mark.parametrize(
    ("column", "change", "named"),
    [
        ("document_json", "json_set(document_json, '$.draws', 61)", "the run changed"),
        (
            "scenario_json",
            "json_set(scenario_json, '$.actors[0].capability', 90)",
            "the scenario changed",
        ),
    ],
)
def test_verify_names_a_changed_run_or_scenario(
    db: Path, cli: Any, column: str, change: str, named: str
) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    store.add_question("q1", _question())
    assert cli("seal", run_id, "-q", "q1").code == 0
    (found,) = store.seals()
    assert check_against_run(found.document, store.get(run_id)) == []
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE runs SET {column} = {change} WHERE id = ?", (run_id,))
    out = cli("verify", found.id)
    assert out.code == 1
    assert named in out.err
    assert run_id in out.err
    listed = json.loads(cli("track", "--no-example", "--json").out)
    (vintage,) = listed["records"][0]["questions"][0]["vintages"]
    assert vintage["verified"] is False
    assert any(named in p for p in vintage["problems"])


def test_a_changed_draw_is_named(db: Path) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    question = _question()
    run = store.get(run_id)
    document = seal_document(question, run)
    assert check_document(document) == []
    run.frame.loc[run.frame.index[0], "value"] += 5.0  # one draw of compromise, bush-reelected
    problems = check_against_run(document, run)
    assert len(problems) == 2
    assert "the run's stored forecasts changed" in problems[0]
    assert "forecast changed (model compromise, branch bush-reelected)" in problems[1]


def test_a_changed_draw_that_moves_no_quantile_is_named(db: Path) -> None:
    """The lowest draw pushed lower moves neither the median nor (with the calibrated
    distribution sealed from the run's document) anything sealed of the forecast: only the
    digest of the stored rows can tell."""
    store = RunStore(db)
    run = store.get(_simulation_run(store))
    document = seal_document(_question(), run)
    rows = run.frame.index[
        (run.frame["quantity"] == "forecast")
        & (run.frame["model"] == "compromise")
        & (run.frame["future"] == "bush-reelected")
    ]
    lowest = run.frame.loc[rows, "value"].idxmin()
    run.frame.loc[lowest, "value"] -= 30.0
    problems = check_against_run(document, run)
    assert problems == [p for p in problems if "stored forecasts changed" in p]
    assert len(problems) == 1


def test_a_damaged_seal_is_named_not_an_internal_error(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    store.add_question("q1", _question())
    assert cli("seal", run_id, "-q", "q1").code == 0
    (found,) = store.seals("q1")
    damaged = json.loads(json.dumps(found.document))
    del damaged["forecasts"][0]["branch"]
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE seals SET document_json = ? WHERE id = ?", (json.dumps(damaged), found.id)
        )
    checked = cli("verify", found.id)
    assert checked.code == 1
    assert "forecast 1 lacks 'branch'" in checked.out + checked.err
    assert "internal error" not in checked.err
    shown = cli("track", "--no-example")
    assert shown.code == 0, shown.err
    assert f"seal {found.id} is left out of the record" in shown.err


# --- resolution and scores ----------------------------------------------------------------------


def test_resolving_twice_needs_replace_and_keeps_the_history(db: Path, cli: Any) -> None:
    store = RunStore(db)
    store.add_question("q1", _question())
    first = cli("resolve", "q1", "--outcome", "70", "--source", "Joint Statement, 2005")
    assert first.code == 0, first.err
    again = cli("resolve", "q1", "--outcome", "60", "--source", "x")
    assert again.code == 2
    assert "--replace" in again.err
    replaced = cli("resolve", "q1", "--outcome", "60", "--source", "y", "--replace")
    assert replaced.code == 0
    assert "kept in the history" in replaced.err
    history = store.resolutions("q1", history=True)
    assert [(r.document["outcome"], r.current) for r in history] == [(70.0, False), (60.0, True)]
    assert [r.document["outcome"] for r in store.resolutions("q1")] == [60.0]
    # a second reading of the same question is not a replacement
    other = cli("resolve", "q1", "--outcome", "50", "--source", "z", "--reading", "later")
    assert other.code == 0


def test_scores_of_a_resolved_question(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    store.add_question("q1", _question())
    assert cli("seal", run_id, "-q", "q1").code == 0
    assert (
        cli("resolve", "q1", "--outcome", "62", "--source", "s", "--branch", "bush-reelected").code
        == 0
    )
    doc = json.loads(cli("track", "--no-example", "--json").out)
    assert doc["schema"] == "detente.track/1"
    entry = doc["records"][0]["questions"][0]
    (seal,) = store.seals("q1")
    for sealed, shown in zip(
        seal.document["forecasts"], entry["vintages"][0]["forecasts"], strict=True
    ):
        # a calibrated distribution is scored on the intervals it shows (levels learned out
        # of fold), not on the central intervals of its quantiles
        i50, i80 = (sealed["distribution"]["intervals"][k] for k in ("50", "80"))
        (s,) = shown["scores"]
        assert s["abs_error"] == pytest.approx(abs(sealed["point"] - 62.0))
        assert s["in_50"] == (i50[0] <= 62.0 <= i50[1])
        assert s["in_80"] == (i80[0] <= 62.0 <= i80[1])
        assert shown["interval_80"] == i80
        assert s["branch_came_true"] == (sealed["branch"] == "bush-reelected")
        assert s["crps"] > 0
        assert s["brier"] is None  # not a threshold question


def test_a_threshold_question_gets_a_brier_score(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    added = cli(
        "question",
        "add",
        "dprk-75",
        "--issue",
        "disarmament >= 60",
        "--resolves-by",
        "2005-12-31",
        *RUBRIC,
        *ANCHOR,
        *NO_OUTCOME,
    )
    assert added.code == 0, added.err
    assert cli("seal", run_id, "-q", "dprk-75").code == 0
    assert cli("resolve", "dprk-75", "--outcome", "70", "--source", "s").code == 0
    doc = json.loads(cli("track", "--no-example", "--json").out)
    (seal,) = store.seals("dprk-75")
    shown = doc["records"][0]["questions"][0]["vintages"][0]["forecasts"]
    for sealed, row in zip(seal.document["forecasts"], shown, strict=True):
        q = np.asarray(sealed["distribution"]["quantiles"])
        p = float(np.mean(q >= 60))
        assert row["probability"] == pytest.approx(p)
        assert row["scores"][0]["brier"] == pytest.approx((p - 1.0) ** 2)
    table = cli("track", "dprk-75", "--no-example")
    assert table.code == 0
    assert "Brier" in table.out


def test_a_no_outcome_resolution_scores_nothing(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _forecast_run(store)
    store.add_question("q1", _question())
    assert cli("seal", run_id, "-q", "q1").code == 0
    assert cli("resolve", "q1", "--outcome", "none", "--source", "talks collapsed").code == 0
    doc = json.loads(cli("track", "--no-example", "--json").out)
    scores = doc["records"][0]["questions"][0]["vintages"][0]["forecasts"][0]["scores"]
    assert scores[0]["outcome"] is None
    assert scores[0]["abs_error"] is None
    assert scores[0]["crps"] is None


def test_a_resolved_question_takes_no_new_seal(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _forecast_run(store)
    store.add_question("q1", _question())
    assert cli("resolve", "q1", "--outcome", "70", "--source", "s").code == 0
    late = cli("seal", run_id, "-q", "q1")
    assert late.code == 2
    assert "resolved already" in late.err
    assert store.seals() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("seal", "nope", "-q", "q1"), "no run 'nope'"),
        (("seal", "RUN", "-q", "nope"), "no question 'nope'"),
        (("resolve", "nope", "--outcome", "1", "--source", "s"), "no question 'nope'"),
        (("resolve", "q1", "--outcome", "120", "--source", "s"), "outside the scale"),
        (("resolve", "q1", "--outcome", "many", "--source", "s"), "--outcome 'many'"),
        (("resolve", "q1", "--outcome", "5", "--source", " "), "--source"),
        (("verify", "seal-000000000000"), "no seal 'seal-000000000000'"),
        (("verify", "missing.json"), "missing.json: no such file"),
        (("track", "nope"), "no question 'nope'"),
        (
            (
                "question",
                "add",
                "Bad Id",
                "--issue",
                "disarmament",
                "--resolves-by",
                "2005-01-01",
                *RUBRIC,
                *ANCHOR,
                *NO_OUTCOME,
            ),
            "question id 'Bad Id'",
        ),
        (
            (
                "question",
                "add",
                "q2",
                "--issue",
                "trade",
                "--resolves-by",
                "2005-01-01",
                *RUBRIC,
                *ANCHOR,
                *NO_OUTCOME,
            ),
            "no issue 'trade'",
        ),
        (
            (
                "question",
                "add",
                "q2",
                "--issue",
                "disarmament",
                "--resolves-by",
                "2005-01-01",
                *RUBRIC,
                "--anchor",
                "60=x",
                *NO_OUTCOME,
            ),
            "60 is not an anchor point",
        ),
        (
            (
                "question",
                "add",
                "q2",
                "--issue",
                "disarmament",
                "--resolves-by",
                "someday",
                *RUBRIC,
                *ANCHOR,
                *NO_OUTCOME,
            ),
            "--resolves-by 'someday'",
        ),
        (
            (
                "question",
                "add",
                "q2",
                "--issue",
                "disarmament",
                "--resolves-by",
                "2005-01-01",
                *ANCHOR,
                *NO_OUTCOME,
            ),
            "the rubric must not be empty",
        ),
        (
            (
                "question",
                "add",
                "q1",
                "--issue",
                "disarmament",
                "--resolves-by",
                "2005-01-01",
                *RUBRIC,
                *ANCHOR,
                *NO_OUTCOME,
            ),
            "question 'q1' already exists",
        ),
    ],
)
def test_bad_input_is_a_clear_error(
    db: Path, cli: Any, args: tuple[str, ...], message: str
) -> None:
    store = RunStore(db)
    run_id = _forecast_run(store)
    store.add_question("q1", _question())
    before = (store.questions(), store.seals(), store.resolutions(history=True))
    out = cli(*(run_id if a == "RUN" else a for a in args))
    assert out.code == 2, out
    assert message in out.err
    assert "Traceback" not in out.err
    assert (store.questions(), store.seals(), store.resolutions(history=True)) == before


# --- two processes at once ------------------------------------------------------------------------

_WORKER = """
import sys
from detente.store import RunStore
from detente.track import make_resolution, seal_document
store = RunStore(sys.argv[1])
name = sys.argv[2]
runs = sys.argv[3:]
question = store.question("shared")
for run_id in runs:
    store.add_seal(seal_document(question, store.get(run_id)))
    own = store.question(name)
    store.add_resolution(name, "main", make_resolution(own, 50.0, source="s"), replace=True)
    store.add_resolution(name, "main", make_resolution(own, 60.0, source="t"), replace=True)
"""


def test_two_processes_sealing_and_resolving_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store = RunStore(path)
    runs = [_forecast_run(store) for _ in range(8)]
    for name in ("shared", "a", "b"):
        store.add_question(name, _question(name))
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(path), name, *part],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, part in (("a", runs[:4]), ("b", runs[4:]))
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    assert sorted(seal.run_id for seal in store.seals("shared")) == sorted(runs)
    for name in ("a", "b"):
        history = store.resolutions(name, history=True)
        assert len(history) == 8  # two per run, each kept
        assert sum(r.current for r in history) == 1


# --- the bundled worked example -------------------------------------------------------------------


@pytest.mark.slow  # about a minute: 1,000 draws of seven models
def test_the_worked_example_regenerates_to_the_same_content() -> None:
    shipped = worked_example.load()
    assert worked_example.build() == shipped, (
        "regenerate it with: python -m detente.track.worked_example"
    )


def test_the_worked_example_on_a_fresh_store(db: Path, cli: Any) -> None:
    out = cli("track", "--json")
    assert out.code == 0, out.err
    (record,) = json.loads(out.out)["records"]  # no user store yet: the example alone
    assert "worked example" in record["origin"]
    assert "resolved after the fact" in record["note"]
    (entry,) = record["questions"]
    assert entry["question"]["id"] == "six-party-first-agreement"
    assert [(r["reading"], r["outcome"]) for r in entry["resolutions"]] == [
        ("2005-joint-statement", 70.0),
        ("2007-initial-actions", 50.0),
    ]
    vintages = entry["vintages"]
    assert len(vintages) == 2  # every model but smp; smp with the election at round 0
    assert all(v["verified"] is True for v in vintages)
    assert {v["sealed_at"] for v in vintages} == {"2004-05-10T00:00:00+00:00"}
    forecasts = [f for v in vintages for f in v["forecasts"]]
    pairs = [(f["model"], f["branch"]) for f in forecasts]
    assert sorted(pairs) == sorted(
        (model, branch)
        for model in ("compromise", "median", "nash", "momentum", "eum", "exchange", "smp")
        for branch in ("bush-reelected", "kerry-wins")
    )
    for f in forecasts:
        assert [s["abs_error"] for s in f["scores"]] == pytest.approx(
            [abs(f["point"] - 70.0), abs(f["point"] - 50.0)]
        )
        assert all(s["in_50"] is not None and s["in_80"] is not None for s in f["scores"])
    table = cli("track")
    assert table.code == 0
    assert "2005-joint-statement" in table.out
    assert "the branch that came true" in table.out


def test_the_worked_example_is_shown_apart_from_the_users_record(db: Path, cli: Any) -> None:
    RunStore(db).add_question("mine", _question("mine"))
    doc = json.loads(cli("track", "--json").out)
    origins = [record["origin"] for record in doc["records"]]
    assert origins[0] == "bundled worked example"
    assert origins[1].startswith("your store")
    assert [q["question"]["id"] for q in doc["records"][1]["questions"]] == ["mine"]


def test_the_worked_examples_quotes_are_verbatim_in_the_bundled_sources() -> None:
    from detente.scenario.evidence import quote_in_file

    folder = SRC / "detente" / "track" / "data" / "sources"
    bundle = worked_example.load()
    files = {
        "2005-joint-statement": "six-party-joint-statement-2005-09-19.txt",
        "2007-initial-actions": "six-party-initial-actions-2007-02-13.txt",
    }
    for resolution in bundle["resolutions"]:
        file = files[resolution["reading"]]
        text = " ".join((folder / file).read_text(encoding="utf-8").split())
        assert " ".join(resolution["quote"].split()) in text
        assert quote_in_file(resolution["quote"], file, folder)
        assert not quote_in_file(resolution["quote"].replace("The", "the", 1), file, folder)


def test_the_worked_examples_seal_verifies_and_a_change_is_caught() -> None:
    seal, smp = worked_example.load()["seals"]
    assert check_document(smp) == []
    assert check_document(seal) == []
    seal["forecasts"][3]["distribution"]["quantiles"][50] += 0.001
    assert "digest mismatch" in check_document(seal)[0]


# --- the report ----------------------------------------------------------------------------------


def test_the_report_of_a_sealed_run_has_a_track_record_section(
    db: Path, cli: Any, tmp_path: Path
) -> None:
    from html.parser import HTMLParser

    store = RunStore(db)
    run_id = _simulation_run(store, draws=40)
    unsealed = _simulation_run(store, draws=40)
    question = _question()
    question["rubric"]["text"] = "<script>alert(1)</script> & more"
    store.add_question("q1", question)
    assert cli("seal", run_id, "-q", "q1").code == 0
    assert cli("resolve", "q1", "--outcome", "70", "--source", "<b>S</b>").code == 0
    page = tmp_path / "r.html"
    assert cli("report", run_id, "-o", str(page)).code == 0
    text = page.read_text()

    class Sections(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "section" and found.get("id"):
                self.ids.append(str(found["id"]))

    parser = Sections()
    parser.feed(text)
    assert "track-record" in parser.ids
    section = text[text.index('id="track-record"') :]
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in section
    assert "&lt;b&gt;S&lt;/b&gt;" in section
    assert "<svg" in section[: section.index("</section>")]
    other = tmp_path / "other.html"
    assert cli("report", unsealed, "-o", str(other)).code == 0
    assert 'id="track-record"' not in other.read_text()


def test_resolve_refuses_a_branch_its_seals_do_not_know(db: Path, cli: Any) -> None:
    store = RunStore(db)
    run_id = _simulation_run(store)
    store.add_question("q1", _question())
    assert cli("seal", run_id, "-q", "q1").code == 0
    typo = cli("resolve", "q1", "--outcome", "70", "--source", "s", "--branch", "bush-relected")
    assert typo.code == 2
    assert "bush-reelected, kerry-wins" in typo.err
    assert store.resolutions("q1") == []


def test_the_store_refuses_a_seal_of_a_resolved_question(db: Path) -> None:
    """Checked inside the transaction that inserts the seal, not only by the command."""
    store = RunStore(db)
    run = store.get(_simulation_run(store))
    store.add_question("q1", _question())
    document = seal_document(store.question("q1"), run)
    store.add_resolution("q1", "main", {"outcome": 70}, replace=False)
    with pytest.raises(InputError, match="resolved already"):
        store.add_seal(document)
