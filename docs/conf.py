"""Sphinx settings for detente's documentation site (``make docs``: build/docs/html).

The pages are the Markdown files of this folder (MyST), arranged by ``index.md`` in the four
Diátaxis kinds; each kind's table of contents takes every page of its folder (a glob), so a new
page joins the site without an edit here. The API reference (``reference/api/``) is made by
autodoc from the docstrings of the public names (each package's ``__all__``), read as numpy-style
docstrings by napoleon. ``make docs`` builds with warnings as errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parents[1]
# the worktree's package, not an installed copy, when built from a checkout
sys.path.insert(0, str(ROOT / "src"))

from detente import __version__  # noqa: E402

project = "detente"
author = "detente developers"
copyright = "detente developers, MIT licence"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# --- MyST: the pages are plain CommonMark with GitHub tables; headings get anchors so that the
# pages' ``[text](page.md#a-heading)`` links resolve in the site as they do on GitHub.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4

# --- autodoc and napoleon: numpy-style docstrings (docs STYLE: summary, Parameters, Returns...)
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

#: Members that pydantic gives every model: the same on each class, documented by pydantic.
PYDANTIC_MEMBERS = {"model_config", "model_fields", "model_computed_fields"}


def _skip_pydantic_members(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    return True if name in PYDANTIC_MEMBERS else None


def setup(app: Sphinx) -> None:
    app.connect("autodoc-skip-member", _skip_pydantic_members)


# --- HTML: furo, a clean maintained theme with light and dark modes and a sidebar per section
html_theme = "furo"
html_title = f"detente {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
