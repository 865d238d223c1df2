"""``detente backtest deu3 --calibration`` and ``--fit-calibration``: the model-error layer.

``--calibration`` measures, by cross-validation on DEU III, whether each model's calibrated
intervals hold the share of outcomes they say; ``--fit-calibration`` rebuilds the parameters
the package ships (``detente/calibration/data/``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.cli._console import (
    print_json,
    print_split,
    progress_bar,
    stderr,
    stdout,
    warnings_to_stderr,
)
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.backtest import Deu3

__all__ = ["print_calibration", "run_calibration", "run_fit"]

_LEVELS = tuple(range(10, 100, 10))


def run_calibration(
    data: Deu3, models: Sequence[str], repeats: int, as_json: bool, chart: Path | None = None
) -> None:
    """Evaluate the calibrated intervals of ``models`` and print (or give as JSON) the tables;
    with ``chart``, also draw the reliability diagram there (SVG or PNG)."""
    from detente.backtest import model_error as me
    from detente.calibration import model_error

    widths: dict[str, tuple[float, float]] = {}
    for name in models:
        shipped = model_error(name)
        if shipped is None:
            raise InputError(
                f"--calibration: no error distribution is shipped for model '{name}' "
                "(run --fit-calibration with it)"
            )
        widths[name] = (shipped.forecast_width, shipped.position_width)
    steps = 3 * len(data.select("all")) + len(models) * repeats
    progress = progress_bar("calibration")
    results: dict[str, Any] = {}
    with progress, warnings_to_stderr():
        bar = progress.add_task("forecasts, then fold assignments", total=steps)
        forecasts, _ = me.forecasts_of(
            data, list(models), progress=lambda n: progress.advance(bar, n)
        )
        for name in models:
            rows = me.decisions(data, forecasts, name)
            results[name] = me.evaluate(
                rows, widths[name], repeats=repeats, progress=lambda n: progress.advance(bar, n)
            ) | {
                "test_half": me.test_half(rows, widths[name]),
                "point_mae": float((rows.frame["forecast"] - rows.frame["outcome"]).abs().mean()),
                "widths": list(widths[name]),
            }
    if chart is not None:
        _draw(results, chart)
    if as_json:
        print_json(
            {
                "schema": "detente.calibration-check/1",
                "data_sha256": data.sha256,
                "repeats": repeats,
                "models": results,
            }
        )
        return
    print_calibration(results, repeats, len(data.select("all")))


_HEADERS = ["Decisions", *(f"{lv}%" for lv in _LEVELS), "CRPS", "80% width"]


def _cells(label: str, figures: dict[str, float]) -> list[str]:
    return [
        label,
        *(f"{figures[f'cover{lv}']:.0%}" for lv in _LEVELS),
        f"{figures['crps']:.2f}",
        f"{figures['width80']:.1f}",
    ]


def _print(title: str, rows: list[list[str]]) -> None:
    print_split(title, _HEADERS, rows, right=range(1, len(_HEADERS)), key_width=32)


def print_calibration(results: dict[str, Any], repeats: int, decisions: int) -> None:
    """The coverage of every nominal interval (the reliability table), CRPS and 80% width."""
    stdout.print(
        "[bold]Calibrated intervals on DEU III[/bold]: share of outcomes inside the interval of "
        "each nominal level (a reliability table: it should read 10%, 20%, ... 90%), mean "
        f"CRPS and mean width of the 80% interval, on 0-100; {decisions} decisions under the "
        "three capability sources"
    )
    for name, r in results.items():
        rows = [_cells(f"10-fold CV, mean of {repeats}", r["repeated"]["all"])]
        if r["waves"] is not None:
            rows.append(_cells("leave one wave out", r["waves"]["all"]))
        if r["test_half"] is not None:
            rows.append(_cells("test half, fit on the dev half", r["test_half"]["all"]))
        _print(
            f"{name}: kernel widths {r['widths'][0]:g}/{r['widths'][1]:g}; its point "
            f"forecast's MAE {r['point_mae']:.2f}",
            rows,
        )
        if r["waves"] is None:
            stdout.print("[dim]leave one wave out: the decisions come from one wave[/dim]")
        if r["test_half"] is None:
            stdout.print("[dim]test half: the decisions are all in one half[/dim]")
        spread = ", ".join(
            f"{key[5:]}%: {lo:.1%} to {hi:.1%}" for key, (lo, hi) in r["range"].items()
        )
        stdout.print(f"[dim]coverage over the {repeats} fold assignments: {spread}[/dim]")
        for group, title in (
            ("spread", "by spread of the actors' positions (terciles)"),
            ("procedure", "by procedure"),
            ("wave", "by wave"),
            ("capability", "by capability source"),
        ):
            _print(
                f"{name}, {title} (10-fold CV, mean of {repeats})",
                [
                    _cells(f"wave {key}" if group == "wave" else str(key), figures)
                    for key, figures in r["repeated"][group].items()
                ],
            )


def _draw(results: dict[str, Any], path: Path) -> None:
    """The reliability diagram of the repeated cross-validation, one line per model."""
    from detente._files import atomic_write
    from detente.calibration import NOMINAL
    from detente.report.charts import reliability_chart
    from detente.report.layout import png, style, svg

    observed = {
        name: [r["repeated"]["all"][f"cover{round(n * 100)}"] for n in NOMINAL]
        for name, r in results.items()
    }
    with style():
        figure = reliability_chart(NOMINAL, observed)
        if path.suffix.lower() == ".png":
            data: str | bytes = png(figure)
        else:
            data = svg(figure, "reliability", "Reliability of the calibrated intervals on DEU III")
    atomic_write(path, data, what="chart")
    stderr.print(f"reliability diagram written to {path}", markup=False)


def run_fit(data: Deu3, models: Sequence[str], repeats: int, folder: Path) -> None:
    """Rebuild the shipped parameters and their evaluation, and write them to ``folder``."""
    import gzip

    from detente._files import atomic_write, check_folder
    from detente.backtest import model_error as me

    check_folder(folder, what="calibration")
    steps = 3 * len(data.select("all")) + len(models) * (
        len(me.FORECAST_WIDTHS) * len(me.POSITION_WIDTHS) + repeats
    )
    progress = progress_bar("fitting")
    with progress, warnings_to_stderr():
        bar = progress.add_task("forecasts, widths, fold assignments", total=steps)
        doc, oof = me.build(
            data, models=list(models), repeats=repeats, progress=lambda n: progress.advance(bar, n)
        )
    folder.mkdir(parents=True, exist_ok=True)
    target = atomic_write(
        folder / "model_error.json", json.dumps(doc, indent=1, sort_keys=True) + "\n"
    )
    text = oof.to_csv(index=False, float_format="%.6g", lineterminator="\n")
    oof_path = atomic_write(
        folder / "model_error_oof.csv.gz", gzip.compress(text.encode("utf-8"), mtime=0)
    )
    stdout.print(
        f"wrote {target} and {oof_path}; to ship them, copy both into "
        "src/detente/calibration/data/",
        markup=False,
    )
