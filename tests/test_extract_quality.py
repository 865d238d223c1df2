"""The extractor's quality on the hand-labelled passages: precision and recall of
quote-speaker-actor triples and of actor mapping, per passage (tests/extract_scoring.py).

Four development sets, each read while a later round of rules was written: ``labelled.yaml``
(18 passages, labelled after the first rules were committed), ``heldout.yaml`` (10 passages,
labelled after the second round), ``heldout2.yaml`` (19 passages, labelled after the third
round) and ``heldout3.yaml`` (18 passages, 65 quotes, labelled after the fourth round; each of
the last three was scored once as a held-out set before it was read), and one held-out set,
``heldout4.yaml`` (24 passages, 102 quotes, labelled after the fifth round by someone who had
not read the rules, and scored once against them: its floors guard that score, no rule was
written while reading it).
docs/explanation/extraction-quality.md gives the tables. The floors are the measured figures
of the fifth rules rounded down, so that a change that makes the extractor worse fails here.
The project's aim (triples: precision 0.90, recall 0.85) is reached on heldout.yaml and
heldout2.yaml; on labelled.yaml and heldout3.yaml precision is above it and recall below
(0.77 and 0.64). Those are development figures: the score to expect on new text is the
held-out set's, 0.69 and 0.49, far from the aim."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract_scoring import (
    HELDOUT,
    HELDOUT2,
    HELDOUT3,
    HELDOUT4,
    LABELLED,
    Score,
    load,
    ratio,
    score_passage,
    table,
)

#: Measured figures, rounded down: quotes P, quotes R, actors P, actors R.
FLOORS = {
    LABELLED: (0.97, 0.77, 1.00, 0.97),
    HELDOUT: (0.96, 0.90, 1.00, 1.00),
    HELDOUT2: (0.95, 0.94, 1.00, 1.00),
    HELDOUT3: (0.95, 0.64, 0.80, 0.95),  # fifth rules; 0.58/0.38 as held out (fourth)
    HELDOUT4: (0.68, 0.48, 0.86, 0.90),  # held out, scored once with the fifth rules (8d81c7b)
}


def test_the_labelled_sets_are_large_enough() -> None:
    passages = load(LABELLED) + load(HELDOUT)
    assert len(load(LABELLED)) >= 15
    assert len(load(HELDOUT2)) >= 15
    assert len(load(HELDOUT3)) >= 15
    assert len(load(HELDOUT4)) >= 15
    assert sum(len(p["quotes"]) for p in passages) >= 80
    assert len({p["id"] for p in passages}) == len(passages)


@pytest.mark.parametrize(
    "path",
    [LABELLED, HELDOUT, HELDOUT2, HELDOUT3, HELDOUT4],
    ids=["development", "development-2", "development-3", "development-4", "held-out"],
)
def test_quality_table(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scores: list[Score] = [score_passage(p) for p in load(path)]
    with capsys.disabled():
        print(f"\n{path.name}\n" + table(scores))
    tp, fp, fn = (sum(getattr(s, k) for s in scores) for k in ("tp", "fp", "fn"))
    atp, afp, afn = (
        sum(getattr(s, k) for s in scores) for k in ("actors_tp", "actors_fp", "actors_fn")
    )
    measured = (
        ratio(tp, tp + fp),
        ratio(tp, tp + fn),
        ratio(atp, atp + afp),
        ratio(atp, atp + afn),
    )
    for got, floor in zip(measured, FLOORS[path], strict=True):
        assert got >= floor, (path.name, measured)
