"""Charts of a sweep: forecasts along one input (a line per model), and a heat map of two."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from detente.report.charts import _axis_title, _scale_yticks
from detente.report.layout import PAGE_WIDTH_IN
from detente.scenario.model import Issue

__all__ = ["heatmap_chart", "line_chart"]

_TONES = ("#222222", "#4a6fa5", "#a5674a", "#5a8a5a", "#8a5a8a", "#7a7a7a")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def line_chart(
    issue: Issue,
    input_label: str,
    xs: Sequence[float],
    forecasts: Mapping[str, Sequence[float]],
    tips: Sequence[tuple[str, float]],
) -> Figure:
    """Each model's forecast as ``input_label`` moves (the others at their base values), with
    the tipping points marked (dotted lines at the model's tone)."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.4))
    fig.subplots_adjust(left=0.3, right=0.97, bottom=0.16, top=0.95)
    ax = fig.add_subplot()
    span = issue.max - issue.min
    ax.set_ylim(issue.min - 0.03 * span, issue.max + 0.03 * span)
    tone = {m: _TONES[n % len(_TONES)] for n, m in enumerate(forecasts)}
    for n, (model, values) in enumerate(forecasts.items()):
        ax.plot(
            xs, values, color=tone[model], lw=1.5, marker=_MARKERS[n % len(_MARKERS)], ms=3,
            label=model,
        )  # fmt: skip
    for model, at in tips:
        ax.axvline(at, color=tone.get(model, "#999999"), lw=0.8, ls=":")
    ax.set_xlabel(input_label)
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    axis_pt = ax.get_position().height * fig.get_figheight() * 72.0
    _scale_yticks(ax, issue, axis_pt)
    if not issue.scale:
        ax.set_ylabel(_axis_title(issue))
    ax.legend(loc="best", frameon=False)
    return fig


def heatmap_chart(
    rows_label: str,
    columns_label: str,
    row_values: Sequence[float],
    column_values: Sequence[float],
    grid: Sequence[Sequence[float]],
    *,
    issue: Issue,
) -> Figure:
    """The mean forecast at every pair of two inputs' values (darker: higher on the scale)."""
    data = np.asarray(grid, dtype=float)
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.8))
    fig.subplots_adjust(left=0.14, right=0.9, bottom=0.16, top=0.95)
    ax = fig.add_subplot()
    image = ax.imshow(
        data,
        origin="lower",
        aspect="auto",
        cmap="Blues",
        vmin=issue.min,
        vmax=issue.max,
        extent=(-0.5, len(column_values) - 0.5, -0.5, len(row_values) - 0.5),
    )
    step_x = max(1, len(column_values) // 10)
    step_y = max(1, len(row_values) // 10)
    ax.set_xticks(
        range(0, len(column_values), step_x),
        [f"{v:g}" for v in column_values[::step_x]],
    )
    ax.set_yticks(range(0, len(row_values), step_y), [f"{v:g}" for v in row_values[::step_y]])
    ax.set_xlabel(columns_label)
    ax.set_ylabel(rows_label)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.set_label(_axis_title(issue), fontsize=7.5)
    return fig
