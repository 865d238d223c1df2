"""Checks shared by the tests of charts."""

from __future__ import annotations

import itertools
from typing import Any


def assert_labels_apart(name: str, fig: Any) -> None:
    """No two texts of a chart overlap, and none is cut off at the page's edges."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = []
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        ticks = [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
        ticks += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
        for text in [*ax.texts, *ticks]:
            if text.get_visible() and text.get_text().strip():
                boxes.append((text.get_text(), text.get_window_extent(renderer)))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.shrunk(0.97, 0.9).overlaps(box_b.shrunk(0.97, 0.9)), (
            f"{name}: '{a}' overlaps '{b}'"
        )
    width = fig.get_figwidth() * fig.dpi
    for text, box in boxes:
        assert box.x0 >= -1, f"{name}: '{text}' is cut off"
        assert box.x1 <= width + 1, f"{name}: '{text}' is cut off"
