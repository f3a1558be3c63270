"""The context-mixing kernels' shared layout: per-stream registers, parameters, table sizes, and
the small integer helpers every kernel uses.

Everything here is part of the format: a change to a table size, a hash or a byte class changes
the code, so it needs a new format version (see docs/format.md).
"""

import numba
import numpy as np

from trainzip.models.logistic import SQUASH

# Columns of the per-stream register file, ``state`` (B, STATE_COLUMNS) int64.
C0, BIT, C4, C8, WORD, WORD_PREV, MATCH_PTR, MATCH_LEN, POS, SEG_START, EXPECTED = range(11)
MAX_CONTEXTS = 48
MAX_MIXERS = 12
MAX_SSE_STAGES = 5
FINAL_MIXERS = 4
DIRECT_ORDERS = 3  # orders 0, 1 and 2 also have direct (unhashed) tables at two learning rates
MIX_SEL = 11  # one weight-set selector per mixer
APM_IDX = MIX_SEL + MAX_MIXERS  # per SSE stage: the lower of the two cells it interpolates (both learn)
HASH = APM_IDX + MAX_SSE_STAGES  # one base hash per context
ADAPT_IDX = HASH + MAX_CONTEXTS  # per context: the lower of its two adaptive-map buckets (-1: none; both learn)
LINE_START = ADAPT_IDX + MAX_CONTEXTS  # where the current line began
PREV_LINE_START = LINE_START + 1  # where the line before it began (-1: none yet)
WORD_PREV2 = LINE_START + 2  # the word before WORD_PREV
BIT_HASH = LINE_START + 3  # per context: the current bit's slot hash, from predict, for update
MATCH_CELL = BIT_HASH + MAX_CONTEXTS  # the match counter used for the current bit (-1: no usable match)
SHAPE = MATCH_CELL + 1  # the classes (see byte_class) of the last 8 bytes, 3 bits each
INDENT = SHAPE + 1  # leading blanks of the current line, and 256 once its first other byte came
NEST = SHAPE + 2  # open round brackets (bits 0-3), open braces (4-7), inside an <...> tag (8)
LAST_BLANK = SHAPE + 3  # where the last space or newline was
FINAL_SEL = LAST_BLANK + 1  # per second-layer mixer: its weight set for the current bit
FINAL_OUT = FINAL_SEL + FINAL_MIXERS  # per second-layer mixer: its output (stretch)
RUN_SLOT = FINAL_OUT + FINAL_MIXERS  # per context: its run slot for the current byte (0: never seen)
RUN_CELL = RUN_SLOT + MAX_CONTEXTS  # per context: the run map cell used for the current bit (-1: none)
TOKEN = RUN_CELL + MAX_CONTEXTS  # hash of the current run of letters, digits and underscores (case kept)
OPEN_HASH = TOKEN + 1  # hash of the bytes since the last opening bracket, quote or newline
QUOTE = TOKEN + 2  # inside "..." (bit 0) or '...' (bit 1) on the current line
LINE_TOKEN = TOKEN + 3  # the first token of the current line (-1 while it is being read)
DIRECT_CELL = TOKEN + 4  # per direct order: its table cell for the current bit
PUNCT = DIRECT_CELL + DIRECT_ORDERS  # the last punctuation byte or newline, and words since it (bits 8-11)
P_MIX = PUNCT + 1  # the two mixer layers' 12-bit probability for the current bit
PRIOR_OUT = P_MIX + 1  # the prior weight set's output (stretch), see PRIOR_SHARE
INDENT_HASH = PRIOR_OUT + 1  # hash of the current line's leading blanks (so far)
PREV_INDENT_HASH = PRIOR_OUT + 2  # ... and of the previous line's
LAST_INKED = PRIOR_OUT + 3  # the last byte that was not a blank or a newline
PREV_LINE_END = PRIOR_OUT + 4  # the previous line's last such byte
FOLDED_C4 = PRIOR_OUT + 5  # C4 with capitals folded (`fold_case`), set once per byte
STATE_COLUMNS = PRIOR_OUT + 6

# Contexts whose counters see the partial byte with capitals folded (`fold_partial`): the word
# contexts (8, 9, 14, 15, 26, 27, 29, 30, 39-41, their words already fold case) and the folded orders
# (43-47). What they learn of a letter's last five bits serves it in either case ("Compression" after
# "compression"). All the folding of format 6 together, max: -0.9% on cp.html, -0.7% on fields.c,
# -0.35% on alice29, +0.04% on plrabn12.
FOLDED_CONTEXTS = sum(1 << i for i in (8, 9, 14, 15, 26, 27, 29, 30, 39, 40, 41, 43, 44, 45, 46, 47))

# Parameters, packed into one int64 array.
(N_CTX, TABLE_BITS, LIMIT, MIX_LR, MATCH_MIN, MATCH_BITS, SEG_LEN, STEP, USE_NEURAL, PROBABILITY_INPUTS, MIX_BOOST,
 MIX_DECAY, SSE_SHARE, MIXERS, SSE_STAGES, RUN_INPUTS, RUN_BITS) = range(17)
PARAMS = 17

# Weight sets of each first-layer mixer, selected by: the partial byte; match length and the partial
# byte; the last byte; how many contexts were seen and bit position; the byte before the last;
# the classes of the last three bytes and bit position; the last byte's class and the partial byte;
# the classes of the last four bytes; the column and bit position; the byte the match predicts and
# bit position; a hash of the last two bytes and bit position; the current word and bit position.
MIXER_SETS = (256, 8 * 256, 256, (MAX_CONTEXTS + 1) * 8, 256, 512 * 8, 8 * 256, 4096, 64 * 8, 256 * 8, 2048 * 8,
              1024 * 8)
MIXER_OFFSETS = np.cumsum((0,) + MIXER_SETS[:-1]).astype(np.int64)
INITIAL_WEIGHT = 1 << 11  # every input's weight in a new weight set, 1/32 (16.16 fixed point), ...
PRIOR_SHARE = 4  # ... averaged with the prior weight set's (one set, never selected, that learns every bit)
# Weight sets of each second-layer mixer, selected by: the partial byte and the last two bytes' classes;
# the first layer's selectors 1 (match length and partial byte) and 7 (classes of the last four bytes);
# the partial byte alone (it learns soonest). Their outputs are averaged in the logistic domain.
FINAL_SETS = (256 * 64, 8 * 256, 4096, 256)
FINAL_OFFSETS = np.cumsum((0,) + FINAL_SETS[:-1]).astype(np.int64)
FINAL_RATE, FINAL_BOOST, FINAL_DECAY = 6, 64, 64  # their learning rate: RATE + BOOST * DECAY / (DECAY + updates)
APM_LIMIT = 255  # an SSE cell averages over at most this many updates
APM_START = 8  # ... and starts as if it had seen 8, so its first updates do not swing it
SHORT_MATCH = 4  # a match the 6-byte lookup missed is looked up again by the last 4 bytes
FOLLOW_C1 = 65536  # followers: the bytes that followed each 2-byte context, then each 1-byte context
FOLLOWERS = FOLLOW_C1 + 256
RUN_MAP_CELLS = 18 * 4 * 2 * 2  # per context: (run length 1-16, or 17: the byte before, bit group, uncertain, bit)
# Direct tables, 16-bit probabilities: order 0 by the partial byte, order 1 by the last byte too,
# order 2 by a 16-bit hash of the last two; each at a fast and a slow rate (shifts).
DIRECT_OFFSETS = (0, 256, 256 + 65536)
DIRECT_CELLS = 256 + 2 * 65536
DIRECT_RATES = (2, 7)
# 24 interpolation buckets over the stretch domain that map each probability to itself (16-bit):
# where every adaptive map and SSE cell starts.
IDENTITY_BUCKETS = np.array([SQUASH[min(max((j * 4096) // 23 - 2048, -2047), 2047) + 2047] * 16 for j in range(24)],
                            dtype=np.int64)
RECIPROCAL = np.array([65536 * 2 // (2 * n + 3) for n in range(1024)], dtype=np.int64)  # 1/(n+1.5)


@numba.njit(cache=True, inline="always")
def mix32(a, b):
    """A 32-bit hash of two integers (multiply-xorshift)."""
    h = ((a & 0xFFFFFFFF) * 0x9E3779B1 + (b & 0xFFFFFFFF) * 0x85EBCA77 + 0x27D4EB2F) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & 0xFFFFFFFF
    return h ^ (h >> 13)


@numba.njit(cache=True, inline="always")
def squash(x, table):
    if x > 2047:
        x = 2047
    if x < -2047:
        x = -2047
    return table[x + 2047]


@numba.njit(cache=True, inline="always")
def byte_class(byte):
    """A byte's kind, 0..7: other, blank, newline, lower, upper, digit, punctuation, bracket or operator."""
    if byte == 32 or byte == 9:
        return 1
    if byte == 10 or byte == 13:
        return 2
    if 97 <= byte <= 122:
        return 3
    if 65 <= byte <= 90:
        return 4
    if 48 <= byte <= 57:
        return 5
    if byte == 46 or byte == 44 or byte == 59 or byte == 58 or byte == 33 or byte == 63 or byte == 39 or byte == 34:
        return 6
    if 33 <= byte < 127:
        return 7
    return 0


@numba.njit(cache=True, inline="always")
def fold_partial(c0, bit):
    """The partial byte c0 (``bit`` bits known, after a leading 1) with the case bit set once its
    first three bits say 010, a byte in 0x40-0x5F: 'C' then goes on as 'c' does. (The fold takes
    @[\\]^_ with it, to `{|}~: the partial byte cannot yet tell them from letters.)"""
    if bit >= 3 and ((c0 >> (bit - 3)) & 7) == 2:
        return c0 | (1 << (bit - 3))
    return c0


@numba.njit(cache=True, inline="always")
def fold_byte(byte):
    """A whole byte as `fold_partial` sees it: 0x40-0x5F moved to 0x60-0x7F."""
    return byte | 0x20 if 0x40 <= byte <= 0x5F else byte


@numba.njit(cache=True, inline="always")
def fold_case(c4):
    """Four bytes with ASCII capitals made lower case."""
    folded = 0
    for shift in range(0, 32, 8):
        byte = (c4 >> shift) & 0xFF
        if 65 <= byte <= 90:
            byte += 32
        folded |= byte << shift
    return folded


@numba.njit(cache=True)
def hash_bytes(data, first, last):
    """A hash of data[first:last]."""
    h = 0
    for q in range(first, last):
        h = mix32(h, data[q])
    return h


@numba.njit(cache=True, inline="always")
def is_known(q, own, segment_length, step):
    """Whether byte q is already known to the decoder while streams code step ``step``."""
    return q >= 0 and (q == own or (q % segment_length) < step)
