"""A digest of everything an exchange-model run produces, to compare two implementations.

``tests/fixtures/exchange/digests.json`` holds the digests of main's code before the speed-up
of the exchange model (issue 20), made by ``python tests/exchange_digest.py`` with main's
``src`` on the path; ``test_exchange.py`` computes them again with the code under test. Every
float enters by its exact bits, so equal digests mean bit-identical runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

FIXTURE = Path(__file__).parent / "fixtures" / "exchange" / "digests.json"

#: (name, actors, issues, options, rng seed): random inputs, every actor on every issue.
CASES: list[tuple[str, int, int, dict[str, Any], int | None]] = [
    ("random-20x2", 20, 2, {}, None),
    ("random-20x3-random-ties", 20, 3, {"ties": "random", "rounds": 5}, 7),
    ("random-60x2", 60, 2, {}, None),
    ("random-60x2-global-latest", 60, 2, {"bookkeeping": "global", "merge": "latest"}, None),
    ("random-60x3-no-cap-strict", 60, 3, {"outcome_cap": False, "side_test": "strict"}, None),
    ("random-200x2", 200, 2, {}, None),
]


def inputs(n: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capabilities, positions and saliences of a random case (positions on 0-100, some
    actors exactly at the middle so that sides and caps meet their edge cases)."""
    rng = np.random.default_rng([20, n, k])
    c = rng.uniform(1, 100, n)
    X = np.round(rng.uniform(0, 100, (n, k)), 1)
    X[rng.random((n, k)) < 0.05] = 50.0
    S = np.round(rng.uniform(0.1, 1, (n, k)), 2)
    return c, X, S


class _Hash:
    def __init__(self) -> None:
        self.h = hashlib.sha256()

    def add(self, value: Any) -> None:
        h = self.h
        if isinstance(value, np.ndarray):
            h.update(f"a{value.dtype.str}{value.shape}".encode())
            h.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, bool | np.bool_):
            h.update(b"T" if value else b"F")
        elif isinstance(value, float | np.floating):
            h.update(float(value).hex().encode())
        elif isinstance(value, int | np.integer):
            h.update(f"i{int(value)}".encode())
        elif isinstance(value, str):
            h.update(f"s{len(value)}:{value}".encode())
        elif value is None:
            h.update(b"N")
        elif isinstance(value, dict):
            h.update(f"d{len(value)}".encode())
            for key in sorted(value):
                self.add(key)
                self.add(value[key])
        elif isinstance(value, list | tuple):
            h.update(f"l{len(value)}".encode())
            for item in value:
                self.add(item)
        elif dataclasses.is_dataclass(value):
            h.update(type(value).__name__.encode())
            for f in dataclasses.fields(value):
                self.add(f.name)
                self.add(getattr(value, f.name))
        else:
            raise TypeError(f"cannot digest {type(value).__name__}")


def digest(name: str, n: int, k: int, options: dict[str, Any], seed: int | None) -> str:
    """The digest of the whole trajectory of one case: every round's positions, forecasts,
    moves, and its detail (every exchange made with its externalities, every one dropped
    with its last state, every candidate as first computed)."""
    from detente.models.exchange import ExchangeOptions, trajectory
    from detente.models.exchange.rounds import dropped_exchanges
    from detente.models.stopping import run

    c, X, S = inputs(n, k)
    rng = None if seed is None else np.random.default_rng(seed)
    path = run(trajectory(c, X, S, options=ExchangeOptions(**options), rng=rng), slim=False)
    h = _Hash()
    h.add(path.forecast)
    for state in path.rounds:
        h.add([state.round, state.positions, state.forecast, dict(state.quantities)])
        h.add(list(state.moves))
        if state.detail is None:
            continue
        r = state.detail.result
        h.add([r.start, r.outcome, r.voting, r.voting_outcome, r.next])
        h.add(list(r.executed))
        h.add([(after, ids, state_) for after, ids, state_ in r.dropped])
        h.add([r.candidates.i, r.candidates.j, r.candidates.p, r.candidates.q])
        h.add(r.candidates.state)
        h.add([str(key) for key in r.groups] + [r.groups[key] for key in r.groups])
        h.add(dropped_exchanges(r, r.start, state.detail.salience, state.detail.weight))
    return h.h.hexdigest()


def main() -> None:
    digests = {name: digest(name, n, k, o, seed) for name, n, k, o, seed in CASES}
    FIXTURE.write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(digests, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
