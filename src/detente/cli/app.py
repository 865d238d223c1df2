"""The Typer application: the commands registered, and errors turned into exit codes.

:func:`main` registers only the command named on the command line (none for
``detente --version``; every command for ``detente --help``, a mistyped command and shell
completion): Typer makes a Click command of each registered one before it parses a word, and
each command module imports what it needs.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Collection
from typing import Annotated

import typer

from detente._version import __version__
from detente.cli._console import safe_text, state, stderr, stdout
from detente.cli._memory import keep_freed_memory
from detente.errors import DetenteError, InputError, ScenarioError

__all__ = ["build_app", "main"]


def _new_app() -> typer.Typer:
    return typer.Typer(
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


def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    state["debug"] = debug
    if ctx.invoked_subcommand != "serve":  # a server would hold its peak heap for its life
        keep_freed_memory()  # the models' many large temporaries: fewer page faults


#: Every command in the order ``detente --help`` lists them: its name, the module of
#: :mod:`detente.cli` that defines it and the function's name there.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("forecast", "forecast", "forecast"),
    ("simulate", "simulate", "simulate"),
    ("sweep", "sweep", "sweep"),
    ("dyads", "analysis", "dyads"),
    ("dynamics", "dynamics", "dynamics"),
    ("advise", "analysis", "advise"),
    ("coalitions", "analysis", "coalitions"),
    ("backtest", "backtest", "backtest"),
    ("report", "report", "report"),
    ("scenarios", "scenarios", "scenarios"),
    ("validate", "scenarios", "validate"),
    ("schema", "scenarios", "schema"),
    ("import", "scenarios", "import_"),
    ("export", "scenarios", "export"),
    ("models", "scenarios", "list_models"),
    ("extract", "extract", "extract"),
    ("runs", "runs", "runs_app"),
    ("question", "track", "question_app"),
    ("seal", "track", "seal"),
    ("verify", "track", "verify"),
    ("resolve", "track", "resolve"),
    ("track", "track", "track"),
    ("serve", "serve", "serve"),
)


def build_app(only: Collection[str] | None = None) -> typer.Typer:
    """The ``detente`` application with every command, or with the commands named in ``only``.

    A command module is imported only when its command is registered, and Typer turns every
    registered command into a Click command before it parses a word: a run of one command
    needs only that one (``detente forecast`` builds one command, not 23 with their options).
    """
    app = _new_app()
    app.callback()(_main)
    for name, module, function in COMMANDS:
        if only is not None and name not in only:
            continue
        value = getattr(importlib.import_module(f"detente.cli.{module}"), function)
        if isinstance(value, typer.Typer):
            app.add_typer(value, name=name)
        else:
            app.command(name)(value)
    return app


def _commands_needed(argv: list[str]) -> set[str] | None:
    """The commands a command line needs: the one it names; none for ``detente --version``;
    None (every command) for ``detente --help``, no command, a mistyped command (the error
    suggests the nearest names) and shell completion."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None
    names = {name for name, _, _ in COMMANDS}
    for word in argv:
        if word in ("--", "--help"):
            return None
        if not word.startswith("-"):  # the root options take no value: the first word is it
            return {word} if word in names else None
        if word == "--version":  # printed as soon as it is parsed: no command runs
            return set()
    return None


def main() -> None:
    """Entry point of the ``detente`` command: errors become messages and exit codes."""
    try:
        build_app(_commands_needed(sys.argv[1:]))()
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
