"""JSON text to plain data, refusing what :mod:`json` lets through: duplicate keys (the last
one silently wins), NaN and Infinity, nesting deep enough to exhaust the stack, and integers
too long to convert."""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from typing import Any

from detente.errors import Problem, ScenarioError

__all__ = ["parse"]

#: Deepest nesting of objects and arrays accepted (a scenario needs about 8).
MAX_DEPTH = 32
MAX_INT_DIGITS = 4300

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_COLON = re.compile(r"\s*:")


class _Refused(ValueError):
    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.line: int | None = None


def parse(text: str, file: str) -> Any:
    """The JSON document in ``text``.

    Raises
    ------
    ScenarioError
        A syntax error, a duplicate key, NaN or Infinity, too deep, too long an integer;
        naming ``file`` and, where known, the line.
    """

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem("", message, file=file, line=line)])

    _check_depth(text, fail)
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_int=_int, object_pairs_hook=_unique
        )
    except json.JSONDecodeError as err:
        raise fail(f"JSON syntax error: {err.msg}", err.lineno) from None
    except _Refused as err:
        line = _duplicate_line(text) if err.key is not None else None
        raise fail(f"JSON error: {err}", line) from None
    except (ValueError, RecursionError) as err:
        raise fail(f"JSON error: {err}") from None


def _check_depth(text: str, fail: Any) -> None:
    """Refuse objects and arrays nested deeper than :data:`MAX_DEPTH` before parsing (the
    parser recurses once per level); text inside strings is skipped."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise fail(
                    f"objects and arrays are nested more than {MAX_DEPTH} levels deep; a "
                    "scenario needs fewer than 10",
                    line,
                )
        elif token in "]}":
            depth = max(0, depth - 1)


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows")


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(
            f"a number of {len(digits.lstrip('-')):,} digits; integers are limited to "
            f"{MAX_INT_DIGITS:,} digits"
        )
    return int(digits)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {key!r}; each key may appear once in an object", key=key)
        out[key] = value
    return out


def _duplicate_line(text: str) -> int | None:
    """The line of the first duplicate key (parsed again, slowly, with the pure-Python scanner,
    which tells where each object starts)."""
    decoder = json.JSONDecoder(
        parse_constant=_no_constant, parse_int=_int, object_pairs_hook=_unique
    )

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> Any:
        try:
            return json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
        except _Refused as err:
            if err.line is None and err.key is not None:
                err.line = _second_key_line(*s_and_end, err.key)
            raise

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        decoder.decode(text)
    except _Refused as err:
        return err.line
    except (ValueError, RecursionError):
        return None
    return None


def _second_key_line(text: str, start: int, key: str) -> int:
    """The line where ``key`` appears the second time among the keys of the object whose text
    starts at ``start`` (the line of the object's start if it cannot be told)."""
    depth = seen = 0
    for match in _TOKENS.finditer(text, start):
        token = match.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and _COLON.match(text, match.end()) and json.loads(token) == key:
            seen += 1
            if seen == 2:
                return text.count("\n", 0, match.start()) + 1
    return text.count("\n", 0, start) + 1
