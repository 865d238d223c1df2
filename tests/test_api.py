"""The public namespace is small and pinned; importing has no side effects."""

from __future__ import annotations

import subprocess
import sys

import detente

PUBLIC = {
    "Actor", "DetenteError", "Forecast", "InputError", "Issue", "ModelError", "Scenario",
    "ScenarioError", "__version__", "bundled", "bundled_names", "forecast", "load", "models",
    "open_scenario", "save",
}  # fmt: skip


def test_public_names_are_pinned() -> None:
    assert set(detente.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(detente, name)


def test_import_touches_no_global_state() -> None:
    """Importing detente neither seeds numpy's global generator nor imports pandas or typer."""
    code = (
        "import sys, numpy as np\n"
        "state = np.random.get_state()[1].copy()\n"
        "import detente\n"
        "assert (np.random.get_state()[1] == state).all()\n"
        "print(sorted(m for m in ('pandas', 'typer', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_to_frame_is_the_tidy_table() -> None:
    fc = detente.forecast(detente.bundled("six-party-2014"), ["compromise", "median", "nash"])
    frame = fc.to_frame()
    assert list(frame.columns) == [
        "model",
        "options",
        "issue",
        "draw",
        "round",
        "actor",
        "quantity",
        "value",
    ]
    assert len(frame) == 3  # one row per model and issue
    assert frame["draw"].isna().all()
    row = frame[frame["model"] == "median"].iloc[0]
    assert row["value"] == fc.value("median", "resumption")


def test_to_frame_holds_every_round_of_a_dynamic_model() -> None:
    s = detente.bundled("six-party-2004")
    fc = detente.forecast(s, ["eum"], options={"eum": {"rounds": 4}})
    frame = fc.to_frame()
    # rounds 0-4, each a median, a mean and six positions; then the forecast row
    assert len(frame) == 5 * (2 + 6) + 1
    positions = frame[(frame["quantity"] == "position") & (frame["round"] == 0)]
    assert positions["value"].tolist() == [a.position["disarmament"] for a in s.actors]
    last = frame[(frame["quantity"] == "median") & (frame["round"] == 4)]["value"].item()
    assert frame[frame["quantity"] == "forecast"]["value"].item() == last
