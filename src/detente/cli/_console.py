"""What the command-line modules share: consoles, option types and parsing, JSON, warnings,
the run store and progress bars."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from detente.errors import InputError

__all__ = [
    "DropOption",
    "JsonFlag",
    "ModelsOption",
    "NoStore",
    "PresetOption",
    "RoundsOption",
    "ScenarioRef",
    "SetOption",
    "SettingsOption",
    "SourcesDir",
    "check_model_options",
    "find_actor",
    "model_options",
    "open_what_if",
    "print_json",
    "print_what_if",
    "progress_bar",
    "save_run",
    "state",
    "stderr",
    "stdout",
    "warnings_to_stderr",
]

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)
state = {"debug": False}

ScenarioRef = Annotated[
    str,
    typer.Argument(help="A scenario file (.yaml, .json, .csv) or a bundled scenario's name."),
]
SourcesDir = Annotated[
    Path | None,
    typer.Option(
        "--sources", help="Folder holding the source documents, to check evidence quotes."
    ),
]
ModelsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        help="Model to run (repeatable). Default: the default models (see detente models).",
    ),
]
SettingsOption = Annotated[
    list[str] | None,
    typer.Option("--option", help="Model option as MODEL.NAME=VALUE or NAME=VALUE (repeatable)."),
]
PresetOption = Annotated[
    str | None,
    typer.Option(
        help="Preset of the models that have them (the expected utility model's readings: "
        "scholz-code, paper-literal, net-vote)."
    ),
]
RoundsOption = Annotated[
    int | None,
    typer.Option(help="Round limit of the models that run in rounds (their own default).", min=0),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="ACTOR.FIELD[.ISSUE]=VALUE",
        help="What-if: change one input without editing the file (repeatable): "
        "USA.position.disarmament=80, DPRK.salience.disarmament=+10 (added), CHN.capability=*1.2 "
        "(multiplied); a negative value in parentheses: =(-5).",
    ),
]
DropOption = Annotated[
    list[str] | None,
    typer.Option("--drop", metavar="ACTOR", help="What-if: leave this actor out (repeatable)."),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
]


def model_options(
    items: list[str], chosen: list[str] | None, preset: str | None, rounds: int | None
) -> dict[str, dict[str, Any]]:
    """``--option`` settings per model, with ``--preset`` for the models that have presets and
    ``--rounds`` as the round limit of the models that run in rounds."""
    from detente import models

    options = _parse_options(items, chosen)
    run = [models.get(name) for name in (chosen or models.defaults())]
    if preset is not None:
        takers = [info for info in run if info.presets]
        if not takers:
            able = [info.name for info in models.registered() if info.presets]
            raise InputError(
                f"--preset applies to the models with presets ({', '.join(able)}); "
                f"add --model {able[0]}"
            )
        for info in takers:
            options.setdefault(info.name, {})["preset"] = preset
    if rounds is not None:
        takers = [info for info in run if info.round_limit]
        if not takers:
            able = [info.name for info in models.registered() if info.round_limit]
            raise InputError(
                f"--rounds applies to the models that run in rounds ({', '.join(able)}); "
                f"add --model {' or '.join(able)}"
            )
        for info in takers:
            assert info.round_limit is not None
            options.setdefault(info.name, {})[info.round_limit] = rounds
    return options


def _parse_options(items: list[str], chosen: list[str] | None) -> dict[str, dict[str, Any]]:
    from detente import models

    names = tuple(chosen) if chosen else models.defaults()
    options: dict[str, dict[str, Any]] = {}
    for item in items:
        key, eq, raw = item.partition("=")
        if not eq or not key:
            raise InputError(f"option {item!r} must look like MODEL.NAME=VALUE or NAME=VALUE")
        value = _option_value(raw)
        target, dot, name = key.partition(".")
        if dot:
            options.setdefault(target, {})[name] = value
            continue
        owners = [m for m in names if key in models.get(m).options.model_fields]
        if not owners:
            raise InputError(
                f"no model run here has an option '{key}' (models run: {', '.join(names)})"
            )
        for owner in owners:
            options.setdefault(owner, {})[key] = value
    return options


def _option_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show warnings raised inside as one ``warning: ...`` line each on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:  # e.g. a dynamic model that did not settle; stdout stays clean
        stderr.print(f"warning: {warning.message}", markup=False)


NoStore = Annotated[bool, typer.Option("--no-store", help="Do not keep this run in the run store.")]


def save_run(record: Any) -> str | None:
    """Keep a run in the store (``DETENTE_STORE`` or the user data folder); its id, or None.

    A store that cannot be written does not lose the result just computed: the run is shown
    anyway, with a warning that it was not kept.
    """
    from detente.errors import DetenteError
    from detente.store import RunStore

    try:
        return RunStore().save(record)
    except (DetenteError, OSError) as err:
        stderr.print(f"warning: the run was not kept in the store: {err}", markup=False)
        return None


def find_actor(scenario: Any, ref: str) -> int:
    """Index of the actor whose id, name or alias is ``ref`` (any letter case)."""
    wanted = ref.casefold()
    for n, actor in enumerate(scenario.actors):
        if any(
            name.casefold() == wanted for name in (actor.id, actor.name, *actor.aliases) if name
        ):
            return n
    known = ", ".join(scenario.actor_ids)
    raise InputError(f"no actor '{ref}' in {scenario.id}; actors are: {known}")


def open_what_if(
    ref: str, sources: Path | None, sets: list[str] | None, drops: list[str] | None
) -> Any:
    """The scenario ``ref`` (a file or a bundled name), with the ``--set`` and ``--drop``
    overrides applied (a clear error names a bad one)."""
    from detente.scenario import apply_overrides
    from detente.scenario.bundled import open_scenario

    scenario = open_scenario(ref, sources_dir=sources, check_options=check_model_options)
    return apply_overrides(scenario, sets or [], drops or [])


def check_model_options(model: str, values: Any) -> None:
    """A scenario file's options for ``model`` as the model takes them (a bad name or value:
    :class:`InputError`, which the reader reports with the file's line)."""
    from detente import models

    models.get(model).parse_options(values)


def print_what_if(scenario: Any) -> None:
    """Say which overrides a what-if scenario carries (nothing for a scenario as written)."""
    variant = scenario.variant_of
    if variant is not None:
        stdout.print(
            f"what-if on {variant.base_id} ({variant.base[:15]}...): "
            + "; ".join(variant.overrides),
            markup=False,
        )


def progress_bar(verb: str) -> Any:
    """A transient progress bar on stderr (``VERB ━━━ 12/180 0:00:03``), off when not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )
