"""Benchmark of sweeps on the six-party 2004 scenario.

Each case runs in a fresh Python process: wall time of the ``sweep()`` call (the design's
points, then the tipping line through the base point and its bisection), with the machine's
load beside it. The design varies the US position (a grid) and, for the static models, South
Korea's salience too, in full factorial. Writes ``results/sweep.md``.
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
    # (what, models, grid of the US position, grid of ROK's salience, options, engine, workers)
    (
        "static models, 10,000 points",
        ["compromise", "median", "nash"],
        100,
        100,
        {},
        "in-process",
        1,
    ),
    ("eum 10 rounds, 1,000 points", ["eum"], 1000, 0, {}, "in-process", 1),
    ("eum 10 rounds, 1,000 points", ["eum"], 1000, 0, {}, "processes", 2),
    ("eum 10 rounds, 20,000 points", ["eum"], 200, 100, {}, "in-process", 1),
    ("eum 10 rounds, 20,000 points", ["eum"], 200, 100, {}, "processes", 2),
    ("eum 10 rounds, 100,000 points", ["eum"], 500, 200, {}, "in-process", 1),
    ("eum 10 rounds, 100,000 points", ["eum"], 500, 200, {}, "processes", 2),
]

CHILD = """
import json, sys, time
import detente
from detente.simulate.sweep import sweep
from detente.simulate.sweep_spec import SweepSpec

def main():
    models, us, rok, options, engine, workers = json.loads(sys.argv[1])
    vary = [{"input": "USA.position.disarmament", "min": 0, "max": 100, "step": 100 / (us - 1)}]
    if rok:
        vary.append({"input": "ROK.salience.disarmament", "min": 0, "max": 100,
                     "step": 100 / (rok - 1)})
    spec = SweepSpec.model_validate({"scenario": "six-party-2004", "models": models,
                                     "options": options, "vary": vary, "tipping": {"refine": 12}})
    scenario = detente.bundled("six-party-2004")
    start = time.perf_counter()
    done = sweep(spec, scenario, rng=1, engine=engine, workers=workers)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "points": done.points, "tipping": len(done.tipping)}))

if __name__ == "__main__":
    main()
"""


def main() -> None:
    script = Path(__file__).parent / "results" / ".sweep_child.py"
    script.write_text(CHILD, encoding="utf-8")
    rows = []
    try:
        for what, models, us, rok, options, engine, workers in CASES:
            args = json.dumps([models, us, rok, options, engine, workers])
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, str(script), args], check=True, capture_output=True, text=True
            )
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append((what, engine, workers, result, load))
            print(what, engine, f"{result['seconds']:.2f} s", flush=True)
    finally:
        script.unlink(missing_ok=True)
    lines = [
        "# Sweeps",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. six-party-2004, full "
        "factorial; each case in a fresh process (the time of the `sweep()` call: the design, "
        "then the tipping lines and their bisection).",
        "",
        "| case | engine | points | tipping points | seconds | of in-process | load (1 min) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    alone: dict[str, float] = {}
    for what, engine, workers, result, load in rows:
        where = engine if engine == "in-process" else f"{engine}:{workers}"
        if engine == "in-process":
            alone[what] = result["seconds"]
        share = f"{result['seconds'] / alone[what]:.0%}" if what in alone else ""
        lines.append(
            f"| {what} | {where} | {result['points']:,} | {result['tipping']} | "
            f"{result['seconds']:.2f} | {share} | {load:.2f} |"
        )
    out = Path(__file__).parent / "results" / "sweep.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
