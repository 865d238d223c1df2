"""Reading and writing scenario files (YAML or JSON), with errors that point at the line.

YAML is read by :mod:`detente.scenario._yaml` (libyaml's events, YAML 1.2 values as ruamel.yaml
reads them, so an actor called ``NO`` stays the string ``"NO"``), which also tells each key's
line, and JSON by :mod:`detente.scenario._json`; pydantic's error locations are translated into
those lines and into actor and issue ids.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from detente._files import atomic_write
from detente.errors import InputError, Problem, ScenarioError
from detente.scenario import _json
from detente.scenario._text import MAX_FILE_BYTES, path_kind, read_text
from detente.scenario.draft import is_draft, refuse_draft
from detente.scenario.evidence import sources_folder, verify_quotes
from detente.scenario.model import Scenario, plain_number

__all__ = [
    "MAX_FILE_BYTES",
    "OptionCheck",
    "dump_json",
    "dump_yaml",
    "load",
    "loads",
    "path_kind",
    "read_text",
    "save",
    "write_text_atomic",
]


Path_ = tuple[str | int, ...]


#: Checks one model's options as a scenario's ``model_options`` gives them (``name``, values),
#: raising :class:`~detente.errors.InputError` when they are wrong. The scenario layer does not
#: know the models, so a caller that does passes one in (the command line does).
OptionCheck = Callable[[str, Mapping[str, Any]], object]


def load(
    path: str | Path,
    *,
    check_evidence: bool = True,
    sources_dir: str | Path | None = None,
    check_options: OptionCheck | None = None,
) -> Scenario:
    """Read a scenario from a YAML or JSON file.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml`` or ``.json`` file.
    check_evidence
        Check that every evidence quote appears verbatim in its source file, for sources whose
        ``file`` is at hand (looked up beside the scenario, then in ``sources_dir``).
    sources_dir
        Another folder to look for source files in.
    check_options
        Checks each model's ``model_options``; its errors are reported with the line.

    Raises
    ------
    ScenarioError
        Naming the file, the line where known, the actor/issue/field and what is allowed.
    """
    path = Path(path)
    folders = [path.parent] + ([sources_folder(sources_dir)] if sources_dir is not None else [])
    text = read_text(path)
    data, lines = _parse(text, path)
    if is_draft(data):
        raise refuse_draft(data, str(path))
    if isinstance(data, dict) and "id" not in data:
        data = {"id": slug(path.stem), **data}
    scenario = validate_data(data, str(path), lines, check_options=check_options)
    if check_evidence:
        verify_quotes(scenario, folders, str(path), lines)
    return scenario


def loads(
    text: str,
    *,
    name: str = "<string>",
    fmt: str = "yaml",
    default_id: str | None = None,
    check_options: OptionCheck | None = None,
) -> Scenario:
    """Read a scenario from YAML or JSON text (``fmt`` is ``"yaml"`` or ``"json"``).

    ``default_id`` is the id of a scenario that gives none; ``check_options`` checks each
    model's ``model_options`` (see :func:`load`).
    """
    data, lines = _parse(text, Path(name), fmt=fmt)
    if default_id is not None and isinstance(data, dict) and "id" not in data:
        data = {"id": default_id, **data}
    return validate_data(data, name, lines, check_options=check_options)


def save(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` to ``path`` as YAML or JSON (by the file's suffix)."""
    path = Path(path)
    text = dump_json(scenario) if path.suffix.lower() == ".json" else dump_yaml(scenario)
    write_text_atomic(path, text)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file, then a rename).

    The file gets the permissions of any new file under the user's umask.

    Raises
    ------
    InputError
        The path cannot be written (a folder, a missing folder, no permission, ...).
    """
    atomic_write(path, text)


def dump_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text that :func:`loads` reads back to an equal scenario."""
    from ruamel.yaml import YAML  # the YAML library loads when YAML is written or read

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.allow_unicode = True
    yaml.width = 100
    buffer = io.StringIO()
    yaml.dump(_plain(scenario), buffer)
    return buffer.getvalue()


def dump_json(scenario: Scenario) -> str:
    """The scenario as indented JSON."""
    return json.dumps(_plain(scenario), indent=2, ensure_ascii=False) + "\n"


def _plain(scenario: Scenario) -> dict[str, Any]:
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    for issue in data.get("issues", []):
        if "scale" in issue:
            issue["scale"] = {plain_number(float(k)): v for k, v in issue["scale"].items()}
    return data


# --- reading -----------------------------------------------------------------------------------


def _parse(text: str, path: Path, fmt: str | None = None) -> tuple[Any, dict[Path_, int]]:
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "yaml")
    if fmt == "json":
        return _parse_json(text, path)
    from detente.scenario import _yaml

    tree, lines = _yaml.parse(text, str(path))
    if not isinstance(tree, dict):
        raise ScenarioError(
            [Problem("", "expected a mapping with issues: and actors: at the top", file=str(path))]
        )
    return tree, lines


def _parse_json(text: str, path: Path) -> tuple[Any, dict[Path_, int]]:
    data = _json.parse(text, str(path))
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", "expected a JSON object at the top", file=str(path))])
    return data, {}


def validate_data(
    data: Any,
    file: str,
    lines: dict[Path_, int] | None = None,
    *,
    check_options: OptionCheck | None = None,
) -> Scenario:
    """Build a Scenario from parsed data; problems are attributed to ``file`` and its lines.

    ``check_options``, when given, checks each model's ``model_options`` (see
    :data:`OptionCheck`).
    """
    lines = lines or {}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_problems(err, data)).in_file(file, lines) from None
    except ScenarioError as err:
        raise err.in_file(file, lines) from None
    if check_options is not None:
        problems = _option_problems(scenario, check_options)
        if problems:
            raise ScenarioError(problems).in_file(file, lines)
    return scenario


def _option_problems(scenario: Scenario, check: OptionCheck) -> list[Problem]:
    problems = []
    for model, values in scenario.model_options.items():
        try:
            check(model, values)
        except InputError as err:
            # point at the option when the message names exactly one of them
            named = [key for key in values if f"'{key}'" in str(err)]
            path: Path_ = ("model_options", model, *named[:1]) if len(named) <= 1 else ()
            problems.append(
                Problem(
                    ".".join(str(p) for p in path) or f"model_options.{model}",
                    str(err),
                    path or ("model_options", model),
                )
            )
    return problems


Model = TypeVar("Model", bound=BaseModel)


def read_document(path: str | Path) -> tuple[Any, dict[Path_, int]]:
    """Another input file of detente (YAML, or JSON by its suffix) as plain data, with the line
    of every key and item, for :func:`validate_model`; refused like a scenario file when missing,
    too large, not UTF-8 or not a mapping."""
    path = Path(path)
    return _parse(read_text(path), path)


def validate_model(
    model: type[Model], data: Any, file: str, lines: dict[Path_, int] | None = None
) -> Model:
    """``model`` built from parsed data; every problem names ``file``, its line and its field.

    Raises
    ------
    ScenarioError
        The data do not fit ``model`` (every problem at once).
    """
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_problems(err, data, model)).in_file(file, lines or {}) from None


# --- translating pydantic's errors ---------------------------------------------------------------


def _problems(err: ValidationError, data: Any, root: type[BaseModel] = Scenario) -> list[Problem]:
    """One problem per location: a value that fails every member of a union is one mistake."""
    by_path: dict[Path_, Problem] = {}
    for error in err.errors(include_url=False):
        problem = _problem(error, data, root)
        if problem.path in by_path:
            if problem.path[-1:] == ("at",):
                by_path[problem.path] = replace(
                    problem,
                    message="must be a round number (0, 1, 2, ...) or a date like 2004-11-02, "
                    f"not {error.get('input')!r}",
                )
            continue
        by_path[problem.path] = problem
    return list(by_path.values())


def _problem(error: ErrorDetails, data: Any, root: type[BaseModel] = Scenario) -> Problem:
    path: Path_ = tuple(error["loc"])
    # pydantic appends the union member it tried ("int", "date") to the location; drop those
    path = tuple(p for p in path if not (isinstance(p, str) and p in _UNION_TAGS))
    if error["type"] == "invalid_key" and path:
        # the location holds the key as text ("None"); the key itself finds its line
        key = error.get("input")
        path = (*path[:-1], key if isinstance(key, str | int) else path[-1])
    return Problem(_describe(path, data), _message(error, path, root), path)


_UNION_TAGS = {"int", "date", "constrained-int", "float"}


def _message(error: ErrorDetails, path: Path_, root: type[BaseModel] = Scenario) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error.get("input")
    shown = repr(value) if isinstance(value, str) else str(value)
    if kind == "invalid_key":
        what = "an empty key" if value is None else f"the key {shown}"
        return f"{what} is not a field name; field names are text"
    if kind == "string_type" and path[-1:] == ("[key]",):
        return f"keys here must be text, not {shown}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        allowed = _fields_at(path[:-1], root)
        return f"unknown field '{path[-1]}'; allowed here: {', '.join(allowed)}"
    if kind == "finite_number":
        return f"must be a finite number, not {shown}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"must be a number, not {shown}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge'):g}, not {shown}"
    if kind == "less_than_equal":
        return f"must be <= {ctx.get('le'):g}, not {shown}"
    if kind == "too_short" and path and path[-1] == "issues":
        return "the scenario has no issues; give at least one"
    if kind == "string_pattern_mismatch":
        return (
            f"{shown} is not a valid id: use letters, digits, '-' and '_' (no spaces or dots), "
            "starting with a letter or digit"
        )
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = {"list_type": "a list", "dict_type": "a mapping"}.get(
            kind, "a mapping of fields"
        )
        return f"must be {expected}, not {shown}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"must be a date like 2004-05-10 (or a round number for 'at'), not {shown}"
    return str(error["msg"])


def _fields_at(path: Path_, root: type[BaseModel] = Scenario) -> list[str]:
    """The fields allowed at ``path`` (walking ``root``'s models by field annotations)."""
    model: type[BaseModel] = root
    for key in path:
        if isinstance(key, str) and key in model.model_fields:
            inner = _model_in(model.model_fields[key].annotation)
            if inner is None:
                break
            model = inner
    return list(model.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _describe(path: Path_, data: Any) -> str:
    """``('actors', 2, 'capability')`` as ``actors[USA].capability`` (ids from the raw data)."""
    out = ""
    node = data
    for key in path:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list) and key < len(node) else None
            ident = (item.get("id") or item.get("name")) if isinstance(item, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) and ident else f"[{key}]"
            node = item
        else:
            out += f".{key}" if out else str(key)
            node = node.get(key) if isinstance(node, dict) else None
    return out


def finite_number(cell: str) -> float | None:
    """The text as a finite float, or None (used by the CSV readers)."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def csv_records(
    text: str, name: str, *, delimiter: str = ",", skipinitialspace: bool = False
) -> list[tuple[int, list[str]]]:
    """The CSV records of ``text`` with the 1-based line each starts on, blank lines skipped.

    The whole text is parsed at once, so a quoted cell may hold a line break (as ``csv.writer``
    writes one); CR, LF and CRLF line endings are read, and a line break in a cell is read as
    ``\\n``. Raises :class:`ScenarioError` naming the line for text ``csv`` cannot read: a cell
    past its field size limit, or a quote left open at the end of the file.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=skipinitialspace
    )
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if len(cells) > 1 or (cells and cells[0].strip()):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as err:  # a cell over csv's field size limit (131,072 characters)
        problem = Problem("", f"not valid CSV: {err}", file=name, line=reader.line_num)
        raise ScenarioError([problem]) from None
    if records and _quote_left_open(text, records[-1][1], delimiter, skipinitialspace):
        problem = Problem(
            "",
            "not valid CSV: a quoted cell is not closed (a '\"' is missing); it runs to the "
            "end of the file",
            file=name,
            line=records[-1][0],
        )
        raise ScenarioError([problem])
    return records


def _quote_left_open(text: str, last: list[str], delimiter: str, skipinitialspace: bool) -> bool:
    """True if ``text`` ends inside a quoted cell (the non-strict reader then takes the rest of
    the file as that cell); ``last`` is the last record read. Parsed again, strictly, only when
    the last record holds a line break or the last line a quote."""
    if not any("\n" in cell for cell in last) and '"' not in text.rstrip("\n").rsplit("\n", 1)[-1]:
        return False
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        skipinitialspace=skipinitialspace,
        strict=True,
    )
    try:
        for _ in reader:
            pass
    except csv.Error as err:
        return "unexpected end of data" in str(err)
    return False


def slug(name: str, default: str = "scenario") -> str:
    """``name`` reduced to a valid id: letters, digits, '-' and '_' (at most 64).

    Accents are dropped (``Côte d’Ivoire`` gives ``Cote-d-Ivoire``); ``default`` when nothing
    is left (a name in a non-Latin script).
    """
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    out = re.sub(r"[^A-Za-z0-9_\-]+", "-", plain.strip()).strip("-_")
    return out[:64].rstrip("-_") or default


class UniqueIds:
    """Readable ids, unique among those it gives, for the names an importer reads.

    A name with nothing left for an id (``北京``) is numbered from ``default`` (``actor-1``,
    ``actor-2``); a name whose id an earlier name already has gets the next free number
    (``Cote-d-Ivoire-2``). A name given before gets its id again, so that a repeated name is
    still reported as a duplicate. ``taken`` are ids already used elsewhere.
    """

    def __init__(self, default: str, taken: Iterable[str] = ()) -> None:
        self.default = default
        self.taken = set(taken)
        self.given: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name in self.given:
            return self.given[name]
        base = slug(name, default="")
        candidate, number = (base, 1) if base else (f"{self.default}-1", 1)
        while candidate in self.taken:
            number += 1
            suffix = f"-{number}"
            candidate = (base or self.default)[: 64 - len(suffix)].rstrip("-_") + suffix
        self.taken.add(candidate)
        self.given[name] = candidate
        return candidate
