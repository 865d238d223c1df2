"""The exchange model's compiled kernel when numba is installed, else None.

numba is the optional extra ``fast``. It is imported the first time a round needs the kernel,
not when the model is imported (importing numba takes most of a second). Without it the model
takes its numpy path, which gives bit-for-bit the same results, more slowly; one
``RuntimeWarning`` per process says so.
"""

from __future__ import annotations

import functools
import threading
import warnings
from types import ModuleType

__all__ = ["NO_NUMBA", "kernels"]

#: The note, once per process, when the kernel is absent.
NO_NUMBA = (
    "exchange: numba is not installed, so the exchange model runs on its numpy path: the same "
    "results, bit for bit, only slower; for the compiled kernel: pip install 'detente[fast]'"
)

# held while deciding, so that two threads' first rounds give one note between them
_DECIDING = threading.Lock()


def kernels() -> ModuleType | None:
    """The compiled kernel's module, or None when numba is not installed (then warn, once)."""
    with _DECIDING:
        return _load()


@functools.cache
def _load() -> ModuleType | None:
    try:
        from detente.models.exchange import _kernels
    except ModuleNotFoundError as err:
        if err.name != "numba":  # a missing module of ours is a bug, not a lighter install
            raise
        warnings.warn(NO_NUMBA, RuntimeWarning, stacklevel=4)
        return None
    return _kernels
