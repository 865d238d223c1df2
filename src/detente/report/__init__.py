"""The HTML report: one self-contained page with inline SVG charts, and the charts as PNG.

>>> import detente
>>> from detente.report import compute, html
>>> run = compute(detente.bundled("emission-1994"), ["compromise", "median"], draws=0, seed=1)
>>> page = html(run)
>>> page.startswith("<!DOCTYPE html>") and "<svg" in page
True
"""

from __future__ import annotations

from pathlib import Path

from detente.report.collect import Chart, Report, build
from detente.report.source import ReportRun, compute, from_stored, record, stored

__all__ = [
    "Chart",
    "Report",
    "ReportRun",
    "build",
    "compute",
    "from_stored",
    "html",
    "record",
    "stored",
    "write_pngs",
]


def html(run: ReportRun, *, viewpoint: str | None = None) -> str:
    """The report of ``run`` as one HTML document (the same run gives the same text)."""
    from detente.report.render import render_html

    return render_html(build(run, viewpoint=viewpoint))


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
