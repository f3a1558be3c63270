"""The exact network's elementary functions, from the operations IEEE 754 fixes alone.

A float32 +, -, *, / or sqrt is correctly rounded, so it gives the same bits on every CPU; exp,
tanh and their kin come from libm (or Intel's SVML, which Numba uses where it is installed), whose
results differ between libraries and versions. So the network's exp is written out here: a Taylor
polynomial on [-1/2, 0] raised to the 64th power by six squarings, every step a float32 multiply
or add, in one fixed order. Numba compiles these without fastmath, so LLVM neither fuses a
multiply and an add nor reorders them, on any target (docs/format.md, "Numerics").

Accuracy is not the point (the code length pays for a slightly wrong exp, the decoder never
does): the relative error is about 2e-5 over the range used, and the functions are monotone
enough for training.
"""

import numba
import numpy as np

_F = np.float32
ONE = _F(1.0)
HALF = _F(0.5)
TWO = _F(2.0)
ZERO = _F(0.0)
EXP_FLOOR = _F(-32.0)  # e^-32 is 1.3e-14: below it a probability or a gate is as good as zero
_SCALE = _F(1.0 / 64.0)  # exact: a power of two, undone by six squarings
_C2, _C3, _C4, _C5, _C6, _C7 = (_F(1.0 / 2), _F(1.0 / 6), _F(1.0 / 24), _F(1.0 / 120), _F(1.0 / 720),
                                _F(1.0 / 5040))


@numba.njit(cache=True, inline="always")
def exp_nonpositive(x):
    """e^x for float32 x <= 0 (clamped at -32), from multiplies and adds only."""
    y = max(x, EXP_FLOOR) * _SCALE  # in [-1/2, 0]
    p = ONE + y * (ONE + y * (_C2 + y * (_C3 + y * (_C4 + y * (_C5 + y * (_C6 + y * _C7))))))
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    p = p * p
    return p * p


@numba.njit(cache=True, inline="always")
def sigmoid(x):
    """1 / (1 + e^-x) for float32 x, from e^-|x| (never overflows)."""
    e = exp_nonpositive(-abs(x))
    s = ONE / (ONE + e)
    return s if x >= ZERO else e * s


@numba.njit(cache=True, inline="always")
def tanh(x):
    """tanh of float32 x, from e^-2|x|."""
    e = exp_nonpositive(-TWO * abs(x))
    t = (ONE - e) / (ONE + e)
    return t if x >= ZERO else -t


@numba.njit(cache=True)
def _flushed(tiny, scale):
    product = tiny * scale  # subnormal, or zero under flush-to-zero
    return product == ZERO or product + product == ZERO  # ... or read as zero (denormals-are-zero)


def flushes_subnormals() -> bool:
    """Whether this process's floating-point unit flushes subnormal results or inputs to zero.

    Some shared libraries built with -ffast-math switch that on for the whole process when they are
    loaded; then products too small for a normal float32 come out as zero and the network's
    arithmetic is no longer IEEE 754's. The operands come from Python, so the compiler cannot fold
    the product at compile time (where it would always be IEEE's).
    """
    return bool(_flushed(np.float32(1e-38), np.float32(1e-3)))
