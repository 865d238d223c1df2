"""The workbench's folder of scenario files: safe names, versions, atomic saves and uploads.

A scenario in the workspace is named by its file's stem (``my-case`` is ``my-case.yaml``). A
name from a user never becomes a path unless it is a plain name (letters, digits, ``-``, ``_``
and ``.``, no leading dot, no ``..``); the path is then resolved and must sit directly in the
workspace and not be a symbolic link. Uploads keep only the suffix of the name they came with:
they are read through :func:`detente.scenario.files.read` from a private temporary folder and
saved as YAML under a name made from the scenario's id.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from detente.errors import InputError, Problem
from detente.scenario import Scenario, dump_yaml, files
from detente.scenario.io import slug, write_text_atomic

if TYPE_CHECKING:
    from detente.scenario.draft_check import DraftCheck

__all__ = [
    "MAX_UPLOAD_BYTES",
    "UPLOAD_FORMATS",
    "StaleVersionError",
    "Workspace",
    "default_workspace",
    "version_of",
]

#: The largest upload taken (the scenario readers' own limit is 10 MiB).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Upload suffixes and the reader format each means (``None``: guessed from the content).
UPLOAD_FORMATS: dict[str, str | None] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".csv": None,  # KTAB CSV or the common CSV, by the first line
    ".xml": "ktab-xml",
    ".xlsx": "xlsx",  # an Excel workbook (an actors x issues sheet)
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class StaleVersionError(InputError):
    """The file changed since the form was loaded: saving would overwrite a newer save."""


def default_workspace() -> Path:
    """``detente/workspace`` in the user data directory (beside the default run store)."""
    from detente.store import default_store_path

    return default_store_path().parent / "workspace"


def version_of(text: str) -> str:
    """The version of a file's text, as the editor's form carries it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """A scenario in the library: where it is, and what it holds."""

    name: str
    bundled: bool
    scenario: Scenario | None
    problem: str = ""


class Workspace:
    """The folder of the user's scenario files (created when missing)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()
        self.root.mkdir(parents=True, exist_ok=True)
        self._real = self.root.resolve()
        self._lock = threading.Lock()

    # --- names ----------------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """The file of the scenario ``name``, or an InputError when the name is not a plain one.

        Raises
        ------
        InputError
            The name is empty, has a separator, ``..``, a leading dot, characters other than
            ASCII letters, digits, ``-``, ``_`` and ``.``, or leads to a symbolic link or out of
            the workspace.
        """
        if unicodedata.normalize("NFKC", name) != name or not _NAME.fullmatch(name) or ".." in name:
            raise InputError(
                f"'{name[:60]}' is not a scenario name: use letters, digits, '-', '_' and '.'"
            )
        path = self.root / f"{name}.yaml"
        if path.is_symlink():
            raise InputError(f"'{name}' is a symbolic link in the workspace; it is not opened")
        if path.resolve().parent != self._real:
            raise InputError(f"'{name}' is outside the workspace")
        return path

    def names(self) -> list[str]:
        """The workspace's scenario names, sorted (symbolic links left out)."""
        return sorted(
            p.stem
            for p in self.root.glob("*.yaml")
            if p.is_file() and not p.is_symlink() and _NAME.fullmatch(p.stem)
        )

    def free_name(self, wanted: str) -> str:
        """``wanted`` made a plain name, with ``-2``, ``-3``... when the name is taken."""
        base = slug(wanted)[:80].strip(".-_") or "scenario"
        name, n = base, 1
        while (self.root / f"{name}.yaml").exists():
            n += 1
            name = f"{base}-{n}"
        return name

    # --- reading and writing --------------------------------------------------------------------

    def text(self, name: str) -> str:
        """The text of the scenario file ``name``."""
        path = self.path(name)
        if not path.is_file():
            raise InputError(f"no scenario '{name}' in the workspace")
        return path.read_text(encoding="utf-8")

    def load(self, name: str) -> Scenario:
        """The scenario ``name``, validated as the CLI validates it.

        Quotes are checked against source files beside it when they are there; a source file
        that is not (a copy of a bundled scenario) leaves its quotes unchecked, silently.
        """
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return files.read(self.path(name), fmt="yaml")

    def save(self, name: str, scenario: Scenario, *, version: str | None) -> str:
        """Write ``scenario`` as YAML, whole or not at all; its new version.

        ``version`` is the version the editor loaded (None for a new file, which must not
        exist). A file whose version differs was saved since (another tab): nothing is
        written and :class:`StaleVersionError` says so.
        """
        return self.save_text(name, dump_yaml(scenario), version=version)

    def save_text(self, name: str, text: str, *, version: str | None) -> str:
        """Write ``text`` as the file ``name``, whole or not at all, with the same check of
        ``version`` as :meth:`save`; its new version."""
        path = self.path(name)
        with self._lock:
            exists = path.is_file()
            if version is None and exists:
                raise StaleVersionError(f"a scenario named '{name}' exists already")
            if version is not None:
                if not exists:
                    raise StaleVersionError(f"'{name}' was deleted since this page was loaded")
                current = version_of(path.read_text(encoding="utf-8"))
                if current != version:
                    raise StaleVersionError(
                        f"'{name}' was saved elsewhere (another tab?) since this page was loaded; "
                        "your edits are kept here: reload the scenario to see the newer save"
                    )
            write_text_atomic(path, text)
        return version_of(text)

    def check_text(self, name: str, text: str) -> list[Problem]:
        """The problems of ``text`` as the file ``name`` (a scenario or a draft), each with its
        line where the reader knows it; empty when the CLI would accept it. Evidence quotes are
        checked against source files in the workspace."""
        import warnings

        from detente.errors import ScenarioError
        from detente.scenario.draft_check import check_draft, read_draft
        from detente.scenario.io import load

        shown = f"{self.path(name).name}"
        with tempfile.TemporaryDirectory(prefix="detente-check-") as folder:
            path = Path(folder) / shown
            path.write_text(text, encoding="utf-8")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    if read_draft(path) is not None:
                        check_draft(path, [self.root])
                    else:
                        load(path, sources_dir=self.root)
            except ScenarioError as err:
                return [
                    replace(
                        p,
                        file=shown if p.file == str(path) else p.file,
                        message=p.message.replace(str(path), shown),
                    )
                    for p in err.problems
                ]
            except InputError as err:
                return [Problem("", str(err).replace(str(path), shown))]
        return []

    def draft(self, name: str) -> tuple[dict[str, object], DraftCheck] | None:
        """The document and check of the draft ``name`` (missing numbers named), or None when
        the file is not a draft.

        Raises
        ------
        InputError
            The file is not valid YAML, or the draft is wrong in more than missing numbers.
        """
        import warnings

        from detente.scenario.draft_check import check_draft, read_draft

        path = self.path(name)
        if not path.is_file():
            raise InputError(f"no scenario '{name}' in the workspace")
        data = read_draft(path)
        if data is None:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return data, check_draft(path, [self.root])

    def add_draft(self, wanted: str, article: str, draft: Callable[[str], str]) -> str:
        """Save an article's text (``NAME.txt``) and the draft scenario citing it
        (``NAME.yaml``, the text of ``draft(NAME.txt)``), under a name free for both; the name."""
        with self._lock:
            name = self.free_name(wanted)
            n = 1
            while (self.root / f"{name}.txt").exists():
                n += 1
                name = self.free_name(f"{wanted}-{n}")
            text = draft(f"{name}.txt")  # before anything is written: it may refuse
            write_text_atomic(self.root / f"{name}.txt", article)
            write_text_atomic(self.root / f"{name}.yaml", text)
        return name

    def delete(self, name: str) -> None:
        """Remove the scenario file ``name``."""
        path = self.path(name)
        if not path.is_file():
            raise InputError(f"no scenario '{name}' in the workspace")
        path.unlink()

    def add(self, scenario: Scenario, wanted: str | None = None) -> str:
        """Save ``scenario`` under a free name made from ``wanted`` (or its id); the name."""
        with self._lock:
            name = self.free_name(wanted or scenario.id)
            write_text_atomic(self.root / f"{name}.yaml", dump_yaml(scenario))
        return name

    def upload(self, filename: str, data: bytes) -> str:
        """Read an uploaded file and add its scenario to the workspace; the new name.

        Only the suffix of ``filename`` is used (to choose the reader).

        Raises
        ------
        InputError
            Too large, a suffix no reader takes, or a file the reader refuses (its message
            names the field and line, as the CLI's ``detente import`` does).
        """
        if len(data) > MAX_UPLOAD_BYTES:
            raise InputError(
                f"the file is {len(data) / 1024 / 1024:.1f} MiB; uploads are limited to "
                f"{MAX_UPLOAD_BYTES // 1024 // 1024} MiB"
            )
        suffix = Path(filename.replace("\\", "/")).suffix.lower()
        if suffix not in UPLOAD_FORMATS:
            known = ", ".join(UPLOAD_FORMATS)
            raise InputError(f"'{suffix or filename[:60]}' files are not read; upload {known}")
        shown = Path(filename.replace("\\", "/")).name[:80] or f"upload{suffix}"
        with tempfile.TemporaryDirectory(prefix="detente-upload-") as folder:
            path = Path(folder) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                scenario = files.read(path, fmt=UPLOAD_FORMATS[suffix])
            except InputError as err:
                raise type(err)(*_renamed(err, str(path), shown)) from None
        return self.add(scenario)


def _renamed(err: InputError, temporary: str, shown: str) -> tuple[object, ...]:
    """The error's arguments with the temporary file's path replaced by the upload's name."""
    from dataclasses import replace

    from detente.errors import ScenarioError

    if isinstance(err, ScenarioError):
        return (
            [
                replace(
                    p,
                    file=shown if p.file == temporary else p.file,
                    message=p.message.replace(temporary, shown),
                )
                for p in err.problems
            ],
        )
    return (str(err).replace(temporary, shown),)
