"""One entry point for every scenario file format, chosen by suffix or by content."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from detente.errors import InputError
from detente.scenario import io, ktab, ktab_xml, table
from detente.scenario.model import Scenario

__all__ = ["FORMATS", "Format", "dumps", "format_for_suffix", "guess_format", "read", "write"]

Format = Literal["yaml", "json", "ktab-csv", "ktab-xml", "csv"]
#: Formats :func:`read` knows: scenario YAML and JSON, KTAB CSV and XML, and the common
#: one-issue ``Actor, Capability, Position, Salience`` CSV; :func:`write` all but KTAB XML.
FORMATS: tuple[str, ...] = ("yaml", "json", "ktab-csv", "ktab-xml", "csv")


def read(
    path: str | Path,
    *,
    fmt: str | None = None,
    sources_dir: str | Path | None = None,
    check_options: io.OptionCheck | None = None,
) -> Scenario:
    """Read a scenario file in any known format (``fmt`` overrides the guess).

    YAML/JSON by suffix; a ``.csv`` is KTAB CSV when its first line ends in the actor and
    dimension counts, else the common CSV. ``check_options`` checks a YAML or JSON scenario's
    ``model_options`` (KTAB XML's are checked as they are read; CSV has none).
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
    raise InputError(f"unknown format '{fmt}'; formats are: {', '.join(FORMATS)}")


def format_for_suffix(path: Path) -> str:
    """The format a file name asks for: ``.json`` JSON, ``.csv`` KTAB CSV, anything else YAML."""
    return {".json": "json", ".csv": "ktab-csv"}.get(path.suffix.lower(), "yaml")


def write(scenario: Scenario, path: str | Path, *, fmt: str | None = None) -> None:
    """Write a scenario as YAML, JSON, KTAB CSV or common CSV (by ``fmt`` or the suffix)."""
    path = Path(path)
    fmt = fmt or format_for_suffix(path)
    text = dumps(scenario, fmt)
    io.write_text_atomic(path, text)


def dumps(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as text in ``fmt`` (the common CSV holds the first issue only)."""
    writers = {
        "yaml": io.dump_yaml,
        "json": io.dump_json,
        "ktab-csv": ktab.dumps,
        "csv": table.dumps,
    }
    if fmt == "ktab-xml":
        raise InputError("KTAB XML can be read (detente import) but not written; use ktab-csv")
    if fmt not in writers:
        raise InputError(f"unknown format '{fmt}'; formats are: {', '.join(FORMATS)}")
    return writers[fmt](scenario)


def guess_format(path: Path) -> str:
    """The format of a file, from its suffix and, for CSV, its first line."""
    kind = io.path_kind(path)
    if kind == "folder":
        raise InputError(f"{path}: is a folder, not a scenario file")
    if kind == "missing":
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".txt"):
        text = io.read_text(path)
        if ktab.sniff(text):
            return "ktab-csv"
        if table.sniff(text):
            return "csv"
        raise InputError(
            f"{path}: not a KTAB CSV (first line: name, description, actors, dimensions) nor an "
            "'Actor, Capability, Position, Salience' CSV" + ktab.semicolon_hint(text)
        )
    if suffix == ".xml":
        if ktab_xml.sniff(io.read_text(path)):
            return "ktab-xml"
        raise InputError(f"{path}: not a KTAB XML scenario (no <Scenario> with <Actors>)")
    raise InputError(f"{path}: unknown file type '{suffix}'; use .yaml, .yml, .json, .csv or .xml")
