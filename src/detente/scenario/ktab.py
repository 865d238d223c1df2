"""KTAB's CSV scenario format (the reader in KTAB is ``SMPModel::csvRead``).

Layout (``shared/reference/ktab-smp.md`` §3.1)::

    <scenario name>,<description>,<numActors>,<numDims>[, ...ignored]
    Actor,Description,<power label>,<dim 1 name>,<dim 1 salience label>,...
    <name>,<description>,<capability>,<position d1>,<salience d1>,...

Quirks handled: cells are trimmed of spaces and of quote characters; a trailing comma is allowed;
semicolons are not delimiters (a file separated by them is refused, saying so); CR, LF and CRLF
line endings. An actor line with more cells than its dimensions need is refused (a decimal
comma, ``1,5``, is the usual cause). Positions are on 0-100 and
saliences on 0-100 (KTAB requires each actor's saliences to sum to at most 100).

An imported scenario has actor ids made from the KTAB names (the exact name kept as ``name``, the
KTAB description as ``description``) and issue ids made from the dimension names, accents dropped
and numbered where nothing is left or two would be the same (``actor-1``, ``Cote-d-Ivoire-2``);
no status quo.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from detente.errors import InputError, Problem, ScenarioError
from detente.scenario.io import (
    UniqueIds,
    csv_records,
    finite_number,
    read_text,
    slug,
    validate_data,
    write_text_atomic,
)
from detente.scenario.model import Scenario

__all__ = ["dumps", "loads", "read", "semicolon_hint", "sniff", "write"]


def read(path: str | Path, *, scenario_id: str | None = None) -> Scenario:
    """Read a KTAB CSV file as a :class:`Scenario`."""
    path = Path(path)
    return loads(read_text(path), name=str(path), scenario_id=scenario_id)


def loads(text: str, *, name: str = "<string>", scenario_id: str | None = None) -> Scenario:
    """Parse KTAB CSV text as a :class:`Scenario` (``name`` is used in error messages)."""
    rows = _rows(text, name)

    def fail(line: int | None, message: str) -> ScenarioError:
        return ScenarioError([Problem("", message, file=name, line=line)])

    if len(rows) < 2:
        raise fail(None, "a KTAB CSV needs a scenario line, a header line and one line per actor")
    (first_no, first), (header_no, header) = rows[0], rows[1]
    if len(first) < 4:
        raise fail(
            first_no,
            "first line must be: scenario name, description, number of actors, "
            "number of dimensions" + semicolon_hint(text),
        )
    n_actors = _count(first[2], "number of actors", first_no, name)
    n_dims = _count(first[3], "number of dimensions", first_no, name)
    if n_dims < 1:
        raise fail(first_no, "number of dimensions must be at least 1")
    if len(header) < 3 + 2 * n_dims:
        raise fail(
            header_no,
            f"header has {len(header)} cells; {n_dims} dimension(s) need {3 + 2 * n_dims}: "
            "Actor, Description, power, then a position and a salience column per dimension",
        )
    dims = [header[3 + 2 * d] for d in range(n_dims)]
    issue_ids = [*map(UniqueIds("issue"), dims)]
    actor_id = UniqueIds("actor")
    body = rows[2:]
    if len(body) != n_actors:
        raise fail(
            first_no, f"the first line says {n_actors} actors but {len(body)} actor lines follow"
        )

    problems: list[Problem] = []
    actors: list[dict[str, object]] = []
    lines: dict[tuple[str | int, ...], int] = {("issues",): header_no, ("id",): first_no}
    for line_no, cells in body:
        if len(cells) != 3 + 2 * n_dims:
            hint = (
                "; is a decimal written with a comma (1,5 for 1.5)? write decimals with a point"
                if len(cells) > 3 + 2 * n_dims
                else ""
            )
            problems.append(
                Problem(
                    f"actor '{cells[0]}'" if cells and cells[0] else "",
                    f"actor line has {len(cells)} cells; expected {3 + 2 * n_dims}: name, "
                    f"description, power, then a position and a salience for each of the "
                    f"{n_dims} dimension(s){hint}",
                    file=name,
                    line=line_no,
                )
            )
            continue
        numbers = []
        for column, cell in enumerate(cells[2 : 3 + 2 * n_dims], start=3):
            value = finite_number(cell)
            if value is None:
                what = _column_name(column, header)
                problems.append(
                    Problem(
                        f"actor '{cells[0]}', column {column} ({what})",
                        f"must be a number, not {cell!r}",
                        file=name,
                        line=line_no,
                    )
                )
            numbers.append(value)
        if any(v is None for v in numbers):
            continue
        values = [float(v) for v in numbers if v is not None]
        lines[("actors", len(actors))] = line_no
        actors.append(
            {
                "id": actor_id(cells[0]),
                "name": cells[0],
                "description": cells[1],
                "capability": values[0],
                "position": {issue_ids[d]: values[1 + 2 * d] for d in range(n_dims)},
                "salience": {issue_ids[d]: values[2 + 2 * d] for d in range(n_dims)},
            }
        )
    if problems:
        raise ScenarioError(problems)
    data = {
        "id": scenario_id or slug(first[0]),
        "name": first[0],
        "description": first[1],
        "issues": [{"id": i, "name": d} for i, d in zip(issue_ids, dims, strict=True)],
        "actors": actors,
    }
    return validate_data(data, name, lines)


def write(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as a KTAB CSV file."""
    write_text_atomic(path, dumps(scenario))


def dumps(scenario: Scenario) -> str:
    """The scenario as KTAB CSV text.

    KTAB CSV holds names, descriptions, capabilities, positions and saliences only; sources,
    evidence, uncertainty, scales, status quo and timeline are not written. Numbers are written
    at full precision, so a KTAB CSV round trip is lossless.

    Raises
    ------
    InputError
        When the scenario cannot be expressed in KTAB CSV (a comma or quote in a name, an issue
        not on 0-100).
    """
    for issue in scenario.issues:
        if (issue.min, issue.max) != (0.0, 100.0):
            raise InputError(
                f"issue '{issue.id}' is on {issue.min:g}-{issue.max:g}; "
                "KTAB CSV positions are on 0-100"
            )
    out = io.StringIO()
    head = [
        _cell(scenario.name or scenario.id),
        _cell(scenario.description),
        str(len(scenario.actors)),
        str(len(scenario.issues)),
    ]
    out.write(",".join(head) + "\n")
    header = ["Actor", "Description", "Power"]
    for issue in scenario.issues:
        label = _cell(issue.name or issue.id)
        header += [label, f"{label} Salience"]
    out.write(",".join(header) + "\n")
    for actor in scenario.actors:
        cells = [_cell(actor.name or actor.id), _cell(actor.description), repr(actor.capability)]
        for issue_id in scenario.issue_ids:
            cells += [repr(actor.position[issue_id]), repr(actor.salience[issue_id])]
        out.write(",".join(cells) + "\n")
    return out.getvalue()


def sniff(text: str) -> bool:
    """True if ``text`` looks like KTAB CSV (its first line ends in two counts)."""
    try:
        rows = _rows(text[:4096])
    except ScenarioError:
        return False
    return (
        bool(rows)
        and len(rows[0][1]) >= 4
        and all(re.fullmatch(r"\d+", cell) for cell in rows[0][1][2:4])
    )


# --- helpers -------------------------------------------------------------------------------------


def _rows(text: str, name: str = "<string>") -> list[tuple[int, list[str]]]:
    """Non-blank records with the 1-based line each starts on; cells trimmed of spaces and
    quotes. A quoted cell may hold a line break."""
    rows = []
    for number, cells in csv_records(text, name, skipinitialspace=True):
        cells = [c.strip().strip('"').strip() for c in cells]
        while cells and cells[-1] == "":
            cells.pop()
        rows.append((number, cells))
    return rows


def _count(cell: str, what: str, line: int, name: str) -> int:
    if not re.fullmatch(r"\d+", cell):
        raise ScenarioError(
            [Problem("", f"{what} must be a whole number, not {cell!r}", file=name, line=line)]
        )
    if len(cell.lstrip("0")) > 6:  # int() of a long one is slow, and past 4,300 digits refused
        raise ScenarioError(
            [
                Problem(
                    "",
                    f"{what} is {_short(cell)}; at most 999,999 can be read",
                    file=name,
                    line=line,
                )
            ]
        )
    return int(cell)


def semicolon_hint(text: str) -> str:
    """A sentence for an error message when ``text`` looks separated by semicolons, else ""."""
    first = text.lstrip().split("\n", 1)[0]
    if ";" in first and first.count(";") >= first.count(","):
        return (
            "; the cells here are separated by ';', and KTAB CSV separates them by ',' "
            "(save the file as CSV with commas, and decimals with a point)"
        )
    return ""


def _short(cell: str) -> str:
    return cell if len(cell) <= 20 else f"{cell[:8]}…{cell[-4:]} ({len(cell):,} digits)"


def _column_name(column: int, header: list[str]) -> str:
    return header[column - 1] if column - 1 < len(header) else f"column {column}"


def _cell(text: str) -> str:
    if any(ch in text for ch in ',"\n\r'):
        raise InputError(
            f"{text!r} holds a comma, quote or line break, which KTAB CSV cannot store"
        )
    return text
