"""``detente report``: one self-contained HTML report of a scenario or a stored run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.cli_common import (
    ModelsOption,
    NoStore,
    PresetOption,
    RoundsOption,
    SettingsOption,
    SourcesDir,
    _err,
    find_actor,
    model_options,
    save_run,
    warnings_to_stderr,
)
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.report import ReportRun

__all__ = ["report"]


def report(
    what: Annotated[
        str,
        typer.Argument(
            metavar="SCENARIO|RUN_ID",
            help="A scenario file or bundled scenario's name (a new run), or a stored run's id "
            "(or a unique start of one) to report again.",
        ),
    ] = "six-party-2004",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The HTML file to write (default: SCENARIO-ID-report.html)."
        ),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write every chart as a PNG file into this folder."),
    ] = None,
    viewpoint: Annotated[
        str | None,
        typer.Option(
            help="Actor (id, name or alias) whose view the dyad section takes (default: the "
            "actor with the most capability x salience)."
        ),
    ] = None,
    draws: Annotated[
        int, typer.Option(help="Monte Carlo draws per future for a new run (0: none).", min=0)
    ] = 200,
    seed: Annotated[
        int | None,
        typer.Option("--rng", help="Seed of a new run (default: drawn and recorded).", min=0),
    ] = None,
    spread: Annotated[
        float,
        typer.Option(
            help="Uncertainty of inputs without a declared range (as for simulate).",
            min=0.0,
            max=1.0,
        ),
    ] = 0.0,
    model: ModelsOption = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    sources: SourcesDir = None,
    no_store: NoStore = False,
) -> None:
    """Write a self-contained HTML report (charts inline, works offline) of a new or stored run.

    A scenario is forecast with every model plus a Monte Carlo run, the run is kept, and the
    report is written; a run id re-renders that stored run: the same run gives the same bytes.

    Example: detente report six-party-2004 -o six-party.html --png charts/
    """
    from detente.report import build, compute, record, stored
    from detente.report.render import render_html
    from detente.scenario.bundled import bundled_names
    from detente.scenario.io import write_text_atomic

    is_scenario = Path(what).exists() or what in bundled_names()
    if is_scenario:
        from detente.scenario.bundled import open_scenario

        scenario = open_scenario(what, sources_dir=sources)
        options = model_options(option or [], model, preset, rounds)
        if viewpoint is not None:
            find_actor(scenario, viewpoint)  # a wrong name fails before the run, not after
        _check_folder(output or Path(f"{scenario.id}-report.html"))
        with warnings_to_stderr():
            run = compute(
                scenario, model or None, options=options, draws=draws, seed=seed, spread=spread
            )
        if not no_store:
            run_id = save_run(record(run, finished=dt.datetime.now(dt.UTC)))
            if run_id is not None:
                run = stored(run, run_id)
    else:
        given = [
            name
            for name, value in (
                ("--model", model),
                ("--option", option),
                ("--preset", preset),
                ("--rounds", rounds),
                ("--rng", seed),
                ("--sources", sources),
            )
            if value
        ]
        if given or draws != 200 or spread:
            given += ["--draws"] if draws != 200 else []
            given += ["--spread"] if spread else []
            raise InputError(
                f"'{what}' names a stored run, which is reported as it was made; "
                f"{', '.join(given)} apply to a new run of a scenario"
            )
        run = _stored_run(what)
    focus = None
    if viewpoint is not None:
        focus = run.scenario.actor_ids[find_actor(run.scenario, viewpoint)]
    target = output or Path(f"{run.scenario.id}-report.html")
    _check_folder(target)
    with warnings_to_stderr():
        collected = build(run, viewpoint=focus)
        page = render_html(collected)
    try:
        write_text_atomic(target, page)
        _shareable(target)
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror or err}") from None
    for warning in run.warnings:
        _err.print(f"warning: {warning}", markup=False)
    kept = f"run {run.run_id}" if run.run_id else "a run not kept in the store"
    _err.print(
        f"wrote {target} ({len(page.encode('utf-8')) / 1024:.0f} kB, "
        f"{len(collected.charts)} charts) for {kept}",
        markup=False,
    )
    if png is not None:
        from detente.report import write_pngs

        try:
            files = write_pngs(collected, png)
        except OSError as err:
            raise InputError(f"cannot write the charts into {png}: {err.strerror or err}") from None
        _err.print(f"wrote {len(files)} PNG charts into {png}", markup=False)


def _shareable(path: Path) -> None:
    """Give the report the permissions of any new file (the temporary file it was is 0600)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    path.chmod(0o666 & ~mask)


def _check_folder(target: Path) -> None:
    if not target.parent.is_dir():
        raise InputError(f"cannot write {target}: the folder {target.parent} does not exist")


def _stored_run(ref: str) -> ReportRun:
    from detente.report import from_stored
    from detente.scenario.bundled import bundled_names
    from detente.store import RunStore

    store = RunStore()
    try:
        kept = store.get(ref)
    except InputError as err:
        raise InputError(
            f"'{ref}' is neither a scenario file, a bundled scenario "
            f"({', '.join(bundled_names())}) nor a stored run: {err}"
        ) from None
    with warnings_to_stderr():
        return from_stored(kept)
