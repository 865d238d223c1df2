"""``detente dyads``, ``advise`` and ``coalitions``: who fights whom, whom to persuade, who
holds together."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from detente.cli._console import (
    DropOption,
    IssueOption,
    JsonFlag,
    PresetOption,
    RoundsOption,
    ScenarioRef,
    SetOption,
    SettingsOption,
    SourcesDir,
    find_actor,
    literal,
    model_options,
    one_model_options,
    open_what_if,
    print_json,
    print_split,
    print_what_if,
    progress_bar,
    stdout,
    warnings_to_stderr,
    working,
)

__all__ = ["advise", "coalitions", "dyads"]

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
            help="Length of a round in days from the scenario's as_of date: every round "
            "carries its date and dated events happen at the first round on or after their "
            "date (see how risks change as an event approaches). Default: the scenario's own "
            "round calendar, else numbered rounds with dated events at rounds 1, 2, ...",
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
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help=f"Show every pair and every actor (default: the {BRIEF_PAIRS} pairs with the "
            f"most to gain from a challenge, {BRIEF_PAIRS} misperceived pairs a round and the "
            f"{BRIEF_ACTORS} actors with the most capability x salience; --json has them all).",
        ),
    ] = False,
) -> None:
    """The dyad map of the expected utility model, miscalculation risks and crisis incentives.

    Example: detente dyads six-party-2004 --viewpoint USA
    """
    from detente.analysis.dyads import (
        check_draws,
        check_issue,
        check_round,
        dyad_map,
        dyads_document,
        dyads_model,
        future_json,
        future_names,
        pair_risks,
        round_views,
        to_round,
    )

    check_round(at_round)  # before any work: the model runs to this round
    if draws:
        check_draws(draws)
    s = open_what_if(scenario, sources, set_, drop).with_round_days(round_days)
    info = dyads_model(model)
    options = to_round(info, one_model_options(info.name, option, preset, rounds), at_round)
    point = None if viewpoint == "objective" else s.actor_ids[find_actor(s, viewpoint)]
    issue = check_issue(s, issue)
    names = [future] if future else future_names(s)
    documents = []
    if not as_json:
        print_what_if(s)
    for name in names:
        doing = f"dyads of future {name}" + (f" over {draws} draws" if draws else "")
        progress = progress_bar(doing)
        with warnings_to_stderr(), progress:
            bar = progress.add_task("draws", total=draws or None)
            rounds_ = round_views(
                s,
                issue,
                options=options,
                future=name,
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
                    progress=partial(progress.advance, bar),
                )
                if draws
                else []
            )
        if as_json:  # (every pair of every round: built only to be printed)
            documents.append(
                future_json(name, rounds_, point, at_round, draws=draws, seed=seed, risks=risks)
            )
            continue
        chosen = rounds_[at_round - 1]
        on = _issue_name(s, issue)
        stdout.print(
            Text.assemble(
                (s.name or s.id, "bold"),
                ", future ",
                (name, "bold"),
                f", round {_round_label(chosen)}, viewpoint {viewpoint}, issue {on}",
            )
        )
        table = Table(
            title=literal(f"Dyads on {on} (row actor i, column actor j)"), title_justify="left"
        )
        for column in ("i", "j", "EU i->j", "EU j->i", "Region", "Gives way"):
            table.add_column(column, justify="right" if column.startswith("EU") else "left")
        place = {actor: n for n, actor in enumerate(chosen.actors)}
        pairs = [d for d in dyad_map(chosen, point) if place[d.i] < place[d.j]]
        shown = pairs
        if not full and len(pairs) > BRIEF_PAIRS:  # the pairs with the most to gain, in order
            top = sorted(range(len(pairs)), key=lambda n: -max(pairs[n].eu_i, pairs[n].eu_j))
            shown = [pairs[n] for n in sorted(top[:BRIEF_PAIRS])]
        for d in shown:
            table.add_row(
                literal(d.i),
                literal(d.j),
                f"{d.eu_i:+.3f}",
                f"{d.eu_j:+.3f}",
                d.region,
                literal(d.gives_way or "-"),
            )
        stdout.print(table)
        if len(shown) < len(pairs):
            stdout.print(
                f"{len(pairs) - len(shown)} more pairs (those with the least to gain from a "
                "challenge): use --full or --json",
                markup=False,
            )
        _print_misperceptions(rounds_, on, full)
        _print_incentives(s, rounds_, on, issue, full)
        if risks:
            table = Table(
                title=literal(f"Probabilities on {on} over {draws} draws (round {at_round})"),
                title_justify="left",
            )
            for column in ("Pair", "P(conflict)", "P(misperceived)"):
                table.add_column(column, justify="left" if column == "Pair" else "right")
            listed = risks
            if not full and len(risks) > BRIEF_PAIRS:  # the likeliest conflicts, in order
                top = sorted(range(len(risks)), key=lambda n: -risks[n].conflict)
                listed = [risks[n] for n in sorted(top[:BRIEF_PAIRS])]
            for r in listed:
                table.add_row(literal(f"{r.i}-{r.j}"), f"{r.conflict:.2f}", f"{r.misperceived:.2f}")
            stdout.print(table)
            if len(listed) < len(risks):
                stdout.print(
                    f"{len(risks) - len(listed)} more pairs (those least likely to come to "
                    "conflict): use --full or --json",
                    markup=False,
                )
    if as_json:
        print_json(dyads_document(s, issue, info.name, options, documents))


def _issue_name(s: Any, issue: str) -> str:
    named = s.issue(issue).name
    return f"{issue} ({named})" if named and named != issue else issue


def _round_label(rv: Any) -> str:
    """A round's number, and its date when the scenario dates its rounds."""
    return f"{rv.round} ({rv.date.isoformat()})" if rv.date else str(rv.round)


#: Pairs in the dyad table, and misperceived pairs a round, shown without --full.
BRIEF_PAIRS = 20
#: Actors in the crisis incentives shown without --full (the weightiest on the issue).
BRIEF_ACTORS = 12


def _print_misperceptions(rounds_: Any, on: str, full: bool = True) -> None:
    from detente.analysis.dyads import misperceptions

    table = Table(
        title=literal(f"Miscalculation risk on {on}: pairs whose own views differ"),
        title_justify="left",
    )
    for column in ("Round", "Pair", "i's view", "j's view"):
        table.add_column(column)
    hidden = 0
    for rv in rounds_:
        marker = f" ({', '.join(rv.events)})" if rv.events else ""
        found = misperceptions(rv)
        if not full and len(found) > BRIEF_PAIRS:
            hidden += len(found) - BRIEF_PAIRS
            found = found[:BRIEF_PAIRS]
        for m in found:
            table.add_row(
                literal(f"{_round_label(rv)}{marker}"),
                literal(f"{m.i}-{m.j}"),
                literal(_view(m.i_view)),
                literal(_view(m.j_view)),
            )
    stdout.print(table)
    if hidden:
        stdout.print(
            f"{hidden} more misperceived pairs (after the first {BRIEF_PAIRS} of a round): "
            "use --full or --json",
            markup=False,
        )


def _print_incentives(s: Any, rounds_: Any, on: str, issue: str, full: bool = True) -> None:
    """Each actor's best gain from a challenge per round, with its target; every actor that
    takes part in some round has a column (one added by a timeline event too: "-" before it
    joins or after it leaves); no target where nothing is to be gained. Without ``full``,
    only the :data:`BRIEF_ACTORS` actors with the most capability x salience on the issue."""
    from detente.analysis.dyads import crisis_incentives

    ids = list(dict.fromkeys(a for rv in rounds_ for a in rv.actors))
    hidden = 0
    if not full and len(ids) > BRIEF_ACTORS:
        weight = {a.id: a.capability * a.salience.get(issue, 0.0) for a in s.actors}
        top = set(sorted(ids, key=lambda a: -weight.get(a, 0.0))[:BRIEF_ACTORS])
        hidden = len(ids) - len(top)
        ids = [a for a in ids if a in top]
    rows: list[list[str | Text]] = []
    for rv in rounds_:
        best = {ci.actor: ci for ci in crisis_incentives(rv)}
        rows.append([_round_label(rv), *(_incentive(best.get(a)) for a in ids)])
    print_split(
        literal(f"Crisis incentive on {on}: best expected gain from a challenge (target)"),
        ["Round", *ids],
        rows,
        right=range(len(ids) + 1),
        caption=(
            "no target: no challenge would gain anything"
            if any(" " not in str(cell) and str(cell) != "-" for row in rows for cell in row[1:])
            else None
        ),
    )
    if hidden:
        stdout.print(
            f"{hidden} more actors (those with the least capability x salience): use --full "
            "or --json",
            markup=False,
        )


def _incentive(ci: Any) -> Text:
    if ci is None:
        return literal("-")
    if ci.gain <= 0:  # the "target" is only the first other actor: there is no target
        return literal(f"{ci.gain:+.2f}")
    return literal(f"{ci.gain:+.2f} {ci.target}")


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
    move: Annotated[
        float, typer.Option(help="Points another actor is persuaded to move (0 or more).", min=0)
    ] = 10.0,
    salience: Annotated[
        float, typer.Option(help="Points of salience to change (0 or more).", min=0)
    ] = 20.0,
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
    progress = progress_bar(f"advising {who}: variants")
    with warnings_to_stderr(), progress:
        bar = progress.add_task("variants", total=None)
        result = run_advice(
            s,
            who,
            model=name,
            issue=issue,
            options=settings.get(name),
            move=move,
            salience=salience,
            progress=lambda done, total: progress.update(bar, completed=done, total=total),
        )
    if as_json:
        print_json(result.document(s))
        return
    print_what_if(s)
    stdout.print(
        Text.assemble(
            (f"Advice for {who}", "bold"),
            f" ({name}, issue {_issue_name(s, result.issue)}): its ideal is {result.ideal:g}; "
            f"the forecast is {result.forecast:.1f}.",
        )
    )
    gain = result.announcement_gain
    if gain > _NO_GAIN:
        stdout.print(
            f"1. Announce {result.best_position:g} instead of {result.ideal:g}: the forecast "
            f"moves to {result.best_forecast:.1f} ({gain:+.1f} nearer its ideal).",
            markup=False,
        )
    else:
        stdout.print(
            f"1. No announcement helps: announcing any other position than its ideal "
            f"({result.ideal:g}) brings the forecast no nearer to it.",
            markup=False,
        )
    helpful = [lever for lever in result.levers if lever.gain > _NO_GAIN]
    if helpful:
        table = Table(
            title=literal(f"2. Whom {who} should persuade (best first)"), title_justify="left"
        )
        for column in ("Actor", "Change", "Forecast", "Nearer the ideal by"):
            table.add_column(column, justify="right" if column[0] in "FN" else "left")
        for lever in helpful[:8]:
            table.add_row(
                literal(lever.actor),
                literal(lever.change),
                f"{lever.forecast:.1f}",
                f"{lever.gain:+.1f}",
            )
        stdout.print(table)
    else:
        stdout.print(
            f"2. No persuasion helps: moving another actor {move:g} points toward {who}, or "
            f"changing its salience by {salience:g}, brings the forecast no nearer.",
            markup=False,
        )
    table = Table(
        title="3. What the forecast hangs on (change per 5 points, or per 5% of capability)",
        title_justify="left",
    )
    for column in ("Actor", "Input", "Effect"):
        table.add_column(column, justify="right" if column == "Effect" else "left")
    for item in result.sensitivity[:10]:
        table.add_row(literal(item.actor), item.input, f"{item.effect:+.2f}")
    stdout.print(table)


_NO_GAIN = 0.05  # nearer by less than the 0.1 shown is no gain worth advising


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
    from detente.analysis.coalitions import coalitions as find_coalitions
    from detente.analysis.coalitions import convergence_model
    from detente.analysis.dyads import check_issue

    s = open_what_if(scenario, sources, set_, drop)
    issue = check_issue(s, issue)
    name = convergence_model(model).name
    settings = model_options(option or [], [name], preset, rounds)
    models = list(dict.fromkeys([*registry.defaults(), name]))
    with warnings_to_stderr(), working("running the models with each member leaving its group"):
        found = find_coalitions(s, issue, model=name, tolerance=tolerance, options=settings)
    groups = [g.members for g in found.converging]
    declared, leaving = found.declared, found.leaving
    if as_json:
        print_json(found.document(s))
        return
    print_what_if(s)
    on = _issue_name(s, issue)
    stdout.print(
        Text.assemble(
            (s.name or s.id, "bold"),
            f": converging groups on {on} after {found.rounds} rounds of {name} (final "
            f"positions within {tolerance:g} of the scale): "
            + ("; ".join(", ".join(g) for g in groups) or "none"),
        )
    )
    table = Table(
        title=literal(f"Declared groups: spread of the members' positions on {on}"),
        title_justify="left",
    )
    for column in ("Group", "Members", "Start", "End"):
        table.add_column(column, justify="right" if column in ("Start", "End") else "left")
    for c in declared:
        table.add_row(
            literal(c.group),
            literal(", ".join(c.members)),
            f"{c.spread_start:.1f}",
            f"{c.spread_end:.1f}",
        )
    stdout.print(table)
    table = Table(
        title=literal(f"If a member leaves: change of each forecast of {on}"),
        title_justify="left",
    )
    table.add_column("Member")
    table.add_column("How")
    for m in models:
        table.add_column(m, justify="right")
    for member, how in dict.fromkeys((d.member, d.how) for d in leaving):
        cells = {d.model: d.change for d in leaving if (d.member, d.how) == (member, how)}
        table.add_row(literal(member), how, *(f"{cells[m]:+.1f}" for m in models))
    stdout.print(table)
