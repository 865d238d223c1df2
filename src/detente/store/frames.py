"""Result frames in and out of the store: one JSON array per row, or a Parquet file.

Whatever a frame holds, its columns are stored as ``[name, dtype]`` pairs and the frame read
back is cast to those dtypes, so ``Int64`` stays ``Int64`` and a string column stays a string
column. The index is not stored: a frame comes back with a fresh ``0..n-1`` index.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from detente._files import STALE_AFTER_S, remove_stale

__all__ = [
    "ColumnType",
    "decode_rows",
    "encode_rows",
    "frame_types",
    "read_parquet",
    "remove_orphans",
    "remove_stale_parquet",
    "restore",
    "write_parquet",
]


class ColumnType(NamedTuple):
    """A stored column: its name, its dtype's name, and for a category its categories.

    ``categories`` is ``{"categories": [...], "ordered": bool}`` for a categorical column,
    else ``None``. Stored as the JSON array ``[name, dtype]`` or ``[name, dtype, categories]``.
    """

    name: str
    dtype: str
    categories: dict[str, Any] | None = None

    def to_json(self) -> list[Any]:
        """The JSON array kept in ``runs.columns_json``."""
        pair: list[Any] = [self.name, self.dtype]
        return pair if self.categories is None else [*pair, self.categories]

    @classmethod
    def from_json(cls, item: list[Any]) -> ColumnType:
        """The column type :meth:`to_json` wrote."""
        return cls(str(item[0]), str(item[1]), item[2] if len(item) > 2 else None)

    def pandas_dtype(self) -> Any:
        """The dtype to cast a column to (a string, or a :class:`pandas.CategoricalDtype`)."""
        if self.categories is None:
            return self.dtype
        return pd.CategoricalDtype(self.categories["categories"], self.categories["ordered"])


def frame_types(frame: pd.DataFrame) -> list[ColumnType]:
    """The frame's columns and their dtypes, checking the store can keep them.

    Raises
    ------
    TypeError
        Not a DataFrame, a column name that is not a string, or a dtype the store does not keep
        (complex numbers, time spans, periods, intervals, sparse data, categories that are not
        strings, numbers or booleans).
    ValueError
        Two columns with the same name.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"a run's frame must be a pandas DataFrame, not {type(frame).__name__}")
    names = list(frame.columns)
    odd = [n for n in names if not isinstance(n, str)]
    if odd:
        raise TypeError(f"frame column names must be strings, not {odd[0]!r}")
    if len(set(names)) != len(names):
        raise ValueError("frame has duplicate column names")
    types = []
    for name, dtype in zip(names, frame.dtypes, strict=True):
        if not _keepable(dtype):
            raise TypeError(
                f"frame column {name!r} has dtype {dtype}, which the run store does not keep "
                "(it keeps numbers, booleans, strings, datetimes, categories and objects)"
            )
        types.append(ColumnType(str(name), str(dtype), _categories(name, dtype)))
    return types


def _categories(name: str, dtype: Any) -> dict[str, Any] | None:
    if not isinstance(dtype, pd.CategoricalDtype):
        return None
    values = dtype.categories.tolist()
    if not all(isinstance(v, str | int | float | bool) for v in values):
        raise TypeError(
            f"frame column {name!r}: the run store keeps categories that are strings, numbers "
            "or booleans"
        )
    return {"categories": values, "ordered": bool(dtype.ordered)}


def _keepable(dtype: Any) -> bool:
    if ptypes.is_complex_dtype(dtype) or ptypes.is_timedelta64_dtype(dtype):
        return False
    if isinstance(dtype, pd.SparseDtype | pd.PeriodDtype | pd.IntervalDtype):
        return False
    return bool(
        ptypes.is_bool_dtype(dtype)
        or ptypes.is_numeric_dtype(dtype)
        or ptypes.is_string_dtype(dtype)
        or ptypes.is_object_dtype(dtype)
        or ptypes.is_datetime64_any_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def encode_rows(frame: pd.DataFrame) -> Iterator[tuple[int, str]]:
    """Yield ``(row number, JSON array of the row's values)``; missing values become ``null``."""
    columns = [_plain_values(frame[name]) for name in frame.columns]
    for n, values in enumerate(zip(*columns, strict=True)):
        yield n, json.dumps(values, default=_json_default, separators=(",", ":"))


def _plain_values(series: pd.Series[Any]) -> list[Any]:
    values = series.astype(object).tolist()
    missing = series.isna().to_numpy()
    if missing.any():
        values = [None if gone else value for value, gone in zip(values, missing, strict=True)]
    return values


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.datetime | dt.date):  # pandas Timestamps are datetimes
        return value.isoformat()
    raise TypeError(f"the run store cannot keep a value of type {type(value).__name__}")


def decode_rows(types: list[ColumnType], data: Iterable[str]) -> pd.DataFrame:
    """The frame whose rows :func:`encode_rows` wrote, cast back to ``types``."""
    names = [t.name for t in types]
    rows = [json.loads(text) for text in data]
    if rows:
        frame = pd.DataFrame(rows, columns=names, dtype=object)
    else:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    return restore(frame, types)


def restore(frame: pd.DataFrame, types: list[ColumnType]) -> pd.DataFrame:
    """``frame`` with each column cast to its stored dtype, in the stored column order."""
    columns: dict[str, pd.Series[Any]] = {}
    for name, dtype, categories in types:
        column = frame[name]
        if categories is not None:
            column = column.astype(ColumnType(name, dtype, categories).pandas_dtype())
        elif str(column.dtype) != dtype:
            if dtype.startswith("datetime64"):
                column = pd.to_datetime(column, utc="," in dtype)  # "datetime64[ns, UTC]"
            missing = column.isna()
            column = column.astype(dtype)  # type: ignore[call-overload]
            if dtype == "object" and missing.any():  # None, as in the frame that was saved
                column = column.where(~missing, None)
        columns[name] = column
    return pd.DataFrame(columns, columns=[t.name for t in types]).reset_index(drop=True)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (without its index) to ``path`` and flush it to disk."""
    frame.to_parquet(path, index=False)
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def read_parquet(path: Path, types: list[ColumnType]) -> pd.DataFrame:
    """Read a frame :func:`write_parquet` wrote, cast to its stored dtypes."""
    return restore(pd.read_parquet(path), types)


#: The name of a run's Parquet file.
_RUN_FILE = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}\.parquet")


def remove_stale_parquet(folder: Path, *, older_than: float = STALE_AFTER_S) -> int:
    """Remove Parquet temporaries left in ``folder`` by killed writers; return how many.

    Temporaries name their owner (:func:`detente._files.temporary_beside`) and go once it is
    gone or after ``older_than`` seconds; those of older versions (``.tmp-*.parquet``, no
    owner) go after ``older_than`` seconds.
    """
    removed = remove_stale(folder / "run.parquet", suffix=".parquet", older_than=older_than)
    with suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(".tmp-") and entry.name.endswith(".parquet"):
                with suppress(OSError):
                    if time.time() - entry.stat().st_mtime > older_than:
                        os.unlink(entry.path)
                        removed += 1
    return removed


def remove_orphans(folder: Path, run_ids: set[str]) -> int:
    """Remove the run files in ``folder`` whose run is not in ``run_ids``; return how many.

    Call it inside the store's write transaction: a file is renamed to its run's name only
    inside the transaction that commits the run, so while the caller holds the write lock a
    run file without a run was left by a save that never committed.
    """
    removed = 0
    with suppress(OSError):
        for entry in os.scandir(folder):
            if _RUN_FILE.fullmatch(entry.name) and entry.name[: -len(".parquet")] not in run_ids:
                with suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed
