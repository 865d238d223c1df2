"""What the command line prints: scenario text shown literally and safely, plain statements
where a table would be empty, named issues, tables readable at terminal widths."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import detente
from detente.scenario import Scenario, io

# C0 controls but newline and tab, DEL, C1: none may reach a terminal
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = "\x1b]0;pwned\x07A\x1b[2J"  # retitles the terminal, then clears the screen


def _six_party(tmp_path: Path, name: str = "talks.yaml", **changes: Any) -> Path:
    data = detente.bundled("six-party-2004").model_dump(mode="json")
    for n, label in changes.get("names", {}).items():
        data["actors"][n]["name"] = label
    if "issue_name" in changes:
        data["issues"][0]["name"] = changes["issue_name"]
    path = tmp_path / name
    io.save(Scenario.model_validate(data), path)
    return path


def test_scenario_text_is_printed_literally(cli, tmp_path: Path) -> None:
    path = _six_party(
        tmp_path, names={0: "[bold]root:x:0:0", 1: "Kim :100:"}, issue_name="s.yaml:100: terms"
    )
    result = cli("forecast", str(path), "-m", "eum", "--explain", "DPRK", "--no-store")
    assert result.code == 0, result.err
    # no emoji code replaced (":100:" would become an emoji, "root:x:0:0" lose ":x:")
    assert "[bold]root:x:0:0" in result.out
    assert "Kim :100:" in result.out
    assert "s.yaml:100: terms" in result.out
    assert "\U0001f4af" not in result.out
    assert "\u274c" not in result.out
    advice = cli("advise", str(path), "--for", "USA")
    assert advice.code == 0, advice.err
    assert "s.yaml:100: terms" in advice.out


def test_error_messages_keep_line_numbers_and_colons(cli, tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    lines = ["# a comment"] * 97 + [
        "issues: [{id: t}]",
        "actors:",
        "  - {id: A, capability: -1, position: {t: 1}, salience: {t: 1}}",
    ]
    bad.write_text("\n".join(lines) + "\n")
    result = cli("forecast", str(bad))
    assert result.code == 2
    assert f"{bad}:100: actors[A].capability" in result.err
    missing = cli("forecast", "emission-1994", "--explain", "root:x:0:0")
    assert missing.code == 2
    assert "no actor 'root:x:0:0'" in missing.err


@pytest.mark.parametrize(
    "args",
    [
        ["forecast", "{path}", "-m", "eum", "-m", "median", "--explain", "USA", "--no-store"],
        ["advise", "{path}", "--for", "USA"],
        ["advise", "{path}", "--for", "DPRK"],
        ["dyads", "{path}", "--rounds", "2", "--draws", "2", "--rng", "1"],
        ["coalitions", "{path}", "--rounds", "2"],
        ["simulate", "{path}", "--draws", "20", "--rng", "1", "--spread", "0.1", "--no-store"],
        ["forecast", "{path}", "--explain", HOSTILE],  # an error message quoting the text
        ["forecast", "{path}", "--json", "--no-store"],
    ],
    ids=["forecast", "advise", "advise-other", "dyads", "coalitions", "simulate", "error", "json"],
)
def test_no_control_character_reaches_the_terminal(cli, tmp_path: Path, args: list[str]) -> None:
    path = _six_party(tmp_path, names={0: HOSTILE, 3: "Beijing\x9b2J\x7f"}, issue_name=HOSTILE)
    result = cli(*(str(path) if a == "{path}" else a for a in args))
    assert result.code in (0, 2), result.err
    for stream in (result.out, result.err):
        assert not CONTROL.findall(stream), CONTROL.findall(stream)
    if "--json" in args:  # the same name, escaped as JSON
        assert json.loads(result.out)["actors"][0]["name"] == HOSTILE
    elif result.code == 0:
        assert "]0;pwnedA[2J" in result.out  # the printable rest is still shown


def test_debug_traceback_has_no_control_characters(cli) -> None:
    result = cli("--debug", "forecast", "emission-1994", "--explain", HOSTILE)
    assert result.code == 2
    assert "Traceback" in result.err
    assert "]0;pwnedA[2J" in result.err
    assert not CONTROL.findall(result.err)


def test_advise_says_plainly_when_nothing_helps(cli) -> None:
    # Germany's ideal, 4, is the lowest on the scale: no announcement brings the forecast nearer
    result = cli("advise", "emission-1994", "--for", "Germany")
    assert result.code == 0, result.err
    assert "1. No announcement helps" in result.out
    assert not re.search(r"Announce (\S+) instead of \1\b", result.out)
    # only levers that bring the forecast nearer are listed, none with +0.0
    gains = re.findall(r"│\s+[\d.]+ │\s+([+-]\d+\.\d) │$", result.out, re.M)
    assert gains
    assert all(float(g) > 0 for g in gains)


def test_advise_without_any_lever_prints_no_empty_table(cli, tmp_path: Path) -> None:
    data = {
        "id": "agreed",
        "issues": [{"id": "t"}],
        "actors": [
            {"id": a, "capability": 1, "position": {"t": 50}, "salience": {"t": 50}}
            for a in ("A", "B", "C")
        ],
    }
    path = tmp_path / "agreed.yaml"
    io.save(Scenario.model_validate(data), path)
    result = cli("advise", str(path), "--for", "A")
    assert result.code == 0, result.err
    assert "1. No announcement helps" in result.out
    assert "2. No persuasion helps" in result.out
    assert "best first" not in result.out


def _crisis_rows(out: str) -> tuple[list[str], list[list[str]]]:
    """The crisis table of the first future (its parts joined): actor columns, rows' cells."""
    parts = out.split("Crisis incentive on")[1:]
    parts = parts[:1] + [p for p in parts[1:] if p.split("\n")[0].endswith("(continued)")]
    actors: list[str] = []
    rows: list[list[str]] = []
    for part in parts:
        lines = [line for line in part.split("└")[0].splitlines() if line.startswith(("┃", "│"))]
        header = [c.strip() for c in lines[0].strip("┃").split("┃")]
        actors += header[1:]
        cells = [[c.strip() for c in line.strip("│").split("│")] for line in lines[1:]]
        rows = cells if not rows else [r + c[1:] for r, c in zip(rows, cells, strict=True)]
    return actors, rows


def test_crisis_table_has_no_target_without_a_gain(cli) -> None:
    result = cli("dyads", "six-party-2004", "--rounds", "6", "--future", "bush-reelected")
    assert result.code == 0, result.err
    _actors, rows = _crisis_rows(result.out)
    cells = [cell for row in rows for cell in row[1:] if cell]
    assert any(float(c.split()[0]) <= 0 for c in cells)  # the model has converged by then
    for cell in cells:
        gain, *target = cell.split()
        assert (float(gain) > 0) == bool(target), cell  # a target only where there is a gain


def test_crisis_table_includes_an_actor_added_by_the_timeline(cli, tmp_path: Path) -> None:
    data = detente.bundled("six-party-2004").model_dump(mode="json")
    data["timeline"] = [
        {
            "at": 2,
            "name": "EU joins",
            "add_actors": [
                {"id": "EU", "capability": 40, "position": {"disarmament": 60},
                 "salience": {"disarmament": 30}}
            ],
        }
    ]  # fmt: skip
    path = tmp_path / "seven.yaml"
    io.save(Scenario.model_validate(data), path)
    result = cli("dyads", str(path), "--rounds", "3")
    assert result.code == 0, result.err
    actors, rows = _crisis_rows(result.out)
    assert actors[-1] == "EU"
    assert [row[0] for row in rows] == ["1", "2", "3"]
    eu = [row[-1] for row in rows if row[0]]
    assert eu[0] == "-"
    assert eu[2] != "-"


def test_dyads_and_coalitions_name_the_issue(cli) -> None:
    dyads = cli("dyads", "six-party-2004-package", "--issue", "reward", "--rounds", "2")
    assert dyads.code == 0, dyads.err
    titles = [line for line in dyads.out.splitlines() if line[:1].isalpha()]
    for start in ("Dyads on", "Miscalculation risk on", "Crisis incentive on"):
        (title, *_) = [t for t in titles if t.startswith(start)]
        assert title.startswith(f"{start} reward"), title
    coalitions = cli("coalitions", "six-party-2004-package", "--issue", "reward", "--rounds", "2")
    assert coalitions.code == 0, coalitions.err
    assert "If a member leaves: change of each forecast of reward" in coalitions.out
    assert "converging groups on reward" in coalitions.out


def test_explain_shows_where_the_partner_stood(cli) -> None:
    result = cli(
        "forecast", "emission-1994", "-m", "eum", "--preset", "scholz-code", "--rounds", "2",
        "--explain", "belgium", "--no-store",
    )  # fmt: skip
    assert result.code == 0, result.err
    # France's position is 10 at the start; Belgium moves toward it in round 1
    assert "round 1: compromise with France, 7.000 -> 8.416" in result.out
    assert re.search(r"France stood at 10\.000 at the start of round 1 \(\d+\.\d{3} after it\)",
                     result.out)  # fmt: skip


@pytest.mark.parametrize(
    "width",
    [80, pytest.param(100, marks=pytest.mark.slow), 120],  # 100 in the slow tier
)
@pytest.mark.parametrize(
    "args",
    [
        ["forecast", "six-party-2004", "--no-store"],
        ["forecast", "ktab-soe-pol-comp", "--no-store"],
        ["simulate", "six-party-2004", "--draws", "50", "--rng", "1", "-q", "disarmament >= 50",
         "--no-store"],
        ["dyads", "six-party-2004", "--rounds", "3", "--draws", "2", "--rng", "1"],
        ["advise", "six-party-2004", "--for", "DPRK"],
        ["coalitions", "six-party-2004", "--rounds", "3"],
        ["sweep", "six-party-2004-direct-offer", "--rng", "1", "--no-store"],
        ["forecast", "ktab-dummy-3d", "-m", "smp", "--explain", "SActor-04", "--no-store"],
    ],
    ids=["forecast", "forecast-3-issues", "simulate", "dyads", "advise", "coalitions", "sweep",
         "smp"],
)  # fmt: skip
def test_tables_are_readable_at_terminal_widths(cli, monkeypatch, width: int, args) -> None:
    from detente.cli import _console

    monkeypatch.setattr(_console.stdout, "_width", width)  # undone to None: COLUMNS counts again
    result = cli(*args)
    assert result.code == 0, result.err
    table_lines = [line for line in result.out.splitlines() if line[:1] in "┏┃┡│├└"]
    assert table_lines
    for line in table_lines:
        assert len(line) <= width, line  # no table wider than the terminal
        assert "…" not in line, line  # no cell cut
    # a band's words stay together: the probabilities are one line per model, not one word
    if args[0] == "simulate":
        assert re.search(r"│ bush-reelected │ compromise +│( +\d\.\d\d │){5}$", result.out, re.M)
        assert re.search(r"│ +│ +calibrated │( +\d\.\d\d │){5}$", result.out, re.M)
        assert re.search(r"│ [▁▂▃▄▅▆▇█ ]{10} │$", result.out, re.M)  # the whole histogram


def test_a_forecast_of_many_actors_is_brief_unless_full(cli, tmp_path: Path) -> None:
    actors = [
        {"id": f"A{k:02d}", "capability": 1 + (k * 37) % 50, "position": {"t": (k * 13) % 101},
         "salience": {"t": 10 + (k * 7) % 90}}
        for k in range(60)
    ]  # fmt: skip
    path = tmp_path / "many.yaml"
    data = {"id": "many", "issues": [{"id": "t"}], "actors": actors}
    io.save(Scenario.model_validate(data), path)
    brief = cli("forecast", str(path), "--no-store")
    assert brief.code == 0, brief.err
    full = cli("forecast", str(path), "--no-store", "--full")
    assert full.code == 0, full.err
    assert len(brief.out.splitlines()) < 150 < len(full.out.splitlines())
    assert "48 more actors (those with the least capability x salience): use --full" in brief.out
    # the weightiest actor is shown, the lightest only with --full
    weight = {a["id"]: a["capability"] * a["salience"]["t"] for a in actors}
    heavy, light = max(weight, key=weight.__getitem__), min(weight, key=weight.__getitem__)
    rows = re.compile(r"^│ (A\d\d) +│", re.M)
    assert heavy in rows.findall(brief.out)
    assert light not in rows.findall(brief.out)
    assert light in rows.findall(full.out)
    assert "more (--full)" in brief.out
    assert "more actors" not in full.out


def test_dyads_of_many_actors_are_brief_unless_full(cli, tmp_path: Path) -> None:
    # 25 actors: 300 pairs, printed at 60 actors (1,770 pairs) they took 7 s of rendering
    actors = [
        {"id": f"A{k:02d}", "capability": 1 + (k * 37) % 50, "position": {"t": (k * 13) % 101},
         "salience": {"t": 10 + (k * 7) % 90}}
        for k in range(25)
    ]  # fmt: skip
    path = tmp_path / "many.yaml"
    data = {"id": "many", "issues": [{"id": "t"}], "actors": actors}
    io.save(Scenario.model_validate(data), path)
    brief = cli("dyads", str(path), "--rounds", "2")
    assert brief.code == 0, brief.err
    full = cli("dyads", str(path), "--rounds", "2", "--full")
    assert full.code == 0, full.err
    pairs = json.loads(cli("dyads", str(path), "--rounds", "2", "--json").out)["futures"][0]
    dyads = [d for d in pairs["dyads"] if d["i"] < d["j"]]  # ids in the scenario's order
    assert len(dyads) == 25 * 24 // 2
    assert "280 more pairs (those with the least to gain from a challenge): use --full" in brief.out
    assert "more pairs" not in full.out
    table = brief.out.split("more pairs")[0]
    rows = re.compile(r"^│ (A\d\d) +│ (A\d\d) +│", re.M)
    assert len(rows.findall(table)) == 20
    assert len(rows.findall(full.out.split("Miscalculation")[0])) == 300
    gain = {(d["i"], d["j"]): max(d["eu_i"], d["eu_j"]) for d in dyads}
    assert max(gain, key=gain.__getitem__) in rows.findall(table)
    assert min(gain, key=gain.__getitem__) not in rows.findall(table)
    # crisis incentives: the 12 weightiest actors' columns
    assert "13 more actors (those with the least capability x salience): use --full" in brief.out
    assert "more actors" not in full.out
    assert len(brief.out.splitlines()) < len(full.out.splitlines()) / 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["advise", "six-party-2004", "--for", "USA"], "advising USA"),
        (["coalitions", "six-party-2004", "--rounds", "2"], "each member leaving"),
        (["dyads", "six-party-2004", "--rounds", "2"], "dyads of future"),
        (["forecast", "six-party-2004", "--no-store"], "reading six-party-2004|forecasting"),
        (
            ["report", "six-party-2004", "--draws", "20", "--rng", "1", "--no-store", "-o", "R"],
            "reporting: forecast|reporting: draws 0/40|reporting: draws 40/40"
            "|reporting: analyses of disarmament|reporting: render",
        ),
    ],
)
def test_slow_commands_show_progress_on_a_terminal(
    cli, monkeypatch, tmp_path: Path, args, says
) -> None:
    import importlib
    import io as text_io

    from rich.console import Console

    from detente.cli import _console
    from detente.cli.app import COMMANDS

    # each command's module is imported only when it runs, and binds _console.stderr then: import
    # them all first, so that none keeps the console swapped in here after this test
    for _, module, _ in COMMANDS:
        importlib.import_module(f"detente.cli.{module}")
    screen = text_io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(_console, "stderr", terminal)
    result = cli(*(str(tmp_path / "report.html") if a == "R" else a for a in args))
    assert result.code == 0, result.err
    for phase in says.split("|"):  # each phase of a long command, as it starts
        assert phase in screen.getvalue()
        assert phase not in result.err  # nothing when stderr is not a terminal (a capture)
    if args[0] != "report":  # (the report says what it wrote)
        assert result.err == ""


def test_compiling_kernels_is_announced_once(cli, monkeypatch, tmp_path: Path) -> None:
    pytest.importorskip("numba")
    from detente.models import _compiled

    source = tmp_path / "_kernels.py"
    source.write_text("")
    assert not _compiled._cached(source)  # no numba index yet: the first run compiles
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "_kernels.step-12.py311.nbi").write_bytes(b"")
    assert _compiled._cached(source)

    from detente.models.smp import _accel

    # the SMP loads its kernels from COMPILED_MIN_ACTORS actors on; this 7-actor run must too
    monkeypatch.setattr(_accel, "COMPILED_MIN_ACTORS", 0)

    def run(cold: bool) -> str:
        monkeypatch.setattr(_compiled, "_cached", lambda path: not cold)
        _compiled._load.cache_clear()
        result = cli("forecast", "ktab-dummy-3d", "-m", "smp", "--no-store")
        assert result.code == 0, result.err
        return result.err

    cold = run(True)
    assert cold.count("compiling the smp model's numba kernels") == 1
    assert [line for line in cold.splitlines() if "numba" in line] == [
        "compiling the smp model's numba kernels: a one-time wait (kept in numba's cache)"
    ]
    assert "compiling" not in run(False)  # silent when the kernels are cached
    _compiled._load.cache_clear()


@pytest.mark.parametrize("value", ["nan", "-3", "-inf"])
@pytest.mark.parametrize("option", ["--move", "--salience"])
def test_advise_refuses_points_that_are_not_a_number(cli, option: str, value: str) -> None:
    # NaN used to run (exit 0) with Python's RuntimeWarning lines on stderr
    result = cli("advise", "six-party-2004", "--for", "USA", option, value)
    assert result.code == 2
    assert "RuntimeWarning" not in result.err


def test_advice_refuses_nan_points_in_the_api() -> None:
    from detente.analysis.advice import advise
    from detente.errors import InputError

    with pytest.raises(InputError, match="move must be a finite number of points"):
        advise(detente.bundled("six-party-2004"), "USA", move=float("nan"))
    with pytest.raises(InputError, match="salience must be"):
        advise(detente.bundled("six-party-2004"), "USA", salience=-1.0)
