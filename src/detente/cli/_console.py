"""What the command-line modules share: consoles, option types and parsing, JSON, warnings,
the run store and progress bars."""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from detente.errors import InputError

__all__ = [
    "DropOption",
    "IssueOption",
    "JsonFlag",
    "ModelsOption",
    "NoStore",
    "Phases",
    "PresetOption",
    "RoundsOption",
    "ScenarioRef",
    "SetOption",
    "SettingsOption",
    "SourcesDir",
    "SpreadOption",
    "announce_compiling",
    "check_model_options",
    "find_actor",
    "literal",
    "model_options",
    "new_console",
    "one_model_options",
    "open_what_if",
    "print_json",
    "print_split",
    "print_table",
    "print_what_if",
    "progress_bar",
    "safe_text",
    "save_run",
    "state",
    "stderr",
    "stdout",
    "warnings_to_stderr",
    "working",
]

# C0 controls but newline and tab, DEL and C1: a scenario's text may carry them (an actor named
# "\x1b[2J" would clear the screen, "\x1b]0;...\x07" retitle the terminal window); and the
# bidirectional controls, zero-width space and BOM (a right-to-left override in a name would
# reverse how the rest of a table row, its numbers, reads). Joiners stay: scripts need them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def safe_text(text: str) -> str:
    """``text`` without terminal control characters (C0 but newline and tab, DEL, C1) and
    without bidirectional controls, zero-width spaces and BOMs.

    An escape sequence loses its ESC, so the terminal shows its printable rest instead of
    obeying it; the characters removed take no cell on screen, so tables stay aligned.
    """
    return _CONTROL.sub("", text)


class _Sanitised:
    """A renderable whose text segments are shown without control characters."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control:  # rich's own cursor moves (progress bars), not user text
                yield segment
            else:
                yield Segment(safe_text(segment.text), segment.style)


class _Sanitise(RenderHook):
    """Every renderable printed goes through :class:`_Sanitised`: no command can forget."""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_Sanitised(r) for r in renderables]


def new_console(**settings: Any) -> Console:
    """A console that prints scenario text as it is: no emoji codes (``s.yaml:100:`` stays a
    line number, not an emoji), no highlighting, and no terminal control characters."""
    console = Console(emoji=False, highlight=False, soft_wrap=True, **settings)
    console.push_render_hook(_Sanitise())
    return console


def print_split(
    title: str | Text,
    headers: Sequence[str],
    rows: Sequence[Sequence[str | Text]],
    *,
    keys: int = 1,
    right: Sequence[int] = (),
    key_width: int | None = None,
    caption: str | None = None,
    console: Console | None = None,
) -> None:
    """A table printed in parts that fit the console's width, each repeating the first ``keys``
    columns: value cells are never cut ("...") nor wrapped, as a table squeezed into 80 columns
    would do. ``right`` lists the columns (by index) aligned right; a key column may wrap at
    ``key_width`` characters."""
    console = console or stdout
    cells = [[c if isinstance(c, Text) else literal(c) for c in row] for row in rows]

    def width(n: int) -> int:
        lines = [len(line) for line in headers[n].splitlines()] or [0]
        found = [max(lines), *(row[n].cell_len for row in cells)]
        wide = max(found)
        return min(wide, key_width) if n < keys and key_width else wide

    fixed = 1 + sum(width(n) + 3 for n in range(keys))
    parts: list[list[int]] = [[]]
    used = fixed
    for n in range(keys, len(headers)):
        need = width(n) + 3
        if parts[-1] and used + need > console.width:
            parts.append([])
            used = fixed
        parts[-1].append(n)
        used += need
    for k, part in enumerate(parts):
        shown = [*range(keys), *part]
        heading = title if k == 0 else Text.assemble(title, " (continued)")
        table = Table(
            title=heading,
            title_justify="left",
            caption=caption if k == len(parts) - 1 else None,
            caption_justify="left",
        )
        for n in shown:
            table.add_column(
                literal(headers[n]),
                justify="right" if n in right else "left",
                no_wrap=n >= keys,
                max_width=key_width if n < keys else None,
            )
        for row in cells:
            table.add_row(*(row[n] for n in shown))
        print_table(table, console)


def print_table(table: Table, console: Console | None = None) -> None:
    """Print ``table``: drawn here, without rich's layout engine, when the output is not a
    terminal and the table is one :func:`plain_table` draws exactly as rich would (a forecast's
    tables piped to a file or another program take a tenth of the time); else by rich."""
    console = console or stdout
    text = None
    if not (
        console.is_terminal
        or console.record
        or console.quiet
        or console.options.ascii_only  # rich swaps in an ASCII box the encoding can write
    ):
        text = plain_table(table, console.width)
    if text is None:
        console.print(table)
    else:
        console.file.write(text)
        console.file.flush()


def _plain_lines(cell: object) -> list[str] | None:
    """The lines of a cell or title that is plain text drawn as typed: a :class:`Text` with
    no justification or wrapping of its own, or a string without markup; printable ASCII only
    (one cell a character, nothing for :func:`safe_text` to remove). None for anything else."""
    if isinstance(cell, Text):
        if cell.justify is not None or cell.no_wrap is not None or cell.overflow is not None:
            return None
        plain = cell.plain
    elif isinstance(cell, str):
        if "[" in cell:  # markup
            return None
        plain = cell
    else:
        return None
    lines = plain.split("\n")
    if not all(line.isascii() and line.isprintable() for line in lines):
        return None
    return lines


def plain_table(table: Table, width: int) -> str | None:
    """The text rich prints for ``table`` on a console ``width`` columns wide that is not a
    terminal (so without styles), or None when the table is not of the one kind drawn here.

    The kind: rich's default box (heavy head), a header, no footer, edge, row lines, sections
    or caption, padding of one space either side, a title (if any) on the left, columns of
    their natural width aligned left or right, at least one row, plain ASCII cells (see
    :func:`_plain_lines`) and the whole no wider than the console (rich would wrap or cut).
    The CLI's tests compare this drawing with rich's (``tests/test_cli_output.py``).
    """
    if not (
        table.box is box.HEAVY_HEAD
        and table.show_header
        and not table.show_footer
        and table.show_edge
        and not table.show_lines
        and table.padding == (0, 1, 0, 1)
        and table.pad_edge
        and not table.collapse_padding
        and not table.expand
        and table.width is None
        and table.min_width is None
        and table.leading == 0
        and not table.caption
        and table.title_justify == "left"
        and table.row_count > 0
        and not any(row.end_section for row in table.rows)
    ):
        return None
    title = None
    if table.title:
        title = _plain_lines(table.title)
        if title is None or len(title) != 1:
            return None
    columns: list[list[list[str]]] = []  # per column: the header's and each row's lines
    widths: list[int] = []
    for column in table.columns:
        if (
            column.justify not in ("left", "right")
            or column.vertical != "top"
            or column.width is not None
            or column.min_width is not None
            or column.ratio is not None
            or column.footer
        ):
            return None
        cells = [_plain_lines(column.header), *(_plain_lines(c) for c in column.cells)]
        if any(lines is None for lines in cells):
            return None
        found = [lines for lines in cells if lines is not None]
        wide = max(len(line) for lines in found for line in lines)
        if column.max_width is not None and wide > column.max_width:
            return None
        columns.append(found)
        widths.append(wide)
    if sum(widths) + 3 * len(widths) + 1 > width:
        return None

    def row(n: int, edge: str) -> list[str]:
        height = max(len(cells[n]) for cells in columns)
        out = []
        for k in range(height):
            parts = []
            for column, cells, wide in zip(table.columns, columns, widths, strict=True):
                at = k - (height - len(cells[n])) if n == 0 else k  # headers sit at the bottom
                line = cells[n][at] if 0 <= at < len(cells[n]) else ""
                right = column.justify == "right"  # rich aligns such a line without its end spaces
                parts.append(line.rstrip().rjust(wide) if right else line.ljust(wide))
            out.append(edge + edge.join(f" {part} " for part in parts) + edge)
        return out

    lines = [] if title is None else title
    lines.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    lines += row(0, "┃")
    lines.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for n in range(1, table.row_count + 1):
        lines += row(n, "│")
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return "\n".join(lines) + "\n"


def literal(value: object) -> Text:
    """A table cell or title shown literally (``[bold]`` in an actor's name is not markup)."""
    return Text(str(value))


stdout = new_console()
stderr = new_console(stderr=True)
state = {"debug": False}

ScenarioRef = Annotated[
    str,
    typer.Argument(help="A scenario file (.yaml, .json, .csv) or a bundled scenario's name."),
]
SourcesDir = Annotated[
    Path | None,
    typer.Option(
        "--sources", help="Folder holding the source documents, to check evidence quotes."
    ),
]
ModelsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        help="Model to run (repeatable). Default: the default models (see detente models).",
    ),
]
SettingsOption = Annotated[
    list[str] | None,
    typer.Option("--option", help="Model option as MODEL.NAME=VALUE or NAME=VALUE (repeatable)."),
]
PresetOption = Annotated[
    str | None,
    typer.Option(
        help="Preset of the models that have them (the expected utility model's readings: "
        "scholz-code, paper-literal, net-vote)."
    ),
]
RoundsOption = Annotated[
    int | None,
    typer.Option(help="Round limit of the models that run in rounds (their own default).", min=0),
]
RoundDaysOption = Annotated[
    float | None,
    typer.Option(
        "--round-days",
        help="Give every round a date: rounds of this many days from the scenario's as_of "
        "(replacing its own round_days or round_dates); dated timeline events happen at the "
        "first round on or after their date.",
        min=0.001,
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="ACTOR.FIELD[.ISSUE]=VALUE",
        help="What-if: change one input without editing the file (repeatable): "
        "USA.position.disarmament=80, DPRK.salience.disarmament=+10 (added), CHN.capability=*1.2 "
        "(multiplied); a negative value in parentheses: =(-5).",
    ),
]
DropOption = Annotated[
    list[str] | None,
    typer.Option("--drop", metavar="ACTOR", help="What-if: leave this actor out (repeatable)."),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
]
IssueOption = Annotated[str | None, typer.Option(help="The issue (default: the first).")]
SpreadOption = Annotated[
    float,
    typer.Option(
        help="Uncertainty of inputs without a declared range (as for simulate).",
        min=0.0,
        max=1.0,
    ),
]


def one_model_options(
    model: str, option: list[str] | None, preset: str | None, rounds: int | None
) -> Any:
    """One model's options from the command line (``--option``, ``--preset``, ``--rounds``),
    validated like forecast's (bad ones: exit 2)."""
    from detente.forecasting import resolve_models

    _, parsed = resolve_models([model], model_options(option or [], [model], preset, rounds))
    return parsed[model]


def model_options(
    items: list[str], chosen: list[str] | None, preset: str | None, rounds: int | None
) -> dict[str, dict[str, Any]]:
    """``--option`` settings per model, with ``--preset`` for the models that have presets and
    ``--rounds`` as the round limit of the models that run in rounds."""
    from detente import models

    announce_compiling()
    options = _parse_options(items, chosen)
    run = [models.get(name) for name in (chosen or models.defaults())]
    if preset is not None:
        takers = [info for info in run if info.presets]
        if not takers:
            able = [info.name for info in models.registered() if info.presets]
            raise InputError(
                f"--preset applies to the models with presets ({', '.join(able)}); "
                f"add --model {able[0]}"
            )
        for info in takers:
            options.setdefault(info.name, {})["preset"] = preset
    if rounds is not None:
        takers = [info for info in run if info.round_limit]
        if not takers:
            able = [info.name for info in models.registered() if info.round_limit]
            raise InputError(
                f"--rounds applies to the models that run in rounds ({', '.join(able)}); "
                f"add --model {' or '.join(able)}"
            )
        for info in takers:
            assert info.round_limit is not None
            options.setdefault(info.name, {})[info.round_limit] = rounds
    return options


def announce_compiling() -> None:
    """Say on stderr, in one line, when a model's numba kernels are about to be compiled (a
    first run waits many seconds); nothing when numba's cache has them."""
    from detente.models._compiled import on_compile

    on_compile(_compiling)


def _compiling(module: str) -> None:
    model = module.split(".")[2] if module.count(".") >= 3 else module
    stderr.print(
        f"compiling the {model} model's numba kernels: a one-time wait (kept in numba's cache)",
        markup=False,
    )


def _parse_options(items: list[str], chosen: list[str] | None) -> dict[str, dict[str, Any]]:
    from detente import models

    names = tuple(chosen) if chosen else models.defaults()
    options: dict[str, dict[str, Any]] = {}
    for item in items:
        key, eq, raw = item.partition("=")
        if not eq or not key:
            raise InputError(f"option {item!r} must look like MODEL.NAME=VALUE or NAME=VALUE")
        value = _option_value(raw)
        target, dot, name = key.partition(".")
        if dot:
            options.setdefault(target, {})[name] = value
            continue
        owners = [m for m in names if key in models.get(m).options.model_fields]
        if not owners:
            raise InputError(
                f"no model run here has an option '{key}' (models run: {', '.join(names)})"
            )
        for owner in owners:
            options.setdefault(owner, {})[key] = value
    return options


#: An --option value longer than this is refused (no option needs more).
MAX_OPTION_TEXT = 10_000


def _option_value(raw: str) -> Any:
    if len(raw) > MAX_OPTION_TEXT:
        raise InputError(
            f"--option value of {len(raw):,} characters; values are at most {MAX_OPTION_TEXT:,}"
        )
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw
    except RecursionError:
        raise InputError(f"--option value {raw[:40]}...: nested too deeply") from None


def print_json(document: dict[str, Any]) -> None:
    """``document`` as indented JSON on stdout; DEL and C1 characters, which JSON leaves raw,
    are written as ``\\u`` escapes (the same strings, nothing for a terminal to obey)."""
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(_RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


# json.dumps escapes C0 itself; DEL, C1 and the bidirectional controls are written as \u escapes
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """Show warnings raised inside as one ``warning: ...`` line each on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:  # e.g. a dynamic model that did not settle; stdout stays clean
        stderr.print(f"warning: {warning.message}", markup=False)


NoStore = Annotated[bool, typer.Option("--no-store", help="Do not keep this run in the run store.")]


def save_run(record: Any) -> str | None:
    """Keep a run in the store (``DETENTE_STORE`` or the user data folder); its id, or None.

    A store that cannot be written does not lose the result just computed: the run is shown
    anyway, with a warning that it was not kept.
    """
    from detente.store import RunStore

    try:
        store = RunStore()
        run_id = store.save(record)
    except Exception as err:  # whatever fails in the store, the result just computed is shown
        stderr.print(f"warning: the run was not kept in the store: {err}", markup=False)
        return None
    if store.created and os.environ.get("DETENTE_STORE", "").strip():  # a typo shows here
        stderr.print(f"note: started a new run store at {store.path}", markup=False)
    return run_id


def find_actor(scenario: Any, ref: str) -> int:
    """Index of the actor ``ref`` names (its id, else a unique id, name or alias in any letter
    case: :meth:`~detente.scenario.Scenario.find_actor`)."""
    return int(scenario.actor_ids.index(scenario.find_actor(ref).id))


def open_what_if(
    ref: str, sources: Path | None, sets: list[str] | None, drops: list[str] | None
) -> Any:
    """The scenario ``ref`` (a file or a bundled name), with the ``--set`` and ``--drop``
    overrides applied (a clear error names a bad one)."""
    from detente.scenario import apply_overrides
    from detente.scenario.bundled import open_scenario

    # a warning: e.g. a source file not found, its quotes go unchecked; a spinner: a large
    # scenario takes a while to read
    with warnings_to_stderr(), working(literal(f"reading {ref}")):
        scenario = open_scenario(ref, sources_dir=sources, check_options=check_model_options)
    return apply_overrides(scenario, sets or [], drops or [])


def check_model_options(model: str, values: Any) -> None:
    """A scenario file's options for ``model`` as the model takes them (a bad name or value:
    :class:`InputError`, which the reader reports with the file's line)."""
    from detente import models

    models.get(model).parse_options(values)


def print_what_if(scenario: Any) -> None:
    """Say which overrides a what-if scenario carries (nothing for a scenario as written)."""
    variant = scenario.variant_of
    if variant is not None:
        stdout.print(
            f"what-if on {variant.base_id} ({variant.base[:15]}...): "
            + "; ".join(variant.overrides),
            markup=False,
        )


def working(what: str | Text) -> AbstractContextManager[Any]:
    """A transient spinner on stderr (``⠋ advising...``) while a step without a count runs;
    nothing when stderr is not a terminal (a pipe or a log stays clean)."""
    if not stderr.is_terminal:
        return nullcontext()
    return stderr.status(what)


def progress_bar(verb: str) -> Any:
    """A transient progress bar on stderr (``VERB ━━━ 12/180 0:00:03``), off when not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    )


class Phases:
    """A transient line on stderr naming the phase a long command is in (``⠋ reporting:
    draws 120/400 0:00:07``); nothing when stderr is not a terminal. Use it as a context
    manager and call it with each phase's name as the phase starts."""

    def __init__(self, verb: str) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.verb = verb
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),  # names are shown as they are
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            disable=not stderr.is_terminal,
        )
        self.task = self.progress.add_task(verb, total=None)

    def __call__(self, phase: str) -> None:
        self.progress.update(self.task, description=f"{self.verb}: {phase}")
        self.progress.refresh()  # shown as it starts, however short

    def __enter__(self) -> Phases:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)


def interval_text(low: float, high: float, span: float, *, digits: int = 1) -> str:
    """An interval on a scale ``span`` wide, with as many decimals as that scale needs to tell
    its ends apart (``digits`` on a 0-100 scale: 0.39 to 0.68 on 0-1, never "0 to 1"), and
    " to " between the ends (a hyphen would read as a minus on a scale below zero)."""
    import math

    extra = math.ceil(math.log10(100.0 / span)) if 0 < span < 100 else 0
    decimals = min(15, digits + extra)
    return f"{low:.{decimals}f} to {high:.{decimals}f}"
