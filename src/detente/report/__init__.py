"""The HTML report: one self-contained page with inline SVG charts, and the charts as PNG.

A report renders a study (``detente.study/1``: :func:`detente.analysis.study` computes it, the
run store keeps it) and computes nothing itself.

>>> import detente
>>> from detente.analysis import study
>>> from detente.report import html
>>> done = study(detente.bundled("emission-1994"), ["compromise", "median"], draws=0, rng=1)
>>> page = html(done.to_json())
>>> page.startswith("<!DOCTYPE html>") and "<svg" in page
True
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from detente.report.compose import build
from detente.report.page import Chart, Report

__all__ = ["Chart", "Report", "build", "html", "write_pngs"]


def html(document: Mapping[str, Any]) -> str:
    """The report of a study document as one HTML page (the same document, the same text)."""
    from detente.report.render import render_html

    return render_html(build(document))


def write_pngs(report: Report, folder: str | Path) -> list[Path]:
    """Write every chart of ``report`` as ``NN-NAME.png`` into ``folder`` (created if needed).

    Each file is written whole or not at all.
    """
    import os
    import tempfile

    from detente.report.layout import png, style

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with style():
        for n, (name, chart) in enumerate(report.charts.items(), start=1):
            path = target / f"{n:02d}-{name}.png"
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=target)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(png(chart.figure))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            written.append(path)
    return written
