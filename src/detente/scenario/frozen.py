"""Read-only dicts and lists for the scenario's fields.

A :class:`~detente.scenario.Scenario` is validated once, when built; a field that could be
changed in place afterwards (``s.actor("USA").position["x"] = 250``) would skip every check and
reach the models. Its mappings and lists are therefore these read-only subclasses of ``dict``
and ``list``: they read, compare, serialise, copy and pickle as the built-in types do, and every
method that would change them raises :class:`TypeError` naming the supported way
(:meth:`~detente.scenario.Scenario.with_input`, or a what-if override).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from pydantic import AfterValidator

__all__ = ["FrozenDict", "FrozenList", "ReadOnlyDict", "ReadOnlyList"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

_HOW = (
    "a scenario is read-only once validated; change an input with "
    "scenario.with_input('ACTOR.position.ISSUE', value) or detente.scenario.apply_overrides, "
    "which check it again"
)


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(_HOW)


class FrozenDict(dict[K, V]):
    """A ``dict`` that refuses every change."""

    __setitem__ = __delitem__ = _refuse
    update = pop = popitem = clear = setdefault = _refuse
    __ior__ = _refuse

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        import copy

        return type(self)({k: copy.deepcopy(v, memo) for k, v in self.items()})


class FrozenList(list[T]):
    """A ``list`` that refuses every change."""

    __setitem__ = __delitem__ = _refuse
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple[type[FrozenList[T]], tuple[list[T]]]:
        return (type(self), (list(self),))

    def __copy__(self) -> FrozenList[T]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenList[T]:
        import copy

        return type(self)(copy.deepcopy(v, memo) for v in self)


def _frozen_dict(value: Mapping[Any, Any]) -> FrozenDict[Any, Any]:
    return FrozenDict(value)


def _frozen_list(value: Iterable[Any]) -> FrozenList[Any]:
    return FrozenList(value)


#: ``ReadOnlyDict[dict[K, V]]``-style annotations: validated as the inner type, then frozen.
ReadOnlyDict = AfterValidator(_frozen_dict)
ReadOnlyList = AfterValidator(_frozen_list)
