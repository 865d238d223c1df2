"""The Typer application: every command group registered, and errors turned into exit codes."""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import typer

from detente._version import __version__
from detente.cli import (
    analysis,
    backtest,
    dynamics,
    extract,
    forecast,
    report,
    runs,
    scenarios,
    serve,
    simulate,
    sweep,
    track,
)
from detente.cli._console import safe_text, state, stderr, stdout
from detente.cli._memory import keep_freed_memory
from detente.errors import DetenteError, InputError, ScenarioError

__all__ = ["app", "main"]

app = typer.Typer(
    name="detente",
    help="Forecast multi-party negotiations: who gets what, who moves, where conflict lies.\n\n"
    "Example: detente forecast six-party-2004",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        stdout.print(f"detente {__version__}")
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
    state["debug"] = debug
    keep_freed_memory()  # the models' many large temporaries: fewer page faults


app.command()(forecast.forecast)
app.command()(simulate.simulate)
app.command()(sweep.sweep)
app.command()(analysis.dyads)
app.command()(dynamics.dynamics)
app.command()(analysis.advise)
app.command()(analysis.coalitions)
app.command()(backtest.backtest)
app.command()(report.report)
app.command()(scenarios.scenarios)
app.command()(scenarios.validate)
app.command()(scenarios.schema)
app.command("import")(scenarios.import_)
app.command()(scenarios.export)
app.command("models")(scenarios.list_models)
app.command()(extract.extract)
app.add_typer(runs.runs_app, name="runs")
app.add_typer(track.question_app, name="question")
app.command()(track.seal)
app.command()(track.verify)
app.command()(track.resolve)
app.command()(track.track)
app.command()(serve.serve)


def main() -> None:
    """Entry point of the ``detente`` command: errors become messages and exit codes."""
    try:
        app()
    except SystemExit as exit_:
        if exit_.code == 130:  # Typer turns Ctrl-C into a silent exit with status 130
            stderr.print("interrupted")
        raise
    except ScenarioError as err:
        _fail(err, "\n".join(str(p) for p in err.problems), 2, title=_problem_title(err))
    except InputError as err:
        _fail(err, str(err), 2)
    except DetenteError as err:
        _fail(err, str(err), 1)
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
    except Exception as err:  # an unexpected failure is still reported without a traceback
        _fail(
            err, f"internal error: {type(err).__name__}: {err}. Rerun with --debug for details.", 1
        )


def _problem_title(err: ScenarioError) -> str:
    n = len(err.problems)
    return "1 problem:" if n == 1 else f"{n} problems:"


def _fail(err: BaseException, message: str, code: int, title: str = "") -> None:
    if state["debug"]:  # the message may quote a scenario's text: no control characters
        sys.stderr.write(safe_text("".join(traceback.format_exception(err))))
    head = f"error: {title}\n" if title else "error: "
    stderr.print(head + message, markup=False, highlight=False)
    sys.exit(code)
