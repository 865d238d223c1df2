"""The accuracy of each model on DEU III, as the package's backtest ships it (when it does).

``benchmarks/run_deu3.py`` writes ``detente/backtest/data/accuracy.json`` (see
:func:`detente.backtest.bundled_accuracy`)::

    {"schema": "detente.accuracy/1", "dataset": "DEU III", "split": "test",
     "capability": "equal", "n_issues": 171,
     "models": [{"model": "compromise", "n": 171, "mae": 26.01, "rmse": 33.31, ...}, ...]}

The report reads those figures from the package, never from numbers typed in here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ACCURACY_SCHEMA", "accuracy_table", "load_accuracy"]

ACCURACY_SCHEMA = "detente.accuracy/1"


def load_accuracy() -> dict[str, Any] | None:
    """The bundled accuracy figures as a table for the report, or None when none are bundled."""
    from detente.backtest import bundled_accuracy

    document = bundled_accuracy()
    return None if document is None else accuracy_table(document)


def accuracy_table(document: dict[str, Any]) -> dict[str, Any] | None:
    """The figures of an accuracy document, ready to show (None if it is not one).

    Parameters
    ----------
    document
        A ``detente.accuracy/1`` document.

    Returns
    -------
    dict or None
        ``dataset``, ``split``, ``capability``, ``n_issues`` and ``rows`` (one per model with
        ``model``, ``mae``, ``rmse`` and ``within_10``, None where absent), best MAE first.

    Examples
    --------
    >>> t = accuracy_table({"schema": "detente.accuracy/1", "dataset": "DEU III",
    ...                     "split": "test", "n_issues": 2,
    ...                     "models": [{"model": "eum", "mae": 30.0},
    ...                                {"model": "compromise", "mae": 20.0}]})
    >>> [row["model"] for row in t["rows"]]
    ['compromise', 'eum']
    """
    if not isinstance(document, dict) or document.get("schema") != ACCURACY_SCHEMA:
        return None
    rows = []
    for entry in document.get("models") or []:
        if not isinstance(entry, dict) or "model" not in entry:
            continue
        rows.append(
            {
                "model": str(entry["model"]),
                "mae": _number(entry.get("mae")),
                "rmse": _number(entry.get("rmse")),
                "within_10": _number(entry.get("within_10")),
            }
        )
    rows.sort(key=lambda r: (r["mae"] is None, r["mae"] or 0.0, r["model"]))
    return {
        "dataset": str(document.get("dataset", "DEU III")),
        "split": str(document.get("split", "")),
        "capability": str(document.get("capability", "")),
        "n_issues": document.get("n_issues"),
        "rows": rows,
    }


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
