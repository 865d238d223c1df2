"""Optional compiled kernels: a model's numba module when numba is installed, else None.

numba is the optional extra ``fast``. A model's kernels are imported the first time a run
needs them, not when the model is imported (importing numba takes most of a second). Without
numba the model takes its numpy path, which gives bit-for-bit the same results, more slowly;
one ``RuntimeWarning`` per process and model says so.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

__all__ = ["on_compile", "optional_kernels"]

# who hears, once per module, that kernels are about to be compiled (the CLI says so on stderr)
_LISTENERS: list[Callable[[str], None]] = []


def on_compile(listener: Callable[[str], None]) -> None:
    """Call ``listener(module)`` when a kernels' module is loaded with no numba cache for it,
    that is before its first run compiles it (many seconds); not when the cache is warm."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


# held while deciding, so that two threads' first runs give one note between them
_DECIDING = threading.Lock()


def optional_kernels(module: str, note: str) -> ModuleType | None:
    """The kernels' module ``module``, or None when numba is not installed (then warn with
    ``note``, once per process)."""
    with _DECIDING:
        return _load(module, note)


@functools.cache
def _load(module: str, note: str) -> ModuleType | None:
    try:
        spec = importlib.util.find_spec(module)
        numba = importlib.util.find_spec("numba") is not None
        if _LISTENERS and numba and spec and spec.origin and not _cached(Path(spec.origin)):
            for listener in _LISTENERS:
                listener(module)
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name != "numba":  # a missing module of ours is a bug, not a lighter install
            raise
        warnings.warn(note, RuntimeWarning, stacklevel=4)  # at the model code that asked
        return None


def _cached(source: Path) -> bool:
    """Whether numba has an index of compiled functions of ``source`` (its ``.nbi`` files, in
    the ``__pycache__`` beside it or under ``NUMBA_CACHE_DIR``)."""
    pattern = f"{source.stem}.*.nbi"
    places = [source.parent / "__pycache__"]
    if os.environ.get("NUMBA_CACHE_DIR"):
        places.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    return any(next(place.rglob(pattern), None) is not None for place in places if place.is_dir())
