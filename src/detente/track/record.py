"""Resolutions and the track record: every sealed vintage scored against the outcome.

A resolution (``detente.resolution/1``) records a question's outcome on the issue's scale (or
"no outcome"), the reading it belongs to (a question may be read against more than one
document, e.g. a first statement and the agreement that implemented it), its source and a
verbatim quote as evidence, and the branch of the scenario's timeline that came true, if any.

:func:`score` gives, per sealed vintage, model and branch: the absolute error of the point,
the CRPS of the sealed distribution (a point's is its absolute error), whether the outcome fell
in the 50% and 80% central intervals, and for a threshold question the Brier score of the
probability sealed. :func:`track_document` gathers records (the bundled worked example and the
user's own store) into the ``detente.track/1`` document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from detente._version import __version__
from detente.errors import InputError
from detente.track.questions import threshold_of
from detente.track.scores import brier, crps_from_quantiles, interval, met
from detente.track.seal import check_document

__all__ = [
    "RESOLUTION_SCHEMA",
    "TRACK_SCHEMA",
    "Record",
    "make_resolution",
    "question_record",
    "score",
    "track_document",
]

#: Version tag of a resolution's document.
RESOLUTION_SCHEMA = "detente.resolution/1"
#: Version tag of the document ``detente track --json`` prints.
TRACK_SCHEMA = "detente.track/1"
_MAX_TEXT = 4000


def make_resolution(
    question: Mapping[str, Any],
    outcome: float | None,
    *,
    source: str,
    quote: str | None = None,
    reading: str = "main",
    branch: str | None = None,
    reason: str | None = None,
    resolved_at: dt.datetime | None = None,
    quote_checked: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """A resolution's ``detente.resolution/1`` document, checked against its question.

    Parameters
    ----------
    question
        The question's document.
    outcome
        The outcome on the issue's scale, read by the question's rubric; ``None`` for "no
        outcome" (the rubric's no-outcome rule applies).
    source
        Where the outcome is documented (title, date, place, address).
    quote
        A verbatim quote from the source, the evidence of the outcome.
    reading
        Which reading of the question this is (``main`` unless a question is read against more
        than one document).
    branch
        The branch of the scenario's timeline that came true, if any.
    reason
        Why the rubric gives this value.
    quote_checked
        How the quote was checked (e.g. against a stored copy of the source), or None.

    Raises
    ------
    InputError
        An outcome off the issue's scale or not a number, an empty source, a bad reading name.
    """
    issue = question["issue"]
    if outcome is not None and (
        outcome != outcome or not float(issue["min"]) <= outcome <= float(issue["max"])
    ):
        raise InputError(
            f"question {question['id']}: outcome {outcome:g} is outside the scale of "
            f"'{issue['id']}' ({float(issue['min']):g} to {float(issue['max']):g})"
        )
    if not source or not source.strip():
        raise InputError(f"question {question['id']}: give the outcome's source (--source)")
    if not reading or not reading.replace("-", "").isalnum() or len(reading) > 40:
        raise InputError(
            f"reading {reading!r}: letters, digits and hyphens, at most 40 (e.g. 2005-statement)"
        )
    for name, text in (("source", source), ("quote", quote), ("reason", reason)):
        if text is not None and len(text) > _MAX_TEXT:
            raise InputError(
                f"question {question['id']}: the {name} has more than {_MAX_TEXT} chars"
            )
    when = (resolved_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return {
        "schema": RESOLUTION_SCHEMA,
        "question": question["id"],
        "reading": reading,
        "outcome": None if outcome is None else float(outcome),
        "no_outcome": outcome is None,
        "branch": branch,
        "source": source.strip(),
        "quote": quote,
        "quote_checked": quote_checked,
        "reason": reason,
        "resolved_at": when.isoformat(),
        "note": note,
    }


def score(
    question: Mapping[str, Any], forecast: Mapping[str, Any], resolution: Mapping[str, Any]
) -> dict[str, Any]:
    """One sealed forecast's scores against one resolution.

    Returns
    -------
    dict
        ``abs_error``, ``crps`` and ``crps_of`` (``"distribution"``, or ``"point"`` when only a
        point was sealed: its CRPS is then its absolute error), ``in_50`` and ``in_80`` (None
        without intervals), ``brier`` (threshold questions), ``branch_came_true``; every score
        None when the question resolved with no outcome.
    """
    outcome = resolution.get("outcome")
    realised = resolution.get("branch")
    came_true = (
        None
        if realised is None or forecast.get("branch") is None
        else (forecast["branch"] == realised)
    )
    empty: dict[str, Any] = {
        "reading": resolution["reading"],
        "outcome": outcome,
        "abs_error": None,
        "crps": None,
        "crps_of": None,
        "in_50": None,
        "in_80": None,
        "brier": None,
        "branch_came_true": came_true,
    }
    if outcome is None:
        return empty
    y = float(outcome)
    dist = forecast["distribution"]
    levels, quantiles = dist["levels"], dist["quantiles"]
    point = float(forecast["point"])
    out = {**empty, "abs_error": abs(point - y)}
    if levels:
        out["crps"] = crps_from_quantiles(levels, quantiles, y)
        out["crps_of"] = "distribution"
        for name, coverage in (("in_50", 0.5), ("in_80", 0.8)):
            ends = _interval(dist, coverage)
            out[name] = None if ends is None else bool(ends[0] <= y <= ends[1])
    else:
        out["crps"] = abs(point - y)
        out["crps_of"] = "point"
    threshold = threshold_of(question)
    if threshold is not None and "probability" in forecast:
        out["brier"] = brier(float(forecast["probability"]), met(threshold[0], y, threshold[1]))
    return out


def _interval(dist: Mapping[str, Any], coverage: float) -> tuple[float, float] | None:
    """A sealed distribution's interval of ``coverage``: the calibrated interval it shows when
    it has one (its level learned out of fold), else the central interval of its quantiles."""
    shown = (dist.get("intervals") or {}).get(f"{round(coverage * 100)}")
    if shown is not None:
        return float(shown[0]), float(shown[1])
    if not dist["levels"]:
        return None
    return interval(dist["levels"], dist["quantiles"], coverage)


def _intervals(forecast: Mapping[str, Any]) -> dict[str, list[float] | None]:
    dist = forecast["distribution"]
    out: dict[str, list[float] | None] = {}
    for name, coverage in (("interval_50", 0.5), ("interval_80", 0.8)):
        ends = _interval(dist, coverage)
        out[name] = None if ends is None else [ends[0], ends[1]]
    return out


@dataclass
class Record:
    """A set of questions with their seals and resolutions, from one origin (the bundled
    worked example, or a run store)."""

    origin: str
    questions: list[dict[str, Any]]
    seals: list[dict[str, Any]]
    resolutions: list[dict[str, Any]]
    note: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    #: Problems found checking each seal against its run (seal id -> problems); seals absent
    #: here were checked on their document alone.
    run_checks: dict[str, list[str]] = field(default_factory=dict)


def question_record(
    question: dict[str, Any],
    seals: Iterable[dict[str, Any]],
    resolutions: Iterable[dict[str, Any]],
    history: Iterable[dict[str, Any]] = (),
    run_checks: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """One question's record: its vintages (seals, oldest first) with their forecasts,
    intervals and scores against each current resolution."""
    current = [r for r in resolutions if r["question"] == question["id"]]
    vintages = []
    for seal in sorted(
        (s for s in seals if s["question"]["id"] == question["id"]),
        key=lambda s: (s["sealed_at"], s["id"]),
    ):
        problems = check_document(seal)
        if run_checks and seal["id"] in run_checks:
            problems = [*problems, *run_checks[seal["id"]]]
        forecasts = []
        for forecast in seal["forecasts"]:
            entry = {
                "model": forecast["model"],
                "branch": forecast["branch"],
                "point": forecast["point"],
                "distribution": forecast["distribution"]["kind"],
                **_intervals(forecast),
                "probability": forecast.get("probability"),
                "scores": [score(question, forecast, r) for r in current],
            }
            forecasts.append(entry)
        vintages.append(
            {
                "seal": seal["id"],
                "sealed_at": seal["sealed_at"],
                "run": seal["run"]["id"],
                "digest": seal["digest"],
                "verified": not problems,
                "problems": problems,
                "note": seal.get("note"),
                "forecasts": forecasts,
            }
        )
    return {
        "question": question,
        "resolutions": current,
        "replaced": [r for r in history if r["question"] == question["id"]],
        "vintages": vintages,
    }


def track_document(records: Iterable[Record]) -> dict[str, Any]:
    """The ``detente.track/1`` document of ``records``."""
    return {
        "schema": TRACK_SCHEMA,
        "detente_version": __version__,
        "records": [
            {
                "origin": record.origin,
                "note": record.note,
                "questions": [
                    question_record(
                        q, record.seals, record.resolutions, record.history, record.run_checks
                    )
                    for q in record.questions
                ],
            }
            for record in records
        ],
    }
