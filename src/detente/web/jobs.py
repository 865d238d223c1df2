"""Simulations run in a background thread, with progress to poll and a cancel flag.

A job calls :func:`detente.simulate.simulate` with a progress callback that counts the draws
done and, when the user has asked to cancel, stops the run by raising :class:`Cancelled` from
the callback (the in-process engine calls it between chunks of draws).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Cancelled", "Job", "Jobs"]


class Cancelled(Exception):
    """Raised from the progress callback when the user cancelled the job."""


@dataclass
class Job:
    """One background run: its state, the draws done of the total, and its result."""

    id: str
    what: str
    total: int
    done: int = 0
    state: str = "running"  # running, complete, cancelled, failed
    message: str = ""
    run_id: str | None = None
    result: Any = None
    cancel: threading.Event = field(default_factory=threading.Event)
    #: Set when the job has ended (complete, cancelled or failed).
    ended: threading.Event = field(default_factory=threading.Event)
    #: What made a failed job fail.
    error: BaseException | None = None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class Jobs:
    """The jobs of one workbench; at most ``limit`` run at once and ``kept`` are remembered."""

    def __init__(self, limit: int = 2, kept: int = 50) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.limit = limit
        self.kept = kept

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def start(self, what: str, total: int, work: Callable[[Job], tuple[Any, str | None]]) -> Job:
        """Run ``work(job)`` in a thread; it returns the result and the stored run's id.

        Raises
        ------
        InputError
            ``limit`` jobs are running already.
        """
        from detente.errors import InputError

        with self._lock:
            running = sum(job.state == "running" for job in self._jobs.values())
            if running >= self.limit:
                raise InputError(
                    f"{running} simulations are running; wait for one to finish or cancel it"
                )
            job = Job(id=uuid.uuid4().hex[:12], what=what, total=total)
            finished = [k for k, j in self._jobs.items() if j.state != "running"]
            for old in finished[: max(0, len(self._jobs) - self.kept + 1)]:
                del self._jobs[old]  # the oldest finished jobs go (their runs stay in the store)
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.result, job.run_id = work(job)
                job.state = "complete"
                job.done = job.total
            except Cancelled:
                job.state = "cancelled"
                job.message = f"cancelled after {job.done:,} of {job.total:,} draws"
            except Exception as err:  # the page shows why; the server keeps running
                job.error = err
                job.state = "failed"
                job.message = str(err) or type(err).__name__
            finally:
                job.ended.set()

        threading.Thread(target=run, name=f"detente-job-{job.id}", daemon=True).start()
        return job

    @staticmethod
    def progress(job: Job) -> Callable[[int], None]:
        """The progress callback of ``job``: counts draws, stops the run when cancelled."""

        def advance(n: int) -> None:
            job.done += n
            if job.cancel.is_set():
                raise Cancelled

        return advance
