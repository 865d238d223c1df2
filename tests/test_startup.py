"""Start-up: a command imports only what it runs, and a table is drawn fast without changing.

``detente forecast FILE --model smp`` on KTAB's 7-actor input is timed against KTAB's own
``smpc`` (``benchmarks/run_startup.py``): most of its time is importing. These tests keep the
modules it does not need out of it, in a fresh Python each, so a new import at the top of a
module cannot slow it down unnoticed.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from rich.table import Table
from rich.text import Text

from detente.cli._console import new_console, plain_table, print_table

SRC = Path(__file__).resolve().parents[1] / "src"

# Runs ``detente ARGS`` (argv[1:]) as ``python -m detente`` does, then prints on its last line
# the modules of HEAVY that were imported.
RUN = """
import json, runpy, sys
sys.argv = ["detente", *sys.argv[1:]]
try:
    runpy.run_module("detente", run_name="__main__", alter_sys=True)
except SystemExit as exit_:
    assert not exit_.code, exit_.code
heavy = %r
print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""

#: Never needed by a small forecast: the SMP's compiled kernels (under 64 actors the numpy
#: path runs), pandas and Parquet (only the run store and ``to_frame`` use them), charts and
#: HTML (the report), YAML and XML (the input is a CSV), the simulation package and its
#: process pools, the web application, and the modules of the other commands.
HEAVY = (
    "numba",
    "llvmlite",
    "detente.models.smp._kernels",
    "pandas",
    "pyarrow",
    "matplotlib",
    "jinja2",
    "ruamel.yaml",
    "yaml",
    "xml.etree.ElementTree",
    "detente.simulate",
    "concurrent.futures.process",
    "multiprocessing",
    "detente.store",
    "sqlite3",
    "fastapi",
    "detente.web",
    "detente.report",
    "detente.cli.analysis",
    "detente.cli.report",
    "detente.cli.runs",
    "detente.cli.simulate",
    "detente.cli.track",
)


def _imported(*args: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC), COLUMNS="100")
    done = subprocess.run(
        [sys.executable, "-c", RUN % (heavy,), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(done.stdout.splitlines()[-1])
    return found


def test_a_small_smp_forecast_imports_only_what_it_runs(shared: Path) -> None:
    csv = shared / "reference" / "ktab" / "dummyData_3Dim.csv"
    assert _imported("forecast", str(csv), "--model", "smp", "--no-store") == []


def test_the_guard_sees_an_import(shared: Path) -> None:
    # the same run, asked about modules it does need: the check above can fail
    csv = shared / "reference" / "ktab" / "dummyData_3Dim.csv"
    needed = ("numpy", "pydantic", "detente.cli.forecast", "detente.models.smp")
    found = _imported("forecast", str(csv), "--model", "smp", "--no-store", heavy=needed)
    assert found == sorted(needed)


def test_help_and_version_import_no_model() -> None:
    heavy = ("numpy", "pydantic", "detente.forecasting", "detente.models")
    assert _imported("--version", heavy=heavy) == []
    assert _imported("--help", heavy=heavy) == []


def test_every_command_is_listed_and_runs_alone(cli) -> None:
    from detente.cli.app import COMMANDS

    listed = cli("--help")
    assert listed.code == 0
    for name, _, _ in COMMANDS:
        assert f" {name} " in listed.out, name
    # a command named after the root options runs, and a mistyped one is refused as before
    assert cli("--debug", "models").code == 0
    wrong = cli("forcast")
    assert wrong.code == 2
    assert "No such command 'forcast'" in wrong.err


@pytest.mark.parametrize(
    ("argv", "needed"),
    [
        (["forecast", "x.csv"], {"forecast"}),
        (["--debug", "runs", "list"], {"runs"}),
        (["--version"], set()),
        (["--debug", "--version", "forecast"], set()),
        (["forecast", "--version"], {"forecast"}),  # forecast's to refuse
        (["--help"], None),
        (["--help", "--version"], None),  # help is printed first, with every command
        ([], None),
        (["forcast"], None),  # unknown: the error lists the commands
        (["--", "forecast"], None),
    ],
)
def test_the_commands_needed(argv: list[str], needed: set[str] | None) -> None:
    from detente.cli.app import _commands_needed

    assert _commands_needed(argv) == needed


def test_shell_completion_builds_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.cli.app import _commands_needed

    monkeypatch.setenv("_DETENTE_COMPLETE", "complete_bash")
    assert _commands_needed(["forecast"]) is None


def test_version_builds_no_command(cli) -> None:
    from detente import __version__

    result = cli("--version")
    assert (result.code, result.out) == (0, f"detente {__version__}\n")
    assert _imported("--version", heavy=("detente.cli.forecast", "detente.cli.scenarios")) == []


# --- tables drawn without rich's layout engine -------------------------------------------------


def _rich(table: Table, width: int) -> str:
    out = io.StringIO()
    new_console(file=out, width=width).print(table)
    return out.getvalue()


def _table(title: str | Text | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Round", justify="right")
    table.add_column(Text("Moves\n(mover -> toward)"))
    table.add_column("Mean", justify="right")
    table.add_row("0", Text(""), Text("78.784"))
    table.add_row("1", Text("A -> B, bargain\nC -> D, bargain\nE -> F, bargain"), "79.644  ")
    return table


def test_a_plain_table_is_drawn_as_rich_draws_it() -> None:
    table = _table(Text("smp by round: a title wider than the table it heads, on one line"))
    drawn = plain_table(table, 80)
    assert drawn is not None
    assert drawn == _rich(table, 80)
    # hand-checked: headers sit at the bottom of their row; "79.644  " makes its column 8 wide
    # but is aligned right without its trailing spaces; every line of a cell is kept
    assert drawn.splitlines()[1:5] == [
        "┏━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓",
        "┃       ┃ Moves             ┃          ┃",
        "┃ Round ┃ (mover -> toward) ┃     Mean ┃",
        "┡━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩",
    ]
    assert drawn.splitlines()[6:9] == [
        "│     1 │ A -> B, bargain   │   79.644 │",
        "│       │ C -> D, bargain   │          │",
        "│       │ E -> F, bargain   │          │",
    ]


def test_random_plain_tables_match_rich() -> None:
    rng = random.Random(20)
    words = ["smp", "79.03", "63 to 84", "", "A -> B, bargain", " lead", "trail ", "x", "-"]
    drawn = 0
    for _ in range(300):
        width = rng.choice([30, 60, 80])
        table = Table(title=rng.choice([None, "Pstn1  (scale 0-100)", Text("T" * 70)]))
        table.title_justify = "left"
        for _ in range(rng.randint(1, 4)):
            table.add_column(rng.choice(words), justify=rng.choice(["left", "right"]))
        for _ in range(rng.randint(1, 4)):
            cells = ["\n".join(rng.sample(words, rng.randint(1, 2))) for _ in table.columns]
            table.add_row(*(Text(c) if rng.random() < 0.5 else c for c in cells))
        plain = plain_table(table, width)
        if plain is not None:
            drawn += 1
            assert plain == _rich(table, width)
    assert drawn > 150  # most fit; those too wide for the console are left to rich


@pytest.mark.parametrize(
    "change",
    ["wide", "accent", "markup", "control", "centred title", "caption", "no rows", "terminal"],
)
def test_other_tables_are_left_to_rich(change: str) -> None:
    table = _table()
    width = 80
    if change == "wide":
        width = 30
    elif change == "accent":
        table.add_row("2", Text("Élysée -> B"), "1")
    elif change == "markup":
        table.add_row("2", "[bold]x[/bold]", "1")
    elif change == "control":
        table.add_row("2", Text("a\x1b[2Jb"), "1")
    elif change == "centred title":
        table.title, table.title_justify = "T", "center"
    elif change == "caption":
        table.caption = "c"
    elif change == "no rows":
        table = Table("a", "b", title_justify="left")
    if change != "terminal":
        assert plain_table(table, width) is None
    out = io.StringIO()
    console = new_console(file=out, width=width, force_terminal=change == "terminal")
    print_table(table, console)
    reference = io.StringIO()
    new_console(file=reference, width=width, force_terminal=change == "terminal").print(table)
    assert out.getvalue() == reference.getvalue()


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_output_that_cannot_write_box_characters_gets_richs_ascii_table(encoding: str) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding=encoding)
    print_table(_table(), new_console(file=out, width=80))
    out.flush()
    drawn = raw.getvalue().decode(encoding)
    assert drawn.splitlines()[0].startswith("+-")  # rich's ASCII box, not "┏━"
    assert "│" not in drawn


def test_a_piped_forecast_on_a_latin_1_output_is_written(shared: Path) -> None:
    csv = shared / "reference" / "ktab" / "dummyData_3Dim.csv"
    done = subprocess.run(
        [sys.executable, "-m", "detente", "forecast", str(csv), "-m", "compromise", "--no-store"],
        capture_output=True,
        env=os.environ | {"PYTHONIOENCODING": "latin-1"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode("latin-1")
    assert b"+-" in done.stdout
