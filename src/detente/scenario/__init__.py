"""Scenarios: the validated description of a negotiation, its files, importers and exporters."""

from detente.scenario.evidence import check_quotes
from detente.scenario.io import dump_json, dump_yaml, load, loads, save
from detente.scenario.model import (
    Actor,
    Branch,
    Event,
    Evidence,
    Group,
    Issue,
    Scenario,
    Source,
    Variant,
)
from detente.scenario.overrides import Override, apply_overrides, parse_override, with_input

__all__ = [
    "Actor",
    "Branch",
    "Event",
    "Evidence",
    "Group",
    "Issue",
    "Override",
    "Scenario",
    "Source",
    "Variant",
    "apply_overrides",
    "check_quotes",
    "dump_json",
    "dump_yaml",
    "load",
    "loads",
    "parse_override",
    "save",
    "with_input",
]
