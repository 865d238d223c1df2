"""The model-error layer: calibrated forecast distributions learned on DEU III.

Coverage is counted here from the out-of-fold intervals shipped beside the parameters, by this
file's own arithmetic, never by the code that fits them.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import detente
from detente.backtest import default_models, load_deu3
from detente.backtest import model_error as me
from detente.calibration import (
    GRID,
    NOMINAL,
    PARTS,
    ModelError,
    components,
    crps,
    fit_weights,
    model_error,
    predictive,
    shipped,
)
from detente.simulate import simulate
from detente.simulate.questions import parse_question

DATA = resources.files("detente.calibration").joinpath("data")


@pytest.fixture(scope="module")
def oof() -> pd.DataFrame:
    raw = gzip.decompress(DATA.joinpath("model_error_oof.csv.gz").read_bytes())
    return pd.read_csv(io.BytesIO(raw))


def _inside(frame: pd.DataFrame, level: int) -> float:
    y = frame["outcome"]
    return float(((frame[f"lo{level}"] <= y) & (y <= frame[f"hi{level}"])).mean())


# --- what the shipped intervals hold, counted from the stored out-of-fold predictions ---------


def test_the_stored_out_of_fold_intervals_hold_their_nominal_share(oof: pd.DataFrame) -> None:
    compromise = oof[oof["model"] == "compromise"]
    assert len(compromise) == 3 * 351  # every decision under the three capability sources
    for level in (50, 80, 90):
        assert abs(_inside(compromise, level) - level / 100) <= 0.03, level
    for source, group in compromise.groupby("capability"):
        for level in (50, 80, 90):
            assert abs(_inside(group, level) - level / 100) <= 0.05, (source, level)


def test_they_hold_it_in_every_tercile_of_actor_spread(oof: pd.DataFrame) -> None:
    compromise = oof[oof["model"] == "compromise"]
    spreads = compromise.drop_duplicates("code")["spread"]
    lower, upper = np.quantile(spreads, [1 / 3, 2 / 3])
    groups = np.where(
        compromise["spread"] <= lower, 0, np.where(compromise["spread"] <= upper, 1, 2)
    )
    for g in range(3):
        for level in (50, 80, 90):
            share = _inside(compromise[groups == g], level)
            assert abs(share - level / 100) <= 0.08, (g, level, share)


def test_the_compromise_distribution_scores_a_crps_under_the_target(oof: pd.DataFrame) -> None:
    compromise = oof[oof["model"] == "compromise"]
    assert compromise["crps"].mean() <= 16.5
    # the point forecast alone scores its absolute error
    assert (compromise["forecast"] - compromise["outcome"]).abs().mean() > 22.0


def test_every_stored_interval_holds_its_forecast_and_grows_with_its_level(
    oof: pd.DataFrame,
) -> None:
    for n in NOMINAL:
        level = round(n * 100)
        assert (oof[f"lo{level}"] <= oof["forecast"] + 1e-9).all()
        assert (oof["forecast"] <= oof[f"hi{level}"] + 1e-9).all()
    for a, b in itertools.pairwise(NOMINAL):
        assert (oof[f"lo{round(b * 100)}"] <= oof[f"lo{round(a * 100)}"] + 1e-9).all()
        assert (oof[f"hi{round(a * 100)}"] <= oof[f"hi{round(b * 100)}"] + 1e-9).all()


def test_the_shipped_document_names_the_data_it_was_learned_on() -> None:
    doc = shipped()
    assert doc["schema"] == me.MODEL_ERROR_SCHEMA
    assert doc["data_sha256"] == load_deu3().sha256
    assert doc["decisions"] == 351
    names = {entry["model"] for entry in doc["models"]}
    assert names == set(default_models())


# --- the mathematics, against hand-computed values ---------------------------------------------


def test_the_crps_of_a_point_mass_is_the_absolute_error() -> None:
    point = components([40.0], [0.0], [1.0], forecast_width=0.0, position_width=0.0)[0]
    assert float(crps(point, 70.0)) == pytest.approx(30.0, abs=0.3)
    assert float(crps(point, 40.0)) == pytest.approx(0.0, abs=0.3)


def test_the_crps_of_the_uniform_part_is_the_closed_form() -> None:
    # uniform on [0, 100], outcome y: CRPS = (y^2 + (100 - y)^2) / 200 - 100 / 6. The grid's
    # rectangle rule (401 points, a quarter apart) is off by up to half a step: at y = 0 it is
    # 0.25 * sum((k/400)^2, k = 0..400) = 0.25 * 400 * 401 * 801 / 6 / 400^2 = 33.4584375.
    uniform = components([0.0], [0.0], [1.0], forecast_width=0.0, position_width=0.0)[2]
    assert float(crps(uniform, 0.0)) == pytest.approx(33.4584375, abs=1e-9)
    for y in (0.0, 25.0, 50.0, 90.0):
        expected = (y**2 + (100 - y) ** 2) / 200 - 100 / 6
        assert float(crps(uniform, y)) == pytest.approx(expected, abs=0.13)


def test_fit_weights_finds_the_least_crps_mixture() -> None:
    rng = np.random.default_rng(3)
    parts = np.stack(
        [
            components(
                [rng.uniform(0, 100)],
                rng.uniform(0, 100, 5),
                rng.uniform(1, 2, 5),
                forecast_width=5.0,
                position_width=2.0,
            )
            for _ in range(60)
        ]
    )
    outcomes = rng.uniform(0, 100, 60)
    best = fit_weights(parts, outcomes)
    assert best.min() >= 0
    assert best.sum() == pytest.approx(1.0)

    def mean_crps(a: np.ndarray) -> float:
        return float(np.mean([crps(a @ p, y) for p, y in zip(parts, outcomes, strict=True)]))

    found = mean_crps(best)
    # no point of a grid over the simplex does better
    steps = np.linspace(0, 1, 21)
    for a in steps:
        for b in steps:
            c = 1 - a - b
            if c < -1e-9:
                continue
            assert mean_crps(np.array([a, b, max(c, 0.0)])) >= found - 1e-9


def test_a_known_error_distribution_is_recovered() -> None:
    """Outcomes are the forecast plus a normal error of sd 10: the fit must put its weight on
    the forecast and give intervals of the normal's width, holding their share of fresh cases."""
    rng = np.random.default_rng(11)
    n = 1200
    forecasts = rng.uniform(25, 75, n)
    outcomes = np.clip(forecasts + rng.normal(0, 10, n), 0, 100)
    positions = tuple(rng.uniform(0, 100, 6) for _ in range(n))
    frame = pd.DataFrame(
        {
            "code": [f"c{k}" for k in range(n)],
            "proposal": np.arange(n),
            "split": "dev",
            "wave": 1,
            "procedure": "COD",
            "capability": "equal",
            "forecast": forecasts,
            "outcome": outcomes,
            "spread": rng.uniform(5, 40, n),
        }
    )
    rows = me.Decisions("synthetic", frame, positions, tuple(np.ones(6) for _ in range(n)))
    error = me.fit(rows, 10.0, 0.0)
    assert error.weights[PARTS.index("forecast")] > 0.9
    fresh = rng.uniform(25, 75, 2000)
    truth = fresh + rng.normal(0, 10, 2000)
    inside = []
    for f, y in zip(fresh, truth, strict=True):
        dist = predictive(error, [f], rng.uniform(0, 100, 6), np.ones(6), low=0, high=100)
        lo, hi = dist.interval(0.8)
        assert hi - lo == pytest.approx(2 * 1.2816 * 10, abs=3.0)
        inside.append(lo <= y <= hi)
    assert np.mean(inside) == pytest.approx(0.8, abs=0.03)


def test_a_threshold_probability_is_the_mass_beyond_it() -> None:
    error = ModelError(
        model="t",
        forecast_width=0.0,
        position_width=0.0,
        weights=(0.0, 0.0, 1.0),  # uniform on the scale
        spread_edges=(10.0, 20.0),
        levels=(tuple(NOMINAL),) * 3,
        decisions=1,
    )
    dist = predictive(error, [0.0], [-0.8, 0.8], [1.0, 1.0], low=-1.0, high=1.0)
    assert dist.probability(above=0.5) == pytest.approx(0.25, abs=0.005)
    assert dist.probability(below=-0.5) == pytest.approx(0.25, abs=0.005)
    assert dist.probability(above=-0.5, below=0.5) == pytest.approx(0.5, abs=0.005)
    lo, hi = dist.interval(0.5)
    assert (lo, hi) == (pytest.approx(-0.5, abs=0.01), pytest.approx(0.5, abs=0.01))
    assert GRID[0] == 0
    assert GRID[-1] == 100


# --- forecasts, simulations and their documents ------------------------------------------------


def test_every_forecast_of_six_party_has_calibrated_nested_intervals() -> None:
    fc = detente.forecast(detente.bundled("six-party-2004"))
    for run in fc.runs:
        value = run.values[0]
        intervals = [fc.interval(run.model, "disarmament", lv) for lv in (0.5, 0.8, 0.9)]
        assert all(iv is not None for iv in intervals), run.model
        (a, b), (c, d), (e, f) = intervals  # type: ignore[misc]
        assert e <= c <= a <= value <= b <= d <= f
        assert e >= 0
        assert f <= 100


def test_the_forecast_document_and_table_carry_the_intervals() -> None:
    fc = detente.forecast(detente.bundled("six-party-2004"), ["compromise"])
    entry = fc.to_json()["issues"][0]["forecasts"][0]
    assert entry["calibrated"]["kind"] == "calibrated"
    assert set(entry["calibrated"]["intervals"]) == {"50", "80", "90"}
    assert len(entry["calibrated"]["quantiles"]) == 99
    assert entry["calibrated"]["intervals"]["80"] == list(
        fc.interval("compromise", "disarmament", 0.8)  # type: ignore[arg-type]
    )


def test_a_model_run_with_other_options_gets_no_interval() -> None:
    fc = detente.forecast(
        detente.bundled("six-party-2004"), ["nash"], options={"nash": {"utility": "quadratic"}}
    )
    assert fc.interval("nash", "disarmament") is None
    assert "calibrated" not in fc.to_json()["issues"][0]["forecasts"][0]


def test_a_scale_other_than_0_100_is_mapped_and_back() -> None:
    s = detente.bundled("emission-1994")
    fc = detente.forecast(s, ["compromise"])
    issue = s.issues[0]
    lo, hi = fc.interval("compromise", issue.id, 0.9)  # type: ignore[misc]
    assert issue.min <= lo <= fc.value("compromise", issue.id) <= hi <= issue.max


def test_a_simulation_with_the_same_seed_gives_the_same_calibrated_intervals() -> None:
    s = detente.bundled("six-party-2004")
    one = simulate(s, ["compromise"], draws=200, rng=5, spread=0.1)
    two = simulate(s, ["compromise"], draws=200, rng=5, spread=0.1)
    a = one.summary(one.future_names[0], "compromise", "disarmament")["calibrated"]
    b = two.summary(two.future_names[0], "compromise", "disarmament")["calibrated"]
    assert a == b
    assert a is not None
    lo, hi = a["intervals"]["80"]
    draws_lo, draws_hi = one.summary(one.future_names[0], "compromise", "disarmament")[
        "interval_80"
    ]
    assert lo <= draws_lo
    assert draws_hi <= hi


def test_calibrated_band_probabilities_sum_to_one_and_match_the_distribution() -> None:
    s = detente.bundled("six-party-2004")
    sim = simulate(s, ["compromise"], draws=100, rng=2, spread=0.1)
    future = sim.future_names[0]
    bands = sim.summary(future, "compromise", "disarmament")["bands"]
    shares = [b["calibrated_probability"] for b in bands]
    assert sum(shares) == pytest.approx(1.0, abs=1e-9)
    found = sim.predictive(future, "compromise", "disarmament")
    assert found is not None
    last = bands[-1]
    assert shares[-1] == pytest.approx(found.probability(above=last["from"]))
    # the top band holds more than the draws say: the model's errors reach it
    assert last["probability"] == 0.0
    assert shares[-1] > 0.1


def test_shipped_model_error_reads_back_as_written() -> None:
    error = model_error("compromise")
    assert error is not None
    assert ModelError.from_json(json.loads(json.dumps(error.to_json()))) == error
    assert model_error("no-such-model") is None


# --- the commands -------------------------------------------------------------------------------


def test_forecast_prints_the_interval_its_source_and_a_question(cli, tmp_path) -> None:
    result = cli(
        "forecast", "six-party-2004", "-m", "compromise", "--question", "disarmament >= 75",
        "--no-store",
    )  # fmt: skip
    assert result.code == 0, result.err
    lo, hi = detente.forecast(detente.bundled("six-party-2004"), ["compromise"]).interval(
        "compromise", "disarmament"
    )  # type: ignore[misc]
    assert f"{lo:.0f} to {hi:.0f}" in result.out
    assert "80% of the 351 EU decisions of DEU III" in " ".join(result.out.split())
    assert "P(disarmament >= 75) by compromise:" in result.out


def test_forecast_says_not_learned_for_other_options(cli) -> None:
    result = cli(
        "forecast", "six-party-2004", "-m", "nash", "--option", "nash.utility=quadratic",
        "--no-store",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "not learned" in result.out
    assert "Not learned for nash" in " ".join(result.out.split())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--calibration", "--fit-calibration"], "not both"),
        (["--fit-calibration", "--json"], "without --json"),
        (["--calibration", "-m", "no-such-model"], "no error distribution is shipped"),
        (["--calibration", "--repeats", "0"], "--repeats"),
    ],
)
def test_calibration_commands_refuse_bad_input(cli, args: list[str], says: str) -> None:
    result = cli("backtest", "deu3", *args, "--no-store")
    assert result.code == 2
    assert says in result.err
    assert "Traceback" not in result.err


@pytest.mark.slow
def test_backtest_calibration_prints_the_coverage_table(cli) -> None:
    result = cli("backtest", "deu3", "--calibration", "--repeats", "2", "--no-store")
    assert result.code == 0, result.err
    text = " ".join(result.out.split())
    for heading in (
        "10-fold CV, mean of 2",
        "leave one wave out",
        "test half, fit on the dev half",
        "by spread of the actors' positions",
        "by procedure",
        "by wave",
        "by capability source",
    ):
        assert heading in text


@pytest.mark.slow
def test_the_shipped_parameters_are_what_fit_calibration_rebuilds() -> None:
    """The kernel widths chosen on the development half, the weights and the interval levels
    fitted on all decisions: rebuilt from the bundled data, they are the shipped ones (weights to
    1e-9: a different BLAS may sum in another order)."""
    data = load_deu3()
    doc = shipped()
    models = [entry["model"] for entry in doc["models"]]
    forecasts, options = me.forecasts_of(data, models)
    for entry in doc["models"]:
        rows = me.decisions(data, forecasts, entry["model"])
        widths, _ = me.choose_widths(rows)
        rebuilt = me.fit(rows, *widths)
        shipped_error = ModelError.from_json(entry)
        assert (rebuilt.forecast_width, rebuilt.position_width) == (
            shipped_error.forecast_width,
            shipped_error.position_width,
        )
        assert rebuilt.weights == pytest.approx(shipped_error.weights, abs=1e-9)
        assert rebuilt.levels == shipped_error.levels
        assert rebuilt.spread_edges == pytest.approx(shipped_error.spread_edges)
        assert options.get(entry["model"], {}) == entry["options"]


@pytest.fixture(scope="module")
def small_deu3(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled DEU III cut to its header, its GDP row and the first 80 issues (same
    layout), so that the calibration commands run end to end in seconds."""
    source = resources.files("detente.backtest").joinpath("data/deu3.csv")
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path_factory.mktemp("deu3") / "small.csv"
    path.write_text("".join(lines[:82]), encoding="utf-8")
    return str(path)


def test_calibration_check_runs_end_to_end_on_a_small_file(cli, small_deu3: str) -> None:
    shown = cli("backtest", "deu3", "--calibration", "--data", small_deu3, "--repeats", "1")
    assert shown.code == 0, shown.err
    text = " ".join(shown.out.split())
    assert "10-fold CV, mean of 1" in text
    assert "leave one wave out: the decisions come from one wave" in text
    assert "by spread of the actors' positions" in text
    doc = json.loads(
        cli(
            "backtest", "deu3", "--calibration", "--data", small_deu3, "--repeats", "1", "--json"
        ).out
    )  # fmt: skip
    assert doc["schema"] == "detente.calibration-check/1"
    figures = doc["models"]["compromise"]["repeated"]["all"]
    assert 0.0 <= figures["cover50"] <= figures["cover80"] <= figures["cover90"] <= 1.0


def test_fit_calibration_writes_what_forecasts_read(cli, small_deu3: str, tmp_path) -> None:
    out = tmp_path / "fit"
    made = cli(
        "backtest", "deu3", "--fit-calibration", "--data", small_deu3, "-m", "compromise",
        "--repeats", "1", "--to", str(out),
    )  # fmt: skip
    assert made.code == 0, made.err
    doc = json.loads((out / "model_error.json").read_text(encoding="utf-8"))
    assert doc["schema"] == me.MODEL_ERROR_SCHEMA
    assert doc["data_sha256"] == load_deu3(small_deu3).sha256
    (entry,) = doc["models"]
    error = ModelError.from_json(entry)
    assert sum(error.weights) == pytest.approx(1.0)
    assert (error.forecast_width, error.position_width) in {
        (h1, h2) for h1 in me.FORECAST_WIDTHS for h2 in me.POSITION_WIDTHS
    }
    oof = pd.read_csv(io.BytesIO(gzip.decompress((out / "model_error_oof.csv.gz").read_bytes())))
    assert set(oof["model"]) == {"compromise"}
    assert (oof["lo80"] <= oof["hi80"]).all()
    assert len(oof) == 3 * doc["decisions"]


# --- found by the audit -------------------------------------------------------------------------


def test_a_probability_counts_the_mass_held_exactly_at_its_bound() -> None:
    fc = detente.forecast(detente.bundled("six-party-2004"), ["compromise", "eum"])
    compromise = fc.predictive("compromise", "disarmament")
    assert compromise is not None
    held_at_top = 1.0 - float(compromise.cdf[-2])  # the US at 100, and the kernel's spill
    assert held_at_top > 0.1
    assert compromise.probability(above=100.0) == pytest.approx(held_at_top, abs=1e-12)
    eum = fc.predictive("eum", "disarmament")
    assert eum is not None
    atom = eum.error.weights[0]  # eum's forecast part has width 0: an atom at its forecast, 55
    assert fc.value("eum", "disarmament") == pytest.approx(55.0)
    # the atom at 55 belongs to both "at least 55" and "at most 55"
    assert eum.probability(above=55.0) + eum.probability(below=55.0) >= 1.0 + 0.99 * atom
    assert eum.at_most(55.0) - eum.below(55.0) >= 0.99 * atom
    q = parse_question("disarmament > 55", fc.scenario)
    assert q.calibrated(eum) == pytest.approx(1.0 - eum.at_most(55.0))


def test_an_interval_level_outside_0_1_is_refused() -> None:
    fc = detente.forecast(detente.bundled("six-party-2004"), ["compromise"])
    for level in (80, 0.0, 1.0, float("nan")):
        with pytest.raises(ValueError, match="fraction between 0 and 1"):
            fc.interval("compromise", "disarmament", level)
    with pytest.raises(ValueError, match="finite"):
        fc.probability("compromise", "disarmament", above=float("nan"))


def test_forecast_questions_are_in_the_json(cli) -> None:
    result = cli(
        "forecast", "six-party-2004", "-m", "compromise", "-q", "disarmament >= 100",
        "--json", "--no-store",
    )  # fmt: skip
    assert result.code == 0, result.err
    (answer,) = json.loads(result.out)["questions"]
    fc = detente.forecast(detente.bundled("six-party-2004"), ["compromise"])
    assert answer == {
        "question": "disarmament >= 100",
        "model": "compromise",
        "calibrated_probability": fc.probability("compromise", "disarmament", above=100.0),
    }


def test_an_interval_on_a_0_1_scale_is_printed_with_its_decimals(cli, tmp_path) -> None:
    scenario = {
        "id": "unit",
        "issues": [{"id": "x", "min": 0, "max": 1}],
        "actors": [
            {"id": "a", "capability": 10, "position": {"x": 0.2}, "salience": {"x": 50}},
            {"id": "b", "capability": 30, "position": {"x": 0.55}, "salience": {"x": 50}},
            {"id": "c", "capability": 20, "position": {"x": 0.9}, "salience": {"x": 50}},
        ],
    }
    path = tmp_path / "unit.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    result = cli("forecast", str(path), "-m", "compromise", "--no-store")
    assert result.code == 0, result.err
    lo, hi = detente.forecast(detente.load(path), ["compromise"]).interval("compromise", "x")  # type: ignore[misc]
    assert f"{lo:.2f} to {hi:.2f}" in result.out


def test_calibration_refuses_the_flags_it_would_ignore(cli, tmp_path) -> None:
    result = cli(
        "backtest", "deu3", "--calibration", "-o", str(tmp_path / "c.md"),
        "--option", "nash.utility=quadratic",
    )  # fmt: skip
    assert result.code == 2
    assert "drop --output, --option" in result.err
    assert not (tmp_path / "c.md").exists()


def test_the_reliability_table_leaves_out_models_run_with_other_options() -> None:
    from detente.analysis import study
    from detente.report import build

    done = study(
        detente.bundled("six-party-2004"),
        ["compromise", "nash"],
        options={"nash": {"utility": "quadratic"}},
        draws=0,
        rng=1,
    )
    rows = build(done.to_json()).data["reliability"]["rows"]
    assert [row["model"] for row in rows] == ["compromise"]


def test_calibration_draws_its_reliability_diagram(cli, small_deu3: str, tmp_path) -> None:
    for name in ("reliability.svg", "reliability.png"):
        target = tmp_path / name
        made = cli(
            "backtest", "deu3", "--calibration", "--data", small_deu3, "--repeats", "1",
            "--chart", str(target),
        )  # fmt: skip
        assert made.code == 0, made.err
        data = target.read_bytes()
        assert data.startswith(b"<svg") if name.endswith(".svg") else data[:4] == b"\x89PNG"
    for args, says in (
        (["--chart", str(tmp_path / "r.svg")], "--chart draws the reliability diagram"),
        (["--calibration", "--chart", str(tmp_path / "r.pdf")], "an .svg or .png file"),
    ):
        refused = cli("backtest", "deu3", *args)
        assert refused.code == 2
        assert says in refused.err
