"""The workbench's FastAPI application: state, templates, and the two guards on every request.

Guards (see :func:`create_app`):

- **Access token.** When the app has a token (always, when it listens on anything but the
  loopback address), every request must carry it: ``Authorization: Bearer TOKEN``, the
  ``detente_token`` cookie, or ``?token=TOKEN`` once (which sets the cookie). Without it: 401.
- **Same origin.** A request that changes state (anything but GET, HEAD and OPTIONS) whose
  ``Origin`` (or, without one, ``Referer``) names another site is refused with 403. Browsers
  send ``Origin`` on every cross-site POST, so a page elsewhere cannot drive the workbench;
  scripts (curl, httpx) send neither and are let through (with the token when there is one).
- **Loopback names.** Without a token (the loopback address), a request must name the
  workbench by a loopback name in its ``Host`` (``127.0.0.1``, ``localhost``, ``[::1]``), else
  403: a page elsewhere whose own name is made to point at 127.0.0.1 (DNS rebinding) is the
  same origin as itself to the browser, and would otherwise read and change the workbench.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from detente._version import __version__
from detente.web.jobs import Jobs
from detente.web.workspace import Workspace, default_workspace

__all__ = ["create_app"]

_HERE = Path(__file__).parent
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_COOKIE = "detente_token"
#: The names a request may give the workbench in its Host header when it has no token.
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
#: The largest request body taken (an upload's 2 MiB, or the editor's form of a large scenario).
MAX_REQUEST_BYTES = 8 * 1024 * 1024


def create_app(
    workspace: str | Path | None = None,
    token: str | None = None,
    store: str | Path | None = None,
) -> FastAPI:
    """The workbench application.

    Parameters
    ----------
    workspace
        The folder of the user's scenario files (default: ``detente/workspace`` in the user
        data directory); created when missing.
    token
        The access token every request must carry (None: no token, for the loopback address).
    store
        The run store's database (default: ``DETENTE_STORE``, else the user's ``runs.db``).
    """
    app = FastAPI(
        title="detente workbench",
        version=__version__,
        docs_url=None,  # FastAPI's pages load their scripts from a CDN: /docs is our own page
        redoc_url=None,
        description="Build, forecast and compare negotiation scenarios. The JSON endpoints "
        "under /api return the command line's versioned JSON documents.",
    )
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"), autoescape=True, trim_blocks=True
    )
    env.filters["num"] = _number
    templates = Jinja2Templates(env=env)
    app.state.templates = templates
    app.state.workspace = Workspace(workspace or default_workspace())
    app.state.store_path = Path(store) if store is not None else None
    app.state.jobs = Jobs()
    app.state.token = token

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if token is not None:
            given = _token_of(request)
            if given is None or not hmac.compare_digest(given.encode(), token.encode()):
                return PlainTextResponse(
                    "401: this workbench needs its access token (printed when it started; "
                    "or the DETENTE_TOKEN it was started with)",
                    status_code=401,
                )
            if request.query_params.get("token") is not None and request.method == "GET":
                kept = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                # one leading slash: "//host/x" (or "/\\host/x") would lead to another site
                path = "/" + request.url.path.lstrip("/\\")
                target = path + ("?" + urlencode(kept) if kept else "")
                redirect = RedirectResponse(target, status_code=303)
                redirect.set_cookie(_COOKIE, token, httponly=True, samesite="strict")
                return redirect
        elif not _loopback_host(request):
            return PlainTextResponse(
                "403: this workbench answers only to 127.0.0.1 and localhost "
                "(start it with --host and an access token to reach it by another name)",
                status_code=403,
            )
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            return PlainTextResponse(
                f"413: the request is {int(length) / 1024 / 1024:.1f} MiB; the workbench takes "
                f"at most {MAX_REQUEST_BYTES // 1024 // 1024} MiB (uploads: 2 MiB)",
                status_code=413,
            )
        if request.method not in _SAFE_METHODS and not _same_origin(request):
            return PlainTextResponse(
                "403: a request from another site cannot change this workbench", status_code=403
            )
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    app.add_middleware(_BodyLimit)  # outermost: before anything reads the body
    app.mount("/static", StaticFiles(directory=_HERE / "static"), name="static")
    from detente.web import api, article_pages, pages, whatif

    app.include_router(pages.router)
    app.include_router(article_pages.router)
    app.include_router(whatif.router)
    app.include_router(api.router)
    _errors(app)
    return app


class _BodyLimit:
    """Hold a request body sent without a Content-Length (in chunks) to ``MAX_REQUEST_BYTES``.

    The guard checks a declared Content-Length; a chunked body declares none, so it is read
    here first (at most the limit, kept in memory and handed on whole), and answered 413 as
    soon as it goes past the limit.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or any(k == b"content-length" for k, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > MAX_REQUEST_BYTES:
                refused = PlainTextResponse(
                    f"413: the request is over {MAX_REQUEST_BYTES // 1024 // 1024} MiB; the "
                    f"workbench takes at most {MAX_REQUEST_BYTES // 1024 // 1024} MiB "
                    "(uploads: 2 MiB)",
                    status_code=413,
                )
                await refused(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        pending = iter(messages)

        async def replay() -> Any:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)


def _errors(app: FastAPI) -> None:
    """A user's mistake (an InputError) answers 400 with its message; a model's failure 500.

    The JSON API answers ``{"error": ..., "problems": [...]}``; a page shows the message. A
    page asked without a field it needs (or with one that is not a number) shows which, rather
    than FastAPI's JSON, and so does one the framework refuses (no such page, a form field over
    1 MiB); the JSON API keeps FastAPI's JSON documents.
    """
    from fastapi.exception_handlers import (
        http_exception_handler,
        request_validation_exception_handler,
    )
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    @app.exception_handler(HTTPException)
    async def refused(request: Request, err: HTTPException) -> Response:
        if request.url.path.startswith(("/api/", "/static/")) or err.status_code < 400:
            return await http_exception_handler(request, err)
        from detente.web.pages import render

        response = render(
            request, "error.html", err.status_code, message=str(err.detail), problems=[]
        )
        if err.headers:
            response.headers.update(err.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, err: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, err)
        from detente.web.pages import render

        problems = [
            f"{str(e.get('loc', ('',))[-1])[:40]}: {e.get('msg', 'not valid')}"
            for e in err.errors()
        ]
        return render(
            request,
            "error.html",
            400,
            message="the request is missing a field or has one that is not valid",
            problems=problems,
            title="Error",
        )

    from detente.errors import DetenteError, InputError, ScenarioError

    @app.exception_handler(DetenteError)
    async def failed(request: Request, err: Exception) -> Response:
        status = 400 if isinstance(err, InputError) else 500
        problems = [str(p) for p in err.problems] if isinstance(err, ScenarioError) else []
        message = str(err)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "problems": problems}, status_code=status)
        from detente.web.pages import render

        return render(
            request, "error.html", status, message=message, problems=problems, title="Error"
        )


def _number(value: object) -> object:
    """A number as a person writes it: 100 rather than 100.0 (every digit otherwise)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("token") or request.cookies.get(_COOKIE)


def _loopback_host(request: Request) -> bool:
    """True when the Host header names this machine's loopback address (any port)."""
    host = request.headers.get("host", "").strip().lower()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in _LOOPBACK_HOSTS


def _same_origin(request: Request) -> bool:
    """False when the request's Origin (or Referer) names another host than this one."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed:
        return True
    if claimed == "null":
        return False
    seen = urlsplit(claimed)
    host = request.headers.get("host", "")
    return seen.netloc == host and seen.scheme in ("http", "https")
