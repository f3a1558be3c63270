"""Each context's hash, recomputed once per byte from the stream's history (`history`).

The numbers (`contexts`) salt the hashes and say which contexts a level uses: the first n. The
indirect contexts read `followers`, the bytes that followed each one- and two-byte context lately.
A context may read only bytes the decoder already has: the stream's own past.
"""

from typing import NamedTuple

import numpy as np

from trainzip.jit import kernel
from trainzip.models.context_mixing import contexts as c
from trainzip.models.context_mixing import history as h
from trainzip.models.context_mixing.ascii import fold_case
from trainzip.models.context_mixing.hashing import MASK32, hash_bytes, mix32
from trainzip.models.context_mixing.registers import REGISTERS

(HASH,) = REGISTERS.allocate(("context hash", c.MAX_CONTEXTS))  # per context, for the byte about to be coded
FOLLOW_C1 = 1 << 16  # followers: the bytes that followed each 2-byte context, then each 1-byte context
FOLLOWERS = FOLLOW_C1 + 256
GROUP_1, GROUP_2 = 16, 32  # contexts 0-15 and 16-31 are computed apart, so a level with few pays for few


class ContextTables(NamedTuple):
    followers: np.ndarray  # (FOLLOWERS,) int64: the last bytes that followed each 2-byte, then 1-byte context


def allocate_context_tables() -> ContextTables:
    return ContextTables(np.zeros(FOLLOWERS, dtype=np.int64))


@kernel(inline=True)
def learn_followers(followers, before, byte):
    """``byte`` followed the last byte of ``before`` and its last two: remember it for both."""
    followers[FOLLOW_C1 + (before & 0xFF)] = ((followers[FOLLOW_C1 + (before & 0xFF)] << 8) | byte) & MASK32
    followers[before & 0xFFFF] = ((followers[before & 0xFFFF] << 8) | byte) & 0xFFFF


@kernel
def context_hashes(state, s, params, data, followers):
    """Recompute stream s's base hash of each of the first ``params.contexts`` contexts."""
    n = params.contexts
    _orders_words_columns(state, s, n, data)
    if n > GROUP_1:
        _shapes_lines_words(state, s, n, data)
    if n > GROUP_2:
        _indirect_code_prose_folded(state, s, n, data, followers)


@kernel(inline=True)
def _put(state, s, n, context, value):
    if context < n:
        state[s, HASH + context] = mix32(value, context + 1)


@kernel(inline=True)
def _column_and_above(state, s, data):
    """The column, and the byte above it in the previous line (0 where that line is shorter)."""
    column = state[s, h.POS] - state[s, h.LINE_START]
    above = 0
    previous_line = state[s, h.PREV_LINE_START]
    if previous_line >= 0 and previous_line + column < state[s, h.LINE_START]:
        above = data[previous_line + column]
    return column, above


@kernel(inline=True)
def _orders_words_columns(state, s, n, data):
    """Contexts 0-15."""
    c4, c8 = state[s, h.C4], state[s, h.C8]
    word, word1, word2 = state[s, h.WORD], state[s, h.WORD_PREV], state[s, h.WORD_PREV2]
    column, above = _column_and_above(state, s, data)
    _put(state, s, n, c.ORDER_0, 0)
    _put(state, s, n, c.ORDER_1, c4 & 0xFF)
    _put(state, s, n, c.ORDER_2, c4 & 0xFFFF)
    _put(state, s, n, c.ORDER_3, c4 & 0xFFFFFF)
    _put(state, s, n, c.ORDER_4, c4)
    _put(state, s, n, c.ORDER_5, mix32(c4, c8 & 0xFF))
    _put(state, s, n, c.ORDER_6, mix32(c4, c8 & 0xFFFF))
    _put(state, s, n, c.ORDER_8, mix32(c4, c8))
    _put(state, s, n, c.WORD_AND_LAST_BYTE, mix32(word, c4 & 0xFF))
    _put(state, s, n, c.LAST_TWO_WORDS, mix32(word, word1))
    _put(state, s, n, c.SPARSE_BYTES_2_3, (c4 >> 8) & 0xFFFF)
    _put(state, s, n, c.SPARSE_BYTES_3_4, c4 & 0xFFFF0000)
    _put(state, s, n, c.COLUMN_AND_ABOVE, (above << 8) | min(column, 255))
    _put(state, s, n, c.ABOVE_AND_LAST_BYTE, (above << 8) | (c4 & 0xFF))
    _put(state, s, n, c.WORD_AND_WORD_TWO_BACK, mix32(word, word2))
    _put(state, s, n, c.LAST_THREE_WORDS, mix32(mix32(word, word1), word2))


@kernel(inline=True)
def _shapes_lines_words(state, s, n, data):
    """Contexts 16-31."""
    c4, c8 = state[s, h.C4], state[s, h.C8]
    c1 = c4 & 0xFF
    word, word1 = state[s, h.WORD], state[s, h.WORD_PREV]
    shape, pos, start = state[s, h.SHAPE], state[s, h.POS], state[s, h.SEG_START]
    column, above = _column_and_above(state, s, data)
    blank_distance = min(pos - state[s, h.LAST_BLANK], 15)
    line_first = data[state[s, h.LINE_START]] if state[s, h.LINE_START] < pos else 0
    blank = data[state[s, h.LAST_BLANK]] if state[s, h.LAST_BLANK] >= start else 0
    _put(state, s, n, c.SHAPE_6_AND_LAST_BYTE, mix32(shape & 0x3FFFF, c1))
    _put(state, s, n, c.SHAPE_4_AND_LAST_2, mix32(shape & 0xFFF, c4 & 0xFFFF))
    _put(state, s, n, c.INDENT_FIRST_AND_LAST, mix32(state[s, h.INDENT], c1 | (line_first << 8)))
    _put(state, s, n, c.NESTING_AND_LAST_2, mix32(state[s, h.NEST], c4 & 0xFFFF))
    _put(state, s, n, c.ORDER_12, hash_bytes(data, max(start, pos - 12), pos))
    _put(state, s, n, c.ORDER_20, hash_bytes(data, max(start, pos - 20), pos))
    _put(state, s, n, c.SPARSE_BYTES_1_3, c4 & 0xFF00FF)
    _put(state, s, n, c.SPARSE_BYTES_2_4, c4 & 0xFF00FF00)
    _put(state, s, n, c.BLANK_DISTANCE_AND_LAST_2, mix32(blank_distance, c4 & 0xFFFF))
    _put(state, s, n, c.ABOVE_AND_LAST_2, mix32(above, c4 & 0xFFFF))
    _put(state, s, n, c.FOLDED_ORDER_5, mix32(state[s, h.FOLDED_C4], fold_case(c8) & 0xFF))
    _put(state, s, n, c.LAST_WORD_AND_LAST_2, mix32(word1, c4 & 0xFFFF))
    _put(state, s, n, c.LINE_FIRST_COLUMN_LAST, mix32(line_first, (min(column, 63) << 8) | c1))
    _put(state, s, n, c.WORD_AND_BLANK_BEFORE, mix32(word, blank))
    _put(state, s, n, c.TWO_WORDS_AND_LAST_BYTE, mix32(mix32(word, word1), c1))
    _put(state, s, n, c.ORDER_2_AND_SHAPE_3_8, mix32(c4 & 0xFFFF, shape >> 6))


@kernel(inline=True)
def _indirect_code_prose_folded(state, s, n, data, followers):
    """Contexts 32 on; a new context is added at the end of this list."""
    c4 = state[s, h.C4]
    c1 = c4 & 0xFF
    word, punct, folded = state[s, h.WORD], state[s, h.PUNCT], state[s, h.FOLDED_C4]
    after_c1, after_c2 = followers[FOLLOW_C1 + c1], followers[c4 & 0xFFFF]
    blank_distance = min(state[s, h.POS] - state[s, h.LAST_BLANK], 15)
    _put(state, s, n, c.AFTER_LAST_BYTE_1, c1 | ((after_c1 & 0xFF) << 8))
    _put(state, s, n, c.AFTER_LAST_BYTE_2, c1 | ((after_c1 & 0xFFFF) << 8))
    _put(state, s, n, c.AFTER_LAST_2_1, (c4 & 0xFFFF) | ((after_c2 & 0xFF) << 16))
    _put(state, s, n, c.AFTER_LAST_2_2, mix32(c4 & 0xFFFF, after_c2))
    _put(state, s, n, c.QUOTES_AND_BRACKETS, mix32(state[s, h.QUOTE] * 256 + c1, state[s, h.NEST]))
    _put(state, s, n, c.LINE_TOKEN_AND_TOKEN, mix32(state[s, h.LINE_TOKEN], mix32(state[s, h.TOKEN], c1)))
    _put(state, s, n, c.SINCE_OPENING, mix32(state[s, h.OPEN_HASH], c1))
    _put(state, s, n, c.WORD_AND_PUNCTUATION, mix32(word, punct & 0xFF))
    _put(state, s, n, c.WORD_AND_LAST_2, mix32(word, c4 & 0xFFFF))
    _put(state, s, n, c.PUNCTUATION_AND_WORDS, mix32(punct, c1))
    _put(state, s, n, c.INDENTATION, _indentation(state, s, c4))
    _put(state, s, n, c.FOLDED_ORDER_1, folded & 0xFF)
    _put(state, s, n, c.FOLDED_ORDER_2, folded & 0xFFFF)
    _put(state, s, n, c.FOLDED_ORDER_3, folded & 0xFFFFFF)
    _put(state, s, n, c.FOLDED_ORDER_4, folded)
    _put(state, s, n, c.FOLDED_BLANK_DISTANCE, mix32(blank_distance, folded & 0xFF))


@kernel(inline=True)
def _indentation(state, s, c4):
    """While a line's leading blanks are read: the previous line's blanks and last byte (a brace or a
    colon opens a level) with the blanks so far; after them, the line's blanks with the last two bytes.
    Code indented with tabs and spaces mixed: -0.2% on fields.c."""
    if state[s, h.INDENT] < h.INDENTED:
        return mix32(mix32(state[s, h.PREV_INDENT_HASH], state[s, h.PREV_LINE_END]), state[s, h.INDENT_HASH])
    return mix32(state[s, h.INDENT_HASH] ^ 0x55, c4 & 0xFFFF)
