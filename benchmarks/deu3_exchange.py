"""The exchange model on DEU III: the development half, a cross-validated choice of reading,
and (only with ``--test``, once) the test half.

The model runs on all the issues of a proposal at once (the backtest's ``joint`` models) with
the reference implementation's defaults. Two readings the papers leave open are compared on
the development half: how many rounds (1: Stokman & Van Oosten's single round of exchanges;
10: DECIDE's rounds with preferences drifting towards voting positions) and which outcome is
the forecast (``voting`` or ``preference``, X18). The rule: the lowest MAE averaged over the
three capability sources. A 5-fold cross-validation of that choice inside the development half
(folds are proposals) estimates the error of the procedure. Prints markdown; see
docs/explanation/exchange.md.

    python benchmarks/deu3_exchange.py          # development half
    python benchmarks/deu3_exchange.py --test   # the one-time score on the test half
"""

from __future__ import annotations

import itertools
import sys

import numpy as np

from detente.backtest import backtest, load_deu3

ROUNDS = (1, 10)
FORECASTS = ("voting", "preference")
CAPABILITIES = ("equal", "gdp", "council")
DEFAULT = (10, "voting")


def _scores(split: str, cap: str, point: tuple[int, str]) -> tuple[float, float, str, np.ndarray]:
    """MAE of compromise and exchange, the bootstrap interval of their difference, and the
    exchange's errors in issue order."""
    rounds, forecast = point
    bt = backtest(
        load_deu3(),
        split=split,
        models=["exchange"],
        capability=cap,
        options={"exchange": {"rounds": rounds, "forecast": forecast}},
        n_boot=2000,
    )
    table = bt.scores().set_index("model")
    boot = bt.bootstrap().set_index("model").loc["exchange"]
    interval = f"{boot['diff']:+.2f} [{boot['low']:+.2f}, {boot['high']:+.2f}]"
    errors = bt.frame[bt.frame["model"] == "exchange"].sort_values("code")
    return (
        float(table.loc["compromise", "mae"]),
        float(table.loc["exchange", "mae"]),
        interval,
        errors[["proposal", "error"]].to_numpy(),
    )


def development() -> None:
    grid = list(itertools.product(ROUNDS, FORECASTS))
    results = {(cap, p): _scores("dev", cap, p) for cap in CAPABILITIES for p in grid}
    print("Development half, MAE of the exchange model by reading (compromise beside it):\n")
    print("| rounds | forecast | " + " | ".join(CAPABILITIES) + " | mean |")
    print("|---|---|" + "---|" * (len(CAPABILITIES) + 1))
    ref = [results[cap, grid[0]][0] for cap in CAPABILITIES]
    print(f"| compromise | | {' | '.join(f'{m:.2f}' for m in ref)} | {np.mean(ref):.2f} |")
    for point in grid:
        maes = [results[cap, point][1] for cap in CAPABILITIES]
        cells = " | ".join(f"{m:.2f}" for m in maes)
        print(f"| {point[0]} | {point[1]} | {cells} | {np.mean(maes):.2f} |")
    print("\nDefaults (10 rounds, voting) against the compromise, difference and 95% interval:\n")
    for cap in CAPABILITIES:
        print(f"- {cap}: {results[cap, DEFAULT][2]}")

    proposals = results[CAPABILITIES[0], grid[0]][3][:, 0]

    def score(point: tuple[int, str], mask: np.ndarray) -> float:
        return float(np.mean([results[cap, point][3][mask, 1].mean() for cap in CAPABILITIES]))

    everything = np.ones(proposals.size, dtype=bool)
    best = min(grid, key=lambda p: score(p, everything))
    print(f"\nchosen on the whole development half: rounds={best[0]}, forecast={best[1]}")
    labels = np.unique(proposals)
    np.random.default_rng(0).shuffle(labels)
    cv = {cap: np.empty(proposals.size) for cap in CAPABILITIES}
    picks = []
    for fold in np.array_split(labels, 5):
        held = np.isin(proposals, fold)
        pick = min(grid, key=lambda p: score(p, ~held))
        picks.append(pick)
        for cap in CAPABILITIES:
            cv[cap][held] = results[cap, pick][3][held, 1]
    print("5-fold CV MAE: " + ", ".join(f"{c} {cv[c].mean():.2f}" for c in CAPABILITIES))
    print("readings the folds chose: " + ", ".join(f"{r} rounds {f}" for r, f in picks))


def test_half(points: list[tuple[int, str]]) -> None:
    print("Test half, once:\n")
    print("| reading | capability | compromise | exchange | difference, 95% interval |")
    print("|---|---|---|---|---|")
    for point in points:
        for cap in CAPABILITIES:
            ref, mae, interval, _ = _scores("test", cap, point)
            label = f"{point[0]} rounds, {point[1]}"
            print(f"| {label} | {cap} | {ref:.2f} | {mae:.2f} | {interval} |")


if __name__ == "__main__":
    if "--test" in sys.argv:
        chosen = [DEFAULT]
        for arg in sys.argv[1:]:
            if arg.startswith("--also="):
                rounds, forecast = arg.removeprefix("--also=").split(",")
                chosen.append((int(rounds), forecast))
        test_half(chosen)
    else:
        development()
