"""Threshold questions: how likely is it that the outcome reaches a value?

A question is ``ISSUE OP VALUE`` with OP one of ``>=``, ``>``, ``<=``, ``<`` (for example
``disarmament >= 75``; the issue may be left out when the scenario has one). Over Monte Carlo
draws its answer is the share of draws whose forecast meets it, with the Monte Carlo standard
error ``sqrt(p (1 - p) / n)``: how far the share could move with other draws of the same inputs,
not how far the model may be wrong.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from detente.calibration import Predictive
from detente.errors import InputError
from detente.scenario.model import Scenario

__all__ = ["Question", "parse_question"]

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
_SHAPE = re.compile(
    r"^\s*(?P<issue>[A-Za-z0-9][A-Za-z0-9_\-]*)?\s*(?P<op>>=|<=|>|<)\s*(?P<value>\S+)\s*$"
)


@dataclass(frozen=True)
class Question:
    """``issue op value``, as asked (``text``)."""

    issue: str
    op: str
    value: float
    text: str

    def met(self, values: np.ndarray) -> np.ndarray:
        """Whether each forecast meets the threshold."""
        return np.asarray(_OPS[self.op](np.asarray(values, dtype=float), self.value))

    def calibrated(self, found: Predictive | None) -> float | None:
        """The probability that the outcome meets the question under a calibrated
        distribution (:class:`detente.calibration.Predictive`); None without one."""
        if found is None:
            return None
        if self.op == ">=":
            return 1.0 - found.below(self.value)
        if self.op == ">":
            return 1.0 - found.at_most(self.value)
        if self.op == "<=":
            return found.at_most(self.value)
        return found.below(self.value)

    def answer(self, values: np.ndarray) -> tuple[float, float]:
        """The share of ``values`` that meet it, and its Monte Carlo standard error."""
        met = self.met(values)
        n = met.size
        p = float(met.mean()) if n else float("nan")
        return p, float(np.sqrt(p * (1.0 - p) / n)) if n else float("nan")


def parse_question(text: str, scenario: Scenario, flag: str = "--question") -> Question:
    """Read ``ISSUE OP VALUE`` against ``scenario``'s issues.

    Raises
    ------
    InputError
        Not that shape, an unknown issue, or a value off the issue's scale.
    """
    match = _SHAPE.match(text)
    if match is None:
        raise InputError(
            f"{flag} {text!r}: a question looks like 'ISSUE >= VALUE' (or >, <=, <), for "
            f"example '{scenario.issue_ids[0]} >= 75'"
        )
    issue = match["issue"]
    if issue is None:
        if len(scenario.issues) != 1:
            known = ", ".join(scenario.issue_ids)
            raise InputError(f"{flag} {text!r}: name the issue (issues: {known})")
        issue = scenario.issue_ids[0]
    if issue not in scenario.issue_ids:
        known = ", ".join(scenario.issue_ids)
        raise InputError(f"{flag} {text!r}: no issue '{issue}'; issues are: {known}")
    try:
        value = float(match["value"])
    except ValueError:
        raise InputError(f"{flag} {text!r}: '{match['value']}' is not a number") from None
    scale = scenario.issue(issue)
    if not scale.min <= value <= scale.max:
        raise InputError(
            f"{flag} {text!r}: {value:g} is outside the scale of '{issue}' "
            f"({scale.min:g} to {scale.max:g})"
        )
    return Question(issue, match["op"], value, f"{issue} {match['op']} {value:g}")
