"""Which weight set each mixer uses for the current bit: every mixer has its own selecting context.

First layer (MIXER_SETS, in mixer order): the partial byte; the match state and the partial byte;
the last byte; how many contexts had seen the bit's key, and the bit position; the byte before the
last; the classes of the last three bytes and the bit position; the last byte's class and the
partial byte; the classes of the last four bytes; the column and the bit position; the byte the
match predicts and the bit position; a hash of the last two bytes and the bit position; the current
word and the bit position. Those keyed by the partial byte or the last bytes alone take them with
capitals folded, so a capital's sets learn from its lower case. A level uses the first `mixers`.

Second layer (FINAL_SETS): the partial byte with the classes of the last two bytes; the first
layer's match and four-class selectors; the folded partial byte alone (it learns soonest).
"""

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing import history as h
from trainzip.models.context_mixing.ascii import BITS_PER_BYTE as BITS
from trainzip.models.context_mixing.ascii import BYTE_VALUES as BYTES
from trainzip.models.context_mixing.ascii import CLASS_BITS, CLASSES, byte_class
from trainzip.models.context_mixing.contexts import MAX_CONTEXTS
from trainzip.models.context_mixing.hashing import mix32
from trainzip.models.context_mixing.match import MATCH_STATE, MATCH_STATES, expected_byte
from trainzip.models.context_mixing.registers import REGISTERS

(BY_PARTIAL_BYTE, BY_MATCH, BY_LAST_BYTE, BY_SEEN, BY_BYTE_BEFORE, BY_SHAPE_3, BY_CLASS_AND_PARTIAL, BY_SHAPE_4,
 BY_COLUMN, BY_EXPECTED, BY_LAST_2_HASH, BY_WORD) = range(12)
SHAPE_3 = 1 << (3 * CLASS_BITS)  # the classes of the last 3 bytes
SHAPE_4 = 1 << (4 * CLASS_BITS)  # ... of the last 4
COLUMNS = 64  # columns told apart (the last one: 63 and beyond)
LAST_2_HASHES = 2048
WORD_HASHES = 1024
MIXER_SETS = (BYTES, MATCH_STATES * BYTES, BYTES, (MAX_CONTEXTS + 1) * BITS, BYTES, SHAPE_3 * BITS, CLASSES * BYTES,
              SHAPE_4, COLUMNS * BITS, BYTES * BITS, LAST_2_HASHES * BITS, WORD_HASHES * BITS)
MAX_MIXERS = len(MIXER_SETS)
MIXER_OFFSETS = np.cumsum((0,) + MIXER_SETS[:-1]).astype(np.int64)
FINAL_SETS = (BYTES * CLASSES * CLASSES, MIXER_SETS[BY_MATCH], MIXER_SETS[BY_SHAPE_4], BYTES)
FINAL_MIXERS = len(FINAL_SETS)
FINAL_OFFSETS = np.cumsum((0,) + FINAL_SETS[:-1]).astype(np.int64)
MIX_SEL, FINAL_SEL = REGISTERS.allocate(
    ("mixer weight set", MAX_MIXERS),  # per first-layer mixer: its set for the current bit (within its own)
    ("final weight set", FINAL_MIXERS))  # per second-layer mixer: its row for the current bit (offset included)


@kernel(inline=True)
def select_weight_sets(s, state, c0, folded, bit, seen):
    """Each mixer's weight set for this bit; ``seen``: how many contexts had seen the bit's key."""
    c4 = state[s, h.C4]
    folded4 = state[s, h.FOLDED_C4]
    shape = state[s, h.SHAPE]
    state[s, MIX_SEL + BY_PARTIAL_BYTE] = folded
    state[s, MIX_SEL + BY_MATCH] = state[s, MATCH_STATE] * BYTES + c0
    state[s, MIX_SEL + BY_LAST_BYTE] = folded4 & 0xFF
    state[s, MIX_SEL + BY_SEEN] = seen * BITS + bit
    state[s, MIX_SEL + BY_BYTE_BEFORE] = (folded4 >> 8) & 0xFF
    state[s, MIX_SEL + BY_SHAPE_3] = (shape & (SHAPE_3 - 1)) * BITS + bit
    state[s, MIX_SEL + BY_CLASS_AND_PARTIAL] = byte_class(c4 & 0xFF) * BYTES + c0
    state[s, MIX_SEL + BY_SHAPE_4] = shape & (SHAPE_4 - 1)
    state[s, MIX_SEL + BY_COLUMN] = min(state[s, h.POS] - state[s, h.LINE_START], COLUMNS - 1) * BITS + bit
    state[s, MIX_SEL + BY_EXPECTED] = expected_byte(state, s) * BITS + bit
    state[s, MIX_SEL + BY_LAST_2_HASH] = (mix32(folded4 & 0xFFFF, 7) & (LAST_2_HASHES - 1)) * BITS + bit
    state[s, MIX_SEL + BY_WORD] = (state[s, h.WORD] & (WORD_HASHES - 1)) * BITS + bit
    state[s, FINAL_SEL] = c0 + BYTES * byte_class(c4 & 0xFF) + BYTES * CLASSES * byte_class((c4 >> 8) & 0xFF)
    state[s, FINAL_SEL + 1] = FINAL_OFFSETS[1] + state[s, MIX_SEL + BY_MATCH]
    state[s, FINAL_SEL + 2] = FINAL_OFFSETS[2] + state[s, MIX_SEL + BY_SHAPE_4]
    state[s, FINAL_SEL + 3] = FINAL_OFFSETS[3] + folded
