"""What every executor does: run a job function over a stream of jobs, at most a window of them at
once, and hand the results back in the jobs' order.

The jobs come from an iterator that is read only as slots free up, so an input read block by block
is never read further ahead than the window: memory stays bounded by the workers' own state and
a few blocks in flight, whatever the input's size.

A failed job ends the run with the error a serial run would report: the earliest failing job's.
The first job of the window fails: its error comes at once, and every job still in flight is
dropped or ended. A later job fails while earlier ones still run: those run on (one of them may
fail too, with its own error, and a serial run would have met it first), its error comes once they
are done, and nothing after it is needed any more: no further job is read, and the jobs after it
are dropped or ended at once. So N workers refuse a bad input at no more cost than one does, but
for what the jobs beside the failed one did until it failed and what a worker does before it learns
that its job is dropped; and no later, where each worker has a core to itself (on a shared one, a
job beside the failing one slows it down).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

JobFunction = Callable[..., Any]
"""fn(job, progress) -> result, with progress(done, bits) for the job's own progress (or None)."""
OnProgress = Callable[[int, int, float], None]
"""on_progress(job number, bytes done in that job, bits so far in that job), in the calling thread."""
_END = object()


class Executor:
    """Runs jobs; `SerialExecutor` in this process, subclasses elsewhere. A context manager."""

    workers = 1
    inline_single_job = True  # one job alone runs in this process: no worker to start for a small input

    def run(self, fn: JobFunction, jobs: Iterable, *, on_progress: OnProgress | None = None) -> Iterator:
        """fn(job, progress) for each job; the results in the jobs' order."""
        iterator = iter(jobs)
        first = next(iterator, _END)
        if first is _END:
            return
        second = next(iterator, _END) if self.inline_single_job else _END
        if second is _END and self.inline_single_job:
            yield _inline(fn, 0, first, on_progress)
            return
        pending_jobs = [first] if second is _END else [first, second]
        yield from self._run_elsewhere(fn, _chain(pending_jobs, iterator), on_progress)

    def map(self, fn: Callable[[Any], Any], items: Iterable) -> list:
        """fn(item) for each item (no progress), the results in order."""
        return list(self.run(_WithoutProgress(fn), items))

    def _run_elsewhere(self, fn: JobFunction, jobs: Iterator, on_progress: OnProgress | None) -> Iterator:
        for index, job in enumerate(jobs):
            yield _inline(fn, index, job, on_progress)

    def close(self) -> None:
        """Release the workers (nothing to release here)."""

    def _abort(self) -> None:
        """Stop every job still running (after an error or an interrupt)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        if exc_type is not None:  # an error or an interrupt: the jobs still in flight are ended, not waited for
            self._abort()
        self.close()


class SerialExecutor(Executor):
    """Every job in this process, one after another, each pulled only when the one before is done."""

    def run(self, fn: JobFunction, jobs: Iterable, *, on_progress: OnProgress | None = None) -> Iterator:
        for index, job in enumerate(jobs):
            yield _inline(fn, index, job, on_progress)


class WindowedExecutor(Executor):
    """Base of executors whose jobs run elsewhere: submit, wait, drain progress reports."""

    window_per_worker = 2  # jobs in flight per worker: one running, one ready to start

    def _submit(self, fn: JobFunction, index: int, job) -> Any:
        raise NotImplementedError

    def _wait(self, handle, timeout_s: float) -> tuple[bool, Any]:
        """(True, result) once the job behind ``handle`` is done, else (False, None) after timeout_s."""
        raise NotImplementedError

    def _drain_progress(self, on_progress: OnProgress | None) -> None:
        """Deliver the progress reports that came in (none by default)."""

    def _failed(self, handle) -> bool:
        """Whether the job behind ``handle`` is known to have failed, without waiting (by default
        never: a failure is then seen only when its job is waited for)."""
        return False

    def _drop(self, first_index: int, handles: list) -> None:
        """The jobs behind ``handles`` (job ``first_index`` and every later one) are not needed:
        drop those not started and end those running, where the executor can."""

    def _run_elsewhere(self, fn: JobFunction, jobs: Iterator, on_progress: OnProgress | None) -> Iterator:
        pending: deque = deque()  # (job index, handle) of the jobs in flight, in order
        window = max(1, self.workers * self.window_per_worker)
        try:
            for index, job in enumerate(jobs):
                pending.append((index, self._submit(fn, index, job)))
                while len(pending) >= window:
                    yield self._next_result(pending, on_progress)
                if self._drop_after_failure(pending):  # the run ends at that job: read no further one
                    break
            while pending:
                yield self._next_result(pending, on_progress)
        except BaseException:
            self._abort()
            raise

    def _next_result(self, pending: deque, on_progress: OnProgress | None):
        """The first job's result once it is done (its error, if it failed); meanwhile, what
        follows a later job that failed is dropped (see the module's docstring)."""
        while True:
            done, result = self._wait(pending[0][1], 0.1)
            self._drain_progress(on_progress)
            if done:
                pending.popleft()
                return result
            self._drop_after_failure(pending)

    def _drop_after_failure(self, pending: deque) -> bool:
        """Drop every job after the first one in ``pending`` known to have failed (the run ends with
        that job's error, or an earlier one's, whatever the later jobs do); whether one has."""
        failed = next((position for position, (_, handle) in enumerate(pending) if self._failed(handle)), None)
        if failed is None:
            return False
        dropped = [pending.pop() for _ in range(len(pending) - failed - 1)][::-1]
        if dropped:
            self._drop(dropped[0][0], [handle for _, handle in dropped])
        return True


def _inline(fn: JobFunction, index: int, job, on_progress: OnProgress | None):
    progress = None if on_progress is None else (lambda done, bits: on_progress(index, done, bits))
    return fn(job, progress)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


class _WithoutProgress:
    """fn(item) as a job function (a class, not a closure: it travels to worker processes)."""

    def __init__(self, fn: Callable[[Any], Any]):
        self.fn = fn

    def __call__(self, item, progress=None):
        return self.fn(item)
