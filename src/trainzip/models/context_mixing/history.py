"""Each stream's history between bytes: the partial byte, the last bytes, words, lines, brackets.

Contexts are hashed from these registers once per byte (`context_hashes`); the per-bit kernels
read only the partial byte and the last bytes. All of it is integers, advanced by `advance` after
every coded byte. A stream may read only bytes the decoder already has (`is_known`).
"""

from trainzip.jit import kernel
from trainzip.models.context_mixing import ascii as a
from trainzip.models.context_mixing.ascii import byte_class, fold_case, is_letter, is_sentence_punctuation
from trainzip.models.context_mixing.hashing import MASK32, mix32
from trainzip.models.context_mixing.registers import REGISTERS

(C0,  # the partial byte: a leading 1, then the bits coded so far
 BIT,  # how many bits of the current byte are coded (0-7)
 C4,  # the last four bytes, the latest lowest
 C8,  # the four before them
 FOLDED_C4,  # C4 with capitals folded (`fold_case`), set once per byte
 POS,  # where the stream's next byte goes in the block
 SEG_START,  # where the stream's segment starts
 ) = REGISTERS.allocate(("c0", 1), ("bit", 1), ("c4", 1), ("c8", 1), ("folded c4", 1), ("pos", 1), ("seg start", 1))
(WORD,  # hash of the current word (letters, case folded; 0 between words)
 WORD_PREV,  # the word before it
 WORD_PREV2,  # the word before that
 TOKEN,  # hash of the current run of letters, digits and underscores (case kept)
 LINE_TOKEN,  # the first token of the current line (-1 while it is being read)
 PUNCT,  # the last punctuation byte or newline, and words since it (bits 8-11)
 ) = REGISTERS.allocate(("word", 1), ("word prev", 1), ("word prev2", 1), ("token", 1), ("line token", 1),
                        ("punct", 1))
(LINE_START,  # where the current line began
 PREV_LINE_START,  # where the line before it began (-1: none yet)
 INDENT,  # leading blanks of the current line, and 256 once its first other byte came
 INDENT_HASH,  # hash of the current line's leading blanks (so far)
 PREV_INDENT_HASH,  # ... and of the previous line's
 LAST_INKED,  # the last byte that was not a blank or a newline
 PREV_LINE_END,  # the previous line's last such byte
 LAST_BLANK,  # where the last space or newline was
 SHAPE,  # the classes (see byte_class) of the last 8 bytes, 3 bits each
 NEST,  # open round brackets (bits 0-3), open braces (4-7), inside an <...> tag (8)
 QUOTE,  # inside "..." (bit 0) or '...' (bit 1) on the current line
 OPEN_HASH,  # hash of the bytes since the last opening bracket, quote or newline
 ) = REGISTERS.allocate(("line start", 1), ("prev line start", 1), ("indent", 1), ("indent hash", 1),
                        ("prev indent hash", 1), ("last inked", 1), ("prev line end", 1), ("last blank", 1),
                        ("shape", 1), ("nest", 1), ("quote", 1), ("open hash", 1))
INDENTED = 256  # INDENT once the line's first byte that is not a blank has come
MAX_NEST = 15  # NEST counts up to 15 round brackets and 15 braces
IN_TAG = 256  # NEST's bit for "inside <...>"


def start(state, segment_length: int) -> None:
    """Every stream at the start of its segment: nothing coded, no line, no blank seen yet."""
    streams = len(state)
    state[:, C0] = 1
    state[:, SEG_START] = [s * segment_length for s in range(streams)]
    state[:, POS] = state[:, SEG_START]
    state[:, LINE_START] = state[:, SEG_START]
    state[:, PREV_LINE_START] = -1
    state[:, LAST_BLANK] = state[:, SEG_START] - 1


@kernel(inline=True)
def is_known(q, own, segment_length, step):
    """Whether byte q is already known to the decoder while streams code step ``step``."""
    return q >= 0 and (q == own or (q % segment_length) < step)


@kernel(inline=True)
def advance_bytes(state, s, byte):
    """The last bytes after ``byte``; returns the last four before it."""
    before = state[s, C4]
    state[s, C8] = ((state[s, C8] << 8) | (before >> 24)) & MASK32
    state[s, C4] = ((before << 8) | byte) & MASK32
    state[s, FOLDED_C4] = fold_case(state[s, C4])  # read by every bit's folded keys
    return before


@kernel(inline=True)
def advance_words(state, s, byte):
    """Words (letters, case folded), tokens (letters, digits and underscores, case kept), and words
    since the last punctuation."""
    letter = is_letter(byte)
    if is_sentence_punctuation(byte) or byte == a.LINE_FEED:
        state[s, PUNCT] = byte
    elif not letter and state[s, WORD] != 0:  # a word ended
        state[s, PUNCT] = min(state[s, PUNCT] + 256, (state[s, PUNCT] & 0xFF) | (15 << 8))
    if letter:
        state[s, WORD] = mix32(state[s, WORD], byte | a.CASE_BIT)
    elif state[s, WORD] != 0:
        state[s, WORD_PREV2] = state[s, WORD_PREV]
        state[s, WORD_PREV] = state[s, WORD]
        state[s, WORD] = 0
    if letter or a.DIGIT_0 <= byte <= a.DIGIT_9 or byte == a.UNDERSCORE:
        if state[s, TOKEN] == 0 and state[s, LINE_TOKEN] == 0:
            state[s, LINE_TOKEN] = -1  # the line's first token is being read
        state[s, TOKEN] = mix32(state[s, TOKEN], byte)
    elif state[s, TOKEN] != 0:
        if state[s, LINE_TOKEN] == -1:
            state[s, LINE_TOKEN] = state[s, TOKEN]
        state[s, TOKEN] = 0


@kernel(inline=True)
def advance_lines(state, s, byte, previous, pos):
    """Lines, indentation, blanks, byte classes, quotes and the bytes since an opening bracket."""
    if byte == a.OPEN_PAREN or byte == a.OPEN_BRACE or byte == a.OPEN_BRACKET or byte == a.LESS or \
            byte == a.DOUBLE_QUOTE or byte == a.APOSTROPHE or byte == a.LINE_FEED:
        state[s, OPEN_HASH] = byte
    else:
        state[s, OPEN_HASH] = mix32(state[s, OPEN_HASH], byte)
    if byte == a.DOUBLE_QUOTE and not state[s, QUOTE] & 2:
        state[s, QUOTE] ^= 1
    elif byte == a.APOSTROPHE and not state[s, QUOTE] & 1 and not is_letter(previous):  # not an apostrophe
        state[s, QUOTE] ^= 2
    blank = byte == a.SPACE or byte == a.TAB
    if byte == a.LINE_FEED:
        state[s, PREV_INDENT_HASH] = state[s, INDENT_HASH]
        state[s, INDENT_HASH] = 0
        state[s, PREV_LINE_END] = state[s, LAST_INKED]
    elif state[s, INDENT] < INDENTED and blank:
        state[s, INDENT_HASH] = mix32(state[s, INDENT_HASH], byte)
    if not blank and byte != a.LINE_FEED and byte != a.CARRIAGE_RETURN:
        state[s, LAST_INKED] = byte
    if byte == a.LINE_FEED:
        state[s, LINE_TOKEN] = 0
        state[s, QUOTE] = 0
        state[s, PREV_LINE_START] = state[s, LINE_START]
        state[s, LINE_START] = pos + 1
        state[s, INDENT] = 0
    elif state[s, INDENT] < INDENTED:
        state[s, INDENT] = state[s, INDENT] + 1 if blank else INDENTED | min(state[s, INDENT], 255)
    if byte == a.SPACE or byte == a.LINE_FEED:
        state[s, LAST_BLANK] = pos
    state[s, SHAPE] = ((state[s, SHAPE] << 3) | byte_class(byte)) & 0xFFFFFF
    state[s, NEST] = _nesting(state[s, NEST], byte)


@kernel(inline=True)
def _nesting(nest, byte):
    """Open round brackets and braces (up to MAX_NEST each), and whether inside an <...> tag."""
    if byte == a.OPEN_PAREN and (nest & 0xF) < MAX_NEST:
        return nest + 1
    if byte == a.CLOSE_PAREN and (nest & 0xF) > 0:
        return nest - 1
    if byte == a.OPEN_BRACE and (nest & 0xF0) < MAX_NEST << 4:
        return nest + 16
    if byte == a.CLOSE_BRACE and (nest & 0xF0) > 0:
        return nest - 16
    if byte == a.LESS:
        return nest | IN_TAG
    if byte == a.GREATER:
        return nest & (IN_TAG - 1)
    return nest
