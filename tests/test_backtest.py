"""DEU III: the loader, capability sources, scores, the backtest, calibration and the command."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import detente
from detente.backtest import (
    ACTORS,
    CAPABILITY_SOURCES,
    DEU3_SPREAD,
    SPREAD_GRID,
    backtest,
    bundled_accuracy,
    calibrate,
    capabilities,
    council_regime,
    load_deu3,
    tune_spread,
)
from detente.backtest.capability import AMSTERDAM_VOTES, LISBON_POPULATION_2016, NICE_VOTES
from detente.backtest.score import crps, paired_bootstrap, point_scores, reliability
from detente.errors import InputError
from detente.models import momentum

HEADER = (
    ["prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte"]
    + ["proccde", "issues", "intro", "finact"]
    + [f"p{a}" for a in ACTORS]
    + [f"s{a}" for a in ACTORS]
    + ["rp", "out"]
)


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return load_deu3()


#: Models of the all-issues fixture: every registered model but smp and exchange, which take
#: most of the time (test_shipped_accuracy_matches_a_fresh_backtest, in the slow tier, runs
#: them on the test half; test_a_joint_model_runs_on_a_proposals_issues_at_once runs exchange
#: on a slice).
FAST_MODELS = [name for name in detente.models.names() if name not in ("smp", "exchange")]


@pytest.fixture(scope="module")
def all_equal(data):  # type: ignore[no-untyped-def]
    return backtest(data, split="all", capability="equal", n_boot=200, models=FAST_MODELS)


def _mae(bt, model: str) -> float:  # type: ignore[no-untyped-def]
    return float(bt.scores().set_index("model").loc[model, "mae"])


# --- reference figures (../shared/data/deu3/README.md) -------------------------------------------


def test_reference_figures_on_all_351_scoreable_issues(data, all_equal) -> None:  # type: ignore[no-untyped-def]
    """The README's figures, recomputed from the file by the data set's maintainers."""
    assert all_equal.frame[["proposal", "issue"]].drop_duplicates().shape[0] == 351
    assert round(_mae(all_equal, "compromise"), 2) == 23.64
    assert round(_mae(all_equal, "median-actor"), 2) == 28.37
    assert round(_mae(all_equal, "commission"), 2) == 37.55
    assert round(_mae(all_equal, "reference-point"), 2) == 51.31
    gdp = backtest(data, split="all", models=["compromise"], capability="gdp", n_boot=200)
    assert round(_mae(gdp, "compromise"), 2) == 23.21


def test_bundled_copy_is_the_published_file(data, shared: Path) -> None:  # type: ignore[no-untyped-def]
    """The package's copy is byte for byte ../shared's (the shared fixture fails, never skips,
    when ../shared is missing)."""
    assert data.sha256 == "3fbb9606abecb9d0725d7cb7077543c53331f5ec8b50f5294672644f354d5170"
    digest = hashlib.sha256((shared / "data" / "deu3" / "deu3.csv").read_bytes()).hexdigest()
    assert digest == data.sha256


# --- loader --------------------------------------------------------------------------------------


def test_counts_and_halves(data) -> None:  # type: ignore[no-untyped-def]
    assert len(data.issues) == 364
    dev, test = data.select("dev"), data.select("test")
    assert (len(dev), len(test), len(data.select("all"))) == (180, 171, 351)
    assert all(i.proposal % 2 == 1 for i in dev)
    assert all(i.proposal % 2 == 0 for i in test)
    assert len(data.select("dev", scoreable=False)) == 188
    assert len(data.select("test", scoreable=False)) == 176
    assert {i.wave for i in data.issues} == {1, 2, 3}
    with pytest.raises(InputError, match="--split is one of dev, test, all, not 'train'"):
        data.select("train")


def test_waves_follow_the_introduction_dates(data) -> None:  # type: ignore[no-untyped-def]
    waves = {i.proposal: i.wave for i in data.issues}
    assert {waves[p] for p in range(1, 70)} == {1}
    assert {waves[p] for p in range(70, 126)} == {2}
    assert {waves[p] for p in range(126, 142)} == {3}


def test_damaged_dates_are_read_back(data) -> None:  # type: ignore[no-untyped-def]
    by_proposal = {i.proposal: i.introduced for i in data.issues}
    assert by_proposal[1] == dt.date(2000, 1, 26)  # 26-01-00
    assert by_proposal[70] == dt.date(2004, 7, 14)  # 2014-07-04 was 14-07-04
    assert by_proposal[90] == dt.date(2005, 5, 30)  # 1930-05-05 was 30-05-05
    assert by_proposal[126] == dt.date(2016, 9, 14)  # 14-09-2016
    assert by_proposal[141] == dt.date(2018, 4, 17)  # 2017-04-18 was 17-04-18


def _write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    lines = ["\t".join(f'"{h}"' for h in HEADER), "\t".join("1" for _ in HEADER)]
    for row in rows:
        lines.append("\t".join(row.get(h, "") for h in HEADER))
    path = tmp_path / "deu.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(**values: str) -> dict[str, str]:
    base = {"prnrnmc": "1", "isnrnmc": "1", "isnr": "x1", "proc": "COD", "intro": "01-02-99"}
    return base | values


def test_missing_values_follow_the_data_set_rules(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _row(
                pcom="100",
                scom="50",  # taking part
                pep="999",
                sep="40",  # 999: missing position
                pat="30",
                sat="",  # blank salience
                pbe="120",
                sbe="30",  # off the scale
                pde="-5",
                sde="30",  # off the scale
                pfr="0",
                sfr="0",  # zero is a value
                pit="40",
                sit="100",
                rp="999",
                out="60",
            ),
            _row(isnrnmc="2", pcom="10", scom="10", pfr="20", sfr="20", out="101"),
        ],
    )
    first, second = load_deu3(path).issues
    assert first.actors == ("com", "fr", "it")
    np.testing.assert_array_equal(first.positions, [100.0, 0.0, 40.0])
    np.testing.assert_array_equal(first.saliences, [50.0, 0.0, 100.0])
    assert first.reference_point is None
    assert first.outcome == 60.0
    assert first.scoreable
    assert second.outcome is None
    assert not second.scoreable
    scenario = first.to_scenario()
    assert scenario.issues[0].status_quo is None
    assert [a.position["i1"] for a in scenario.actors] == [100.0, 0.0, 40.0]


def test_bad_files_name_the_file_line_and_problem(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(InputError, match=r"nope\.csv: cannot read the DEU III file"):
        load_deu3(missing)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"wrong.csv:1: not the DEU III layout.*missing columns"):
        load_deu3(wrong)
    short = _write(tmp_path, [_row()])
    short.write_text(short.read_text() + "1\t2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"deu.csv:4: 2 columns, DEU III rows have 75"):
        load_deu3(short)
    bad_date = _write(tmp_path, [_row(intro="soon")])
    with pytest.raises(InputError, match=r"deu.csv:3: intro 'soon' is not a date"):
        load_deu3(bad_date)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"\xe9t\xe9\n")
    with pytest.raises(InputError, match=r"latin\.csv: not UTF-8"):
        load_deu3(latin)


# --- capability sources --------------------------------------------------------------------------


def test_council_weights_are_the_treaty_figures() -> None:
    assert sum(AMSTERDAM_VOTES.values()) == 87
    assert len(AMSTERDAM_VOTES) == 15
    assert sum(NICE_VOTES.values()) == 352
    assert len(NICE_VOTES) == 28
    assert sum(LISBON_POPULATION_2016.values()) == pytest.approx(100.0, abs=0.02)
    assert set(NICE_VOTES) == set(LISBON_POPULATION_2016) == set(ACTORS) - {"com", "ep"}
    assert council_regime(dt.date(2003, 1, 31))[0] == "amsterdam"
    assert council_regime(dt.date(2003, 2, 1))[0] == "nice"
    assert council_regime(dt.date(2014, 10, 31))[0] == "nice"
    assert council_regime(dt.date(2014, 11, 1))[0] == "lisbon"


def test_capabilities_per_source(data) -> None:  # type: ignore[no-untyped-def]
    issue = next(i for i in data.issues if i.wave == 3 and i.introduced.year >= 2015)
    council = dict(zip(issue.actors, capabilities(issue, "council", data), strict=True))
    assert council["de"] == 15.93
    assert council["com"] == council["ep"] == 15.93
    gdp = dict(zip(issue.actors, capabilities(issue, "gdp", data), strict=True))
    assert gdp["de"] == 4.1
    assert gdp["fr"] == 2.8
    assert set(capabilities(issue, "equal", data)) == {1.0}
    with pytest.raises(InputError, match="--capability is one of equal, gdp, council"):
        capabilities(issue, "power", data)
    for issue in data.select("all"):  # every source has a figure for every actor taking part
        for source in CAPABILITY_SOURCES:
            assert np.all(capabilities(issue, source, data) > 0)


def test_a_state_without_a_vote_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row(ppl="10", spl="10", pfr="20", sfr="20", pit="0", sit="5")])
    deu = load_deu3(path)
    with pytest.raises(InputError, match=r"deu.csv:3: issue x1: the amsterdam .* no figure for pl"):
        capabilities(deu.issues[0], "council", deu)


# --- scores --------------------------------------------------------------------------------------


def test_point_scores_by_hand() -> None:
    s = point_scores(np.array([-3.0, 5.0, 10.0, 25.0]))
    assert s["n"] == 4
    assert s["mae"] == pytest.approx(43 / 4)
    assert s["rmse"] == pytest.approx(np.sqrt((9 + 25 + 100 + 625) / 4))
    assert s["median_ae"] == 7.5
    assert (s["within_5"], s["within_10"], s["within_20"]) == (0.5, 0.75, 0.75)


def test_crps_matches_the_pairwise_definition() -> None:
    rng = np.random.default_rng(3)
    draws = rng.uniform(0, 100, size=(5, 40))
    y = rng.uniform(0, 100, size=5)
    brute = np.abs(draws - y[:, None]).mean(axis=1) - 0.5 * np.abs(
        draws[:, :, None] - draws[:, None, :]
    ).mean(axis=(1, 2))
    np.testing.assert_allclose(crps(draws, y), brute, atol=1e-10)


def test_reliability_of_a_perfect_forecaster_is_near_nominal() -> None:
    rng = np.random.default_rng(4)
    draws = rng.normal(size=(4000, 400))
    y = rng.normal(size=4000)
    for row in reliability(draws, y):
        assert row["observed"] == pytest.approx(row["nominal"], abs=0.03)


def test_paired_bootstrap_resamples_whole_proposals() -> None:
    errors, base = np.array([1.0, 1.0, 5.0, 5.0]), np.array([2.0, 2.0, 2.0, 2.0])
    clusters = np.array([1, 1, 2, 2])
    diff, lo, hi = paired_bootstrap(
        errors, base, clusters, n_boot=2000, rng=np.random.default_rng(0)
    )
    assert diff == 1.0
    # two proposals, differences -1 and +3: every replicate mean is -1, +1 or +3
    assert (lo, hi) == (-1.0, 3.0)
    again = paired_bootstrap(errors, base, clusters, n_boot=2000, rng=np.random.default_rng(0))
    assert again == (diff, lo, hi)


# --- the backtest --------------------------------------------------------------------------------


def test_backtest_scores_every_model_and_baseline(all_equal) -> None:  # type: ignore[no-untyped-def]
    scores = all_equal.scores().set_index("model")
    assert list(scores.index) == [
        *FAST_MODELS,
        "median-actor",
        "commission",
        "reference-point",
    ]
    assert scores.loc["commission", "n"] == 346
    assert scores.loc["reference-point", "n"] == 252
    boot = all_equal.bootstrap().set_index("model")
    assert "compromise" not in boot.index
    for name, row in boot.iterrows():
        assert row["low"] <= row["diff"] <= row["high"], name
    by_procedure = all_equal.scores("procedure")
    assert set(by_procedure["procedure"]) == {"COD", "CNS"}
    assert by_procedure.groupby("procedure")["n"].max().sum() == 351
    assert set(all_equal.scores("wave")["wave"]) == {1, 2, 3}


def test_backtest_document_and_markdown(all_equal) -> None:  # type: ignore[no-untyped-def]
    doc = all_equal.to_json()
    assert doc["schema"] == "detente.backtest/1"
    assert doc["issues"] == 351
    assert json.loads(json.dumps(doc)) == doc  # plain JSON data
    text = all_equal.to_markdown()
    assert text.startswith("# DEU III backtest: all half, 351 scoreable issues")
    assert "| compromise | 351 | 23.64 |" in text
    for heading in ("## Scores", "## MAE difference from compromise", "## MAE by procedure"):
        assert heading in text


def test_backtest_refuses_bad_settings(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="--capability is one of"):
        backtest(data, capability="votes")
    with pytest.raises(InputError, match="unknown model 'eum3'"):
        backtest(data, models=["eum3"])
    with pytest.raises(InputError, match="at least 100 replicates"):
        backtest(data, n_boot=10)
    with pytest.raises(InputError, match="at most 100,000 replicates"):
        backtest(data, n_boot=100_001)


@pytest.mark.slow  # every model on the test half: 15 s with coverage
def test_shipped_accuracy_matches_a_fresh_backtest(data) -> None:  # type: ignore[no-untyped-def]
    doc = bundled_accuracy()
    assert doc is not None
    assert doc["schema"] == "detente.accuracy/1"
    assert (doc["split"], doc["capability"], doc["n_issues"]) == ("test", "equal", 171)
    fresh = backtest(data, split="test", n_boot=100).scores().set_index("model")
    assert [m["model"] for m in doc["models"]] == list(fresh.index)
    for m in doc["models"]:
        assert m["mae"] == pytest.approx(fresh.loc[m["model"], "mae"], abs=1e-4), m["model"]


def test_a_joint_model_runs_on_a_proposals_issues_at_once(data) -> None:  # type: ignore[no-untyped-def]
    """exchange trades across the issues of a proposal: the backtest runs it on all of them in
    one scenario (an actor absent from an issue has no stake in it) and scores each; on a
    proposal of one issue there is nothing to trade and it is the compromise."""
    import dataclasses

    from detente.backtest.deu3 import proposal_scenario

    first = sorted({i.proposal for i in data.issues})[:10]
    part = dataclasses.replace(data, issues=tuple(i for i in data.issues if i.proposal in first))
    bt = backtest(part, split="all", models=["exchange"], n_boot=100)
    wide = bt.frame.pivot(index="code", columns="model", values="forecast")
    by_proposal: dict[int, list] = {}  # type: ignore[type-arg]
    for issue in part.select("all", scoreable=False):
        if len(issue.actors) >= 3:
            by_proposal.setdefault(issue.proposal, []).append(issue)
    several = [group for group in by_proposal.values() if len(group) > 1]
    alone = [group[0] for group in by_proposal.values() if len(group) == 1 and group[0].scoreable]
    assert several
    assert alone
    for issue in alone:
        assert wide.loc[issue.code, "exchange"] == pytest.approx(wide.loc[issue.code, "compromise"])
    moved = 0
    for group in several:
        s = proposal_scenario(group, [np.ones(len(i.actors)) for i in group])
        for a in s.actors:  # absent from an issue: salience 0 there; else the data's
            for issue, issue_id in zip(group, s.issue_ids, strict=True):
                here = issue.actors.index(a.id) if a.id in issue.actors else None
                given = 0.0 if here is None else float(issue.saliences[here])
                assert a.salience[issue_id] == given
        values = detente.forecast(s, ["exchange"]).runs[0].values
        for issue, value in zip(group, values, strict=True):
            if issue.scoreable:
                assert wide.loc[issue.code, "exchange"] == value
                moved += value != pytest.approx(wide.loc[issue.code, "compromise"])
    assert moved > 0  # trades moved some forecasts off the compromise


# --- calibration ---------------------------------------------------------------------------------


def test_calibration_widens_with_the_spread(data) -> None:  # type: ignore[no-untyped-def]
    issues = data.select("dev")[:30]
    narrow = calibrate(data, issues, draws=100, spread=0.05, seed=1)
    wide = calibrate(data, issues, draws=100, spread=0.4, seed=1)
    width = lambda c: float((c.frame["q90"] - c.frame["q10"]).mean())  # noqa: E731
    assert width(wide) > width(narrow) > 0
    assert wide.summary()["coverage_80"] >= narrow.summary()["coverage_80"]
    again = calibrate(data, issues, draws=100, spread=0.05, seed=1)
    assert again.frame.equals(narrow.frame)


@pytest.mark.slow
def test_the_shipped_spread_is_the_development_half_choice(data) -> None:  # type: ignore[no-untyped-def]
    scores = tune_spread(data)
    assert set(scores) == set(SPREAD_GRID)
    assert min(scores, key=scores.__getitem__) == DEU3_SPREAD


# --- momentum ------------------------------------------------------------------------------------


def _momentum(c, X, S, sq, **options):  # type: ignore[no-untyped-def]
    k = np.shape(X)[1]
    lo, hi = np.zeros(k), np.full(k, 100.0)
    return momentum.point(
        np.asarray(c, float),
        np.asarray(X, float),
        np.asarray(S, float),
        lo=lo,
        hi=hi,
        status_quo=np.asarray(sq, float),
        options=momentum.MomentumOptions(**options),
    )


def test_momentum_by_hand() -> None:
    c, X, S = [1.0, 3.0], [[0.0], [100.0]], [[1.0], [0.25]]
    # salience power 0.5: weights 1 * 1 and 3 * 0.5 -> mean 60; push 0.1 from 20: 64
    out = _momentum(c, X, S, [20.0], salience_power=0.5, push=0.1)
    np.testing.assert_allclose(out, [64.0])
    # the push is away from the status quo, on either side
    np.testing.assert_allclose(_momentum(c, X, S, [80.0], salience_power=0.5, push=0.1), [58.0])
    # no status quo: no push; power 1 and push 0: the compromise
    np.testing.assert_allclose(_momentum(c, X, S, [np.nan], salience_power=0.5), [60.0])
    expected = (0 * 1 * 1 + 100 * 3 * 0.25) / (1 * 1 + 3 * 0.25)
    np.testing.assert_allclose(_momentum(c, X, S, [20.0], salience_power=1, push=0), [expected])
    # kept within the positions of the actors that carry weight
    np.testing.assert_allclose(_momentum(c, X, S, [-900.0], salience_power=0.5, push=1), [100.0])


# --- the command ---------------------------------------------------------------------------------


def test_backtest_command_prints_writes_and_stores(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DETENTE_STORE", str(tmp_path / "runs.db"))  # only this test's runs
    out = tmp_path / "dev.md"
    result = cli("backtest", "deu3", "--split", "dev", "-m", "median", "-o", str(out))
    assert result.code == 0, result.err
    assert "DEU III, dev half: 180 scoreable issues" in result.out
    assert "MAE by procedure" in result.out
    assert "kept as run" in result.out
    assert out.read_text().startswith("# DEU III backtest: dev half, 180 scoreable issues")
    doc = json.loads(cli("backtest", "--split", "test", "-m", "compromise", "--json").out)
    assert doc["schema"] == "detente.backtest/1"
    assert doc["models"] == ["compromise"]
    runs = json.loads(cli("runs", "list", "--kind", "backtest", "--json").out)["runs"]
    assert [r["scenario"]["id"] for r in runs] == ["deu3", "deu3"]
    assert doc["run_id"] in {r["id"] for r in runs}
    shown = cli("runs", "show", doc["run_id"])
    assert shown.code == 0, shown.err
    assert "backtest" in shown.out


def test_backtest_command_calibration(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("backtest", "--split", "dev", "-m", "compromise", "--draws", "20", "--no-store")
    assert result.code == 0, result.err
    assert "Calibration of compromise: 20 draws per issue, spread 0.3" in result.out
    assert "Reliability" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deu4"], "no data set 'deu4'; data sets are: deu3"),
        (["--capability", "votes"], "--capability is one of equal, gdp, council, not 'votes'"),
        (["--split", "train"], "--split is one of dev, test, all, not 'train'"),
        (["-m", "eum9"], "unknown model 'eum9'"),
        (["--data", "missing.csv"], "missing.csv: cannot read the DEU III file"),
        # a MemoryError and a ValueError (from numpy) before there was a bound
        (["--bootstrap", "99999999999999"], "at most 100,000 replicates"),
        (["--bootstrap", "99999999999999999999999"], "at most 100,000 replicates"),
    ],
)
def test_backtest_command_errors(cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("backtest", *args, "--no-store")
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_unsettled_dynamic_runs_are_counted_once(data) -> None:  # type: ignore[no-untyped-def]
    issues = data.select("dev")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none escapes: they are counted instead
        bt = backtest(
            data, split="dev", models=["smp"], options={"smp": {"max_iter": 2}}, n_boot=100
        )
    assert bt.unsettled is not None
    assert 0 < bt.unsettled["smp"] <= len(issues)
    assert "compromise" not in bt.unsettled
    assert f"smp did not settle within its round limit on {bt.unsettled['smp']} of 180" in (
        bt.to_markdown()
    )
    assert bt.to_json()["unsettled"] == bt.unsettled


def test_data_files_that_are_not_regular_or_too_large_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    """A device, a pipe or a folder as --data was read until memory ran out; now refused."""
    import os

    from detente.backtest import deu3

    with pytest.raises(InputError, match=r"/dev/zero: cannot read the DEU III file: .*regular"):
        load_deu3("/dev/zero")
    with pytest.raises(InputError, match=r"cannot read the DEU III file: it is a folder"):
        load_deu3(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"fifo: cannot read the DEU III file: .*regular"):
        load_deu3(fifo)
    with pytest.raises(InputError, match=r"file name is too long"):
        load_deu3(tmp_path / ("x" * 300))
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * 2048)
    monkeypatch.setattr(deu3, "MAX_DATA_BYTES", 1024)
    with pytest.raises(InputError, match=r"big\.csv: cannot read the DEU III file: it is over"):
        load_deu3(big)
    result = cli("backtest", "deu3", "-m", "compromise", "--data", "/dev/zero", "--no-store")
    assert result.code == 2
    assert "/dev/zero: cannot read the DEU III file" in result.err
