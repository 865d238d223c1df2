"""The extractor's quality on the hand-labelled passages (tests/fixtures/extract/labelled.yaml):
precision and recall of quote-speaker-actor triples and of actor mapping, per passage.

The figures are those docs/explanation/extraction-quality.md reports; the floors below are
the measured figures rounded down, so that a change that makes the extractor worse fails here.
The project's aim (triples: precision 0.90, recall 0.85) is NOT yet reached; see the page.
"""

from __future__ import annotations

import pytest

from extract_scoring import load, ratio, score_passage, table


@pytest.fixture(scope="module")
def scores() -> list:  # type: ignore[type-arg]
    return [score_passage(p) for p in load()]


def test_the_labelled_set_is_large_enough() -> None:
    passages = load()
    assert len(passages) >= 15
    assert sum(len(p["quotes"]) for p in passages) >= 50


def test_quality_table(scores: list, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[type-arg]
    with capsys.disabled():
        print("\n" + table(scores))
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    atp = sum(s.actors_tp for s in scores)
    afp = sum(s.actors_fp for s in scores)
    afn = sum(s.actors_fn for s in scores)
    assert ratio(tp, tp + fp) >= FLOOR["quotes_precision"]
    assert ratio(tp, tp + fn) >= FLOOR["quotes_recall"]
    assert ratio(atp, atp + afp) >= FLOOR["actors_precision"]
    assert ratio(atp, atp + afn) >= FLOOR["actors_recall"]


#: Measured figures, rounded down (see docs/explanation/extraction-quality.md).
FLOOR = {
    "quotes_precision": 0.66,
    "quotes_recall": 0.35,
    "actors_precision": 0.95,
    "actors_recall": 0.96,
}
