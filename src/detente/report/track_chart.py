"""The track record's chart: sealed vintages' points and intervals against the outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

__all__ = ["Row", "track_chart"]

_OUTCOME_TONES = ("#1B7F3B", "#7D3C98", "#B9770E", "#2E86C1")


@dataclass(frozen=True)
class Row:
    """One sealed forecast: its label, point and central intervals (None without draws)."""

    label: str
    point: float
    i50: tuple[float, ...] | None
    i80: tuple[float, ...] | None


def track_chart(
    rows: Sequence[Row],
    outcomes: Sequence[tuple[str, float]],
    scale: tuple[float, float],
    axis: str,
) -> Figure:
    """One line per sealed forecast (oldest vintage first): 80% and 50% intervals and the
    point, with a dashed vertical line at each reading's outcome."""
    height = 0.9 + 0.24 * len(rows)
    fig = Figure(figsize=(7.2, height))
    ax = fig.add_axes((0.32, 0.55 / height, 0.64, 1 - 0.95 / height))
    for y, row in enumerate(rows):
        if row.i80 is not None:
            ax.plot(row.i80, [y, y], color="#5D6D7E", lw=1.4, solid_capstyle="butt")
        if row.i50 is not None:
            ax.plot(row.i50, [y, y], color="#5D6D7E", lw=4.5, solid_capstyle="butt")
        ax.scatter([row.point], [y], marker="D", s=26, color="#C0392B", zorder=4, edgecolor="white")
    for k, (reading, value) in enumerate(outcomes):
        tone = _OUTCOME_TONES[k % len(_OUTCOME_TONES)]
        ax.axvline(value, color=tone, lw=1.2, ls="--", zorder=3)
        ax.annotate(
            f"{reading}: {value:g}",
            (value, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, 2 + 9 * k),
            textcoords="offset points",
            fontsize=6.8,
            color=tone,
            annotation_clip=False,
        )
    ax.set_xlim(*scale)
    ax.set_ylim(len(rows) - 0.5, -0.7)
    ax.set_yticks(range(len(rows)), [row.label for row in rows])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(axis)
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    return fig
