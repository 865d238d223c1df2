"""The report's sections, one module each: each turns part of a study document into template
data and charts, in the order the report reads.

Every section function takes the :class:`~detente.report.document.StudyView`, and the
per-issue ones an issue, the actors' colours and ``add`` (which keeps a chart and returns its
name). Nothing here runs a model.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

#: Keeps a chart (name, caption, figure) and returns its name.
AddChart = Callable[[str, str, Figure], str]

__all__ = ["AddChart"]
