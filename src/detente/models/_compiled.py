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
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

__all__ = ["numba_installed", "on_compile", "optional_kernels"]

# who hears, once per module, that kernels are about to be compiled (the CLI says so on stderr)
_LISTENERS: list[Callable[[str], None]] = []


def on_compile(listener: Callable[[str], None]) -> None:
    """Call ``listener(module)`` when a kernels' module is loaded with no numba cache for it,
    that is before its first run compiles it (many seconds); not when the cache is warm."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


@functools.cache
def numba_installed() -> bool:
    """Whether numba can be imported (without importing it): a path that takes the kernels
    only when they pay asks this first, so that a lighter install is not warned about kernels
    no run needed."""
    return importlib.util.find_spec("numba") is not None


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
        return _import(module)
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


#: Idle threads of numba's parallel regions sleep instead of spinning (OpenMP, numba's default
#: threading layer with GNU OpenMP, reads this when numba first starts its threads): spinning
#: threads take the cores that the working threads, and other programs, need; on a machine with
#: another busy core, the SMP ran 5-12x slower with them. A value the user set is kept.
WAIT_POLICY = {"OMP_WAIT_POLICY": "PASSIVE"}


def _import(module: str) -> ModuleType | None:
    """Import a kernels' module; where numba finds no writable cache (a read-only install and
    home folder) use a private one in the temporary folder, and failing that the numpy path."""
    for name, value in WAIT_POLICY.items():
        os.environ.setdefault(name, value)
    try:
        return importlib.import_module(module)
    except RuntimeError as err:  # numba: "cannot cache function ...: no locator available"
        if "cannot cache" not in str(err):
            raise
        sys.modules.pop(module, None)
    config = importlib.import_module("numba.core.config")
    setattr(config, "CACHE_DIR", str(_private_cache()))  # noqa: B010 (read by numba's first locator)
    try:
        return importlib.import_module(module)
    except RuntimeError as err:
        if "cannot cache" not in str(err):
            raise
        sys.modules.pop(module, None)
        warnings.warn(
            f"{module}: numba can write its cache nowhere (the install, the home folder and the "
            "temporary folder are read-only); the numpy path runs instead: the same results, "
            "more slowly. Set NUMBA_CACHE_DIR to a writable folder to compile.",
            RuntimeWarning,
            stacklevel=5,
        )
        return None


def _private_cache() -> Path:
    """``detente-numba-UID`` in the temporary folder when it is ours alone (numba loads pickles
    from its cache: a folder someone else could write is never used), else a fresh one."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = Path(tempfile.gettempdir()) / f"detente-numba-{uid if uid is not None else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_mode & 0o077 == 0 and info.st_uid == uid:
            return folder
    except OSError:
        pass
    try:
        return Path(tempfile.mkdtemp(prefix="detente-numba-"))
    except OSError:
        return folder  # nowhere writable: the import fails again and the numpy path runs
