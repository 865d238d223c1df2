"""Benchmark of start-up: how long before detente answers.

Each case is a whole process, timed from the outside (wall time of ``subprocess.run``), run
``REPEATS`` times after one warm-up run (the operating system's file cache warm, as when a user
runs a second command); the table gives the median, the fastest and the slowest run, beside the
machine's load average. ``python -c pass`` is the floor: the interpreter starting and stopping.
Writes ``results/startup.md``.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from detente import __version__

REPEATS = 15
BIN = Path(sys.executable).parent

CASES = [
    # (what, argv, target in seconds or None)
    ("python -c pass (the floor)", [sys.executable, "-c", "pass"], None),
    ("python -c 'import detente'", [sys.executable, "-c", "import detente"], 0.5),
    ("detente --version", [str(BIN / "detente"), "--version"], 0.5),
    ("detente --help", [str(BIN / "detente"), "--help"], 1.0),
    (
        "detente forecast emission-1994 --no-store",
        [str(BIN / "detente"), "forecast", "emission-1994", "--no-store"],
        None,
    ),
]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    rows = []
    for what, argv, target in CASES:
        timed(argv)  # warm-up
        load = os.getloadavg()[0]
        times = sorted(timed(argv) for _ in range(REPEATS))
        median = statistics.median(times)
        met = "-" if target is None else ("yes" if median < target else "**no**")
        rows.append((what, median, times[0], times[-1], target, met, load))
        print(f"{what}: median {median:.3f} s (load {load:.2f})", flush=True)
    lines = [
        "# Start-up",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Each command run "
        f"{REPEATS} times after a warm-up, timed from outside the process.",
        "",
        "| command | median s | fastest s | slowest s | target | met | load (1 min) |",
        "| --- | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    for what, median, fastest, slowest, target, met, load in rows:
        aim = "-" if target is None else f"< {target:g}"
        lines.append(
            f"| `{what}` | {median:.3f} | {fastest:.3f} | {slowest:.3f} | {aim} | {met} | "
            f"{load:.2f} |"
        )
    out = Path(__file__).parent / "results" / "startup.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
