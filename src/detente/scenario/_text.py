"""Reading an input file as text, safely: only regular files, at most :data:`MAX_FILE_BYTES`,
UTF-8 (UTF-16 named as such), no control characters; every refusal names the file."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from detente.errors import Problem, ScenarioError

__all__ = ["MAX_FILE_BYTES", "decode_text", "not_utf8", "path_kind", "read_text"]

#: Larger scenario files are refused before they are read (a 1,000-actor scenario is ~1 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024


def path_kind(path: Path) -> str:
    """``"missing"``, ``"folder"``, ``"file"`` or ``"other"`` (a named pipe, device or socket).

    Raises
    ------
    ScenarioError
        The name cannot even be looked up (too long, or not permitted).
    """
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except (OSError, ValueError) as err:  # ValueError: a NUL in the name
        raise _unreadable(path, err) from None
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def _unreadable(path: Path, err: Exception) -> ScenarioError:
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    if isinstance(err, OSError) and err.errno == errno.ENAMETOOLONG:
        reason = (
            f"the file name is too long ({len(path.name):,} characters; most systems allow 255)"
        )
    shown = str(path) if len(str(path)) <= 200 else str(path)[:120] + "…" + str(path)[-60:]
    return ScenarioError([Problem("", f"cannot be read: {reason}", file=shown)])


#: Characters no text input of detente holds: C0 and C1 controls (tab, line feed and carriage
#: return excepted), DEL and the two non-characters; YAML refuses them too, without a line.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def read_text(path: Path) -> str:
    """The file as text: refused when missing, not a regular file, too large, not UTF-8 (with
    a word for UTF-16) or holding control characters."""

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem("", message, file=str(path), line=line)])

    kind = path_kind(path)
    if kind == "missing":
        raise fail("no such file")
    if kind == "folder":
        raise fail("is a folder, not a scenario file")
    if kind == "other":  # opening a named pipe would wait for a writer forever
        raise fail("is not a regular file (a named pipe, device or socket); give a file")
    try:
        # O_NONBLOCK: should the path become a pipe after the check, opening it does not block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise _unreadable(path, err) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise fail("is not a regular file (a named pipe, device or socket); give a file")
        try:  # /proc/self/mem is a "regular file" whose reading fails (EIO)
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            raise _unreadable(path, err) from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), path.stat().st_size)
        raise fail(_too_large(size))
    return decode_text(raw, str(path))


def decode_text(raw: bytes, name: str) -> str:
    """``raw`` (a file's or an upload's bytes) as text: refused when larger than
    :data:`MAX_FILE_BYTES`, not UTF-8 (with a word for UTF-16) or holding control characters;
    every refusal names ``name``."""

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem("", message, file=name, line=line)])

    if len(raw) > MAX_FILE_BYTES:
        raise fail(_too_large(len(raw)))
    if _looks_like_utf16(raw):
        raise fail("this file looks like UTF-16 text; save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise fail(
            f"is not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
            "save the file as UTF-8",
            line,
        ) from None
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise fail(
            f"holds the control character U+{ord(bad.group()):04X} at column {column}; "
            "scenario files are plain text: remove it",
            line,
        )
    return text


def not_utf8(raw: bytes, err: UnicodeDecodeError) -> str:
    """Why a source or an article ``raw`` is not read, after ``err`` decoding it: the byte,
    its line and the likely encodings (to follow the file's name)."""
    line = raw[: err.start].count(b"\n") + 1
    return (
        f"is not UTF-8 text (byte 0x{raw[err.start]:02x} on line {line}; Latin-1 or "
        "Windows-1252, perhaps); save it as UTF-8"
    )


def _too_large(size: int) -> str:
    return (
        f"file is {size / 1024**2:.1f} MB ({size:,} bytes); scenario files are limited to "
        f"{MAX_FILE_BYTES // 1024**2} MB ({MAX_FILE_BYTES:,} bytes; a 1,000-actor scenario "
        "takes about 1 MB)"
    )


def _looks_like_utf16(raw: bytes) -> bool:
    """A UTF-16 byte-order mark, or a zero in every other byte (UTF-16 text in Latin script)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = raw[:4096]
    if len(head) < 2 or b"\x00" not in head:
        return False
    half = len(head) // 2
    return max(head[0::2].count(0), head[1::2].count(0)) > half // 2
