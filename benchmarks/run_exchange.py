"""Benchmark of the exchange model: random scenarios of n actors x k issues, 10 rounds.

Each case runs in a fresh Python. ``warm`` is a run after a one-round warm-up in the same
process (numba loaded, the kernel compiled: as the SMP's benchmark times it); ``cold`` is the
warm-up's cost on top, what a first run in a fresh process also pays (loading numba and the
kernel from numba's cache; the kernel is compiled into the cache beforehand, untimed). The
numpy rows force the numpy path (no numba), which gives the same results bit for bit. ``draws``
runs are Monte Carlo draws as ``detente report`` makes them (inputs perturbed, one run each,
rounds not kept; numba not loaded beforehand), timed per draw in wall and CPU seconds. Writes
``results/exchange.md``, or the file given with ``--out``; ``--quick`` runs only the 60- and
200-actor cases (issue 20), for a before/after with another ``src`` on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
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
    (60, 2, 10, "compiled"),
    (60, 2, 10, "numpy"),
    (200, 2, 10, "compiled"),
    (200, 2, 10, "numpy"),
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

def draws(count):
    # Monte Carlo draws: positions and saliences perturbed, one run each, rounds not kept
    gen = np.random.default_rng(1)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        Xd = np.clip(X + gen.normal(0, 5, X.shape), 0, 100)
        Sd = np.clip(S * gen.uniform(0.8, 1.2, S.shape), 0.01, 1)
        run(trajectory(c, Xd, Sd, options=ExchangeOptions(rounds=rounds)), keep=False)
    return (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count

D = max(20, 6000 // n)  # 100 draws of 60 actors, 30 of 200
draw_wall, draw_cpu = draws(D)  # first: in a fresh process, as a report's draws start
t = time.perf_counter()
run(trajectory(c[:20], X[:20], S[:20], options=ExchangeOptions(rounds=1)))
warmup = time.perf_counter() - t
warm, made = once()
print(json.dumps({"warm": warm, "warmup": warmup, "exchanges": made, "draws": D,
                  "draw_wall": draw_wall, "draw_cpu": draw_cpu}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "exchange.md"
    )
    parser.add_argument("--quick", action="store_true", help="only 60 and 200 actors x 2 issues")
    args = parser.parse_args()
    cases = [case for case in CASES if case[1] == 2] if args.quick else CASES
    script = Path(__file__).parent / "results" / ".exchange_child.py"
    script.write_text(CHILD, encoding="utf-8")
    rows = []
    try:
        warm = json.dumps([20, 3, 1, "compiled"])  # compile the kernel into numba's cache
        subprocess.run([sys.executable, str(script), warm], check=True, capture_output=True)
        for n, k, rounds, path in cases:
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, str(script), json.dumps([n, k, rounds, path])],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((n, k, rounds, path, result, load))
            print(
                n, k, path, f"warm {result['warm']:.3f} s, per draw {result['draw_wall']:.4f} s "
                f"wall {result['draw_cpu']:.4f} s CPU, load {load:.2f}", flush=True
            )  # fmt: skip
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
        "process pays on top. `per draw`: the mean of 6,000/n (at least 20) Monte Carlo "
        "draws (perturbed inputs, rounds not kept), run first in the fresh process, wall and "
        "CPU seconds.",
        "",
        "| actors | issues | rounds | path | exchanges made | warm (s) | warm-up (s) "
        "| per draw, wall (s) | per draw, CPU (s) | load |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, k, rounds, path, r, load in rows:
        lines.append(
            f"| {n:,} | {k} | {rounds} | {path} | {r['exchanges']:,} | {r['warm']:.3f} | "
            f"{r['warmup']:.2f} | {r['draw_wall']:.4f} | {r['draw_cpu']:.4f} | {load:.2f} |"
        )
    out = args.out
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
