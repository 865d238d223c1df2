"""``detente sweep``: every model's forecast over a design of inputs, and where it tips."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from detente.cli._console import (
    JsonFlag,
    NoStore,
    announce_compiling,
    literal,
    print_json,
    progress_bar,
    save_run,
    stdout,
    warnings_to_stderr,
)
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.simulate.sweep import Sweep

__all__ = ["sweep"]


def sweep(
    spec: Annotated[
        str | None,
        typer.Argument(
            metavar="SPEC",
            help="A sweep specification (.yaml or .json), or a bundled example's name.",
        ),
    ] = None,
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
    seed: Annotated[
        int | None,
        typer.Option(
            "--rng", help="Seed (default: the spec's rng, else drawn and recorded).", min=0
        ),
    ] = None,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of a sweep specification.")
    ] = False,
    as_json: JsonFlag = False,
    no_store: NoStore = False,
) -> None:
    """Run every model over a design of input values; show what moves each forecast, and where
    it tips (crosses a scale label or jumps). The run is kept.

    Example: detente sweep six-party-2004-direct-offer
    """
    from detente.simulate.sweep import bundled_sweeps, open_spec
    from detente.simulate.sweep import sweep as run_sweep
    from detente.simulate.sweep_spec import sweep_schema

    if schema:
        sys.stdout.write(json.dumps(sweep_schema(), indent=2) + "\n")
        return
    if spec is None:
        raise InputError(
            "give a sweep specification (SPEC), or a bundled example: "
            + ", ".join(bundled_sweeps())
        )
    parsed, scenario = open_spec(spec)
    announce_compiling()
    started = dt.datetime.now(dt.UTC)
    progress = progress_bar("sweeping")
    with progress, warnings_to_stderr():
        bar = progress.add_task("points", total=None)
        done = run_sweep(
            parsed,
            scenario,
            rng=seed,
            engine=engine,
            workers=workers,
            scheduler=scheduler,
            progress=lambda n: progress.advance(bar, n),
        )
    if not no_store:
        from detente.store import record_sweep

        run_id = save_run(record_sweep(done, started=started, finished=dt.datetime.now(dt.UTC)))
        done = replace(done, run_id=run_id)
    if as_json:
        print_json(done.to_json())
        return
    _print_sweep(done)
    if done.run_id:
        stdout.print(
            f"[dim]kept as run {done.run_id} (detente runs show {done.run_id}; detente report "
            f"{done.run_id} for the charts)[/dim]"
        )


def _print_sweep(sw: Sweep) -> None:
    from rich.table import Table
    from rich.text import Text

    title = sw.spec.name or "Sweep"
    stdout.print(
        Text.assemble(
            (title, "bold"),
            f": {sw.scenario.name or sw.scenario.id}, {sw.points:,} design points "
            f"({sw.spec.design.kind}), models {', '.join(sw.models)}, seed {sw.seed}, engine "
            f"{sw.engine}",
        )
    )
    varied = Table(title="What varies", title_justify="left")
    for column in ("Input", "Base", "Values"):
        varied.add_column(column)
    for axis in sw.axes:
        values = ", ".join(f"{v:g}" if axis.numeric else str(v) for v in axis.values[:12])
        more = f" ... ({len(axis.values)} values)" if len(axis.values) > 12 else ""
        base = f"{axis.base:g}" if axis.numeric else str(axis.base)
        varied.add_row(literal(axis.label), literal(base), literal(values + more))
    for tie in sw.ties:
        varied.add_row(
            literal(tie.input),
            "",
            literal(f"follows {tie.to} ({tie.relation}, factor {tie.factor:g})"),
        )
    stdout.print(varied)
    influence = Table(
        title="What moves each forecast (spread of the mean forecast over an input's values)",
        title_justify="left",
    )
    for column in ("Model", "Issue", "Input", "Effect"):
        influence.add_column(column, justify="right" if column == "Effect" else "left")
    for row in sw.influence():
        influence.add_row(
            row["model"], literal(row["issue"]), literal(row["input"]), f"{row['effect']:.2f}"
        )
    stdout.print(influence)
    groups = dict.fromkeys((t.issue, t.input) for t in sw.tipping)
    for issue, varied_input in groups:  # one table per line of the design: narrow enough
        tips = Table(
            title=literal(
                f"Tipping points of {issue} as {varied_input} varies (the interval in which "
                "the forecast changes)"
            ),
            title_justify="left",
        )
        for column in ("Model", "Between", "Forecast", "Kind"):
            tips.add_column(
                column, justify="right" if column in ("Between", "Forecast") else "left"
            )
        for t in sw.tipping:
            if (t.issue, t.input) == (issue, varied_input):
                tips.add_row(
                    t.model,
                    f"{t.low:.3f}-{t.high:.3f}",
                    f"{t.before:.2f} -> {t.after:.2f}",
                    literal(t.kind),
                )
        stdout.print(tips)
    if not sw.tipping:
        stdout.print("No tipping point: no forecast crosses a scale label (or jumps) on any line.")
    for row in sw.answers():
        share = row["share_of_points"]
        stdout.print(
            f"{row['question']} ({row['model']}): "
            + ("-" if share is None else f"met at {share:.0%} of the design points"),
            markup=False,
        )
