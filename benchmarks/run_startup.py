"""Benchmark of start-up and of small runs end to end: how long before detente answers.

Each case is a whole process, timed from the outside (wall time of ``subprocess.run``), run
``REPEATS`` times after one warm-up run (the operating system's file cache warm, as when a user
runs a second command); the table gives the median, the fastest and the slowest run, beside the
machine's load average read just before the case. ``python -c pass`` is the floor: the
interpreter starting and stopping.

Every detente case runs twice in turn, as ``python -m detente`` with this checkout's ``src``
first on the path ("after") and with ``--before DIR`` ("before": the code before a change), so
both meet the same load. KTAB's own ``smpc`` (``--smpc PATH``, built with -O2) runs on the same
inputs in the same run when given: ``smpc --logmin --csv FILE --connstr`` into a fresh SQLite
database in a temporary folder (its log configuration copied there, as it needs).

The last rows time the first SMP run of a fresh install: the numba cache folder empty
(``NUMBA_CACHE_DIR`` pointed at a new temporary folder), once, so the one-time compilation that
the CLI announces on stderr is measured (``FIRST_REPEATS`` runs, each with a new folder).
Writes ``results/startup.md``.

Usage: ``python benchmarks/run_startup.py [--before DIR] [--smpc PATH]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
KTAB = HERE.parent / ".." / "shared" / "reference" / "ktab"
REPEATS = 15
FIRST_REPEATS = 2

#: (what, arguments after ``python -m detente``, target in seconds or None)
DETENTE_CASES: list[tuple[str, list[str], float | None]] = [
    ("detente --version", ["--version"], 0.5),
    ("detente --help", ["--help"], 0.5),
    (
        "detente forecast emission-1994 --no-store",
        ["forecast", "emission-1994", "--no-store"],
        None,
    ),
    (
        "detente forecast dummyData_3Dim.csv --model smp (7 x 3)",
        ["forecast", str(KTAB / "dummyData_3Dim.csv"), "--model", "smp", "--no-store"],
        None,
    ),
    (
        "detente forecast SOE-Pol-Comp.csv --model smp (13 x 2)",
        ["forecast", str(KTAB / "SOE-Pol-Comp.csv"), "--model", "smp", "--no-store"],
        None,
    ),
]
#: KTAB's inputs for smpc: (what, CSV)
SMPC_CASES = [
    ("smpc dummyData_3Dim.csv (7 x 3)", KTAB / "dummyData_3Dim.csv"),
    ("smpc SOE-Pol-Comp.csv (13 x 2)", KTAB / "SOE-Pol-Comp.csv"),
]


#: CPU seconds (user + system) of the last :func:`timed` command
LAST_CPU = [0.0]


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env, cwd=cwd)
    seconds = time.perf_counter() - start
    LAST_CPU[0] = _children_cpu() - cpu
    return seconds


def measure(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    timed(argv, env, cwd)  # warm-up
    load = os.getloadavg()[0]
    times, cpus = [], []
    for _ in range(REPEATS):
        times.append(timed(argv, env, cwd))
        cpus.append(LAST_CPU[0])
    times.sort()
    return statistics.median(times), times[0], times[-1], statistics.median(cpus), load


def with_path(src: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(src), **extra)


def smpc_argv(smpc: Path, csv: Path, folder: Path) -> list[str]:
    return [
        str(smpc),
        "--logmin",
        "--csv",
        str(csv),
        "--connstr",
        f"Driver=QSQLITE;Database={folder}/smpc",
    ]


def main() -> None:
    global REPEATS  # one setting for every measure of this run
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src folder of the code before")
    parser.add_argument("--smpc", type=Path, help="KTAB's smpc program, built with -O2")
    parser.add_argument("--repeats", type=int, default=15, help="runs per command")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "startup.md")
    args = parser.parse_args()
    REPEATS = args.repeats
    codes = {"after": SRC} | ({"before": args.before} if args.before else {})
    rows = []
    floor = measure([sys.executable, "-c", "pass"])
    rows.append(("python -c pass (the floor)", "", *floor, None))
    for what, argv, target in DETENTE_CASES:
        for label, src in codes.items():
            result = measure([sys.executable, "-m", "detente", *argv], with_path(src))
            rows.append((what, label, *result, target))
            print(f"{what} [{label}]: median {result[0]:.3f} s (load {result[4]:.2f})", flush=True)
    if args.smpc:
        for what, csv in SMPC_CASES:
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                conf = args.smpc.parent / "smpc-logger.conf"
                if conf.exists():
                    shutil.copy(conf, folder / "smpc-logger.conf")
                result = measure(smpc_argv(args.smpc, csv, folder), cwd=folder)
            rows.append((what, "KTAB -O2", *result, None))
            print(f"{what}: median {result[0]:.3f} s (load {result[4]:.2f})", flush=True)
    first = []
    for label, src in codes.items():
        argv = [sys.executable, "-m", "detente", *DETENTE_CASES[-1][1]]
        times = []
        load = os.getloadavg()[0]
        for _ in range(FIRST_REPEATS):
            with tempfile.TemporaryDirectory() as cache:
                times.append(timed(argv, with_path(src, NUMBA_CACHE_DIR=cache)))
        first.append((label, statistics.median(times), min(times), max(times), load))
        print(f"first smp run [{label}]: {statistics.median(times):.2f} s", flush=True)

    from detente import __version__

    lines = [
        "# Start-up and small runs end to end",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Each command run "
        f"{REPEATS} times after a warm-up, timed from outside the process. *after*: this "
        f"branch's `src`; *before*: `{args.before}` (the code before the change), run in turn "
        "with it. KTAB: `smpc --logmin --csv FILE` into a fresh SQLite file, built here with "
        "-O2 (only when `--smpc` is given). The machine is shared: compare within a run, and "
        "read the load beside each figure.",
        "",
        "| command | code | median s | fastest s | slowest s | median CPU s | target | met "
        "| load (1 min) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    for what, label, median, fastest, slowest, cpu, load, target in rows:
        aim = "-" if target is None else f"< {target:g}"
        met = "-" if target is None else ("yes" if median < target else "**no**")
        lines.append(
            f"| `{what}` | {label} | {median:.3f} | {fastest:.3f} | {slowest:.3f} | {cpu:.3f} | "
            f"{aim} | {met} | {load:.2f} |"
        )
    lines += [
        "",
        "## First SMP run of a fresh install (numba cache empty)",
        "",
        f"`detente forecast SOE-Pol-Comp.csv --model smp`, {FIRST_REPEATS} runs, each with "
        "`NUMBA_CACHE_DIR` a new empty folder: the kernels are compiled (the CLI says so on "
        "stderr, one line) and written to the cache; every later run loads them.",
        "",
        "| code | median s | fastest s | slowest s | load (1 min) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, median, fastest, slowest, load in first:
        lines.append(f"| {label} | {median:.2f} | {fastest:.2f} | {slowest:.2f} | {load:.2f} |")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
