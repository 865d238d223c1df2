"""Dated rounds and the dynamics over time: hand-computed crisis incentives and settlement,
calendars with month ends and a leap day, P(settled by) as a count over stored draws."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

import detente
from detente.analysis import dynamics
from detente.analysis.dyads import round_views
from detente.errors import InputError, ScenarioError
from detente.models.eum import EumOptions
from detente.scenario.calendar import Calendar
from detente.simulate.timeline import futures

D = dt.date


def _two(**extra: object) -> detente.Scenario:
    """A (capability 3, position 0, salience 100) against B (2, 100, 50)."""
    return detente.Scenario.model_validate(
        {
            "id": "two",
            "issues": [{"id": "x"}],
            "actors": [
                {"id": "A", "capability": 3, "position": {"x": 0}, "salience": {"x": 100}},
                {"id": "B", "capability": 2, "position": {"x": 100}, "salience": {"x": 50}},
            ],
            **extra,
        }
    )


# --- a two-actor case by hand ------------------------------------------------------------------
#
# The EUM's default reading (paper-literal: eq. 31's P per pair with linear votes, Q = 1, each
# EU at its owner's exponent, range fixed at the first round's span, 100), from
# shared/reference/eum-spec.md §1.5-1.9. c s: A 3 x 1.0 = 3, B 2 x 0.5 = 1.
#
# P (eq. 31): Delta_A = |0 - 100| - |0 - 0| = 100 > 0, Delta_B = -100, so
#   P_AB = 3 x 100 / (3 x 100 + 1 x 100) = 3/4 and P_BA = 1/4, at any distance d between them.
# The median (c s weighted) is A's position, 0, every round (A holds 3/4 of the weight).
#
# Round 1, d = 1. Pass 1 (r = 1): U_s = 2, U_f = -2, U_sq = 0.
#   E_A(U_AB) = s_B [P U_s + (1-P) U_f] + (1 - s_B) U_s - U_sq = 0.5 (1.5 - 0.5) + 1 = 1.5
#   E_B(U_BA) = s_A [0.25 x 2 + 0.75 x (-2)] + 0 = -1
# Security: Sec_A = E_B = -1 (min), Sec_B = E_A = 1.5 (max): R_A = -1, r_A = 2; R_B = 1, r_B = 0.5.
# Pass 2: A at r = 2: U_s = 2 - 4 (0)^2 = 2, U_f = 2 - 4 (1)^2 = -2, U_sq = 2 - 4 (0.5)^2 = 1:
#   E_A = 0.5 (0.75 x 2 + 0.25 x (-2)) + 0.5 x 2 - 1 = 0.5                  (A's crisis incentive)
# B at r = 0.5: U_s = 2, U_f = -2, U_sq = 2 - 4 sqrt(0.5) = 2 - 2 sqrt(2):
#   E_B = 1 x (0.25 x 2 + 0.75 x (-2)) - (2 - 2 sqrt(2)) = 2 sqrt(2) - 3 = -0.171573 (no target)
# Objective dyad: 0.5 > 0 > -0.1716 and 0.5 > 0.1716: compromise, B moves |b/a| = 0.343146 of the
# way (eq. 35): x_B = 100 - 34.3146 = 65.685425. Deviation from the median 0: 65.685425.
# A's own view (r = 2) of B's EU: 0.25 x 2 + 0.75 x (-2) - 1 = -2, so A sees (0.5, -2):
#   |b| > |a|, B capitulates; B's own view (r = 0.5) of A's EU: 0.5 (1.5 - 0.5) + 1 + 2 sqrt(2) - 2
#   = 2.328427, so B sees (-0.1716, 2.3284): compromise, B gives way. Different regions: one
#   misperceived pair; no conflict (not both EUs positive).
#
# Round 2, d = 0.656854. Pass 1: U_s = 2d, U_f = -2d: E_A = 1.5 d > 0 > E_B = -d, so again
# r_A = 2, r_B = 0.5. Pass 2:
#   E_A = 0.875 (2 - (1-d)^2) + 0.125 (2 - (1+d)^2) - 1 = 1.5 d - d^2 = 0.985281 - 0.431457
#       = 0.553824
#   E_B = 0.25 (2 - 4 sqrt(0.5 (1-d))) + 0.75 (2 - 4 sqrt(0.5 (1+d))) - (2 - 4 sqrt(0.5))
#       = sqrt(0.5) (4 - sqrt(1-d) - 3 sqrt(1+d)) = 0.707107 (4 - 0.585786 - 3.861565) = -0.316326
#   B moves |b/a| = 0.571166 of its distance: x_B = 65.685425 x 0.428834 = 28.168115.
# Round 3, d = 0.281681: E_A = 0.422522 - 0.079344 = 0.343177;
#   E_B = 0.707107 (4 - 0.847537 - 3.396348) = -0.172448; B moves 0.502503: x_B = 14.013565.
# With a tolerance of 20 the run is first settled at round 3 (deviations 65.7, 28.2, 14.0).


def test_two_actors_crisis_incentive_and_settlement_round_by_hand() -> None:
    d = dynamics(_two(), draws=0, tolerance=20, by=[2, 3], options=EumOptions(rounds=3))
    rounds = d.rounds()
    assert [r["round"] for r in rounds] == [1, 2, 3]
    a = [next(x for x in r["actors"] if x["actor"] == "A") for r in rounds]
    b = [next(x for x in r["actors"] if x["actor"] == "B") for r in rounds]
    assert [x["incentive"] for x in a] == pytest.approx([0.5, 0.553824, 0.343177], abs=2e-6)
    assert [x["target"] for x in a] == ["B", "B", "B"]
    assert [x["incentive"] for x in b] == pytest.approx(
        [2 * math.sqrt(2) - 3, -0.316326, -0.172448], abs=5e-6
    )
    assert [x["target"] for x in b] == [None, None, None]
    assert [r["deviation"] for r in rounds] == pytest.approx(
        [65.685425, 28.168115, 14.013565], abs=1e-5
    )
    assert [r["settled"] for r in rounds] == [False, False, True]
    assert [r["misperceived"] for r in rounds] == [1, 1, 1]
    assert [r["conflicts"] for r in rounds] == [0, 0, 0]
    assert [x["conflicts"] for x in a] == [0, 0, 0]
    by = d.to_json()["futures"][0]["settled_by"]
    assert [(x["by"], x["settled"]) for x in by] == [(2, False), (3, True)]
    assert d.settled_by(None, 3).settled
    assert not d.settled_by(None, 2).settled


def test_a_conflict_counts_for_both_sides_with_its_weight() -> None:
    # Scale the same two actors to salience 50 each: c s = A 1.5, B 1; P_AB = 0.6, P_BA = 0.4.
    # Pass 1 (d = 1): E_A = 0.5 x 2 (2 x 0.6 - 1) + 1 = 1.2, E_B = 0.5 x 2 (2 x 0.4 - 1) + 1 = 0.8;
    # Sec_A = 0.8 (min): r_A = 2; r_B = 0.5. Pass 2: E_A = 0.5 (0.6 x 2 + 0.4 x (-2)) + 1 - 1 = 0.2;
    # E_B = 0.5 (0.4 x 2 + 0.6 x (-2)) + 1 - (2 - 2 sqrt 2) = -0.2 - 1 + 2.828427 = 1.628427.
    # Both positive: an expected conflict. A's weight is B's share of c s: 1 / 2.5 = 0.4; B's 0.6.
    s = _two().model_dump(mode="json")
    s["actors"][0]["salience"] = {"x": 50}
    d = dynamics(detente.Scenario.model_validate(s), draws=0, options=EumOptions(rounds=1))
    (r,) = d.rounds()
    assert r["conflicts"] == 1
    found = {x["actor"]: x for x in r["actors"]}
    assert found["A"]["incentive"] == pytest.approx(0.2)
    assert found["B"]["incentive"] == pytest.approx(2 * math.sqrt(2) - 1.2)
    assert (found["A"]["conflicts"], found["A"]["conflict_weight"]) == (1, pytest.approx(0.4))
    assert (found["B"]["conflicts"], found["B"]["conflict_weight"]) == (1, pytest.approx(0.6))


# --- calendars ---------------------------------------------------------------------------------


def test_round_dates_over_month_ends_and_a_leap_day() -> None:
    listed = Calendar(D(2023, 12, 31), None, (D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)))
    assert [listed.date(t) for t in range(5)] == [
        D(2023, 12, 31),
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 31),
        None,  # past the list: no date
    ]
    assert listed.round_at(D(2024, 2, 29)) == 2  # on a round's date: that round
    assert listed.round_at(D(2024, 3, 1)) == 3  # the day after: the next round
    assert listed.round_at(D(2024, 1, 1)) == 1
    assert listed.round_at(D(2024, 4, 1)) is None
    assert listed.last_round_by(D(2024, 2, 28)) == 1
    assert listed.last_round_by(D(2024, 2, 29)) == 2
    assert listed.last_round_by(D(2023, 12, 31)) == 0
    assert listed.last_round_by(D(2023, 12, 30)) is None
    # 29-day rounds from a month end in a leap year: Jan 31 + 29 = Feb 29, + 58 = Mar 29
    monthly = Calendar(D(2024, 1, 31), 29)
    assert [monthly.date(t) for t in range(4)] == [
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 29),
        D(2024, 4, 27),
    ]
    assert monthly.round_at(D(2024, 2, 29)) == 1
    assert monthly.round_at(D(2024, 3, 1)) == 2
    assert monthly.last_round_by(D(2024, 3, 28)) == 1
    # half days round down: 30.5-day rounds fall 30, 61, 91 days on (Mar 1, Apr 1, May 1)
    halves = Calendar(D(2024, 1, 31), 30.5)
    assert [halves.date(t) for t in (1, 2, 3)] == [D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1)]
    assert halves.round_at(D(2024, 3, 1)) == 1
    assert halves.round_at(D(2024, 3, 2)) == 2
    assert halves.last_round_by(D(2024, 3, 31)) == 1


def _dated(**calendar: object) -> detente.Scenario:
    return _two(
        as_of="2023-12-31",
        **calendar,
        timeline=[
            {"at": "2024-02-29", "name": "leap", "set": {"B.salience.x": 60}},
            {"at": "2024-03-01", "name": "after", "set": {"B.salience.x": 70}},
        ],
    )


def test_events_and_rounds_carry_the_calendar_everywhere() -> None:
    s = _dated(round_dates=["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"])
    (only,) = futures(s)
    assert [(c.event, c.round) for c in only.changes] == [("leap", 2), ("after", 3)]
    d = dynamics(s, draws=0, options=EumOptions(rounds=4))
    rounds = d.rounds()
    assert [(r["date"], r["events"]) for r in rounds] == [
        ("2024-01-31", []),
        ("2024-02-29", ["leap"]),
        ("2024-03-31", ["after"]),
        ("2024-04-30", []),
    ]
    events = d.to_json()["futures"][0]["events"]
    assert [(e["name"], e["at"], e["round"], e["date"]) for e in events] == [
        ("leap", "2024-02-29", 2, "2024-02-29"),
        ("after", "2024-03-01", 3, "2024-03-31"),
    ]
    frame = d.to_frame()
    assert sorted(frame["date"].dt.strftime("%Y-%m-%d").unique()) == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
    ]
    # by an event: the rounds before its round, dated on or before it (leap, at round 2 on its
    # own date: rounds 0-1, not round 2, whose moves are the event's; after: rounds 0-2)
    by = {b["event"]: (b["round"], b["date"]) for b in d.to_json()["futures"][0]["settled_by"]}
    assert by == {"leap": (1, "2024-01-31"), "after": (2, "2024-02-29")}
    # the forecast and the dyads carry the same dates
    fc = detente.forecast(s, ["eum"], options={"eum": {"rounds": 4}})
    doc = fc.to_json()["issues"][0]["forecasts"][0]
    assert [r.get("date") for r in doc["rounds"]] == [
        "2023-12-31",
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
    ]
    assert "date" in fc.to_frame().columns
    views = round_views(s, options=EumOptions(rounds=2))
    assert [rv.date for rv in views] == [D(2024, 1, 31), D(2024, 2, 29)]
    assert views[0].to_frame()["date"].iloc[0] == dt.datetime(2024, 1, 31)


def test_round_days_replaces_the_order_of_dates() -> None:
    s = _dated()
    assert [c.round for c in futures(s)[0].changes] == [1, 2]  # numbered: in date order
    dated = s.with_round_days(29)  # Jan 29 ... as_of 2023-12-31: rounds on Jan 29, Feb 27, Mar 27
    assert [dated.calendar.date(t) for t in (1, 2, 3)] == [
        D(2024, 1, 29),
        D(2024, 2, 27),
        D(2024, 3, 27),
    ]
    assert [c.round for c in futures(dated)[0].changes] == [3, 3]
    assert "round_days" not in s.model_dump()  # no calendar: the document (and hash) as before
    assert dated.model_dump(mode="json")["round_days"] == 29
    undated = detente.forecast(s, ["eum"]).to_json()["issues"][0]["forecasts"][0]["rounds"]
    assert all("date" not in r for r in undated)
    assert "date" not in detente.forecast(s, ["eum"]).to_frame().columns


@pytest.mark.parametrize(
    ("calendar", "where", "words"),
    [
        ({"round_days": 30, "as_of": None}, "round_days", "as_of"),
        ({"round_days": 30, "round_dates": ["2024-01-31"]}, "round_days", "not both"),
        ({"round_dates": ["2024-02-29", "2024-01-31"]}, "round_dates[1]", "increasing"),
        ({"round_dates": ["2023-12-01"]}, "round_dates[0]", "not after as_of"),
        ({"round_dates": ["2024-01-31"]}, "timeline[0].at", "after the last of round_dates"),
    ],
)
def test_a_bad_calendar_is_refused_with_its_place(
    calendar: dict[str, object], where: str, words: str
) -> None:
    data = _dated().model_dump(mode="json") | calendar
    with pytest.raises(ScenarioError) as err:
        detente.Scenario.model_validate(data)
    found = [p for p in err.value.problems if str(p).startswith(where)]
    assert found, [str(p) for p in err.value.problems]
    assert words in str(found[0])


def test_round_days_needs_as_of_and_dates_need_a_calendar() -> None:
    with pytest.raises(InputError, match="as_of"):
        _two().with_round_days(30)
    with pytest.raises(InputError, match="carry none"):
        dynamics(_two(), draws=0, by=[D(2024, 1, 1)])
    with pytest.raises(InputError, match="tolerance"):
        dynamics(_two(), draws=0, tolerance=-1)


# --- Monte Carlo -------------------------------------------------------------------------------


def test_p_settled_by_is_a_count_over_the_stored_draws(cli, tmp_path) -> None:
    s = _two().model_dump(mode="json")
    s["actors"][1]["uncertainty"] = {"salience.x": [20, 90], "capability": [1, 4]}
    path = str(tmp_path / "two-uncertain.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(s, f)
    out = cli(
        "dynamics", path, "--draws", "40", "--rng", "5", "--tolerance", "20", "--by", "2",
        "--rounds", "4", "--json",
    )  # fmt: skip
    assert out.code == 0, out.err
    doc = json.loads(out.out)
    from detente.store import RunStore

    stored = RunStore(readonly=True).get(doc["run_id"])
    assert stored.kind == "dynamics"
    (future,) = stored.document["futures"]
    first = future["first_settled"]
    assert len(first) == 40
    (by,) = future["settled_by"]
    count = sum(1 for t in first if t is not None and t <= 2)
    assert 0 < count < 40, "the draws must disagree for the test to mean anything"
    assert (by["count"], by["draws"]) == (count, 40)
    assert by["p"] == count / 40
    assert by["se"] == pytest.approx(math.sqrt(count / 40 * (1 - count / 40) / 40))
    # each round's share settled by then is the same count
    for r in future["rounds"]:
        assert r["p_settled_by"] == sum(1 for t in first if t is not None and t <= r["round"]) / 40
    # the same seed gives the same draws
    again = json.loads(
        cli(
            "dynamics",
            path,
            "--draws",
            "40",
            "--rng",
            "5",
            "--tolerance",
            "20",
            "--by",
            "2",
            "--rounds",
            "4",
            "--json",
            "--no-store",
        ).out
    )
    assert again["futures"][0]["first_settled"] == first


def test_the_command_prints_dates_and_refuses_bad_input(cli) -> None:
    out = cli("dynamics", "six-party-2004", "--round-days", "30", "--draws", "0", "--no-store")
    assert out.code == 0, out.err
    assert "6 (2004-11-06)" in out.out
    assert "P(settled by 2004-11-02 (US presidential election))" in out.out
    bad = cli("dynamics", "six-party-2004", "--by", "November", "--draws", "0")
    assert bad.code == 2
    assert "--by 'November'" in bad.err
    # a digit that is not a decimal digit (str.isdigit says yes, int() says no)
    squared = cli("dynamics", "six-party-2004", "--by", "²", "--draws", "0")
    assert squared.code == 2
    assert "--by '²' is neither a date" in squared.err
    undated = cli("dynamics", "six-party-2004", "--by", "2004-11-02", "--draws", "0")
    assert undated.code == 2
    assert "carry none" in undated.err


def test_the_frame_and_the_notebook_view() -> None:
    d = dynamics(_dated(round_days=31), draws=3, rng=1, options=EumOptions(rounds=2))
    frame = d.to_frame()
    assert list(frame.columns) == [
        "future",
        "round",
        "date",
        "actor",
        "target",
        "quantity",
        "value",
    ]
    incentive = frame[(frame.quantity == "incentive") & (frame.actor == "A")]
    assert list(incentive["round"]) == [1, 2]
    assert set(frame.quantity) >= {"p_settled_by", "p_misperceived", "conflict_weight_mean"}
    html = d._repr_html_()
    assert "2024-01-31" in html
    # names from the scenario are text, never markup
    data = _dated(round_days=31).model_dump(mode="json")
    data["timeline"][0]["name"] = "<script>leap</script>"
    shown = dynamics(
        detente.Scenario.model_validate(data), draws=0, options=EumOptions(rounds=2)
    )._repr_html_()
    assert "&lt;script&gt;leap&lt;/script&gt;" in shown
    assert "<script" not in shown


# --- the report's charts over time -------------------------------------------------------------


def test_the_report_draws_the_series_on_a_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    from chart_checks import assert_labels_apart
    from detente.analysis import study
    from detente.report import build
    from detente.report.layout import style
    from detente.report.render import render_html

    monkeypatch.setattr("detente.report.compose.load_accuracy", lambda: None)
    s = detente.bundled("six-party-2004").with_round_days(30)
    doc = study(s, ["eum"], draws=4, rng=1).to_json()
    stored = doc["issues"][0]["dynamics"]
    assert stored["calendar"]["round_days"] == 30
    report = build(doc)
    names = [n for n in report.charts if n.split("-")[0] in ("incentives", "risks", "instability")]
    assert names == ["incentives-disarmament", "risks-disarmament", "instability-disarmament"]
    with style():
        for name in names:
            fig = report.charts[name].figure
            assert_labels_apart(name, fig)
            # the election is marked in every panel, at its date
            for ax in fig.axes:
                marked = [t.get_text() for t in ax.texts]
                assert "US presidential election" in marked
    assert (
        "Round 0 is 2004-05-10, round 10 2005-03-06."
        in report.charts["rounds-eum-disarmament"].caption
    )
    html = render_html(report)
    assert "2004-11-06" in html  # round 6's date in the tables
    p = stored["futures"][0]["settled_by"][0]
    assert f"{p['count']} of {p['draws']} draws" in html


# --- review fixes ------------------------------------------------------------------------------


def test_a_by_date_past_the_last_round_counts_only_the_rounds_run() -> None:
    # 31-day rounds from 2023-12-31, 2 rounds run: round 2 is 2024-03-02; 2030-01-01 would be
    # round 70 of the calendar, but only rounds 0-2 exist to be counted.
    d = dynamics(
        _dated(round_days=31), draws=3, rng=1, by=[D(2030, 1, 1), 50], options=EumOptions(rounds=2)
    )
    late, far = d.futures[0].settled_by[-2:]
    assert (late.round, late.date) == (2, D(2024, 3, 2))
    assert (far.round, far.date) == (2, D(2024, 3, 2))


def test_settled_by_an_event_on_a_round_date_stops_before_the_events_round() -> None:
    # 30-day rounds from 2023-12-31: round 2 falls on 2024-02-29, the day of the event "leap",
    # which happens at round 2 (its moves are the event's). Settled by the event counts rounds
    # 0-1 (round 1: 2024-01-30), as by an event of numbered rounds; a date asked for counts
    # every round dated on or before it, round 2 included.
    d = dynamics(
        _dated(round_days=30), draws=2, rng=1, by=[D(2024, 2, 29)], options=EumOptions(rounds=3)
    )
    (future,) = d.futures
    assert [(e["name"], e["round"]) for e in future.events] == [("leap", 2), ("after", 3)]
    found = {(b.by, b.event): (b.round, b.date) for b in future.settled_by}
    assert found[(D(2024, 2, 29), "leap")] == (1, D(2024, 1, 30))
    assert found[(D(2024, 3, 1), "after")] == (2, D(2024, 2, 29))
    assert found[(D(2024, 2, 29), None)] == (2, D(2024, 2, 29))


def test_the_report_takes_round_dates_that_end_before_the_rounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # three round dates, ten EUM rounds: rounds 4-10 have no date, so the charts over time
    # count rounds (the election, dated, is marked before its round, 3)
    from detente.analysis import study
    from detente.report import build
    from detente.report.render import render_html

    monkeypatch.setattr("detente.report.compose.load_accuracy", lambda: None)
    data = detente.bundled("six-party-2004").model_dump(mode="json")
    data["round_dates"] = ["2004-06-30", "2004-08-31", "2004-11-30"]
    s = detente.Scenario.model_validate(data)
    doc = study(s, ["eum"], draws=2, rng=1).to_json()
    rounds = doc["issues"][0]["dynamics"]["futures"][0]["rounds"]
    assert [r["date"] for r in rounds[2:4]] == ["2004-11-30", None]
    report = build(doc)
    fig = report.charts["incentives-disarmament"].figure
    for ax in fig.axes:
        assert "US presidential election" in [t.get_text() for t in ax.texts]
        assert ax.get_xlim()[1] >= 10
    assert "2004-11-30" in render_html(report)


def test_an_event_given_by_round_is_marked_on_a_calendar_axis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the election given as round 3 of 30-day rounds from 2004-05-10: marked at round 3's date
    from detente.analysis import study
    from detente.report import build

    monkeypatch.setattr("detente.report.compose.load_accuracy", lambda: None)
    data = detente.bundled("six-party-2004").model_dump(mode="json")
    data["timeline"][0]["at"] = 3
    s = detente.Scenario.model_validate(data).with_round_days(30)
    report = build(study(s, ["eum"], draws=0, rng=1).to_json())
    fig = report.charts["incentives-disarmament"].figure
    for ax in fig.axes:
        assert "US presidential election" in [t.get_text() for t in ax.texts]


def test_fractional_round_days_count_whole_days_without_float_error() -> None:
    # round 100 of 4.35-day rounds is 435 days on (in floats 100 x 4.35 = 434.99999999999994)
    cal = Calendar(D(2024, 1, 1), 4.35)
    assert cal.date(100) == D(2024, 1, 1) + dt.timedelta(days=435)
    assert cal.round_at(D(2024, 1, 1) + dt.timedelta(days=435)) == 100
    assert cal.last_round_by(D(2024, 1, 1) + dt.timedelta(days=434)) == 99


def test_rounds_past_the_last_calendar_date_have_no_date(cli) -> None:
    # 36525-day rounds from 2004-05-10 (2,920,348 days to 9999-12-31): round 79 is 2,885,475
    # days on, 9904-07-09 (7900 Julian years; the Gregorian calendar drops 60 leap days of
    # them, so 2 months later than 05-10); round 80, 2,922,000 days on, is past the last date
    cal = Calendar(D(2004, 5, 10), 36525)
    assert cal.date(79) == D(9904, 7, 9)
    assert cal.date(80) is None
    out = cli(
        "dynamics", "six-party-2004", "--round-days", "36525", "--rounds", "100", "--draws", "0",
        "--no-store",
    )  # fmt: skip
    assert out.code == 0, out.err
    assert "79 (9904-07-09)" in out.out


def test_a_report_of_zero_rounds_renders() -> None:
    # --rounds 0: the dynamics have no round to draw; the report must still be written
    from detente.analysis import study
    from detente.report import build
    from detente.report.render import render_html

    s = detente.bundled("six-party-2004").with_round_days(30)
    doc = study(s, ["eum"], draws=2, rng=1, options={"eum": {"rounds": 0}}).to_json()
    assert doc["issues"][0]["dynamics"]["futures"][0]["rounds"] == []
    assert "Key judgments" in render_html(build(doc))
