"""``detente dyads``, ``advise`` and ``coalitions``: who fights whom, whom to persuade, who
holds together."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from detente._rng import seed_fields
from detente._version import __version__
from detente.cli._console import (
    DropOption,
    JsonFlag,
    PresetOption,
    RoundsOption,
    ScenarioRef,
    SetOption,
    SettingsOption,
    SourcesDir,
    find_actor,
    model_options,
    open_what_if,
    print_json,
    print_what_if,
    stdout,
)

__all__ = ["advise", "coalitions", "dyads"]

IssueOption = Annotated[str | None, typer.Option(help="The issue (default: the first).")]
DyadsModel = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="A model with dyads (default: the first, the expected utility model; see "
        "detente models).",
    ),
]


def dyads(
    scenario: ScenarioRef = "six-party-2004",
    viewpoint: Annotated[
        str, typer.Option(help="An actor's own perspective (id), or 'objective'.")
    ] = "objective",
    at_round: Annotated[int, typer.Option("--round", help="Round of the dyad map.", min=1)] = 1,
    issue: IssueOption = None,
    future: Annotated[
        str | None, typer.Option(help="A future of the timeline (default: each in turn).")
    ] = None,
    draws: Annotated[
        int,
        typer.Option(
            help="Monte Carlo draws for the probabilities of conflict and "
            "misperception per pair (0: none).",
            min=0,
        ),
    ] = 0,
    seed: Annotated[int | None, typer.Option("--rng", help="Seed for --draws.", min=0)] = None,
    round_days: Annotated[
        float | None,
        typer.Option(
            help="Length of a round in days: dated events then happen after some rounds (see "
            "how risks change as an event approaches). Default: dated events at rounds 1, 2, ...",
            min=1,
        ),
    ] = None,
    model: DyadsModel = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
) -> None:
    """The dyad map of the expected utility model, miscalculation risks and crisis incentives.

    Example: detente dyads six-party-2004 --viewpoint USA
    """
    from detente.analysis.dyads import (
        check_issue,
        dyad_map,
        dyads_model,
        future_names,
        pair_risks,
        round_views,
        summary_json,
    )

    s = open_what_if(scenario, sources, set_, drop)
    info = dyads_model(model)
    options = _options(info.name, option, preset, rounds)
    limit = info.round_limit
    assert limit is not None
    if at_round > getattr(options, limit):
        options = options.model_copy(update={limit: at_round})
    point = None if viewpoint == "objective" else s.actor_ids[find_actor(s, viewpoint)]
    issue = check_issue(s, issue)
    names = [future] if future else future_names(s, round_days)
    documents = []
    if not as_json:
        print_what_if(s)
    for name in names:
        rounds_ = round_views(
            s,
            issue,
            options=options,
            future=name,
            round_days=round_days,
            rng=seed,
            model=info.name,
        )
        risks = (
            pair_risks(
                s,
                issue,
                options=options,
                future=name,
                round=at_round,
                draws=draws,
                rng=seed,
                model=info.name,
            )
            if draws
            else []
        )
        doc = {"future": name, **summary_json(rounds_, point, at_round)}
        doc["draws"] = draws
        doc |= seed_fields(seed)
        doc["pair_risks"] = [vars(r) for r in risks]
        documents.append(doc)
        if as_json:
            continue
        chosen = rounds_[at_round - 1]
        stdout.print(
            f"[bold]{s.name or s.id}[/bold], future [bold]{name}[/bold], "
            f"round {at_round}, viewpoint {viewpoint}"
        )
        table = Table(title="Dyads (row actor i, column actor j)", title_justify="left")
        for column in ("i", "j", "EU i->j", "EU j->i", "Region", "Gives way"):
            table.add_column(column, justify="right" if column.startswith("EU") else "left")
        for d in dyad_map(chosen, point):
            if chosen.actors.index(d.i) < chosen.actors.index(d.j):
                table.add_row(
                    d.i, d.j, f"{d.eu_i:+.3f}", f"{d.eu_j:+.3f}", d.region, d.gives_way or "-"
                )
        stdout.print(table)
        _print_misperceptions(rounds_)
        _print_incentives(rounds_)
        if risks:
            table = Table(
                title=f"Probabilities over {draws} draws (round {at_round})", title_justify="left"
            )
            for column in ("Pair", "P(conflict)", "P(misperceived)"):
                table.add_column(column, justify="left" if column == "Pair" else "right")
            for r in risks:
                table.add_row(f"{r.i}-{r.j}", f"{r.conflict:.2f}", f"{r.misperceived:.2f}")
            stdout.print(table)
    if as_json:
        print_json(
            {
                "schema": "detente.dyads/1",
                "detente_version": __version__,
                "scenario": s.reference(),
                "issue": issue,
                "model": info.name,
                "options": options.model_dump(mode="json"),
                "futures": documents,
            }
        )


def _print_misperceptions(rounds_: Any) -> None:
    from detente.analysis.dyads import misperceptions

    table = Table(title="Miscalculation risk: pairs whose own views differ", title_justify="left")
    for column in ("Round", "Pair", "i's view", "j's view"):
        table.add_column(column)
    for rv in rounds_:
        marker = f" ({', '.join(rv.events)})" if rv.events else ""
        for m in misperceptions(rv):
            table.add_row(
                f"{rv.round}{marker}",
                f"{m.i}-{m.j}",
                _view(m.i_view),
                _view(m.j_view),
            )
    stdout.print(table)


def _print_incentives(rounds_: Any) -> None:
    from detente.analysis.dyads import crisis_incentives

    ids = rounds_[0].actors
    table = Table(
        title="Crisis incentive: best expected gain from a challenge (target)", title_justify="left"
    )
    table.add_column("Round", justify="right")
    for actor in ids:
        table.add_column(actor, justify="right")
    for rv in rounds_:
        best = {ci.actor: ci for ci in crisis_incentives(rv)}
        table.add_row(
            str(rv.round),
            *(f"{best[a].gain:+.2f} {best[a].target}" if a in best else "-" for a in ids),
        )
    stdout.print(table)


def _options(model: str, option: list[str] | None, preset: str | None, rounds: int | None) -> Any:
    """A model's options from the command line, validated like forecast's (bad ones: exit 2)."""
    from detente.forecasting import resolve_models

    _, parsed = resolve_models([model], model_options(option or [], [model], preset, rounds))
    return parsed[model]


def _view(view: tuple[str, str | None]) -> str:
    region, who = view
    return f"{region}, {who} gives way" if who else region


def advise(
    focal: Annotated[
        str, typer.Option("--for", help="The actor to advise (id, name or alias); required.")
    ],
    scenario: ScenarioRef = "six-party-2004",
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model whose forecast to steer (default: the expected utility model).",
        ),
    ] = None,
    issue: IssueOption = None,
    move: Annotated[float, typer.Option(help="Points another actor is persuaded to move.")] = 10.0,
    salience: Annotated[float, typer.Option(help="Points of salience to change.")] = 20.0,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
) -> None:
    """Advice for one actor: the position to announce, whom to persuade, what matters most.

    Example: detente advise six-party-2004 --for DPRK
    """
    from detente.analysis.advice import advise as run_advice
    from detente.analysis.dyads import dyads_model

    s = open_what_if(scenario, sources, set_, drop)
    who = s.actor_ids[find_actor(s, focal)]
    name = model or dyads_model().name
    settings = model_options(option or [], [name], preset, rounds)
    result = run_advice(
        s, who, model=name, issue=issue, options=settings.get(name), move=move, salience=salience
    )
    if as_json:
        print_json(
            {
                "schema": "detente.advice/1",
                "detente_version": __version__,
                "scenario": s.reference(),
                **result.to_json(),
            }
        )
        return
    gain = abs(result.forecast - result.ideal) - abs(result.best_forecast - result.ideal)
    print_what_if(s)
    stdout.print(
        f"[bold]Advice for {who}[/bold] ({name}, issue {result.issue}): its ideal is "
        f"{result.ideal:g}; the forecast is {result.forecast:.1f}."
    )
    stdout.print(
        f"1. Announce {result.best_position:g} instead of {result.ideal:g}: the forecast moves "
        f"to {result.best_forecast:.1f} ({gain:+.1f} nearer its ideal)."
    )
    table = Table(title="2. Whom to persuade (best first)", title_justify="left")
    for column in ("Actor", "Change", "Forecast", "Nearer the ideal by"):
        table.add_column(column, justify="right" if column[0] in "FN" else "left")
    for lever in result.levers[:8]:
        table.add_row(lever.actor, lever.change, f"{lever.forecast:.1f}", f"{lever.gain:+.1f}")
    stdout.print(table)
    table = Table(
        title="3. What the forecast hangs on (change per 5 points, or per 5% of capability)",
        title_justify="left",
    )
    for column in ("Actor", "Input", "Effect"):
        table.add_column(column, justify="right" if column == "Effect" else "left")
    for item in result.sensitivity[:10]:
        table.add_row(item.actor, item.input, f"{item.effect:+.2f}")
    stdout.print(table)


def coalitions(
    scenario: ScenarioRef = "six-party-2004",
    issue: IssueOption = None,
    tolerance: Annotated[
        float,
        typer.Option(
            help="Converging: final positions within this fraction of the scale.", min=0, max=1
        ),
    ] = 0.05,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="The model in rounds whose positions converge (default: the first of the "
            "default models that runs in rounds, the expected utility model).",
        ),
    ] = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
) -> None:
    """Who converges in the expected utility model, how cohesive declared groups are, and what
    each member's leaving would do to every model's forecast.

    Example: detente coalitions six-party-2004
    """
    from detente import models as registry
    from detente.analysis.coalitions import (
        cohesion,
        convergence_model,
        converging_groups,
        defections,
    )
    from detente.analysis.dyads import check_issue
    from detente.forecasting import forecast

    s = open_what_if(scenario, sources, set_, drop)
    issue = check_issue(s, issue)
    name = convergence_model(model).name
    settings = model_options(option or [], [name], preset, rounds)
    fc = forecast(s, [name], options=settings)
    path = fc.run(name).rounds[s.issue_ids.index(issue)]
    models = list(dict.fromkeys([*registry.defaults(), name]))
    start, end = np.array(path[0].positions), np.array(path[-1].positions)
    scale = s.issue(issue)
    groups = converging_groups(s.actor_ids, end, width=scale.max - scale.min, tolerance=tolerance)
    declared = [cohesion(g, list(s.actor_ids), start, end) for g in s.groups]
    leaving = [d for g in s.groups for d in defections(s, g, models, issue, settings)]
    if as_json:
        print_json(
            {
                "schema": "detente.coalitions/1",
                "detente_version": __version__,
                "scenario": s.reference(),
                "issue": issue,
                "model": name,
                "tolerance": tolerance,
                "converging": [list(g) for g in groups],
                "cohesion": [vars(c) for c in declared],
                "leaving": [{**vars(d), "change": d.change} for d in leaving],
            }
        )
        return
    print_what_if(s)
    stdout.print(
        f"[bold]{s.name or s.id}[/bold]: converging groups after {path[-1].round} rounds of {name} "
        f"(final positions within {tolerance:g} of the scale): "
        + ("; ".join(", ".join(g) for g in groups) or "none")
    )
    table = Table(title="Declared groups: spread of the members' positions", title_justify="left")
    for column in ("Group", "Members", "Start", "End"):
        table.add_column(column, justify="right" if column in ("Start", "End") else "left")
    for c in declared:
        table.add_row(c.group, ", ".join(c.members), f"{c.spread_start:.1f}", f"{c.spread_end:.1f}")
    stdout.print(table)
    table = Table(title="If a member leaves: change of each forecast", title_justify="left")
    table.add_column("Member")
    table.add_column("How")
    for m in models:
        table.add_column(m, justify="right")
    for member, how in dict.fromkeys((d.member, d.how) for d in leaving):
        cells = {d.model: d.change for d in leaving if (d.member, d.how) == (member, how)}
        table.add_row(member, how, *(f"{cells[m]:+.1f}" for m in models))
    stdout.print(table)
