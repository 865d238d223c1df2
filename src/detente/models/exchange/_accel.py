"""The exchange model's compiled kernel when numba is installed, else None.

numba is the optional extra ``fast``. It is imported the first time a round needs the kernel,
not when the model is imported (importing numba takes most of a second). Without it the model
takes its numpy path, which gives bit-for-bit the same results, more slowly; one
``RuntimeWarning`` per process says so.
"""

from __future__ import annotations

from types import ModuleType

from detente.models._compiled import optional_kernels

__all__ = ["NO_NUMBA", "kernels"]

#: The note, once per process, when the kernel is absent.
NO_NUMBA = (
    "exchange: numba is not installed, so the exchange model runs on its numpy path: the same "
    "results, bit for bit, only slower; for the compiled kernel: pip install 'detente[fast]'"
)


def kernels() -> ModuleType | None:
    """The compiled kernel's module, or None when numba is not installed (then warn, once)."""
    return optional_kernels("detente.models.exchange._kernels", NO_NUMBA)
