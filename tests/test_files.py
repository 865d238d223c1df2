"""Files the command line writes: output paths refused clearly, whole files, normal permissions.

Every writer goes through :func:`detente._files.atomic_write`; these tests drive each command
that takes an output path through the real entry point, and the writer itself through a kill.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import detente
from detente._files import atomic_write, check_output, remove_stale
from detente.errors import InputError
from detente.store import RunStore, record_forecast

START = dt.datetime(2026, 11, 23, 6, 25, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with one forecast, named by DETENTE_STORE; returns the run id."""
    db = tmp_path / "runs.db"
    monkeypatch.setenv("DETENTE_STORE", str(db))
    fc = detente.forecast(detente.bundled("emission-1994"), ["median"], rng=1)
    return RunStore(db).save(record_forecast(fc, started=START, finished=START))


@pytest.fixture
def umask() -> Iterator[Any]:
    """Set the umask for one test, and put the old one back."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _commands(run_id: str, tmp_path: Path) -> dict[str, list[str]]:
    """Every command that writes a file, with the output path as the last argument."""
    source = tmp_path / "in.csv"
    source.write_text("Actor,Capability,Position,Salience\nA,1,4,0.5\nB,2,10,1\n")
    return {
        "schema": ["schema", "-o"],
        "export": ["export", "emission-1994", "-o"],
        "import": ["import", str(source), "--issue", "delay", "-o"],
        "backtest": ["backtest", "--no-store", "-o"],
        "runs export": ["runs", "export", run_id, "-o"],
        "report": ["report", run_id, "-o"],
    }


BAD_PATHS = {
    "a folder": lambda tmp: (str(tmp), "it is a folder"),
    "a missing folder": lambda tmp: (str(tmp / "nope" / "x.yaml"), "does not exist"),
    "a name too long": lambda tmp: (str(tmp / ("x" * 300 + ".yaml")), "305 bytes long"),
    "an empty path": lambda tmp: ("", ""),
    "a file as folder": lambda tmp: (str(tmp / "in.csv" / "x.yaml"), "is not a folder"),
}


@pytest.mark.parametrize("bad", list(BAD_PATHS))
def test_bad_output_paths_are_input_errors(cli: Any, store: str, tmp_path: Path, bad: str) -> None:
    def files() -> list[str]:  # SQLite's -wal and -shm files come and go with connections
        return sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm")))

    for name, args in _commands(store, tmp_path).items():
        before = files()
        path, says = BAD_PATHS[bad](tmp_path)
        result = cli(*args, path)
        assert result.code == 2, (name, result.err)
        assert result.err.startswith("error: "), name
        assert "internal error" not in result.err, name
        assert says in result.err, (name, result.err)
        if path:
            assert path.split("/")[-1][:30] in result.err or "empty" in result.err, name
        assert files() == before, name  # nothing left behind


def test_check_output_names_the_problem(tmp_path: Path) -> None:
    assert check_output(tmp_path / "ok.csv") == tmp_path / "ok.csv"
    assert check_output(tmp_path / ("y" * 255)) == tmp_path / ("y" * 255)
    for path, says in (
        (tmp_path, "is a folder"),
        (tmp_path / "missing" / "f.csv", "folder"),
        (tmp_path / ("y" * 256), "256 bytes"),
        ("  ", "empty"),
    ):
        with pytest.raises(InputError, match=says):
            check_output(path)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_unwritable_folder_is_an_input_error(tmp_path: Path) -> None:
    """Through the real program, without root's power to write anywhere."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    exe = Path(sys.executable).parent / "detente"
    env = {**os.environ, "DETENTE_STORE": str(tmp_path / "runs.db")}
    try:
        for args in (["schema"], ["export", "emission-1994"]):
            out = subprocess.run(
                [str(exe), *args, "-o", str(locked / "x.json")],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                preexec_fn=without_root_powers,
            )
            assert out.returncode == 2, out.stderr
            assert f"cannot write {locked / 'x.json'}: no permission" in out.stderr
            assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def without_root_powers() -> None:
    """In a child about to start: drop root's power to ignore file permissions, if it has it.

    The capabilities leave the bounding set, so the program the child runs never has them.
    """
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_mode_of_a_new_file(
    cli: Any, store: str, tmp_path: Path, umask: Any, mask: int, mode: int
) -> None:
    umask(mask)
    made = {
        "export": (["export", "emission-1994", "-o"], tmp_path / "s.yaml"),
        "schema": (["schema", "-o"], tmp_path / "schema.json"),
        "runs export": (["runs", "export", store, "-o"], tmp_path / "run.csv"),
        "runs export parquet": (
            ["runs", "export", store, "-f", "parquet", "-o"],
            tmp_path / "run.parquet",
        ),
    }
    for name, (args, path) in made.items():
        result = cli(*args, str(path))
        assert result.code == 0, (name, result.err)
        assert stat.S_IMODE(path.stat().st_mode) == mode, name


def test_report_png_files_get_the_mode_of_a_new_file(
    cli: Any, store: str, tmp_path: Path, umask: Any
) -> None:
    umask(0o027)
    charts = tmp_path / "charts"
    page = tmp_path / "r.html"
    result = cli("report", store, "-o", str(page), "--png", str(charts))
    assert result.code == 0, result.err
    pngs = sorted(charts.iterdir())
    assert pngs
    assert {stat.S_IMODE(p.stat().st_mode) for p in [*pngs, page]} == {0o640}
    assert not [p for p in charts.iterdir() if p.name.startswith(".")]


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(path: Path) -> None:
        path.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match=r"out.txt: the disk is full"):
        atomic_write(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    atomic_write(target, "new")
    assert target.read_text() == "new"


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    atomic_write(target, "x")  # learn the temporary's name from a live one
    from detente._files import _prefix

    mine = tmp_path / f"{_prefix(target)}abc.tmp"
    mine.write_text("mine: in progress")
    dead_pid = _dead_pid()
    dead = tmp_path / f"{_prefix(target).replace(f'-{os.getpid()}-', f'-{dead_pid}-')}abc.tmp"
    dead.write_text("a killed writer's")
    old = tmp_path / ".page.html.elsewhere-1-abc.tmp"
    old.write_text("another machine's, two hours old")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    young = tmp_path / ".page.html.elsewhere-1-def.tmp"
    young.write_text("another machine's, new")
    other = tmp_path / ".other.html.x-1-abc.tmp"
    other.write_text("another file's")
    os.utime(other, (two_hours_ago, two_hours_ago))
    assert remove_stale(target) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, mine.name, young.name, other.name]
    )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


KILLED_WRITER = """
import sys, time
from pathlib import Path
from detente._files import atomic_write

def slow(path):
    path.write_text("partial")
    print("writing", flush=True)
    time.sleep(60)

atomic_write(Path(sys.argv[1]), slow)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_writer_ended_by_a_signal_leaves_no_temporary(tmp_path: Path, number: int) -> None:
    target = tmp_path / "report.html"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        assert len(list(tmp_path.iterdir())) == 1  # the temporary
        child.send_signal(number)
        assert child.wait(timeout=30) == -number  # still ended by the signal
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("png", "message"),
    [
        (lambda tmp: str(tmp / "blocker" / "sub"), "blocker is a file, not a folder"),
        (lambda tmp: str(tmp / "blocker"), "it is a file, not a folder"),
        (lambda tmp: "", "the --png folder is empty"),
        (lambda tmp: "  ", "the --png folder is empty"),
        (lambda tmp: str(tmp / ("x" * 300)), "300 bytes long, and file names end at 255"),
        (lambda tmp: str(tmp / ("x" * 300) / "sub"), "300 bytes long, and file names end at 255"),
    ],
)
def test_report_png_folder_is_refused_before_any_work(
    cli: Any, store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, png: Any, message: str
) -> None:
    """--png under a file was refused only after the HTML was written; '' wrote into the
    current folder; a long name was an internal OSError."""
    monkeypatch.chdir(tmp_path)  # so that a regression writes no chart into the project
    (tmp_path / "blocker").write_text("a file")
    page = tmp_path / "r.html"
    for what in (store, "emission-1994"):
        result = cli("report", what, "-o", str(page), "--png", png(tmp_path), "--no-store")
        assert result.code == 2, result.err
        assert message in result.err
        assert not page.exists()
        assert "Traceback" not in result.err


def test_report_png_folder_check_in_the_api(tmp_path: Path) -> None:
    from detente._files import check_folder

    assert check_folder(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match=r"f is a file, not a folder"):
        check_folder(tmp_path / "f" / "a" / "b")
    with pytest.raises(InputError, match="is empty"):
        check_folder("")
