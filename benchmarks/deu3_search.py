"""The search that chose the momentum model's defaults, on the DEU III development half only.

Grid: salience_power x push; the rule: lowest MAE averaged over the three capability sources.
Also a 5-fold cross-validation of the whole search inside the development half (folds are
proposals), which estimates the error of the procedure rather than of the chosen point. Prints
a markdown table; see docs/explanation/momentum.md. Never run this on the test half.
"""

from __future__ import annotations

import itertools

import numpy as np

from detente.backtest import backtest, load_deu3

POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
PUSHES = (0.0, 0.05, 0.1, 0.15, 0.2)
CAPABILITIES = ("equal", "gdp", "council")


def main() -> None:
    data = load_deu3()
    grid = list(itertools.product(POWERS, PUSHES))
    errors: dict[tuple[str, tuple[float, float]], np.ndarray] = {}
    proposals = np.array([])
    for cap in CAPABILITIES:
        for power, push in grid:
            bt = backtest(
                data,
                split="dev",
                models=["momentum"],
                capability=cap,
                options={"momentum": {"salience_power": power, "push": push}},
                n_boot=100,
            )
            rows = bt.frame[bt.frame["model"] == "momentum"]
            errors[cap, (power, push)] = rows["error"].to_numpy()
            proposals = rows["proposal"].to_numpy()
    print("| salience_power | push | " + " | ".join(CAPABILITIES) + " | mean |")
    print("|---|---|" + "---|" * (len(CAPABILITIES) + 1))
    for point in grid:
        maes = [errors[cap, point].mean() for cap in CAPABILITIES]
        cells = " | ".join(f"{m:.2f}" for m in maes)
        print(f"| {point[0]} | {point[1]} | {cells} | {np.mean(maes):.2f} |")

    def score(point: tuple[float, float], mask: np.ndarray) -> float:
        return float(np.mean([errors[cap, point][mask].mean() for cap in CAPABILITIES]))

    everything = np.ones(proposals.size, dtype=bool)
    best = min(grid, key=lambda p: score(p, everything))
    print(f"\nchosen on the whole development half: salience_power={best[0]}, push={best[1]}")
    labels = np.unique(proposals)
    np.random.default_rng(0).shuffle(labels)
    cv = {cap: np.empty(proposals.size) for cap in CAPABILITIES}
    for fold in np.array_split(labels, 5):
        held = np.isin(proposals, fold)
        pick = min(grid, key=lambda p: score(p, ~held))
        for cap in CAPABILITIES:
            cv[cap][held] = errors[cap, pick][held]
    print("5-fold CV MAE: " + ", ".join(f"{c} {cv[c].mean():.2f}" for c in CAPABILITIES))


if __name__ == "__main__":
    main()
