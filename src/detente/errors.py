"""The few exceptions detente raises on purpose.

Every error a user can cause is an :class:`InputError` (the command line exits with status 2);
a failure inside a model is a :class:`ModelError` (status 1). A :class:`ScenarioError` carries one
:class:`Problem` per thing wrong with a scenario, each naming the file, the place (actor, issue,
field, and YAML line where known), what is wrong and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["DetenteError", "InputError", "ModelError", "Problem", "ScenarioError"]


class DetenteError(Exception):
    """Base class of every exception detente raises on purpose."""


class InputError(DetenteError):
    """Bad input or usage: a file, an option or a name the user gave is wrong."""


class ModelError(DetenteError):
    """A model failed at run time on input that passed validation."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    Attributes
    ----------
    where
        Human-readable location, e.g. ``actors[USA].capability``.
    message
        What is wrong, and what is allowed.
    path
        The location as keys and list indexes into the raw document, used to find ``line``.
    file
        The file the input came from, when it came from one.
    line
        1-based line in ``file`` where the parser knows it.
    """

    where: str
    message: str
    path: tuple[str | int, ...] = ()
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        origin = ""
        if self.file is not None:
            origin = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        elif self.line is not None:
            origin = f"line {self.line}: "
        where = f"{self.where}: " if self.where else ""
        return f"{origin}{where}{self.message}"


class ScenarioError(InputError):
    """A scenario (or a file meant to become one) is malformed.

    ``problems`` lists every problem found, so that a user can fix them all in one pass.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.problems)
        head = "1 problem" if n == 1 else f"{n} problems"
        return f"{head} in scenario:\n" + "\n".join(f"  {p}" for p in self.problems)

    def in_file(
        self, file: str | Path, lines: dict[tuple[str | int, ...], int] | None = None
    ) -> ScenarioError:
        """The same problems, attributed to ``file`` and, where ``lines`` knows, a line."""
        lines = lines or {}
        located = []
        for p in self.problems:
            line = p.line
            if line is None:
                line = _nearest_line(p.path, lines)
            located.append(replace(p, file=str(file), line=line))
        return ScenarioError(located)


def _nearest_line(
    path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> int | None:
    """Line of ``path`` or of its closest ancestor the parser recorded."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
