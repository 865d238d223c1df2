"""The scenario format's units, shared by the model and its checks."""

from __future__ import annotations

__all__ = ["SALIENCE_MAX", "plain_number"]

#: Saliences are given on 0-100; models receive them divided by 100.
SALIENCE_MAX = 100.0


def plain_number(x: float) -> float | int:
    """``4.0`` as ``4``, other numbers unchanged (for tidy YAML keys and messages)."""
    return int(x) if float(x).is_integer() else x
