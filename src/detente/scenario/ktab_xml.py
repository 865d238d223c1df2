"""KTAB's XML scenario format (the reader in KTAB is ``SMPModel::xmlRead``).

Layout (``shared/reference/ktab-smp.md`` §3.2; schema ``smpSchema.xsd``)::

    <Scenario>
      <name>..</name> <desc>..</desc> <prngSeed>..</prngSeed>
      <ModelParameters> <VictoryProbModel>Linear</VictoryProbModel> ... </ModelParameters>
      <Dimensions> <dName>..</dName> ... </Dimensions>
      <Actors>
        <Actor> <name/> <description/> <capability/>
          <Position> <dCoord/> ... </Position> <Salience> <dSal/> ... </Salience> </Actor>
      </Actors>
      <IdealAdjustment>
        <iaPair> <adjustingIdeal/> <referencePos/> <adjust/> </iaPair> ...
      </IdealAdjustment>
    </Scenario>

What is kept: names, descriptions, capabilities, positions and saliences (0-100, as in the CSV),
the nine model parameters (as the scenario's ``model_options`` for ``smp``) and the ideal
adjustments (as ``accommodation``: KTAB starts from the identity and overwrites the listed
pairs). The seed is not kept (detente takes ``--rng``). Where KTAB's reader is stricter than its
schema (it requires ``IdealAdjustment``, which makes its own ``dummyData_3Dim.xml`` fail), this
reader follows the schema; the schema's ``No`` for BigRAdjust is read as KTAB's ``None``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.errors import Problem, ScenarioError
from detente.scenario.io import UniqueIds, finite_number, read_text, slug, validate_data
from detente.scenario.model import Scenario

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

__all__ = ["PARAMETERS", "loads", "read", "sniff"]

#: KTAB's nine model parameters (XML elements, and ``smp`` options of the same names), each
#: with the values KTAB's enums allow, in enum order (``smpSchema.xsd``, ``smp.h``).
PARAMETERS: dict[str, tuple[str, ...]] = {
    "VictoryProbModel": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "PCEModel": ("Conditional", "MarkovIncentive", "MarkovUniform"),
    "StateTransitions": ("Deterministic", "Stochastic"),
    "VotingRule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "BigRAdjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "BigRRange": ("Min", "Mid", "Max"),
    "ThirdPartyCommit": ("NoCommit", "SemiCommit", "FullCommit"),
    "InterVecBrgn": ("S1P1", "S2P2", "S2PMax"),
    "BargnModel": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}


def read(path: str | Path, *, scenario_id: str | None = None) -> Scenario:
    """Read a KTAB XML file as a :class:`Scenario`."""
    path = Path(path)
    return loads(read_text(path), name=str(path), scenario_id=scenario_id)


def sniff(text: str) -> bool:
    """True if ``text`` looks like a KTAB XML scenario."""
    head = text[:4096]
    return "<Scenario" in head and ("<Actors" in text or "<Dimensions" in text)


def loads(text: str, *, name: str = "<string>", scenario_id: str | None = None) -> Scenario:
    """Parse KTAB XML text as a :class:`Scenario` (``name`` is used in error messages)."""

    root, lines = _parse(text, name)
    scenario = root if root.tag == "Scenario" else root.find("Scenario")
    if scenario is None:
        problem = Problem("", "a KTAB XML scenario has a <Scenario> element", file=name)
        raise ScenarioError([problem])

    def fail(where: str, message: str, el: ET.Element | None = None) -> ScenarioError:
        line = None if el is None else lines.get(el)
        return ScenarioError([Problem(where, message, file=name, line=line)])

    def text_of(
        el: ET.Element | None,
        where: str,
        *,
        required: bool = True,
        near: ET.Element | None = None,
    ) -> str:
        value = None if el is None else (el.text or "").strip()
        if required and not value:
            raise fail(where, "is missing or empty", el if el is not None else near)
        return value or ""

    def number(el: ET.Element | None, where: str, near: ET.Element | None = None) -> float:
        value = finite_number(text_of(el, where, near=near))
        if value is None:
            raise fail(where, f"must be a number, not {text_of(el, where)!r}", el)
        return float(value)

    title = text_of(scenario.find("name"), "Scenario.name", required=False)
    options: dict[str, Any] = {}
    params = scenario.find("ModelParameters")
    if params is not None:
        for parameter, allowed in PARAMETERS.items():
            where = f"ModelParameters.{parameter}"
            element = params.find(parameter)
            value = text_of(element, where, near=params)
            value = "None" if (parameter, value) == ("BigRAdjust", "No") else value
            if value not in allowed:
                raise fail(where, f"is {value!r}; KTAB's values are {', '.join(allowed)}", element)
            options[parameter] = value
    dims_el = scenario.find("Dimensions")
    dims = (
        [text_of(d, "Dimensions.dName", near=dims_el) for d in dims_el.findall("dName")]
        if dims_el is not None
        else []
    )
    if not dims:
        raise fail("Dimensions", "needs at least one <dName>", dims_el)
    actors_el = scenario.find("Actors")
    actor_els = [] if actors_el is None else actors_el.findall("Actor")
    if not actor_els:
        raise fail("Actors", "needs at least one <Actor>", actors_el)
    issue_ids = [*map(UniqueIds("issue"), dims)]
    actor_id = UniqueIds("actor")
    actors: list[dict[str, Any]] = []
    actor_lines: dict[tuple[str | int, ...], int] = {}
    names: dict[str, str] = {}
    for n, el in enumerate(actor_els):
        actor_name = text_of(el.find("name"), f"Actors.Actor[{n}].name", near=el)
        where = f"actor '{actor_name}'"
        coords = [number(c, f"{where}: Position.dCoord") for c in el.findall("Position/dCoord")]
        sals = [number(c, f"{where}: Salience.dSal") for c in el.findall("Salience/dSal")]
        for label, values in (("Position.dCoord", coords), ("Salience.dSal", sals)):
            if len(values) != len(dims):
                raise fail(
                    where, f"has {len(values)} {label} values for {len(dims)} dimensions", el
                )
        actor_lines[("actors", len(actors))] = lines.get(el, 0)
        names[actor_name] = actor_id(actor_name)
        actors.append(
            {
                "id": names[actor_name],
                "name": actor_name,
                "description": text_of(el.find("description"), where, required=False),
                "capability": number(el.find("capability"), f"{where}: capability", near=el),
                "position": dict(zip(issue_ids, coords, strict=True)),
                "salience": dict(zip(issue_ids, sals, strict=True)),
            }
        )
    accommodation: dict[str, dict[str, float]] = {}
    for n, pair in enumerate(scenario.findall("IdealAdjustment/iaPair")):
        where = f"IdealAdjustment.iaPair[{n}]"
        adjusting = text_of(pair.find("adjustingIdeal"), f"{where}.adjustingIdeal", near=pair)
        reference = text_of(pair.find("referencePos"), f"{where}.referencePos", near=pair)
        for who in (adjusting, reference):
            if who not in names:
                raise fail(where, f"'{who}' is not an actor of the scenario", pair)
        weight = number(pair.find("adjust"), f"{where}.adjust", near=pair)
        accommodation.setdefault(names[adjusting], {})[names[reference]] = weight
    data: dict[str, Any] = {
        "id": scenario_id or slug(title or Path(name).stem),
        "name": title,
        "description": text_of(scenario.find("desc"), "Scenario.desc", required=False),
        "issues": [{"id": i, "name": d} for i, d in zip(issue_ids, dims, strict=True)],
        "actors": actors,
    }
    if accommodation:
        data["accommodation"] = accommodation
    if options:
        data["model_options"] = {"smp": options}
    if params is not None:
        actor_lines[("model_options",)] = lines.get(params, 0)
    if dims_el is not None:
        actor_lines[("issues",)] = lines.get(dims_el, 0)
    return validate_data(data, name, actor_lines)


def _parse(text: str, name: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The XML's root element and the line where each element starts (the text is fed to the
    parser a line at a time, so each start event comes with the line that completed it).

    A DOCTYPE is refused: KTAB XML has none, and entity declarations are how XML files ask a
    parser for unbounded work ("billion laughs").
    """

    def fail(message: str, line: int | None) -> ScenarioError:
        return ScenarioError([Problem("", message, file=name, line=line)])

    doctype = re.search(r"<!DOCTYPE|<!ENTITY", text)
    if doctype is not None:
        line = text.count("\n", 0, doctype.start()) + 1
        raise fail("a DOCTYPE or ENTITY declaration; KTAB XML has none: remove it", line)
    import xml.etree.ElementTree as ET  # the XML parser loads when XML is read, not to sniff

    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    lines: dict[ET.Element, int] = {}
    number = 0
    try:
        for number, line_text in enumerate(text.splitlines(keepends=True), start=1):
            parser.feed(line_text)
            _record(parser, lines, number)
        parser.close()
        _record(parser, lines, number)
    except ET.ParseError as err:
        line = err.position[0] if err.position else number or None
        raise fail(f"not well-formed XML: {err}", line) from None
    if not lines:
        raise fail("not well-formed XML: no element found", None)
    root = next(iter(lines))  # the first element to start is the root
    return root, lines


def _record(parser: ET.XMLPullParser[ET.Element], lines: dict[ET.Element, int], line: int) -> None:
    import xml.etree.ElementTree as ET

    events: Any = parser.read_events()  # typeshed types the ("start", element) pairs oddly
    for _, element in events:
        if isinstance(element, ET.Element):
            lines.setdefault(element, line)
