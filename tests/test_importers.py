"""KTAB CSV and the common Actor/Capability/Position/Salience CSV: reading, writing, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from detente.errors import InputError, ScenarioError
from detente.scenario import Scenario, files, io, ktab, table
from strategies import scenarios

KTAB_FILES = {
    # file: (actors, dimensions, first actor's name, its capability, first position, first salience)
    "dummyData_3Dim.csv": (7, 3, "SActor-00", 102.543, 75.79, 49.53),
    "SOE-Pol-Comp.csv": (13, 2, "XJ", 100.0, 30.0, 24.0),
    "dummyData_6Dim.csv": (27, 6, "AA00", 99.98, 50.0, 8.0),
    "dummyData-a040.csv": (40, 1, "Act-1001", 1.73, 63.03, 43.31),
    "dummyData-a080.csv": (80, 1, "Act-1001", 1.73, 63.03, 43.31),
    "dummyData-a160.csv": (160, 1, "Act-1001", 1.73, 63.03, 43.31),
}


@pytest.mark.parametrize("name", KTAB_FILES)
def test_ktab_reference_files_import(name: str, shared: Path) -> None:
    n, k, first, cap, pos, sal = KTAB_FILES[name]
    s = ktab.read(shared / "reference" / "ktab" / name)
    assert len(s.actors) == n
    assert len(s.issues) == k
    a = s.actors[0]
    assert (a.name, a.capability) == (first, cap)
    assert a.position[s.issue_ids[0]] == pos
    assert a.salience[s.issue_ids[0]] == sal


def test_ktab_semicolons_are_not_delimiters(shared: Path) -> None:
    s = ktab.read(shared / "reference" / "ktab" / "SOE-Pol-Comp.csv")
    assert s.name == "China Policy/Competitive; scen 2"
    assert s.description == "Scenario-0002;Combined Policy and Competitive"
    assert [i.name for i in s.issues] == ["Policy Position", "Competitive Position"]
    assert s.actor("XJ").description == "Xi Jinping"


def test_ktab_quotes_and_trailing_comma(shared: Path) -> None:
    s = ktab.read(shared / "reference" / "ktab" / "dummyData_3Dim.csv")
    assert s.description == "Dummy scenario to test reading format"
    assert s.issue_ids == ("Pstn1", "Pstn2", "Pstn3")


@pytest.mark.parametrize("name", KTAB_FILES)
def test_ktab_csv_round_trip_is_lossless(name: str, shared: Path) -> None:
    s = ktab.read(shared / "reference" / "ktab" / name)
    again = ktab.loads(ktab.dumps(s), scenario_id=s.id)
    assert again == s


def test_ktab_actor_count_mismatch(shared: Path) -> None:
    text = (shared / "reference" / "ktab" / "dummyData_3Dim.csv").read_text()
    with pytest.raises(ScenarioError, match="says 7 actors but 6 actor lines follow"):
        ktab.loads("\n".join(text.splitlines()[:-1]), name="short.csv")


def test_ktab_bad_number_names_line_and_column() -> None:
    text = "S,d,2,1\nActor,Desc,Power,P,S\nA,x,10,50,40\nB,y,ten,50,40\n"
    with pytest.raises(ScenarioError) as info:
        ktab.loads(text, name="bad.csv")
    assert str(info.value.problems[0]) == (
        "bad.csv:4: actor 'B', column 3 (Power): must be a number, not 'ten'"
    )


def test_ktab_export_refuses_other_scales() -> None:
    from detente import bundled

    with pytest.raises(InputError, match="KTAB CSV positions are on 0-100"):
        ktab.dumps(bundled("emission-1994"))


SC_EMISSION = """Actor,Capability,Position,Salience
Netherlands,0.08,4,0.8
Belgium,0.08,7,0.4
Luxembourg,0.03,4,0.2
Germany,0.16,4,0.8
France,0.16,10,0.6
Italy,0.16,10,0.6
UK,0.16,10,0.9
Ireland,0.05,7,0.1
Denmark,0.05,4,1.0
Greece,0.08,7,0.7
"""


def test_common_csv_salience_on_0_1() -> None:
    s = table.loads(SC_EMISSION, issue="delay")
    assert s.actor("Denmark").salience["delay"] == 100.0
    assert s.actor("Ireland").salience["delay"] == pytest.approx(10.0)


def test_common_csv_salience_on_0_100_with_cr_line_endings() -> None:
    """Masad's copy of the emission table: saliences in per cent, classic-Mac CR line ends."""
    text = "Actor,Capability,Position,Salience\r" + "\r".join(
        f"{a},{c},{p},{round(float(s) * 100)}"
        for a, c, p, s in (line.split(",") for line in SC_EMISSION.splitlines()[1:])
    )
    assert "\n" not in text
    s = table.loads(text, issue="delay")
    assert len(s.actors) == 10
    assert s.actor("Ireland").salience["delay"] == 10.0
    assert s.actor("UK").position["delay"] == 10.0


def test_common_csv_forecast_matches_the_bundled_emission_case() -> None:
    import detente

    s = table.loads(SC_EMISSION, issue="delay")
    value = detente.forecast(s, ["compromise"]).value("compromise", "delay")
    assert value == pytest.approx(7.3900, abs=5e-5)  # eum-spec §2.1 states 7.3900 (4 decimals)


def test_common_csv_declared_scale_wins() -> None:
    s = table.loads(
        "Actor,Capability,Position,Salience\nA,1,10,1\nB,1,20,0.5\n", salience_scale=100
    )
    assert s.actor("A").salience["issue"] == 1.0


def test_common_csv_missing_column() -> None:
    with pytest.raises(ScenarioError, match="missing column\\(s\\) salience"):
        table.loads("Actor,Capability,Position\nA,1,2\n", name="x.csv")


def test_common_csv_bad_value_names_the_line() -> None:
    with pytest.raises(ScenarioError) as info:
        table.loads("Actor,Capability,Position,Salience\nA,1,2,3\nB,x,2,3\n", name="x.csv")
    assert (
        str(info.value.problems[0])
        == "x.csv:3: actor 'B'.capability: must be a finite number, not 'x'"
    )


def test_common_csv_round_trip() -> None:
    s = table.loads(SC_EMISSION, issue="delay", scale=(0, 12))
    again = table.loads(table.dumps(s), issue="delay", scale=(0, 12), salience_scale=100)
    assert again == s


def test_files_guess_the_format(tmp_path: Path, shared: Path) -> None:
    (tmp_path / "common.csv").write_text(SC_EMISSION)
    assert files.guess_format(tmp_path / "common.csv") == "csv"
    assert files.guess_format(shared / "reference" / "ktab" / "SOE-Pol-Comp.csv") == "ktab-csv"
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a KTAB CSV"):
        files.read(tmp_path / "other.csv")


@settings(max_examples=50, deadline=None)
@given(s=scenarios(rich_text=True))
def test_yaml_and_json_round_trips_are_lossless(s: Scenario) -> None:
    assert io.loads(io.dump_yaml(s)) == s
    assert io.loads(io.dump_json(s), fmt="json") == s


@settings(max_examples=50, deadline=None)
@given(s=scenarios())
def test_ktab_round_trip_property(s: Scenario) -> None:
    """Scenario -> KTAB CSV -> Scenario -> KTAB CSV: the text and the data survive."""
    text = ktab.dumps(s)
    again = ktab.loads(text, scenario_id=s.id)
    assert ktab.dumps(again) == text
    assert again.arrays()[0].tolist() == s.arrays()[0].tolist()
    assert again.arrays()[1].tolist() == s.arrays()[1].tolist()
    assert again.arrays()[2].tolist() == s.arrays()[2].tolist()


def test_ktab_validation_problem_names_the_line() -> None:
    text = "S,d,2,1\nActor,Desc,Power,P,S\nA,x,10,50,40\nB,y,5,150,40\n"
    with pytest.raises(ScenarioError) as info:
        ktab.loads(text, name="bad.csv")
    assert str(info.value.problems[0]) == (
        "bad.csv:4: actors[B].position.P: position 150 is outside the scale of issue 'P' (0 to 100)"
    )


# --- more cells than the header: a decimal comma, or another delimiter --------------------------


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("t.csv", "Actor,Capability,Position,Salience\nA,1,20,5,50\nB,2,30,40\n", 2),
        ("k.csv", "S,d,2,1\nActor,Desc,Power,D1,D1 Sal\nA,a,1,20,50\nB,b,2,30,5,40\n", 4),
    ],
    ids=["common", "ktab"],
)
def test_a_row_longer_than_its_header_is_refused(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        files.read(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(path), line)
    assert "cells" in problem.message
    assert "decimal written with a comma (1,5 for 1.5)?" in problem.message


def test_a_trailing_comma_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Actor,Capability,Position,Salience\nA,1,20,50,\nB,2,30,40\n", encoding="utf-8")
    assert files.read(path).actor("A").salience == {"issue": 50.0}


def test_a_semicolon_csv_is_read_and_names_a_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Actor;Capability;Position;Salience\nA;1;20.5;50\nB;2;30;40\n", "utf-8")
    s = files.read(path)
    assert [a.position["issue"] for a in s.actors] == [20.5, 30.0]
    path.write_text("Actor;Capability;Position;Salience\nA;1;20,5;50\nB;2;30;40\n", "utf-8")
    with pytest.raises(ScenarioError) as info:
        files.read(path)
    (problem,) = info.value.problems
    assert problem.line == 2
    assert problem.message == (
        "must be a finite number, not '20,5'; write decimals with a point (1.5, not 1,5)"
    )


def test_a_semicolon_ktab_csv_names_the_semicolon(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text("S;d;2;1\nActor;Desc;Power;D1;D1 Sal\nA;a;1;20;50\nB;b;2;30;40\n", "utf-8")
    with pytest.raises(InputError, match="the cells here are separated by ';'"):
        files.read(path)
    with pytest.raises(ScenarioError, match=r"k\.csv:1: .*separated by ';'"):
        files.read(path, fmt="ktab-csv")


def test_ktab_counts_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text("S,d," + "9" * 5000 + ",1\nActor,D,P,D1,S1\nA,a,1,2,3\n", "utf-8")
    with pytest.raises(ScenarioError, match=r"k\.csv:1: number of actors is 99999999…9999"):
        files.read(path, fmt="ktab-csv")


# --- KTAB XML: problems name their line ---------------------------------------------------------

XML = """<?xml version="1.0"?>
<Scenario>
  <name>x</name>
  <ModelParameters>
    <VictoryProbModel>Linear</VictoryProbModel><PCEModel>Conditional</PCEModel>
    <StateTransitions>Deterministic</StateTransitions><VotingRule>Binary</VotingRule>
    <BigRAdjust>Half</BigRAdjust><BigRRange>Mid</BigRRange>
    <ThirdPartyCommit>SemiCommit</ThirdPartyCommit><InterVecBrgn>S2P2</InterVecBrgn>
    <BargnModel>InitOnlyInterp</BargnModel>
  </ModelParameters>
  <Dimensions><dName>d1</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><capability>1</capability>
      <Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
    <Actor><name>B</name><capability>2</capability>
      <Position><dCoord>90</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
  </Actors>
</Scenario>
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "<VotingRule>Binary</VotingRule>",
            "<VotingRule>Majority</VotingRule>",
            "x.xml:6: ModelParameters.VotingRule: is 'Majority'; KTAB's values are Binary,",
        ),
        (
            "<BargnModel>InitOnlyInterp</BargnModel>",
            "",
            "x.xml:4: ModelParameters.BargnModel: is missing or empty",
        ),
        ("<dCoord>90</dCoord>", "<dCoord>ninety</dCoord>", "x.xml:16: actor 'B': Position"),
        ("<capability>2</capability>", "<capability>-2</capability>", "x.xml:15: actors[B]"),
        ("<Scenario>", "<!DOCTYPE x [<!ENTITY e 'x'>]>\n<Scenario>", "x.xml:2: a DOCTYPE"),
        ("</Actors>", "</Actor>", "x.xml:17: not well-formed XML"),
    ],
    ids=["bad parameter", "missing parameter", "bad number", "negative", "doctype", "syntax"],
)
def test_ktab_xml_problems_name_the_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = tmp_path / "x.xml"
    assert files.read(_written(path, XML)).actor_ids == ("A", "B")
    with pytest.raises(ScenarioError) as info:
        files.read(_written(path, XML.replace(old, new)))
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{tmp_path}/{expected}")


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("t.csv", "Actor,Capability,Position,Salience\nA,1,2,{x}\n", 2),
        ("k.csv", "S,d,1,1\nActor,Desc,Power,D1,S1\nA,{x},1,2,3\n", 3),
    ],
    ids=["common", "ktab"],
)
def test_a_cell_past_the_csv_field_limit_is_named(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(text.format(x="x" * 200_000), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        files.read(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.message) == (
        line,
        "not valid CSV: field larger than field limit (131072)",
    )


# --- a quoted cell may hold a line break --------------------------------------------------------

ODD_NAMES = ('Line1\nLine2, "q"', "Plain", "Ends in CRLF\r\nhere")


def test_common_csv_round_trip_keeps_a_name_with_a_line_break() -> None:
    """``csv.writer`` quotes a line break; the reader parses the whole text, not line by line."""
    s = table.loads(
        "Actor,Capability,Position,Salience\nA,1,10,50\nB,2,20,50\nC,3,30,50\n", issue="delay"
    )
    s = s.model_copy(
        update={
            "actors": tuple(
                a.model_copy(update={"name": n}) for a, n in zip(s.actors, ODD_NAMES, strict=True)
            )
        }
    )
    text = files.dumps(s, "csv")
    again = table.loads(text, issue="delay")
    assert [a.name for a in again.actors] == [n.replace("\r\n", "\n") for n in ODD_NAMES]
    assert [a.capability for a in again.actors] == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_quoted_line_break_keeps_the_line_numbers(newline: str) -> None:
    text = newline.join(
        [
            "Actor,Name,Capability,Position,Salience",
            'A,"two',
            'lines",1,10,50',
            "",
            'B,"x",bad,20,50',
            "",
        ]
    )
    with pytest.raises(ScenarioError) as info:
        table.loads(text, name="t.csv")
    assert [str(p) for p in info.value.problems] == [
        "t.csv:5: actor 'B'.capability: must be a finite number, not 'bad'"
    ]


def test_ktab_csv_reads_a_quoted_line_break() -> None:
    text = 'S,d,2,1\nActor,Desc,Power,D1,S1\nA,"two\nlines",1,2,3\nB,b,x,2,3\n'
    with pytest.raises(ScenarioError) as info:
        ktab.loads(text, name="k.csv")
    assert [p.line for p in info.value.problems] == [5]
    s = ktab.loads(text.replace(",x,", ",1,"))
    assert s.actors[0].description == "two\nlines"


@pytest.mark.parametrize(
    ("reader", "text", "line"),
    [
        (table.loads, 'Actor,Capability,Position,Salience\nA,1,2,3\n"B,1,2,3\nC,1,2,3\n', 3),
        (ktab.loads, 'S,d,2,1\nActor,Desc,Power,D1,S1\nA,a,1,2,3\nB,"b,1,2,3\n', 4),
    ],
    ids=["common", "ktab"],
)
def test_a_quote_left_open_is_named(reader: object, text: str, line: int) -> None:
    with pytest.raises(ScenarioError) as info:
        reader(text, name="q.csv")  # type: ignore[operator]
    (problem,) = info.value.problems
    assert problem.line == line
    assert "quoted cell is not closed" in problem.message


# --- ids made from names in any script are unique and readable ----------------------------------

WORLD = ("北京", "東京", "Москва", "Côte d’Ivoire", "Cote d Ivoire", "Zürich")
WORLD_IDS = ("actor-1", "actor-2", "actor-3", "Cote-d-Ivoire", "Cote-d-Ivoire-2", "Zurich")


def test_common_csv_ids_from_non_latin_names_are_unique(tmp_path: Path) -> None:
    text = "Actor,Capability,Position,Salience\n" + "".join(
        f'"{n}",1,{10 * k},50\n' for k, n in enumerate(WORLD)
    )
    s = files.read(_written(tmp_path / "cjk.csv", text))
    assert s.actor_ids == WORLD_IDS
    assert [a.name for a in s.actors] == list(WORLD)


def test_ktab_csv_ids_from_non_latin_names_are_unique() -> None:
    text = "S,d,3,2\nActor,Desc,Power,経済,S1,政治,S2\n" + "".join(
        f"{n},d,1,10,20,30,40\n" for n in WORLD[:3]
    )
    s = ktab.loads(text)
    assert s.actor_ids == WORLD_IDS[:3]
    assert s.issue_ids == ("issue-1", "issue-2")
    assert s.actors[0].position == {"issue-1": 10.0, "issue-2": 30.0}


def test_ktab_xml_ids_from_non_latin_names_are_unique(tmp_path: Path) -> None:
    text = (
        XML.replace("<dName>d1</dName>", "<dName>経済</dName><dName>政治</dName>")
        .replace("<dCoord>10</dCoord>", "<dCoord>10</dCoord><dCoord>20</dCoord>")
        .replace("<dCoord>90</dCoord>", "<dCoord>90</dCoord><dCoord>80</dCoord>")
        .replace("<dSal>50</dSal>", "<dSal>50</dSal><dSal>40</dSal>")
        .replace("<name>A</name>", "<name>北京</name>")
        .replace("<name>B</name>", "<name>東京</name>")
        .replace("<name>x</name>", "<name>シナリオ</name>")
    )
    s = files.read(_written(tmp_path / "cjk.xml", text))
    assert s.actor_ids == ("actor-1", "actor-2")
    assert [a.name for a in s.actors] == ["北京", "東京"]
    assert s.issue_ids == ("issue-1", "issue-2")
    assert s.actors[1].position == {"issue-1": 90.0, "issue-2": 80.0}


def test_a_repeated_name_is_still_a_duplicate() -> None:
    with pytest.raises(ScenarioError, match="duplicate id 'A'"):
        table.loads("Actor,Capability,Position,Salience\nA,1,2,3\nA,1,2,3\n")
