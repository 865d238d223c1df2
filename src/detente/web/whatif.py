"""The what-if page: sliders for every actor's inputs, the static models' forecasts as they
move, and the what-if kept as a variant or as a branch of a timeline event."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.errors import InputError
from detente.web import operations
from detente.web.operations import Ref
from detente.web.pages import form_of, ref_of, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/s/{where}/{name}/whatif", response_class=HTMLResponse)
def whatif_page(request: Request, where: str, name: str) -> HTMLResponse:
    ref = ref_of(where, name)
    s = ref.load(request.app.state.workspace)
    from detente.report.accuracy import load_accuracy

    saved, _ = operations.what_if_forecasts(s, {}, operations.static_models())
    return render(
        request,
        "whatif.html",
        ref=ref,
        s=s,
        version=_version(ref, request),
        title=f"What if: {s.name or s.id}",
        table=_compare_table(saved, saved),
        inputs=_inputs(s),
        accuracy=load_accuracy(),
    )


def _version(ref: Any, request: Request) -> str:
    """The version of the scenario's file, as the what-if form carries it."""
    from detente.web.workspace import version_of

    return version_of(ref.text(request.app.state.workspace))


def _stale(ref: Any, request: Request, form: dict[str, str]) -> str:
    """Why the form cannot be read against the saved file (empty when it can): the form posts
    every slider, so against a file saved since the page was loaded (another tab) the sliders
    nobody moved would read as changes that undo the newer save."""
    given = form.get("version", "").strip()
    if given and given != _version(ref, request):
        return (
            f"'{ref.name}' was saved elsewhere (another tab?) since this page was loaded: "
            "reload the page to move the newer inputs"
        )
    return ""


def _inputs(s: Any) -> list[dict[str, Any]]:
    """One row per actor: every input's key, saved value and slider bounds."""
    rows = []
    for a in s.actors:
        cells = [
            {
                "key": f"{a.id}.capability",
                "label": "capability",
                "value": a.capability,
                "min": 0,
                "max": max(100.0, a.capability * 2),
            }
        ]
        for issue in s.issues:
            cells.append(
                {
                    "key": f"{a.id}.position.{issue.id}",
                    "label": f"position on {issue.name or issue.id}",
                    "value": a.position[issue.id],
                    "min": issue.min,
                    "max": issue.max,
                }
            )
            cells.append(
                {
                    "key": f"{a.id}.salience.{issue.id}",
                    "label": f"salience of {issue.name or issue.id}",
                    "value": a.salience[issue.id],
                    "min": 0,
                    "max": 100,
                }
            )
        rows.append({"actor": a, "cells": cells})
    return rows


def _changes(form: dict[str, str], s: Any) -> dict[str, float]:
    """The inputs the what-if form moved away from the saved scenario."""
    changes = {}
    for row in _inputs(s):
        for cell in row["cells"]:
            raw = form.get(cell["key"])
            if raw is None or not raw.strip():
                continue
            try:
                value = float(raw)
            except ValueError:
                raise InputError(f"{cell['key']}: '{raw[:20]}' is not a number") from None
            if value != cell["value"]:
                changes[cell["key"]] = value
    return changes


def _compare_table(saved: Any, changed: Any) -> list[dict[str, Any]]:
    rows = []
    for j, issue in enumerate(saved.scenario.issues):
        for before, after in zip(saved.runs, changed.runs, strict=True):
            rows.append(
                {
                    "issue": issue.name or issue.id,
                    "model": before.model,
                    "saved": before.values[j],
                    "now": after.values[j],
                    "change": after.values[j] - before.values[j],
                    "label": issue.label(after.values[j]),
                }
            )
    return rows


@router.post("/s/{where}/{name}/whatif", response_class=HTMLResponse)
async def whatif(request: Request, where: str, name: str) -> HTMLResponse:
    ref = ref_of(where, name)
    s = ref.load(request.app.state.workspace)
    form = await form_of(request)
    stale = _stale(ref, request, form)
    if stale:
        return render(request, "_whatif_result.html", 409, error=stale)
    models = operations.static_models()
    if form.get("dynamic"):
        models = [*models, *operations.dynamic_models()]
    try:
        changes = _changes(form, s)
        saved, now = operations.what_if_forecasts(s, changes, models)
    except InputError as err:
        return render(request, "_whatif_result.html", 422, error=str(err))
    return render(request, "_whatif_result.html", table=_compare_table(saved, now), changes=changes)


@router.post("/s/{where}/{name}/whatif/keep")
async def keep_variant(request: Request, where: str, name: str) -> Response:
    ref = ref_of(where, name)
    ws = request.app.state.workspace
    s = ref.load(ws)
    form = await form_of(request)
    stale = _stale(ref, request, form)
    if stale:
        return render(request, "error.html", 409, message=stale, problems=[], title="Not kept")
    varied = operations.what_if(s, _changes(form, s))
    wanted = form.get("variant", "").strip() or f"{ref.name}-what-if"
    new = ws.add(varied.model_copy(update={"id": ws.free_name(wanted)}), wanted)
    return RedirectResponse(f"/s/workspace/{new}", status_code=303)


@router.post("/s/workspace/{name}/whatif/branch")
async def keep_branch(request: Request, name: str) -> Response:
    """The what-if kept as a branch of one of the scenario's timeline events (saved in place,
    refused when the file changed since it was read)."""
    from detente.web.workspace import version_of

    ws = request.app.state.workspace
    text = ws.text(name)
    s = ws.load(name)
    form = await form_of(request)
    stale = _stale(Ref("workspace", name), request, form)
    if stale:
        return render(request, "error.html", 409, message=stale, problems=[], title="Not kept")
    try:
        event = int(form.get("event", "")) - 1
    except ValueError:
        raise InputError("choose the timeline event the branch belongs to") from None
    branch = form.get("branch", "").strip() or "what-if"
    chance = form.get("probability", "").strip()
    try:
        probability = float(chance) if chance else None
    except ValueError:
        raise InputError(f"probability: '{chance[:20]}' is not a number") from None
    kept = operations.with_branch(s, event, branch, _changes(form, s), probability)
    ws.save(name, kept, version=version_of(text))
    return RedirectResponse(f"/s/workspace/{name}", status_code=303)
