"""Analyses over the models: dyads and miscalculation, advice, coalitions, and the study that
gathers everything a report shows."""

from detente.analysis.advice import Advice, Lever, Sensitivity, advise
from detente.analysis.coalitions import Coalitions, coalitions
from detente.analysis.study import STUDY_SCHEMA, Study, study

__all__ = [
    "STUDY_SCHEMA",
    "Advice",
    "Coalitions",
    "Lever",
    "Sensitivity",
    "Study",
    "advise",
    "coalitions",
    "study",
]
