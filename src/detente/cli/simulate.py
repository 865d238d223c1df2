"""``detente simulate``: Monte Carlo over uncertain inputs and timeline branches."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from detente.cli._console import (
    DropOption,
    JsonFlag,
    ModelsOption,
    NoStore,
    PresetOption,
    RoundsOption,
    ScenarioRef,
    SetOption,
    SettingsOption,
    SourcesDir,
    interval_text,
    literal,
    model_options,
    open_what_if,
    print_json,
    print_split,
    print_what_if,
    progress_bar,
    save_run,
    stdout,
    warnings_to_stderr,
)

if TYPE_CHECKING:
    from detente.simulate import Simulation

__all__ = ["simulate"]

_SPARK = " ▁▂▃▄▅▆▇█"


def simulate(
    scenario: ScenarioRef = "six-party-2004",
    model: ModelsOption = None,
    draws: Annotated[int, typer.Option(help="Number of Monte Carlo draws.", min=1)] = 1000,
    seed: Annotated[
        int | None,
        typer.Option(
            "--rng", help="Seed; the same seed gives the same draws on every engine.", min=0
        ),
    ] = None,
    spread: Annotated[
        float,
        typer.Option(
            help="Uncertainty for inputs without a declared range: +/- this fraction of the "
            "scale (positions), of 0-100 (saliences) or of the value (capabilities).",
            min=0.0,
            max=1.0,
        ),
    ] = 0.0,
    branches: Annotated[
        str,
        typer.Option(
            help="each: every future of the timeline side by side; draw: draw among them by "
            "their probabilities."
        ),
    ] = "each",
    engine: Annotated[
        str, typer.Option(help="in-process, processes (local workers) or dask.")
    ] = "in-process",
    workers: Annotated[
        int, typer.Option(help="Worker processes (processes, or a local Dask cluster).", min=1)
    ] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://HOST:PORT); default a LocalCluster."),
    ] = None,
    question: Annotated[
        list[str] | None,
        typer.Option(
            "--question",
            "-q",
            help="A threshold to give the probability of, as 'ISSUE >= VALUE' (or >, <=, <); "
            "repeatable. Answered per future and model, with its Monte Carlo standard error.",
        ),
    ] = None,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
    no_store: NoStore = False,
) -> None:
    """Monte Carlo over the scenario's uncertain inputs, for every future of its timeline.

    Prints, per issue, model and future: the median forecast, 50% and 80% intervals, a
    histogram, the probability of each labelled band of the scale, and which inputs drive the
    outcome. Interrupt with Ctrl-C.

    Example: detente simulate six-party-2004 --model eum --draws 10000 --rng 1
    """
    from detente.simulate import simulate as run_simulation

    s = open_what_if(scenario, sources, set_, drop)
    options = model_options(option or [], model, preset, rounds)
    progress = progress_bar("simulating")
    started = dt.datetime.now(dt.UTC)
    with progress, warnings_to_stderr():
        futures = _count_futures(s, branches)
        bar = progress.add_task("draws", total=draws * futures)
        sim = run_simulation(
            s,
            model or None,
            draws=draws,
            rng=seed,
            spread=spread,
            options=options,
            branches=branches,
            engine=engine,
            workers=workers,
            scheduler=scheduler,
            progress=lambda n: progress.advance(bar, n),
            questions=question or (),
        )
    if not no_store:
        from detente.store import record_simulation

        run_id = save_run(record_simulation(sim, started=started, finished=dt.datetime.now(dt.UTC)))
        sim = replace(sim, run_id=run_id)
    if as_json:
        print_json(sim.to_json())
        return
    _print_simulation(sim)
    if sim.run_id:
        stdout.print(f"[dim]kept as run {sim.run_id} (detente runs show {sim.run_id})[/dim]")


def _count_futures(s: Any, branches: str) -> int:
    from detente.simulate import futures

    try:
        return 1 if branches == "draw" else len(futures(s))
    except ValueError:
        return 1


def _print_simulation(sim: Simulation) -> None:
    s = sim.scenario
    stdout.print(
        Text.assemble(
            (s.name or s.id, "bold"),
            f": {sim.draws:,} draws, seed {sim.seed}, engine {sim.engine}"
            + (f", spread {sim.spread:g}" if sim.spread else ""),
        )
    )
    print_what_if(s)
    if not sim.input_labels:
        stdout.print(
            "[yellow]No input is uncertain (no ranges in the scenario and --spread 0): every "
            "draw has the same inputs.[/yellow]"
        )
    futures = sim.future_names
    for issue in s.issues:
        rows = []
        span = issue.max - issue.min
        for future in futures:
            for n, name in enumerate(sim.models):
                summary = sim.summary(future, name, issue.id)
                rows.append(
                    [
                        future if n == 0 else "",
                        name,
                        f"{summary['median']:.1f}",
                        _interval(summary["interval_50"], span),
                        _interval(summary["interval_80"], span),
                        "not learned"
                        if summary["calibrated"] is None
                        else _interval(summary["calibrated"]["intervals"]["80"], span),
                        _sparkline(summary["histogram"]["counts"]),
                    ]
                )
        print_split(
            Text.assemble(
                f"{issue.name or issue.id}  ", (f"(scale {issue.min:g}-{issue.max:g})", "dim")
            ),
            [
                "Future",
                "Model",
                "Median",
                "50% of draws",
                "80% of draws",
                "Calibrated 80%",
                f"{issue.min:g} ... {issue.max:g}",
            ],
            rows,
            keys=2,
            right=(2, 3, 4, 5),
        )
        if issue.scale:
            _print_bands(sim, issue.id, futures)
        _print_tornado(sim, issue.id, futures)
    stdout.print(
        Text(
            "Intervals of draws show input uncertainty only: on EU decisions they held the "
            "outcome far less often than they say. The calibrated 80% interval adds each "
            "model's errors on DEU III: 80% of decisions with forecasts like these landed in "
            "it (out of fold); a negotiation unlike EU legislation may fall outside what was "
            "learned.",
            style="dim",
        )
    )
    _print_questions(sim)


def _print_questions(sim: Simulation) -> None:
    if not sim.questions:
        return
    rows = []
    answers = sim.answers()
    for q in sim.questions:
        for future in sim.future_names:
            here = {
                r["model"]: r for r in answers if r["question"] == q.text and r["future"] == future
            }
            cells = [
                f"{here[m]['probability']:.3f} ± {here[m]['se']:.3f}"
                + (
                    ""
                    if here[m]["calibrated_probability"] is None
                    else f"; calibrated {here[m]['calibrated_probability']:.2f}"
                )
                for m in sim.models
            ]
            rows.append([q.text, future, *cells])
    print_split(
        "Threshold questions: share of the draws (± Monte Carlo standard error), and the "
        "calibrated probability (with each model's errors on DEU III)",
        ["Question", "Future", *sim.models],
        rows,
        keys=2,
        right=range(2, 2 + len(sim.models)),
        key_width=24,
    )


def _print_bands(sim: Simulation, issue: str, futures: tuple[str, ...]) -> None:
    """Futures and models as rows, the scale's labels as columns (by their anchor), and the
    labels' words in a legend below: the probabilities stay one line each at any width."""
    bands = sim.summary(futures[0], sim.models[0], issue)["bands"]
    several = len(futures) > 1
    headers = [*(["Future"] if several else []), "Model", *(f"{b['anchor']:g}" for b in bands)]
    rows = []
    for future in futures:
        for n, name in enumerate(sim.models):
            summary = sim.summary(future, name, issue)
            cells = [*([future if n == 0 else ""] if several else []), name]
            rows.append(cells + [f"{band['probability']:.2f}" for band in summary["bands"]])
            calibrated = [band["calibrated_probability"] for band in summary["bands"]]
            if all(p is not None for p in calibrated):
                rows.append(
                    [*([""] if several else []), "  calibrated"] + [f"{p:.2f}" for p in calibrated]
                )
    keys = 2 if several else 1
    print_split(
        "Probability of each labelled band (outcomes nearest each label): the share of draws, "
        "then the calibrated probability (with each model's errors on DEU III)",
        headers,
        rows,
        keys=keys,
        right=range(keys, len(headers)),
    )
    for band in bands:
        stdout.print(f"  {band['anchor']:g}: {band['label']}", markup=False)


def _print_tornado(sim: Simulation, issue: str, futures: tuple[str, ...]) -> None:
    if not sim.input_labels:
        return
    for name in sim.models:
        table = Table(
            title=f"What drives the {name} forecast (Spearman rank correlation with the outcome)",
            title_justify="left",
        )
        table.add_column("Input")
        for future in futures:
            table.add_column(literal(future), justify="right")
        rows = sim.summary(futures[0], name, issue)["tornado"][:5]
        rhos = {future: sim.rank_correlations(future, name, issue) for future in futures}
        for row in rows:
            table.add_row(
                literal(row["input"]), *(f"{rhos[f][row['input']]:+.2f}" for f in futures)
            )
        if rows:
            stdout.print(table)


def _interval(bounds: list[float], span: float) -> str:
    return interval_text(bounds[0], bounds[1], span)


def _sparkline(counts: list[int], width: int = 10) -> str:
    """The histogram as ``width`` block characters (adjacent bins pooled)."""
    pooled = [
        sum(counts[i : i + len(counts) // width])
        for i in range(0, len(counts), len(counts) // width)
    ]
    top = max(pooled) or 1
    return "".join(_SPARK[round(8 * c / top)] for c in pooled)
