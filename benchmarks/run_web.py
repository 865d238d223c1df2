"""Benchmark of the browser workbench (``detente serve``): what-if latency, page loads, memory.

A real server is started in a subprocess on a free port (its own workspace and run store) and
timed from outside:

- **what-if at the server**: 100 changes of an input on six-party-2004, each a POST of the
  what-if form answered with every static model's forecast and its change (the wall time of
  the request on the loopback, so an upper bound of the server's time); target median < 100 ms;
- **what-if in Chromium** (when Debian's chromium and Playwright are there): a slider moved
  until the page shows the new forecasts, debounce (120 ms) included; target < 300 ms;
- **editor with 200 actors x 3 issues**: a validation of the whole form at the server, and a
  keystroke in a cell in Chromium (until the next frame); target < 100 ms;
- **first page load**: the library and the scenario page, first request after start-up, and
  in Chromium until the load event; target < 1 s;
- **idle memory**: the server's resident set size after start-up and after the runs above;
  target < 200 MB.

Writes ``results/web.md``.
"""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from detente import __version__

CHROMIUM = Path("/usr/bin/chromium")
CHANGES = 100
SCENARIO = "/s/bundled/six-party-2004"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url) as response:
        response.read()
    return time.perf_counter() - start


def post(url: str, fields: dict[str, str]) -> float:
    data = urllib.parse.urlencode(fields).encode()
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, data=data)) as response:
        response.read()
    return time.perf_counter() - start


def big_scenario(n: int = 200, k: int = 3) -> str:
    import numpy as np

    rng = np.random.default_rng(1)
    lines = ["id: big", "name: 200 actors", "issues:"]
    lines += [f"  - id: i{j}" for j in range(k)]
    lines.append("actors:")
    for a in range(n):
        pos = ", ".join(f"i{j}: {int(rng.integers(0, 101))}" for j in range(k))
        sal = ", ".join(f"i{j}: {int(rng.integers(1, 101))}" for j in range(k))
        lines.append(
            f"  - {{id: A{a}, capability: {int(rng.integers(1, 101))}, "
            f"position: {{{pos}}}, salience: {{{sal}}}}}"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="detente-bench-web-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DETENTE_STORE=str(folder / "runs.db"))
    env.pop("DETENTE_TOKEN", None)
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "detente",
            "serve",
            "--port",
            str(port),
            "--workspace",
            str(folder / "workspace"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows: list[tuple[str, float, str, str]] = []
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        ready = time.perf_counter() - started
        idle_start = rss_mb(server.pid)
        first_library = get(base + "/")
        first_scenario = get(base + SCENARIO)
        rows.append(("server start-up until it accepts connections (s)", ready, "-", "-"))
        rows.append(("first load of the library page, server (s)", first_library, "< 1", ""))
        rows.append(("first load of six-party-2004's page, server (s)", first_scenario, "< 1", ""))

        get(base + SCENARIO + "/whatif")
        post(base + SCENARIO + "/whatif", {"USA.position.disarmament": "99"})  # warm
        times = [
            post(base + SCENARIO + "/whatif", {"USA.position.disarmament": str(50 + i % 40)})
            for i in range(CHANGES)
        ]
        median = statistics.median(times)
        rows.append(
            (f"what-if at the server, median of {CHANGES} changes (ms)", median * 1000, "< 100", "")
        )
        rows.append(("what-if at the server, slowest of them (ms)", max(times) * 1000, "-", "-"))

        big = folder / "workspace" / "big.yaml"
        big.write_text(big_scenario(), encoding="utf-8")
        form = editor_form(base)
        validations = [post(base + "/editor/validate", form) for _ in range(10)]
        rows.append(
            (
                "editor, 200 actors x 3 issues: validation of the form, median (ms)",
                statistics.median(validations) * 1000,
                "-",
                "-",
            )
        )

        if CHROMIUM.exists():
            rows += browser_rows(base)
        idle_end = rss_mb(server.pid)
        rows.append(("idle server memory after start-up (MB, RSS)", idle_start, "< 200", ""))
        rows.append(("idle server memory after all the above (MB, RSS)", idle_end, "< 200", ""))
    finally:
        server.terminate()
        server.wait(timeout=10)
    write(rows)


def editor_form(base: str) -> dict[str, str]:
    """The editor's fields for the 200-actor scenario, as a browser posts them."""
    import re
    from html import unescape

    with urllib.request.urlopen(base + "/s/workspace/big/edit") as response:
        page = response.read().decode()
    fields = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    return fields


def browser_rows(base: str) -> list[tuple[str, float, str, str]]:
    from playwright.sync_api import sync_playwright

    rows = []
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
        rows.append(
            (
                "first load of the library page in Chromium, to the load event (ms)",
                load,
                "< 1000",
                "",
            )
        )
        page.goto(base + SCENARIO + "/whatif")
        shown = []
        for i in range(20):
            value = 40 + i * 2
            elapsed = page.evaluate(
                """v => new Promise(done => {
                    const cell = () => document.querySelector('.wi-now[data-model="compromise"]');
                    const before = cell().innerText;
                    const slider = document.querySelector('[name="USA.position.disarmament"]');
                    const start = performance.now();
                    new MutationObserver((_, observer) => {
                        if (cell() && cell().innerText !== before) {
                            observer.disconnect();
                            requestAnimationFrame(() => done(performance.now() - start));
                        }
                    }).observe(document.getElementById('wi-result'),
                               {childList: true, subtree: true, characterData: true});
                    slider.value = v;
                    slider.dispatchEvent(new Event('input', {bubbles: true}));
                })""",
                value,
            )
            shown.append(elapsed)
        rows.append(
            (
                "what-if in Chromium: slider moved to forecasts shown, median of 20 (ms, "
                "120 ms debounce included)",
                statistics.median(shown),
                "< 300",
                "",
            )
        )
        page.goto(base + "/s/workspace/big/edit")
        typing = []
        for i in range(20):
            typing.append(
                page.evaluate(
                    """i => new Promise(done => {
                    const cell = document.querySelector('[name="actor-' + (i * 7) + '-pos-1"]');
                    cell.focus();
                    const start = performance.now();
                    cell.value = String(10 + i);
                    cell.dispatchEvent(new Event('input', {bubbles: true}));
                    requestAnimationFrame(() => done(performance.now() - start));
                })""",
                    i,
                )
            )
        rows.append(
            (
                "editor, 200 actors x 3 issues: typing in a cell in Chromium, to the next "
                "frame, median of 20 (ms)",
                statistics.median(typing),
                "< 100",
                "",
            )
        )
        browser.close()
    return rows


def write(rows: list[tuple[str, float, str, str]]) -> None:
    lines = [
        "# Web workbench",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. `detente serve` in a subprocess, timed from "
        "outside (loopback HTTP included); see `benchmarks/run_web.py`.",
        "",
        "| measure | value | target | met |",
        "| --- | ---: | ---: | :---: |",
    ]
    for what, value, target, _ in rows:
        met = "-"
        if target.startswith("< "):
            limit = float(target[2:])
            met = "yes" if value < limit else "**no**"
        shown = f"{value:.3f}" if value < 10 else f"{value:.0f}"
        lines.append(f"| {what} | {shown} | {target} | {met} |")
        print(f"{what}: {shown} ({target})", flush=True)
    out = Path(__file__).parent / "results" / "web.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
