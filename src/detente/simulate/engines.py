"""Where tasks run: in this process, in local worker processes, or on a Dask cluster.

Every engine runs the same tasks (a :class:`Work`: a chunk of Monte Carlo draws, or of a sweep's
design points) by calling their ``run()``; their seeds were fixed before dispatch, so results
are identical whichever engine and however many workers compute them.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from detente.errors import InputError

__all__ = ["ENGINES", "MAX_WORKERS", "Work", "check_engine", "describe", "execute"]

ENGINES = ("in-process", "processes", "dask")
#: The most worker processes an engine starts (each is a Python process with its own memory).
MAX_WORKERS = 1024

Progress = Callable[[int], None]


class Work(Protocol):
    """A unit of work an engine runs: picklable, ``count`` items (draws, design points)."""

    @property
    def count(self) -> int: ...

    def run(self) -> Any: ...


def _run(task: Work) -> Any:
    """Run one task (module-level, so that worker processes can unpickle it)."""
    return task.run()


def describe(engine: str, workers: int, scheduler: str | None) -> str:
    """The engine as recorded with a run, e.g. ``processes:2`` or ``dask:tcp://host:8786``."""
    if engine == "in-process":
        return engine
    if engine == "processes":
        return f"processes:{workers}"
    return f"dask:{scheduler}" if scheduler else f"dask:local-cluster:{workers}"


def check_engine(engine: str, workers: int, scheduler: str | None = None) -> None:
    """Refuse an unknown engine, a worker count outside 1..:data:`MAX_WORKERS` or a malformed
    Dask scheduler address, before any work.

    Raises
    ------
    InputError
        Naming the engine, the count or the address.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}'; engines are: {', '.join(ENGINES)}")
    if workers < 1:
        raise InputError("workers must be at least 1")
    if workers > MAX_WORKERS:
        shown = f"{workers:,}" if workers < 10**30 else f"a {len(str(workers))}-digit number"
        raise InputError(f"--workers is {shown}; at most {MAX_WORKERS:,} worker processes")
    if engine == "dask" and scheduler is not None:
        _check_scheduler(scheduler)


def _check_scheduler(scheduler: str) -> None:
    """A malformed address (no port, a port not a number, an unknown scheme) as an InputError;
    dask's Client raised a ValueError for it."""
    try:
        from distributed.comm.addressing import get_address_host_port, parse_address
    except ModuleNotFoundError:  # execute says the extra is missing
        return
    shown = scheduler if len(scheduler) <= 200 else scheduler[:120] + "…"
    try:
        scheme, _ = parse_address(scheduler)
        if scheme in ("inproc", "ucx"):  # addresses without a TCP port
            return
        _, port = get_address_host_port(scheduler)
    except (ValueError, TypeError) as err:
        raise InputError(
            f"the Dask scheduler address '{shown}' is malformed ({err}); give tcp://HOST:PORT"
        ) from None
    if not 0 < port < 65536:
        raise InputError(
            f"the Dask scheduler address '{shown}' has the port {port}; ports are 1 to 65535"
        )


def execute(
    tasks: Sequence[Work],
    *,
    engine: str = "in-process",
    workers: int = 2,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> list[Any]:
    """Run every task and return the results in task order.

    Parameters
    ----------
    engine
        ``in-process``, ``processes`` (``workers`` local processes) or ``dask`` (the scheduler
        at ``scheduler``, or a ``LocalCluster`` of ``workers`` processes when none is given).
    progress
        Called with the ``count`` of each finished task.
    """
    check_engine(engine, workers, scheduler)
    report = progress or (lambda n: None)
    if engine == "in-process":
        results = []
        for task in tasks:
            results.append(_run(task))
            report(task.count)
        return results
    if engine == "processes":
        return _processes(tasks, workers, report)
    return _dask(tasks, workers, scheduler, report)


def _processes(tasks: Sequence[Work], workers: int, report: Progress) -> list[Any]:
    # spawn, not fork: the parent may hold threads (the progress bar) that fork would copy
    context = multiprocessing.get_context("spawn")
    results: dict[int, Any] = {}
    # Ctrl-C reaches the whole foreground process group: the workers ignore it (no traceback
    # from each), and the parent, which takes it, stops them
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupts
    )
    try:
        pending = {pool.submit(_run, task): n for n, task in enumerate(tasks)}
        for future in as_completed(pending):
            n = pending[future]
            results[n] = future.result()
            report(tasks[n].count)
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):  # no public way in 3.11
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [results[n] for n in range(len(tasks))]


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _dask(
    tasks: Sequence[Work], workers: int, scheduler: str | None, report: Progress
) -> list[Any]:
    try:  # the optional extra `dask`; without it, say so before any draw runs
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ModuleNotFoundError as err:
        if err.name != "distributed":
            raise
        raise InputError(
            "the dask engine needs dask's distributed, which is not installed: "
            "pip install 'detente[dask]'"
        ) from None

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="5s")
        except (OSError, ValueError) as err:  # ValueError: an address check_engine let by
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
    try:
        futures = client.map(_run, list(tasks), pure=False)
        index = {future.key: n for n, future in enumerate(futures)}
        results: dict[int, Any] = {}
        for future in dask_completed(futures):
            n = index[future.key]
            results[n] = future.result()
            report(tasks[n].count)
        return [results[n] for n in range(len(tasks))]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
