"""Fuzzing the scenario readers: valid files in every format, mutated at random, must give a
scenario or a clear error, never an internal error, a traceback or a hang.

Each case is written to a file and read twice: through :func:`detente.scenario.files.read`
(a :class:`~detente.scenario.Scenario`, or an ``InputError`` naming the file, with a line for
syntax errors) and through ``detente validate FILE`` (exit status 0 or 2, no "internal error",
no traceback). Every case must finish within :data:`SECONDS`. The default tier runs about 80
cases (derandomized, so CI sees the same ones every time); ``-m slow`` runs 2,000 more.
"""

from __future__ import annotations

import contextlib
import io as stdio
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.errors import InputError, ScenarioError
from detente.scenario import Scenario, files
from strategies import scenarios

SECONDS = 5.0  # a case takes well under 1 s; 5 leaves room for a cold start on a busy CI machine
SUFFIX = {"yaml": ".yaml", "json": ".json", "ktab-csv": ".csv", "csv": ".csv", "ktab-xml": ".xml"}

# Fragments that have broken a parser before, or that a parser treats specially.
SNIPPETS = [
    "\n", " ", "\t", ",", ";", ":", ": ", "- ", "[", "]", "{", "}", "'", '"', "#", "&a ", "*a",
    "<<: *a\n", "!!python/object/apply:os.system [x]", "!!omap [{a: 1}]", "!foo ", "!!int ",
    "\n---\n", "\n...\n", "%YAML 1.1\n---\n", "? [1, 2]\n: 3\n", "~", "NO", ".nan", "-.inf",
    "1e999", "9" * 5000, "0o17", "2004-11-02", "1,5", "\ufeff", "\x00", "\x07", "\x85",
    "\u2028", "é", "[" * 300, "{a: " * 100, "a: &a [x, x]\nb: &b [*a, *a, *a]\n",
    "<!DOCTYPE x [<!ENTITY e 'x'>]>", "&e;", "<Actor>", "</Actor>", "<![CDATA[", "NaN",
    "x" * 140_000,
]  # fmt: skip


def _ktab_xml(s: Scenario) -> str:
    dims = "".join(f"<dName>{i}</dName>" for i in s.issue_ids)
    actors = "".join(
        f"<Actor><name>{a.id}</name><description>d</description>"
        f"<capability>{a.capability!r}</capability>"
        "<Position>"
        + "".join(f"<dCoord>{a.position[i]!r}</dCoord>" for i in s.issue_ids)
        + "</Position><Salience>"
        + "".join(f"<dSal>{a.salience[i]!r}</dSal>" for i in s.issue_ids)
        + "</Salience></Actor>"
        for a in s.actors
    )
    return (
        f"<?xml version='1.0'?>\n<Scenario>\n<name>{s.id}</name>\n<desc>x</desc>\n"
        "<ModelParameters><VictoryProbModel>Linear</VictoryProbModel><PCEModel>Conditional"
        "</PCEModel><StateTransitions>Deterministic</StateTransitions><VotingRule>Binary"
        "</VotingRule><BigRAdjust>Half</BigRAdjust><BigRRange>Mid</BigRRange>"
        "<ThirdPartyCommit>SemiCommit</ThirdPartyCommit><InterVecBrgn>S2P2</InterVecBrgn>"
        "<BargnModel>InitOnlyInterp</BargnModel></ModelParameters>\n"
        f"<Dimensions>{dims}</Dimensions>\n<Actors>\n{actors}\n</Actors>\n</Scenario>\n"
    )


def _text(scenario: Scenario, fmt: str) -> str:
    if fmt == "ktab-xml":
        return _ktab_xml(scenario)
    return files.dumps(scenario, fmt)


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> str:
    """A valid file in ``fmt``, then one to four edits: a snippet inserted, a span deleted or
    repeated, a line duplicated, a number replaced."""
    scenario = draw(scenarios(max_actors=4, max_issues=2))
    text = _text(scenario, fmt)
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            text = draw(st.sampled_from(SNIPPETS))
            continue
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "insert", "delete", "repeat", "line", "number"]))
        if kind == "insert":
            piece = draw(st.sampled_from(SNIPPETS) | st.text(max_size=4))
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif kind == "repeat":
            span = text[at : at + draw(st.integers(1, 40))]
            text = text[:at] + span * draw(st.integers(2, 5)) + text[at:]
        elif kind == "line":
            lines = text.split("\n")
            n = draw(st.integers(0, len(lines) - 1))
            lines.insert(n, lines[n])
            text = "\n".join(lines)
        else:
            number = draw(st.sampled_from(["-1", "1,5", "1e400", "NaN", "", "0x10", "9" * 30]))
            digits = [i for i, ch in enumerate(text) if ch.isdigit()]
            if digits:
                i = digits[draw(st.integers(0, len(digits) - 1))]
                text = text[:i] + number + text[i + 1 :]
    return text


def _check_read(path: Path) -> None:
    start = time.perf_counter()
    error: InputError | None = None
    try:
        result = files.read(path)
    except InputError as err:
        error = err
    assert time.perf_counter() - start < SECONDS
    if error is None:
        assert isinstance(result, Scenario)
    elif isinstance(error, ScenarioError):
        assert error.problems
        for problem in error.problems:
            assert problem.file == str(path), problem
            if "syntax error" in problem.message:
                assert problem.line is not None, problem
    else:
        assert str(path) in str(error), error


def _check_cli(path: Path) -> None:
    from detente.cli import main
    from detente.cli._console import state

    err, out = stdio.StringIO(), stdio.StringIO()
    start = time.perf_counter()
    code: Any = 0
    with (
        mock.patch.object(sys, "argv", ["detente", "validate", str(path)]),
        mock.patch.dict(state, {"debug": False}),
        contextlib.redirect_stderr(err),
        contextlib.redirect_stdout(out),
    ):
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code
    assert time.perf_counter() - start < SECONDS
    message = err.getvalue()
    assert code in (0, None, 2), (code, message)
    assert "internal error" not in message
    assert "Traceback" not in message
    if code == 2:
        assert path.name in message.replace("\n", ""), message


def _run(tmp_path: Path, fmt: str, text: str) -> None:
    path = tmp_path / f"case{SUFFIX[fmt]}"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    _check_read(path)
    _check_cli(path)


FAST = settings(
    max_examples=16,  # per format in the default tier; the slow tier runs 400
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW = settings(FAST, max_examples=400)


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_mutated_files_read_or_fail_clearly(tmp_path: Path, fmt: str) -> None:
    @FAST
    @given(text=mutated(fmt))
    def check(text: str) -> None:
        _run(tmp_path, fmt, text)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_many_mutated_files_read_or_fail_clearly(tmp_path: Path, fmt: str) -> None:
    @SLOW
    @given(text=mutated(fmt))
    def check(text: str) -> None:
        _run(tmp_path, fmt, text)

    check()


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_random_text_fails_clearly(tmp_path: Path, fmt: str) -> None:
    @settings(FAST, max_examples=8)
    @given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
    def check(text: str) -> None:
        _run(tmp_path, fmt, text)

    check()
