"""Forecasting models, each a module of pure numpy functions, registered by name.

>>> from detente import models
>>> models.names()
('compromise', 'median', 'momentum', 'nash', 'eum', 'smp')
"""

from detente.models import compromise, eum, median, momentum, nash, smp
from detente.models.registry import ModelInfo, ModelOptions, get, names, register, registered

__all__ = [
    "ModelInfo",
    "ModelOptions",
    "compromise",
    "eum",
    "get",
    "median",
    "momentum",
    "names",
    "nash",
    "register",
    "registered",
    "smp",
]
