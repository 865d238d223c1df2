"""Questions: what is forecast, by when it resolves, and how an outcome will be read.

A question is written before the fact. It names a scenario's issue (or a threshold on it, such
as ``disarmament >= 75``), the date by which it resolves, and a **resolution rubric**: how a
real-world outcome is mapped onto the issue's scale, anchored to the scale's labels, and what
counts as "no outcome". Its ``detente.question/1`` document is kept in the run store and copied
into every seal of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from detente.errors import InputError

if TYPE_CHECKING:
    from detente.scenario import Scenario

__all__ = ["QUESTION_SCHEMA", "make_question", "threshold_of"]

#: Version tag of a question's document.
QUESTION_SCHEMA = "detente.question/1"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_THRESHOLD = re.compile(r"(>=|<=|>|<)")
_MAX_TEXT = 4000


def make_question(
    question_id: str,
    scenario: Scenario,
    what: str,
    *,
    resolves_by: dt.date,
    rubric: str,
    anchors: Mapping[float, str],
    no_outcome: str,
    title: str | None = None,
    written_at: dt.datetime | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A question's ``detente.question/1`` document, checked against its scenario.

    Parameters
    ----------
    question_id
        Lower-case letters, digits and hyphens (at most 80), e.g. ``six-party-first-agreement``.
    scenario
        The scenario whose issue is forecast.
    what
        An issue id (``disarmament``), or a threshold on one (``disarmament >= 75``).
    resolves_by
        The date by which the question resolves.
    rubric
        How a real-world outcome is mapped onto the issue's scale.
    anchors
        For anchor points of the issue's scale (its labelled values), what real-world outcome
        maps there; at least one.
    no_outcome
        What counts as "no outcome" (the question then resolves without a value).
    title
        What is forecast, in words (default: the issue's name).
    written_at
        When the question was written (default: now, UTC).
    note
        Anything a reader should know (e.g. that it was written after the fact).

    Raises
    ------
    InputError
        A bad id, an unknown issue, a threshold off the scale, an anchor that is not one of the
        scale's labelled points, or an empty rubric.
    """
    from detente.simulate.questions import parse_question

    if not _ID.match(question_id):
        raise InputError(
            f"question id {question_id!r}: use lower-case letters, digits and hyphens (at most "
            "80), starting with a letter or digit, e.g. six-party-first-agreement"
        )
    threshold: dict[str, Any] | None = None
    if _THRESHOLD.search(what):
        asked = parse_question(what, scenario, flag="--issue")
        issue_id = asked.issue
        threshold = {"op": asked.op, "value": asked.value, "text": asked.text}
    else:
        issue_id = what.strip()
        if issue_id not in scenario.issue_ids:
            raise InputError(
                f"question {question_id}: no issue '{issue_id}' in scenario {scenario.id}; its "
                f"issues are: {', '.join(scenario.issue_ids)}"
            )
    issue = scenario.issue(issue_id)
    labels = {float(k): str(v) for k, v in issue.scale.items()}
    for name, text in (("rubric", rubric), ("no-outcome rule", no_outcome)):
        if not text or not text.strip():
            raise InputError(f"question {question_id}: the {name} must not be empty")
        if len(text) > _MAX_TEXT:
            raise InputError(f"question {question_id}: the {name} has more than {_MAX_TEXT} chars")
    if not anchors:
        raise InputError(
            f"question {question_id}: anchor the rubric to the scale's labels: say for at least "
            f"one of its anchor points ({', '.join(f'{a:g}' for a in labels)}) which outcome maps "
            'there (--anchor 75="...")'
        )
    rubric_anchors: dict[str, dict[str, str]] = {}
    for point, text in sorted(anchors.items()):
        if float(point) not in labels:
            raise InputError(
                f"question {question_id}: {point:g} is not an anchor point of the scale of "
                f"'{issue_id}' (its labelled points are {', '.join(f'{a:g}' for a in labels)})"
            )
        if not text.strip():
            raise InputError(f"question {question_id}: anchor {point:g} has no text")
        rubric_anchors[f"{float(point):g}"] = {"label": labels[float(point)], "outcome": text}
    written = written_at or dt.datetime.now(dt.UTC)
    return {
        "schema": QUESTION_SCHEMA,
        "id": question_id,
        "title": title or issue.name,
        "scenario": {"id": scenario.id, "name": scenario.name},
        "issue": {
            "id": issue_id,
            "name": issue.name,
            "min": float(issue.min),
            "max": float(issue.max),
            "scale": {f"{a:g}": label for a, label in labels.items()},
        },
        "threshold": threshold,
        "resolves_by": resolves_by.isoformat(),
        "rubric": {"text": rubric.strip(), "anchors": rubric_anchors, "no_outcome": no_outcome},
        "written_at": written.astimezone(dt.UTC).isoformat(),
        "note": note,
    }


def threshold_of(question: Mapping[str, Any]) -> tuple[str, float] | None:
    """The question's threshold as ``(op, value)``, or None for a question on the value."""
    found = question.get("threshold")
    if not isinstance(found, Mapping):
        return None
    return str(found["op"]), float(found["value"])
