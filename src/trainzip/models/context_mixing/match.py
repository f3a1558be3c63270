"""The match model: the latest earlier occurrence of the last 6 bytes (else of the last 4), and the
bit the byte after it predicts, as sure as matches of that length have been.

``match_table`` (2**match_bits,) int64: hashed positions just after each 6- and 4-byte context;
``match_counters`` (64,) uint32 packed counters (`probability_counter`), by length bucket and
predicted bit.
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing import history as h
from trainzip.models.context_mixing import probability_counter as pc
from trainzip.models.context_mixing.hashing import mix32
from trainzip.models.context_mixing.registers import REGISTERS

(MATCH_PTR,  # where the byte the match predicts is (or the latest candidate)
 MATCH_LEN,  # how many bytes agree (0: no match)
 EXPECTED,  # the byte the match predicts
 MATCH_CELL,  # the match counter used for the current bit (-1: no usable match)
 MATCH_STATE,  # 0: no match agrees with the partial byte, else 1 + its length's eighth (up to 7)
 ) = REGISTERS.allocate(("match ptr", 1), ("match len", 1), ("expected", 1), ("match cell", 1), ("match state", 1))
SHORT_MATCH = 4  # a match the 6-byte lookup missed is looked up again by the last 4 bytes
LONGEST_CHECK = 32  # a candidate is verified over at most this many bytes
LENGTH_BUCKETS = 32  # lengths 1-15 apart, then 16 + (length - 16) / 4 up to 31
MATCH_STATES = 8


class MatchTables(NamedTuple):
    match_table: np.ndarray  # (2**match_bits,) int64
    match_counters: np.ndarray  # (2 * LENGTH_BUCKETS,) uint32


def allocate_match_tables(match_bits: int) -> MatchTables:
    return MatchTables(np.zeros(1 << match_bits, dtype=np.int64),
                       np.full(2 * LENGTH_BUCKETS, pc.FRESH, dtype=np.uint32))


@kernel(inline=True)
def expected_byte(state, s):
    """The byte a match predicts, 0 where there is no match."""
    return state[s, EXPECTED] if state[s, MATCH_LEN] > 0 else 0


@kernel(inline=True)
def predict_match(s, state, match_counters, inputs, k, c0, bit, stretch_t):
    """One input: the bit the match predicts where its byte agrees with the partial byte, else 0."""
    expected = state[s, EXPECTED]
    length = state[s, MATCH_LEN]
    if length > 0 and ((expected | 256) >> (8 - bit)) == c0:
        predicted = (expected >> (7 - bit)) & 1
        bucket = length if length < 16 else 16 + min((length - 16) >> 2, 15)
        state[s, MATCH_CELL] = bucket * 2 + predicted
        inputs[s, k] = stretch_t[pc.counter_p12(match_counters[bucket * 2 + predicted])]
        state[s, MATCH_STATE] = 1 + min(length >> 3, MATCH_STATES - 2)
    else:
        state[s, MATCH_CELL] = -1
        inputs[s, k] = 0
        state[s, MATCH_STATE] = 0
    return k + 1


@kernel(inline=True)
def learn_match(s, y, state, match_counters):
    """The counter used learns the bit; a match that predicted the other bit has ended."""
    cell = state[s, MATCH_CELL]
    if cell >= 0:
        match_counters[cell] = pc.train_counter(match_counters[cell], y, pc.MAX_COUNT)
        if (cell & 1) != y:
            state[s, MATCH_LEN] = 0


@kernel(inline=True)
def find_match(state, s, pos, step, params, data, table):
    """After byte ``pos``: extend the current match, or look the last 6 bytes up for the latest
    earlier occurrence, then the last 4 (-0.03% on every file, more on small ones)."""
    length = state[s, MATCH_LEN]
    if length > 0:
        length += 1
        state[s, MATCH_PTR] += 1
    history = pos + 1 - state[s, h.SEG_START]
    mask = (1 << params.match_bits) - 1
    key = mix32(state[s, h.C4], state[s, h.C8] & 0xFFFF) & mask
    short_key = mix32(state[s, h.C4], 0x5BD1E995) & mask
    if length == 0 and history >= params.match_min:
        length = _try_candidate(state, s, table[key], pos, data, params.segment_length, step, params.match_min)
    if length == 0 and history >= SHORT_MATCH:
        length = _try_candidate(state, s, table[short_key], pos, data, params.segment_length, step, SHORT_MATCH)
    if history >= params.match_min:
        table[key] = pos + 1
    if history >= SHORT_MATCH:
        table[short_key] = pos + 1
    ptr = state[s, MATCH_PTR]
    if length > 0 and ptr < data.shape[0] and h.is_known(ptr, -1, params.segment_length, step):
        state[s, EXPECTED] = data[ptr]
        state[s, MATCH_LEN] = min(length, 65535)
    else:
        state[s, MATCH_LEN] = 0


@kernel(inline=True)
def _try_candidate(state, s, candidate, pos, data, segment_length, step, min_len):
    """How many bytes (up to LONGEST_CHECK) before an earlier position ``candidate`` agree with the
    bytes up to pos; 0 if fewer than min_len. A candidate is adopted as the match pointer either way."""
    if candidate <= 0:
        return 0
    length = 0
    while length < LONGEST_CHECK and h.is_known(candidate - 1 - length, pos, segment_length, step) and \
            pos - length >= state[s, h.SEG_START] and data[candidate - 1 - length] == data[pos - length]:
        length += 1
    state[s, MATCH_PTR] = candidate
    return length if length >= min_len else 0
