"""Settings for every test, doctest and docs sample the suite runs (tests/, src/, docs/)."""

from __future__ import annotations

import os

import pytest

# Sphinx's settings, not a module of doctests: importing it (--doctest-modules over docs/) would
# put its path into sys.path of the test process.
collect_ignore = ["docs/conf.py"]


@pytest.fixture(autouse=True, scope="session")
def _private_run_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Runs made by the tests (and their subprocesses) go to a scratch store, never the user's."""
    os.environ["DETENTE_STORE"] = str(tmp_path_factory.mktemp("store") / "runs.db")


# The workbench's modules import FastAPI: without the `web` extra their doctests are not collected
# (tests/test_web*.py skip themselves).
try:
    import fastapi  # noqa: F401
except ImportError:
    collect_ignore_glob = ["src/detente/web/*"]
