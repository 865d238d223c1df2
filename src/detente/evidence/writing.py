"""Writing a draft: its YAML, and the source files its quotes are checked against."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from detente.evidence.extract import Extraction

__all__ = ["draft_yaml", "source_files"]

_HEADER = (
    "# A draft scenario written by detente extract. Every quote is the article's own words.\n"
    "# Before it can be forecast: add the issues, each actor's capability, position and\n"
    "# salience (detente validate lists each missing number), check each quote's actor and\n"
    "# what it supports, then delete the line 'draft: true'.\n"
)


def draft_yaml(document: dict[str, Any]) -> str:
    """The draft as YAML, with a header saying what is left to do."""
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.allow_unicode = True
    yaml.representer.ignore_aliases = lambda *args: True  # a date twice is no anchor
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return _HEADER + buffer.getvalue()


def source_files(
    found: list[Extraction], output: Path
) -> tuple[list[str], list[tuple[Path, str]], str]:
    """The ``file`` each source entry of the draft at ``output`` cites, the files to write
    beside it (the text of HTML pages, which quotes are checked against), and a hint for
    ``detente validate`` when the articles lie in another folder (``--sources``)."""
    folder = output.parent
    names: list[str] = []
    extra: list[tuple[Path, str]] = []
    elsewhere: set[Path] = set()
    for result in found:
        path = Path(result.article.name)
        if result.article.from_html:
            text_file = folder / f"{output.stem}.{path.stem}.txt"
            extra.append((text_file, result.article.raw))
            names.append(text_file.name)
            continue
        try:
            names.append(str(path.resolve().relative_to(folder.resolve())))
        except ValueError:
            names.append(path.name)
            elsewhere.add(path.parent)
    hint = ""
    if len(elsewhere) == 1:
        hint = f" --sources {next(iter(elsewhere))}"
    elif elsewhere:
        hint = " --sources FOLDER (the articles' folder)"
    return names, extra, hint
