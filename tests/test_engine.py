"""Where blocks are coded: a pool of processes gives the bytes of a serial run, whatever its size,
both ways; progress covers the whole input; a dead worker is one clear error, and a failed run
stops its pool before it reports, with a serial run's error (the earliest failing job's), the jobs
after a failed one given up at once."""

from __future__ import annotations

import concurrent.futures.process
import os
import sys
import threading
import time

import numpy as np
import pytest

from tests.conftest import TINY, corpus_file
from trainzip.codec import compress, compress_with_report, decompress
from trainzip.engine import PoolExecutor, SerialExecutor, make_executor
from trainzip.errors import TrainzipError

CONFIG = TINY.replace(block_size=2048)


@pytest.fixture(scope="module")
def text() -> bytes:
    return corpus_file("canterbury/grammar.lsp").read_bytes() * 3  # 11 kB: six blocks


@pytest.fixture(scope="module")
def pool():
    with PoolExecutor(2) as executor:
        yield executor


def test_pool_bytes_are_the_serial_bytes_both_ways(text, pool):
    """Six blocks on two workers: the very file a serial run writes, which decodes on the pool to the
    original."""
    serial = compress(text, config=CONFIG)
    assert compress(text, config=CONFIG, executor=pool) == serial
    assert decompress(serial, executor=pool) == text


def test_progress_covers_the_whole_input_across_workers(text, pool):
    """The progress callback sees bytes of every worker added up: never backwards, ending at the input's length."""
    seen = []
    _, report = compress_with_report(text, config=CONFIG, executor=pool,
                                     progress=lambda done, bits: seen.append((done, bits)))
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == len(text)
    assert seen[-1][1] == pytest.approx(report.ideal_bits)


def _die(job, progress=None):
    os._exit(3)


def test_a_dead_worker_is_one_clear_error(pool):
    """A worker process that dies (out of memory, killed) ends the run with one TrainzipError, not a hang."""
    with PoolExecutor(2) as doomed, pytest.raises(TrainzipError, match="worker process died"):
        list(doomed.run(_die, [1, 2, 3]))


def _refuse(job, progress=None):
    raise ValueError(f"job {job} refused")


_MANAGER_THREAD = concurrent.futures.process._ExecutorManagerThread


def _pool_manager_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if isinstance(thread, _MANAGER_THREAD)}


def test_a_failed_run_has_stopped_its_pool_when_the_error_arrives(pool, monkeypatch):
    """An error in a worker reaches the caller only once the pool's manager thread has ended: that
    thread releases the pool's semaphores as it ends, and a command that exits right after its one
    line of error (`cli.startup.exit_now`) must not leave one half released for the resource
    tracker to warn about. The thread's teardown is slowed here, so that the race that made 3 of
    100 refused files print the tracker's warning is lost every time without the join."""
    teardown = _MANAGER_THREAD.join_executor_internals

    def slow_teardown(self):
        time.sleep(0.3)
        teardown(self)

    monkeypatch.setattr(_MANAGER_THREAD, "join_executor_internals", slow_teardown)
    others = _pool_manager_threads()  # the module's shared pool
    with PoolExecutor(2) as failing, pytest.raises(ValueError, match="refused"):
        list(failing.run(_refuse, [1, 2, 3]))
    assert _pool_manager_threads() <= others


def _marked_job(job, progress):
    """A job of the tests below: ``(index, kind, folder)``. "quick": done at once; "fails": marks that
    it failed and raises; "waits": runs until job 1 has failed, then on for 2 s (raising if ``kind``
    says so); "works": marks that it started, runs for 1 s and marks that it finished. Each step of
    10 ms reports progress, as a block's coding does."""
    index, kind, folder = job
    if kind == "quick":
        return index
    if kind == "fails":
        (folder / "failed-1").touch()
        raise ValueError(f"job {index} refused")
    if kind.startswith("waits"):
        while not (folder / "failed-1").exists():
            time.sleep(0.01)
    else:
        (folder / f"started-{index}").touch()
    for _ in range(200 if kind.startswith("waits") else 100):
        progress(0, 0.0)
        time.sleep(0.01)
    if kind == "waits-then-fails":
        raise ValueError(f"job {index} refused")
    (folder / f"finished-{index}").touch()
    return index


def test_a_later_failure_drops_every_job_after_it(tmp_path):
    """Job 1 fails while job 0 still runs: job 0 runs on (a serial run would have finished it
    first), job 1's error comes after it, and the jobs after job 1, not needed whatever happens,
    are given up at once, none of them finished, and no job past the first window is read."""
    read = []

    def jobs():
        for index in range(12):
            read.append(index)
            yield index, "waits" if index == 0 else "fails" if index == 1 else "works", tmp_path

    results = []
    with PoolExecutor(2) as executor, pytest.raises(ValueError, match="job 1 refused"):
        results.extend(executor.run(_marked_job, jobs()))
    assert results == [0]
    assert not [path.name for path in tmp_path.glob("finished-*") if path.name != "finished-0"]
    assert read == list(range(len(read))) and len(read) <= 2 * 2


def test_the_earliest_failure_is_the_one_reported(tmp_path):
    """Job 1 fails first, then job 0, still running, fails too: the error is job 0's, as a serial
    run reports it."""
    jobs = [(0, "waits-then-fails", tmp_path), (1, "fails", tmp_path), (2, "works", tmp_path)]
    with PoolExecutor(2) as executor, pytest.raises(ValueError, match="job 0 refused"):
        list(executor.run(_marked_job, jobs))


def test_leaving_the_executor_with_an_error_ends_its_jobs(tmp_path):
    """An error raised by the caller between two results (an output that cannot be written) leaves
    the executor's block: the jobs in flight are ended there, not waited for."""
    jobs = [(index, "quick" if index == 0 else "works", tmp_path) for index in range(6)]
    with pytest.raises(RuntimeError, match="caller"), PoolExecutor(2) as executor:
        results = executor.run(_marked_job, jobs)
        assert next(results) == 0
        processes = list(executor._pool._processes.values())
        raise RuntimeError("the caller's own error")
    assert processes and not any(process.is_alive() for process in processes)
    assert not list(tmp_path.glob("finished-*"))


def test_one_job_runs_in_this_process():
    """A single job (a one-block input) starts no worker at all."""
    executor = PoolExecutor(2)
    assert list(executor.run(lambda job, progress: (job, os.getpid()), ["only"])) == [("only", os.getpid())]
    assert executor._pool is None


def test_make_executor_defaults_to_every_core():
    """--workers absent: a pool over every core (one core: this process)."""
    with make_executor() as executor:
        assert executor.workers == len(os.sched_getaffinity(0))
    assert isinstance(make_executor(workers=1), SerialExecutor)


def test_ray_missing_says_how_to_install_it(monkeypatch):
    """Without Ray installed, --ray says in one line how to get it."""
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(TrainzipError, match=r"pip install 'trainzip\[ray\]'"):
        make_executor(ray_address="auto")


def test_probe_seeds_on_the_pool_give_the_serial_figures(pool):
    """trainzip probe's seeds run on the pool with exactly the figures of a serial run."""
    from trainzip.probing import online_codelength_seeds

    rng = np.random.default_rng(0)
    features = rng.normal(size=(64, 4)).astype(np.float32)
    labels = (features[:, 0] + 0.3 * rng.normal(size=64) > 0).astype(np.int64)
    options = dict(seeds=[0, 1], probe="linear", schedule="doubling", threads=1)
    serial = online_codelength_seeds(features, labels, **options)
    pooled = online_codelength_seeds(features, labels, executor=pool, **options)
    assert [run.online_bits for run in pooled.runs] == [run.online_bits for run in serial.runs]
    assert pooled.block_bits() == serial.block_bits()
