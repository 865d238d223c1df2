"""Analyses built on the models: dyads and miscalculation, coalitions, advice."""
