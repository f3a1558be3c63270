"""Blocks as tasks on a Ray cluster: the same bytes as the local pool, even when a worker dies.

One local head (on 127.0.0.1, started and stopped by this module) serves every test here: Ray
takes seconds to start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

# Before Ray is imported (it reads them then), in this process and the head's: a cluster on the
# loopback address only (Ray would otherwise swap 127.0.0.1 for the machine's own address), and a
# token of this module's own that every connection must show.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_AUTH_MODE"] = "token"
os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"

from tests.conftest import corpus_file
from trainzip.codec import compress, decompress
from trainzip.codec.presets import preset

ray = pytest.importorskip("ray")
psutil = pytest.importorskip("psutil")
ROOT = Path(__file__).resolve().parents[1]
# fast, cut into 8 blocks of 16 kB: enough blocks for both CPUs, each a fraction of a second
CONFIG = preset("fast").replace(block_size=16_000)


@pytest.fixture(scope="module")
def ray_address():
    """Start a Ray head on 127.0.0.1 in a process of our own; stop it (and only it) afterwards."""
    temp_dir = tempfile.mkdtemp(prefix="tzray-", dir="/tmp")  # short: Ray's socket paths have a length limit
    head = subprocess.Popen([sys.executable, "-m", "tests.ray_head", temp_dir], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=ROOT, start_new_session=True,
                            env=dict(os.environ, PYTHONWARNINGS="ignore"))
    address = head.stdout.readline().decode().strip()
    assert address.startswith("127.0.0.1:"), f"the Ray head did not start on the loopback address: {address!r}"
    yield address
    head.stdout.close()
    head.stdin.close()
    try:
        head.wait(timeout=60)
    finally:
        try:
            os.killpg(head.pid, signal.SIGKILL)  # whatever it started and left behind, by its group
        except ProcessLookupError:
            pass
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def text() -> bytes:
    return corpus_file("canterbury/alice29.txt").read_bytes()[:128_000]


@pytest.fixture(scope="module")
def pool_bytes(text) -> bytes:
    from trainzip.engine import PoolExecutor

    with PoolExecutor(2) as pool:
        return compress(text, config=CONFIG, executor=pool)


@pytest.fixture(scope="module")
def cluster(ray_address):
    from trainzip.engine.ray_cluster import RayExecutor

    with RayExecutor(ray_address) as executor:
        yield executor


def test_ray_gives_the_pools_bytes_both_ways(cluster, text, pool_bytes):
    """Compressed on the cluster, a file is byte for byte the pool's (and the serial run's), and it
    decodes there to the original."""
    assert compress(text, config=CONFIG, executor=cluster) == pool_bytes == compress(text, config=CONFIG)
    assert decompress(pool_bytes, executor=cluster) == text


def _ray_job_workers() -> list:
    """Ray worker processes running one of trainzip's tasks right now."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if cmdline and cmdline[0].startswith("ray::trainzip_job"):
            found.append(process)
    return found


def test_a_killed_worker_costs_time_not_data(cluster, text, pool_bytes):
    """A Ray worker killed while it codes a block: Ray runs the task again, and the file is the same."""
    killed = []

    def kill_one_worker():
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            for process in _ray_job_workers():
                process.send_signal(signal.SIGKILL)
                killed.append(process.pid)
                break
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        blob = compress(text, config=CONFIG, executor=cluster)
    finally:
        killer.join()
    assert len(killed) == 1, "no Ray worker was seen coding a block"
    assert blob == pool_bytes


def test_cli_sends_blocks_to_the_cluster(cluster, ray_address, text, pool_bytes, tmp_path):
    """trainzip compress --ray ADDRESS writes the pool's bytes (on the connection this module holds)."""
    from trainzip.cli import main

    source = tmp_path / "text.txt"
    source.write_bytes(text)
    assert main(["compress", "-q", "--level", "fast", "--block-size", "16000", "--ray", ray_address, str(source)]) == 0
    assert (tmp_path / "text.txt.tz").read_bytes() == pool_bytes
