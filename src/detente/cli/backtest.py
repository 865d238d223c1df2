"""``detente backtest``: every model's accuracy on DEU III, the EU decisions with known outcomes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from detente.cli._console import (
    JsonFlag,
    NoStore,
    PresetOption,
    RoundsOption,
    SettingsOption,
    model_options,
    print_json,
    progress_bar,
    save_run,
    stdout,
    warnings_to_stderr,
)
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.backtest import Backtest, Deu3

__all__ = ["backtest"]

_DATASETS = ("deu3",)


def backtest(
    dataset: Annotated[str, typer.Argument(help="The data set: deu3 (bundled).")] = "deu3",
    split: Annotated[
        str,
        typer.Option(
            help="dev (odd proposal numbers: tune on these), test (even: final figures only) "
            "or all."
        ),
    ] = "dev",
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Model to score (repeatable). Default: every model."),
    ] = None,
    capability: Annotated[
        str, typer.Option(help="Capability source for every model: equal, gdp or council.")
    ] = "equal",
    draws: Annotated[
        int,
        typer.Option(
            help="Monte Carlo draws per issue to score the calibration of --calibrate; 0: none.",
            min=0,
        ),
    ] = 0,
    spread: Annotated[
        float | None,
        typer.Option(
            help="Input spread of the calibration draws (default: the value chosen on the "
            "development half).",
            min=0.0,
            max=1.0,
        ),
    ] = None,
    calibrate: Annotated[
        str | None,
        typer.Option(
            help="The model whose distributions --draws scores (default: the reference model, "
            "compromise)."
        ),
    ] = None,
    bootstrap: Annotated[
        int, typer.Option(help="Bootstrap replicates of the MAE differences.", min=100)
    ] = 2000,
    seed: Annotated[
        int, typer.Option("--rng", help="Seed of the bootstrap and the draws.", min=0)
    ] = 0,
    data: Annotated[
        Path | None,
        typer.Option(help="A DEU III file to use instead of the bundled copy (same layout)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the tables to this markdown file."),
    ] = None,
    calibration: Annotated[
        bool,
        typer.Option(
            "--calibration",
            help="Measure the calibrated intervals instead (coverage of each nominal level, "
            "CRPS, 80%% width) of --model (default: compromise), by repeated 10-fold "
            "cross-validation over all 351 decisions, leave-one-wave-out and the test half.",
        ),
    ] = False,
    fit_calibration: Annotated[
        bool,
        typer.Option(
            "--fit-calibration",
            help="Rebuild the calibration the package ships (every model, or --model) and "
            "write it to --to.",
        ),
    ] = False,
    repeats: Annotated[
        int,
        typer.Option(
            help="Fold assignments of --calibration and --fit-calibration.", min=1, max=100
        ),
    ] = 20,
    chart: Annotated[
        Path | None,
        typer.Option(
            help="With --calibration: also draw the reliability diagram (nominal level against "
            "the share of outcomes inside, per model) to this .svg or .png file."
        ),
    ] = None,
    to: Annotated[
        Path,
        typer.Option(
            help="The folder --fit-calibration writes model_error.json and its "
            "out-of-fold intervals to."
        ),
    ] = Path("."),
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    as_json: JsonFlag = False,
    no_store: NoStore = False,
) -> None:
    """Score every model and three baselines on DEU III's scoreable issues.

    Prints MAE, RMSE, median absolute error and the share within 5/10/20 points per model,
    each model's MAE difference from compromise with a paired bootstrap 95% interval, and the
    MAE by procedure and by wave. The test half is for final figures: choose nothing on it.

    Example: detente backtest deu3 --split dev --capability council -o dev.md
    """
    from detente.backtest import backtest as run_backtest
    from detente.backtest import load_deu3
    from detente.models import REFERENCE
    from detente.scenario.io import write_text_atomic

    if dataset not in _DATASETS:
        raise InputError(f"no data set '{dataset}'; data sets are: {', '.join(_DATASETS)}")
    if output is not None:  # a path that cannot be written is refused before the work, not after
        from detente._files import check_output

        check_output(output)
    deu3 = load_deu3(data)
    if calibration and fit_calibration:
        raise InputError("give --calibration (measure) or --fit-calibration (rebuild), not both")
    if calibration or fit_calibration:
        flag = "--calibration" if calibration else "--fit-calibration"
        ignored = [
            name
            for name, given in (
                ("--split", split != "dev"),
                ("--capability", capability != "equal"),
                ("--draws", draws != 0),
                ("--spread", spread is not None),
                ("--calibrate", calibrate is not None),
                ("--bootstrap", bootstrap != 2000),
                ("--rng", seed != 0),
                ("--output", output is not None),
                ("--option", bool(option)),
                ("--preset", preset is not None),
                ("--rounds", rounds is not None),
            )
            if given
        ]
        if ignored:
            raise InputError(
                f"{flag} works on every decision under the three capability readings, with each "
                f"model's default options, and keeps no run; it takes --model, --data, "
                f"--repeats{', --to' if fit_calibration else ', --json'} only: drop "
                f"{', '.join(ignored)}"
            )
        if not fit_calibration and to != Path("."):
            raise InputError("--to is where --fit-calibration writes; --calibration writes nothing")
        if chart is not None:
            if not calibration:
                raise InputError("--chart draws the reliability diagram of --calibration")
            if chart.suffix.lower() not in (".svg", ".png"):
                raise InputError(f"--chart {chart}: name an .svg or .png file")
            from detente._files import check_output

            check_output(chart, what="chart")
    elif chart is not None:
        raise InputError("--chart draws the reliability diagram of --calibration")
    if calibration or fit_calibration:
        _calibration(deu3, calibration, model or [], repeats, to, as_json, chart)
        return
    options = model_options(option or [], model or None, preset, rounds)
    total = len(deu3.select(split)) * (2 if draws else 1)
    progress = progress_bar("scoring")
    started = dt.datetime.now(dt.UTC)
    with progress, warnings_to_stderr():
        bar = progress.add_task("issues", total=total)
        bt = run_backtest(
            deu3,
            split=split,
            models=model or None,
            capability=capability,
            options=options,
            seed=seed,
            n_boot=bootstrap,
            draws=draws,
            spread=spread,
            calibrate_model=calibrate or REFERENCE,
            progress=lambda n: progress.advance(bar, n),
        )
    run_id = None
    if not no_store:
        from detente.store import record_backtest

        run_id = save_run(record_backtest(bt, started=started, finished=dt.datetime.now(dt.UTC)))
    if as_json:
        print_json(bt.to_json() | {"run_id": run_id})
    else:
        _print_backtest(bt)
        if run_id:
            stdout.print(f"[dim]kept as run {run_id} (detente runs show {run_id})[/dim]")
    if output is not None:  # after the results are shown: a failure here loses nothing
        write_text_atomic(output, bt.to_markdown())
        if not as_json:
            stdout.print(f"[dim]tables written to {output}[/dim]")


def _calibration(
    deu3: Deu3,
    check: bool,
    models: list[str],
    repeats: int,
    to: Path,
    as_json: bool,
    chart: Path | None = None,
) -> None:
    from detente.backtest import default_models
    from detente.cli.calibration import run_calibration, run_fit
    from detente.models import REFERENCE

    if check:
        run_calibration(deu3, models or [REFERENCE], repeats, as_json, chart)
        return
    if as_json:
        raise InputError("--fit-calibration writes files; use it without --json")
    run_fit(deu3, models or list(default_models()), repeats, to)


def _print_backtest(bt: Backtest) -> None:
    n_issues = bt.frame[["proposal", "issue"]].drop_duplicates().shape[0]
    stdout.print(
        f"[bold]DEU III, {bt.split} half[/bold]: {n_issues} scoreable issues, capability "
        f"{bt.capability}, errors in points on 0-100"
    )
    scores = Table(title="Accuracy", title_justify="left")
    for name in ("Model", "Issues", "MAE", "RMSE", "Median AE", "<=5", "<=10", "<=20"):
        scores.add_column(name, justify="left" if name == "Model" else "right", no_wrap=True)
    for r in bt.scores().to_dict(orient="records"):
        scores.add_row(
            str(r["model"]),
            str(r["n"]),
            f"{r['mae']:.2f}",
            f"{r['rmse']:.2f}",
            f"{r['median_ae']:.2f}",
            f"{r['within_5']:.0%}",
            f"{r['within_10']:.0%}",
            f"{r['within_20']:.0%}",
            end_section=r["model"] == bt.models[-1],
        )
    stdout.print(scores)
    for name, count in (bt.unsettled or {}).items():
        stdout.print(
            f"[yellow]{name} did not settle within its round limit on {count} of {n_issues} "
            "issues; its forecast there is the last round's.[/yellow]"
        )
    diffs = Table(
        title=f"MAE minus {bt.compared_with}'s (paired bootstrap over proposals, 95% interval)",
        title_justify="left",
    )
    for name in ("Model", "Issues", "Difference", "95% interval"):
        diffs.add_column(name, justify="left" if name == "Model" else "right", no_wrap=True)
    for r in bt.bootstrap().to_dict(orient="records"):
        diffs.add_row(
            str(r["model"]),
            str(r["n"]),
            f"{r['diff']:+.2f}",
            f"[{r['low']:+.2f}, {r['high']:+.2f}]",
        )
    stdout.print(diffs)
    for by in ("procedure", "wave"):
        table = bt.scores(by)
        groups = list(dict.fromkeys(table[by]))
        counts = table.groupby(by)["n"].max()
        grid = Table(title=f"MAE by {by}", title_justify="left")
        grid.add_column("Model", no_wrap=True)
        for g in groups:
            label = f"wave {g}" if by == "wave" else str(g)
            grid.add_column(f"{label}\n(n={counts[g]})", justify="right", no_wrap=True)
        mae = table.set_index([by, "model"])["mae"]
        for name in bt.names:
            grid.add_row(name, *(f"{mae.get((g, name), float('nan')):.2f}" for g in groups))
        stdout.print(grid)
    if bt.calibration is not None:
        c = bt.calibration.summary()
        cal = Table(
            title=f"Calibration of {c['model']}: {c['draws']} draws per issue, spread "
            f"{c['spread']:g}",
            title_justify="left",
        )
        for name in ("50% coverage", "80% coverage", "CRPS", "MAE of median"):
            cal.add_column(name, justify="right")
        cal.add_row(
            f"{c['coverage_50']:.2f}",
            f"{c['coverage_80']:.2f}",
            f"{c['crps']:.2f}",
            f"{c['mae_of_median']:.2f}",
        )
        stdout.print(cal)
        rel = Table(title="Reliability: nominal vs observed coverage", title_justify="left")
        rel.add_column("Central interval", justify="right")
        rel.add_column("Outcomes inside", justify="right")
        for level in bt.calibration.reliability:
            rel.add_row(f"{level['nominal']:.0%}", f"{level['observed']:.0%}")
        stdout.print(rel)
