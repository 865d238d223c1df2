"""Excel workbooks (``.xlsx``): an actors x issues sheet, as analysts keep them.

Sheets (names matched in any letter case; only ``Actors`` is required):

``Actors``
    A header row, then one row per actor: ``Actor``, ``Capability`` and, for every issue, an
    ``ISSUE position`` and an ``ISSUE salience`` column; ``Name``, ``Aliases`` (separated by
    ``;``) and ``Description`` are optional, other columns are ignored. A one-issue sheet may
    say plain ``Position`` and ``Salience``, as the common CSV does. Rows above the header (a
    title, merged or not) and blank rows are skipped. A workbook with one sheet only may name
    it anything.
``Issues``
    ``Issue`` (as the Actors header names it), ``Name``, ``Description``, ``Unit``, ``Min``,
    ``Max``, ``Status quo``; when the sheet is there it must list every issue.
``Scale``
    ``Issue``, ``Value``, ``Label``: the labelled anchor points of the issues' scales.
``Scenario``
    ``Field`` and ``Value`` rows: ``id``, ``name``, ``as_of``, ``description``,
    ``salience_scale``.
``Uncertainty``
    ``Actor``, ``Input`` (``capability``, ``position.ISSUE``, ``salience.ISSUE``), ``Low``,
    ``Mode`` (may be blank), ``High``.

Numbers may be typed as text (``"0.5"``); saliences are on 0-100, or on 0-1 when every one is
at most 1 and the Scenario sheet gives no ``salience_scale`` (as the common CSV reads them).
A formula's result saved by the spreadsheet is read; a formula without one is refused, and no
formula is ever computed. Sources, evidence, groups, timeline, accommodation, model options and
a what-if's ``variant_of`` are not kept.

Every error names the workbook, the sheet and the cell (``Actors!C7``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from detente._files import atomic_write
from detente.errors import InputError, Problem, ScenarioError
from detente.scenario import _xlsx_package as pkg
from detente.scenario._text import path_kind
from detente.scenario._xlsx_read import Reader
from detente.scenario.io import slug
from detente.scenario.model import Scenario

__all__ = [
    "MAX_WORKBOOK_BYTES",
    "SHEETS",
    "dumps",
    "loads",
    "read",
    "read_bytes",
    "sniff",
    "write",
]

MAX_WORKBOOK_BYTES = pkg.MAX_WORKBOOK_BYTES
#: The sheets the reader looks at and the writer writes, in order.
SHEETS = ("Actors", "Issues", "Scale", "Scenario", "Uncertainty")

#: Longest text Excel keeps in a cell.
_CELL_MAX = 32_767
_HEADER_SEARCH = 20
_Path = tuple[str | int, ...]


# --- reading -------------------------------------------------------------------------------------


def read(path: str | Path, *, scenario_id: str | None = None) -> Scenario:
    """Read an Excel workbook (``.xlsx``) as a :class:`Scenario`.

    The scenario id is ``scenario_id``, else the Scenario sheet's ``id``, else the file name.

    Raises
    ------
    ScenarioError
        Naming the file, the sheet and the cell, and what is wrong.
    """
    path = Path(path)
    data = read_bytes(path)
    return loads(data, name=str(path), scenario_id=scenario_id, default_id=slug(path.stem))


def read_bytes(path: Path) -> bytes:
    """The file's bytes: refused when missing, not a regular file or larger than the limit."""

    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem("", message, file=str(path))])

    kind = path_kind(path)
    if kind == "missing":
        raise fail("no such file")
    if kind != "file":
        raise fail("is a folder or a special file, not a workbook")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_WORKBOOK_BYTES + 1)
    except OSError as err:
        raise fail(f"cannot be read: {err.strerror or err}") from None
    if len(data) > MAX_WORKBOOK_BYTES:
        size = max(len(data), path.stat().st_size)
        raise fail(
            f"file is {size / 1024**2:.1f} MB ({size:,} bytes); workbooks are limited to "
            f"{MAX_WORKBOOK_BYTES // 1024**2} MB ({MAX_WORKBOOK_BYTES:,} bytes)"
        )
    return data


def loads(
    data: bytes,
    *,
    name: str = "<workbook>",
    scenario_id: str | None = None,
    default_id: str = "scenario",
) -> Scenario:
    """Parse a workbook's bytes (an upload, say) as a :class:`Scenario`.

    Parameters
    ----------
    data
        The ``.xlsx`` file's bytes.
    name
        The workbook's name in error messages (the uploaded file's name).
    scenario_id
        Id of the scenario, over the Scenario sheet's ``id``.
    default_id
        Id when neither gives one.
    """
    pkg.check_package(data, name)
    values = pkg.open_workbook(data, name, formulas=False)
    # the formulas' text, to refuse one saved without its result; skipped when there is none
    formulas = pkg.open_workbook(data, name, formulas=True) if pkg.has_formulas(data) else values
    try:
        return Reader(values, formulas, name).scenario(scenario_id, default_id)
    finally:
        values.close()
        formulas.close()


def sniff(data: bytes) -> bool:
    """True if ``data`` starts like a zip package (an ``.xlsx`` workbook is one)."""
    return data[:4] == b"PK\x03\x04"


# --- writing -------------------------------------------------------------------------------------


def dumps(scenario: Scenario) -> bytes:
    """The scenario as an ``.xlsx`` workbook's bytes (the sheets of :data:`SHEETS`).

    Raises
    ------
    InputError
        A text is longer than a cell holds (32,767 characters), or an alias holds ``;``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()  # not write-only: a sheet abandoned half-written leaves nothing open
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = book.create_sheet(title)
        ws.freeze_panes = "A2"
        for r, row in enumerate([header, *rows], start=1):
            for c, value in enumerate(row, start=1):
                _set(ws.cell(row=r, column=c), value)
                if r == 1:
                    ws.cell(row=r, column=c).font = bold

    issue_ids = scenario.issue_ids
    header = ["Actor", "Name", "Aliases", "Description", "Capability"]
    for i in issue_ids:
        header += [f"{i} position", f"{i} salience"]
    rows = []
    for a in scenario.actors:
        for alias in a.aliases:
            if ";" in alias or "\n" in alias:
                raise InputError(
                    f"actor '{a.id}': the alias {alias!r} holds ';' or a line break, which "
                    "separate aliases in a workbook"
                )
        row: list[Any] = [a.id, a.name, "; ".join(a.aliases), a.description, a.capability]
        for i in issue_ids:
            row += [a.position[i], a.salience[i]]
        rows.append(row)
    default = book.active
    if default is not None:
        book.remove(default)
    sheet("Actors", header, rows)
    sheet(
        "Issues",
        ["Issue", "Name", "Description", "Unit", "Min", "Max", "Status quo"],
        [
            [i.id, i.name, i.description, i.unit, i.min, i.max, i.status_quo]
            for i in scenario.issues
        ],
    )
    sheet(
        "Scale",
        ["Issue", "Value", "Label"],
        [[i.id, value, label] for i in scenario.issues for value, label in i.scale.items()],
    )
    fields: list[list[Any]] = [
        ["id", scenario.id],
        ["name", scenario.name],
        ["as_of", scenario.as_of],
        ["description", scenario.description],
    ]
    if scenario.salience_scale is not None:
        fields.append(["salience_scale", scenario.salience_scale])
    sheet("Scenario", ["Field", "Value"], fields)
    sheet(
        "Uncertainty",
        ["Actor", "Input", "Low", "Mode", "High"],
        [
            [a.id, key, r[0], r[1] if len(r) == 3 else None, r[-1]]
            for a in scenario.actors
            for key, r in a.uncertainty.items()
        ],
    )
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except ValueError as err:  # openpyxl refuses control characters in text
        raise InputError(
            f"scenario '{scenario.id}' cannot be written as a workbook: {err}"
        ) from None
    return buffer.getvalue()


def _set(cell: Any, value: Any) -> None:
    """Put ``value`` in ``cell``: text always as text, numbers at full precision."""
    if isinstance(value, str) and len(value) > _CELL_MAX:
        raise InputError(
            f"a text of {len(value):,} characters ({value[:30]!r}...) is longer than an Excel "
            f"cell holds ({_CELL_MAX:,})"
        )
    exact = isinstance(value, float) and float(f"{value:.16g}") != value
    cell.value = repr(value) if exact else value
    if exact:
        # openpyxl writes 16 significant digits; a float that needs 17 is written as Python
        # spells it (the shortest text that reads back as the same number)
        cell.data_type = "n"
    elif isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with '=': never a formula


def write(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as an Excel workbook, whole or not at all."""
    atomic_write(path, dumps(scenario))
