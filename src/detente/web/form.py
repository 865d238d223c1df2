"""The editor's form and the scenario document: one to the other, and problems to fields.

The form is flat: ``issue-J-id``, ``actor-N-capability``, ``actor-N-pos-J`` (the position of
actor N on the J-th issue), ``range-R-low``, ``evidence-K-quote``, ``event-E-branches`` and so
on. The page also carries the document it was loaded from (``base``, JSON), so that what the
form does not show (actor and issue descriptions, units, groups, model options, a source's
author, a branch's name) is kept on save: each row names the row of the base it came from
(``actor-N-orig``).

Validation is the scenario package's (:func:`detente.scenario.io.validate_data`), so a
problem reads as the CLI's ``detente validate`` prints it; :func:`field_of` says which input
of the form a problem is about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from detente.errors import Problem

__all__ = ["MAX_FIELDS", "MAX_ROWS", "document_from_form", "field_of", "parse_grid", "rows_of"]

#: The most rows of one kind the form takes (issues, actors, evidence, events, sources).
MAX_ROWS = 2000
#: The most fields a form may carry (200 actors x 3 issues take about 1,500).
MAX_FIELDS = 50_000
_ROW = re.compile(r"^(issue|actor|source|evidence|range|event)-(\d{1,4})-")

_ISSUE_KEYS = ("id", "name", "min", "max", "status_quo", "scale")
_ACTOR_KEYS = (
    "id",
    "name",
    "aliases",
    "capability",
    "position",
    "salience",
    "evidence",
    "uncertainty",
)
_EVENT_KEYS = ("at", "name", "set", "shift", "branches")
_SOURCE_KEYS = ("id", "title", "url", "file")


def rows_of(form: Mapping[str, str], kind: str) -> list[int]:
    """The row numbers of ``kind`` in the form, in order."""
    found = set()
    for key in form:
        match = _ROW.match(key)
        if match and match.group(1) == kind:
            found.add(int(match.group(2)))
    return sorted(found)[:MAX_ROWS]


def _number(text: str) -> Any:
    """A number where the text is one; the text otherwise (validation then says what is wrong)."""
    text = text.strip()
    try:
        return int(text) if re.fullmatch(r"[-+]?\d{1,15}", text) else float(text)
    except ValueError:
        return text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _base(form: Mapping[str, str]) -> dict[str, Any]:
    try:
        base = json.loads(form.get("base", "") or "{}")
    except ValueError:
        return {}
    return base if isinstance(base, dict) else {}


def _orig(form: Mapping[str, str], prefix: str, items: list[Any]) -> dict[str, Any]:
    """The base's row this form row came from (an empty mapping for a new row)."""
    raw = form.get(f"{prefix}orig", "")
    if (
        raw.isascii()
        and raw.isdigit()
        and int(raw) < len(items)
        and isinstance(items[int(raw)], dict)
    ):
        return dict(items[int(raw)])
    return {}


def document_from_form(
    form: Mapping[str, str],
) -> tuple[dict[str, Any], dict[tuple[Any, ...], int]]:
    """The scenario document the form describes, and where each evidence and range row went.

    Returns
    -------
    document
        Plain data for :func:`detente.scenario.io.validate_data`.
    placed
        ``("evidence", actor index, evidence index)`` and ``("range", actor index, input)`` ->
        the row of the form, to place problems.
    """
    base = _base(form)
    doc: dict[str, Any] = {k: v for k, v in base.items() if k not in ("issues", "actors")}
    for key in ("id", "name", "as_of", "description"):
        value = form.get(key, "").strip()
        if value:
            doc[key] = value
        else:
            doc.pop(key, None)

    issues, issue_ids = [], []
    for j in rows_of(form, "issue"):
        p = f"issue-{j}-"
        issue = {k: v for k, v in _orig(form, p, base.get("issues", [])).items()}
        for key in _ISSUE_KEYS:
            issue.pop(key, None)
        issue["id"] = form.get(p + "id", "").strip()
        if form.get(p + "name", "").strip():
            issue["name"] = form[p + "name"].strip()
        for key, field in (("min", "min"), ("max", "max"), ("status_quo", "sq")):
            if form.get(p + field, "").strip():
                issue[key] = _number(form[p + field])
        scale: dict[Any, str] = {}
        for line in _lines(form.get(p + "scale", "")):
            at, _, label = line.partition(":")
            scale[_number(at)] = label.strip()
        if scale:
            issue["scale"] = scale
        issues.append(issue)
        issue_ids.append(issue["id"])
    doc["issues"] = issues

    actors: list[dict[str, Any]] = []
    for n in rows_of(form, "actor"):
        p = f"actor-{n}-"
        actor = {k: v for k, v in _orig(form, p, base.get("actors", [])).items()}
        for key in _ACTOR_KEYS:
            actor.pop(key, None)
        actor["id"] = form.get(p + "id", "").strip()
        if form.get(p + "name", "").strip():
            actor["name"] = form[p + "name"].strip()
        aliases = [a.strip() for a in form.get(p + "aliases", "").split(",") if a.strip()]
        if aliases:
            actor["aliases"] = aliases
        actor["capability"] = _number(form.get(p + "capability", ""))
        actor["position"] = {
            issue: _number(form.get(f"{p}pos-{j}", "")) for j, issue in enumerate(issue_ids)
        }
        actor["salience"] = {
            issue: _number(form.get(f"{p}sal-{j}", "")) for j, issue in enumerate(issue_ids)
        }
        actors.append(actor)
    doc["actors"] = actors

    sources = []
    for r in rows_of(form, "source"):
        p = f"source-{r}-"
        source = {k: v for k, v in _orig(form, p, base.get("sources", [])).items()}
        for key in _SOURCE_KEYS:
            source.pop(key, None)
            if form.get(p + key, "").strip():
                source[key] = form[p + key].strip()
        sources.append(source)
    if sources:
        doc["sources"] = sources
    else:
        doc.pop("sources", None)

    placed: dict[tuple[Any, ...], int] = {}
    by_id = {a["id"]: i for i, a in enumerate(actors)}
    for r in rows_of(form, "evidence"):
        p = f"evidence-{r}-"
        who = form.get(p + "actor", "").strip()
        item = {
            "source": form.get(p + "source", "").strip(),
            "supports": form.get(p + "supports", "").strip(),
            "quote": form.get(p + "quote", "").strip(),
        }
        if form.get(p + "note", "").strip():
            item["note"] = form[p + "note"].strip()
        i = _actor_index(actors, by_id, who)
        listed = actors[i].setdefault("evidence", [])
        placed[("evidence", i, len(listed))] = r
        listed.append(item)

    for r in rows_of(form, "range"):
        p = f"range-{r}-"
        i = _actor_index(actors, by_id, form.get(p + "actor", "").strip())
        key = form.get(p + "input", "").strip()
        bounds = [form.get(p + k, "").strip() for k in ("low", "mode", "high")]
        values = [_number(b) for b in bounds if b]
        actors[i].setdefault("uncertainty", {})[key] = values
        placed[("range", i, key)] = r

    events = []
    for e in rows_of(form, "event"):
        p = f"event-{e}-"
        orig = _orig(form, p, base.get("timeline", []))
        event = dict(orig)
        for key in _EVENT_KEYS:
            event.pop(key, None)
        at = form.get(p + "at", "").strip()
        event["at"] = int(at) if at.isascii() and at.isdigit() else at
        if form.get(p + "name", "").strip():
            event["name"] = form[p + "name"].strip()
        event |= _changes(_lines(form.get(p + "set", "")))
        branches = {}
        old = orig.get("branches") or {}
        for line in _lines(form.get(p + "branches", "")):
            head, _, rest = line.partition(":")
            bid, _, chance = head.strip().partition(" ")
            branch = {k: v for k, v in (old.get(bid) or {}).items() if k not in _BRANCH_KEYS}
            if chance.strip():
                branch["probability"] = _number(chance)
            branch |= _changes([c for c in re.split(r"[,;]", rest) if c.strip()])
            branches[bid] = branch
        if branches:
            event["branches"] = branches
        events.append(event)
    if events:
        doc["timeline"] = events
    else:
        doc.pop("timeline", None)
    return doc, placed


_BRANCH_KEYS = ("probability", "set", "shift")


def _changes(items: list[str]) -> dict[str, Any]:
    """``set`` and ``shift`` of an event or branch from ``KEY=VALUE`` and ``KEY+=AMOUNT``."""
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        key, _, value = item.partition("=")
        kind = "shift" if key.rstrip().endswith("+") else "set"
        found.setdefault(kind, {})[key.strip().rstrip("+").strip()] = _number(value)
    return found


def _actor_index(actors: list[dict[str, Any]], by_id: dict[str, int], who: str) -> int:
    """The actor ``who``; an unknown id becomes an actor of its own, which validation names."""
    if who not in by_id:
        by_id[who] = len(actors)
        actors.append({"id": who})
    return by_id[who]


def field_of(
    problem: Problem,
    doc: Mapping[str, Any],
    placed: Mapping[tuple[Any, ...], int],
    rows: Mapping[str, list[int]],
) -> str | None:
    """The form input a problem is about (its ``name``), or None when no one input is."""
    path = problem.path
    if not path:
        return None
    head = path[0]
    if head in ("id", "name", "as_of", "description") and len(path) == 1:
        return str(head)
    if len(path) < 2 or not isinstance(path[1], int):
        return None
    index = path[1]
    rest = path[2:]
    issue_ids = [i.get("id") for i in doc.get("issues", [])]
    if head == "issues" and index < len(rows["issue"]):
        key = str(rest[0]) if rest else "id"
        key = {"status_quo": "sq"}.get(key, key)
        known = ("id", "name", "min", "max", "sq", "scale")
        return f"issue-{rows['issue'][index]}-{key if key in known else 'id'}"
    if head == "actors":
        if rest[:1] == ("evidence",) and len(rest) >= 2 and isinstance(rest[1], int):
            row = placed.get(("evidence", index, rest[1]))
            if row is None:
                return None
            key = str(rest[2]) if len(rest) > 2 else "quote"
            return f"evidence-{row}-{key if key in ('source', 'supports', 'quote') else 'quote'}"
        if rest[:1] == ("uncertainty",) and len(rest) >= 2:
            row = placed.get(("range", index, rest[1]))
            return None if row is None else f"range-{row}-low"
        if index >= len(rows["actor"]):
            return None
        n = rows["actor"][index]
        if rest[:1] in (("position",), ("salience",)) and len(rest) >= 2 and rest[1] in issue_ids:
            short = "pos" if rest[0] == "position" else "sal"
            return f"actor-{n}-{short}-{issue_ids.index(rest[1])}"
        key = str(rest[0]) if rest else "id"
        return f"actor-{n}-{key if key in ('id', 'name', 'aliases', 'capability') else 'id'}"
    if head == "sources" and index < len(rows["source"]):
        key = str(rest[0]) if rest else "id"
        return f"source-{rows['source'][index]}-{key if key in _SOURCE_KEYS else 'id'}"
    if head == "timeline" and index < len(rows["event"]):
        key = str(rest[0]) if rest else "at"
        return f"event-{rows['event'][index]}-{key if key in _EVENT_KEYS else 'at'}"
    return None


def parse_grid(text: str, n_issues: int) -> list[list[str]]:
    """Rows pasted from a spreadsheet (tab-separated; commas when a row has no tab).

    Each row is ``actor, capability, then position and salience for each issue``; a first row
    whose capability cell is not a number is a header and is skipped.
    """
    rows = []
    for line in text.splitlines()[:MAX_ROWS]:
        if not line.strip():
            continue
        cells = [c.strip() for c in (line.split("\t") if "\t" in line else line.split(","))]
        rows.append(cells[: 2 + 2 * n_issues])
    if rows and len(rows[0]) > 1 and not isinstance(_number(rows[0][1]), int | float):
        rows = rows[1:]
    return rows
