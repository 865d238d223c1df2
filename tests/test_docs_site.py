"""The documentation site builds, with warnings as errors, and holds what it should.

``make docs`` builds it in ``make test``; here one build of a copy of ``docs/`` (with one extra
page, to show that a new page joins its section's table of contents with no other edit) is read
back: every page became HTML, and the API reference describes the public names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="the docs extra is not installed: pip install 'detente[docs]'")
pytest.importorskip("myst_parser", reason="the docs extra is not installed")
pytest.importorskip("furo", reason="the docs extra is not installed")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# A page another engineer might add: it names no table of contents and none names it.
PROBE = "how-to/zz-probe-page.md"


class _Anchors(HTMLParser):
    """The ``id`` of every element and the ``href`` of every link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids[str(found["id"])] = tag
        if tag == "a" and found.get("href"):
            self.hrefs.append(str(found["href"]))


def _anchors(page: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("site")
    source = work / "docs"
    shutil.copytree(DOCS, source)
    (source / PROBE).write_text("# A page added later\n\nNothing else names it.\n", "utf-8")
    out = work / "html"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    # as `make docs` does: every page read afresh, warnings are errors
    build = ["-E", "-W", "--keep-going", "-q", "-b", "html", "-d", str(work / "doctrees")]
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", *build, str(source), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stderr}"
    assert "WARNING" not in done.stderr, done.stderr
    return out


@pytest.mark.slow
def test_every_page_is_built(site: Path) -> None:
    pages = sorted(p.relative_to(DOCS).with_suffix(".html") for p in DOCS.rglob("*.md"))
    assert len(pages) >= 20
    missing = [str(p) for p in pages if not (site / p).is_file()]
    assert missing == []


@pytest.mark.slow
def test_a_new_page_joins_its_section(site: Path) -> None:
    # the start page's navigation (furo's sidebar) links the page no one listed
    links = _anchors(site / "index.html").hrefs
    assert PROBE.replace(".md", ".html") in links
    assert "tutorials/six-party-talks.html" in links
    assert "reference/api.html" in links


@pytest.mark.parametrize(
    ("page", "name"),
    [
        ("detente", "detente.forecast"),
        ("detente", "detente.load"),
        ("detente", "detente.Scenario"),
        ("detente", "detente.Forecast.to_frame"),
        ("detente", "detente.InputError"),
        ("scenario", "detente.scenario.with_input"),
        ("simulate", "detente.simulate.simulate"),
        ("analysis", "detente.analysis.advise"),
        ("store", "detente.store.RunStore"),
        ("report", "detente.report.html"),
        ("models", "detente.models.solve"),
        ("models", "detente.models.contract.TrajectoryFunction"),
        # constants a package re-exports, with the comment of the module that defines them
        ("calibration", "detente.calibration.GRID"),
        ("store", "detente.store.RUN_SCHEMA"),
    ],
)
@pytest.mark.slow
def test_the_api_reference_describes_public_names(site: Path, page: str, name: str) -> None:
    # autodoc gives each described object a <dt id="its.full.name"> signature
    anchors = _anchors(site / "reference" / "api" / f"{page}.html")
    assert anchors.ids.get(name) == "dt", f"{name} is not described on {page}.html"


@pytest.mark.slow
def test_the_api_reference_renders_numpy_sections(site: Path) -> None:
    # napoleon turned "Parameters" and "Raises" into field lists: a parameter of forecast is
    # in one, not left as an underlined heading
    body = _text_after(site / "reference" / "api" / "detente.html", "detente.forecast")
    assert "field-list" in body
    assert "<strong>scenario</strong>" in body
    assert "----------" not in body


def _text_after(page: Path, anchor: str, end: str = "</dd>") -> str:
    text = page.read_text(encoding="utf-8")
    start = text.index(f'id="{anchor}"')
    return text[start : text.index(end, start)]


@pytest.mark.slow
def test_a_property_keeps_its_sentence(site: Path) -> None:
    # "The display name: ..." is a sentence, not napoleon's "type: description"
    body = _text_after(site / "reference" / "api" / "detente.html", "detente.Actor.label")
    assert "The display name:" in body


@pytest.mark.slow
def test_a_pydantic_class_has_a_short_signature(site: Path) -> None:
    page = site / "reference" / "api" / "detente.html"
    signature = re.sub(r"<[^>]+>", "", _text_after(page, "detente.Scenario", "</dt>"))
    assert "Annotated" not in signature
    assert "Scenario(**data)" in signature
