"""The accuracy figures detente ships: every model's scores on all of DEU III.

``data/accuracy.json`` holds the scores of every registered model and baseline on the 171
scoreable issues of the DEU III test half with equal capabilities (out of sample for every
model, including ``momentum``, whose options were chosen on the development half), as
``benchmarks/run_deu3.py`` computed them; reports and docs read them from here rather than
typing numbers in, and a test checks that a fresh backtest still gives them.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from detente.backtest.run import Backtest

__all__ = ["ACCURACY_PATH", "ACCURACY_SCHEMA", "accuracy_document", "bundled_accuracy"]

#: Version tag of the shipped accuracy document.
ACCURACY_SCHEMA = "detente.accuracy/1"
#: Where the source tree keeps the document (the benchmark script writes it).
ACCURACY_PATH = Path(__file__).parent / "data" / "accuracy.json"
_KEYS = ("n", "mae", "rmse", "median_ae", "within_5", "within_10", "within_20")


def accuracy_document(bt: Backtest) -> dict[str, Any]:
    """The ``detente.accuracy/1`` document of a backtest: scores rounded to 4 decimals."""
    rows = []
    for r in bt.scores().to_dict(orient="records"):
        row: dict[str, Any] = {"model": str(r["model"])}
        for key in _KEYS:
            row[key] = int(r[key]) if key == "n" else round(float(r[key]), 4)
        row["baseline"] = r["model"] not in bt.models
        rows.append(row)
    return {
        "schema": ACCURACY_SCHEMA,
        "dataset": "DEU III",
        "split": bt.split,
        "capability": bt.capability,
        "n_issues": int(bt.frame[["proposal", "issue"]].drop_duplicates().shape[0]),
        "detente_version": bt.detente_version,
        "models": rows,
    }


def bundled_accuracy() -> dict[str, Any] | None:
    """The shipped accuracy document, or None when this installation has none.

    >>> doc = bundled_accuracy()
    >>> doc["dataset"], doc["n_issues"], doc["models"][0]["model"]
    ('DEU III', 171, 'compromise')
    """
    resource = resources.files("detente.backtest") / "data" / "accuracy.json"
    if not resource.is_file():
        return None
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data
