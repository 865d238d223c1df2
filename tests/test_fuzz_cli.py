"""Fuzzing the command line's arguments: any option values, in any combination, give a result
(exit 0) or a usage error (exit 2), never an internal error or a traceback, and quickly.

Draws are small (few Monte Carlo draws and rounds) so that each case is fast: the point is the
bad values (negative, huge, NaN, text for numbers), unknown models, missing files and bad
``--set``/``--drop`` overrides.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECONDS_PER_CASE = 20.0

_numbers = st.sampled_from(
    ["0", "1", "2", "-1", "-5", "1e9", "nan", "NaN", "inf", "-inf", "abc", "", "3.5", "1e400",
     "0x10", "99999999999999999999", " 7"]
)  # fmt: skip
_small = st.sampled_from(["0", "1", "2", "3", "-1", "abc", "nan", "1.5"])
_models = st.sampled_from(["eum", "median", "nash", "compromise", "magic", "", "EUM", "smp"])
_scenarios = st.sampled_from(
    ["six-party-2004", "emission-1994", "nowhere", "missing.yaml", "/", "six-party-2004.yaml"]
)
_actors = st.sampled_from(["USA", "DPRK", "Pyongyang", "nobody", "", "usa", "[bold]x", ":100:"])
_sets = st.sampled_from(
    ["USA.position.disarmament=80", "DPRK.salience.disarmament=+10", "CHN.capability=*1.2",
     "USA.position.disarmament=nan", "USA.position.disarmament=1e9", "USA.capability=-3",
     "USA.position=5", "nobody.capability=1", "USA.position.disarmament", "=", "USA.salience.x=5",
     "USA.position.disarmament=(-5)", "USA.capability=*0", "DPRK.salience.disarmament=abc"]
)  # fmt: skip
_drops = st.sampled_from(["USA", "DPRK", "nobody", "", "CHN"])
_options = st.sampled_from(
    ["utility=quadratic", "Q=0.5", "eum.Q=nan", "rounds=-1", "nash.disagreement=worst", "x=1",
     "justtext", "eum.stop=stable"]
)  # fmt: skip


@st.composite
def _what_if(draw: st.DrawFn) -> list[str]:
    args: list[str] = []
    for value in draw(st.lists(_sets, max_size=2)):
        args += ["--set", value]
    for value in draw(st.lists(_drops, max_size=2)):
        args += ["--drop", value]
    return args


@st.composite
def _model_args(draw: st.DrawFn) -> list[str]:
    args: list[str] = []
    for value in draw(st.lists(_models, max_size=2)):
        args += ["-m", value]
    if draw(st.booleans()):
        args += ["--rounds", draw(_small)]
    for value in draw(st.lists(_options, max_size=1)):
        args += ["--option", value]
    if draw(st.booleans()):
        args += ["--preset", draw(st.sampled_from(["scholz-code", "bdm", "net-vote"]))]
    return args


@st.composite
def commands(draw: st.DrawFn) -> list[str]:
    """One command line of forecast, simulate, advise, dyads, sweep or report."""
    command = draw(st.sampled_from(["forecast", "simulate", "advise", "dyads", "sweep", "report"]))
    scenario = draw(_scenarios)
    if command == "sweep":
        spec = draw(st.sampled_from(["six-party-2004-direct-offer", "nowhere.yaml", "x"]))
        args = ["sweep", spec, "--no-store"]
        if draw(st.booleans()):
            args += ["--rng", draw(_numbers)]
        if draw(st.booleans()):
            args += ["--engine", draw(st.sampled_from(["in-process", "magic"]))]
        return args
    args = [command, scenario, *draw(_what_if())]
    if command == "forecast":
        args += [*draw(_model_args()), "--no-store"]
        if draw(st.booleans()):
            args += ["--explain", draw(_actors)]
        if draw(st.booleans()):
            args += ["--rng", draw(_numbers)]
        if draw(st.booleans()):
            args += ["--json"]
    elif command == "simulate":
        args += ["--draws", draw(_small), "--no-store", *draw(_model_args())]
        if draw(st.booleans()):
            args += ["--spread", draw(_numbers)]
        if draw(st.booleans()):
            args += [
                "-q",
                draw(st.sampled_from(["disarmament >= 50", "x > 1", ">=", "disarmament ~ 3"])),
            ]
        if draw(st.booleans()):
            args += ["--branches", draw(st.sampled_from(["each", "draw", "some"]))]
    elif command == "advise":
        args += ["--for", draw(_actors)]
        if draw(st.booleans()):
            args += ["--move", draw(_numbers)]
        if draw(st.booleans()):
            args += ["--salience", draw(_numbers)]
        if draw(st.booleans()):
            args += ["--issue", draw(st.sampled_from(["disarmament", "delay", "nope"]))]
    elif command == "dyads":
        args += ["--rounds", draw(st.sampled_from(["1", "2", "3"]))]
        if draw(st.booleans()):
            args += ["--round", draw(_small)]
        if draw(st.booleans()):
            args += ["--draws", draw(st.sampled_from(["0", "1", "2", "-1", "x"]))]
        if draw(st.booleans()):
            args += ["--viewpoint", draw(_actors)]
        if draw(st.booleans()):
            args += ["--round-days", draw(_numbers)]
        if draw(st.booleans()):
            args += ["--future", draw(st.sampled_from(["kerry-wins", "nope"]))]
    else:  # report
        args += ["--draws", draw(st.sampled_from(["0", "2", "-1", "x"])), "--no-store"]
        args += ["-o", draw(st.sampled_from(["{tmp}/r.html", "/nonexistent/dir/r.html"]))]
        if draw(st.booleans()):
            args += ["--viewpoint", draw(_actors)]
        if draw(st.booleans()):
            args += ["--spread", draw(_numbers)]
    return args


def _check(cli: Callable[..., object], args: list[str], tmp: str) -> None:
    argv = [a.replace("{tmp}", tmp) for a in args]
    started = time.perf_counter()
    result = cli(*argv)
    took = time.perf_counter() - started
    text = result.out + result.err  # type: ignore[attr-defined]
    assert result.code in (0, 2), (argv, result.code, result.err)  # type: ignore[attr-defined]
    assert "internal error" not in text, (argv, result.err)  # type: ignore[attr-defined]
    assert "Traceback" not in text, argv
    # Python's own warning lines ("RuntimeWarning: ...") are not shown: a warning comes as one
    # "warning: ..." line
    assert "Warning: " not in text, (argv, result.err)  # type: ignore[attr-defined]
    assert took < SECONDS_PER_CASE, (argv, took)


_FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@_FAST
@given(args=commands())
def test_any_arguments_exit_cleanly(cli, tmp_path, monkeypatch, args: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    _check(cli, args, str(tmp_path))


@pytest.mark.slow
@settings(_FAST, max_examples=400, derandomize=False)
@given(args=commands())
def test_any_arguments_exit_cleanly_at_length(cli, tmp_path, monkeypatch, args) -> None:
    monkeypatch.chdir(tmp_path)
    _check(cli, args, str(tmp_path))
