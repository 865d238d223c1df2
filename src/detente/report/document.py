"""The study document a report renders, read once into convenient lookups.

A report is made from a ``detente.study/1`` document (:meth:`detente.analysis.Study.to_json`,
kept by the run store): the scenario's copy, the forecast and simulation documents and each
issue's analyses. :class:`StudyView` reads it; nothing here runs a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from detente.errors import InputError
from detente.scenario.model import Scenario

__all__ = ["STUDY_SCHEMA", "StudyView"]

#: The document a report renders.
STUDY_SCHEMA = "detente.study/1"


@dataclass(frozen=True)
class StudyView:
    """A study document with lookups by issue, model and future."""

    doc: Mapping[str, Any]
    scenario: Scenario
    _forecasts: dict[str, list[dict[str, Any]]] = field(repr=False)
    _results: dict[tuple[str, str, str], dict[str, Any]] = field(repr=False)
    _issues: dict[str, dict[str, Any]] = field(repr=False)

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> StudyView:
        """Read a study document.

        Raises
        ------
        InputError
            ``doc`` is not a ``detente.study/1`` document.
        """
        if not isinstance(doc, Mapping) or doc.get("schema") != STUDY_SCHEMA:
            found = doc.get("schema") if isinstance(doc, Mapping) else type(doc).__name__
            raise InputError(f"a report renders a {STUDY_SCHEMA} document, not {found!r}")
        scenario = Scenario.model_validate(doc["scenario"]["copy"])
        forecasts = {i["id"]: list(i["forecasts"]) for i in doc["forecast"]["issues"]}
        sim = doc.get("simulation")
        results = {}
        for row in sim["results"] if sim else ():
            results[row["future"], row["model"], row["issue"]] = row
        issues = {i["id"]: i for i in doc["issues"]}
        return cls(doc, scenario, forecasts, results, issues)

    @property
    def simulation(self) -> Mapping[str, Any] | None:
        """The ``detente.simulate/1`` document, or None for a study without draws."""
        sim: Mapping[str, Any] | None = self.doc.get("simulation")
        return sim

    @property
    def models(self) -> list[str]:
        """The models run, in order."""
        return list(self.doc["models"])

    @property
    def futures(self) -> list[str]:
        """The simulation's futures (none without draws)."""
        sim = self.simulation
        return [f["name"] for f in sim["futures"]] if sim else []

    @property
    def simulated_models(self) -> list[str]:
        sim = self.simulation
        return [m["model"] for m in sim["models"]] if sim else []

    def forecasts(self, issue: str) -> list[dict[str, Any]]:
        """Each model's forecast entry on ``issue`` (``detente.forecast/1``)."""
        return self._forecasts[issue]

    def value(self, model: str, issue: str) -> float:
        """``model``'s forecast on ``issue``."""
        for entry in self._forecasts[issue]:
            if entry["model"] == model:
                return float(entry["value"])
        raise KeyError(model)

    def result(self, future: str, model: str, issue: str) -> dict[str, Any] | None:
        """The Monte Carlo summary of ``model`` on ``issue`` under ``future``, if any."""
        return self._results.get((future, model, issue))

    def trades(self) -> dict[str, dict[str, Any]]:
        """Per model that traded across issues, its exchanges (none in older documents)."""
        found: dict[str, dict[str, Any]] = dict(self.doc.get("trades") or {})
        return found

    def analyses(self, issue: str) -> dict[str, Any]:
        """The analyses of ``issue`` (first cut, dyads, advice, branches, sensitivity)."""
        return self._issues[issue]

    def label(self, actor: str) -> str:
        """An actor's display name (an actor a timeline adds keeps its id if unnamed)."""
        for a in self.scenario.actors:
            if a.id == actor:
                return a.label
        for event in self.scenario.timeline:
            for branch in [event, *event.branches.values()]:
                for a in branch.add_actors:
                    if a.id == actor:
                        return a.label
        return actor
