"""The run store: every forecast, simulation, study and backtest, kept for comparison and export.

One SQLite database (WAL mode, one transaction per run) holds each run's id, times, status,
package version, scenario copy and hash, models and options, seed, engine, result frame and
output document; frames too large for the database go to Parquet files beside it. See
``docs/reference/run-store.md``.
"""

from detente.store.ledger import ResolutionRecord, SealedRunError, SealRecord
from detente.store.records import (
    KINDS,
    RUN_SCHEMA,
    RUNS_SCHEMA,
    RunRecord,
    RunSummary,
    StoredRun,
    record_backtest,
    record_dynamics,
    record_forecast,
    record_simulation,
    record_study,
    record_sweep,
)
from detente.store.schema import SCHEMA_VERSION, StoreError
from detente.store.store import (
    EXPORT_FORMATS,
    ROW_LIMIT,
    MissingStoreError,
    RunStore,
    default_store_path,
)

__all__ = [
    "EXPORT_FORMATS",
    "KINDS",
    "ROW_LIMIT",
    "RUNS_SCHEMA",
    "RUN_SCHEMA",
    "SCHEMA_VERSION",
    "MissingStoreError",
    "ResolutionRecord",
    "RunRecord",
    "RunStore",
    "RunSummary",
    "SealRecord",
    "SealedRunError",
    "StoreError",
    "StoredRun",
    "default_store_path",
    "record_backtest",
    "record_dynamics",
    "record_forecast",
    "record_simulation",
    "record_study",
    "record_sweep",
]
