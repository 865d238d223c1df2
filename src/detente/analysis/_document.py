"""The head every analysis's JSON document starts with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from detente._version import __version__

if TYPE_CHECKING:
    from detente.scenario.model import Scenario


def headed_document(schema: str, scenario: Scenario, body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` headed by its ``schema``, this detente's version and ``scenario``'s reference,
    as the commands print it with ``--json``."""
    return {
        "schema": schema,
        "detente_version": __version__,
        "scenario": scenario.reference(),
        **body,
    }
