"""What the context-mixing model knows between bytes: each stream's history registers, the hash
of every context, the match model's lookup and the bytes last seen in each context.

All of it runs once per coded byte (`end_of_byte`), on integers only. A context may read only
bytes the decoder already has: the stream's own past, and other streams' bytes of earlier steps
(`is_known`).
"""

import numba

from trainzip.models.context_registers import (
    BIT, C0, C4, C8, EXPECTED, FOLLOW_C1, HASH, INDENT, LAST_BLANK, LINE_START, LINE_TOKEN, MATCH_BITS, MATCH_LEN,
    MATCH_MIN, MATCH_PTR, N_CTX, NEST, OPEN_HASH, POS, PREV_LINE_START, PUNCT, QUOTE, RUN_BITS, RUN_INPUTS, RUN_SLOT,
    SEG_LEN, SEG_START, SHAPE, SHORT_MATCH, STEP, TOKEN, WORD, WORD_PREV, WORD_PREV2, INDENT_HASH, PREV_INDENT_HASH,
    LAST_INKED, PREV_LINE_END, FOLDED_C4, byte_class, fold_case, hash_bytes, is_known, mix32,
)


@numba.njit(cache=True)
def context_hashes(state, s, params, data, followers):
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
    the last byte; order 2 with the classes of bytes 3-8. Then (32-35), indirect: the last byte
    with the byte, or the two bytes, that followed it last time; the last two bytes with the byte,
    or the two bytes, that followed them last time. Then (36-38), for code and markup: the quotes
    and brackets open, with the last byte; the line's first token with the current one and the last
    byte; the bytes since the last opening bracket or quote, with the last byte. Then (39-41), for
    prose: the current word with the last punctuation; the current word with the last two bytes; the
    last punctuation and the words since it, with the last byte. Then (42) indentation (`_indentation`).
    Then (43-47), with capitals folded (see context_registers.FOLDED_CONTEXTS): orders 1-4, and the
    distance to the last blank with the last byte.
    """
    n_ctx = params[N_CTX]
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
            mix32(state[s, FOLDED_C4], fold_case(c8) & 0xFF), mix32(word1, c4 & 0xFFFF),
            mix32(line_first, min(column, 63) << 8 | c1), mix32(word, blank), mix32(mix32(word, word1), c1),
            mix32(c4 & 0xFFFF, shape >> 6))
    for i in range(16, min(n_ctx, 32)):
        state[s, HASH + i] = mix32(more[i - 16], i + 1)
    if n_ctx <= 32:
        return
    after_c1 = followers[FOLLOW_C1 + c1]
    after_c2 = followers[c4 & 0xFFFF]
    token = state[s, TOKEN]
    punct = state[s, PUNCT]
    folded = state[s, FOLDED_C4]
    last = (c1 | (after_c1 & 0xFF) << 8, c1 | (after_c1 & 0xFFFF) << 8, (c4 & 0xFFFF) | (after_c2 & 0xFF) << 16,
            mix32(c4 & 0xFFFF, after_c2), mix32(state[s, QUOTE] * 256 + c1, state[s, NEST]),
            mix32(state[s, LINE_TOKEN], mix32(token, c1)), mix32(state[s, OPEN_HASH], c1),
            mix32(word, punct & 0xFF), mix32(word, c4 & 0xFFFF), mix32(punct, c1), _indentation(state, s, c4),
            folded & 0xFF, folded & 0xFFFF, folded & 0xFFFFFF, folded, mix32(blank_distance, folded & 0xFF))
    for i in range(32, n_ctx):
        state[s, HASH + i] = mix32(last[i - 32], i + 1)


@numba.njit(cache=True, inline="always")
def _indentation(state, s, c4):
    """While a line's leading blanks are read: the previous line's blanks and last byte (a brace or a
    colon opens a level) with the blanks so far; after them, the line's blanks with the last two bytes.
    Code indented with tabs and spaces mixed: -0.2% on fields.c."""
    if state[s, INDENT] < 256:
        return mix32(mix32(state[s, PREV_INDENT_HASH], state[s, PREV_LINE_END]), state[s, INDENT_HASH])
    return mix32(state[s, INDENT_HASH] ^ 0x55, c4 & 0xFFFF)


@numba.njit(cache=True)
def end_of_byte(state, s, byte, params, data, match_table, followers, runs):
    """Stream s has coded ``byte``: record it, advance its history, find the next match prediction
    and the contexts of the next byte."""
    pos = state[s, POS]
    data[pos] = byte
    before = state[s, C4]  # the byte follows its last byte and its last two: remember it for both
    followers[FOLLOW_C1 + (before & 0xFF)] = ((followers[FOLLOW_C1 + (before & 0xFF)] << 8) | byte) & 0xFFFFFFFF
    followers[before & 0xFFFF] = ((followers[before & 0xFFFF] << 8) | byte) & 0xFFFF
    state[s, C8] = ((state[s, C8] << 8) | (before >> 24)) & 0xFFFFFFFF
    state[s, C4] = ((before << 8) | byte) & 0xFFFFFFFF
    state[s, FOLDED_C4] = fold_case(state[s, C4])  # read by every bit's folded keys
    _advance_words(state, s, byte)
    _advance_lines(state, s, byte, before & 0xFF, pos)
    state[s, C0] = 1
    state[s, BIT] = 0
    _find_match(state, s, pos, params, data, match_table)
    state[s, POS] = pos + 1
    if params[RUN_INPUTS]:
        _learn_runs(state, s, byte, params[N_CTX], runs, params[RUN_BITS])
    context_hashes(state, s, params, data, followers)
    if params[RUN_INPUTS]:
        _fetch_runs(state, s, params[N_CTX], runs, params[RUN_BITS])


@numba.njit(cache=True, inline="always")
def _advance_words(state, s, byte):
    """Words (letters, case folded), tokens (letters, digits and underscores, case kept), and words
    since the last punctuation."""
    lower = byte | 32
    letter = 97 <= lower <= 122
    if byte == 46 or byte == 44 or byte == 59 or byte == 58 or byte == 33 or byte == 63 or byte == 34 or byte == 10:
        state[s, PUNCT] = byte
    elif not letter and state[s, WORD] != 0:  # a word ended
        state[s, PUNCT] = min(state[s, PUNCT] + 256, (state[s, PUNCT] & 0xFF) | (15 << 8))
    if letter:
        state[s, WORD] = mix32(state[s, WORD], lower)
    elif state[s, WORD] != 0:
        state[s, WORD_PREV2] = state[s, WORD_PREV]
        state[s, WORD_PREV] = state[s, WORD]
        state[s, WORD] = 0
    if letter or 48 <= byte <= 57 or byte == 95:
        if state[s, TOKEN] == 0 and state[s, LINE_TOKEN] == 0:
            state[s, LINE_TOKEN] = -1  # the line's first token is being read
        state[s, TOKEN] = mix32(state[s, TOKEN], byte)
    elif state[s, TOKEN] != 0:
        if state[s, LINE_TOKEN] == -1:
            state[s, LINE_TOKEN] = state[s, TOKEN]
        state[s, TOKEN] = 0


@numba.njit(cache=True, inline="always")
def _advance_lines(state, s, byte, previous, pos):
    """Lines, indentation, blanks, byte classes, brackets and quotes."""
    if byte == 40 or byte == 123 or byte == 91 or byte == 60 or byte == 34 or byte == 39 or byte == 10:
        state[s, OPEN_HASH] = byte
    else:
        state[s, OPEN_HASH] = mix32(state[s, OPEN_HASH], byte)
    if byte == 34 and not state[s, QUOTE] & 2:
        state[s, QUOTE] ^= 1
    elif byte == 39 and not state[s, QUOTE] & 1 and not 97 <= (previous | 32) <= 122:  # not an apostrophe
        state[s, QUOTE] ^= 2
    if byte == 10:
        state[s, PREV_INDENT_HASH] = state[s, INDENT_HASH]
        state[s, INDENT_HASH] = 0
        state[s, PREV_LINE_END] = state[s, LAST_INKED]
    elif state[s, INDENT] < 256 and (byte == 32 or byte == 9):
        state[s, INDENT_HASH] = mix32(state[s, INDENT_HASH], byte)
    if byte != 32 and byte != 9 and byte != 10 and byte != 13:
        state[s, LAST_INKED] = byte
    if byte == 10:
        state[s, LINE_TOKEN] = 0
        state[s, QUOTE] = 0
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


@numba.njit(cache=True, inline="always")
def _find_match(state, s, pos, params, data, match_table):
    """Match model: extend the current match, or look the last 6 bytes up for the latest earlier
    occurrence, then the last 4 (-0.03% on every file, more on small ones); EXPECTED is the byte
    that followed it."""
    seg_len = params[SEG_LEN]
    step = params[STEP]
    min_len = params[MATCH_MIN]
    length = state[s, MATCH_LEN]
    if length > 0:
        length += 1
        state[s, MATCH_PTR] += 1
    history = pos + 1 - state[s, SEG_START]
    key = mix32(state[s, C4], state[s, C8] & 0xFFFF) & ((1 << params[MATCH_BITS]) - 1)
    short_key = mix32(state[s, C4], 0x5BD1E995) & ((1 << params[MATCH_BITS]) - 1)
    if length == 0 and history >= min_len:
        length = _try_candidate(state, s, match_table[key], pos, data, seg_len, step, min_len)
    if length == 0 and history >= SHORT_MATCH:
        length = _try_candidate(state, s, match_table[short_key], pos, data, seg_len, step, SHORT_MATCH)
    if history >= min_len:
        match_table[key] = pos + 1
    if history >= SHORT_MATCH:
        match_table[short_key] = pos + 1
    ptr = state[s, MATCH_PTR]
    if length > 0 and ptr < data.shape[0] and is_known(ptr, -1, seg_len, step):
        state[s, EXPECTED] = data[ptr]
        state[s, MATCH_LEN] = min(length, 65535)
    else:
        state[s, MATCH_LEN] = 0


@numba.njit(cache=True, inline="always")
def _try_candidate(state, s, candidate, pos, data, seg_len, step, min_len):
    """How many bytes (up to 32) before an earlier position ``candidate`` agree with the bytes up to
    pos; 0 if fewer than min_len. A candidate is adopted as the match pointer either way."""
    if candidate <= 0:
        return 0
    length = 0
    while length < 32 and is_known(candidate - 1 - length, pos, seg_len, step) and \
            pos - length >= state[s, SEG_START] and data[candidate - 1 - length] == data[pos - length]:
        length += 1
    state[s, MATCH_PTR] = candidate
    return length if length >= min_len else 0


@numba.njit(cache=True)
def _learn_runs(state, s, byte, n_ctx, runs, run_bits):
    """Record the byte just coded in each context's run slot: [check | last byte | the byte before
    it | run length], where the run length counts the last byte's repeats in that context."""
    mask = (1 << run_bits) - 1
    for i in range(n_ctx):
        h = state[s, HASH + i]
        check = (h >> 24) & 0xFF
        slot = runs[i, h & mask]
        if (slot >> 24) != check or (slot & 0xFF) == 0:
            slot = (check << 24) | (byte << 16) | (byte << 8) | 1
        elif ((slot >> 16) & 0xFF) == byte:
            slot = slot + 1 if (slot & 0xFF) < 255 else slot
        else:
            slot = (check << 24) | (byte << 16) | (((slot >> 16) & 0xFF) << 8) | 1
        runs[i, h & mask] = slot


@numba.njit(cache=True)
def _fetch_runs(state, s, n_ctx, runs, run_bits):
    """Look up each context's run slot for the byte about to be coded (0 where it was never seen)."""
    mask = (1 << run_bits) - 1
    for i in range(n_ctx):
        h = state[s, HASH + i]
        slot = runs[i, h & mask]
        state[s, RUN_SLOT + i] = slot if (slot >> 24) == ((h >> 24) & 0xFF) else 0
