"""Every code sample in the README and docs runs.

Python samples (``>>>``) run as doctests through pytest's ``--doctest-glob``. Here, every
``$ detente ...`` line of a page's ``console`` blocks runs in order, in one fresh directory per
page, through the real entry point, and must exit 0.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def commands(page: Path) -> list[list[str]]:
    found = []
    for block in FENCE.findall(page.read_text(encoding="utf-8")):
        for line in block.splitlines():
            if line.startswith("$ "):
                argv = shlex.split(line[2:])
                assert argv[0] == "detente", f"{page}: console samples run detente only: {line}"
                found.append(argv[1:])
    return found


def test_pages_have_samples() -> None:
    assert sum(len(commands(p)) for p in PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_console_samples_run(
    page: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in commands(page):
        result = cli(*argv)
        assert result.code == 0, f"{page.name}: detente {' '.join(argv)}\n{result.err}"


def test_internal_links_resolve() -> None:
    for page in PAGES:
        for target in re.findall(
            r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")
        ):
            assert (page.parent / target).resolve().exists(), f"{page}: broken link {target}"
