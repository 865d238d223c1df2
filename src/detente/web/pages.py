"""The workbench's HTML pages: thin handlers that call :mod:`detente.web.operations` and the
public API, and render templates (autoescaped)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.errors import InputError, ScenarioError
from detente.web import editor, operations
from detente.web.form import MAX_FIELDS
from detente.web.operations import Ref

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A template rendered with the page's common context."""
    context.setdefault("title", "detente")
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status
    )
    return response


def store(request: Request) -> Any:
    from detente.store import RunStore

    return RunStore(request.app.state.store_path)


async def form_of(request: Request) -> dict[str, str]:
    """The posted form as text fields (files left out)."""
    data = await request.form(max_fields=MAX_FIELDS)
    return {k: v for k, v in data.items() if isinstance(v, str)}


def ref_of(where: str, name: str) -> Ref:
    if where not in ("bundled", "workspace"):
        raise InputError(f"'{where[:40]}' is not a library: bundled or workspace")
    return Ref(where, name)


# --- library ----------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def library(request: Request) -> HTMLResponse:
    return render(request, "library.html", **library_context(request))


def library_context(request: Request) -> dict[str, Any]:
    from detente.scenario.bundled import bundled, bundled_names

    ws = request.app.state.workspace
    entries = []
    for name in bundled_names():
        entries.append(_entry(Ref("bundled", name), lambda n=name: bundled(n)))
    for name in ws.names():
        entries.append(_workspace_entry(ws, name))
    return {"entries": entries, "workspace": str(ws.root), "title": "Library"}


def _workspace_entry(ws: Any, name: str) -> dict[str, Any]:
    """A workspace file's entry: a scenario, a draft (its missing numbers counted) or a file
    with problems (opened in the text editor)."""
    ref = Ref("workspace", name)
    try:
        drafted = ws.draft(name)
    except InputError as err:
        return {"ref": ref, "problem": str(err).splitlines()[0][:200]}
    if drafted is None:
        return _entry(ref, lambda: ws.load(name))
    data, check = drafted
    issues = data.get("issues") or []
    return {
        "ref": ref,
        "name": str(data.get("name") or check.id),
        "as_of": data.get("as_of"),
        "actors": check.actors,
        "issues": ", ".join(
            str(i.get("name") or i.get("id")) for i in issues if isinstance(i, dict)
        ),
        "draft": len(check.missing),
    }


def _entry(ref: Ref, load: Any) -> dict[str, Any]:
    try:
        s = load()
    except InputError as err:
        return {"ref": ref, "problem": str(err).splitlines()[0][:200]}
    return {
        "ref": ref,
        "name": s.name or s.id,
        "as_of": s.as_of,
        "actors": len(s.actors),
        "issues": ", ".join(i.name or i.id for i in s.issues),
    }


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request) -> Response:
    data = await request.form(max_fields=10)
    given = data.get("file")
    if given is None or isinstance(given, str) or not given.filename:
        return render(
            request,
            "library.html",
            400,
            error="choose a file to upload",
            **library_context(request),
        )
    from detente.web.workspace import MAX_UPLOAD_BYTES

    content = await given.read(MAX_UPLOAD_BYTES + 1)
    try:
        name = request.app.state.workspace.upload(given.filename, content)
    except InputError as err:
        return render(
            request,
            "library.html",
            400,
            error=_message(err),
            upload_name=given.filename,
            **library_context(request),
        )
    return RedirectResponse(f"/s/workspace/{name}", status_code=303)


def _message(err: InputError) -> str:
    if isinstance(err, ScenarioError):
        n = len(err.problems)
        head = "1 problem:" if n == 1 else f"{n} problems:"
        return head + "\n" + "\n".join(str(p) for p in err.problems)
    return str(err)


# --- one scenario ------------------------------------------------------------------------------


@router.get("/s/{where}/{name}", response_class=HTMLResponse)
def scenario_page(request: Request, where: str, name: str) -> HTMLResponse:
    ref = ref_of(where, name)
    if where == "workspace":
        shown = _draft_or_broken(request, name)
        if shown is not None:
            return shown
    s = ref.load(request.app.state.workspace)
    from detente.simulate import ENGINES

    return render(
        request,
        "scenario.html",
        ref=ref,
        s=s,
        title=s.name or s.id,
        engines=[e for e in ENGINES if e != "dask"],
        max_draws=operations.MAX_WEB_DRAWS,
        formats=DOWNLOADS,
    )


#: Download formats: reader format, suffix and media type (the scenario package writes them).
DOWNLOADS = {
    "yaml": (".yaml", "application/yaml"),
    "json": (".json", "application/json"),
    "ktab-csv": (".csv", "text/csv"),
    "csv": ("-common.csv", "text/csv"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@router.get("/s/{where}/{name}/download")
def download(request: Request, where: str, name: str, fmt: str = "yaml") -> Response:
    from detente.scenario.files import to_bytes

    ref = ref_of(where, name)
    if fmt not in DOWNLOADS:
        raise InputError(f"format '{fmt[:20]}': download as {', '.join(DOWNLOADS)}")
    suffix, media = DOWNLOADS[fmt]
    body = (
        ref.text(request.app.state.workspace).encode("utf-8")
        if fmt == "yaml"
        else to_bytes(ref.load(request.app.state.workspace), fmt)
    )
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{ref.name}{suffix}"'},
    )


@router.post("/s/{where}/{name}/copy")
def copy_to_workspace(request: Request, where: str, name: str) -> Response:
    ref = ref_of(where, name)
    new = request.app.state.workspace.add(ref.load(request.app.state.workspace), ref.name)
    return RedirectResponse(f"/s/workspace/{new}/edit", status_code=303)


@router.post("/s/workspace/{name}/delete")
def delete_scenario(request: Request, name: str) -> Response:
    request.app.state.workspace.delete(name)
    return RedirectResponse("/", status_code=303)


def _draft_or_broken(request: Request, name: str) -> HTMLResponse | None:
    """The page of a draft (its missing numbers), or the text editor of a file with problems;
    None for a scenario that reads."""
    ws = request.app.state.workspace
    ws.text(name)  # a missing file: its error
    try:
        drafted = ws.draft(name)
        if drafted is None:
            ws.load(name)
            return None
    except InputError:
        return text_editor(request, name)
    data, check = drafted
    return render(
        request,
        "draft.html",
        ref=Ref("workspace", name),
        data=data,
        check=check,
        title=f"Draft {data.get('name') or name}",
    )


def text_editor(
    request: Request,
    name: str,
    status: int = 200,
    text: str | None = None,
    version: str | None = None,
    save_error: str = "",
) -> HTMLResponse:
    """A workspace file as plain text with its problems and their lines, to fix by hand."""
    from detente.web.workspace import version_of

    ws = request.app.state.workspace
    current = ws.text(name)
    text = current if text is None else text
    return render(
        request,
        "text_editor.html",
        status,
        ref=Ref("workspace", name),
        text=text,
        version=version or version_of(current),
        problems=ws.check_text(name, text),
        save_error=save_error,
        title=f"Fix {name}",
    )


@router.get("/s/workspace/{name}/text", response_class=HTMLResponse)
def text_page(request: Request, name: str) -> HTMLResponse:
    return text_editor(request, name)


@router.post("/s/workspace/{name}/text", response_class=HTMLResponse)
async def text_save(request: Request, name: str) -> Response:
    """Save the text when the CLI would read it (a scenario or a draft); else show why."""
    from detente.web.workspace import StaleVersionError

    form = await form_of(request)
    ws = request.app.state.workspace
    text = form.get("text", "").replace("\r\n", "\n")
    version = form.get("version", "").strip() or None
    if ws.check_text(name, text):
        return text_editor(request, name, 422, text, version)
    try:
        ws.save_text(name, text, version=version)
    except StaleVersionError as err:
        return text_editor(request, name, 409, text, version, str(err))
    return RedirectResponse(f"/s/workspace/{name}", status_code=303)


# --- editor -----------------------------------------------------------------------------------


@router.get("/new", response_class=HTMLResponse)
def new_scenario(request: Request) -> HTMLResponse:
    return render(request, "editor.html", title="New scenario", **editor.blank())


@router.get("/s/workspace/{name}/edit", response_class=HTMLResponse)
def edit(request: Request, name: str) -> HTMLResponse:
    ws = request.app.state.workspace
    text = ws.text(name)
    try:
        drafted = ws.draft(name)
        if drafted is not None:
            return render(
                request,
                "editor.html",
                title=f"Fill in {name}",
                **editor.from_draft(name, text, drafted[0]),
            )
        ws.load(name)
    except InputError:
        return text_editor(request, name)
    return render(
        request, "editor.html", title=f"Edit {name}", **editor.loaded(name, text, ws.load(name))
    )


@router.post("/editor/validate", response_class=HTMLResponse)
async def validate(request: Request) -> HTMLResponse:
    form = await form_of(request)
    _, problems = editor.check(form)
    return render(request, "_problems.html", problems=problems)


@router.post("/editor/change", response_class=HTMLResponse)
async def change(request: Request) -> HTMLResponse:
    """Add or remove a row, or fill the grid from pasted cells; the whole form again."""
    form = await form_of(request)
    try:
        form = editor.changed(form, form.get("do", ""))
    except InputError as err:  # the form as it was, with the reason first
        _, problems = editor.check(form)
        problems = [{"field": "grid", "text": str(err)}, *problems]
        return render(request, "_editor_form.html", 422, **editor.view(form, problems))
    _, problems = editor.check(form)
    return render(request, "_editor_form.html", **editor.view(form, problems))


@router.post("/editor/save", response_class=HTMLResponse)
async def save(request: Request) -> Response:
    from detente.web.workspace import StaleVersionError

    form = await form_of(request)
    scenario, problems = editor.check(form)
    if scenario is None:
        return render(
            request, "editor.html", 422, title="Fix the problems", **editor.view(form, problems)
        )
    ws = request.app.state.workspace
    name = form.get("file", "").strip() or ws.free_name(scenario.id)
    version = form.get("version", "").strip() or None
    try:
        ws.save(name, scenario, version=version)
    except StaleVersionError as err:
        status, message = 409, str(err)
    except InputError as err:
        status, message = 400, str(err)
    else:
        return RedirectResponse(f"/s/workspace/{name}", status_code=303)
    return render(
        request,
        "editor.html",
        status,
        title="Not saved",
        save_error=message,
        **editor.view(form, problems),
    )


# --- running ----------------------------------------------------------------------------------


@router.post("/s/{where}/{name}/forecast")
def forecast(request: Request, where: str, name: str) -> Response:
    s = ref_of(where, name).load(request.app.state.workspace)
    fc = operations.run_forecast(s, store=store(request))
    return RedirectResponse(f"/runs/{fc.run_id}", status_code=303)


@router.post("/s/{where}/{name}/simulate", response_class=HTMLResponse)
async def simulate(request: Request, where: str, name: str) -> HTMLResponse:
    s = ref_of(where, name).load(request.app.state.workspace)
    form = await form_of(request)
    try:
        draws = int(form.get("draws", "1000"))
        seed = int(form["seed"]) if form.get("seed", "").strip() else None
    except ValueError:
        return render(request, "_job.html", 422, error="draws and seed are whole numbers")
    engine = form.get("engine", "in-process")
    try:
        operations.check_simulation(s, draws, engine)
        job = operations.start_simulation(
            request.app.state.jobs, s, draws, seed, engine, store(request)
        )
    except InputError as err:
        return render(request, "_job.html", 422, error=str(err))
    return render(request, "_job.html", job=job)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_status(request: Request, job_id: str) -> HTMLResponse:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return render(request, "_job.html", 404, error=f"no job {job_id[:20]}")
    return render(request, "_job.html", job=job)


@router.post("/jobs/{job_id}/cancel", response_class=HTMLResponse)
def job_cancel(request: Request, job_id: str) -> HTMLResponse:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        return render(request, "_job.html", 404, error=f"no job {job_id[:20]}")
    job.cancel.set()
    return render(request, "_job.html", job=job)


@router.get("/s/{where}/{name}/dyads", response_class=HTMLResponse)
def dyads(
    request: Request, where: str, name: str, viewpoint: str = "objective", issue: str | None = None
) -> HTMLResponse:
    s = ref_of(where, name).load(request.app.state.workspace)
    doc = operations.dyads_document(s, viewpoint or "objective", issue or None)
    return render(request, "_dyads.html", doc=doc, s=s)


@router.get("/s/{where}/{name}/advice", response_class=HTMLResponse)
def advice(request: Request, where: str, name: str, actor: str = "") -> HTMLResponse:
    s = ref_of(where, name).load(request.app.state.workspace)
    doc = operations.advice_document(s, actor or s.actor_ids[0])
    return render(request, "_advice.html", doc=doc)


@router.get("/s/{where}/{name}/coalitions", response_class=HTMLResponse)
def coalitions(request: Request, where: str, name: str, issue: str | None = None) -> HTMLResponse:
    s = ref_of(where, name).load(request.app.state.workspace)
    doc = operations.coalitions_document(s, issue or None)
    return render(request, "_coalitions.html", doc=doc)


@router.post("/s/{where}/{name}/report")
def make_report(request: Request, where: str, name: str) -> Response:
    s = ref_of(where, name).load(request.app.state.workspace)
    doc = operations.study_document(s, store=store(request))
    return RedirectResponse(f"/runs/{doc['run_id']}/report", status_code=303)


# --- runs -------------------------------------------------------------------------------------


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request, kind: str = "", scenario: str = "") -> HTMLResponse:
    from detente.store import KINDS

    found = store(request).list(kind=kind or None) if not kind or kind in KINDS else []
    if scenario:
        found = [r for r in found if scenario.lower() in (r.scenario_id + r.scenario_name).lower()]
    return render(
        request, "runs.html", runs=found, kinds=KINDS, kind=kind, scenario=scenario, title="Runs"
    )


@router.get("/runs/compare", response_class=HTMLResponse)
def compare(request: Request, a: str, b: str) -> HTMLResponse:
    kept = store(request)
    first, second = kept.get(a), kept.get(b)
    return render(
        request,
        "compare.html",
        a=first,
        b=second,
        rows=operations.compare_rows(first, second),
        title="Compare runs",
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    from detente.report.accuracy import load_accuracy

    run = store(request).get(run_id)
    return render(
        request,
        "run.html",
        run=run,
        rows=operations.headline_rows(run),
        accuracy=load_accuracy(),
        reportable=operations.REPORTABLE,
        title=f"Run {run.id}",
    )


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
def report_page(request: Request, run_id: str) -> HTMLResponse:
    run = store(request).get(run_id)
    charts = operations.report_of(run).charts
    return render(request, "report.html", run=run, charts=charts, title=f"Report of run {run.id}")


@router.get("/runs/{run_id}/charts/{name}.{fmt}")
def chart(request: Request, run_id: str, name: str, fmt: str) -> Response:
    run = store(request).get(run_id)
    data = operations.chart_file(run, name, fmt)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{run.id}-{name}.{fmt}"'},
    )


@router.get("/runs/{run_id}/report.html")
def report_file(request: Request, run_id: str, download: int = 0) -> Response:
    run = store(request).get(run_id)
    page = operations.report_html(run)
    headers = (
        {"Content-Disposition": f'attachment; filename="report-{run.id}.html"'} if download else {}
    )
    return HTMLResponse(page, headers=headers)


@router.post("/runs/{run_id}/delete")
def delete_run(request: Request, run_id: str) -> Response:
    store(request).delete(run_id)
    return RedirectResponse("/runs", status_code=303)


@router.get("/runs/{run_id}/export")
def export_run(request: Request, run_id: str, fmt: str = "csv") -> Response:
    """A run's result table as CSV or Parquet (the store's own export)."""
    import tempfile
    from pathlib import Path

    from detente.store import EXPORT_FORMATS

    if fmt not in EXPORT_FORMATS:
        raise InputError(f"format '{fmt[:20]}': export as {', '.join(EXPORT_FORMATS)}")
    kept = store(request)
    run = kept.get(run_id)
    with tempfile.TemporaryDirectory(prefix="detente-export-") as folder:
        path = kept.export(run.id, Path(folder) / f"{run.id}.{fmt}", fmt)
        data = path.read_bytes()
    media = "text/csv" if fmt == "csv" else "application/vnd.apache.parquet"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="run-{run.id}.{fmt}"'},
    )


@router.get("/accuracy", response_class=HTMLResponse)
def accuracy(request: Request) -> HTMLResponse:
    from detente.report.accuracy import load_accuracy

    return render(request, "accuracy_page.html", accuracy=load_accuracy(), title="Accuracy")


@router.get("/docs", response_class=HTMLResponse)
def api_page(request: Request) -> HTMLResponse:
    """The JSON API's endpoints, read from the OpenAPI document (``/openapi.json``) and shown
    without any script (FastAPI's own page loads Swagger UI from a CDN)."""
    schema = request.app.openapi()
    bodies = schema.get("components", {}).get("schemas", {})
    endpoints = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            fields: list[dict[str, Any]] = []
            for media in body.values():
                ref = media.get("schema", {}).get("$ref", "")
                found = bodies.get(ref.rsplit("/", 1)[-1], {})
                required = set(found.get("required", []))
                for field, spec in found.get("properties", {}).items():
                    fields.append(
                        {"name": field, "type": _schema_type(spec), "required": field in required}
                    )
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p.get("in", ""),
                            "type": _schema_type(p.get("schema", {})),
                            "required": bool(p.get("required")),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": fields,
                    "media": ", ".join(body),
                }
            )
    return render(
        request,
        "api_page.html",
        endpoints=endpoints,
        info=schema.get("info", {}),
        title="JSON API",
    )


def _schema_type(spec: dict[str, Any]) -> str:
    """A JSON schema's type in a word or two (``integer``, ``array of string``, ``a | b``)."""
    if "anyOf" in spec:
        return " | ".join(_schema_type(s) for s in spec["anyOf"])
    kind = str(spec.get("type", spec.get("$ref", "").rsplit("/", 1)[-1] or "any"))
    if kind == "array":
        return f"array of {_schema_type(spec.get('items', {}))}"
    if kind == "object" and "additionalProperties" in spec:
        return f"object of {_schema_type(spec['additionalProperties'])}"
    return kind


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
