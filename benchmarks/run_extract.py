"""Benchmark of ``detente extract``'s core: 100 articles of about 1,000 words each.

The articles are built from real reporting: the two seed articles (shared/sources) and the
labelled passages of tests/fixtures/extract/labelled.yaml, their paragraphs dealt out in a fixed
order until each article holds about 1,000 words. Each article is read from its text (no disk)
and run through :func:`detente.evidence.extract`: mentions, officials, quotes, stances, dates.
The table gives the median of ``REPEATS`` runs of the whole batch, the fastest and the slowest,
beside the target (under 5 s). Writes ``results/extract.md``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from detente import __version__
from detente.evidence import article_from_text, extract

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT.parent / "shared" / "sources"
LABELLED = ROOT / "tests" / "fixtures" / "extract" / "labelled.yaml"
N_ARTICLES = 100
WORDS = 1000
REPEATS = 5
TARGET_S = 5.0


def paragraphs() -> list[str]:
    out = []
    for file in sorted(SOURCES.glob("*.txt")):
        out += [p for p in file.read_text(encoding="utf-8").split("\n") if len(p.split()) > 8]
    for passage in yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["passages"]:
        out += [p for p in passage["text"].split("\n") if len(p.split()) > 8]
    return out


def articles() -> list[str]:
    pool = paragraphs()
    texts = []
    at = 0
    for n in range(N_ARTICLES):
        chosen: list[str] = []
        while sum(len(p.split()) for p in chosen) < WORDS:
            chosen.append(pool[at % len(pool)])
            at += 7 + n % 5  # a different mix for every article
        texts.append("\n\n".join(chosen))
    return texts


def run(texts: list[str]) -> tuple[float, float, int, int]:
    """Wall time and CPU time of one batch, and the quotes and mentions found."""
    start, cpu = time.perf_counter(), time.process_time()
    quotes = mentions = 0
    for n, text in enumerate(texts):
        found = extract(article_from_text(text, f"article-{n}"))
        quotes += len(found.quotes)
        mentions += len(found.mentions)
    return time.perf_counter() - start, time.process_time() - cpu, quotes, mentions


def main() -> None:
    texts = articles()
    words = sum(len(t.split()) for t in texts)
    run(texts[:2])  # warm-up: imports and compiled patterns
    times, cpus = [], []
    for _ in range(REPEATS):
        seconds, cpu, quotes, mentions = run(texts)
        times.append(seconds)
        cpus.append(cpu)
    median = statistics.median(times)
    cpu_median = statistics.median(cpus)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    verdict = "yes" if median < TARGET_S else "NO"
    lines = [
        "# detente extract: speed",
        "",
        f"{N_ARTICLES} articles, {words:,} words in all ({words // N_ARTICLES:,} per article), "
        f"built from the seed articles and the labelled passages; {quotes} quotes and "
        f"{mentions:,} actor mentions found per batch.",
        "",
        "| batch | wall, median (s) | fastest (s) | slowest (s) | CPU, median (s) "
        "| per article (ms, wall) | target | met (wall) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {N_ARTICLES} articles | {median:.2f} | {min(times):.2f} | {max(times):.2f} | "
        f"{cpu_median:.2f} | {1000 * median / N_ARTICLES:.1f} | < {TARGET_S:.0f} s | {verdict} |",
        "",
        "CPU time is the process's own (user + system): on a shared machine whose load average "
        "exceeds its cores, wall time also counts the time other processes held the cores.",
        "",
        f"detente {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"load average {load:.2f} when run, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{REPEATS} runs after one warm-up.",
        "",
    ]
    out = Path(__file__).parent / "results" / "extract.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
