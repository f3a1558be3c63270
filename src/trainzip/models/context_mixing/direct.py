"""Direct tables of orders 0-2 at a fast and a slow rate: what the low orders did lately, beside
what they did on the whole (the hashed counters, which keep the case).

``direct`` (2, DIRECT_CELLS) int32 16-bit probabilities: order 0 by the partial byte, order 1 by
the last byte too, order 2 by a 16-bit hash of the last two; all keyed with capitals folded.
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing.hashing import mix32
from trainzip.models.context_mixing.history import FOLDED_C4
from trainzip.models.context_mixing.registers import REGISTERS
from trainzip.models.logistic import P16_BITS, P16_HALF, P16_TO_P12

DIRECT_ORDERS = 3
(DIRECT_CELL,) = REGISTERS.allocate(("direct cell", DIRECT_ORDERS))  # per order: its cell for the current bit
DIRECT_OFFSETS = (0, 256, 256 + 65536)
DIRECT_CELLS = 256 + 2 * 65536
DIRECT_RATES = (2, 7)  # shifts: a fast and a slow table
INPUTS = 2 * DIRECT_ORDERS


class DirectTables(NamedTuple):
    direct: np.ndarray  # (len(DIRECT_RATES), DIRECT_CELLS) int32


def allocate_direct_tables() -> DirectTables:
    return DirectTables(np.full((len(DIRECT_RATES), DIRECT_CELLS), P16_HALF, dtype=np.int32))


@kernel(inline=True)
def predict_direct(s, state, direct, inputs, k, folded, stretch_t):
    """Two inputs per order (fast, slow), keyed by the folded partial byte and folded last bytes."""
    c4 = state[s, FOLDED_C4]
    cells = (folded, DIRECT_OFFSETS[1] + (((c4 & 0xFF) << 8) | folded),
             DIRECT_OFFSETS[2] + (mix32(c4 & 0xFFFF, folded) & 0xFFFF))
    for o in range(DIRECT_ORDERS):
        state[s, DIRECT_CELL + o] = cells[o]
        inputs[s, k] = stretch_t[direct[0, cells[o]] >> P16_TO_P12]
        inputs[s, k + 1] = stretch_t[direct[1, cells[o]] >> P16_TO_P12]
        k += 2
    return k


@kernel(inline=True)
def learn_direct(s, y, state, direct):
    for o in range(DIRECT_ORDERS):
        cell = state[s, DIRECT_CELL + o]
        for rate in range(len(DIRECT_RATES)):
            direct[rate, cell] += ((y << P16_BITS) - direct[rate, cell]) >> DIRECT_RATES[rate]
