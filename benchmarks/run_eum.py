"""Benchmark of the expected utility model: wall time and peak memory, one run per case.

Random scenarios with a fixed seed: n actors with capability U(1, 100), position U(0, 100),
salience U(0.1, 1); 10 rounds, fixed stopping. Each case runs twice: once timed (wall clock,
nothing traced) and once under ``tracemalloc`` for the peak of Python and numpy allocations
during the run (the interpreter's own baseline excluded), since tracing slows numpy code.
The 10- and 40-actor cases are also run by ``reference_eum.py``, a plain loop-based reading,
for a speed-up ratio measured in the same process (and a check that both agree).
Writes ``results/eum.md``.
"""

from __future__ import annotations

import platform
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from detente import __version__
from detente.models.eum import EumOptions, run

sys.path.insert(0, str(Path(__file__).parent))
import reference_eum

SIZES = (10, 100, 300, 1000)
REFERENCE_SIZES = (10, 40)  # the loop-based reading is O(n^3) per round in pure Python
PRESETS = ("scholz-code", "paper-literal")
ROUNDS = 10
SEED = 2026


def scenario(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng([SEED, n])
    return rng.uniform(1, 100, n), rng.uniform(0, 100, n), rng.uniform(0.1, 1, n)


def measure(fn) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 2**20, result


def main() -> None:
    rows = []
    vectorised = {}
    run(*scenario(5), options=EumOptions(rounds=1))  # warm-up: imports and first calls
    for n in sorted({*SIZES, *REFERENCE_SIZES}):
        c, x, s = scenario(n)
        for preset in PRESETS:
            options = EumOptions(preset=preset, rounds=ROUNDS)
            seconds, mib, states = measure(lambda: run(c, x, s, options=options))  # noqa: B023
            rows.append((n, preset, "detente (numpy)", seconds, mib, states[-1].median))  # type: ignore[index]
            print(f"n={n:5d} {preset:14s} {seconds:8.3f} s {mib:8.1f} MiB", flush=True)
            vectorised[n, preset] = (seconds, states[-1].positions)  # type: ignore[index]
    ratios = []
    for n in REFERENCE_SIZES:
        c, x, s = scenario(n)
        for preset in PRESETS:
            seconds, mib, history = measure(
                lambda: reference_eum.run(list(c), list(x), list(s), preset=preset, rounds=ROUNDS)  # noqa: B023
            )
            fast, positions = vectorised[n, preset]
            same = np.allclose(history[-1], positions, atol=1e-9)  # type: ignore[index]
            rows.append((n, preset, "plain loops (reference)", seconds, mib, float("nan")))
            ratios.append((n, preset, seconds / fast, same))
            print(f"n={n:5d} {preset:14s} loops {seconds:8.3f} s", flush=True)

    out = Path(__file__).parent / "results" / "eum.md"
    lines = [
        "# Expected utility model benchmark",
        "",
        f"detente {__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. One run of {ROUNDS} rounds "
        f"per case; random scenarios, seed {SEED}; seconds from an untraced run, peak from a "
        "second run under tracemalloc.",
        "",
        "| actors | preset | implementation | seconds | peak MiB | final median |",
        "| ---: | --- | --- | ---: | ---: | ---: |",
    ]
    for n, preset, impl, seconds, mib, median in rows:
        shown = "" if np.isnan(median) else f"{median:.3f}"
        lines.append(f"| {n} | {preset} | {impl} | {seconds:.3f} | {mib:.1f} | {shown} |")
    lines += [
        "",
        "| actors | preset | speed-up (loops / numpy) | same positions after 10 rounds |",
        "| ---: | --- | ---: | --- |",
    ]
    for n, preset, ratio, same in ratios:
        lines.append(f"| {n} | {preset} | {ratio:.1f}x | {'yes' if same else 'NO'} |")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
