"""Analyses over the models: dyads and miscalculation, advice, coalitions, and the study that
gathers everything a report shows."""

from detente.analysis.advice import Advice, Lever, Sensitivity, advise
from detente.analysis.coalitions import Coalitions, coalitions
from detente.analysis.dynamics import DYNAMICS_SCHEMA, Dynamics, SettledBy, dynamics
from detente.analysis.study import STUDY_SCHEMA, Study, restudy, study

__all__ = [
    "DYNAMICS_SCHEMA",
    "STUDY_SCHEMA",
    "Advice",
    "Coalitions",
    "Dynamics",
    "Lever",
    "Sensitivity",
    "SettledBy",
    "Study",
    "advise",
    "coalitions",
    "dynamics",
    "restudy",
    "study",
]
