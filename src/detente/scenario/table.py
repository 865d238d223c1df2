"""The common one-issue CSV: ``Actor, Capability, Position, Salience``.

This is the layout of the expected-utility replications' example files (Scholz's, Masad's):
one row per actor, one issue. Column names are matched case-insensitively; ``Name`` and
``Description`` columns are optional. Salience may be on 0-1 or on 0-100: when every salience
is at most 1 the file is read as 0-1 and multiplied by 100 (pass ``salience_scale`` to say
which). Positions are on 0-100 unless ``scale=(min, max)`` is given. CR-only (classic Mac),
LF and CRLF line endings are all read, and a quoted cell may hold a line break (as
``detente export --format csv`` writes a name that has one). Cells are separated by commas, or
by semicolons when the header is (as spreadsheets set to a decimal comma save CSV); a line with
more cells than the header is refused (often a decimal comma: ``A,1,20,5,50``).
"""

from __future__ import annotations

import csv
import io
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
from detente.scenario.model import SALIENCE_MAX, Scenario

__all__ = ["REQUIRED_COLUMNS", "dumps", "loads", "read", "sniff", "write"]

REQUIRED_COLUMNS = ("actor", "capability", "position", "salience")
_OPTIONAL_COLUMNS = ("name", "description")


def read(
    path: str | Path,
    *,
    issue: str = "issue",
    scale: tuple[float, float] = (0.0, 100.0),
    salience_scale: float | None = None,
    scenario_id: str | None = None,
) -> Scenario:
    """Read a one-issue ``Actor, Capability, Position, Salience`` CSV file."""
    path = Path(path)
    return loads(
        read_text(path),
        name=str(path),
        issue=issue,
        scale=scale,
        salience_scale=salience_scale,
        scenario_id=scenario_id or slug(path.stem),
    )


def loads(
    text: str,
    *,
    name: str = "<string>",
    issue: str = "issue",
    scale: tuple[float, float] = (0.0, 100.0),
    salience_scale: float | None = None,
    scenario_id: str = "scenario",
) -> Scenario:
    """Parse the CSV text (``name`` is used in error messages).

    Parameters
    ----------
    issue
        Id of the one issue.
    scale
        The issue's ``(min, max)``.
    salience_scale
        ``1`` (saliences on 0-1) or ``100`` (0-100); ``None`` to infer from the values.
    """
    if salience_scale not in (None, 1, 1.0, 100, 100.0):
        raise InputError(f"salience scale must be 1 or 100, not {salience_scale}")
    first = text.replace("\r", "\n").strip().split("\n", 1)[0]  # the header, for its delimiter
    delimiter = _delimiter(first)
    records = csv_records(text, name, delimiter=delimiter)
    if not records:
        raise ScenarioError([Problem("", "the file is empty", file=name)])
    header_no, header_cells = records[0]
    header = [h.strip().lower() for h in header_cells]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ScenarioError(
            [
                Problem(
                    "header",
                    f"missing column(s) {', '.join(missing)}; the header must name Actor, "
                    "Capability, Position and Salience (optional: Name, Description); "
                    f"got {first!r}",
                    file=name,
                    line=header_no,
                )
            ]
        )
    col = {c: header.index(c) for c in (*REQUIRED_COLUMNS, *_OPTIONAL_COLUMNS) if c in header}

    problems: list[Problem] = []
    rows = []
    for line_no, row in records[1:]:
        cells = [c.strip() for c in row]
        while len(cells) > len(header) and cells[-1] == "":
            cells.pop()  # a trailing delimiter
        if len(cells) > len(header):
            problems.append(_too_many_cells(cells, header, delimiter, name, line_no))
            continue
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        who = cells[col["actor"]]
        values = {}
        for field in ("capability", "position", "salience"):
            value = finite_number(cells[col[field]])
            if value is None:
                problems.append(
                    Problem(
                        f"actor '{who}'.{field}",
                        f"must be a finite number, not {cells[col[field]]!r}"
                        + _DECIMAL_COMMA * ("," in cells[col[field]]),
                        file=name,
                        line=line_no,
                    )
                )
            else:
                values[field] = value
        if len(values) == 3:
            rows.append((line_no, cells, values))
    if problems:
        raise ScenarioError(problems)

    factor = _salience_factor(salience_scale, [v["salience"] for _, _, v in rows])
    actors = []
    actor_id = UniqueIds("actor")
    for _, cells, values in rows:
        actor: dict[str, object] = {
            "id": actor_id(cells[col["actor"]]),
            "name": cells[col["name"]] if "name" in col else cells[col["actor"]],
            "capability": values["capability"],
            "position": {issue: values["position"]},
            "salience": {issue: values["salience"] * factor},
        }
        if "description" in col:
            actor["description"] = cells[col["description"]]
        actors.append(actor)
    data: dict[str, object] = {
        "id": scenario_id,
        "issues": [{"id": issue, "min": scale[0], "max": scale[1]}],
        "actors": actors,
    }
    if max((v["salience"] * factor for _, _, v in rows), default=2.0) <= 1:
        data["salience_scale"] = 100  # declared 0-100, however small the values
    return validate_data(data, name, {("actors", i): row[0] for i, row in enumerate(rows)})


def dumps(scenario: Scenario, *, issue: str | None = None) -> str:
    """One issue as ``Actor,Name,Capability,Position,Salience`` CSV (salience on 0-100)."""
    issue_id = issue or scenario.issue_ids[0]
    if issue_id not in scenario.issue_ids:
        raise InputError(f"unknown issue '{issue_id}'; issues are: {', '.join(scenario.issue_ids)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Actor", "Name", "Capability", "Position", "Salience"])
    for a in scenario.actors:
        writer.writerow(
            [
                a.id,
                a.name,
                repr(a.capability),
                repr(a.position[issue_id]),
                repr(a.salience[issue_id]),
            ]
        )
    return out.getvalue()


def write(scenario: Scenario, path: str | Path, *, issue: str | None = None) -> None:
    """Write one issue of the scenario as a common CSV file."""
    write_text_atomic(path, dumps(scenario, issue=issue))


def sniff(text: str) -> bool:
    """True if the first line names the Actor, Capability, Position and Salience columns."""
    first = text.replace("\r", "\n").lstrip().split("\n", 1)[0]
    cells = {c.strip().strip('"').lower() for c in first.split(_delimiter(first))}
    return all(c in cells for c in REQUIRED_COLUMNS)


_DECIMAL_COMMA = "; write decimals with a point (1.5, not 1,5)"


def _delimiter(header_line: str) -> str:
    """``;`` when the header names the columns between semicolons (as spreadsheets set to a
    decimal comma save CSV), else ``,``."""
    by_comma = {c.strip().strip('"').lower() for c in header_line.split(",")}
    by_semicolon = {c.strip().strip('"').lower() for c in header_line.split(";")}
    if not all(c in by_comma for c in REQUIRED_COLUMNS) and all(
        c in by_semicolon for c in REQUIRED_COLUMNS
    ):
        return ";"
    return ","


def _too_many_cells(
    cells: list[str], header: list[str], delimiter: str, name: str, line_no: int
) -> Problem:
    hint = (
        "; is a decimal written with a comma (1,5 for 1.5)? write decimals with a point, or "
        "put the cell in quotes"
        if delimiter == ","
        else "; put a cell holding ';' in quotes"
    )
    return Problem(
        f"actor '{cells[0]}'" if cells and cells[0] else "",
        f"the line has {len(cells)} cells but the header names {len(header)} columns "
        f"({', '.join(header)}){hint}",
        file=name,
        line=line_no,
    )


def _salience_factor(declared: float | None, saliences: list[float]) -> float:
    if declared is not None:
        return SALIENCE_MAX / float(declared)
    return SALIENCE_MAX if saliences and max(saliences) <= 1.0 else 1.0
