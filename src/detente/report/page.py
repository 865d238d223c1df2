"""What a rendered report is made of: template data, and charts by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure

__all__ = ["Chart", "Report"]


@dataclass(frozen=True)
class Chart:
    """One chart: a file-safe name, a caption, and the figure."""

    name: str
    caption: str
    figure: Figure = field(repr=False)


@dataclass(frozen=True)
class Report:
    """What a report shows: ``data`` for ``template``, ``charts`` by name."""

    data: dict[str, Any]
    charts: dict[str, Chart]
    template: str = "report.html.j2"
