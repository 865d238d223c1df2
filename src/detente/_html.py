"""Small HTML tables for notebook display (``_repr_html_``): escaped text, no scripts.

Every result that a notebook shows builds its display from these helpers, so that every string
from a scenario (names, ids, labels, notes) passes through :func:`html.escape` once, here: a
cell, a caption or a line is always text, never markup. The output is plain tables with a
little inline style (no JavaScript, no external CSS), cheap to build: a display never runs a
model.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

__all__ = [
    "BRIEF_ROWS",
    "Cell",
    "block",
    "count",
    "interval",
    "line",
    "number",
    "table",
    "text",
]

#: Rows a display lists before it says how many more there are.
BRIEF_ROWS = 60

#: A table cell: text (escaped) or a number (right-aligned; ``None`` and NaN show as "-").
Cell = str | int | float | None

_TABLE = "border-collapse:collapse;margin:0.3em 0;font-size:0.9em"
_HEAD = "text-align:left;border-bottom:1px solid #999"


def text(value: object) -> str:
    """``value`` as HTML text: ``&``, ``<``, ``>`` and both quotes escaped."""
    return html.escape(str(value), quote=True)


def number(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals; "-" for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun, plural unless ``n`` is 1 ("1 issue", "3 issues")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def interval(bounds: Sequence[float] | None, digits: int = 1, missing: str = "-") -> str:
    """``low-high`` of an interval, or ``missing`` when there is none."""
    if bounds is None:
        return missing
    return f"{number(bounds[0], digits)}-{number(bounds[1], digits)}"


def _cell(value: Cell, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | None):
        return f"<td>{text(value)}</td>"
    shown = str(value) if isinstance(value, int) else number(value, digits)
    return f'<td style="text-align:right">{shown}</td>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    caption: str | None = None,
    digits: int = 1,
) -> str:
    """An HTML table: ``header`` and ``caption`` as text, each row's cells by :data:`Cell`."""
    parts = [f'<table style="{_TABLE}">']
    if caption:
        parts.append(f'<caption style="text-align:left;font-weight:bold">{text(caption)}</caption>')
    parts.append(
        "<thead><tr>" + "".join(f'<th style="{_HEAD}">{text(h)}</th>' for h in header) + "</tr>"
    )
    parts.append("</thead><tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(_cell(value, digits) for value in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def line(value: object, *, bold: bool = False) -> str:
    """A paragraph of text."""
    body = f"<strong>{text(value)}</strong>" if bold else text(value)
    return f'<p style="margin:0.2em 0">{body}</p>'


def block(title: str, *parts: str) -> str:
    """A display: ``title`` (text) in bold above ``parts`` (HTML from these helpers)."""
    return "<div>" + line(title, bold=True) + "".join(parts) + "</div>"
