"""Array helpers shared by the static models."""

from __future__ import annotations

import numpy as np


def effective_power(c: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Capability times salience, ``c_i * s_ij``: (..., n) x (..., n, k) -> (..., n, k)."""
    w: np.ndarray = np.asarray(c, dtype=float)[..., :, None] * np.asarray(S, dtype=float)
    return w
