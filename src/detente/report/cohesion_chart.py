"""The coalitions section's chart: each declared group's spread of positions, round by round."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from detente.report.layout import PAGE_WIDTH_IN, spread, wrap

__all__ = ["cohesion_chart"]

_TONES = ("#0B4F8A", "#C0392B", "#1B7F3B", "#7D3C98", "#B9770E", "#2E86C1")


def cohesion_chart(
    rounds: Sequence[int],
    groups: Sequence[tuple[str, Sequence[float]]],
    width: float,
    model: str,
) -> Figure:
    """One line per group: the largest minus the smallest of its members' positions in each
    round (0: the members agree), each named at its end; ``width`` is the scale's span."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 2.6))
    ax = fig.add_axes((0.09, 0.17, 0.66, 0.76))
    ends = []
    for k, (_name, values) in enumerate(groups):
        tone = _TONES[k % len(_TONES)]
        ax.plot(rounds, values, color=tone, lw=1.6, marker="o", ms=2.5)
        ends.append(float(values[-1]))
    top = max([*(max(v) for _n, v in groups), width * 0.05])
    ax.set_ylim(0, top * 1.08)
    ax.set_xlim(min(rounds), max(rounds))
    placed = spread(ends, gap=top * 0.09, lo=0, hi=top * 1.08)
    for k, ((name, _values), y) in enumerate(zip(groups, placed, strict=True)):
        ax.annotate(
            wrap(name, 28, 1),
            (max(rounds), y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
            color=_TONES[k % len(_TONES)],
            annotation_clip=False,
        )
    ax.set_xlabel(f"Round of the {model} model")
    ax.set_ylabel("Spread of the members' positions")
    ax.grid(axis="y", color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    return fig
