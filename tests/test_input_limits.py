"""Untrusted scenario files: every refusal is a ScenarioError naming the file and the line, and
no input can ask for unbounded work (nesting, aliases, pipes, huge numbers).

The generated fuzz cases are in ``test_fuzz_inputs.py``; these are the classes of failure found
by hand, one test each.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from detente.errors import ScenarioError
from detente.scenario import _yaml, files, io

BASE = (
    "issues: [{id: t}]\n"
    "actors:\n"
    "  - {id: A, capability: 1, position: {t: 10}, salience: {t: 50}}\n"
    "  - {id: B, capability: 2, position: {t: 90}, salience: {t: 50}}\n"
)
PARSERS = pytest.mark.parametrize("use_libyaml", [True, False], ids=["libyaml", "pure"])


def refused(path: Path) -> str:
    """The one problem reading ``path`` gives, as the user sees it."""
    with pytest.raises(ScenarioError) as info:
        files.read(path)
    assert len(info.value.problems) == 1, info.value.problems
    return str(info.value.problems[0])


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- YAML: the same values as ruamel.yaml's round-trip loader ---------------------------------


def _plain(node: Any) -> Any:
    """ruamel's round-trip values as the builtins detente used to turn them into."""
    if isinstance(node, dict):
        return {_plain(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    for kind in (bool, str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


TRICKY = [
    "NO", "no", "yes", "on", "off", "y", "true", "True", "FALSE", "~", "null", "Null", "",
    "1", "-1", "+1", "0", "-0", "007", "0o17", "0x1F", "0b101", "1_000", "1e3", "1E-3", "1.",
    ".5", "-.5", "1.5e+3", ".inf", "-.Inf", ".NaN", "2004-11-02", "2004-11-02 10:30:00",
    "2004-11-02T10:30:00", "12:30", "1:20:30", "0.1.2", "1,5", "'quoted 1'", '"2"', "<<x",
    "1_0.5", "+.5", "0o8", "0xG", "3e", "2004-13-45",
]  # fmt: skip


@PARSERS
@given(token=st.sampled_from(TRICKY) | st.text("0123456789.-+_eExobnNoOyY:~ ", max_size=8))
@settings(max_examples=60, deadline=None, derandomize=True)
def test_plain_scalars_read_as_ruamel_round_trip_read_them(use_libyaml: bool, token: str) -> None:
    text = f"key: {token}\n"
    try:
        expected = _plain(YAML(typ="rt").load(text))
    except Exception:
        return  # not YAML (or not constructible): the refusal is tested elsewhere
    got, _ = _yaml.parse(text, "f", use_libyaml=use_libyaml)
    assert got == expected or (got["key"] != got["key"] and expected["key"] != expected["key"])
    assert type(got["key"]) is type(expected["key"])


@PARSERS
def test_dates_and_yaml_1_2_names_are_kept(use_libyaml: bool) -> None:
    data, lines = _yaml.parse(
        "as_of: 2004-11-02\nactors: [NO, 'YES']\n", "f", use_libyaml=use_libyaml
    )
    assert data == {"as_of": dt.date(2004, 11, 2), "actors": ["NO", "YES"]}
    assert lines == {("as_of",): 1, ("actors",): 2, ("actors", 0): 2, ("actors", 1): 2}


@PARSERS
def test_merge_keys_give_the_fields_the_mapping_lacks(use_libyaml: bool) -> None:
    text = "base: &b {p: 1, q: 2}\nmore: &m {r: 3}\nx: {<<: [*b, *m], q: 9}\ny: {<<: *b}\n"
    data, _ = _yaml.parse(text, "f", use_libyaml=use_libyaml)
    assert data["x"] == {"q": 9, "p": 1, "r": 3}
    assert data["y"] == {"p": 1, "q": 2}
    assert data == _plain(YAML(typ="rt").load(text))


def test_a_merge_key_in_a_scenario_loads(tmp_path: Path) -> None:
    text = (
        "issues: [{id: t}]\nactors:\n"
        "  - &a {id: A, capability: 1, salience: {t: 50}, position: {t: 10}}\n"
        "  - {<<: *a, id: B, position: {t: 90}}\n"
    )
    s = files.read(write(tmp_path, text))
    assert s.actor_ids == ("A", "B")
    assert s.actor("B").capability == 1.0
    assert s.actor("B").position == {"t": 90.0}


# --- YAML: refused, with the line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
        ("!!python/object/apply:os.system {args: [echo]}", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!!omap [{a: 1}]", "!!omap"),
        ("!!set {a: null}", "!!set"),
        ("!!binary aGk=", "!!binary"),
        ("!custom text", "!custom"),
    ],
)
def test_tags_are_refused_with_their_line(tmp_path: Path, value: str, tag: str) -> None:
    message = refused(write(tmp_path, BASE + f"model_options: {{x: {value}}}\n"))
    assert f"s.yaml:5: the tag {tag} is not allowed" in message


def test_yaml_core_tags_are_read(tmp_path: Path) -> None:
    s = files.read(write(tmp_path, BASE + "name: !!str 2004\ndescription: !!str yes\n"))
    assert (s.name, s.description) == ("2004", "yes")
    message = refused(write(tmp_path, BASE + "name: !!int twelve\n"))
    assert "s.yaml:5: 'twelve' is not a valid !!int" in message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (BASE + "model_options: {x: {[1, 2]: 3}}\n", 5, "a list used as a key"),
        (BASE + "model_options: {x: {{a: 1}: 3}}\n", 5, "a mapping used as a key"),
        (BASE + "model_options: {x: {2004-11-02: 3}}\n", 5, "the key 2004-11-02 is not text"),
        (BASE + "model_options: {x: {~: 3}}\n", 5, "an empty key (or ~, null)"),
        (BASE + "? \n: 3\n", 5, "an empty key (or ~, null)"),
        (BASE + "1: 2\n", 5, "[1]: the key 1 is not a field name; field names are text"),
        (BASE + "model_options: {1: {}}\n", 5, "keys here must be text, not 1"),
        (BASE + "---\n" + BASE, 5, "a second YAML document starts here"),
        (BASE + "name: " + "9" * 5000 + "\n", 5, "a number of 5,000 digits"),
        (BASE.replace("capability: 2", "capability: 2, capability: 3"), 4, "duplicate key"),
    ],
    ids=[
        "list key",
        "mapping key",
        "date key",
        "null key",
        "empty key",
        "number as field",
        "number as model",
        "two documents",
        "long integer",
        "duplicate",
    ],
)
def test_structural_problems_name_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    message = refused(write(tmp_path, text))
    assert f"s.yaml:{line}: " in message
    assert words in message


DEEP = {
    "flow": "x: " + "[" * 2000 + "]" * 2000 + "\n",
    "flow mappings": "x: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n",
    "block": "x:\n" + "".join("  " * i + "- \n" for i in range(2000)),
    "aliases": "a: &a [[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
    "b: [[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
}


@PARSERS
@pytest.mark.parametrize("case", DEEP)
def test_deep_nesting_is_refused_quickly(use_libyaml: bool, case: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        _yaml.parse(BASE + DEEP[case], "deep.yaml", use_libyaml=use_libyaml)
    assert time.perf_counter() - start < 1.0  # 2 kB of brackets took 20 s before
    (problem,) = info.value.problems
    assert f"nested more than {_yaml.MAX_DEPTH} levels deep" in problem.message
    assert problem.line is not None
    assert problem.line >= 5


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(9)
)


@PARSERS
def test_alias_expansion_is_bounded(use_libyaml: bool) -> None:
    assert len(LAUGHS) < 500  # 10^10 values once expanded
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        _yaml.parse(LAUGHS, "laughs.yaml", use_libyaml=use_libyaml)
    assert time.perf_counter() - start < 1.0
    (problem,) = info.value.problems
    assert f"expand to more than {_yaml.MAX_ALIAS_NODES:,} values" in problem.message
    assert problem.line is not None


@PARSERS
@pytest.mark.parametrize("item", ["1", "[]", "{}"])
def test_values_in_a_file_are_bounded(
    use_libyaml: bool, item: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_yaml, "MAX_NODES", 100)  # 1,000,000 in earnest: 5 s to refuse
    _yaml.parse("x: [" + ", ".join([item] * 97) + "]\n", "f", use_libyaml=use_libyaml)  # 100
    with pytest.raises(ScenarioError, match="f:2: the file holds more than 100 values"):
        _yaml.parse("x:\n- [" + ", ".join([item] * 99) + "]\n", "f", use_libyaml=use_libyaml)


def test_a_few_aliases_are_fine() -> None:
    data, _ = _yaml.parse("a: &a [1, 2]\nb: [*a, *a]\n", "f")
    assert data == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


# --- JSON ---------------------------------------------------------------------------------------

JSON = (
    '{\n  "issues": [{"id": "t"}],\n  "actors": [\n'
    '    {"id": "A", "capability": 1, "position": {"t": 10}, "salience": {"t": 50}},\n'
    '    {"id": "B", "capability": 2, "position": {"t": 90}, "salience": {"t": 50}}\n  ]\n}\n'
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (JSON.replace('"capability": 2,', '"capability": 2,\n "capability": 3,'), "s.json:6: "),
        (JSON.replace('{\n  "issues"', '{\n  "id": "x",\n  "id": "y",\n  "issues"'), "s.json:3: "),
        (JSON.replace('"capability": 2', '"capability": ' + "[" * 500 + "]" * 500), "s.json:5: "),
        (JSON.replace('"capability": 2', '"capability": ' + "9" * 5000), "a number of 5,000"),
        (JSON.replace('"capability": 2', '"capability": NaN'), "NaN is not a number JSON"),
    ],
    ids=["duplicate key", "duplicate id", "deep", "long integer", "NaN"],
)
def test_json_is_as_strict_as_yaml(tmp_path: Path, text: str, expected: str) -> None:
    message = refused(write(tmp_path, text, "s.json"))
    assert expected in message


def test_json_duplicate_key_is_named(tmp_path: Path) -> None:
    text = JSON.replace('"capability": 2,', '"capability": 2,\n "capability": 3,')
    message = refused(write(tmp_path, text, "s.json"))
    assert message.endswith(
        "JSON error: duplicate key 'capability'; each key may appear once in an object"
    )
    assert files.read(write(tmp_path, JSON, "s.json")).actor_ids == ("A", "B")


# --- the file itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (BASE.encode("utf-16-le"), "this file looks like UTF-16 text; save it as UTF-8"),
        (BASE.encode("utf-16-be"), "this file looks like UTF-16 text; save it as UTF-8"),
        (BASE.encode("utf-16"), "this file looks like UTF-16 text; save it as UTF-8"),
        ((BASE + "name: a\x00b\n").encode(), "s.yaml:5: holds the control character U+0000"),
        ((BASE + "name: a\x07b\n").encode(), "s.yaml:5: holds the control character U+0007"),
        ((BASE + "name: a\x85\x9b\n").encode(), "s.yaml:5: holds the control character U+009B"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-16 bom", "NUL", "BEL", "C1"],
)
def test_text_that_is_not_plain_utf8_is_named(tmp_path: Path, raw: bytes, words: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(raw)
    assert words in refused(path)


@pytest.mark.parametrize("name", ["s.yaml", "s.csv", "s.json"])
def test_control_characters_in_every_format(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"Actor,Capability,Position,Salience\nA,1,2\x00,3\n")
    assert f"{name}:2: holds the control character U+0000 at column 6" in refused(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    assert "is not a regular file (a named pipe" in refused(pipe)
    with pytest.raises(ScenarioError, match="not a regular file"):
        io.read_text(pipe)


def test_a_file_name_too_long_is_an_input_error(tmp_path: Path) -> None:
    from detente.scenario.bundled import open_scenario

    with pytest.raises(ScenarioError, match="the file name is too long \\(300 characters"):
        open_scenario(tmp_path / ("x" * 295 + ".yaml"))


def test_the_cli_reports_a_pipe_and_a_long_name_with_exit_2(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.yaml")
        result = cli("validate", str(tmp_path / "pipe.yaml"))
        assert result.code == 2
        assert "not a regular file" in result.err
    result = cli("forecast", "y" * 300, "--no-store")
    assert result.code == 2, result.err
    assert "file name is too long" in result.err


# --- speed --------------------------------------------------------------------------------------


def test_a_1000_actor_yaml_loads_in_seconds(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    try:
        from load_yaml import write_cases
    finally:
        sys.path.pop(0)
    paths = write_cases(tmp_path, 1000)
    start = time.perf_counter()
    s = io.load(paths["yaml"], check_evidence=False)
    took = time.perf_counter() - start
    assert len(s.actors) == 1000
    assert took < 3.0, f"{took:.1f} s"  # 0.3 s measured; ruamel's round trip took 6-30 s
    with pytest.raises(ScenarioError) as info:
        io.load(paths["yaml, one error"], check_evidence=False)
    (problem,) = info.value.problems
    bad_line = paths["yaml, one error"].read_text().split("\n").index("  capability: -1") + 1
    assert (problem.line, problem.where) == (bad_line, "actors[A0999].capability")


# --- model options: checked against the models, reported with their line ----------------------

OPTIONS = BASE + (
    "model_options:\n"
    "  smp:\n"
    "    VotingRule: Binary\n"
    "    VictoryProbModel: Bogus\n"
    "  nash: {bogus: 1}\n"
    "  smpp: {}\n"
)


def _check(model: str, values: Any) -> None:
    from detente import models

    models.get(model).parse_options(values)


def test_model_options_name_the_file_the_option_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, OPTIONS)
    with pytest.raises(ScenarioError) as info:
        files.read(path, check_options=_check)
    found = [(p.line, p.where) for p in info.value.problems]
    assert found == [
        (8, "model_options.smp.VictoryProbModel"),
        (9, "model_options.nash.bogus"),
        (10, "model_options.smpp"),
    ]
    assert "Input should be 'Linear', 'Square'" in info.value.problems[0].message
    assert "unknown model 'smpp'" in info.value.problems[2].message
    assert files.read(path).model_options["nash"] == {"bogus": 1}  # nothing checks them here
    good = OPTIONS.replace("Bogus", "Square").split("  nash")[0]
    assert files.read(write(tmp_path, good), check_options=_check).model_options == {
        "smp": {"VotingRule": "Binary", "VictoryProbModel": "Square"}
    }


def test_the_cli_checks_model_options_on_validate_and_forecast(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, OPTIONS)
    for argv in (["validate", str(path)], ["forecast", str(path), "--no-store"]):
        result = cli(*argv)
        assert result.code == 2, result.err
        assert f"{path}:8: model_options.smp.VictoryProbModel: model smp: option" in result.err
        assert f"{path}:10: model_options.smpp: unknown model 'smpp'" in result.err


@PARSERS
def test_characters_yaml_refuses_in_a_string_name_the_line(use_libyaml: bool) -> None:
    with pytest.raises(ScenarioError, match=r"^1 problem in scenario:\n  f:2: YAML syntax error"):
        _yaml.parse("a: 1\nb: x\x01y\n", "f", use_libyaml=use_libyaml)  # io.loads skips read_text


# --- YAML: U+2028, U+2029 and U+0085 are not line breaks (YAML 1.2) ----------------------------

ODD_BREAKS = (
    "id: s\n"
    'description: "one\u2028two\u2028three\u0085four"\n'
    "issues: [{id: t}]\n"
    "actors:\n"
    "  - id: A\n"
    "    capability: -1\n"
    "    position: {t: 10}\n"
    "    salience: {t: 50}\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@PARSERS
def test_yaml_lines_do_not_count_unicode_line_separators(
    tmp_path: Path, use_libyaml: bool, newline: str
) -> None:
    text = ODD_BREAKS.replace("\n", newline)
    _, lines = _yaml.parse(text, "f", use_libyaml=use_libyaml)
    assert lines[("actors", 0, "capability")] == 6
    assert lines[("actors",)] == 4
    with pytest.raises(ScenarioError) as info:
        _yaml.parse(text + "bad: [" + newline, "f", use_libyaml=use_libyaml)
    assert info.value.problems[0].line == 10  # the end of the file, where the bracket is missed


def test_yaml_problem_past_a_line_separator_names_its_line(tmp_path: Path) -> None:
    import detente.scenario

    with pytest.raises(ScenarioError) as info:
        detente.scenario.loads(ODD_BREAKS, name="u.yaml")
    assert [p.line for p in info.value.problems] == [6]
    assert refused(write(tmp_path, ODD_BREAKS, "u.yaml")).startswith(
        f"{tmp_path}/u.yaml:6: actors[A].capability:"
    )
