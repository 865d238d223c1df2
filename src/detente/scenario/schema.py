"""The JSON Schema of the scenario format (``detente schema``)."""

from __future__ import annotations

from typing import Any

from detente._version import __version__
from detente.scenario.model import Scenario

__all__ = ["SCHEMA_ID", "scenario_schema"]

SCHEMA_ID = "https://detente.invalid/schema/scenario-1.json"


def scenario_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for scenario files.

    The schema checks structure and types; cross-field rules (ids unique, positions on the
    issue's scale, every actor placed on every issue, ranges containing their value, quotes
    found in their sources) are enforced by ``detente validate``.
    """
    schema = Scenario.model_json_schema(mode="validation")
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "detente scenario",
        "description": (
            f"Scenario file format of detente {__version__}. Structure and types only; "
            "`detente validate` also checks cross-field rules."
        ),
    }
