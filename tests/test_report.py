"""The HTML report: same run, same bytes; its structure; its charts in a real browser."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

import detente
from chart_checks import assert_labels_apart
from detente.analysis import study
from detente.report import Report, build
from detente.report.accuracy import accuracy_table, load_accuracy
from detente.report.layout import lanes, spread
from detente.report.render import render_html

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
SNAPSHOT = Path(__file__).parent / "snapshots" / "report-six-party-2004.txt"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Chart kinds of a one-issue scenario with a timeline and the eum model.
SIX_PARTY_CHARTS = [
    "scale", "power", "forecasts", "rounds-eum", "incentives", "risks", "instability", "quad",
    "branches", "cohesion", "reliability",
]  # fmt: skip
SAMPLE_ACCURACY = {
    "schema": "detente.accuracy/1",
    "dataset": "DEU III",
    "split": "test",
    "capability": "equal",
    "n_issues": 175,
    "extra": "ignored",
    "models": [
        {"model": "eum", "mae": 27.25, "rmse": 33.5, "within_10": 0.3},
        {"model": "compromise", "mae": 23.6, "rmse": 30.1, "within_10": 0.35},
    ],
}


@pytest.fixture(scope="module")
def six_party(monkeypatch_module: pytest.MonkeyPatch) -> tuple[Report, str]:
    """The six-party 2004 report (20 draws, seed 1) with no accuracy figures bundled."""
    monkeypatch_module.setattr("detente.report.compose.load_accuracy", lambda: None)
    done = study(detente.bundled("six-party-2004"), draws=20, rng=1)
    report = build(done.to_json())
    return report, render_html(report)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


# --- same run, same bytes ----------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _newest_run_id(cli) -> str:
    import json

    listing = cli("runs", "list", "--json", "--limit", "1")
    return str(json.loads(listing.out)["runs"][0]["id"])


def test_a_stored_run_renders_the_same_bytes(cli, tmp_path: Path) -> None:
    first = tmp_path / "first.html"
    made = cli(
        "report", "six-party-2004", "--draws", "20", "--rng", "5", "-o", str(first),
        "--png", str(tmp_path / "png"),
    )  # fmt: skip
    assert made.code == 0, made.err
    run_id = _newest_run_id(cli)
    assert run_id in made.err
    again = tmp_path / "again.html"
    result = cli("report", run_id, "-o", str(again))
    assert result.code == 0, result.err
    assert first.read_bytes() == again.read_bytes()
    assert first.stat().st_mode & 0o044 == 0o044 & ~_umask(), "readable as any new file is"
    text = first.read_text(encoding="utf-8")
    assert run_id in text
    assert "20 draws per future" in text
    pngs = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert [re.sub(r"^\d\d-|(-disarmament)?\.png$", "", name) for name in pngs] == SIX_PARTY_CHARTS
    assert all((tmp_path / "png" / p).read_bytes().startswith(b"\x89PNG") for p in pngs)


def test_a_stored_forecast_reports_without_monte_carlo(cli, tmp_path: Path) -> None:
    assert cli("forecast", "emission-1994", "--json").code == 0
    run_id = _newest_run_id(cli)
    result = cli("report", run_id[:17], "-o", str(tmp_path / "r.html"), "--viewpoint", "greece")
    assert result.code == 0, result.err
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "no Monte Carlo draws" in text
    assert "none (a single forecast)" in text
    assert "Advice for Greece" in text  # the viewpoint chosen, not the most powerful actor


def test_any_stored_run_reports_even_smp_with_a_later_event(cli, tmp_path: Path) -> None:
    """smp takes events only before its first round; six-party-2004 has one at round 1. Its
    forecast (the base case) is reported, and the draws and futures, which follow the timeline,
    leave it out with the reason."""
    assert cli("forecast", "six-party-2004", "--model", "smp", "--model", "eum").code == 0
    run_id = _newest_run_id(cli)
    result = cli("report", run_id, "-o", str(tmp_path / "stored.html"))
    assert result.code == 0, result.err
    fresh = cli(
        "report", "six-party-2004", "--model", "smp", "--model", "eum", "--draws", "10",
        "-o", str(tmp_path / "fresh.html"),
    )  # fmt: skip
    assert fresh.code == 0, fresh.err
    assert "smp is left out of the Monte Carlo draws" in fresh.err
    text = (tmp_path / "fresh.html").read_text(encoding="utf-8")
    assert "smp is left out of the Monte Carlo draws" in text
    assert "smp: no draws (see the warning at the top)." in text  # its chart row has no bars
    assert "forecast-smp" in text or ">smp<" in text


def test_rebuilding_a_run_checks_the_stored_results(cli, tmp_path: Path) -> None:
    import datetime as dt

    from detente.store import RunStore, record_forecast

    fc = detente.forecast(detente.bundled("emission-1994"), ["median"])
    doc = fc.to_json()
    doc["issues"][0]["forecasts"][0]["value"] += 1.0  # as if another version had made it
    now = dt.datetime.now(dt.UTC)
    record = record_forecast(fc, started=now, finished=now)
    run_id = RunStore().save(replace(record, document=doc, detente_version="0.0.1"))
    result = cli("report", run_id, "-o", str(tmp_path / "r.html"))
    assert result.code == 0, result.err
    warning = next(line for line in result.err.splitlines() if line.startswith("warning:"))
    assert "0.0.1" in warning
    assert "median on delay: stored 8, rebuilt 7" in warning
    assert "0.0.1" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_report_computes_nothing(
    six_party: tuple[Report, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A study document renders with every model, analysis and simulation made to fail."""
    done = study(detente.bundled("six-party-2004"), draws=10, rng=2)
    document = done.to_json()

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report ran a computation")

    for module, name in (
        ("detente.models", "solve"),
        ("detente.models.runner", "solve"),
        ("detente.models.stopping", "run"),
        ("detente.forecasting", "forecast"),
        ("detente.simulate", "simulate"),
        ("detente.analysis.study", "study"),
        ("detente.analysis.dyads", "round_views"),
        ("detente.analysis.advice", "advise"),
    ):
        monkeypatch.setattr(sys.modules[module], name, forbidden)
    page = render_html(build(document))
    assert page == render_html(build(document))  # the same document, the same page
    assert "Advice for United States" in page


# --- bad input ---------------------------------------------------------------------------------


def test_an_unknown_run_is_a_clear_error(cli, tmp_path: Path) -> None:
    result = cli("report", "20990101T000000Z-abcdef", "-o", str(tmp_path / "x.html"))
    assert result.code == 2
    assert "20990101T000000Z-abcdef" in result.err
    assert "neither" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "x.html").exists()


def test_a_missing_folder_fails_before_running(cli, tmp_path: Path) -> None:
    before = cli("runs", "list", "--json").out
    result = cli("report", "six-party-2004", "-o", str(tmp_path / "no" / "r.html"))
    assert result.code == 2
    assert str(tmp_path / "no") in result.err
    assert cli("runs", "list", "--json").out == before  # nothing was run or kept


def test_an_unknown_viewpoint_fails_before_running(cli, tmp_path: Path) -> None:
    result = cli("report", "six-party-2004", "--viewpoint", "Mars", "-o", str(tmp_path / "r.html"))
    assert result.code == 2
    assert "no actor 'Mars'" in result.err


def test_options_of_a_new_run_are_refused_for_a_stored_run(cli, tmp_path: Path) -> None:
    assert cli("forecast", "emission-1994", "--json").code == 0
    result = cli("report", _newest_run_id(cli), "--rng", "3")
    assert result.code == 2
    assert "--rng" in result.err


def test_a_failed_report_leaves_the_old_file(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.html"
    target.write_text("old report", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> Report:
        raise detente.errors.InputError("the report could not be built")

    monkeypatch.setattr("detente.report.build", broken)
    result = cli("report", "emission-1994", "--draws", "0", "-o", str(target))
    assert result.code == 2
    assert target.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


# --- structure and contents --------------------------------------------------------------------


class _Outline(HTMLParser):
    """The page's skeleton: sections, headings, figures and tables, with ids and classes.

    Text is left out (numbers change with the models) except headings; runs of identical
    siblings (table rows, list items) are folded into one line marked ``*``.
    """

    KEEP: ClassVar[set[str]] = set(
        [
            "section",
            "header",
            "footer",
            "nav",
            "h1",
            "h2",
            "h3",
            "h4",
            "figure",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "svg",
            "figcaption",
            "dl",
            "ol",
            "li",
            "blockquote",
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[list[str]] = [[]]
        self.depth_in_svg = 0
        self.heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth_in_svg:
            self.depth_in_svg += 1
            return
        if tag == "svg":
            self.depth_in_svg = 1
        if tag not in self.KEEP:
            return
        named = dict(attrs)
        label = tag
        if named.get("id"):
            label += "#" + re.sub(r"-disarmament$", "-ISSUE", named["id"] or "")
        if named.get("class"):
            label += "." + ".".join((named["class"] or "").split())
        self.stack.append([label])
        if tag in {"h1", "h2", "h3", "h4"}:
            self.heading = ""

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading += data

    def handle_endtag(self, tag: str) -> None:
        if self.depth_in_svg:
            self.depth_in_svg -= 1
            if self.depth_in_svg:
                return
        if tag not in self.KEEP or len(self.stack) == 1:
            return
        node = self.stack.pop()
        if self.heading is not None and tag.startswith("h"):
            node[0] += f' "{" ".join(self.heading.split())}"'
            self.heading = None
        children = _fold(node[1:])
        self.stack[-1].append("\n".join([node[0], *("  " + c for c in children)]))


def _fold(children: list[str]) -> list[str]:
    out = []
    for child, group in itertools.groupby(children):
        n = len(list(group))
        lines = child.split("\n")
        out.append("\n".join([lines[0] + (" *" if n > 1 else ""), *lines[1:]]))
    return [line for block in out for line in block.split("\n")]


def outline(html: str) -> str:
    parser = _Outline()
    parser.feed(html)
    return "\n".join(_fold(parser.stack[0])) + "\n"


def test_the_structure_matches_the_snapshot(six_party: tuple[Report, str]) -> None:
    got = outline(six_party[1])
    if os.environ.get("DETENTE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(got, encoding="utf-8")
    assert got == SNAPSHOT.read_text(encoding="utf-8"), (
        "the report's structure changed; if on purpose, rerun with DETENTE_UPDATE_SNAPSHOTS=1"
    )


def test_the_page_is_self_contained(six_party: tuple[Report, str]) -> None:
    html = six_party[1]
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html), "only in-page links"
    assert "url(http" not in html
    assert "@import" not in html
    # one inline script (the charts' "Download SVG"), loading nothing
    assert re.findall(r"<script[^>]*>", html) == ["<script>"]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "every id once, charts included"


def test_every_section_has_its_contents(six_party: tuple[Report, str]) -> None:
    report, html = six_party
    assert [name.removesuffix("-disarmament") for name in report.charts] == SIX_PARTY_CHARTS
    for text in (
        "Six-party talks, May 2004",
        "Jon Wolfsthal",  # sources
        "standing allied position",  # an evidence quote
        "reward for freeze",  # a scale label
        "kerry-wins",  # a branch
        "Miscalculation risk",
        "Crisis incentives",
        "Advice for United States",  # the default viewpoint: most capability x salience
        "What the forecast hangs on",
        "Bueno de Mesquita",  # a model's reference, from the registry
        "No accuracy figures are bundled",
    ):
        assert text in html, text
    # every move of the expected utility model has its reason
    moves = sum(len(state.moves) for state in detente.forecast(
        detente.bundled("six-party-2004"), ["eum"]).run("eum").rounds[0])  # fmt: skip
    assert html.count("EU of challenging") >= 2 * moves > 0


def test_accuracy_figures_come_from_the_package(
    six_party: tuple[Report, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = accuracy_table(SAMPLE_ACCURACY)
    assert table is not None
    assert [row["model"] for row in table["rows"]] == ["compromise", "eum"]
    report = six_party[0]
    shown = Report({**report.data, "accuracy": table}, report.charts)
    html = render_html(shown)
    assert 'id="accuracy-table"' in html
    assert "23.6" in html
    assert "175" in html
    assert "No accuracy figures are bundled" not in html
    assert accuracy_table({"schema": "something/else"}) is None
    # whatever the package ships is what the report reads
    bundled = ROOT / "src" / "detente" / "backtest" / "data" / "accuracy.json"
    assert (load_accuracy() is not None) == bundled.is_file()


# --- charts ------------------------------------------------------------------------------------


def test_labels_do_not_overlap_on_the_six_party_charts(six_party: tuple[Report, str]) -> None:
    from detente.report.layout import style

    with style():
        for name, chart in six_party[0].charts.items():
            assert_labels_apart(name, chart.figure)


def test_label_placement_rules() -> None:
    placed = spread([50.0, 50.5, 51.0, 10.0, 99.0], gap=3.0, lo=0.0, hi=100.0)
    ordered = sorted(placed)
    assert all(b - a >= 3.0 - 1e-9 for a, b in itertools.pairwise(ordered))
    assert placed[3] == 10.0  # a label with room stays where it is
    assert max(placed) <= 100.0
    lane = lanes([30.0, 35.0, 70.0], [10.0, 10.0, 10.0], gap=1.0)
    assert lane == [0, 1, 0]


# --- in a real browser -------------------------------------------------------------------------


def _browser_or_skip() -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed: `make browser` installs Debian's chromium with "
            "apt-get when run as root (make test does this first)"
        )
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (make install)")


def test_the_report_renders_in_chromium(six_party: tuple[Report, str]) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    report, html = six_party
    BUILD.mkdir(exist_ok=True)
    page_file = BUILD / "six-party-2004-report.html"
    page_file.write_text(html, encoding="utf-8")
    shot = BUILD / "six-party-2004-report.png"
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")
            sizes = page.evaluate(
                "Array.from(document.querySelectorAll('figure.chart svg'))"
                ".map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
            )
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            # the key judgments are the first thing on the page, whole on the first screen
            first = page.evaluate(
                "(() => { const e = document.body.firstElementChild; const r = "
                "e.getBoundingClientRect(); return [e.id, r.top, r.bottom]; })()"
            )
            # every chart has a link that saves it as an SVG file
            links = page.locator("figure.chart a.svg-link")
            n_links = links.count()
            with page.expect_download() as found:
                links.nth(1).click()
            download = found.value
            saved = Path(download.path()).read_text(encoding="utf-8")
            name = download.suggested_filename
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()], "the page loads nothing but itself"
    assert len(sizes) == len(report.charts)
    assert all(w > 100 and h > 50 for w, h in sizes), sizes
    assert overflow <= 0, "nothing is wider than the page"
    assert shot.stat().st_size > 50_000
    assert first[0] == "key-judgments"
    # only the page margin above it (12 mm), and it ends within the first screen
    assert first[1] < 60, f"the key judgments start at {first[1]} px"
    assert first[2] <= 1200, f"the key judgments end at {first[2]} px"
    assert n_links == len(report.charts)
    assert name == f"{list(report.charts)[1]}.svg"
    import xml.etree.ElementTree as ET

    root = ET.fromstring(saved.encode("utf-8"))  # a well-formed SVG file of its own
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width", "").endswith("pt")
    assert root.get("viewBox")
    assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) > 10
    if os.environ.get("DETENTE_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "images" / "six-party-2004-report.png")


def test_a_model_left_out_is_named_with_the_reason(six_party: tuple[Report, str]) -> None:
    _, html = six_party
    # six-party-2004's election comes during the run, which smp cannot take
    assert "Registered models not in this study: <code>smp</code> (it takes timeline" in html
    assert "events only before its first round" in html
