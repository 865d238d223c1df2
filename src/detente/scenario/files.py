"""One entry point for every scenario file format, chosen by suffix or by content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from detente.errors import InputError
from detente.scenario import io, ktab, ktab_xml, table, xlsx
from detente.scenario._text import decode_text
from detente.scenario.model import Scenario

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "SUFFIXES",
    "Format",
    "dumps",
    "format_for_suffix",
    "from_bytes",
    "guess_format",
    "read",
    "to_bytes",
    "write",
]

Format = Literal["yaml", "json", "ktab-csv", "ktab-xml", "csv", "xlsx"]
#: Formats :func:`read` knows: scenario YAML and JSON, KTAB CSV and XML, the common one-issue
#: ``Actor, Capability, Position, Salience`` CSV and Excel workbooks; :func:`write` all but
#: KTAB XML.
FORMATS: tuple[str, ...] = ("yaml", "json", "ktab-csv", "ktab-xml", "csv", "xlsx")
#: The file suffix of each format :func:`to_bytes` writes (for a download's file name).
SUFFIXES: dict[str, str] = {
    "yaml": ".yaml",
    "json": ".json",
    "ktab-csv": ".csv",
    "csv": ".csv",
    "xlsx": ".xlsx",
}
#: The media type of each format :func:`to_bytes` writes (for a download's Content-Type).
MEDIA_TYPES: dict[str, str] = {
    "yaml": "application/yaml",
    "json": "application/json",
    "ktab-csv": "text/csv",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def read(
    path: str | Path,
    *,
    fmt: str | None = None,
    sources_dir: str | Path | None = None,
    check_options: io.OptionCheck | None = None,
) -> Scenario:
    """Read a scenario file in any known format (``fmt`` overrides the guess).

    YAML/JSON by suffix; a ``.csv`` is KTAB CSV when its first line ends in the actor and
    dimension counts, else the common CSV; ``.xlsx`` an Excel workbook. ``check_options``
    checks a YAML or JSON scenario's ``model_options`` (KTAB XML's are checked as they are
    read; CSV and workbooks have none).
    """
    path = Path(path)
    fmt = fmt or guess_format(path)
    if fmt in ("yaml", "json"):
        return io.load(path, sources_dir=sources_dir, check_options=check_options)
    if fmt == "ktab-csv":
        return ktab.read(path)
    if fmt == "ktab-xml":
        return ktab_xml.read(path)
    if fmt == "csv":
        return table.read(path)
    if fmt == "xlsx":
        return xlsx.read(path)
    raise InputError(f"unknown format '{fmt}'; formats are: {', '.join(FORMATS)}")


def format_for_suffix(path: Path) -> str:
    """The format a file name asks for: ``.json`` JSON, ``.csv`` KTAB CSV, ``.xlsx`` an Excel
    workbook, anything else YAML."""
    return {".json": "json", ".csv": "ktab-csv", ".xlsx": "xlsx"}.get(path.suffix.lower(), "yaml")


def write(scenario: Scenario, path: str | Path, *, fmt: str | None = None) -> None:
    """Write a scenario as YAML, JSON, KTAB CSV, common CSV or an Excel workbook (by ``fmt`` or
    the suffix), whole or not at all."""
    path = Path(path)
    fmt = fmt or format_for_suffix(path)
    if fmt == "xlsx":
        xlsx.write(scenario, path)
        return
    text = dumps(scenario, fmt)
    io.write_text_atomic(path, text)


def to_bytes(scenario: Scenario, fmt: str = "yaml") -> bytes:
    """The scenario as a file's bytes in ``fmt`` (text formats as UTF-8), for a download.

    Raises
    ------
    InputError
        An unknown format, KTAB XML (read only), or a scenario the format cannot hold (see
        :func:`dumps`).
    """
    if fmt == "xlsx":
        return xlsx.dumps(scenario)
    return dumps(scenario, fmt).encode("utf-8")


def dumps(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as text in ``fmt`` (the common CSV holds the first issue only; an Excel
    workbook is not text: see :func:`to_bytes`)."""
    writers = {
        "yaml": io.dump_yaml,
        "json": io.dump_json,
        "ktab-csv": ktab.dumps,
        "csv": table.dumps,
    }
    if fmt == "ktab-xml":
        raise InputError("KTAB XML can be read (detente import) but not written; use ktab-csv")
    if fmt == "xlsx":
        raise InputError("an Excel workbook is not text; write it to a file (to_bytes, write)")
    if fmt not in writers:
        raise InputError(f"unknown format '{fmt}'; formats are: {', '.join(FORMATS)}")
    return writers[fmt](scenario)


def from_bytes(
    data: bytes,
    name: str,
    *,
    fmt: str | None = None,
    check_options: io.OptionCheck | None = None,
) -> Scenario:
    """A scenario from a file's bytes (an upload), in any format :func:`read` knows.

    ``name`` is the file's name: its suffix and the content give the format as for
    :func:`read` (``fmt`` overrides the guess), its stem the id of a scenario that gives none,
    and errors name it. Text is refused as :func:`read` refuses it (over 10 MB, not UTF-8,
    control characters); workbooks as :func:`detente.scenario.xlsx.loads` refuses them.
    Evidence quotes are not checked (an upload has no source files beside it).

    Raises
    ------
    InputError
        An unknown or unreadable format; a :class:`~detente.errors.ScenarioError` naming
        ``name``, the line or cell, and the problem for a malformed file.
    """
    path = Path(name)
    stem = io.slug(path.stem)
    fmt = fmt or _by_suffix(path, lambda: decode_text(data, name))
    if fmt == "xlsx":
        return xlsx.loads(data, name=name, default_id=stem)
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}'; formats are: {', '.join(FORMATS)}")
    text = decode_text(data, name)
    if fmt in ("yaml", "json"):
        return io.loads(text, name=name, fmt=fmt, default_id=stem, check_options=check_options)
    if fmt == "ktab-csv":
        return ktab.loads(text, name=name)
    if fmt == "ktab-xml":
        return ktab_xml.loads(text, name=name)
    return table.loads(text, name=name, scenario_id=stem)


def guess_format(path: Path) -> str:
    """The format of a file, from its suffix and, for CSV, its first line."""
    kind = io.path_kind(path)
    if kind == "folder":
        raise InputError(f"{path}: is a folder, not a scenario file")
    if kind == "missing":
        raise InputError(f"{path}: no such file")
    return _by_suffix(path, lambda: io.read_text(path))


def _by_suffix(path: Path, text: Callable[[], str]) -> str:
    """The format a file's suffix says, and for ``.csv`` and ``.xml`` its ``text``."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt"):
        content = text()
        if ktab.sniff(content):
            return "ktab-csv"
        if table.sniff(content):
            return "csv"
        raise InputError(
            f"{path}: not a KTAB CSV (first line: name, description, actors, dimensions) nor an "
            "'Actor, Capability, Position, Salience' CSV" + ktab.semicolon_hint(content)
        )
    if suffix == ".xml":
        if ktab_xml.sniff(text()):
            return "ktab-xml"
        raise InputError(f"{path}: not a KTAB XML scenario (no <Scenario> with <Actors>)")
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise InputError(
            f"{path}: a macro-enabled workbook ({suffix}); detente reads plain workbooks only: "
            "save it as an Excel workbook (.xlsx), which drops the macros"
        )
    if suffix in (".xls", ".xlsb", ".ods"):
        raise InputError(
            f"{path}: detente reads Excel workbooks saved as .xlsx, not {suffix}; save it as an "
            "Excel workbook (.xlsx)"
        )
    raise InputError(
        f"{path}: unknown file type '{suffix}'; use .yaml, .yml, .json, .csv, .xml or .xlsx"
    )
