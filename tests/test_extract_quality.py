"""The extractor's quality on the hand-labelled passages: precision and recall of
quote-speaker-actor triples and of actor mapping, per passage (tests/extract_scoring.py).

Two development sets: ``labelled.yaml`` (18 passages, labelled after the first rules were
committed, then read while the second round of rules was written) and ``heldout.yaml`` (10
passages, labelled after the second round and scored once; read while the third round, the
coreference rules of issue 13's quality work, was written); and one held-out set,
``heldout2.yaml`` (19 passages, 71 quotes), written and labelled after that third round was
committed and scored once, with no rule changed afterwards.
docs/explanation/extraction-quality.md gives the tables. The floors are the measured figures
rounded down, so that a change that makes the extractor worse fails here. The project's aim
(triples: precision 0.90, recall 0.85) is reached on the second development set only, NOT on
the held-out set (0.86 and 0.73); the page says which misses remain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract_scoring import HELDOUT, HELDOUT2, LABELLED, Score, load, ratio, score_passage, table

#: Measured figures, rounded down: quotes P, quotes R, actors P, actors R.
FLOORS = {
    LABELLED: (0.97, 0.77, 1.00, 0.97),
    HELDOUT: (0.96, 0.90, 1.00, 1.00),
    HELDOUT2: (0.95, 0.94, 1.00, 1.00),
}


def test_the_labelled_sets_are_large_enough() -> None:
    passages = load(LABELLED) + load(HELDOUT)
    assert len(load(LABELLED)) >= 15
    assert len(load(HELDOUT2)) >= 15
    assert sum(len(p["quotes"]) for p in passages) >= 80
    assert len({p["id"] for p in passages}) == len(passages)


@pytest.mark.parametrize(
    "path", [LABELLED, HELDOUT, HELDOUT2], ids=["development", "development-2", "held-out"]
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
