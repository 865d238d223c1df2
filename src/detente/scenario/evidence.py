"""The evidence check: every quote of a scenario found verbatim in its source document.

A source's ``file`` is looked up beside the scenario file, then in ``--sources``; it must lie
inside the folder it is found in, and is read only when it is a regular file of at most
:data:`MAX_SOURCE_BYTES`. A file that is not found leaves its quotes unchecked, which is never
silent: :func:`verify_quotes` warns, and ``detente validate`` fails.
"""

from __future__ import annotations

import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.errors import InputError, Problem, ScenarioError
from detente.scenario._text import _looks_like_utf16, not_utf8
from detente.scenario.model import Scenario

__all__ = [
    "MAX_SOURCE_BYTES",
    "QuoteCheck",
    "check_quotes",
    "quote_in_file",
    "sources_folder",
    "squash",
    "verify_quotes",
]

Path_ = tuple[str | int, ...]


def sources_folder(folder: str | Path) -> Path:
    """``--sources``: a folder that exists (a missing one would switch the quote check off)."""
    folder = Path(folder)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "no such folder"
        raise InputError(f"--sources {folder}: {what}; give the folder holding the source files")
    return folder


def verify_quotes(
    scenario: Scenario, folders: list[Path], file: str, lines: dict[Path_, int] | None = None
) -> QuoteCheck:
    """:func:`check_quotes`, raising its problems (attributed to ``file`` and its lines) and
    warning of each source file not found (its quotes go unchecked)."""
    result = check_quotes(scenario, folders)
    if result.problems:
        raise ScenarioError(result.problems).in_file(file, lines or {})
    for problem in ScenarioError(result.missing).in_file(file, lines or {}).problems:
        warnings.warn(str(problem), UserWarning, stacklevel=2)
    return result


#: Larger source documents are refused unread (a long news article is well under 1 MB).
MAX_SOURCE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class QuoteCheck:
    """What :func:`check_quotes` found.

    ``checked`` quotes were compared with their source; ``unchecked`` had no source file to
    compare with: its source gives no ``file``, or (``missing``) the file was not found.
    ``problems`` are quotes not found verbatim, and source files refused (outside the folders,
    too large, unreadable).
    """

    checked: int
    unchecked: int
    problems: tuple[Problem, ...]
    missing: tuple[Problem, ...] = ()


def check_quotes(scenario: Scenario, folders: list[Path]) -> QuoteCheck:
    """Check every evidence quote appears verbatim in its source file, where the file is found.

    A source's ``file`` is looked up in each of ``folders`` in turn (the scenario's own folder,
    then ``--sources``), and must lie inside the folder it is found in: a path that leaves them
    (``../``, an absolute path elsewhere, a link out) is refused unread, whether or not it
    exists. Quotes of actors added by timeline events are checked like the others.

    Whitespace runs (line breaks in YAML, double spaces in web text) count as one space;
    everything else must match exactly, punctuation and case included.
    """
    texts: dict[str, str | None] = {}
    problems: list[Problem] = []
    missing: list[Problem] = []
    for n, source in enumerate(scenario.sources):
        texts[source.id] = None
        if not source.file:
            continue
        where = f"sources[{source.id}].file"
        try:
            texts[source.id] = _source_text(source.file, folders)
        except _SourceRefused as err:
            problems.append(Problem(where, str(err), ("sources", n, "file")))
            continue
        if texts[source.id] is None:
            looked = " or ".join(str(f) for f in folders) or "no folder"
            missing.append(
                Problem(
                    where,
                    f"source file {source.file!r} not found in {looked}, so the quotes from "
                    f"'{source.id}' are not checked; give the folder holding it with --sources",
                    ("sources", n, "file"),
                )
            )
    checked = unchecked = 0
    for path, where, item in _evidence(scenario):
        text = texts.get(item.source)
        if text is None:
            unchecked += 1
            continue
        checked += 1
        if squash(item.quote) not in text:
            problems.append(
                Problem(
                    f"{where}.quote",
                    f"quote not found verbatim in source '{item.source}': "
                    f"{_short(item.quote)!r}; copy the words exactly as they appear",
                    (*path, "quote"),
                )
            )
    return QuoteCheck(checked, unchecked, tuple(problems), tuple(missing))


def _evidence(scenario: Scenario) -> Iterator[tuple[Path_, str, Any]]:
    """Every evidence item with its path into the document and its place in words: the
    actors', then those of actors added by timeline events and their branches."""
    placed: list[tuple[Path_, str, Any]] = [
        (("actors", n), f"actors[{a.id}]", a) for n, a in enumerate(scenario.actors)
    ]
    for t, event in enumerate(scenario.timeline):
        for n, a in enumerate(event.add_actors):
            placed.append(
                (("timeline", t, "add_actors", n), f"timeline[{t}].add_actors[{a.id}]", a)
            )
        for name, branch in event.branches.items():
            for n, a in enumerate(branch.add_actors):
                placed.append(
                    (
                        ("timeline", t, "branches", name, "add_actors", n),
                        f"timeline[{t}].branches.{name}.add_actors[{a.id}]",
                        a,
                    )
                )
    for path, where, actor in placed:
        for e, item in enumerate(actor.evidence):
            yield (*path, "evidence", e), f"{where}.evidence[{e}]", item


def quote_in_file(quote: str, file: str, folder: Path) -> bool:
    """Whether ``quote`` appears verbatim in the source ``file`` of ``folder``, by the rules of
    :func:`check_quotes` (whitespace runs count as one space; nothing else is forgiven).

    Raises
    ------
    InputError
        The file is not in the folder, or is refused (outside it, too large, not UTF-8).
    """
    try:
        text = _source_text(file, [folder])
    except _SourceRefused as err:
        raise InputError(f"source {file}: {err}") from None
    if text is None:
        raise InputError(f"source file {file!r} not found in {folder}")
    return squash(quote) in text


class _SourceRefused(Exception):
    """A source file that is not read: outside the folders, too large, not a file."""


def _source_text(file: str, folders: list[Path]) -> str | None:
    """The source's text (whitespace squashed), None when no folder has it."""
    inside = False  # the path lies in one of the folders (found there or not)
    for folder in folders:
        base = folder.resolve()
        try:
            candidate = (base / file).resolve()
        except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long
            raise _SourceRefused(f"{file!r} is not a usable file name") from None
        if not candidate.is_relative_to(base):
            continue
        inside = True
        try:
            info = candidate.stat()
        except (OSError, ValueError):
            continue
        if not stat.S_ISREG(info.st_mode):
            raise _SourceRefused(f"{file!r} is not a regular file")
        if info.st_size > MAX_SOURCE_BYTES:
            raise _SourceRefused(
                f"{file!r} is {info.st_size / 1024**2:.1f} MB; source documents are limited to "
                f"{MAX_SOURCE_BYTES // 1024**2} MB"
            )
        try:
            raw = candidate.read_bytes()
        except OSError as err:
            raise _SourceRefused(f"{file!r} cannot be read: {err.strerror}") from None
        return squash(_decoded(file, raw))
    if not inside:
        raise _SourceRefused(
            f"{file!r} is outside the scenario's folder and --sources: a source file must lie in "
            "one of them (give --sources FOLDER to name the folder that holds it)"
        )
    return None


def _decoded(file: str, raw: bytes) -> str:
    """The source as UTF-8 text; another encoding is named, never read with replacement
    characters (an honest quote would then not be found, and a mangled one would)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if _looks_like_utf16(raw):
            raise _SourceRefused(f"{file!r} looks like UTF-16 text; save it as UTF-8") from None
        raise _SourceRefused(f"{file!r} {not_utf8(raw, err)}") from None


def squash(text: str) -> str:
    """``text`` with every run of whitespace one space: how a quote is compared with its
    source (nothing else is forgiven)."""
    return " ".join(text.split())


def _short(text: str, limit: int = 80) -> str:
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
