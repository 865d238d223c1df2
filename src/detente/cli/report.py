"""``detente report``: one self-contained HTML report of a scenario or a stored run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli._console import (
    DropOption,
    ModelsOption,
    NoStore,
    Phases,
    PresetOption,
    RoundDaysOption,
    RoundsOption,
    SetOption,
    SettingsOption,
    SourcesDir,
    SpreadOption,
    announce_compiling,
    find_actor,
    model_options,
    open_what_if,
    save_run,
    stderr,
    warnings_to_stderr,
)
from detente.errors import InputError

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
        str | None,  # not a Path: typer would turn an empty --png into "." (this folder)
        typer.Option(
            "--png", metavar="DIR", help="Also write every chart as a PNG file into this folder."
        ),
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
    spread: SpreadOption = 0.0,
    model: ModelsOption = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    round_days: RoundDaysOption = None,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
    no_store: NoStore = False,
) -> None:
    """Write a self-contained HTML report (charts inline, works offline) of a new or stored run.

    A scenario is studied (every model, a Monte Carlo run and the analyses), the study is kept
    as a run, and the report is rendered from it; a run id renders that stored run again: the
    same run gives the same bytes.

    Example: detente report six-party-2004 -o six-party.html --png charts/
    """
    from detente.report import build
    from detente.report.render import render_html
    from detente.scenario.bundled import bundled_names
    from detente.scenario.io import write_text_atomic

    _check_folder(output, png)  # before any work: a stored run may be studied again
    announce_compiling()  # a new run or a rebuilt one may compile a model's kernels
    is_scenario = Path(what).exists() or what in bundled_names()
    if is_scenario:
        from detente.analysis import study

        scenario = open_what_if(what, sources, set_, drop).with_round_days(round_days)
        options = model_options(option or [], model, preset, rounds)
        focus = None
        if viewpoint is not None:  # a wrong name fails before the run, not after
            focus = scenario.actor_ids[find_actor(scenario, viewpoint)]
        _check_folder(output or Path(f"{scenario.id}-report.html"), png)
        with Phases("reporting") as phase, warnings_to_stderr():
            done = study(
                scenario,
                model or None,
                options=options,
                draws=draws,
                rng=seed,
                spread=spread,
                viewpoint=focus,
                progress=phase,
                parallel=True,
            )
        if not no_store:
            from detente.store import record_study

            done = done.kept_as(save_run(record_study(done, finished=dt.datetime.now(dt.UTC))))
        document = done.to_json()
    else:
        given = [
            name
            for name, value in (
                ("--model", model),
                ("--option", option),
                ("--preset", preset),
                ("--rounds", rounds),
                ("--round-days", round_days),
                ("--rng", seed),
                ("--sources", sources),
                ("--set", set_),
                ("--drop", drop),
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
        document = _stored_document(what, viewpoint)
        record = _track_record(str(document.get("run_id") or ""))
        if record:
            document = document | {"track_record": record}
    target = output or Path(f"{document['scenario']['id']}-report.html")
    _check_folder(target, png)
    with warnings_to_stderr(), Phases("reporting") as phase:
        phase("render")
        collected = build(document)
        page = render_html(collected)
    write_text_atomic(target, page)
    for warning in document.get("warnings", []):
        stderr.print(f"warning: {warning}", markup=False)
    run_id = document.get("run_id")
    kept = f"run {run_id}" if run_id else "a run not kept in the store"
    stderr.print(
        f"wrote {target} ({len(page.encode('utf-8')) / 1024:.0f} kB, "
        f"{len(collected.charts)} charts) for {kept}",
        markup=False,
    )
    if png is not None:
        from detente.report import write_pngs

        files = write_pngs(collected, png)
        stderr.print(f"wrote {len(files)} PNG charts into {png}", markup=False)


def _check_folder(target: Path | None, png: str | None) -> None:
    """Refuse output paths that cannot be written before the study runs, not after; the
    charts' folder before the HTML is written."""
    from detente._files import check_folder, check_output

    if target is not None:
        check_output(target)
    if png is not None:
        check_folder(png, what="--png")


def _stored_document(ref: str, viewpoint: str | None) -> dict[str, Any]:
    """The study document of a stored run: a study's own, else one rebuilt from its inputs.

    A stored study is rendered as it is, unless another viewpoint is asked for; a forecast or
    a simulation (or a study seen from another viewpoint) is studied again from the stored
    scenario, options, seed and draws, which give the same numbers, and is not stored again.
    """
    from detente.scenario.bundled import bundled_names
    from detente.store import RunStore

    try:
        kept = RunStore(readonly=True).get(ref)
    except InputError as err:
        raise InputError(
            f"'{ref}' is neither a scenario file, a bundled scenario "
            f"({', '.join(bundled_names())}) nor a stored run: {err}"
        ) from None
    if kept.status != "complete":
        raise InputError(f"run {kept.id} is {kept.status}, not complete: nothing to report")
    if kept.kind == "backtest":
        raise InputError(f"run {kept.id} is a backtest; a report is made of a scenario's run")
    if kept.kind == "dynamics":
        raise InputError(
            f"run {kept.id} is a dynamics analysis (detente dynamics); a report of its scenario "
            f"shows the same series: detente report {kept.scenario.id}"
            + (f" --round-days {kept.scenario.round_days:g}" if kept.scenario.round_days else "")
        )
    if kept.kind == "sweep":
        if viewpoint is not None:
            raise InputError(f"run {kept.id} is a sweep: --viewpoint is for a study's dyads")
        return dict(kept.document) | {"run_id": kept.id, "made": kept.started.isoformat()}
    focus = None
    if viewpoint is not None:
        scenario = kept.scenario
        focus = scenario.actor_ids[find_actor(scenario, viewpoint)]
    if kept.kind == "study":
        seen = {v for v in _viewpoints(kept.document) if v is not None}
        if focus is None or seen <= {focus}:
            return dict(kept.document) | {"run_id": kept.id}
    from detente.analysis.study import restudy

    with warnings_to_stderr(), Phases(f"studying run {kept.id} again") as phase:
        return restudy(kept, focus, progress=phase, parallel=True).to_json()


def _track_record(run_id: str) -> list[dict[str, Any]]:
    """The track record of every question the run is sealed for (all their vintages, scored
    against their outcomes), for the report's track-record section; empty when unsealed."""
    from detente.cli.track import intact_seals
    from detente.store import RunStore
    from detente.track import check_against_run
    from detente.track.record import question_record

    if not run_id:
        return []
    runs = RunStore(readonly=True)
    questions = list(
        dict.fromkeys(seal.question_id for seal in runs.seals() if seal.run_id == run_id)
    )
    out = []
    for question_id in questions:
        seals = intact_seals(runs.seals(question_id))
        checks: dict[str, list[str]] = {}
        for seal in seals:
            try:
                checks[seal.id] = check_against_run(seal.document, runs.get(seal.run_id))
            except InputError as err:
                checks[seal.id] = [f"the sealed run is gone: {err}"]
        out.append(
            question_record(
                runs.question(question_id),
                [seal.document for seal in seals],
                [r.document for r in runs.resolutions(question_id)],
                [r.document for r in runs.resolutions(question_id, history=True) if not r.current],
                checks,
            )
        )
    return out


def _viewpoints(document: dict[str, Any]) -> list[str | None]:
    return [(i.get("dyads") or {}).get("viewpoint") for i in document.get("issues", [])]
