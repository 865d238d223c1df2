"""Shared fixtures: the shared/ folder beside the project, and a CLI runner."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared`` beside the project (CI and every developer have it)."""
    if not (SHARED / "reference").is_dir():
        pytest.fail(f"{SHARED} is missing: the reference data must sit beside the project")
    return SHARED


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run ``detente ARGS`` in-process through its real entry point (error handling included)."""
    from detente import cli as cli_module
    from detente.cli import _console

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["detente", *args])
        monkeypatch.setitem(_console.state, "debug", False)
        code = 0
        try:
            cli_module.main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
