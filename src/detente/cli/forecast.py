"""``detente forecast``: every model's forecast of each issue, and who moved and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from detente.cli._console import (
    DropOption,
    JsonFlag,
    ModelsOption,
    NoStore,
    PresetOption,
    RoundDaysOption,
    RoundsOption,
    ScenarioRef,
    SetOption,
    SettingsOption,
    SourcesDir,
    find_actor,
    interval_text,
    literal,
    model_options,
    open_what_if,
    print_json,
    print_split,
    print_table,
    print_what_if,
    save_run,
    stdout,
    warnings_to_stderr,
    working,
)
from detente.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from detente.forecasting import Forecast, ModelRun
    from detente.simulate.questions import Question

__all__ = ["forecast"]


def forecast(
    scenario: ScenarioRef = "six-party-2004",
    model: ModelsOption = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    round_days: RoundDaysOption = None,
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
    question: Annotated[
        list[str] | None,
        typer.Option(
            "--question",
            "-q",
            help="A threshold to give the calibrated probability of, such as "
            "'disarmament >= 75' (repeatable).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
    no_store: NoStore = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help=f"Show every actor and every move (default: the {BRIEF_ACTORS} actors with the "
            f"most capability x salience, and {BRIEF_MOVES} moves a round).",
        ),
    ] = False,
) -> None:
    """Forecast the outcome of each issue with one or more models; the run is kept.

    Example: detente forecast six-party-2004 --model eum --preset scholz-code --explain DPRK
    """
    from detente.forecasting import forecast as run_forecast

    s = open_what_if(scenario, sources, set_, drop).with_round_days(round_days)
    options = model_options(option or [], model, preset, rounds)
    if explain is not None and as_json:
        raise InputError("--explain prints an explanation; use it without --json")
    focus = find_actor(s, explain) if explain is not None else None
    asked: list[Question] = []
    if question:  # the questions module loads the simulation package: only when asked
        from detente.simulate.questions import parse_question

        asked = [parse_question(text, s) for text in question]
    started = dt.datetime.now(dt.UTC)
    with warnings_to_stderr(), working("forecasting"):
        fc = run_forecast(s, model or None, options=options, rng=seed)
    if not no_store:
        from detente.store import record_forecast

        run_id = save_run(record_forecast(fc, started=started, finished=dt.datetime.now(dt.UTC)))
        fc = replace(fc, run_id=run_id)
    if as_json:
        document = fc.to_json()
        if asked:
            document["questions"] = [
                {
                    "question": question.text,
                    "model": run.model,
                    "calibrated_probability": question.calibrated(
                        fc.predictive(run.model, question.issue)
                    ),
                }
                for question in asked
                for run in fc.runs
            ]
        print_json(document)
        return
    _print_forecast(fc, full, asked)
    if focus is not None:
        _print_explanation(fc, focus)
    if fc.run_id:
        stdout.print(f"[dim]kept as run {fc.run_id} (detente runs show {fc.run_id})[/dim]")


BRIEF_ACTORS = 12
BRIEF_MOVES = 6


def _shown_actors(fc: Forecast, full: bool) -> list[int]:
    """The actors in the tables: all of them, or the weightiest (capability x mean salience),
    in the scenario's order."""
    s = fc.scenario
    if full or len(s.actors) <= BRIEF_ACTORS:
        return list(range(len(s.actors)))
    weight = [a.capability * sum(a.salience.values()) / len(a.salience) for a in s.actors]
    top = sorted(range(len(s.actors)), key=lambda n: -weight[n])[:BRIEF_ACTORS]
    return sorted(top)


def _more_actors(fc: Forecast, shown: list[int]) -> None:
    hidden = len(fc.scenario.actors) - len(shown)
    if hidden:
        stdout.print(
            f"{hidden} more actors (those with the least capability x salience): use --full",
            markup=False,
        )


def interval_note(fc: Forecast) -> str:
    """The line that says where the intervals come from (and which models have none)."""
    from detente.calibration import shipped

    missing = [run.model for run in fc.runs if not run.calibrated]
    line = (
        f"80% interval: 80% of the {shipped()['decisions']} EU decisions of DEU III with "
        "forecasts like this one landed in such an interval (learned out of fold); a "
        "negotiation unlike EU legislation may fall outside what was learned."
    )
    if missing:
        line += f" Not learned for {', '.join(missing)} (not backtested with these options)."
    return line


def _print_forecast(fc: Forecast, full: bool = True, questions: Sequence[Question] = ()) -> None:
    from rich.table import Table

    s = fc.scenario
    title = s.name or s.id
    stdout.print(Text.assemble((title, "bold"), f"  (as of {s.as_of})" if s.as_of else ""))
    print_what_if(s)
    for j, issue in enumerate(s.issues):
        sq = f"; status quo {issue.status_quo:g}" if issue.status_quo is not None else ""
        unit = f" {issue.unit}" if issue.unit else ""
        table = Table(
            title=Text.assemble(
                f"{issue.name or issue.id}  ",
                (f"(scale {issue.min:g}-{issue.max:g}{unit}{sq})", "dim"),
            ),
            title_justify="left",
        )
        table.add_column("Model")
        table.add_column("Forecast", justify="right")
        table.add_column("80% interval", justify="right")
        table.add_column("Nearest label on the scale")
        for run in fc.runs:
            value = run.values[j]
            found = run.calibrated[j] if run.calibrated else None
            if found is None:
                interval = "not learned"
            else:
                lo, hi = found.interval(0.8)
                interval = interval_text(lo, hi, issue.max - issue.min, digits=0)
            table.add_row(run.model, f"{value:.2f}", interval, literal(issue.label(value)))
        print_table(table)
    stdout.print(Text(interval_note(fc), style="dim"))
    for question in questions:
        for run in fc.runs:
            p = question.calibrated(fc.predictive(run.model, question.issue))
            said = "not learned" if p is None else f"{p:.0%}"
            stdout.print(f"P({question.text}) by {run.model}: {said}", markup=False)
    for run in fc.runs:
        for note in run.notes:
            stdout.print(Text(f"note ({run.model}): {note}", style="dim"))
    shown = _shown_actors(fc, full)
    for run in fc.runs:
        if run.rounds:
            _print_rounds(fc, run, shown, full)

    multi = len(s.issues) > 1
    headers = ["Actor", "Capability"]
    for issue in s.issues:
        suffix = f" ({issue.id})" if multi else ""
        headers += [f"Position{suffix}", f"Salience{suffix}"]
    rows = []
    for a in (s.actors[n] for n in shown):
        cells = [a.label, f"{a.capability:g}"]
        for issue in s.issues:
            cells += [f"{a.position[issue.id]:g}", f"{a.salience[issue.id]:g}"]
        rows.append(cells)
    print_split("Actors' inputs", headers, rows, right=range(1, len(headers)), key_width=30)
    _more_actors(fc, shown)


def _print_rounds(fc: Forecast, run: ModelRun, shown: list[int], full: bool) -> None:
    from rich.table import Table

    s = fc.scenario
    label = run.options.get("preset", "")
    title = f"{run.model} ({label})" if label else run.model
    for issue, path in zip(s.issues, run.rounds, strict=True):
        table = Table(
            title=literal(f"{title} by round: {issue.name or issue.id}"), title_justify="left"
        )
        figures = [name for name, _ in path[0].quantities]
        calendar = s.calendar
        table.add_column("Round", justify="right")
        if calendar.dated:
            table.add_column("Date", justify="right")
        for name in figures:
            table.add_column(name.replace("_", " ").capitalize(), justify="right")
        table.add_column("Moves (mover -> toward, kind)")
        for state in path:
            moves = [
                f"{s.actors[m.mover].label} -> {s.actors[m.partner].label}, {m.kind}"
                for m in state.moves
            ]
            if not full and len(moves) > BRIEF_MOVES:
                moves = [*moves[:BRIEF_MOVES], f"{len(moves) - BRIEF_MOVES} more (--full)"]
            cells = [str(state.round)]
            if calendar.dated:
                day = calendar.date(state.round)
                cells.append(day.isoformat() if day else "-")
            cells += [f"{value:.3f}" for _, value in state.quantities]
            table.add_row(*cells, literal("\n".join(moves)))  # a move is never split
        print_table(table)
        final = Table(title=f"{run.model}: positions, first and last round", title_justify="left")
        final.add_column("Actor")
        final.add_column(f"Round {path[0].round}", justify="right")
        final.add_column(f"Round {path[-1].round}", justify="right")
        for n in shown:
            start, end = path[0].positions[n], path[-1].positions[n]
            final.add_row(literal(s.actors[n].label), f"{start:.3f}", f"{end:.3f}")
        print_table(final)
        _more_actors(fc, shown)


def _print_explanation(fc: Forecast, focus: int) -> None:
    s = fc.scenario
    actor = s.actors[focus]
    labels = [a.label for a in s.actors]
    issues = [i.name or i.id for i in s.issues]
    dynamic = [run for run in fc.runs if run.rounds]
    if not dynamic:
        stdout.print(
            f"--explain: no dynamic model was run, so {actor.label} never moves", markup=False
        )
        return
    for run in dynamic:
        for issue, path in zip(s.issues, run.rounds, strict=True):
            stdout.print(
                Text(f"Why {actor.label} moved ({run.model}, {issue.name or issue.id})", "bold")
            )
            for before, state in pairwise(path):
                mine = [m for m in state.moves if m.mover == focus]
                if not mine:
                    stdout.print(
                        f"  round {state.round}: no move (stays at {state.positions[focus]:.3f})"
                    )
                    continue
                for move in mine:  # a model may move an actor several times in a round
                    stdout.print(
                        f"  round {state.round}: {move.explain_named(labels, issues)}", markup=False
                    )
                    partner = move.partner  # where the partner stood when the mover chose
                    stdout.print(
                        f"    {labels[partner]} stood at {before.positions[partner]:.3f} at the "
                        f"start of round {state.round} ({state.positions[partner]:.3f} after it)",
                        markup=False,
                    )
