"""Benchmark of Monte Carlo: the six-party 2004 scenario on three engines.

Each case runs in a fresh Python process: wall time of the ``simulate()`` call (both election
branches, so twice the draws are computed), and peak resident memory of that process and of
its largest worker process (``ru_maxrss``). Writes ``results/simulate.md``.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detente import __version__

CASES = [
    # (model, draws, options)
    ("compromise", 10_000, {}),
    ("eum", 10_000, {"eum": {"rounds": 20}}),
    ("compromise", 100_000, {}),
]
ENGINES = [("in-process", 1), ("processes", 2), ("dask", 2)]

CHILD = """
import json, resource, sys, time
import detente
from detente.simulate import simulate

def main():
    model, draws, options, engine, workers = json.loads(sys.argv[1])
    scenario = detente.bundled("six-party-2004")
    start = time.perf_counter()
    sim = simulate(scenario, [model], draws=draws, rng=2026, options=options,
                   engine=engine, workers=workers)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = sim.summary("kerry-wins", model, "disarmament")
    print(json.dumps({"seconds": seconds, "self_mib": own, "worker_mib": children,
                      "median": summary["median"]}))

if __name__ == "__main__":
    main()
"""


def main() -> None:
    script = Path(__file__).parent / "results" / ".simulate_child.py"
    script.write_text(CHILD, encoding="utf-8")
    rows = []
    try:
        for model, draws, options in CASES:
            for engine, workers in ENGINES:
                args = json.dumps([model, draws, options, engine, workers])
                done = subprocess.run(
                    [sys.executable, str(script), args], capture_output=True, text=True, check=True
                )
                result = json.loads(done.stdout.strip().splitlines()[-1])
                rows.append((model, draws, engine, workers, result))
                print(
                    f"{model:10s} {draws:7,d} {engine:10s} {result['seconds']:7.2f} s "
                    f"{result['self_mib']:7.0f} MiB (worker {result['worker_mib']:.0f} MiB)",
                    flush=True,
                )
    finally:
        script.unlink(missing_ok=True)
    out = Path(__file__).parent / "results" / "simulate.md"
    lines = [
        "# Monte Carlo benchmark: six-party-2004",
        "",
        f"detente {__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Seed 2026; the "
        "scenario's declared uncertainty ranges; both election branches, so each case computes "
        "twice its draws. Seconds: the simulate() call in a fresh process; memory: peak "
        "resident set of that process and of its largest worker.",
        "",
        "| model | draws | engine | workers | seconds | peak MiB | worker peak MiB "
        "| median (kerry-wins) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for model, draws, engine, workers, r in rows:
        worker = f"{r['worker_mib']:.0f}" if engine != "in-process" else "-"
        lines.append(
            f"| {model} | {draws:,} | {engine} | {workers} | {r['seconds']:.2f} | "
            f"{r['self_mib']:.0f} | {worker} | {r['median']:.3f} |"
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
