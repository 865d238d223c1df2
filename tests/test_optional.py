"""The optional extras: a core install without numba (``fast``) or distributed (``dask``).

Each case without an extra runs in a fresh Python in which ``sys.modules[name] = None`` makes
``import name`` fail as it does when the package is not installed, and is compared with this
process, which has both extras (``make install``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import detente
from detente.errors import InputError
from detente.models import smp
from detente.models.smp import _accel, pce
from detente.simulate import simulate

NO_NUMBA_NOTE = "smp: numba is not installed"
NO_DASK = (
    "the dask engine needs dask's distributed, which is not installed: pip install 'detente[dask]'"
)

# A run of the bundled KTAB scenario twice (the second with every PCE tiled, so that the
# coalitions' L1 sums run too) and the tiled coalitions of one large option set, saved to
# argv[1]; prints the RuntimeWarnings the runs emitted and whether numba was loaded. Positions
# are rounded to 4 decimals on their way, so each bargain's P(win) and gain, straight from the
# challenges, are kept too: they show a difference in the last bit.
RUNS = """
import json, sys, warnings
import numpy as np
import detente
from detente.models import smp
from detente.models.smp import pce

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")  # a repeated note is shown, not deduplicated
    c, X, S = detente.bundled("ktab-soe-pol-comp").arrays()
    plain = smp.run(c, X, S)
    pce.TILED_MIN_OPTIONS = 2
    tiled = smp.run(c, X, S)
    u = np.random.default_rng(11).uniform(0, 1, (1300, 40))
    w = np.random.default_rng(12).uniform(0.1, 5, 1300)
    large = pce.coalitions(u, w, "Prop")
arrays = {}
for label, states in (("plain", plain), ("tiled", tiled)):
    for t, s in enumerate(states):
        arrays[f"{label}{t}"] = s.positions
        arrays[f"{label}{t}-bargains"] = np.array([(b.p_init, b.gain) for b in s.bargains])
np.savez(sys.argv[1], large=large, **arrays)
notes = [str(w.message) for w in caught if w.category is RuntimeWarning]
print(json.dumps({"notes": notes, "numba": sys.modules.get("numba") is not None}))
"""


def _python(code: str, *args: str, without: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh Python, with the package ``without`` unimportable."""
    shim = f"import sys\nsys.modules[{without!r}] = None\n" if without else ""
    return subprocess.run(
        [sys.executable, "-c", shim + code, *args], capture_output=True, text=True, check=False
    )


# --- numba (the `fast` extra) --------------------------------------------------------------------


def test_importing_the_smp_does_not_import_numba() -> None:
    code = (
        "import json, sys\n"
        "import detente.models.smp, detente.models.smp.steps, detente.models.smp.pce\n"
        "heavy = ('numba', 'detente.models.smp._kernels')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


def test_a_small_smp_run_does_not_import_numba_and_a_large_one_does() -> None:
    """KTAB-sized inputs keep to the numpy path (the same bits; importing numba costs more than
    the kernels save there); from ``COMPILED_MIN_ACTORS`` actors the kernels are loaded."""
    code = (
        "import json, sys\n"
        "import numpy as np\n"
        "import detente\n"
        "from detente.models import smp\n"
        "from detente.models.smp import _accel\n"
        "smp.run(*detente.bundled('ktab-soe-pol-comp').arrays())\n"
        "small = 'numba' in sys.modules\n"
        "n = _accel.COMPILED_MIN_ACTORS\n"
        "rng = np.random.default_rng(1)\n"
        "S = rng.uniform(0.2, 0.4, (n, 2))\n"
        "smp.run(rng.uniform(10, 200, n), rng.uniform(0, 100, (n, 2)), S,\n"
        "        options=smp.SmpOptions(min_iter=1, max_iter=1))\n"
        "print(json.dumps([small, 'numba' in sys.modules]))\n"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [False, True]


def test_a_big_batch_of_small_smp_runs_loads_the_kernels_with_the_same_numbers() -> None:
    """Below ``COMPILED_MIN_ACTORS`` actors a batch of runs (Monte Carlo draws) loads the
    kernels once runs x actors^2 reaches ``PREPARE_MIN_WORK`` (13 actors: 97 runs, as
    4 * 64^2 / 13^2 = 96.9), and its runs give the numpy path's numbers."""
    code = (
        "import json, sys\n"
        "import numpy as np\n"
        "import detente\n"
        "from detente.models.runner import solve\n"
        "c, X, S = detente.bundled('ktab-soe-pol-comp').arrays()\n"
        "options = {'max_iter': 2}\n"
        "def batch(runs):\n"
        "    g = np.random.default_rng(runs)\n"
        "    cs = c * g.uniform(0.5, 1.5, (runs, len(c)))\n"
        "    Xs, Ss = np.broadcast_to(X, (runs, *X.shape)), np.broadcast_to(S, (runs, *S.shape))\n"
        "    return cs, Xs, Ss\n"
        "from detente.models import get\n"
        "opts = get('smp').parse_options(options)\n"
        "few = batch(96)\n"
        "numpy_values = solve('smp', *few, options=opts).values\n"
        "after_few = 'numba' in sys.modules\n"
        "many = batch(97)\n"
        "many = tuple(np.concatenate([a, b]) for a, b in zip(few, many))\n"
        "compiled = solve('smp', *many, options=opts).values\n"
        "same = bool(np.array_equal(compiled[:96], numpy_values))\n"
        "print(json.dumps([after_few, 'numba' in sys.modules, same]))\n"
    )
    out = _python(code)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [False, True, True]


#: What :data:`RUNS` saved (arrays by name) and printed.
Saved = tuple[dict[str, np.ndarray], dict[str, Any]]


def _runs(path: Path, without: str | None) -> Saved:
    """:data:`RUNS` in a fresh Python: its arrays, and what it printed."""
    out = _python(RUNS, str(path), without=without)
    assert out.returncode == 0, out.stderr
    with np.load(path) as saved:
        arrays = {name: saved[name] for name in saved.files}
    return arrays, json.loads(out.stdout)


@pytest.fixture(scope="module")
def without_numba(tmp_path_factory: pytest.TempPathFactory) -> Saved:
    return _runs(tmp_path_factory.mktemp("no-numba") / "runs.npz", without="numba")


@pytest.fixture(scope="module")
def kernels() -> _accel.Kernels:
    """The compiled kernels of this process: the side of the comparison that has numba."""
    pytest.importorskip("numba")
    compiled = _accel.kernels()
    assert compiled is not None
    return compiled


def _same_run(states: Sequence[smp.SmpState], arrays: dict[str, np.ndarray], label: str) -> None:
    """``states`` are bit for bit the run saved under ``label``, in every state."""
    assert len(states) == sum(name.startswith(label) for name in arrays) // 2
    for t, state in enumerate(states):
        assert np.array_equal(state.positions, arrays[f"{label}{t}"]), f"state {t}"
        bargains = np.array([(b.p_init, b.gain) for b in state.bargains])
        assert np.array_equal(bargains, arrays[f"{label}{t}-bargains"], equal_nan=True), t


def test_smp_without_numba_moves_every_actor_as_with_it(
    without_numba: Saved, kernels: _accel.Kernels
) -> None:
    arrays, _ = without_numba
    _same_run(smp.run(*detente.bundled("ktab-soe-pol-comp").arrays()), arrays, "plain")


def test_tiled_coalitions_without_numba_are_the_compiled_ones(
    without_numba: Saved, kernels: _accel.Kernels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The L1 sums of large PCEs (``pce.TILED_MIN_OPTIONS`` options on) on numpy's path."""
    arrays, _ = without_numba
    u = np.random.default_rng(11).uniform(0, 1, (1300, 40))
    w = np.random.default_rng(12).uniform(0.1, 5, 1300)
    assert u.shape[1] >= pce.TILED_MIN_OPTIONS
    assert np.array_equal(pce.coalitions(u, w, "Prop"), arrays["large"])
    monkeypatch.setattr(pce, "TILED_MIN_OPTIONS", 2)
    _same_run(smp.run(*detente.bundled("ktab-soe-pol-comp").arrays()), arrays, "tiled")


def test_without_numba_one_note_per_process_says_how_to_get_it(without_numba: Saved) -> None:
    _, printed = without_numba
    assert not printed["numba"]
    assert len(printed["notes"]) == 1
    (note,) = printed["notes"]
    assert note.startswith(NO_NUMBA_NOTE)
    assert "same results" in note
    assert note.endswith("pip install 'detente[fast]'")


def test_with_numba_there_is_no_note(kernels: _accel.Kernels, tmp_path: Path) -> None:
    _, printed = _runs(tmp_path / "runs.npz", without=None)  # a fresh process: nothing cached
    assert printed == {"notes": [], "numba": True}


# --- distributed (the `dask` extra) --------------------------------------------------------------


def test_dask_engine_without_distributed_is_a_usage_error() -> None:
    code = (
        "import sys\nfrom detente.cli import main\nsys.argv = ['detente', *sys.argv[1:]]\nmain()\n"
    )
    args = ("simulate", "emission-1994", "--engine", "dask", "--draws", "10", "--no-store")
    out = _python(code, *args, without="distributed")
    assert out.returncode == 2
    assert out.stderr.splitlines() == [f"error: {NO_DASK}"]


def test_simulate_on_dask_without_distributed_raises_input_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(InputError) as err:
        simulate(detente.bundled("emission-1994"), ["compromise"], draws=10, rng=1, engine="dask")
    assert str(err.value) == NO_DASK


# --- the exchange model without numba ------------------------------------------------------------

EXCHANGE = """
import json, sys, warnings
import numpy as np
import detente
from detente.models.exchange import ExchangeOptions, trajectory
from detente.models.stopping import run
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    small = detente.forecast(detente.bundled("six-party-2004-package"), ["exchange"])
    after_small = sys.modules.get("numba") is not None
    if sys.argv[1] == "small":  # (with numba, the large run would compile the kernel)
        print(json.dumps({"numba_after_small": after_small}))
        raise SystemExit
    rng = np.random.default_rng(8)  # 80 actors x 4 issues: about 4,800 candidates a round
    c, X, S = rng.uniform(0.1, 1, 80), rng.uniform(0, 100, (80, 4)), rng.uniform(0.05, 1, (80, 4))
    large = run(trajectory(c, X, S, options=ExchangeOptions(rounds=2)))
notes = [str(w.message) for w in caught if w.category is RuntimeWarning]
print(json.dumps({"small": list(small.runs[0].values), "large": large.forecast.tolist(),
                  "notes": notes, "numba_after_small": after_small,
                  "numba": sys.modules.get("numba") is not None}))
"""


def test_a_small_exchange_run_needs_no_numba_and_a_large_one_runs_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A round of fewer than ``COMPILED_FROM`` candidates takes the numpy path without loading
    numba; without numba, a larger one says so once and gives the numpy path's forecast."""
    from detente.models.exchange import ExchangeOptions, _accel, trajectory
    from detente.models.exchange._accel import NO_NUMBA
    from detente.models.stopping import run

    pytest.importorskip("numba")
    with_it = json.loads(_python(EXCHANGE, "small").stdout)
    assert not with_it["numba_after_small"]
    out = _python(EXCHANGE, "both", without="numba")
    assert out.returncode == 0, out.stderr
    done = json.loads(out.stdout)
    assert not done["numba"]
    assert [n for n in done["notes"] if n.startswith("exchange:")] == [NO_NUMBA]
    here = detente.forecast(detente.bundled("six-party-2004-package"), ["exchange"])
    assert done["small"] == list(here.runs[0].values)
    monkeypatch.setattr(_accel, "kernels", lambda: None)
    rng = np.random.default_rng(8)
    c, X, S = rng.uniform(0.1, 1, 80), rng.uniform(0, 100, (80, 4)), rng.uniform(0.05, 1, (80, 4))
    assert (
        done["large"]
        == run(trajectory(c, X, S, options=ExchangeOptions(rounds=2))).forecast.tolist()
    )


def test_a_read_only_install_and_home_still_run_the_kernels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numba refuses to import a cached kernel where it can write no cache ("no locator
    available": a read-only install and home folder). The kernels then cache in a private
    folder of the temporary folder, and where even that fails the numpy path runs, with a
    warning: never an internal error."""
    pytest.importorskip("numba")
    from numba.core import config

    from detente.models import _compiled

    refusing = (
        "from numba.core import config\n"
        "if not config.CACHE_DIR{}:\n"
        "    raise RuntimeError(\"cannot cache function 'f': no locator available for file\")\n"
        "ANSWER = 42\n"
    )
    (tmp_path / "ro_kernels_a.py").write_text(refusing.format(""), encoding="utf-8")
    (tmp_path / "ro_kernels_b.py").write_text(refusing.format(" or True"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(config, "CACHE_DIR", "")
    monkeypatch.setattr(_compiled.tempfile, "tempdir", str(tmp_path))
    loaded = _compiled._import("ro_kernels_a")
    assert loaded is not None
    assert loaded.ANSWER == 42
    private = Path(config.CACHE_DIR)
    assert private.parent == tmp_path
    assert private.stat().st_mode & 0o077 == 0, "numba loads pickles: no one else may write"
    with pytest.warns(RuntimeWarning, match="the numpy path runs instead"):
        assert _compiled._import("ro_kernels_b") is None
    assert "ro_kernels_b" not in sys.modules


def test_a_cache_folder_someone_else_could_write_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from detente.models import _compiled

    monkeypatch.setattr(_compiled.tempfile, "tempdir", str(tmp_path))
    planted = tmp_path / f"detente-numba-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    chosen = _compiled._private_cache()
    assert chosen != planted
    assert chosen.parent == tmp_path
    planted.chmod(0o700)
    assert _compiled._private_cache() == planted
