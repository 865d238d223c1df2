"""Compile the numba kernels into their cache once, before the test tier's workers need them.

numba compiles a kernel on its first call and caches it beside its module; on a fresh clone the
cache is empty, and each of the tier's two worker processes would compile every kernel itself,
under coverage, which traces numba's compiler line by line (1-2 minutes each). Run once before
the tier (``make pytest``): about a minute on a cold cache, two seconds on a warm one.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from detente.models import solve
from detente.models.exchange import rounds

if __name__ == "__main__":
    start = time.perf_counter()
    rng = np.random.default_rng(1)
    n = 70  # from 64 actors the SMP takes its kernels
    c, X, S = rng.uniform(1, 100, n), rng.uniform(0, 100, (n, 2)), rng.uniform(0.1, 0.5, (n, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a run that does not settle
        solve("smp", c, X, S)
        rounds.COMPILED_FROM = 0  # every round on the exchange model's kernel
        solve("exchange", c[:20], X[:20], S[:20])
    print(f"numba kernels compiled or loaded in {time.perf_counter() - start:.1f} s")
