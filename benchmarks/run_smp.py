"""Benchmark of KTAB's Spatial Model of Politics (``smp``): this code against the code before a
change, in the same run; wall time, peak memory, same trajectory; idle and with a busy core.

Default options, one run per case until KTAB's stopping rule. The inputs are KTAB's own CSVs
(``../shared/reference/ktab``) and synthetic scenarios drawn like KTAB's ``--euSMP`` random
scenarios (capability U(10, 200); each actor's saliences U(0.1, 1) scaled to sum to U(0.75,
0.99); positions U(0, 100); seed fixed).

Each case runs in a fresh process, once with this checkout's ``src`` ("after") and once with
the code given by ``--before DIR`` (a ``src`` folder, e.g. ``/work/main/src``; "before"), one
right after the other so that both meet the same load: the wall time of the run, the peak
resident memory of that process (``ru_maxrss``) over its baseline after imports, input and a
warm-up turn (so the interpreter and the compiled kernels are not counted), and a digest of the
whole trajectory (every state's positions, probabilities, risks, means, queues and stopping
statistic, as bytes): equal digests mean a bit-identical trajectory. The machine's 1-minute
load average is read just before each run.

The busy-core rows run the 13-actor KTAB case ``BUSY_REPEATS`` times in one process (median),
first with the machine as it is, then with one process of ours spinning on a core (started
and stopped here), for both codes.

KTAB's times are those measured for ``shared/reference/ktab-smp.md`` (``smpc --logmin``, -O2,
a 2-core machine of this kind, another run): their synthetic scenarios are not ours, so those
ratios compare like-sized problems, not the same trajectory. Writes ``results/smp.md``.

Usage: ``python benchmarks/run_smp.py [--before DIR] [--cases NAME,...]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
KTAB = HERE.parent / ".." / "shared" / "reference" / "ktab"
SEED = 2026
BUSY_CASE = "SOE-Pol-Comp.csv"
BUSY_REPEATS = 20

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


def digest(states: list) -> str:  # type: ignore[type-arg]
    """A hash of everything a trajectory's states hold that the SMP computed."""
    h = hashlib.sha256()
    for st in states:
        for a in (st.positions, st.ideals, st.probability, st.unique_probability, st.risk):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(np.ascontiguousarray(st.mean).tobytes())
        h.update(repr((st.queues, st.fractional_change, st.chosen is None)).encode())
        if st.chosen is not None:
            h.update(np.ascontiguousarray(st.chosen).tobytes())
    return h.hexdigest()[:16]


def one(source: str, repeats: int, turns: int = 0) -> dict[str, object]:
    """Run one case in this process; print what the parent reads."""
    from detente.models import smp

    c, X, S = inputs(source)
    # warm-up: imports, and one turn on the whole input, so that the numba kernels (which the
    # SMP loads from 64 actors on) are imported and compiled (or loaded from their cache) for
    # these array types before the clock starts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smp.run(c, X, S, options=smp.SmpOptions(min_iter=1, max_iter=1))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = resource.getrusage(resource.RUSAGE_SELF)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            options = smp.SmpOptions(max_iter=turns) if turns else None
            states = smp.run(c, X, S, options=options)
        times.append(time.perf_counter() - start)
    used = resource.getrusage(resource.RUSAGE_SELF)
    peak = used.ru_maxrss
    cpu = (used.ru_utime + used.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "seconds": statistics.median(times),
        "cpu": cpu / repeats,
        "turns": len(states) - 1,
        "mib": max(0, peak - base) / 1024,
        "n": len(c),
        "k": X.shape[1],
        "digest": digest(states),
    }


def start_case(
    src: Path, source: str, repeats: int = 1, turns: int = 0
) -> tuple[subprocess.Popen[str], float]:
    """One case in a fresh process with ``src`` first on the path; the load just before."""
    env = dict(os.environ, PYTHONPATH=str(src))
    load = os.getloadavg()[0]
    process = subprocess.Popen(
        [sys.executable, __file__, "--one", source, "--repeats", str(repeats), str(turns)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=HERE,
    )
    return process, load


def finish_case(started: tuple[subprocess.Popen[str], float]) -> dict[str, object]:
    process, load = started
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"a benchmark process failed (exit {process.returncode})")
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    result["load"] = load
    return result


def run_case(src: Path, source: str, repeats: int = 1) -> dict[str, object]:
    return finish_case(start_case(src, source, repeats))


def spinner() -> subprocess.Popen[bytes]:
    """A process of ours that keeps one core busy until it is stopped."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def busy_rows(codes: dict[str, Path]) -> list[tuple[str, str, dict[str, object]]]:
    rows = []
    for label, src in codes.items():
        rows.append((label, "as it is", run_case(src, BUSY_CASE, BUSY_REPEATS)))
    spin = spinner()
    try:
        time.sleep(1.0)
        for label, src in codes.items():
            rows.append((label, "+1 spinning process", run_case(src, BUSY_CASE, BUSY_REPEATS)))
    finally:
        spin.terminate()
        spin.wait()
    for label, machine, r in rows:
        print(f"busy: {label:7s} {machine:20s} {r['seconds']:.4f} s (load {r['load']:.2f})")
    return rows


def table(
    rows: list[tuple[str, dict[str, object], dict[str, object] | None, float | None, int | None]],
    busy: list[tuple[str, str, dict[str, object]]],
    before: Path | None,
) -> list[str]:
    from detente import __version__

    lines = [
        "# Spatial Model of Politics (smp) benchmark",
        "",
        f"detente {__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. "
        "Default options, one run per case to KTAB's stopping rule, each in a fresh process; "
        f"synthetic scenarios seed {SEED}. *after*: this branch; *before*: "
        f"`{before}` (the code before the change), run right after it. Peak memory is the "
        "process's peak resident set over its size after imports, input and a warm-up turn "
        "(numba kernels compiled or loaded before timing). *same* compares digests of every "
        "state of the two trajectories (bit for bit). Load: the 1-minute load average just "
        "before each run (the machine is shared; compare the ratios within a row). KTAB: "
        "`smpc --logmin`, -O2, from `ktab-smp.md` (another run; its synthetic scenarios are "
        "other draws of the same sizes).",
        "",
        "| input | actors x dims | turns | after s | after CPU s | peak MiB | load | before s "
        "| before CPU s | peak MiB | load | before / after (wall) | (CPU) | same | KTAB s "
        "| KTAB / after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | :---: | ---: | ---: |",
    ]
    for name, r, b, ktab_seconds, _ktab_turns in rows:
        secs = float(r["seconds"])  # type: ignore[arg-type]
        size = f"{r['n']} x {r['k']}"
        if ktab_seconds is not None:
            ratio, shown = f"{ktab_seconds / secs:.2g}x", f"{ktab_seconds:g}"
        elif name == "synthetic 200x2":
            per_turn = secs / max(1, int(r["turns"]))  # type: ignore[call-overload]
            ratio = f"{KTAB_SECONDS_PER_TURN_200 / per_turn:.0f}x per turn"
            shown = f"~{KTAB_SECONDS_PER_TURN_200:g} per turn"
        else:
            ratio, shown = "", ""
        cpu = float(r["cpu"])  # type: ignore[arg-type]
        if b is None:
            before_cells = "| | | | | | |"
        else:
            bs, bc = float(b["seconds"]), float(b["cpu"])  # type: ignore[arg-type]
            same = "yes" if b["digest"] == r["digest"] else "**no**"
            before_cells = (
                f"{bs:.3f} | {bc:.3f} | {float(b['mib']):.1f} | {float(b['load']):.2f} | "  # type: ignore[arg-type]
                f"{bs / secs:.2f}x | {bc / cpu:.2f}x | {same} |"
            )
        lines.append(
            f"| {name} | {size} | {r['turns']} | {secs:.3f} | {cpu:.3f} | "
            f"{float(r['mib']):.1f} | {float(r['load']):.2f} | {before_cells} {shown} | "  # type: ignore[arg-type]
            f"{ratio} |"
        )
    if busy:
        lines += [
            "",
            "## SOE-Pol-Comp (13 x 2) with a busy core (target: busy within 1.5x of idle)",
            "",
            f"Median of {BUSY_REPEATS} runs in one process. *+1 spinning process*: one process "
            "of ours spins on a core throughout (on top of whatever else the machine runs).",
            "",
            "| code | machine | median s | CPU s | load | busy / as it is |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        calm = {label: r for label, machine, r in busy if machine == "as it is"}
        for label, machine, r in busy:
            factor = float(r["seconds"]) / float(calm[label]["seconds"])  # type: ignore[arg-type]
            lines.append(
                f"| {label} | {machine} | {float(r['seconds']):.4f} | {float(r['cpu']):.4f} | "  # type: ignore[arg-type]
                f"{float(r['load']):.2f} | {factor:.2f}x |"  # type: ignore[arg-type]
            )
    return lines


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--one":
        repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 1
        turns = int(sys.argv[5]) if len(sys.argv) > 5 else 0
        print(json.dumps(one(sys.argv[2], repeats, turns)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src folder of the code before")
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument("--no-busy", action="store_true", help="skip the busy-core rows")
    parser.add_argument(
        "--together",
        help="comma-separated case names whose before and after run at the same time (the "
        "long ones on a loaded machine: both meet the same load, in half the time)",
        default="",
    )
    parser.add_argument(
        "--turns",
        type=int,
        default=0,
        help="stop every case after this many turns (0: KTAB's stopping rule)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "smp.md")
    args = parser.parse_args()
    chosen = CASES if not args.cases else {k: CASES[k] for k in args.cases.split(",")}
    rows = []
    for name, (source, ktab_seconds, ktab_turns) in chosen.items():
        if args.before and name in args.together.split(","):
            started = (
                start_case(SRC, source, turns=args.turns),
                start_case(args.before, source, turns=args.turns),
            )
            after, before = finish_case(started[0]), finish_case(started[1])
        else:
            after = finish_case(start_case(SRC, source, turns=args.turns))
            before = (
                finish_case(start_case(args.before, source, turns=args.turns))
                if args.before
                else None
            )
        rows.append((name, after, before, ktab_seconds, ktab_turns))
        shown = "" if before is None else f" before {before['seconds']:9.3f} s"
        print(f"{name:24s} after {after['seconds']:9.3f} s{shown} ({after['turns']} turns)")
    codes = {"after": SRC} | ({"before": args.before} if args.before else {})
    busy = [] if args.no_busy else busy_rows(codes)
    args.out.write_text("\n".join(table(rows, busy, args.before)) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
