"""Large buffers go back to the system when freed (glibc), so memory stays flat block after block."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

# In a fresh process: a 30 MiB buffer freed (glibc then raises its mmap threshold to 30 MiB), then
# a 20 MiB one freed; prints how much of the second the process still holds, in MiB.
_HELD_AFTER_FREE = """
import sys
from trainzip.large_buffers import return_large_buffers_to_the_system
if sys.argv[1] == "fixed":
    assert return_large_buffers_to_the_system()
def rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20
first = bytearray(30 << 20); del first
before = rss_mib()
second = bytearray(20 << 20); del second
print(rss_mib() - before)
"""


def _held_mib(mode: str) -> float:
    done = subprocess.run([sys.executable, "-c", _HELD_AFTER_FREE, mode], capture_output=True, text=True, check=True)
    return float(done.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the mmap threshold is glibc's")
def test_a_freed_block_sized_buffer_is_given_back():
    """Without the fixed threshold glibc keeps a freed 20 MiB buffer in its heap; with it, it unmaps it."""
    assert _held_mib("default") > 15
    assert _held_mib("fixed") < 2


def test_the_command_line_and_the_pools_workers_set_it_and_a_library_call_does_not(monkeypatch, tmp_path):
    """trainzip's own processes give large buffers back; a host process calling the library keeps its malloc."""
    import signal

    import trainzip.engine.local as local
    import trainzip.large_buffers as large_buffers
    from trainzip.cli import main
    from trainzip.codec import compress

    calls = []
    monkeypatch.setattr(large_buffers, "return_large_buffers_to_the_system", lambda: calls.append("set"))
    monkeypatch.setattr(local, "return_large_buffers_to_the_system", lambda: calls.append("worker"))
    compress(b"a library call", level="fast")
    assert calls == []
    (tmp_path / "text.txt").write_bytes(b"the command line " * 100)
    assert main(["compress", "-q", "-T", "1", "--level", "fast", str(tmp_path / "text.txt")]) == 0
    assert main(["decompress", "-q", "-T", "1", "-o", str(tmp_path / "back.txt"), str(tmp_path / "text.txt.tz")]) == 0
    assert calls == ["set", "set"]
    handler = signal.getsignal(signal.SIGINT)
    try:
        local._start_worker(None, None)
    finally:
        signal.signal(signal.SIGINT, handler)
    assert calls[-1] == "worker"
