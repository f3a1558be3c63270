"""Where blocks are coded: a pool of processes gives the bytes of a serial run, whatever its size,
both ways; progress covers the whole input; a dead worker is one clear error, and a failed run
stops its pool before it reports."""

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
