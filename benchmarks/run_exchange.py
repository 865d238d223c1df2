"""Benchmark of the exchange model: random scenarios of n actors x k issues, 10 rounds.

Each case runs in a fresh Python. ``warm`` is a run after a one-round warm-up in the same
process (numba loaded, the kernel compiled: as the SMP's benchmark times it); ``cold`` is the
warm-up's cost on top, what a first run in a fresh process also pays (loading numba and the
kernel from numba's cache; the kernel is compiled into the cache beforehand, untimed). The
numpy rows force the numpy path (no numba), which gives the same results bit for bit. Writes
``results/exchange.md``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from detente import __version__

CASES = [
    # (actors, issues, rounds, path)
    (100, 5, 10, "compiled"),
    (100, 5, 10, "numpy"),
    (1000, 3, 10, "compiled"),
    (1000, 3, 10, "numpy"),
]

CHILD = """
import json, sys, time
import numpy as np
n, k, rounds, path = json.loads(sys.argv[1])
if path == "numpy":
    sys.modules["numba"] = None  # as if the `fast` extra were not installed
import warnings
warnings.simplefilter("ignore", RuntimeWarning)
from detente.models.exchange import ExchangeOptions, trajectory
from detente.models.stopping import run

rng = np.random.default_rng(0)
c = rng.uniform(0.1, 1, n)
X = rng.uniform(0, 100, (n, k))
S = rng.uniform(0.05, 1, (n, k))

def once():
    t = time.perf_counter()
    path_ = run(trajectory(c, X, S, options=ExchangeOptions(rounds=rounds)), keep=True)
    made = sum(len(r.moves) // 2 for r in path_.rounds)
    return time.perf_counter() - t, made

t = time.perf_counter()
run(trajectory(c[:20], X[:20], S[:20], options=ExchangeOptions(rounds=1)))
warmup = time.perf_counter() - t
warm, made = once()
print(json.dumps({"warm": warm, "warmup": warmup, "exchanges": made}))
"""


def main() -> None:
    script = Path(__file__).parent / "results" / ".exchange_child.py"
    script.write_text(CHILD, encoding="utf-8")
    rows = []
    try:
        warm = json.dumps([20, 3, 1, "compiled"])  # compile the kernel into numba's cache
        subprocess.run([sys.executable, str(script), warm], check=True, capture_output=True)
        for n, k, rounds, path in CASES:
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, str(script), json.dumps([n, k, rounds, path])],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((n, k, rounds, path, result, load))
            print(n, k, path, f"{result['warm']:.2f} s", flush=True)
    finally:
        script.unlink(missing_ok=True)
    lines = [
        "# Exchange model",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Random scenarios "
        "(seeded), every actor on every issue; the trajectory run to its round limit, each "
        "case in a fresh process. `warm`: after a one-round warm-up on 20 actors (numba "
        "loaded, the kernel compiled); `warm-up`: that warm-up, which a first run in a fresh "
        "process pays on top.",
        "",
        "| actors | issues | rounds | path | exchanges made | warm (s) | warm-up (s) | load |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for n, k, rounds, path, r, load in rows:
        lines.append(
            f"| {n:,} | {k} | {rounds} | {path} | {r['exchanges']:,} | {r['warm']:.2f} | "
            f"{r['warmup']:.2f} | {load:.2f} |"
        )
    out = Path(__file__).parent / "results" / "exchange.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
