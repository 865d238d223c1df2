"""The report's charts, drawn with matplotlib from plain numbers (never from models).

Every chart puts an issue's labelled scale on its axis, names actors on the chart itself in
their colour (the same colour in every chart), and places labels so that they do not overlap.
Call these inside :func:`detente.report.layout.style`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from detente.report.layout import PAGE_WIDTH_IN, lanes, spread, text_width, wrap
from detente.scenario.model import Issue

__all__ = [
    "MANY_ROUNDS",
    "Interval",
    "branches_chart",
    "forecasts_chart",
    "possessive",
    "power_chart",
    "quad_chart",
    "reliability_chart",
    "rounds_chart",
    "scale_chart",
]

_LABEL_PT = 7.5
_MUTED = "#666666"
_FUTURE_TONES = ("#222222", "#7a7a7a", "#4a6fa5", "#a5674a", "#5a8a5a", "#8a5a8a")
_MODEL_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


@dataclass(frozen=True)
class _ScaleLabels:
    """Where an issue's scale labels go under a horizontal axis, wrapped to fit."""

    anchors: tuple[float, ...]
    texts: tuple[str, ...]
    aligns: tuple[str, ...]
    rows: tuple[int, ...]
    row_heights: tuple[float, ...]

    @property
    def height_pt(self) -> float:
        return _SCALE_PT * 1.6 + sum(self.row_heights)


_SCALE_PT = 7.0


def _scale_labels(issue: Issue, width_pt: float) -> _ScaleLabels:
    """Wrap each anchor's label to the room it has; long labels alternate between two rows."""
    anchors = tuple(sorted(issue.scale))
    if not anchors:
        return _ScaleLabels((), (), (), (), ())
    span = issue.max - issue.min
    at = [(a - issue.min) / span * width_pt for a in anchors]
    n = len(anchors)
    aligns = tuple(
        "left"
        if k == 0 and a <= issue.min and n > 1
        else "right"
        if k == n - 1 and a >= issue.max and n > 1
        else "center"
        for k, a in enumerate(anchors)
    )

    def layout(rows: list[int]) -> tuple[list[str], list[int]]:
        texts, lines = [], []
        for k, a in enumerate(anchors):
            same = [abs(at[m] - at[k]) for m in range(n) if m != k and rows[m] == rows[k]]
            room = min(same, default=width_pt)
            room = room / 2 if aligns[k] != "center" else room
            chars = int((room - 8) / (0.56 * _SCALE_PT))
            text = wrap(issue.scale[a], chars, 4)
            texts.append(text)
            lines.append(text.count("\n") + 1)
        return texts, lines

    rows = [0] * n
    texts, lines = layout(rows)
    if max(lines) > 3 and n > 2:
        rows = [k % 2 for k in range(n)]
        texts, lines = layout(rows)
    heights = tuple(
        max(line for line, r in zip(lines, rows, strict=True) if r == row) * _SCALE_PT * 1.2 + 4
        for row in sorted(set(rows))
    )
    return _ScaleLabels(anchors, tuple(texts), aligns, tuple(rows), heights)


def _draw_scale(ax: Axes, issue: Issue, labels: _ScaleLabels) -> None:
    """Anchors as ticks, each label under its tick (in its row), and the axis title below."""
    span = issue.max - issue.min
    ax.set_xlim(issue.min - 0.01 * span, issue.max + 0.01 * span)
    if not labels.anchors:
        ax.set_xlabel(_axis_title(issue), labelpad=4)
        return
    ax.set_xticks(labels.anchors, [f"{a:g}" for a in labels.anchors], fontsize=_SCALE_PT)
    for a, text, align, row in zip(
        labels.anchors, labels.texts, labels.aligns, labels.rows, strict=True
    ):
        ax.annotate(
            text,
            (a, 0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -_SCALE_PT * 1.9 - sum(labels.row_heights[:row])),
            textcoords="offset points",
            ha=align,
            va="top",
            fontsize=_SCALE_PT,
            linespacing=1.12,
            color="#333333",
            annotation_clip=False,
        )
        if row:
            ax.annotate(
                "",
                (a, 0),
                xycoords=("data", "axes fraction"),
                xytext=(0, -_SCALE_PT * 1.6 - labels.row_heights[0] + 2),
                textcoords="offset points",
                arrowprops={"arrowstyle": "-", "color": "#bbbbbb", "lw": 0.5},
                annotation_clip=False,
            )
    ax.set_xlabel(_axis_title(issue), labelpad=labels.height_pt - _SCALE_PT * 1.2 + 2)


def _scale_figure(
    issue: Issue, body_in: float, *, left: float, right: float, top_in: float = 0.1
) -> tuple[Figure, Axes, _ScaleLabels]:
    """A chart whose x axis is the issue's scale: the body, plus room for the wrapped labels."""
    labels = _scale_labels(issue, (right - left) * PAGE_WIDTH_IN * 72.0)
    bottom_in = (labels.height_pt + 26) / 72.0
    height = body_in + bottom_in + top_in
    fig = Figure(figsize=(PAGE_WIDTH_IN, height))
    fig.subplots_adjust(left=left, right=right, bottom=bottom_in / height, top=1 - top_in / height)
    return fig, fig.add_subplot(), labels


def _scale_yticks(ax: Axes, issue: Issue, height_pt: float) -> None:
    """The issue's labelled anchors as y ticks, wrapped into the room between them."""
    anchors = sorted(issue.scale)
    if not anchors:
        return
    span = issue.max - issue.min
    room = min(np.diff(anchors), default=span) / span * height_pt
    lines = int(max(1, min(5, room // (6.5 * 1.2) - 1)))
    labels = [f"{wrap(issue.scale[a], 30, lines)}  {a:g}" for a in anchors]
    ax.set_yticks(anchors, labels, fontsize=6.5, linespacing=1.1)


def _axis_title(issue: Issue) -> str:
    unit = f" ({issue.unit})" if issue.unit else ""
    return f"{issue.name or issue.id}{unit}"


def _axes_width_pt(fig: Figure, ax: Axes) -> float:
    return float(ax.get_position().width * fig.get_figwidth() * 72.0)


def _inside(
    fig: Figure, ax: Axes, xs: Sequence[float], texts: Sequence[str], issue: Issue
) -> list[float]:
    """Label centres moved just enough that every label stays within the axes."""
    span = issue.max - issue.min
    per_pt = span / _axes_width_pt(fig, ax)
    out = []
    for x, text in zip(xs, texts, strict=True):
        half = text_width(text, _LABEL_PT) * per_pt / 2
        out.append(float(min(max(x, issue.min + half), issue.max - half)))
    return out


def _label_lanes(
    fig: Figure, ax: Axes, xs: Sequence[float], texts: Sequence[str], span: float
) -> list[int]:
    per_pt = span / _axes_width_pt(fig, ax)
    widths = [text_width(t, _LABEL_PT) * per_pt for t in texts]
    lo, hi = ax.get_xlim()
    centres = [min(max(x, lo + w / 2), hi - w / 2) for x, w in zip(xs, widths, strict=True)]
    return lanes(centres, widths, gap=4 * per_pt)


def scale_chart(
    issue: Issue,
    names: Sequence[str],
    positions: Sequence[float],
    colours: Sequence[str],
) -> Figure:
    """The issue's scale as a horizontal axis, with every actor's position (and the status quo)."""
    left, right = 0.04, 0.96
    span = issue.max - issue.min
    per_pt = 1.02 * span / ((right - left) * PAGE_WIDTH_IN * 72.0)
    widths = [text_width(name, _LABEL_PT) * per_pt for name in names]
    lo, hi = issue.min - 0.01 * span, issue.max + 0.01 * span
    centres = [min(max(x, lo + w / 2), hi - w / 2) for x, w in zip(positions, widths, strict=True)]
    lane = lanes(centres, widths, gap=4 * per_pt)
    n_lanes = max(lane, default=0) + 1
    fig, ax, labels = _scale_figure(issue, 0.45 + 0.2 * n_lanes, left=left, right=right)
    _draw_scale(ax, issue, labels)
    step = 1.0
    ax.set_ylim(-0.6, 0.9 + step * n_lanes)
    ax.axhline(0, color="#999999", lw=1.0, zorder=1)
    for x, centre, name, colour, k in zip(positions, centres, names, colours, lane, strict=True):
        y = 0.9 + step * k
        ax.plot([x, x], [0, y - 0.6], color=colour, lw=0.8, zorder=2)
        ax.plot([x, centre], [y - 0.6, y - 0.15], color=colour, lw=0.8, zorder=2)
        ax.scatter([x], [0], s=36, color=colour, zorder=3, edgecolor="white", linewidth=0.6)
        ax.text(centre, y, name, ha="center", va="bottom", fontsize=_LABEL_PT, color=colour)
    if issue.status_quo is not None:
        ax.scatter([issue.status_quo], [-0.35], marker="^", s=40, color="#333333", zorder=3)
        ax.annotate(
            "status quo",
            (issue.status_quo, -0.35),
            xytext=(6, -1),
            textcoords="offset points",
            va="center",
            ha="left" if issue.status_quo < issue.min + 0.8 * span else "right",
            fontsize=7,
            color="#333333",
        )
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    return fig


def power_chart(
    issue: Issue,
    names: Sequence[str],
    positions: Sequence[float],
    power: Sequence[float],
    colours: Sequence[str],
    *,
    median: float,
    mean: float,
    others: tuple[Sequence[float], Sequence[float]] = ((), ()),
) -> Figure:
    """Mountains of power: each actor's capability x salience, piled up where it stands.

    ``others`` (positions, powers) are actors drawn unnamed, summed into one grey layer at the
    foot of the ridge (a report of many actors names only the largest).

    Each actor is a bump at its position whose height is its effective power (as KTAB's
    effective-power chart and Bueno de Mesquita's "first cut"); bumps are stacked, so the
    ridge shows the total power behind each point of the scale. The weighted median (the
    first-cut forecast) and the weighted mean (the compromise model) are marked.
    """
    fig, ax, labels = _scale_figure(issue, 2.4, left=0.09, right=0.97)
    _draw_scale(ax, issue, labels)
    span = issue.max - issue.min
    grid = np.linspace(issue.min, issue.max, 241)
    width = 0.022 * span
    order = np.argsort(np.asarray(positions), kind="stable")
    base = np.zeros_like(grid)
    if len(others[0]):
        at, weight = np.asarray(others[0], float), np.asarray(others[1], float)
        base = (weight[:, None] * np.exp(-0.5 * ((grid - at[:, None]) / width) ** 2)).sum(axis=0)
        ax.fill_between(grid, 0, base, color="#BBBBBB", alpha=0.85, lw=0)
    peaks: dict[int, float] = {}
    for n in order:
        bump = power[n] * np.exp(-0.5 * ((grid - positions[n]) / width) ** 2)
        # drawn where it shows (within 4.5 widths: beyond, under 1/25,000 of its height), not
        # along the whole scale: a fifth of the points, the same picture
        near = slice(
            *np.searchsorted(grid, [positions[n] - 4.5 * width, positions[n] + 4.5 * width])
        )
        ax.fill_between(
            grid[near], base[near], (base + bump)[near], color=colours[n], alpha=0.85, lw=0
        )
        ax.plot(grid[near], (base + bump)[near], color="white", lw=0.5)
        peaks[int(n)] = float(np.interp(positions[n], grid, base + bump))
        base = base + bump
    top = float(base.max()) if len(base) else 1.0
    lane = _label_lanes(fig, ax, positions, names, span)
    n_lanes = max(lane, default=0) + 1
    step = 0.085 * top
    ax.set_ylim(0, top * 1.08 + step * (n_lanes + 0.6))
    centres = _inside(fig, ax, positions, names, issue)
    for n, (x, name) in enumerate(zip(positions, names, strict=True)):
        y = top * 1.08 + step * lane[n]
        ax.plot([x, centres[n]], [peaks[n], y], color=colours[n], lw=0.6, ls=":")
        ax.text(centres[n], y, name, ha="center", va="bottom", fontsize=_LABEL_PT, color=colours[n])
    marks = sorted(((median, "weighted median", "--"), (mean, "weighted mean", ":")))
    for k, (value, text, ls) in enumerate(marks):
        ax.plot([value, value], [0, top * 1.04], color="#222222", lw=1.0, ls=ls, zorder=5)
        right = k == 1 if abs(median - mean) < 0.3 * span else value < issue.min + 0.75 * span
        ax.annotate(
            f"{text} {value:.1f}",
            (value, (0.97 - 0.1 * k) * top),
            xytext=(3 if right else -3, 0),
            textcoords="offset points",
            ha="left" if right else "right",
            fontsize=7,
            color="#222222",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
            zorder=6,
        )
    ax.set_ylabel("capability × salience / 100")
    return fig


@dataclass(frozen=True)
class Interval:
    """A Monte Carlo distribution of one model under one future: quantiles and a histogram."""

    future: str
    median: float
    i50: tuple[float, float]
    i80: tuple[float, float]
    counts: tuple[int, ...]
    edges: tuple[float, ...]


def forecasts_chart(
    issue: Issue,
    models: Sequence[str],
    points: Sequence[float],
    intervals: Mapping[str, Sequence[Interval]],
    calibrated: Mapping[str, Sequence[float] | None] | None = None,
) -> Figure:
    """Every model's forecast side by side: its point (diamond) with its calibrated 80%
    interval (a dashed line, where learned) and, when there was a Monte Carlo run, each
    future's distribution (histogram strip, 80% and 50% intervals, median)."""
    calibrated = calibrated or {}
    futures = [iv.future for iv in next(iter(intervals.values()), [])]
    rows = max(len(futures), 1)
    row_h = 0.28 if futures else 0.0
    body = 0.3 + len(models) * (0.32 + rows * row_h)
    learned = any(v is not None for v in calibrated.values())
    entries = 1 + learned + (3 if futures else 0)
    columns = entries if entries <= 3 else (entries + 1) // 2  # the legend on one or two rows
    top_in = 0.3 if entries <= 3 else 0.5
    fig, ax, labels = _scale_figure(issue, body, left=0.14, right=0.84, top_in=top_in)
    _draw_scale(ax, issue, labels)
    y = 0.0
    centres = []
    for m, model in enumerate(models):
        block = intervals.get(model, [])
        centre = y + (len(block) - 1) / 2 if block else y
        for k, iv in enumerate(block):
            yy = y + k
            tone = _FUTURE_TONES[k % len(_FUTURE_TONES)]
            top = max(iv.counts) or 1
            # the histogram as a ridge above the interval line
            heights = np.concatenate([[0.0], np.repeat(np.asarray(iv.counts) / top, 2), [0.0]])
            ax.fill_between(
                np.repeat(iv.edges, 2), yy, yy - 0.42 * heights, color=tone, alpha=0.16, lw=0
            )
            ax.plot(iv.i80, [yy, yy], color=tone, lw=1.4, solid_capstyle="butt")
            ax.plot(iv.i50, [yy, yy], color=tone, lw=4.5, solid_capstyle="butt")
            ax.scatter([iv.median], [yy], s=22, color="white", edgecolor=tone, zorder=4, lw=1.2)
            if len(block) > 1:
                ax.annotate(
                    iv.future,
                    (1.0, yy),
                    xycoords=("axes fraction", "data"),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=6.8,
                    color=tone,
                    annotation_clip=False,
                )
        interval = calibrated.get(model)
        if interval is not None:
            ax.plot(
                [interval[0], interval[1]],
                [centre, centre],
                color="#C0392B",
                lw=1.1,
                ls=(0, (3, 2)),
                marker="|",
                ms=7,
                zorder=3,
            )
        ax.scatter(
            [points[m]], [centre], marker="D", s=34, color="#C0392B", zorder=5, edgecolor="white"
        )
        centres.append(centre)
        y += max(len(block), 1) + 0.8
    ax.set_ylim(y - 0.8 + 0.2, -0.8)
    ax.set_yticks(centres, list(models))
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    handles: list[Any] = [
        ax.scatter([], [], marker="D", s=30, color="#C0392B", label="forecast from the inputs"),
    ]
    if learned:
        handles.append(
            ax.plot([], [], color="#C0392B", lw=1.1, ls=(0, (3, 2)), label="calibrated 80%")[0]
        )
    if futures:
        handles += [
            ax.plot([], [], color="#555555", lw=4.5, label="50% of draws")[0],
            ax.plot([], [], color="#555555", lw=1.4, label="80% of draws")[0],
            ax.scatter([], [], s=22, color="white", edgecolor="#555555", label="median of draws"),
        ]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=columns,
        frameon=False,
        handlelength=1.6,
        borderaxespad=0.2,
    )
    return fig


#: Above this many rounds a rounds chart draws its lines without a dot per round, and ticks
#: some rounds, not each.
MANY_ROUNDS = 25


def rounds_chart(
    issue: Issue,
    names: Sequence[str],
    colours: Sequence[str],
    positions: np.ndarray,
    medians: Sequence[float],
    *,
    model: str,
    others: np.ndarray | None = None,
) -> Figure:
    """Each actor's position by round (a line each, named at its end) and the forecast.

    ``others`` (rounds x actors) are actors drawn unnamed: a grey band from the lowest to the
    highest of their positions each round (one shape, however many actors: a line each made
    the chart of 200 actors 400 kB and unreadable).
    """
    rounds = np.arange(positions.shape[0])
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.8))
    fig.subplots_adjust(left=0.25, right=0.8, bottom=0.12, top=0.97)
    ax = fig.add_subplot()
    span = issue.max - issue.min
    ax.set_ylim(issue.min - 0.03 * span, issue.max + 0.03 * span)
    ax.set_xlim(0, max(rounds[-1], 1))
    if others is not None and others.size:
        ax.fill_between(
            rounds, others.min(axis=1), others.max(axis=1), color="#E2E2E2", lw=0, zorder=1
        )
    many = len(rounds) > MANY_ROUNDS  # a dot per round and a tick each would run together
    for n, colour in enumerate(colours):
        ax.plot(rounds, positions[:, n], color=colour, lw=1.6, marker=None if many else "o", ms=2.5)
    ax.plot(rounds, medians, color="#111111", lw=2.2, ls="--", zorder=4)
    axis_pt = ax.get_position().height * fig.get_figheight() * 72.0
    gap = (_LABEL_PT + 1.5) * (1.06 * span) / axis_pt
    ends = [*positions[-1, :].tolist(), float(medians[-1])]
    texts = [*names, f"forecast {medians[-1]:.1f}"]
    where = spread(ends, gap, issue.min - 0.03 * span, issue.max + 0.03 * span)
    for text, end, y, colour in zip(texts, ends, where, [*colours, "#111111"], strict=True):
        ax.annotate(
            text,
            (rounds[-1], end),
            xytext=(1.01, y),
            textcoords=("axes fraction", "data"),
            va="center",
            fontsize=_LABEL_PT,
            color=colour,
            annotation_clip=False,
        )
    if many:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
    else:
        ax.set_xticks(rounds)
    ax.set_xlabel("round")
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    _scale_yticks(ax, issue, axis_pt)
    if not issue.scale:
        ax.set_ylabel(_axis_title(issue))
    return fig


def reliability_chart(nominal: Sequence[float], observed: Mapping[str, Sequence[float]]) -> Figure:
    """Nominal level of a central interval against the share of outcomes it held, per model;
    the diagonal is perfect calibration, the shaded band 3 points either side of it."""
    fig = Figure(figsize=(PAGE_WIDTH_IN * 0.6, 3.6))
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.14, top=0.97)
    ax = fig.add_subplot()
    x = np.asarray(nominal, dtype=float) * 100.0
    ax.fill_between(x, x - 3.0, x + 3.0, color="#e8e8e8", lw=0)
    ax.plot([0, 100], [0, 100], color=_MUTED, lw=0.8, ls="--")
    for k, (model, shares) in enumerate(observed.items()):
        ax.plot(
            x,
            np.asarray(shares, dtype=float) * 100.0,
            marker=_MODEL_MARKERS[k % len(_MODEL_MARKERS)],
            ms=4,
            lw=1.2,
            label=model,
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("nominal level of the central interval (%)")
    ax.set_ylabel("EU decisions inside it (%)")
    ax.grid(color="#eeeeee", lw=0.6)
    ax.legend(fontsize=_LABEL_PT, frameon=False, loc="upper left")
    return fig


def quad_chart(
    viewpoint: str,
    panels: Sequence[tuple[str, Sequence[tuple[str, float, float]]]],
    colours: Mapping[str, str],
    names: Mapping[str, str],
) -> Figure:
    """The quad map from one actor's viewpoint: for each other actor j, the viewpoint's expected
    utility of challenging j (x) against j's of challenging the viewpoint, as it perceives them
    (y); one panel per future. Quadrants and the diagonal mark the dyad's region."""
    n = len(panels)
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.6 if n > 1 else 4.4))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.9, wspace=0.28)
    values = [abs(v) for _, rows in panels for _, a, b in rows for v in (a, b)]
    lim = max(values, default=1.0) * 1.25 or 1.0
    for k, (title, rows) in enumerate(panels):
        ax = fig.add_subplot(1, n, k + 1)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.axhline(0, color="#888888", lw=0.8)
        ax.axvline(0, color="#888888", lw=0.8)
        ax.plot([0, lim], [0, -lim], color="#bbbbbb", lw=0.8, ls="--")
        ax.plot([-lim, 0], [lim, 0], color="#bbbbbb", lw=0.8, ls="--")
        ax.fill_between([0, lim], 0, lim, color="#C0392B", alpha=0.07, lw=0)
        corner: dict[str, Any] = {
            "fontsize": 6.3,
            "color": _MUTED,
            "style": "italic",
            "linespacing": 1.05,
        }
        v = wrap(viewpoint, 14, 2)
        ax.text(0.97 * lim, 0.95 * lim, "conflict", ha="right", va="top", **corner)
        ax.text(-0.97 * lim, -0.95 * lim, "stalemate", ha="left", va="bottom", **corner)
        ax.text(
            0.97 * lim, -0.06 * lim, "compromise:\nthey concede", ha="right", va="top", **corner
        )
        ax.text(0.97 * lim, -0.95 * lim, f"{v}\ncompels them", ha="right", va="bottom", **corner)
        ax.text(
            -0.06 * lim, 0.95 * lim, f"compromise:\n{v}\nconcedes", ha="right", va="top", **corner
        )
        ax.text(-0.97 * lim, 0.06 * lim, f"{v}\ngives in", ha="left", va="bottom", **corner)
        per_pt = 2 * lim / (ax.get_position().width * fig.get_figwidth() * 72.0)
        dot = 3.5 * per_pt
        # corner texts and every dot are taken before any label is placed
        boxes: list[tuple[float, float, float, float]] = [
            (0.6 * lim, 0.8 * lim, 0.4 * lim, 0.2 * lim),
            (-lim, -lim, 0.4 * lim, 0.2 * lim),
            (0.45 * lim, -0.4 * lim, 0.55 * lim, 0.36 * lim),
            (0.45 * lim, -lim, 0.55 * lim, 0.38 * lim),
            (-0.6 * lim, 0.5 * lim, 0.56 * lim, 0.5 * lim),
            (-lim, 0.04 * lim, 0.55 * lim, 0.36 * lim),
        ]
        boxes += [(a - dot, b - dot, 2 * dot, 2 * dot) for _, a, b in rows]
        for actor, a, b in rows:
            colour = colours.get(actor, "#333333")
            ax.scatter([a], [b], s=30, color=colour, zorder=3, edgecolor="white", lw=0.6)
            name = names.get(actor, actor)
            w = text_width(name, _LABEL_PT) * per_pt
            h = (_LABEL_PT + 1) * per_pt
            spot = _free_spot(a, b, w, h, 4 * per_pt, boxes, lim)
            boxes.append(spot)
            ax.text(
                spot[0], spot[1], name, fontsize=_LABEL_PT, color=colour, va="bottom", ha="left"
            )
        ax.set_title(title, fontsize=8.5)
        ax.set_xlabel(wrap(f"{possessive(viewpoint)} expected gain from challenging them", 36, 2))
        if k == 0:
            ax.set_ylabel(
                f"their expected gain from challenging {viewpoint}\n(as {viewpoint} sees it)"
            )
        ax.tick_params(labelsize=6.5)
    return fig


def possessive(name: str) -> str:
    """``United States'``, ``China's``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _free_spot(
    x: float,
    y: float,
    w: float,
    h: float,
    pad: float,
    taken: Sequence[tuple[float, float, float, float]],
    lim: float,
) -> tuple[float, float, float, float]:
    """A label box (left, bottom, width, height) near (x, y) clear of the boxes taken."""
    candidates = []
    for step in (1, 2, 3, 4):
        d = pad * step
        candidates += [
            (x + d, y - h / 2),
            (x - d - w, y - h / 2),
            (x - w / 2, y + d),
            (x - w / 2, y - d - h),
            (x + d, y + d),
            (x - d - w, y - d - h),
        ]
    for left, bottom in candidates:
        inside = -lim <= left and left + w <= lim and -lim <= bottom and bottom + h <= lim
        if inside and not any(
            left < L + W and left + w > L and bottom < B + H and bottom + h > B
            for L, B, W, H in taken
        ):
            return (left, bottom, w, h)
    return (x + pad, y - h / 2, w, h)


def branches_chart(
    issue: Issue,
    futures: Sequence[str],
    models: Sequence[str],
    points: Mapping[str, Sequence[float]],
) -> Figure:
    """Side by side, each future's forecast by every model (one row per future)."""
    fig, ax, labels = _scale_figure(
        issue, 0.25 + 0.4 * len(futures), left=0.2, right=0.97, top_in=0.3
    )
    _draw_scale(ax, issue, labels)
    ys = np.arange(len(futures))
    for k, model in enumerate(models):
        # models that agree would hide each other: nudge them apart vertically
        offset = (k - (len(models) - 1) / 2) * 0.1
        ax.scatter(
            points[model],
            ys + offset,
            marker=_MODEL_MARKERS[k % len(_MODEL_MARKERS)],
            s=34,
            color=_FUTURE_TONES[k % len(_FUTURE_TONES)],
            edgecolor="white",
            lw=0.5,
            zorder=3,
            label=model,
        )
    for y in ys:
        ax.axhline(float(y), color="#eeeeee", lw=6, zorder=1)
    ax.set_yticks(ys, [wrap(f, 26, 2) for f in futures])
    ax.set_ylim(len(futures) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=len(models),
        frameon=False,
        borderaxespad=0.2,
        handletextpad=0.3,
    )
    return fig


def trade_network(
    names: Sequence[str],
    colours: Sequence[str],
    links: Sequence[tuple[int, int, int, float]],
) -> Figure:
    """Who traded with whom: the actors on a circle, a line for each pair that traded, as wide
    as the pair's gains over all rounds (``links``: actor, actor, exchanges, gains)."""
    fig = Figure(figsize=(PAGE_WIDTH_IN * 0.62, PAGE_WIDTH_IN * 0.62))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.98)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    n = len(names)
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    xy = np.column_stack([np.cos(angle), np.sin(angle)])
    most = max((gain for *_, gain in links), default=1.0) or 1.0
    for a, b, count, gain in sorted(links, key=lambda link: link[3]):
        ax.plot(
            [xy[a, 0], xy[b, 0]],
            [xy[a, 1], xy[b, 1]],
            color="#0b4f8a",
            lw=0.8 + 7.0 * gain / most,
            alpha=0.35 + 0.5 * gain / most,
            solid_capstyle="round",
            zorder=1,
        )
        # a third of the way from the first actor: lines between opposite actors cross at the
        # centre, and labels at their midpoints would sit on each other
        at = xy[a] + (xy[b] - xy[a]) / 3
        ax.annotate(
            f"{count}×",
            at,
            ha="center",
            va="center",
            fontsize=_LABEL_PT - 1,
            color="#333333",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
            zorder=2,
        )
    for k, (name, colour) in enumerate(zip(names, colours, strict=True)):
        ax.scatter(
            [xy[k, 0]],
            [xy[k, 1]],
            s=140,
            color=colour,
            zorder=3,
            edgecolors="white",
            linewidths=1.2,
        )
        ax.annotate(
            name,
            xy[k] * 1.22,
            ha="center",
            va="center",
            fontsize=_LABEL_PT,
            color="#111111",
        )
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.35, 1.35)
    return fig
