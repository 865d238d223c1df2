"""Scoring the extractor on the hand-labelled passages (tests/fixtures/extract/*.yaml; run it
with --heldout, --heldout2, --heldout3 or --heldout4 for the later sets).

A quote-speaker-actor triple is right when the extractor finds the labelled quote (its text
starts with the labelled words), names the labelled speaker (the surname appears in the
person or speaker it gives) and maps it to the labelled actor. Precision counts every quote the
extractor attributes (an actor given) in the passage; recall every labelled quote with a
speaker. A labelled quote with no speaker that the extractor attributes is a false positive.
Actor mapping compares the set of actors the extractor reports as mentioned with the labelled
set.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
LABELLED = FIXTURES / "labelled.yaml"
HELDOUT = FIXTURES / "heldout.yaml"
HELDOUT2 = FIXTURES / "heldout2.yaml"
HELDOUT3 = FIXTURES / "heldout3.yaml"
HELDOUT4 = FIXTURES / "heldout4.yaml"


@dataclass(frozen=True)
class Score:
    passage: str
    tp: int
    fp: int
    fn: int
    actors_tp: int
    actors_fp: int
    actors_fn: int
    misses: tuple[str, ...]


def _squash(text: str) -> str:
    return " ".join(text.split())


def load(path: Path = LABELLED) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["passages"])


def score_passage(passage: dict[str, Any]) -> Score:
    from detente.evidence import article_from_text, extract

    found = extract(article_from_text(passage["text"], passage["id"]))
    attributed = [q for q in found.quotes if q.actor is not None]
    tp = fp = fn = 0
    misses: list[str] = []
    matched: set[int] = set()
    for label in passage["quotes"]:
        starts = _squash(label["starts"])
        hits = [n for n, q in enumerate(attributed) if _squash(q.text).startswith(starts)]
        if label["speaker"] is None:
            fp += len(hits)
            matched.update(hits)
            misses.extend(f"attributed an unattributed quote {starts!r}" for _ in hits)
            continue
        ok = [
            n
            for n in hits
            if attributed[n].actor == label["actor"]
            and label["speaker"].casefold()
            in " ".join(x for x in (attributed[n].person, attributed[n].speaker) if x).casefold()
        ]
        if ok:
            tp += 1
            matched.add(ok[0])
        else:
            fn += 1
            got = [
                (attributed[n].person or attributed[n].speaker, attributed[n].actor) for n in hits
            ]
            misses.append(f"{starts!r}: want {label['speaker']}/{label['actor']}, got {got}")
    wrong = [q for n, q in enumerate(attributed) if n not in matched]
    fp += len(wrong)
    actors = {a.id for a in found.actors}
    wanted = set(passage["actors"])
    return Score(
        passage["id"],
        tp,
        fp,
        fn,
        len(actors & wanted),
        len(actors - wanted),
        len(wanted - actors),
        tuple(misses)
        + tuple(f"extra actor {a}" for a in sorted(actors - wanted))
        + tuple(f"missed actor {a}" for a in sorted(wanted - actors)),
    )


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def table(scores: list[Score]) -> str:
    """The per-passage table (Markdown), with totals."""
    lines = [
        "| passage | quotes P | quotes R | TP | FP | FN | actors P | actors R |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scores:
        lines.append(
            f"| {s.passage} | {ratio(s.tp, s.tp + s.fp):.2f} | {ratio(s.tp, s.tp + s.fn):.2f} "
            f"| {s.tp} | {s.fp} | {s.fn} | {ratio(s.actors_tp, s.actors_tp + s.actors_fp):.2f} "
            f"| {ratio(s.actors_tp, s.actors_tp + s.actors_fn):.2f} |"
        )
    tp, fp, fn = (sum(getattr(s, k) for s in scores) for k in ("tp", "fp", "fn"))
    atp, afp, afn = (
        sum(getattr(s, k) for s in scores) for k in ("actors_tp", "actors_fp", "actors_fn")
    )
    lines.append(
        f"| **all {len(scores)}** | **{ratio(tp, tp + fp):.2f}** | **{ratio(tp, tp + fn):.2f}** "
        f"| {tp} | {fp} | {fn} | **{ratio(atp, atp + afp):.2f}** "
        f"| **{ratio(atp, atp + afn):.2f}** |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    chosen = (
        HELDOUT4
        if "--heldout4" in sys.argv
        else HELDOUT3
        if "--heldout3" in sys.argv
        else HELDOUT2
        if "--heldout2" in sys.argv
        else HELDOUT
        if "--heldout" in sys.argv
        else LABELLED
    )
    scores = [score_passage(p) for p in load(chosen)]
    print(table(scores))
    for s in scores:
        for miss in s.misses:
            print(f"{s.passage}: {miss}")
