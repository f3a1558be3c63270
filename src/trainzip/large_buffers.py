"""Large buffers go back to the system when freed, so that a process coding block after block keeps
a flat peak of memory, whatever the input's length.

glibc's malloc serves a request from its heap unless it is at least the mmap threshold, and it
raises that threshold to the size of each mapped buffer freed (up to 32 MiB). Once a block's first
16 MiB buffer is freed, the next blocks' buffers (their bytes, the decoder's output, the coder's
payload) come from the heap, whose freed holes stay with the process. Measured at fast with one
worker: 100 MB in six 16 MiB blocks peaked 12% above 10 MB in one block (bench/scale.py); coding
three 4 MiB blocks in one process, the peak grew by 7 MiB from the first block to the third, and
the process never gave memory back between blocks. A fixed threshold keeps every buffer of 256 KiB
or more in a mapping of its own, unmapped when freed: with it, the same three blocks peaked within
1.5 MiB of each other, and memory fell back between blocks. Where the C library is not glibc
nothing is changed.

It is set only in trainzip's own processes: the command line's, and its pool's workers. A library
call leaves its host process's malloc as it is, since there every large allocation would become a
fresh mapping, which a training loop allocating large tensors at every step would pay for.

This is a call to the C library (through ctypes) because no Python library sets malloc's options.
"""

from __future__ import annotations

import ctypes
import functools
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number for the mmap threshold (glibc's malloc.h)
MMAP_THRESHOLD_BYTES = 1 << 18  # buffers this large or larger are mapped alone and unmapped when freed


@functools.cache
def return_large_buffers_to_the_system() -> bool:
    """Fix malloc's mmap threshold for this process (once); True where glibc took it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
