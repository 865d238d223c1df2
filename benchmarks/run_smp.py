"""Benchmark of KTAB's Spatial Model of Politics (``smp``): wall time and peak memory.

Default options, one run per case until KTAB's stopping rule. The inputs are KTAB's own CSVs
(``../shared/reference/ktab``) and synthetic scenarios drawn like KTAB's ``--euSMP`` random
scenarios (capability U(10, 200); each actor's saliences U(0.1, 1) scaled to sum to U(0.75,
0.99); positions U(0, 100); seed fixed). Each case runs once, in a fresh process: the wall time
of the run, and the peak resident memory of that process (``ru_maxrss``) over its baseline
after imports and input (so the interpreter is not counted). KTAB's times are those measured
for ``shared/reference/ktab-smp.md`` (``smpc --logmin``, -O2, a 2-core machine of this kind);
their synthetic scenarios are not ours, so those ratios compare like-sized problems, not the
same trajectory. Writes ``results/smp.md``.
"""

from __future__ import annotations

import json
import platform
import resource
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

KTAB = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "ktab"
SEED = 2026

#: name -> (source, KTAB's wall seconds for a like case or None, KTAB's turns or None)
CASES: dict[str, tuple[str, float | None, int | None]] = {
    "dummyData_3Dim (7x3)": ("dummyData_3Dim.csv", 0.07, 10),
    "SOE-Pol-Comp (13x2)": ("SOE-Pol-Comp.csv", 0.37, 27),
    "dummyData_6Dim (27x6)": ("dummyData_6Dim.csv", 3.0, 29),
    "dummyData-a040 (40x1)": ("dummyData-a040.csv", 8.9, 20),
    "synthetic 50x2": ("random:50:2", 26.5, 25),
    "dummyData-a080 (80x1)": ("dummyData-a080.csv", 61.0, 17),
    "synthetic 100x2": ("random:100:2", 259.0, 29),
    "dummyData-a160 (160x1)": ("dummyData-a160.csv", None, None),
    "synthetic 200x2": ("random:200:2", None, None),  # KTAB: about 190 s per turn
    "synthetic 1000x2": ("random:1000:2", None, None),
}
KTAB_SECONDS_PER_TURN_200 = 190.0


def inputs(source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if source.startswith("random:"):
        _, n_text, k_text = source.split(":")
        n, k = int(n_text), int(k_text)
        rng = np.random.default_rng([SEED, n, k])
        c = rng.uniform(10, 200, n)
        shares = rng.uniform(0.1, 1.0, (n, k))
        S = shares / shares.sum(axis=1, keepdims=True) * rng.uniform(0.75, 0.99, n)[:, None]
        return c, rng.uniform(0, 100, (n, k)), S
    from detente.scenario import ktab

    return ktab.read(KTAB / source).arrays()


def one(source: str) -> dict[str, float]:
    """Run one case in this process; print what the parent reads."""
    from detente.models import smp

    c, X, S = inputs(source)
    # warm-up: imports, and one turn on the first 40 actors (enough for the tiled coalitions,
    # which start at 32 options) so that the numba kernels are compiled (or loaded from their
    # cache) for these array types before the clock starts, at little memory
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smp.run(c[:40], X[:40], S[:40], options=smp.SmpOptions(min_iter=1, max_iter=1))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        states = smp.run(c, X, S)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "turns": len(states) - 1,
        "mib": max(0, peak - base) / 1024,
        "n": len(c),
        "k": X.shape[1],
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2])))
        return
    rows = []
    for name, (source, ktab_seconds, ktab_turns) in CASES.items():
        done = subprocess.run(
            [sys.executable, __file__, "--one", source],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((name, result, ktab_seconds, ktab_turns))
        print(f"{name:24s} {result['seconds']:9.3f} s {result['turns']:4d} turns", flush=True)

    from detente import __version__

    out = Path(__file__).parent / "results" / "smp.md"
    lines = [
        "# Spatial Model of Politics (smp) benchmark",
        "",
        f"detente {__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Default options, one "
        f"run per case to KTAB's stopping rule, each in a fresh process; synthetic scenarios "
        f"seed {SEED}. Peak memory is the process's peak resident set over its size after "
        "imports and input; numba kernels are compiled before timing (one warm-up turn). "
        "KTAB: `smpc --logmin`, -O2, from `ktab-smp.md`; its synthetic scenarios are other "
        "draws of the same sizes.",
        "",
        "| input | actors x dims | turns | seconds | peak MiB | KTAB turns | KTAB seconds "
        "| KTAB / detente |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r, ktab_seconds, ktab_turns in rows:
        size = f"{r['n']} x {r['k']}"
        if ktab_seconds is not None:
            ratio = f"{ktab_seconds / r['seconds']:.0f}x"
            shown = f"{ktab_seconds:g}"
        elif name == "synthetic 200x2":
            per_turn = r["seconds"] / max(1, r["turns"])
            ratio = f"{KTAB_SECONDS_PER_TURN_200 / per_turn:.0f}x per turn"
            shown = f"~{KTAB_SECONDS_PER_TURN_200:g} per turn"
        else:
            ratio, shown = "", ""
        lines.append(
            f"| {name} | {size} | {r['turns']} | {r['seconds']:.3f} | {r['mib']:.1f} | "
            f"{'' if ktab_turns is None else ktab_turns} | {shown} | {ratio} |"
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
