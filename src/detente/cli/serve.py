"""``detente serve``: the browser workbench (:mod:`detente.web`) on a local port."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from detente.cli._console import stderr, stdout
from detente.errors import InputError

__all__ = ["serve"]

#: Addresses that only this machine can reach: no access token is needed there.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def serve(
    scenario: Annotated[
        str | None,
        typer.Argument(help="A bundled scenario to open the workbench on (with --open)."),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Anything but 127.0.0.1 needs an access token "
            "(DETENTE_TOKEN, or one generated and printed once)."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8765,
    workspace: Annotated[
        Path | None,
        typer.Option(
            help="Folder of your scenario files (default: detente/workspace in the user data "
            "directory)."
        ),
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the workbench in the default browser.")
    ] = False,
) -> None:
    """The browser workbench: build, edit, forecast, simulate and compare scenarios.

    Example: detente serve --open six-party-2004
    """
    try:
        import uvicorn

        from detente.web import create_app
    except ImportError as err:
        raise InputError(
            f"the workbench needs FastAPI and uvicorn ({err.name} is missing): "
            "pip install 'detente[web]'"
        ) from None
    token = os.environ.get("DETENTE_TOKEN", "").strip() or None
    if host not in LOOPBACK and token is None:
        import secrets

        token = secrets.token_urlsafe(24)
        stderr.print(f"access token (shown once): {token}", markup=False, highlight=False)
    if scenario is not None:
        from detente.scenario.bundled import bundled_names

        if scenario not in bundled_names():
            raise InputError(
                f"no bundled scenario '{scenario}'; bundled scenarios are: "
                f"{', '.join(bundled_names())}"
            )
    app = create_app(workspace=workspace, token=token)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}" + (f"/s/bundled/{scenario}" if scenario else "/")
    stdout.print(
        f"detente workbench on {url} (workspace {app.state.workspace.root}); Ctrl-C stops it",
        markup=False,
        highlight=False,
    )
    if open_browser:
        import threading
        import webbrowser

        address = url + (f"?token={token}" if token else "")
        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
