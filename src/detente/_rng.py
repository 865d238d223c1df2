"""The one place randomness is set up: every entry point turns its ``rng`` argument into seeds here.

``rng`` may be an int, a :class:`numpy.random.SeedSequence`, a :class:`numpy.random.Generator`
or None. :func:`seeding` gives the :class:`~numpy.random.SeedSequence` a run draws from and the
int a run records, so that passing that int again rebuilds the run:

* an int is its own seed;
* None draws a fresh seed from the operating system's entropy and records it;
* a Generator gives up one integer, which becomes the seed (the generator itself is advanced,
  as any use of it would);
* a root SeedSequence (no spawn key) records its entropy; a spawned child (one with a spawn
  key, as a library makes for the i-th of many runs) is used as it is and records no seed,
  since one int cannot rebuild it: pass an int to have one recorded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np

from detente.errors import InputError

__all__ = ["RNG", "SEED_BITS", "Seeding", "generator", "seed_fields", "seeding"]

#: Bits of a seed drawn here: at most 2**53 - 1, so that it survives a trip through any JSON
#: tool (JavaScript, jq) that reads numbers as doubles.
SEED_BITS = 53

#: What an ``rng`` argument accepts.
RNG = int | np.integer | np.random.SeedSequence | np.random.Generator | None


@dataclass(frozen=True)
class Seeding:
    """Where a run's random numbers come from: ``sequence``, and ``seed``, the int recorded."""

    sequence: np.random.SeedSequence
    seed: int | None

    def generator(self) -> np.random.Generator:
        """A fresh generator on :attr:`sequence` (the same numbers each time it is made)."""
        return np.random.default_rng(self.sequence)


def seeding(rng: RNG) -> Seeding:
    """The seed sequence and recorded seed of ``rng`` (see the module's rules).

    Raises
    ------
    InputError
        ``rng`` is a negative int or not one of the accepted types.

    Examples
    --------
    >>> seeding(7).seed
    7
    >>> s = seeding(None)
    >>> seeding(s.seed).generator().random() == s.generator().random()
    True
    """
    if isinstance(rng, bool):
        raise InputError("rng must be an int, a SeedSequence or a Generator, not a bool")
    if isinstance(rng, int | np.integer):
        if rng < 0:
            raise InputError(f"a seed must be 0 or more, not {rng}")
        return Seeding(np.random.SeedSequence(int(rng)), int(rng))
    if rng is None:
        seed = secrets.randbits(SEED_BITS)
        return Seeding(np.random.SeedSequence(seed), seed)
    if isinstance(rng, np.random.SeedSequence):
        if not rng.spawn_key and isinstance(rng.entropy, int):
            return Seeding(rng, int(rng.entropy))
        return Seeding(rng, None)
    if isinstance(rng, np.random.Generator):
        seed = int(rng.integers(2**SEED_BITS))
        return Seeding(np.random.SeedSequence(seed), seed)
    raise InputError(f"rng must be an int, a SeedSequence or a Generator, not {type(rng).__name__}")


def generator(rng: RNG) -> np.random.Generator:
    """A generator for ``rng``: a Generator is used as it is, anything else is seeded.

    For code that draws from a generator it was handed (a model given ``rng``), where the
    caller, not this code, records the seed.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    return seeding(rng).generator()


def seed_fields(seed: int | None) -> dict[str, int | str | None]:
    """A recorded seed as JSON output documents carry it: ``seed`` and ``seed_text``.

    ``seed`` is the integer (as before); ``seed_text`` is the same number as a decimal string,
    which every JSON tool reads exactly. A seed given by hand, or a SeedSequence's 128-bit
    entropy, can pass 2**53, and tools that read numbers as doubles (jq 1.6, JavaScript) then
    print another number (``3.6e+37``): pass ``seed_text`` back to ``--rng``.

    Examples
    --------
    >>> seed_fields(2**64)
    {'seed': 18446744073709551616, 'seed_text': '18446744073709551616'}
    >>> seed_fields(None)
    {'seed': None, 'seed_text': None}
    """
    return {"seed": seed, "seed_text": None if seed is None else str(int(seed))}
