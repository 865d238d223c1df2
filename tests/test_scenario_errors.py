"""Every malformed input gets one clear message: file, line, actor/issue/field, what is allowed.

One test per case; each asserts on the message, and the CLI tests check exit code 2 and that no
traceback reaches the user.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.errors import ScenarioError
from detente.scenario import load, loads

GOOD = """\
id: toy
name: Toy negotiation
sources:
  - id: article
    file: article.txt
issues:
  - id: tax
    scale: {0: none, 100: full}
    status_quo: 20
actors:
  - id: A
    capability: 2
    position: {tax: 30}
    salience: {tax: 50}
    uncertainty: {salience.tax: [40, 60]}
    evidence:
      - {source: article, supports: position.tax, quote: "A wants a modest tax"}
  - id: B
    capability: 1
    position: {tax: 80}
    salience: {tax: 90}
"""

ARTICLE = "Reports say A wants a modest tax, while B wants\nmuch more."


def write(tmp_path: Path, text: str, name: str = "toy.yaml") -> Path:
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, name: str = "toy.yaml") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, text, name))
    return [str(p) for p in info.value.problems]


def only(tmp_path: Path, text: str, name: str = "toy.yaml") -> str:
    found = problems(tmp_path, text, name)
    assert len(found) == 1, found
    return found[0]


def test_good_scenario_loads(tmp_path: Path) -> None:
    s = load(write(tmp_path, GOOD))
    assert s.actor_ids == ("A", "B")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("position: {tax: 80}", "position: {tax: 80"))
    assert "toy.yaml:" in message
    assert "YAML syntax error" in message
    line = int(message.split(":")[1])
    assert 20 <= line <= 22  # the unclosed flow mapping on line 20 is reported where YAML sees it


def test_unknown_field_lists_allowed_fields(tmp_path: Path) -> None:
    message = only(
        tmp_path, GOOD.replace("    capability: 1\n", "    capability: 1\n    colour: red\n")
    )
    assert message.startswith(f"{tmp_path / 'toy.yaml'}:20: actors[B].colour:")
    assert "unknown field 'colour'" in message
    assert "allowed here: id, name, aliases, description, capability, position, salience" in message


def test_missing_required_field(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("    capability: 1\n", ""))
    assert "toy.yaml:18: actors[B].capability: required field is missing" in message


def test_duplicate_actor_id(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("id: B", "id: A"))
    assert (
        ":18: actors[1].id: duplicate id 'A' (also used by actors[0]); ids must be unique"
        in message
    )


def test_position_outside_scale(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("position: {tax: 80}", "position: {tax: 120}"))
    assert ":20: actors[B].position.tax:" in message
    assert "position 120 is outside the scale of issue 'tax' (0 to 100)" in message


def test_salience_outside_range(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("salience: {tax: 90}", "salience: {tax: 150}"))
    assert ":21: actors[B].salience.tax: salience 150 is outside 0 to 100" in message


def test_negative_capability(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("capability: 1", "capability: -1"))
    assert ":19: actors[B].capability: must be >= 0, not -1" in message


def test_non_numeric_capability(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("capability: 1", "capability: lots"))
    assert ":19: actors[B].capability: must be a number, not 'lots'" in message


def test_nan_is_refused(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("position: {tax: 80}", "position: {tax: .nan}"))
    assert ":20: actors[B].position.tax: must be a finite number, not nan" in message


def test_infinity_is_refused(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("capability: 1", "capability: .inf"))
    assert ":19: actors[B].capability: must be a finite number, not inf" in message


def test_json_nan_is_refused(tmp_path: Path) -> None:
    text = (
        '{"issues": [{"id": "tax"}], "actors": ['
        '{"id": "A", "capability": NaN, "position": {"tax": 1}, "salience": {"tax": 1}},'
        '{"id": "B", "capability": 1, "position": {"tax": 1}, "salience": {"tax": 1}}]}'
    )
    message = only(tmp_path, text, name="toy.json")
    assert "toy.json" in message
    assert "NaN is not a number JSON allows" in message


def test_salience_for_unknown_issue(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("salience: {tax: 90}", "salience: {tax: 90, trade: 10}"))
    assert (
        "actors[B].salience.trade: salience given for unknown issue 'trade'; issues are: tax"
        in message
    )


def test_empty_actor_list(tmp_path: Path) -> None:
    text = GOOD[: GOOD.index("actors:")] + "actors: []\n"
    message = only(tmp_path, text)
    assert "actors: the scenario has no actors; a negotiation needs at least 2" in message


def test_single_actor(tmp_path: Path) -> None:
    text = GOOD[: GOOD.index("  - id: B")]
    message = only(tmp_path, text)
    assert "actors: only one actor (A); a negotiation needs at least 2" in message


def test_all_saliences_zero(tmp_path: Path) -> None:
    text = (
        GOOD.replace("salience: {tax: 50}", "salience: {tax: 0}")
        .replace("salience: {tax: 90}", "salience: {tax: 0}")
        .replace("[40, 60]", "[0, 10]")
    )
    message = only(tmp_path, text)
    assert ":7: issues[tax]: every actor has salience 0 (or capability 0) on this issue" in message


def test_uncertainty_range_must_contain_value(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("[40, 60]", "[60, 70]"))
    assert (
        ":15: actors[A].uncertainty.salience.tax: range [60, 70] does not contain the value"
        in message
    )
    assert "(50)" in message


def test_quote_not_found_in_source(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("A wants a modest tax", "A wants a big tax"))
    assert (
        ":17: actors[A].evidence[0].quote: quote not found verbatim in source 'article'" in message
    )
    assert "'A wants a big tax'" in message


def test_quote_across_a_line_break_matches(tmp_path: Path) -> None:
    s = load(write(tmp_path, GOOD.replace("A wants a modest tax", "B wants much more")))
    assert s.actors[0].evidence[0].quote == "B wants much more"


def test_quote_not_checked_when_source_absent(tmp_path: Path) -> None:
    s = loads(GOOD.replace("A wants a modest tax", "never said"))
    assert s.actors[0].evidence[0].quote == "never said"


def test_unknown_source_id(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD.replace("{source: article,", "{source: newspaper,"))
    assert (
        "actors[A].evidence[0].source: unknown source id 'newspaper'; sources are: article"
        in message
    )


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(GOOD.replace("Toy negotiation", "Négociation").encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    message = str(info.value.problems[0])
    assert message.startswith(f"{path}:2: is not UTF-8 text (byte 0xe9")
    assert "save the file as UTF-8" in message


def test_fifty_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(ScenarioError) as info:
        load(path)
    message = str(info.value.problems[0])
    assert "file is 50.0 MB (52,428,800 bytes); scenario files are limited to 10 MB" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("capability: 1", "capability: -1").replace("capability: 2", "capability: x")
    assert len(problems(tmp_path, text)) == 2


def test_norway_stays_a_string(tmp_path: Path) -> None:
    s = load(write(tmp_path, GOOD.replace("id: B", "id: NO")))
    assert s.actor_ids == ("A", "NO")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    message = only(
        tmp_path, GOOD.replace("    capability: 1\n", "    capability: 1\n    capability: 3\n")
    )
    assert "YAML syntax error" in message
    assert "duplicate key" in message


CLI_CASES = {
    "syntax": GOOD.replace("position: {tax: 80}", "position: {tax: 80"),
    "unknown field": GOOD.replace("    capability: 1\n", "    capability: 1\n    colour: red\n"),
    "negative capability": GOOD.replace("capability: 1", "capability: -1"),
    "single actor": GOOD[: GOOD.index("  - id: B")],
}


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_reports_without_traceback(tmp_path: Path, cli, case: str) -> None:
    path = write(tmp_path, CLI_CASES[case])
    for command in (["validate", str(path)], ["forecast", str(path)]):
        result = cli(*command)
        assert result.code == 2, result
        assert result.err.startswith("error: 1 problem:\n")
        assert str(path) in result.err
        assert "Traceback" not in result.err + result.out


TIMELINE = """\
timeline:
  - at: 2004-11-02
    name: election
    branches:
      stay: {probability: 0.5}
      change: {probability: 0.5, set: {B.position.tax: 60}}
"""


def test_timeline_loads(tmp_path: Path) -> None:
    s = load(write(tmp_path, GOOD + TIMELINE))
    assert s.timeline[0].branches["change"].set == {"B.position.tax": 60.0}


def test_timeline_unknown_actor(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD + TIMELINE.replace("B.position", "C.position"))
    assert "timeline[election].branches.change.set.C.position.tax: unknown actor 'C'" in message


def test_timeline_probabilities_must_sum_to_one(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD + TIMELINE.replace("probability: 0.5}", "probability: 0.4}", 1))
    assert "branch probabilities sum to 0.9; they must sum to 1" in message


def test_timeline_at_must_be_round_or_date(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD + TIMELINE.replace("at: 2004-11-02", "at: soon"))
    assert ":23: timeline[election].at: must be a round number (0, 1, 2, ...) or a date" in message


def test_timeline_set_value_must_be_on_the_scale(tmp_path: Path) -> None:
    message = only(tmp_path, GOOD + TIMELINE.replace("tax: 60", "tax: 160"))
    assert "position 160 is outside the scale of issue 'tax' (0 to 100)" in message


def test_timeline_shift_must_stay_on_the_scale(tmp_path: Path) -> None:
    text = GOOD + TIMELINE.replace("set: {B.position.tax: 60}", "shift: {B.position.tax: 30}")
    message = only(tmp_path, text)
    assert "shift.B.position.tax: shifting 80 by 30 gives 110: position 110 is outside" in message


def test_timeline_added_actor_needs_a_new_id_and_may_cite_sources(tmp_path: Path) -> None:
    added = (
        "      change: {probability: 0.5, add_actors: [{id: B, capability: 1, position: {tax: 5},"
        " salience: {tax: 5}, evidence: [{source: article, supports: position, quote: x}]}]}\n"
    )
    text = GOOD + TIMELINE.replace(
        "      change: {probability: 0.5, set: {B.position.tax: 60}}\n", added
    )
    found = problems(tmp_path, text)
    assert len(found) == 1, found  # the source is known; only the id clashes
    assert "branches.change.add_actors[B].id: actor 'B' already exists" in found[0]
