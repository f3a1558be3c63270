"""A pool of worker processes on this machine (the standard library's ProcessPoolExecutor).

Workers are spawned, not forked: a fork of a process that has started PyTorch's or Numba's threads
can deadlock. They ignore Ctrl-C, which the main process handles (it stops the pool and leaves no
file), and report each job's progress through a queue that the main process drains while it waits,
so one progress bar shows the whole input across workers.

Once a job fails, the jobs after it are not needed (see `engine.base`). The pool cannot end one
worker without breaking the jobs of the others, so they share a number, the first job index not
needed: the worker whose job fails lowers it at once (the main process learns of the failure only
later), and every worker checks it as a job starts and at each of its progress reports (every
32 KiB of a block at most), and gives that job up.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import queue
import signal
import time
from concurrent.futures.process import BrokenProcessPool

from trainzip.engine.base import JobFunction, OnProgress, WindowedExecutor
from trainzip.errors import TrainzipError
from trainzip.large_buffers import return_large_buffers_to_the_system

PROGRESS_INTERVAL_S = 0.2  # a worker reports a job's progress at most this often
ALL_NEEDED = 2 ** 62  # the first job index not needed, while every job is
_progress_queue = None  # in a worker: where its progress reports go
_first_dropped = None  # in a worker: the first job index not needed (shared with the main process)


class JobDropped(Exception):
    """In a worker: its job is not needed any more (a job before it failed); nobody waits for it."""


def _start_worker(progress_queue, first_dropped) -> None:
    global _progress_queue, _first_dropped
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return_large_buffers_to_the_system()  # a worker of ours codes block after block
    _progress_queue, _first_dropped = progress_queue, first_dropped


def _stop_if_dropped(index: int) -> None:
    if index >= _first_dropped.value:
        raise JobDropped(index)


def _drop_from(first_dropped, index: int) -> None:
    """Jobs from ``index`` on are not needed (in the main process or a worker, whichever knows first).

    Unlocked: two processes writing at once may lose the lower number, but every number written is
    one past a failed job, so a lost one only drops less, never a job that is needed."""
    first_dropped.value = min(first_dropped.value, index)


def _run_job(fn: JobFunction, index: int, job):
    """In a worker: fn(job, progress), its progress reported to the main process; given up, as it
    starts or at a progress report, once it is not needed."""
    last_report = [0.0]

    def progress(done: int, bits: float) -> None:
        _stop_if_dropped(index)
        now = time.monotonic()
        if now - last_report[0] >= PROGRESS_INTERVAL_S:
            last_report[0] = now
            _progress_queue.put((index, done, bits))

    _stop_if_dropped(index)
    try:
        return fn(job, progress)
    except JobDropped:
        raise
    except BaseException:
        _drop_from(_first_dropped, index + 1)  # whatever comes of the jobs before it, none after it is needed
        raise


class PoolExecutor(WindowedExecutor):
    """``workers`` processes, started when a second job comes (one job runs in this process)."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._pool = None
        self._queue = None
        self._first_dropped = None  # shared with the workers: the first job index not needed

    def _start(self) -> None:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._queue = context.Queue()
            self._first_dropped = context.RawValue("q", ALL_NEEDED)  # shared memory, no lock (see `_drop_from`)
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker,
                initargs=(self._queue, self._first_dropped))

    def _submit(self, fn: JobFunction, index: int, job):
        self._start()
        return self._pool.submit(_run_job, fn, index, job)

    def _wait(self, handle, timeout_s: float):
        try:
            return True, handle.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            return False, None
        except BrokenProcessPool:
            raise TrainzipError("a worker process died (out of memory, or killed); nothing was written") from None

    def _failed(self, handle) -> bool:
        return handle.done() and not handle.cancelled() and handle.exception() is not None

    def _drop(self, first_index: int, handles: list) -> None:
        _drop_from(self._first_dropped, first_index)
        for future in handles:
            future.cancel()  # one still in the pool's own queue never starts

    def _drain_progress(self, on_progress: OnProgress | None) -> None:
        while self._queue is not None:
            try:
                report = self._queue.get_nowait()
            except queue.Empty:
                return
            if on_progress is not None:
                on_progress(*report)

    def _abort(self) -> None:
        if self._pool is None:
            return
        # Python 3.14 has ProcessPoolExecutor.terminate_workers(); before it, the processes are only
        # reachable through the pool's own table
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        manager = getattr(self._pool, "_executor_manager_thread", None)  # shutdown(wait=False) forgets it
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
        if manager is not None:
            # the pool's manager thread drops the pool's queues as it ends, and their semaphores are
            # unlinked then, in that thread: a process that exits meanwhile (exit_now) can leave one
            # unlinked but still registered, and the resource tracker warns about it after our one line
            manager.join(timeout=5)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._queue is not None:
            self._queue.close()
            self._queue.join_thread()
            self._queue = None
