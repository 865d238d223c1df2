"""Render a collected report as one self-contained HTML page (jinja2, autoescaped).

Charts go in as inline SVG, styles as one inline ``<style>``; the page loads nothing else, so
it opens offline and can be mailed as a single file.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from detente.report.charts import possessive
from detente.report.layout import style, svg
from detente.report.page import Report

__all__ = ["render_html"]


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{float(value):.{digits}f}"


def _signed(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{float(value):+.{digits}f}".replace("-", "−")


def _plain(value: Any) -> str:
    return f"{float(value):g}"


def _percent(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.0f}%"


@functools.cache  # one environment per process: its templates are compiled once
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("detente.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    env.filters["signed"] = _signed
    env.filters["plain"] = _plain
    env.filters["percent"] = _percent
    env.filters["possessive"] = possessive
    return env


def render_html(report: Report) -> str:
    """The report as one HTML document (same report, same text)."""
    with style():
        svgs = {
            name: Markup(svg(chart.figure, f"c{n}", chart.caption))
            for n, (name, chart) in enumerate(report.charts.items())
        }
    captions = {name: chart.caption for name, chart in report.charts.items()}
    template = _environment().get_template(report.template)
    return template.render(r=report.data, svg=svgs, captions=captions)
