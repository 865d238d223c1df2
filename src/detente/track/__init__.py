"""Track record: questions written before the fact, sealed forecasts, resolutions and scores.

An analyst writes a question (:func:`make_question`), seals stored runs as forecasts of it as
news arrives (:func:`seal_document`, kept by :meth:`RunStore.add_seal
<detente.store.RunStore.add_seal>`: each seal is a vintage), and records the outcome with its
evidence (:func:`make_resolution`). :func:`track_document` scores every vintage and model.
See ``docs/how-to/keep-a-track-record.md``.
"""

from detente.track.distribution import LEVELS, Distribution, distribution_of
from detente.track.questions import QUESTION_SCHEMA, make_question
from detente.track.record import (
    RESOLUTION_SCHEMA,
    TRACK_SCHEMA,
    Record,
    make_resolution,
    score,
    track_document,
)
from detente.track.scores import crps_from_quantiles, pinball_loss
from detente.track.seal import (
    SEAL_SCHEMA,
    canonical,
    check_against_run,
    check_document,
    digest_of,
    seal_document,
    structure_problems,
)

__all__ = [
    "LEVELS",
    "QUESTION_SCHEMA",
    "RESOLUTION_SCHEMA",
    "SEAL_SCHEMA",
    "TRACK_SCHEMA",
    "Distribution",
    "Record",
    "canonical",
    "check_against_run",
    "check_document",
    "crps_from_quantiles",
    "digest_of",
    "distribution_of",
    "make_question",
    "make_resolution",
    "pinball_loss",
    "score",
    "seal_document",
    "structure_problems",
    "track_document",
]
