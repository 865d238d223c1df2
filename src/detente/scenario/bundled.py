"""Scenarios shipped with detente (``detente scenarios`` lists them)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from detente.errors import InputError
from detente.scenario import evidence, files, io
from detente.scenario.model import Scenario

__all__ = ["bundled", "bundled_names", "open_scenario"]

_DATA = "detente.scenario.data"


def bundled_names() -> tuple[str, ...]:
    """Names of the bundled scenarios, sorted."""
    return tuple(
        sorted(
            p.name[: -len(".yaml")]
            for p in resources.files(_DATA).iterdir()
            if p.name.endswith(".yaml")
        )
    )


def bundled(name: str, *, sources_dir: str | Path | None = None) -> Scenario:
    """The bundled scenario ``name`` (e.g. ``"six-party-2004"``).

    The package ships citations, not the articles: quotes are checked only against the source
    files in ``sources_dir`` when it is given.
    """
    if name not in bundled_names():
        raise InputError(
            f"no bundled scenario '{name}'; bundled scenarios are: {', '.join(bundled_names())}"
        )
    resource = resources.files(_DATA) / f"{name}.yaml"
    with resources.as_file(resource) as path:
        scenario = io.load(path, check_evidence=False)
    if sources_dir is not None:
        evidence.verify_quotes(
            scenario, [evidence.sources_folder(sources_dir)], f"{name} (bundled)"
        )
    return scenario


def open_scenario(
    ref: str | Path,
    *,
    sources_dir: str | Path | None = None,
    check_options: io.OptionCheck | None = None,
) -> Scenario:
    """A scenario file's path, or the name of a bundled scenario (``check_options``: see
    :func:`detente.scenario.files.read`)."""
    path = Path(ref)
    if io.path_kind(path) != "missing":  # a pipe or an unreadable name: read() says why
        return files.read(path, sources_dir=sources_dir, check_options=check_options)
    if str(ref) in bundled_names():
        return bundled(str(ref), sources_dir=sources_dir)
    raise InputError(
        f"'{ref}' is neither a file nor a bundled scenario; bundled scenarios are: "
        f"{', '.join(bundled_names())}"
    )
