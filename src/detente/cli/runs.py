"""``detente runs``: list, show, compare, label, note, delete and export stored runs.

A thin shell over :class:`detente.store.RunStore`. Every command takes ``--store PATH``
(default: ``DETENTE_STORE``, else ``runs.db`` in the user data directory). ``list``, ``show``,
``compare`` and ``export`` open the store read-only (they work on a read-only file or folder
and never create a store); ``label``, ``note`` and ``delete`` need a store that exists. Errors
are raised as :class:`~detente.errors.InputError`, which the main program turns into a message
and exit status 2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from detente.cli._console import JsonFlag, print_json, stderr, stdout
from detente.errors import InputError

if TYPE_CHECKING:  # the store (and pandas) load when a command runs, not at start-up
    import datetime as dt

    import pandas as pd

    from detente.store import RunStore, StoredRun

__all__ = ["runs_app"]

runs_app = typer.Typer(
    name="runs",
    help="List, show, compare, label, note, delete and export stored runs.\n\n"
    "Example: detente runs list",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The run store's database (default: $DETENTE_STORE, else runs.db in the user "
        "data directory).",
    ),
]
RunId = Annotated[str, typer.Argument(help="A run id, or any unique start of one.")]

#: Columns that, when set, mark a row as belonging to one draw, round or actor.
_DETAIL_COLUMNS = ("draw", "round", "actor")
_RESULT_COLUMNS = ("model", "issue", "quantity", "value")
#: Scenario differences ``runs compare`` lists before it counts the rest.
_SHOWN_DIFFERENCES = 12


def _reader(store: Path | None) -> RunStore:
    """The store opened read-only: it must exist, and nothing is written to it."""
    from detente.store import RunStore

    return RunStore(store, readonly=True)


def _writer(store: Path | None) -> RunStore:
    """The store opened to change it: it must exist (a run is never sought in a new store)."""
    from detente.store import RunStore

    return RunStore(store, create=False)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: Any) -> str:
    return "-" if value is None else escape(str(value))


@runs_app.command("list")
def list_runs(
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help="Show at most this many runs.", min=0)
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Only runs of this kind: forecast, simulate, study or backtest."),
    ] = None,
    as_json: JsonFlag = False,
    store: StoreOption = None,
) -> None:
    """List stored runs, newest first.

    Example: detente runs list --limit 10
    """
    from detente.store import KINDS, RUNS_SCHEMA, MissingStoreError, default_store_path

    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind is one of {', '.join(KINDS)}, not '{kind}'")
    try:
        runs_store = _reader(store)
    except MissingStoreError:
        if store is not None or os.environ.get("DETENTE_STORE", "").strip():
            raise  # a path someone gave that names no store: perhaps a typo
        where = default_store_path()  # nothing kept yet in the usual place: nothing to list
        if as_json:
            print_json({"schema": RUNS_SCHEMA, "store": str(where), "runs": []})
        else:
            stderr.print(f"no runs yet (the run store {escape(str(where))} does not exist)")
        return
    runs = runs_store.list(limit=limit, kind=kind)
    if as_json:
        print_json(
            {
                "schema": RUNS_SCHEMA,
                "store": str(runs_store.path.resolve()),
                "runs": [run.to_json() for run in runs],
            }
        )
        return
    labelled = any(run.label for run in runs)
    table = Table(title=f"Runs in {escape(str(runs_store.path))}", title_justify="left")
    # ids are copied from here, so never cut; they begin with the UTC time of the run
    table.add_column("Id (UTC time-...)", no_wrap=True, min_width=23)
    table.add_column("Kind", no_wrap=True)
    if labelled:
        table.add_column("Label", min_width=8)
    table.add_column("Scenario (date)", min_width=10)
    table.add_column("Models", min_width=8)
    table.add_column("Forecast", min_width=10)
    table.add_column("Seed", justify="right", no_wrap=True)
    table.add_column("Rows", justify="right", no_wrap=True)
    for run in runs:
        scenario = run.scenario_id + (f" ({run.scenario_as_of})" if run.scenario_as_of else "")
        table.add_row(
            run.id,
            run.kind if run.status == "complete" else f"{run.kind} ({escape(run.status)})",
            *([_cell(run.label)] if labelled else []),
            escape(scenario),
            escape(", ".join(run.models)),
            _headline_text(run.headline),
            _cell(run.seed),
            str(run.n_rows),
        )
    stdout.print(table)
    if not runs:
        stderr.print("no runs" + (f" of kind {kind}" if kind else "") + " in this store")


def _headline_text(found: dict[str, Any] | None) -> str:
    """``compromise, delay: 7.390`` (the first model's forecast of the first issue)."""
    if not found:
        return "-"
    return escape(f"{found.get('model')}, {found.get('issue')}: ") + _number(found.get("value"))


@runs_app.command()
def show(run_id: RunId, as_json: JsonFlag = False, store: StoreOption = None) -> None:
    """Show a stored run: what it ran on, with which options, and its results.

    Example: detente runs show 20261123T0625
    """
    run = _reader(store).get(run_id)
    if as_json:
        print_json(run.to_json())
        return
    out = stdout
    scenario_name = run.scenario_data.get("name") or ""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")  # a hash is never cut short
    facts.add_row("Run", f"{run.id}  ({run.kind}, {escape(run.status)})")
    if run.label:
        facts.add_row("Label", escape(run.label))
    if run.note:
        facts.add_row("Note", escape(run.note))
    facts.add_row(
        "Time",
        f"{_when(run.started)} to {_when(run.finished)} UTC "
        f"({(run.finished - run.started).total_seconds():.2f} s)",
    )
    facts.add_row("detente", escape(run.detente_version))
    as_of = run.scenario_data.get("as_of")
    facts.add_row(
        "Scenario",
        escape(f"{run.scenario_data.get('id')}  {scenario_name}".rstrip())
        + (f" (as of {escape(str(as_of))})" if as_of else ""),
    )
    facts.add_row("Scenario hash", run.scenario_hash)
    variant = run.scenario_data.get("variant_of")
    if variant:
        facts.add_row(
            "What-if",
            escape(
                f"on {variant['base_id']} ({variant['base']}): " + "; ".join(variant["overrides"])
            ),
        )
    facts.add_row("Seed", _cell(run.seed))
    facts.add_row("Engine", _cell(run.engine))
    where = "in the database" if run.parquet_file is None else f"in {run.parquet_file}"
    facts.add_row("Result rows", escape(f"{run.n_rows} ({where})"))
    out.print(facts)
    out.print(_options_table(run))
    headline = _headline(run.frame)
    forecasts = headline[headline["quantity"] == "forecast"]
    if len(forecasts):
        out.print(_forecast_table(forecasts))
    others = headline[headline["quantity"] != "forecast"]
    if len(others):
        table = Table(title="Summaries", title_justify="left")
        for column in ("Model", "Issue", "Quantity", "Value"):
            table.add_column(column, justify="right" if column == "Value" else "left")
        for model, issue, quantity, value in others.itertuples(index=False):
            table.add_row(escape(model), escape(issue), escape(quantity), _number(value))
        out.print(table)


def _options_table(run: StoredRun) -> Table:
    table = Table(title="Models and options", title_justify="left")
    table.add_column("Model")
    table.add_column("Options")
    for model, options in run.models.items():
        text = ", ".join(f"{k}={json.dumps(v)}" for k, v in options.items()) or "-"
        table.add_row(escape(model), escape(text))
    return table


def _forecast_table(forecasts: pd.DataFrame) -> Table:
    models = list(dict.fromkeys(forecasts["model"]))
    table = Table(title="Forecasts", title_justify="left")
    table.add_column("Issue")
    for model in models:
        table.add_column(escape(model), justify="right")
    for issue in dict.fromkeys(forecasts["issue"]):
        here = forecasts[forecasts["issue"] == issue]
        values = dict(zip(here["model"], here["value"], strict=True))
        table.add_row(escape(issue), *(_number(values.get(m)) for m in models))
    return table


def _number(value: Any) -> str:
    if value is None or value != value:  # missing, or NaN
        return "-"
    return f"{float(value):.3f}"


def _headline(frame: pd.DataFrame) -> pd.DataFrame:
    """Group-level result rows (no draw, round or actor): model, issue, quantity, value."""
    import pandas as pd

    if not set(_RESULT_COLUMNS) <= set(frame.columns):
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in _RESULT_COLUMNS})
    keep = pd.Series(True, index=frame.index)
    for column in _DETAIL_COLUMNS:
        if column in frame.columns:
            keep &= frame[column].isna()
    rows = frame.loc[keep, list(_RESULT_COLUMNS)]
    if "future" in frame.columns:  # a simulation: one set of summaries per future
        futures = frame.loc[keep, "future"].astype(str)
        rows = rows.assign(model=rows["model"].astype(str) + " [" + futures + "]")
    rows = rows.assign(value=pd.to_numeric(rows["value"], errors="coerce"))
    return rows.drop_duplicates(subset=["model", "issue", "quantity"]).reset_index(drop=True)


@runs_app.command()
def compare(
    first: Annotated[str, typer.Argument(help="The first run (id or unique start of one).")],
    second: Annotated[str, typer.Argument(help="The second run (id or unique start of one).")],
    store: StoreOption = None,
) -> None:
    """Compare two runs: scenario, options that differ, and results side by side.

    Example: detente runs compare 20261123T0625 20261124T0910
    """
    runs_store = _reader(store)
    a, b = runs_store.get(first), runs_store.get(second)
    out = stdout
    facts = Table(title="Runs", title_justify="left")
    for column in ("", "A", "B"):
        facts.add_column(column)
    facts.add_row("Id", a.id, b.id)
    if a.label or b.label:
        facts.add_row("Label", _cell(a.label), _cell(b.label))
    facts.add_row("Kind", a.kind, b.kind)
    facts.add_row("Started (UTC)", _when(a.started), _when(b.started))
    facts.add_row("detente", escape(a.detente_version), escape(b.detente_version))
    facts.add_row("Seed", _cell(a.seed), _cell(b.seed))
    facts.add_row("Engine", _cell(a.engine), _cell(b.engine))
    facts.add_row(
        "Scenario",
        escape(str(a.scenario_data.get("id"))),
        escape(str(b.scenario_data.get("id"))),
    )
    same = a.scenario_hash == b.scenario_hash
    facts.add_row("Scenario hash", a.scenario_hash, "same" if same else b.scenario_hash)
    out.print(facts)
    if same:
        out.print("The scenarios are identical.")
    else:
        _print_scenario_differences(a, b)

    differences = _option_differences(a.models, b.models)
    if differences:
        table = Table(title="Options that differ", title_justify="left")
        for column in ("Model", "Option", "A", "B"):
            table.add_column(column)
        for row in differences:
            table.add_row(*(escape(cell) for cell in row))
        out.print(table)
    else:
        out.print("Models and options: the same.")

    left, right = _headline(a.frame), _headline(b.frame)
    keys = ["model", "issue", "quantity"]
    both = left.merge(right, on=keys, how="inner", suffixes=("_a", "_b"), sort=False)
    if len(both):
        table = Table(title="Results", title_justify="left")
        for column in ("Model", "Issue", "Quantity", "A", "B", "B - A"):
            table.add_column(column, justify="right" if column[0] in "AB" else "left")
        for model, issue, quantity, value_a, value_b in both.itertuples(index=False):
            table.add_row(
                escape(model),
                escape(issue),
                escape(quantity),
                _number(value_a),
                _number(value_b),
                f"{value_b - value_a:+.3f}" if value_a == value_a and value_b == value_b else "-",
            )
        out.print(table)
    else:
        out.print("The runs have no results in common (no shared model, issue and quantity).")
    only_a, only_b = len(left) - len(both), len(right) - len(both)
    if only_a or only_b:
        out.print(f"Results in A only: {only_a}; in B only: {only_b}.")


def _print_scenario_differences(a: StoredRun, b: StoredRun) -> None:
    from detente.cli._diff import scenario_differences

    found = scenario_differences(a.scenario_data, b.scenario_data)
    if not found:  # same data, another hash: the copies were written by other versions
        stdout.print(
            "[bold]The scenarios differ[/bold] in their content hashes only (no input differs "
            "in the stored copies)."
        )
        return
    table = Table(
        title=f"The scenarios differ: {len(found)} input{'s' if len(found) > 1 else ''}",
        title_justify="left",
    )
    for column in ("Input", "A", "B"):
        table.add_column(column, overflow="fold")
    for where, value_a, value_b in found[:_SHOWN_DIFFERENCES]:
        table.add_row(escape(where), escape(value_a), escape(value_b))
    stdout.print(table)
    rest = len(found) - _SHOWN_DIFFERENCES
    if rest > 0:
        stdout.print(
            f"... and {rest} more difference{'s' if rest > 1 else ''} "
            "(runs show --json prints each scenario copy)."
        )


_MISSING = object()


def _option_differences(
    a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]
) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for model in dict.fromkeys([*a, *b]):
        if model not in a or model not in b:
            ran = ("run" if model in a else "not run", "run" if model in b else "not run")
            rows.append((model, "(model)", *ran))
            continue
        left, right = a[model], b[model]
        for key in dict.fromkeys([*left, *right]):
            if left.get(key, _MISSING) != right.get(key, _MISSING):
                rows.append((model, key, _option_text(left, key), _option_text(right, key)))
    return rows


def _option_text(options: dict[str, Any], key: str) -> str:
    return json.dumps(options[key]) if key in options else "(not set)"


@runs_app.command()
def delete(run_id: RunId, store: StoreOption = None) -> None:
    """Delete a stored run (and its Parquet file, if it has one).

    Example: detente runs delete 20261123T062500Z-3f9a1c
    """
    runs_store = _writer(store)
    found = runs_store.resolve(run_id)
    runs_store.delete(found)
    stderr.print(f"deleted run {found}")


@runs_app.command()
def export(
    run_id: RunId,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or parquet.")] = "csv",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: RUN_ID.FORMAT here)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Write a run's result table to a CSV or Parquet file.

    Example: detente runs export 20261123T0625 --format parquet -o results.parquet
    """
    runs_store = _reader(store)
    if output is None:
        output = Path(f"{runs_store.resolve(run_id)}.{fmt.lower()}")
    written = runs_store.export(run_id, output, fmt)
    stderr.print(f"wrote {escape(str(written))}")


@runs_app.command()
def label(
    run_id: RunId,
    text: Annotated[
        str, typer.Argument(help='The label: one line of up to 80 characters; "" removes it.')
    ],
    store: StoreOption = None,
) -> None:
    """Give a run a short label, shown by runs list, show and compare.

    Example: detente runs label 20261123T0625 "baseline, May inputs"
    """
    found = _writer(store).set_label(run_id, text)
    stderr.print(f"{'labelled' if text.strip() else 'removed the label of'} run {found}")


@runs_app.command()
def note(
    run_id: RunId,
    text: Annotated[
        str, typer.Argument(help='The note: why the run was made, what it showed; "" removes it.')
    ],
    store: StoreOption = None,
) -> None:
    """Attach a note to a run, shown by runs show (and in its --json).

    Example: detente runs note 20261123T0625 "USA position from the 12 May briefing"
    """
    found = _writer(store).set_note(run_id, text)
    stderr.print(f"{'noted' if text.strip() else 'removed the note of'} run {found}")
