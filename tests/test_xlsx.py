"""Excel workbooks: round trips of every bundled scenario, an analyst's workbook, bad workbooks."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from openpyxl import Workbook, load_workbook

from detente.errors import InputError, ScenarioError
from detente.scenario import Scenario, files, xlsx
from detente.scenario._xlsx_package import MAX_UNPACKED_BYTES, MAX_WORKBOOK_BYTES
from detente.scenario.bundled import bundled, bundled_names
from strategies import scenarios

#: What a workbook does not carry (see the module's docstring and the docs' export table).
DROPPED = ("sources", "groups", "timeline", "accommodation", "model_options", "variant_of")


def carried(s: Scenario) -> dict[str, Any]:
    """The scenario as plain data, less what a workbook drops."""
    data = s.model_dump(mode="json")
    for key in DROPPED:
        data.pop(key)
    for actor in data["actors"]:
        actor.pop("evidence")
    return data


def save(book: Workbook, path: Path) -> Path:
    book.save(path)
    return path


def message(err: pytest.ExceptionInfo[ScenarioError]) -> str:
    return "\n".join(str(p) for p in err.value.problems)


# --- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_round_trips(name: str, tmp_path: Path) -> None:
    s = bundled(name)
    path = tmp_path / f"{name}.xlsx"
    files.write(s, path)
    again = files.read(path)
    assert carried(again) == carried(s)
    # what the workbook keeps, spelled out, so that a carried() that dropped too much fails
    assert again.actors[0].aliases == s.actors[0].aliases
    assert again.issues[0].scale == s.issues[0].scale
    assert again.issues[0].status_quo == s.issues[0].status_quo
    assert [a.uncertainty for a in again.actors] == [a.uncertainty for a in s.actors]
    assert (again.id, again.name, again.as_of, again.description) == (
        s.id,
        s.name,
        s.as_of,
        s.description,
    )


def test_scenario_without_dropped_parts_round_trips_exactly() -> None:
    s = Scenario.model_validate(
        {
            "id": "toy",
            "name": "Toy, with a comma; and a semicolon",
            "as_of": "2024-10-01",
            "description": "Line one\nline two",
            "salience_scale": 100,
            "issues": [
                {
                    "id": "delay",
                    "name": "Delay",
                    "unit": "years",
                    "min": 4,
                    "max": 10,
                    "scale": {4: "now", 7.25: "middle", 10: "late"},
                    "status_quo": 10,
                },
                {"id": "tax", "description": "=1+1 is text, not a formula"},
            ],
            "actors": [
                {
                    "id": "A",
                    "name": '=HYPERLINK("http://example.org")',
                    "aliases": ["Alpha", "the A's"],
                    "capability": 0.1 + 0.2,  # 0.30000000000000004 stays exact
                    "position": {"delay": 4.5, "tax": 0},
                    "salience": {"delay": 1, "tax": 0},
                    "uncertainty": {"capability": [0.1, 0.5], "position.delay": [4, 5, 6]},
                },
                {
                    "id": "B",
                    "capability": 2,
                    "position": {"delay": 10, "tax": 100},
                    "salience": {"delay": 1, "tax": 1},
                },
            ],
        }
    )
    again = xlsx.loads(xlsx.dumps(s))
    assert again == s


def test_text_starting_with_equals_is_written_as_text() -> None:
    s = bundled("emission-1994")
    s = s.model_copy(update={"name": "=SUM(A1:A9)"})
    book = load_workbook(io.BytesIO(xlsx.dumps(s)))
    cells = {row[0].value: row[1] for row in book["Scenario"].iter_rows()}
    assert cells["name"].value == "=SUM(A1:A9)"
    assert cells["name"].data_type == "s"


# --- an analyst's workbook ------------------------------------------------------------------------


def analyst_workbook() -> Workbook:
    """A workbook as an analyst keeps one: a merged title, a blank row, a header, numbers typed as
    text, a notes column, blank and formatted rows below the data, and an issues sheet."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Actors"
    ws["A1"] = "Baltic cod, October 2024"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["Actor", "Capability", "Cut Position", "Cut Salience", "Notes", "Aliases"])
    ws.append(["Denmark", 30, 20, "80", "from the council note", "Copenhagen; DK"])
    ws.append(["Sweden", "0.25", "60", 60.0, None, None])
    ws.append(["  European Commission ", 40, 50.5, 50, None, ""])
    ws.append([None, None, None, None])
    ws.append(["", "  ", None, None])
    ws["A40"].number_format = "0.00"  # a formatted, empty cell far below
    issues = book.create_sheet("Issues")
    issues.append(["Issue", "Name", "Min", "Max", "Status quo", "Unit"])
    issues.append(["cut", "Cut in the total allowable catch", "0", 100, "0", "per cent"])
    scale = book.create_sheet("Scale")
    scale.append(["Issue", "Value", "Label"])
    scale.append(["Cut", 0, "no cut"])
    scale.append(["Cut", "100", "fishery closed"])
    book.create_sheet("Notes").append(["anything", "at all"])
    return book


def test_an_analysts_workbook_reads(tmp_path: Path) -> None:
    s = files.read(save(analyst_workbook(), tmp_path / "Cod quota.xlsx"))
    assert s.id == "Cod-quota"
    assert s.actor_ids == ("Denmark", "Sweden", "European-Commission")
    assert [a.name for a in s.actors] == ["Denmark", "Sweden", "European Commission"]
    assert [a.capability for a in s.actors] == [30.0, 0.25, 40.0]
    assert [a.position["Cut"] for a in s.actors] == [20.0, 60.0, 50.5]
    assert [a.salience["Cut"] for a in s.actors] == [80.0, 60.0, 50.0]
    assert list(s.actor("Denmark").aliases) == ["Copenhagen", "DK"]
    assert list(s.actor("Sweden").aliases) == []
    (issue,) = s.issues
    assert (issue.id, issue.name, issue.unit) == (
        "Cut",
        "Cut in the total allowable catch",
        "per cent",
    )
    assert (issue.min, issue.max, issue.status_quo) == (0.0, 100.0, 0.0)
    assert dict(issue.scale) == {0.0: "no cut", 100.0: "fishery closed"}


def test_a_one_sheet_workbook_in_the_common_csv_layout(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(["Actor", "Capability", "Position", "Salience"])
    ws.append(["Netherlands", 0.08, 4, 0.8])
    ws.append(["Belgium", 0.08, 7, 0.4])
    s = xlsx.read(save(book, tmp_path / "ExampleActors.xlsx"), scenario_id="example")
    assert s.id == "example"
    assert s.issue_ids == ("issue",)
    assert [a.salience["issue"] for a in s.actors] == [80.0, 40.0]  # 0-1, as the CSV reads it
    assert [a.position["issue"] for a in s.actors] == [4.0, 7.0]


def test_a_formula_with_a_saved_result_is_read(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Actor", "Capability", "Position", "Salience"])
    ws.append(["A", "=2*3", 10, 50])
    ws.append(["B", 1, 90, 50])
    raw = io.BytesIO()
    book.save(raw)
    # what Excel saves: the formula and its result, which openpyxl cannot compute
    patched = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(
                    rb"<f>2\*3</f><v\s*/>|<f>2\*3</f><v></v>", b"<f>2*3</f><v>6</v>", data
                )
                assert n == 1, data
            target.writestr(item, data)
    s = xlsx.loads(patched.getvalue(), name="saved.xlsx")
    assert s.actor("A").capability == 6.0


# --- bad workbooks --------------------------------------------------------------------------------


def actors_book(rows: list[list[Any]], title: str = "Actors") -> Workbook:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    return book


HEADER = ["Actor", "Capability", "tax position", "tax salience"]


def test_missing_actors_sheet(tmp_path: Path) -> None:
    book = actors_book([HEADER, ["A", 1, 2, 3]], title="Data")
    book.create_sheet("Notes")
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(book, tmp_path / "b.xlsx"))
    assert message(err) == (
        f"{tmp_path / 'b.xlsx'}: no sheet named 'Actors'; the sheets are: Data, Notes. Name the "
        "actors x issues sheet 'Actors'"
    )


def test_missing_column(tmp_path: Path) -> None:
    book = actors_book([["Actor", "tax position", "tax salience"], ["A", 1, 2]])
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(book, tmp_path / "b.xlsx"))
    assert "sheet 'Actors': no header row naming Actor, Capability in its first 20 rows" in message(
        err
    )


def test_position_column_without_salience_names_the_cell(tmp_path: Path) -> None:
    book = actors_book([["Actor", "Capability", "tax position", "aid"], ["A", 1, 2, 3]])
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(book, tmp_path / "b.xlsx"))
    assert message(err).startswith(
        f"{tmp_path / 'b.xlsx'}: Actors!C1: issue 'tax' has a position column but no salience "
        "column"
    )


def test_text_in_a_number_cell_names_the_cell(tmp_path: Path) -> None:
    rows = [["Scenario title"], HEADER, ["A", 1, 20, 50], ["B", 1, "abc", 50], ["C", "1,5", 2, 3]]
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(actors_book(rows), tmp_path / "b.xlsx"))
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'b.xlsx'}: Actors!C4 (actor 'B'): must be a finite number, not 'abc'",
        f"{tmp_path / 'b.xlsx'}: Actors!B5 (actor 'C'): must be a finite number, not '1,5'; "
        "write decimals with a point (1.5, not 1,5)",
    ]


def test_empty_number_cell(tmp_path: Path) -> None:
    rows = [HEADER, ["A", 1, 20, 50], ["B", None, 30, 50]]
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(actors_book(rows), tmp_path / "b.xlsx"))
    assert message(err).endswith(
        "Actors!B3 (actor 'B'): must be a finite number, not an empty cell"
    )


def test_a_formula_without_a_saved_result_is_refused(tmp_path: Path) -> None:
    rows = [HEADER, ["A", 1, 20, 50], ["B", "=B2*2", 30, 50]]
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(actors_book(rows), tmp_path / "b.xlsx"))
    assert message(err) == (
        f"{tmp_path / 'b.xlsx'}: Actors!B3: holds the formula '=B2*2' with no saved result; "
        "detente reads values and computes no formula: open the workbook in Excel or "
        "LibreOffice and save it, or type the value"
    )


def test_a_value_the_scenario_refuses_names_its_cell(tmp_path: Path) -> None:
    rows = [HEADER, ["A", 1, 20, 50], ["B", -1, 30, 50]]
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(actors_book(rows), tmp_path / "b.xlsx"))
    assert message(err).endswith("b.xlsx: Actors!B3 (actors[B].capability): must be >= 0, not -1.0")
    rows = [HEADER, ["A", 1, 20, 50], ["B", 1, 130, 50]]
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(actors_book(rows), tmp_path / "c.xlsx"))
    assert "c.xlsx: Actors!C3 (actors[B].position.tax): " in message(err)


def test_issues_sheet_must_match_the_actors_header(tmp_path: Path) -> None:
    book = actors_book([HEADER, ["A", 1, 20, 50], ["B", 1, 30, 50]])
    book.create_sheet("Issues").append(["Issue", "Min", "Max"])
    book["Issues"].append(["aid", 0, 10])
    with pytest.raises(ScenarioError) as err:
        xlsx.read(save(book, tmp_path / "b.xlsx"))
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'b.xlsx'}: Issues!A2: issue 'aid' has no position and salience columns "
        "on the Actors sheet; its issues are: tax",
        f"{tmp_path / 'b.xlsx'}: sheet 'Issues': issue 'tax' of the Actors sheet is not listed; "
        "list every issue",
    ]


def test_a_csv_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "actors.xlsx"
    path.write_text("Actor,Capability,Position,Salience\nA,1,2,3\n")
    with pytest.raises(ScenarioError) as err:
        files.read(path)
    assert message(err) == (
        f"{path}: is not an Excel workbook (.xlsx): this looks like a text file (a CSV renamed "
        ".xlsx? name it .csv)"
    )


def test_an_oversize_file(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.truncate(MAX_WORKBOOK_BYTES + 1)
    with pytest.raises(ScenarioError) as err:
        xlsx.read(path)
    assert message(err) == (
        f"{path}: file is 10.0 MB (10,485,761 bytes); workbooks are limited to 10 MB "
        "(10,485,760 bytes)"
    )
    with pytest.raises(ScenarioError, match="workbooks are limited to 10 MB"):
        xlsx.loads(b"PK\x03\x04" + bytes(MAX_WORKBOOK_BYTES), name="upload.xlsx")


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    data = _zip(
        {"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": bytes(MAX_UNPACKED_BYTES)}
    )
    assert len(data) < 100_000  # small on disk, 20 MB unpacked
    with pytest.raises(ScenarioError) as err:
        xlsx.loads(data, name="bomb.xlsx")
    assert re.fullmatch(
        r"bomb\.xlsx: would unpack to 20 MB \(20,971,[\d,]+ bytes\) from [\d,]+ bytes; workbooks "
        r"may unpack to at most 20 MB \(is it a zip bomb\?\)",
        message(err),
    )


def test_a_macro_enabled_workbook_is_refused(tmp_path: Path) -> None:
    raw = io.BytesIO()
    actors_book([HEADER, ["A", 1, 2, 3]]).save(raw)
    with zipfile.ZipFile(raw) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    parts["xl/vbaProject.bin"] = b"\x00" * 16
    with pytest.raises(ScenarioError) as err:
        xlsx.loads(_zip(parts), name="macros.xlsx")
    assert message(err) == (
        "macros.xlsx: is a macro-enabled workbook; detente reads plain workbooks only: save it as "
        "an Excel workbook (.xlsx), which drops the macros"
    )
    path = tmp_path / "book.xlsm"
    path.write_bytes(_zip(parts))
    with pytest.raises(InputError, match=r"a macro-enabled workbook \(\.xlsm\)"):
        files.read(path)


def test_an_encrypted_or_old_workbook_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)
    with pytest.raises(ScenarioError) as err:
        xlsx.loads(ole, name="secret.xlsx")
    assert message(err) == (
        "secret.xlsx: is a password-protected (encrypted) workbook or an old Excel 97-2003 .xls "
        "file; save it as an Excel workbook (.xlsx) without a password"
    )


def test_a_zip_that_is_not_a_workbook() -> None:
    with pytest.raises(ScenarioError, match="is a zip package but not an Excel workbook"):
        xlsx.loads(_zip({"word/document.xml": b"<doc/>"}), name="letter.xlsx")


def test_a_sheet_too_long_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from detente.scenario import _xlsx_package

    monkeypatch.setattr(_xlsx_package, "MAX_ROWS", 5)
    rows = [HEADER, *[[f"A{n}", 1, 2, 3] for n in range(6)]]
    with pytest.raises(ScenarioError, match="sheet 'Actors': the sheet has more than 5 rows"):
        xlsx.read(save(actors_book(rows), tmp_path / "b.xlsx"))


# --- writing and the command line -----------------------------------------------------------------


def test_write_is_atomic(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"the last good file")
    long = bundled("emission-1994").model_copy(update={"description": "x" * 40_000})
    with pytest.raises(InputError, match="longer than an Excel cell holds"):
        files.write(long, path)
    assert path.read_bytes() == b"the last good file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_to_bytes_gives_every_download_format() -> None:
    s = bundled("ktab-dummy-3d")
    assert xlsx.sniff(files.to_bytes(s, "xlsx"))
    assert files.to_bytes(s, "yaml").decode().startswith("id: ktab-dummy-3d")
    assert set(files.SUFFIXES) == set(files.MEDIA_TYPES)
    with pytest.raises(InputError, match="not text"):
        files.dumps(s, "xlsx")


def test_cli_export_and_import(cli: Callable[..., Any], tmp_path: Path) -> None:
    book = tmp_path / "six.xlsx"
    result = cli("export", "six-party-2004", "-o", str(book))
    assert result.code == 0, result.err
    out = tmp_path / "six.yaml"
    result = cli("import", str(book), "-o", str(out), "--id", "six")
    assert result.code == 0, result.err
    s = files.read(out)
    assert s.id == "six"
    assert carried(s) | {"id": "six-party-2004"} == carried(bundled("six-party-2004"))


def test_cli_bad_workbook_exits_2_without_a_traceback(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    book = save(actors_book([HEADER, ["A", 1, 20, 50], ["B", 1, "lots", 50]]), tmp_path / "b.xlsx")
    result = cli("import", str(book), "-o", str(tmp_path / "b.yaml"))
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "Actors!C3 (actor 'B'): must be a finite number, not 'lots'" in result.err
    assert not (tmp_path / "b.yaml").exists()


def test_cli_export_refuses_a_workbook_to_the_terminal(cli: Callable[..., Any]) -> None:
    result = cli("export", "six-party-2004", "--format", "xlsx")
    assert result.code == 2
    assert "give the file to write, -o FILE.xlsx" in result.err


# --- uploads: every format from bytes -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json", "ktab-csv", "csv", "xlsx"])
def test_from_bytes_reads_what_read_reads(fmt: str, tmp_path: Path) -> None:
    s = bundled("ktab-dummy-3d")
    path = tmp_path / f"upload{files.SUFFIXES[fmt]}"
    data = files.to_bytes(s, fmt)
    path.write_bytes(data)
    assert files.from_bytes(data, path.name) == files.read(path, fmt=fmt)


def test_from_bytes_takes_the_id_from_the_name() -> None:
    text = b"issues: [{id: tax}]\nactors:\n"
    text += b"  - {id: A, capability: 1, position: {tax: 10}, salience: {tax: 50}}\n"
    text += b"  - {id: B, capability: 1, position: {tax: 90}, salience: {tax: 50}}\n"
    assert files.from_bytes(text, "My upload.yaml").id == "My-upload"


def test_from_bytes_refuses_as_read_does() -> None:
    with pytest.raises(ScenarioError) as err:
        files.from_bytes("id: x".encode("utf-16"), "up.yaml")
    assert message(err) == "up.yaml: this file looks like UTF-16 text; save it as UTF-8"
    with pytest.raises(InputError, match=r"up\.xlsm: a macro-enabled workbook"):
        files.from_bytes(b"PK\x03\x04", "up.xlsm")
    with pytest.raises(ScenarioError, match=r"a CSV renamed \.xlsx"):
        files.from_bytes(b"Actor,Capability,Position,Salience\n", "up.xlsx")


@settings(max_examples=40, deadline=None)
@given(s=scenarios(rich_text=True))
def test_round_trip_property(s: Scenario) -> None:
    """Any scenario whose aliases hold no ';' comes back equal from a workbook."""
    assume(all(";" not in alias for a in s.actors for alias in a.aliases))
    assert xlsx.loads(xlsx.dumps(s)) == s
