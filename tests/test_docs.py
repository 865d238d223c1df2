"""Every code sample in the README and docs runs.

Python samples (``>>>``) run as doctests through pytest's ``--doctest-glob``. Here, every
``$ detente ...`` line of a page's ``console`` blocks runs in order, in one fresh directory per
page, through the real entry point, and must exit 0.
"""

from __future__ import annotations

import os
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


# --- the model table, made from the registry ----------------------------------------------------

INDEX = ROOT / "docs" / "index.md"
BEGIN, END = "<!-- models: made from the registry -->", "<!-- end of models -->"


def model_table() -> str:
    """The model table of docs/index.md, from the registry: nothing typed in by hand."""
    from detente import models

    lines = [
        "| Model | What it does | Runs | Reference |",
        "| --- | --- | --- | --- |",
    ]
    for info in models.registered():
        kind = "in rounds" if info.iterative else "once"
        if info.iterative and info.dimensions == "multi":
            kind += ", all issues jointly"
        lines.append(
            f"| [`{info.name}`](explanation/{info.name}.md) | {info.summary} | {kind} | "
            f"{info.reference} |"
        )
    return "\n".join(lines)


def test_the_model_table_is_made_from_the_registry() -> None:
    text = INDEX.read_text(encoding="utf-8")
    head, found, tail = text.partition(BEGIN)
    assert found, f"docs/index.md has no '{BEGIN}' marker"
    body, found, rest = tail.partition(END)
    assert found, f"docs/index.md has no '{END}' marker"
    wanted = "\n" + model_table() + "\n"
    if os.environ.get("DETENTE_UPDATE_DOCS"):
        INDEX.write_text(head + BEGIN + wanted + END + rest, encoding="utf-8")
        body = wanted
    assert body == wanted, (
        "docs/index.md's model table differs from the registry; rerun with DETENTE_UPDATE_DOCS=1"
    )


def test_every_model_has_its_explanation_page() -> None:
    from detente import models

    for name in models.names():
        assert (ROOT / "docs" / "explanation" / f"{name}.md").is_file(), name
