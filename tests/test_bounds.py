"""Options that asked for unbounded work or ended in an internal error: each is refused with
an InputError (exit 2) naming the option and its bound, before any work."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # an OverflowError before the bound
        (
            ["simulate", "six-party-2004", "--engine", "processes", "--workers", HUGE],
            "at most 1,024 worker processes",
        ),
        (["sweep", "SWEEP", "--engine", "processes", "--workers", HUGE], "at most 1,024 worker"),
        # a ValueError from dask's Client
        (
            ["simulate", "six-party-2004", "--engine", "dask", "--scheduler", "garbage"],
            "the Dask scheduler address 'garbage' is malformed",
        ),
        (
            ["simulate", "six-party-2004", "--engine", "dask", "--scheduler", "tcp://h:port"],
            "the Dask scheduler address 'tcp://h:port' is malformed",
        ),
        (
            ["sweep", "SWEEP", "--engine", "dask", "--scheduler", "tcp://h:99999"],
            "has the port 99999; ports are 1 to 65535",
        ),
    ],
)
def test_engine_options_are_bounded_before_any_work(
    cli: Any, sweep_spec: str, args: list[str], message: str
) -> None:
    started = time.perf_counter()
    result = cli(*[sweep_spec if a == "SWEEP" else a for a in args], "--no-store")
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err
    assert time.perf_counter() - started < 2


@pytest.fixture
def sweep_spec(tmp_path: Any) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(
        "scenario: six-party-2004\nmodels: [median]\n"
        "vary:\n  - {input: USA.position.disarmament, min: 50, max: 100, step: 10}\n",
        encoding="utf-8",
    )
    return str(path)


def test_engine_bounds_in_the_api() -> None:
    import detente
    from detente.errors import InputError
    from detente.simulate import simulate
    from detente.simulate.engines import MAX_WORKERS

    s = detente.bundled("emission-1994")
    # in-process, so that a regression starts no 1,025 processes
    with pytest.raises(InputError, match="--workers is 1,025; at most 1,024 worker processes"):
        simulate(s, ["median"], draws=2, engine="in-process", workers=MAX_WORKERS + 1)
    with pytest.raises(InputError, match="unknown address scheme"):
        simulate(s, ["median"], draws=2, engine="dask", scheduler="foo://x:1")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="Linux's /proc/self/mem")
def test_a_file_that_fails_while_read_is_an_input_error(cli: Any, tmp_path: Path) -> None:
    """/proc/self/mem is a regular file whose reading fails with EIO: an internal OSError."""
    link = tmp_path / "mem.yaml"
    link.symlink_to("/proc/self/mem")
    for args in (
        ["validate", str(link)],
        ["forecast", str(link), "--no-store"],
        ["sweep", str(link), "--no-store"],
        ["backtest", "--data", str(link), "-m", "compromise", "--no-store"],
    ):
        result = cli(*args)
        assert result.code == 2, (args, result.err)
        assert str(link) in result.err
        assert "Input/output error" in result.err
        assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # ran on and on: --rounds was capped, --round raised the model's limit past the cap
        (["--round", "1000000"], "--round is 1,000,000; at most 10,000"),
        (["--round", HUGE], "--round is 99,999,999,999,999,999,999; at most 10,000"),
        # no cap at all; simulate's is detente.simulate.MAX_DRAWS
        (["--draws", "100000000"], "--draws is 100,000,000; give 1 to 10,000,000 draws"),
    ],
)
def test_dyads_round_and_draws_are_bounded(cli: Any, args: list[str], message: str) -> None:
    started = time.perf_counter()
    result = cli("dyads", "six-party-2004", *args)
    assert result.code == 2, result.err
    assert message in result.err
    assert time.perf_counter() - started < 2


def test_pair_risks_bounds_in_the_api() -> None:
    import detente
    from detente.analysis.dyads import pair_risks
    from detente.errors import InputError

    s = detente.bundled("six-party-2004")
    with pytest.raises(InputError, match="at most 10,000"):
        pair_risks(s, round=10_001, draws=1)
    with pytest.raises(InputError, match="give 1 to 10,000,000 draws"):
        pair_risks(s, draws=10_000_001)
    with pytest.raises(InputError, match="give 1 to 10,000,000 draws"):
        pair_risks(s, draws=0)
