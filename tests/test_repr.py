"""Notebook display (``_repr_html_``) and the analyses' tidy tables (``to_frame``).

The displays are parsed back into tables of text (entities decoded) and checked against the
objects' own accessors, never against the display code; every string from a scenario must come
out escaped.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest

import detente
from detente.analysis import advise, coalitions, study
from detente.analysis.dyads import dyad_map, misperceptions, round_views
from detente.backtest import Backtest
from detente.scenario import Scenario

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


class _Display(HTMLParser):
    """A display's tables (caption -> rows of cell text, header first) and paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.lines: list[str] = []
        self._rows: list[list[str]] = []
        self._caption: list[str] | None = None
        self._cell: list[str] | None = None
        self._line: list[str] | None = None
        self._count = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self._rows, self._count = [], self._count + 1
            self.tables[f"table {self._count}"] = self._rows
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "p":
            self._line = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables["".join(self._caption)] = self.tables.pop(f"table {self._count}")
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "p" and self._line is not None:
            self.lines.append("".join(self._line))
            self._line = None

    def handle_data(self, data: str) -> None:
        for buffer in (self._caption, self._cell, self._line):
            if buffer is not None:
                buffer.append(data)


def parse(html: str) -> _Display:
    display = _Display()
    display.feed(html)
    display.close()
    return display


def rows(display: _Display, caption: str) -> list[dict[str, str]]:
    """The table whose caption starts with ``caption``, as dicts by header."""
    (found,) = [t for name, t in display.tables.items() if name.startswith(caption)]
    header, *body = found
    return [dict(zip(header, row, strict=True)) for row in body]


def shown(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def band(bounds: tuple[float, float] | list[float] | None) -> str:
    return "not learned" if bounds is None else f"{shown(bounds[0])}-{shown(bounds[1])}"


@pytest.fixture(scope="module")
def six() -> Scenario:
    return detente.bundled("six-party-2004")


@pytest.fixture(scope="module")
def hostile() -> Scenario:
    """Names, labels, descriptions and notes that are markup (ids cannot be: their pattern)."""
    ids = ("A", "B", "C")
    return Scenario.model_validate(
        {
            "id": "hostile",
            "name": SCRIPT + IMG,
            "description": SCRIPT,
            "issues": [
                {
                    "id": "tax",
                    "name": IMG,
                    "description": SCRIPT,
                    "scale": {0: SCRIPT, 50: IMG, 100: f"<b>{IMG}</b>"},
                    "status_quo": 50,
                },
                {"id": "aid", "name": SCRIPT, "scale": {0: IMG, 100: SCRIPT}},
            ],
            "actors": [
                {
                    "id": a,
                    "name": (SCRIPT if n % 2 else IMG) + a,
                    "description": SCRIPT,
                    "capability": 1 + n,
                    "position": {"tax": 10 + 40 * n, "aid": 90 - 30 * n},
                    "salience": {"tax": 40 + 20 * n, "aid": 60},
                }
                for n, a in enumerate(ids)
            ],
            "groups": [{"id": "bloc", "name": SCRIPT, "description": IMG, "members": ["A", "B"]}],
        }
    )


def assert_escaped(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>" not in lowered
    assert "onerror=alert(1)>" not in lowered  # the attribute breakout's closing bracket


# --- Scenario ---------------------------------------------------------------------------------


def test_scenario_shows_issues_and_every_actors_inputs(six: Scenario) -> None:
    display = parse(six._repr_html_())
    (issue,) = rows(display, "Issues")
    scale = six.issues[0]
    assert issue["Issue"] == scale.id
    assert issue["Name"] == scale.name
    assert issue["Min"] == f"{scale.min:g} ({scale.scale[scale.min]})"
    assert issue["Max"] == f"{scale.max:g} ({scale.scale[scale.max]})"
    assert scale.status_quo is not None
    assert issue["Status quo"] == f"{scale.status_quo:g} ({scale.label(scale.status_quo)})"
    actors = rows(display, "Actors")
    assert len(actors) == len(six.actors)
    for row, actor in zip(actors, six.actors, strict=True):
        named = actor.label != actor.id
        assert row["Actor"] == (f"{actor.label} ({actor.id})" if named else actor.id)
        capability = float(row["Capability"].replace(",", ""))
        assert capability == pytest.approx(actor.capability, abs=0.05)
        assert float(row["disarmament position"]) == pytest.approx(
            actor.position["disarmament"], abs=0.05
        )
        assert float(row["disarmament salience"]) == pytest.approx(
            actor.salience["disarmament"], abs=0.05
        )
    assert six.as_of is not None
    assert display.lines[1] == f"6 actors, 1 issue, as of {six.as_of.isoformat()}"


def _crowd(n: int) -> Scenario:
    rng = np.random.default_rng(7)
    return Scenario.model_validate(
        {
            "id": "crowd",
            "issues": [{"id": "x"}, {"id": "y"}],
            "actors": [
                {
                    "id": f"a{k}",
                    "name": f"{SCRIPT} actor {k}",
                    "capability": float(rng.uniform(1, 100)),
                    "position": {"x": float(rng.uniform(0, 100)), "y": float(rng.uniform(0, 100))},
                    "salience": {"x": float(rng.uniform(1, 100)), "y": float(rng.uniform(1, 100))},
                }
                for k in range(n)
            ],
        }
    )


def test_a_scenario_of_200_actors_shows_its_12_weightiest() -> None:
    s = _crowd(200)
    html = s._repr_html_()
    assert len(html.encode()) < 50_000
    assert_escaped(html)
    display = parse(html)
    weight = {a.id: a.capability * (a.salience["x"] + a.salience["y"]) / 2 for a in s.actors}
    heaviest = sorted(weight, key=lambda a: -weight[a])[:12]
    listed = [row["Actor"].rsplit("(", 1)[1].rstrip(")") for row in rows(display, "Actors")]
    assert listed == heaviest
    assert "188 more actors" in display.lines


def test_a_scenario_of_12_actors_shows_them_all() -> None:
    s = _crowd(12)
    display = parse(s._repr_html_())
    assert len(rows(display, "Actors")) == 12
    assert not any("more actor" in line for line in display.lines)


# --- Forecast ---------------------------------------------------------------------------------


def test_forecast_shows_each_forecast_its_calibrated_interval_and_label(six: Scenario) -> None:
    fc = detente.forecast(six, ["compromise", "median", "eum"], rng=1)
    display = parse(fc._repr_html_())
    table = rows(display, "Forecasts")
    assert [(r["Issue"], r["Model"]) for r in table] == [
        ("disarmament", m) for m in ("compromise", "median", "eum")
    ]
    issue = six.issue("disarmament")
    for row in table:
        value = fc.value(row["Model"], row["Issue"])
        assert row["Forecast"] == shown(value)
        found = fc.interval(row["Model"], row["Issue"], 0.8)
        assert found is not None
        assert row["Calibrated 80%"] == band(found)
        assert row["Nearest label"] == issue.label(value)


def test_a_forecast_without_calibration_says_not_learned(six: Scenario) -> None:
    fc = detente.forecast(six, ["compromise"], calibrate=False)
    assert fc.interval("compromise", "disarmament") is None
    (row,) = rows(parse(fc._repr_html_()), "Forecasts")
    assert row["Calibrated 80%"] == "not learned"


def _thirty_issues() -> Scenario:
    issues = [f"i{k}" for k in range(30)]
    return Scenario.model_validate(
        {
            "issues": [{"id": i} for i in issues],
            "actors": [
                {
                    "id": a,
                    "capability": 1 + n,
                    "position": dict.fromkeys(issues, 30 * n),
                    "salience": dict.fromkeys(issues, 50),
                }
                for n, a in enumerate("ABC")
            ],
        }
    )


def test_a_forecast_of_many_issues_lists_60_rows_and_counts_the_rest() -> None:
    fc = detente.forecast(_thirty_issues(), ["compromise", "median", "nash"], calibrate=False)
    display = parse(fc._repr_html_())
    table = rows(display, "Forecasts")
    assert len(table) == 60
    assert [(r["Issue"], r["Model"]) for r in table[:4]] == [
        ("i0", "compromise"),
        ("i0", "median"),
        ("i0", "nash"),
        ("i1", "compromise"),
    ]
    assert "30 more rows: see to_frame()" in display.lines


# --- Simulation -------------------------------------------------------------------------------


def test_simulation_shows_draws_and_calibrated_intervals(six: Scenario) -> None:
    from detente.simulate import simulate

    sim = simulate(six, ["compromise", "eum"], draws=40, rng=3)
    table = rows(parse(sim._repr_html_()), "Outcomes")
    assert len(table) == len(sim.future_names) * 2
    for row in table:
        summary = sim.summary(row["Future"], row["Model"], row["Issue"])
        assert row["Median"] == shown(summary["median"])
        assert row["50% of draws"] == band(summary["interval_50"])
        assert row["80% of draws"] == band(summary["interval_80"])
        assert row["Calibrated 80%"] == band(summary["calibrated"]["intervals"]["80"])


def test_a_simulation_of_many_rows_lists_60_and_counts_the_rest() -> None:
    from detente.simulate import simulate

    sim = simulate(_thirty_issues(), ["compromise", "median", "nash"], draws=5, rng=1)
    display = parse(sim._repr_html_())
    assert len(rows(display, "Outcomes")) == 60
    assert "30 more rows: see to_frame()" in display.lines


# --- Backtest ---------------------------------------------------------------------------------


def test_backtest_shows_its_scores_table() -> None:
    frame = pd.DataFrame(
        [
            {"proposal": p, "issue": i, "code": f"{p}-{i}", "split": "dev", "procedure": "COD"}
            | {"wave": 1, "model": m, "forecast": f, "outcome": 50.0, "error": abs(f - 50.0)}
            for p, i, m, f in [
                (1, 1, "compromise", 55.0),
                (1, 2, "compromise", 20.0),
                (1, 1, "median-actor", 50.0),
                (1, 2, "median-actor", 62.5),
            ]
        ]
    )
    bt = Backtest(
        split="dev",
        capability="equal",
        models=("compromise",),
        options={},
        seed=0,
        n_boot=200,
        data_sha256="0" * 64,
        frame=frame,
    )
    scores = bt.scores().set_index("model")
    table = {row["model"]: row for row in rows(parse(bt._repr_html_()), "Scores")}
    assert set(table) == {"compromise", "median-actor"}
    for model, row in table.items():
        assert row["MAE"] == f"{scores.loc[model, 'mae']:.2f}"
        assert row["RMSE"] == f"{scores.loc[model, 'rmse']:.2f}"
        assert int(row["issues"]) == scores.loc[model, "n"]


# --- Analyses ---------------------------------------------------------------------------------


def test_advice_frame_has_a_row_per_announcement_lever_and_sensitivity(six: Scenario) -> None:
    advice = advise(six, "USA")
    frame = advice.to_frame()
    assert list(frame.columns) == [
        "focal",
        "issue",
        "model",
        "kind",
        "actor",
        "change",
        "forecast",
        "effect",
    ]
    assert len(frame) == 1 + len(advice.levers) + len(advice.sensitivity)
    assert set(frame["focal"]) == {"USA"}
    (announce,) = frame[frame["kind"] == "announce"].itertuples()
    assert announce.forecast == advice.best_forecast
    assert announce.effect == pytest.approx(advice.announcement_gain)
    levers = frame[frame["kind"] == "lever"]
    assert list(zip(levers["actor"], levers["change"], levers["effect"], strict=True)) == [
        (v.actor, v.change, v.gain) for v in advice.levers
    ]
    probes = frame[frame["kind"] == "sensitivity"]
    assert list(zip(probes["actor"], probes["change"], probes["effect"], strict=True)) == [
        (v.actor, v.input, v.effect) for v in advice.sensitivity
    ]
    assert probes["forecast"].isna().all()


def test_advice_shows_helpful_levers_and_sensitivities(six: Scenario) -> None:
    advice = advise(six, "USA")
    display = parse(advice._repr_html_())
    helpful = [v for v in advice.levers if v.gain > 0]
    levers = rows(display, "Whom to persuade")
    assert len(levers) == min(8, len(helpful))
    for row, lever in zip(levers, helpful, strict=False):
        assert (row["Actor"], row["Change"]) == (lever.actor, lever.change)
        assert row["Gain"] == shown(lever.gain)
    sensitivity = rows(display, "Sensitivity")
    assert [r["Actor"] for r in sensitivity] == [v.actor for v in advice.sensitivity[:8]]


def test_round_views_frame_is_every_dyad_from_every_view(six: Scenario) -> None:
    rounds = round_views(six)
    first = rounds[0]
    frame = first.to_frame()
    n = len(first.actors)
    assert list(frame.columns) == [
        "round",
        "viewpoint",
        "i",
        "j",
        "eu_i",
        "eu_j",
        "region",
        "gives_way",
    ]
    assert len(frame) == (n + 1) * n * (n - 1)
    objective = frame[frame["viewpoint"].isna()]
    expected = dyad_map(first)
    assert len(objective) == len(expected)
    for row, d in zip(objective.itertuples(), expected, strict=True):
        assert (row.i, row.j, row.region) == (d.i, d.j, d.region)
        assert row.eu_i == d.eu_i
    usa = frame[frame["viewpoint"] == "USA"]
    assert list(usa["region"]) == [d.region for d in dyad_map(first, "USA")]
    series = pd.concat([rv.to_frame() for rv in rounds], ignore_index=True)
    assert sorted(set(series["round"])) == [rv.round for rv in rounds]


def test_round_views_show_each_pair_and_the_misperceived(six: Scenario) -> None:
    first = round_views(six)[0]
    display = parse(first._repr_html_())
    pairs = rows(display, "Each pair")
    n = len(first.actors)
    assert len(pairs) == n * (n - 1) // 2
    objective = {(d.i, d.j): d for d in dyad_map(first)}
    for row in pairs:
        d = objective[row["i"], row["j"]]
        assert float(row["EU i->j"]) == pytest.approx(d.eu_i, abs=5e-4)
        assert row["Region"] == d.region
    wrong = misperceptions(first)
    if wrong:
        assert len(rows(display, "Misperceived")) == len(wrong)


def test_coalitions_frames_and_display(six: Scenario) -> None:
    found = coalitions(six)
    frame = found.to_frame()
    assert list(frame.columns) == ["group", "declared", "member", "spread_start", "spread_end"]
    groups = [*found.converging, *found.declared]
    assert len(frame) == sum(len(g.members) for g in groups)
    allies = frame[frame["group"] == "allies"]
    assert list(allies["member"]) == list(six.groups[0].members)
    assert allies["declared"].all()
    assert not frame[frame["group"].str.startswith("converging-")]["declared"].any()
    leaving = found.leaving_frame()
    assert list(leaving.columns) == ["group", "member", "how", "model", "before", "after", "change"]
    assert len(leaving) == len(found.leaving)
    assert np.allclose(leaving["change"], [d.after - d.before for d in found.leaving])
    display = parse(found._repr_html_())
    assert [r["Group"] for r in rows(display, "Groups")] == [g.group for g in groups]
    table = rows(display, "If a member leaves")
    assert len(table) == len({(d.member, d.how) for d in found.leaving})
    by_row = {(r["Member"], r["How"]): r for r in table}
    for d in found.leaving:
        assert by_row[d.member, d.how][d.model] == shown(d.after - d.before)


def test_study_shows_the_forecast_and_first_cut(six: Scenario) -> None:
    result = study(six, ["compromise", "eum"], draws=0, rng=5)
    display = parse(result._repr_html_())
    forecasts = rows(display, "Forecasts")
    assert [r["Forecast"] for r in forecasts] == [
        shown(result.forecast.value(m, "disarmament")) for m in ("compromise", "eum")
    ]
    (cut,) = rows(display, "First cut")
    first = result.issues[0]["first_cut"]
    assert cut["Weighted median"] == shown(first["median"])
    assert cut["Weighted mean"] == shown(first["mean"])
    dyads = result.issues[0]["dyads"]
    assert cut["Dyads from"] == f"{dyads['viewpoint']} ({dyads['model']})"


# --- Escaping ---------------------------------------------------------------------------------


def _displays(s: Scenario) -> dict[str, str]:
    from detente.simulate import simulate

    return {
        "scenario": s._repr_html_(),
        "forecast": detente.forecast(s, ["compromise", "eum"], rng=1)._repr_html_(),
        "simulation": simulate(s, ["compromise"], draws=10, rng=1)._repr_html_(),
        "advice": advise(s, "A", issue="tax")._repr_html_(),
        "dyads": round_views(s, "tax")[0]._repr_html_(),
        "coalitions": coalitions(s, "tax")._repr_html_(),
        "study": study(s, ["compromise", "eum"], draws=5, rng=2)._repr_html_(),
    }


def test_every_user_string_is_escaped(hostile: Scenario) -> None:
    displays = _displays(hostile)
    for html in displays.values():
        assert_escaped(html)
    # the text survives, as text: decoded back, it reads as written
    scenario = parse(displays["scenario"])
    assert any(SCRIPT + IMG in line for line in scenario.lines)
    names = [r["Actor"] for r in rows(scenario, "Actors")]
    assert names == [f"{a.label} ({a.id})" for a in hostile.actors]
    (tax, aid) = rows(scenario, "Issues")
    assert (tax["Name"], aid["Name"]) == (IMG, SCRIPT)
    assert tax["Status quo"] == f"50 ({IMG})"
    labels = {r["Nearest label"] for r in rows(parse(displays["forecast"]), "Forecasts")}
    assert labels
    assert labels <= {SCRIPT, IMG, f"<b>{IMG}</b>"}


def test_every_helper_escapes_its_text() -> None:
    from detente import _html

    for markup in (SCRIPT, IMG):
        assert_escaped(_html.line(markup))
        assert_escaped(_html.line(markup, bold=True))
        assert_escaped(_html.block(markup, _html.line(markup)))
        assert_escaped(_html.table([markup], [[markup]], caption=markup))
    display = parse(_html.block(SCRIPT, _html.table([IMG], [[SCRIPT]], caption=IMG)))
    assert display.lines == [SCRIPT]
    assert display.tables == {IMG: [[IMG], [SCRIPT]]}


def test_cells_escape_quotes_and_show_missing_numbers_as_a_dash() -> None:
    from detente import _html

    assert "&quot;&gt;&lt;img" in _html.table(["h"], [[IMG]])
    display = parse(_html.table(["a", "b", "c"], [[float("nan"), None, 2.25]], digits=1))
    assert rows(display, "table") == [{"a": "-", "b": "-", "c": "2.2"}]
