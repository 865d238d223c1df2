"""Benchmark of the analyses at scale: advise, dyads, coalitions, the report and the EUM.

Random scenarios (seeded) of 60, 200 and 1,000 actors on 2 issues: capability U(1, 100),
positions U(0, 100), saliences U(10, 100), written as YAML. Each case runs as the CLI (or, for
the EUM, a short script) in a fresh process, once with main's sources (``--main``, default
``/work/main/src``: the code before the change) and once with this tree's, one right after the
other, so that both meet the same machine. The table gives per case the wall time, the CPU
time (user + system of the process: less sensitive to other work than the wall time), the peak
resident memory and the machine's 1-minute load average when the case started, for both, and
the ratios main / this tree. A case that runs past ``--timeout`` seconds is stopped and shown
as such. The machine is shared: read the wall times beside their load.

Usage: ``python benchmarks/run_analysis.py [--main SRC] [--branch SRC] [--timeout S]
[--only NAME...]`` (names such as ``advise-60``, ``report-200``, ``uncertain-60``,
``eum-2000-slim``). The random scenarios declare no uncertain input: at ``--spread 0`` every
draw of the report has the same inputs; ``uncertain-60`` gives every input a spread of 0.1
(see ``detente simulate --spread``).
Writes ``results/analysis.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
BRANCH_SRC = HERE.parent / "src"
SEED = 2026
FOCAL = "A0000"

#: (name, actors, CLI arguments after ``detente``; FILE and OUT are filled in), target seconds
CASES: list[tuple[str, int, list[str], float | None]] = [
    ("advise", 60, ["advise", "FILE", "--for", FOCAL], 5.0),
    ("dyads --json", 60, ["dyads", "FILE", "--json"], None),
    ("coalitions", 60, ["coalitions", "FILE"], None),
    ("report, 200 draws", 60, ["report", "FILE", "-o", "OUT", "--no-store", "--rng", "1"], 15.0),
    (
        "uncertain report, 200 draws, --spread 0.1",
        60,
        ["report", "FILE", "-o", "OUT", "--no-store", "--rng", "1", "--spread", "0.1"],
        15.0,
    ),
    ("advise", 200, ["advise", "FILE", "--for", FOCAL], None),
    ("coalitions", 200, ["coalitions", "FILE"], None),
    ("report, 200 draws", 200, ["report", "FILE", "-o", "OUT", "--no-store", "--rng", "1"], 60.0),
    ("coalitions", 1000, ["coalitions", "FILE"], None),
]

#: The EUM alone: 2,000 actors, 10 rounds (paper-literal), keeping every round's matrices or not.
EUM_SCRIPT = """
import json, sys, time, tracemalloc
import numpy as np
from detente.models.eum import EumOptions, run
n, keep = int(sys.argv[1]), sys.argv[2] == "keep"
rng = np.random.default_rng([2026, n])
c, x, s = rng.uniform(1, 100, n), rng.uniform(0, 100, n), rng.uniform(0.1, 1, n)
options = EumOptions(preset="paper-literal", rounds=10)
run(c[:5], x[:5], s[:5], options=options)
tracemalloc.start()
start = time.perf_counter()
states = run(c, x, s, options=options, keep_matrices=keep)
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps({"seconds": seconds, "traced_mib": peak, "median": states[-1].median}))
"""
EUM_CASES = [
    ("EUM 10 rounds, matrices not kept", 2000, "slim"),
    ("EUM 10 rounds, all kept", 2000, "keep"),
]


def scenario_data(n: int, k: int = 2) -> dict[str, object]:
    """A random scenario of ``n`` actors on ``k`` issues (seeded by n and k)."""
    rng = np.random.default_rng([SEED, n, k])
    issues = [{"id": f"issue-{j}", "name": f"Issue {j}"} for j in range(k)]
    actors = []
    for i in range(n):
        actors.append(
            {
                "id": f"A{i:04d}",
                "name": f"Actor {i}",
                "capability": round(float(rng.uniform(1, 100)), 2),
                "position": {f"issue-{j}": round(float(rng.uniform(0, 100)), 1) for j in range(k)},
                "salience": {f"issue-{j}": round(float(rng.uniform(10, 100)), 1) for j in range(k)},
            }
        )
    return {
        "id": f"random-{n}x{k}",
        "name": f"{n} random actors",
        "issues": issues,
        "actors": actors,
    }


def write_scenario(folder: Path, n: int) -> Path:
    path = folder / f"random-{n}.json"
    if not path.exists():
        path.write_text(json.dumps(scenario_data(n)), encoding="utf-8")
    return path


def timed(
    argv: list[str], src: Path, env_extra: dict[str, str], timeout: float
) -> dict[str, float]:
    """Run ``argv`` with ``src`` on the path: wall and CPU seconds, peak RSS, load at start."""
    env = os.environ | {"PYTHONPATH": str(src)} | env_extra
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=out_file, stderr=err_file, text=True)
        while True:  # reaped here, not by Popen, for the child's own resource usage
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return {"load": load, "timeout": timeout}
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    cpu = usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-2000:]}")
    result = {"load": load, "seconds": seconds, "cpu": cpu, "rss_mib": usage.ru_maxrss / 1024}
    if argv[1] == "-c":  # the EUM script prints its own measures last
        result |= json.loads(out.strip().splitlines()[-1])
    return result


def cli_case(args: list[str], src: Path, folder: Path, n: int, timeout: float) -> dict[str, float]:
    scenario = write_scenario(folder, n)
    out = folder / f"report-{n}-{src.parent.name}.html"
    argv = [sys.executable, "-m", "detente"] + [
        str(scenario) if a == "FILE" else str(out) if a == "OUT" else a for a in args
    ]
    store = folder / f"runs-{src.parent.name}.db"
    result = timed(argv, src, {"DETENTE_STORE": str(store)}, timeout)
    if out.exists():
        result["html_mib"] = out.stat().st_size / 2**20
    return result


def shown(result: dict[str, float], key: str) -> str:
    if "timeout" in result:
        return f"> {result['timeout']:.0f} (stopped)" if key == "seconds" else "-"
    value = result.get(key)
    return "-" if value is None else f"{value:.1f}" if key.endswith("mib") else f"{value:.2f}"


def ratio(main: dict[str, float], branch: dict[str, float], key: str) -> str:
    if key in branch and "timeout" in main:
        return f"> {main['timeout'] / branch[key]:.1f}x"
    if key in main and key in branch and branch[key] > 0:
        return f"{main[key] / branch[key]:.2f}x"
    return "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--main", type=Path, default=Path("/work/main/src"))
    parser.add_argument("--branch", type=Path, default=BRANCH_SRC, help="this tree's sources")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--only", nargs="*", help="case names with actors, e.g. advise-60")
    args = parser.parse_args()
    trees = [("main", args.main), ("this tree", args.branch)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, n, cli, target in CASES:
            key = f"{name.split(',')[0].split()[0]}-{n}"
            if args.only and key not in args.only:
                continue
            results = {}
            for label, src in trees:
                results[label] = cli_case(cli, src, folder, n, args.timeout)
                print(f"{name} {n}: {label} {results[label]}", flush=True)
            rows.append(
                (
                    f"`detente {' '.join(cli).replace('FILE', 'S').replace('OUT', 'R')}`",
                    name,
                    n,
                    target,
                    results,
                )
            )
        for name, n, keep in EUM_CASES:
            key = f"eum-{n}-{keep}"
            if args.only and key not in args.only:
                continue
            results = {}
            for label, src in trees:
                argv = [sys.executable, "-c", EUM_SCRIPT, str(n), keep]
                results[label] = timed(argv, src, {}, args.timeout)
                print(f"{name} {n}: {label} {results[label]}", flush=True)
            rows.append(("EUM `run()`", name, n, 15.0, results))

    lines = [
        "# Analyses at scale: main before the change and this tree, same run",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, numpy "
        f"{np.__version__}, {platform.machine()}, {os.cpu_count()} cores shared with other work. "
        f"Random scenarios of n actors x 2 issues (seed {SEED}); one run per case and tree, "
        "main's first; the 1-minute load average when each run started is beside its time. "
        "CPU is the process's user + system time; peak is its resident set (ru_maxrss) or, for "
        "the EUM, the peak of traced allocations (tracemalloc). Ratios are main / this tree.",
        "",
        "| case | n | target s | main s (load) | this tree s (load) | wall ratio | main CPU s "
        "| this tree CPU s | CPU ratio | main peak MiB | this tree peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for command, name, n, target, res in rows:
        m, b = res["main"], res["this tree"]
        peak = "traced_mib" if "traced_mib" in b else "rss_mib"
        lines.append(
            f"| {name}: {command} | {n} | {'' if target is None else f'{target:g}'} "
            f"| {shown(m, 'seconds')} ({m['load']:.1f}) | {shown(b, 'seconds')} ({b['load']:.1f}) "
            f"| {ratio(m, b, 'seconds')} | {shown(m, 'cpu')} | {shown(b, 'cpu')} "
            f"| {ratio(m, b, 'cpu')} | {shown(m, peak)} | {shown(b, peak)} |"
        )
    out = HERE / "results" / "analysis.md"
    if args.only and out.exists():  # a partial run adds its rows to the table kept
        kept = out.read_text(encoding="utf-8").rstrip("\n").splitlines()
        lines = kept + lines[-len(rows) :] if rows else kept
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
