"""The exact network's initial weights: a function of the seed alone, forever.

NumPy keeps a bit generator's raw output stable but not the way its methods turn it into floats,
so the initial weights come from SplitMix64 (Steele, Lea and Flood 2014), written out here in
integers: 24 bits of each output make a float32 in [-1, 1) exactly, scaled by a float32 bound.
"""

import numba
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_UNIT = np.float32(1.0 / (1 << 23))  # 24-bit integers to [-1, 1)


@numba.njit(cache=True)
def _fill_uniform(out, seed, stream, bound):
    """out[k] = bound * u_k, u_k uniform in [-1, 1) from SplitMix64 at (seed, stream, k)."""
    state = np.uint64(seed) * _GOLDEN + np.uint64(stream) * _MIX1
    for k in range(out.shape[0]):
        state += _GOLDEN
        z = state
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
        signed = np.int64(z >> np.uint64(40)) - (1 << 23)  # in [-2^23, 2^23)
        out[k] = np.float32(signed) * _UNIT * bound


def uniform(count: int, *, seed: int, stream: int, bound: float) -> np.ndarray:
    """(count,) float32 weights uniform in [-bound, bound), the same for a (seed, stream) everywhere.

    ``bound`` is rounded to float32 first (a float64 -> float32 rounding is exact and machine-free).
    """
    out = np.empty(count, dtype=np.float32)
    _fill_uniform(out, seed, stream, np.float32(bound))
    return out
