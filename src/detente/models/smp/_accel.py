"""Which kernels the SMP has: numba's compiled ones when numba is installed, else none.

numba is the optional extra ``fast``. It is imported on the first turn that needs a kernel,
not when the SMP is imported (importing numba takes most of a second). Without it the callers
take their numpy path, which gives bit-for-bit the same results, more slowly; one
``RuntimeWarning`` per process says so.
"""

from __future__ import annotations

import sys
from typing import Protocol, cast

import numpy as np

from detente.models._compiled import optional_kernels

__all__ = ["Kernels", "kernels"]

Array = np.ndarray

#: The note, once per process, when the kernels are absent.
NO_NUMBA = (
    "smp: numba is not installed, so the SMP runs on its numpy path: the same results, "
    "bit for bit, only slower; for the compiled kernels: pip install 'detente[fast]'"
)


class Kernels(Protocol):
    """What :mod:`detente.models.smp._kernels` offers its callers."""

    ADJUST_CODES: dict[str, int]
    BARGAIN_MAX_ISSUES: int
    COMMIT_CODES: dict[str, int]

    def third_party_sums(
        self,
        h: Array,
        i: Array,
        j: Array,
        c_ij: Array,
        c_ji: Array,
        dT: Array,
        r: Array,
        weight: Array,
        diag: Array,
        adjust: str,
        commit: str,
    ) -> tuple[Array, Array]: ...

    def l1_rows(self, VT: Array) -> Array: ...

    def greedy_unique(self, same: Array) -> Array: ...

    def bargain_utilities(
        self,
        own: Array,
        positions: Array,
        saliences: Array,
        r: Array,
        initiator: Array,
        receiver: Array,
        pos_init: Array,
        pos_rcvr: Array,
        row_sum: Array,
    ) -> Array: ...

    def positive_gaps(self, u: Array, lo: int, hi: int) -> Array: ...


#: Below this many actors the SMP keeps to its numpy path without importing numba, unless the
#: kernels are loaded already: importing numba and loading the cached kernels costs about a
#: second of CPU, more than the kernels save on inputs this small (KTAB's examples have 7-40
#: actors; 13 actors: 0.11 s a run on numpy, 0.09 s compiled). The results are the same.
COMPILED_MIN_ACTORS = 64
MODULE = "detente.models.smp._kernels"


def kernels(actors: int | None = None) -> Kernels | None:
    """The compiled kernels, or None when numba is not installed (then warn, once), or when
    ``actors`` is below :data:`COMPILED_MIN_ACTORS` and they are not loaded yet.

    Warns
    -----
    RuntimeWarning
        On the first call in a process without numba.
    """
    if actors is not None and actors < COMPILED_MIN_ACTORS and MODULE not in sys.modules:
        return None
    found = optional_kernels(MODULE, NO_NUMBA)
    return cast("Kernels | None", found)
