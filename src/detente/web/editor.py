"""The editor's state: a form made from a scenario, checked as the CLI checks a file, changed
row by row, and laid out for the template."""

from __future__ import annotations

import json
from typing import Any

from detente.errors import InputError, ScenarioError
from detente.scenario import Scenario
from detente.web.form import MAX_FIELDS, MAX_ROWS, document_from_form, field_of, parse_grid, rows_of
from detente.web.workspace import version_of

__all__ = ["blank", "changed", "check", "from_draft", "loaded", "view"]

_KINDS = ("issue", "actor", "source", "evidence", "range", "event")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def form_from_document(doc: dict[str, Any]) -> dict[str, str]:
    """The editor's fields for a scenario document (as :func:`Scenario.model_dump` gives it)."""
    form = {
        "base": json.dumps(doc, ensure_ascii=False, default=str),
        "id": _text(doc.get("id")),
        "name": _text(doc.get("name")),
        "as_of": _text(doc.get("as_of")),
        "description": _text(doc.get("description")),
    }
    issues = doc.get("issues", [])
    for j, issue in enumerate(issues):
        p = f"issue-{j}-"
        form |= {
            p + "orig": str(j),
            p + "id": issue["id"],
            p + "name": issue.get("name", ""),
            p + "min": _text(issue.get("min", 0)),
            p + "max": _text(issue.get("max", 100)),
            p + "sq": _text(issue.get("status_quo")),
            p + "scale": "\n".join(
                f"{_text(float(k))}: {v}" for k, v in issue.get("scale", {}).items()
            ),
        }
    ev = rg = 0
    for n, actor in enumerate(doc.get("actors", [])):
        p = f"actor-{n}-"
        form |= {
            p + "orig": str(n),
            p + "id": actor["id"],
            p + "name": actor.get("name", ""),
            p + "aliases": ", ".join(actor.get("aliases", [])),
            p + "capability": _text(actor.get("capability")),
        }
        for j, issue in enumerate(issues):
            form[f"{p}pos-{j}"] = _text(actor.get("position", {}).get(issue["id"]))
            form[f"{p}sal-{j}"] = _text(actor.get("salience", {}).get(issue["id"]))
        for item in actor.get("evidence", []):
            q = f"evidence-{ev}-"
            form |= {
                q + "actor": actor["id"],
                q + "source": item.get("source", ""),
                q + "supports": item.get("supports", ""),
                q + "quote": item.get("quote", ""),
                q + "note": item.get("note", ""),
            }
            ev += 1
        for key, bounds in actor.get("uncertainty", {}).items():
            q = f"range-{rg}-"
            low, *middle, high = bounds
            form |= {
                q + "actor": actor["id"],
                q + "input": key,
                q + "low": _text(low),
                q + "mode": _text(middle[0]) if middle else "",
                q + "high": _text(high),
            }
            rg += 1
    for r, source in enumerate(doc.get("sources", [])):
        p = f"source-{r}-"
        form |= {p + "orig": str(r)} | {
            p + k: _text(source.get(k)) for k in ("id", "title", "url", "file")
        }
    for e, event in enumerate(doc.get("timeline", [])):
        p = f"event-{e}-"
        form |= {
            p + "orig": str(e),
            p + "at": _text(event.get("at")),
            p + "name": event.get("name", ""),
            p + "set": "\n".join(_change_items(event)),
            p + "branches": "\n".join(
                f"{bid}{' ' + _text(b['probability']) if 'probability' in b else ''}: "
                + ", ".join(_change_items(b))
                for bid, b in event.get("branches", {}).items()
            ),
        }
    return form


def _change_items(change: dict[str, Any]) -> list[str]:
    """An event's or branch's ``set`` as ``KEY=VALUE`` and ``shift`` as ``KEY+=AMOUNT``."""
    return [f"{k}={_text(v)}" for k, v in change.get("set", {}).items()] + [
        f"{k}+={_text(v)}" for k, v in change.get("shift", {}).items()
    ]


def blank() -> dict[str, Any]:
    """A new scenario: one empty issue on 0-100, no actors."""
    form = {
        "base": "{}",
        "id": "",
        "name": "",
        "issue-0-id": "",
        "issue-0-min": "0",
        "issue-0-max": "100",
    }
    return view(form, [])


def loaded(name: str, text: str, scenario: Scenario) -> dict[str, Any]:
    """The editor of the workspace file ``name`` (its text, for the version, and scenario)."""
    form = form_from_document(scenario.model_dump(mode="json", exclude_defaults=True))
    form |= {"file": name, "version": version_of(text)}
    return view(form, [])


def from_draft(name: str, text: str, data: dict[str, Any]) -> dict[str, Any]:
    """The editor of the draft ``name``: its actors, evidence and events, the numbers empty
    to fill in (saving writes a full scenario, without the ``draft`` mark)."""
    import datetime as dt

    doc = {k: v for k, v in data.items() if k != "draft"}

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.isoformat() if isinstance(value, dt.date) else value

    form = form_from_document(plain(doc))
    if not doc.get("issues"):
        form |= {"issue-0-id": "", "issue-0-min": "0", "issue-0-max": "100"}
    form |= {"file": name, "version": version_of(text)}
    return view(form, check(form)[1])


def check(form: dict[str, str]) -> tuple[Scenario | None, list[dict[str, Any]]]:
    """The scenario the form describes, or None and its problems (each with its field)."""
    from detente.scenario.io import validate_data
    from detente.simulate.timeline import check_futures

    doc, placed = document_from_form(form)
    where = (form.get("file") or form.get("id", "").strip() or "new-scenario") + ".yaml"
    try:
        scenario = validate_data(doc, where)
        check_futures(scenario)
    except ScenarioError as err:
        rows = {kind: rows_of(form, kind) for kind in _KINDS}
        return None, [
            {"field": field_of(p, doc, placed, rows), "text": str(p)} for p in err.problems
        ]
    except InputError as err:
        return None, [{"field": None, "text": str(err)}]
    return scenario, []


def changed(form: dict[str, str], do: str) -> dict[str, str]:
    """The form after a button: ``add-KIND``, ``remove:KIND-N`` or ``paste`` (the grid)."""
    form = dict(form)
    if do.startswith("add-") and do[4:] in _KINDS:
        kind = do[4:]
        rows = rows_of(form, kind)
        if len(rows) >= MAX_ROWS:
            return form
        n = rows[-1] + 1 if rows else 0
        first = {"evidence": "quote", "range": "actor", "event": "at"}.get(kind, "id")
        form[f"{kind}-{n}-{first}"] = ""
        if kind == "issue":
            form |= {f"issue-{n}-min": "0", f"issue-{n}-max": "100"}
    elif do.startswith("remove:"):
        prefix = do[7:] + "-"
        kind, _, index = do[7:].partition("-")
        form = {k: v for k, v in form.items() if not k.startswith(prefix)}
        if kind == "issue":
            form = {
                k: v
                for k, v in form.items()
                if not (k.startswith("actor-") and k.endswith((f"-pos-{index}", f"-sal-{index}")))
            }
    elif do == "paste":
        form = _pasted(form)
    return form


def _pasted(form: dict[str, str]) -> dict[str, str]:
    """Actor rows from the cells pasted into the grid box (which is emptied)."""
    issues = rows_of(form, "issue")
    cells = parse_grid(form.get("grid", ""), len(issues))
    kept = {k: v for k, v in form.items() if not k.startswith("actor-")}
    fields = len(cells) * (3 + 2 * len(issues))
    if fields + len(kept) > MAX_FIELDS:
        raise InputError(
            f"the pasted rows make {fields:,} fields ({len(cells):,} actors on {len(issues):,} "
            f"issues); the editor takes at most {MAX_FIELDS:,}: import the sheet as a file "
            "instead (Upload, or detente import)"
        )
    old = {
        form.get(f"actor-{n}-id", ""): form.get(f"actor-{n}-orig", "")
        for n in rows_of(form, "actor")
    }
    for n, row in enumerate(cells):
        row = row + [""] * (2 + 2 * len(issues) - len(row))
        p = f"actor-{n}-"
        kept |= {p + "id": row[0], p + "capability": row[1], p + "orig": old.get(row[0], "")}
        for k, j in enumerate(issues):
            kept[f"{p}pos-{j}"] = row[2 + 2 * k]
            kept[f"{p}sal-{j}"] = row[3 + 2 * k]
    kept["grid"] = ""
    return kept


def view(form: dict[str, str], problems: list[dict[str, Any]]) -> dict[str, Any]:
    """What the editor template shows: the fields' values, the rows and each field's problems."""
    errors: dict[str, list[str]] = {}
    for p in problems:
        if p["field"]:
            errors.setdefault(p["field"], []).append(p["text"])
    return {
        "f": form,
        "rows": {kind: rows_of(form, kind) for kind in _KINDS},
        "problems": problems,
        "errors": errors,
    }
