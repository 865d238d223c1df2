"""Reading an Excel workbook's sheets into scenario data (see :mod:`detente.scenario.xlsx`)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from detente.errors import Problem, ScenarioError
from detente.scenario import _xlsx_package as pkg
from detente.scenario.io import UniqueIds, finite_number, validate_data
from detente.scenario.model import Scenario, plain_number

__all__ = ["Reader"]

_HEADER_SEARCH = 20
_Path = tuple[str | int, ...]


class Reader:
    """One workbook being read: its sheets, the cell behind every field, the problems found."""

    def __init__(self, values: Any, formulas: Any, name: str) -> None:
        self.values = values
        self.formulas = formulas
        self.name = name
        self.titles = {t.casefold(): t for t in values.sheetnames}
        self.cells: dict[_Path, str] = {}  # a field's path in the scenario -> its cell
        self.problems: list[Problem] = []

    # the sheets

    def sheet(self, wanted: str, *, required: bool = False) -> tuple[str, list[pkg.Row]] | None:
        title = self.titles.get(wanted.casefold())
        if title is None and required and len(self.titles) == 1:
            title = next(iter(self.titles.values()))  # a one-sheet workbook: that sheet
        if title is None:
            if required:
                raise self.fail(
                    "",
                    f"no sheet named '{wanted}'; the sheets are: "
                    f"{', '.join(self.values.sheetnames)}. Name the actors x issues sheet "
                    f"'{wanted}'",
                )
            return None
        return title, pkg.sheet_rows(self.values, self.formulas, title, self.name)

    def fail(self, where: str, message: str) -> ScenarioError:
        return ScenarioError([Problem(where, message, file=self.name)])

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message, file=self.name))

    def header(
        self, title: str, rows: list[pkg.Row], required: tuple[str, ...], layout: str
    ) -> tuple[int, dict[str, int], list[pkg.Row], tuple[Any, ...]]:
        """The header row's number, its columns (normalised text -> 0-based index), the rows
        below it and the header's cells. The header is the first of the first rows that names
        every ``required``."""
        for n, (number, cells) in enumerate(rows[:_HEADER_SEARCH]):
            names = [_key(_text(c)) for c in cells]
            if all(r in names for r in required):
                columns: dict[str, int] = {}
                for index, key in enumerate(names):
                    if not key:
                        continue
                    if key in columns:
                        first = " ".join(_text(cells[columns[key]]).split())
                        issues = key.endswith(("position", "salience"))
                        if issues and " ".join(_text(cells[index]).split()) != first:
                            continue  # two issues whose ids differ in letter case only
                        raise self.fail(
                            pkg.cell_ref(title, number, index + 1),
                            f"a second '{_text(cells[index])}' column (the first is "
                            f"{pkg.cell_ref(title, number, columns[key] + 1)}); name each "
                            "column once",
                        )
                    columns[key] = index
                return number, columns, rows[n + 1 :], cells
        shown = ", ".join(r.capitalize() for r in required)
        raise self.fail(
            f"sheet '{title}'",
            f"no header row naming {shown} in its first {_HEADER_SEARCH} rows; {layout}",
        )

    # the scenario

    def scenario(self, scenario_id: str | None, default_id: str) -> Scenario:
        found = self.sheet("Actors", required=True)
        assert found is not None
        actors_title, actor_rows = found
        issue_columns, actor_data, actor_ids = self.actors(actors_title, actor_rows)
        issues = self.issues(issue_columns)
        fields = self.fields()
        if scenario_id:
            fields["id"] = scenario_id
        data: dict[str, Any] = {"id": default_id, **fields, "issues": issues, "actors": actor_data}
        self.uncertainty(actor_data, actor_ids)
        if self.problems:
            raise ScenarioError(self.problems)
        if "salience_scale" not in data:
            saliences = [v for a in actor_data for v in a["salience"].values()]
            if saliences and max(saliences) <= 1:
                data["salience_scale"] = 1  # 0-1, as the common CSV reads it
        try:
            return validate_data(data, self.name)
        except ScenarioError as err:
            raise ScenarioError([self.at_cell(p) for p in err.problems]) from None

    def at_cell(self, problem: Problem) -> Problem:
        for end in range(len(problem.path), 0, -1):
            cell = self.cells.get(problem.path[:end])
            if cell is not None:
                where = f"{cell} ({problem.where})" if problem.where else cell
                return Problem(where, problem.message, problem.path, problem.file)
        return problem

    def actors(
        self, title: str, rows: list[pkg.Row]
    ) -> tuple[list[tuple[str, str, int, int]], list[dict[str, Any]], dict[str, str]]:
        """Issue columns (issue text, id, position and salience column), the actors' data,
        and the actor ids by the Actor cells' text."""
        layout = (
            "the header names Actor, Capability, and an 'ISSUE position' and an 'ISSUE "
            "salience' column for every issue (optional: Name, Aliases, Description)"
        )
        header_row, columns, body, names = self.header(title, rows, ("actor", "capability"), layout)
        issue_columns = self.issue_columns(title, header_row, columns, names, layout)
        actor_id = UniqueIds("actor")
        actors: list[dict[str, Any]] = []
        ids: dict[str, str] = {}
        for number, cells in body:

            def cell(key: str, cells: tuple[Any, ...] = cells) -> Any:
                index = columns.get(key)
                return cells[index] if index is not None and index < len(cells) else None

            def ref(key: str, number: int = number) -> str:
                return pkg.cell_ref(title, number, columns[key] + 1)

            who = _text(cell("actor"))
            if not who:
                self.problem(ref("actor"), "the Actor cell is empty; give the actor's name")
                continue
            path: _Path = ("actors", len(actors))
            ident = _identify(actor_id, who)
            ids.setdefault(who, ident)
            actor: dict[str, Any] = {
                "id": ident,
                "name": _text(cell("name")) if "name" in columns else who,
                "capability": self.number(cell("capability"), ref("capability"), who),
                "position": {},
                "salience": {},
            }
            self.cells[path] = ref("actor")
            self.cells[(*path, "capability")] = ref("capability")
            if "aliases" in columns:
                aliases = [a.strip() for a in re.split(r"[;\n]", _text(cell("aliases")))]
                if any(aliases):
                    actor["aliases"] = [a for a in aliases if a]
                    self.cells[(*path, "aliases")] = ref("aliases")
            if "description" in columns and _text(cell("description")):
                actor["description"] = _text(cell("description"))
            for _, issue_id, pos, sal in issue_columns:
                for field, index in (("position", pos), ("salience", sal)):
                    where = pkg.cell_ref(title, number, index + 1)
                    value = cells[index] if index < len(cells) else None
                    actor[field][issue_id] = self.number(value, where, who)
                    self.cells[(*path, field, issue_id)] = where
            actors.append(actor)
        if not body:
            raise self.fail(
                f"sheet '{title}'", f"no actor rows below the header (row {header_row})"
            )
        return issue_columns, actors, ids

    def issue_columns(
        self,
        title: str,
        header_row: int,
        columns: dict[str, int],
        names: tuple[Any, ...],
        layout: str,
    ) -> list[tuple[str, str, int, int]]:
        entries = []  # (the issue as the header names it, position or salience, column)
        for index, name in enumerate(names):
            header = " ".join(_text(name).split())
            match = re.fullmatch(r"(?:(.*\S)\s+)?(position|salience)", header, re.IGNORECASE)
            if match:
                entries.append((match.group(1) or "", match.group(2).lower(), index))
        # issues matched in any letter case, unless two issues differ only by it (A and a)
        folded = {(prefix.casefold(), kind) for prefix, kind, _ in entries}
        exact = len(folded) < len(entries)
        found: dict[str, dict[str, int]] = {}
        texts: dict[str, str] = {}
        for prefix, kind, index in entries:
            key = prefix if exact else prefix.casefold()
            found.setdefault(key, {})[kind] = index
            texts.setdefault(key, prefix)
        if not found:
            raise self.fail(
                pkg.cell_ref(title, header_row, max(columns.values()) + 2),
                f"no position or salience column; {layout}",
            )
        issue_id = UniqueIds("issue")
        out = []
        for issue_key, pair in found.items():
            for needed in ("position", "salience"):
                if needed not in pair:
                    other = "salience" if needed == "position" else "position"
                    raise self.fail(
                        pkg.cell_ref(title, header_row, pair[other] + 1),
                        f"issue '{texts[issue_key] or 'issue'}' has a {other} column but no "
                        f"{needed} column; {layout}",
                    )
            text = texts[issue_key]
            ident = _identify(issue_id, text or "issue")
            out.append((text, ident, pair["position"], pair["salience"]))
        return out

    def number(self, value: Any, where: str, who: str) -> float | None:
        number = _number(value)
        if number is None:
            shown = "an empty cell" if value is None or _text(value) == "" else repr(_text(value))
            hint = "; write decimals with a point (1.5, not 1,5)" if "," in _text(value) else ""
            self.problem(f"{where} (actor '{who}')", f"must be a finite number, not {shown}{hint}")
        return number

    def issues(self, issue_columns: list[tuple[str, str, int, int]]) -> list[dict[str, Any]]:
        issues: list[dict[str, Any]] = []
        by_text: dict[str, int] = {}  # the issue's text and id -> its index
        for text, ident, _, _ in issue_columns:
            issue: dict[str, Any] = {"id": ident}
            if text and text != ident:
                issue["name"] = text
            by_text[text] = by_text[ident] = len(issues)
            issues.append(issue)
        found = self.sheet("Issues")
        if found is None:
            return issues
        title, rows = found
        layout = (
            "the header names Issue (as the Actors sheet's header does) and any of Name, "
            "Description, Unit, Min, Max, Status quo"
        )
        _, columns, body, _ = self.header(title, rows, ("issue",), layout)
        listed: set[int] = set()
        for number, cells in body:
            text = _text(cells[columns["issue"]]) if columns["issue"] < len(cells) else ""
            ref = pkg.cell_ref(title, number, columns["issue"] + 1)
            n = _find(by_text, text)
            if n is None:
                self.problem(
                    ref,
                    f"issue '{text}' has no position and salience columns on the Actors sheet; "
                    f"its issues are: {', '.join(t or i for t, i, _, _ in issue_columns)}",
                )
                continue
            listed.add(n)
            issue = issues[n]
            self.cells[("issues", n)] = ref
            for key, field in _ISSUE_FIELDS.items():
                index = columns.get(key)
                value = cells[index] if index is not None and index < len(cells) else None
                if index is None or _blank(value):
                    continue
                where = pkg.cell_ref(title, number, index + 1)
                self.cells[("issues", n, field)] = where
                if field in ("min", "max", "status_quo"):
                    number_ = _number(value)
                    if number_ is None:
                        self.problem(
                            f"{where} (issue '{issue['id']}')",
                            f"{field} must be a finite number, not {_text(value)!r}",
                        )
                    issue[field] = number_
                else:
                    issue[field] = _text(value)
        for n, issue in enumerate(issues):
            if n not in listed:
                self.problem(
                    f"sheet '{title}'",
                    f"issue '{issue['id']}' of the Actors sheet is not listed; list every issue",
                )
        self.scale(issues, by_text)
        return issues

    def scale(self, issues: list[dict[str, Any]], by_text: dict[str, int]) -> None:
        found = self.sheet("Scale")
        if found is None:
            return
        title, rows = found
        layout = "the header names Issue, Value and Label"
        _, columns, body, _ = self.header(title, rows, ("issue", "value", "label"), layout)
        for number, cells in body:
            get = _getter(cells, columns)
            text = _text(get("issue"))
            ref = pkg.cell_ref(title, number, columns["issue"] + 1)
            n = _find(by_text, text)
            if n is None:
                self.problem(ref, f"no issue '{text}' on the Actors sheet")
                continue
            value = _number(get("value"))
            where = pkg.cell_ref(title, number, columns["value"] + 1)
            if value is None:
                self.problem(
                    where, f"the value must be a finite number, not {_text(get('value'))!r}"
                )
                continue
            anchors = issues[n].setdefault("scale", {})
            if value in anchors:
                self.problem(where, f"a second label for {plain_number(value)} on issue '{text}'")
            anchors[value] = _text(get("label"))
            self.cells[("issues", n, "scale", str(plain_number(value)))] = where

    def fields(self) -> dict[str, Any]:
        found = self.sheet("Scenario")
        if found is None:
            return {}
        title, rows = found
        out: dict[str, Any] = {}
        for number, cells in rows:
            key = _key(_text(cells[0])) if cells else ""
            if key in ("", "field"):
                continue
            field = _SCENARIO_FIELDS.get(key)
            ref = pkg.cell_ref(title, number, 2)
            if field is None:
                self.problem(
                    pkg.cell_ref(title, number, 1),
                    f"unknown field '{_text(cells[0])}'; fields are: "
                    f"{', '.join(dict.fromkeys(_SCENARIO_FIELDS.values()))}",
                )
                continue
            value = cells[1] if len(cells) > 1 else None
            if field == "salience_scale":
                scale = _number(value)
                if scale not in (1, 100):
                    self.problem(ref, f"salience_scale must be 1 or 100, not {_text(value)!r}")
                    continue
                out[field] = int(scale or 0)
            elif field == "as_of":
                out[field] = value if isinstance(value, dt.date) else (_text(value) or None)
            else:
                out[field] = _text(value)
            self.cells[(field,)] = ref
        return out

    def uncertainty(self, actors: list[dict[str, Any]], ids: dict[str, str]) -> None:
        found = self.sheet("Uncertainty")
        if found is None:
            return
        title, rows = found
        layout = "the header names Actor, Input, Low, Mode (may be blank) and High"
        _, columns, body, _ = self.header(title, rows, ("actor", "input", "low", "high"), layout)
        index = {a["id"]: n for n, a in enumerate(actors)}
        by_text = {who: index[ident] for who, ident in ids.items() if ident in index} | index
        for number, cells in body:
            get = _getter(cells, columns)
            who = _text(get("actor"))
            ref = pkg.cell_ref(title, number, columns["actor"] + 1)
            which = _find(by_text, who)
            if which is None:
                self.problem(ref, f"no actor '{who}' on the Actors sheet")
                continue
            key = _text(get("input"))
            bounds: list[float] = []
            for part in ("low", "mode", "high"):
                if part not in columns or (part == "mode" and _blank(get(part))):
                    continue
                value = _number(get(part))
                if value is None:
                    self.problem(
                        pkg.cell_ref(title, number, columns[part] + 1),
                        f"{part} must be a finite number, not {_text(get(part))!r}",
                    )
                    break
                bounds.append(value)
            else:
                actors[which].setdefault("uncertainty", {})[key] = bounds
                self.cells[("actors", which, "uncertainty", key)] = ref


_ISSUE_FIELDS = {
    "name": "name",
    "description": "description",
    "unit": "unit",
    "min": "min",
    "max": "max",
    "status quo": "status_quo",
}
_SCENARIO_FIELDS = {
    "id": "id",
    "name": "name",
    "as of": "as_of",
    "description": "description",
    "salience scale": "salience_scale",
}


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")


def _find(by_text: dict[str, int], text: str) -> int | None:
    """The index ``text`` names: exactly, else in any letter case when that names one."""
    if text in by_text:
        return by_text[text]
    found = {n for key, n in by_text.items() if key.casefold() == text.casefold()}
    return found.pop() if len(found) == 1 else None


def _identify(ids: UniqueIds, text: str) -> str:
    """The id of the name ``text``: the text itself when it is a valid id not yet given (so
    that ``A-`` stays ``A-``, which reduced would be ``A``), else as for the CSV readers."""
    if text not in ids.given and text not in ids.taken and _ID.fullmatch(text):
        ids.taken.add(text)
        ids.given[text] = text
        return text
    return ids(text)


def _getter(cells: tuple[Any, ...], columns: dict[str, int]) -> Callable[[str], Any]:
    def get(key: str) -> Any:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    return get


def _key(text: str) -> str:
    """A header's text as matched: lower case, ``_`` as a space, one space between words."""
    key = " ".join(text.replace("_", " ").casefold().split())
    return {"alias": "aliases", "power": "capability", "status quo": "status quo"}.get(key, key)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text: numbers as written (``3``, not ``3.0``), dates as ``2004-11-02``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(plain_number(float(value))) if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _number(value: Any) -> float | None:
    """A cell as a finite number (text such as ``"0.5"`` too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return finite_number(value.strip()) if value.strip() else None
    return None
