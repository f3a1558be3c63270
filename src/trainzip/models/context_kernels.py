"""Numba kernels of the count-based context-mixing model, and the byte codec's coding loop.

All arithmetic is on integers, so encoder and decoder compute identical predictions on any CPU.
The model follows lpaq1 and paq8 in spirit: hashed order-n, word, sparse, column, byte-class
and bracket contexts with adaptive counters, a match model, gated linear mixers in the logistic
domain, and adaptive probability maps (SSE). The B streams share every table (they learn from
each other) but keep their own history. `code_byte_steps` predicts, codes and learns every bit of
a run of byte-steps in one call, so no Python runs between bits.

Shapes: ``state`` (B, F) int64 per-stream registers (columns below); ``counters`` (C, 2**table_bits)
uint32 packed [16-bit probability | 8-bit count | last bit seen | 7-bit hash check], count 0
meaning empty (so the tables start as zeros, which the OS hands out lazily); ``adapt``
(C * 16 * 2 * 24) int32 maps each counter's (context, count, last bit, probability) to what such
counters really predicted; ``weights`` (mixer sets, inputs + 1) int64, 16.16 fixed point, the last
column counting each set's updates; ``apm`` (SSE stages, 65536 * 24) int32 packed [16-bit
probability | 10-bit update count]; ``data`` (n,) uint8 the block being coded.
"""

import numba
import numpy as np

from trainzip.coding.bit_channel import code_bit

# Columns of the per-stream register file.
C0, BIT, C4, C8, WORD, WORD_PREV, MATCH_PTR, MATCH_LEN, POS, SEG_START, EXPECTED = range(11)
MAX_CONTEXTS = 32
MAX_MIXERS = 10
MAX_SSE_STAGES = 5
MIX_SEL = 11  # one weight-set selector per mixer
APM_IDX = MIX_SEL + MAX_MIXERS  # one slot per SSE stage
P_MIX = APM_IDX + MAX_SSE_STAGES  # final mixer's 12-bit probability
HASH = P_MIX + 1  # one base hash per context
ADAPT_IDX = HASH + MAX_CONTEXTS  # per context: the adaptive-map slot used for the current bit (-1: none)
LINE_START = ADAPT_IDX + MAX_CONTEXTS  # where the current line began
PREV_LINE_START = LINE_START + 1  # where the line before it began (-1: none yet)
WORD_PREV2 = LINE_START + 2  # the word before WORD_PREV
BIT_HASH = LINE_START + 3  # per context: the current bit's slot hash, from predict, for update
MATCH_CELL = BIT_HASH + MAX_CONTEXTS  # the match counter used for the current bit (-1: no usable match)
SHAPE = MATCH_CELL + 1  # the classes (see byte_class) of the last 8 bytes, 3 bits each
INDENT = SHAPE + 1  # leading blanks of the current line, and 256 once its first other byte came
NEST = SHAPE + 2  # open round brackets (bits 0-3), open braces (4-7), inside an <...> tag (8)
LAST_BLANK = SHAPE + 3  # where the last space or newline was
STATE_COLUMNS = LAST_BLANK + 1

# Parameters, packed into one int64 array.
(N_CTX, TABLE_BITS, LIMIT, MIX_LR, MATCH_MIN, MATCH_BITS, SEG_LEN, STEP, USE_NEURAL, PROBABILITY_INPUTS, MIX_BOOST,
 MIX_DECAY, SSE_SHARE, MIXERS, SSE_STAGES) = range(15)
PARAMS = 15

# Weight sets of each first-layer mixer, selected by: the partial byte; match length and bit
# position; the last byte; how many contexts were seen and bit position; the byte before the last;
# the classes of the last three bytes and bit position; the last byte's class and the partial byte;
# the classes of the last four bytes; the column and bit position; the byte the match predicts and
# bit position.
MIXER_SETS = (256, 64, 256, (MAX_CONTEXTS + 1) * 8, 256, 512 * 8, 8 * 256, 4096, 64 * 8, 256 * 8)
MIXER_OFFSETS = np.cumsum((0,) + MIXER_SETS[:-1]).astype(np.int64)
FINAL_SETS = 256  # the second-layer mixer's weight sets, selected by the partial byte
APM_LIMIT = 255  # an SSE cell averages over at most this many updates
APM_START = 8  # ... and starts as if it had seen 8, so its first updates do not swing it
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


@numba.njit(cache=True)
def context_hashes(state, s, n_ctx, data):
    """Recompute stream s's base hash of each context after a byte boundary.

    Contexts, in order: orders 0-6 and 8; the current word with the last byte; the last two
    words; two sparse contexts (bytes 2-3, bytes 3-4); the column with the byte above it; the
    byte above with the last byte; the current word with the word two back; the last three words.
    Then (16-31): the classes of the last 6 bytes with the last byte; the classes of the last 4 with
    the last two bytes; the line's indentation and first byte with the last byte; bracket nesting with
    the last two bytes; orders 12 and 20; two sparse contexts (bytes 1 and 3, bytes 2 and 4); the
    distance to the last blank with the last two bytes; the byte above with the last two bytes;
    order 5 with capitals folded; the last word with the last two bytes; the line's first byte, the
    column and the last byte; the current word with the blank before it; the last two words with
    the last byte; order 2 with the classes of bytes 3-8.
    """
    c4 = state[s, C4]
    c8 = state[s, C8]
    word, word1, word2 = state[s, WORD], state[s, WORD_PREV], state[s, WORD_PREV2]
    column = state[s, POS] - state[s, LINE_START]
    above = 0
    previous_line = state[s, PREV_LINE_START]
    if previous_line >= 0 and previous_line + column < state[s, LINE_START]:
        above = data[previous_line + column]
    bases = (0, c4 & 0xFF, c4 & 0xFFFF, c4 & 0xFFFFFF, c4, mix32(c4, c8 & 0xFF), mix32(c4, c8 & 0xFFFF),
             mix32(c4, c8), mix32(word, c4 & 0xFF), mix32(word, word1), (c4 >> 8) & 0xFFFF, c4 & 0xFFFF0000,
             (above << 8) | min(column, 255), (above << 8) | (c4 & 0xFF), mix32(word, word2),
             mix32(mix32(word, word1), word2))
    for i in range(min(n_ctx, 16)):
        state[s, HASH + i] = mix32(bases[i], i + 1)
    if n_ctx <= 16:
        return
    shape = state[s, SHAPE]
    c1 = c4 & 0xFF
    pos = state[s, POS]
    start = state[s, SEG_START]
    blank_distance = min(pos - state[s, LAST_BLANK], 15)
    line_first = data[state[s, LINE_START]] if state[s, LINE_START] < pos else 0
    blank = data[state[s, LAST_BLANK]] if state[s, LAST_BLANK] >= start else 0
    more = (mix32(shape & 0x3FFFF, c1), mix32(shape & 0xFFF, c4 & 0xFFFF),
            mix32(state[s, INDENT], c1 | (line_first << 8)), mix32(state[s, NEST], c4 & 0xFFFF),
            hash_bytes(data, max(start, pos - 12), pos), hash_bytes(data, max(start, pos - 20), pos),
            c4 & 0xFF00FF, c4 & 0xFF00FF00, mix32(blank_distance, c4 & 0xFFFF), mix32(above, c4 & 0xFFFF),
            mix32(fold_case(c4), fold_case(c8) & 0xFF), mix32(word1, c4 & 0xFFFF),
            mix32(line_first, min(column, 63) << 8 | c1), mix32(word, blank), mix32(mix32(word, word1), c1),
            mix32(c4 & 0xFFFF, shape >> 6))
    for i in range(16, n_ctx):
        state[s, HASH + i] = mix32(more[i - 16], i + 1)


@numba.njit(cache=True)
def predict(s, state, params, tables, nn_cum, inputs, mixer_out, squash_t, stretch_t):
    """Stream s's probability that its next bit is 1, out of 65536."""
    counters, adapt, weights, final_weights, match_counters, apm, match_table = tables
    n_ctx = params[N_CTX]
    mask = (1 << params[TABLE_BITS]) - 1
    n_in = inputs.shape[1]
    c0 = state[s, C0]
    bit = state[s, BIT]
    seen = 0
    probability_inputs = params[PROBABILITY_INPUTS]
    k = n_ctx
    for i in range(n_ctx):
        h = mix32(state[s, HASH + i], c0)
        state[s, BIT_HASH + i] = h
        slot = counters[i, h & mask]
        st = 0
        count = 0
        probability = 0
        state[s, ADAPT_IDX + i] = -1
        if (slot & 0x7F) == (h >> 25) and (slot & 0xFF00):
            # what a counter in this state has really predicted so far, learned per order and count
            count = (slot >> 8) & 0xFF
            position = (stretch_t[slot >> 20] + 2048) * 23
            weight = position & 0xFFF
            base = (((i * 16 + min(count, 15)) * 2 + ((slot >> 7) & 1)) * 24) + (position >> 12)
            state[s, ADAPT_IDX + i] = base + (weight >> 11)
            p12 = (adapt[base] * (4096 - weight) + adapt[base + 1] * weight) >> 16
            st = stretch_t[min(max(p12, 1), 4095)]
            probability = (p12 - 2048) >> 3
            seen += 1
        inputs[s, i] = st
        if probability_inputs:  # the same evidence in the probability domain: the mixer can then bend it
            inputs[s, k] = probability
            k += 1
    # match model: the bit the longest earlier match predicts, and how much to trust it
    expected = state[s, EXPECTED]
    length = state[s, MATCH_LEN]
    if length > 0 and ((expected | 256) >> (8 - bit)) == c0:
        predicted = (expected >> (7 - bit)) & 1
        bucket = length if length < 16 else 16 + min((length - 16) >> 2, 15)
        state[s, MATCH_CELL] = bucket * 2 + predicted
        inputs[s, k] = stretch_t[match_counters[bucket * 2 + predicted] >> 20]
        state[s, MIX_SEL + 1] = (1 + min(length >> 3, 6)) * 8 + bit
    else:
        state[s, MATCH_CELL] = -1
        inputs[s, k] = 0
        state[s, MIX_SEL + 1] = bit
    k += 1
    if params[USE_NEURAL]:
        low = (c0 - (1 << bit)) << (8 - bit)
        size = 1 << (8 - bit)
        mid = low + (size >> 1)
        ones = nn_cum[s, low + size] - nn_cum[s, mid]
        total = nn_cum[s, low + size] - nn_cum[s, low]
        p12 = (ones * 4096) // total
        inputs[s, k] = stretch_t[min(max(p12, 1), 4095)]
        k += 1
    inputs[s, k] = 256  # bias
    state[s, MIX_SEL] = c0
    state[s, MIX_SEL + 2] = state[s, C4] & 0xFF
    state[s, MIX_SEL + 3] = seen * 8 + bit
    state[s, MIX_SEL + 4] = (state[s, C4] >> 8) & 0xFF
    state[s, MIX_SEL + 5] = (state[s, SHAPE] & 0x1FF) * 8 + bit
    state[s, MIX_SEL + 6] = byte_class(state[s, C4] & 0xFF) * 256 + c0
    state[s, MIX_SEL + 7] = state[s, SHAPE] & 0xFFF
    state[s, MIX_SEL + 8] = min(state[s, POS] - state[s, LINE_START], 63) * 8 + bit
    state[s, MIX_SEL + 9] = (state[s, EXPECTED] if length > 0 else 0) * 8 + bit
    # layer 1: gated linear mixers, each with weights selected by its own context; layer 2: a mixer of
    # their outputs, with weights selected by the partial byte
    final = 0
    for m in range(params[MIXERS]):
        row = MIXER_OFFSETS[m] + state[s, MIX_SEL + m]
        dot = 0
        for j in range(n_in):
            dot += inputs[s, j] * weights[row, j]
        dot >>= 16
        dot = min(max(dot, -2047), 2047)
        mixer_out[s, m] = dot
        final += dot * final_weights[c0, m]
    final >>= 16
    p_mix = squash(final, squash_t)
    state[s, P_MIX] = p_mix
    # SSE: refine by order-1, order-2 and order-3 contexts, by the match state and by the last bytes'
    # classes, interpolating between buckets
    st = (stretch_t[p_mix] + 2048) * 23
    weight = st & 0xFFF
    c4 = state[s, C4]
    match_state = state[s, MIX_SEL + 1] >> 3  # 0: no usable match, else 1 + the match length's bucket
    if match_state:
        match_state = match_state * 2 + ((expected >> (7 - bit)) & 1)
    contexts = (c0 | ((c4 & 0xFF) << 8), mix32(c4 & 0xFFFF, c0) & 0xFFFF, mix32(c4 & 0xFFFFFF, c0) & 0xFFFF,
                (match_state << 8) | c0, ((state[s, SHAPE] & 0xFF) << 8) | c0)
    stages = params[SSE_STAGES]
    refined = 0
    for a in range(stages):
        base = contexts[a] * 24 + (st >> 12)
        state[s, APM_IDX + a] = base + (weight >> 11)
        refined += ((apm[a, base] >> 10) * (4096 - weight) + (apm[a, base + 1] >> 10) * weight) >> 12
    share = params[SSE_SHARE]  # of 8: how much of the output the SSE stages decide
    p16 = (p_mix * 16 * (8 - share) + (refined // stages) * share) >> 3
    return min(max(p16, 1), 65535)


@numba.njit(cache=True, inline="always")
def _toward(p, target, updates):
    """Move p toward target by 1/(updates + 1.5): the learning step of counters and SSE cells alike."""
    return p + (((target - p) * RECIPROCAL[updates]) >> 16)


@numba.njit(cache=True, inline="always")
def _train_counter(slot, bit, limit):
    """Move a [p16 | count | check] counter toward the bit by 1/(count + 1.5), then count the event."""
    count = (slot >> 8) & 0xFF
    p16 = slot >> 16
    p16 = _toward(p16, bit << 16, count)
    p16 = min(max(p16, 1), 65535)
    if count < limit:
        count += 1
    return (p16 << 16) | (count << 8) | (bit << 7) | (slot & 0x7F)


@numba.njit(cache=True)
def update(s, y, state, params, tables, inputs, mixer_out, squash_t, data):
    """Learn from stream s's coded bit y (after `predict` for it); at a byte's end, advance its contexts."""
    counters, adapt, weights, final_weights, match_counters, apm, match_table = tables
    n_ctx = params[N_CTX]
    mask = (1 << params[TABLE_BITS]) - 1
    limit = params[LIMIT]
    n_in = inputs.shape[1]
    c0 = state[s, C0]
    for i in range(n_ctx):
        h = state[s, BIT_HASH + i]
        index = h & mask
        slot = counters[i, index]
        if (slot & 0x7F) != (h >> 25) or (slot & 0xFF00) == 0:  # empty, or another context's: start afresh
            slot = (32768 << 16) | (h >> 25)
        # orders 0-2 see so many events that averaging over the most of them pays
        counters[i, index] = _train_counter(slot, y, 255 if i < 3 else limit)
        cell = state[s, ADAPT_IDX + i]
        if cell >= 0:
            adapt[cell] += ((y << 16) - adapt[cell]) >> 8
    bit = state[s, BIT]
    cell = state[s, MATCH_CELL]
    if cell >= 0:
        match_counters[cell] = _train_counter(match_counters[cell], y, 255)
        if (cell & 1) != y:  # the match predicted the other bit: it has ended
            state[s, MATCH_LEN] = 0
    # mixers: online gradient step on coding cost (log loss)
    p_mix = state[s, P_MIX]
    err_final = (y << 12) - p_mix
    for m in range(params[MIXERS]):
        row = MIXER_OFFSETS[m] + state[s, MIX_SEL + m]
        # a weight set learns fast while it is new, then settles: rate + boost * D / (D + times it learned)
        uses = weights[row, n_in]
        weights[row, n_in] = uses + 1
        rate = params[MIX_LR] + (params[MIX_BOOST] * params[MIX_DECAY]) // (params[MIX_DECAY] + uses)
        err = ((y << 12) - squash(mixer_out[s, m], squash_t)) * rate
        for j in range(n_in):
            weights[row, j] += (inputs[s, j] * err) >> 16
        final_weights[c0, m] += (mixer_out[s, m] * err_final * 6) >> 16
    target = (y << 16) + (y << 6) - y - y
    for a in range(params[SSE_STAGES]):
        index = state[s, APM_IDX + a]
        cell = apm[a, index]
        updates = cell & 1023
        apm[a, index] = (_toward(cell >> 10, target, updates) << 10) | min(updates + 1, APM_LIMIT)
    c0 = (c0 << 1) | y
    if bit == 7:
        _end_of_byte(state, s, c0 & 0xFF, params, data, match_table)
    else:
        state[s, C0] = c0
        state[s, BIT] = bit + 1


@numba.njit(cache=True)
def code_byte_steps(first, last, active_per_step, writes, coder, buffer, state, params, tables, nn_cum, inputs,
                    mixer_out, squash_t, stretch_t, data, position_bits, bit_costs):
    """Code byte-steps first..last-1: every bit of every active stream, predict, code, learn.

    The one loop of both directions: ``code_bit`` writes the data's bit (encoder) or reads it
    (decoder, which fills ``data`` in as bytes complete); all else is the same. Returns the ideal
    bits of the run (also added, per byte, to ``position_bits``).
    """
    total = 0.0
    for step in range(first, last):
        params[STEP] = step
        active = active_per_step[step]
        for bit in range(8):
            for s in range(active):
                p1 = predict(s, state, params, tables, nn_cum, inputs, mixer_out, squash_t, stretch_t)
                position = state[s, POS]
                y = code_bit(coder, buffer, writes, p1, (data[position] >> (7 - bit)) & 1)
                cost = bit_costs[p1 if y else 65536 - p1]
                position_bits[position] += cost
                total += cost
                update(s, y, state, params, tables, inputs, mixer_out, squash_t, data)
    return total


@numba.njit(cache=True)
def _end_of_byte(state, s, byte, params, data, match_table):
    """Shift the byte into stream s's history and find the next match prediction."""
    pos = state[s, POS]
    data[pos] = byte
    state[s, C8] = ((state[s, C8] << 8) | (state[s, C4] >> 24)) & 0xFFFFFFFF
    state[s, C4] = ((state[s, C4] << 8) | byte) & 0xFFFFFFFF
    lower = byte | 32
    if 97 <= lower <= 122:
        state[s, WORD] = mix32(state[s, WORD], lower)
    elif state[s, WORD] != 0:
        state[s, WORD_PREV2] = state[s, WORD_PREV]
        state[s, WORD_PREV] = state[s, WORD]
        state[s, WORD] = 0
    if byte == 10:
        state[s, PREV_LINE_START] = state[s, LINE_START]
        state[s, LINE_START] = pos + 1
        state[s, INDENT] = 0
    elif state[s, INDENT] < 256:
        state[s, INDENT] = state[s, INDENT] + 1 if byte == 32 or byte == 9 else 256 | min(state[s, INDENT], 255)
    if byte == 32 or byte == 10:
        state[s, LAST_BLANK] = pos
    state[s, SHAPE] = ((state[s, SHAPE] << 3) | byte_class(byte)) & 0xFFFFFF
    nest = state[s, NEST]
    if byte == 40 and (nest & 15) < 15:
        nest += 1
    elif byte == 41 and (nest & 15) > 0:
        nest -= 1
    elif byte == 123 and (nest & 0xF0) < 0xF0:
        nest += 16
    elif byte == 125 and (nest & 0xF0) > 0:
        nest -= 16
    elif byte == 60:
        nest |= 256
    elif byte == 62:
        nest &= 255
    state[s, NEST] = nest
    state[s, C0] = 1
    state[s, BIT] = 0
    seg_len = params[SEG_LEN]
    step = params[STEP]
    min_len = params[MATCH_MIN]
    # match model: extend the current match, or look the context up
    length = state[s, MATCH_LEN]
    if length > 0:
        length += 1
        state[s, MATCH_PTR] += 1
    history = pos + 1 - state[s, SEG_START]
    key = mix32(state[s, C4], state[s, C8] & 0xFFFF) & ((1 << params[MATCH_BITS]) - 1)
    if length == 0 and history >= min_len:
        candidate = match_table[key]
        if candidate > 0:
            length = 0
            while length < 32 and is_known(candidate - 1 - length, pos, seg_len, step) and \
                    pos - length >= state[s, SEG_START] and \
                    data[candidate - 1 - length] == data[pos - length]:
                length += 1
            if length < min_len:
                length = 0
            state[s, MATCH_PTR] = candidate
    if history >= min_len:
        match_table[key] = pos + 1
    ptr = state[s, MATCH_PTR]
    if length > 0 and ptr < data.shape[0] and is_known(ptr, -1, seg_len, step):
        state[s, EXPECTED] = data[ptr]
        state[s, MATCH_LEN] = min(length, 65535)
    else:
        state[s, MATCH_LEN] = 0
    state[s, POS] = pos + 1
    context_hashes(state, s, params[N_CTX], data)
