"""The JSON API: the workbench's operations as endpoints whose bodies are the CLI's versioned
JSON documents (``detente.forecast/1``, ``detente.simulate/1``, ``detente.runs/1``, ...).

FastAPI's OpenAPI page lists them at ``/docs``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from pydantic import BaseModel, Field

from detente.errors import InputError
from detente.web import operations
from detente.web.operations import Ref

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])


class ForecastBody(BaseModel):
    """Which models to run, inputs to change first (as ``--set``), and whether to keep the run."""

    models: list[str] | None = None
    set: dict[str, float] = Field(default_factory=dict)
    keep: bool = True
    seed: int | None = None


class SimulateBody(BaseModel):
    """A Monte Carlo run (bounded: at most ``MAX_WEB_DRAWS`` draws)."""

    draws: int = 1000
    seed: int | None = None
    engine: str = "in-process"
    keep: bool = True


def _ref(where: str, name: str) -> Ref:
    from detente.web.pages import ref_of

    return ref_of(where, name)


def _store(request: Request) -> Any:
    from detente.store import RunStore

    return RunStore(request.app.state.store_path)


@router.get("/scenarios")
def scenarios(request: Request) -> dict[str, Any]:
    """Every scenario of the library (bundled and workspace)."""
    from detente.scenario.bundled import bundled_names

    ws = request.app.state.workspace
    listed = [{"where": "bundled", "name": n} for n in bundled_names()]
    listed += [{"where": "workspace", "name": n} for n in ws.names()]
    return {"schema": "detente.library/1", "scenarios": listed}


@router.get("/scenarios/{where}/{name}")
def scenario(request: Request, where: str, name: str) -> dict[str, Any]:
    """The scenario as its JSON file holds it."""
    import json

    from detente.scenario import dump_json

    s = _ref(where, name).load(request.app.state.workspace)
    data: dict[str, Any] = json.loads(dump_json(s))
    return data


@router.post("/scenarios")
async def upload(request: Request, file: UploadFile) -> dict[str, Any]:
    """Add a scenario file (YAML, JSON, KTAB CSV/XML, common CSV) to the workspace."""
    from detente.web.workspace import MAX_UPLOAD_BYTES

    data = await file.read(MAX_UPLOAD_BYTES + 1)
    name = request.app.state.workspace.upload(file.filename or "", data)
    return {"where": "workspace", "name": name}


@router.post("/scenarios/{where}/{name}/forecast")
def forecast(request: Request, where: str, name: str, body: ForecastBody) -> dict[str, Any]:
    """``detente forecast --json``: the ``detente.forecast/1`` document."""
    s = _ref(where, name).load(request.app.state.workspace)
    s = operations.what_if(s, body.set)
    fc = operations.run_forecast(
        s, body.models, store=_store(request) if body.keep else None, seed=body.seed
    )
    document: dict[str, Any] = fc.to_json()
    return document


@router.post("/scenarios/{where}/{name}/simulate")
def simulate(request: Request, where: str, name: str, body: SimulateBody) -> dict[str, Any]:
    """``detente simulate --json``: the ``detente.simulate/1`` document (runs to the end).

    It runs as one of the workbench's simulations (at most two at once, pages and API alike):
    when two are running it is refused, as the page refuses a third.
    """
    from dataclasses import replace

    s = _ref(where, name).load(request.app.state.workspace)
    operations.check_simulation(s, body.draws, body.engine)
    job = operations.start_simulation(
        request.app.state.jobs,
        s,
        body.draws,
        body.seed,
        body.engine,
        _store(request) if body.keep else None,
    )
    job.ended.wait()
    if job.error is not None:
        raise job.error
    if job.state != "complete":
        raise InputError(job.message or f"the simulation was {job.state}")
    sim = replace(job.result, run_id=job.run_id) if job.run_id else job.result
    document: dict[str, Any] = sim.to_json()
    return document


@router.get("/scenarios/{where}/{name}/dyads")
def dyads(
    request: Request, where: str, name: str, viewpoint: str = "objective", issue: str | None = None
) -> dict[str, Any]:
    """``detente dyads --json``: the ``detente.dyads/1`` document."""
    s = _ref(where, name).load(request.app.state.workspace)
    return operations.dyads_document(s, viewpoint, issue)


@router.get("/scenarios/{where}/{name}/advice")
def advice(request: Request, where: str, name: str, actor: str) -> dict[str, Any]:
    """``detente advise --for ACTOR --json``: the ``detente.advice/1`` document."""
    s = _ref(where, name).load(request.app.state.workspace)
    return operations.advice_document(s, actor)


@router.get("/scenarios/{where}/{name}/coalitions")
def coalitions(request: Request, where: str, name: str, issue: str | None = None) -> dict[str, Any]:
    """``detente coalitions --json``: the ``detente.coalitions/1`` document."""
    s = _ref(where, name).load(request.app.state.workspace)
    return operations.coalitions_document(s, issue)


@router.get("/runs")
def runs(request: Request, kind: str | None = None) -> dict[str, Any]:
    """``detente runs list --json``: the ``detente.runs/1`` document."""
    from detente.store import RUNS_SCHEMA

    kept = _store(request)
    return {
        "schema": RUNS_SCHEMA,
        "store": str(kept.path.resolve()),
        "runs": [run.to_json() for run in kept.list(kind=kind)],
    }


@router.get("/runs/{run_id}")
def run(request: Request, run_id: str) -> dict[str, Any]:
    """``detente runs show --json``: the ``detente.run/1`` document."""
    document: dict[str, Any] = _store(request).get(run_id).to_json()
    return document


@router.delete("/runs/{run_id}")
def delete_run(request: Request, run_id: str) -> dict[str, Any]:
    """Delete a run (``detente runs delete``)."""
    kept = _store(request)
    found = kept.get(run_id).id
    kept.delete(found)
    return {"deleted": found}


@router.get("/accuracy")
def accuracy() -> dict[str, Any]:
    """The DEU III accuracy document the package ships (``detente.accuracy/1``)."""
    from detente.backtest import bundled_accuracy

    return bundled_accuracy() or {}


class ExtractBody(BaseModel):
    """An article's text (as ``detente extract`` reads a file), its date, and a scenario to
    compare with (``where/name``, as ``--scenario``) instead of listing the findings."""

    text: str
    name: str = "article.txt"
    as_of: str = ""
    scenario: str | None = None


@router.post("/extract")
def extract(request: Request, body: ExtractBody) -> dict[str, Any]:
    """``detente.extract/1`` (every finding with its character offsets), or with ``scenario``
    ``detente.extract-compare/1``: the documents ``detente extract --json`` prints."""
    from detente.web import article

    read = article.read(body.text, None, None, pasted=body.name)
    as_of = article.as_of_of(body.as_of)
    if body.scenario:
        where, _, name = body.scenario.partition("/")
        target = _ref(where, name).load(request.app.state.workspace)
        found = article.extracted(read, as_of, target)
        compared = article.comparison(found, target)
        return {
            "schema": "detente.extract-compare/1",
            "scenario": target.id,
            "articles": [{"file": read.name, **compared.to_json()}],
        }
    found = article.extracted(read, as_of)
    return {"schema": "detente.extract/1", "articles": [found.to_json()]}
