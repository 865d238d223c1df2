"""Draft scenarios: a scenario file whose numbers are still to come.

``detente extract`` writes a draft: the actors an article names, its quotes as evidence, its
dated events, and ``draft: true`` at the top. Everything in a draft must be valid as in any
scenario; only numbers may be missing: an actor's ``capability``, its ``position`` and
``salience`` on each issue, the issues themselves (a draft may list none yet), and the second
actor of a negotiation (a draft may name one actor only).
``detente validate`` accepts a draft and names each missing number; every command that runs a
model refuses it, naming the file, until the numbers are in and the ``draft`` line is gone.
"""

from __future__ import annotations

import copy
from typing import Any

from detente.errors import InputError, Problem

__all__ = ["DRAFT_KEY", "is_draft", "missing_numbers", "refuse_draft", "with_placeholders"]

#: The top-level key that marks a draft (``draft: true``).
DRAFT_KEY = "draft"
#: The issue a draft with none is checked with (never written, never shown).
_PLACEHOLDER_ISSUE = "draft-issue"


def is_draft(data: Any) -> bool:
    """Whether parsed scenario data is marked as a draft."""
    return isinstance(data, dict) and data.get(DRAFT_KEY) is True


def missing_numbers(data: dict[str, Any]) -> list[Problem]:
    """Every number a draft still lacks, one problem each, with its place in the document."""
    problems: list[Problem] = []
    issues = [i.get("id") for i in data.get("issues") or [] if isinstance(i, dict)]
    if not issues:
        problems.append(
            Problem("issues", "no issue yet: add at least one issue with its scale", ("issues",))
        )
    actors = data.get("actors") or []
    if len(actors) < 2:
        problems.append(
            Problem(
                "actors",
                f"{len(actors)} actor(s) so far: a negotiation needs at least 2",
                ("actors",),
            )
        )
    for n, actor in enumerate(actors):
        if not isinstance(actor, dict):
            continue
        where = f"actors[{actor.get('id', n)}]"
        if actor.get("capability") is None:
            problems.append(Problem(f"{where}.capability", "capability missing", ("actors", n)))
        for field in ("position", "salience"):
            value = actor.get(field)
            given: dict[Any, Any] = value if isinstance(value, dict) else {}
            if not issues:
                problems.append(
                    Problem(
                        f"{where}.{field}",
                        f"{field} missing (on every issue, once there are issues)",
                        ("actors", n),
                    )
                )
            for issue in issues:
                if given.get(issue) is None:
                    problems.append(
                        Problem(
                            f"{where}.{field}.{issue}",
                            f"{field} on '{issue}' missing",
                            ("actors", n),
                        )
                    )
    return problems


def with_placeholders(data: dict[str, Any]) -> dict[str, Any]:
    """The draft with its ``draft`` mark removed and every missing number filled with a
    placeholder, so that the rest of it can be checked as a scenario."""
    out = copy.deepcopy(data)
    out.pop(DRAFT_KEY, None)
    if not out.get("issues"):
        out["issues"] = [{"id": _PLACEHOLDER_ISSUE}]
    actors = out.get("actors")
    if isinstance(actors, list) and len(actors) < 2:  # the second actor is still to come
        taken = {a.get("id") for a in actors if isinstance(a, dict)}
        for n in range(2 - len(actors)):
            placeholder = f"draft-actor-{n}"
            if placeholder not in taken:
                out["actors"] = [*out["actors"], {"id": placeholder}]
    issues = [i for i in out["issues"] if isinstance(i, dict)]
    lowest = {i.get("id"): i.get("min", 0) for i in issues}
    for actor in out.get("actors") or []:
        if not isinstance(actor, dict):
            continue
        if actor.get("capability") is None:
            actor["capability"] = 1
        for field in ("position", "salience"):
            value = actor.get(field)
            filled: dict[Any, Any] = dict(value) if isinstance(value, dict) else {}
            for issue_id, low in lowest.items():
                if filled.get(issue_id) is None:
                    filled[issue_id] = low if field == "position" else 50
            actor[field] = filled
    return out


def refuse_draft(data: dict[str, Any], file: str) -> InputError:
    """The error a model-running command gives for a draft."""
    missing = missing_numbers(data)
    listed = "; ".join(p.where for p in missing[:6])
    more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
    return InputError(
        f"{file} is a draft scenario (draft: true): {len(missing)} number(s) still missing "
        f"({listed}{more}). Fill them in, delete the 'draft: true' line, and check it with "
        f"detente validate {file}"
    )
