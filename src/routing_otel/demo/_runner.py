"""Running the plan: workers, the outage of the fallback storm, progress, a clean stop.

A dispatcher hands the plan's jobs to ``concurrency`` workers (threads, like the users of a
web app). It also runs the outage: the emulator's router goes down for the planned share
of the run and comes back. In a timed run that is a clock window; in a run of N calls it
is the jobs planned in the window, and the router comes back only once they are done, so
the same seed always meets the outage with the same jobs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from routing_otel.demo._model import OutageWindow

if TYPE_CHECKING:
    from collections.abc import Callable

    from routing_otel.demo._plan import Job, Plan

_TICK_S = 0.05  # how often the dispatcher looks at the clock while every worker is busy


class ProgressSink(Protocol):
    """Told how far the run is (``done`` of ``total`` in the plan's own unit)."""

    def update(self, done: float, total: float, calls: int, *, router_down: bool) -> None:
        """The run advanced; ``calls`` planned calls are finished."""


@dataclass
class RunRecord:
    """What the dispatcher saw: jobs run, what the app decided, the outage, the time."""

    started_unix_nano: int = 0
    wall_s: float = 0.0
    jobs: Counter[str] = field(default_factory=Counter)
    decisions: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    failed_jobs: Counter[str] = field(default_factory=Counter)
    first_failure: str | None = None
    outage: OutageWindow | None = None
    interrupted: bool = False


class Runner:
    """Runs a plan's jobs with a workload, switching the router for the outage."""

    def __init__(
        self,
        plan: Plan,
        run_job: Callable[[Job], str],
        router_switch: Callable[[bool], None] | None,
        progress: ProgressSink,
        stop: threading.Event,
    ) -> None:
        """``router_switch(down)`` takes the router down or up (None: no outage)."""
        self._plan = plan
        self._run_job = run_job
        self._switch = router_switch
        self._progress = progress
        self._stop = stop
        self._lock = threading.Lock()
        self._record = RunRecord()
        self._calls_done = 0
        self._down_since: tuple[float, int] | None = None
        self._outage_jobs: list[Future[None]] = []
        self._start = 0.0

    def run(self) -> RunRecord:
        """Run the plan to its end, or until ``stop`` is set (the jobs under way finish)."""
        self._start = time.monotonic()
        self._record.started_unix_nano = time.time_ns()
        slots = threading.Semaphore(self._plan.concurrency)
        try:
            with ThreadPoolExecutor(
                self._plan.concurrency, thread_name_prefix="demo-worker"
            ) as pool:
                self._dispatch(pool, slots)
                self._wait_for_workers(slots)
        finally:
            self._router(down=False)
        self._record.wall_s = time.monotonic() - self._start
        self._record.interrupted = self._stop.is_set()
        self._report_progress()
        return self._record

    # --- dispatching --------------------------------------------------------------------
    def _dispatch(self, pool: ThreadPoolExecutor, slots: threading.Semaphore) -> None:
        for job in self._plan.jobs():
            if not self._acquire(slots):
                return
            in_outage = self._plan.in_outage(job)
            if self._plan.requests is not None:
                self._router(down=in_outage)
            future = pool.submit(self._work, job)
            future.add_done_callback(lambda _: slots.release())
            if in_outage:
                self._outage_jobs.append(future)

    def _acquire(self, slots: threading.Semaphore) -> bool:
        """Wait for a free worker; False when the run is over."""
        while True:
            self._tick()
            if self._over():
                return False
            if slots.acquire(timeout=_TICK_S):
                if self._over():
                    slots.release()
                    return False
                return True

    def _over(self) -> bool:
        if self._stop.is_set():
            return True
        duration = self._plan.duration_s
        return duration is not None and time.monotonic() - self._start >= duration

    def _tick(self) -> None:
        """Follow the clock: a timed run's outage window, and the progress display."""
        outage = self._plan.outage
        if outage is not None and self._plan.duration_s is not None:
            elapsed = time.monotonic() - self._start
            self._router(down=outage.covers(elapsed / self._plan.duration_s))
        self._report_progress()

    def _wait_for_workers(self, slots: threading.Semaphore) -> None:
        """Let the jobs under way finish, still following the clock."""
        taken = 0
        while taken < self._plan.concurrency:
            if slots.acquire(timeout=_TICK_S):
                taken += 1
            else:
                self._report_progress()
        for _ in range(taken):
            slots.release()

    # --- one job ------------------------------------------------------------------------
    def _work(self, job: Job) -> None:
        try:
            decision = self._run_job(job)
        except Exception as error:  # the app's failure: counted, the run goes on
            with self._lock:
                self._record.failed_jobs[job.pattern] += 1
                if self._record.first_failure is None:
                    self._record.first_failure = f"{job.pattern}: {type(error).__name__}: {error}"
            decision = "failed"
        with self._lock:
            self._record.jobs[job.pattern] += 1
            self._record.decisions[job.pattern][decision] += 1
            self._calls_done += job.calls

    # --- the outage -----------------------------------------------------------------------
    def _router(self, *, down: bool) -> None:
        if self._switch is None or down == (self._down_since is not None):
            return
        if down:
            self._switch(True)  # noqa: FBT003 - the switch reads naturally
            self._down_since = (time.monotonic() - self._start, time.time_ns())
            return
        # A fixed-size run: the jobs planned in the window meet the outage to their end.
        for future in self._outage_jobs:
            future.result()
        self._outage_jobs.clear()
        self._switch(False)  # noqa: FBT003
        start_s, start_ns = self._down_since or (0.0, 0)
        self._down_since = None
        if self._record.outage is None:
            self._record.outage = OutageWindow(
                round(start_s, 3),
                round(time.monotonic() - self._start, 3),
                start_ns,
                time.time_ns(),
            )

    def _report_progress(self) -> None:
        elapsed = time.monotonic() - self._start
        with self._lock:
            calls = self._calls_done
        if self._plan.requests is not None:
            done, total = float(calls), float(self._plan.requests)
        else:
            assert self._plan.duration_s is not None
            done, total = min(elapsed, self._plan.duration_s), self._plan.duration_s
        self._progress.update(done, total, calls, router_down=self._down_since is not None)
