"""What differs between two stored scenario copies, as lines a person reads (``runs compare``).

Scenario copies are plain JSON data. Lists whose items all have an ``id`` (actors, issues,
sources, groups) are matched by id, so that an actor moved in the file is not a difference;
other lists are matched by position. Each difference is one line: where (``actors[USA].position
.disarmament``), the value in A and the value in B.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["Difference", "scenario_differences"]

#: A difference: where, the value in A, the value in B.
Difference = tuple[str, str, str]

_ABSENT = object()
#: Longest value shown; a longer one is cut with an ellipsis.
_WIDTH = 40


def scenario_differences(a: Any, b: Any) -> list[Difference]:
    """Every input that differs between two scenario copies, in the order of the copies.

    Examples
    --------
    >>> a = {"actors": [{"id": "USA", "capability": 1.0, "position": {"x": 80}}]}
    >>> b = {"actors": [{"id": "USA", "capability": 1.0, "position": {"x": 70}}]}
    >>> scenario_differences(a, b)
    [('actors[USA].position.x', '80', '70')]
    """
    found: list[Difference] = []
    _walk(a, b, "", found)
    return found


def _walk(a: Any, b: Any, where: str, found: list[Difference]) -> None:
    if a is b or (a == b and isinstance(a, bool) == isinstance(b, bool)):
        return  # 80 and 80.0 are the same input; true and 1 are not
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            _walk(a.get(key, _ABSENT), b.get(key, _ABSENT), _join(where, str(key)), found)
    elif isinstance(a, list) and isinstance(b, list) and _keyed(a) and _keyed(b):
        left = {item["id"]: item for item in a}
        right = {item["id"]: item for item in b}
        for key in dict.fromkeys([*left, *right]):
            _walk(left.get(key, _ABSENT), right.get(key, _ABSENT), f"{where or '.'}[{key}]", found)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(x, y, f"{where or '.'}[{n}]", found)
    else:
        found.append((where or "(the scenario)", _text(a), _text(b)))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _keyed(items: list[Any]) -> bool:
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    return (
        len(ids) == len(items)
        and all(isinstance(i, str) for i in ids)
        and len(set(ids)) == len(ids)
    )


def _text(value: Any) -> str:
    if value is _ABSENT:
        return "(none)"
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return f"({value['id']})"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."
