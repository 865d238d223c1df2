"""Files detente writes: whole or not at all, with the permissions of any new file, clear errors.

Every file the package writes (scenario files, exports, reports, charts, a run's table) goes
through :func:`atomic_write`: the data is written to a temporary file beside the target, given
the mode a new file gets under the user's umask (``mkstemp`` makes it 0600) and renamed over the
target. A failure, Ctrl-C or SIGTERM removes the temporary file; one left by a process killed
outright (SIGKILL, power loss) is removed by the next write of the same file once its owner is
gone or it is an hour old.

An output path the user gave is checked first by :func:`check_output`, so that a folder, a
missing folder, a name too long or a folder without write permission is an
:class:`~detente.errors.InputError` naming the path, before any work is done.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import Any

from detente.errors import InputError

__all__ = [
    "NAME_MAX",
    "STALE_AFTER_S",
    "atomic_write",
    "check_folder",
    "check_output",
    "new_file_mode",
    "remove_on_signal",
    "remove_stale",
    "temporary_beside",
]

#: Longest file name (in bytes) the common file systems take.
NAME_MAX = 255
#: A temporary file this old is a leftover, whoever made it.
STALE_AFTER_S = 3600.0
#: Characters of the target's name kept in a temporary file's name (which must stay short).
_STEM = 40
_SUFFIX = ".tmp"


def new_file_mode() -> int:
    """The mode a new file gets under the current umask (0644 under the usual umask 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def check_output(path: str | Path, *, what: str = "") -> Path:
    """``path`` as a file to write, or an :class:`InputError` that says why it cannot be one.

    Parameters
    ----------
    path
        The file to write (``~`` is expanded). It may exist: it will be replaced.
    what
        What the file is, for the message (e.g. ``"--output"``).

    Raises
    ------
    InputError
        The path is empty or a folder, its name is longer than 255 bytes, its folder does not
        exist or is not a folder, or there is no permission to write there.
    """
    label = f"{what} " if what else ""
    if not str(path).strip():
        raise InputError(f"the {label}path is empty: give a file name")
    target = Path(path).expanduser()

    def fail(problem: str) -> InputError:
        return InputError(f"cannot write {label}{target}: {problem}")

    size = len(os.fsencode(target.name))
    if size > NAME_MAX:
        raise fail(f"the file name is {size} bytes long, and file names end at {NAME_MAX}")
    if target.is_dir():
        raise fail("it is a folder; give a file name")
    folder = target.parent
    if not folder.exists():
        raise fail(f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise fail(f"no permission to write in the folder {folder}")
    if target.exists() and not os.access(target, os.W_OK):
        raise fail("the file is read-only")
    return target


def check_folder(path: str | Path, *, what: str = "") -> Path:
    """``path`` as a folder to write files into (it may not exist yet: it will be created), or
    an :class:`InputError` that says why it cannot be one.

    Raises
    ------
    InputError
        The path is empty, one of its names is longer than 255 bytes, it or a folder above it
        is a file, or the nearest folder that exists cannot be written in.
    """
    label = f"{what} " if what else ""
    if not str(path).strip():
        raise InputError(f"the {label}folder is empty: give a folder name")
    target = Path(path).expanduser()

    def fail(problem: str) -> InputError:
        shown = str(target) if len(str(target)) <= 200 else str(target)[:120] + "…"
        return InputError(f"cannot write {label}into {shown}: {problem}")

    for part in target.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise fail(f"a name in it is {size} bytes long, and file names end at {NAME_MAX}")
    existing = target
    try:
        while not existing.exists():
            if existing.parent == existing:
                break
            existing = existing.parent
        if not existing.is_dir():
            where = "it is" if existing == target else f"{existing} is"
            raise fail(f"{where} a file, not a folder")
    except OSError as err:
        raise fail(_reason(err)) from None
    if not os.access(existing, os.W_OK | os.X_OK):
        raise fail(f"no permission to write in the folder {existing}")
    return target


def atomic_write(
    path: str | Path, data: str | bytes | Callable[[Path], Any], *, what: str = ""
) -> Path:
    """Write ``path`` whole or not at all, with the permissions of any new file.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    data
        Text (written as UTF-8, newlines untouched), bytes, or a function that writes the file
        it is given (e.g. ``lambda p: frame.to_parquet(p)``).
    what
        What the file is, for error messages.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        The path cannot be written (see :func:`check_output`), or writing failed (a full disk,
        a permission the checks could not see): the message names the file.
    """
    target = check_output(path, what=what)
    label = f"{what} " if what else ""
    try:
        remove_stale(target)
        with temporary_beside(target) as temporary:
            if isinstance(data, str):
                temporary.write_bytes(data.encode("utf-8"))
            elif isinstance(data, bytes):
                temporary.write_bytes(data)
            else:
                data(temporary)
            os.chmod(temporary, new_file_mode())
            os.replace(temporary, target)
    except OSError as err:
        raise InputError(f"cannot write {label}{target}: {_reason(err)}") from err
    return target


def _reason(err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return "the disk is full"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if err.errno == errno.EROFS:
        return "the file system is read-only"
    return err.strerror or str(err)


def _prefix(target: Path) -> str:
    return f".{target.name[:_STEM]}.{_host_tag()}-{os.getpid()}-"


def _host_tag() -> str:
    """A short tag of this machine, so that a pid is judged only on the machine it belongs to."""
    import hashlib
    import socket

    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]


@contextmanager
def temporary_beside(target: Path, *, suffix: str = _SUFFIX) -> Iterator[Path]:
    """A new empty temporary file in ``target``'s folder, removed unless renamed away.

    Its name, ``.NAME.HOST-PID-RANDOM.tmp``, tells :func:`remove_stale` who made it. It is
    removed when the block raises (including Ctrl-C), and on SIGTERM or SIGHUP.
    """
    handle, name = tempfile.mkstemp(prefix=_prefix(target), suffix=suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        with remove_on_signal(temporary):
            yield temporary
    except BaseException:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise


def remove_stale(target: Path, *, suffix: str = _SUFFIX, older_than: float = STALE_AFTER_S) -> int:
    """Remove temporaries of ``target`` left by killed writers; return how many.

    A temporary counts as left over when the process that made it (on this machine) is gone,
    or when it is older than ``older_than`` seconds. Anything that cannot be judged or removed
    is left alone.
    """
    start = f".{target.name[:_STEM]}."
    removed = 0
    with suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(start) and entry.name.endswith(suffix):
                owner = entry.name[len(start) :].split("-")
                if _stale(entry, owner, older_than):
                    with suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
    return removed


def _stale(entry: os.DirEntry[str], owner: list[str], older_than: float) -> bool:
    try:
        age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    if age > older_than:
        return True
    if len(owner) < 3 or owner[0] != _host_tag() or not owner[1].isdigit():
        return False
    return not _alive(int(owner[1]))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill would end the process: judge by age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, and belongs to someone else
        return True
    return True


_pending: set[Path] = set()
_lock = threading.Lock()
_previous: dict[int, Any] = {}


@contextmanager
def remove_on_signal(path: Path) -> Iterator[None]:
    """Remove ``path`` if SIGTERM or SIGHUP ends the process inside the block.

    The handler removes the files, puts back the handler it replaced and sends the signal again,
    so the process still ends as the signal says. Installed from the main thread only (Python
    allows nothing else); elsewhere the block runs without it.
    """
    install = threading.current_thread() is threading.main_thread()
    with _lock:
        first = not _pending
        _pending.add(path)
    if install and first:
        for number in _signals():
            with suppress(ValueError, OSError):
                _previous[number] = signal.signal(number, _on_signal)
    try:
        yield
    finally:
        with _lock:
            _pending.discard(path)
            last = not _pending
        if install and last:
            for number, handler in list(_previous.items()):
                with suppress(ValueError, OSError, TypeError):
                    signal.signal(number, handler)
                del _previous[number]


def _signals() -> list[int]:
    names = ("SIGTERM", "SIGHUP")  # Windows has no SIGHUP
    return [int(getattr(signal, name)) for name in names if hasattr(signal, name)]


def _on_signal(number: int, frame: FrameType | None) -> None:
    for path in list(_pending):
        with suppress(OSError):
            path.unlink(missing_ok=True)
    previous = _previous.get(number, signal.SIG_DFL)
    if callable(previous):
        previous(number, frame)
        return
    signal.signal(number, signal.SIG_DFL if previous is None else previous)
    os.kill(os.getpid(), number)
