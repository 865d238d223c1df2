"""DEU III accuracy tables, the time they take, and the figures the package ships.

Runs ``backtest`` on the development half and on the test half with each capability source
(every registered model, the three baselines, and the calibration of ``compromise`` with 200
draws per issue), times each run, and writes:

- ``results/deu3.md``: every table, with wall times;
- ``src/detente/backtest/data/accuracy.json``: the scores on the 171 scoreable issues of the
  test half with equal capabilities (out of sample for every model, ``momentum`` included),
  which reports and docs read (``detente.backtest.bundled_accuracy``).

The test half is scored here only to report the final figures of choices made on the
development half (see docs/explanation/momentum.md); nothing is tuned from this output.
"""

from __future__ import annotations

import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from detente import __version__
from detente.backtest import backtest, load_deu3
from detente.backtest.accuracy import ACCURACY_PATH, accuracy_document

HERE = Path(__file__).parent
DRAWS = 200


def main() -> None:
    data = load_deu3()
    parts = [
        "# DEU III backtest",
        "",
        f"detente {__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {datetime.now(UTC):%Y-%m-%d}. Every registered model and the "
        f"baselines; calibration of compromise with {DRAWS} draws per issue.",
        "",
        "| split | capability | wall time (s) |",
        "|---|---|---|",
    ]
    tables = []
    for split in ("dev", "test"):
        for capability in ("equal", "gdp", "council"):
            start = time.perf_counter()
            bt = backtest(data, split=split, capability=capability, draws=DRAWS)
            seconds = time.perf_counter() - start
            parts.append(f"| {split} | {capability} | {seconds:.1f} |")
            tables.append(bt.to_markdown().replace("\n# ", "\n## ").replace("\n## ", "\n### "))
            print(f"{split} {capability}: {seconds:.1f} s")
    (HERE / "results" / "deu3.md").write_text("\n".join(parts) + "\n\n" + "\n".join(tables))
    doc = accuracy_document(backtest(data, split="test", capability="equal", n_boot=2000))
    ACCURACY_PATH.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {HERE / 'results' / 'deu3.md'} and {ACCURACY_PATH}")


if __name__ == "__main__":
    main()
