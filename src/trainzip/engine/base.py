"""What every executor does: run a job function over a stream of jobs, at most a window of them at
once, and hand the results back in the jobs' order.

The jobs come from an iterator that is read only as slots free up, so an input read block by block
is never read further ahead than the window: memory stays bounded by the workers' own state and
a few blocks in flight, whatever the input's size.
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

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
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

    def _abort(self) -> None:
        """Stop every job still running (after an error or an interrupt)."""

    def _run_elsewhere(self, fn: JobFunction, jobs: Iterator, on_progress: OnProgress | None) -> Iterator:
        pending: deque = deque()
        window = max(1, self.workers * self.window_per_worker)
        try:
            for index, job in enumerate(jobs):
                pending.append(self._submit(fn, index, job))
                while len(pending) >= window:
                    yield self._next_result(pending, on_progress)
            while pending:
                yield self._next_result(pending, on_progress)
        except BaseException:
            self._abort()
            raise

    def _next_result(self, pending: deque, on_progress: OnProgress | None):
        while True:
            done, result = self._wait(pending[0], 0.1)
            self._drain_progress(on_progress)
            if done:
                pending.popleft()
                return result


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
