"""Checks on an Excel workbook's bytes before openpyxl opens it, and reading its sheets safely.

An ``.xlsx`` file is a zip package of XML parts. An uploaded one is untrusted, so before any XML
is parsed the package is refused when it is too large, holds too much once unpacked (a zip
bomb: the parts' declared sizes are summed, and Python's zip reader never inflates a part past
its declared size), is encrypted (a password-protected workbook is an OLE file, not a zip),
carries macros, or is not a workbook at all. Sheets are then read in openpyxl's read-only mode,
values only: a formula's result saved by the spreadsheet is read, and a formula never is
computed.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from detente.errors import Problem, ScenarioError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = [
    "MAX_COLUMNS",
    "MAX_PARTS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "MAX_WORKBOOK_BYTES",
    "Row",
    "cell_ref",
    "check_package",
    "has_formulas",
    "open_workbook",
    "sheet_rows",
]

#: Larger workbook files are refused before they are opened (a 1,000-actor workbook is ~100 kB).
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
#: The parts of a workbook may hold at most this much once unpacked.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
#: A workbook package holds at most this many parts (files in the zip).
MAX_PARTS = 1_000
#: Rows read from one sheet (blank ones included); a longer sheet is refused.
MAX_ROWS = 10_000
#: Columns read from one sheet; a cell further right is refused.
MAX_COLUMNS = 1_000

#: One row of a sheet: its 1-based number and its cells' values (formulas resolved).
Row = tuple[int, tuple[Any, ...]]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _fail(name: str, message: str, where: str = "") -> ScenarioError:
    return ScenarioError([Problem(where, message, file=name)])


def check_package(data: bytes, name: str) -> None:
    """Refuse ``data`` unless it is a plain ``.xlsx`` workbook within the limits.

    Raises
    ------
    ScenarioError
        Naming ``name`` and why: too large, an old ``.xls`` or encrypted file, not a zip (a CSV
        renamed ``.xlsx``), too much once unpacked, macro-enabled, or not a workbook.
    """
    if len(data) > MAX_WORKBOOK_BYTES:
        raise _fail(
            name,
            f"file is {len(data) / 1024**2:.1f} MB ({len(data):,} bytes); workbooks are limited "
            f"to {MAX_WORKBOOK_BYTES // 1024**2} MB ({MAX_WORKBOOK_BYTES:,} bytes)",
        )
    if data.startswith(_OLE):
        raise _fail(
            name,
            "is a password-protected (encrypted) workbook or an old Excel 97-2003 .xls file; "
            "save it as an Excel workbook (.xlsx) without a password",
        )
    if not data.startswith(b"PK"):
        raise _fail(name, "is not an Excel workbook (.xlsx)" + _what_it_looks_like(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise _fail(
            name, f"is not an Excel workbook (.xlsx): a damaged zip package ({err})"
        ) from None
    if len(parts) > MAX_PARTS:
        raise _fail(
            name, f"the package holds {len(parts):,} parts; a workbook holds at most {MAX_PARTS:,}"
        )
    if any(p.flag_bits & 0x1 for p in parts):
        raise _fail(name, "is encrypted; save it as an Excel workbook (.xlsx) without a password")
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _fail(
            name,
            f"would unpack to {unpacked / 1024**2:,.0f} MB ({unpacked:,} bytes) from "
            f"{len(data):,} bytes; workbooks may unpack to at most "
            f"{MAX_UNPACKED_BYTES // 1024**2} MB (is it a zip bomb?)",
        )
    names = {p.filename for p in parts}
    if "xl/workbook.xml" not in names:
        hint = " (an OpenDocument .ods? save it as .xlsx)" if "content.xml" in names else ""
        raise _fail(
            name, f"is a zip package but not an Excel workbook: it has no xl/workbook.xml{hint}"
        )
    types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise _fail(
            name,
            "is a macro-enabled workbook; detente reads plain workbooks only: save it as an "
            "Excel workbook (.xlsx), which drops the macros",
        )


def has_formulas(data: bytes) -> bool:
    """True if a worksheet of the (checked) package holds a formula element."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.infolist():
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                xml = archive.read(part)
                if b"<f>" in xml or b"<f " in xml or b":f>" in xml or b":f " in xml:
                    return True
    return False


def _what_it_looks_like(data: bytes) -> str:
    head = data[:512]
    if head.lstrip().startswith(b"<"):
        return ": this looks like XML or HTML (a KTAB .xml file renamed .xlsx?)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return " (an .xlsx file is a zip package, and this is not one)"
    return ": this looks like a text file (a CSV renamed .xlsx? name it .csv)"


def open_workbook(data: bytes, name: str, *, formulas: bool) -> Workbook:
    """The workbook in read-only mode: saved values, or with ``formulas`` the formulas' text."""
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it skips
            return load_workbook(
                io.BytesIO(data),
                read_only=True,
                data_only=not formulas,
                keep_vba=False,
                keep_links=False,
            )
    except Exception as err:  # openpyxl raises many kinds on a malformed package
        raise _fail(name, f"cannot be read as an Excel workbook: {err}") from None


def cell_ref(sheet: str, row: int, column: int) -> str:
    """``Actors!C7`` for row 7, column 3 (1-based) of sheet ``Actors``."""
    from openpyxl.utils import get_column_letter

    title = f"'{sheet}'" if any(not ch.isalnum() and ch != "_" for ch in sheet) else sheet
    return f"{title}!{get_column_letter(column)}{row}"


def sheet_rows(values: Workbook, formulas: Workbook, title: str, name: str) -> list[Row]:
    """The non-blank rows of sheet ``title``, each cell's saved value in place of a formula.

    Raises
    ------
    ScenarioError
        The sheet is longer or wider than the limits, or a formula has no saved result
        (a workbook written by a program that does not compute formulas).
    """
    rows: list[Row] = []
    problems: list[Problem] = []
    if formulas is values:  # no formula in the workbook: one pass
        for number, row in enumerate(_rows(values, title, name), start=1):
            if not all(_blank(c) for c in row):
                rows.append((number, tuple(_plain(c) for c in row)))
        return rows
    pairs = zip(_rows(values, title, name), _rows(formulas, title, name), strict=False)
    for number, (shown, written) in enumerate(pairs, start=1):
        cells = list(shown)
        for column, (value, text) in enumerate(zip(shown, written, strict=False), start=1):
            if isinstance(text, str) and text.startswith("=") and value is None:
                problems.append(
                    Problem(
                        cell_ref(title, number, column),
                        f"holds the formula {_short(text)} with no saved result; detente reads "
                        "values and computes no formula: open the workbook in Excel or "
                        "LibreOffice and save it, or type the value",
                        file=name,
                    )
                )
        if not all(_blank(c) for c in cells):
            rows.append((number, tuple(_plain(c) for c in cells)))
    if problems:
        raise ScenarioError(problems)
    return rows


def _rows(workbook: Workbook, title: str, name: str) -> Iterator[tuple[Any, ...]]:
    sheet = workbook[title]
    if hasattr(sheet, "reset_dimensions"):  # a stale or missing size would pad or cut the rows
        sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise _fail(
                name,
                f"the sheet has more than {MAX_ROWS:,} rows; a scenario has one row per actor",
                where=f"sheet '{title}'",
            )
        if len(row) > MAX_COLUMNS:
            extra = next(
                (
                    i
                    for i, v in enumerate(row[MAX_COLUMNS:], start=MAX_COLUMNS + 1)
                    if v is not None
                ),
                None,
            )
            if extra is not None:
                raise _fail(
                    name,
                    f"the sheet has cells past column {MAX_COLUMNS:,}; a scenario has two "
                    "columns per issue",
                    where=cell_ref(title, number, extra),
                )
            row = row[:MAX_COLUMNS]
        yield row


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value: Any) -> Any:
    """A cell's value with a date-time at midnight as a date (how spreadsheets store dates)."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")
