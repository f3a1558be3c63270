"""How every compiled kernel of the codec is built: Numba, nopython, cached on disk, and without
reference counting.

Numba counts references to each array a compiled function hands to another (an atomic add and a
release per array per call). The kernels never allocate or keep an array, so counting buys them
nothing, and it cost a fifth of `fast`'s time (measured: alice29.txt at fast, 1.23 s of CPU
against 1.53 s, the two builds side by side on one core). `_nrt` is Numba's own option for it
(`numba.core.options.DefaultOptions`); a Numba without it compiles the kernels with counting, to
the very same results. Kernels stay `@njit(cache=True)`: a jitclass cannot be cached, and a C
extension would add a toolchain.
"""

from __future__ import annotations

import numba

try:
    from numba.core.options import DefaultOptions

    NO_REFCOUNT = {"_nrt": False} if hasattr(DefaultOptions, "_nrt") else {}
except ImportError:  # a Numba that moved its options: count references, as before
    NO_REFCOUNT = {}


def kernel(function=None, *, inline: bool = False):
    """``@kernel`` or ``@kernel(inline=True)``: a cached Numba function (inlined into its callers)."""
    decorate = numba.njit(cache=True, inline="always" if inline else "never", **NO_REFCOUNT)
    return decorate if function is None else decorate(function)
