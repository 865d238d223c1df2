"""Scenario management: ``scenarios``, ``validate``, ``schema``, ``import``, ``export``, and
``models``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from detente.cli._console import (
    JsonFlag,
    ScenarioRef,
    SourcesDir,
    check_model_options,
    print_json,
    stderr,
    stdout,
)
from detente.errors import InputError

__all__ = ["export", "import_", "list_models", "scenarios", "schema", "validate"]


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
    from rich.table import Table

    table = Table(title="Bundled scenarios", title_justify="left")
    for column in ("Id", "Name", "Actors", "Issues", "Events"):
        table.add_column(column, justify="right" if column in ("Actors", "Events") else "left")
    for s in items:
        table.add_row(
            s.id, s.name, str(len(s.actors)), ", ".join(s.issue_ids), str(len(s.timeline))
        )
    stdout.print(table)


def validate(
    file: Annotated[Path, typer.Argument(help="Scenario file to check.")],
    sources: SourcesDir = None,
    allow_missing: Annotated[
        bool,
        typer.Option(
            "--allow-missing-sources",
            help="Pass when a source file is not found (its quotes are counted as not checked); "
            "by default that fails, since the check could not run.",
        ),
    ] = False,
) -> None:
    """Check a scenario file and report every problem with its line.

    Evidence quotes are checked verbatim against their source files, looked up beside the
    scenario and in --sources; a source file that is not found fails the check unless
    --allow-missing-sources is given.

    Example: detente validate my-scenario.yaml --sources articles/
    """
    import warnings
    from dataclasses import replace

    from detente.errors import ScenarioError
    from detente.scenario import check_quotes
    from detente.scenario.evidence import sources_folder
    from detente.scenario.files import read
    from detente.scenario.io import read_document

    folders = [file.parent] + ([sources_folder(sources)] if sources else [])
    from detente.scenario._text import path_kind

    if path_kind(file) == "file":
        from detente.scenario.draft_check import check_draft, read_draft

        if read_draft(file) is not None:
            draft = check_draft(file, folders)
            stdout.print(
                f"[yellow]DRAFT[/yellow] {file}: draft scenario '{draft.id}', {draft.actors} "
                f"actors, {draft.events} timeline event(s); {draft.quotes.checked} evidence "
                f"quote(s) checked verbatim; valid as a draft, {len(draft.missing)} number(s) "
                "missing before it can be forecast:",
                highlight=False,
            )
            for problem in draft.missing:
                stdout.print(f"  {problem}", markup=False, highlight=False)
            return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a source file not found is an error here, below
        s = read(file, sources_dir=sources, check_options=check_model_options)
    from detente.simulate.timeline import check_futures

    try:
        check_futures(s)
    except ScenarioError as err:
        lines = read_document(file)[1] if file.suffix.lower() in (".yaml", ".yml") else {}
        raise err.in_file(file, lines) from None
    quotes = check_quotes(s, folders)
    if quotes.missing and not allow_missing:  # checking is the point: a check that cannot run
        lines = read_document(file)[1] if file.suffix.lower() in (".yaml", ".yml") else {}
        hint = " (or --allow-missing-sources to pass without checking them)"
        missing = [replace(p, message=p.message + hint) for p in quotes.missing]
        raise ScenarioError(missing).in_file(file, lines)
    n_events = len(s.timeline)
    uncited = ""
    if quotes.unchecked:
        why = "source file not found" if quotes.missing else "source without a file"
        uncited = f", {quotes.unchecked} not checked ({why})"
    stdout.print(
        f"[green]OK[/green] {file}: scenario '{s.id}', {len(s.actors)} actors, {len(s.issues)} "
        f"issue(s), {n_events} timeline event(s); {quotes.checked} evidence quote(s) checked "
        f"verbatim{uncited}"
    )


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """Print the JSON Schema of the scenario format (for editors and other tools).

    Example: detente schema -o scenario.schema.json
    """
    from detente.scenario.io import write_text_atomic
    from detente.scenario.schema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(output, text)
        stderr.print(f"wrote {output}")


def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="A KTAB CSV, a KTAB XML, an 'Actor, Capability, Position, Salience' CSV or an "
            "Excel workbook (.xlsx)."
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
            help="ktab-csv, ktab-xml, csv or xlsx (default: guessed from the suffix and content).",
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
    """Convert a KTAB CSV or XML file, a common CSV or an Excel workbook into a scenario file.

    Example: detente import dummyData_3Dim.csv -o dummy.yaml
    """
    from detente._files import check_output
    from detente.scenario import files, ktab, ktab_xml, table, xlsx

    check_output(output)  # a folder, a missing folder, a name too long: said before reading
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
    elif fmt == "xlsx":
        s = xlsx.read(file, scenario_id=scenario_id)
    else:
        raise InputError(f"import reads ktab-csv, ktab-xml, csv or xlsx, not '{fmt}'")
    files.write(s, output)
    stderr.print(f"wrote {output}: {len(s.actors)} actors, {len(s.issues)} issue(s)")


def export(
    scenario: ScenarioRef,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="yaml, json, ktab-csv, csv or xlsx (default: from the output's suffix, else "
            "yaml).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: print).")
    ] = None,
    issue: Annotated[
        str | None, typer.Option(help="The issue to write (common CSV holds one issue).")
    ] = None,
) -> None:
    """Write a scenario as YAML, JSON, KTAB CSV, common CSV or an Excel workbook (.xlsx).

    Example: detente export six-party-2004 --format ktab-csv -o six-party.csv
    """
    from detente.scenario import files, table
    from detente.scenario.bundled import open_scenario
    from detente.scenario.io import write_text_atomic

    s = open_scenario(scenario)
    fmt = fmt.lower() if fmt else None
    if fmt and output is not None and _CLASHES.get(output.suffix.lower(), fmt) != fmt:
        raise InputError(
            f"-o {output}: a {output.suffix} file would hold {fmt}, which the next reader would "
            f"take for {_CLASHES[output.suffix.lower()]}; name it to match --format"
        )
    fmt = fmt or (files.format_for_suffix(output) if output is not None else "yaml")
    if fmt == "xlsx":
        if output is None:
            raise InputError("an Excel workbook is not text: give the file to write, -o FILE.xlsx")
        if output.suffix.lower() != ".xlsx":
            raise InputError(f"-o {output}: name an Excel workbook FILE.xlsx")
        files.write(s, output, fmt="xlsx")
        stderr.print(f"wrote {output}")
        return
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
        stderr.print(f"wrote {output}")


# suffixes whose format the readers take from the name: writing another format there misleads
_CLASHES = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".xml": "ktab-xml",
    ".xlsx": "xlsx",
}


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
    from rich.table import Table

    table = Table(title="Models", title_justify="left")
    for column in ("Name", "What", "Options (defaults)", "Reference"):
        table.add_column(column)
    for m in infos:
        opts = ", ".join(f"{k}={v}" for k, v in m.options().model_dump(mode="json").items()) or "-"
        table.add_row(m.name, m.summary, opts, m.reference)
    stdout.print(table)
