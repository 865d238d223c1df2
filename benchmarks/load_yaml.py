"""Benchmark of reading a large scenario file: how long ``detente.scenario.load`` takes.

A generated scenario of ``ACTORS`` actors on ``ISSUES`` issues, in block YAML as detente
writes it (names, descriptions, uncertainty ranges and one evidence quote per actor), is read
``REPEATS`` times after one warm-up; the table gives the median, fastest and slowest time of
``load`` (parse, line numbers, validation) beside the machine's load average, for the YAML file
and the same scenario as JSON. A second case times the error path: the same file with one bad
capability in its last actor, which must still be reported with its line.
Writes ``results/load_yaml.md``.

Usage: ``python benchmarks/load_yaml.py [ACTORS]`` (default 1,000).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from detente import __version__
from detente.errors import ScenarioError
from detente.scenario import io

ACTORS = 1000
ISSUES = 3
REPEATS = 5
TARGET_SECONDS = 2.0


def scenario_data(n_actors: int = ACTORS, n_issues: int = ISSUES) -> dict[str, Any]:
    """A valid scenario of ``n_actors`` actors as plain data (deterministic)."""
    issues = [
        {"id": f"issue-{k}", "name": f"Issue {k}", "scale": {0: "none", 50: "half", 100: "all"}}
        for k in range(n_issues)
    ]
    actors = []
    for n in range(n_actors):
        position = {f"issue-{k}": float((n * 37 + k * 11) % 101) for k in range(n_issues)}
        salience = {f"issue-{k}": float(10 + (n * 13 + k * 7) % 91) for k in range(n_issues)}
        capability = 1.0 + (n * 7919) % 1000 / 10
        actors.append(
            {
                "id": f"A{n:04d}",
                "name": f"Actor number {n}",
                "description": f"Generated actor {n}, one of {n_actors}, for the load benchmark",
                "capability": capability,
                "position": position,
                "salience": salience,
                "uncertainty": {"capability": [capability / 2, capability * 2]},
                "evidence": [
                    {"source": "gen", "supports": "position.issue-0", "quote": f"actor {n} said"}
                ],
            }
        )
    return {
        "id": "load-benchmark",
        "name": f"{n_actors} generated actors",
        "as_of": "2004-11-02",
        "sources": [{"id": "gen", "title": "Generated", "date": "2004-11-02"}],
        "issues": issues,
        "actors": actors,
    }


def write_cases(folder: Path, n_actors: int) -> dict[str, Path]:
    """The benchmark's files in ``folder``: good YAML, good JSON, YAML with one bad value."""
    scenario = io.validate_data(scenario_data(n_actors), "generated")
    yaml_text = io.dump_yaml(scenario)
    paths = {
        "yaml": folder / "large.yaml",
        "json": folder / "large.json",
        "yaml, one error": folder / "large-bad.yaml",
    }
    paths["yaml"].write_text(yaml_text, encoding="utf-8")
    paths["json"].write_text(io.dump_json(scenario), encoding="utf-8")
    last = yaml_text.rindex("capability: ")
    end = yaml_text.index("\n", last)
    bad = yaml_text[:last] + "capability: -1" + yaml_text[end:]
    paths["yaml, one error"].write_text(bad, encoding="utf-8")
    return paths


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def load_expecting_error(path: Path) -> None:
    try:
        io.load(path, check_evidence=False)
    except ScenarioError as err:
        if any(p.line is None for p in err.problems):
            raise RuntimeError(f"a problem without its line: {err}") from None
        return
    raise RuntimeError(f"{path} loaded without the expected error")


def main() -> None:
    n_actors = int(sys.argv[1]) if len(sys.argv) > 1 else ACTORS
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_cases(Path(tmp), n_actors)
        for what, path in paths.items():

            def action(path: Path = path, what: str = what) -> None:
                if "error" in what:
                    load_expecting_error(path)
                else:
                    io.load(path, check_evidence=False)

            timed(action)  # warm-up
            load = os.getloadavg()[0]
            times = sorted(timed(action) for _ in range(REPEATS))
            median = statistics.median(times)
            size = path.stat().st_size
            rows.append((what, size, median, times[0], times[-1], load))
            print(f"{what} ({size:,} bytes): median {median:.3f} s (load {load:.2f})", flush=True)
    lines = [
        "# Loading a large scenario",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. A generated scenario "
        f"of {n_actors:,} actors on {ISSUES} issues, read with `detente.scenario.load` "
        f"{REPEATS} times after a warm-up (target: under {TARGET_SECONDS:g} s).",
        "",
        "| file | bytes | median s | fastest s | slowest s | load (1 min) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for what, size, median, fastest, slowest, load in rows:
        lines.append(
            f"| {what} | {size:,} | {median:.3f} | {fastest:.3f} | {slowest:.3f} | {load:.2f} |"
        )
    out = Path(__file__).parent / "results" / "load_yaml.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
