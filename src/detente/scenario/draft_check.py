"""Checking a draft scenario: valid in everything but the numbers it still lacks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from detente.errors import Problem, ScenarioError
from detente.scenario.draft import is_draft, missing_numbers, with_placeholders
from detente.scenario.evidence import QuoteCheck, check_quotes
from detente.scenario.io import read_document, slug, validate_data

__all__ = ["DraftCheck", "check_draft", "read_draft"]


@dataclass(frozen=True)
class DraftCheck:
    """A draft that passed: its id, actors, evidence quotes checked, and the numbers missing."""

    id: str
    actors: int
    events: int
    missing: tuple[Problem, ...]
    quotes: QuoteCheck


def read_draft(path: Path) -> dict[str, object] | None:
    """The parsed document when ``path`` is a YAML or JSON draft, else None."""
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return None
    data, _ = read_document(path)
    return data if is_draft(data) else None


def check_draft(path: Path, folders: list[Path]) -> DraftCheck:
    """Check a draft as a scenario with its missing numbers filled by placeholders, and its
    quotes against their sources.

    Raises
    ------
    ScenarioError
        Anything wrong besides a missing number (every problem, with its line), a quote not
        found verbatim, or a source file not found.
    """
    data, lines = read_document(path)
    missing = missing_numbers(data)
    filled = with_placeholders(data)
    if "id" not in filled:
        filled = {"id": slug(path.stem), **filled}
    scenario = validate_data(filled, str(path), lines)
    quotes = check_quotes(scenario, folders)
    if quotes.problems or quotes.missing:
        raise ScenarioError([*quotes.problems, *quotes.missing]).in_file(path, lines)
    located = ScenarioError(missing).in_file(path, lines).problems if missing else ()
    named = data.get("actors") if isinstance(data.get("actors"), list) else []
    return DraftCheck(scenario.id, len(named), len(scenario.timeline), located, quotes)
