"""Charts over the rounds (or the dates) of a dynamic model, with the timeline's events marked.

One panel per future, stacked (they share the axis of rounds or dates); each line is named at
its end in its colour, the names spread so that they do not overlap, and each event is a
dashed vertical line named at the top of the panel (events close together take separate
lanes). Drawn from plain numbers of a stored document; call inside
:func:`detente.report.layout.style`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from detente.report.layout import PAGE_WIDTH_IN, lanes, spread, text_width

__all__ = ["Line", "Mark", "Panel", "time_chart"]

_LABEL_PT = 7.5
_EVENT_PT = 7.0
_EVENT = "#555555"


@dataclass(frozen=True)
class Line:
    """A series: its name (put at its end), colour and one value per round (None: absent)."""

    name: str
    colour: str
    values: Sequence[float | None]
    dashed: bool = False


@dataclass(frozen=True)
class Mark:
    """A timeline event: its name and when it happens (a date, or a round number)."""

    name: str
    at: dt.date | float


@dataclass(frozen=True)
class Panel:
    """One future's lines and events."""

    title: str
    lines: Sequence[Line]
    marks: Sequence[Mark] = ()


def time_chart(
    x: Sequence[Any],
    panels: Sequence[Panel],
    *,
    ylabel: str,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Lines over rounds or dates, one panel per future, events marked.

    ``x`` gives each round's date (a dated calendar) or number; every line has a value per
    entry of ``x``. ``ylim`` fixes the vertical axis (default: from the values, from 0).
    """
    n = max(len(panels), 1)
    height = 0.45 + 2.25 * n
    fig = Figure(figsize=(PAGE_WIDTH_IN, height))
    fig.subplots_adjust(
        left=0.11, right=0.78, bottom=0.5 / height, top=1 - 0.3 / height, hspace=0.55
    )
    dated = bool(x) and isinstance(x[0], dt.date)
    values = [float(v) for p in panels for line in p.lines for v in line.values if v is not None]
    lo, hi = ylim if ylim is not None else (min(0.0, *values), max(values, default=1.0) or 1.0)
    pad = 0.04 * (hi - lo or 1.0)
    first = None
    for k, panel in enumerate(panels):
        ax = fig.add_subplot(n, 1, k + 1, sharex=first)
        first = first or ax
        ax.set_ylim(lo - pad, hi + pad * 4)
        _lines(fig, ax, x, panel.lines, lo - pad, hi + pad * 4)
        _marks(fig, ax, x, panel.marks, dated)
        ax.set_title(panel.title, fontsize=8.5, loc="left")
        ax.set_ylabel(ylabel, fontsize=7.5)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6)
        if dated:
            from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

            locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        else:
            ax.set_xticks(list(x))
            # an event before round 1 is drawn half a round before it: keep it inside
            starts = [float(m.at) for p in panels for m in p.marks if not isinstance(m.at, dt.date)]
            ax.set_xlim(min([float(min(x)) - 0.3, *(s - 0.3 for s in starts)]), float(max(x)) + 0.3)
        if k == n - 1:
            ax.set_xlabel("date of the round" if dated else "round")
    return fig


def _lines(
    fig: Figure,
    ax: Axes,
    x: Sequence[Any],
    lines: Sequence[Line],
    lo: float,
    hi: float,
) -> None:
    """Each line, and its name at its last value, the names spread apart."""
    ends, names, colours = [], [], []
    for line in lines:
        ys = np.array([np.nan if v is None else float(v) for v in line.values])
        ax.plot(
            list(x),
            ys,
            color=line.colour,
            lw=1.5,
            marker="o",
            ms=2.2,
            ls="--" if line.dashed else "-",
        )
        present = np.flatnonzero(~np.isnan(ys))
        if present.size:
            ends.append(float(ys[present[-1]]))
            names.append(line.name)
            colours.append(line.colour)
    axis_pt = ax.get_position().height * fig.get_figheight() * 72.0
    gap = (_LABEL_PT + 1.5) * (hi - lo) / axis_pt
    where = spread(ends, gap, lo, hi)
    for name, y, colour in zip(names, where, colours, strict=True):
        ax.annotate(
            name,
            (1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=_LABEL_PT,
            color=colour,
            annotation_clip=False,
        )


def _marks(fig: Figure, ax: Axes, x: Sequence[Any], marks: Sequence[Mark], dated: bool) -> None:
    """Each event as a dashed vertical line, named at the top in the lowest free lane."""
    if not marks or not x:
        return
    if dated:
        start = dt.date.fromordinal(min(d.toordinal() for d in x))
        end = dt.date.fromordinal(max(d.toordinal() for d in x))
        span = float(max((end - start).days, 1))

        def where(at: dt.date | float) -> float:
            day = at if isinstance(at, dt.date) else start
            return (day - start).days / span
    else:
        low, high = float(min(x)), float(max(x))
        span = max(high - low, 1.0)

        def where(at: dt.date | float) -> float:
            return (float(at) - low) / span  # type: ignore[arg-type]

    width_pt = ax.get_position().width * fig.get_figwidth() * 72.0
    centres = [where(m.at) * width_pt for m in marks]
    widths = [text_width(m.name, _EVENT_PT) + 6 for m in marks]
    stacked = lanes(centres, widths, 4.0)
    for mark, lane, centre, wide in zip(marks, stacked, centres, widths, strict=True):
        ax.axvline(mark.at, color=_EVENT, lw=0.9, ls=(0, (4, 3)), zorder=1)  # type: ignore[arg-type]
        # a name near an edge of the panel starts (or ends) at its line, inside the panel
        align = (
            "left" if centre < wide / 2 else "right" if centre > width_pt - wide / 2 else "center"
        )
        ax.annotate(
            mark.name,
            (mark.at, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=({"left": 3, "right": -3}.get(align, 0), -3 - lane * (_EVENT_PT + 3)),
            textcoords="offset points",
            ha=align,
            va="top",
            fontsize=_EVENT_PT,
            color=_EVENT,
            bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"},
            annotation_clip=False,
        )
