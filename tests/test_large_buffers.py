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
from trainzip.codec.large_buffers import return_large_buffers_to_the_system
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
