"""The browser workbench (``detente serve``): FastAPI, Jinja2 templates and htmx over the
public API.

:func:`create_app` builds the application; :mod:`detente.web.pages` holds the HTML pages,
:mod:`detente.web.api` the JSON endpoints (the CLI's versioned documents), and
:mod:`detente.web.operations` what both call. Route handlers compute nothing themselves.
"""

from detente.web.app import create_app

__all__ = ["create_app"]
