"""Inputs that cannot lie: ambiguous saliences, read-only scenarios, evidence that is checked.

Each test guards a class of quiet wrong answers found by an audit: an input that changed a
forecast without a word, or a check that switched itself off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import detente
from detente.errors import ScenarioError
from detente.scenario import load, loads, with_input

ZERO_ONE = """\
issues: [{id: x}]
actors:
  - {id: A, capability: 2, position: {x: 20}, salience: {x: 0.5}}
  - {id: B, capability: 1, position: {x: 80}, salience: {x: 1}}
  - id: C
    capability: 1
    position: {x: 60}
    salience: {x: 0.8}
    uncertainty: {salience.x: [0.6, 0.8, 0.9]}
timeline:
  - at: 1
    set: {A.salience.x: 0.7}
    shift: {C.salience.x: 0.1}
    add_actors:
      - {id: D, capability: 1, position: {x: 40}, salience: {x: 0.3}}
"""


# --- saliences on 0-1 ----------------------------------------------------------------------------


def test_saliences_that_look_like_0_1_are_refused_with_the_way_out() -> None:
    with pytest.raises(ScenarioError) as info:
        loads(ZERO_ONE, name="s.yaml")
    (problem,) = info.value.problems
    assert problem.file == "s.yaml"
    assert problem.line == 2
    assert "every salience is at most 1 (the largest is 1)" in str(problem)
    assert "salience_scale: 1" in str(problem)
    assert "salience_scale: 100" in str(problem)


def test_salience_scale_1_multiplies_every_salience_input_by_100() -> None:
    s = loads("salience_scale: 1\n" + ZERO_ONE)
    assert [a.salience["x"] for a in s.actors] == [50, 100, 80]
    assert s.actor("C").uncertainty["salience.x"] == [60, 80, 90]
    event = s.timeline[0]
    assert event.set == {"A.salience.x": 70}
    assert event.shift == {"C.salience.x": pytest.approx(10)}
    assert event.add_actors[0].salience == {"x": 30}
    assert s.salience_scale == 100, "recorded as read: a saved copy is on 0-100"
    again = loads(detente.scenario.dump_yaml(s))
    assert again == s


def test_the_forecast_is_the_one_of_the_same_scenario_on_0_100() -> None:
    on_0_1 = loads("salience_scale: 1\n" + ZERO_ONE)
    on_0_100 = loads(
        "salience_scale: 100\n"
        + ZERO_ONE.replace("{x: 0.5}", "{x: 50}")
        .replace("{x: 1}", "{x: 100}")
        .replace("{x: 0.8}", "{x: 80}")
        .replace("[0.6, 0.8, 0.9]", "[60, 80, 90]")
        .replace("A.salience.x: 0.7", "A.salience.x: 70")
        .replace("C.salience.x: 0.1", "C.salience.x: 10")
        .replace("{x: 0.3}", "{x: 30}")
    )
    for model in ("eum", "smp", "compromise"):
        assert detente.forecast(on_0_1, [model]).value(model, "x") == pytest.approx(
            detente.forecast(on_0_100, [model]).value(model, "x"), abs=1e-12
        )


def test_saliences_of_0_and_1_only_are_read_on_0_100() -> None:
    """Nothing strictly between 0 and 1: no sign of a 0-1 scale (and 1 of 100 is valid)."""
    text = ZERO_ONE.replace("[0.6, 0.8, 0.9]", "[0, 1, 1]").replace("0.5", "1").replace("0.8", "1")
    text = text.replace("0.7", "0").replace("0.1", "0").replace("0.3", "0")
    s = loads(text)
    assert s.actor("A").salience == {"x": 1}


def test_a_0_1_scenario_file_through_the_cli_exits_2(tmp_path: Path, cli) -> None:
    path = tmp_path / "zero-one.yaml"
    path.write_text(ZERO_ONE, encoding="utf-8")
    result = cli("forecast", str(path), "--no-store")
    assert result.code == 2
    assert f"{path}:2: salience_scale: every salience is at most 1" in result.err
    path.write_text("salience_scale: 1\n" + ZERO_ONE, encoding="utf-8")
    assert cli("forecast", str(path), "--no-store").code == 0


def test_json_scenarios_take_the_same_rule(tmp_path: Path) -> None:
    import json

    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(ZERO_ONE)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="every salience is at most 1"):
        load(path)
    path.write_text(json.dumps({"salience_scale": 1, **data}), encoding="utf-8")
    assert load(path).actor("B").salience == {"x": 100}


# --- a validated scenario cannot be changed in place ---------------------------------------------


def _writes(s: detente.scenario.Scenario) -> list[tuple[str, object]]:
    usa = s.actor("USA")
    event = s.timeline[0]
    return [
        ("position", lambda: usa.position.__setitem__("disarmament", 250)),
        ("salience", lambda: usa.salience.update(disarmament=1)),
        ("uncertainty", lambda: usa.uncertainty.pop("position.disarmament")),
        ("a range", lambda: next(iter(usa.uncertainty.values())).__setitem__(0, -5)),
        ("evidence", lambda: usa.evidence.append(usa.evidence[0])),
        ("aliases", lambda: usa.aliases.clear()),
        ("actors", lambda: s.actors.append(usa)),
        ("actors by +=", lambda: s.actors.__iadd__([usa])),
        ("issues", lambda: s.issues.pop()),
        ("scale", lambda: s.issues[0].scale.__setitem__(0.0, "none")),
        ("groups", lambda: s.groups[0].members.remove("USA")),
        ("timeline", lambda: s.timeline.clear()),
        ("event", lambda: event.branches.popitem()),
        ("a branch", lambda: next(iter(event.branches.values())).set.clear()),
        ("model options", lambda: s.model_options.setdefault("eum", {})),
        ("accommodation", lambda: s.accommodation.__setitem__("USA", {})),
        ("sources", lambda: s.sources.sort()),
    ]


def test_every_mapping_and_list_of_a_scenario_is_read_only() -> None:
    s = detente.bundled("six-party-2004")
    before = s.content_hash()
    for what, write in _writes(s):
        with pytest.raises(TypeError, match=r"read-only.*with_input"):
            write()
        assert s.content_hash() == before, what
    with pytest.raises(TypeError, match="read-only"):
        s.actor("USA").position["disarmament"] = 250


def test_read_only_scenarios_copy_pickle_and_compare_as_before() -> None:
    import copy
    import pickle

    s = detente.bundled("six-party-2004")
    for again in (copy.deepcopy(s), pickle.loads(pickle.dumps(s)), copy.copy(s)):
        assert again == s
        assert again.content_hash() == s.content_hash()
        with pytest.raises(TypeError):
            again.actor("USA").position["disarmament"] = 1
    assert s.actor("USA").position == {"disarmament": s.actor("USA").position["disarmament"]}
    assert detente.scenario.dump_json(s) == detente.scenario.dump_json(loads(s.model_dump_json()))


def test_with_input_validates_again_and_moves_the_range() -> None:
    from detente.errors import InputError

    s = detente.bundled("six-party-2004")
    usa = s.actor("USA")
    old = usa.position["disarmament"]
    low, *_ = usa.uncertainty["position.disarmament"]
    moved = with_input(s, "USA.position.disarmament", old - 10)
    assert moved.actor("USA").position["disarmament"] == old - 10
    assert moved.actor("USA").uncertainty["position.disarmament"][0] == max(0, low - 10)
    assert moved.variant_of is not None
    assert moved.variant_of.overrides == [f"USA.position.disarmament={old - 10:g}"]
    assert s.actor("USA").position["disarmament"] == old, "the original is unchanged"
    with pytest.raises(InputError, match="outside"):
        with_input(s, "USA.position.disarmament", 250)
    with pytest.raises(InputError, match="finite"):
        with_input(s, "USA.capability", float("nan"))
    with pytest.raises(InputError, match="no field 'posture'"):
        with_input(s, "USA.posture", 1)
    assert with_input(s, "USA.capability", 0).actor("USA").capability == 0


# --- evidence: checked, confined, bounded, never switched off in silence -------------------------

EVIDENCE = """\
sources:
  - {id: art, file: ARTICLE}
issues: [{id: x}]
actors:
  - id: A
    capability: 2
    position: {x: 20}
    salience: {x: 50}
    evidence:
      - {source: art, supports: position, quote: "A wants twenty"}
  - {id: B, capability: 1, position: {x: 80}, salience: {x: 100}}
timeline:
  - at: 1
    add_actors:
      - id: C
        capability: 1
        position: {x: 60}
        salience: {x: 50}
        evidence:
          - {source: art, supports: position, quote: "C wants sixty"}
    branches:
      one:
        add_actors:
          - id: D
            capability: 1
            position: {x: 40}
            salience: {x: 50}
            evidence:
              - {source: art, supports: position, quote: "D wants forty"}
"""
SAID = "A wants twenty. C wants sixty. D wants forty."


def _scenario(tmp_path: Path, article: str = "article.txt", said: str | None = SAID) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(EVIDENCE.replace("ARTICLE", article), encoding="utf-8")
    if said is not None:
        (tmp_path / "article.txt").write_text(said, encoding="utf-8")
    return path


def test_quotes_of_actors_added_by_events_are_checked(tmp_path: Path) -> None:
    assert load(_scenario(tmp_path)).timeline[0].add_actors[0].id == "C"
    for quote, line in (("C wants sixty", 20), ("D wants forty", 29)):
        path = _scenario(tmp_path, said=SAID.replace(quote, "nothing"))
        with pytest.raises(ScenarioError) as info:
            load(path)
        (problem,) = info.value.problems
        assert problem.line == line, problem
        assert f"quote not found verbatim in source 'art': '{quote}'" in str(problem)


def test_a_missing_sources_folder_is_an_error_not_an_unchecked_pass(tmp_path: Path, cli) -> None:
    from detente.errors import InputError

    path = _scenario(tmp_path)
    with pytest.raises(InputError, match=r"--sources .*nowhere: no such folder"):
        load(path, sources_dir=tmp_path / "nowhere")
    result = cli("validate", str(path), "--sources", str(tmp_path / "nowhere"))
    assert result.code == 2
    assert "no such folder" in result.err
    result = cli("forecast", "six-party-2004", "--sources", str(tmp_path / "nowhere"))
    assert result.code == 2, "a bundled scenario takes --sources too"


def test_a_missing_source_file_fails_validate_and_warns_a_forecast(tmp_path: Path, cli) -> None:
    path = _scenario(tmp_path, said=None)
    result = cli("validate", str(path))
    assert result.code == 2
    assert f"{path}:2: sources[art].file: source file 'article.txt' not found in" in result.err
    forecast = cli("forecast", str(path), "--no-store", "--model", "compromise")
    assert forecast.code == 0
    assert "warning: " in forecast.err
    assert "quotes from 'art' are not checked" in forecast.err
    assert "UserWarning" not in forecast.err
    (tmp_path / "article.txt").write_text(SAID, encoding="utf-8")
    ok = cli("validate", str(path))
    assert ok.code == 0, ok.err
    assert "3 evidence quote(s) checked verbatim" in ok.out


@pytest.mark.parametrize("where", ["../secret.txt", "ABSOLUTE", "link.txt"])
def test_source_files_are_confined_and_give_no_oracle(tmp_path: Path, where: str) -> None:
    """A path out of the scenario's folder is refused unread, with the same message whether the
    file exists or not and whether the quote is in it or not."""
    outside = tmp_path / "secret.txt"
    inside = tmp_path / "case"
    inside.mkdir()
    (inside / "link.txt").symlink_to(outside)
    file = str(outside) if where == "ABSOLUTE" else where
    messages = set()
    for text in (SAID, "nothing here", None):
        outside.unlink(missing_ok=True)
        if text is not None:
            outside.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError) as info:
            load(_scenario(inside, article=file, said=None))
        (problem,) = info.value.problems
        messages.add(str(problem))
    assert len(messages) == 1, messages
    assert "is outside the scenario's folder and --sources" in messages.pop()


def test_an_absolute_source_path_inside_sources_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(SAID, encoding="utf-8")
    (tmp_path / "case").mkdir()
    path = _scenario(tmp_path / "case", article=str(folder / "a.txt"), said=None)
    assert load(path, sources_dir=folder).actors[0].id == "A"


def test_large_and_special_source_files_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from detente.scenario import evidence

    path = _scenario(tmp_path)
    monkeypatch.setattr(evidence, "MAX_SOURCE_BYTES", 10)
    with pytest.raises(ScenarioError, match="source documents are limited to"):
        load(path)
    monkeypatch.undo()
    (tmp_path / "article.txt").unlink()
    os.mkfifo(tmp_path / "article.txt")  # reading it would wait for a writer forever
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load(path)


def test_bundled_quotes_are_checked_against_sources(tmp_path: Path, shared: Path, cli) -> None:
    import shutil

    ok = cli("forecast", "six-party-2004", "--no-store", "--sources", str(shared / "sources"))
    assert ok.code == 0, ok.err
    assert "warning" not in ok.err
    copy = tmp_path / "sources"
    shutil.copytree(shared / "sources", copy)
    article = next(copy.glob("000_*.txt"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("the standing allied position", "a position"), "utf-8")
    result = cli("forecast", "six-party-2004", "--no-store", "--sources", str(copy))
    assert result.code == 2
    assert "six-party-2004 (bundled)" in result.err
    assert "quote not found verbatim" in result.err


# --- the work an input can ask for is bounded, and said before it starts -------------------------


def test_draws_are_bounded_before_any_work(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    started = time.perf_counter()
    huge = cli("report", "six-party-2004", "--draws", str(10**23), "-o", "never.html")
    assert huge.code == 2
    assert "at most 10,000,000 are allowed" in huge.err
    big = cli("simulate", "six-party-2004", "--draws", "9000000", "--no-store")
    assert big.code == 2
    assert "would hold 1.7 GB of results; the limit is 1 GB: ask for at most" in big.err
    calibration = cli("backtest", "--draws", "1000000")
    assert calibration.code == 2
    assert "at most 100,000 draws per issue" in calibration.err
    assert time.perf_counter() - started < 20, "refused before any work"


# --- numbers at the limits, names that look like formulas ----------------------------------------

EDGE = r"""
issues: [{id: x, min: -1.0e12, max: 1.0e12}, {id: y, min: 0, max: 1.0e-6}]
actors:
  - id: A
    name: "US$ 5 and $6"
    capability: 1.0e12
    position: {x: -1.0e12, y: 0}
    salience: {x: 100, y: 1}
    uncertainty: {position.x: [-1.0e12, -1.0e11]}
  - {id: B, name: "$\\frac{a$", capability: 5.0e-324, position: {x: 1.0e12, y: 1.0e-6},
     salience: {x: 100, y: 100}}
  - {id: C, capability: 1, position: {x: 0, y: 5.0e-7}, salience: {x: 60, y: 0}}
"""


def test_scales_and_capabilities_beyond_1e12_are_refused() -> None:
    text = EDGE.replace("min: -1.0e12", "min: -1.0e308")
    with pytest.raises(ScenarioError, match=r"issues\[x\]\.min: the scale's min .* beyond ±1e\+12"):
        loads(text)
    with pytest.raises(ScenarioError, match="capability 1e\\+300 is beyond 1e\\+12"):
        loads(EDGE.replace("capability: 1.0e12", "capability: 1.0e300"))


def test_every_model_and_the_report_take_the_limits(tmp_path: Path, cli) -> None:
    """The widest scale and capabilities allowed, a scale a millionth wide, a capability of the
    smallest float, and names with dollar signs (drawn as text, never as formulas)."""
    import math

    s = loads(EDGE)
    fc = detente.forecast(s, detente.models.names())
    for run in fc.runs:
        assert all(math.isfinite(v) for v in run.values), run.model
    path = tmp_path / "edge.yaml"
    path.write_text(EDGE, encoding="utf-8")
    result = cli("report", str(path), "--draws", "10", "-o", str(tmp_path / "r.html"), "--no-store")
    assert result.code == 0, result.err
    assert "warning" not in result.err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "US$ 5 and $6" in html


# --- a timeline must leave every future a negotiation ---------------------------------------------

THREE = """\
id: tl
issues: [{id: x}]
actors:
  - {id: A, capability: 10, position: {x: 10}, salience: {x: 50}}
  - {id: B, capability: 10, position: {x: 90}, salience: {x: 50}}
  - {id: C, capability: 10, position: {x: 40}, salience: {x: 50}}
"""


@pytest.mark.parametrize(
    ("timeline", "why"),
    [
        ("[{at: 1, remove_actors: [A, B, C]}]", "no actor is left"),
        ("[{at: 1, branches: {x: {probability: 1.0, remove_actors: [A, B]}}}]", "only C is left"),
        (
            "[{at: 1, set: {A.salience.x: 0, B.salience.x: 0, C.salience.x: 0}}]",
            "no actor with capability > 0 has a salience > 0 on issue 'x'",
        ),
        ("[{at: 0, set: {A.capability: 0, B.capability: 0, C.capability: 0}}]", "capability > 0"),
    ],
)
def test_a_future_without_a_negotiation_is_refused_everywhere(
    tmp_path: Path, cli, timeline: str, why: str
) -> None:
    """validate passed these, and simulate, dyads and report then failed inside the models or
    printed NaN as a forecast."""
    path = tmp_path / "tl.yaml"
    path.write_text(THREE + f"timeline: {timeline}\n", encoding="utf-8")
    checked = cli("validate", str(path))
    assert checked.code == 2
    assert f"{path}:7: timeline[0]: in the future" in checked.err
    assert why in checked.err
    for args in (
        ["simulate", str(path), "--draws", "3", "--no-store"],
        ["simulate", str(path), "--draws", "3", "--no-store", "--json"],
        ["dyads", str(path), "--rounds", "3"],
        ["report", str(path), "--draws", "3", "--no-store", "-o", str(tmp_path / "r.html")],
    ):
        result = cli(*args)
        assert result.code == 2, (args, result.err)
        assert why in result.err
        assert "nan" not in result.out
    assert not (tmp_path / "r.html").exists()


# --- an actor reference names one actor -----------------------------------------------------------

AMBIGUOUS = """\
id: amb
issues: [{id: x}]
actors:
  - {id: A, name: Bee, aliases: [first], capability: 10, position: {x: 10}, salience: {x: 50}}
  - {id: B, name: Ay, capability: 10, position: {x: 90}, salience: {x: 50}}
  - {id: C, name: Bee, capability: 10, position: {x: 40}, salience: {x: 50}}
"""


def test_an_id_wins_and_a_shared_name_is_ambiguous(tmp_path: Path, cli) -> None:
    from detente.errors import InputError
    from detente.scenario import apply_overrides

    s = loads(AMBIGUOUS)
    assert s.find_actor("B").id == "B", "an exact id wins over an alias"
    assert s.find_actor("b").id == "B", "then an id in any letter case"
    assert s.find_actor("ay").id == "B"
    with pytest.raises(InputError, match=r"'Bee' names several actors of amb \(A, C\); give an id"):
        s.find_actor("Bee")
    assert apply_overrides(s, drop=["B"]).actor_ids == ("A", "C")
    path = tmp_path / "amb.yaml"
    path.write_text(AMBIGUOUS, encoding="utf-8")
    assert "Advice for B (" in cli("advise", str(path), "--for", "B", "-m", "compromise").out
    dropped = cli("forecast", str(path), "--drop", "Bee", "--no-store")
    assert dropped.code == 2
    assert "names several actors" in dropped.err


def test_a_name_or_alias_that_is_another_actors_id_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        loads(AMBIGUOUS.replace("aliases: [first]", "aliases: [B]").replace("name: Ay", "name: A"))
    found = [str(p) for p in info.value.problems]
    assert len(found) == 2, found
    assert "actors[A].aliases: 'B' is the id of another actor (B)" in found[0]
    assert "actors[B].name: 'A' is the id of another actor (A)" in found[1]


def test_option_values_of_any_shape_are_clear_errors(cli) -> None:
    for value in ('{"a":1}', "[1]", "{}", "[" * 5000 + "]" * 5000, "x" * 20_000):
        result = cli("forecast", "six-party-2004", "-m", "eum", "--option", f"preset={value}")
        assert result.code == 2, (value[:20], result.err)
        assert "internal error" not in result.err
    deep = cli("forecast", "six-party-2004", "--option", "eum.rounds=" + "[" * 5000 + "]" * 5000)
    assert "nested too deeply" in deep.err


def test_bidirectional_controls_in_names_never_reach_the_terminal(tmp_path: Path, cli) -> None:
    import json

    path = tmp_path / "bidi.yaml"
    path.write_text(
        THREE.replace("{id: A,", '{id: A, name: "\\u202eevil\\u202c \\u2067x\\u2069\\u200b",'),
        encoding="utf-8",
    )
    for args in (["forecast", str(path), "--no-store"], ["dyads", str(path), "--rounds", "2"]):
        result = cli(*args)
        assert result.code == 0, result.err
        assert "evil" in result.out or args[0] == "dyads"  # dyads shows ids
        assert not set(result.out) & {"\u202e", "\u202c", "\u2067", "\u2069", "\u200b"}
    doc = cli("forecast", str(path), "--no-store", "--json")
    assert "\u202e" not in doc.out
    assert "\\u202e" in doc.out, "escaped in JSON: the same string to a JSON reader"
    assert json.loads(doc.out)


@pytest.mark.parametrize(
    ("encoding", "said"), [("latin-1", "is not UTF-8 text"), ("utf-16", "looks like UTF-16")]
)
def test_a_source_in_another_encoding_is_named_not_mangled(
    tmp_path: Path, encoding: str, said: str
) -> None:
    """Read with replacement characters, 'Café' was not found while a mangled 'Caf�' was."""
    path = _scenario(tmp_path, said=None)
    path.write_text(path.read_text(encoding="utf-8").replace("A wants twenty", "Café"), "utf-8")
    (tmp_path / "article.txt").write_bytes(f"Café. {SAID}".encode(encoding))
    with pytest.raises(ScenarioError) as info:
        load(path)
    (problem,) = info.value.problems
    assert problem.line == 2
    assert f"sources[art].file: 'article.txt' {said}" in str(problem)
    assert "save it as UTF-8" in str(problem)
    (tmp_path / "article.txt").write_text(f"Café. {SAID}", encoding="utf-8")
    assert load(path).actors[0].evidence[0].quote == "Café"


def test_scales_too_narrow_and_rounds_that_are_booleans_are_refused() -> None:
    with pytest.raises(ScenarioError, match="is too narrow to tell positions apart"):
        loads(EDGE.replace("max: 1.0e-6", "max: 5.0e-324"))
    with pytest.raises(ScenarioError, match="too narrow"):
        loads(
            THREE.replace("issues: [{id: x}]", "issues: [{id: x, min: 1.0e6, max: 1000000.0001}]")
        )
    with pytest.raises(ScenarioError, match=r"timeline\[0\]\.at"):
        loads(THREE + "timeline: [{at: true, set: {A.position.x: 20}}]\n")
    assert loads(THREE + "timeline: [{at: 2, set: {A.position.x: 20}}]\n").timeline[0].at == 2


def test_advice_never_asks_a_model_for_a_forecast_without_weights() -> None:
    """With one actor weighted, lowering its salience leaves nobody caring: no lever and no
    probe may ask for that forecast (the EUM warned 22 times, dividing by zero weights)."""
    import warnings

    from detente.analysis.advice import advise

    s = loads(THREE.replace("salience: {x: 50}}\n  - {id: B", "salience: {x: 0}}\n  - {id: B"))
    s = with_input(with_input(s, "B.salience.x", 0), "C.salience.x", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in ("eum", "compromise", "nash"):
            advice = advise(s, "A", model=model, issue="x")
            assert all(np.isfinite(lever.forecast) for lever in advice.levers)
            assert all(np.isfinite(row.effect) for row in advice.sensitivity)


def test_advice_in_chunks_is_the_advice_in_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays bounded with many actors (a 250-actor advise grew past 4.6 GB): the
    variants run a chunk at a time, with the same figures."""
    from detente.analysis import advice as module

    s = detente.bundled("six-party-2004")
    whole = module.advise(s, "DPRK", model="eum", issue="disarmament")
    monkeypatch.setattr(module, "_CHUNK_ELEMENTS", 36 * 5)  # 5 variants a chunk
    assert module.advise(s, "DPRK", model="eum", issue="disarmament") == whole


def test_small_traps_are_closed(tmp_path: Path, cli) -> None:
    from detente.errors import InputError
    from detente.scenario import apply_overrides

    with pytest.raises(ScenarioError, match=r"sources\[art\]\.file: String should have at least 1"):
        loads(EVIDENCE.replace("file: ARTICLE", 'file: ""'))  # no file is "file" left out
    many = ["USA.position.disarmament=+0.5"] * 500
    with pytest.raises(InputError) as info:
        apply_overrides(detente.bundled("six-party-2004"), many)
    assert "and 495 more" in str(info.value)
    assert len(str(info.value)) < 600  # all 500 were listed: 19,000 characters
    mismatch = cli("export", "emission-1994", "--format", "yaml", "-o", str(tmp_path / "s.json"))
    assert mismatch.code == 2
    assert "name it to match --format" in mismatch.err
    assert not (tmp_path / "s.json").exists()
    upper = cli("export", "emission-1994", "--format", "YAML", "-o", str(tmp_path / "s.yaml"))
    assert upper.code == 0
