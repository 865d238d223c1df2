"""The report that briefs: key judgments first, each number as the stored run has it; user
strings escaped; chart files readable by others; a report of many actors that stays small."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.analysis import study
from detente.report import Chart, Report, build, write_pngs
from detente.report.render import render_html
from detente.store import RunStore

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = Path(__file__).parent / "snapshots" / "key-judgments-six-party-2004.txt"
ACCURACY = ROOT / "src" / "detente" / "backtest" / "data" / "accuracy.json"
MODEL_ERROR = ROOT / "src" / "detente" / "calibration" / "data" / "model_error.json"


class _Judgments(HTMLParser):
    """The key-judgments section: its title, and per issue the (class, heading, text) rows."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside section#key-judgments
        self.rows: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.cell: str | None = None
        self.heading = ""
        self.key = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "section" and named.get("id") == "key-judgments":
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "section":
            self.depth += 1
        self.tags.append(tag)
        if tag in ("dt", "dd"):
            self.cell, self.key = "", named.get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "section":
            self.depth -= 1
        if tag == "dt" and self.cell is not None:
            self.heading, self.cell = self.cell, None
        elif tag == "dd" and self.cell is not None:
            self.rows.append((self.key, self.heading, " ".join(self.cell.split())))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell += data


def judgments(html: str) -> dict[str, str]:
    """The key judgments of a one-issue report: row key -> its text."""
    parser = _Judgments()
    parser.feed(html)
    return {key.removeprefix("kj-"): text for key, _heading, text in parser.rows}


def _outline(html: str) -> str:
    parser = _Judgments()
    parser.feed(html)
    tags = sorted(set(parser.tags))
    rows = [f"{key}: {heading}" for key, heading, _text in parser.rows]
    return "\n".join([f"tags: {', '.join(tags)}", *rows]) + "\n"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """``detente report six-party-2004 --round-days 30`` run as a user runs it, and its run read
    back from the store: the page and the stored study document."""
    folder = tmp_path_factory.mktemp("brief")
    target = folder / "six-party.html"
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "detente", "report", "six-party-2004", "--draws", "20",
         "--rng", "1", "--round-days", "30", "-o", str(target)],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_id = re.search(r"for run (\S+)", done.stderr)
    assert run_id is not None, done.stderr
    document = RunStore(readonly=True).get(run_id.group(1)).document
    return target.read_text(encoding="utf-8"), dict(document)


def test_key_judgments_structure_matches_the_snapshot(stored: tuple[str, dict[str, Any]]) -> None:
    got = _outline(stored[0])
    if os.environ.get("DETENTE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(got, encoding="utf-8")
    assert got == SNAPSHOT.read_text(encoding="utf-8"), (
        "the key judgments' structure changed; if on purpose, rerun with DETENTE_UPDATE_SNAPSHOTS=1"
    )


def _f(value: float) -> str:
    return f"{value:.1f}"


def test_every_number_of_the_key_judgments_is_the_stored_runs(
    stored: tuple[str, dict[str, Any]],
) -> None:
    html, doc = stored
    rows = judgments(html)
    issue = doc["issues"][0]
    forecasts = {e["model"]: e for e in doc["forecast"]["issues"][0]["forecasts"]}
    accuracy = json.loads(ACCURACY.read_text(encoding="utf-8"))
    mae = {m["model"]: m for m in accuracy["models"]}
    # the headline: the model run with the lowest DEU III error the package ships
    head = min((m for m in forecasts if m in mae), key=lambda m: mae[m]["mae"])
    assert head == "compromise"
    entry = forecasts[head]
    lo, hi = entry["calibrated"]["intervals"]["80"]
    assert rows["forecast"].startswith(f"“{entry['label']}” ({_f(entry['value'])} on 0–100; ")
    assert f"calibrated 80% interval {_f(lo)}–{_f(hi)}), by {head}," in rows["forecast"]
    # weighted over the branches, with the stored probabilities
    combined = issue["combined"]["models"][head]
    clo, chi = combined["interval_80"]
    assert (
        f"({_f(combined['point'])}; calibrated 80% interval {_f(clo)}–{_f(chi)})"
        in (rows["combined"])
    )
    shares = ", ".join(
        f"{f['name']} {100 * f['probability']:.0f}%" for f in doc["simulation"]["futures"]
    )
    assert shares == "bush-reelected 50%, kerry-wins 50%"
    assert f"({shares})" in rows["combined"]
    # the models disagree: the lowest and the highest, and their DEU III errors
    low = min(forecasts.values(), key=lambda e: e["value"])
    high = max(forecasts.values(), key=lambda e: e["value"])
    assert f"from {low['model']} at {_f(low['value'])} to {high['model']} at " in rows["disagree"]
    assert f"{_f(high['value'])}." in rows["disagree"]
    better, worse = sorted((low["model"], high["model"]), key=lambda m: mae[m]["mae"])
    assert (
        f"On DEU III {better} has the better record of the two (mean absolute error "
        f"{_f(mae[better]['mae'])} against {_f(mae[worse]['mae'])})"
    ) in rows["disagree"]
    labels = {e["label"] for e in forecasts.values()}
    assert f"nearest to {len(labels)} different points" in rows["disagree"]
    # the main risk, under the first of the equally likely futures
    names = {a["id"]: a["name"] for a in doc["scenario"]["copy"]["actors"]}
    future = issue["dyads"]["futures"][0]
    dated = issue.get("dynamics")  # the dated dynamics, where the study has them, come first
    if dated:
        marks = dated["futures"][0]["highlights"]
        top, when = marks["incentive"], f"round {marks['incentive']['round']}"
        when += f", {top['date']}" if top["date"] else ""
    else:
        top, when = max(future["incentives"], key=lambda c: c["gain"]), "round 1"
    assert rows["risk"].startswith(
        f"{names[top['actor']]} has the largest crisis incentive (expected gain "
        f"{top['gain']:.2f} from challenging {names[top['target']]}, {when})"
    )
    if dated:
        wrong = dated["futures"][0]["highlights"]["miscalculation"]
        assert f"between {names[wrong['i']]} and {names[wrong['j']]}, who see" in rows["risk"]
        assert f"(probability {100 * wrong['p']:.0f}% over the draws)" in rows["risk"]
        assert dated["calendar"]["round_days"] == 30
        for entry in dated["futures"][0]["settled_by"]:
            spread = (
                f"({entry['count']} of {entry['draws']} draws)"
                if entry["se"] == 0
                else f"± {100 * entry['se']:.0f}%"
            )
            assert f"{100 * entry['p']:.0f}% {spread}" in rows["settlement"]
    else:
        often = max(m["rounds"] for m in future["misperceptions"])
        pair = next(m for m in future["misperceptions"] if m["rounds"] == often)
        assert (
            f"between {names[pair['i']]} and {names[pair['j']]}, who see their dyad differently "
            f"in {often} of {future['rounds']} rounds, first round {pair['first']}"
        ) in rows["risk"]
    assert rows["risk"].endswith(f"Under {future['name']} (eum model).")
    # what would change it: the strongest lever, and the futures' forecasts
    advice = issue["advice"]
    lever = max(advice["levers"], key=lambda v: v["gain"])
    kind, amount, *rest = lever["change"].split(" ", 2)  # "salience -20", "moves +10 toward X"
    wanted = (
        f"to {'raise' if amount[0] == '+' else 'lower'} its salience by {amount[1:]}"
        if kind == "salience"
        else f"to move {amount.lstrip('+-')} toward {names[rest[0].split(' ', 1)[1]]}"
    )
    assert (
        f"persuading {names[lever['actor']]} {wanted} would move the eum forecast "
        f"from {_f(advice['forecast'])} to {_f(lever['forecast'])}, {_f(lever['gain'])} nearer "
        f"{names[advice['focal']]}"
    ) in rows["change"]
    points = {b["future"]: b["points"][head] for b in issue["branches"]}
    up, down = max(points, key=points.__getitem__), min(points, key=points.__getitem__)
    assert (
        f"{head} gives {_f(points[up])} under {up} and {_f(points[down])} under {down}"
    ) in rows["change"]
    # how far to trust it: the shipped figures, read from the package's files
    record = mae[head]
    assert (
        f"On {accuracy['n_issues']} DEU III test issues {head}'s forecasts fell "
        f"{_f(record['mae'])} points from the outcome on average (0–100), "
        f"{100 * record['within_10']:.0f}% within 10 points"
    ) in rows["trust"]
    errors = json.loads(MODEL_ERROR.read_text(encoding="utf-8"))
    held = next(m for m in errors["models"] if m["model"] == head)
    cover = held["evaluation"]["repeated"]["all"]["cover80"]
    assert (
        f"held {100 * cover:.0f}% of outcomes out of fold on {errors['decisions']} EU decisions"
    ) in rows["trust"]


def test_the_key_judgments_come_first(stored: tuple[str, dict[str, Any]]) -> None:
    html = stored[0]
    body = html[html.index("<body>") + len("<body>") :].lstrip()
    assert body.startswith('<section id="key-judgments"')
    assert html.index('id="key-judgments"') < html.index('id="header"')
    sections = re.findall(r'<section id="([^"]+)"', html)
    assert sections[0] == "key-judgments"
    assert sections[-1] == "methods", "the method notes come last"
    assert "coalitions" in sections


# --- user strings ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img onerror=alert(2) src=x>'


def test_user_strings_in_the_key_judgments_are_escaped() -> None:
    data = detente.bundled("six-party-2004").model_dump(mode="json")
    for n, actor in enumerate(data["actors"]):
        actor["name"] = f"{SCRIPT}{IMAGE}{n}"
    for issue in data["issues"]:
        issue["name"] = f"{IMAGE}{SCRIPT}"
        issue["scale"] = {k: f"{SCRIPT} {v}" for k, v in issue["scale"].items()}
    for group in data["groups"]:
        group["name"] = IMAGE
    from detente.scenario.model import Scenario

    scenario = Scenario.model_validate(data)
    html = render_html(build(study(scenario, ["compromise", "eum"], draws=5, rng=1).to_json()))
    rows = judgments(html)
    assert SCRIPT in rows["risk"], "the names are shown, as text"
    assert SCRIPT in rows["forecast"]
    assert "<img" not in html
    assert html.count("<script") == 1, "only the page's own script"
    start = html.index('<section id="key-judgments"')
    block = html[start : html.index("</section>", start)]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in block
    assert "&#34;&gt;&lt;img onerror=alert(2) src=x&gt;" in block


# --- chart files -------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_png_charts_get_the_mode_of_any_new_file(tmp_path: Path, mask: int) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.add_subplot().plot([0, 1], [0, 1])
    report = Report({}, {"line": Chart("line", "A line.", figure)})
    old = os.umask(mask)
    try:
        (written,) = write_pngs(report, tmp_path / "charts")
    finally:
        os.umask(old)
    assert written.name == "01-line.png"
    assert written.read_bytes().startswith(b"\x89PNG")
    assert written.stat().st_mode & 0o777 == 0o666 & ~mask  # 0644, 0640: not mkstemp's 0600


# --- many actors -------------------------------------------------------------------------------


def _many(n: int) -> detente.Scenario:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from load_yaml import scenario_data
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from detente.scenario import io

    return io.validate_data(scenario_data(n, 2), "generated")


@pytest.mark.slow
def test_a_report_of_200_actors_stays_small_and_readable() -> None:
    # the models whose sections grow with the actors: rounds and moves (eum), trades (exchange)
    models = ["compromise", "median", "eum", "exchange"]
    document = study(_many(200), models, draws=0, rng=1).to_json()
    start = time.perf_counter()
    report = build(document)
    html = render_html(report)
    seconds = time.perf_counter() - start
    size = len(html.encode("utf-8"))
    assert size < 5_000_000, f"{size / 1e6:.1f} MB"
    assert seconds < 60, f"{seconds:.0f} s to render"
    assert html.count('<dl class="kj"') == 2, "key judgments for each issue"
    assert judgments(html)["forecast"]
    # every actor is in the inputs table, folded away; the charts name the top 12 only
    table = re.search(
        r"<details><summary>Every actor&#39;s inputs \(200 actors\)</summary>"
        r'<table id="actor-table">(.*?)</table></details>',
        html,
        re.S,
    )
    assert table is not None
    assert table.group(1).count("<tr>") == 201  # the header and every actor
    assert len(report.data["legend"]) == 12
    assert report.data["unnamed"] == 188
    assert 'id="appendix-evidence"' in html
    # the moves: the largest 200 of each model's table
    assert all(len(d["moves"]) <= 200 for i in report.data["issues"] for d in i["dynamics"])
    # every actor's inputs also as a CSV download inside the page (no second file)
    link = re.search(r'<a class="csv-link" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    assert link is not None
    rows = base64.b64decode(link.group(1)).decode("utf-8-sig").splitlines()
    assert len(rows) == 201
    # actor 7 of the generator, by hand: capability 1 + (7 * 7919) % 1000 / 10 = 44.3 (range
    # half to double), positions (7 * 37 + 11k) % 101 = 57, 68, saliences 10 + (91 + 7k) % 91
    assert rows[8] == "A0007,Actor number 7,44.3,22.15 88.6,57,,10,,68,,17,"
    # the 188 unnamed actors of a rounds chart are one grey band, not 188 lines each
    rounds = report.charts["rounds-eum-issue-0"].figure.axes[0]
    assert len(rounds.collections) == 1
    assert len(rounds.lines) < 20


@pytest.mark.slow  # a study of 30 actors and a browser: about 10 s
def test_a_report_of_many_actors_in_chromium(tmp_path: Path) -> None:
    """Folded tables, the grey band and the CSV link pass axe-core, and the link downloads
    every actor's inputs offline."""
    from test_report import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    document = study(_many(30), ["compromise", "median", "eum"], draws=0, rng=1).to_json()
    page_file = tmp_path / "many.html"
    page_file.write_text(render_html(build(document)), encoding="utf-8")
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 900, "height": 1200})
            tab.on("request", lambda r: requests.append(r.url))
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(page_file.as_uri(), wait_until="load")
            with tab.expect_download() as found:
                tab.get_by_role("link", name="Download CSV").click()
            csv_text = Path(found.value.path()).read_text(encoding="utf-8-sig")
            name = found.value.suggested_filename
            tab.locator("summary", has_text="Every actor's inputs").click()
            shown = tab.locator("#actor-table").is_visible()
            tab.add_script_tag(path=str(ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"))
            violations = tab.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')))"
            )
        finally:
            browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert violations == []
    assert shown
    assert name == "load-benchmark-actors.csv"
    lines = csv_text.splitlines()
    assert len(lines) == 31
    assert lines[0].startswith("id,name,capability,capability_range,position.issue-0,")
    assert lines[1] == "A0000,Actor number 0,1,0.5 2,0,,10,,11,,17,"


def test_every_actors_inputs_as_a_csv_download() -> None:
    from detente.report.sections.inputs import actors_csv

    data = {
        "id": "csv",
        "issues": [{"id": "tax"}],
        "actors": [
            {
                "id": "a",
                "name": "Ünal, Kaya",
                "capability": 40,
                "position": {"tax": 12.5},
                "salience": {"tax": 80},
                "uncertainty": {"position.tax": [10, 12.5, 20]},
            },
            {
                "id": "b",
                "name": 'The "B" party',
                "capability": 60,
                "position": {"tax": 90},
                "salience": {"tax": 30},
            },
        ],
    }
    from detente.scenario import io

    uri = actors_csv(io.validate_data(data, "hand-made"))
    head, _, body = uri.partition(",")
    assert head == "data:text/csv;charset=utf-8;base64"
    assert base64.b64decode(body).decode("utf-8") == (
        "\ufeffid,name,capability,capability_range,position.tax,position_range.tax,"
        "salience.tax,salience_range.tax\r\n"
        'a,"Ünal, Kaya",40,,12.5,10 12.5 20,80,\r\n'
        'b,"The ""B"" party",60,,90,,30,\r\n'
    )


# --- the slots the dated dynamics fill ---------------------------------------------------------


def _dynamics_document() -> dict[str, Any]:
    """A ``detente.dynamics/1`` document as /work's interface gives it (hand-made numbers)."""

    def future(name: str, p: float, count: int) -> dict[str, Any]:
        return {
            "name": name,
            "probability": 0.5,
            "events": [],
            "rounds": [],
            "settled_by": [
                {
                    "by": "2004-11-02",
                    "event": "US presidential election",
                    "round": 5,
                    "date": "2004-10-07",
                    "settled": False,
                    "p": p,
                    "se": 0.025,
                    "count": count,
                    "draws": 200,
                },
            ],
            "first_settled": [],
            "highlights": {
                "incentive": {
                    "actor": "DPRK",
                    "target": "USA",
                    "gain": 14.2,
                    "round": 5,
                    "date": "2004-10-07",
                },
                "miscalculation": {
                    "i": "USA",
                    "j": "DPRK",
                    "p": 0.9,
                    "round": 2,
                    "date": "2004-07-09",
                },
            },
        }

    return {
        "schema": "detente.dynamics/1",
        "issue": "disarmament",
        "model": "eum",
        "draws": 200,
        "tolerance": 5.0,
        "calendar": {"as_of": "2004-05-10", "round_days": 30.0, "round_dates": None},
        "futures": [future("bush-reelected", 0.12, 24), future("kerry-wins", 0.3, 60)],
    }


def test_the_dated_dynamics_fill_settlement_and_the_dated_risks() -> None:
    from detente.report.accuracy import load_accuracy
    from detente.report.document import StudyView
    from detente.report.sections.judgments import key_judgments

    document = study(detente.bundled("six-party-2004"), ["compromise", "eum"], draws=0, rng=1)
    doc = document.to_json()
    issue = detente.bundled("six-party-2004").issues[0]
    before = {
        r["key"]: r["text"] for r in key_judgments(StudyView.of(doc), issue, None, None)["rows"]
    }
    assert "settlement" not in before, "rounds without dates: no settlement line"
    # undated, the risks are the dynamics' own (the largest incentive over every round)
    highlight = doc["issues"][0]["dynamics"]["futures"][0]["highlights"]["incentive"]
    assert f"round {highlight['round']})" in before["risk"]
    doc["issues"][0]["dynamics"] = _dynamics_document()
    rows = {
        r["key"]: r["text"]
        for r in key_judgments(StudyView.of(doc), issue, load_accuracy(), None)["rows"]
    }
    assert rows["settlement"] == (
        "Probability that every position has settled by 2004-11-02 (US presidential election): "
        "12% ± 2% under bush-reelected, 30% ± 2% under kerry-wins (the last round before it: "
        "round 5, 2004-10-07)."
    )
    assert rows["risk"].startswith(
        "North Korea has the largest crisis incentive (expected gain 14.20 from challenging "
        "United States, round 5, 2004-10-07); the most likely miscalculation is between United "
        "States and North Korea, who see their dyad differently (probability 90% over the "
        "draws), likeliest in round 2, 2004-07-09."
    )
    assert list(rows) == [
        "forecast", "combined", "disagree", "settlement", "risk", "change", "trust"
    ]  # fmt: skip


def test_one_answer_weighted_over_the_branches() -> None:
    import numpy as np

    from detente.analysis.combined import combined
    from detente.simulate import simulate

    branches = [
        {"future": "a", "probability": 0.25, "points": {"m": 10.0}},
        {"future": "b", "probability": 0.75, "points": {"m": 30.0}},
    ]
    found = combined("x", branches, None)
    assert found is not None
    assert found["models"]["m"]["point"] == pytest.approx(0.25 * 10 + 0.75 * 30)  # 25
    assert found["models"]["m"]["interval_80"] is None
    assert combined("x", branches[:1], None) is None, "one future: nothing to combine"
    # with draws: the median of every future's draws, each future weighing its probability
    s = detente.bundled("six-party-2004")
    sim = simulate(s, ["compromise"], draws=40, rng=3)
    rows = [
        {"future": f, "probability": p, "points": {"compromise": 0.0}}
        for f, p in zip(sim.future_names, (0.5, 0.5), strict=True)
    ]
    got = combined("disarmament", rows, sim)
    assert got is not None
    values = np.sort(np.concatenate([sim.outcome(f, "compromise", "disarmament") for f in
                                     sim.future_names]))  # fmt: skip
    # equal weights and equal draws: the lower median of the 80 values
    assert got["models"]["compromise"]["point"] == values[39]
    lo, hi = got["models"]["compromise"]["interval_80"]
    assert lo <= values[39] <= hi


def test_an_event_dated_before_as_of_has_no_round_to_settle_by() -> None:
    # an event before as_of happens at round 1, and no round (not even round 0, as_of) falls on
    # or before its date: the settlement line says so instead of failing the report
    from detente.report.document import StudyView
    from detente.report.sections.judgments import key_judgments
    from detente.scenario.model import Scenario

    data = detente.bundled("six-party-2004").model_dump(mode="json")
    data["timeline"][0]["at"] = "2004-03-01"
    scenario = Scenario.model_validate(data).with_round_days(30)
    doc = study(scenario, ["eum"], draws=0, rng=1).to_json()
    rows = {
        r["key"]: r["text"]
        for r in key_judgments(StudyView.of(doc), scenario.issues[0], None, None)["rows"]
    }
    assert rows["settlement"] == (
        "Probability that every position has settled by 2004-03-01 (US presidential election): "
        "not settled (no draws) under bush-reelected, not settled (no draws) under kerry-wins "
        "(no round falls on or before it)."
    )
    assert "round 1, 2004-06-09" in render_html(build(doc))


def test_branches_without_probabilities_are_weighed_equally_and_said_so() -> None:
    # the scenario states no probability for the election's branches: the combined answer
    # gives each an equal share, and the sentence must not call those shares the branches'
    from detente.report.document import StudyView
    from detente.report.sections.judgments import key_judgments
    from detente.scenario.model import Scenario

    data = detente.bundled("six-party-2004").model_dump(mode="json")
    for branch in data["timeline"][0]["branches"].values():
        branch.pop("probability", None)
    scenario = Scenario.model_validate(data)
    doc = study(scenario, ["compromise"], draws=0, rng=1).to_json()
    rows = {
        r["key"]: r["text"]
        for r in key_judgments(StudyView.of(doc), scenario.issues[0], None, None)["rows"]
    }
    assert rows["combined"].endswith(
        ": the mean, weighted equally over the futures (bush-reelected 50%, kerry-wins 50%): "
        "the scenario gives no probability to the branches of “US presidential election”."
    )
    stated = study(detente.bundled("six-party-2004"), ["compromise"], draws=0, rng=1).to_json()
    rows = {
        r["key"]: r["text"]
        for r in key_judgments(StudyView.of(stated), scenario.issues[0], None, None)["rows"]
    }
    assert rows["combined"].endswith(
        ": the mean, weighted by the branches' probabilities (bush-reelected 50%, kerry-wins 50%)."
    )


def test_a_lone_model_is_called_the_only_one_run() -> None:
    from detente.report.accuracy import load_accuracy
    from detente.report.document import StudyView
    from detente.report.sections.judgments import key_judgments

    s = detente.bundled("six-party-2004")
    doc = study(s, ["compromise"], draws=0, rng=1).to_json()
    rows = {
        r["key"]: r["text"]
        for r in key_judgments(StudyView.of(doc), s.issues[0], load_accuracy(), None)["rows"]
    }
    assert rows["forecast"].endswith(", by compromise, the only model run.")
    assert "disagree" not in rows


def test_models_far_apart_on_a_scale_without_labels_disagree() -> None:
    # no scale labels: every forecast's label is "", so labels cannot tell models apart; they
    # disagree when their forecasts lie more than a tenth of the scale apart
    from detente.report.sections.judgments import _disagreement
    from detente.scenario.model import Issue

    bare = Issue(id="x", min=0, max=100)
    far = [
        {"model": "a", "value": 52.3, "label": ""},
        {"model": "b", "value": 70.5, "label": ""},
        {"model": "c", "value": 60.0, "label": ""},
    ]
    accuracy = {"rows": [{"model": "a", "mae": 26.0}, {"model": "b", "mae": 30.4}]}
    assert _disagreement(far, "a", accuracy, bare) == (
        "Their forecasts lie 18.2 apart on a scale without labels (more than a tenth of its "
        "range), from a at 52.3 to b at 70.5. On DEU III a has the better record of the two "
        "(mean absolute error 26.0 against 30.4)."
    )
    near = [dict(e, value=v) for e, v in zip(far, (52.0, 61.0, 55.0), strict=True)]
    assert _disagreement(near, "a", accuracy, bare) is None


def test_dynamics_over_the_work_limit_are_left_out_not_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the dynamics' own bound on work (MAX_WORK model rounds) must leave the series out of a
    # study, with the reason, instead of failing the whole report after the forecast is made
    import importlib

    # the module (detente.analysis.dynamics is also the name of its function)
    dyn = importlib.import_module("detente.analysis.dynamics")
    monkeypatch.setattr(dyn, "MAX_WORK", 10)
    doc = study(detente.bundled("six-party-2004"), ["eum"], draws=2, rng=1).to_json()
    found = doc["issues"][0]
    assert found["dynamics"] is None
    assert "model rounds; at most 10" in found["dynamics_missing"]
    assert found["dyads"] is not None
    html = render_html(build(doc))
    assert "the dynamics over time were left out: 2 draws x 2 futures" in html


def test_settlement_in_every_draw_is_a_count_not_a_zero_error() -> None:
    from detente.report.sections.judgments import dated_dynamics, key_judgments

    found = _dynamics_document()
    for f in found["futures"]:
        f["settled_by"][0] |= {"p": 1.0, "se": 0.0, "count": 200}
    dated = dated_dynamics(found, None)
    assert dated is not None
    assert [(s.count, s.draws) for s in dated.settlement] == [(200, 200), (200, 200)]
    document = study(detente.bundled("six-party-2004"), ["compromise", "eum"], draws=0, rng=1)
    doc = document.to_json()
    doc["issues"][0]["dynamics"] = found
    from detente.report.document import StudyView

    issue = detente.bundled("six-party-2004").issues[0]
    rows = {
        r["key"]: r["text"] for r in key_judgments(StudyView.of(doc), issue, None, None)["rows"]
    }
    assert "100% (200 of 200 draws) under bush-reelected" in rows["settlement"]
    assert "±" not in rows["settlement"]
