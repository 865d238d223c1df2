"""The ``detente`` command line: a thin Typer shell over the public API.

One module per command group (``forecast``, ``simulate``, ``analysis``, ``report``,
``backtest``, ``runs``, ``scenarios``), one shared console module and the application
(:mod:`detente.cli.app`). Each command imports what it runs when it runs, and a run of one
command loads that command's module only, so ``detente --help`` and a small forecast start fast.

Exit codes: 0 success, 1 model or runtime failure, 2 bad input or usage, 130 interrupted.
Errors print as one clear paragraph; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``detente`` command.

    The application is imported here, inside the handler of Ctrl-C, so that an interrupt while
    the program is still starting ends as quietly as one during a command.
    """
    try:
        from detente.cli.app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()
