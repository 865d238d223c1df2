"""Sphinx settings for detente's documentation site (``make docs``: build/docs/html).

The pages are the Markdown files of this folder (MyST), arranged by ``index.md`` in the four
Diátaxis kinds; each kind's table of contents takes every page of its folder (a glob), so a new
page joins the site without an edit here. The API reference (``reference/api/``) is made by
autodoc from the docstrings of the public names (each package's ``__all__``), read as numpy-style
docstrings by napoleon. ``make docs`` builds with warnings as errors.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import numpy
import pydantic
from docutils.nodes import Element
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.ext.napoleon import Config as NapoleonConfig
from sphinx.ext.napoleon.docstring import NumpyDocstring
from sphinx.pycode import ModuleAnalyzer

ROOT = Path(__file__).resolve().parents[1]
# the worktree's package, not an installed copy, when built from a checkout
sys.path.insert(0, str(ROOT / "src"))

import detente  # noqa: E402
import detente.forecasting  # noqa: E402
import detente.scenario  # noqa: E402
from detente import __version__  # noqa: E402

project = "detente"
author = "detente developers"
copyright = "detente developers, MIT licence"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# --- MyST: the pages are plain CommonMark with GitHub tables; headings get anchors so that the
# pages' ``[text](page.md#a-heading)`` links resolve in the site as they do on GitHub.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4

# --- HTML: furo, a clean maintained theme with light and dark modes and a sidebar per section
html_theme = "furo"
html_title = f"detente {release}"
html_static_path: list[str] = []
html_show_sourcelink = False


# --- autodoc, with napoleon for the numpy-style docstrings (summary, Parameters, Returns...)
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True

#: napoleon reads the numpy sections (Parameters, Returns, Raises...) of functions and classes.
NAPOLEON = NapoleonConfig(napoleon_google_docstring=False, napoleon_use_rtype=False)


def _numpy_sections(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """napoleon's docstring step (the project's numpy style), except on attributes and data.

    napoleon reads an attribute's, a property's or a constant's first line as ``type: text``;
    detente's say what the value is in a sentence (``The display name: name if given...``), and
    their types come from the annotations, so their text is left as it is written.
    """
    if what in {"attribute", "data", "property"}:
        return
    lines[:] = NumpyDocstring(lines, NAPOLEON, app, what, name, obj, options).lines()


#: Members that pydantic gives every model: the same on each class, documented by pydantic.
PYDANTIC_MEMBERS = {"model_config", "model_fields", "model_computed_fields"}


def _skip_pydantic_members(
    app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any
) -> bool | None:
    return True if name in PYDANTIC_MEMBERS else None


def _document_reexported_constants() -> None:
    """Give each package's source analyser the ``#:`` comments of the constants it re-exports.

    autodoc documents a module's constant only when the module's source holds its ``#:``
    comment (read by Sphinx's analyser, one cached per module); the packages list in
    ``__all__`` constants defined, with their comments, in their modules. Copying those comments
    into the package's analyser documents them on the package's page.
    """
    source = Path(detente.__file__).parent.parent
    for init in sorted((source / "detente").rglob("__init__.py")):
        package = ".".join(init.relative_to(source).parent.parts)
        own = ModuleAnalyzer.for_module(package).find_attr_docs()
        for node in ast.parse(init.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                theirs = ModuleAnalyzer.for_module(node.module).find_attr_docs()
                for alias in node.names:
                    if ("", alias.name) in theirs and alias.asname is None:
                        own.setdefault(("", alias.name), theirs["", alias.name])


_document_reexported_constants()
# a constant's value is shown beside it: an array's as its ends, not its 401 points
numpy.set_printoptions(threshold=12, edgeitems=3)


def _pydantic_signature(
    app: Sphinx,
    what: str,
    name: str,
    obj: Any,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> tuple[str, str | None] | None:
    """A pydantic model's class signature is its validated fields with their constraints,
    pages of ``Annotated[...]``: shown as ``(**data)``, its docstring says what it holds."""
    if what == "class" and isinstance(obj, type) and issubclass(obj, pydantic.BaseModel):
        return "(**data)", None
    return None


#: The names ``detente`` exports from its packages: described once, under ``detente`` (the
#: pages of ``detente.scenario`` and ``detente.forecasting`` exclude them).
REEXPORTED = set(detente.__all__) & {*detente.scenario.__all__, *detente.forecasting.__all__}


def _reexported(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    """Resolve ``detente.scenario.Scenario`` or ``Forecast.to_json`` to ``detente.Scenario``...

    Docstrings name these objects by the package that defines them, or by their short name;
    their descriptions are under ``detente``, which exports them.
    """
    if node.get("refdomain") != "py":
        return None
    parts = str(node["reftarget"]).split(".")
    for at, part in enumerate(parts):
        prefix = parts[:at]  # nothing, or detente's packages and modules
        if part in REEXPORTED and (
            not prefix or (prefix[0] == "detente" and all(p.islower() for p in prefix))
        ):
            target = ".".join(["detente", *parts[at:]])
            domain = env.get_domain("py")
            return domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], target, node, contnode
            )
    return None


def setup(app: Sphinx) -> None:
    app.connect("autodoc-process-docstring", _numpy_sections)
    app.connect("autodoc-skip-member", _skip_pydantic_members)
    app.connect("autodoc-process-signature", _pydantic_signature)
    app.connect("missing-reference", _reexported)
