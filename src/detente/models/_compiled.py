"""Optional compiled kernels: a model's numba module when numba is installed, else None.

numba is the optional extra ``fast``. A model's kernels are imported the first time a run
needs them, not when the model is imported (importing numba takes most of a second). Without
numba the model takes its numpy path, which gives bit-for-bit the same results, more slowly;
one ``RuntimeWarning`` per process and model says so.
"""

from __future__ import annotations

import functools
import importlib
import threading
import warnings
from types import ModuleType

__all__ = ["optional_kernels"]

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
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name != "numba":  # a missing module of ours is a bug, not a lighter install
            raise
        warnings.warn(note, RuntimeWarning, stacklevel=4)  # at the model code that asked
        return None
