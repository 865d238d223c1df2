"""Analyses over the models: dyads and miscalculation, advice, coalitions, and the study that
gathers everything a report shows."""

from detente.analysis.advice import Advice, Lever, Sensitivity, advise
from detente.analysis.study import STUDY_SCHEMA, Study, study

__all__ = ["STUDY_SCHEMA", "Advice", "Lever", "Sensitivity", "Study", "advise", "study"]
