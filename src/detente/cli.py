"""The ``detente`` command line: a thin Typer shell over the public API.

Exit codes: 0 success, 1 model or runtime failure, 2 bad input or usage. Errors print as one
clear paragraph; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from detente._version import __version__
from detente.cli_analysis import advise, coalitions, dyads
from detente.cli_backtest import backtest
from detente.cli_common import (
    JsonFlag,
    ModelsOption,
    NoStore,
    PresetOption,
    RoundsOption,
    ScenarioRef,
    SettingsOption,
    SourcesDir,
    _err,
    _out,
    _state,
    find_actor,
    model_options,
    print_json,
    save_run,
    warnings_to_stderr,
)
from detente.cli_report import report
from detente.cli_runs import runs_app
from detente.cli_simulate import simulate
from detente.errors import DetenteError, InputError, ScenarioError
from detente.scenario.io import write_text_atomic

app = typer.Typer(
    name="detente",
    help="Forecast multi-party negotiations: who gets what, who moves, where conflict lies.\n\n"
    "Example: detente forecast six-party-2004",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        _out.print(f"detente {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


app.command()(simulate)
app.command()(dyads)
app.command()(advise)
app.command()(coalitions)
app.command()(backtest)
app.command()(report)
app.add_typer(runs_app, name="runs")


# --- forecast ------------------------------------------------------------------------------------


@app.command()
def forecast(
    scenario: ScenarioRef = "six-party-2004",
    model: ModelsOption = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    explain: Annotated[
        str | None,
        typer.Option(
            help="Say who made this actor (id, name or alias) move in each round, and why."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--rng", help="Seed for stochastic options (recorded in --json).", min=0),
    ] = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    no_store: NoStore = False,
) -> None:
    """Forecast the outcome of each issue with one or more models; the run is kept.

    Example: detente forecast six-party-2004 --model eum --preset scholz-code --explain DPRK
    """
    from detente.forecast import forecast as run_forecast
    from detente.scenario.bundled import open_scenario

    s = open_scenario(scenario, sources_dir=sources)
    options = model_options(option or [], model, preset, rounds)
    if explain is not None and as_json:
        raise InputError("--explain prints an explanation; use it without --json")
    focus = find_actor(s, explain) if explain is not None else None
    started = dt.datetime.now(dt.UTC)
    with warnings_to_stderr():
        fc = run_forecast(s, model or None, options=options, rng=seed)
    if not no_store:
        from detente.store import record_forecast

        run_id = save_run(record_forecast(fc, started=started, finished=dt.datetime.now(dt.UTC)))
        fc = replace(fc, run_id=run_id)
    if as_json:
        print_json(fc.to_json())
        return
    _print_forecast(fc)
    if focus is not None:
        _print_explanation(fc, focus)
    if fc.run_id:
        _out.print(f"[dim]kept as run {fc.run_id} (detente runs show {fc.run_id})[/dim]")


def _print_forecast(fc: Any) -> None:
    s = fc.scenario
    title = s.name or s.id
    _out.print(f"[bold]{title}[/bold]" + (f"  (as of {s.as_of})" if s.as_of else ""))
    frame = fc.to_frame()
    forecasts = frame[frame["quantity"] == "forecast"]
    for issue in s.issues:
        sq = f"; status quo {issue.status_quo:g}" if issue.status_quo is not None else ""
        unit = f" {issue.unit}" if issue.unit else ""
        table = Table(
            title=f"{issue.name or issue.id}  "
            f"[dim](scale {issue.min:g}-{issue.max:g}{unit}{sq})[/dim]",
            title_justify="left",
        )
        table.add_column("Model")
        table.add_column("Forecast", justify="right")
        table.add_column("Nearest label on the scale")
        for row in forecasts[forecasts["issue"] == issue.id].itertuples():
            table.add_row(str(row.model), f"{row.value:.2f}", issue.label(float(row.value)))
        _out.print(table)
    for run in fc.runs:
        for note in run.notes:
            _out.print(f"[dim]note ({run.model}): {note}[/dim]")
    for run in fc.runs:
        if run.rounds:
            _print_rounds(fc, run)

    actors = Table(title="Actors' inputs", title_justify="left")
    actors.add_column("Actor")
    actors.add_column("Capability", justify="right")
    multi = len(s.issues) > 1
    for issue in s.issues:
        suffix = f" ({issue.id})" if multi else ""
        actors.add_column(f"Position{suffix}", justify="right")
        actors.add_column(f"Salience{suffix}", justify="right")
    for a in s.actors:
        cells = [a.label, f"{a.capability:g}"]
        for issue in s.issues:
            cells += [f"{a.position[issue.id]:g}", f"{a.salience[issue.id]:g}"]
        actors.add_row(*cells)
    _out.print(actors)


def _print_rounds(fc: Any, run: Any) -> None:
    s = fc.scenario
    label = run.options.get("preset", "")
    title = f"{run.model} ({label})" if label else run.model
    for issue, path in zip(s.issues, run.rounds, strict=True):
        table = Table(title=f"{title} by round: {issue.name or issue.id}", title_justify="left")
        has_median = any(state.median is not None for state in path)
        extra = [name for name, _ in path[0].extra]
        table.add_column("Round", justify="right")
        if has_median:
            table.add_column("Median", justify="right")
        table.add_column("Mean", justify="right")
        for name in extra:
            table.add_column(name.replace("_", " ").capitalize(), justify="right")
        table.add_column("Moves (mover -> toward, kind)")
        for state in path:
            moves = "; ".join(
                f"{s.actors[m.mover].label} -> {s.actors[m.partner].label}, {m.kind}"
                for m in state.moves
            )
            cells = [str(state.round)]
            if has_median:
                cells.append("-" if state.median is None else f"{state.median:.3f}")
            cells.append(f"{state.mean:.3f}")
            cells += [f"{value:.3f}" for _, value in state.extra]
            table.add_row(*cells, moves)
        _out.print(table)
        final = Table(title=f"{run.model}: positions, first and last round", title_justify="left")
        final.add_column("Actor")
        final.add_column(f"Round {path[0].round}", justify="right")
        final.add_column(f"Round {path[-1].round}", justify="right")
        for actor, start, end in zip(s.actors, path[0].positions, path[-1].positions, strict=True):
            final.add_row(actor.label, f"{start:.3f}", f"{end:.3f}")
        _out.print(final)


def _region_for(move: Any, mover: str, partner: str) -> str:
    from detente.models.eum.steps import region_name

    name = region_name(move.eu_mover, move.eu_partner)
    return (
        name.replace("(j ", f"({partner} ")
        .replace("(i ", f"({mover} ")
        .replace("i c", f"{mover} c")
    )


def _print_explanation(fc: Any, focus: int) -> None:
    s = fc.scenario
    actor = s.actors[focus]
    dynamic = [run for run in fc.runs if run.rounds]
    if not dynamic:
        _out.print(f"--explain: no dynamic model was run, so {actor.label} never moves")
        return
    for run in dynamic:
        for issue, path in zip(s.issues, run.rounds, strict=True):
            _out.print(
                f"[bold]Why {actor.label} moved ({run.model}, {issue.name or issue.id})[/bold]"
            )
            for state in path[1:]:
                mine = [m for m in state.moves if m.mover == focus]
                if not mine:
                    _out.print(
                        f"  round {state.round}: no move (stays at {state.positions[focus]:.3f})"
                    )
                    continue
                m = mine[0]
                if hasattr(m, "explain"):
                    labels = [a.label for a in s.actors]
                    _out.print(f"  round {state.round}: {m.explain(labels)}")
                    continue
                partner = s.actors[m.partner].label
                seen = (
                    f"As {actor.label} sees the dyad"
                    if m.view == "own"
                    else f"As {partner} sees the dyad"
                )
                _out.print(
                    f"  round {state.round}: {m.kind} with {partner}, {m.old:.3f} -> {m.new:.3f}. "
                    f"{seen}: its EU of challenging {partner} is {m.eu_mover:+.4f}, "
                    f"{partner}'s EU of challenging it is {m.eu_partner:+.4f} "
                    f"(region: {_region_for(m, actor.label, partner)})"
                )


# --- scenario management -------------------------------------------------------------------------


@app.command()
def scenarios(as_json: JsonFlag = False) -> None:
    """List the bundled scenarios.

    Example: detente scenarios
    """
    from detente.scenario.bundled import bundled, bundled_names

    items = [bundled(name) for name in bundled_names()]
    if as_json:
        print_json(
            {
                "schema": "detente.scenarios/1",
                "scenarios": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "as_of": s.as_of.isoformat() if s.as_of else None,
                        "actors": len(s.actors),
                        "issues": list(s.issue_ids),
                        "events": len(s.timeline),
                    }
                    for s in items
                ],
            }
        )
        return
    table = Table(title="Bundled scenarios", title_justify="left")
    for column in ("Id", "Name", "Actors", "Issues", "Events"):
        table.add_column(column, justify="right" if column in ("Actors", "Events") else "left")
    for s in items:
        table.add_row(
            s.id, s.name, str(len(s.actors)), ", ".join(s.issue_ids), str(len(s.timeline))
        )
    _out.print(table)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Scenario file to check.")],
    sources: SourcesDir = None,
) -> None:
    """Check a scenario file and report every problem with its line.

    Evidence quotes are checked verbatim against their source files, looked up beside the
    scenario and in --sources.

    Example: detente validate my-scenario.yaml --sources articles/
    """
    from detente.scenario import check_quotes
    from detente.scenario.files import read

    s = read(file, sources_dir=sources)
    folders = [file.parent] + ([sources] if sources else [])
    quotes = check_quotes(s, folders)
    n_events = len(s.timeline)
    _out.print(
        f"[green]OK[/green] {file}: scenario '{s.id}', {len(s.actors)} actors, {len(s.issues)} "
        f"issue(s), {n_events} timeline event(s); {quotes.checked} evidence quote(s) checked "
        f"verbatim, {quotes.unchecked} not checked (source file not at hand)"
    )


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editors and other tools).

    Example: detente schema -o scenario.schema.json
    """
    from detente.scenario.schema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(output, text)
        _err.print(f"wrote {output}")


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="A KTAB CSV, a KTAB XML or an 'Actor, Capability, Position, Salience' CSV."
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Scenario file to write (.yaml or .json).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="ktab-csv, ktab-xml or csv (default: guessed from the suffix and content).",
        ),
    ] = None,
    scenario_id: Annotated[str | None, typer.Option("--id", help="Id of the new scenario.")] = None,
    issue: Annotated[str, typer.Option(help="Issue id (common CSV only).")] = "issue",
    scale_min: Annotated[
        float, typer.Option(help="Lower end of the issue's scale (common CSV only).")
    ] = 0.0,
    scale_max: Annotated[
        float, typer.Option(help="Upper end of the issue's scale (common CSV only).")
    ] = 100.0,
    salience_scale: Annotated[
        float | None,
        typer.Option(help="1 or 100: the scale of saliences (common CSV; default: guessed)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Convert a KTAB CSV or XML file, or a common CSV, into a scenario file.

    Example: detente import dummyData_3Dim.csv -o dummy.yaml
    """
    from detente.scenario import files, ktab, ktab_xml, table

    if output.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise InputError(f"{output}: import writes a scenario file; name it .yaml, .yml or .json")
    if output.exists() and not force:
        raise InputError(f"{output} exists; pass --force to overwrite it")
    fmt = fmt or files.guess_format(file)
    if fmt == "ktab-csv":
        s = ktab.read(file, scenario_id=scenario_id)
    elif fmt == "ktab-xml":
        s = ktab_xml.read(file, scenario_id=scenario_id)
    elif fmt == "csv":
        s = table.read(
            file,
            issue=issue,
            scale=(scale_min, scale_max),
            salience_scale=salience_scale,
            scenario_id=scenario_id,
        )
    else:
        raise InputError(f"import reads ktab-csv, ktab-xml or csv, not '{fmt}'")
    files.write(s, output)
    _err.print(f"wrote {output}: {len(s.actors)} actors, {len(s.issues)} issue(s)")


@app.command()
def export(
    scenario: ScenarioRef,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="yaml, json, ktab-csv or csv (default: from the output's suffix, else yaml).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: print).")
    ] = None,
    issue: Annotated[
        str | None, typer.Option(help="The issue to write (common CSV holds one issue).")
    ] = None,
) -> None:
    """Write a scenario as YAML, JSON, KTAB CSV or common CSV.

    Example: detente export six-party-2004 --format ktab-csv -o six-party.csv
    """
    from detente.scenario import files, table
    from detente.scenario.bundled import open_scenario

    s = open_scenario(scenario)
    fmt = fmt or (files.format_for_suffix(output) if output is not None else "yaml")
    if fmt == "csv":
        if issue is None and len(s.issues) > 1:
            raise InputError(
                f"the common CSV holds one issue and {s.id} has {len(s.issues)} "
                f"({', '.join(s.issue_ids)}); pass --issue"
            )
        text = table.dumps(s, issue=issue)
    else:
        text = files.dumps(s, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(output, text)
        _err.print(f"wrote {output}")


@app.command("models")
def list_models(as_json: JsonFlag = False) -> None:
    """List the registered models and their options.

    Example: detente models
    """
    from detente import models

    infos = models.registered()
    if as_json:
        print_json(
            {
                "schema": "detente.models/1",
                "models": [
                    {
                        "name": m.name,
                        "title": m.title,
                        "summary": m.summary,
                        "reference": m.reference,
                        "iterative": m.iterative,
                        "stochastic": m.stochastic,
                        "dimensions": m.dimensions,
                        "options": m.options().model_dump(mode="json"),
                    }
                    for m in infos
                ],
            }
        )
        return
    table = Table(title="Models", title_justify="left")
    for column in ("Name", "What", "Options (defaults)", "Reference"):
        table.add_column(column)
    for m in infos:
        opts = ", ".join(f"{k}={v}" for k, v in m.options().model_dump(mode="json").items()) or "-"
        table.add_row(m.name, m.summary, opts, m.reference)
    _out.print(table)


# --- plumbing ------------------------------------------------------------------------------------


def main() -> None:
    """Entry point of the ``detente`` command: errors become messages and exit codes."""
    try:
        app()
    except SystemExit as exit_:
        if exit_.code == 130:  # Typer turns Ctrl-C into a silent exit with status 130
            _err.print("interrupted")
        raise
    except ScenarioError as err:
        _fail(err, "\n".join(str(p) for p in err.problems), 2, title=_problem_title(err))
    except InputError as err:
        _fail(err, str(err), 2)
    except DetenteError as err:
        _fail(err, str(err), 1)
    except KeyboardInterrupt:
        _err.print("interrupted")
        sys.exit(130)
    except Exception as err:  # an unexpected failure is still reported without a traceback
        _fail(
            err, f"internal error: {type(err).__name__}: {err}. Rerun with --debug for details.", 1
        )


def _problem_title(err: ScenarioError) -> str:
    n = len(err.problems)
    return "1 problem:" if n == 1 else f"{n} problems:"


def _fail(err: BaseException, message: str, code: int, title: str = "") -> None:
    if _state["debug"]:
        traceback.print_exception(err)
    head = f"error: {title}\n" if title else "error: "
    _err.print(head + message, markup=False, highlight=False)
    sys.exit(code)
