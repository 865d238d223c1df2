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

    Each file is written whole or not at all, with the permissions of any new file.

    Raises
    ------
    InputError
        ``folder`` is a file, cannot be created, or a chart cannot be written there.
    """
    from detente._files import atomic_write, check_folder
    from detente.errors import InputError
    from detente.report.layout import png, style

    target = check_folder(folder, what="the charts")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            f"cannot create the folder {target} for the charts: {err.strerror or err}"
        ) from None
    written = []
    with style():
        for n, (name, chart) in enumerate(report.charts.items(), start=1):
            # rendered before the file is opened, so a kill while rendering leaves nothing
            written.append(atomic_write(target / f"{n:02d}-{name}.png", png(chart.figure)))
    return written
