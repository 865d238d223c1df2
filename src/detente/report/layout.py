"""Chart plumbing: the house style, actor colours, labels that do not overlap, and SVG output.

Charts are drawn on plain :class:`matplotlib.figure.Figure` objects (no pyplot, no global
state) inside :func:`style`, and written as SVG whose bytes depend only on the figure: text is
drawn as paths (no font needed where the report is read), the hash salt is fixed, the date is
left out and every id is given the chart's own prefix, so that many charts can sit in one page.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.textpath import TextPath

__all__ = [
    "PAGE_WIDTH_IN",
    "colours",
    "lanes",
    "spread",
    "style",
    "svg",
    "text_width",
    "wrap",
]

#: Charts are drawn at the width of an A4 page's text (170 mm), so 8 pt text reads as 8 pt.
PAGE_WIDTH_IN = 6.7

#: Okabe & Ito's colour-blind-safe palette (yellow left out: it does not read on white), then
#: darker tones; past these, colours repeat with a different line style.
_PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#7A4B2A",
    "#4D4D4D",
    "#882255",
    "#117733",
    "#332288",
    "#999933",
)

_RC: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "detente-report",
    "font.family": "DejaVu Sans",
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#555555",
    "axes.labelcolor": "#222222",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "path.simplify": True,
    # names are text: "US$ 5 and $6" is not a formula, and "$\\frac{a$" must not fail the report
    "text.parse_math": False,
}


@contextmanager
def style() -> Iterator[None]:
    """The report's matplotlib settings, for drawing and saving charts (restored after)."""
    with rc_context(_RC):  # type: ignore[arg-type]
        yield


def colours(ids: Sequence[str]) -> dict[str, str]:
    """A colour per actor id, in the order given (kept across every chart of a report)."""
    return {actor: _PALETTE[n % len(_PALETTE)] for n, actor in enumerate(ids)}


def wrap(text: str, width: int, lines: int = 3) -> str:
    """``text`` wrapped to ``width`` characters, at most ``lines`` lines (then an ellipsis)."""
    parts = textwrap.wrap(text, max(width, 8)) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(width, 8) - 1].rstrip(" ,;:") + "…"
    return "\n".join(parts)


def text_width(text: str, size: float) -> float:
    """Width of one line of ``text`` at ``size`` points, in points (the longest line)."""
    return max(
        (TextPath((0, 0), line, size=size).get_extents().width if line.strip() else 0.0)
        for line in text.split("\n")
    )


def lanes(centres: Sequence[float], widths: Sequence[float], gap: float) -> list[int]:
    """Stack labels centred at ``centres`` (of ``widths``) in the lowest lane they fit.

    Labels are taken left to right; a label goes in the first lane whose last label ends at
    least ``gap`` before it starts. Returns each label's lane (0 is nearest the axis).
    """
    order = np.argsort(np.asarray(centres, dtype=float), kind="stable")
    ends: list[float] = []
    out = [0] * len(centres)
    for n in order:
        start = centres[n] - widths[n] / 2
        for lane, end in enumerate(ends):
            if start >= end + gap:
                ends[lane] = centres[n] + widths[n] / 2
                out[n] = lane
                break
        else:
            ends.append(centres[n] + widths[n] / 2)
            out[n] = len(ends) - 1
    return out


def spread(wanted: Sequence[float], gap: float, lo: float, hi: float) -> list[float]:
    """Positions near ``wanted`` that are at least ``gap`` apart, within ``lo``-``hi``.

    Overlapping labels are merged into clusters centred on their wanted positions, until no
    two clusters overlap (the usual way to keep line-end labels apart).
    """
    if not wanted:
        return []
    order = list(np.argsort(np.asarray(wanted, dtype=float), kind="stable"))
    clusters: list[list[int]] = [[int(n)] for n in order]

    def placed(cluster: list[int]) -> tuple[float, float]:
        size = (len(cluster) - 1) * gap
        centre = float(np.mean([wanted[n] for n in cluster]))
        first = min(max(centre - size / 2, lo), max(hi - size, lo))
        return first, first + size

    merged = True
    while merged:
        merged = False
        for k in range(len(clusters) - 1):
            _, top = placed(clusters[k])
            bottom, _ = placed(clusters[k + 1])
            if bottom - top < gap - 1e-9:
                clusters[k] = clusters[k] + clusters.pop(k + 1)
                merged = True
                break
    out = [0.0] * len(wanted)
    for cluster in clusters:
        first, _ = placed(cluster)
        for k, n in enumerate(cluster):
            out[n] = first + k * gap
    return out


_ID = re.compile(r'\bid="([^"]+)"')
#: Where a drawing names an id: ``id="x"``, ``"#x"`` (xlink:href) and ``url(#x)``.
_REFERENCE = re.compile(r'(\bid="|"#|url\(#)([^"()]+)([")])')


def svg(fig: Figure, prefix: str, label: str) -> str:
    """The figure as an inline ``<svg>`` element: same figure, same bytes.

    ``prefix`` is put before every id in the drawing (ids must be unique in a page) and
    ``label`` becomes its accessible name.
    """
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    ids = set(_ID.findall(text))

    def prefixed(found: re.Match[str]) -> str:
        start, name, end = found.groups()
        return f"{start}{prefix}-{name}{end}" if name in ids else found.group(0)

    # one pass over the text (a replace per id was quadratic in a chart of many actors)
    text = _REFERENCE.sub(prefixed, text)
    # the page sizes the chart (CSS), keeping the drawing's proportions
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    text = text.replace("<svg", f'<svg role="img" aria-label="{escaped}"', 1)
    return text.strip() + "\n"


def png(fig: Figure) -> bytes:
    """The figure as PNG (200 dpi; for slides)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
