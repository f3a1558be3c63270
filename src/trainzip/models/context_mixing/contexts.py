"""The contexts of the count model, by name: each one's number salts its hash and orders its inputs.

A level uses the first `contexts` of them (`ContextMixingConfig.contexts`), so a context keeps its
number forever and a new one is added at the end: one line here, one in `context_hashes`. A
*folded* context keys its counters by the partial byte with capitals folded (`ascii.fold_partial`)
and compares its run slots' bytes folded, so what it learned of "compression" codes "Compression".
"""

from __future__ import annotations


class ContextNumbering:
    """Numbers contexts in the order they are added; remembers which are folded."""

    def __init__(self):
        self.names: list[str] = []
        self.folded_mask = 0

    def add(self, name: str, *, folded: bool = False) -> int:
        number = len(self.names)
        self.names.append(name)
        self.folded_mask |= int(folded) << number
        return number


CONTEXTS = ContextNumbering()
_add = CONTEXTS.add
# 0-15
ORDER_0 = _add("order 0")
ORDER_1 = _add("order 1")
ORDER_2 = _add("order 2")
ORDER_3 = _add("order 3")
ORDER_4 = _add("order 4")
ORDER_5 = _add("order 5")
ORDER_6 = _add("order 6")
ORDER_8 = _add("order 8")
WORD_AND_LAST_BYTE = _add("the current word with the last byte", folded=True)
LAST_TWO_WORDS = _add("the current word with the one before", folded=True)
SPARSE_BYTES_2_3 = _add("bytes 2 and 3 back")
SPARSE_BYTES_3_4 = _add("bytes 3 and 4 back")
COLUMN_AND_ABOVE = _add("the column with the byte above it")
ABOVE_AND_LAST_BYTE = _add("the byte above with the last byte")
WORD_AND_WORD_TWO_BACK = _add("the current word with the word two back", folded=True)
LAST_THREE_WORDS = _add("the last three words", folded=True)
# 16-31
SHAPE_6_AND_LAST_BYTE = _add("the classes of the last 6 bytes with the last byte")
SHAPE_4_AND_LAST_2 = _add("the classes of the last 4 bytes with the last two bytes")
INDENT_FIRST_AND_LAST = _add("the line's indentation and first byte with the last byte")
NESTING_AND_LAST_2 = _add("bracket nesting with the last two bytes")
ORDER_12 = _add("order 12")
ORDER_20 = _add("order 20")
SPARSE_BYTES_1_3 = _add("bytes 1 and 3 back")
SPARSE_BYTES_2_4 = _add("bytes 2 and 4 back")
BLANK_DISTANCE_AND_LAST_2 = _add("the distance to the last blank with the last two bytes")
ABOVE_AND_LAST_2 = _add("the byte above with the last two bytes")
FOLDED_ORDER_5 = _add("order 5 with capitals folded", folded=True)
LAST_WORD_AND_LAST_2 = _add("the last word with the last two bytes", folded=True)
LINE_FIRST_COLUMN_LAST = _add("the line's first byte, the column and the last byte")
WORD_AND_BLANK_BEFORE = _add("the current word with the blank before it", folded=True)
TWO_WORDS_AND_LAST_BYTE = _add("the last two words with the last byte", folded=True)
ORDER_2_AND_SHAPE_3_8 = _add("order 2 with the classes of bytes 3-8")
# 32-35, indirect: what followed the last byte or two bytes the last time
AFTER_LAST_BYTE_1 = _add("the last byte with the byte that followed it last time")
AFTER_LAST_BYTE_2 = _add("the last byte with the two bytes that followed it last time")
AFTER_LAST_2_1 = _add("the last two bytes with the byte that followed them last time")
AFTER_LAST_2_2 = _add("the last two bytes with the two bytes that followed them last time")
# 36-38, for code and markup
QUOTES_AND_BRACKETS = _add("the quotes and brackets open, with the last byte")
LINE_TOKEN_AND_TOKEN = _add("the line's first token with the current one and the last byte")
SINCE_OPENING = _add("the bytes since the last opening bracket or quote, with the last byte")
# 39-41, for prose
WORD_AND_PUNCTUATION = _add("the current word with the last punctuation", folded=True)
WORD_AND_LAST_2 = _add("the current word with the last two bytes", folded=True)
PUNCTUATION_AND_WORDS = _add("the last punctuation and the words since it, with the last byte", folded=True)
# 42
INDENTATION = _add("the line's indentation against the previous line's")
# 43-47, with capitals folded
FOLDED_ORDER_1 = _add("order 1 with capitals folded", folded=True)
FOLDED_ORDER_2 = _add("order 2 with capitals folded", folded=True)
FOLDED_ORDER_3 = _add("order 3 with capitals folded", folded=True)
FOLDED_ORDER_4 = _add("order 4 with capitals folded", folded=True)
FOLDED_BLANK_DISTANCE = _add("the distance to the last blank with the folded last byte", folded=True)

MAX_CONTEXTS = len(CONTEXTS.names)
FOLDED_CONTEXTS = CONTEXTS.folded_mask
"""Bit i set: context i is folded. All the folding of format 6 together, max: -0.9% on cp.html,
-0.7% on fields.c, -0.35% on alice29, +0.04% on plrabn12."""
